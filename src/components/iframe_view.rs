//! Report, disclosures and apply modes: an iframe exactly as Yardstik's SDK builds it, a
//! spinner until `yardstik:loaded` comes from the Yardstik origin, a fresh token on
//! `yardstik:tokenExpiration` (report, disclosures), and `yardstik:form_submitted` (apply:
//! the next intake page, or the end panel after the last).

use std::cell::RefCell;
use std::rc::Rc;

use screening_wire::{disclosures_iframe_url, report_iframe_url, ReportTokenRequest};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::apply_view::{apply_link, candidate_view, nothing_to_fill};
use super::status::{loading, notice, status_region};
use crate::api::ApiError;
use crate::config::Config;
use crate::ctx::Ctx;
use crate::events;
use crate::js::{obj, s};
use crate::messages::{self, use_yardstik_messages};
use crate::mode::Mode;

/// The iframe with Yardstik's SDK attributes and style; while loading it stays rendered
/// (opacity 0, never `display:none`, which would stop its `loaded` message) under a spinner.
/// Sizes and full screen are attributes and classes: no inline style (strict CSP). Keyed by
/// its URL: a new URL (a renewed token, the next intake form) is a new iframe, so no entry is
/// added to the page's history. `node` holds it (messages must come from its window).
pub fn frame(
    c: &Config,
    url: &str,
    title: &'static str,
    loaded: bool,
    onload: Option<Callback<Event>>,
    node: NodeRef,
) -> Html {
    let full = if c.full_screen { " sw-full" } else { "" };
    html! {
        <div class="sw-frame-wrap">
            <iframe key={url.to_string()} ref={node}
                    class={format!("sw-frame{}{full}", if loaded { "" } else { " is-loading" })}
                    src={url.to_string()} {title} referrerpolicy="no-referrer"
                    width={c.width.clone()} height={c.height.clone()}
                    aria-busy={(!loaded).then_some("true")} {onload}></iframe>
            if !loaded {
                <div class={format!("sw-frame-overlay{full}")} aria-hidden="true">
                    <span class="sw-spinner"></span>
                    <span>{ "Loading…" }</span>
                </div>
            }
        </div>
    }
}

#[derive(Clone, PartialEq)]
pub enum Phase {
    Fetching,
    Ready {
        url: String,
        origin: String,
        loaded: bool,
        /// `yardstik:loaded` is overdue: the page is also offered in a new tab.
        slow: bool,
    },
    Submitted,
    Failed(ApiError),
}

pub enum Action {
    Fetching,
    Ready {
        url: String,
        origin: String,
    },
    /// Apply mode: the next intake page and its own origin.
    Next {
        url: String,
        origin: String,
    },
    Loaded,
    /// The load timeout of this URL passed without `yardstik:loaded`.
    Slow(String),
    Expired,
    Submitted,
    Failed(ApiError),
}

#[derive(Clone, PartialEq)]
pub struct FrameState(pub Phase);

impl Reducible for FrameState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = match (action, &self.0) {
            // A renewal keeps the current iframe until the new URL is known; after the last
            // intake form nothing is fetched again.
            (Action::Fetching | Action::Ready { .. }, Phase::Submitted) => return self,
            (Action::Fetching, Phase::Ready { .. }) => return self,
            (Action::Fetching, _) => Phase::Fetching,
            (Action::Ready { url, origin }, _) => Phase::Ready {
                url,
                origin,
                loaded: false,
                slow: false,
            },
            (Action::Loaded, Phase::Ready { url, origin, .. }) => Phase::Ready {
                url: url.clone(),
                origin: origin.clone(),
                loaded: true,
                slow: false,
            },
            (
                Action::Slow(which),
                Phase::Ready {
                    url,
                    origin,
                    loaded: false,
                    ..
                },
            ) if which == *url => Phase::Ready {
                url: url.clone(),
                origin: origin.clone(),
                loaded: false,
                slow: true,
            },
            (Action::Next { url, origin }, Phase::Ready { .. }) => Phase::Ready {
                url,
                origin,
                loaded: false,
                slow: false,
            },
            (Action::Expired, Phase::Ready { url, origin, .. }) => Phase::Ready {
                url: url.clone(),
                origin: origin.clone(),
                loaded: false,
                slow: false,
            },
            (Action::Submitted, Phase::Ready { .. }) => Phase::Submitted,
            (Action::Failed(e), _) => Phase::Failed(e),
            _ => return self,
        };
        Rc::new(FrameState(next))
    }
}

