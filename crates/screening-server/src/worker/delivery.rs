//! The outbox worker: POSTs result webhooks to the ATS.
//!
//! Only 2xx counts as delivered; redirects are not followed; each attempt has a timeout.
//! Retries follow `SCREENING_DELIVERY_SCHEDULE` (Svix's 5s, 5m, 30m, 2h, 5h, 10h, 10h by
//! default) with ±20% jitter; after a timeout or 429 the delay is at least
//! `SCREENING_DELIVERY_THROTTLE_FLOOR`; a `Retry-After` (seconds or HTTP date) is honoured up
//! to `SCREENING_DELIVERY_RETRY_AFTER_MAX`. When the schedule is exhausted the delivery is
//! dead-lettered (`screening-server deliveries dead|redeliver`). The target is re-checked
//! against the SSRF rules at every attempt and the connection goes to the checked address.
//! On shutdown no new rows are claimed and in-flight attempts finish.
//!
//! Order: one order's deliveries go out one at a time, oldest first, and a newer state
//! supersedes older undelivered ones (see `db::outbox`), so the ATS ends with the order's
//! newest state. Each delivery carries `Webhook-Id` (stable across its retries),
//! `Screening-Sequence` (per order, increasing) and `Screening-State-At`, in headers, so
//! the four-field body of the ATS contract stays as it is.

use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::app::ApiContext;
use crate::db::now_ms;
use crate::db::outbox::{Attempt, OutboxRow};
use crate::retry::RetryPolicy;
use crate::ssrf;

/// The order's delivery sequence: larger is newer. An ATS that may see deliveries out of
/// order (its own queue, a redelivery) keeps the one with the largest sequence.
pub const SEQUENCE_HEADER: &str = "Screening-Sequence";
/// When the order reached the state the body reports (RFC 3339).
pub const STATE_AT_HEADER: &str = "Screening-State-At";

pub async fn run(ctx: ApiContext, shutdown: CancellationToken) {
    let workers = ctx.config.delivery.workers;
    if workers == 0 {
        tracing::info!("delivery worker disabled (SCREENING_DELIVERY_WORKERS=0)");
        return;
    }
    let owner = uuid::Uuid::new_v4().to_string();
    let mut inflight: JoinSet<()> = JoinSet::new();
    loop {
        while inflight.try_join_next().is_some() {}
        let free = workers.saturating_sub(inflight.len());
        let mut claimed = 0;
        if free > 0 && !shutdown.is_cancelled() {
            let lease = now_ms() + (ctx.config.delivery.timeout.as_millis() as i64) * 2 + 30_000;
            match ctx.db.claim_deliveries(&owner, lease, free as i64).await {
                Ok(rows) => {
                    claimed = rows.len();
                    for row in rows {
                        let (ctx, owner) = (ctx.clone(), owner.clone());
                        inflight.spawn(async move { attempt(&ctx, &owner, row).await });
                    }
                }
                Err(e) => tracing::error!(error = %e, "cannot claim deliveries"),
            }
        }
        if shutdown.is_cancelled() {
            break;
        }
        if claimed == 0 || inflight.len() >= workers {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = ctx.outbox_wake.notified() => {}
                Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
                _ = tokio::time::sleep(ctx.config.delivery.poll_interval) => {}
            }
        }
    }
    // Graceful shutdown: finish what is in flight (each attempt is bounded by its timeout).
    while inflight.join_next().await.is_some() {}
}

/// Seconds or an HTTP date.
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = at.timestamp() - chrono::Utc::now().timestamp();
    Some(Duration::from_secs(delta.max(0) as u64))
}

enum Failure {
    Status(u16, Option<Duration>),
    Timeout,
    Transport,
    Refused(String),
}

async fn attempt(ctx: &ApiContext, owner: &str, row: OutboxRow) {
    let outcome = send(ctx, &row).await;
    let cfg = &ctx.config.delivery;
    let record = match outcome {
        Ok(status) => {
            ctx.metrics
                .inc("screening_deliveries_total", &[("outcome", "delivered")]);
            tracing::info!(delivery = %row.id, background_check_id = %row.background_check_id, status, "result webhook delivered");
            Attempt::Delivered {
                status: i64::from(status),
            }
        }
        Err(Failure::Refused(why)) => {
            ctx.metrics
                .inc("screening_deliveries_total", &[("outcome", "refused")]);
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
                ctx.metrics
                    .inc("screening_deliveries_total", &[("outcome", "dead")]);
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
            ctx.metrics
                .inc("screening_deliveries_total", &[("outcome", "retry")]);
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

async fn send(ctx: &ApiContext, row: &OutboxRow) -> Result<u16, Failure> {
    let tenant = match ctx.db.tenant_by_id(&row.tenant_id).await {
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
        .timeout(ctx.config.delivery.timeout)
        .connect_timeout(ctx.config.delivery.timeout)
        .no_proxy()
        .user_agent(concat!("screening-server/", env!("CARGO_PKG_VERSION")));
    if target.host.parse::<std::net::IpAddr>().is_err() {
        builder = builder.resolve_to_addrs(&target.host, &target.addrs);
    }
    let client = builder.build().map_err(|_| Failure::Transport)?;
    let res = client
        .post(target.url)
        .header("Content-Type", "application/json")
        .header("Webhook-Id", &row.id)
        .header("Webhook-Timestamp", (now_ms() / 1000).to_string())
        .header(SEQUENCE_HEADER, row.seq.to_string())
        .header(STATE_AT_HEADER, crate::db::ms_to_rfc3339(row.state_at))
        .body(row.payload.clone())
        .send()
        .await;
    match res {
        Ok(r) if r.status().is_success() => Ok(r.status().as_u16()),
        Ok(r) => Err(Failure::Status(
            r.status().as_u16(),
            parse_retry_after(r.headers()),
        )),
        Err(e) if e.is_timeout() => Err(Failure::Timeout),
        Err(_) => Err(Failure::Transport),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(parse_retry_after(&h), Some(Duration::from_secs(120)));
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        h.insert(RETRY_AFTER, later.parse().unwrap());
        let d = parse_retry_after(&h).unwrap();
        assert!(d.as_secs() >= 85 && d.as_secs() <= 90, "{d:?}");
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(parse_retry_after(&h), None);
    }
}
