//! Registration of this server's `/webhooks/yardstik` URL with Yardstik for every tenant:
//! `GET /webhook_types`, then `POST /accounts/{id}/webhooks` for each type not registered
//! yet. Which are registered is read from `GET /accounts/{id}/webhooks` where Yardstik
//! serves it; that list is not in Yardstik's reference, so when it is refused (any 4xx) every
//! wanted type is created, and an answer saying the subscription already exists (409, or a
//! 403 or 422 whose text says so) counts as done. Runs at startup, then every couple of seconds for
//! tenants not yet registered (new tenants, or Yardstik down), with exponential backoff per
//! tenant; a registered tenant is checked again every `subscription_check_interval`, so a
//! subscription deleted at Yardstik is created again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use super::tenants::TenantDirectory;
use super::Orders;
use screening_model::retry::{Budget, RetryPolicy};
use screening_model::tenant::Tenant;
use yardstik_client::YardstikError;

/// The event types the server maps to order updates.
pub const WANTED: [&str; 5] = [
    "invitation.created",
    "invitation.updated",
    "report.created",
    "report.updated",
    "report.completed",
];

/// Registration retries per tenant: 2 s doubling up to about 8½ minutes, for as long as
/// the server runs.
fn registration_policy() -> RetryPolicy {
    RetryPolicy::exponential(
        Duration::from_secs(2),
        Duration::from_secs(512),
        Budget::Unlimited,
    )
    .with_jitter(0.1)
}

pub fn callback_url(orders: &Orders) -> String {
    format!("{}/webhooks/yardstik", orders.settings.public_url)
}

/// Register the missing subscriptions of one tenant. Returns how many were created.
pub async fn register(ctx: &Orders, tenant: &Tenant) -> Result<usize, YardstikError> {
    let creds = &tenant.credentials;
    let url = callback_url(ctx);
    let types = ctx.yardstik.webhook_types(creds).await?;
    let existing = match ctx.yardstik.webhooks(creds).await {
        Ok(list) => Some(list),
        // Not served (or not allowed): create without knowing what exists.
        Err(e @ YardstikError::Rejected { .. }) => {
            tracing::debug!(tenant = %tenant.ats_account_id, error = %e.summary(), "yardstik webhook list not served; registering every type");
            None
        }
        Err(e) => return Err(e),
    };
    let mut created = 0;
    for name in WANTED {
        let Some(t) = types.iter().find(|t| t.system_name == name) else {
            continue;
        };
        let known = existing.as_ref().is_some_and(|list| {
            list.iter()
                .any(|w| w.url == url && w.type_name().as_deref() == Some(name))
        });
        if known {
            continue;
        }
        match ctx.yardstik.create_webhook(creds, &t.id, &url).await {
            Ok((_, true)) => created += 1,
            Ok((_, false)) => {}
            Err(e) if already_exists(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(created)
}

/// Yardstik refused a subscription because it exists already: a 409, or a 403 or 422 saying
/// so (the reference's 403 covers "creating a duplicate record where one already exists").
fn already_exists(e: &YardstikError) -> bool {
    match e {
        YardstikError::Rejected { status: 409, .. } => true,
        YardstikError::Rejected {
            status: 403 | 422,
            title,
            detail,
        } => {
            let text = format!("{title} {detail}").to_ascii_lowercase();
            ["already", "exists", "taken", "duplicate"]
                .iter()
                .any(|w| text.contains(w))
        }
        _ => false,
    }
}

/// Which tenants are registered, and when the others are tried again.
#[derive(Default)]
pub struct Registrations {
    /// tenant id → fingerprint of the account and key registered, and when (the domain's
    /// clock, ms)
    done: HashMap<String, (String, i64)>,
    /// tenant id → next attempt and failures so far
    retry: HashMap<String, (Instant, u32)>,
}

/// One pass over every tenant: registers those not registered yet (or whose account or
/// key changed) and due for an attempt.
pub async fn register_round(
    ctx: &Orders,
    tenants: &TenantDirectory,
    state: &mut Registrations,
    shutdown: &CancellationToken,
) {
    let Registrations { done, retry } = state;
    match tenants.list().await {
        Ok(tenants) => {
            for t in tenants {
                let fp = screening_model::crypto::sha256_hex(
                    format!(
                        "{}|{}",
                        t.credentials.yardstik_account_id,
                        t.credentials.yardstik_api_key.expose()
                    )
                    .as_bytes(),
                );
                let every = ctx.settings.subscription_check_interval;
                let now = ctx.clock.now_ms();
                if let Some((registered, at)) = done.get(&t.id) {
                    let due = !every.is_zero() && now >= at + every.as_millis() as i64;
                    if *registered == fp && !due {
                        continue;
                    }
                }
                if retry.get(&t.id).is_some_and(|(at, _)| Instant::now() < *at) {
                    continue;
                }
                match register(ctx, &t).await {
                    Ok(n) => {
                        if n > 0 || !done.contains_key(&t.id) {
                            tracing::info!(tenant = %t.ats_account_id, created = n, "yardstik webhooks registered");
                        }
                        done.insert(t.id.clone(), (fp, now));
                        retry.remove(&t.id);
                    }
                    Err(e) => {
                        let fails = retry.get(&t.id).map(|r| r.1 + 1).unwrap_or(1);
                        let wait = registration_policy()
                            .next_delay(fails, Duration::ZERO)
                            .unwrap_or(Duration::from_secs(512));
                        tracing::warn!(tenant = %t.ats_account_id, error = %e.summary(), retry_in_s = wait.as_secs(), "yardstik webhook registration failed");
                        retry.insert(t.id.clone(), (Instant::now() + wait, fails));
                    }
                }
                if shutdown.is_cancelled() {
                    return;
                }
            }
        }
        Err(e) => tracing::error!(error = %e, "cannot list tenants for webhook registration"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejected(status: u16, title: &str, detail: &str) -> YardstikError {
        YardstikError::Rejected {
            status,
            title: title.into(),
            detail: detail.into(),
        }
    }

    #[test]
    fn already_exists_is_409_or_a_422_saying_so() {
        assert!(already_exists(&rejected(409, "Conflict", "")));
        assert!(already_exists(&rejected(
            422,
            "Webhook not created",
            "Url has already been taken"
        )));
        assert!(already_exists(&rejected(422, "Webhook already exists", "")));
        assert!(!already_exists(&rejected(
            422,
            "Webhook not created",
            "Url is invalid"
        )));
        assert!(already_exists(&rejected(
            403,
            "Forbidden",
            "A duplicate record already exists"
        )));
        assert!(!already_exists(&rejected(403, "Forbidden", "Not allowed")));
        assert!(!already_exists(&rejected(404, "Not Found", "already")));
        assert!(!already_exists(&YardstikError::Unavailable(
            "already".into()
        )));
    }
}
