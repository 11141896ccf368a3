//! Result webhooks delivered to the ATS from the outbox (the delivery job leases them and
//! runs [`Deliveries::attempt`]).
//!
//! Only 2xx counts as delivered; redirects are not followed; each attempt has a timeout.
//! Retries follow `SCREENING_DELIVERY_SCHEDULE` (Svix's 5s, 5m, 30m, 2h, 5h, 10h, 10h by
//! default) with ±20% jitter; after a timeout or 429 the delay is at least
//! `SCREENING_DELIVERY_THROTTLE_FLOOR`; a `Retry-After` (seconds or HTTP date) is honoured up
//! to `SCREENING_DELIVERY_RETRY_AFTER_MAX`. When the schedule is exhausted the delivery is
//! dead-lettered (`screening-server deliveries dead|redeliver`). The target is re-checked
//! against the SSRF rules at every attempt and the connection goes to the checked address.
//!
//! Order: one order's deliveries go out one at a time, oldest first, and a newer state
//! supersedes older undelivered ones (see `db::outbox`), so the ATS ends with the order's
//! newest state. Each delivery carries `Webhook-Id` (stable across its retries),
//! `Screening-Sequence` (per order, increasing) and `Screening-State-At`, in headers, so
//! the four-field body of the ATS contract stays as it is. A tenant with a signing secret
//! (`screening-server tenant signing-secret`) also gets `Webhook-Signature` as Standard
//! Webhooks defines it (`result_signature`), one signature per secret during a rotation;
//! a tenant without one gets no signature and nothing else changes.

use std::time::Duration;

use reqwest::header::RETRY_AFTER;
use std::sync::Arc;

use tokio::sync::Notify;

use super::tenants::TenantDirectory;
use crate::config::DeliveryConfig;
use crate::ssrf;
use screening_metrics::{DeliveryOutcome, Metrics};
use screening_model::result_signature::signature_header;
use screening_model::retry::{parse_retry_after, RetryPolicy};
use screening_model::Clock;
use screening_store::now_ms;
use screening_store::outbox::{Attempt, OutboxRow};
use screening_store::Db;

/// The order's delivery sequence: larger is newer. An ATS that may see deliveries out of
/// order (its own queue, a redelivery) keeps the one with the largest sequence.
pub const SEQUENCE_HEADER: &str = "Screening-Sequence";
/// When the order reached the state the body reports (RFC 3339).
pub const STATE_AT_HEADER: &str = "Screening-State-At";

/// What delivering needs.
#[derive(Clone)]
pub struct Deliveries {
    pub db: Db,
    pub tenants: TenantDirectory,
    pub metrics: Metrics,
    pub config: DeliveryConfig,
    /// Woken when an outbox row was committed.
    pub wake: Arc<Notify>,
    /// The time, for a `Retry-After` given as a date.
    pub clock: Clock,
}

/// One leased delivery.
pub type Delivery = OutboxRow;

impl Deliveries {
    /// Lease up to `limit` due deliveries to `owner` (for twice an attempt's timeout and
    /// a margin).
    pub async fn claim(&self, owner: &str, limit: usize) -> anyhow::Result<Vec<OutboxRow>> {
        let lease = now_ms() + (self.config.timeout.as_millis() as i64) * 2 + 30_000;
        Ok(self.db.claim_deliveries(owner, lease, limit as i64).await?)
    }

    /// One attempt of a leased delivery, and its outcome recorded.
    pub async fn attempt(&self, owner: &str, row: OutboxRow) {
        attempt(self, owner, row).await
    }
}

enum Failure {
    Status(u16, Option<Duration>),
    Timeout,
    Transport,
    Refused(String),
}

