//! `POST /webhooks/yardstik`: Yardstik's signed event notifications (verified and stored by
//! [`crate::orders::webhooks`]; this module only maps the outcome to an answer).
//!
//! Answers: 200 `accepted` | `duplicate`, 400 malformed body, 401 missing or wrong
//! signature or unknown account (one answer for both: the endpoint reveals no account ids).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::error::{Error, Result};
use super::state::AppState;
use crate::orders::webhooks::{Received, Refused, WebhookIntake};

pub const SIGNATURE_HEADER: &str = "x-yardstik-webhook-signature";

pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/yardstik", post(receive))
}

async fn receive(
    State(intake): State<WebhookIntake>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>> {
    let sig = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    match intake.receive(&body, sig).await {
        Ok(Received::Accepted) => Ok(Json(json!({"status": "accepted"}))),
        Ok(Received::Duplicate) => Ok(Json(json!({"status": "duplicate"}))),
        Err(Refused::Malformed) => Err(Error::BadRequest("Malformed webhook body.".into())),
        Err(Refused::BadId) => Err(Error::BadRequest(
            "Webhook resource_id or id is not a valid id.".into(),
        )),
        Err(Refused::Unauthorized) => Err(Error::Unauthorized(
            "Missing or invalid x-yardstik-webhook-signature.".into(),
        )),
        Err(Refused::Internal(e)) => Err(Error::Internal(e)),
    }
}
