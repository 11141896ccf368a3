//! The `config` object given to `mount(element, config)`, read field by field from JS and
//! checked as a whole: what `mount` and `handle.update` refuse is refused here. The part the
//! API client is made from is the client's own type, [`api::Options`] (so the client imports
//! nothing of the config).

use js_sys::{Function, Object};
use screening_wire::{Applicant, HiringManager};
use wasm_bindgen::{JsCast, JsValue};

use crate::api;
use crate::api::session::default_body;
#[cfg(feature = "order")]
use crate::applicant::{set_field, FIELDS};
use crate::js::get;
use crate::mode::{build_of, has_mode, Mode};

/// Yardstik SDK defaults for the iframe size.
pub const DEFAULT_WIDTH: &str = "800";
pub const DEFAULT_HEIGHT: &str = "600";

#[derive(Debug, Clone)]
pub struct Config {
    /// What the API client is made from: the server, the session, `fetch`, the request
    /// timeout and the loader's early requests.
    pub api: api::Options,
    pub mode: Mode,
    pub applicant: Applicant,
    pub hiring_manager: Option<HiringManager>,
    pub background_check_id: Option<String>,
    pub report_id: Option<String>,
    pub width: String,
    pub height: String,
    pub full_screen: bool,
    /// CSS custom properties (`--sw-*`) set on the widget's root.
    pub theme: Vec<(String, String)>,
    pub nonce: Option<String>,
    pub on_event: Option<Function>,
    /// Milliseconds to wait for `yardstik:loaded` before offering the page in a new tab.
    pub load_timeout_ms: u32,
}

pub const DEFAULT_REQUEST_TIMEOUT_MS: u32 = 20_000;
pub const DEFAULT_LOAD_TIMEOUT_MS: u32 = 20_000;