/// (noun for messages, iframe title)
fn names(mode: Mode) -> (&'static str, &'static str) {
    match mode {
        Mode::Disclosures => ("disclosures", "Background check disclosures"),
        Mode::Apply => ("background check form", "Background check form"),
        _ => ("report", "Background check report"),
    }
}

/// The iframe URLs (one, except for an order's several intakes in apply mode), each with
/// the origin its messages must come from: the URL's own, which must be the Yardstik
/// origin the server named (report, disclosures) or one of its origins (apply).
async fn source(ctx: &Ctx) -> Result<Vec<(String, String)>, ApiError> {
    let c = &ctx.config;
    let (url, domain) = match c.mode {
        Mode::Disclosures => {
            let t = ctx.api.disclosures_token().await?;
            (
                disclosures_iframe_url(&t.domain, &t.account_id, &t.token),
                t.domain,
            )
        }
        Mode::Apply => return apply_link(ctx).await,
        _ => {
            let req = ReportTokenRequest {
                background_check_id: c.background_check_id.clone(),
                report_id: c.report_id.clone(),
            };
            let t = ctx.api.report_token(&req).await?;
            (
                report_iframe_url(&t.domain, &t.report_id, &t.token),
                t.domain,
            )
        }
    };
    match messages::frame_origin(&url, &[domain]) {
        Some(origin) => Ok(vec![(url, origin)]),
        None => Err(ApiError::RefusedLink(url)),
    }
}

/// The iframe URLs with their origins, and the index of the one shown (apply mode walks
/// them).
type Steps = Rc<RefCell<(Vec<(String, String)>, usize)>>;

