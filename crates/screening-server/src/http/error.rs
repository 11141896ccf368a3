//! One error type for every route. Answers `screening_wire::ErrorBody`; internal details
//! are logged (without PII) and never sent.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use screening_wire::{ErrorBody, ErrorCode, FieldError};

use crate::yardstik::YardstikError;

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
    #[error(transparent)]
    Yardstik(#[from] YardstikError),
    #[error("{0}")]
    Unavailable(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
    /// A stored answer replayed verbatim (idempotent retries of failed orders).
    #[error("replayed error {0}")]
    Replay(u16, String),
}

impl From<crate::db::tenants::TenantError> for Error {
    fn from(e: crate::db::tenants::TenantError) -> Self {
        Error::Internal(anyhow::anyhow!(e.to_string()))
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
            Replay(status, body) => {
                let body = serde_json::from_str(body).unwrap_or_else(|_| ErrorBody::new("Order failed"));
                return (StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY), body);
            }
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
