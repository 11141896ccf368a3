//! The widget session: the token every call carries, kept here and nowhere else. It comes
//! from the config, from `handle.setToken`, or from the host's `sessionUrl` (POSTed the
//! session request: the host's `sessionBody`, else [`default_body`], the capability the mode
//! needs); the first one is fetched once for calls that start together, and when the server
//! answers `401 session_expired` it is renewed once per call (from `sessionUrl`, or by
//! asking the host page with `screening:session-expired`). [`Session::call`] is one call
//! with it, over the session's transport.

use std::cell::{Cell, RefCell};

use js_sys::Promise;
use screening_wire::{ErrorCode, IDEMPOTENCY_KEY_HEADER};
use wasm_bindgen::JsValue;

use super::error::{error_of, ApiError, Code, ServerError};
use super::transport::{early, Transport};
#[cfg(feature = "order")]
use super::transport::{request_key, settled, settled_raw};
use crate::events::{self, Emitter};
use crate::js::{get, obj, s, sleep};
use crate::json;
use crate::mode::Mode;

/// What the session request asks for when the host gave no `sessionBody`: the capability
/// this mode needs, nothing more (the host's backend decides what it grants), and the order
/// (also in order mode: a chosen id is bound to the session by the host's backend; ids
/// chosen in the browser are refused unless they start with `w-`).
pub fn default_body(
    mode: Mode,
    background_check_id: Option<String>,
) -> Result<String, json::Error> {
    use screening_wire::Capability;
    let bound = background_check_id.is_some();
    let req = screening_wire::SessionRequest {
        applicant_id: None,
        background_check_id: match mode {
            Mode::Report | Mode::Review | Mode::Apply | Mode::Order => background_check_id,
            Mode::Disclosures => None,
        },
        ttl_seconds: None,
        capabilities: vec![match mode {
            Mode::Order => Capability::Order,
            // The report alone is one order's read-only view; a report named only by its
            // Yardstik id needs a review session.
            Mode::Report if bound => Capability::View,
            Mode::Report | Mode::Review => Capability::Review,
            Mode::Apply => Capability::Candidate,
            Mode::Disclosures => Capability::Disclosures,
        }],
        reviewer_id: None,
    };
    json::to_string(&req)
}

/// The headers every call to the server sends: JSON, and the session token when there is one.
pub(crate) fn api_headers(token: Option<&str>) -> Vec<(String, String)> {
    let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
    if let Some(t) = token {
        headers.push(("Authorization".into(), format!("Bearer {t}")));
    }
    headers
}

pub(crate) struct Session {
    /// The exchanges every call goes over.
    pub transport: Transport,
    token: RefCell<Option<String>>,
    /// A first session is being fetched: concurrent calls (review mode's iframe and
    /// panel) wait for it instead of each asking the host for one.
    busy: Cell<bool>,
    url: Option<String>,
    headers: Vec<(String, String)>,
    body: String,
    emitter: Emitter,
    /// The loader's early session request (`Config::prefetch`), taken by the first fetch.
    early: RefCell<Option<Promise>>,
}

impl Session {
    /// `prefetch`: the config's `_prefetch`, whose early session request (or its answer, when
    /// it had already come) stands in for the first fetch.
    #[inline]
    pub fn new(
        transport: Transport,
        token: Option<String>,
        url: Option<String>,
        headers: Vec<(String, String)>,
        body: String,
        emitter: Emitter,
        prefetch: &JsValue,
    ) -> Session {
        let session = Session {
            transport,
            token: RefCell::new(token),
            busy: Cell::new(false),
            url,
            headers,
            body,
            emitter,
            early: RefCell::new(early(prefetch, "session")),
        };
        #[cfg(feature = "order")]
        if let Some(answer) = settled(prefetch, "session") {
            session.settled(&answer);
        }
        session
    }

