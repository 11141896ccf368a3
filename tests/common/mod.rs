//! Test helpers: a host element, a stub server behind the widget's injectable `fetch`,
//! DOM queries inside the widget's shadow root, and bounded waiting.
#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlElement, HtmlInputElement, Response, ResponseInit};

pub const DOMAIN: &str = "http://127.0.0.1:9";

pub const PACKAGES: &str = r#"{
  "packages": [
    {"id":"PKG001","name":"Basic","price":"29.99","description":"Address to Federal Criminal History (7 year)",
     "screenings":["Address to Federal Criminal History (7 year)"]},
    {"id":"PKG002","name":"Standard","price":"49.99","description":"Basic plus SSN trace",
     "screenings":["Address to Federal Criminal History (7 year)","Social Security Address/Alias Trace"]},
    {"id":"PKG003","name":"Deluxe","price":"69.99","description":"Standard plus OFAC and national criminal search"}
  ],
  "add_on_packages": [
    {"id":"DRG01","name":"Basic Drug Screening","price":"29.99","description":"A 7 panel urine test for prohibited substances"},
    {"id":"DRG02","name":"Comprehensive Drug Screening","price":"39.99","description":"A comprehensive 10 panel urine test for prohibited substances"}
  ]
}"#;

pub fn order_state(id: &str) -> String {
    format!(
        r#"{{"background_check_id":"{id}","status":"invited","result":null,"result_link_url":null,
        "package_id":"PKG002","add_on_package_ids":["DRG02"],"items":[],"history":[],
        "created_at":"2026-11-22T03:00:00Z","updated_at":"2026-11-22T03:00:00Z"}}"#
    )
}

#[derive(Clone, Debug)]
pub struct Call {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl Call {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    }
}

#[derive(Clone)]
pub enum Reply {
    Json(u16, String),
    NetworkError,
    Hang,
    /// `Json` after a delay in milliseconds.
    After(i32, u16, String),
}

struct Route {
    method: &'static str,
    path: &'static str,
    replies: VecDeque<Reply>,
}

/// A stub of the companion server: routes answer scripted replies in order (the last one
/// repeats) and every request is recorded.
#[derive(Clone)]
pub struct Stub {
    pub calls: Rc<RefCell<Vec<Call>>>,
    routes: Rc<RefCell<Vec<Route>>>,
    fetch: Rc<Closure<dyn FnMut(JsValue, JsValue) -> Promise>>,
}

fn get_s(o: &JsValue, k: &str) -> Option<String> {
    Reflect::get(o, &k.into()).ok()?.as_string()
}

