//! Static files and the result page.
//!
//! `/` serves `SCREENING_WWW_DIR`; `/static/widget/` serves `SCREENING_WIDGET_DIR` (the
//! wasm-pack output), read once, content-hashed and precompressed (see `widget_assets`).
//! A missing directory just answers 404.
//! `/r/{token}` is the page behind `result_link_url`: it checks the signed link, mints a
//! widget session scoped to that order, and mounts `<screening-widget mode="report">` —
//! no inline script, a strict CSP, the Yardstik key never leaves the server.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use rand::RngCore;
use screening_wire::SessionRequest;
use tower_http::services::ServeDir;

use crate::app::ApiContext;
use crate::tokens::{Purpose, TokenError};

pub fn router(ctx: &ApiContext) -> Router<ApiContext> {
    Router::new()
        .route("/r/{token}", get(result_page))
        .route(
            "/static/widget/{*path}",
            get(super::widget_assets::serve).with_state(super::widget_assets::WidgetAssets::load(
                &ctx.config.widget_dir,
            )),
        )
        .fallback_service(ServeDir::new(&ctx.config.www_dir).append_index_html_on_directories(true))
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

async fn result_page(State(ctx): State<ApiContext>, Path(token): Path<String>) -> Response {
    let claims = match ctx.signer.verify(Purpose::ResultLink, &token, ctx.now_secs()) {
        Ok(c) => c,
        Err(TokenError::Expired) => {
            return message(StatusCode::GONE, "Link expired", "This result link has expired. Open the background check again from your applicant tracking system.")
        }
        Err(TokenError::Invalid) => return message(StatusCode::NOT_FOUND, "Not found", "This result link is not valid."),
    };
    let (Some(bcid), Ok(Some(tenant))) = (claims.o.clone(), ctx.db.tenant_by_id(&claims.t).await)
    else {
        return message(
            StatusCode::NOT_FOUND,
            "Not found",
            "This result link is not valid.",
        );
    };
    // A link issued before the tenant's secret was rotated no longer opens anything.
    if !crate::crypto::ct_eq(claims.g.as_bytes(), tenant.generation().as_bytes()) {
        return message(StatusCode::GONE, "Link expired", "This result link is no longer valid. Open the background check again from your applicant tracking system.");
    }
    // Exactly what the page needs: review, for this one order.
    let session = match crate::http::widget::mint_session(
        &ctx,
        &tenant,
        &SessionRequest {
            applicant_id: None,
            background_check_id: Some(bcid.clone()),
            ttl_seconds: None,
            capabilities: vec![screening_wire::Capability::Review],
            reviewer_id: None,
        },
    ) {
        Ok(s) => s,
        Err(_) => {
            return message(
                StatusCode::NOT_FOUND,
                "Not found",
                "This result link is not valid.",
            )
        }
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
</style>
<script type="module" src="/static/widget/screening-widget-element.js"></script>
</head>
<body>
<main>
<h1>Background check {bcid_html}</h1>
<screening-widget mode="report" server="{server}" token="{token}" background-check-id="{bcid_html}" nonce="{nonce}" full-screen="false"></screening-widget>
<noscript>This report needs JavaScript.</noscript>
</main>
</body>
</html>
"#,
        bcid_html = esc(&bcid),
        server = esc(&ctx.public_url),
        token = esc(&session.token),
    );
    page(StatusCode::OK, &csp, body)
}
