//! Result-webhook deliveries (the outbox).
//!
//! A row is written in the same transaction as the order state change it reports. Workers
//! claim due rows by setting a lease (`lease_owner`, `lease_until`) in one UPDATE whose
//! sub-select uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, and whose outer WHERE repeats
//! the due/lease conditions so two instances can never both win a row. A crashed worker's
//! lease simply runs out and the row becomes due again.
//!
//! Order: the ATS never ends with an older state than the order's newest. Each row carries
//! a per-order sequence number; a row is claimable only when no older row of its order is
//! still pending (so one order's deliveries go out one at a time, oldest first), and a new
//! state supersedes older rows of its order that are not in flight, as well as a failed
//! attempt of an older row once a newer row exists.

use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow, Row};

use screening_model::{OrderKey, StoredEnum};

use crate::decode::decode;
use crate::{now_ms, Db};

screening_model::stored_enum! {
    /// Where a delivery is.
    pub enum OutboxState {
        /// Waiting for its next attempt (or in flight, while leased).
        Pending = "pending",
        Delivered = "delivered",
        /// The retry schedule ran out or the target was refused; an operator may redeliver.
        Dead = "dead",
        /// A newer state of the same order replaced it before it was delivered.
        Superseded = "superseded",
    }
}

#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: String,
    pub tenant_id: String,
    pub background_check_id: String,
    pub url: String,
    pub payload: String,
    pub state: OutboxState,
    /// Per-order delivery sequence: later states have larger numbers.
    pub seq: i64,
    /// When the order reached the state this row reports (unix ms).
    pub state_at: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

impl FromRow<'_, AnyRow> for OutboxRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(OutboxRow {
            id: row.try_get("id")?,
            tenant_id: row.try_get("tenant_id")?,
            background_check_id: row.try_get("background_check_id")?,
            url: row.try_get("url")?,
            payload: row.try_get("payload")?,
            state: decode(row, "state")?,
            seq: row.try_get("seq")?,
            state_at: row.try_get("state_at")?,
            attempts: row.try_get("attempts")?,
            next_attempt_at: row.try_get("next_attempt_at")?,
            last_status: row.try_get("last_status")?,
            last_error: row.try_get("last_error")?,
            created_at: row.try_get("created_at")?,
        })
    }
}

const COLS: &str = "id, tenant_id, background_check_id, url, payload, state, seq, state_at, attempts, next_attempt_at, last_status, last_error, created_at";

/// The delivery of an order's new state, inside the transaction that changed the state
/// (which holds the order's row). Older pending rows of the order that are not in flight
/// are superseded: the ATS only needs the newest state. Returns the row id.
pub async fn enqueue(
    conn: &mut AnyConnection,
    key: &OrderKey,
    url: &str,
    payload: &str,
    state_at: i64,
) -> sqlx::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let seq = crate::orders::next_delivery_seq(&mut *conn, key).await?;
    sqlx::query(
        "UPDATE outbox SET state = 'superseded', updated_at = $1
         WHERE tenant_id = $2 AND background_check_id = $3 AND state = 'pending' AND lease_until < $1",
    )
    .bind(now)
    .bind(&key.tenant_id)
    .bind(&key.background_check_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO outbox (id, tenant_id, background_check_id, url, payload, state, seq, state_at, attempts, next_attempt_at, lease_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, 0, $8, 0, $8, $8)",
    )
    .bind(&id)
    .bind(&key.tenant_id)
    .bind(&key.background_check_id)
    .bind(url)
    .bind(payload)
    .bind(seq)
    .bind(state_at)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

/// SQL: no older row of the same order is still pending (delivered in order, one at a time).
const FIRST_OF_ORDER: &str = "NOT EXISTS (SELECT 1 FROM outbox p WHERE p.tenant_id = outbox.tenant_id AND p.background_check_id = outbox.background_check_id AND p.state = 'pending' AND p.seq < outbox.seq)";

/// SQL: a newer row of the same order exists.
const HAS_NEWER: &str = "EXISTS (SELECT 1 FROM outbox n WHERE n.tenant_id = outbox.tenant_id AND n.background_check_id = outbox.background_check_id AND n.seq > outbox.seq)";

