//! The ATS partner endpoints (HTTP Basic: ATS account id + API secret).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use screening_wire::{OrderRequest, OrderState, PackageList};

use super::auth::{BasicTenant, JsonBody};
use super::error::{Error, Result};
use super::state::AppState;
use crate::orders::cancel::cancel_order;
use crate::orders::place::{place, PlaceRequest};
use crate::orders::view::load_state;
use crate::orders::{OrderError, Orders};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/ats/packages", get(packages))
        .route("/ats/orders", post(create))
        .route(
            "/ats/orders/{background_check_id}",
            get(show).delete(cancel),
        )
}

async fn packages(
    State(orders): State<Orders>,
    BasicTenant(tenant): BasicTenant,
) -> Result<Json<PackageList>> {
    Ok(Json(orders.package_list(&tenant).await?))
}

async fn create(
    State(orders): State<Orders>,
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
    let req = PlaceRequest::from_ats(&order);
    Ok((
        StatusCode::CREATED,
        Json(place(&orders, &tenant, req).await?),
    ))
}

async fn show(
    State(orders): State<Orders>,
    BasicTenant(tenant): BasicTenant,
    Path(id): Path<String>,
) -> Result<Json<OrderState>> {
    load_state(&orders, &tenant.id, &id)
        .await?
        .map(Json)
        .ok_or_else(|| OrderError::NotFound(id).into())
}

async fn cancel(
    State(orders): State<Orders>,
    BasicTenant(tenant): BasicTenant,
    Path(id): Path<String>,
) -> Result<Json<OrderState>> {
    Ok(Json(cancel_order(&orders, &tenant, &id).await?))
}
