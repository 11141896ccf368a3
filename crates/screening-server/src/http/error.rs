//! One error type for every route. Answers `screening_wire::ErrorBody`; internal details
//! are logged (without PII) and never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use screening_wire::{ErrorBody, ErrorCode, FieldError};

use crate::orders::OrderError;
use screening_model::StoredFailure;
use screening_model::YardstikError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Unauthorized(String),
    #[error("session expired")]
    SessionExpired,
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
    /// 422 with per-field errors.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// 422 without a specific field.
    #[error("{0}")]
    Unprocessable(String),
    #[error("{0}")]
    Conflict(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// 429 with `Retry-After` (seconds).
    #[error("rate limited")]
    RateLimited(u64),
    /// 429 with `Retry-After` (seconds): a spending limit of the session or the tenant.
    #[error("spending limit")]
    SpendLimited(screening_metrics::LimitScope, u64),
    /// 503 with `Retry-After` (seconds): the server is saturated checking credentials.
    #[error("busy")]
    Busy(u64),
    #[error(transparent)]
    Yardstik(#[from] YardstikError),
    #[error("{0}")]
    Unavailable(String),
    /// 502: Yardstik answered something this server will not pass on.
    #[error("{0}")]
    BadGateway(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The order domain's errors at the edge.
impl From<OrderError> for Error {
    fn from(e: OrderError) -> Self {
        match e {
            OrderError::Invalid(fields) => Error::Validation(fields),
            OrderError::IdInUse(id) => Error::Conflict(format!(
                "background_check_id {id} was already used for a different order; use a new id for a new order."
            )),
            OrderError::NotFound(id) => {
                Error::NotFound(format!("No background check {id} for this account."))
            }
            OrderError::NotPlacedYet(id) => Error::Conflict(format!(
                "Background check {id} is not placed yet; retry the order or try again shortly."
            )),
            OrderError::AlreadyFinal(id, status) => Error::Conflict(format!(
                "Background check {id} is already {}; it cannot be canceled.",
                status.as_str()
            )),
            OrderError::NotDecidable { id, why } => {
                Error::Conflict(format!("Background check {id} cannot be decided now: {why}."))
            }
            OrderError::RefusedLink(m) => Error::BadGateway(m),
            OrderError::StillPlacing => {
                Error::Unavailable("This order is still being placed; retry in a moment.".into())
            }
            OrderError::Yardstik(y) => Error::Yardstik(y),
            OrderError::EarlierAttemptFailed(StoredFailure::Yardstik { error }) => {
                Error::Yardstik(error)
            }
            OrderError::EarlierAttemptFailed(StoredFailure::Interrupted) => Error::Unavailable(
                "Placing this order was interrupted; retry the order.".into(),
            ),
            OrderError::EarlierAttemptFailed(StoredFailure::Internal) => {
                Error::Internal(anyhow::anyhow!("an earlier attempt of this order failed"))
            }
            OrderError::Db(e) => Error::Sqlx(e),
            OrderError::Internal(e) => Error::Internal(e),
        }
    }
}

impl Error {
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn status_and_body(&self) -> (StatusCode, ErrorBody) {
        use Error::*;
        let (status, msg, code) = match self {
            Unauthorized(m) => (StatusCode::UNAUTHORIZED, m.clone(), ErrorCode::Unauthorized),
            SessionExpired => (
                StatusCode::UNAUTHORIZED,
                "The widget session has expired; request a new session token.".into(),
                ErrorCode::SessionExpired,
            ),
            Forbidden(m) => (StatusCode::FORBIDDEN, m.clone(), ErrorCode::Forbidden),
            NotFound(m) => (StatusCode::NOT_FOUND, m.clone(), ErrorCode::NotFound),
            BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone(), ErrorCode::BadRequest),
            Validation(fields) => {
                let body = ErrorBody {
                    error_message: screening_wire::validate::summary(fields),
                    code: Some(ErrorCode::Validation),
                    field_errors: fields.clone(),
                };
                return (StatusCode::UNPROCESSABLE_ENTITY, body);
            }
            Unprocessable(m) => (StatusCode::UNPROCESSABLE_ENTITY, m.clone(), ErrorCode::Validation),
            Conflict(m) => (StatusCode::CONFLICT, m.clone(), ErrorCode::Conflict),
            UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send the body as JSON with Content-Type: application/json.".into(),
                ErrorCode::UnsupportedMediaType,
            ),
            Busy(secs) => (
                StatusCode::SERVICE_UNAVAILABLE,
                format!("The server is busy checking credentials; retry in {secs} seconds."),
                ErrorCode::RateLimited,
            ),
            RateLimited(secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many attempts; retry in {secs} seconds."),
                ErrorCode::RateLimited,
            ),
            SpendLimited(scope, secs) => (
                StatusCode::TOO_MANY_REQUESTS,
                match scope {
                    screening_metrics::LimitScope::Session => format!(
                        "Too many requests from this session; nothing was done. Retry in {secs} seconds."
                    ),
                    screening_metrics::LimitScope::Tenant => format!(
                        "Too many requests for this account right now; nothing was done. Retry in {secs} seconds."
                    ),
                },
                ErrorCode::RateLimited,
            ),
            PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.".into(),
                ErrorCode::PayloadTooLarge,
            ),
            Yardstik(YardstikError::Rejected { status: 401 | 403, .. }) => (
                StatusCode::BAD_GATEWAY,
                "Yardstik refused this account's API key; the account's Yardstik credentials need to be updated.".into(),
                ErrorCode::UpstreamRejected,
            ),
            Yardstik(YardstikError::Rejected { title, detail, .. }) => {
                let text = match (title.is_empty(), detail.is_empty()) {
                    (_, false) if !title.is_empty() => format!("{title}: {detail}"),
                    (_, false) => detail.clone(),
                    (false, true) => title.clone(),
                    (true, true) => "no detail given".into(),
                };
                (StatusCode::BAD_GATEWAY, format!("Yardstik rejected the request: {text}"), ErrorCode::UpstreamRejected)
            }
            Yardstik(YardstikError::Unavailable(_)) | Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                match self {
                    Unavailable(m) => m.clone(),
                    _ => "Yardstik is unavailable right now; please retry in a few minutes.".into(),
                },
                ErrorCode::UpstreamUnavailable,
            ),
            BadGateway(m) => (StatusCode::BAD_GATEWAY, m.clone(), ErrorCode::UpstreamRejected),
            Yardstik(YardstikError::Decode(_)) => (
                StatusCode::BAD_GATEWAY,
                "Yardstik answered in an unexpected way; please retry later.".into(),
                ErrorCode::UpstreamRejected,
            ),
            Sqlx(_) | Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal error; please retry. If it persists, contact support.".into(),
                ErrorCode::Internal,
            ),
        };
        (status, ErrorBody::new(msg).with_code(code))
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        match &self {
            Error::Sqlx(e) => tracing::error!(error = %e, "database error"),
            Error::Internal(e) => tracing::error!(error = %e, "internal error"),
            _ => {}
        }
        let (status, body) = self.status_and_body();
        let mut res = (status, Json(body)).into_response();
        if let Error::RateLimited(secs) | Error::Busy(secs) | Error::SpendLimited(_, secs) = self {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if let Error::Unauthorized(_) = self {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"screening\", charset=\"UTF-8\""),
            );
        }
        res
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
