//! Operations: health, readiness, Prometheus metrics, the OpenAPI document.
//!
//! `/metrics` and `/readyz` say how the deployment is doing (queue depths, failure counts,
//! whether the database answers): they answer callers on the same host (loopback), or
//! anyone presenting `Authorization: Bearer <SCREENING_OPS_TOKEN>` (compared in constant
//! time); everyone else gets 404, as if they were not there. `/healthz` (liveness, says
//! nothing) and `/openapi.json` stay public.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use screening_metrics::Queues;
use serde_json::json;

use super::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

/// A caller that may read the ops routes: loopback, or the ops token.
fn ops_caller(ctx: &AppState, parts: &Parts) -> bool {
    ops_allowed(
        parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|p| p.0.ip()),
        parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok()),
        ctx.config.ops_token.as_ref().map(|t| t.expose()),
    )
}

/// The rule, without the request: loopback peers, or `Bearer <token>` when one is set.
pub fn ops_allowed(peer: Option<IpAddr>, authorization: Option<&str>, token: Option<&str>) -> bool {
    if peer.is_some_and(|p| p.is_loopback()) {
        return true;
    }
    let (Some(token), Some(given)) = (token, authorization.and_then(|v| v.strip_prefix("Bearer ")))
    else {
        return false;
    };
    screening_model::crypto::ct_eq(given.trim().as_bytes(), token.as_bytes())
}

fn hidden() -> Response {
    super::error::Error::NotFound("Not found.".into()).into_response()
}

async fn readyz(State(ctx): State<AppState>, parts: Parts) -> Response {
    if !ops_caller(&ctx, &parts) {
        return hidden();
    }
    if ctx.health.ready().await {
        (StatusCode::OK, Json(json!({"status": "ready"}))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unreachable"})),
        )
            .into_response()
    }
}

async fn metrics(State(ctx): State<AppState>, parts: Parts) -> Response {
    if !ops_caller(&ctx, &parts) {
        return hidden();
    }
    let q = ctx.health.queue_depths().await;
    let body = ctx.metrics.render(Some(Queues {
        inbox_pending: q.inbox_pending,
        inbox_failed: q.inbox_failed,
        inbox_oldest_pending_secs: q.inbox_oldest_pending_secs,
        outbox_pending: q.outbox_pending,
        outbox_dead: q.outbox_dead,
    }));
    (
        [(header::CONTENT_TYPE, screening_metrics::CONTENT_TYPE)],
        body,
    )
        .into_response()
}

async fn openapi() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/json")],
        include_str!("../../openapi.json"),
    )
}

#[cfg(test)]
mod tests {
    use super::ops_allowed;

    #[test]
    fn who_may_read_the_ops_routes() {
        let lo = Some("127.0.0.1".parse().unwrap());
        let lo6 = Some("::1".parse().unwrap());
        let far = Some("203.0.113.9".parse().unwrap());
        let tok = Some("0123456789abcdef-ops");
        let table = [
            (lo, None, None, true),
            (lo6, None, None, true),
            (far, None, None, false),
            (far, Some("Bearer 0123456789abcdef-ops"), None, false),
            (far, Some("Bearer 0123456789abcdef-ops"), tok, true),
            (far, Some("Bearer wrong"), tok, false),
            (far, Some("Basic 0123456789abcdef-ops"), tok, false),
            (far, None, tok, false),
            (None, Some("Bearer 0123456789abcdef-ops"), tok, true),
        ];
        for (peer, auth, token, want) in table {
            assert_eq!(
                ops_allowed(peer, auth, token),
                want,
                "{peer:?} {auth:?} {token:?}"
            );
        }
    }
}
