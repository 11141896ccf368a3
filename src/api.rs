//! The HTTP client for the companion server's widget API (`screening_wire::widget`), with
//! the session token kept here: fetched from the host's `sessionUrl` when needed and fetched
//! again, once per request, when the server answers `401 session_expired`.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use screening_wire::{
    AdverseAction, CheckStatus, Decision, DisclosuresToken, ErrorCode, FieldError, PackageList,
    ReportToken, ReportTokenRequest, ReviewScreening, Violation, WidgetOrderRequest,
    IDEMPOTENCY_KEY_HEADER,
};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use crate::config::Config;
use crate::events::{self, obj, s, Emitter};
use crate::json;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// fetch rejected: offline, DNS, server down.
    Network,
    /// fetch rejected although the server answers a `no-cors` probe of `/healthz`: the
    /// browser refused the answer, most likely CORS (this page's origin is not one of the
    /// tenant's `widget_origins`).
    Blocked { origin: String },
    /// No answer within the configured `requestTimeout` (the request was aborted).
    Timeout,
    /// The host page's own session endpoint (`sessionUrl`) failed: `status` is its HTTP
    /// status (`None`: unreachable; a 2xx: an answer without a token).
    Session { url: String, status: Option<u16> },
    /// A non-2xx answer; the body is the server's error body (or a generic one).
    Http { status: u16, body: ServerError },
    /// A 2xx answer we could not read.
    Decode(String),
    /// The request could not be written as JSON (nothing was sent).
    Encode,
}

/// The server's `ErrorBody`, read tolerantly: an error code this build does not know is
/// kept as [`Code::Other`] instead of making the whole body unreadable.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerError {
    pub error_message: String,
    pub code: Option<Code>,
    pub field_errors: Vec<FieldError>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Code {
    Known(ErrorCode),
    /// A code added to the server after this build.
    Other(String),
}

impl Code {
    pub fn as_str(&self) -> &str {
        match self {
            Code::Known(c) => code_str(*c),
            Code::Other(s) => s,
        }
    }
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Network => {
                "Could not reach the screening service. Check your connection and try again.".into()
            }
            ApiError::Blocked { origin } => format!(
                "The screening service is reachable but the browser refused its answer: this \
                 page's origin ({origin}) is probably not in the tenant's widget_origins."
            ),
            ApiError::Timeout => "The screening service did not answer in time. Try again.".into(),
            ApiError::Session { url, status } => match status {
                None => format!(
                    "This page's session endpoint ({url}) could not be reached, so the widget has no session."
                ),
                Some(s) if (200..300).contains(s) => format!(
                    "This page's session endpoint ({url}) answered without a session token."
                ),
                Some(s) => format!(
                    "This page's session endpoint ({url}) answered HTTP {s}, so the widget has no session."
                ),
            },
            ApiError::Http { body, .. } => body.error_message.clone(),
            ApiError::Decode(e) => {
                format!("The screening service sent an unexpected answer ({e}).")
            }
            ApiError::Encode => "The request could not be written as JSON; nothing was sent.".into(),
        }
    }

    pub fn code(&self) -> Option<&str> {
        Some(match self {
            ApiError::Network => "network",
            ApiError::Blocked { .. } => "cors",
            ApiError::Timeout => "timeout",
            ApiError::Session { .. } => "session_endpoint",
            ApiError::Decode(_) => "decode",
            ApiError::Encode => "encode",
            ApiError::Http { body, .. } => return body.code.as_ref().map(Code::as_str),
        })
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
            ApiError::Session { status, .. } => *status,
            _ => None,
        }
    }

    /// The server's `field_errors` as a JS array of `{ field, message }`.
    pub fn field_errors_js(&self) -> JsValue {
        let arr = js_sys::Array::new();
        if let ApiError::Http { body, .. } = self {
            for e in &body.field_errors {
                arr.push(&obj(&[("field", s(&e.field)), ("message", s(&e.message))]));
            }
        }
        arr.into()
    }

    /// Worth retrying the same request: the failure may pass (network, timeout, 5xx, 429,
    /// 408). An answer that could not be read will read the same next time.
    pub fn retryable(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Timeout => true,
            ApiError::Blocked { .. } | ApiError::Decode(_) | ApiError::Encode => false,
            ApiError::Session { status, .. } => status.is_none_or(|s| s >= 500),
            ApiError::Http { status, body } => {
                *status >= 500
                    || *status == 429
                    || *status == 408
                    || matches!(body.code, Some(Code::Known(ErrorCode::SessionExpired)))
            }
        }
    }

    /// The server may have acted on the request (an order may exist): everything but a
    /// definitive refusal.
    pub fn outcome_unknown(&self) -> bool {
        !matches!(self, ApiError::Http { .. }) || self.retryable()
    }
}