impl Db {
    /// Claim up to `limit` due deliveries for `owner` until `lease_until`.
    pub async fn claim_deliveries(
        &self,
        owner: &str,
        lease_until: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<OutboxRow>> {
        let now = now_ms();
        let due = format!(
            "state = 'pending' AND next_attempt_at <= $3 AND lease_until < $3 AND {FIRST_OF_ORDER}"
        );
        let q = format!(
            "UPDATE outbox SET lease_owner = $1, lease_until = $2
             WHERE id IN (SELECT id FROM outbox WHERE {due} ORDER BY next_attempt_at LIMIT $4{})
               AND {due}
             RETURNING {COLS}",
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

    /// Record an attempt. A failed attempt of a row that a newer state of its order has
    /// replaced meanwhile is superseded instead of retried.
    pub async fn record_attempt(
        &self,
        id: &str,
        owner: &str,
        outcome: Attempt,
    ) -> sqlx::Result<()> {
        let now = now_ms();
        let (state, next, status, error, delivered) = match outcome {
            Attempt::Delivered { status } => {
                (OutboxState::Delivered, now, Some(status), None, Some(now))
            }
            Attempt::Retry { at, status, error } => {
                (OutboxState::Pending, at, status, Some(error), None)
            }
            Attempt::Dead { status, error } => (OutboxState::Dead, now, status, Some(error), None),
        };
        let failed = state != OutboxState::Delivered;
        let state_sql = if failed {
            format!("CASE WHEN {HAS_NEWER} THEN 'superseded' ELSE $1 END")
        } else {
            "$1".to_string()
        };
        sqlx::query(&format!(
            "UPDATE outbox SET state = {state_sql}, attempts = attempts + 1, next_attempt_at = $2, last_status = $3, last_error = $4,
                 delivered_at = $5, lease_owner = NULL, lease_until = 0, updated_at = $6
             WHERE id = $7 AND lease_owner = $8"
        ))
        .bind(state.as_str())
        .bind(next)
        .bind(status)
        .bind(error)
        .bind(delivered)
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn deliveries_in_state(&self, state: OutboxState) -> sqlx::Result<Vec<OutboxRow>> {
        sqlx::query_as(&format!(
            "SELECT {COLS} FROM outbox WHERE state = $1 ORDER BY created_at"
        ))
        .bind(state.as_str())
        .fetch_all(&self.pool)
        .await
    }

    pub async fn deliveries_for_order(
        &self,
        tenant_id: &str,
        bcid: &str,
    ) -> sqlx::Result<Vec<OutboxRow>> {
        sqlx::query_as(&format!(
            "SELECT {COLS} FROM outbox WHERE tenant_id = $1 AND background_check_id = $2 ORDER BY created_at"
        ))
        .bind(tenant_id)
        .bind(bcid)
        .fetch_all(&self.pool)
        .await
    }

    /// Queue dead deliveries again with a fresh attempt budget: only the newest delivery
    /// of each order (an older state must never reach the ATS after a newer one); dead rows
    /// with a newer row are marked superseded. Returns (queued, superseded).
    pub async fn redeliver(&self, id: Option<&str>) -> sqlx::Result<(u64, u64)> {
        let now = now_ms();
        let which = match id {
            Some(_) => "id = $2",
            None => "id <> $2",
        };
        let mut tx = self.pool.begin().await?;
        let superseded = sqlx::query(&format!(
            "UPDATE outbox SET state = 'superseded', updated_at = $1 WHERE state = 'dead' AND {which} AND {HAS_NEWER}"
        ))
        .bind(now)
        .bind(id.unwrap_or(""))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let queued = sqlx::query(&format!(
            "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = 0, updated_at = $1 WHERE state = 'dead' AND {which}"
        ))
        .bind(now)
        .bind(id.unwrap_or(""))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok((queued, superseded))
    }

    /// (pending, dead) counts for /metrics.
    pub async fn outbox_counts(&self) -> sqlx::Result<(i64, i64)> {
        let pending: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'pending'")
                .fetch_one(&self.pool)
                .await?;
        let dead: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE state = 'dead'")
            .fetch_one(&self.pool)
            .await?;
        Ok((pending, dead))
    }
}

pub enum Attempt {
    Delivered {
        status: i64,
    },
    Retry {
        at: i64,
        status: Option<i64>,
        error: String,
    },
    Dead {
        status: Option<i64>,
        error: String,
    },
}
