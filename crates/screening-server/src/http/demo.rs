//! Demo-only routes (`SCREENING_DEMO=1`): the demo ATS's backend.
//!
//! - `POST /demo/session` mints a widget session for the demo tenant (`demo-ats`), as an
//!   ATS backend would with `POST /widget/sessions` and its Basic credentials. The demo has
//!   no users, so it grants the capabilities the widget asks for (a real backend decides
//!   from the signed-in user: a candidate gets `candidate` for their own order only), and a
//!   `review` session decides as the demo's one hiring manager (`reviewer_id`
//!   `demo-hiring-manager`, as a real backend names its signed-in user).
//! - `POST /demo/ats-webhooks` receives result webhooks (the demo tenant's
//!   `default_webhook_url`) and `GET /demo/ats-webhooks` lists the last 100.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use screening_wire::{SessionRequest, SessionResponse};
use serde_json::Value;

use super::auth::JsonBody;
use super::error::{Error, Result};
use super::state::AppState;

pub const DEMO_TENANT: &str = "demo-ats";

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/demo/session", post(session))
        .route("/demo/ats-webhooks", post(receive).get(list))
}

/// The reviewer of the demo's `review` sessions.
pub const DEMO_REVIEWER: &str = "demo-hiring-manager";

async fn session(
    State(ctx): State<AppState>,
    JsonBody(mut req): JsonBody<SessionRequest>,
) -> Result<(StatusCode, Json<SessionResponse>)> {
    if req
        .capabilities
        .contains(&screening_wire::Capability::Review)
        && req.reviewer_id.is_none()
    {
        req.reviewer_id = Some(DEMO_REVIEWER.into());
    }
    let tenant = ctx.tenants.by_ats_account(DEMO_TENANT).await?.ok_or_else(|| {
        Error::NotFound("The demo tenant is missing: run `screening-server tenant add --from-file crates/screening-server/fixtures/demo-tenant.json --replace`.".into())
    })?;
    Ok((
        StatusCode::CREATED,
        Json(crate::http::widget::mint_session(&ctx, &tenant, &req)?),
    ))
}

async fn receive(State(ctx): State<AppState>, JsonBody(v): JsonBody<Value>) -> StatusCode {
    let mut list = ctx.demo_received.lock().expect("demo list");
    list.push(v);
    if list.len() > 100 {
        list.remove(0);
    }
    StatusCode::NO_CONTENT
}

async fn list(State(ctx): State<AppState>) -> Json<Vec<Value>> {
    Json(ctx.demo_received.lock().expect("demo list").clone())
}
