//! Bringing orders up to date with Yardstik by reading its resources: the webhook inbox
//! reads the one resource an event names; the reconciliation job re-reads every item of an
//! order that has not heard from Yardstik for a while, so a missed or dropped webhook, or
//! an outage of any length, only delays a result.

use std::time::Duration;

use super::sync::{apply, ItemUpdate, Writer};
use super::{OrderError, Orders};
use screening_metrics::ReconcileOutcome;
use screening_model::tenant::Tenant;
use screening_model::{OrderKey, YardstikRef};
use screening_store::now_ms;
use screening_store::orders::{self as stored, ItemRow};
use tokio_util::sync::CancellationToken;

/// What refreshing one resource found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// Applied to its order (which may or may not have changed).
    Applied { changed: bool },
    /// No order item knows this resource (yet, or it is not ours).
    Unmatched,
}

/// Read one invitation or report from Yardstik and apply it to its order.
pub async fn refresh_resource(
    orders: &Orders,
    tenant: &Tenant,
    kind: YardstikRef,
    resource_id: &str,
) -> Result<Refreshed, OrderError> {
    // Only resources behind our orders are fetched (no Yardstik call for the others).
    let Some(item) = orders
        .db
        .item_by_yardstik(&tenant.id, kind, resource_id)
        .await?
    else {
        return Ok(Refreshed::Unmatched);
    };
    let upd = fetch(orders, tenant, kind, resource_id).await?;
    let changed = apply(
        orders,
        tenant,
        &item.background_check_id,
        &item.package_id,
        upd,
        Writer::Yardstik,
    )
    .await?
    .is_some();
    Ok(Refreshed::Applied { changed })
}

async fn fetch(
    orders: &Orders,
    tenant: &Tenant,
    kind: YardstikRef,
    id: &str,
) -> Result<ItemUpdate, OrderError> {
    let creds = &tenant.credentials;
    Ok(match kind {
        YardstikRef::Invitation => {
            ItemUpdate::from_invitation(&orders.yardstik.invitation(creds, id).await?)
        }
        YardstikRef::Report => ItemUpdate::from_report(&orders.yardstik.report(creds, id).await?),
    })
}

/// Re-read every item of one order (its invitation, then its report) and apply what
/// Yardstik says. Returns whether the order's state changed.
pub async fn reconcile_order(orders: &Orders, key: &OrderKey) -> Result<bool, OrderError> {
    let Some(tenant) = orders.db.tenant_by_id(&key.tenant_id).await? else {
        return Ok(false);
    };
    let bcid = &key.background_check_id;
    let mut changed = false;
    for item in stored::items(&orders.db.pool, key).await? {
        changed |= reconcile_item(orders, &tenant, bcid, &item).await?;
    }
    Ok(changed)
}

async fn reconcile_item(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
    item: &ItemRow,
) -> Result<bool, OrderError> {
    let mut changed = false;
    let mut report_id = item.report_id.clone();
    if let Some(inv_id) = &item.invitation_id {
        let upd = fetch(orders, tenant, YardstikRef::Invitation, inv_id).await?;
        report_id = report_id.or_else(|| upd.report_id.clone());
        changed |= apply(
            orders,
            tenant,
            bcid,
            &item.package_id,
            upd,
            Writer::Yardstik,
        )
        .await?
        .is_some();
    }
    if let Some(rep_id) = report_id {
        let upd = fetch(orders, tenant, YardstikRef::Report, &rep_id).await?;
        changed |= apply(
            orders,
            tenant,
            bcid,
            &item.package_id,
            upd,
            Writer::Yardstik,
        )
        .await?
        .is_some();
    }
    Ok(changed)
}

/// Orders re-read per batch.
const BATCH: i64 = 50;

/// One round of the reconciliation job: every placed order that may still change and has
/// not been synced with Yardstik for `after` is re-read and updated, a batch at a time.
/// Orders are claimed by bumping their sync time in one UPDATE (`SKIP LOCKED` on
/// PostgreSQL), so instances share the work without reading the same order twice a round.
pub async fn reconcile_due(orders: &Orders, after: Duration, shutdown: &CancellationToken) {
    loop {
        let cutoff = now_ms() - after.as_millis() as i64;
        let keys = match orders.db.claim_for_reconcile(cutoff, BATCH).await {
            Ok(k) => k,
            Err(e) => {
                tracing::error!(error = %e, "cannot claim orders to reconcile");
                break;
            }
        };
        let full = keys.len() as i64 == BATCH;
        for key in keys {
            if shutdown.is_cancelled() {
                return;
            }
            match reconcile_order(orders, &key).await {
                Ok(changed) => {
                    let outcome = if changed {
                        ReconcileOutcome::Changed
                    } else {
                        ReconcileOutcome::Unchanged
                    };
                    orders.metrics.reconciled_orders.inc(outcome);
                    if changed {
                        tracing::info!(background_check_id = %key.background_check_id, "reconciliation found a change");
                    }
                }
                Err(e) => {
                    orders
                        .metrics
                        .reconciled_orders
                        .inc(ReconcileOutcome::Failed);
                    tracing::warn!(background_check_id = %key.background_check_id, error = %e.summary(), "reconciliation failed; tried again once SCREENING_RECONCILE_AFTER has passed");
                }
            }
        }
        if !full {
            break;
        }
    }
}
