//! `OrderState` and `ResultWebhook` from stored rows; signed result links.

use screening_wire::{CheckStatus, OrderEvent, OrderItem, OrderState, ResultWebhook};

use super::status::CheckState;
use super::Orders;
use crate::db::ms_to_rfc3339;
use crate::db::orders::{events_in, items_in, order_in, EventRow, ItemRow, OrderRow};
use crate::db::tenants::tenant_generation_in;
use crate::tokens::{Claims, Purpose};

/// `{public_url}/r/{token}`: a signed, expiring link to the in-page report.
pub fn result_link(orders: &Orders, tenant_id: &str, generation: &str, bcid: &str) -> String {
    let claims = Claims {
        t: tenant_id.to_string(),
        a: None,
        o: Some(bcid.to_string()),
        exp: orders.now_secs() + orders.settings.result_link_ttl.as_secs() as i64,
        c: vec![screening_wire::Capability::Review],
        g: generation.to_string(),
        r: None,
    };
    format!(
        "{}/r/{}",
        orders.settings.public_url,
        orders.signer.sign(Purpose::ResultLink, &claims)
    )
}

/// A link exists once the order is complete and its package has a report.
pub fn link_for(
    orders: &Orders,
    tenant_id: &str,
    generation: &str,
    bcid: &str,
    status: CheckStatus,
    items: &[ItemRow],
) -> Option<String> {
    (status == CheckStatus::Complete && items.iter().any(|i| i.report_id.is_some()))
        .then(|| result_link(orders, tenant_id, generation, bcid))
}

pub fn order_state(
    orders: &Orders,
    generation: &str,
    o: &OrderRow,
    items: &[ItemRow],
    events: &[EventRow],
) -> OrderState {
    OrderState {
        background_check_id: o.background_check_id.clone(),
        status: o.state.status,
        result: o.state.result,
        result_link_url: link_for(
            orders,
            &o.tenant_id,
            generation,
            &o.background_check_id,
            o.state.status,
            items,
        ),
        package_id: o.package_id.clone(),
        add_on_package_ids: o.add_on_package_ids.clone(),
        items: items
            .iter()
            .map(|i| OrderItem {
                package_id: i.package_id.clone(),
                add_on: i.add_on,
                status: i.state.status,
                result: i.state.result,
                invitation_status: i.invitation_status.as_ref().map(|s| s.to_string()),
                report_status: i.report_status.as_ref().map(|s| s.to_string()),
                report_id: i.report_id.clone(),
            })
            .collect(),
        history: events
            .iter()
            .map(|e| OrderEvent {
                at: ms_to_rfc3339(e.at),
                status: e.state.status,
                result: e.state.result,
                detail: e.detail.clone(),
            })
            .collect(),
        created_at: ms_to_rfc3339(o.created_at),
        updated_at: ms_to_rfc3339(o.updated_at),
    }
}

/// The order, its items and history read in one transaction (one consistent snapshot).
pub async fn load_state(
    orders: &Orders,
    tenant_id: &str,
    bcid: &str,
) -> Result<Option<OrderState>, sqlx::Error> {
    let db = &orders.db;
    let mut tx = db.pool.begin().await?;
    if db.backend == crate::db::Backend::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await?;
    }
    let Some(o) = order_in(&mut tx, tenant_id, bcid, "").await? else {
        return Ok(None);
    };
    let items = items_in(&mut tx, tenant_id, bcid).await?;
    let events = events_in(&mut tx, tenant_id, bcid).await?;
    // Only a complete order has a result link, which needs the tenant's generation.
    let generation = if o.state.status == CheckStatus::Complete {
        tenant_generation_in(&mut tx, tenant_id)
            .await?
            .unwrap_or_default()
    } else {
        String::new()
    };
    tx.commit().await?;
    Ok(Some(order_state(orders, &generation, &o, &items, &events)))
}

pub fn webhook(bcid: &str, state: CheckState, link: Option<String>) -> ResultWebhook {
    ResultWebhook {
        background_check_id: bcid.to_string(),
        status: state.status,
        result: state.result,
        result_link_url: link,
    }
}
