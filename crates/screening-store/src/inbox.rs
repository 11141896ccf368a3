//! Yardstik webhook events received (the inbox): de-duplicated on (tenant, event id),
//! processed asynchronously.
//!
//! Claiming: a worker leases due events (`lease_owner`, `lease_until`) in one UPDATE, never
//! taking an event whose resource has another event leased (one resource is processed by
//! one worker at a time, so fetched snapshots apply in order). Finishing is fenced on the
//! owner: a worker whose lease ran out cannot overwrite the outcome of the one that took
//! the event over. Several events of one resource are settled by one fetch: after a
//! successful fetch, every pending event of that resource received before the fetch
//! started is done too.

use std::collections::HashSet;

use sqlx::any::AnyRow;
use sqlx::{FromRow, Row};

use screening_model::StoredEnum;

use crate::decode::{decode, word};
use crate::{now_ms, Backend, Db};

screening_model::stored_enum! {
    /// Where an event is.
    pub enum InboxState {
        Pending = "pending",
        Done = "done",
        /// The retry budget ran out; `screening-server events replay` queues it again.
        Failed = "failed",
    }
}

#[derive(Debug, Clone)]
pub struct InboxRow {
    pub tenant_id: String,
    pub event_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub event: String,
    pub state: InboxState,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub received_at: i64,
}

impl FromRow<'_, AnyRow> for InboxRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(InboxRow {
            tenant_id: row.try_get("tenant_id")?,
            event_id: row.try_get("event_id")?,
            resource_type: row.try_get("resource_type")?,
            resource_id: row.try_get("resource_id")?,
            event: row.try_get("event")?,
            state: decode(row, "state")?,
            attempts: row.try_get("attempts")?,
            last_error: row.try_get("last_error")?,
            received_at: row.try_get("received_at")?,
        })
    }
}

const COLS: &str =
    "tenant_id, event_id, resource_type, resource_id, event, state, attempts, last_error, received_at";

const INSERT_EVENT: &str = "INSERT INTO inbox (tenant_id, event_id, resource_type, resource_id, event, state, attempts, next_attempt_at, lease_until, received_at, priority)
     VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0, $6, $7) ON CONFLICT DO NOTHING";

/// `$1`: the batch as a JSON array of `[tenant_id, event_id, resource_type, resource_id,
/// event, priority]`; `$2`: now (received, due).
const SQLITE_INSERT_BATCH: &str = "INSERT INTO inbox (tenant_id, event_id, resource_type, resource_id, event, state, attempts, next_attempt_at, lease_until, received_at, priority)
     SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, 'pending', 0, $2, 0, $2, value ->> 5
     FROM json_each($1) WHERE true ON CONFLICT DO NOTHING";

/// After [`SQLITE_INSERT_BATCH`] on the same connection stored fewer rows than the batch
/// has distinct events: the rows it stored. One statement of one writer gives its rows
/// consecutive rowids ending at `last_insert_rowid()`; `$1`: how many it stored.
const SQLITE_JUST_STORED: &str =
    "SELECT tenant_id, event_id FROM inbox WHERE rowid > last_insert_rowid() - $1";

const POSTGRES_INSERT_BATCH: &str = "INSERT INTO inbox (tenant_id, event_id, resource_type, resource_id, event, state, attempts, next_attempt_at, lease_until, received_at, priority)
     SELECT e ->> 0, e ->> 1, e ->> 2, e ->> 3, e ->> 4, 'pending', 0, $2, 0, $2, (e ->> 5)::BIGINT
     FROM jsonb_array_elements($1::jsonb) AS e ON CONFLICT DO NOTHING RETURNING tenant_id, event_id";

/// Claiming order (lower first): a report's progress can finish an order and is what the
/// ATS waits for; an invitation's progress next; creation notices (whose content the
/// placement already recorded) and resources nothing is mapped from last. Within one
/// priority, oldest first. Per-resource order does not depend on it: each processing
/// fetches the resource's current state, and one fetch settles every earlier event of it.
pub fn priority(resource_type: &str, event: &str) -> i64 {
    match (resource_type, event) {
        (_, "created") => 2,
        ("report", _) => 0,
        ("invitation", _) => 1,
        _ => 2,
    }
}