const CODES: [ErrorCode; 13] = [
    ErrorCode::Unauthorized,
    ErrorCode::SessionExpired,
    ErrorCode::Forbidden,
    ErrorCode::NotFound,
    ErrorCode::BadRequest,
    ErrorCode::Validation,
    ErrorCode::Conflict,
    ErrorCode::PayloadTooLarge,
    ErrorCode::UnsupportedMediaType,
    ErrorCode::RateLimited,
    ErrorCode::UpstreamRejected,
    ErrorCode::UpstreamUnavailable,
    ErrorCode::Internal,
];

/// A code string → its [`Code`], [`Code::Other`] for one this build does not know.
pub fn code_of(text: &str) -> Code {
    CODES
        .into_iter()
        .find(|c| code_str(*c) == text)
        .map_or_else(|| Code::Other(text.to_string()), Code::Known)
}

pub fn code_str(c: ErrorCode) -> &'static str {
    match c {
        ErrorCode::Unauthorized => "unauthorized",
        ErrorCode::SessionExpired => "session_expired",
        ErrorCode::Forbidden => "forbidden",
        ErrorCode::NotFound => "not_found",
        ErrorCode::BadRequest => "bad_request",
        ErrorCode::Validation => "validation",
        ErrorCode::Conflict => "conflict",
        ErrorCode::PayloadTooLarge => "payload_too_large",
        ErrorCode::UnsupportedMediaType => "unsupported_media_type",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::UpstreamRejected => "upstream_rejected",
        ErrorCode::UpstreamUnavailable => "upstream_unavailable",
        ErrorCode::Internal => "internal",
    }
}

/// Where a created order is, as the widget shows it: a status this build does not know is
/// kept as [`Status::Other`] (a 201 is a created order whatever its status says).
#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Known(CheckStatus),
    Other(String),
}

impl Status {
    pub fn parse(text: &str) -> Status {
        CheckStatus::parse(text).map_or_else(|| Status::Other(text.to_string()), Status::Known)
    }
    pub fn as_str(&self) -> &str {
        match self {
            Status::Known(s) => s.as_str(),
            Status::Other(s) => s,
        }
    }
    pub fn label(&self) -> &str {
        match self {
            Status::Known(s) => s.label(),
            Status::Other(s) if s.is_empty() => "Received",
            Status::Other(s) => s,
        }
    }
}

/// The parts of the 201 `OrderState` the widget shows, read straight from the JSON object.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub background_check_id: String,
    pub status: Status,
    pub package_id: String,
    pub add_on_package_ids: Vec<String>,
}

pub struct Api {
    base: String,
    token: RefCell<Option<String>>,
    /// A first session is being fetched: concurrent calls (review mode's iframe and
    /// panel) wait for it instead of each asking the host for one.
    session_busy: Cell<bool>,
    session_url: Option<String>,
    session_headers: Vec<(String, String)>,
    session_body: String,
    fetch: Option<Function>,
    /// Milliseconds before a request is aborted.
    timeout_ms: u32,
    emitter: Emitter,
    /// The loader's early session and package list requests (`Config::prefetch`), each
    /// taken by the first request it stands for.
    early_session: RefCell<Option<Promise>>,
    early_packages: RefCell<Option<Promise>>,
    /// The early package list's answer when it had already come at the mount
    /// (`_prefetch.settled`): read at once, so the first render can show the list.
    #[cfg(feature = "order")]
    settled_packages: RefCell<Option<JsValue>>,
}

