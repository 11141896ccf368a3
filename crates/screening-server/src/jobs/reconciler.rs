//! The reconciliation job: every `SCREENING_RECONCILE_INTERVAL`, each placed order that may
//! still change (not final, or complete with `Consider`, which an adverse action may turn
//! into `Fail` or a proceed into `Pass`) and has not been synced with Yardstik for
//! `SCREENING_RECONCILE_AFTER` is re-read from Yardstik and updated (see
//! [`crate::orders::reconcile::reconcile_due`]). A missed webhook, one the inbox gave up
//! on, or an outage of any length therefore only delays a result.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::orders::reconcile::reconcile_due;
use crate::orders::Orders;

/// What the reconciliation job needs.
#[derive(Clone)]
pub struct ReconcileJob {
    pub orders: Orders,
    pub interval: Duration,
    pub after: Duration,
}

pub async fn run(job: ReconcileJob, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(job.interval) => {}
        }
        reconcile_due(&job.orders, job.after, &shutdown).await;
    }
}