pub struct NewEvent<'a> {
    pub tenant_id: &'a str,
    pub event_id: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    pub event: &'a str,
}

/// How one processing attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum EventOutcome {
    Done,
    /// Try again at this time (unix ms).
    Retry {
        at: i64,
        error: String,
    },
    Failed {
        error: String,
    },
}

/// Queue depth for /metrics.
#[derive(Debug, Clone, Copy, Default)]
pub struct InboxDepth {
    pub pending: i64,
    pub failed: i64,
    /// Age of the oldest pending event, in seconds (0 when none).
    pub oldest_pending_secs: i64,
}

impl Db {
    /// `false` when this event id was already received for the tenant (a replay).
    pub async fn insert_event(&self, e: &NewEvent<'_>) -> sqlx::Result<bool> {
        let now = now_ms();
        let n = sqlx::query(INSERT_EVENT)
            .bind(e.tenant_id)
            .bind(e.event_id)
            .bind(e.resource_type)
            .bind(e.resource_id)
            .bind(e.event)
            .bind(now)
            .bind(priority(e.resource_type, e.event))
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// Insert a batch of events (group commit). The batch travels as one JSON parameter of a
    /// statement whose text never changes (prepared once, whatever the batch size). Per
    /// event: `true` when new, `false` for a replay (stored before, or earlier in this
    /// batch). After an error nothing of the batch is stored (a statement is atomic).
    pub async fn insert_events(&self, events: &[NewEvent<'_>]) -> sqlx::Result<Vec<bool>> {
        if events.is_empty() {
            return Ok(vec![]);
        }
        let now = now_ms();
        let rows: Vec<(&str, &str, &str, &str, &str, i64)> = events
            .iter()
            .map(|e| {
                let p = priority(e.resource_type, e.event);
                (
                    e.tenant_id,
                    e.event_id,
                    e.resource_type,
                    e.resource_id,
                    e.event,
                    p,
                )
            })
            .collect();
        let batch = serde_json::to_string(&rows).map_err(|e| sqlx::Error::Encode(e.into()))?;
        let key = |e: &NewEvent<'_>| (e.tenant_id.to_string(), e.event_id.to_string());
        match self.backend {
            // One connection is the only writer, so one round trip usually says it all: when
            // the insert stored as many rows as the batch has distinct events, each event's
            // first copy is new. Otherwise (a replay of an event stored before) the rows this
            // insert stored are read back, on the same connection, by their rowids.
            Backend::Sqlite => {
                let mut seen = HashSet::new();
                let first: Vec<bool> = events.iter().map(|e| seen.insert(key(e))).collect();
                let mut conn = self.pool.acquire().await?;
                let stored = sqlx::query(SQLITE_INSERT_BATCH)
                    .bind(&batch)
                    .bind(now)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
                if stored == seen.len() as u64 {
                    return Ok(first);
                }
                let new: HashSet<(String, String)> = if stored == 0 {
                    HashSet::new()
                } else {
                    sqlx::query(SQLITE_JUST_STORED)
                        .bind(stored as i64)
                        .fetch_all(&mut *conn)
                        .await?
                        .iter()
                        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                        .collect::<sqlx::Result<_>>()?
                };
                Ok(events
                    .iter()
                    .zip(first)
                    .map(|(e, first)| first && new.contains(&key(e)))
                    .collect())
            }
            // Several writers (tasks, instances): the insert itself says which rows it made.
            Backend::Postgres => {
                let mut inserted: HashSet<(String, String)> = sqlx::query(POSTGRES_INSERT_BATCH)
                    .bind(&batch)
                    .bind(now)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                    .collect::<sqlx::Result<_>>()?;
                // The first of identical events in the batch is the new one.
                Ok(events.iter().map(|e| inserted.remove(&key(e))).collect())
            }
        }
    }

    /// Lease up to `limit` due events for `owner`, by [`priority`] then oldest first,
    /// skipping resources that have an event leased by anyone. The `inbox_claim` index
    /// gives the rows in that order, so a claim reads about `limit` rows, not the backlog.
    pub async fn claim_events(
        &self,
        owner: &str,
        lease_until: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<InboxRow>> {
        let now = now_ms();
        let due = "state = 'pending' AND next_attempt_at <= $3 AND lease_until < $3
            AND NOT EXISTS (SELECT 1 FROM inbox b WHERE b.tenant_id = inbox.tenant_id AND b.resource_type = inbox.resource_type
                AND b.resource_id = inbox.resource_id AND b.state = 'pending' AND b.lease_until >= $3)";
        // The outer re-check skips a resource leased since the sub-select read it. Both
        // checks see the table as it was before this statement, so one claim may lease
        // several events of one resource: the worker processes those as one group.
        let leased_elsewhere = "NOT EXISTS (SELECT 1 FROM inbox b WHERE b.tenant_id = inbox.tenant_id AND b.resource_type = inbox.resource_type
                AND b.resource_id = inbox.resource_id AND b.state = 'pending' AND b.lease_until >= $3)";
        let q = format!(
            "UPDATE inbox SET lease_owner = $1, lease_until = $2
             WHERE (tenant_id, event_id) IN (SELECT tenant_id, event_id FROM inbox{} WHERE {due} ORDER BY priority, received_at LIMIT $4{})
               AND lease_until < $3 AND {leased_elsewhere}
             RETURNING {COLS}",
            self.claim_index_hint(),
            self.skip_locked()
        );
        sqlx::query_as(&q)
            .bind(owner)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    /// Record the outcome of one leased event, if `owner` still holds it.
    pub async fn finish_event(
        &self,
        tenant_id: &str,
        event_id: &str,
        owner: &str,
        outcome: &EventOutcome,
    ) -> sqlx::Result<bool> {
        let now = now_ms();
        let (state, at, error) = match outcome {
            EventOutcome::Done => (InboxState::Done, now, None),
            EventOutcome::Retry { at, error } => (InboxState::Pending, *at, Some(error.as_str())),
            EventOutcome::Failed { error } => (InboxState::Failed, now, Some(error.as_str())),
        };
        let n = sqlx::query(
            "UPDATE inbox SET state = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = 0, lease_owner = NULL, last_error = $3
             WHERE tenant_id = $4 AND event_id = $5 AND lease_owner = $6",
        )
        .bind(state.as_str())
        .bind(at)
        .bind(error)
        .bind(tenant_id)
        .bind(event_id)
        .bind(owner)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// After a successful fetch of a resource that started at `fetched_at`: every pending
    /// event of that resource received before then is done — the ones `owner` leased and
    /// the unleased ones alike (coalescing) — in one statement. Events another worker
    /// holds are left to it. "Before" is strict: times are in milliseconds, and an event
    /// stored in the millisecond the fetch started may announce a change the fetch did not
    /// see, so it waits for a fetch of its own. The events `owner` leased were stored
    /// before it claimed them, so before the fetch, whatever their millisecond.
    pub async fn settle_resource_events(
        &self,
        tenant_id: &str,
        resource_type: &str,
        resource_id: &str,
        fetched_at: i64,
        owner: &str,
    ) -> sqlx::Result<u64> {
        let now = now_ms();
        Ok(sqlx::query(
            "UPDATE inbox SET state = 'done', attempts = attempts + 1, next_attempt_at = $1, last_error = NULL, lease_until = 0, lease_owner = NULL
             WHERE tenant_id = $2 AND resource_type = $3 AND resource_id = $4 AND state = 'pending'
               AND (lease_owner = $6 OR (received_at < $5 AND lease_until < $1))",
        )
        .bind(now)
        .bind(tenant_id)
        .bind(resource_type)
        .bind(resource_id)
        .bind(fetched_at)
        .bind(owner)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Delete up to about `window` done events received before `received_before` (ms);
    /// `None` once there are none left to look at. Pending and failed events are never
    /// deleted. SQLite has no index on `received_at` (settling would pay for it on every
    /// event): its rowids follow arrival order, so it reads the table in rowid windows
    /// from `after` (the cursor returned by the previous call, 0 to start) and stops at the
    /// first window received entirely after the cut (replayed failed events get a new
    /// `received_at` and stay where they were: a window of old rows still holds some that
    /// are older). PostgreSQL finds them through the BRIN index `inbox_received`.
    pub async fn prune_done_events(
        &self,
        received_before: i64,
        after: i64,
        window: i64,
    ) -> sqlx::Result<Option<(i64, u64)>> {
        match self.backend {
            Backend::Sqlite => {
                let (last, oldest): (Option<i64>, Option<i64>) = sqlx::query_as(
                    "SELECT MAX(rowid), MIN(received_at) FROM
                       (SELECT rowid, received_at FROM inbox WHERE rowid > $1 ORDER BY rowid LIMIT $2)",
                )
                .bind(after)
                .bind(window)
                .fetch_one(&self.pool)
                .await?;
                let (Some(last), Some(oldest)) = (last, oldest) else {
                    return Ok(None);
                };
                if oldest >= received_before {
                    return Ok(None);
                }
                let deleted = sqlx::query(
                    "DELETE FROM inbox WHERE rowid > $1 AND rowid <= $2 AND state = 'done' AND received_at < $3",
                )
                .bind(after)
                .bind(last)
                .bind(received_before)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(Some((last, deleted)))
            }
            Backend::Postgres => {
                let deleted = sqlx::query(
                    "DELETE FROM inbox WHERE ctid = ANY(ARRAY(
                       SELECT ctid FROM inbox WHERE state = 'done' AND received_at < $1 LIMIT $2))",
                )
                .bind(received_before)
                .bind(window)
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok((deleted > 0).then_some((0, deleted)))
            }
        }
    }

    pub async fn event_state(
        &self,
        tenant_id: &str,
        event_id: &str,
    ) -> sqlx::Result<Option<InboxState>> {
        let s: Option<String> =
            sqlx::query_scalar("SELECT state FROM inbox WHERE tenant_id = $1 AND event_id = $2")
                .bind(tenant_id)
                .bind(event_id)
                .fetch_optional(&self.pool)
                .await?;
        s.map(|s| word("state", &s)).transpose()
    }

    pub async fn count_events(&self, tenant_id: &str) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&self.pool)
            .await
    }

    pub async fn events_in_state(&self, state: InboxState) -> sqlx::Result<Vec<InboxRow>> {
        // The state is written into the statement (one of three fixed words), so the
        // planner can use the partial index of pending or failed events.
        sqlx::query_as(&format!(
            "SELECT {COLS} FROM inbox WHERE state = '{}' ORDER BY received_at",
            state.as_str()
        ))
        .fetch_all(&self.pool)
        .await
    }

    /// Queue failed events again with a fresh budget (counted from now). `None`: all.
    pub async fn replay_events(&self, event_id: Option<&str>) -> sqlx::Result<u64> {
        let now = now_ms();
        let which = if event_id.is_some() {
            "event_id = $2"
        } else {
            "event_id <> $2"
        };
        Ok(sqlx::query(&format!(
            "UPDATE inbox SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = 0, lease_owner = NULL, received_at = $1
             WHERE state = 'failed' AND {which}"
        ))
        .bind(now)
        .bind(event_id.unwrap_or(""))
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    pub async fn inbox_depth(&self) -> sqlx::Result<InboxDepth> {
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE state = 'pending'")
            .fetch_one(&self.pool)
            .await?;
        let failed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE state = 'failed'")
            .fetch_one(&self.pool)
            .await?;
        let oldest: Option<i64> =
            sqlx::query_scalar("SELECT MIN(received_at) FROM inbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        Ok(InboxDepth {
            pending,
            failed,
            oldest_pending_secs: oldest.map(|t| ((now_ms() - t) / 1000).max(0)).unwrap_or(0),
        })
    }
}