/// Fetch the URL and point the iframe at it. `refresh` marks a renewal after expiry.
fn fetch(
    ctx: Ctx,
    d: UseReducerDispatcher<FrameState>,
    busy: Rc<RefCell<bool>>,
    steps: Steps,
    refresh: bool,
) {
    if busy.replace(true) {
        return;
    }
    d.dispatch(Action::Fetching);
    spawn_local(async move {
        let result = source(&ctx).await;
        *busy.borrow_mut() = false;
        let mode = s(ctx.config.mode.as_str());
        match result {
            Ok(urls) => {
                let (url, origin) = urls[0].clone();
                {
                    let (old, i) = &mut *steps.borrow_mut();
                    if refresh && ctx.config.mode == Mode::Apply {
                        // The intakes still open, after the ones already submitted here.
                        old.truncate(*i);
                        old.extend(urls);
                    } else {
                        *old = urls;
                        *i = 0;
                    }
                }
                let (name, key) = if refresh {
                    (events::TOKEN_REFRESHED, "kind")
                } else {
                    (events::LOADED, "mode")
                };
                ctx.emitter
                    .emit(name, obj(&[(key, mode), ("domain", s(&origin))]));
                d.dispatch(Action::Ready { url, origin });
            }
            // Apply mode with no intake open: the candidate's view, not an error.
            Err(e) if ctx.config.mode == Mode::Apply && nothing_to_fill(&e) => {
                d.dispatch(Action::Failed(e));
            }
            Err(e) => {
                ctx.emitter.error(
                    if ctx.config.mode == Mode::Apply {
                        "apply_link"
                    } else {
                        "token"
                    },
                    &e.message(),
                    e.code(),
                );
                d.dispatch(Action::Failed(e));
            }
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct FrameViewProps {
    pub ctx: Ctx,
}

/// Run `f` once after `ms` milliseconds; the timer is cleared when the returned guard drops.
pub(crate) fn after(ms: u32, f: impl FnOnce() + 'static) -> impl Drop {
    struct Timer(i32, Option<Closure<dyn FnMut()>>);
    impl Drop for Timer {
        fn drop(&mut self) {
            if let Some(w) = web_sys::window() {
                w.clear_timeout_with_handle(self.0);
            }
            self.1.take();
        }
    }
    let cb = Closure::once(f);
    let id = web_sys::window()
        .and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(
                cb.as_ref().unchecked_ref(),
                ms.min(i32::MAX as u32) as i32,
            )
            .ok()
        })
        .unwrap_or(0);
    Timer(id, Some(cb))
}

#[component]
pub fn FrameView(props: &FrameViewProps) -> Html {
    let ctx = props.ctx.clone();
    let state = use_reducer(|| FrameState(Phase::Fetching));
    // One request at a time (several expiry messages in a row fetch once).
    let busy: Rc<RefCell<bool>> = use_mut_ref(|| false);
    let steps: Steps = use_mut_ref(Default::default);
    let node = use_node_ref();
    let root = use_node_ref();
    // Full screen closed by Escape or its close button.
    let closed = use_state_eq(|| false);
    let mode = ctx.config.mode;
    let (what, title) = names(mode);

    {
        let (ctx, d, busy, steps) = (ctx.clone(), state.dispatcher(), busy.clone(), steps.clone());
        use_effect_with((), move |_| fetch(ctx, d, busy, steps, false));
    }
    let origin = match &state.0 {
        Phase::Ready { origin, .. } => Some(origin.clone()),
        _ => None,
    };
    {
        // `yardstik:loaded` overdue: offer the page in a new tab (the iframe stays).
        let waiting = match &state.0 {
            Phase::Ready {
                url, loaded: false, ..
            } => Some(url.clone()),
            _ => None,
        };
        let (d, ms) = (state.dispatcher(), ctx.config.load_timeout_ms);
        use_effect_with(waiting, move |url| {
            let timer = url
                .clone()
                .map(|url| after(ms, move || d.dispatch(Action::Slow(url))));
            move || drop(timer)
        });
    }
    let close = {
        let (ctx, closed, root) = (ctx.clone(), closed.clone(), root.clone());
        Callback::from(move |()| {
            if !*closed {
                closed.set(true);
                ctx.emitter
                    .emit(events::CLOSED, obj(&[("mode", s(mode.as_str()))]));
                focus_later(&root, ".sw-reopen");
            }
        })
    };
    {
        // Escape closes full screen (while the focus is outside the iframe).
        let active = ctx.config.full_screen && !*closed && origin.is_some();
        let (listeners, close) = (ctx.listeners.clone(), close.clone());
        use_effect_with(active, move |active| {
            let id = active
                .then(|| {
                    let window = web_sys::window()?;
                    let l = gloo_events::EventListener::new(&window, "keydown", move |e| {
                        let key = js_sys::Reflect::get(e, &"key".into()).unwrap_or_default();
                        if key.as_string().as_deref() == Some("Escape") {
                            close.emit(());
                        }
                    });
                    Some(listeners.add(l))
                })
                .flatten();
            move || {
                if let Some(id) = id {
                    listeners.remove(id);
                }
            }
        });
    }
    let on_message = {
        let (ctx, d, busy, steps) = (ctx.clone(), state.dispatcher(), busy.clone(), steps.clone());
        Callback::from(move |name: String| match name.as_str() {
            messages::LOADED => {
                ctx.emitter
                    .emit(events::IFRAME_LOADED, obj(&[("mode", s(mode.as_str()))]));
                d.dispatch(Action::Loaded);
            }
            messages::TOKEN_EXPIRATION => {
                d.dispatch(Action::Expired);
                fetch(ctx.clone(), d.clone(), busy.clone(), steps.clone(), true);
            }
            messages::FORM_SUBMITTED if mode == Mode::Apply => {
                // Intake `step` of `total` is done: show the next one, or the end panel.
                let (step, total, next) = {
                    let (urls, i) = &mut *steps.borrow_mut();
                    if *i >= urls.len() {
                        return; // a repeated message after the last form
                    }
                    *i += 1;
                    (*i, urls.len(), urls.get(*i).cloned())
                };
                let id = ctx
                    .config
                    .background_check_id
                    .as_deref()
                    .unwrap_or_default();
                ctx.emitter.emit(
                    events::FORM_SUBMITTED,
                    obj(&[
                        ("backgroundCheckId", s(id)),
                        ("step", (step as u32).into()),
                        ("total", (total as u32).into()),
                    ]),
                );
                d.dispatch(
                    next.map_or(Action::Submitted, |(url, origin)| Action::Next {
                        url,
                        origin,
                    }),
                );
            }
            _ => {}
        })
    };
    use_yardstik_messages(origin, node.clone(), ctx.listeners.clone(), on_message);

    // One live region for every state: only its text changes.
    let (status, body) = match &state.0 {
        Phase::Fetching => {
            let label: AttrValue = format!("Loading the {what}…").into();
            (label.to_string(), loading(label))
        }
        Phase::Failed(e) if mode == Mode::Apply && nothing_to_fill(e) => {
            let resume = {
                let (ctx, d, busy, steps) =
                    (ctx.clone(), state.dispatcher(), busy.clone(), steps.clone());
                Callback::from(move |_: MouseEvent| {
                    fetch(ctx.clone(), d.clone(), busy.clone(), steps.clone(), false)
                })
            };
            (String::new(), candidate_view(&ctx, false, Some(resume)))
        }
        Phase::Failed(e) => {
            let retry = {
                let (ctx, d, busy, steps) =
                    (ctx.clone(), state.dispatcher(), busy.clone(), steps.clone());
                Callback::from(move |_: MouseEvent| {
                    fetch(ctx.clone(), d.clone(), busy.clone(), steps.clone(), false)
                })
            };
            (
                format!("The {what} could not be opened."),
                notice(
                    true,
                    format!("The {what} could not be opened").into(),
                    e.message().into(),
                    Some((retry, "Try again")),
                    Html::default(),
                ),
            )
        }
        Phase::Ready { .. } if *closed => {
            let reopen = {
                let closed = closed.clone();
                Callback::from(move |_: MouseEvent| closed.set(false))
            };
            (
                format!("The {what} was closed."),
                html! {
                    <div class="sw-panel">
                        <p>{ format!("The {what} was closed.") }</p>
                        <div class="sw-actions">
                            <button type="button" class="sw-btn sw-reopen" onclick={reopen}>{ format!("Open the {what} again") }</button>
                        </div>
                    </div>
                },
            )
        }
        Phase::Ready {
            url, loaded, slow, ..
        } => {
            // The intake page may not post `yardstik:loaded`: its own load event also counts.
            let onload = (mode == Mode::Apply).then(|| {
                state
                    .dispatcher()
                    .to_callback()
                    .reform(|_: Event| Action::Loaded)
            });
            let st = steps.borrow();
            let (urls, i) = &*st;
            let status = if *loaded {
                format!("{title} loaded.")
            } else if *slow {
                format!("The {what} is taking long to load. You can open it in a new tab.")
            } else {
                format!("Loading the {what}…")
            };
            let full = ctx.config.full_screen;
            (
                status,
                html! {
                    <>
                        if urls.len() > 1 {
                            <p class="sw-step">{ format!("Form {} of {}", i + 1, urls.len()) }</p>
                        }
                        if *slow {
                            <p class={if full { "sw-slow sw-full" } else { "sw-slow" }}>
                                { format!("The {what} is taking long to load. ") }
                                <a href={url.clone()} target="_blank" rel="noopener noreferrer">{ format!("Open the {what} in a new tab") }</a>
                            </p>
                        }
                        if full {
                            <button type="button" class="sw-btn sw-close" aria-label={format!("Close the {what}")}
                                    onclick={close.reform(|_: MouseEvent| ())}>{ "×" }</button>
                        }
                        { frame(&ctx.config, url, title, *loaded, onload, node.clone()) }
                    </>
                },
            )
        }
        Phase::Submitted => (String::new(), candidate_view(&ctx, true, None)),
    };
    html! {
        <div class="sw-frame-view" ref={root} aria-busy={matches!(state.0, Phase::Fetching).then_some("true")}>
            { status_region(status.into()) }
            { body }
        </div>
    }
}

/// Focus `sel` inside `root` once the next render is done.
fn focus_later(root: &NodeRef, sel: &'static str) {
    let root = root.clone();
    let f = Closure::once_into_js(move || {
        let el = root
            .cast::<web_sys::Element>()
            .and_then(|r| r.query_selector(sel).ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = el {
            let _ = el.focus();
        }
    });
    if let Some(w) = web_sys::window() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), 0);
    }
}
