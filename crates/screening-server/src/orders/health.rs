//! What the ops routes report: is the database reachable, and how deep are the queues.
//!
//! Readiness is answered within [`READY_TIMEOUT`]: a load balancer's probe must learn that
//! the database is gone before its own timeout, not after the pool's 30-second wait for a
//! connection (a stopped or unreachable PostgreSQL, a SQLite connection held by a long
//! write), so a database that does not answer within it counts as unreachable.

use std::time::Duration;

use screening_store::Db;

/// How long readiness waits for the database: the answer leaves within two seconds.
pub const READY_TIMEOUT: Duration = Duration::from_millis(1500);

/// The depths of the server's queues; `-1` where the database could not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueDepths {
    pub outbox_pending: i64,
    pub outbox_dead: i64,
    pub inbox_pending: i64,
    pub inbox_failed: i64,
    pub inbox_oldest_pending_secs: i64,
}

#[derive(Clone)]
pub struct Health {
    db: Db,
}

impl Health {
    pub fn new(db: Db) -> Self {
        Health { db }
    }

    /// The database answers within [`READY_TIMEOUT`].
    pub async fn ready(&self) -> bool {
        tokio::time::timeout(READY_TIMEOUT, self.db.ping())
            .await
            .unwrap_or(false)
    }

    pub async fn queue_depths(&self) -> QueueDepths {
        let (outbox_pending, outbox_dead) = self.db.outbox_counts().await.unwrap_or((-1, -1));
        let (inbox_pending, inbox_failed, inbox_oldest_pending_secs) =
            match self.db.inbox_depth().await {
                Ok(d) => (d.pending, d.failed, d.oldest_pending_secs),
                Err(_) => (-1, -1, -1),
            };
        QueueDepths {
            outbox_pending,
            outbox_dead,
            inbox_pending,
            inbox_failed,
            inbox_oldest_pending_secs,
        }
    }
}
