//! The ATS partner contract, from the ATS's guide for background-check partners.
//!
//! The partner guide's JSON samples use single quotes; the prose is followed: every id is a string,
//! prices are decimal strings ("29.99"), `screenings` is optional on packages and absent on
//! add-ons.

use serde::{Deserialize, Serialize};

use crate::status::{CheckResult, CheckStatus};

/// `GET /ats/packages` (and `GET /widget/packages`) answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct PackageList {
    pub packages: Vec<Package>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_on_packages: Vec<AddOnPackage>,
}

/// One orderable package. `price` is a decimal string, as in the partner guide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    pub id: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub screenings: Vec<String>,
}

/// A supplemental service that may be ordered alongside any package. Price and
/// description are required by the ATS for add-ons.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddOnPackage {
    pub id: String,
    pub name: String,
    pub price: String,
    pub description: String,
}

/// `POST /ats/orders` payload, exactly the partner guide's structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager_user_id: Option<String>,
    pub background_check_id: String,
    pub package_id: String,
    #[serde(default)]
    pub add_on_package_ids: Vec<String>,
    pub webhook_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager: Option<HiringManager>,
    pub applicant: Applicant,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HiringManager {
    pub id: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub email: String,
}

/// The applicant as the ATS sends it. Everything but the id, names and email is optional
/// on the wire; [`crate::validate::validate_applicant`] decides what an order needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Applicant {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zip: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    pub id: String,
}

/// The body the ATS expects on every non-201 answer: at least `error_message`.
/// `code` and `field_errors` are additions a machine (the widget) can act on; an ATS that
/// only reads `error_message` loses nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error_message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ErrorCode>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub field_errors: Vec<FieldError>,
}

impl ErrorBody {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            error_message: message.into(),
            code: None,
            field_errors: Vec::new(),
        }
    }
    pub fn with_code(mut self, code: ErrorCode) -> Self {
        self.code = Some(code);
        self
    }
}

/// Machine-readable error kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Credentials or session token missing or wrong.
    Unauthorized,
    /// The widget session token has expired: fetch a new one and retry.
    SessionExpired,
    Forbidden,
    NotFound,
    /// Malformed JSON.
    BadRequest,
    /// Missing or invalid fields; see `field_errors`.
    Validation,
    /// Same `background_check_id` (or idempotency key) with a different payload.
    Conflict,
    PayloadTooLarge,
    /// The body is not `Content-Type: application/json`.
    UnsupportedMediaType,
    /// Too many attempts (or too much work queued); retry after `Retry-After` seconds.
    RateLimited,
    /// Yardstik refused the request (its 422 detail is in `error_message`).
    UpstreamRejected,
    /// Yardstik is unreachable or failing; retry later.
    UpstreamUnavailable,
    Internal,
}

/// One invalid field: `field` is the dotted path in the request (`applicant.zip`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The result webhook POSTed to the order's `webhook_url`: exactly the partner guide's four fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultWebhook {
    pub background_check_id: String,
    pub status: CheckStatus,
    /// `null` until the check is complete.
    pub result: Option<CheckResult>,
    /// A signed, expiring link that opens the report in-page; `null` until there is one.
    pub result_link_url: Option<String>,
}

/// The order's state: the 201 body of `POST /ats/orders` and the body of
/// `GET /ats/orders/{id}` / `GET /widget/orders/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    pub background_check_id: String,
    pub status: CheckStatus,
    pub result: Option<CheckResult>,
    pub result_link_url: Option<String>,
    pub package_id: String,
    #[serde(default)]
    pub add_on_package_ids: Vec<String>,
    /// One line per Yardstik invitation/report behind this order (the package and each
    /// add-on).
    #[serde(default)]
    pub items: Vec<OrderItem>,
    /// Every status change, oldest first.
    #[serde(default)]
    pub history: Vec<OrderEvent>,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    /// The ATS package or add-on id.
    pub package_id: String,
    pub add_on: bool,
    pub status: CheckStatus,
    pub result: Option<CheckResult>,
    /// Yardstik's own invitation and report statuses, verbatim.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invitation_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderEvent {
    /// RFC 3339.
    pub at: String,
    pub status: CheckStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<CheckResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
