//! HTTP surface: one router per area, shared middleware (body limit, timeout, request
//! logging without PII, metrics).

pub mod ats;
pub mod auth;
pub mod auth_cache;
pub mod client;
pub mod demo;
pub mod error;
pub mod login_guard;
pub mod ops;
pub mod review;
pub mod serve;
pub mod spend;
pub mod state;
pub mod static_files;
pub mod webhooks;
pub mod widget;
pub mod widget_assets;

use std::time::Instant;

use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use screening_metrics::HttpLabels;
use screening_wire::{ErrorBody, ErrorCode};
use tower_http::timeout::TimeoutLayer;

use state::AppState;

pub fn router(ctx: AppState) -> Router {
    let mut app = Router::new()
        .merge(ops::router())
        .merge(ats::router())
        .merge(webhooks::router())
        .merge(widget::router(ctx.clone()))
        .merge(static_files::router(&ctx));
    if ctx.config.demo {
        app = app.merge(demo::router());
    }
    app.layer(DefaultBodyLimit::max(ctx.config.body_limit))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            ctx.config.request_timeout,
        ))
        .layer(middleware::from_fn(json_errors))
        .layer(middleware::from_fn_with_state(ctx.clone(), observe))
        .with_state(ctx)
}

/// Logs method, route template (never the raw path: it may carry a result-link token),
/// status and latency; counts requests per route and status.
async fn observe(State(ctx): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().clone();
    let start = Instant::now();
    let res = next.run(req).await;
    let status = res.status().as_u16();
    ctx.metrics.http_requests.inc(HttpLabels {
        route: route.clone(),
        status,
    });
    tracing::info!(method = %method, route = %route, status, latency_ms = start.elapsed().as_millis() as u64, "request");
    res
}

/// API routes answer every error as `ErrorBody`, including the ones produced by the
/// framework (unknown route, wrong method, timeout, body limit on raw-body routes).
async fn json_errors(req: Request, next: Next) -> Response {
    let api = ["/ats/", "/widget/", "/webhooks/", "/demo/"]
        .iter()
        .any(|p| req.uri().path().starts_with(p));
    let res = next.run(req).await;
    let status = res.status();
    let is_json = res
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || status.as_u16() < 400 || is_json {
        return res;
    }
    let (message, code) = match status.as_u16() {
        404 => ("No such API route.", ErrorCode::NotFound),
        405 => (
            "This method is not allowed on this route.",
            ErrorCode::BadRequest,
        ),
        408 => (
            "The request took too long; please retry.",
            ErrorCode::UpstreamUnavailable,
        ),
        413 => ("The request body is too large.", ErrorCode::PayloadTooLarge),
        415 => ("Send the body as application/json.", ErrorCode::BadRequest),
        s if s >= 500 => ("Internal error; please retry.", ErrorCode::Internal),
        _ => ("The request could not be processed.", ErrorCode::BadRequest),
    };
    let mut out = (status, axum::Json(ErrorBody::new(message).with_code(code))).into_response();
    for (k, v) in res.headers() {
        if k != axum::http::header::CONTENT_TYPE && k != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().insert(k.clone(), v.clone());
        }
    }
    out
}
