//! Extractors: ATS Basic auth, widget Bearer sessions, and JSON bodies with the ATS's
//! error semantics (400 malformed, 422 wrong shape, 413 too large).

use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;

use super::error::Error;
use super::state::AppState;
use crate::orders::Orders;
use crate::tokens::{Claims, Purpose, TokenError};
use screening_model::crypto::verify_secret;
use screening_model::tenant::Tenant;
use screening_wire::Capability;

use super::login_guard::{account_key, Refusal};
use screening_model::tenant::MAX_ATS_ACCOUNT_ID_LEN;

/// Longest API secret read (generated ones are far shorter): Argon2 is not run on more.
const MAX_SECRET_LEN: usize = 1024;

const BAD_BASIC: &str =
    "Missing or wrong credentials: send HTTP Basic authentication with your account id and API secret.";

/// A hash of a random secret, verified when the account id is unknown so that unknown and
/// known accounts take the same time.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(
        || screening_model::crypto::hash_secret(&screening_model::crypto::random_secret()),
    )
}

pub async fn basic_tenant(ctx: &AppState, parts: &Parts) -> Result<Tenant, Error> {
    let value = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err(Error::Unauthorized(BAD_BASIC.into()));
    };
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok());
    let Some((user, secret)) = decoded.as_deref().and_then(|s| s.split_once(':')) else {
        return Err(Error::Unauthorized(BAD_BASIC.into()));
    };
    let address = super::client::client_ip(parts, &ctx.config.trusted_proxies);
    let cache = &ctx.auth_cache;
    // Longer than any account id or secret may be: refused unread (no lookup, no counter
    // keyed by the caller's text).
    if user.is_empty() || user.len() > MAX_ATS_ACCOUNT_ID_LEN || secret.len() > MAX_SECRET_LEN {
        cache.guard.check(address, &[0; 32]).map_err(refusal)?;
        cache.guard.failed(address, None);
        return Err(Error::Unauthorized(BAD_BASIC.into()));
    }
    let account = account_key(user);
    let tenant = ctx.tenants.by_ats_account(user).await?;
    if let Some(t) = &tenant {
        if cache.recently_verified(t, secret).await {
            cache.guard.succeeded(address, &account);
            return Ok(tenant.expect("checked"));
        }
    }
    cache.guard.check(address, &account).map_err(refusal)?;
    let Some(tenant) = tenant else {
        let _slot = cache.guard.slot().await.map_err(refusal)?;
        let s = secret.to_string();
        let _ = tokio::task::spawn_blocking(move || verify_secret(&s, dummy_hash())).await;
        cache.guard.failed(address, Some(&account));
        return Err(Error::Unauthorized(BAD_BASIC.into()));
    };
    if !cache.verify(&tenant, secret).await.map_err(refusal)? {
        cache.guard.failed(address, Some(&account));
        tracing::warn!("ATS login with a wrong secret refused");
        return Err(Error::Unauthorized(BAD_BASIC.into()));
    }
    cache.guard.succeeded(address, &account);
    Ok(tenant)
}

fn refusal(r: Refusal) -> Error {
    match r {
        Refusal::TooManyFailures(secs) => Error::RateLimited(secs),
        Refusal::Busy(secs) => Error::Busy(secs),
    }
}

/// The tenant behind valid ATS Basic credentials.
pub struct BasicTenant(pub Tenant);

impl<S> FromRequestParts<S> for BasicTenant
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let ctx = AppState::from_ref(state);
        basic_tenant(&ctx, parts).await.map(BasicTenant)
    }
}

/// A valid widget session (Bearer token) and its tenant.
pub struct WidgetSession {
    pub tenant: Tenant,
    pub claims: Claims,
}

impl WidgetSession {
    pub fn has(&self, cap: Capability) -> bool {
        self.claims.c.contains(&cap)
    }

    /// 403 unless the session has `cap`.
    pub fn require(&self, cap: Capability) -> Result<(), Error> {
        self.require_any(&[cap])
    }

    /// 403 unless the session has one of `caps`.
    pub fn require_any(&self, caps: &[Capability]) -> Result<(), Error> {
        if caps.iter().any(|c| self.has(*c)) {
            return Ok(());
        }
        let names: Vec<&str> = caps.iter().map(|c| c.as_str()).collect();
        Err(Error::Forbidden(format!(
            "This session may not do this: it needs the {} capability (ask for it in POST /widget/sessions).",
            names.join(" or ")
        )))
    }

