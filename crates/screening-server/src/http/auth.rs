//! Extractors: ATS Basic auth, widget Bearer sessions, and JSON bodies with the ATS's
//! error semantics (400 malformed, 422 wrong shape, 413 too large).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::de::DeserializeOwned;

use super::error::Error;
use crate::app::ApiContext;
use crate::crypto::verify_secret;
use crate::tenant::Tenant;
use crate::tokens::{Claims, Purpose, TokenError};
use screening_wire::Capability;

/// Remembers recent successful argon2 verifications (keyed by an HMAC, under a random key
/// of this process, of tenant, stored hash and presented secret — what is kept in memory
/// cannot be attacked offline to recover a secret), so a burst of ATS calls does not pay
/// argon2 each time, and runs concurrent verifications of the same credentials once
/// (single flight). Rotating the secret changes the stored hash and so invalidates every
/// entry.
type Flight = Arc<tokio::sync::OnceCell<bool>>;

use super::login_guard::{LoginGuard, Refusal};

#[derive(Clone)]
pub struct AuthCache {
    /// Keys the cache entries; never leaves the process.
    mac_key: Arc<[u8; 32]>,
    verified: Arc<Mutex<HashMap<[u8; 32], Instant>>>,
    inflight: Arc<Mutex<HashMap<[u8; 32], Flight>>>,
    /// Bounds on the cost of verifications (see `login_guard`).
    pub guard: LoginGuard,
}

const AUTH_CACHE_TTL: Duration = Duration::from_secs(300);

impl Default for AuthCache {
    fn default() -> Self {
        let mut mac_key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut mac_key);
        Self {
            mac_key: Arc::new(mac_key),
            verified: Arc::default(),
            inflight: Arc::default(),
            guard: LoginGuard::default(),
        }
    }
}

impl AuthCache {
    fn key(&self, tenant: &Tenant, secret: &str) -> [u8; 32] {
        // Lengths first: no two (id, hash, secret) triples give the same input.
        let mut data =
            Vec::with_capacity(24 + tenant.id.len() + tenant.secret_hash.len() + secret.len());
        for part in [
            tenant.id.as_bytes(),
            tenant.secret_hash.as_bytes(),
            secret.as_bytes(),
        ] {
            data.extend_from_slice(&(part.len() as u64).to_le_bytes());
            data.extend_from_slice(part);
        }
        crate::crypto::hmac_bytes(&self.mac_key[..], &data)
    }

    fn hit(&self, key: &[u8; 32]) -> bool {
        let map = self.verified.lock().expect("auth cache");
        map.get(key).is_some_and(|t| t.elapsed() < AUTH_CACHE_TTL)
    }

    fn put(&self, key: [u8; 32]) {
        let mut map = self.verified.lock().expect("auth cache");
        if map.len() > 10_000 {
            map.retain(|_, t| t.elapsed() < AUTH_CACHE_TTL);
        }
        map.insert(key, Instant::now());
    }

    /// Verified recently (no Argon2 work, no limits: valid callers stay fast in a flood).
    fn recently_verified(&self, tenant: &Tenant, secret: &str) -> bool {
        self.hit(&self.key(tenant, secret))
    }

    async fn verify(&self, tenant: &Tenant, secret: &str) -> Result<bool, Refusal> {
        let key = self.key(tenant, secret);
        if self.hit(&key) {
            return Ok(true);
        }
        let cell = self
            .inflight
            .lock()
            .expect("auth cache")
            .entry(key)
            .or_default()
            .clone();
        let (s, h) = (secret.to_string(), tenant.secret_hash.clone());
        let guard = self.guard.clone();
        let ok = cell
            .get_or_try_init(|| async move {
                let _slot = guard.slot().await?;
                Ok(tokio::task::spawn_blocking(move || verify_secret(&s, &h))
                    .await
                    .unwrap_or(false))
            })
            .await
            .copied();
        if ok == Ok(true) {
            self.put(key);
        }
        self.inflight.lock().expect("auth cache").remove(&key);
        ok
    }
}

const BAD_BASIC: &str =
    "Missing or wrong credentials: send HTTP Basic authentication with your account id and API secret.";

/// A hash of a random secret, verified when the account id is unknown so that unknown and
/// known accounts take the same time.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| crate::crypto::hash_secret(&crate::crypto::random_secret()))
}

pub async fn basic_tenant(ctx: &ApiContext, parts: &Parts) -> Result<Tenant, Error> {
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
    let address = parts
        .extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    let cache = &ctx.auth_cache;
    let tenant = ctx.db.tenant_by_ats_account(user).await?;
    if let Some(t) = &tenant {
        if cache.recently_verified(t, secret) {
            return Ok(tenant.expect("checked"));
        }
    }
    cache.guard.check(address, user).map_err(refusal)?;
    let Some(tenant) = tenant else {
        let _slot = cache.guard.slot().await.map_err(refusal)?;
        let s = secret.to_string();
        let _ = tokio::task::spawn_blocking(move || verify_secret(&s, dummy_hash())).await;
        cache.guard.failed(address, user);
        return Err(Error::Unauthorized(BAD_BASIC.into()));
    };
    if !cache.verify(&tenant, secret).await.map_err(refusal)? {
        cache.guard.failed(address, user);
        tracing::warn!("ATS login with a wrong secret refused");
        return Err(Error::Unauthorized(BAD_BASIC.into()));
    }
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
    ApiContext: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let ctx = ApiContext::from_ref(state);
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

pub fn bearer(parts: &Parts) -> Option<&str> {
    let v = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
}

impl<S> FromRequestParts<S> for WidgetSession
where
    ApiContext: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Error;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        let ctx = ApiContext::from_ref(state);
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
            ctx.db.tenant_by_id(&claims.t).await?.ok_or_else(|| {
                Error::Unauthorized("The session's account no longer exists.".into())
            })?;
        if !crate::crypto::ct_eq(claims.g.as_bytes(), tenant.generation().as_bytes()) {
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
    serde_json::from_slice(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => {
            // serde's message names the field ("missing field `applicant`"); it never
            // contains values.
            let msg = e.to_string();
            let msg = msg
                .split(" at line ")
                .next()
                .unwrap_or(&msg)
                .replace('`', "");
            Error::Unprocessable(format!("Invalid request: {msg}."))
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
