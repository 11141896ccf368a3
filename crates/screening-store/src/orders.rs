//! Orders, their items (one per Yardstik invitation) and their history.
//!
//! As across the crate, one function per query: [`order`], [`items`], [`events`] and the
//! writes of applying a snapshot take any executor (`&db.pool`, `&mut *tx`); the claim,
//! the fenced writes and what opens sealed values are [`Db`] methods. An order is named
//! by its [`OrderKey`].
//!
//! Rows are decoded here into typed values (claims, ATS states, Yardstik statuses; see
//! `decode`); a value the schema does not allow is a decode error, never a silent default.
//!
//! Idempotency: the primary key (tenant_id, background_check_id) is claimed with
//! `INSERT … ON CONFLICT DO NOTHING` before Yardstik is called ([`Db::claim_order`]).
//!
//! Fencing: every write of the placing task is fenced on its claim token, through one
//! helper (`Db::fenced_update`, which says the rule); [`OrderRow::held_by`] is the same
//! rule for a row already read under lock.

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::{Any, Executor, FromRow, Row};

use screening_model::{
    CheckState, Claim, ClaimToken, InvitationStatus, NewItem, OrderKey, ReportStatus,
    StoredFailure, YardstikRef,
};

use crate::decode::{decode, decode_optional, unexpected};
use crate::{now_ms, Backend, Db};

/// The ATS state of a row (its `status` and `result` columns).
fn state_cols(row: &AnyRow) -> sqlx::Result<CheckState> {
    Ok(CheckState {
        status: decode(row, "status")?,
        result: decode_optional(row, "result")?,
    })
}

/// The item column holding the id of a Yardstik resource of this kind.
fn resource_column(kind: YardstikRef) -> &'static str {
    match kind {
        YardstikRef::Invitation => "invitation_id",
        YardstikRef::Report => "report_id",
    }
}

/// An order's key as a row (the model's [`OrderKey`] knows nothing of sqlx).
struct KeyRow(OrderKey);

impl FromRow<'_, AnyRow> for KeyRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        Ok(KeyRow(OrderKey {
            tenant_id: row.try_get("tenant_id")?,
            background_check_id: row.try_get("background_check_id")?,
        }))
    }
}

