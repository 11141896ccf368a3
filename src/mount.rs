//! `mount(element, config)` → `WidgetHandle` with `unmount()`, exported to JS.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{Element, ShadowRootInit, ShadowRootMode};
use yew::AppHandle;

use crate::api::Api;
use crate::components::{App, AppProps, Ctx};
use crate::config::Config;
use crate::events::Emitter;
use crate::messages::Listeners;
use crate::style;

/// A mounted widget. `unmount()` (or dropping the handle from Rust) removes the widget's DOM
/// and its window listeners; no event is emitted afterwards.
#[wasm_bindgen]
pub struct WidgetHandle {
    app: Option<AppHandle<App>>,
    listeners: Listeners,
    emitter: Emitter,
    root: Option<web_sys::ShadowRoot>,
    api: Rc<Api>,
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

    /// Number of window listeners this widget holds (0 after unmount).
    #[wasm_bindgen(js_name = listenerCount)]
    pub fn listener_count(&self) -> usize {
        self.listeners.len()
    }
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

    let emitter = Emitter::new(element.clone(), config.on_event.clone());
    let listeners = Listeners::default();
    let api = Rc::new(Api::new(&config, emitter.clone()));
    let ctx = Ctx {
        config: Rc::new(config),
        api: api.clone(),
        emitter: emitter.clone(),
        listeners: listeners.clone(),
    };
    let app = yew::Renderer::<App>::with_root_and_props(container, AppProps { ctx }).render();
    Ok(WidgetHandle {
        app: Some(app),
        listeners,
        emitter,
        root: Some(root),
        api,
    })
}