pub(crate) struct Raw {
    pub status: u16,
    pub text: String,
}

/// What `setTimeout` resolves the deadline promise with.
const DEADLINE: &str = "sw-deadline";

impl Api {
    pub fn new(config: &Config, emitter: Emitter) -> Api {
        let api = Api {
            base: config.server_url.clone(),
            token: RefCell::new(config.token.clone()),
            session_busy: Cell::new(false),
            session_url: config.session_url.clone(),
            session_headers: config.session_headers.clone(),
            session_body: config.session_request_body(),
            fetch: config.fetch.clone(),
            timeout_ms: config.request_timeout_ms,
            emitter,
            early_session: RefCell::new(early(&config.prefetch, "session")),
            early_packages: RefCell::new(early(&config.prefetch, "packages")),
            #[cfg(feature = "order")]
            settled_packages: RefCell::new(settled(&config.prefetch, "packages")),
        };
        #[cfg(feature = "order")]
        if let Some(answer) = settled(&config.prefetch, "session") {
            api.settled_session(&answer);
        }
        api
    }

    /// The early session's answer, already there at the mount (order mode, where the loader
    /// waits for the early package list before mounting): its token is taken at once
    /// when it is the request this widget would send and a 2xx with a token; anything else
    /// goes the usual way (the early promise gives the same answer, with its errors).
    #[cfg(feature = "order")]
    fn settled_session(&self, answer: &JsValue) {
        let Some(url) = &self.session_url else {
            return;
        };
        let key = request_key(
            "POST",
            url,
            &self.session_headers(),
            Some(&self.session_body),
        );
        let Some(raw) = settled_raw(answer, &key) else {
            return;
        };
        let session = js_sys::JSON::parse(&raw.text).unwrap_or_default();
        if let Some(token) = get(&session, "token").as_string().filter(|t| !t.is_empty()) {
            *self.token.borrow_mut() = Some(token);
            self.early_session.borrow_mut().take();
        }
    }

    /// The package list when the loader's early request for it had already been answered
    /// (2xx, the request this widget would send, a list it can read) at the mount: no
    /// waiting, so the first render shows it. `None` otherwise (then [`Api::packages`]).
    #[cfg(feature = "order")]
    pub fn settled_packages(&self) -> Option<PackageList> {
        let answer = self.settled_packages.borrow_mut().take()?;
        let token = self.token.borrow().clone()?;
        let headers = api_headers(Some(&token));
        let url = format!("{}{}", self.base, PACKAGES_PATH);
        let raw = settled_raw(&answer, &request_key("GET", &url, &headers, None))?;
        let list = json::from_js(js_sys::JSON::parse(&raw.text).ok()?).ok()?;
        self.early_packages.borrow_mut().take();
        Some(list)
    }

    /// What the session request sends besides its body.
    fn session_headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![
            ("Accept".to_string(), "application/json".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
        ];
        headers.extend(self.session_headers.iter().cloned());
        headers
    }

    /// A new session token from the host page (`handle.setToken`), e.g. after
    /// `screening:session-expired`; requests waiting for one continue with it.
    pub fn set_token(&self, token: String) {
        *self.token.borrow_mut() = Some(token);
    }

    pub async fn packages(&self) -> Result<PackageList, ApiError> {
        self.call("GET", PACKAGES_PATH, None, None).await
    }