impl Stub {
    pub fn new() -> Stub {
        let calls: Rc<RefCell<Vec<Call>>> = Default::default();
        let routes: Rc<RefCell<Vec<Route>>> = Default::default();
        let (c, r) = (calls.clone(), routes.clone());
        let fetch = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(
            move |url: JsValue, init: JsValue| {
                let url = url.as_string().unwrap_or_default();
                let method = get_s(&init, "method").unwrap_or_else(|| "GET".into());
                let h = Reflect::get(&init, &"headers".into()).unwrap_or(JsValue::UNDEFINED);
                let headers = if h.is_object() {
                    Object::entries(h.unchecked_ref())
                        .iter()
                        .map(|e| {
                            let a: js_sys::Array = e.unchecked_into();
                            (a.get(0).as_string().unwrap(), a.get(1).as_string().unwrap())
                        })
                        .collect()
                } else {
                    vec![]
                };
                let body = get_s(&init, "body");
                c.borrow_mut().push(Call {
                    method: method.clone(),
                    url: url.clone(),
                    headers,
                    body,
                });
                let mut routes = r.borrow_mut();
                let reply = routes
                    .iter_mut()
                    .find(|rt| rt.method == method && url.ends_with(rt.path))
                    .map(|rt| {
                        if rt.replies.len() > 1 {
                            rt.replies.pop_front().unwrap()
                        } else {
                            rt.replies[0].clone()
                        }
                    })
                    .unwrap_or(if url.ends_with("/healthz") {
                        // The widget's reachability probe after a failed request: a stub
                        // server is "down" unless a test routes it.
                        Reply::NetworkError
                    } else {
                        Reply::Json(
                            404,
                            r#"{"error_message":"no such route in the stub"}"#.into(),
                        )
                    });
                match reply {
                    Reply::Json(status, body) => {
                        let init = ResponseInit::new();
                        init.set_status(status);
                        let resp: JsValue = Response::new_with_opt_str_and_init(Some(&body), &init)
                            .unwrap()
                            .into();
                        Promise::resolve(&resp)
                    }
                    Reply::NetworkError => {
                        Promise::reject(&js_sys::TypeError::new("Failed to fetch"))
                    }
                    Reply::Hang => Promise::new(&mut |_, _| {}),
                    Reply::After(ms, status, body) => Promise::new(&mut |resolve, _| {
                        let init = ResponseInit::new();
                        init.set_status(status);
                        let resp = Response::new_with_opt_str_and_init(Some(&body), &init).unwrap();
                        web_sys::window()
                            .unwrap()
                            .set_timeout_with_callback_and_timeout_and_arguments_1(
                                &resolve, ms, &resp,
                            )
                            .unwrap();
                    }),
                }
            },
        );
        Stub {
            calls,
            routes,
            fetch: Rc::new(fetch),
        }
    }

    pub fn route(&self, method: &'static str, path: &'static str, replies: Vec<Reply>) -> &Self {
        self.routes.borrow_mut().push(Route {
            method,
            path,
            replies: replies.into(),
        });
        self
    }

    pub fn function(&self) -> Function {
        self.fetch
            .as_ref()
            .as_ref()
            .unchecked_ref::<Function>()
            .clone()
    }

    pub fn calls_to(&self, method: &str, path: &str) -> Vec<Call> {
        self.calls
            .borrow()
            .iter()
            .filter(|c| c.method == method && c.url.ends_with(path))
            .cloned()
            .collect()
    }
}

/// A config object: `pairs` of (key, value) plus the stub's fetch.
pub fn config(stub: &Stub, pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    Reflect::set(&o, &"serverUrl".into(), &"http://screening.test".into()).unwrap();
    Reflect::set(&o, &"token".into(), &"sess-1".into()).unwrap();
    Reflect::set(&o, &"fetch".into(), &stub.function()).unwrap();
    for (k, v) in pairs {
        Reflect::set(&o, &(*k).into(), v).unwrap();
    }
    o.into()
}

pub fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// A fresh host element in the document.
pub fn host() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let el = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&el).unwrap();
    el
}

pub fn q(host: &Element, sel: &str) -> Option<Element> {
    host.shadow_root()
        .expect("shadow root")
        .query_selector(sel)
        .unwrap()
}

pub fn qa(host: &Element, sel: &str) -> Vec<Element> {
    let list = host.shadow_root().unwrap().query_selector_all(sel).unwrap();
    (0..list.length())
        .map(|i| list.get(i).unwrap().unchecked_into())
        .collect()
}

pub fn text(host: &Element, sel: &str) -> String {
    q(host, sel)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

pub fn click(host: &Element, sel: &str) {
    q(host, sel)
        .unwrap_or_else(|| panic!("no {sel}"))
        .unchecked_into::<HtmlElement>()
        .click();
}

pub fn type_into(host: &Element, sel: &str, value: &str) {
    let input: HtmlInputElement = q(host, sel)
        .unwrap_or_else(|| panic!("no {sel}"))
        .unchecked_into();
    input.set_value(value);
    let ev = web_sys::InputEvent::new("input").unwrap();
    input.dispatch_event(&ev).unwrap();
}

pub async fn tick() {
    let p = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
    yew::scheduler::flush().await;
}

/// Wait (a bounded number of event-loop turns) until `cond` holds.
pub async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        yew::scheduler::flush().await;
        if cond() {
            return;
        }
        tick().await;
    }
    panic!("timed out waiting for {what}");
}

