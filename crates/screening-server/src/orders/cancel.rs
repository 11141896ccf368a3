//! Canceling an order at the ATS's request: every open Yardstik invitation is canceled.

use screening_wire::OrderState;

use super::claim::Claim;
use super::sync::{apply, ItemUpdate, Writer};
use super::view::load_state;
use super::{OrderError, Orders};
use crate::tenant::Tenant;
use crate::yardstik::status::InvitationStatus;

/// Cancel the order; answers the canceled order.
pub async fn cancel_order(
    orders: &Orders,
    tenant: &Tenant,
    bcid: &str,
) -> Result<OrderState, OrderError> {
    let order = orders
        .db
        .order(&tenant.id, bcid)
        .await?
        .ok_or_else(|| OrderError::NotFound(bcid.to_string()))?;
    if order.claim != Claim::Created {
        return Err(OrderError::NotPlacedYet(bcid.to_string()));
    }
    if order.state.status.is_final() {
        return Err(OrderError::AlreadyFinal(
            bcid.to_string(),
            order.state.status,
        ));
    }
    for item in orders.db.order_items(&tenant.id, bcid).await? {
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
