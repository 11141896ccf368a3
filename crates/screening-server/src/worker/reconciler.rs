//! The reconciliation job: every `SCREENING_RECONCILE_INTERVAL`, each placed order that may
//! still change (not final, or complete with `Consider`, which an adverse action may turn
//! into `Fail` or a proceed into `Pass`) and has not been synced with Yardstik for
//! `SCREENING_RECONCILE_AFTER` is re-read from Yardstik and updated. A missed webhook, one
//! the inbox gave up on, or an outage of any length therefore only delays a result.
//!
//! Orders are claimed by bumping their sync time in one UPDATE (`SKIP LOCKED` on
//! PostgreSQL), so instances share the work without reading the same order twice a round.

use tokio_util::sync::CancellationToken;

use crate::app::ApiContext;
use crate::db::now_ms;
use crate::orders::reconcile::reconcile_order;

/// Orders re-read per batch.
const BATCH: i64 = 50;

pub async fn run(ctx: ApiContext, shutdown: CancellationToken) {
    let l = &ctx.config.lifecycle;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(l.reconcile_interval) => {}
        }
        loop {
            let cutoff = now_ms() - l.reconcile_after.as_millis() as i64;
            let keys = match ctx.db.claim_for_reconcile(cutoff, BATCH).await {
                Ok(k) => k,
                Err(e) => {
                    tracing::error!(error = %e, "cannot claim orders to reconcile");
                    break;
                }
            };
            let full = keys.len() as i64 == BATCH;
            for key in keys {
                if shutdown.is_cancelled() {
                    return;
                }
                match reconcile_order(&ctx.orders, &key).await {
                    Ok(changed) => {
                        let outcome = if changed { "changed" } else { "unchanged" };
                        ctx.metrics
                            .inc("screening_reconciled_orders_total", &[("outcome", outcome)]);
                        if changed {
                            tracing::info!(background_check_id = %key.background_check_id, "reconciliation found a change");
                        }
                    }
                    Err(e) => {
                        ctx.metrics.inc(
                            "screening_reconciled_orders_total",
                            &[("outcome", "failed")],
                        );
                        tracing::warn!(background_check_id = %key.background_check_id, error = %e.summary(), "reconciliation failed; tried again once SCREENING_RECONCILE_AFTER has passed");
                    }
                }
            }
            if !full {
                break;
            }
        }
    }
}
