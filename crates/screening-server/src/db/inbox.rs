//! Yardstik webhook events received (the inbox): de-duplicated on (tenant, event id),
//! processed asynchronously with the same lease-based claiming as the outbox.

use sqlx::FromRow;

use super::{now_ms, Db};

#[derive(Debug, Clone, FromRow)]
pub struct InboxRow {
    pub tenant_id: String,
    pub event_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub event: String,
    pub attempts: i64,
}

const COLS: &str = "tenant_id, event_id, resource_type, resource_id, event, attempts";

pub struct NewEvent<'a> {
    pub tenant_id: &'a str,
    pub event_id: &'a str,
    pub resource_type: &'a str,
    pub resource_id: &'a str,
    pub event: &'a str,
}

impl Db {
    /// `false` when this event id was already received for the tenant (a replay).
    pub async fn insert_event(&self, e: &NewEvent<'_>) -> sqlx::Result<bool> {
        let now = now_ms();
        let n = sqlx::query(
            "INSERT INTO inbox (tenant_id, event_id, resource_type, resource_id, event, state, attempts, next_attempt_at, lease_until, received_at)
             VALUES ($1, $2, $3, $4, $5, 'pending', 0, $6, 0, $6) ON CONFLICT DO NOTHING",
        )
        .bind(e.tenant_id)
        .bind(e.event_id)
        .bind(e.resource_type)
        .bind(e.resource_id)
        .bind(e.event)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn claim_events(&self, lease_until: i64, limit: i64) -> sqlx::Result<Vec<InboxRow>> {
        let now = now_ms();
        let due = "state = 'pending' AND next_attempt_at <= $2 AND lease_until < $2";
        let q = format!(
            "UPDATE inbox SET lease_until = $1
             WHERE (tenant_id, event_id) IN (SELECT tenant_id, event_id FROM inbox WHERE {due} ORDER BY received_at LIMIT $3{})
               AND {due}
             RETURNING {COLS}",
            self.skip_locked()
        );
        sqlx::query_as(&q)
            .bind(lease_until)
            .bind(now)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    pub async fn finish_event(
        &self,
        tenant_id: &str,
        event_id: &str,
        state: &str,
        retry_at: i64,
        error: Option<&str>,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE inbox SET state = $1, attempts = attempts + 1, next_attempt_at = $2, lease_until = 0, last_error = $3
             WHERE tenant_id = $4 AND event_id = $5",
        )
        .bind(state)
        .bind(retry_at)
        .bind(error)
        .bind(tenant_id)
        .bind(event_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn event_state(
        &self,
        tenant_id: &str,
        event_id: &str,
    ) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar("SELECT state FROM inbox WHERE tenant_id = $1 AND event_id = $2")
            .bind(tenant_id)
            .bind(event_id)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn count_events(&self, tenant_id: &str) -> sqlx::Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE tenant_id = $1")
            .bind(tenant_id)
            .fetch_one(&self.pool)
            .await
    }
}