    /// 404 unless this session may see order `id` (no existence leak).
    pub async fn see_order(&self, orders: &Orders, id: &str) -> Result<(), Error> {
        let applicant = orders
            .order_applicant(&self.tenant.id, id)
            .await?
            .ok_or_else(|| session_not_found(id))?;
        if !self.may_see(id, applicant.as_deref()) {
            return Err(session_not_found(id));
        }
        Ok(())
    }

    /// May this session see the order `bcid` of applicant `applicant_id`?
    pub fn may_see(&self, bcid: &str, applicant_id: Option<&str>) -> bool {
        self.claims.o.as_deref().is_none_or(|o| o == bcid)
            && self
                .claims
                .a
                .as_deref()
                .is_none_or(|a| Some(a) == applicant_id)
    }
}

/// The 404 of an order a session may not see, or that does not exist.
pub fn session_not_found(id: &str) -> Error {
    Error::NotFound(format!("No background check {id} for this session."))
}

pub fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
}

impl<S> FromRequestParts<S> for WidgetSession
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let ctx = AppState::from_ref(state);
        let token = bearer(parts).ok_or_else(|| {
            Error::Unauthorized(
                "Missing session: send Authorization: Bearer <token from POST /widget/sessions>."
                    .into(),
            )
        })?;
        let claims = match ctx
            .signer
            .verify(Purpose::WidgetSession, token, ctx.now_secs())
        {
            Ok(c) => c,
            Err(TokenError::Expired) => return Err(Error::SessionExpired),
            Err(TokenError::Invalid) => {
                return Err(Error::Unauthorized(
                    "The session token is not valid.".into(),
                ))
            }
        };
        let tenant =
            ctx.tenants.by_id(&claims.t).await?.ok_or_else(|| {
                Error::Unauthorized("The session's account no longer exists.".into())
            })?;
        if !screening_model::crypto::ct_eq(claims.g.as_bytes(), tenant.generation().as_bytes()) {
            return Err(Error::Unauthorized(
                "The session is no longer valid: the account's credentials changed. Request a new session."
                    .into(),
            ));
        }
        Ok(WidgetSession { tenant, claims })
    }
}

/// JSON body: malformed JSON → 400, JSON of the wrong shape → 422, too large → 413.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = Error;
    async fn from_request(req: Request, state: &S) -> Result<Self, Error> {
        if !is_json(req.headers()) {
            return Err(Error::UnsupportedMediaType);
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    Error::PayloadTooLarge
                } else {
                    Error::BadRequest("Could not read the request body.".into())
                }
            })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// `Content-Type: application/json` (parameters such as `charset` allowed). Requiring it
/// also closes cross-site `text/plain` form posts.
fn is_json(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
}

/// Every JSON body of this API is an object: an empty body is 400, any other JSON value
/// (serde would read an array as a struct's fields in order) is 422.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        None => {
            return Err(Error::BadRequest(
                "The request needs a JSON object body.".into(),
            ))
        }
        Some(b'{') => {}
        Some(_) => {
            if serde_json::from_slice::<serde::de::IgnoredAny>(bytes).is_ok() {
                return Err(Error::Unprocessable(
                    "Invalid request: the body must be a JSON object.".into(),
                ));
            }
        }
    }
    parse_any_json(bytes)
}

fn parse_any_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed: Result<T, (serde_json::Error, String)> = serde_path_to_error::deserialize(&mut de)
        .map_err(|e| {
            let path = e.path().to_string();
            (e.into_inner(), path)
        })
        .and_then(|v| de.end().map(|()| v).map_err(|e| (e, String::new())));
    parsed.map_err(|(e, path)| match e.classify() {
        serde_json::error::Category::Data => {
            // serde's message names the field ("missing field `applicant`"), the path
            // where it is nested (`applicant.id: …`).
            let msg = e.to_string();
            let msg = msg
                .split(" at line ")
                .next()
                .unwrap_or(&msg)
                .replace('`', "");
            if path.is_empty() || path == "." {
                Error::Unprocessable(format!("Invalid request: {msg}."))
            } else {
                Error::Unprocessable(format!("Invalid request: {path}: {msg}."))
            }
        }
        _ => Error::BadRequest(format!(
            "Malformed JSON: {}.",
            e.to_string()
                .split(" at line ")
                .next()
                .unwrap_or("syntax error")
        )),
    })
}
