//! Apply mode's candidate view: where each ordered package of the candidate's order stands
//! (`GET …/progress`, refreshed while open) and what is needed from them, and — for a
//! finished package — its report, rendered here ([`super::candidate_report`]). Never a
//! Yardstik user token: both come from the companion server.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use super::candidate_report::report_view;
use super::status::{loading, notice, status_region};
use super::Ctx;
use crate::api::ApiError;

/// Refresh interval while something may still change, and the longest wait after failures
/// (the interval doubles after each failed refresh up to this).
pub const POLL_MS: i32 = 12_000;
pub const POLL_MAX_MS: i32 = 96_000;

/// One ordered package, as `screening_wire::CandidateProgress` (read from the JSON object:
/// a serde path costs more wasm).
#[derive(Clone, PartialEq)]
pub struct Pkg {
    pub package_id: String,
    pub name: String,
    pub stage: String,
}

pub fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or_default()
}

pub fn text(o: &JsValue, k: &str) -> Option<String> {
    get(o, k).as_string().filter(|s| !s.is_empty())
}

pub fn list(o: &JsValue, k: &str) -> Array {
    get(o, k).dyn_into().unwrap_or_default()
}

fn packages(raw: &JsValue) -> Vec<Pkg> {
    list(raw, "packages")
        .iter()
        .map(|p| Pkg {
            package_id: text(&p, "package_id").unwrap_or_default(),
            name: text(&p, "name").unwrap_or_default(),
            stage: text(&p, "stage").unwrap_or_default(),
        })
        .collect()
}

fn is_final(stage: &str) -> bool {
    matches!(stage, "done" | "expired" | "canceled")
}

/// (label, what the candidate needs to know or do) per stage; the class marks stages that
/// need the candidate.
fn stage_words(stage: &str, submitted: bool) -> (&'static str, &'static str, &'static str) {
    match stage {
        "preparing" => ("Being prepared", "Your form will be ready in a moment.", ""),
        "invited" if submitted => ("Form submitted", "Nothing more is needed from you now.", ""),
        "invited" => ("Waiting for your form", "Fill in and submit your form to start this check.", " is-attention"),
        "form_submitted" => ("Form submitted", "Nothing more is needed from you now. The checks start shortly.", ""),
        "info_requested" => ("Needs your information", "Yardstik needs more information to finish this check. A verification specialist has contacted you by email: please reply (check your spam folder too).", " is-attention"),
        "guardian_consent" => ("Waiting for consent", "A parent or guardian must consent before this check continues. Yardstik has contacted them.", " is-attention"),
        "on_hold" => ("On hold", "There is an issue with the information given (for example the Social Security number). Yardstik's support will contact you.", " is-attention"),
        "disputed" => ("Dispute under review", "Yardstik is handling your dispute.", ""),
        "done" => ("Done", "Your report is ready.", " is-done"),
        "expired" => ("Invitation expired", "The invitation expired before the form was submitted. Ask the employer for a new one if you still want to apply.", " is-ended"),
        "canceled" => ("Canceled", "The employer canceled this check. Nothing is needed from you.", " is-ended"),
        _ => ("In progress", "Yardstik is running the checks; most finish within 1\u{2013}3 business days. Nothing is needed from you.", ""),
    }
}

#[derive(Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Failed(ApiError),
    Ready(T),
}

/// Resolve after `ms` milliseconds (`window.setTimeout`).
async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(p).await;
}

/// Read the progress until every package is final, the view is gone, or the server refuses
/// for good (4xx other than 408/429); after a failure the wait doubles, up to the cap.
fn poll(
    ctx: Ctx,
    set: UseStateSetter<Load<Rc<Vec<Pkg>>>>,
    stale: UseStateSetter<bool>,
    alive: Rc<Cell<bool>>,
) {
    spawn_local(async move {
        let mut delay = POLL_MS;
        let mut have = false;
        while alive.get() {
            let r = ctx.api.candidate(order_id(&ctx), "/progress").await;
            if !alive.get() {
                return;
            }
            match r {
                Ok(raw) => {
                    let pkgs = packages(&raw);
                    let end = pkgs.iter().all(|p| is_final(&p.stage));
                    have = true;
                    stale.set(false);
                    set.set(Load::Ready(Rc::new(pkgs)));
                    if end {
                        return;
                    }
                    delay = POLL_MS;
                }
                Err(e) => {
                    let again = e.retryable();
                    if have {
                        stale.set(true);
                    } else {
                        set.set(Load::Failed(e));
                    }
                    if !again {
                        return;
                    }
                    delay = (delay * 2).min(POLL_MAX_MS);
                }
            }
            sleep(delay).await;
        }
    });
}

impl crate::api::Api {
    /// Candidate: `GET /widget/orders/{id}` + `suffix` (`/progress` →
    /// `screening_wire::CandidateStatus`, `/report` → `screening_wire::CandidateReport`), the
    /// JSON object as is (read field by field here).
    pub async fn candidate(
        &self,
        background_check_id: &str,
        suffix: &str,
    ) -> Result<JsValue, ApiError> {
        let mut path = String::from("/widget/orders/");
        path.push_str(&crate::api::encode(background_check_id));
        path.push_str(suffix);
        self.call_js("GET", &path, None, None).await
    }
}

