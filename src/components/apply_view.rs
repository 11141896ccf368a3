//! Apply mode (the candidate's side): the order's Yardstik intake pages, one after the other
//! (rendered by [`super::iframe_view::FrameView`]), then — after the last one, or at once when
//! no intake is open — the candidate's own view ([`super::candidate::CandidateView`]: where
//! each package stands, and its report once finished).

use yew::prelude::*;

use super::candidate::CandidateView;
use super::status::status_region;
use super::Ctx;
use crate::api::ApiError;

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

/// The open intake pages' URLs (one per invitation: package first, then add-ons) and the
/// domain their messages come from.
pub async fn apply_link(ctx: &Ctx) -> Result<(Vec<String>, String), ApiError> {
    ctx.api
        .apply_link(
            ctx.config
                .background_check_id
                .as_deref()
                .unwrap_or_default(),
        )
        .await
}

/// Shown after `yardstik:form_submitted`. Constant markup, so a raw string (no user data):
/// far less wasm than the same tree through `html!`.
pub fn next_steps() -> Html {
    html! {
        <>
            { status_region("Your information was submitted.".into()) }
            { Html::from_html_unchecked(AttrValue::Static(NEXT_STEPS)) }
        </>
    }
}

const NEXT_STEPS: &str = "<div class=\"sw-panel is-success sw-next\">\
<p class=\"sw-h\">Thank you \u{2014} your information was submitted</p>\
<p>What happens next:</p><ol>\
<li>Yardstik runs the checks you consented to. Most finish within 1\u{2013}3 business days.</li>\
<li>If anything is missing, Yardstik will email you. Watch your inbox (and spam folder).</li>\
<li>When the report is ready, you and the employer are notified, and you can view your report.</li>\
</ol></div>";