fn keys(rows: Vec<KeyRow>) -> Vec<OrderKey> {
    rows.into_iter().map(|k| k.0).collect()
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
    /// What the ATS sent about who ordered and for which job (JSON, as sent).
    pub ats_context: Option<String>,
    /// The applicant's details, sealed, while the placement is not finished: open them
    /// with [`Db::placement_applicant`].
    pub applicant_sealed: Option<String>,
    /// Result links are issued under this value; revoking them increments it.
    pub result_link_epoch: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl FromRow<'_, AnyRow> for OrderRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let add_ons: String = row.try_get("add_on_package_ids")?;
        Ok(OrderRow {
            tenant_id: row.try_get("tenant_id")?,
            background_check_id: row.try_get("background_check_id")?,
            request_hash: row.try_get("request_hash")?,
            source: row.try_get("source")?,
            package_id: row.try_get("package_id")?,
            add_on_package_ids: serde_json::from_str(&add_ons)
                .map_err(|_| unexpected("add_on_package_ids", &add_ons))?,
            webhook_url: row.try_get("webhook_url")?,
            applicant_id: row.try_get("applicant_id")?,
            claim: decode(row, "claim")?,
            claim_token: row.try_get("claim_token")?,
            lease_until: row.try_get("lease_until")?,
            candidate_id: row.try_get("candidate_id")?,
            state: state_cols(row)?,
            response: row.try_get("response")?,
            failure_sealed: row.try_get("error_body")?,
            place_attempts: row.try_get("place_attempts")?,
            ats_context: row.try_get("ats_context")?,
            applicant_sealed: row.try_get("applicant_sealed")?,
            result_link_epoch: row.try_get("result_link_epoch")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl OrderRow {
    pub fn key(&self) -> OrderKey {
        OrderKey::new(&self.tenant_id, &self.background_check_id)
    }

    /// `token` still holds the claim: the order is being placed under it. The rule of
    /// `Db::fenced_update`, for a row read under lock (see [`order_for_update`]).
    pub fn held_by(&self, token: &ClaimToken) -> bool {
        self.claim == Claim::Creating && self.claim_token.as_deref() == Some(token.0.as_str())
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
            state: state_cols(row)?,
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
            state: state_cols(row)?,
            detail: row.try_get("detail")?,
        })
    }
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
    /// What the ATS sent about who ordered and for which job (JSON).
    pub ats_context: Option<&'a str>,
    /// The applicant's details (JSON), sealed here and kept until the placement finishes.
    pub applicant: &'a [u8],
    /// Package first, then add-ons.
    pub items: Vec<NewItem>,
    pub lease_until: i64,
}

const ORDER_COLS: &str = "tenant_id, background_check_id, request_hash, source, package_id, add_on_package_ids, webhook_url, applicant_id, claim, claim_token, lease_until, candidate_id, status, result, response, error_body, place_attempts, ats_context, applicant_sealed, result_link_epoch, created_at, updated_at";
const ITEM_COLS: &str = "tenant_id, background_check_id, package_id, position, add_on, yardstik_package_id, invitation_id, report_id, invitation_status, report_status, invitation_seen_at, report_seen_at, apply_url, status, result, updated_at";

/// What a stored placement failure is bound to.
fn failure_context(key: &OrderKey) -> Vec<u8> {
    format!(
        "order-failure\0{}\0{}",
        key.tenant_id, key.background_check_id
    )
    .into_bytes()
}

/// What a stored applicant is bound to.
fn applicant_context(key: &OrderKey) -> Vec<u8> {
    format!(
        "order-applicant\0{}\0{}",
        key.tenant_id, key.background_check_id
    )
    .into_bytes()
}

/// A statement whose parameters are bound one by one.
type AnyQuery<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

/// The SQL of a write of the placing task: `UPDATE orders SET <set>` under the claim fence
/// of [`Db::fenced_update`], whose `$1`–`$3` (the order's key and the claim token) it binds
/// itself; `set` numbers its own parameters from `$4`.
macro_rules! fenced_sql {
    ($set:literal) => {
        concat!(
            "UPDATE orders SET ",
            $set,
            " WHERE tenant_id = $1 AND background_check_id = $2 AND claim = 'creating' AND claim_token = $3"
        )
    };
}

impl Db {
    /// The order's last placement failure. A value that does not open (another master key,
    /// or written before failures were sealed) reads as an internal failure.
    pub fn placement_failure(&self, row: &OrderRow) -> Option<StoredFailure> {
        let sealed = row.failure_sealed.as_deref()?;
        Some(
            self.master
                .open(sealed, &failure_context(&row.key()))
                .and_then(|b| String::from_utf8(b).ok())
                .map(|s| StoredFailure::from_json(&s))
                .unwrap_or(StoredFailure::Internal),
        )
    }

    /// The applicant's details kept for an unfinished placement (`None` once it finished,
    /// or when the sealed value does not open).
    pub fn placement_applicant(&self, row: &OrderRow) -> Option<Vec<u8>> {
        let sealed = row.applicant_sealed.as_deref()?;
        self.master.open(sealed, &applicant_context(&row.key()))
    }

    /// Revoke the result links of one order (`Some(bcid)`) or of every order of a tenant:
    /// links issued before no longer open; the next link issued for the order is new. The
    /// number of orders whose links were revoked.
    pub async fn revoke_result_links(
        &self,
        tenant_id: &str,
        background_check_id: Option<&str>,
    ) -> sqlx::Result<u64> {
        let q = match background_check_id {
            Some(bcid) => sqlx::query(
                "UPDATE orders SET result_link_epoch = result_link_epoch + 1 WHERE tenant_id = $1 AND background_check_id = $2",
            )
            .bind(tenant_id)
            .bind(bcid),
            None => sqlx::query(
                "UPDATE orders SET result_link_epoch = result_link_epoch + 1 WHERE tenant_id = $1",
            )
            .bind(tenant_id),
        };
        Ok(q.execute(&self.pool).await?.rows_affected())
    }

    /// Claim a new order; its claim token, or `None` when the key already exists.
    pub async fn claim_order(&self, o: &NewOrder<'_>) -> sqlx::Result<Option<ClaimToken>> {
        let now = now_ms();
        let token = ClaimToken::new();
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            // A corrected order replacing a failed one (see `forget_failed_order`) goes on
            // with the sequence of the deliveries already sent under its id.
            "INSERT INTO orders (tenant_id, background_check_id, request_hash, source, package_id, add_on_package_ids, webhook_url, applicant_id, claim, claim_token, lease_until, status, place_attempts, synced_at, created_at, updated_at, ats_context, applicant_sealed, delivery_seq)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'creating', $9, $10, 'pending', 1, $11, $11, $11, $12, $13,
                     COALESCE((SELECT MAX(seq) FROM outbox WHERE tenant_id = $1 AND background_check_id = $2), 0)) ON CONFLICT DO NOTHING",
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
        .bind(o.ats_context)
        .bind(self.master.seal(
            o.applicant,
            &applicant_context(&OrderKey::new(o.tenant_id, o.background_check_id)),
        ))
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
        let key = OrderKey::new(o.tenant_id, o.background_check_id);
        insert_event(
            &mut *tx,
            &key,
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
        key: &OrderKey,
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
        .bind(&key.tenant_id)
        .bind(&key.background_check_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok((n == 1).then_some(token))
    }

    /// Forget a failed order that created nothing at Yardstik (no candidate, no
    /// invitation), so a corrected payload can take its id. `false` if it is not such an order.
    pub async fn forget_failed_order(&self, key: &OrderKey) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query(
            "DELETE FROM orders WHERE tenant_id = $1 AND background_check_id = $2 AND claim = 'failed' AND candidate_id IS NULL
               AND NOT EXISTS (SELECT 1 FROM order_items i WHERE i.tenant_id = $1 AND i.background_check_id = $2 AND i.invitation_id IS NOT NULL)",
        )
        .bind(&key.tenant_id)
        .bind(&key.background_check_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            for table in ["order_items", "order_events"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE tenant_id = $1 AND background_check_id = $2"
                ))
                .bind(&key.tenant_id)
                .bind(&key.background_check_id)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(n == 1)
    }

    /// [`items`] on the pool, by tenant id and `background_check_id`: a shorthand kept for
    /// callers not yet moved to `items` (the candidate report, tests); it adds no query.
    pub async fn order_items(&self, tenant_id: &str, bcid: &str) -> sqlx::Result<Vec<ItemRow>> {
        items(&self.pool, &OrderKey::new(tenant_id, bcid)).await
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
            resource_column(column)
        ))
        .bind(tenant_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// A write of the placing task, fenced on its claim: it applies only while the order is
    /// still `creating` under `token`, and answers whether it did. Why: a placement can
    /// outlive its lease (a slow Yardstik, a paused process); by then another submission or
    /// the resumer may have taken the order over with a fresh token ([`Db::reclaim_order`]),
    /// or finished it. The old holder's write is then refused (`false`, and the holder
    /// stops) instead of overwriting the new holder's work, so at most one holder writes.
    /// `sql` comes from `fenced_sql!`; `bind` binds its parameters from `$4` on.
    async fn fenced_update<'q>(
        &self,
        sql: &'static str,
        key: &'q OrderKey,
        token: &'q ClaimToken,
        bind: impl FnOnce(AnyQuery<'q>) -> AnyQuery<'q>,
    ) -> sqlx::Result<bool> {
        let fenced = sqlx::query(sql)
            .bind(&key.tenant_id)
            .bind(&key.background_check_id)
            .bind(&token.0);
        let n = bind(fenced).execute(&self.pool).await?.rows_affected();
        Ok(n == 1)
    }

    /// Record the candidate, if `token` still holds the claim.
    pub async fn set_candidate(
        &self,
        key: &OrderKey,
        token: &ClaimToken,
        candidate_id: &str,
    ) -> sqlx::Result<bool> {
        self.fenced_update(
            fenced_sql!("candidate_id = $4, updated_at = $5"),
            key,
            token,
            |q| q.bind(candidate_id).bind(now_ms()),
        )
        .await
    }

    /// The claim holder succeeded: store the answer to replay.
    pub async fn finish_order(
        &self,
        key: &OrderKey,
        token: &ClaimToken,
        response: &str,
    ) -> sqlx::Result<bool> {
        self.fenced_update(
            fenced_sql!("claim = 'created', response = $4, error_status = NULL, error_body = NULL, applicant_sealed = NULL, next_resume_at = 0, updated_at = $5"),
            key,
            token,
            |q| q.bind(response).bind(now_ms()),
        )
        .await
    }

    /// The claim holder failed: keep what was created (candidate, invitations) for the
    /// next attempt, and the failure for submissions that were waiting on this one.
    /// `resume_at` (unix ms) asks the resumer to try again then; 0 leaves it to the ATS.
    pub async fn fail_order(
        &self,
        key: &OrderKey,
        token: &ClaimToken,
        failure: &StoredFailure,
        resume_at: i64,
    ) -> sqlx::Result<bool> {
        let sealed = self
            .master
            .seal(failure.to_json().as_bytes(), &failure_context(key));
        self.fenced_update(
            fenced_sql!("claim = 'failed', lease_until = 0, error_status = NULL, error_body = $4, next_resume_at = $5, updated_at = $6"),
            key,
            token,
            |q| q.bind(sealed).bind(resume_at).bind(now_ms()),
        )
        .await
    }

    /// The claim holder gives the placement up for good (Yardstik refused it, or the
    /// retries ran out): the order becomes `state` (the ATS's `failed`), the applicant's
    /// details are dropped, the history says why (`detail`), and — when the order has a
    /// `webhook_url` — the result webhook `payload(seq-free body)` is queued, all in one
    /// transaction and fenced on `token`. `Ok(None)` when the claim was lost; else whether
    /// a webhook was queued.
    pub async fn give_up_order(
        &self,
        key: &OrderKey,
        token: &ClaimToken,
        failure: &StoredFailure,
        state: CheckState,
        detail: &str,
        payload: &str,
    ) -> sqlx::Result<Option<bool>> {
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let Some(o) = order_for_update(&mut *tx, self.backend, key).await? else {
            return Ok(None);
        };
        if !o.held_by(token) {
            return Ok(None);
        }
        let sealed = self
            .master
            .seal(failure.to_json().as_bytes(), &failure_context(key));
        sqlx::query(
            "UPDATE orders SET claim = 'failed', lease_until = 0, error_status = NULL, error_body = $1, next_resume_at = 0, applicant_sealed = NULL,
                 status = $2, result = NULL, updated_at = $3
             WHERE tenant_id = $4 AND background_check_id = $5",
        )
        .bind(sealed)
        .bind(state.status.as_str())
        .bind(now)
        .bind(&key.tenant_id)
        .bind(&key.background_check_id)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut *tx, key, now, state, Some(detail)).await?;
        let notify = !o.webhook_url.is_empty();
        if notify {
            crate::outbox::enqueue(&mut tx, key, &o.webhook_url, payload, now).await?;
        }
        tx.commit().await?;
        Ok(Some(notify))
    }

    /// A line in the order's history at its current state (a decision, who made it).
    pub async fn note_in_history(&self, key: &OrderKey, detail: &str) -> sqlx::Result<bool> {
        let mut tx = self.pool.begin().await?;
        let Some(o) = order_for_update(&mut *tx, self.backend, key).await? else {
            return Ok(false);
        };
        insert_event(&mut *tx, key, now_ms(), o.state, Some(detail)).await?;
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
        .map(keys)
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
            .map(keys)
    }
}

