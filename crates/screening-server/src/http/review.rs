//! The hiring manager's decision routes (a `review` session; one order's when the session
//! names one), and the candidate's own progress and report (a `candidate` session). See
//! `orders::decision`, `orders::candidate_report`, `orders::view::candidate_status` and
//! `screening_wire::{review, candidate}`.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use screening_wire::{CandidateReport, CandidateStatus, Capability, Decision, StartAdverseAction};

use super::auth::{JsonBody, WidgetSession};
use super::error::Result;
use super::widget::visible_order;
use crate::app::ApiContext;
use crate::orders::decision::{self, Reviewer};

pub fn routes() -> Router<ApiContext> {
    Router::new()
        .route("/widget/orders/{background_check_id}/decision", get(show))
        .route(
            "/widget/orders/{background_check_id}/decision/proceed",
            post(proceed),
        )
        .route(
            "/widget/orders/{background_check_id}/decision/adverse-action",
            post(start),
        )
        .route(
            "/widget/orders/{background_check_id}/decision/adverse-action/cancel",
            post(cancel),
        )
        .route(
            "/widget/orders/{background_check_id}/report",
            get(candidate_report),
        )
        .route(
            "/widget/orders/{background_check_id}/progress",
            get(candidate_progress),
        )
}

/// The candidate's progress (a `candidate` session, its one order): per ordered package its
/// name and stage, from the database (the widget polls it).
async fn candidate_progress(
    State(ctx): State<ApiContext>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<CandidateStatus>> {
    s.require(Capability::Candidate)?;
    visible_order(&ctx, &s, &id).await?;
    Ok(Json(
        crate::orders::view::candidate_status(&ctx.orders, &s.tenant, &id).await?,
    ))
}

/// The candidate's own report (a `candidate` session, its one order).
async fn candidate_report(
    State(ctx): State<ApiContext>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<CandidateReport>> {
    s.require(Capability::Candidate)?;
    visible_order(&ctx, &s, &id).await?;
    Ok(Json(
        crate::orders::candidate_report::candidate_report(
            &ctx.orders,
            &ctx.candidate_reports,
            &s.tenant,
            &id,
        )
        .await?,
    ))
}

/// A review session that may see this order (404 otherwise, no existence leak).
async fn reviewable(ctx: &ApiContext, s: &WidgetSession, id: &str) -> Result<()> {
    s.require(Capability::Review)?;
    visible_order(ctx, s, id).await.map(|_| ())
}

fn reviewer(s: &WidgetSession) -> Reviewer<'_> {
    Reviewer(s.claims.r.as_deref())
}

async fn show(
    State(ctx): State<ApiContext>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<Decision>> {
    reviewable(&ctx, &s, &id).await?;
    Ok(Json(decision::decision(&ctx.orders, &s.tenant, &id).await?))
}

async fn proceed(
    State(ctx): State<ApiContext>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<Decision>> {
    reviewable(&ctx, &s, &id).await?;
    Ok(Json(
        decision::proceed(&ctx.orders, &s.tenant, &id, reviewer(&s)).await?,
    ))
}

async fn start(
    State(ctx): State<ApiContext>,
    s: WidgetSession,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StartAdverseAction>,
) -> Result<Json<Decision>> {
    reviewable(&ctx, &s, &id).await?;
    Ok(Json(
        decision::start_adverse_action(&ctx.orders, &s.tenant, &id, reviewer(&s), &req).await?,
    ))
}

async fn cancel(
    State(ctx): State<ApiContext>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<Decision>> {
    reviewable(&ctx, &s, &id).await?;
    Ok(Json(
        decision::cancel_adverse_action(&ctx.orders, &s.tenant, &id, reviewer(&s)).await?,
    ))
}
