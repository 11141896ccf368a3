//! Finishes placements nobody is finishing: a claim whose holder died or hung (its lease
//! ran out while `creating`), and a placement that failed transiently after its candidate
//! was created (Yardstik down, a timeout, the key refused), retried with the one retry
//! policy for a day. Without it, an ATS that never retries would leave an emailed
//! invitation orphaned and its order `pending` forever.
//!
//! Every instance runs it; taking a claim over is one fenced UPDATE, so only one instance
//! resumes a given order.

use tokio_util::sync::CancellationToken;

use crate::app::ApiContext;
use crate::orders::place::resume;

pub async fn run(ctx: ApiContext, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(ctx.config.lifecycle.resume_interval) => {}
        }
        let keys = match ctx.db.orders_to_resume(16).await {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(error = %e, "cannot list placements to resume");
                continue;
            }
        };
        for key in keys {
            if shutdown.is_cancelled() {
                return;
            }
            match resume(&ctx.orders, &key).await {
                Ok(true) => {
                    ctx.metrics.inc(
                        "screening_placements_resumed_total",
                        &[("outcome", "placed")],
                    );
                    tracing::info!(background_check_id = %key.background_check_id, "placement resumed and finished");
                }
                Ok(false) => {}
                Err(e) => {
                    ctx.metrics.inc(
                        "screening_placements_resumed_total",
                        &[("outcome", "failed")],
                    );
                    tracing::warn!(background_check_id = %key.background_check_id, error = %e.summary(), "resumed placement failed");
                }
            }
        }
    }
}
