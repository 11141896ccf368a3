//! Canceling an order at the ATS's request: every open Yardstik invitation is canceled.

use screening_wire::OrderState;

use super::sync::{apply, ItemUpdate, Writer};
use super::view::load_state;
use super::{OrderError, Orders};
use screening_model::claim::Claim;
use screening_model::tenant::Tenant;
use screening_model::yardstik_status::InvitationStatus;
use screening_model::OrderKey;
use screening_store::orders as stored;

/// Cancel the order; answers the canceled order.
pub async fn cancel_order(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
) -> Result<OrderState, OrderError> {
    let key = OrderKey::new(&tenant.id, bcid);
    let order = stored::order(&orders.db.pool, &key)
        .await?
        .ok_or_else(|| OrderError::NotFound(bcid.to_string()))?;
    if order.claim != Claim::Created {
        if order.state.status.is_final() {
            // Given up (`failed`): nothing is open at Yardstik.
            return Err(OrderError::AlreadyFinal(
                bcid.to_string(),
                order.state.status,
            ));
        }
        return Err(OrderError::NotPlacedYet(bcid.to_string()));
    }
    if order.state.status.is_final() {
        return Err(OrderError::AlreadyFinal(
            bcid.to_string(),
            order.state.status,
        ));
    }
    for item in stored::items(&orders.db.pool, &key).await? {
        let Some(inv_id) = item.invitation_id.as_deref() else {
            continue;
        };
        if item.state.status.is_final() {
            continue;
        }
        let inv = orders
            .yardstik
            .cancel_invitation(&tenant.credentials, inv_id)
            .await?;
        let mut upd = ItemUpdate::from_invitation(&inv);
        if upd.invitation_status.is_none() {
            upd.invitation_status = Some(InvitationStatus::Canceled);
        }
        apply(
            orders,
            tenant,
            bcid,
            &item.package_id,
            upd,
            Writer::Yardstik,
        )
        .await?;
    }
    tracing::info!(tenant = %tenant.ats_account_id, background_check_id = bcid, "order canceled");
    load_state(orders, &tenant.id, bcid)
        .await?
        .ok_or_else(|| OrderError::NotFound(bcid.to_string()))
}
