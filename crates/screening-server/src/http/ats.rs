//! The ATS partner endpoints (HTTP Basic: ATS account id + API secret).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use screening_wire::{OrderRequest, OrderState, PackageList};

use super::auth::{BasicTenant, JsonBody};
use super::error::{Error, Result};
use crate::app::ApiContext;
use crate::catalog;
use crate::orders::place::{place, PlaceRequest};
use crate::orders::sync::{apply, ItemUpdate};
use crate::orders::view::{load_state, status_of};

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/ats/packages", get(packages))
        .route("/ats/orders", post(create))
        .route(
            "/ats/orders/{background_check_id}",
            get(show).delete(cancel),
        )
}

async fn packages(
    State(ctx): State<ApiContext>,
    BasicTenant(tenant): BasicTenant,
) -> Result<Json<PackageList>> {
    Ok(Json(catalog::package_list(&ctx, &tenant).await?))
}

async fn create(
    State(ctx): State<ApiContext>,
    BasicTenant(tenant): BasicTenant,
    JsonBody(order): JsonBody<OrderRequest>,
) -> Result<(StatusCode, Json<OrderState>)> {
    if !order.account_id.trim().is_empty() && order.account_id != tenant.ats_account_id {
        return Err(Error::Forbidden(format!(
            "account_id {} does not match the authenticated account; send the account id you authenticate with.",
            order.account_id
        )));
    }
    let errors = screening_wire::validate::validate_order(&order);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let hash = crate::crypto::sha256_hex(&serde_json::to_vec(&order).expect("serialise"));
    let req = PlaceRequest {
        source: "ats",
        background_check_id: &order.background_check_id,
        package_id: &order.package_id,
        add_on_package_ids: &order.add_on_package_ids,
        webhook_url: order.webhook_url.trim(),
        applicant: &order.applicant,
        request_hash: hash,
    };
    Ok((StatusCode::CREATED, Json(place(&ctx, &tenant, &req).await?)))
}

fn not_found(id: &str) -> Error {
    Error::NotFound(format!("No background check {id} for this account."))
}

async fn show(
    State(ctx): State<ApiContext>,
    BasicTenant(tenant): BasicTenant,
    Path(id): Path<String>,
) -> Result<Json<OrderState>> {
    load_state(&ctx, &tenant.id, &id)
        .await?
        .map(Json)
        .ok_or_else(|| not_found(&id))
}

/// Cancel every open Yardstik invitation of the order; answers the canceled order.
pub async fn cancel_order(
    ctx: &ApiContext,
    tenant: &crate::tenant::Tenant,
    id: &str,
) -> Result<OrderState> {
    let order = ctx
        .db
        .order(&tenant.id, id)
        .await?
        .ok_or_else(|| not_found(id))?;
    if order.claim != "created" {
        return Err(Error::Conflict(format!(
            "Background check {id} is not placed yet; retry the order or try again shortly."
        )));
    }
    if status_of(&order.status).is_final() {
        return Err(Error::Conflict(format!(
            "Background check {id} is already {}; it cannot be canceled.",
            order.status
        )));
    }
    for item in ctx.db.order_items(&tenant.id, id).await? {
        let Some(inv_id) = item.invitation_id.as_deref() else {
            continue;
        };
        if status_of(&item.status).is_final() {
            continue;
        }
        let inv = ctx
            .yardstik
            .cancel_invitation(&tenant.credentials, inv_id)
            .await?;
        let upd = ItemUpdate {
            invitation_status: inv.status.clone().or(Some("canceled".into())),
            report_status: inv.report.as_ref().and_then(|r| r.status.clone()),
            ..Default::default()
        };
        apply(
            ctx,
            tenant,
            id,
            &item.package_id,
            upd,
            "Canceled at the ATS's request",
        )
        .await?;
    }
    tracing::info!(tenant = %tenant.ats_account_id, background_check_id = id, "order canceled");
    load_state(ctx, &tenant.id, id)
        .await?
        .ok_or_else(|| not_found(id))
}

async fn cancel(
    State(ctx): State<ApiContext>,
    BasicTenant(tenant): BasicTenant,
    Path(id): Path<String>,
) -> Result<Json<OrderState>> {
    Ok(Json(cancel_order(&ctx, &tenant, &id).await?))
}