    /// The created order, and the same as a plain JS object (for event details). Any 2xx
    /// is a created order, whatever its body says: the parts shown are read leniently.
    pub async fn create_order(
        &self,
        order: &WidgetOrderRequest,
        idempotency_key: &str,
    ) -> Result<(Created, JsValue), ApiError> {
        let body = json::to_string(order).map_err(|_| ApiError::Encode)?;
        let raw = self
            .call_js("POST", "/widget/orders", Some(&body), Some(idempotency_key))
            .await?;
        let text = |k: &str| get(&raw, k).as_string().unwrap_or_default();
        let created = Created {
            background_check_id: text("background_check_id"),
            status: Status::parse(&text("status")),
            package_id: text("package_id"),
            add_on_package_ids: get(&raw, "add_on_package_ids")
                .dyn_into::<js_sys::Array>()
                .unwrap_or_default()
                .iter()
                .filter_map(|v| v.as_string())
                .collect(),
        };
        Ok((created, raw))
    }

    pub async fn report_token(&self, req: &ReportTokenRequest) -> Result<ReportToken, ApiError> {
        let body = json::to_string(req).map_err(|_| ApiError::Encode)?;
        self.call("POST", "/widget/tokens/report", Some(&body), None)
            .await
    }

    pub async fn disclosures_token(&self) -> Result<DisclosuresToken, ApiError> {
        self.call("POST", "/widget/tokens/disclosures", None, None)
            .await
    }

    /// Review mode: the order's report as a decision needs it (`GET …/decision`), or, with
    /// `action` (`/proceed`, `/adverse-action`, `/adverse-action/cancel`) and its JSON body,
    /// the decision taken and the order's decision state after it.
    pub async fn decision(
        &self,
        background_check_id: &str,
        action: Option<(&str, Option<String>)>,
    ) -> Result<Decision, ApiError> {
        let mut path = format!("/widget/orders/{}/decision", encode(background_check_id));
        let (method, body) = match action {
            Some((suffix, body)) => {
                path.push_str(suffix);
                ("POST", body)
            }
            None => ("GET", None),
        };
        let raw = self.call_js(method, &path, body.as_deref(), None).await?;
        decision_of(&raw)
            .ok_or_else(|| ApiError::Decode("the decision has no report status".into()))
    }

    /// `screening_wire::ApplyLink` → the open intakes' URLs in order (its `steps`; from a
    /// server without them, its one `apply_url`) and the `domain`. Read straight from the
    /// JSON object: a serde path for these few strings costs more wasm.
    pub async fn apply_link(
        &self,
        background_check_id: &str,
    ) -> Result<(Vec<String>, String), ApiError> {
        let path = format!("/widget/orders/{}/apply", encode(background_check_id));
        let raw = self.call_js("GET", &path, None, None).await?;
        let steps = get(&raw, "steps")
            .dyn_into::<js_sys::Array>()
            .unwrap_or_default();
        let mut urls: Vec<String> = steps
            .iter()
            .filter_map(|s| get(&s, "apply_url").as_string())
            .collect();
        if urls.is_empty() {
            urls.extend(get(&raw, "apply_url").as_string());
        }
        match get(&raw, "domain").as_string() {
            Some(domain) if !urls.is_empty() => Ok((urls, domain)),
            _ => Err(ApiError::Decode(
                "the apply link has no apply_url or domain".into(),
            )),
        }
    }

