//! Registers this server's `/webhooks/yardstik` URL with Yardstik for every tenant:
//! `GET /webhook_types`, `GET /accounts/{id}/webhooks`, then `POST` the missing ones.
//! Idempotent (an existing subscription with the same type and URL is kept). Runs at
//! startup and then every minute for tenants not yet registered (new tenants, or Yardstik
//! down), with exponential backoff per tenant.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio_util::sync::CancellationToken;

use crate::app::ApiContext;
use crate::retry::{Budget, RetryPolicy};
use crate::tenant::Tenant;
use crate::yardstik::YardstikError;

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

pub fn callback_url(ctx: &ApiContext) -> String {
    format!("{}/webhooks/yardstik", ctx.public_url)
}

/// Register the missing subscriptions of one tenant. Returns how many were created.
pub async fn register(ctx: &ApiContext, tenant: &Tenant) -> Result<usize, YardstikError> {
    let creds = &tenant.credentials;
    let url = callback_url(ctx);
    let types = ctx.yardstik.webhook_types(creds).await?;
    let existing = ctx.yardstik.webhooks(creds).await?;
    let mut created = 0;
    for name in WANTED {
        let Some(t) = types.iter().find(|t| t.system_name == name) else {
            continue;
        };
        if existing
            .iter()
            .any(|w| w.url == url && w.type_name().as_deref() == Some(name))
        {
            continue;
        }
        ctx.yardstik.create_webhook(creds, &t.id, &url).await?;
        created += 1;
    }
    Ok(created)
}

pub async fn run(ctx: ApiContext, shutdown: CancellationToken) {
    // tenant id → (settings fingerprint registered, or next retry time and failures)
    let mut done: HashMap<String, String> = HashMap::new();
    let mut retry: HashMap<String, (Instant, u32)> = HashMap::new();
    loop {
        match ctx.db.list_tenants().await {
            Ok(tenants) => {
                for t in tenants {
                    let fp = crate::crypto::sha256_hex(
                        format!(
                            "{}|{}",
                            t.credentials.yardstik_account_id,
                            t.credentials.yardstik_api_key.expose()
                        )
                        .as_bytes(),
                    );
                    if done.get(&t.id) == Some(&fp) {
                        continue;
                    }
                    if retry.get(&t.id).is_some_and(|(at, _)| Instant::now() < *at) {
                        continue;
                    }
                    match register(&ctx, &t).await {
                        Ok(n) => {
                            tracing::info!(tenant = %t.ats_account_id, created = n, "yardstik webhooks registered");
                            done.insert(t.id.clone(), fp);
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
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}
