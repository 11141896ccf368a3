//! [`Load`]: one read from the server as a view shows it (loading, failed, or the answer's
//! JSON object as it came, read field by field with [`crate::js`]). Shared by the candidate's
//! view (its progress) and the candidate's report, which the view renders.

use wasm_bindgen::JsValue;

use crate::api::ApiError;

#[derive(Clone, PartialEq)]
pub enum Load {
    Loading,
    Failed(ApiError),
    Ready(JsValue),
}
