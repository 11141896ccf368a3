//! The fixture: accounts (keys, webhook signature key, users, permissible purposes, account
//! packages with screenings, disclosures) the sandbox is seeded with. See README "Fixture format".

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The default fixture, with exactly the demo's fixed ids (the top-level README lists them).
pub const DEFAULT_FIXTURE_JSON: &str = include_str!("../fixtures/default.json");

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fixture {
    pub accounts: Vec<AccountFixture>,
    /// Serve only what Yardstik's API reference shows: no adverse-action list, get or cancel
    /// routes, no subscription list, `query[…]` predicates only on the fields the
    /// reference filters by (`created_at`, `updated_at`), no sandbox-only invitation fields,
    /// and the apply pages on a second origin (standing for `profile.yardstik.com`). A
    /// client that works in this mode relies on nothing the sandbox inferred.
    #[serde(default)]
    pub reference_only: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountFixture {
    pub id: String,
    pub account_name: String,
    #[serde(default)]
    pub first_name: Option<String>,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub email_address: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub tech_email_address: Option<String>,
    #[serde(default)]
    pub support_email_address: Option<String>,
    #[serde(default)]
    pub support_phone: Option<String>,
    #[serde(default)]
    pub compliance_email_address: Option<String>,
    #[serde(default)]
    pub actions_email_address: Option<String>,
    #[serde(default)]
    pub logo: Option<String>,
    #[serde(default)]
    pub styles: Option<Value>,
    /// API keys accepted in `Authorization: Account <key>`.
    pub api_keys: Vec<String>,
    /// The account's `WEBHOOK_SIGNATURE` key (HMAC-SHA256 key for webhook bodies).
    pub webhook_signature: String,
    /// User emails allowed in `POST /web_tokens`.
    #[serde(default)]
    pub users: Vec<String>,
    #[serde(default)]
    pub permissible_purposes: Vec<Value>,
    #[serde(default = "default_expiration_days")]
    pub invitation_expiration_days: i64,
    #[serde(default)]
    pub account_packages: Vec<AccountPackageFixture>,
    #[serde(default)]
    pub disclosures: Vec<DisclosureFixture>,
    /// Overrides of the account's `features` (all `true` by default, except
    /// `create:sub_accounts`). A route whose feature is `false` answers 403.
    #[serde(default)]
    pub features: serde_json::Map<String, Value>,
    /// Shown on every report of the account (the reference's report field of that name).
    #[serde(default)]
    pub adverse_action_settings: AdverseActionSettingsFixture,
    /// The account's adverse-action setting (the reference's account settings `adverse_actions`).
    #[serde(default)]
    pub adverse_actions: AdverseActionsFixture,
}

/// `adverse_action_settings` of the account's reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AdverseActionSettingsFixture {
    /// At least one violation must be chosen when creating an adverse action.
    #[serde(default)]
    pub mandatory_selection_of_violations: bool,
}

/// Minimum (and default) days between the pre-adverse notice and the final adverse action.
pub const MIN_FINAL_ADVERSE_NOTIFICATION_DAYS: i64 = 7;

/// The account's adverse-action settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AdverseActionsFixture {
    /// Days a report stays in `pre_adverse` before it moves to `final_adverse` on its own.
    /// At least [`MIN_FINAL_ADVERSE_NOTIFICATION_DAYS`] (a fixture may only raise it).
    #[serde(default = "default_notification_days")]
    pub final_adverse_notification_days: i64,
}

impl Default for AdverseActionsFixture {
    fn default() -> Self {
        AdverseActionsFixture {
            final_adverse_notification_days: MIN_FINAL_ADVERSE_NOTIFICATION_DAYS,
        }
    }
}

fn default_notification_days() -> i64 {
    MIN_FINAL_ADVERSE_NOTIFICATION_DAYS
}

/// The status a report goes to when an adverse action is created under a permissible purpose:
/// its `initial_status` (top level, or `configurations.initial_status` as the reference's report
/// shows it), `pre_adverse` when absent.
pub fn purpose_initial_status(purpose: &Value) -> Option<&str> {
    purpose
        .get("initial_status")
        .or_else(|| purpose.get("configurations")?.get("initial_status"))
        .and_then(Value::as_str)
}

/// The permissible purpose statuses an adverse action may start in.
pub const INITIAL_STATUSES: &[&str] = &["pre_adverse", "final_adverse"];

/// The account features of the reference's account schema, and their defaults.
pub const FEATURES: &[(&str, bool)] = &[
    ("view:reports", true),
    ("create:reports", true),
    ("view:candidates", true),
    ("view:invitations", true),
    ("create:api_tokens", true),
    ("create:candidates", true),
    ("create:web_tokens", true),
    ("create:invitations", true),
    ("create:sub_accounts", false),
    ("create:account_webhooks", true),
];

