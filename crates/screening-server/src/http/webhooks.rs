//! `POST /webhooks/yardstik`: Yardstik's signed event notifications.
//!
//! The tenant is found by `account_id`; `x-yardstik-webhook-signature` must be the hex
//! HMAC-SHA256, under that tenant's WEBHOOK_SIGNATURE key, of the raw body or of its compact
//! re-serialisation with key order kept (Yardstik's own sample signs `JSON.stringify(body)`),
//! compared in constant time. Events are de-duplicated on their `id`, stored, and answered
//! 200 at once; processing is asynchronous (see `worker::inbox`).
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
use crate::app::ApiContext;
use crate::crypto::{ct_eq, hmac_bytes};
use crate::db::inbox::NewEvent;
use crate::yardstik::safe_id;
use crate::yardstik::types::WebhookEvent;

pub const SIGNATURE_HEADER: &str = "x-yardstik-webhook-signature";

/// Stands in for a key when the account is unknown (nothing can match it: the answer is
/// the same 401 as for a wrong signature).
const UNKNOWN_ACCOUNT_KEY: &[u8] = b"no-such-account: the signature cannot match";

pub fn router() -> Router<ApiContext> {
    Router::new().route("/webhooks/yardstik", post(receive))
}

/// Does `signature` (hex) match the raw body or its compact re-serialisation?
pub fn signature_ok(key: &[u8], body: &[u8], signature: &str) -> bool {
    let sig = signature.trim();
    let sig = sig.strip_prefix("sha256=").unwrap_or(sig);
    let Ok(given) = hex::decode(sig.to_ascii_lowercase()) else {
        return false;
    };
    let raw_ok = ct_eq(&given, &hmac_bytes(key, body));
    let compact_ok = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| serde_json::to_vec(&v).ok())
        .is_some_and(|c| ct_eq(&given, &hmac_bytes(key, &c)));
    raw_ok | compact_ok
}

async fn receive(
    State(ctx): State<ApiContext>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Value>> {
    let outcome = |o: &str| {
        ctx.metrics
            .inc("screening_yardstik_webhooks_total", &[("outcome", o)])
    };
    let event: WebhookEvent = match serde_json::from_slice(&body) {
        Ok(e) => e,
        Err(_) => {
            outcome("malformed");
            return Err(Error::BadRequest("Malformed webhook body.".into()));
        }
    };
    let sig = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // The signature is checked before anything is said about the account: an unknown
    // account and a wrong signature get the same answer after the same work, so the
    // endpoint cannot be used to probe which account ids exist.
    let tenant = ctx.db.tenant_by_yardstik_account(&event.account_id).await?;
    let key = tenant
        .as_ref()
        .map(|t| t.credentials.webhook_signature.expose().as_bytes().to_vec())
        .unwrap_or_else(|| UNKNOWN_ACCOUNT_KEY.to_vec());
    let verified = signature_ok(&key, &body, sig);
    let known = tenant.is_some();
    let Some(tenant) = tenant.filter(|_| verified) else {
        // Told apart in metrics only, for operators.
        outcome(if known {
            "bad_signature"
        } else {
            "unknown_account"
        });
        tracing::warn!("yardstik webhook with an unknown account or a wrong signature rejected");
        return Err(Error::Unauthorized(
            "Missing or invalid x-yardstik-webhook-signature.".into(),
        ));
    };
    if !safe_id(&event.resource_id) || event.id.is_empty() || event.id.len() > 128 {
        outcome("malformed");
        return Err(Error::BadRequest(
            "Webhook resource_id or id is not a valid id.".into(),
        ));
    }
    let new = ctx
        .db
        .insert_event(&NewEvent {
            tenant_id: &tenant.id,
            event_id: &event.id,
            resource_type: &event.resource_type,
            resource_id: &event.resource_id,
            event: &event.event,
        })
        .await?;
    if !new {
        outcome("duplicate");
        return Ok(Json(json!({"status": "duplicate"})));
    }
    outcome("accepted");
    tracing::info!(tenant = %tenant.ats_account_id, event_id = %event.id, resource_type = %event.resource_type, "yardstik webhook accepted");
    ctx.inbox_wake.notify_one();
    Ok(Json(json!({"status": "accepted"})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_compact_signatures() {
        let key = b"demo-webhook-signature";
        let pretty =
            b"{\n  \"id\": \"bd17\",\n  \"event\": \"updated\",\n  \"account_id\": \"16fb\"\n}";
        let compact = br#"{"id":"bd17","event":"updated","account_id":"16fb"}"#;
        let raw_sig = hex::encode(hmac_bytes(key, pretty));
        let compact_sig = hex::encode(hmac_bytes(key, compact));
        assert!(signature_ok(key, pretty, &raw_sig));
        assert!(
            signature_ok(key, pretty, &compact_sig),
            "JSON.stringify-style signature accepted"
        );
        assert!(signature_ok(key, pretty, &compact_sig.to_uppercase()));
        assert!(!signature_ok(b"other", pretty, &raw_sig));
        assert!(!signature_ok(key, pretty, ""));
        assert!(!signature_ok(key, pretty, "zz"));
        let reordered = br#"{"event":"updated","id":"bd17","account_id":"16fb"}"#;
        assert!(
            !signature_ok(key, reordered, &compact_sig),
            "key order is kept"
        );
    }
}