pub fn order_id(ctx: &Ctx) -> &str {
    ctx.config
        .background_check_id
        .as_deref()
        .unwrap_or_default()
}

#[derive(Properties, PartialEq)]
pub struct CandidateProps {
    pub ctx: Ctx,
    /// The candidate has just submitted the forms here (the server may not know yet).
    pub submitted: bool,
    /// Opens the intake again (apply mode's walk) for a package still waiting for its form.
    #[prop_or_default]
    pub on_resume: Option<Callback<MouseEvent>>,
}

/// Focus this selector after the next render.
type Focus = Rc<std::cell::RefCell<Option<String>>>;

#[component]
pub fn CandidateView(props: &CandidateProps) -> Html {
    let ctx = props.ctx.clone();
    let progress = use_state(|| Load::<Rc<Vec<Pkg>>>::Loading);
    let stale = use_state(|| false);
    // The package whose report is open, and the report once read.
    let open = use_state(|| None::<usize>);
    let report = use_state(|| Load::<JsValue>::Loading);
    let root = use_node_ref();
    let focus: Focus = use_mut_ref(|| None);
    // Bumped by "Try again" to start polling afresh.
    let run = use_state(|| 0u32);
    {
        let (ctx, set, st) = (ctx.clone(), progress.setter(), stale.setter());
        use_effect_with(*run, move |_| {
            let alive = Rc::new(Cell::new(true));
            poll(ctx, set, st, alive.clone());
            move || alive.set(false)
        });
    }
    {
        let (root, focus) = (root.clone(), focus.clone());
        use_effect(move || {
            let sel = focus.borrow_mut().take();
            if let (Some(sel), Some(root)) = (sel, root.cast::<Element>()) {
                if let Some(el) = root
                    .query_selector(&sel)
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
        });
    }

    let load_report = {
        let (ctx, report) = (ctx.clone(), report.setter());
        move || {
            report.set(Load::Loading);
            let (ctx, report) = (ctx.clone(), report.clone());
            spawn_local(async move {
                report.set(match ctx.api.candidate(order_id(&ctx), "/report").await {
                    Ok(r) => Load::Ready(r),
                    Err(e) => Load::Failed(e),
                });
            });
        }
    };

    let body = match (&*progress, *open) {
        (Load::Ready(pkgs), Some(i)) if i < pkgs.len() => {
            let close = {
                let (open, focus) = (open.clone(), focus.clone());
                Callback::from(move |_: MouseEvent| {
                    *focus.borrow_mut() = Some(format!("#sw-open-{i}"));
                    open.set(None);
                })
            };
            let retry = {
                let load_report = load_report.clone();
                Callback::from(move |_: MouseEvent| load_report())
            };
            report_view(&pkgs[i], &report, close, retry)
        }
        (Load::Ready(pkgs), _) => {
            let items = pkgs.iter().enumerate().map(|(i, p)| {
                let (label, need, class) = stage_words(&p.stage, props.submitted);
                let action = if p.stage == "done" {
                    let onclick = {
                        let (open, focus, load_report) = (open.clone(), focus.clone(), load_report.clone());
                        Callback::from(move |_: MouseEvent| {
                            *focus.borrow_mut() = Some("#sw-report-h".into());
                            load_report();
                            open.set(Some(i));
                        })
                    };
                    html! { <button type="button" class="sw-btn" id={format!("sw-open-{i}")} {onclick}>{ "View your report" }</button> }
                } else if p.stage == "invited" && !props.submitted {
                    props.on_resume.clone().map_or_else(Html::default, |onclick| html! {
                        <button type="button" class="sw-btn" {onclick}>{ "Open your form" }</button>
                    })
                } else {
                    Html::default()
                };
                html! {
                    <li class={format!("sw-cand-item{class}")} data-stage={p.stage.clone()}>
                        <h3 class="sw-cand-name">{ &p.name }</h3>
                        <p class="sw-cand-stage"><span class="sw-badge">{ label }</span></p>
                        <p class="sw-cand-need">{ need }</p>
                        { action }
                    </li>
                }
            });
            let live = pkgs.iter().any(|p| !is_final(&p.stage));
            html! {
                <>
                    { status_region(if *stale { "Could not refresh: trying again shortly." } else { "" }.into()) }
                    <ul class="sw-cand-list">{ for items }</ul>
                    if live {
                        <p class="sw-hint sw-noprint">{ "This page updates by itself." }</p>
                    }
                </>
            }
        }
        (Load::Loading, _) => loading("Loading your background check…".into()),
        (Load::Failed(e), _) => {
            let retry = {
                let (run, progress) = (run.clone(), progress.clone());
                Callback::from(move |_: MouseEvent| {
                    progress.set(Load::Loading);
                    run.set(*run + 1);
                })
            };
            notice(
                true,
                "Your background check could not be loaded".into(),
                e.message().into(),
                Some((retry, "Try again")),
                Html::default(),
            )
        }
    };
    let next = if props.submitted && open.is_none() {
        super::apply_view::next_steps()
    } else {
        Html::default()
    };
    html! {
        <section class="sw-cand" ref={root} aria-labelledby={if open.is_some() { "sw-report-h" } else { "sw-cand-h" }}>
            { next }
            if open.is_none() {
                <h2 class="sw-h" id="sw-cand-h">{ "Your background check" }</h2>
            }
            { body }
        </section>
    }
}