impl AccountFixture {
    /// Whether the account has `feature` (fixture override, else the default).
    pub fn has_feature(&self, feature: &str) -> bool {
        match self.features.get(feature) {
            Some(Value::Bool(b)) => *b,
            _ => FEATURES
                .iter()
                .find(|f| f.0 == feature)
                .map(|f| f.1)
                .unwrap_or(true),
        }
    }

    /// The account's default permissible purpose (`"default": true`, else the first), which
    /// its reports are run under.
    pub fn default_purpose(&self) -> Option<&Value> {
        self.permissible_purposes
            .iter()
            .find(|p| match p.get("default") {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(s)) => s == "true",
                _ => false,
            })
            .or_else(|| self.permissible_purposes.first())
    }

    /// `initial_status` of the default permissible purpose (`pre_adverse` when not set).
    pub fn initial_adverse_status(&self) -> &str {
        self.default_purpose()
            .and_then(purpose_initial_status)
            .unwrap_or("pre_adverse")
    }

    pub fn features_json(&self) -> Value {
        Value::Object(
            FEATURES
                .iter()
                .map(|(k, _)| (k.to_string(), Value::Bool(self.has_feature(k))))
                .collect(),
        )
    }
}

fn default_expiration_days() -> i64 {
    7
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccountPackageFixture {
    pub id: String,
    #[serde(default)]
    pub package_id: Option<String>,
    #[serde(default)]
    pub package: Option<String>,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub package_system_name: Option<String>,
    #[serde(default = "default_action_type")]
    pub action_type: String,
    #[serde(default)]
    pub paid_by: Option<String>,
    #[serde(default)]
    pub screenings: Vec<ScreeningFixture>,
}

fn default_action_type() -> String {
    "report".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScreeningFixture {
    pub id: String,
    pub name: String,
    pub label: String,
    #[serde(default)]
    pub screening_type: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DisclosureFixture {
    pub id: String,
    pub name: String,
    pub title: String,
    /// `{account_name}` is replaced by the account's name when rendered.
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    #[error("cannot read fixture {0}: {1}")]
    Io(String, std::io::Error),
    #[error("invalid fixture JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid fixture: {0}")]
    Invalid(String),
}

impl Fixture {
    pub fn default_fixture() -> Fixture {
        Fixture::from_json(DEFAULT_FIXTURE_JSON).expect("embedded default fixture is valid")
    }

    pub fn from_json(text: &str) -> Result<Fixture, FixtureError> {
        let f: Fixture = serde_json::from_str(text)?;
        f.validate()?;
        Ok(f)
    }

    pub fn from_file(path: &std::path::Path) -> Result<Fixture, FixtureError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| FixtureError::Io(path.display().to_string(), e))?;
        Fixture::from_json(&text)
    }

    /// Ids unique, every account has at least one key and a signature key, keys unique.
    pub fn validate(&self) -> Result<(), FixtureError> {
        let mut ids = std::collections::HashSet::new();
        let mut keys = std::collections::HashSet::new();
        for a in &self.accounts {
            if !ids.insert(a.id.clone()) {
                return Err(FixtureError::Invalid(format!(
                    "duplicate account id {}",
                    a.id
                )));
            }
            if a.api_keys.is_empty() {
                return Err(FixtureError::Invalid(format!(
                    "account {} has no api_keys",
                    a.id
                )));
            }
            if a.webhook_signature.is_empty() {
                return Err(FixtureError::Invalid(format!(
                    "account {} has no webhook_signature",
                    a.id
                )));
            }
            for k in &a.api_keys {
                if !keys.insert(k.clone()) {
                    return Err(FixtureError::Invalid(format!("API key used twice: {k}")));
                }
            }
            let days = a.adverse_actions.final_adverse_notification_days;
            if days < MIN_FINAL_ADVERSE_NOTIFICATION_DAYS {
                return Err(FixtureError::Invalid(format!(
                    "account {}: adverse_actions.final_adverse_notification_days is {days}; \
                     it may only be raised above {MIN_FINAL_ADVERSE_NOTIFICATION_DAYS}",
                    a.id
                )));
            }
            for p in &a.permissible_purposes {
                let given = p
                    .get("initial_status")
                    .or_else(|| p.get("configurations")?.get("initial_status"));
                if let Some(v) = given {
                    if !v.as_str().is_some_and(|s| INITIAL_STATUSES.contains(&s)) {
                        return Err(FixtureError::Invalid(format!(
                            "account {}: permissible purpose initial_status {v} is not one of {}",
                            a.id,
                            INITIAL_STATUSES.join(", ")
                        )));
                    }
                }
            }
            let mut pk = std::collections::HashSet::new();
            for p in &a.account_packages {
                if !pk.insert(p.id.clone()) {
                    return Err(FixtureError::Invalid(format!(
                        "duplicate package id {}",
                        p.id
                    )));
                }
            }
        }
        Ok(())
    }
}
