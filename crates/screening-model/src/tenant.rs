//! Tenants: one per ATS client account.
//!
//! [`TenantSpec`] is the JSON accepted by `tenant add --from-file` (see
//! `fixtures/demo-tenant.json`). It is split at rest into a plain `settings` JSON column
//! and a `sealed` column holding the Yardstik credentials (XChaCha20-Poly1305).

use serde::{Deserialize, Serialize};

use crate::rate::RateLimit;

/// Longest ATS account id (the Basic user name): longer ones are refused before any lookup.
pub const MAX_ATS_ACCOUNT_ID_LEN: usize = 128;
/// Longest Yardstik account id a tenant may have (webhooks naming a longer one are refused
/// before any lookup).
pub const MAX_YARDSTIK_ACCOUNT_ID_LEN: usize = 128;

/// A string that never appears in Debug output or logs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// One catalog line: an ATS package id mapped to a Yardstik account package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEntry {
    /// The id the ATS sees and orders (`PKG001`).
    pub id: String,
    /// The Yardstik account package id used for the invitation.
    pub yardstik_account_package_id: String,
    pub name: String,
    /// Decimal string (`"29.99"`).
    pub price: String,
    pub description: String,
    /// Offered as an `add_on_packages` entry (one extra invitation for the same candidate).
    #[serde(default)]
    pub add_on: bool,
}

/// Everything about a tenant that is not a credential (stored as plain JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Settings {
    /// The Yardstik user email that `POST /web_tokens` is called with.
    pub web_token_user_email: String,
    /// Hosts result webhooks may be sent to (`api.example.com`, or `*.example.com`).
    #[serde(default)]
    pub allowed_webhook_hosts: Vec<String>,
    /// Let webhook_url resolve to loopback addresses (local demos only).
    #[serde(default)]
    pub allow_loopback: bool,
    /// Browser origins allowed to call the widget API (CORS), e.g. `https://ats.example.com`.
    #[serde(default)]
    pub widget_origins: Vec<String>,
    /// Send intermediate statuses (invited, form_completed, processing, action_required).
    #[serde(default)]
    pub progress_updates: bool,
    /// Where results of orders placed through the widget are sent.
    #[serde(default)]
    pub default_webhook_url: Option<String>,
    /// The account's Yardstik candidate custom fields (set up by Yardstik support) that
    /// receive what the ATS said about who ordered and for which job. None by default:
    /// Yardstik's reference offers no other place for them, and a field the account does
    /// not have may be refused.
    #[serde(default, skip_serializing_if = "CustomFields::is_empty")]
    pub yardstik_custom_fields: CustomFields,
    pub catalog: Vec<CatalogEntry>,
    /// Requests of one widget session to the routes that spend Yardstik calls (orders,
    /// tokens, decisions, report reads); absent: the server's `SCREENING_SESSION_SPEND_LIMIT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_spend_limit: Option<RateLimit>,
    /// The same requests of all the tenant's widget sessions together; absent: the
    /// server's `SCREENING_TENANT_SPEND_LIMIT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_spend_limit: Option<RateLimit>,
}

/// Names of Yardstik candidate custom fields, per piece of the order's context.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CustomFields {
    /// Gets `hiring_manager_user_id` (or `hiring_manager.id` when that is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager_id: Option<String>,
    /// Gets the hiring manager's first and last name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager_email: Option<String>,
    /// Gets `job.id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job_id: Option<String>,
}

impl CustomFields {
    pub fn is_empty(&self) -> bool {
        *self == CustomFields::default()
    }
}

/// The sealed part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    pub yardstik_account_id: String,
    pub yardstik_api_key: Secret,
    pub webhook_signature: Secret,
}

/// The JSON form accepted by `tenant add --from-file`.
/// (serde cannot deny unknown fields together with `flatten`; `validate` checks the values.)
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct TenantSpec {
    pub ats_account_id: String,
    pub name: String,
    /// When absent a random secret is generated and printed once.
    #[serde(default)]
    pub api_secret: Option<Secret>,
    pub yardstik_account_id: String,
    pub yardstik_api_key: Secret,
    pub webhook_signature: Secret,
    #[serde(flatten)]
    pub settings: Settings,
}

/// A tenant as the server uses it (credentials opened).
#[derive(Debug, Clone)]
pub struct Tenant {
    pub id: String,
    pub ats_account_id: String,
    pub name: String,
    pub secret_hash: String,
    pub credentials: Credentials,
    pub settings: Settings,
}

impl Tenant {
    pub fn entry(&self, package_id: &str) -> Option<&CatalogEntry> {
        self.settings.catalog.iter().find(|e| e.id == package_id)
    }

    /// Changes whenever the tenant's API secret is rotated (a digest of its stored hash).
    /// Sessions and result links carry it and stop working when it changes.
    pub fn generation(&self) -> String {
        generation_of(&self.secret_hash)
    }

    /// Is `origin` (scheme://host[:port]) one of the tenant's widget origins?
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.settings
            .widget_origins
            .iter()
            .any(|o| o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }
}

/// The credential generation of a stored secret hash.
pub fn generation_of(secret_hash: &str) -> String {
    crate::crypto::sha256_hex(secret_hash.as_bytes())[..16].to_string()
}

/// `"29.99"`, `"30"`, `"0.5"`: digits, optionally a dot and one or two digits.
pub fn is_price(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    !int.is_empty()
        && int.len() <= 9
        && int.bytes().all(|b| b.is_ascii_digit())
        && (if s.contains('.') {
            (1..=2).contains(&frac.len())
        } else {
            true
        })
        && frac.bytes().all(|b| b.is_ascii_digit())
}

