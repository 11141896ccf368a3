//! Report and disclosures modes: a short-lived Yardstik token from the server, then the
//! iframe exactly as Yardstik's SDK builds it, with a spinner until `yardstik:loaded` comes
//! from the Yardstik origin and a fresh token on `yardstik:tokenExpiration`.

use std::cell::Cell;
use std::rc::Rc;

use screening_wire::{disclosures_iframe_url, report_iframe_url, ReportTokenRequest};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::status::{Notice, StatusRegion};
use super::Ctx;
use crate::api::ApiError;
use crate::config::Mode;
use crate::events::{self, obj, s};
use crate::messages::{self, origin_of, use_yardstik_messages};

#[derive(Properties, PartialEq)]
pub struct FrameProps {
    pub url: AttrValue,
    pub title: AttrValue,
    pub width: AttrValue,
    pub height: AttrValue,
    #[prop_or_default]
    pub full_screen: bool,
    pub loading: bool,
    pub loading_label: AttrValue,
    #[prop_or_default]
    pub onload: Option<Callback<()>>,
}

/// The iframe with Yardstik's SDK attributes and style; while loading it stays rendered
/// (opacity 0, never `display:none`, which would stop its `loaded` message) under a spinner.
#[component]
pub fn Frame(props: &FrameProps) -> Html {
    let full = props.full_screen.then_some("sw-full");
    let onload = props.onload.clone().map(|cb| Callback::from(move |_: Event| cb.emit(())));
    html! {
        <div class="sw-frame-wrap">
            <iframe class={classes!("sw-frame", props.loading.then_some("is-loading"), full)}
                    src={props.url.clone()} title={props.title.clone()}
                    referrerpolicy="no-referrer" width={props.width.clone()} height={props.height.clone()}
                    aria-busy={props.loading.then_some("true")} {onload}></iframe>
            if props.loading {
                <div class={classes!("sw-frame-overlay", full)} aria-hidden="true">
                    <span class="sw-spinner"></span>
                    <span>{ props.loading_label.clone() }</span>
                </div>
            }
        </div>
    }
}

#[derive(Clone, PartialEq)]
pub enum Phase {
    Fetching,
    Ready { url: String, origin: String, loaded: bool },
    Failed(ApiError),
}

pub enum Action {
    Fetching,
    Token { url: String, origin: String },
    Loaded,
    Expired,
    Failed(ApiError),
}

#[derive(Clone, PartialEq)]
pub struct FrameState(pub Phase);

impl Reducible for FrameState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = match (action, &self.0) {
            (Action::Fetching, Phase::Ready { .. }) => return self,
            (Action::Fetching, _) => Phase::Fetching,
            (Action::Token { url, origin }, _) => Phase::Ready { url, origin, loaded: false },
            (Action::Loaded, Phase::Ready { url, origin, .. }) => {
                Phase::Ready { url: url.clone(), origin: origin.clone(), loaded: true }
            }
            (Action::Expired, Phase::Ready { url, origin, .. }) => {
                Phase::Ready { url: url.clone(), origin: origin.clone(), loaded: false }
            }
            (Action::Failed(e), _) => Phase::Failed(e),
            _ => return self,
        };
        Rc::new(FrameState(next))
    }
}

fn kind(ctx: &Ctx) -> &'static str {
    if ctx.config.mode == Mode::Disclosures {
        "disclosures"
    } else {
        "report"
    }
}