    /// One API call whose 2xx body is read as `T` through the wire type's serde derive.
    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        let raw = self.call_js(method, path, body, idempotency_key).await?;
        json::from_js(raw).map_err(|e| ApiError::Decode(e.0))
    }

    /// One API call; the 2xx body parsed with `JSON.parse`. A first session is fetched
    /// when there is none; an expired one is renewed once (from `sessionUrl`, or by asking
    /// the host page for a new token).
    pub(crate) async fn call_js(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<JsValue, ApiError> {
        while self.session_busy.get() {
            sleep(10).await;
        }
        if self.token.borrow().is_none() {
            self.session_busy.set(true);
            let first = self.fetch_session(false).await;
            self.session_busy.set(false);
            first?;
        }
        if body == Some("") {
            // A body that could not be written is never sent as an empty one.
            return Err(ApiError::Encode);
        }
        let url = format!("{}{}", self.base, path);
        let mut refreshed = false;
        loop {
            let sent_token = self.token.borrow().clone();
            let mut headers = api_headers(sent_token.as_deref());
            if body.is_some() {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            if let Some(k) = idempotency_key {
                headers.push((IDEMPOTENCY_KEY_HEADER.into(), k.into()));
            }
            let sent = match (path, refreshed) {
                (PACKAGES_PATH, false) => {
                    self.early(&self.early_packages, method, &url, &headers, body)
                        .await
                }
                _ => None,
            };
            let sent = match sent {
                Some(r) => r,
                None => self.send(method, &url, &headers, body).await,
            };
            let raw = match sent {
                Err(ApiError::Network) => return Err(self.diagnose().await),
                r => r?,
            };
            if (200..300).contains(&raw.status) {
                return js_sys::JSON::parse(&raw.text)
                    .map_err(|_| ApiError::Decode("the answer is not JSON".into()));
            }
            let err = error_of(&raw);
            let expired = matches!(&err, ApiError::Http { status: 401, body }
                if body.code == Some(Code::Known(ErrorCode::SessionExpired)));
            if expired && !refreshed {
                refreshed = true;
                if self.session_url.is_some() {
                    self.fetch_session(true).await?;
                    continue;
                }
                if self.wait_for_token(sent_token).await {
                    continue;
                }
                return Err(ApiError::Http {
                    status: 401,
                    body: ServerError {
                        error_message: "The session has expired and this page gave the widget no new one. Reload the page to continue.".into(),
                        code: Some(Code::Known(ErrorCode::SessionExpired)),
                        field_errors: Vec::new(),
                    },
                });
            }
            return Err(err);
        }
    }

    /// Without a `sessionUrl`: ask the host page for a new token
    /// (`screening:session-expired`) and wait, at most the request timeout, for
    /// `setToken`. True when a different token arrived.
    async fn wait_for_token(&self, old: Option<String>) -> bool {
        self.emitter.emit(events::SESSION_EXPIRED, obj(&[]));
        for _ in 0..self.timeout_ms.div_ceil(50) {
            if *self.token.borrow() != old {
                return true;
            }
            sleep(50).await;
        }
        *self.token.borrow() != old
    }

    /// A request to the server failed before any answer: a `no-cors` probe of its
    /// `/healthz` tells an unreachable server from an answer the browser refused (CORS).
    async fn diagnose(&self) -> ApiError {
        if self.base.is_empty() {
            return ApiError::Network;
        }
        let url = format!("{}/healthz", self.base);
        let init = obj(&[("mode", s("no-cors"))]);
        match self.fetch_with(&url, &init).await {
            Ok(_) => ApiError::Blocked {
                origin: web_sys::window()
                    .and_then(|w| w.location().origin().ok())
                    .unwrap_or_default(),
            },
            Err(_) => ApiError::Network,
        }
    }

    /// POST the host's session URL and keep the token.
    async fn fetch_session(&self, refresh: bool) -> Result<(), ApiError> {
        let Some(url) = &self.session_url else {
            return Err(ApiError::Http {
                status: 401,
                body: ServerError {
                    error_message: "No session: the widget needs a token or a sessionUrl.".into(),
                    code: Some(Code::Known(ErrorCode::Unauthorized)),
                    field_errors: Vec::new(),
                },
            });
        };
        let failed = |status| ApiError::Session {
            url: url.clone(),
            status,
        };
        let headers = self.session_headers();
        let body = Some(self.session_body.as_str());
        let sent = match refresh {
            false => {
                self.early(&self.early_session, "POST", url, &headers, body)
                    .await
            }
            true => None,
        };
        let sent = match sent {
            Some(r) => r,
            None => self.send("POST", url, &headers, body).await,
        };
        let raw = match sent {
            Err(ApiError::Network) => return Err(failed(None)),
            r => r?,
        };
        if !(200..300).contains(&raw.status) {
            return Err(failed(Some(raw.status)));
        }
        let session = js_sys::JSON::parse(&raw.text).unwrap_or_default();
        let token = get(&session, "token").as_string();
        let Some(token) = token.filter(|t| !t.is_empty()) else {
            return Err(failed(Some(raw.status)));
        };
        *self.token.borrow_mut() = Some(token);
        if refresh {
            let expires = get(&session, "expires_at");
            self.emitter.emit(
                events::TOKEN_REFRESHED,
                obj(&[("kind", s("session")), ("expiresAt", expires)]),
            );
        }
        Ok(())
    }

    /// The answer of the loader's early request in `slot` (taken: used once), when it is
    /// the request this one would send (same method, URL, headers and body); a timeout as
    /// [`ApiError::Timeout`]; `None` (send it afresh) when there was none, it was another
    /// request, or it failed before any answer. Waits at most the request timeout.
    async fn early(
        &self,
        slot: &RefCell<Option<Promise>>,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Option<Result<Raw, ApiError>> {
        let promise = slot.borrow_mut().take()?;
        let window = web_sys::window()?;
        let mut timer = 0;
        let deadline = Promise::new(&mut |resolve, _| {
            timer = window
                .set_timeout_with_callback_and_timeout_and_arguments_1(
                    &resolve,
                    self.timeout_ms.min(i32::MAX as u32) as i32,
                    &s(DEADLINE),
                )
                .unwrap_or(0);
        });
        let answer = JsFuture::from(Promise::race(&js_sys::Array::of2(&promise, &deadline))).await;
        window.clear_timeout_with_handle(timer);
        let answer = answer.ok()?;
        if answer.as_string().as_deref() == Some(DEADLINE) || get(&answer, "timeout").is_truthy() {
            return Some(Err(ApiError::Timeout));
        }
        answer_raw(&answer, &request_key(method, url, headers, body)).map(Ok)
    }

    /// One HTTP exchange, aborted after the timeout.
    pub(crate) async fn send(
        &self,
        method: &str,
        url: &str,
        headers: &[(String, String)],
        body: Option<&str>,
    ) -> Result<Raw, ApiError> {
        let h = js_sys::Object::new();
        for (k, v) in headers {
            let _ = Reflect::set(&h, &s(k), &s(v));
        }
        let init = obj(&[
            ("method", s(method)),
            ("headers", h.into()),
            ("body", body.map(s).unwrap_or(JsValue::UNDEFINED)),
        ]);
        let (resp, text) = self.fetch_with(url, &init).await?;
        Ok(Raw {
            status: resp.status(),
            text,
        })
    }

    /// `fetch(url, init)` and its body text, both within the timeout: past it the request
    /// is aborted (`AbortController`) and the answer is [`ApiError::Timeout`], even from a
    /// replacement `fetch` that ignores the signal.
    async fn fetch_with(&self, url: &str, init: &JsValue) -> Result<(Response, String), ApiError> {
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let fetch: Function = match &self.fetch {
            Some(f) => f.clone(),
            None => Reflect::get(&window, &s("fetch"))
                .ok()
                .and_then(|f| f.dyn_into().ok())
                .ok_or(ApiError::Network)?,
        };
        let controller = Reflect::get(&window, &s("AbortController"))
            .ok()
            .and_then(|c| c.dyn_into::<Function>().ok())
            .and_then(|c| Reflect::construct(&c, &js_sys::Array::new()).ok());
        if let Some(c) = &controller {
            let _ = Reflect::set(init, &s("signal"), &get(c, "signal"));
        }
        let mut timer = 0;
        let deadline = Promise::new(&mut |resolve, _| {
            timer = window
                .set_timeout_with_callback_and_timeout_and_arguments_1(
                    &resolve,
                    self.timeout_ms.min(i32::MAX as u32) as i32,
                    &s(DEADLINE),
                )
                .unwrap_or(0);
        });
        let within = |p: Promise| JsFuture::from(Promise::race(&js_sys::Array::of2(&p, &deadline)));
        let result = async {
            let promise: Promise = fetch
                .call2(&window, &s(url), init)
                .ok()
                .and_then(|p| p.dyn_into().ok())
                .ok_or(ApiError::Network)?;
            let answer = within(promise).await.map_err(|_| ApiError::Network)?;
            let resp: Response = answer.dyn_into().map_err(|_| self.timed_out(&controller))?;
            let text = match resp.text() {
                Ok(p) => within(p).await.unwrap_or_default(),
                Err(_) => JsValue::from_str(""),
            };
            if text.as_string().as_deref() == Some(DEADLINE) {
                return Err(self.timed_out(&controller));
            }
            Ok((resp, text.as_string().unwrap_or_default()))
        }
        .await;
        window.clear_timeout_with_handle(timer);
        result
    }

    fn timed_out(&self, controller: &Option<JsValue>) -> ApiError {
        if let Some(abort) = controller
            .as_ref()
            .and_then(|c| get(c, "abort").dyn_into::<Function>().ok())
        {
            let _ = abort.call0(controller.as_ref().unwrap_or(&JsValue::NULL));
        }
        ApiError::Timeout
    }
}

const PACKAGES_PATH: &str = "/widget/packages";

/// One of the loader's early requests (`session`, `packages`) from `Config::prefetch`.
fn early(prefetch: &JsValue, which: &str) -> Option<Promise> {
    if !prefetch.is_object() {
        return None;
    }
    get(prefetch, which).dyn_into().ok()
}

/// One of the loader's early answers that had already come (`_prefetch.settled`).
#[cfg(feature = "order")]
fn settled(prefetch: &JsValue, which: &str) -> Option<JsValue> {
    if !prefetch.is_object() {
        return None;
    }
    let all = get(prefetch, "settled");
    let answer = if all.is_object() {
        get(&all, which)
    } else {
        JsValue::UNDEFINED
    };
    answer.is_object().then_some(answer)
}

/// One of the loader's early answers as an exchange, when it is the request named by `key`.
fn answer_raw(answer: &JsValue, key: &str) -> Option<Raw> {
    if get(answer, "key").as_string().as_deref() != Some(key) {
        return None;
    }
    Some(Raw {
        status: get(answer, "status").as_f64()? as u16,
        text: get(answer, "text").as_string()?,
    })
}

/// A settled early answer as a 2xx exchange, when it is the request named by `key`.
#[cfg(feature = "order")]
fn settled_raw(answer: &JsValue, key: &str) -> Option<Raw> {
    answer_raw(answer, key).filter(|raw| (200..300).contains(&raw.status))
}

/// The headers every call to the server sends: JSON, and the session token when there is one.
fn api_headers(token: Option<&str>) -> Vec<(String, String)> {
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    if let Some(t) = token {
        headers.push(("Authorization".into(), format!("Bearer {t}")));
    }
    headers
}

/// What names a request for the loader's early answers: the JSON text of
/// `[method, url, [[header, value], ...], body or null]`, as the loader writes it.
fn request_key(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> String {
    let pairs = js_sys::Array::new();
    for (k, v) in headers {
        pairs.push(&js_sys::Array::of2(&s(k), &s(v)));
    }
    let key = js_sys::Array::of4(
        &s(method),
        &s(url),
        &pairs,
        &body.map(s).unwrap_or(JsValue::NULL),
    );
    js_sys::JSON::stringify(&key)
        .ok()
        .and_then(|k| k.as_string())
        .unwrap_or_default()
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or_default()
}

/// A non-2xx answer: the server's `ErrorBody` read field by field (an unknown `code` is
/// kept as [`Code::Other`]), or a generic message when it is not one.
fn error_of(raw: &Raw) -> ApiError {
    let v = js_sys::JSON::parse(&raw.text).unwrap_or_default();
    let text = |o: &JsValue, k: &str| get(o, k).as_string();
    let body = match text(&v, "error_message") {
        Some(error_message) => ServerError {
            error_message,
            code: text(&v, "code").map(|c| code_of(&c)),
            field_errors: get(&v, "field_errors")
                .dyn_into::<js_sys::Array>()
                .unwrap_or_default()
                .iter()
                .filter_map(|e| {
                    Some(FieldError {
                        field: text(&e, "field")?,
                        message: text(&e, "message")?,
                    })
                })
                .collect(),
        },
        None => ServerError {
            error_message: format!("The screening service answered HTTP {}.", raw.status),
            ..ServerError::default()
        },
    };
    ApiError::Http {
        status: raw.status,
        body,
    }
}

/// A `Decision` read straight from the JSON object, like the apply link: serde's derived
/// visitors for its four structs cost about 4 kB gzip more wasm.
fn decision_of(raw: &JsValue) -> Option<Decision> {
    fn text(o: &JsValue, k: &str) -> Option<String> {
        get(o, k).as_string()
    }
    fn list(o: &JsValue, k: &str) -> js_sys::Array {
        get(o, k).dyn_into().unwrap_or_default()
    }
    let flag = |k: &str| get(raw, k).is_truthy();
    let a = get(raw, "adverse_action");
    Some(Decision {
        background_check_id: text(raw, "background_check_id").unwrap_or_default(),
        report_id: text(raw, "report_id").unwrap_or_default(),
        report_status: text(raw, "report_status")?,
        candidate_state: text(raw, "candidate_state"),
        screenings: list(raw, "screenings")
            .iter()
            .map(|s| ReviewScreening {
                name: text(&s, "name").unwrap_or_default(),
                status: text(&s, "status"),
                violations: list(&s, "violations")
                    .iter()
                    .filter_map(|v| {
                        Some(Violation {
                            id: text(&v, "id")?,
                            description: text(&v, "description").unwrap_or_default(),
                            disposition: text(&v, "disposition"),
                            date: text(&v, "date"),
                            jurisdiction: text(&v, "jurisdiction"),
                        })
                    })
                    .collect(),
            })
            .collect(),
        violations_required: flag("violations_required"),
        explanation_required: text(raw, "explanation_required"),
        adverse_action: a.is_object().then(|| AdverseAction {
            id: text(&a, "id").unwrap_or_default(),
            status: text(&a, "status").unwrap_or_default(),
            violations: list(&a, "violations")
                .iter()
                .filter_map(|v| v.as_string())
                .collect(),
            custom_reason: text(&a, "custom_reason"),
            explanation: text(&a, "explanation"),
            created_at: text(&a, "created_at").unwrap_or_default(),
            scheduled_final_at: text(&a, "scheduled_final_at"),
        }),
        can_proceed: flag("can_proceed"),
        can_start_adverse_action: flag("can_start_adverse_action"),
        can_cancel_adverse_action: flag("can_cancel_adverse_action"),
    })
}

/// Resolve after `ms` milliseconds (a `setTimeout`).
async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Percent-encode a path segment.
pub fn encode(segment: &str) -> String {
    String::from(js_sys::encode_uri_component(segment))
}

/// A fresh idempotency key (a UUID v4 from `crypto.getRandomValues`), generated once per
/// intended order and reused for every retry of that order.
pub fn new_idempotency_key() -> String {
    let mut b = [0u8; 16];
    let ok = web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut b).is_ok())
        .unwrap_or(false);
    if !ok {
        for x in b.iter_mut() {
            *x = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut key = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            key.push('-');
        }
        key.push(HEX[(x >> 4) as usize] as char);
        key.push(HEX[(x & 15) as usize] as char);
    }
    key
}
