//! DOM CustomEvents dispatched on the host element (bubbling, composed), and the same event
//! object handed to the optional `onEvent` callback. Detail shapes are documented in
//! WIDGET.md and typed in `js/screening-widget.d.ts`.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

use crate::js::{obj, opt, s};

pub const LOADED: &str = "screening:loaded";
pub const ORDER_CREATED: &str = "screening:order-created";
pub const ORDER_FAILED: &str = "screening:order-failed";
pub const TOKEN_REFRESHED: &str = "screening:token-refreshed";
pub const IFRAME_LOADED: &str = "screening:iframe-loaded";
pub const FORM_SUBMITTED: &str = "screening:form-submitted";
pub const DECISION: &str = "screening:decision";
pub const ERROR: &str = "screening:error";
/// The session token expired and there is no `sessionUrl`: the host should call
/// `handle.setToken(newToken)`.
pub const SESSION_EXPIRED: &str = "screening:session-expired";
/// Full screen was closed (Escape or the close button).
pub const CLOSED: &str = "screening:closed";

#[derive(Clone)]
pub struct Emitter {
    host: Element,
    /// Shared by every clone: `handle.update` replaces it for all of them.
    on_event: Rc<RefCell<Option<Function>>>,
    alive: Rc<Cell<bool>>,
}

impl Emitter {
    pub fn new(host: Element, on_event: Option<Function>) -> Self {
        Emitter {
            host,
            on_event: Rc::new(RefCell::new(on_event)),
            alive: Rc::new(Cell::new(true)),
        }
    }

    /// The host's new `onEvent` (or none): every later event goes to it.
    pub fn set_on_event(&self, on_event: Option<Function>) {
        *self.on_event.borrow_mut() = on_event;
    }

    /// After unmount nothing is emitted any more (late answers of in-flight requests),
    /// except an order's outcome ([`Emitter::emit_outcome`]).
    pub fn silence(&self) {
        self.alive.set(false);
    }

    pub fn is_alive(&self) -> bool {
        self.alive.get()
    }

    pub fn emit(&self, name: &str, detail: JsValue) {
        if self.alive.get() {
            self.dispatch(name, detail);
        }
    }

    /// Also after unmount: the outcome of an order the user placed (the host must learn
    /// of a check that was created, whenever its answer arrives).
    pub fn emit_outcome(&self, name: &str, detail: JsValue) {
        self.dispatch(name, detail);
    }

    fn dispatch(&self, name: &str, detail: JsValue) {
        let init = CustomEventInit::new();
        init.set_bubbles(true);
        init.set_composed(true);
        init.set_detail(&detail);
        let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) else {
            return;
        };
        let _ = self.host.dispatch_event(&event);
        // Not borrowed during the call: the callback may replace itself (`handle.update`).
        let on_event = self.on_event.borrow().clone();
        if let Some(f) = on_event {
            // A throwing host callback must not break the widget.
            let _ = f.call1(&JsValue::NULL, &event);
        }
    }

    /// `screening:error` with `{ message, code, stage }`.
    pub fn error(&self, stage: &str, message: &str, code: Option<&str>) {
        self.emit(
            ERROR,
            obj(&[
                ("stage", s(stage)),
                ("message", s(message)),
                ("code", opt(code)),
            ]),
        );
    }
}
