//! Operations: health, readiness, Prometheus metrics, the OpenAPI document.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::app::ApiContext;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

async fn readyz(State(ctx): State<ApiContext>) -> impl IntoResponse {
    if ctx.db.ping().await {
        (StatusCode::OK, Json(json!({"status": "ready"})))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unreachable"})),
        )
    }
}

async fn metrics(State(ctx): State<ApiContext>) -> impl IntoResponse {
    let (pending, dead) = ctx.db.outbox_counts().await.unwrap_or((-1, -1));
    let inbox = ctx
        .db
        .inbox_depth()
        .await
        .unwrap_or(crate::db::inbox::InboxDepth {
            pending: -1,
            failed: -1,
            oldest_pending_secs: -1,
        });
    let body = ctx.metrics.render(&[
        (
            "screening_inbox_pending",
            "Yardstik events waiting to be processed",
            inbox.pending,
        ),
        (
            "screening_inbox_failed",
            "Yardstik events whose retry budget ran out",
            inbox.failed,
        ),
        (
            "screening_inbox_oldest_pending_seconds",
            "Age of the oldest Yardstik event waiting to be processed",
            inbox.oldest_pending_secs,
        ),
        (
            "screening_outbox_pending",
            "Result webhooks waiting for delivery",
            pending,
        ),
        (
            "screening_outbox_dead",
            "Result webhooks dead-lettered",
            dead,
        ),
    ]);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../../openapi.json"),
    )
}
