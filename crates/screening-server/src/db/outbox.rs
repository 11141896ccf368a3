//! Result-webhook deliveries (the outbox).
//!
//! A row is written in the same transaction as the order state change it reports. Workers
//! claim due rows by setting a lease (`lease_owner`, `lease_until`) in one UPDATE whose
//! sub-select uses `FOR UPDATE SKIP LOCKED` on PostgreSQL, and whose outer WHERE repeats
//! the due/lease conditions so two instances can never both win a row. A crashed worker's
//! lease simply runs out and the row becomes due again.

use sqlx::{AnyConnection, FromRow};

use super::{now_ms, Db};

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub tenant_id: String,
    pub background_check_id: String,
    pub url: String,
    pub payload: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
}

const COLS: &str = "id, tenant_id, background_check_id, url, payload, state, attempts, next_attempt_at, last_status, last_error, created_at";

pub async fn enqueue(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
    url: &str,
    payload: &str,
) -> sqlx::Result<String> {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO outbox (id, tenant_id, background_check_id, url, payload, state, attempts, next_attempt_at, lease_until, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0, $6, $6)",
    )
    .bind(&id)
    .bind(tenant_id)
    .bind(bcid)
    .bind(url)
    .bind(payload)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(id)
}

impl Db {
    /// Claim up to `limit` due deliveries for `owner` until `lease_until`.
    pub async fn claim_deliveries(
        &self,
        owner: &str,
        lease_until: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<OutboxRow>> {
        let now = now_ms();
        let due = "state = 'pending' AND next_attempt_at <= $3 AND lease_until < $3";
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

    /// Record an attempt. `next` = Some(time) to retry, None with `dead` to dead-letter.
    pub async fn record_attempt(
        &self,
        id: &str,
        owner: &str,
        outcome: Attempt,
    ) -> sqlx::Result<()> {
        let now = now_ms();
        let (state, next, status, error, delivered) = match outcome {
            Attempt::Delivered { status } => ("delivered", now, Some(status), None, Some(now)),
            Attempt::Retry { at, status, error } => ("pending", at, status, Some(error), None),
            Attempt::Dead { status, error } => ("dead", now, status, Some(error), None),
        };
        sqlx::query(
            "UPDATE outbox SET state = $1, attempts = attempts + 1, next_attempt_at = $2, last_status = $3, last_error = $4,
                 delivered_at = $5, lease_owner = NULL, lease_until = 0, updated_at = $6
             WHERE id = $7 AND lease_owner = $8",
        )
        .bind(state)
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

    pub async fn deliveries_in_state(&self, state: &str) -> sqlx::Result<Vec<OutboxRow>> {
        sqlx::query_as(&format!(
            "SELECT {COLS} FROM outbox WHERE state = $1 ORDER BY created_at"
        ))
        .bind(state)
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

    /// Queue dead deliveries again with a fresh attempt budget. Returns how many.
    pub async fn redeliver(&self, id: Option<&str>) -> sqlx::Result<u64> {
        let now = now_ms();
        let q = match id {
            Some(_) => "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = 0, updated_at = $1 WHERE state = 'dead' AND id = $2",
            None => "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = $1, lease_until = 0, updated_at = $1 WHERE state = 'dead' AND id <> $2",
        };
        Ok(sqlx::query(q)
            .bind(now)
            .bind(id.unwrap_or(""))
            .execute(&self.pool)
            .await?
            .rows_affected())
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
