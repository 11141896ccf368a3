//! The retention job: every [`INTERVAL`] (the first run a minute after start), processed
//! Yardstik events older than `SCREENING_INBOX_KEEP` are deleted (see
//! [`crate::orders::retention`]).

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use crate::orders::retention::Retention;

/// Time between two runs.
pub const INTERVAL: Duration = Duration::from_secs(3600);
/// Time from start to the first run (start-up has other work).
pub const FIRST_RUN: Duration = Duration::from_secs(60);

pub async fn run(retention: Retention, shutdown: CancellationToken) {
    let mut wait = FIRST_RUN;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(wait) => {}
        }
        wait = INTERVAL;
        match retention.run_once(&shutdown).await {
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
