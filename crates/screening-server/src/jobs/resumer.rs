//! Finishes placements nobody is finishing: a claim whose holder died or hung (its lease
//! ran out while `creating`), and a placement that failed transiently after its candidate
//! was created (Yardstik down, a timeout, the key refused), retried with the one retry
//! policy for a day. Without it, an ATS that never retries would leave an emailed
//! invitation orphaned and its order `pending` forever.
//!
//! Every instance runs it; taking a claim over is one fenced UPDATE, so only one instance
//! resumes a given order.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::orders::place::resume_due;
use crate::orders::Orders;

/// What the resumer needs.
#[derive(Clone)]
pub struct ResumeJob {
    pub orders: Orders,
    pub interval: Duration,
}

pub async fn run(job: ResumeJob, shutdown: CancellationToken) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(job.interval) => {}
        }
        resume_due(&job.orders, &shutdown).await;
    }
}
