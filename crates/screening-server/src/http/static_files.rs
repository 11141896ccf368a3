//! Static files and the result page.
//!
//! `/` serves `SCREENING_WWW_DIR` in demo mode only; `/static/widget/` serves `SCREENING_WIDGET_DIR` (the
//! wasm-pack output), read once, content-hashed and precompressed (see `widget_assets`).
//! A missing directory just answers 404. A release binary given neither directory serves
//! the files it carries (`embedded`).
//! `/r/{token}` is the page behind `result_link_url`: it checks the signed link and that
//! its order exists and was not revoked, shows the order's status and history, mints a
//! `view` session for that order (read-only: no decision) and mounts
//! `<screening-widget mode="report">` — no inline script, a strict CSP, the Yardstik key
//! never leaves the server.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use rand::RngCore;
use screening_wire::{OrderState, SessionRequest};
use tower_http::services::ServeDir;

use super::state::AppState;
use crate::orders::view::load_state;
use crate::tokens::{Purpose, TokenError};

pub fn router(ctx: &AppState) -> Router<AppState> {
    let widget = if ctx.config.built_in_files {
        super::widget_assets::WidgetAssets::embedded(crate::embedded::widget())
    } else {
        super::widget_assets::WidgetAssets::load(&ctx.config.widget_dir)
    };
    let router = Router::new().route("/r/{token}", get(result_page)).route(
        "/static/widget/{*path}",
        get(super::widget_assets::serve).with_state(widget),
    );
    // The demo ATS page: a demo's, never a deployment's.
    if !ctx.config.demo {
        router
    } else if ctx.config.built_in_files {
        router.fallback(built_in_www)
    } else {
        router.fallback_service(
            ServeDir::new(&ctx.config.www_dir).append_index_html_on_directories(true),
        )
    }
}

/// The demo page a release binary carries (`GET` and `HEAD`; 404 for anything else).
async fn built_in_www(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    if method != axum::http::Method::GET && method != axum::http::Method::HEAD {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    match crate::embedded::www(uri.path()) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::X_CONTENT_TYPE_OPTIONS,
                    HeaderValue::from_static("nosniff"),
                ),
            ],
            bytes,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "Not found").into_response(),
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

fn page(status: StatusCode, csp: &str, body: String) -> Response {
    let mut res = (status, Html(body)).into_response();
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(csp) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

const PLAIN_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

fn message(status: StatusCode, title: &str, text: &str) -> Response {
    page(
        status,
        PLAIN_CSP,
        format!("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head><body><h1>{t}</h1><p>{x}</p></body></html>", t = esc(title), x = esc(text)),
    )
}

/// The order's status (and result) in words.
fn status_line(state: &OrderState) -> String {
    match state.result {
        Some(r) => format!("{} ({})", state.status.label(), r.as_str()),
        None => state.status.label().to_string(),
    }
}

/// The order's history as list items: when, the status, what happened.
fn history_items(state: &OrderState) -> String {
    state
        .history
        .iter()
        .map(|e| {
            let what = match (&e.result, &e.detail) {
                (Some(r), Some(d)) => format!("{} ({}): {d}", e.status.label(), r.as_str()),
                (Some(r), None) => format!("{} ({})", e.status.label(), r.as_str()),
                (None, Some(d)) => format!("{}: {d}", e.status.label()),
                (None, None) => e.status.label().to_string(),
            };
            format!(
                "<li><time datetime=\"{at}\">{at}</time> {what}</li>\n",
                at = esc(&e.at),
                what = esc(&what)
            )
        })
        .collect()
}

async fn result_page(State(ctx): State<AppState>, Path(token): Path<String>) -> Response {
    let invalid = || {
        message(
            StatusCode::NOT_FOUND,
            "Not found",
            "This result link is not valid.",
        )
    };
    let claims = match ctx
        .signer
        .verify(Purpose::ResultLink, &token, ctx.now_secs())
    {
        Ok(c) => c,
        Err(TokenError::Expired | TokenError::Invalid) => return invalid(),
    };
    let (Some(bcid), Ok(Some(tenant))) = (claims.o.clone(), ctx.tenants.by_id(&claims.t).await)
    else {
        return invalid();
    };
    // The link opens while its order exists, unless an operator revoked it.
    let epoch = match ctx.orders.result_link_epoch(&tenant.id, &bcid).await {
        Ok(Some(e)) => e,
        Ok(None) => return invalid(),
        Err(e) => {
            tracing::error!(error = %e.summary(), "cannot read the order of a result link");
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "The background check cannot be shown right now. Try again in a moment.",
            );
        }
    };
    if epoch != claims.v {
        return message(StatusCode::GONE, "Link revoked", "This result link was revoked. Open the background check again from your applicant tracking system.");
    }
    let state = match load_state(&ctx.orders, &tenant.id, &bcid).await {
        Ok(Some(s)) => s,
        Ok(None) => return invalid(),
        Err(e) => {
            tracing::error!(error = %e, "cannot read the order of a result link");
            return message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "The background check cannot be shown right now. Try again in a moment.",
            );
        }
    };
    // Exactly what the page needs: the read-only view of this one order (no decision).
    let session = match crate::http::widget::mint_session(
        &ctx,
        &tenant,
        &SessionRequest {
            applicant_id: None,
            background_check_id: Some(bcid.clone()),
            ttl_seconds: None,
            capabilities: vec![screening_wire::Capability::View],
            reviewer_id: None,
        },
    ) {
        Ok(s) => s,
        Err(_) => return invalid(),
    };
    let mut n = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut n);
    let nonce = base64::engine::general_purpose::STANDARD.encode(n);
    let app = &ctx.config.yardstik_app_origin;
    let csp = format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'nonce-{nonce}'; connect-src 'self'; \
         img-src 'self' data:; frame-src {app}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    );
    let body = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Background check {bcid_html}</title>
<style nonce="{nonce}">
body{{margin:0;background:#f5f7fa;color:#1a2233;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}}
main{{max-width:860px;margin:2rem auto;padding:0 1rem}}
h1{{font-size:1.25rem;font-weight:600;margin:0 0 1rem}}
h2{{font-size:1rem;font-weight:600;margin:1.5rem 0 .5rem}}
ol{{padding-left:1.25rem}}
</style>
<script type="module" src="/static/widget/screening-widget-element.js"></script>
</head>
<body>
<main>
<h1>Background check {bcid_html}</h1>
<p id="order-status">Status: <strong>{status_html}</strong></p>
<screening-widget mode="report" server="{server}" token="{token}" background-check-id="{bcid_html}" nonce="{nonce}" full-screen="false"></screening-widget>
<noscript>This report needs JavaScript.</noscript>
<h2>History</h2>
<ol id="order-history">
{history_html}</ol>
</main>
</body>
</html>
"#,
        bcid_html = esc(&bcid),
        status_html = esc(&status_line(&state)),
        history_html = history_items(&state),
        server = esc(&ctx.public_url),
        token = esc(&session.token),
    );
    page(StatusCode::OK, &csp, body)
}
