//! Deletes processed Yardstik events once they are older than `SCREENING_INBOX_KEEP`.
//!
//! The inbox keeps every event it has settled so that a delivery Yardstik repeats (its
//! retries, a redelivery) is recognised by its id and answered `duplicate`. That history
//! would otherwise grow without end. An event older than the keep time is deleted if it is
//! done; pending events and failed ones (which operators replay) are never deleted. If
//! Yardstik delivers a deleted event again, it is stored and processed as a new one, which
//! is harmless: processing reads the resource's current state from Yardstik and applies
//! it, so a second run changes nothing.
//!
//! Every [`INTERVAL`] (the first run a minute after start), the job deletes in windows of
//! [`WINDOW`] rows with a pause of [`PAUSE`] between them, so the database's one SQLite
//! connection is never held for long; see `Db::prune_done_events` for how each backend
//! finds the rows. Several instances may run it at once: they delete the same rows, not
//! more.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::app::ApiContext;
use crate::db::{now_ms, Db};
use crate::metrics::Metrics;

/// The counter of events deleted.
pub const DELETED: &str = "screening_inbox_events_deleted_total";

/// Time between two runs.
pub const INTERVAL: Duration = Duration::from_secs(3600);
/// Time from start to the first run (start-up has other work).
pub const FIRST_RUN: Duration = Duration::from_secs(60);
/// Rows looked at per statement.
pub const WINDOW: i64 = 1000;
/// Pause between two windows.
pub const PAUSE: Duration = Duration::from_millis(20);

pub async fn run(ctx: ApiContext, shutdown: CancellationToken) {
    let keep = ctx.config.lifecycle.inbox_keep;
    let mut wait = FIRST_RUN;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        wait = INTERVAL;
        match prune(&ctx.db, &ctx.metrics, keep, &shutdown).await {
            Ok(0) => {}
            Ok(n) => {
                tracing::info!(
                    deleted = n,
                    "processed yardstik events past SCREENING_INBOX_KEEP deleted"
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot delete old processed yardstik events; tried again next hour")
            }
        }
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
        metrics.add(DELETED, &[], deleted);
        (after, total) = (next, total + deleted);
        if shutdown.is_cancelled() {
            break;
        }
        tokio::time::sleep(PAUSE).await;
    }
    Ok(total)
}
