//! The widget's views. [`App`] picks the view for the configured mode. Each group of modes
//! is a cargo feature (`order`, `review`, `frames`, `apply`; all by default): a build has
//! only its groups' views, and its config refuses the other modes ([`has_mode`]).

#[cfg(feature = "apply")]
pub mod apply_view;
#[cfg(feature = "apply")]
pub mod candidate;
#[cfg(feature = "apply")]
pub mod candidate_report;
#[cfg(feature = "order")]
pub mod handover;
#[cfg(any(feature = "frames", feature = "review", feature = "apply"))]
pub mod iframe_view;
#[cfg(feature = "order")]
pub mod order_form;
#[cfg(feature = "order")]
pub mod picker;
#[cfg(feature = "review")]
pub mod review;
pub mod status;

/// A build with the frame view but without apply mode (`frames`, `review`): the frame view's
/// apply-mode steps, which such a build never takes (its config refuses apply mode), so the
/// candidate's view stays out of it.
#[cfg(all(not(feature = "apply"), any(feature = "frames", feature = "review")))]
pub mod apply_view {
    use yew::{Callback, Html, MouseEvent};

    use super::Ctx;
    use crate::api::ApiError;

    pub fn nothing_to_fill(_: &ApiError) -> bool {
        false
    }

    pub fn candidate_view(_: &Ctx, _: bool, _: Option<Callback<MouseEvent>>) -> Html {
        Html::default()
    }

    pub async fn apply_link(_: &Ctx) -> Result<(Vec<String>, String), ApiError> {
        Err(ApiError::Decode("apply mode is not in this build".into()))
    }
}

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

/// The same widget with the same config: `handle.update` gives the views a new config (and
/// so a re-render) while the session (`api`) stays.
impl PartialEq for Ctx {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.api, &other.api) && Rc::ptr_eq(&self.config, &other.config)
    }
}

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub ctx: Ctx,
}

/// Whether this build has `mode`'s views.
pub const fn has_mode(mode: Mode) -> bool {
    match mode {
        Mode::Order => cfg!(feature = "order"),
        Mode::Review => cfg!(feature = "review"),
        Mode::Report | Mode::Disclosures => cfg!(feature = "frames"),
        Mode::Apply => cfg!(feature = "apply"),
    }
}

/// The build (cargo feature, and `screening_widget_<build>.js` in `pkg/`) with `mode`'s views.
pub const fn build_of(mode: Mode) -> &'static str {
    match mode {
        Mode::Order => "order",
        Mode::Review => "review",
        Mode::Report | Mode::Disclosures => "frames",
        Mode::Apply => "apply",
    }
}

#[component]
pub fn App(props: &AppProps) -> Html {
    let ctx = &props.ctx;
    match ctx.config.mode {
        #[cfg(feature = "order")]
        Mode::Order => html! { <order_form::OrderView ctx={ctx.clone()} /> },
        #[cfg(feature = "review")]
        Mode::Review => html! { <review::ReviewView ctx={ctx.clone()} /> },
        #[cfg(any(feature = "frames", feature = "apply"))]
        Mode::Report | Mode::Disclosures | Mode::Apply => {
            html! { <iframe_view::FrameView ctx={ctx.clone()} /> }
        }
        // A mode this build does not have: its config was refused before anything renders.
        #[allow(unreachable_patterns)]
        _ => Html::default(),
    }
}
