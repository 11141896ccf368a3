//! The subscription job: this server's webhook URL registered with Yardstik for every
//! tenant at startup, then every couple of seconds for tenants not yet registered (new
//! tenants, or Yardstik down), with backoff per tenant, and each registered tenant checked
//! again every `subscription_check_interval` (see [`crate::orders::subscriptions`]).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::orders::subscriptions::{register_round, Registrations};
use crate::orders::tenants::TenantDirectory;
use crate::orders::Orders;

/// What the subscription job needs.
#[derive(Clone)]
pub struct SubscriptionJob {
    pub orders: Orders,
    pub tenants: TenantDirectory,
}

pub async fn run(job: SubscriptionJob, shutdown: CancellationToken) {
    let mut state = Registrations::default();
    loop {
        register_round(&job.orders, &job.tenants, &mut state, &shutdown).await;
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}