impl TenantSpec {
    /// Every problem at once, each naming the field.
    pub fn validate(&self) -> Result<(), String> {
        let mut errs = Vec::new();
        let s = &self.settings;
        if self.ats_account_id.trim().is_empty() || self.ats_account_id.contains(':') {
            errs.push("ats_account_id must be non-empty and must not contain ':' (it is the Basic auth user)".to_string());
        }
        if self.ats_account_id.len() > MAX_ATS_ACCOUNT_ID_LEN {
            errs.push(format!(
                "ats_account_id must be at most {MAX_ATS_ACCOUNT_ID_LEN} bytes"
            ));
        }
        if self.yardstik_account_id.trim().is_empty() {
            errs.push("yardstik_account_id is required".into());
        }
        if self.yardstik_account_id.len() > MAX_YARDSTIK_ACCOUNT_ID_LEN {
            errs.push(format!(
                "yardstik_account_id must be at most {MAX_YARDSTIK_ACCOUNT_ID_LEN} bytes"
            ));
        }
        for (field, limit) in [
            ("session_spend_limit", &s.session_spend_limit),
            ("tenant_spend_limit", &s.tenant_spend_limit),
        ] {
            if let Some(p) = limit.as_ref().and_then(RateLimit::problem) {
                errs.push(format!("{field}: {p}"));
            }
        }
        if self.yardstik_api_key.0.trim().is_empty() {
            errs.push("yardstik_api_key is required".into());
        }
        if self.webhook_signature.0.trim().is_empty() {
            errs.push("webhook_signature (Yardstik WEBHOOK_SIGNATURE key) is required".into());
        }
        if let Some(sec) = &self.api_secret {
            if sec.0.len() < 8 {
                errs.push("api_secret must be at least 8 characters".into());
            }
        }
        if !screening_wire::validate::is_email(&s.web_token_user_email) {
            errs.push(
                "web_token_user_email must be the email of a Yardstik user of the account".into(),
            );
        }
        for o in &s.widget_origins {
            if !(o.starts_with("https://") || o.starts_with("http://"))
                || o.trim_end_matches('/').matches('/').count() != 2
            {
                errs.push(format!("widget_origins: {o:?} must be an origin like https://ats.example.com (no path)"));
            }
        }
        for h in &s.allowed_webhook_hosts {
            if h.is_empty() || h.contains('/') || h.contains(':') && !h.starts_with('[') {
                errs.push(format!("allowed_webhook_hosts: {h:?} must be a bare host name (no scheme, port or path)"));
            }
        }
        if let Some(u) = &s.default_webhook_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                errs.push("default_webhook_url must be an http(s) URL".into());
            }
        }
        if s.catalog.iter().all(|e| e.add_on) {
            errs.push("catalog must contain at least one package that is not an add-on".into());
        }
        for (i, e) in s.catalog.iter().enumerate() {
            if e.id.trim().is_empty()
                || e.yardstik_account_package_id.trim().is_empty()
                || e.name.trim().is_empty()
            {
                errs.push(format!(
                    "catalog[{i}]: id, yardstik_account_package_id and name are required"
                ));
            }
            if !is_price(&e.price) {
                errs.push(format!(
                    "catalog[{i}] ({}): price {:?} must be a decimal string like \"29.99\"",
                    e.id, e.price
                ));
            }
            if s.catalog[..i].iter().any(|o| o.id == e.id) {
                errs.push(format!("catalog[{i}]: package id {} is listed twice", e.id));
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs.join("; "))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices() {
        for ok in ["29.99", "30", "0.5", "100.00"] {
            assert!(is_price(ok), "{ok}");
        }
        for bad in ["", "29.999", "-1", "1e3", ".5", "5.", "29,99"] {
            assert!(!is_price(bad), "{bad}");
        }
    }

    #[test]
    fn demo_fixture_is_valid_and_secrets_do_not_debug() {
        let spec: TenantSpec = serde_json::from_str(include_str!(
            "../../screening-server/fixtures/demo-tenant.json"
        ))
        .expect("fixture parses");
        spec.validate().expect("fixture valid");
        assert_eq!(spec.ats_account_id, "demo-ats");
        assert_eq!(spec.settings.catalog.len(), 5);
        let dbg = format!("{spec:?}");
        assert!(!dbg.contains("demo-yardstik-key") && !dbg.contains("demo-ats-secret"));
    }

    #[test]
    fn overlong_ids_and_unusable_limits_are_refused() {
        let mut spec: TenantSpec = serde_json::from_str(include_str!(
            "../../screening-server/fixtures/demo-tenant.json"
        ))
        .unwrap();
        spec.ats_account_id = "a".repeat(MAX_ATS_ACCOUNT_ID_LEN + 1);
        spec.yardstik_account_id = "y".repeat(MAX_YARDSTIK_ACCOUNT_ID_LEN + 1);
        spec.settings.session_spend_limit = Some(RateLimit::new(0, 5));
        let err = spec.validate().unwrap_err();
        assert!(err.contains("ats_account_id must be at most 128"), "{err}");
        assert!(
            err.contains("yardstik_account_id must be at most 128"),
            "{err}"
        );
        assert!(
            err.contains("session_spend_limit: per_minute and burst"),
            "{err}"
        );

        let limits: Settings = serde_json::from_value(serde_json::json!({
            "web_token_user_email": "u@example.com",
            "catalog": [],
            "tenant_spend_limit": {"per_minute": 120, "burst": 20}
        }))
        .unwrap();
        assert_eq!(limits.tenant_spend_limit, Some(RateLimit::new(120, 20)));
        assert_eq!(limits.session_spend_limit, None);
    }
}
