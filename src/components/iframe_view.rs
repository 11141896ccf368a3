//! Report, disclosures and apply modes: an iframe exactly as Yardstik's SDK builds it, a
//! spinner until `yardstik:loaded` comes from the Yardstik origin, a fresh token on
//! `yardstik:tokenExpiration` (report, disclosures), and `yardstik:form_submitted` (apply:
//! the next intake page, or the end panel after the last).

use std::cell::RefCell;
use std::rc::Rc;

use screening_wire::{disclosures_iframe_url, report_iframe_url, ReportTokenRequest};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::apply_view::{apply_link, next_steps};
use super::status::{loading, notice, status_region};
use super::Ctx;
use crate::api::ApiError;
use crate::config::{Config, Mode};
use crate::events::{self, obj, s};
use crate::messages::{self, origin_of, use_yardstik_messages};

/// The iframe with Yardstik's SDK attributes and style; while loading it stays rendered
/// (opacity 0, never `display:none`, which would stop its `loaded` message) under a spinner.
/// Sizes and full screen are attributes and classes: no inline style (strict CSP).
pub fn frame(
    c: &Config,
    url: &str,
    title: &'static str,
    loaded: bool,
    onload: Option<Callback<Event>>,
) -> Html {
    let full = if c.full_screen { " sw-full" } else { "" };
    html! {
        <div class="sw-frame-wrap">
            <iframe class={format!("sw-frame{}{full}", if loaded { "" } else { " is-loading" })}
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
    /// Apply mode: the next intake page, same origin.
    Next(String),
    Loaded,
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
            // A renewal keeps the current iframe until the new URL is known.
            (Action::Fetching, Phase::Ready { .. }) => return self,
            (Action::Fetching, _) => Phase::Fetching,
            (Action::Ready { url, origin }, _) => Phase::Ready {
                url,
                origin,
                loaded: false,
            },
            (Action::Loaded, Phase::Ready { url, origin, .. }) => Phase::Ready {
                url: url.clone(),
                origin: origin.clone(),
                loaded: true,
            },
            (Action::Next(url), Phase::Ready { origin, .. }) => Phase::Ready {
                url,
                origin: origin.clone(),
                loaded: false,
            },
            (Action::Expired, Phase::Ready { url, origin, .. }) => Phase::Ready {
                url: url.clone(),
                origin: origin.clone(),
                loaded: false,
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

/// The iframe URLs (one, except for an order's several intakes in apply mode) and the
/// Yardstik origin for this mode, from the server.
async fn source(ctx: &Ctx) -> Result<(Vec<String>, String), ApiError> {
    let c = &ctx.config;
    let (urls, domain) = match c.mode {
        Mode::Disclosures => {
            let t = ctx.api.disclosures_token().await?;
            (
                vec![disclosures_iframe_url(&t.domain, &t.account_id, &t.token)],
                t.domain,
            )
        }
        Mode::Apply => apply_link(ctx).await?,
        _ => {
            let req = ReportTokenRequest {
                background_check_id: c.background_check_id.clone(),
                report_id: c.report_id.clone(),
            };
            let t = ctx.api.report_token(&req).await?;
            (
                vec![report_iframe_url(&t.domain, &t.report_id, &t.token)],
                t.domain,
            )
        }
    };
    match origin_of(&domain) {
        Some(origin) => Ok((urls, origin)),
        None => Err(ApiError::Decode(format!("bad Yardstik domain {domain}"))),
    }
}

/// The iframe URLs and the index of the one shown (apply mode walks them).
type Steps = Rc<RefCell<(Vec<String>, usize)>>;

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
            Ok((urls, origin)) => {
                let url = urls[0].clone();
                *steps.borrow_mut() = (urls, 0);
                let (name, key) = if refresh {
                    (events::TOKEN_REFRESHED, "kind")
                } else {
                    (events::LOADED, "mode")
                };
                ctx.emitter
                    .emit(name, obj(&[(key, mode), ("domain", s(&origin))]));
                d.dispatch(Action::Ready { url, origin });
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

#[component]
pub fn FrameView(props: &FrameViewProps) -> Html {
    let ctx = props.ctx.clone();
    let state = use_reducer(|| FrameState(Phase::Fetching));
    // One request at a time (several expiry messages in a row fetch once).
    let busy: Rc<RefCell<bool>> = use_mut_ref(|| false);
    let steps: Steps = use_mut_ref(Default::default);
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
    let on_message = {
        let (ctx, d, busy, steps) = (ctx.clone(), state.dispatcher(), busy.clone(), steps.clone());
        Callback::from(move |name: String| match name.as_str() {
            messages::LOADED => {
                ctx.emitter
                    .emit(events::IFRAME_LOADED, obj(&[("mode", s(mode.as_str()))]));
                d.dispatch(Action::Loaded);
            }
            messages::TOKEN_EXPIRATION if mode != Mode::Apply => {
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
                d.dispatch(next.map_or(Action::Submitted, Action::Next));
            }
            _ => {}
        })
    };
    use_yardstik_messages(origin, ctx.listeners.clone(), on_message);

    let body = match &state.0 {
        Phase::Fetching => {
            let label: AttrValue = format!("Loading the {what}…").into();
            html! { <>{ status_region(label.clone()) }{ loading(label) }</> }
        }
        Phase::Failed(e) => {
            let retry = {
                let (ctx, d, busy, steps) =
                    (ctx.clone(), state.dispatcher(), busy.clone(), steps.clone());
                Callback::from(move |_: MouseEvent| {
                    fetch(ctx.clone(), d.clone(), busy.clone(), steps.clone(), false)
                })
            };
            html! {
                <>
                    { status_region(format!("The {what} could not be opened.").into()) }
                    { notice(true, format!("The {what} could not be opened").into(), e.message().into(), Some((retry, "Try again")), Html::default()) }
                </>
            }
        }
        Phase::Ready { url, loaded, .. } => {
            // The intake page may not post `yardstik:loaded`: its own load event also counts.
            let onload = (mode == Mode::Apply).then(|| {
                state
                    .dispatcher()
                    .to_callback()
                    .reform(|_: Event| Action::Loaded)
            });
            let st = steps.borrow();
            let (urls, i) = &*st;
            html! {
                <>
                    { status_region(if *loaded { format!("{title} loaded.") } else { format!("Loading the {what}…") }.into()) }
                    if urls.len() > 1 {
                        <p class="sw-step">{ format!("Form {} of {}", i + 1, urls.len()) }</p>
                    }
                    { frame(&ctx.config, url, title, *loaded, onload) }
                </>
            }
        }
        Phase::Submitted => next_steps(),
    };
    html! { <div class="sw-frame-view" aria-busy={matches!(state.0, Phase::Fetching).then_some("true")}>{ body }</div> }
}
