//! Plain JS values, field by field: reading the objects `JSON.parse` gives (the server's
//! answers, the host's config) and building the small objects the widget hands to JS (event
//! details, `fetch` options). Most of the widget reads and writes JSON this way rather than
//! through serde, which costs wasm per type (the wire types that do go through serde use
//! `json.rs`).
//!
//! The bottom of the crate: it imports nothing of the widget, and every other module may
//! use it.

use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `o[k]`; `undefined` when `o` has no such field (or is not an object).
pub fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or_default()
}

/// `o[k]` when it is a non-empty string.
pub fn text(o: &JsValue, k: &str) -> Option<String> {
    get(o, k).as_string().filter(|s| !s.is_empty())
}

/// `o[k]` when it is an array; an empty array otherwise.
pub fn list(o: &JsValue, k: &str) -> Array {
    get(o, k).dyn_into().unwrap_or_default()
}

/// Build a plain object from key/value pairs (undefined values are skipped).
pub fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        if !v.is_undefined() {
            let _ = Reflect::set(&o, &JsValue::from_str(k), v);
        }
    }
    o.into()
}

pub fn s(v: &str) -> JsValue {
    JsValue::from_str(v)
}

pub fn opt(v: Option<&str>) -> JsValue {
    v.map(JsValue::from_str).unwrap_or(JsValue::NULL)
}

/// Resolve after `ms` milliseconds (`window.setTimeout`).
pub async fn sleep(ms: i32) {
    let p = Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(p).await;
}