/// Record every `screening:*` event dispatched on `host`: (type, detail as JSON).
pub fn record_events(host: &Element) -> Rc<RefCell<Vec<(String, String)>>> {
    let log: Rc<RefCell<Vec<(String, String)>>> = Default::default();
    for name in [
        "screening:loaded",
        "screening:order-created",
        "screening:order-failed",
        "screening:token-refreshed",
        "screening:iframe-loaded",
        "screening:form-submitted",
        "screening:decision",
        "screening:error",
        "screening:session-expired",
        "screening:closed",
    ] {
        let log = log.clone();
        let cb = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let detail = js_sys::JSON::stringify(&e.detail())
                .map(String::from)
                .unwrap_or_default();
            log.borrow_mut().push((e.type_(), detail));
        });
        host.add_event_listener_with_callback(name, cb.as_ref().unchecked_ref())
            .unwrap();
        cb.forget();
    }
    log
}

/// A `message` event on `window` as the iframe of `host` would post it (its window is the
/// event's `source`), with `origin`.
pub fn post_message(host: &Element, origin: &str, data: &JsValue) {
    let source = q(host, "iframe").and_then(|f| {
        f.unchecked_into::<web_sys::HtmlIFrameElement>()
            .content_window()
    });
    post_message_from(source.map(JsValue::from), origin, data);
}

/// A `message` event on `window` from `source` (a window, or none) with `origin`.
pub fn post_message_from(source: Option<JsValue>, origin: &str, data: &JsValue) {
    let init = web_sys::MessageEventInit::new();
    init.set_origin(origin);
    init.set_data(data);
    if let Some(src) = &source {
        Reflect::set(&init, &"source".into(), src).unwrap();
    }
    let ev = web_sys::MessageEvent::new_with_event_init_dict("message", &init).unwrap();
    web_sys::window().unwrap().dispatch_event(&ev).unwrap();
}

/// The element focused inside the widget's shadow root, if any.
pub fn focused(host: &Element) -> Option<Element> {
    host.shadow_root().unwrap().active_element()
}

/// Dispatch a bubbling `keydown` with `key` on the element matching `sel`.
pub fn key_down(host: &Element, sel: &str, key: &str) {
    // Through the constructor on `window` (no `KeyboardEventInit` binding needed).
    let ctor: Function = Reflect::get(&web_sys::window().unwrap(), &"KeyboardEvent".into())
        .unwrap()
        .unchecked_into();
    let init = Object::new();
    Reflect::set(&init, &"key".into(), &key.into()).unwrap();
    Reflect::set(&init, &"bubbles".into(), &true.into()).unwrap();
    let ev: web_sys::Event =
        Reflect::construct(&ctor, &js_sys::Array::of2(&"keydown".into(), &init))
            .unwrap()
            .unchecked_into();
    q(host, sel)
        .unwrap_or_else(|| panic!("no {sel}"))
        .dispatch_event(&ev)
        .unwrap();
}

/// Type into a `<textarea>` (an `input` event, as a user would).
pub fn type_text(host: &Element, sel: &str, value: &str) {
    let area: web_sys::HtmlTextAreaElement = q(host, sel)
        .unwrap_or_else(|| panic!("no {sel}"))
        .unchecked_into();
    area.set_value(value);
    let ev = web_sys::InputEvent::new("input").unwrap();
    area.dispatch_event(&ev).unwrap();
}

/// Wait `ms` milliseconds of real time.
pub async fn sleep_ms(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
    yew::scheduler::flush().await;
}

