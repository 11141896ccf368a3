//! `POST /webhooks/yardstik`: Yardstik's signed event notifications.
//!
//! The tenant is found by `account_id`; `x-yardstik-webhook-signature` must be the hex
//! HMAC-SHA256, under that tenant's WEBHOOK_SIGNATURE key, of the raw body or of its compact
//! re-serialisation with key order kept (Yardstik's own sample signs `JSON.stringify(body)`),
//! compared in constant time. Events are de-duplicated on their `id` and stored by the
//! group-commit writer (`worker::ingest`): the answer 200 comes once the event's row is
//! committed; processing is asynchronous (see `worker::inbox`).
//!
//! The tenant behind an `account_id` (and so the signature key) is read from the database
//! at most once per [`TENANT_TTL`] per account (`WebhookTenants`), unknown accounts
//! included, so a burst of webhooks does not read and decrypt the tenant row each time. A
//! removed tenant or a replaced signature key takes effect within that time.
//!
//! Answers: 200 `accepted` | `duplicate`, 400 malformed body, 401 missing or wrong
//! signature or unknown account (one answer for both: the endpoint reveals no account ids).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::error::{Error, Result};
use crate::app::ApiContext;
use crate::crypto::{ct_eq, hmac_bytes};
use crate::db::Db;
use crate::tenant::Tenant;
use crate::worker::ingest::IngestEvent;
use crate::yardstik::safe_id;
use crate::yardstik::types::WebhookEvent;

pub const SIGNATURE_HEADER: &str = "x-yardstik-webhook-signature";

/// Stands in for a key when the account is unknown (nothing can match it: the answer is
/// the same 401 as for a wrong signature).
const UNKNOWN_ACCOUNT_KEY: &[u8] = b"no-such-account: the signature cannot match";

pub fn router() -> Router<ApiContext> {
    Router::new().route("/webhooks/yardstik", post(receive))
}

/// How long a tenant looked up by Yardstik account id is reused.
pub const TENANT_TTL: Duration = Duration::from_secs(2);
/// Accounts remembered at most (a flood of made-up ids clears the map rather than grow it).
const MAX_ACCOUNTS: usize = 10_000;

/// Tenants by Yardstik account id, for [`TENANT_TTL`] (unknown accounts too, so a made-up
/// id costs the same as a real one after the first request).
#[derive(Clone, Default)]
pub struct WebhookTenants {
    map: Arc<Mutex<HashMap<String, (Instant, Option<Arc<Tenant>>)>>>,
}

impl WebhookTenants {
    pub async fn get(&self, db: &Db, account_id: &str) -> Result<Option<Arc<Tenant>>> {
        if let Some((at, t)) = self.map.lock().expect("tenants").get(account_id) {
            if at.elapsed() < TENANT_TTL {
                return Ok(t.clone());
            }
        }
        let t = db
            .tenant_by_yardstik_account(account_id)
            .await?
            .map(Arc::new);
        let mut map = self.map.lock().expect("tenants");
        if map.len() >= MAX_ACCOUNTS {
            map.retain(|_, (at, _)| at.elapsed() < TENANT_TTL);
            if map.len() >= MAX_ACCOUNTS {
                map.clear();
            }
        }
        map.insert(account_id.to_string(), (Instant::now(), t.clone()));
        Ok(t)
    }
}

/// Does `signature` (hex) match the raw body or its compact re-serialisation?
pub fn signature_ok(key: &[u8], body: &[u8], signature: &str) -> bool {
    let sig = signature.trim();
    let sig = sig.strip_prefix("sha256=").unwrap_or(sig);
    let Ok(given) = hex::decode(sig.to_ascii_lowercase()) else {
        return false;
    };
    // The compact form is only computed when the raw body does not match (which of the
    // two forms a sender signed is no secret).
    ct_eq(&given, &hmac_bytes(key, body))
        || serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| serde_json::to_vec(&v).ok())
            .is_some_and(|c| ct_eq(&given, &hmac_bytes(key, &c)))
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
    let tenant = ctx.webhook_tenants.get(&ctx.db, &event.account_id).await?;
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
    let resource = (
        tenant.id.clone(),
        event.resource_type.clone(),
        event.resource_id.clone(),
    );
    let new = ctx
        .ingest
        .submit(IngestEvent {
            tenant_id: tenant.id.clone(),
            event_id: event.id,
            resource_type: event.resource_type,
            resource_id: event.resource_id,
            event: event.event,
        })
        .await
        .map_err(|e| Error::Internal(e.into()))?;
    if !new {
        outcome("duplicate");
        return Ok(Json(json!({"status": "duplicate"})));
    }
    outcome("accepted");
    tracing::debug!(tenant = %tenant.ats_account_id, "yardstik webhook accepted");
    ctx.inbox_pace.stored(&resource);
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
