//! The API between the widget (in the browser) and the companion server.
//!
//! The host's backend creates a session with the tenant's Basic credentials
//! (`POST /widget/sessions`, server to server) and hands the token to the widget, which
//! sends it as `Authorization: Bearer <token>`. Every route below answers errors as
//! [`crate::ErrorBody`]; an expired token is `401` with `code: "session_expired"`.
//!
//! | method | path | request | answer |
//! |---|---|---|---|
//! | POST | /widget/sessions | [`SessionRequest`] (Basic auth) | [`SessionResponse`] |
//! | GET | /widget/packages | | [`crate::PackageList`] |
//! | POST | /widget/orders | [`WidgetOrderRequest`] + `Idempotency-Key` header | 201 [`crate::OrderState`] |
//! | GET | /widget/orders/{background_check_id} | | [`crate::OrderState`] |
//! | POST | /widget/tokens/report | [`ReportTokenRequest`] | [`ReportToken`] |
//! | POST | /widget/tokens/disclosures | | [`DisclosuresToken`] |
//! | GET | /widget/orders/{background_check_id}/apply | | [`ApplyLink`] |

use serde::{Deserialize, Serialize};

use crate::ats::{Applicant, HiringManager};

/// Header carrying the widget's idempotency key on `POST /widget/orders`.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";

/// What a widget session may do. The host's backend asks for exactly what the page needs;
/// a session without capabilities can do nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// The hiring manager's order form: list packages, place orders, read them.
    Order,
    /// Yardstik report tokens for this tenant's reports (one order's when the session names
    /// a `background_check_id`), and the order's status.
    Review,
    /// The candidate: one order only (`background_check_id` required), its intake steps and
    /// its own status. Never a Yardstik user token, never an order, never another order.
    /// Cannot be combined with other capabilities.
    Candidate,
    /// The account disclosures token.
    Disclosures,
    /// One order's read-only view (`background_check_id` required): its status and
    /// history, and Yardstik report tokens for its reports. No decision, no other order.
    /// The page behind `result_link_url` gets exactly this.
    View,
}

impl Capability {
    pub const ALL: [Capability; 5] = [
        Capability::Order,
        Capability::Review,
        Capability::Candidate,
        Capability::Disclosures,
        Capability::View,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Capability::Order => "order",
            Capability::Review => "review",
            Capability::Candidate => "candidate",
            Capability::Disclosures => "disclosures",
            Capability::View => "view",
        }
    }
}

/// `POST /widget/sessions` body. `capabilities` says what the session may do (none when
/// absent); `applicant_id` / `background_check_id` narrow it to one applicant's or one
/// order's data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct SessionRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applicant_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_check_id: Option<String>,
    /// Requested lifetime in seconds; the server caps it (default 900). JSON numbers with
    /// a zero fraction (`900.0`) count as integers, as JSON Schema counts them.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "integral_u64"
    )]
    pub ttl_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<Capability>,
    /// Who uses a `review` session (the host's user id): recorded with every decision, and
    /// required for one (a review session without it can read but not decide).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewer_id: Option<String>,
}

/// `null`, a non-negative integer, or a float with no fraction that fits a `u64`.
fn integral_u64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Num {
        Int(u64),
        Float(f64),
    }
    match Option::<Num>::deserialize(d)? {
        None => Ok(None),
        Some(Num::Int(n)) => Ok(Some(n)),
        // Below 2^64: every such f64 is a whole number the schema allows (its maximum is
        // 2^64 - 1), and every f64 from 2^64 up is above that maximum.
        Some(Num::Float(f))
            if f.fract() == 0.0 && (0.0..18_446_744_073_709_551_616.0).contains(&f) =>
        {
            Ok(Some(f as u64))
        }
        Some(Num::Float(_)) => Err(serde::de::Error::custom(
            "ttl_seconds must be a whole number of seconds",
        )),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionResponse {
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
    pub expires_in: u64,
}

/// `POST /widget/orders` body. The tenant is the session's; the result webhook goes to the
/// tenant's configured default `webhook_url`. When `background_check_id` is absent the
/// server assigns one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct WidgetOrderRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_check_id: Option<String>,
    pub package_id: String,
    #[serde(default)]
    pub add_on_package_ids: Vec<String>,
    #[serde(deserialize_with = "crate::ats::object")]
    pub applicant: Applicant,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::ats::optional_object"
    )]
    pub hiring_manager: Option<HiringManager>,
}

