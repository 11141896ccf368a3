//! `mount(element, config)` → `WidgetHandle` with `unmount()`, `setToken()` and
//! `update(config)`, exported to JS.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRoot, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

use crate::api::Api;
use crate::components::{App, AppProps};
use crate::config::Config;
use crate::ctx::Ctx;
use crate::events::Emitter;
use crate::messages::Listeners;
use crate::mode::Mode;
use crate::style;

/// A mounted widget. `unmount()` (or dropping the handle from Rust) removes the widget's DOM
/// and its window listeners; no event is emitted afterwards.
#[wasm_bindgen]
pub struct WidgetHandle {
    app: Option<AppHandle<App>>,
    listeners: Listeners,
    emitter: Emitter,
    root: Option<ShadowRoot>,
    api: Rc<Api>,
    /// The config the views render with (the latest `update`'s).
    config: Rc<Config>,
    /// The element the views render into, carrying the theme.
    container: Element,
}

#[wasm_bindgen]
impl WidgetHandle {
    pub fn unmount(&mut self) {
        self.listeners.close();
        self.emitter.silence();
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        if let Some(root) = self.root.take() {
            // Our style and container only; the shadow root itself cannot be detached.
            root.set_inner_html("");
            root.set_adopted_style_sheets(&js_sys::Array::new());
        }
    }

    /// Give the widget a new session token (after `screening:session-expired`, when there is
    /// no `sessionUrl`): a request waiting for one continues with it.
    #[wasm_bindgen(js_name = setToken)]
    pub fn set_token(&self, token: String) {
        self.api.set_token(token);
    }

    /// Apply a changed config to the mounted widget, keeping its session and what the user
    /// entered. Read and checked as `mount` reads it (an invalid config throws and changes
    /// nothing). Returns `false`, changing nothing, when the change needs a new widget
    /// (see [`needs_remount`]) or after `unmount`: the caller mounts again. Otherwise it
    /// applies the theme, `onEvent`, `token`, the order form's prefill (fields the user has
    /// not typed in), `hiringManager`, the frame's size and full screen, `loadTimeout`, and
    /// returns `true`.
    pub fn update(&mut self, config: JsValue) -> Result<bool, JsError> {
        let config = match Config::from_js(&config) {
            Ok(c) => c,
            // Another mode (one this build may not have): `mount` of it says what is wrong.
            Err(_) if mode_of(&config).is_some_and(|m| m != self.config.mode) => return Ok(false),
            Err(e) => return Err(JsError::new(&e)),
        };
        let Some(app) = self.app.as_mut() else {
            return Ok(false);
        };
        if needs_remount(&self.config, &config) {
            return Ok(false);
        }
        if config.api.token.is_some() && config.api.token != self.config.api.token {
            self.api
                .set_token(config.api.token.clone().unwrap_or_default());
        }
        self.emitter.set_on_event(config.on_event.clone());
        style::clear_theme(&self.container);
        style::apply_theme(&self.container, &config.theme);
        self.config = Rc::new(config);
        app.update(AppProps {
            ctx: Ctx {
                config: self.config.clone(),
                api: self.api.clone(),
                emitter: self.emitter.clone(),
                listeners: self.listeners.clone(),
            },
        });
        Ok(true)
    }

    /// Number of window listeners this widget holds (0 after unmount).
    #[wasm_bindgen(js_name = listenerCount)]
    pub fn listener_count(&self) -> usize {
        self.listeners.len()
    }
}

/// The mode `config` asks for, as `Config::from_js` reads it (none when it is not a mode).
fn mode_of(config: &JsValue) -> Option<Mode> {
    let mode = js_sys::Reflect::get(config, &"mode".into()).ok()?;
    match mode.as_string() {
        Some(m) if !m.trim().is_empty() => Mode::parse(m.trim()),
        Some(_) => Some(Mode::Order),
        None if mode.is_undefined() || mode.is_null() => Some(Mode::Order),
        None => None,
    }
}

/// Whether going from `old` to `new` needs a new widget: what defines the session (the
/// server, where the token comes from and what it is asked for, the `fetch` that carries the
/// requests, their timeout), the view (mode, the check or report shown), the applicant the
/// order is for (`applicant.id`: another applicant's form starts empty of what was typed for
/// the previous one), or the stylesheet's `nonce`.
fn needs_remount(old: &Config, new: &Config) -> bool {
    old.mode != new.mode
        || old.api.server_url != new.api.server_url
        || old.api.session_url != new.api.session_url
        || old.api.session_headers != new.api.session_headers
        || old.api.session_body != new.api.session_body
        || old.background_check_id != new.background_check_id
        || old.report_id != new.report_id
        || old.applicant.id != new.applicant.id
        || old.api.fetch != new.api.fetch
        || old.api.request_timeout_ms != new.api.request_timeout_ms
        || old.nonce != new.nonce
}

impl Drop for WidgetHandle {
    fn drop(&mut self) {
        self.unmount();
    }
}

/// Mount the widget into `element` (its shadow root). Throws on an invalid config.
#[wasm_bindgen]
pub fn mount(element: &Element, config: JsValue) -> Result<WidgetHandle, JsError> {
    let config = Config::from_js(&config).map_err(|e| JsError::new(&e))?;
    let doc = element
        .owner_document()
        .ok_or_else(|| JsError::new("element has no document"))?;
    let root = match element.shadow_root() {
        Some(r) => {
            r.set_inner_html("");
            r
        }
        None => element
            .attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))
            .map_err(|_| {
                JsError::new("screening-widget: cannot attach a shadow root to this element")
            })?,
    };
    style::install(&doc, &root, config.nonce.as_deref())
        .map_err(|_| JsError::new("screening-widget: cannot install styles"))?;
    let container = doc
        .create_element("div")
        .map_err(|_| JsError::new("createElement failed"))?;
    container.set_class_name("sw-root");
    let _ = container.set_attribute("data-mode", config.mode.as_str());
    style::apply_theme(&container, &config.theme);
    root.append_child(&container)
        .map_err(|_| JsError::new("appendChild failed"))?;
    let config = Rc::new(config);

    let emitter = Emitter::new(element.clone(), config.on_event.clone());
    let listeners = Listeners::default();
    let api = Rc::new(Api::new(&config.api, emitter.clone()));
    let ctx = Ctx {
        config: config.clone(),
        api: api.clone(),
        emitter: emitter.clone(),
        listeners: listeners.clone(),
    };
    let app =
        yew::Renderer::<App>::with_root_and_props(container.clone(), AppProps { ctx }).render();
    Ok(WidgetHandle {
        app: Some(app),
        listeners,
        emitter,
        root: Some(root),
        api,
        config,
        container,
    })
}
