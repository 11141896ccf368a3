//! Orders, their items (one per Yardstik invitation) and their history.
//!
//! Idempotency: the primary key (tenant_id, background_check_id) is claimed with
//! `INSERT … ON CONFLICT DO NOTHING` before Yardstik is called. `claim` is `creating`
//! (someone holds the lease until `lease_until`), `failed` (the last attempt failed; a new
//! submission may take it over) or `created` (`response` holds the answer to replay).

use sqlx::{AnyConnection, FromRow};

use super::{now_ms, Db};

#[derive(Debug, Clone, FromRow)]
pub struct OrderRow {
    pub tenant_id: String,
    pub background_check_id: String,
    pub request_hash: String,
    pub source: String,
    pub package_id: String,
    pub add_on_package_ids: String,
    pub webhook_url: String,
    pub applicant_id: Option<String>,
    pub claim: String,
    pub lease_until: i64,
    pub candidate_id: Option<String>,
    pub status: String,
    pub result: Option<String>,
    pub response: Option<String>,
    pub error_status: Option<i64>,
    pub error_body: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl OrderRow {
    pub fn add_on_ids(&self) -> Vec<String> {
        serde_json::from_str(&self.add_on_package_ids).unwrap_or_default()
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct ItemRow {
    pub tenant_id: String,
    pub background_check_id: String,
    pub package_id: String,
    pub position: i64,
    pub add_on: i64,
    pub yardstik_package_id: String,
    pub invitation_id: Option<String>,
    pub report_id: Option<String>,
    pub invitation_status: Option<String>,
    pub report_status: Option<String>,
    pub apply_url: Option<String>,
    pub status: String,
    pub result: Option<String>,
    pub updated_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub struct EventRow {
    pub at: i64,
    pub status: String,
    pub result: Option<String>,
    pub detail: Option<String>,
}

/// What a new order claims.
pub struct NewOrder<'a> {
    pub tenant_id: &'a str,
    pub background_check_id: &'a str,
    pub request_hash: &'a str,
    pub source: &'a str,
    pub package_id: &'a str,
    pub add_on_package_ids: &'a [String],
    pub webhook_url: &'a str,
    pub applicant_id: Option<&'a str>,
    /// (ATS package id, Yardstik account package id, is add-on), package first.
    pub items: Vec<(String, String, bool)>,
    pub lease_until: i64,
}

const ORDER_COLS: &str = "tenant_id, background_check_id, request_hash, source, package_id, add_on_package_ids, webhook_url, applicant_id, claim, lease_until, candidate_id, status, result, response, error_status, error_body, created_at, updated_at";
const ITEM_COLS: &str = "tenant_id, background_check_id, package_id, position, add_on, yardstik_package_id, invitation_id, report_id, invitation_status, report_status, apply_url, status, result, updated_at";

impl Db {
    /// Claim a new order. `false` when the key already exists.
    pub async fn claim_order(&self, o: &NewOrder<'_>) -> sqlx::Result<bool> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "INSERT INTO orders (tenant_id, background_check_id, request_hash, source, package_id, add_on_package_ids, webhook_url, applicant_id, claim, lease_until, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'creating', $9, 'pending', $10, $10) ON CONFLICT DO NOTHING",
        )
        .bind(o.tenant_id)
        .bind(o.background_check_id)
        .bind(o.request_hash)
        .bind(o.source)
        .bind(o.package_id)
        .bind(serde_json::to_string(o.add_on_package_ids).expect("serialise"))
        .bind(o.webhook_url)
        .bind(o.applicant_id)
        .bind(o.lease_until)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        for (i, (pkg, ys, add_on)) in o.items.iter().enumerate() {
            sqlx::query(&format!(
                "INSERT INTO order_items ({ITEM_COLS}) VALUES ($1, $2, $3, $4, $5, $6, NULL, NULL, NULL, NULL, NULL, 'pending', NULL, $7)"
            ))
            .bind(o.tenant_id)
            .bind(o.background_check_id)
            .bind(pkg)
            .bind(i as i64)
            .bind(i64::from(*add_on))
            .bind(ys)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(
            &mut tx,
            o.tenant_id,
            o.background_check_id,
            now,
            "pending",
            None,
            Some("Order received"),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Take over a failed claim, or one whose holder's lease ran out.
    pub async fn reclaim_order(
        &self,
        tenant_id: &str,
        bcid: &str,
        lease_until: i64,
    ) -> sqlx::Result<bool> {
        let now = now_ms();
        let n = sqlx::query(
            "UPDATE orders SET claim = 'creating', lease_until = $1, updated_at = $2
             WHERE tenant_id = $3 AND background_check_id = $4 AND (claim = 'failed' OR (claim = 'creating' AND lease_until < $2))",
        )
        .bind(lease_until)
        .bind(now)
        .bind(tenant_id)
        .bind(bcid)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    pub async fn order(&self, tenant_id: &str, bcid: &str) -> sqlx::Result<Option<OrderRow>> {
        sqlx::query_as(&format!(
            "SELECT {ORDER_COLS} FROM orders WHERE tenant_id = $1 AND background_check_id = $2"
        ))
        .bind(tenant_id)
        .bind(bcid)
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn order_items(&self, tenant_id: &str, bcid: &str) -> sqlx::Result<Vec<ItemRow>> {
        sqlx::query_as(&format!(
            "SELECT {ITEM_COLS} FROM order_items WHERE tenant_id = $1 AND background_check_id = $2 ORDER BY position"
        ))
        .bind(tenant_id)
        .bind(bcid)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn order_events(&self, tenant_id: &str, bcid: &str) -> sqlx::Result<Vec<EventRow>> {
        sqlx::query_as("SELECT at, status, result, detail FROM order_events WHERE tenant_id = $1 AND background_check_id = $2 ORDER BY id")
            .bind(tenant_id)
            .bind(bcid)
            .fetch_all(&self.pool)
            .await
    }

    /// The item behind a Yardstik invitation or report.
    pub async fn item_by_yardstik(
        &self,
        tenant_id: &str,
        column: YardstikRef,
        id: &str,
    ) -> sqlx::Result<Option<ItemRow>> {
        let col = match column {
            YardstikRef::Invitation => "invitation_id",
            YardstikRef::Report => "report_id",
        };
        sqlx::query_as(&format!(
            "SELECT {ITEM_COLS} FROM order_items WHERE tenant_id = $1 AND {col} = $2"
        ))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    pub async fn set_candidate(
        &self,
        tenant_id: &str,
        bcid: &str,
        candidate_id: &str,
    ) -> sqlx::Result<()> {
        sqlx::query("UPDATE orders SET candidate_id = $1, updated_at = $2 WHERE tenant_id = $3 AND background_check_id = $4")
            .bind(candidate_id)
            .bind(now_ms())
            .bind(tenant_id)
            .bind(bcid)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The claim holder succeeded: store the answer to replay.
    pub async fn finish_order(
        &self,
        tenant_id: &str,
        bcid: &str,
        response: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE orders SET claim = 'created', response = $1, error_status = NULL, error_body = NULL, updated_at = $2
             WHERE tenant_id = $3 AND background_check_id = $4",
        )
        .bind(response)
        .bind(now_ms())
        .bind(tenant_id)
        .bind(bcid)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The claim holder failed: keep what was created (candidate, invitations) for the
    /// next attempt, and the error for submissions that were waiting on this one.
    pub async fn fail_order(
        &self,
        tenant_id: &str,
        bcid: &str,
        status: u16,
        body: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "UPDATE orders SET claim = 'failed', lease_until = 0, error_status = $1, error_body = $2, updated_at = $3
             WHERE tenant_id = $4 AND background_check_id = $5",
        )
        .bind(i64::from(status))
        .bind(body)
        .bind(now_ms())
        .bind(tenant_id)
        .bind(bcid)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy)]
pub enum YardstikRef {
    Invitation,
    Report,
}

pub async fn insert_event(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
    at: i64,
    status: &str,
    result: Option<&str>,
    detail: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO order_events (tenant_id, background_check_id, at, status, result, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(tenant_id)
        .bind(bcid)
        .bind(at)
        .bind(status)
        .bind(result)
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

/// Update one item's Yardstik statuses (inside the caller's transaction).
pub async fn update_item(conn: &mut AnyConnection, item: &ItemRow) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE order_items SET report_id = $1, invitation_status = $2, report_status = $3, apply_url = $4, status = $5, result = $6, updated_at = $7,
             invitation_id = $11
         WHERE tenant_id = $8 AND background_check_id = $9 AND package_id = $10",
    )
    .bind(&item.report_id)
    .bind(&item.invitation_status)
    .bind(&item.report_status)
    .bind(&item.apply_url)
    .bind(&item.status)
    .bind(&item.result)
    .bind(now_ms())
    .bind(&item.tenant_id)
    .bind(&item.background_check_id)
    .bind(&item.package_id)
    .bind(&item.invitation_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_order_status(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
    status: &str,
    result: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE orders SET status = $1, result = $2, updated_at = $3 WHERE tenant_id = $4 AND background_check_id = $5")
        .bind(status)
        .bind(result)
        .bind(now_ms())
        .bind(tenant_id)
        .bind(bcid)
        .execute(conn)
        .await?;
    Ok(())
}

/// Items of an order, read inside a transaction.
pub async fn items_in(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
) -> sqlx::Result<Vec<ItemRow>> {
    sqlx::query_as(&format!(
        "SELECT {ITEM_COLS} FROM order_items WHERE tenant_id = $1 AND background_check_id = $2 ORDER BY position"
    ))
    .bind(tenant_id)
    .bind(bcid)
    .fetch_all(conn)
    .await
}

/// Read (and on PostgreSQL lock, `lock` = `Db::for_update()`) an order inside a transaction.
pub async fn order_in(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
    lock: &str,
) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(&format!(
        "SELECT {ORDER_COLS} FROM orders WHERE tenant_id = $1 AND background_check_id = $2{lock}"
    ))
    .bind(tenant_id)
    .bind(bcid)
    .fetch_optional(conn)
    .await
}

pub async fn events_in(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as("SELECT at, status, result, detail FROM order_events WHERE tenant_id = $1 AND background_check_id = $2 ORDER BY id")
        .bind(tenant_id)
        .bind(bcid)
        .fetch_all(conn)
        .await
}
