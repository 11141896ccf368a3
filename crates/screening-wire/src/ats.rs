//! The ATS partner contract, from the ATS's guide for background-check partners.
//!
//! The partner guide's JSON samples use single quotes; the prose is followed: prices are
//! decimal strings ("29.99"), `screenings` is optional on packages and absent on add-ons.
//! The guide quotes the ids of its order sample but writes the webhook's
//! `background_check_id` unquoted, and marks nothing of `applicant`, `hiring_manager` or
//! `job` as required: an id may be a JSON string or a whole number ([`AtsId`]), an optional
//! field may be `null` or absent, and what the ATS sent about who ordered and for which job
//! is kept as it was sent.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

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

/// An id as the ATS sent it: a JSON string, or a whole number (the partner guide writes
/// both). `text` is its decimal string, under which the order is known; a number is written
/// back as a number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[cfg_attr(test, derive(ts_rs::TS), ts(type = "string | number"))]
pub struct AtsId {
    pub text: String,
    /// The ATS sent a JSON number.
    pub numeric: bool,
}

impl AtsId {
    pub fn text(s: impl Into<String>) -> Self {
        AtsId {
            text: s.into(),
            numeric: false,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl From<&str> for AtsId {
    fn from(s: &str) -> Self {
        AtsId::text(s)
    }
}

impl From<String> for AtsId {
    fn from(s: String) -> Self {
        AtsId::text(s)
    }
}

impl std::fmt::Display for AtsId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for AtsId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.numeric {
            if let Ok(n) = self.text.parse::<u64>() {
                return s.serialize_u64(n);
            }
            if let Ok(n) = self.text.parse::<i64>() {
                return s.serialize_i64(n);
            }
        }
        s.serialize_str(&self.text)
    }
}

struct AtsIdVisitor;

impl Visitor<'_> for AtsIdVisitor {
    type Value = AtsId;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string or a whole number")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<AtsId, E> {
        Ok(AtsId::text(v))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<AtsId, E> {
        Ok(AtsId::text(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<AtsId, E> {
        Ok(AtsId {
            text: v.to_string(),
            numeric: true,
        })
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<AtsId, E> {
        Ok(AtsId {
            text: v.to_string(),
            numeric: true,
        })
    }
    /// A whole number written with a fraction or an exponent (`224466.0`, `2.2e5`) is the
    /// whole number, as JSON Schema counts it; a fraction is refused.
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<AtsId, E> {
        let text = if v.fract() != 0.0 || !v.is_finite() {
            None
        } else if (0.0..18_446_744_073_709_551_616.0).contains(&v) {
            Some((v as u64).to_string())
        } else if (-9_223_372_036_854_775_808.0..0.0).contains(&v) {
            Some((v as i64).to_string())
        } else {
            None
        };
        text.map(|text| AtsId {
            text,
            numeric: true,
        })
        .ok_or_else(|| E::custom("an id must be a string or a whole number"))
    }
}

impl<'de> Deserialize<'de> for AtsId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(AtsIdVisitor)
    }
}

/// `null` (or absent) as the type's default: an ATS may write "none" as `null`.
pub fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

struct ObjectVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an object or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
}

/// An object (or `null`): serde alone would also read a struct from an array of its
/// fields in order, which no ATS means.
pub fn optional_object<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(ObjectVisitor(std::marker::PhantomData))
}

/// An object, `null` (or absent) read as the type's default.
pub fn object_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(optional_object(d)?.unwrap_or_default())
}

/// An object, and only an object.
pub fn object<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    optional_object(d)?.ok_or_else(|| de::Error::custom("expected an object, not null"))
}

/// An id that may be a string or a whole number, kept as its decimal string.
fn id_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<AtsId>::deserialize(d)?
        .map(|i| i.text)
        .unwrap_or_default())
}

/// `POST /ats/orders` payload, the partner guide's structure. Only `account_id`,
/// `background_check_id`, `package_id`, `webhook_url` and the applicant's names and email
/// are needed to order ([`crate::validate::validate_order`]); everything else may be absent
/// or `null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderRequest {
    #[serde(default, deserialize_with = "null_as_default")]
    pub account_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager_user_id: Option<AtsId>,
    pub background_check_id: AtsId,
    #[serde(default, deserialize_with = "null_as_default")]
    pub package_id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub add_on_package_ids: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub webhook_url: String,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub hiring_manager: Option<HiringManager>,
    #[serde(default, deserialize_with = "object_or_default")]
    pub applicant: Applicant,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_object"
    )]
    pub job: Option<Job>,
}

/// Who ordered, as the ATS sent it (every field optional). Kept with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct HiringManager {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<AtsId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The applicant as the ATS sends it. Everything may be absent or `null` on the wire;
/// [`crate::validate::validate_order`] decides what an order needs (names and email: the
/// Yardstik intake collects the rest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Applicant {
    /// The ATS's applicant id (a string or a whole number on the wire; kept as its decimal
    /// string).
    #[serde(default, deserialize_with = "id_text")]
    pub id: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub first_name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub last_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
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

/// The requisition the order is for, as the ATS sent it (`{}` is fine). Kept with the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct Job {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<AtsId>,
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
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The result webhook POSTed to the order's `webhook_url`: exactly the partner guide's four fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultWebhook {
    /// As the ATS sent it in the order: a number stays a number.
    pub background_check_id: AtsId,
    pub status: CheckStatus,
    /// `null` until the check is complete.
    pub result: Option<CheckResult>,
    /// A signed link that opens the order's read-only view (report, status, history); it
    /// lasts while the order exists unless an operator revokes it. `null` until there is one.
    pub result_link_url: Option<String>,
}

/// The order's state: the 201 body of `POST /ats/orders` and the body of
/// `GET /ats/orders/{id}` / `GET /widget/orders/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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
    /// What the ATS sent about who ordered and for which job, as it sent it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager_user_id: Option<AtsId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hiring_manager: Option<HiringManager>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub job: Option<Job>,
    /// RFC 3339.
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(ts_rs::TS))]
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
#[cfg_attr(test, derive(ts_rs::TS))]
pub struct OrderEvent {
    /// RFC 3339.
    pub at: String,
    pub status: CheckStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<CheckResult>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}
