//! JSON through the browser's own `JSON` object and serde-wasm-bindgen, so that serde_json
//! stays out of the wasm build.

use js_sys::JSON;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// Serialise to a JSON string (maps as plain objects, `None` fields dropped).
pub fn to_string<T: Serialize>(value: &T) -> String {
    to_js(value)
        .ok()
        .and_then(|v| JSON::stringify(&v).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

/// Serialise to a plain JS value (an object for structs, never a `Map`).
pub fn to_js<T: Serialize>(value: &T) -> Result<JsValue, serde_wasm_bindgen::Error> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
}

/// Parse a JSON string into `T`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = JSON::parse(text).map_err(|_| "the answer is not JSON".to_string())?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}
