//! Apply mode's candidate view: where each ordered package of the candidate's order stands
//! (`GET …/progress`, refreshed while open) and what is needed from them, and — for a
//! finished package — its report, rendered here ([`super::candidate_report`]). Never a
//! Yardstik user token: both come from the companion server.
//!
//! The server's answers are read straight from the JSON objects and written as escaped HTML
//! (one raw node, one delegated click handler): a serde path and an `html!` tree per record
//! cost several kB of wasm.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use super::candidate_report::report_view;
use super::load::Load;
use super::markup::{esc, raw};
use super::status::{loading, notice, status_region};
use crate::ctx::Ctx;
use crate::js::{list, sleep, text};

/// Refresh interval while something may still change, and the longest wait after failures
/// (the interval doubles after each failed refresh up to this).
pub const POLL_MS: i32 = 12_000;
pub const POLL_MAX_MS: i32 = 96_000;

fn stage(p: &JsValue) -> String {
    text(p, "stage").unwrap_or_default()
}

fn is_final(stage: &str) -> bool {
    matches!(stage, "done" | "expired" | "canceled")
}

/// (label, what the candidate needs to know or do, class) per stage; the class marks
/// stages that need the candidate.
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

/// The list: per package its name (a heading), stage and what is needed; "View your report"
/// (`data-open`) when done, "Open your form" (`data-resume`) while its form waits.
fn list_html(packages: &Array, submitted: bool, resume: bool) -> String {
    let mut h = String::from("<ul class=\"sw-cand-list\">");
    for (i, p) in packages.iter().enumerate() {
        let st = stage(&p);
        let (label, need, class) = stage_words(&st, submitted);
        h.push_str("<li class=\"sw-cand-item");
        h.push_str(class);
        h.push_str("\" data-stage=\"");
        esc(&mut h, &st);
        h.push_str("\"><h3 class=\"sw-cand-name\">");
        esc(&mut h, &text(&p, "name").unwrap_or_default());
        h.push_str("</h3><p class=\"sw-cand-stage\"><span class=\"sw-badge\">");
        h.push_str(label);
        h.push_str("</span></p><p class=\"sw-cand-need\">");
        h.push_str(need);
        h.push_str("</p>");
        if st == "done" {
            let i = i.to_string();
            h.push_str("<button type=\"button\" class=\"sw-btn\" id=\"sw-open-");
            h.push_str(&i);
            h.push_str("\" data-open=\"");
            h.push_str(&i);
            h.push_str("\">View your report</button>");
        } else if st == "invited" && !submitted && resume {
            h.push_str(
                "<button type=\"button\" class=\"sw-btn\" data-resume=\"\">Open your form</button>",
            );
        }
        h.push_str("</li>");
    }
    h.push_str("</ul>");
    h
}

/// Everything the view shows (one reducer: each `use_state` type costs wasm).
#[derive(Clone, PartialEq)]
pub struct View {
    progress: Load,
    /// The last refresh failed (the last known progress stays).
    stale: bool,
    /// The package whose report is open.
    open: Option<u32>,
    report: Load,
    /// Bumped by "Try again" to start reading afresh.
    run: u32,
}

pub enum Act {
    Progress(Load),
    Stale,
    Open(Option<u32>),
    Report(Load),
    Retry,
}

impl Reducible for View {
    type Action = Act;
    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        let mut v = (*self).clone();
        match act {
            Act::Progress(p) => {
                v.progress = p;
                v.stale = false;
            }
            Act::Stale => v.stale = true,
            Act::Open(i) => v.open = i,
            Act::Report(r) => v.report = r,
            Act::Retry => {
                v.progress = Load::Loading;
                v.run += 1;
            }
        }
        Rc::new(v)
    }
}

pub fn order_id(ctx: &Ctx) -> &str {
    ctx.config
        .background_check_id
        .as_deref()
        .unwrap_or_default()
}

