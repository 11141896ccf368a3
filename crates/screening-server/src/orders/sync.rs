//! Apply what Yardstik says about one invitation/report to its order, in one transaction
//! with the history row and (when the ATS should hear about it) the outbox row.

use super::status::{combine, map_item, should_notify, State};
use super::view::{link_for, result_of, status_of, webhook};
use crate::app::ApiContext;
use crate::db::orders::{insert_event, items_in, order_in, update_item, update_order_status};
use crate::db::outbox;
use crate::tenant::Tenant;

/// New facts about one item; `None` fields keep their stored value.
#[derive(Debug, Default, Clone)]
pub struct ItemUpdate {
    pub invitation_id: Option<String>,
    pub invitation_status: Option<String>,
    pub report_id: Option<String>,
    pub report_status: Option<String>,
    pub apply_url: Option<String>,
}

/// Returns the order's new state when it changed.
pub async fn apply(
    ctx: &ApiContext,
    tenant: &Tenant,
    bcid: &str,
    package_id: &str,
    upd: ItemUpdate,
    detail: &str,
) -> Result<Option<State>, sqlx::Error> {
    let mut tx = ctx.db.pool.begin().await?;
    let Some(order) = order_in(&mut tx, &tenant.id, bcid, ctx.db.for_update()).await? else {
        return Ok(None);
    };
    let mut items = items_in(&mut tx, &tenant.id, bcid).await?;
    let Some(item) = items.iter_mut().find(|i| i.package_id == package_id) else {
        return Ok(None);
    };
    macro_rules! merge { ($($f:ident),*) => { $( if upd.$f.is_some() { item.$f = upd.$f.clone(); } )* } }
    merge!(
        invitation_id,
        invitation_status,
        report_id,
        report_status,
        apply_url
    );
    if let Some((s, r)) = map_item(
        item.invitation_status.as_deref(),
        item.report_status.as_deref(),
    ) {
        item.status = s.as_str().to_string();
        item.result = r.map(|r| r.as_str().to_string());
    }
    update_item(&mut tx, item).await?;
    let states: Vec<(State, bool)> = items
        .iter()
        .map(|i| {
            (
                (status_of(&i.status), result_of(i.result.as_deref())),
                i.add_on != 0,
            )
        })
        .collect();
    let next = combine(&states);
    let prev = (status_of(&order.status), result_of(order.result.as_deref()));
    if next == prev {
        tx.commit().await?;
        return Ok(None);
    }
    let (status, result) = next;
    update_order_status(
        &mut tx,
        &tenant.id,
        bcid,
        status.as_str(),
        result.map(|r| r.as_str()),
    )
    .await?;
    let now = crate::db::now_ms();
    insert_event(
        &mut tx,
        &tenant.id,
        bcid,
        now,
        status.as_str(),
        result.map(|r| r.as_str()),
        Some(detail),
    )
    .await?;
    let notify = should_notify(prev, next, tenant.settings.progress_updates)
        && !order.webhook_url.is_empty();
    if notify {
        let link = link_for(ctx, &tenant.id, bcid, status, &items);
        let body = serde_json::to_string(&webhook(bcid, status, result, link)).expect("serialise");
        outbox::enqueue(&mut tx, &tenant.id, bcid, &order.webhook_url, &body).await?;
    }
    tx.commit().await?;
    if notify {
        ctx.outbox_wake.notify_one();
    }
    tracing::info!(
        background_check_id = bcid,
        status = status.as_str(),
        result = result.map(|r| r.as_str()),
        notify,
        "order status changed"
    );
    Ok(Some(next))
}

/// Short history text for a change.
pub fn describe(resource: &str, status: &str) -> String {
    format!("Yardstik {resource} status: {status}")
}