/// Fetch a token and point the iframe at it. `refresh` marks a renewal after expiry.
fn fetch_token(ctx: Ctx, state: UseReducerDispatcher<FrameState>, busy: Rc<Cell<bool>>, refresh: bool) {
    if busy.replace(true) {
        return;
    }
    state.dispatch(Action::Fetching);
    spawn_local(async move {
        let result = if ctx.config.mode == Mode::Disclosures {
            ctx.api
                .disclosures_token()
                .await
                .map(|t| (disclosures_iframe_url(&t.domain, &t.account_id, &t.token), t.domain))
        } else {
            let req = ReportTokenRequest {
                background_check_id: ctx.config.background_check_id.clone(),
                report_id: ctx.config.report_id.clone(),
            };
            ctx.api
                .report_token(&req)
                .await
                .map(|t| (report_iframe_url(&t.domain, &t.report_id, &t.token), t.domain))
        };
        busy.set(false);
        let result = result.and_then(|(url, domain)| match origin_of(&domain) {
            Some(origin) => Ok((url, origin)),
            None => Err(ApiError::Decode(format!("bad Yardstik domain {domain}"))),
        });
        match result {
            Ok((url, origin)) => {
                let key = if refresh { "kind" } else { "mode" };
                let detail = obj(&[(key, s(kind(&ctx))), ("domain", s(&origin))]);
                ctx.emitter.emit(if refresh { events::TOKEN_REFRESHED } else { events::LOADED }, detail);
                state.dispatch(Action::Token { url, origin });
            }
            Err(e) => {
                ctx.emitter.error("token", &e.message(), e.code());
                state.dispatch(Action::Failed(e));
            }
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct TokenFrameProps {
    pub ctx: Ctx,
}

#[component]
pub fn TokenFrame(props: &TokenFrameProps) -> Html {
    let ctx = props.ctx.clone();
    let state = use_reducer(|| FrameState(Phase::Fetching));
    // One token request at a time (several expiry messages in a row fetch once).
    let busy: Rc<Cell<bool>> = use_memo((), |_| Cell::new(false));
    let what = kind(&ctx);

    {
        let (ctx, d, busy) = (ctx.clone(), state.dispatcher(), busy.clone());
        use_effect_with((), move |_| fetch_token(ctx, d, busy, false));
    }
    let origin = match &state.0 {
        Phase::Ready { origin, .. } => Some(origin.clone()),
        _ => None,
    };
    let on_message = {
        let (ctx, d, busy) = (ctx.clone(), state.dispatcher(), busy.clone());
        Callback::from(move |name: String| match name.as_str() {
            messages::LOADED => {
                ctx.emitter.emit(events::IFRAME_LOADED, obj(&[("mode", s(kind(&ctx)))]));
                d.dispatch(Action::Loaded);
            }
            messages::TOKEN_EXPIRATION => {
                d.dispatch(Action::Expired);
                fetch_token(ctx.clone(), d.clone(), busy.clone(), true);
            }
            _ => {}
        })
    };
    use_yardstik_messages(origin, ctx.listeners.clone(), on_message);

    let c = &ctx.config;
    match &state.0 {
        Phase::Fetching => html! {
            <div class="sw-frame-view" aria-busy="true">
                <StatusRegion message={format!("Loading the {what}…")} />
                <super::status::Loading label={format!("Connecting to the {what}…")} />
            </div>
        },
        Phase::Failed(e) => {
            let retry = {
                let (ctx, d, busy) = (ctx.clone(), state.dispatcher(), busy.clone());
                Callback::from(move |_| fetch_token(ctx.clone(), d.clone(), busy.clone(), false))
            };
            html! {
                <div class="sw-frame-view">
                    <StatusRegion message={format!("The {what} could not be opened.")} />
                    <Notice error=true title={format!("The {what} could not be opened")}
                            message={e.message()} on_retry={retry} />
                </div>
            }
        }
        Phase::Ready { url, loaded, .. } => {
            let title = if what == "report" { "Background check report" } else { "Background check disclosures" };
            html! {
                <div class="sw-frame-view" aria-busy={(!loaded).then_some("true")}>
                    <StatusRegion message={if *loaded { format!("The {what} is ready.") } else { format!("Loading the {what}…") }} />
                    <Frame url={url.clone()} {title} width={c.width.clone()} height={c.height.clone()}
                           full_screen={c.full_screen} loading={!loaded}
                           loading_label={format!("Loading the {what}…")} />
                </div>
            }
        }
    }
}
