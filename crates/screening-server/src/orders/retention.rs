//! Processed Yardstik events deleted once they are older than the keep time.
//!
//! The inbox keeps every event it has settled so that a delivery Yardstik repeats (its
//! retries, a redelivery) is recognised by its id and answered `duplicate`. That history
//! would otherwise grow without end. An event older than the keep time is deleted if it is
//! done; pending events and failed ones (which operators replay) are never deleted. If
//! Yardstik delivers a deleted event again, it is stored and processed as a new one, which
//! is harmless: processing reads the resource's current state from Yardstik and applies
//! it, so a second run changes nothing.
//!
//! A run deletes in windows of [`WINDOW`] rows with a pause of [`PAUSE`] between them, so
//! the database's one SQLite connection is never held for long; see
//! `Db::prune_done_events` for how each backend finds the rows. Several instances may run
//! it at once: they delete the same rows, not more.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use screening_metrics::Metrics;
use screening_store::{now_ms, Db};

/// Rows looked at per statement.
pub const WINDOW: i64 = 1000;
/// Pause between two windows.
pub const PAUSE: Duration = Duration::from_millis(20);

/// What deleting old events needs.
#[derive(Clone)]
pub struct Retention {
    pub db: Db,
    pub metrics: Metrics,
    /// How long a processed event is kept.
    pub keep: Duration,
}

impl Retention {
    /// One run (see [`prune`]).
    pub async fn run_once(&self, shutdown: &CancellationToken) -> anyhow::Result<u64> {
        Ok(prune(&self.db, &self.metrics, self.keep, shutdown).await?)
    }
}

/// One run: deletes every done event received more than `keep` ago; returns how many.
/// Each window's deletions are counted in `screening_inbox_events_deleted_total` as they
/// commit, so a run cut short by an error still counts what it deleted.
pub async fn prune(
    db: &Db,
    metrics: &Metrics,
    keep: Duration,
    shutdown: &CancellationToken,
) -> sqlx::Result<u64> {
    let cut = now_ms() - keep.as_millis() as i64;
    let (mut after, mut total) = (0, 0);
    while let Some((next, deleted)) = db.prune_done_events(cut, after, WINDOW).await? {
        metrics.inbox_events_deleted.inc_by(deleted);
        (after, total) = (next, total + deleted);
        if shutdown.is_cancelled() {
            break;
        }
        tokio::time::sleep(PAUSE).await;
    }
    Ok(total)
}
