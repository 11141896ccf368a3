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
use crate::orders::cancel::cancel_order;
use crate::orders::place::{place, PlaceRequest};
use crate::orders::view::load_state;
use crate::orders::OrderError;

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
    Ok(Json(
        catalog::package_list(
            &ctx.packages,
            &ctx.yardstik,
            ctx.config.packages_ttl,
            &tenant,
        )
        .await?,
    ))
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
        background_check_id: order.background_check_id.clone(),
        package_id: order.package_id.clone(),
        add_on_package_ids: order.add_on_package_ids.clone(),
        webhook_url: order.webhook_url.trim().to_string(),
        applicant: order.applicant.clone(),
        request_hash: hash,
    };
    Ok((
        StatusCode::CREATED,
        Json(place(&ctx.orders, &tenant, req).await?),
    ))
}

async fn show(
    State(ctx): State<ApiContext>,
    BasicTenant(tenant): BasicTenant,
    Path(id): Path<String>,
) -> Result<Json<OrderState>> {
    load_state(&ctx.orders, &tenant.id, &id)
        .await?
        .map(Json)
        .ok_or_else(|| OrderError::NotFound(id).into())
}

async fn cancel(
    State(ctx): State<ApiContext>,
    BasicTenant(tenant): BasicTenant,
    Path(id): Path<String>,
) -> Result<Json<OrderState>> {
    Ok(Json(cancel_order(&ctx.orders, &tenant, &id).await?))
}
