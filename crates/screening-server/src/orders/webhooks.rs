//! Yardstik's signed event notifications, received.
//!
//! The tenant is found by `account_id`; the signature must be the hex HMAC-SHA256, under
//! that tenant's webhook signature key, of the raw body or of its compact re-serialisation
//! with key order kept (Yardstik's own sample signs `JSON.stringify(body)`), compared in
//! constant time. The signature is checked before anything is said about the account: an
//! unknown account and a wrong signature get the same answer after the same work, so the
//! endpoint cannot be used to probe which account ids exist. Events are de-duplicated on
//! their `id` and stored by the store's group-commit writer; [`WebhookIntake::receive`]
//! returns once the event's row is committed, and processing is asynchronous (see
//! [`super::inbox`]).

use std::sync::Arc;

use serde_json::Value;

use screening_metrics::{Metrics, WebhookOutcome};
use screening_model::crypto::{ct_eq, hmac_bytes};
use screening_store::ingest::{Ingest, IngestEvent};
use yardstik_client::safe_id;
use yardstik_client::types::WebhookEvent;

use super::inbox_pace::InboxPace;
use super::tenants::TenantDirectory;

/// Stands in for a key when the account is unknown (nothing can match it: the answer is
/// the same as for a wrong signature).
const UNKNOWN_ACCOUNT_KEY: &[u8] = b"no-such-account: the signature cannot match";

/// What became of a notification.
#[derive(Debug, PartialEq, Eq)]
pub enum Received {
    Accepted,
    /// Its `id` was stored before.
    Duplicate,
}

/// Why a notification was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("malformed webhook body")]
    Malformed,
    /// A wrong signature or an unknown account (told apart in metrics only).
    #[error("missing or invalid signature")]
    Unauthorized,
    #[error("resource_id or id is not a valid id")]
    BadId,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

#[derive(Clone)]
pub struct WebhookIntake {
    pub tenants: TenantDirectory,
    pub ingest: Ingest,
    pub pace: Arc<InboxPace>,
    pub metrics: Metrics,
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

impl WebhookIntake {
    fn outcome(&self, o: WebhookOutcome) {
        self.metrics.yardstik_webhooks.inc(o);
    }

    /// Verify and store one notification (`signature`: the header's value, or empty).
    pub async fn receive(&self, body: &[u8], signature: &str) -> Result<Received, Refused> {
        let event: WebhookEvent = match serde_json::from_slice(body) {
            Ok(e) => e,
            Err(_) => {
                self.outcome(WebhookOutcome::Malformed);
                return Err(Refused::Malformed);
            }
        };
        let tenant = self
            .tenants
            .by_yardstik_account(&event.account_id)
            .await
            .map_err(|e| Refused::Internal(e.into()))?;
        let key = tenant
            .as_ref()
            .map(|t| t.credentials.webhook_signature.expose().as_bytes().to_vec())
            .unwrap_or_else(|| UNKNOWN_ACCOUNT_KEY.to_vec());
        let verified = signature_ok(&key, body, signature);
        let known = tenant.is_some();
        let Some(tenant) = tenant.filter(|_| verified) else {
            self.outcome(if known {
                WebhookOutcome::BadSignature
            } else {
                WebhookOutcome::UnknownAccount
            });
            tracing::warn!(
                "yardstik webhook with an unknown account or a wrong signature rejected"
            );
            return Err(Refused::Unauthorized);
        };
        if !safe_id(&event.resource_id) || event.id.is_empty() || event.id.len() > 128 {
            self.outcome(WebhookOutcome::Malformed);
            return Err(Refused::BadId);
        }
        let resource = (
            tenant.id.clone(),
            event.resource_type.clone(),
            event.resource_id.clone(),
        );
        let new = self
            .ingest
            .submit(IngestEvent {
                tenant_id: tenant.id.clone(),
                event_id: event.id,
                resource_type: event.resource_type,
                resource_id: event.resource_id,
                event: event.event,
            })
            .await
            .map_err(|e| Refused::Internal(e.into()))?;
        if !new {
            self.outcome(WebhookOutcome::Duplicate);
            return Ok(Received::Duplicate);
        }
        self.outcome(WebhookOutcome::Accepted);
        tracing::debug!(tenant = %tenant.ats_account_id, "yardstik webhook accepted");
        self.pace.stored(&resource);
        Ok(Received::Accepted)
    }
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
