//! Shared state displays: the aria-live status line, a spinner, error/empty panels.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StatusProps {
    pub message: AttrValue,
}

/// The widget's polite live region: progress and outcomes are announced here.
#[component]
pub fn StatusRegion(props: &StatusProps) -> Html {
    html! {
        <p class="sw-status" role="status" aria-live="polite" aria-atomic="true">
            { props.message.clone() }
        </p>
    }
}

#[derive(Properties, PartialEq)]
pub struct SpinnerProps {
    pub label: AttrValue,
}

#[component]
pub fn Loading(props: &SpinnerProps) -> Html {
    html! {
        <div class="sw-loading">
            <span class="sw-spinner" aria-hidden="true"></span>
            <span>{ props.label.clone() }</span>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct NoticeProps {
    pub title: AttrValue,
    pub message: AttrValue,
    #[prop_or_default]
    pub error: bool,
    #[prop_or_default]
    pub on_retry: Option<Callback<()>>,
    #[prop_or(AttrValue::Static("Try again"))]
    pub retry_label: AttrValue,
    #[prop_or_default]
    pub children: Html,
}

/// An error or empty state with an optional Retry button.
#[component]
pub fn Notice(props: &NoticeProps) -> Html {
    let retry = props.on_retry.clone().map(|cb| {
        html! {
            <button type="button" class="sw-btn" onclick={move |_| cb.emit(())}>
                { props.retry_label.clone() }
            </button>
        }
    });
    html! {
        <div class={classes!("sw-panel", props.error.then_some("is-error"))}
             role={props.error.then_some("alert")}>
            <p class="sw-h">{ props.title.clone() }</p>
            <p class="sw-notice-message">{ props.message.clone() }</p>
            { props.children.clone() }
            if let Some(r) = retry { <div class="sw-actions">{ r }</div> }
        </div>
    }
}
