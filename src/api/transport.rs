//! How one HTTP exchange goes, below the session and the routes: `fetch` (the host's
//! replacement when it gave one) aborted after the request timeout, an answer's body read
//! within the same deadline, a failure without an answer told apart from an answer the
//! browser refused (CORS) by a `no-cors` probe of `/healthz`, and the loader's early
//! requests (`_prefetch`), whose answers stand in for an exchange when they are the request
//! it would send. Knows nothing of tokens or routes.

use std::cell::RefCell;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::error::ApiError;
use crate::js::{get, obj, s};

/// An answer: its HTTP status and body text.
pub(crate) struct Raw {
    pub status: u16,
    pub text: String,
}

/// What `setTimeout` resolves the deadline promise with.
const DEADLINE: &str = "sw-deadline";

pub(crate) struct Transport {
    /// Base URL of the companion server, no trailing slash; empty = this page's origin.
    pub base: String,
    fetch: Option<Function>,
    /// Milliseconds before a request is aborted.
    pub timeout_ms: u32,
}

impl Transport {
    pub fn new(base: String, fetch: Option<Function>, timeout_ms: u32) -> Transport {
        Transport {
            base,
            fetch,
            timeout_ms,
        }
    }

    /// A request to the server failed before any answer: a `no-cors` probe of its
    /// `/healthz` tells an unreachable server from an answer the browser refused (CORS).
    pub async fn diagnose(&self) -> ApiError {
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

    /// The answer of the loader's early request in `slot` (taken: used once), when it is
    /// the request this one would send (same method, URL, headers and body); a timeout as
    /// [`ApiError::Timeout`]; `None` (send it afresh) when there was none, it was another
    /// request, or it failed before any answer. Waits at most the request timeout.
    pub async fn early(
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
    pub async fn send(
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

/// One of the loader's early requests (`session`, `packages`) from `Config::prefetch`.
pub(crate) fn early(prefetch: &JsValue, which: &str) -> Option<Promise> {
    if !prefetch.is_object() {
        return None;
    }
    get(prefetch, which).dyn_into().ok()
}

/// One of the loader's early answers that had already come (`_prefetch.settled`).
#[cfg(feature = "order")]
pub(crate) fn settled(prefetch: &JsValue, which: &str) -> Option<JsValue> {
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
pub(crate) fn settled_raw(answer: &JsValue, key: &str) -> Option<Raw> {
    answer_raw(answer, key).filter(|raw| (200..300).contains(&raw.status))
}

/// What names a request for the loader's early answers: the JSON text of
/// `[method, url, [[header, value], ...], body or null]`, as the loader writes it.
pub(crate) fn request_key(
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