/// Read the progress until every package is final, the view is gone, or the server refuses
/// for good (4xx other than 408/429); after a failure the wait doubles, up to the cap.
fn poll(ctx: Ctx, d: UseReducerDispatcher<View>, alive: Rc<Cell<bool>>) {
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
                    let end = list(&raw, "packages").every(&mut |p, _, _| is_final(&stage(&p)));
                    have = true;
                    d.dispatch(Act::Progress(Load::Ready(raw)));
                    if end {
                        return;
                    }
                    delay = POLL_MS;
                }
                Err(e) => {
                    let again = e.retryable();
                    d.dispatch(if have {
                        Act::Stale
                    } else {
                        Act::Progress(Load::Failed(e))
                    });
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

#[derive(Properties, PartialEq)]
pub struct CandidateProps {
    pub ctx: Ctx,
    /// The candidate has just submitted the forms here (the server may not know yet).
    pub submitted: bool,
    /// Opens the intake again (apply mode's walk) for a package still waiting for its form.
    #[prop_or_default]
    pub on_resume: Option<Callback<MouseEvent>>,
}

#[component]
pub fn CandidateView(props: &CandidateProps) -> Html {
    let ctx = props.ctx.clone();
    let view = use_reducer(|| View {
        progress: Load::Loading,
        stale: false,
        open: None,
        report: Load::Loading,
        run: 0,
    });
    let d = view.dispatcher();
    let root = use_node_ref();
    // A selector to focus after the next render.
    let focus: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    {
        let (ctx, d) = (ctx.clone(), d.clone());
        use_effect_with(view.run, move |_| {
            let alive = Rc::new(Cell::new(true));
            poll(ctx, d, alive.clone());
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
        let (ctx, d) = (ctx.clone(), d.clone());
        move || {
            d.dispatch(Act::Report(Load::Loading));
            let (ctx, d) = (ctx.clone(), d.clone());
            spawn_local(async move {
                d.dispatch(Act::Report(
                    match ctx.api.candidate(order_id(&ctx), "/report").await {
                        Ok(r) => Load::Ready(r),
                        Err(e) => Load::Failed(e),
                    },
                ));
            });
        }
    };

    let body = match (&view.progress, view.open) {
        (Load::Ready(data), Some(i)) => {
            let close = {
                let (d, focus) = (d.clone(), focus.clone());
                Callback::from(move |_: MouseEvent| {
                    *focus.borrow_mut() = Some(format!("#sw-open-{i}"));
                    d.dispatch(Act::Open(None));
                })
            };
            let retry = Callback::from(move |_: MouseEvent| load_report());
            report_view(&list(data, "packages").get(i), &view.report, close, retry)
        }
        (Load::Ready(data), None) => {
            let packages = list(data, "packages");
            let live = !packages.every(&mut |p, _, _| is_final(&stage(&p)));
            // One handler for the list's buttons (they are raw markup).
            let onclick = {
                let (d, focus, resume) = (d.clone(), focus.clone(), props.on_resume.clone());
                Callback::from(move |e: MouseEvent| {
                    let Some(b) = e
                        .target()
                        .and_then(|t| t.dyn_into::<Element>().ok())
                        .and_then(|t| t.closest("button").ok().flatten())
                    else {
                        return;
                    };
                    if let Some(i) = b.get_attribute("data-open").and_then(|v| v.parse().ok()) {
                        *focus.borrow_mut() = Some("#sw-report-h".into());
                        load_report();
                        d.dispatch(Act::Open(Some(i)));
                    } else if b.has_attribute("data-resume") {
                        if let Some(r) = &resume {
                            r.emit(e);
                        }
                    }
                })
            };
            html! {
                <>
                    { status_region(if view.stale { "Could not refresh: trying again shortly." } else { "" }.into()) }
                    <div {onclick}>{ raw(list_html(&packages, props.submitted, props.on_resume.is_some())) }</div>
                    if live {
                        <p class="sw-hint sw-noprint">{ "This page updates by itself." }</p>
                    }
                </>
            }
        }
        (Load::Loading, _) => loading("Loading your background check…".into()),
        (Load::Failed(e), _) => {
            let retry = d.to_callback().reform(|_: MouseEvent| Act::Retry);
            notice(
                true,
                "Your background check could not be loaded".into(),
                e.message().into(),
                Some((retry, "Try again")),
                Html::default(),
            )
        }
    };
    let listing = view.open.is_none();
    html! {
        <section class="sw-cand" ref={root} aria-labelledby={if listing { "sw-cand-h" } else { "sw-report-h" }}>
            if listing {
                if props.submitted {
                    { next_steps() }
                }
                <h2 class="sw-h" id="sw-cand-h">{ "Your background check" }</h2>
            }
            { body }
        </section>
    }
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
