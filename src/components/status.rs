//! Shared state displays: the aria-live status line, a spinner, error/empty panels.
//! Plain functions rather than components: each component type costs wasm size.

use yew::prelude::*;

/// The widget's polite live region: progress and outcomes are announced here.
pub fn status_region(message: AttrValue) -> Html {
    html! {
        <p class="sw-status" role="status" aria-live="polite" aria-atomic="true">{ message }</p>
    }
}

pub fn loading(label: AttrValue) -> Html {
    html! {
        <div class="sw-loading">
            <span class="sw-spinner" aria-hidden="true"></span>
            <span>{ label }</span>
        </div>
    }
}

/// An error (`role="alert"`) or empty state with an optional action button.
pub fn notice(
    error: bool,
    title: AttrValue,
    message: AttrValue,
    action: Option<(Callback<MouseEvent>, &'static str)>,
    extra: Html,
) -> Html {
    html! {
        <div class={if error { "sw-panel is-error" } else { "sw-panel" }} role={error.then_some("alert")}>
            <p class="sw-h">{ title }</p>
            <p class="sw-notice-message">{ message }</p>
            { extra }
            if let Some((onclick, label)) = action {
                <div class="sw-actions"><button type="button" class="sw-btn" {onclick}>{ label }</button></div>
            }
        </div>
    }
}
