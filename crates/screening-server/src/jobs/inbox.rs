//! The inbox job: stored Yardstik events leased by resource and applied to their orders
//! (see [`crate::orders::inbox`] for how one group is processed), up to
//! `SCREENING_INBOX_WORKERS` resources at once.

use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::leased::{self, LeasedWork};
use crate::orders::inbox::{Group, Inbox};

/// After a wake-up by a new event, how long to wait for the rest of its burst.
const CLAIM_GATHER: Duration = Duration::from_millis(3);

/// What the inbox job needs.
#[derive(Clone)]
pub struct InboxJob {
    pub inbox: Inbox,
    /// How often the inbox is polled (it is also woken on new events).
    pub poll_interval: Duration,
}

impl LeasedWork for InboxJob {
    type Item = Group;
    const NAME: &'static str = "inbox";

    async fn lease(&self, owner: &str, limit: usize) -> anyhow::Result<Vec<Group>> {
        self.inbox.claim(owner, limit).await
    }

    async fn run(&self, owner: &str, group: Group) {
        self.inbox.process(owner, group).await
    }

    async fn woken(&self) {
        self.inbox.pace.woken().await;
        // Events arrive in bursts: gather a moment's worth into one claim rather than
        // claim once per webhook.
        tokio::time::sleep(CLAIM_GATHER).await;
    }
}

pub async fn run(job: InboxJob, shutdown: CancellationToken) {
    let workers = job.inbox.lifecycle.inbox_workers.max(1);
    let poll = job.poll_interval;
    leased::run(job, workers, poll, shutdown).await
}
