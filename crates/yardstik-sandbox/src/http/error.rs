//! The reference's error shape: `{title, detail, meta, src, status}`.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub title: String,
    pub detail: String,
    pub meta: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, title: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError {
            status,
            title: title.into(),
            detail: detail.into(),
            meta: json!({}),
        }
    }
    pub fn with_meta(mut self, meta: Value) -> Self {
        self.meta = meta;
        self
    }
    pub fn bad_request(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "Bad Request", detail)
    }
    pub fn unauthorized() -> Self {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "A valid API key is required in the header `Authorization: Account <API key>`",
        )
    }
    /// `404 "<Resource> Not Found"` with `meta: {<resource>_id: <id>}` as in the reference's example.
    pub fn not_found(resource: &str, id: &str) -> Self {
        let mut title = resource.to_string();
        if let Some(f) = title.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        ApiError::new(
            StatusCode::NOT_FOUND,
            format!("{title} Not Found"),
            format!("The {resource} was not found"),
        )
        .with_meta(json!({ format!("{}_id", resource.replace(' ', "_")): id }))
    }
    pub fn route_not_found(path: &str) -> Self {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "Not Found",
            format!("No route matches {path}"),
        )
    }
    pub fn unprocessable(title: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, title, detail)
    }
    pub fn forbidden(detail: impl Into<String>) -> Self {
        ApiError::new(StatusCode::FORBIDDEN, "Forbidden", detail)
    }
    pub fn body(&self) -> Value {
        json!({
            "title": self.title,
            "detail": self.detail,
            "meta": self.meta,
            "src": {},
            "status": self.status.as_u16(),
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, axum::Json(self.body())).into_response()
    }
}

/// Field errors collected while validating a body, reported as 422 with
/// `meta: {errors: {field: [message, …]}}`.
#[derive(Debug, Default)]
pub struct FieldErrors(pub serde_json::Map<String, Value>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, msg: &str) {
        let e = self
            .0
            .entry(field.to_string())
            .or_insert_with(|| Value::Array(vec![]));
        if let Value::Array(a) = e {
            a.push(Value::String(msg.to_string()));
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self, title: &str) -> Result<(), ApiError> {
        if self.0.is_empty() {
            return Ok(());
        }
        let detail = self
            .0
            .iter()
            .map(|(k, v)| {
                let msgs: Vec<&str> = v
                    .as_array()
                    .map(|a| a.iter().filter_map(|m| m.as_str()).collect())
                    .unwrap_or_default();
                format!("{k} {}", msgs.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        Err(ApiError::unprocessable(title, detail).with_meta(json!({ "errors": self.0 })))
    }
}