/// The order.
pub async fn order<'c>(
    e: impl Executor<'c, Database = Any>,
    key: &OrderKey,
) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(&format!(
        "SELECT {ORDER_COLS} FROM orders WHERE tenant_id = $1 AND background_check_id = $2"
    ))
    .bind(&key.tenant_id)
    .bind(&key.background_check_id)
    .fetch_optional(e)
    .await
}

/// The order, read for a read-modify-write inside the caller's transaction: on PostgreSQL
/// its row stays locked until the transaction ends, so concurrent writers of one order take
/// turns; SQLite's single writer already serialises them.
pub async fn order_for_update<'c>(
    e: impl Executor<'c, Database = Any>,
    backend: Backend,
    key: &OrderKey,
) -> sqlx::Result<Option<OrderRow>> {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE",
        Backend::Sqlite => "",
    };
    sqlx::query_as(&format!(
        "SELECT {ORDER_COLS} FROM orders WHERE tenant_id = $1 AND background_check_id = $2{lock}"
    ))
    .bind(&key.tenant_id)
    .bind(&key.background_check_id)
    .fetch_optional(e)
    .await
}

/// The order's items, package first, then add-ons in order.
pub async fn items<'c>(
    e: impl Executor<'c, Database = Any>,
    key: &OrderKey,
) -> sqlx::Result<Vec<ItemRow>> {
    sqlx::query_as(&format!(
        "SELECT {ITEM_COLS} FROM order_items WHERE tenant_id = $1 AND background_check_id = $2 ORDER BY position"
    ))
    .bind(&key.tenant_id)
    .bind(&key.background_check_id)
    .fetch_all(e)
    .await
}

