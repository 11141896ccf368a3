//! `OrderState` and `ResultWebhook` from stored rows; signed result links.

use screening_wire::{CheckResult, CheckStatus, OrderEvent, OrderItem, OrderState, ResultWebhook};

use crate::app::ApiContext;
use crate::db::ms_to_rfc3339;
use crate::db::orders::{events_in, items_in, order_in, EventRow, ItemRow, OrderRow};
use crate::tokens::{Claims, Purpose};

pub fn status_of(s: &str) -> CheckStatus {
    CheckStatus::parse(s).unwrap_or(CheckStatus::Pending)
}

pub fn result_of(s: Option<&str>) -> Option<CheckResult> {
    s.and_then(CheckResult::parse)
}

/// `{public_url}/r/{token}`: a signed, expiring link to the in-page report.
pub fn result_link(ctx: &ApiContext, tenant_id: &str, bcid: &str) -> String {
    let claims = Claims {
        t: tenant_id.to_string(),
        a: None,
        o: Some(bcid.to_string()),
        exp: ctx.now_secs() + ctx.config.result_link_ttl.as_secs() as i64,
    };
    format!(
        "{}/r/{}",
        ctx.public_url,
        ctx.signer.sign(Purpose::ResultLink, &claims)
    )
}

/// A link exists once the order is complete and its package has a report.
pub fn link_for(
    ctx: &ApiContext,
    tenant_id: &str,
    bcid: &str,
    status: CheckStatus,
    items: &[ItemRow],
) -> Option<String> {
    (status == CheckStatus::Complete && items.iter().any(|i| i.report_id.is_some()))
        .then(|| result_link(ctx, tenant_id, bcid))
}

pub fn order_state(
    ctx: &ApiContext,
    o: &OrderRow,
    items: &[ItemRow],
    events: &[EventRow],
) -> OrderState {
    let status = status_of(&o.status);
    OrderState {
        background_check_id: o.background_check_id.clone(),
        status,
        result: result_of(o.result.as_deref()),
        result_link_url: link_for(ctx, &o.tenant_id, &o.background_check_id, status, items),
        package_id: o.package_id.clone(),
        add_on_package_ids: o.add_on_ids(),
        items: items
            .iter()
            .map(|i| OrderItem {
                package_id: i.package_id.clone(),
                add_on: i.add_on != 0,
                status: status_of(&i.status),
                result: result_of(i.result.as_deref()),
                invitation_status: i.invitation_status.clone(),
                report_status: i.report_status.clone(),
                report_id: i.report_id.clone(),
            })
            .collect(),
        history: events
            .iter()
            .map(|e| OrderEvent {
                at: ms_to_rfc3339(e.at),
                status: status_of(&e.status),
                result: result_of(e.result.as_deref()),
                detail: e.detail.clone(),
            })
            .collect(),
        created_at: ms_to_rfc3339(o.created_at),
        updated_at: ms_to_rfc3339(o.updated_at),
    }
}

/// The order, its items and history read in one transaction (one consistent snapshot).
pub async fn load_state(
    ctx: &ApiContext,
    tenant_id: &str,
    bcid: &str,
) -> Result<Option<OrderState>, sqlx::Error> {
    let mut tx = ctx.db.pool.begin().await?;
    if ctx.db.backend == crate::db::Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await?;
    }
    let Some(o) = order_in(&mut tx, tenant_id, bcid, "").await? else {
        return Ok(None);
    };
    let items = items_in(&mut tx, tenant_id, bcid).await?;
    let events = events_in(&mut tx, tenant_id, bcid).await?;
    tx.commit().await?;
    Ok(Some(order_state(ctx, &o, &items, &events)))
}

pub fn webhook(
    bcid: &str,
    status: CheckStatus,
    result: Option<CheckResult>,
    link: Option<String>,
) -> ResultWebhook {
    ResultWebhook {
        background_check_id: bcid.to_string(),
        status,
        result,
        result_link_url: link,
    }
}
