//! The widget's views. [`App`] picks the view for the configured mode.

pub mod apply_view;
pub mod candidate;
pub mod candidate_report;
pub mod iframe_view;
pub mod order_form;
pub mod picker;
pub mod review;
pub mod status;

use std::rc::Rc;

use yew::prelude::*;

use crate::api::Api;
use crate::config::{Config, Mode};
use crate::events::Emitter;
use crate::messages::Listeners;

/// Everything a view needs, shared by the mount handle and the components.
#[derive(Clone)]
pub struct Ctx {
    pub config: Rc<Config>,
    pub api: Rc<Api>,
    pub emitter: Emitter,
    pub listeners: Listeners,
}

impl Ctx {
    pub fn new(config: Config, api: Api, emitter: Emitter, listeners: Listeners) -> Ctx {
        Ctx {
            config: Rc::new(config),
            api: Rc::new(api),
            emitter,
            listeners,
        }
    }
}

impl PartialEq for Ctx {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.api, &other.api)
    }
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub ctx: Ctx,
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let ctx = props.ctx.clone();
    match ctx.config.mode {
        Mode::Order => html! { <order_form::OrderView {ctx} /> },
        Mode::Review => html! { <review::ReviewView {ctx} /> },
        _ => html! { <iframe_view::FrameView {ctx} /> },
    }
}