/// The order's history, oldest first.
pub async fn events<'c>(
    e: impl Executor<'c, Database = Any>,
    key: &OrderKey,
) -> sqlx::Result<Vec<EventRow>> {
    sqlx::query_as("SELECT at, status, result, detail FROM order_events WHERE tenant_id = $1 AND background_check_id = $2 ORDER BY id")
        .bind(&key.tenant_id)
        .bind(&key.background_check_id)
        .fetch_all(e)
        .await
}

/// A line in the order's history.
pub async fn insert_event<'c>(
    e: impl Executor<'c, Database = Any>,
    key: &OrderKey,
    at: i64,
    state: CheckState,
    detail: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query("INSERT INTO order_events (tenant_id, background_check_id, at, status, result, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(&key.tenant_id)
        .bind(&key.background_check_id)
        .bind(at)
        .bind(state.status.as_str())
        .bind(state.result.map(|r| r.as_str()))
        .bind(detail)
        .execute(e)
        .await?;
    Ok(())
}

/// Update one item (inside the caller's transaction, which holds its order's row).
pub async fn update_item<'c>(
    e: impl Executor<'c, Database = Any>,
    item: &ItemRow,
) -> sqlx::Result<()> {
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
    .execute(e)
    .await?;
    Ok(())
}

/// Set the order's state; `synced` also records that Yardstik's view was just applied.
pub async fn update_order_state<'c>(
    e: impl Executor<'c, Database = Any>,
    key: &OrderKey,
    state: CheckState,
    synced: bool,
) -> sqlx::Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE orders SET status = $1, result = $2, updated_at = $3, synced_at = CASE WHEN $4 = 1 THEN $3 ELSE synced_at END WHERE tenant_id = $5 AND background_check_id = $6")
        .bind(state.status.as_str())
        .bind(state.result.map(|r| r.as_str()))
        .bind(now)
        .bind(i64::from(synced))
        .bind(&key.tenant_id)
        .bind(&key.background_check_id)
        .execute(e)
        .await?;
    Ok(())
}

/// The next delivery sequence number of an order (inside the caller's transaction, which
/// holds the order's row).
pub async fn next_delivery_seq<'c>(
    e: impl Executor<'c, Database = Any>,
    key: &OrderKey,
) -> sqlx::Result<i64> {
    sqlx::query_scalar(
        "UPDATE orders SET delivery_seq = delivery_seq + 1 WHERE tenant_id = $1 AND background_check_id = $2 RETURNING delivery_seq",
    )
    .bind(&key.tenant_id)
    .bind(&key.background_check_id)
    .fetch_one(e)
    .await
}
