//! Orders, their items (one per Yardstik invitation) and their history.
//!
//! Rows are decoded here into typed values (claims, ATS states, Yardstik statuses); a value
//! the schema does not allow is a decode error, never a silent default.
//!
//! Idempotency: the primary key (tenant_id, background_check_id) is claimed with
//! `INSERT … ON CONFLICT DO NOTHING` before Yardstik is called (see `orders::claim`). Every
//! write of the placing task is fenced on its claim token.

use screening_wire::{CheckResult, CheckStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, FromRow, Row};

use super::{now_ms, Db};
use crate::orders::claim::{Claim, ClaimToken};
use crate::orders::error::StoredFailure;
use crate::orders::status::CheckState;
use crate::yardstik::status::{InvitationStatus, ReportStatus};

fn decode_err(column: &str, value: &str) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: column.to_string(),
        source: format!("unexpected value {value:?}").into(),
    }
}

fn status_col(row: &AnyRow, col: &str) -> sqlx::Result<CheckStatus> {
    let s: String = row.try_get(col)?;
    CheckStatus::parse(&s).ok_or_else(|| decode_err(col, &s))
}

fn result_col(row: &AnyRow, col: &str) -> sqlx::Result<Option<CheckResult>> {
    let s: Option<String> = row.try_get(col)?;
    s.map(|s| CheckResult::parse(&s).ok_or_else(|| decode_err(col, &s)))
        .transpose()
}

/// The key of an order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OrderKey {
    pub tenant_id: String,
    pub background_check_id: String,
}

impl FromRow<'_, AnyRow> for OrderKey {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(OrderKey {
            tenant_id: row.try_get("tenant_id")?,
            background_check_id: row.try_get("background_check_id")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct OrderRow {
    pub tenant_id: String,
    pub background_check_id: String,
    pub request_hash: String,
    pub source: String,
    pub package_id: String,
    pub add_on_package_ids: Vec<String>,
    pub webhook_url: String,
    pub applicant_id: Option<String>,
    pub claim: Claim,
    pub claim_token: Option<String>,
    pub lease_until: i64,
    pub candidate_id: Option<String>,
    pub state: CheckState,
    pub response: Option<String>,
    /// The last placement failure, sealed (it may carry Yardstik's text, which can echo
    /// applicant data): open it with [`Db::placement_failure`].
    pub failure_sealed: Option<String>,
    pub place_attempts: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl FromRow<'_, AnyRow> for OrderRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let claim: String = row.try_get("claim")?;
        let add_ons: String = row.try_get("add_on_package_ids")?;
        Ok(OrderRow {
            tenant_id: row.try_get("tenant_id")?,
            background_check_id: row.try_get("background_check_id")?,
            request_hash: row.try_get("request_hash")?,
            source: row.try_get("source")?,
            package_id: row.try_get("package_id")?,
            add_on_package_ids: serde_json::from_str(&add_ons)
                .map_err(|_| decode_err("add_on_package_ids", &add_ons))?,
            webhook_url: row.try_get("webhook_url")?,
            applicant_id: row.try_get("applicant_id")?,
            claim: Claim::parse(&claim).ok_or_else(|| decode_err("claim", &claim))?,
            claim_token: row.try_get("claim_token")?,
            lease_until: row.try_get("lease_until")?,
            candidate_id: row.try_get("candidate_id")?,
            state: CheckState {
                status: status_col(row, "status")?,
                result: result_col(row, "result")?,
            },
            response: row.try_get("response")?,
            failure_sealed: row.try_get("error_body")?,
            place_attempts: row.try_get("place_attempts")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl OrderRow {
    pub fn key(&self) -> OrderKey {
        OrderKey {
            tenant_id: self.tenant_id.clone(),
            background_check_id: self.background_check_id.clone(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ItemRow {
    pub tenant_id: String,
    pub background_check_id: String,
    pub package_id: String,
    pub position: i64,
    pub add_on: bool,
    pub yardstik_package_id: String,
    pub invitation_id: Option<String>,
    pub report_id: Option<String>,
    pub invitation_status: Option<InvitationStatus>,
    pub report_status: Option<ReportStatus>,
    /// Yardstik's `updated_at` (unix ms) of the newest invitation / report snapshot applied.
    pub invitation_seen_at: Option<i64>,
    pub report_seen_at: Option<i64>,
    pub apply_url: Option<String>,
    pub state: CheckState,
    pub updated_at: i64,
}

impl FromRow<'_, AnyRow> for ItemRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(ItemRow {
            tenant_id: row.try_get("tenant_id")?,
            background_check_id: row.try_get("background_check_id")?,
            package_id: row.try_get("package_id")?,
            position: row.try_get("position")?,
            add_on: row.try_get::<i64, _>("add_on")? != 0,
            yardstik_package_id: row.try_get("yardstik_package_id")?,
            invitation_id: row.try_get("invitation_id")?,
            report_id: row.try_get("report_id")?,
            invitation_status: row
                .try_get::<Option<String>, _>("invitation_status")?
                .map(|s| InvitationStatus::parse(&s)),
            report_status: row
                .try_get::<Option<String>, _>("report_status")?
                .map(|s| ReportStatus::parse(&s)),
            invitation_seen_at: row.try_get("invitation_seen_at")?,
            report_seen_at: row.try_get("report_seen_at")?,
            apply_url: row.try_get("apply_url")?,
            state: CheckState {
                status: status_col(row, "status")?,
                result: result_col(row, "result")?,
            },
            updated_at: row.try_get("updated_at")?,
        })
    }
}

#[derive(Debug, Clone)]
pub struct EventRow {
    pub at: i64,
    pub state: CheckState,
    pub detail: Option<String>,
}

impl FromRow<'_, AnyRow> for EventRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(EventRow {
            at: row.try_get("at")?,
            state: CheckState {
                status: status_col(row, "status")?,
                result: result_col(row, "result")?,
            },
            detail: row.try_get("detail")?,
        })
    }
}

