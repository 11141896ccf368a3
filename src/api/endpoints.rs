//! The widget API's routes, one method of [`Api`] each (packages, orders, Yardstik tokens,
//! the decision, the apply link, the candidate's progress and report), with what the widget
//! reads of their answers: through the wire type's serde derive where that is cheap, field
//! by field from the JSON object where serde's visitors would cost more wasm ([`Created`],
//! the decision, the apply link, the candidate's answers). Every call goes through the
//! session ([`super::session`]), which goes through the transport.

use std::cell::RefCell;

use js_sys::{Function, Promise};
use screening_wire::{
    AdverseAction, CheckStatus, Decision, DisclosuresToken, PackageList, ReportToken,
    ReportTokenRequest, ReviewScreening, Violation, WidgetOrderRequest,
};
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};

use super::error::ApiError;
#[cfg(feature = "order")]
use super::session::api_headers;
use super::session::Session;
use super::transport::{early, Transport};
#[cfg(feature = "order")]
use super::transport::{request_key, settled, settled_raw};
use crate::events::Emitter;
use crate::js::{get, list};
use crate::json;

const PACKAGES_PATH: &str = "/widget/packages";

/// What the client is made from: the part of the widget's config that is the client's
/// (`Config::api`, read from the host's config by `Config::from_js`).
#[derive(Debug, Clone)]
pub struct Options {
    /// Base URL of the companion server, no trailing slash; empty = same origin.
    pub server_url: String,
    pub token: Option<String>,
    /// A URL on the host's backend answering `{ token, ... }` to a POST.
    pub session_url: Option<String>,
    pub session_headers: Vec<(String, String)>,
    /// JSON text POSTed to `session_url`: the host's `sessionBody`, else the scope the mode
    /// needs ([`super::session::default_body`]).
    pub session_body: String,
    /// Optional `fetch` replacement (same signature as `window.fetch`).
    pub fetch: Option<Function>,
    /// Milliseconds before a request to the server or the session endpoint is aborted.
    pub request_timeout_ms: u32,
    /// Internal, set by the loader (`_prefetch`, not enumerable): the session and package
    /// list requests it started while this build downloaded; undefined if none.
    pub prefetch: JsValue,
}

/// The client of the companion server's widget API, with the widget's session.
pub struct Api {
    session: Session,
    /// The loader's early package list request (`_prefetch.packages`), taken by the first
    /// request for the list.
    early_packages: RefCell<Option<Promise>>,
    /// The early package list's answer when it had already come at the mount
    /// (`_prefetch.settled`): read at once, so the first render can show the list.
    #[cfg(feature = "order")]
    settled_packages: RefCell<Option<JsValue>>,
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

impl Api {
    pub fn new(o: &Options, emitter: Emitter) -> Api {
        Api {
            session: Session::new(
                Transport::new(o.server_url.clone(), o.fetch.clone(), o.request_timeout_ms),
                o.token.clone(),
                o.session_url.clone(),
                o.session_headers.clone(),
                o.session_body.clone(),
                emitter,
                &o.prefetch,
            ),
            early_packages: RefCell::new(early(&o.prefetch, "packages")),
            #[cfg(feature = "order")]
            settled_packages: RefCell::new(settled(&o.prefetch, "packages")),
        }
    }

    /// A new session token from the host page (`handle.setToken`), e.g. after
    /// `screening:session-expired`; requests waiting for one continue with it.
    pub fn set_token(&self, token: String) {
        self.session.set_token(token);
    }

