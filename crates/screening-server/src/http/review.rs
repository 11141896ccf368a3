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
use super::state::AppState;
use crate::orders::decision::{self, Reviewer};
use crate::orders::Orders;

/// The decision routes and the candidate's report (they spend Yardstik calls).
pub fn routes() -> Router<AppState> {
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
}

/// The candidate's progress: read from the database only (the widget polls it), so not
/// among the spending routes.
pub fn progress_routes() -> Router<AppState> {
    Router::new().route(
        "/widget/orders/{background_check_id}/progress",
        get(candidate_progress),
    )
}

/// The candidate's progress (a `candidate` session, its one order): per ordered package its
/// name and stage, from the database (the widget polls it).
async fn candidate_progress(
    State(orders): State<Orders>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<CandidateStatus>> {
    s.require(Capability::Candidate)?;
    s.see_order(&orders, &id).await?;
    Ok(Json(
        crate::orders::view::candidate_status(&orders, &s.tenant, &id).await?,
    ))
}

/// The candidate's own report (a `candidate` session, its one order).
async fn candidate_report(
    State(ctx): State<AppState>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<CandidateReport>> {
    s.require(Capability::Candidate)?;
    s.see_order(&ctx.orders, &id).await?;
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
async fn reviewable(orders: &Orders, s: &WidgetSession, id: &str) -> Result<()> {
    s.require(Capability::Review)?;
    s.see_order(orders, id).await
}

/// Who decides: a decision needs a `review` session the host minted for a person (its
/// `reviewer_id`), which is recorded with it; 403 otherwise.
fn reviewer(s: &WidgetSession) -> Result<Reviewer<'_>> {
    match s.claims.r.as_deref() {
        Some(r) => Ok(Reviewer(Some(r))),
        None => Err(super::error::Error::Forbidden(
            "A decision needs a review session minted by the host for the person deciding: give reviewer_id in POST /widget/sessions.".into(),
        )),
    }
}

async fn show(
    State(orders): State<Orders>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<Decision>> {
    reviewable(&orders, &s, &id).await?;
    Ok(Json(decision::decision(&orders, &s.tenant, &id).await?))
}

async fn proceed(
    State(orders): State<Orders>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<Decision>> {
    reviewable(&orders, &s, &id).await?;
    Ok(Json(
        decision::proceed(&orders, &s.tenant, &id, reviewer(&s)?).await?,
    ))
}

async fn start(
    State(orders): State<Orders>,
    s: WidgetSession,
    Path(id): Path<String>,
    JsonBody(req): JsonBody<StartAdverseAction>,
) -> Result<Json<Decision>> {
    reviewable(&orders, &s, &id).await?;
    Ok(Json(
        decision::start_adverse_action(&orders, &s.tenant, &id, reviewer(&s)?, &req).await?,
    ))
}

async fn cancel(
    State(orders): State<Orders>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<Decision>> {
    reviewable(&orders, &s, &id).await?;
    Ok(Json(
        decision::cancel_adverse_action(&orders, &s.tenant, &id, reviewer(&s)?).await?,
    ))
}
