//! `postMessage` from Yardstik's iframes: JSON strings such as `{"name":"yardstik:loaded"}`,
//! accepted only from exactly the origin of the page framed (taken from its URL, which must
//! be on one of the Yardstik origins: [`frame_origin`]) and only from this widget's own
//! iframe (`event.source`), so two widgets on one page never act on each other's messages. The window listener lives in a
//! [`Listeners`] registry owned by the mount, so `unmount()` removes it synchronously (and
//! the effect cleanup removes it when the view changes).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;
use yew::prelude::*;

pub const LOADED: &str = "yardstik:loaded";
pub const TOKEN_EXPIRATION: &str = "yardstik:tokenExpiration";
pub const FORM_SUBMITTED: &str = "yardstik:form_submitted";

/// The origin (`scheme://host[:port]`) of a domain string such as `https://app.example.com/`.
pub fn origin_of(domain: &str) -> Option<String> {
    let origin = web_sys::Url::new(domain).ok()?.origin();
    (origin != "null").then_some(origin)
}

/// The origin of `url` if it is an http(s) URL, without credentials, whose origin is one
/// of `allowed` (each an origin or a URL on it); `None` for a `javascript:`, `data:` or
/// foreign link, which is then never framed.
pub fn frame_origin(url: &str, allowed: &[String]) -> Option<String> {
    let u = web_sys::Url::new(url).ok()?;
    let web = matches!(u.protocol().as_str(), "http:" | "https:");
    if !web || !u.username().is_empty() || !u.password().is_empty() {
        return None;
    }
    let origin = u.origin();
    allowed
        .iter()
        .any(|a| origin_of(a).as_deref() == Some(origin.as_str()))
        .then_some(origin)
}

/// The `name` of a Yardstik message, if it came from exactly `origin` and from the window
/// of `frame`, and its data is a JSON string with a string `name`; `None` for anything else.
pub fn yardstik_name(event: &MessageEvent, origin: &str, frame: &NodeRef) -> Option<String> {
    if event.origin() != origin {
        return None;
    }
    let own = frame
        .cast::<web_sys::HtmlIFrameElement>()?
        .content_window()?;
    if !js_sys::Object::is(&event.source()?.into(), &own) {
        return None;
    }
    let text = event.data().as_string()?;
    let value = js_sys::JSON::parse(&text).ok()?;
    js_sys::Reflect::get(&value, &"name".into())
        .ok()?
        .as_string()
}

/// Window listeners of one mounted widget.
#[derive(Clone, Default)]
pub struct Listeners {
    inner: Rc<RefCell<Vec<(u32, EventListener)>>>,
    next: Rc<Cell<u32>>,
    closed: Rc<Cell<bool>>,
}

impl PartialEq for Listeners {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Listeners {
    /// Keep `l` until removed; after [`Listeners::close`] it is dropped (removed) at once,
    /// since a late answer may still render a view of an unmounted widget.
    pub fn add(&self, l: EventListener) -> u32 {
        let id = self.next.get();
        if self.closed.get() {
            drop(l);
            return id;
        }
        self.next.set(id + 1);
        self.inner.borrow_mut().push((id, l));
        id
    }

    pub fn remove(&self, id: u32) {
        let removed: Vec<_> = {
            let mut v = self.inner.borrow_mut();
            let (gone, keep): (Vec<_>, Vec<_>) = v.drain(..).partition(|(i, _)| *i == id);
            *v = keep;
            gone
        };
        drop(removed);
    }

    /// Remove every listener and accept no more (unmount).
    pub fn close(&self) {
        self.closed.set(true);
        self.clear();
    }

    /// Remove every listener (each `EventListener` removes itself on drop).
    pub fn clear(&self) {
        let all = std::mem::take(&mut *self.inner.borrow_mut());
        drop(all);
    }

    pub fn len(&self) -> usize {
        self.inner.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Listen for Yardstik messages from `origin` and the iframe in `frame` while `origin` is
/// `Some`; `on_message` gets the name.
#[hook]
pub fn use_yardstik_messages(
    origin: Option<String>,
    frame: NodeRef,
    listeners: Listeners,
    on_message: Callback<String>,
) {
    use_effect_with(origin, move |origin| {
        let id = origin.clone().and_then(|origin| {
            let window = web_sys::window()?;
            let l = EventListener::new(&window, "message", move |e| {
                if let Some(name) = e
                    .dyn_ref::<MessageEvent>()
                    .and_then(|m| yardstik_name(m, &origin, &frame))
                {
                    on_message.emit(name);
                }
            });
            Some(listeners.add(l))
        });
        move || {
            if let Some(id) = id {
                listeners.remove(id);
            }
        }
    });
}
