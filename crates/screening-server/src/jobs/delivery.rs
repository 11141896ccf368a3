//! The delivery job: result webhooks leased from the outbox and POSTed to the ATS (see
//! [`crate::orders::delivery`] for the rules of one attempt), `SCREENING_DELIVERY_WORKERS`
//! at a time. On shutdown no new rows are leased and attempts in flight finish.

use tokio_util::sync::CancellationToken;

use super::leased::{self, LeasedWork};
use crate::orders::delivery::{Deliveries, Delivery};

/// What the delivery job needs.
#[derive(Clone)]
pub struct DeliveryJob {
    pub deliveries: Deliveries,
}

impl LeasedWork for DeliveryJob {
    type Item = Delivery;
    const NAME: &'static str = "delivery";

    async fn lease(&self, owner: &str, limit: usize) -> anyhow::Result<Vec<Delivery>> {
        self.deliveries.claim(owner, limit).await
    }

    async fn run(&self, owner: &str, item: Delivery) {
        self.deliveries.attempt(owner, item).await
    }

    async fn woken(&self) {
        self.deliveries.wake.notified().await
    }
}

pub async fn run(job: DeliveryJob, shutdown: CancellationToken) {
    let config = &job.deliveries.config;
    let (workers, poll) = (config.workers, config.poll_interval);
    if workers == 0 {
        tracing::info!("delivery worker disabled (SCREENING_DELIVERY_WORKERS=0)");
        return;
    }
    leased::run(job, workers, poll, shutdown).await
}
