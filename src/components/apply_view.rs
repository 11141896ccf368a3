//! Apply mode (the candidate's side): the order's Yardstik intake pages, one after the other
//! (the frame view, `iframe_view.rs`, renders them and calls these), then — after the last
//! one, or at once when no intake is open — the candidate's own view
//! ([`super::candidate::CandidateView`]: where each package stands, and its report once
//! finished). A build without apply mode has `no_apply.rs` in its place.

use yew::prelude::*;

use super::candidate::CandidateView;
use crate::api::ApiError;
use crate::ctx::Ctx;

/// The apply link was refused because no intake is open (409: every form is submitted, or
/// none is ready yet): the candidate's view shows instead of an error.
pub fn nothing_to_fill(e: &ApiError) -> bool {
    e.status() == Some(409)
}

/// The candidate's view; `submitted`: the forms were just submitted here (the thank-you panel
/// shows above it); `on_resume` opens the intake again for a package still waiting for it.
pub fn candidate_view(ctx: &Ctx, submitted: bool, on_resume: Option<Callback<MouseEvent>>) -> Html {
    html! { <CandidateView ctx={ctx.clone()} {submitted} {on_resume} /> }
}

/// The open intake pages' URLs (one per invitation: package first, then add-ons), each with
/// the origin its messages come from (its own, checked to be a Yardstik origin).
pub async fn apply_link(ctx: &Ctx) -> Result<Vec<(String, String)>, ApiError> {
    ctx.api
        .apply_link(
            ctx.config
                .background_check_id
                .as_deref()
                .unwrap_or_default(),
        )
        .await
}
