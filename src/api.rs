//! The HTTP client for the companion server's widget API (`screening_wire::widget`), with
//! the session token kept here: fetched from the host's `sessionUrl` when needed and fetched
//! again, once per request, when the server answers `401 session_expired`.

use std::cell::{Cell, RefCell};

use js_sys::{Function, Promise, Reflect};
use screening_wire::{
    AdverseAction, Decision, DisclosuresToken, ErrorBody, ErrorCode, OrderState, PackageList,
    ReportToken, ReportTokenRequest, ReviewScreening, SessionResponse, Violation,
    WidgetOrderRequest, IDEMPOTENCY_KEY_HEADER,
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
    /// fetch rejected: offline, DNS, CORS, server down.
    Network,
    /// A non-2xx answer; the body is the server's `ErrorBody` (or a generic one).
    Http { status: u16, body: ErrorBody },
    /// A 2xx answer we could not read.
    Decode(String),
}

impl ApiError {
    pub fn message(&self) -> String {
        match self {
            ApiError::Network => {
                "Could not reach the screening service. Check your connection and try again.".into()
            }
            ApiError::Http { body, .. } => body.error_message.clone(),
            ApiError::Decode(e) => {
                format!("The screening service sent an unexpected answer ({e}).")
            }
        }
    }

    pub fn code(&self) -> Option<&'static str> {
        match self {
            ApiError::Network => Some("network"),
            ApiError::Decode(_) => Some("decode"),
            ApiError::Http { body, .. } => body.code.map(code_str),
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Http { status, .. } => Some(*status),
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

    /// Worth retrying the same request unchanged.
    pub fn retryable(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Decode(_) => true,
            ApiError::Http { status, .. } => *status >= 500 || *status == 429 || *status == 408,
        }
    }
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
    emitter: Emitter,
}

struct Raw {
    status: u16,
    text: String,
}

impl Api {
    pub fn new(config: &Config, emitter: Emitter) -> Api {
        Api {
            base: config.server_url.clone(),
            token: RefCell::new(config.token.clone()),
            session_busy: Cell::new(false),
            session_url: config.session_url.clone(),
            session_headers: config.session_headers.clone(),
            session_body: config.session_request_body(),
            fetch: config.fetch.clone(),
            emitter,
        }
    }

    pub async fn packages(&self) -> Result<PackageList, ApiError> {
        self.call("GET", "/widget/packages", None, None).await
    }

    /// The created order, and the same as a plain JS object (for event details).
    pub async fn create_order(
        &self,
        order: &WidgetOrderRequest,
        idempotency_key: &str,
    ) -> Result<(OrderState, JsValue), ApiError> {
        let body = json::to_string(order);
        let raw = self
            .call_js("POST", "/widget/orders", Some(&body), Some(idempotency_key))
            .await?;
        let order = json::from_js(raw.clone()).map_err(|e| ApiError::Decode(e.0))?;
        Ok((order, raw))
    }

    pub async fn report_token(&self, req: &ReportTokenRequest) -> Result<ReportToken, ApiError> {
        self.call(
            "POST",
            "/widget/tokens/report",
            Some(&json::to_string(req)),
            None,
        )
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
        let get = |o: &JsValue, k: &str| Reflect::get(o, &k.into()).unwrap_or_default();
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

    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        idempotency_key: Option<&str>,
    ) -> Result<T, ApiError> {
        let raw = self.call_js(method, path, body, idempotency_key).await?;
        json::from_js(raw).map_err(|e| ApiError::Decode(e.0))
    }

    /// One API call; the 2xx body parsed with `JSON.parse`.
    async fn call_js(
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
        let url = format!("{}{}", self.base, path);
        let mut refreshed = false;
        loop {
            let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
            if let Some(t) = self.token.borrow().as_ref() {
                headers.push(("Authorization".into(), format!("Bearer {t}")));
            }
            if body.is_some() {
                headers.push(("Content-Type".into(), "application/json".into()));
            }
            if let Some(k) = idempotency_key {
                headers.push((IDEMPOTENCY_KEY_HEADER.into(), k.into()));
            }
            let raw = self.send(method, &url, &headers, body).await?;
            if (200..300).contains(&raw.status) {
                return js_sys::JSON::parse(&raw.text)
                    .map_err(|_| ApiError::Decode("the answer is not JSON".into()));
            }
            let err = error_of(&raw);
            let expired = matches!(&err, ApiError::Http { status: 401, body }
                if body.code == Some(ErrorCode::SessionExpired));
            if expired && !refreshed && self.session_url.is_some() {
                refreshed = true;
                self.fetch_session(true).await?;
                continue;
            }
            return Err(err);
        }
    }

    /// POST the host's session URL and keep the token.
    async fn fetch_session(&self, refresh: bool) -> Result<(), ApiError> {
        let Some(url) = &self.session_url else {
            return Err(ApiError::Http {
                status: 401,
                body: ErrorBody::new("No session: the widget needs a token or a sessionUrl.")
                    .with_code(ErrorCode::Unauthorized),
            });
        };
        let mut headers = vec![
            ("Accept".to_string(), "application/json".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
        ];
        headers.extend(self.session_headers.iter().cloned());
        let raw = self
            .send("POST", url, &headers, Some(&self.session_body))
            .await?;
        if !(200..300).contains(&raw.status) {
            return Err(error_of(&raw));
        }
        let session: SessionResponse =
            json::from_str(&raw.text).map_err(|e| ApiError::Decode(e.0))?;
        *self.token.borrow_mut() = Some(session.token);
        if refresh {
            self.emitter.emit(
                events::TOKEN_REFRESHED,
                obj(&[
                    ("kind", s("session")),
                    ("expiresAt", s(&session.expires_at)),
                ]),
            );
        }
        Ok(())
    }

    async fn send(
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
        let window = web_sys::window().ok_or(ApiError::Network)?;
        let fetch: Function = match &self.fetch {
            Some(f) => f.clone(),
            None => Reflect::get(&window, &s("fetch"))
                .ok()
                .and_then(|f| f.dyn_into().ok())
                .ok_or(ApiError::Network)?,
        };
        let promise: Promise = fetch
            .call2(&window, &s(url), &init)
            .ok()
            .and_then(|p| p.dyn_into().ok())
            .ok_or(ApiError::Network)?;
        let resp: Response = JsFuture::from(promise)
            .await
            .ok()
            .and_then(|r| r.dyn_into().ok())
            .ok_or(ApiError::Network)?;
        let text = match resp.text() {
            Ok(p) => JsFuture::from(p)
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default(),
            Err(_) => String::new(),
        };
        Ok(Raw {
            status: resp.status(),
            text,
        })
    }
}

fn error_of(raw: &Raw) -> ApiError {
    let body = json::from_str::<ErrorBody>(&raw.text).unwrap_or_else(|_| {
        ErrorBody::new(format!(
            "The screening service answered HTTP {}.",
            raw.status
        ))
    });
    ApiError::Http {
        status: raw.status,
        body,
    }
}

/// A `Decision` read straight from the JSON object, like the apply link: serde's derived
/// visitors for its four structs cost about 4 kB gzip more wasm.
fn decision_of(raw: &JsValue) -> Option<Decision> {
    fn get(o: &JsValue, k: &str) -> JsValue {
        Reflect::get(o, &k.into()).unwrap_or_default()
    }
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
