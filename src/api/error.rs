//! What a call to the widget API can end in besides its answer: [`ApiError`], with the
//! message, event `code`, HTTP status and retry advice the views and events show, and the
//! server's `ErrorBody` read tolerantly ([`ServerError`]: an error code added to the server
//! after this build is kept, not an unreadable body). Every other part of the client
//! returns these; this module imports nothing of the client.

use screening_wire::{ErrorCode, FieldError};
use wasm_bindgen::{JsCast, JsValue};

use crate::js::{get, obj, s};

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// fetch rejected: offline, DNS, server down.
    Network,
    /// fetch rejected although the server answers a `no-cors` probe of `/healthz`: the
    /// browser refused the answer, most likely CORS (this page's origin is not one of the
    /// tenant's `widget_origins`).
    Blocked { origin: String },
    /// No answer within the configured `requestTimeout` (the request was aborted).
    Timeout,
    /// The host page's own session endpoint (`sessionUrl`) failed: `status` is its HTTP
    /// status (`None`: unreachable; a 2xx: an answer without a token).
    Session { url: String, status: Option<u16> },
    /// A non-2xx answer; the body is the server's error body (or a generic one).
    Http { status: u16, body: ServerError },
    /// A 2xx answer we could not read.
    Decode(String),
    /// The request could not be written as JSON (nothing was sent).
    Encode,
    /// A page to frame that is not an http(s) URL on one of the Yardstik origins (the
    /// link as received, for the message): it is never rendered.
    RefusedLink(String),
}

/// The server's `ErrorBody`, read tolerantly: an error code this build does not know is
/// kept as [`Code::Other`] instead of making the whole body unreadable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerError {
    pub error_message: String,
    pub code: Option<Code>,
    pub field_errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Code {
    Known(ErrorCode),
    /// A code added to the server after this build.
    Other(String),
}

impl Code {
    pub fn as_str(&self) -> &str {
        match self {
            Code::Known(c) => code_str(*c),
            Code::Other(s) => s,
        }
    }
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Network => {
                "Could not reach the screening service. Check your connection and try again.".into()
            }
            ApiError::Blocked { origin } => format!(
                "The screening service is reachable but the browser refused its answer: this \
                 page's origin ({origin}) is probably not in the tenant's widget_origins."
            ),
            ApiError::Timeout => "The screening service did not answer in time. Try again.".into(),
            ApiError::Session { url, status } => match status {
                None => format!(
                    "This page's session endpoint ({url}) could not be reached, so the widget has no session."
                ),
                Some(s) if (200..300).contains(s) => format!(
                    "This page's session endpoint ({url}) answered without a session token."
                ),
                Some(s) => format!(
                    "This page's session endpoint ({url}) answered HTTP {s}, so the widget has no session."
                ),
            },
            ApiError::Http { body, .. } => body.error_message.clone(),
            ApiError::Decode(e) => {
                format!("The screening service sent an unexpected answer ({e}).")
            }
            ApiError::Encode => "The request could not be written as JSON; nothing was sent.".into(),
            ApiError::RefusedLink(link) => format!(
                "The link to open ({}) is not a page on one of Yardstik's origins, so it is not shown.",
                link.chars().take(80).collect::<String>()
            ),
        }
    }

    pub fn code(&self) -> Option<&str> {
        Some(match self {
            ApiError::Network => "network",
            ApiError::Blocked { .. } => "cors",
            ApiError::Timeout => "timeout",
            ApiError::Session { .. } => "session_endpoint",
            ApiError::Decode(_) => "decode",
            ApiError::Encode => "encode",
            ApiError::RefusedLink(_) => "refused_link",
            ApiError::Http { body, .. } => return body.code.as_ref().map(Code::as_str),
        })
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            ApiError::Session { status, .. } => *status,
            _ => None,
        }
    }

    /// The server's `field_errors` as a JS array of `{ field, message }`.
    pub fn field_errors_js(&self) -> JsValue {
        let arr = js_sys::Array::new();
        if let ApiError::Http { body, .. } = self {
            for e in &body.field_errors {
                arr.push(&obj(&[("field", s(&e.field)), ("message", s(&e.message))]));
            }
        }
        arr.into()
    }

    /// Worth retrying the same request: the failure may pass (network, timeout, 5xx, 429,
    /// 408). An answer that could not be read will read the same next time.
    pub fn retryable(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Timeout => true,
            ApiError::Blocked { .. }
            | ApiError::Decode(_)
            | ApiError::Encode
            | ApiError::RefusedLink(_) => false,
            ApiError::Session { status, .. } => status.is_none_or(|s| s >= 500),
            ApiError::Http { status, body } => {
                *status >= 500
                    || *status == 429
                    || *status == 408
                    || matches!(body.code, Some(Code::Known(ErrorCode::SessionExpired)))
            }
        }
    }

    /// The server may have acted on the request (an order may exist): everything but a
    /// definitive refusal.
    pub fn outcome_unknown(&self) -> bool {
        !matches!(self, ApiError::Http { .. }) || self.retryable()
    }
}

const CODES: [ErrorCode; 13] = [
    ErrorCode::Unauthorized,
    ErrorCode::SessionExpired,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::BadRequest,
    ErrorCode::Validation,
    ErrorCode::Conflict,
    ErrorCode::PayloadTooLarge,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::RateLimited,
    ErrorCode::UpstreamRejected,
    ErrorCode::UpstreamUnavailable,
    ErrorCode::Internal,
];

/// A code string → its [`Code`], [`Code::Other`] for one this build does not know.
pub fn code_of(text: &str) -> Code {
    CODES
        .into_iter()
        .find(|c| code_str(*c) == text)
        .map_or_else(|| Code::Other(text.to_string()), Code::Known)
}

pub fn code_str(c: ErrorCode) -> &'static str {
    match c {
        ErrorCode::Unauthorized => "unauthorized",
        ErrorCode::SessionExpired => "session_expired",
        ErrorCode::Forbidden => "forbidden",
        ErrorCode::NotFound => "not_found",
        ErrorCode::BadRequest => "bad_request",
        ErrorCode::Validation => "validation",
        ErrorCode::Conflict => "conflict",
        ErrorCode::PayloadTooLarge => "payload_too_large",
        ErrorCode::UnsupportedMediaType => "unsupported_media_type",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::UpstreamRejected => "upstream_rejected",
        ErrorCode::UpstreamUnavailable => "upstream_unavailable",
        ErrorCode::Internal => "internal",
    }
}

/// A non-2xx answer: the server's `ErrorBody` read field by field (an unknown `code` is
/// kept as [`Code::Other`]), or a generic message when it is not one.
pub(crate) fn error_of(status: u16, answer: &str) -> ApiError {
    let v = js_sys::JSON::parse(answer).unwrap_or_default();
    let text = |o: &JsValue, k: &str| get(o, k).as_string();
    let body = match text(&v, "error_message") {
        Some(error_message) => ServerError {
            error_message,
            code: text(&v, "code").map(|c| code_of(&c)),
            field_errors: get(&v, "field_errors")
                .dyn_into::<js_sys::Array>()
                .unwrap_or_default()
                .iter()
                .filter_map(|e| {
                    Some(FieldError {
                        field: text(&e, "field")?,
                        message: text(&e, "message")?,
                    })
                })
                .collect(),
        },
        None => ServerError {
            error_message: format!("The screening service answered HTTP {status}."),
            ..ServerError::default()
        },
    };
    ApiError::Http { status, body }
}