/// One ordered package, as catalog resolution names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewItem {
    /// The ATS's package id.
    pub package_id: String,
    pub yardstik_package_id: String,
    pub add_on: bool,
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
    /// Package first, then add-ons.
    pub items: Vec<NewItem>,
    pub lease_until: i64,
}

const ORDER_COLS: &str = "tenant_id, background_check_id, request_hash, source, package_id, add_on_package_ids, webhook_url, applicant_id, claim, claim_token, lease_until, candidate_id, status, result, response, error_body, place_attempts, created_at, updated_at";
const ITEM_COLS: &str = "tenant_id, background_check_id, package_id, position, add_on, yardstik_package_id, invitation_id, report_id, invitation_status, report_status, invitation_seen_at, report_seen_at, apply_url, status, result, updated_at";

/// What a stored placement failure is bound to.
fn failure_context(tenant_id: &str, bcid: &str) -> Vec<u8> {
    format!("order-failure\0{tenant_id}\0{bcid}").into_bytes()
}

impl Db {
    /// The order's last placement failure. A value that does not open (another master key,
    /// or written before failures were sealed) reads as an internal failure.
    pub fn placement_failure(&self, row: &OrderRow) -> Option<StoredFailure> {
        let sealed = row.failure_sealed.as_deref()?;
        Some(
            self.master
                .open(
                    sealed,
                    &failure_context(&row.tenant_id, &row.background_check_id),
                )
                .and_then(|b| String::from_utf8(b).ok())
                .map(|s| StoredFailure::from_json(&s))
                .unwrap_or(StoredFailure::Internal),
        )
    }

