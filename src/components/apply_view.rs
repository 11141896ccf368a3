//! Apply mode (the candidate's side): Yardstik's intake page for the order in an iframe;
//! `yardstik:form_submitted` from the Yardstik origin ends it with a "what happens next".

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::iframe_view::Frame;
use super::status::{Loading, Notice, StatusRegion};
use super::Ctx;
use crate::api::ApiError;
use crate::events::{self, obj, s};
use crate::messages::{self, origin_of, use_yardstik_messages};

#[derive(Clone, PartialEq)]
pub enum Phase {
    Fetching,
    Ready { url: String, origin: String, loaded: bool },
    Submitted,
    Failed(ApiError),
}

pub enum Action {
    Fetching,
    Link { url: String, origin: String },
    Loaded,
    Submitted,
    Failed(ApiError),
}

#[derive(Clone, PartialEq)]
pub struct ApplyState(pub Phase);

impl Reducible for ApplyState {
    type Action = Action;
    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let next = match (action, &self.0) {
            (Action::Fetching, _) => Phase::Fetching,
            (Action::Link { url, origin }, _) => Phase::Ready { url, origin, loaded: false },
            (Action::Loaded, Phase::Ready { url, origin, .. }) => {
                Phase::Ready { url: url.clone(), origin: origin.clone(), loaded: true }
            }
            (Action::Submitted, Phase::Ready { .. }) => Phase::Submitted,
            (Action::Failed(e), _) => Phase::Failed(e),
            _ => return self,
        };
        Rc::new(ApplyState(next))
    }
}

fn fetch_link(ctx: Ctx, d: UseReducerDispatcher<ApplyState>) {
    d.dispatch(Action::Fetching);
    let id = ctx.config.background_check_id.clone().unwrap_or_default();
    spawn_local(async move {
        let result = ctx.api.apply_link(&id).await.and_then(|l| match origin_of(&l.domain) {
            Some(origin) => Ok((l.apply_url, origin)),
            None => Err(ApiError::Decode(format!("bad Yardstik domain {}", l.domain))),
        });
        match result {
            Ok((url, origin)) => {
                ctx.emitter.emit(events::LOADED, obj(&[("mode", s("apply")), ("domain", s(&origin))]));
                d.dispatch(Action::Link { url, origin });
            }
            Err(e) => {
                ctx.emitter.error("apply_link", &e.message(), e.code());
                d.dispatch(Action::Failed(e));
            }
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct ApplyProps {
    pub ctx: Ctx,
}

#[component]
pub fn ApplyView(props: &ApplyProps) -> Html {
    let ctx = props.ctx.clone();
    let state = use_reducer(|| ApplyState(Phase::Fetching));
    {
        let (ctx, d) = (ctx.clone(), state.dispatcher());
        use_effect_with((), move |_| fetch_link(ctx, d));
    }
    let origin = match &state.0 {
        Phase::Ready { origin, .. } => Some(origin.clone()),
        _ => None,
    };
    let on_message = {
        let (ctx, d) = (ctx.clone(), state.dispatcher());
        Callback::from(move |name: String| match name.as_str() {
            messages::FORM_SUBMITTED => {
                let id = ctx.config.background_check_id.as_deref().unwrap_or_default();
                ctx.emitter.emit(events::FORM_SUBMITTED, obj(&[("backgroundCheckId", s(id))]));
                d.dispatch(Action::Submitted);
            }
            messages::LOADED => {
                ctx.emitter.emit(events::IFRAME_LOADED, obj(&[("mode", s("apply"))]));
                d.dispatch(Action::Loaded);
            }
            _ => {}
        })
    };
    use_yardstik_messages(origin, ctx.listeners.clone(), on_message);

    match &state.0 {
        Phase::Fetching => html! {
            <div class="sw-apply" aria-busy="true">
                <StatusRegion message="Loading your background check form…" />
                <Loading label="Loading your background check form…" />
            </div>
        },
        Phase::Failed(e) => {
            let retry = {
                let (ctx, d) = (ctx.clone(), state.dispatcher());
                Callback::from(move |_| fetch_link(ctx.clone(), d.clone()))
            };
            html! {
                <div class="sw-apply">
                    <StatusRegion message="The form could not be opened." />
                    <Notice error=true title="The form could not be opened" message={e.message()} on_retry={retry} />
                </div>
            }
        }
        Phase::Ready { url, loaded, .. } => {
            let (c, d) = (&ctx.config, state.dispatcher());
            // The intake page may not post `yardstik:loaded`: its own load event also counts.
            let onload = Callback::from(move |_| d.dispatch(Action::Loaded));
            html! {
                <div class="sw-apply">
                    <StatusRegion message={if *loaded { "Your background check form is ready." } else { "Loading your background check form…" }} />
                    <Frame url={url.clone()} title="Background check form" width={c.width.clone()}
                           height={c.height.clone()} full_screen={c.full_screen} loading={!loaded}
                           loading_label="Loading your background check form…" {onload} />
                </div>
            }
        }
        Phase::Submitted => html! {
            <div class="sw-apply">
                <StatusRegion message="Your information was submitted." />
                <div class="sw-panel is-success sw-next">
                    <p class="sw-h">{ "Thank you — your information was submitted" }</p>
                    <p>{ "What happens next:" }</p>
                    <ol>
                        <li>{ "Yardstik runs the checks you consented to. Most finish within 1–3 business days." }</li>
                        <li>{ "If anything is missing, Yardstik will email you. Watch your inbox (and spam folder)." }</li>
                        <li>{ "When the report is ready, you and the employer are notified, and you can view your report." }</li>
                    </ol>
                </div>
            </div>
        },
    }
}