/// Dispatch a `keydown` with `key` on `window` (as a key pressed outside the iframe).
pub fn key_down_on_window(key: &str) {
    let ctor: Function = Reflect::get(&web_sys::window().unwrap(), &"KeyboardEvent".into())
        .unwrap()
        .unchecked_into();
    let init = Object::new();
    Reflect::set(&init, &"key".into(), &key.into()).unwrap();
    let ev: web_sys::Event =
        Reflect::construct(&ctor, &js_sys::Array::of2(&"keydown".into(), &init))
            .unwrap()
            .unchecked_into();
    web_sys::window().unwrap().dispatch_event(&ev).unwrap();
}

// ---------------------------------------------------------------------------------------
// The candidate view: a test clock for long timers.

/// Replaces `window.setTimeout` / `clearTimeout` while alive: timers of one second or more
/// are only recorded (and run by [`LongTimers::fire`]); shorter ones go to the real timers.
/// The originals come back on drop.
pub struct LongTimers {
    pending: Rc<RefCell<Vec<(i32, i32, Function)>>>,
    orig_set: JsValue,
    orig_clear: JsValue,
    _set: Closure<dyn FnMut(JsValue, JsValue, JsValue) -> JsValue>,
    _clear: Closure<dyn FnMut(JsValue)>,
}

impl LongTimers {
    pub fn install() -> LongTimers {
        let win = web_sys::window().unwrap();
        let orig_set = Reflect::get(&win, &"setTimeout".into()).unwrap();
        let orig_clear = Reflect::get(&win, &"clearTimeout".into()).unwrap();
        let pending: Rc<RefCell<Vec<(i32, i32, Function)>>> = Default::default();
        let next = Rc::new(std::cell::Cell::new(1_000_000));
        let (p, real, w) = (pending.clone(), orig_set.clone(), win.clone());
        let set = Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> JsValue>::new(
            move |cb: JsValue, ms: JsValue, arg: JsValue| {
                let delay = ms.as_f64().unwrap_or(0.0) as i32;
                if delay >= 1000 {
                    let id = next.get() + 1;
                    next.set(id);
                    let cb: Function = cb.unchecked_into();
                    let bound: Function = cb.bind1(&JsValue::NULL, &arg).unchecked_into();
                    p.borrow_mut().push((id, delay, bound));
                    return JsValue::from(id);
                }
                real.unchecked_ref::<Function>()
                    .call3(&w, &cb, &ms, &arg)
                    .unwrap()
            },
        );
        let (p, real, w) = (pending.clone(), orig_clear.clone(), win.clone());
        let clear = Closure::<dyn FnMut(JsValue)>::new(move |id: JsValue| {
            let id = id.as_f64().unwrap_or(-1.0) as i32;
            p.borrow_mut().retain(|(i, _, _)| *i != id);
            let _ = real.unchecked_ref::<Function>().call1(&w, &id.into());
        });
        Reflect::set(&win, &"setTimeout".into(), set.as_ref()).unwrap();
        Reflect::set(&win, &"clearTimeout".into(), clear.as_ref()).unwrap();
        LongTimers {
            pending,
            orig_set,
            orig_clear,
            _set: set,
            _clear: clear,
        }
    }

    /// The delays (ms) of the long timers waiting, in the order they were set.
    pub fn delays(&self) -> Vec<i32> {
        self.pending.borrow().iter().map(|(_, d, _)| *d).collect()
    }

    /// Run every waiting timer of exactly `delay` ms now; how many ran.
    pub fn fire(&self, delay: i32) -> usize {
        let due: Vec<Function> = {
            let mut p = self.pending.borrow_mut();
            let (due, keep): (Vec<_>, Vec<_>) = p.drain(..).partition(|(_, d, _)| *d == delay);
            *p = keep;
            due.into_iter().map(|(_, _, f)| f).collect()
        };
        for f in &due {
            f.call0(&JsValue::NULL).unwrap();
        }
        due.len()
    }
}

impl Drop for LongTimers {
    fn drop(&mut self) {
        let win = web_sys::window().unwrap();
        Reflect::set(&win, &"setTimeout".into(), &self.orig_set).unwrap();
        Reflect::set(&win, &"clearTimeout".into(), &self.orig_clear).unwrap();
    }
}
