//! The HTTP surface: router, `Account` authentication, JSON body parsing, fault middleware,
//! the 404/405 fallbacks and panic catching.

pub mod accounts;
pub mod adverse;
pub mod candidates;
pub mod control;
pub mod embed;
pub mod error;
pub mod invitations;
pub mod reports;
pub mod web_tokens;
pub mod webhooks;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::{Map, Value};

use crate::faults::Fault;
use crate::Shared;
pub use error::{ApiError, FieldErrors};

pub type ApiResult<T = Response> = Result<T, ApiError>;

pub fn router(state: Shared, body_limit: usize) -> Router {
    // Each route answers only the methods the reference gives it (or, where the reference
    // names the operation but not its method, the one method chosen here); any other is 405.
    // Reference-only mode leaves out the routes the sandbox inferred.
    let inferred = !state.reference_only;
    let webhooks = post(webhooks::create);
    let webhooks = if inferred {
        webhooks.get(webhooks::list)
    } else {
        webhooks
    };
    let adverse_actions = post(adverse::create);
    let adverse_actions = if inferred {
        adverse_actions.get(adverse::list)
    } else {
        adverse_actions
    };
    let mut r = Router::new()
        .route("/accounts", get(accounts::list))
        .route("/accounts/{id}", get(accounts::get))
        .route("/accounts/{id}/account_packages", get(accounts::packages))
        .route("/accounts/{id}/webhooks", webhooks)
        .route(
            "/accounts/{id}/webhooks/{webhook_id}",
            get(webhooks::get).delete(webhooks::delete),
        )
        .route("/webhook_types", get(webhooks::types))
        .route(
            "/candidates",
            get(candidates::list).post(candidates::create),
        )
        .route(
            "/candidates/{id}",
            get(candidates::get).patch(candidates::update),
        )
        .route(
            "/invitations",
            get(invitations::list).post(invitations::create),
        )
        .route(
            "/invitations/{id}",
            get(invitations::get).delete(invitations::delete),
        )
        .route("/invitations/{id}/cancel", post(invitations::cancel))
        .route("/invitations/{id}/refresh", post(invitations::refresh))
        .route("/reports", get(reports::list).post(reports::create))
        .route("/reports/{id}", get(reports::get))
        .route(
            "/candidates/{id}/approve_by_report",
            axum::routing::patch(adverse::approve_by_report),
        )
        .route("/reports/{id}/adverse_actions", adverse_actions);
    if inferred {
        r = r
            .route("/reports/{id}/adverse_actions/{aa_id}", get(adverse::get))
            .route(
                "/reports/{id}/adverse_actions/{aa_id}/cancel",
                post(adverse::cancel),
            );
    }
    r.route("/web_tokens", post(web_tokens::create))
        // control surface (not part of Yardstik)
        .route(
            "/sandbox/invitations/{id}/complete",
            post(control::complete_invitation),
        )
        .route(
            "/sandbox/invitations/{id}/expire",
            post(control::expire_invitation),
        )
        .route(
            "/sandbox/invitations/{id}/status",
            post(control::set_invitation_status),
        )
        .route(
            "/sandbox/invitations/{id}/apply_url",
            post(control::set_apply_url),
        )
        .route(
            "/sandbox/reports/{id}/complete",
            post(control::complete_report),
        )
        .route(
            "/sandbox/reports/{id}/status",
            post(control::set_report_status),
        )
        .route("/sandbox/reports/{id}/advance", post(adverse::advance))
        .route(
            "/sandbox/accounts/{id}/adverse_action_settings",
            post(control::set_adverse_action_settings),
        )
        .route(
            "/sandbox/faults",
            get(control::get_faults)
                .post(control::set_faults)
                .delete(control::clear_faults),
        )
        .route("/sandbox/webhook_deliveries", get(control::deliveries))
        .route("/sandbox/webhook_queue", get(control::webhook_queue))
        .route("/sandbox/health", get(control::health))
        // app origin pages
        .route("/embed/report/{id}", get(embed::report_page))
        .route(
            "/embed/signDisclosures/{account_id}",
            get(embed::disclosures_page),
        )
        .route(
            "/embed/signDisclosures/{account_id}/consent",
            post(embed::disclosures_consent),
        )
        .route(
            "/candidates/{id}/apply",
            get(embed::apply_page).post(embed::apply_submit),
        )
        .route("/candidates/{id}/apply/started", post(embed::apply_started))
        .route("/assets/{file}", get(embed::asset))
        .route("/", get(embed::index))
        .fallback(fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            faults_mw,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            panic_response,
        ))
        .with_state(state)
}

async fn fallback(uri: Uri) -> ApiError {
    ApiError::route_not_found(uri.path())
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "Method Not Allowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Internal Server Error",
        "An unexpected error occurred",
    )
    .into_response()
}