    /// The package list when the loader's early request for it had already been answered
    /// (2xx, the request this widget would send, a list it can read) at the mount: no
    /// waiting, so the first render shows it. `None` otherwise (then [`Api::packages`]).
    #[cfg(feature = "order")]
    pub fn settled_packages(&self) -> Option<PackageList> {
        let answer = self.settled_packages.borrow_mut().take()?;
        let token = self.session.token()?;
        let headers = api_headers(Some(&token));
        let url = format!("{}{}", self.session.transport.base, PACKAGES_PATH);
        let raw = settled_raw(&answer, &request_key("GET", &url, &headers, None))?;
        let list = json::from_js(js_sys::JSON::parse(&raw.text).ok()?).ok()?;
        self.early_packages.borrow_mut().take();
        Some(list)
    }

    pub async fn packages(&self) -> Result<PackageList, ApiError> {
        let raw = self
            .session
            .call("GET", PACKAGES_PATH, None, None, Some(&self.early_packages))
            .await?;
        json::from_js(raw).map_err(|e| ApiError::Decode(e.0))
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
            .session
            .call(
                "POST",
                "/widget/orders",
                Some(&body),
                Some(idempotency_key),
                None,
            )
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
        self.call("POST", "/widget/tokens/report", Some(&body))
            .await
    }

    pub async fn disclosures_token(&self) -> Result<DisclosuresToken, ApiError> {
        self.call("POST", "/widget/tokens/disclosures", None).await
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
        let raw = self
            .session
            .call(method, &path, body.as_deref(), None, None)
            .await?;
        decision_of(&raw)
            .ok_or_else(|| ApiError::Decode("the decision has no report status".into()))
    }

    /// `screening_wire::ApplyLink` → the open intakes' URLs in order (its `steps`; from a
    /// server without them, its one `apply_url`), each with its own origin, checked to be
    /// one of the Yardstik `origins` the server names (an older server: its `domain`). A
    /// link that is not is refused, and none is shown. Read straight from the JSON object:
    /// a serde path for these few strings costs more wasm.
    pub async fn apply_link(
        &self,
        background_check_id: &str,
    ) -> Result<Vec<(String, String)>, ApiError> {
        let path = format!("/widget/orders/{}/apply", encode(background_check_id));
        let raw = self.session.call("GET", &path, None, None, None).await?;
        let strings = |key: &str| {
            get(&raw, key)
                .dyn_into::<js_sys::Array>()
                .unwrap_or_default()
                .iter()
                .filter_map(|s| s.as_string())
                .collect::<Vec<String>>()
        };
        let mut allowed = strings("origins");
        allowed.extend(
            get(&raw, "domain")
                .as_string()
                .filter(|_| allowed.is_empty()),
        );
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
        if urls.is_empty() {
            return Err(ApiError::Decode("the apply link has no apply_url".into()));
        }
        urls.into_iter()
            .map(|url| match crate::messages::frame_origin(&url, &allowed) {
                Some(origin) => Ok((url, origin)),
                None => Err(ApiError::RefusedLink(url)),
            })
            .collect()
    }

    /// Candidate: `GET /widget/orders/{id}` + `suffix` (`/progress` →
    /// `screening_wire::CandidateStatus`, `/report` → `screening_wire::CandidateReport`), the
    /// JSON object as is (read field by field by the candidate's views).
    #[cfg(feature = "apply")]
    pub async fn candidate(
        &self,
        background_check_id: &str,
        suffix: &str,
    ) -> Result<JsValue, ApiError> {
        let mut path = String::from("/widget/orders/");
        path.push_str(&encode(background_check_id));
        path.push_str(suffix);
        self.session.call("GET", &path, None, None, None).await
    }

    /// One API call whose 2xx body is read as `T` through the wire type's serde derive.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<T, ApiError> {
        let raw = self.session.call(method, path, body, None, None).await?;
        json::from_js(raw).map_err(|e| ApiError::Decode(e.0))
    }
}

/// A `Decision` read straight from the JSON object, like the apply link: serde's derived
/// visitors for its four structs cost about 4 kB gzip more wasm.
fn decision_of(raw: &JsValue) -> Option<Decision> {
    fn text(o: &JsValue, k: &str) -> Option<String> {
        get(o, k).as_string()
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