    /// Claim a new order; its claim token, or `None` when the key already exists.
    pub async fn claim_order(&self, o: &NewOrder<'_>) -> sqlx::Result<Option<ClaimToken>> {
        let now = now_ms();
        let token = ClaimToken::new();
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "INSERT INTO orders (tenant_id, background_check_id, request_hash, source, package_id, add_on_package_ids, webhook_url, applicant_id, claim, claim_token, lease_until, status, place_attempts, synced_at, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'creating', $9, $10, 'pending', 1, $11, $11, $11) ON CONFLICT DO NOTHING",
        )
        .bind(o.tenant_id)
        .bind(o.background_check_id)
        .bind(o.request_hash)
        .bind(o.source)
        .bind(o.package_id)
        .bind(serde_json::to_string(o.add_on_package_ids).expect("serialise"))
        .bind(o.webhook_url)
        .bind(o.applicant_id)
        .bind(&token.0)
        .bind(o.lease_until)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 0 {
            return Ok(None);
        }
        for (i, item) in o.items.iter().enumerate() {
            sqlx::query(
                "INSERT INTO order_items (tenant_id, background_check_id, package_id, position, add_on, yardstik_package_id, status, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7)",
            )
            .bind(o.tenant_id)
            .bind(o.background_check_id)
            .bind(&item.package_id)
            .bind(i as i64)
            .bind(i64::from(item.add_on))
            .bind(&item.yardstik_package_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        insert_event(
            &mut tx,
            o.tenant_id,
            o.background_check_id,
            now,
            CheckState::PENDING,
            Some("Order received"),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(token))
    }

    /// Take over a failed claim, or one whose holder's lease ran out. A fresh token fences
    /// out the previous holder.
    pub async fn reclaim_order(
        &self,
        tenant_id: &str,
        bcid: &str,
        lease_until: i64,
    ) -> sqlx::Result<Option<ClaimToken>> {
        let now = now_ms();
        let token = ClaimToken::new();
        let n = sqlx::query(
            "UPDATE orders SET claim = 'creating', claim_token = $1, lease_until = $2, place_attempts = place_attempts + 1, next_resume_at = 0, updated_at = $3
             WHERE tenant_id = $4 AND background_check_id = $5 AND (claim = 'failed' OR (claim = 'creating' AND lease_until < $3))",
        )
        .bind(&token.0)
        .bind(lease_until)
        .bind(now)
        .bind(tenant_id)
        .bind(bcid)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok((n == 1).then_some(token))
    }

    /// Forget a failed order that created nothing at Yardstik (no candidate, no
    /// invitation), so a corrected payload can take its id. `false` if it is not such an order.
    pub async fn forget_failed_order(&self, tenant_id: &str, bcid: &str) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "DELETE FROM orders WHERE tenant_id = $1 AND background_check_id = $2 AND claim = 'failed' AND candidate_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.tenant_id = $1 AND i.background_check_id = $2 AND i.invitation_id IS NOT NULL)",
        )
        .bind(tenant_id)
        .bind(bcid)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            for table in ["order_items", "order_events"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE tenant_id = $1 AND background_check_id = $2"
                ))
                .bind(tenant_id)
                .bind(bcid)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
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

    /// The item behind a Yardstik invitation or report.
    pub async fn item_by_yardstik(
        &self,
        tenant_id: &str,
        column: YardstikRef,
        id: &str,
    ) -> sqlx::Result<Option<ItemRow>> {
        sqlx::query_as(&format!(
            "SELECT {ITEM_COLS} FROM order_items WHERE tenant_id = $1 AND {} = $2",
            column.column()
        ))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Record the candidate, if `token` still holds the claim.
    pub async fn set_candidate(
        &self,
        tenant_id: &str,
        bcid: &str,
        token: &ClaimToken,
        candidate_id: &str,
    ) -> sqlx::Result<bool> {
        let n = sqlx::query("UPDATE orders SET candidate_id = $1, updated_at = $2 WHERE tenant_id = $3 AND background_check_id = $4 AND claim = 'creating' AND claim_token = $5")
            .bind(candidate_id)
            .bind(now_ms())
            .bind(tenant_id)
            .bind(bcid)
            .bind(&token.0)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n == 1)
    }

    /// The claim holder succeeded: store the answer to replay.
    pub async fn finish_order(
        &self,
        tenant_id: &str,
        bcid: &str,
        token: &ClaimToken,
        response: &str,
    ) -> sqlx::Result<bool> {
        let n = sqlx::query(
            "UPDATE orders SET claim = 'created', response = $1, error_status = NULL, error_body = NULL, next_resume_at = 0, updated_at = $2
             WHERE tenant_id = $3 AND background_check_id = $4 AND claim = 'creating' AND claim_token = $5",
        )
        .bind(response)
        .bind(now_ms())
        .bind(tenant_id)
        .bind(bcid)
        .bind(&token.0)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The claim holder failed: keep what was created (candidate, invitations) for the
    /// next attempt, and the failure for submissions that were waiting on this one.
    /// `resume_at` (unix ms) asks the resumer to try again then; 0 leaves it to the ATS.
    pub async fn fail_order(
        &self,
        tenant_id: &str,
        bcid: &str,
        token: &ClaimToken,
        failure: &StoredFailure,
        resume_at: i64,
    ) -> sqlx::Result<bool> {
        let n = sqlx::query(
            "UPDATE orders SET claim = 'failed', lease_until = 0, error_status = NULL, error_body = $1, next_resume_at = $2, updated_at = $3
             WHERE tenant_id = $4 AND background_check_id = $5 AND claim = 'creating' AND claim_token = $6",
        )
        .bind(self.master.seal(failure.to_json().as_bytes(), &failure_context(tenant_id, bcid)))
        .bind(resume_at)
        .bind(now_ms())
        .bind(tenant_id)
        .bind(bcid)
        .bind(&token.0)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// A line in the order's history at its current state (a decision, who made it).
    pub async fn note_in_history(
        &self,
        tenant_id: &str,
        bcid: &str,
        detail: &str,
    ) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let Some(o) = order_in(&mut tx, tenant_id, bcid, self.for_update()).await? else {
            return Ok(false);
        };
        insert_event(&mut tx, tenant_id, bcid, now_ms(), o.state, Some(detail)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Placements to resume: claims whose holder's lease ran out, and failed claims the
    /// resumer was asked to retry (`next_resume_at` due).
    pub async fn orders_to_resume(&self, limit: i64) -> sqlx::Result<Vec<OrderKey>> {
        let now = now_ms();
        sqlx::query_as(
            "SELECT tenant_id, background_check_id FROM orders
             WHERE (claim = 'creating' AND lease_until < $1) OR (claim = 'failed' AND next_resume_at > 0 AND next_resume_at <= $1)
             ORDER BY updated_at LIMIT $2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// Claim up to `limit` placed orders that may still change and have not been synced
    /// with Yardstik since `cutoff`: marks them synced now (so no other instance takes them
    /// this round) and returns them.
    pub async fn claim_for_reconcile(
        &self,
        cutoff: i64,
        limit: i64,
    ) -> sqlx::Result<Vec<OrderKey>> {
        let now = now_ms();
        let due = "claim = 'created' AND synced_at < $2 AND (status NOT IN ('complete', 'canceled', 'expired') OR (status = 'complete' AND result = 'Consider'))";
        let q = format!(
            "UPDATE orders SET synced_at = $1
             WHERE (tenant_id, background_check_id) IN (SELECT tenant_id, background_check_id FROM orders WHERE {due} ORDER BY synced_at LIMIT $3{})
               AND {due}
             RETURNING tenant_id, background_check_id",
            self.skip_locked()
        );
        sqlx::query_as(&q)
            .bind(now)
            .bind(cutoff)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }
}

#[derive(Debug, Clone, Copy)]
pub enum YardstikRef {
    Invitation,
    Report,
}

impl YardstikRef {
    pub fn column(self) -> &'static str {
        match self {
            YardstikRef::Invitation => "invitation_id",
            YardstikRef::Report => "report_id",
        }
    }

    pub fn parse(resource_type: &str) -> Option<Self> {
        match resource_type {
            "invitation" => Some(YardstikRef::Invitation),
            "report" => Some(YardstikRef::Report),
            _ => None,
        }
    }
}

pub async fn insert_event(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
    at: i64,
    state: CheckState,
    detail: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO order_events (tenant_id, background_check_id, at, status, result, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(tenant_id)
        .bind(bcid)
        .bind(at)
        .bind(state.status.as_str())
        .bind(state.result.map(|r| r.as_str()))
        .bind(detail)
        .execute(conn)
        .await?;
    Ok(())
}

/// Update one item (inside the caller's transaction).
pub async fn update_item(conn: &mut AnyConnection, item: &ItemRow) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE order_items SET invitation_id = $1, report_id = $2, invitation_status = $3, report_status = $4, invitation_seen_at = $5, report_seen_at = $6,
             apply_url = $7, status = $8, result = $9, updated_at = $10
         WHERE tenant_id = $11 AND background_check_id = $12 AND package_id = $13",
    )
    .bind(&item.invitation_id)
    .bind(&item.report_id)
    .bind(item.invitation_status.as_ref().map(|s| s.as_str()))
    .bind(item.report_status.as_ref().map(|s| s.as_str()))
    .bind(item.invitation_seen_at)
    .bind(item.report_seen_at)
    .bind(&item.apply_url)
    .bind(item.state.status.as_str())
    .bind(item.state.result.map(|r| r.as_str()))
    .bind(now_ms())
    .bind(&item.tenant_id)
    .bind(&item.background_check_id)
    .bind(&item.package_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Set the order's state; `synced` also records that Yardstik's view was just applied.
pub async fn update_order_state(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
    state: CheckState,
    synced: bool,
) -> sqlx::Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE orders SET status = $1, result = $2, updated_at = $3, synced_at = CASE WHEN $4 = 1 THEN $3 ELSE synced_at END WHERE tenant_id = $5 AND background_check_id = $6")
        .bind(state.status.as_str())
        .bind(state.result.map(|r| r.as_str()))
        .bind(now)
        .bind(i64::from(synced))
        .bind(tenant_id)
        .bind(bcid)
        .execute(conn)
        .await?;
    Ok(())
}

/// The next delivery sequence number of an order (inside the caller's transaction, which
/// holds the order's row).
pub async fn next_delivery_seq(
    conn: &mut AnyConnection,
    tenant_id: &str,
    bcid: &str,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "UPDATE orders SET delivery_seq = delivery_seq + 1 WHERE tenant_id = $1 AND background_check_id = $2 RETURNING delivery_seq",
    )
    .bind(tenant_id)
    .bind(bcid)
    .fetch_one(conn)
    .await
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
