//! The widget's views. [`App`] picks the view for the configured mode. Each group of modes
//! is a cargo feature (`order`, `review`, `frames`, `apply`; all by default): a build has
//! only its groups' views, and its config refuses the other modes
//! ([`crate::mode::has_mode`]).
//!
//! The views import downwards only: a mode's view imports the views it shows (review the
//! frame view, the frame view apply mode's steps, those the candidate's view, that the
//! candidate's report) and the shared parts below them (`status`, `markup`, `load`), never
//! one that imports it back; what they share with the rest of the widget ([`crate::ctx`],
//! [`crate::api`], [`crate::js`], ...) is outside this module.

#[cfg(feature = "apply")]
pub mod apply_view;
/// A build with the frame view but without apply mode (`frames`, `review`): the frame view's
/// apply-mode steps, which such a build never takes.
#[cfg(all(not(feature = "apply"), any(feature = "frames", feature = "review")))]
#[path = "no_apply.rs"]
pub mod apply_view;
#[cfg(feature = "apply")]
pub mod candidate;
#[cfg(feature = "apply")]
pub mod candidate_report;
#[cfg(feature = "order")]
pub mod handover;
#[cfg(any(feature = "frames", feature = "review", feature = "apply"))]
pub mod iframe_view;
#[cfg(feature = "apply")]
pub mod load;
#[cfg(feature = "apply")]
pub mod markup;
#[cfg(feature = "order")]
pub mod order_form;
#[cfg(feature = "order")]
pub mod picker;
#[cfg(feature = "review")]
pub mod review;
pub mod status;

use yew::prelude::*;

use crate::ctx::Ctx;
use crate::mode::Mode;

#[derive(Properties, PartialEq)]
pub struct AppProps {
    pub ctx: Ctx,
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