/// `POST /widget/tokens/report`: name the report by the order (`background_check_id`,
/// the package's report) or directly by Yardstik `report_id`; at least one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ReportTokenRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background_check_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_id: Option<String>,
}

/// A short-lived Yardstik web token for the report iframe:
/// `${domain}/embed/report/${report_id}?jwt=${token}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportToken {
    pub token: String,
    /// The Yardstik app origin (scheme://host[:port], no trailing slash).
    pub domain: String,
    pub report_id: String,
}

/// A short-lived Yardstik web token for the disclosures iframe:
/// `${domain}/embed/signDisclosures/${account_id}?jwt=${token}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisclosuresToken {
    pub token: String,
    pub domain: String,
    pub account_id: String,
}

/// The candidate's Yardstik intake pages for an order, for the apply iframe. An order with
/// add-ons has one Yardstik invitation, so one intake, per ordered package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyLink {
    /// The first open step's URL (kept for clients that know only one intake).
    pub apply_url: String,
    /// The first open step's origin (kept for clients that know only one intake).
    pub domain: String,
    /// The configured Yardstik origins a frame may be on (app, profile): a client frames a
    /// step only when its URL's own origin is one of them.
    #[serde(default)]
    pub origins: Vec<String>,
    pub background_check_id: String,
    /// Every intake still open (not completed, canceled or expired), package first, then
    /// the add-ons in order. Absent from older servers (then only `apply_url`).
    #[serde(default)]
    pub steps: Vec<ApplyStep>,
}

/// One open intake of an order: one ordered package's Yardstik invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyStep {
    /// The ATS package id (`package_id` or one of `add_on_package_ids`).
    pub package_id: String,
    pub add_on: bool,
    pub apply_url: String,
    /// The origin of `apply_url` (`scheme://host[:port]`): where this step's
    /// `yardstik:form_submitted` must come from.
    #[serde(default)]
    pub origin: String,
}

/// Build the report iframe URL exactly as Yardstik's SDK does.
pub fn report_iframe_url(domain: &str, report_id: &str, token: &str) -> String {
    format!(
        "{}/embed/report/{}?jwt={}",
        domain.trim_end_matches('/'),
        report_id,
        token
    )
}

/// Build the disclosures iframe URL exactly as Yardstik's SDK does.
pub fn disclosures_iframe_url(domain: &str, account_id: &str, token: &str) -> String {
    format!(
        "{}/embed/signDisclosures/{}?jwt={}",
        domain.trim_end_matches('/'),
        account_id,
        token
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_seconds_takes_whole_numbers_however_written() {
        let ttl = |json: &str| serde_json::from_str::<SessionRequest>(json).map(|r| r.ttl_seconds);
        assert_eq!(ttl(r#"{"ttl_seconds": 900}"#).unwrap(), Some(900));
        assert_eq!(ttl(r#"{"ttl_seconds": 900.0}"#).unwrap(), Some(900));
        assert_eq!(ttl(r#"{"ttl_seconds": null}"#).unwrap(), None);
        assert_eq!(ttl("{}").unwrap(), None);
        // Exact decimal parsing: a nearest-but-one f64 would carry a fraction here.
        assert_eq!(
            ttl(r#"{"ttl_seconds": 2179839671796115.0}"#).unwrap(),
            Some(2_179_839_671_796_115)
        );
        assert_eq!(
            ttl(r#"{"ttl_seconds": 1.82e19}"#).unwrap(),
            Some(18_200_000_000_000_000_000)
        );
        // The largest f64 below 2^64, and 2^64 itself (over the maximum, however written).
        assert_eq!(
            ttl(r#"{"ttl_seconds": 18446744073709549568.0}"#).unwrap(),
            Some(18_446_744_073_709_549_568)
        );
        assert!(ttl(r#"{"ttl_seconds": 18446744073709551616}"#).is_err());
        assert!(ttl(r#"{"ttl_seconds": 1.8446744073709552e19}"#).is_err());
        assert!(ttl(r#"{"ttl_seconds": 3.7e19}"#).is_err());
        assert!(ttl(r#"{"ttl_seconds": 1.5}"#).is_err());
        assert!(ttl(r#"{"ttl_seconds": -1}"#).is_err());
        assert!(ttl(r#"{"ttl_seconds": "900"}"#).is_err());
    }
}
