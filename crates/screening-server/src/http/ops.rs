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
use serde_json::json;

use crate::app::ApiContext;

pub fn router() -> Router<ApiContext> {
    Router::new()
        .route("/healthz", get(|| async { Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
}

/// A caller that may read the ops routes: loopback, or the ops token.
fn ops_caller(ctx: &ApiContext, parts: &Parts) -> bool {
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
    crate::crypto::ct_eq(given.trim().as_bytes(), token.as_bytes())
}

fn hidden() -> Response {
    super::error::Error::NotFound("Not found.".into()).into_response()
}

async fn readyz(State(ctx): State<ApiContext>, parts: Parts) -> Response {
    if !ops_caller(&ctx, &parts) {
        return hidden();
    }
    if ctx.db.ping().await {
        (StatusCode::OK, Json(json!({"status": "ready"}))).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "database unreachable"})),
        )
            .into_response()
    }
}

async fn metrics(State(ctx): State<ApiContext>, parts: Parts) -> Response {
    if !ops_caller(&ctx, &parts) {
        return hidden();
    }
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
