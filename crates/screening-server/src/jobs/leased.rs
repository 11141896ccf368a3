//! The loop the delivery and inbox jobs share: lease work, run up to `workers` items at
//! once, and sleep until woken, until an item finishes, or for the poll interval.
//!
//! Leasing is the work's own business (a fenced claim in the database with a lease time);
//! this loop only keeps the number of items in flight at `workers` and stops cleanly: on
//! shutdown nothing new is leased and every item in flight finishes (each is bounded by
//! its own timeouts).

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Work done in leased items.
pub trait LeasedWork: Clone + Send + Sync + 'static {
    type Item: Send + 'static;
    /// For logs.
    const NAME: &'static str;
    /// Lease up to `limit` items to `owner`.
    fn lease(
        &self,
        owner: &str,
        limit: usize,
    ) -> impl Future<Output = anyhow::Result<Vec<Self::Item>>> + Send;
    /// Do one leased item.
    fn run(&self, owner: &str, item: Self::Item) -> impl Future<Output = ()> + Send;
    /// Resolves when new work may be there (and its burst gathered).
    fn woken(&self) -> impl Future<Output = ()> + Send;
}

/// Run `work` with at most `workers` items in flight until `shutdown`.
pub async fn run<W: LeasedWork>(
    work: W,
    workers: usize,
    poll_interval: Duration,
    shutdown: CancellationToken,
) {
    let owner = uuid::Uuid::new_v4().to_string();
    let mut inflight: JoinSet<()> = JoinSet::new();
    loop {
        while inflight.try_join_next().is_some() {}
        let free = workers.saturating_sub(inflight.len());
        let mut leased = 0;
        if free > 0 && !shutdown.is_cancelled() {
            match work.lease(&owner, free).await {
                Ok(items) => {
                    leased = items.len();
                    for item in items {
                        let (work, owner) = (work.clone(), owner.clone());
                        inflight.spawn(async move { work.run(&owner, item).await });
                    }
                }
                Err(e) => tracing::error!(job = W::NAME, error = %e, "cannot lease work"),
            }
        }
        if shutdown.is_cancelled() {
            break;
        }
        if leased == 0 || inflight.len() >= workers {
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = work.woken() => {}
                Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
                _ = tokio::time::sleep(poll_interval) => {}
            }
        }
    }
    while inflight.join_next().await.is_some() {}
}
