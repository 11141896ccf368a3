//! The widget API (routes exactly as in `screening_wire::widget`).
//!
//! `POST /widget/sessions` is server to server (tenant Basic credentials, no CORS). Every
//! other route takes `Authorization: Bearer <session>` and answers CORS only for the
//! tenant's configured `widget_origins` (and this server's own origin, for the result page).

use axum::extract::{Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use screening_wire::{
    ApplyLink, Capability, DisclosuresToken, OrderState, PackageList, ReportToken,
    ReportTokenRequest, SessionRequest, SessionResponse, WidgetOrderRequest,
    IDEMPOTENCY_KEY_HEADER,
};

use super::auth::{session_not_found, BasicTenant, JsonBody, WidgetSession};
use super::error::{Error, Result};
use super::state::AppState;
use crate::orders::place::{place, PlaceRequest, WIDGET_ID_PREFIX};
use crate::orders::view::load_state;
use crate::orders::widget::ReportPick;
use crate::tokens::{Claims, Purpose};
use screening_model::tenant::Tenant;

pub fn router(ctx: AppState) -> Router<AppState> {
    // What spends Yardstik calls or money: per-session and per-tenant limits (`spend`).
    let spending = Router::new()
        .route("/widget/orders", post(create_order))
        .route(
            "/widget/orders/{background_check_id}/apply",
            get(apply_link),
        )
        .route("/widget/tokens/report", post(report_token))
        .route("/widget/tokens/disclosures", post(disclosures_token))
        .merge(super::review::routes())
        .route_layer(middleware::from_fn_with_state(ctx.clone(), spend_limit));
    let bearer_routes = Router::new()
        .route("/widget/packages", get(packages))
        .route("/widget/orders/{background_check_id}", get(show_order))
        .merge(super::review::progress_routes())
        .merge(spending)
        .route_layer(middleware::from_fn_with_state(ctx, cors));
    Router::new()
        .route("/widget/sessions", post(create_session))
        .merge(bearer_routes)
}

/// Mint a session token (also used by the demo and the result page). Refuses requests
/// that make no sense: an empty or overlong id, a `candidate` session without its one
/// order or combined with anything else.
pub fn mint_session(
    ctx: &AppState,
    tenant: &Tenant,
    req: &SessionRequest,
) -> Result<SessionResponse> {
    for (field, v) in [
        ("applicant_id", &req.applicant_id),
        ("background_check_id", &req.background_check_id),
        ("reviewer_id", &req.reviewer_id),
    ] {
        if v.as_deref().is_some_and(|s| {
            s.is_empty() || s.chars().count() > screening_wire::validate::MAX_ID_LEN
        }) {
            return Err(Error::field(
                field,
                format!("{field} must be 1 to 128 characters when given."),
            ));
        }
    }
    let mut caps: Vec<Capability> = Vec::new();
    for c in &req.capabilities {
        if !caps.contains(c) {
            caps.push(*c);
        }
    }
    if caps.contains(&Capability::Candidate) {
        if caps.len() > 1 {
            return Err(Error::field(
                "capabilities",
                "A candidate session cannot have other capabilities: ask for [\"candidate\"] alone.",
            ));
        }
        if req.background_check_id.is_none() {
            return Err(Error::field(
                "background_check_id",
                "A candidate session is for one order: give its background_check_id.",
            ));
        }
    }
    if caps.contains(&Capability::View) && req.background_check_id.is_none() {
        return Err(Error::field(
            "background_check_id",
            "A view session is for one order: give its background_check_id.",
        ));
    }
    let ttl = req
        .ttl_seconds
        .map(|s| std::time::Duration::from_secs(s.max(30)))
        .unwrap_or(ctx.config.session_ttl)
        .min(ctx.config.session_max_ttl);
    let exp = ctx.now_secs() + ttl.as_secs() as i64;
    let claims = Claims {
        t: tenant.id.clone(),
        a: req.applicant_id.clone(),
        o: req.background_check_id.clone(),
        exp,
        c: caps,
        g: tenant.generation(),
        r: req.reviewer_id.clone(),
        v: 0,
    };
    Ok(SessionResponse {
        token: ctx.signer.sign(Purpose::WidgetSession, &claims),
        expires_at: chrono::DateTime::<chrono::Utc>::from_timestamp(exp, 0)
            .unwrap_or_default()
            .to_rfc3339(),
        expires_in: ttl.as_secs(),
    })
}

async fn create_session(
    State(ctx): State<AppState>,
    BasicTenant(tenant): BasicTenant,
    JsonBody(req): JsonBody<SessionRequest>,
) -> Result<(StatusCode, Json<SessionResponse>)> {
    Ok((
        StatusCode::CREATED,
        Json(mint_session(&ctx, &tenant, &req)?),
    ))
}

/// The spending limits (`spend`) on the routes that spend Yardstik calls or money: a
/// request whose session token does not verify passes through (the route answers 401).
async fn spend_limit(State(ctx): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .map(str::to_string);
    let Some(token) = token else {
        return next.run(req).await;
    };
    let Ok(claims) = ctx
        .signer
        .verify(Purpose::WidgetSession, &token, ctx.now_secs())
    else {
        return next.run(req).await;
    };
    let tenant = ctx.tenants.by_id_for_events(&claims.t).await.ok().flatten();
    let now_ms = ctx.orders.clock.now_ms();
    match ctx.spend.check(
        &token,
        &claims.t,
        tenant.as_ref().map(|t| &t.settings),
        now_ms,
    ) {
        Ok(()) => next.run(req).await,
        Err((scope, secs)) => {
            ctx.metrics.rate_limited.inc(scope);
            Error::SpendLimited(scope, secs).into_response()
        }
    }
}

/// CORS for bearer routes. Preflights are answered for any configured origin of any
/// tenant (a preflight carries no credentials); real requests only for the session's
/// tenant's origins. A disallowed Origin gets 403 and no CORS headers.
async fn cors(State(ctx): State<AppState>, req: Request, next: Next) -> Response {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim_end_matches('/').to_string());
    let Some(origin) = origin else {
        return next.run(req).await;
    };
    let own = ctx.public_url.eq_ignore_ascii_case(&origin);
    if req.method() == Method::OPTIONS {
        let known = own || ctx.origins.any_allows(&origin);
        if !known {
            return (StatusCode::FORBIDDEN, "origin not allowed").into_response();
        }
        let mut res = StatusCode::NO_CONTENT.into_response();
        let h = res.headers_mut();
        allow(h, &origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, idempotency-key"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        return res;
    }
    let allowed = own || {
        let token = req
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        session_tenant_allows(&ctx, token.as_deref(), &origin)
    };
    if !allowed {
        tracing::warn!("widget request from a disallowed origin refused");
        return Error::Forbidden(
            "This origin is not allowed to use the widget API for this account.".into(),
        )
        .into_response();
    }
    let mut res = next.run(req).await;
    allow(res.headers_mut(), &origin);
    res
}

fn allow(h: &mut HeaderMap, origin: &str) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        h.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// The session's tenant allows `origin`. For an unreadable or expired token any tenant's
/// origin is enough, so that the widget can read its 401 `session_expired` answer.
fn session_tenant_allows(ctx: &AppState, authorization: Option<&str>, origin: &str) -> bool {
    let token = authorization
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    if let Some(Ok(claims)) =
        token.map(|t| ctx.signer.verify(Purpose::WidgetSession, t, ctx.now_secs()))
    {
        return ctx.origins.tenant_allows(&claims.t, origin);
    }
    ctx.origins.any_allows(origin)
}

async fn packages(State(ctx): State<AppState>, s: WidgetSession) -> Result<Json<PackageList>> {
    s.require(Capability::Order)?;
    Ok(Json(ctx.orders.package_list(&s.tenant).await?))
}

async fn create_order(
    State(ctx): State<AppState>,
    s: WidgetSession,
    headers: HeaderMap,
    JsonBody(mut order): JsonBody<WidgetOrderRequest>,
) -> Result<(StatusCode, Json<OrderState>)> {
    s.require(Capability::Order)?;
    let key = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if key.is_some_and(|k| k.len() > 255) {
        return Err(Error::BadRequest(
            "Idempotency-Key must be at most 255 characters.".into(),
        ));
    }
    // Scope: an order-scoped session orders that id (the host's backend chose it); an
    // id chosen in the browser must stay out of the ATS's id space.
    match (&s.claims.o, &order.background_check_id) {
        (Some(o), None) => order.background_check_id = Some(o.clone()),
        (Some(o), Some(b)) if b != o => {
            return Err(Error::Forbidden(
                "This session may only place its own order.".into(),
            ))
        }
        (None, Some(b)) if !b.starts_with(WIDGET_ID_PREFIX) => {
            return Err(Error::field(
                "background_check_id",
                format!("An id chosen in the browser must start with \"{WIDGET_ID_PREFIX}\" (the ATS's own ids are reserved); leave it out to have one assigned, or have your backend bind the id to the session."),
            ))
        }
        _ => {}
    }
    if let Some(a) = &s.claims.a {
        if order.applicant.id.is_empty() {
            order.applicant.id = a.clone();
        } else if &order.applicant.id != a {
            return Err(Error::Forbidden(
                "This session may only order for its own applicant.".into(),
            ));
        }
    }
    let errors = screening_wire::validate::validate_widget_order(&order);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let req = PlaceRequest::from_widget(&s.tenant, order, key);
    let mut state = place(&ctx.orders, &s.tenant, req).await?;
    state.result_link_url = None;
    Ok((StatusCode::CREATED, Json(state)))
}

async fn show_order(
    State(ctx): State<AppState>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<OrderState>> {
    s.require_any(&[
        Capability::Order,
        Capability::Review,
        Capability::Candidate,
        Capability::View,
    ])?;
    s.see_order(&ctx.orders, &id).await?;
    let mut state = load_state(&ctx.orders, &s.tenant.id, &id)
        .await?
        .ok_or_else(|| session_not_found(&id))?;
    // The result link is the ATS's (it arrives with the result webhook and on
    // `GET /ats/orders/{id}`); a widget session never obtains one.
    state.result_link_url = None;
    if !s.has(Capability::Order) && !s.has(Capability::Review) {
        // Who ordered and for which job are the employer's: not for the candidate, nor
        // for whoever holds a result link.
        state.hiring_manager_user_id = None;
        state.hiring_manager = None;
        state.job = None;
    }
    if ![Capability::Order, Capability::Review, Capability::View]
        .iter()
        .any(|c| s.has(*c))
    {
        // The candidate's own view: nothing that opens the employer's report, and no
        // history notes (they name the hiring manager and carry decision notes).
        for item in &mut state.items {
            item.report_id = None;
        }
        for event in &mut state.history {
            event.detail = None;
        }
    }
    Ok(Json(state))
}

async fn apply_link(
    State(ctx): State<AppState>,
    s: WidgetSession,
    Path(id): Path<String>,
) -> Result<Json<ApplyLink>> {
    s.require(Capability::Candidate)?;
    s.see_order(&ctx.orders, &id).await?;
    // One intake per invitation, only those still open.
    let steps = ctx.orders.open_intake_steps(&s.tenant.id, &id).await?;
    let Some(first) = steps.first() else {
        return Err(Error::Conflict(
            "This order has no open Yardstik intake link (none yet: retry in a moment; or every form is submitted).".into(),
        ));
    };
    Ok(Json(ApplyLink {
        apply_url: first.apply_url.clone(),
        domain: first.origin.clone(),
        origins: ctx.orders.frame_origins().to_vec(),
        background_check_id: id,
        steps,
    }))
}

async fn report_token(
    State(ctx): State<AppState>,
    s: WidgetSession,
    JsonBody(req): JsonBody<ReportTokenRequest>,
) -> Result<Json<ReportToken>> {
    s.require_any(&[Capability::Review, Capability::View])?;
    let report_id = match (&req.background_check_id, &req.report_id) {
        (Some(b), _) => {
            s.see_order(&ctx.orders, b).await?;
            match ctx
                .orders
                .pick_report(&s.tenant.id, b, req.report_id.as_deref())
                .await?
            {
                ReportPick::Report(r) => r,
                ReportPick::NotThisOrders => {
                    return Err(Error::NotFound(
                        "That report does not belong to this order.".into(),
                    ))
                }
                ReportPick::NoneYet => {
                    return Err(Error::Conflict(
                        "This order has no Yardstik report yet.".into(),
                    ))
                }
            }
        }
        (None, Some(r)) => {
            let bcid = ctx
                .orders
                .order_of_report(&s.tenant.id, r)
                .await?
                .ok_or_else(|| session_not_found(r))?;
            s.see_order(&ctx.orders, &bcid).await?;
            r.clone()
        }
        (None, None) => {
            return Err(Error::field(
                "background_check_id",
                "Name the order (background_check_id) or the report_id.",
            ))
        }
    };
    let token = ctx.orders.yardstik_web_token(&s.tenant).await?;
    Ok(Json(ReportToken {
        token,
        domain: ctx.config.yardstik_app_origin.clone(),
        report_id,
    }))
}

async fn disclosures_token(
    State(ctx): State<AppState>,
    s: WidgetSession,
) -> Result<Json<DisclosuresToken>> {
    s.require(Capability::Disclosures)?;
    let token = ctx.orders.yardstik_web_token(&s.tenant).await?;
    Ok(Json(DisclosuresToken {
        token,
        domain: ctx.config.yardstik_app_origin.clone(),
        account_id: s.tenant.credentials.yardstik_account_id.clone(),
    }))
}