    /// The early session's answer, already there at the mount (order mode, where the loader
    /// waits for the early package list before mounting): its token is taken at once
    /// when it is the request this widget would send and a 2xx with a token; anything else
    /// goes the usual way (the early promise gives the same answer, with its errors).
    #[cfg(feature = "order")]
    fn settled(&self, answer: &JsValue) {
        let Some(url) = &self.url else {
            return;
        };
        let key = request_key("POST", url, &self.request_headers(), Some(&self.body));
        let Some(raw) = settled_raw(answer, &key) else {
            return;
        };
        let session = js_sys::JSON::parse(&raw.text).unwrap_or_default();
        if let Some(token) = get(&session, "token").as_string().filter(|t| !t.is_empty()) {
            *self.token.borrow_mut() = Some(token);
            self.early.borrow_mut().take();
        }
    }

    /// The token now (none before the first session).
    #[cfg(feature = "order")]
    #[inline]
    pub fn token(&self) -> Option<String> {
        self.token.borrow().clone()
    }

    /// A new session token from the host page (`handle.setToken`), e.g. after
    /// `screening:session-expired`; requests waiting for one continue with it.
    pub fn set_token(&self, token: String) {
        *self.token.borrow_mut() = Some(token);
    }

    /// What the session request sends besides its body.
    fn request_headers(&self) -> Vec<(String, String)> {
        let mut headers = vec![
            ("Accept".to_string(), "application/json".to_string()),
            ("Content-Type".to_string(), "application/json".to_string()),
        ];
        headers.extend(self.headers.iter().cloned());
        headers
    }

    /// One API call; the 2xx body parsed with `JSON.parse`. A first session is fetched
    /// when there is none; an expired one is renewed once (from `sessionUrl`, or by asking
    /// the host page for a new token). `early`: the loader's early request for this call,
    /// whose answer stands in for its first attempt.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        idempotency_key: Option<&str>,
        early: Option<&RefCell<Option<Promise>>>,
    ) -> Result<JsValue, ApiError> {
        while self.busy.get() {
            sleep(10).await;
        }
        if self.token.borrow().is_none() {
            self.busy.set(true);
            let first = self.fetch(false).await;
            self.busy.set(false);
            first?;
        }
        if body == Some("") {
            // A body that could not be written is never sent as an empty one.
            return Err(ApiError::Encode);
        }
        let url = format!("{}{}", self.transport.base, path);
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
            let sent = match (early, refreshed) {
                (Some(slot), false) => {
                    self.transport
                        .early(slot, method, &url, &headers, body)
                        .await
                }
                _ => None,
            };
            let sent = match sent {
                Some(r) => r,
                None => self.transport.send(method, &url, &headers, body).await,
            };
            let raw = match sent {
                Err(ApiError::Network) => return Err(self.transport.diagnose().await),
                r => r?,
            };
            if (200..300).contains(&raw.status) {
                return js_sys::JSON::parse(&raw.text)
                    .map_err(|_| ApiError::Decode("the answer is not JSON".into()));
            }
            let err = error_of(raw.status, &raw.text);
            let expired = matches!(&err, ApiError::Http { status: 401, body }
                if body.code == Some(Code::Known(ErrorCode::SessionExpired)));
            if expired && !refreshed {
                refreshed = true;
                if self.url.is_some() {
                    self.fetch(true).await?;
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
        for _ in 0..self.transport.timeout_ms.div_ceil(50) {
            if *self.token.borrow() != old {
                return true;
            }
            sleep(50).await;
        }
        *self.token.borrow() != old
    }

    /// POST the host's session URL and keep the token.
    async fn fetch(&self, refresh: bool) -> Result<(), ApiError> {
        let Some(url) = &self.url else {
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
        let headers = self.request_headers();
        let body = Some(self.body.as_str());
        let sent = match refresh {
            false => {
                self.transport
                    .early(&self.early, "POST", url, &headers, body)
                    .await
            }
            true => None,
        };
        let sent = match sent {
            Some(r) => r,
            None => self.transport.send("POST", url, &headers, body).await,
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
}