async fn faults_mw(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let faults = {
        let mut rules = crate::webhook_sender::lock(&state.faults);
        if rules.is_empty() {
            vec![]
        } else {
            crate::faults::pick(&mut rules, req.method().as_str(), req.uri().path())
        }
    };
    for f in faults {
        match f {
            Fault::Latency(d) => tokio::time::sleep(d).await,
            Fault::Error => {
                return ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Internal Server Error",
                    "Injected fault (sandbox)",
                )
                .into_response()
            }
            Fault::Reject => {
                return ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "Resource not created",
                    "Injected refusal (sandbox)",
                )
                .into_response()
            }
            Fault::RateLimit { retry_after_secs } => {
                let mut r = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too Many Requests",
                    "Injected rate limit (sandbox)",
                )
                .into_response();
                r.headers_mut()
                    .insert("retry-after", HeaderValue::from(retry_after_secs));
                return r;
            }
            Fault::Drop => return dropped_connection(),
        }
    }
    next.run(req).await
}

/// A response whose body fails at once: hyper aborts the connection, so the client sees a
/// closed connection instead of an answer.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "injected drop",
        ))
    });
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut()
        .insert("connection", HeaderValue::from_static("close"));
    r
}

/// The calling account, from `Authorization: Account <key>` (the account's keys) or
/// `Authorization: User <key>` (the scheme the reference shows for generated API keys; the
/// same keys here).
#[derive(Debug, Clone)]
pub struct Auth {
    pub account_id: String,
    pub account_name: String,
    features: Vec<(String, bool)>,
}

impl Auth {
    /// 403 unless the account has `feature` (see the fixture's `features`).
    pub fn require(&self, feature: &str) -> Result<(), ApiError> {
        if self.features.iter().any(|(f, on)| f == feature && !on) {
            return Err(
                ApiError::forbidden(format!("This API key is not allowed to {feature}"))
                    .with_meta(serde_json::json!({ "feature": feature })),
            );
        }
        Ok(())
    }
}

impl FromRequestParts<Shared> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        let mut it = header.trim().splitn(2, ' ');
        let scheme = it.next().unwrap_or("");
        let key = it.next().unwrap_or("").trim();
        let known = scheme.eq_ignore_ascii_case("Account") || scheme.eq_ignore_ascii_case("User");
        if !known || key.is_empty() {
            return Err(ApiError::unauthorized());
        }
        let st = state.store();
        let acct = st.account_by_key(key).ok_or_else(ApiError::unauthorized)?;
        let features = crate::fixture::FEATURES
            .iter()
            .map(|(f, _)| (f.to_string(), acct.has_feature(f)))
            .collect();
        Ok(Auth {
            account_id: acct.id.clone(),
            account_name: acct.account_name.clone(),
            features,
        })
    }
}

/// A JSON object body. Empty body → `{}`; malformed JSON or a non-object → 400; too large → 413.
#[derive(Debug, Clone, Default)]
pub struct JsonBody(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            let status = rej.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(status, "Payload Too Large", "The request body is too large")
            } else {
                ApiError::new(status, "Bad Request", rej.body_text())
            }
        })?;
        parse_json_object(&bytes).map(JsonBody)
    }
}

pub fn parse_json_object(bytes: &[u8]) -> Result<Map<String, Value>, ApiError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::bad_request(format!("Malformed JSON: {e}"))),
    }
}

/// Optional string field: absent → Ok(None), null → Ok(Some(None)), string → Ok(Some(Some)).
pub fn opt_str(
    body: &Map<String, Value>,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<Option<String>> {
    match body.get(field) {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.trim().to_string())),
        Some(Value::Number(n)) => Some(Some(n.to_string())),
        Some(_) => {
            errors.add(field, "must be a string");
            None
        }
    }
}

pub fn json_response(status: StatusCode, v: Value) -> Response {
    (status, axum::Json(v)).into_response()
}

pub fn ok(v: Value) -> ApiResult {
    Ok(json_response(StatusCode::OK, v))
}

/// Path parameters as strings, with rejections in the reference's error shape.
#[derive(Debug, Clone)]
pub struct Ids(pub Vec<String>);

impl Ids {
    pub fn first(&self) -> &str {
        self.0.first().map(String::as_str).unwrap_or("")
    }
    pub fn second(&self) -> &str {
        self.0.get(1).map(String::as_str).unwrap_or("")
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<Vec<String>>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Ids(v)),
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// The list parameters of a request (reference-only mode keeps only the predicates the
/// reference shows, on `created_at` and `updated_at`; the others are ignored).
pub fn list_params(state: &Shared, raw: Option<&str>) -> crate::list::ListParams {
    let mut p = crate::list::ListParams::parse(raw);
    if state.reference_only {
        p.filters
            .retain(|f| crate::list::REFERENCE_FILTER_FIELDS.contains(&f.field.as_str()));
    }
    p
}

/// Decoded query string pairs.
pub fn query_pairs(raw: Option<&str>) -> Vec<(String, String)> {
    raw.map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

pub fn query_get(raw: Option<&str>, key: &str) -> Option<String> {
    query_pairs(raw)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}