/// A non-empty string, or a number rendered as a string.
fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    let v = get(obj, key);
    // Numbers through JS's own String(n): no float formatting code in the wasm.
    let s = if v.as_f64().is_some() {
        String::from(
            v.unchecked_ref::<js_sys::Number>()
                .to_string_with_radix(10)
                .ok()?,
        )
    } else {
        v.as_string()?
    };
    let s = s.trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn get_pairs(obj: &JsValue, key: &str) -> Vec<(String, String)> {
    let v = get(obj, key);
    if !v.is_object() {
        return Vec::new();
    }
    Object::entries(v.unchecked_ref())
        .iter()
        .filter_map(|e| {
            let pair: js_sys::Array = e.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

fn get_fn(obj: &JsValue, key: &str) -> Option<Function> {
    get(obj, key).dyn_into().ok()
}

/// The applicant from the host's object, field by field with the order form's own setter
/// (no serde `Deserialize` for it in the wasm: that is size the host pays for).
#[cfg(feature = "order")]
fn applicant_of(a: &JsValue) -> Applicant {
    let mut out = Applicant {
        id: get_str(a, "id").unwrap_or_default(),
        ..Applicant::default()
    };
    for &(key, ..) in FIELDS.iter() {
        if let Some(value) = get_str(a, key) {
            set_field(&mut out, key, value);
        }
    }
    out
}

fn bad(msg: &str) -> String {
    format!("screening-widget: {msg}")
}

/// The refusal of a mode this build does not have. Out of line: inlined, the compiler
/// writes it once per refused mode.
#[inline(never)]
fn not_in_this_build(mode: Mode) -> String {
    bad(&format!(
        "this build has no {} mode: load the widget through its package or its loader, \
         which fetch the `{}` build for it",
        mode.as_str(),
        build_of(mode).name()
    ))
}

impl Config {
    pub fn from_js(v: &JsValue) -> Result<Config, String> {
        if !v.is_object() {
            return Err(bad("config must be an object"));
        }
        let mode_s = get_str(v, "mode").unwrap_or_else(|| "order".into());
        let mode = Mode::parse(&mode_s)
            .ok_or_else(|| bad("mode must be one of order, report, review, disclosures, apply"))?;
        if !has_mode(mode) {
            return Err(not_in_this_build(mode));
        }
        // Only order mode reads the applicant.
        #[cfg(feature = "order")]
        let applicant = applicant_of(&get(v, "applicant"));
        #[cfg(not(feature = "order"))]
        let applicant = Applicant::default();
        let h = get(v, "hiringManager");
        let hiring_manager = if h.is_null() || h.is_undefined() {
            None
        } else {
            let id = get_str(&h, "id").ok_or_else(|| {
                bad("`hiringManager` needs an `id` (the ATS's id of the hiring manager)")
            })?;
            let f = |k| get_str(&h, k).filter(|v| !v.is_empty());
            Some(HiringManager {
                id: Some(id.into()),
                first_name: f("first_name"),
                last_name: f("last_name"),
                email: f("email"),
            })
        };
        let session_body = match get(v, "sessionBody") {
            b if b.is_object() => js_sys::JSON::stringify(&b).ok().and_then(|s| s.as_string()),
            _ => None,
        };
        let theme = get_pairs(v, "theme")
            .into_iter()
            .map(|(k, val)| {
                (
                    if k.starts_with("--") {
                        k
                    } else {
                        format!("--sw-{k}")
                    },
                    val,
                )
            })
            .collect();
        let fs = get(v, "fullScreen");
        let full_screen = match fs.as_bool() {
            Some(b) => b,
            None if fs.is_null() || fs.is_undefined() => false,
            None => {
                return Err(bad(
                    "`fullScreen` must be true or false (a boolean, not a string)",
                ))
            }
        };
        let ms = |key: &str, default: u32| match get(v, key).as_f64() {
            None if get(v, key).is_undefined() => Ok(default),
            Some(n) if (1.0..=600_000.0).contains(&n) => Ok(n as u32),
            _ => Err(bad(&format!(
                "`{key}` must be a number of milliseconds (1 to 600000)"
            ))),
        };
        let c = Config {
            api: api::Options {
                server_url: get_str(v, "serverUrl")
                    .unwrap_or_default()
                    .trim_end_matches('/')
                    .to_string(),
                token: get_str(v, "token"),
                session_url: get_str(v, "sessionUrl"),
                session_headers: get_pairs(v, "sessionHeaders"),
                // Below: the host's, or the one the mode needs.
                session_body: String::new(),
                fetch: get_fn(v, "fetch"),
                request_timeout_ms: ms("requestTimeout", DEFAULT_REQUEST_TIMEOUT_MS)?,
                prefetch: get(v, "_prefetch"),
            },
            mode,
            applicant,
            hiring_manager,
            background_check_id: get_str(v, "backgroundCheckId"),
            report_id: get_str(v, "reportId"),
            width: get_str(v, "width").unwrap_or_else(|| DEFAULT_WIDTH.into()),
            height: get_str(v, "height").unwrap_or_else(|| DEFAULT_HEIGHT.into()),
            full_screen,
            theme,
            nonce: get_str(v, "nonce"),
            on_event: get_fn(v, "onEvent"),
            load_timeout_ms: ms("loadTimeout", DEFAULT_LOAD_TIMEOUT_MS)?,
        };
        if c.api.token.is_none() && c.api.session_url.is_none() {
            return Err(bad("give a session `token` or a `sessionUrl`"));
        }
        // What the order form cannot show next to a field: said here, plainly.
        if mode == Mode::Order {
            let req = screening_wire::WidgetOrderRequest {
                background_check_id: c.background_check_id.clone(),
                hiring_manager: c.hiring_manager.clone(),
                ..Default::default()
            };
            if let Some(e) = screening_wire::validate::validate_widget_order(&req)
                .into_iter()
                .find(|e| !e.field.starts_with("applicant") && e.field != "package_id")
            {
                let key = if e.field.starts_with("hiring") {
                    "hiringManager"
                } else {
                    "backgroundCheckId"
                };
                return Err(bad(&format!("`{key}`: {}", e.message)));
            }
        }
        let mut c = c;
        c.api.session_body = match session_body {
            Some(b) => b,
            None => default_body(c.mode, c.background_check_id.clone())
                .map_err(|_| bad("the session request could not be written"))?,
        };
        match mode {
            Mode::Report if c.background_check_id.is_none() && c.report_id.is_none() => {
                Err(bad("report mode needs `backgroundCheckId` or `reportId`"))
            }
            Mode::Apply if c.background_check_id.is_none() => {
                Err(bad("apply mode needs `backgroundCheckId`"))
            }
            Mode::Review if c.background_check_id.is_none() => {
                Err(bad("review mode needs `backgroundCheckId`"))
            }
            _ => Ok(c),
        }
    }
}
