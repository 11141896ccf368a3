//! The frame view's apply-mode steps in a build with the frame view but without apply mode
//! (`frames`, `review`): such a build never takes them (its config refuses apply mode), so
//! the candidate's view stays out of it. Compiled as `apply_view` in place of
//! `apply_view.rs`, with the same functions.

use yew::{Callback, Html, MouseEvent};

use crate::api::ApiError;
use crate::ctx::Ctx;

pub fn nothing_to_fill(_: &ApiError) -> bool {
    false
}

pub fn candidate_view(_: &Ctx, _: bool, _: Option<Callback<MouseEvent>>) -> Html {
    Html::default()
}

pub async fn apply_link(_: &Ctx) -> Result<Vec<(String, String)>, ApiError> {
    Err(ApiError::Decode("apply mode is not in this build".into()))
}