async fn attempt(ctx: &Deliveries, owner: &str, row: OutboxRow) {
    let outcome = send(ctx, &row).await;
    let cfg = &ctx.config;
    let record = match outcome {
        Ok(status) => {
            ctx.metrics.deliveries.inc(DeliveryOutcome::Delivered);
            tracing::info!(delivery = %row.id, background_check_id = %row.background_check_id, status, "result webhook delivered");
            Attempt::Delivered {
                status: i64::from(status),
            }
        }
        Err(Failure::Refused(why)) => {
            ctx.metrics.deliveries.inc(DeliveryOutcome::Refused);
            tracing::warn!(delivery = %row.id, reason = %why, "result webhook target refused; dead-lettered");
            ctx.db
                .record_attempt(
                    &row.id,
                    owner,
                    Attempt::Dead {
                        status: None,
                        error: why,
                    },
                )
                .await
                .ok();
            return;
        }
        Err(f) => {
            let (status, error, throttled, retry_after) = match &f {
                Failure::Status(s, ra) => (
                    Some(i64::from(*s)),
                    format!("receiver answered {s}"),
                    *s == 429,
                    *ra,
                ),
                Failure::Timeout => (None, "timeout".to_string(), true, None),
                Failure::Transport => (None, "connection failed".to_string(), false, None),
                Failure::Refused(_) => unreachable!(),
            };
            let done = row.attempts as u32 + 1;
            let policy = RetryPolicy::schedule(cfg.schedule.clone()).with_jitter(cfg.jitter);
            let Some(mut delay) = policy.next_delay(done, Duration::ZERO) else {
                ctx.metrics.deliveries.inc(DeliveryOutcome::Dead);
                tracing::warn!(delivery = %row.id, background_check_id = %row.background_check_id, attempts = done, %error, "result webhook dead-lettered");
                ctx.db
                    .record_attempt(&row.id, owner, Attempt::Dead { status, error })
                    .await
                    .ok();
                return;
            };
            if throttled {
                delay = delay.max(cfg.throttle_floor);
            }
            if let Some(ra) = retry_after {
                delay = delay.max(ra.min(cfg.retry_after_max));
            }
            ctx.metrics.deliveries.inc(DeliveryOutcome::Retry);
            tracing::info!(delivery = %row.id, background_check_id = %row.background_check_id, attempt = done, %error, retry_in_ms = delay.as_millis() as u64, "result webhook failed; will retry");
            Attempt::Retry {
                at: now_ms() + delay.as_millis() as i64,
                status,
                error,
            }
        }
    };
    if let Err(e) = ctx.db.record_attempt(&row.id, owner, record).await {
        tracing::error!(delivery = %row.id, error = %e, "cannot record delivery attempt");
    }
}

async fn send(ctx: &Deliveries, row: &OutboxRow) -> Result<u16, Failure> {
    let tenant = match ctx.tenants.by_id(&row.tenant_id).await {
        Ok(Some(t)) => t,
        Ok(None) => return Err(Failure::Refused("tenant removed".into())),
        Err(_) => return Err(Failure::Transport),
    };
    let target = match ssrf::check(&row.url, &tenant.settings).await {
        Ok(t) => t,
        Err(ssrf::SsrfError::Unresolvable(_)) => return Err(Failure::Transport),
        Err(e) => return Err(Failure::Refused(e.to_string())),
    };
    let mut builder = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(ctx.config.timeout)
        .connect_timeout(ctx.config.timeout)
        .no_proxy()
        .user_agent(concat!("screening-server/", env!("CARGO_PKG_VERSION")));
    if target.host.parse::<std::net::IpAddr>().is_err() {
        builder = builder.resolve_to_addrs(&target.host, &target.addrs);
    }
    let client = builder.build().map_err(|_| Failure::Transport)?;
    let timestamp = now_ms() / 1000;
    let secrets = ctx
        .db
        .signing_secrets(&row.tenant_id)
        .await
        .map_err(|_| Failure::Transport)?;
    let mut req = client
        .post(target.url)
        .header("Content-Type", "application/json")
        .header("Webhook-Id", &row.id)
        .header("Webhook-Timestamp", timestamp.to_string());
    if let Some(sig) = signature_header(&secrets, &row.id, timestamp, row.payload.as_bytes()) {
        req = req.header("Webhook-Signature", sig);
    }
    let res = req
        .header(SEQUENCE_HEADER, row.seq.to_string())
        .header(
            STATE_AT_HEADER,
            screening_store::ms_to_rfc3339(row.state_at),
        )
        .body(row.payload.clone())
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => Ok(r.status().as_u16()),
        Ok(r) => Err(Failure::Status(
            r.status().as_u16(),
            r.headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| parse_retry_after(v, ctx.clock.now_secs())),
        )),
        Err(e) if e.is_timeout() => Err(Failure::Timeout),
        Err(_) => Err(Failure::Transport),
    }
}
