//! Review mode: the order's report (report mode's iframe, [`FrameView`]) beside the hiring
//! manager's decision panel after a `Consider`: the violations to cite, a custom reason and
//! an explanation, then "Proceed with candidate" or "Start pre-adverse action", each behind
//! an in-page confirmation; afterwards the state in words and, while an adverse action is
//! pending, "Cancel adverse action". The rules the server checks (422 per field) are checked
//! here first, and the server's `field_errors` show on the same fields.

use std::cell::RefCell;
use std::rc::Rc;

use screening_wire::{Decision, FieldError, StartAdverseAction};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{Element, HtmlElement, HtmlTextAreaElement};
use yew::prelude::*;

use super::iframe_view::FrameView;
use super::status::{loading, notice, status_region};
use crate::api::ApiError;
use crate::ctx::Ctx;
use crate::events;
use crate::js::{obj, s};

/// A decision the panel can send.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    Proceed,
    Adverse,
    Cancel,
}

impl Kind {
    /// The `decision` of the `screening:decision` event.
    pub fn wire(self) -> &'static str {
        match self {
            Kind::Proceed => "proceed",
            Kind::Adverse => "adverse_action",
            Kind::Cancel => "cancel",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Proceed => "/proceed",
            Kind::Adverse => "/adverse-action",
            Kind::Cancel => "/adverse-action/cancel",
        }
    }

    /// The button that asks for this decision (focus returns to it on Back / Escape).
    fn button(self) -> &'static str {
        match self {
            Kind::Proceed => "#sw-proceed",
            Kind::Adverse => "#sw-adverse",
            Kind::Cancel => "#sw-cancel-aa",
        }
    }
}

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Failed(ApiError),
    Ready(Rc<Decision>),
}

/// Everything the decision panel shows, changed only through [`Act`].
#[derive(Clone, PartialEq)]
pub struct Panel {
    load: Load,
    chosen: Vec<String>,
    reason: String,
    explanation: String,
    /// The decision waiting for its confirmation.
    confirm: Option<Kind>,
    /// The decision being sent.
    busy: Option<Kind>,
    /// An adverse action was asked for: the client-side rules' messages show.
    attempted: bool,
    /// `field_errors` of the last refused decision, until the field changes.
    server_errors: Vec<FieldError>,
    /// The last decision that failed, and why.
    failed: Option<(Kind, ApiError)>,
    /// The last decision taken here.
    done: Option<Kind>,
}

pub enum Act {
    Loading,
    Loaded(Rc<Decision>),
    LoadFailed(ApiError),
    Toggle(String),
    Reason(String),
    Explanation(String),
    Attempt,
    Confirm(Option<Kind>),
    Sending(Kind),
    Decided(Kind, Rc<Decision>),
    Failed(Kind, ApiError),
}

fn is_violations(field: &str) -> bool {
    field == "violations" || field.starts_with("violations[")
}

impl Reducible for Panel {
    type Action = Act;
    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        let mut p = (*self).clone();
        match act {
            Act::Loading => p.load = Load::Loading,
            Act::Loaded(d) => {
                p.chosen.retain(|id| {
                    d.screenings
                        .iter()
                        .any(|s| s.violations.iter().any(|v| v.id == *id))
                });
                p.load = Load::Ready(d);
            }
            Act::LoadFailed(e) => p.load = Load::Failed(e),
            Act::Toggle(id) => {
                match p.chosen.iter().position(|x| *x == id) {
                    Some(i) => {
                        p.chosen.remove(i);
                    }
                    None => p.chosen.push(id),
                }
                p.server_errors.retain(|e| !is_violations(&e.field));
            }
            Act::Reason(v) => {
                p.reason = v;
                // A reason may be what the violations group was missing.
                p.server_errors
                    .retain(|e| e.field != "custom_reason" && !is_violations(&e.field));
            }
            Act::Explanation(v) => {
                p.explanation = v;
                p.server_errors.retain(|e| e.field != "explanation");
            }
            // "Start pre-adverse action": the confirmation if the rules hold (checked on
            // this state, never on a render's possibly older copy), else their messages.
            Act::Attempt => match &p.load {
                Load::Ready(d) if p.rule_errors(d) == (None, None) => {
                    p.confirm = Some(Kind::Adverse);
                    p.failed = None;
                }
                _ => {
                    p.attempted = true;
                    p.confirm = None;
                }
            },
            Act::Confirm(k) => {
                p.confirm = k;
                if k.is_some() {
                    p.failed = None;
                }
            }
            Act::Sending(k) => {
                p.busy = Some(k);
                p.failed = None;
            }
            Act::Decided(k, d) => {
                p = Panel::new();
                p.load = Load::Ready(d);
                p.done = Some(k);
            }
            Act::Failed(k, e) => {
                p.busy = None;
                p.confirm = None;
                if let ApiError::Http { status: 422, body } = &e {
                    p.server_errors = body.field_errors.clone();
                }
                p.failed = Some((k, e));
            }
        }
        Rc::new(p)
    }
}

impl Panel {
    fn new() -> Panel {
        Panel {
            load: Load::Loading,
            chosen: Vec::new(),
            reason: String::new(),
            explanation: String::new(),
            confirm: None,
            busy: None,
            attempted: false,
            server_errors: Vec::new(),
            failed: None,
            done: None,
        }
    }

    fn request(&self) -> StartAdverseAction {
        let text = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_string());
        StartAdverseAction {
            violations: self.chosen.clone(),
            custom_reason: text(&self.reason),
            explanation: text(&self.explanation),
        }
    }

    /// The client-side rules for an adverse action: (violations group, explanation).
    fn rule_errors(&self, d: &Decision) -> (Option<&'static str>, Option<&'static str>) {
        let none = self.chosen.is_empty();
        let violations = if none && d.violations_required {
            Some("Choose at least one violation: this account requires it.")
        } else if none && self.reason.trim().is_empty() {
            Some("Choose at least one violation or give a custom reason.")
        } else {
            None
        };
        let explanation = (d.explanation_required.is_some() && self.explanation.trim().is_empty())
            .then_some("Enter an explanation for the candidate.");
        (violations, explanation)
    }

    fn server_error(&self, test: impl Fn(&str) -> bool) -> Option<String> {
        self.server_errors
            .iter()
            .find(|e| test(&e.field))
            .map(|e| e.message.clone())
    }
}

/// The state of a decided report in words, and the final notice's date while pending.
fn outcome(d: &Decision, done: Option<Kind>) -> Option<(&'static str, Option<&str>)> {
    let aa = d.adverse_action.as_ref();
    Some(
        match (aa.map(|a| a.status.as_str()), d.report_status.as_str()) {
            (Some("pending"), _) | (None, "pre_adverse") => (
                "Pre-adverse notice sent",
                aa.and_then(|a| a.scheduled_final_at.as_deref()),
            ),
            (Some("completed"), _) | (None, "final_adverse") => ("Final adverse notice sent", None),
            (Some("canceled"), _) => ("Adverse action canceled", None),
            (_, "proceed") => ("Proceeded", None),
            _ if done == Some(Kind::Cancel) => ("Adverse action canceled", None),
            _ => return None,
        },
    )
}

/// A date in the reader's locale ("December 7, 2026"), through the browser's `Intl`.
fn date_label(raw: &str) -> String {
    let date = js_sys::Date::new(&s(raw));
    if date.get_time().is_nan() {
        return raw.to_string();
    }
    let opts: js_sys::Object = obj(&[("dateStyle", s("long"))]).unchecked_into();
    js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &opts)
        .format()
        .call1(&JsValue::NULL, &date)
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_else(|| raw.to_string())
}

type Dispatch = UseReducerDispatcher<Panel>;
/// A selector to focus (inside the panel) after the next render.
type Focus = Rc<RefCell<Option<&'static str>>>;
/// Focus after the rules were checked: the confirm button, else the first invalid field.
const AFTER_CHECK: &str = "";

fn order_id(ctx: &Ctx) -> &str {
    ctx.config
        .background_check_id
        .as_deref()
        .unwrap_or_default()
}

fn load(ctx: Ctx, d: Dispatch, quiet: bool) {
    if !quiet {
        d.dispatch(Act::Loading);
    }
    spawn_local(async move {
        match ctx.api.decision(order_id(&ctx), None).await {
            Ok(dec) => d.dispatch(Act::Loaded(Rc::new(dec))),
            Err(e) => {
                ctx.emitter.error("decision", &e.message(), e.code());
                d.dispatch(Act::LoadFailed(e));
            }
        }
    });
}

/// Shared by the confirm buttons and Retry.
#[derive(Clone)]
struct Sender {
    ctx: Ctx,
    d: Dispatch,
    busy: Rc<RefCell<bool>>,
    focus: Focus,
}

impl Sender {
    fn send(&self, kind: Kind, body: Option<String>) {
        if self.busy.replace(true) {
            return;
        }
        self.d.dispatch(Act::Sending(kind));
        let this = self.clone();
        spawn_local(async move {
            let ctx = &this.ctx;
            let id = order_id(ctx);
            let result = ctx.api.decision(id, Some((kind.path(), body))).await;
            *this.busy.borrow_mut() = false;
            match result {
                Ok(dec) => {
                    let final_at = dec
                        .adverse_action
                        .as_ref()
                        .and_then(|a| a.scheduled_final_at.as_deref());
                    ctx.emitter.emit(
                        events::DECISION,
                        obj(&[
                            ("backgroundCheckId", s(id)),
                            ("decision", s(kind.wire())),
                            ("reportStatus", s(&dec.report_status)),
                            ("scheduledFinalAt", final_at.map_or(JsValue::UNDEFINED, s)),
                        ]),
                    );
                    *this.focus.borrow_mut() = Some("#sw-decision-result");
                    this.d.dispatch(Act::Decided(kind, Rc::new(dec)));
                }
                Err(e) => {
                    let conflict = e.status() == Some(409);
                    let first = match &e {
                        ApiError::Http { status: 422, body } => {
                            body.field_errors.first().map(|f| f.field.as_str())
                        }
                        _ => None,
                    };
                    *this.focus.borrow_mut() = Some(match first {
                        Some("explanation") => "#sw-explanation",
                        Some("custom_reason") => "#sw-reason",
                        Some(f) if is_violations(f) => "[name=sw-violation],#sw-reason",
                        _ => "#sw-decision-failure",
                    });
                    this.d.dispatch(Act::Failed(kind, e));
                    if conflict {
                        // The report changed under us: show what can be done now.
                        load(this.ctx.clone(), this.d.clone(), true);
                    }
                }
            }
        });
    }
}

#[derive(Properties, PartialEq)]
pub struct ReviewProps {
    pub ctx: Ctx,
}

#[component]
pub fn ReviewView(props: &ReviewProps) -> Html {
    let ctx = props.ctx.clone();
    let panel = use_reducer(Panel::new);
    let d = panel.dispatcher();
    let root = use_node_ref();
    let focus: Focus = use_mut_ref(|| None);
    let sender = Sender {
        ctx: ctx.clone(),
        d: d.clone(),
        busy: use_mut_ref(|| false),
        focus: focus.clone(),
    };
    {
        let (ctx, d) = (ctx.clone(), d.clone());
        use_effect_with((), move |_| load(ctx, d, false));
    }
    {
        // Focus management: after each step, the element the step asked for.
        let (root, focus) = (root.clone(), focus.clone());
        let confirming = panel.confirm.is_some();
        use_effect(move || {
            let sel = focus.borrow_mut().take().map(|sel| match sel {
                AFTER_CHECK if confirming => "#sw-confirm-yes",
                AFTER_CHECK => "[aria-invalid=true]",
                sel => sel,
            });
            if let (Some(sel), Some(root)) = (sel, root.cast::<Element>()) {
                if let Some(el) = root
                    .query_selector(sel)
                    .ok()
                    .flatten()
                    .and_then(|e| e.dyn_into::<HtmlElement>().ok())
                {
                    let _ = el.focus();
                }
            }
        });
    }

    let p = &*panel;
    let (status, body) = match &p.load {
        Load::Loading => (
            "Loading the decision…".to_string(),
            loading("Loading the decision…".into()),
        ),
        Load::Failed(e) => {
            let retry = e.retryable().then(|| {
                let (ctx, d) = (ctx.clone(), d.clone());
                (
                    Callback::from(move |_: MouseEvent| load(ctx.clone(), d.clone(), false)),
                    "Try again",
                )
            });
            (
                "The decision could not be loaded.".to_string(),
                notice(
                    true,
                    "The decision could not be loaded".into(),
                    e.message().into(),
                    retry,
                    Html::default(),
                ),
            )
        }
        Load::Ready(dec) => ready(p, dec, &d, &focus, &sender),
    };

    html! {
        <div class="sw-review">
            <div class="sw-review-report"><FrameView ctx={ctx.clone()} /></div>
            <section class="sw-decision" ref={root} aria-labelledby="sw-decision-h"
                     aria-busy={(matches!(p.load, Load::Loading) || p.busy.is_some()).then_some("true")}>
                <p class="sw-h" id="sw-decision-h">{ "Decision" }</p>
                { status_region(status.into()) }
                { body }
            </section>
        </div>
    }
}

/// Move focus to `sel` after the next render and dispatch `act`.
fn step(d: &Dispatch, focus: &Focus, act: Act, sel: &'static str) {
    *focus.borrow_mut() = Some(sel);
    d.dispatch(act);
}

/// The confirmation step: what will happen, a confirm button (focused), and Back / Escape.
fn confirm_box(
    kind: Kind,
    consequence: String,
    yes: &'static str,
    busy: bool,
    d: &Dispatch,
    focus: &Focus,
    on_yes: Callback<MouseEvent>,
) -> Html {
    let back = {
        let (d, focus) = (d.clone(), focus.clone());
        Callback::from(move |_: MouseEvent| step(&d, &focus, Act::Confirm(None), kind.button()))
    };
    let onkeydown = {
        let (d, focus) = (d.clone(), focus.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && !busy {
                e.prevent_default();
                step(&d, &focus, Act::Confirm(None), kind.button());
            }
        })
    };
    html! {
        <div class="sw-panel sw-confirm" role="group" aria-labelledby="sw-confirm-text" {onkeydown}>
            <p id="sw-confirm-text">{ consequence }</p>
            <div class="sw-actions">
                <button type="button" class="sw-btn" id="sw-confirm-yes" onclick={on_yes}
                        aria-disabled={busy.then_some("true")}>
                    if busy { <span class="sw-spinner" aria-hidden="true"></span>{ "Sending…" } } else { { yes } }
                </button>
                if !busy {
                    <button type="button" class="sw-btn is-secondary" id="sw-confirm-back" onclick={back}>{ "Back" }</button>
                }
            </div>
        </div>
    }
}

/// The panel once the decision summary is loaded: (status line, body).
fn ready(
    p: &Panel,
    dec: &Rc<Decision>,
    d: &Dispatch,
    focus: &Focus,
    sender: &Sender,
) -> (String, Html) {
    let busy = p.busy.is_some();
    let result = outcome(dec, p.done);
    let (rule_v, rule_e) = p.rule_errors(dec);
    let err_v = rule_v
        .filter(|_| p.attempted)
        .map(String::from)
        .or_else(|| p.server_error(is_violations));
    let err_r = p.server_error(|f| f == "custom_reason");
    let err_e = rule_e
        .filter(|_| p.attempted)
        .map(String::from)
        .or_else(|| p.server_error(|f| f == "explanation"));
    let invalid = [&err_v, &err_r, &err_e]
        .iter()
        .filter(|e| e.is_some())
        .count();

    let status = if busy {
        "Sending the decision…".to_string()
    } else if let Some((_, e)) = &p.failed {
        format!("The decision was not sent: {}", e.message())
    } else if invalid > 0 {
        format!(
            "{invalid} field{} need{} attention.",
            if invalid == 1 { "" } else { "s" },
            if invalid == 1 { "s" } else { "" }
        )
    } else if let (Some(_), Some((words, _))) = (p.done, result) {
        format!("{words}.")
    } else {
        String::new()
    };

    let result_html = match result {
        Some((words, final_at)) => html! {
            <div class="sw-panel is-success" id="sw-decision-result" tabindex="-1">
                <p class="sw-h sw-decision-state">{ words }</p>
                if let Some(at) = final_at {
                    <p>{ "Final notice scheduled for " }<time datetime={at.to_string()}>{ date_label(at) }</time>{ "." }</p>
                }
            </div>
        },
        None => Html::default(),
    };

    let failure = match &p.failed {
        Some((kind, e)) => {
            let conflict = e.status() == Some(409);
            let retry = e.retryable().then(|| {
                let (sender, kind) = (sender.clone(), *kind);
                let body = (kind == Kind::Adverse)
                    .then(|| crate::json::to_string(&p.request()).unwrap_or_default());
                (
                    Callback::from(move |_: MouseEvent| sender.send(kind, body.clone())),
                    "Try again",
                )
            });
            html! {
                <div id="sw-decision-failure" tabindex="-1">
                    { notice(!conflict,
                             if conflict { "The report changed" } else { "The decision was not sent" }.into(),
                             e.message().into(), retry, Html::default()) }
                </div>
            }
        }
        None => Html::default(),
    };

    let cancel = if dec.can_cancel_adverse_action {
        if p.confirm == Some(Kind::Cancel) {
            let sender = sender.clone();
            confirm_box(
                Kind::Cancel,
                "Cancel the adverse action? The final adverse notice will not be sent and the report returns to Consider.".into(),
                "Yes, cancel the adverse action",
                busy,
                d,
                focus,
                Callback::from(move |_: MouseEvent| sender.send(Kind::Cancel, None)),
            )
        } else {
            let (d, focus) = (d.clone(), focus.clone());
            let onclick = Callback::from(move |_: MouseEvent| {
                step(
                    &d,
                    &focus,
                    Act::Confirm(Some(Kind::Cancel)),
                    "#sw-confirm-yes",
                )
            });
            html! {
                <div class="sw-actions">
                    <button type="button" class="sw-btn is-secondary" id="sw-cancel-aa" {onclick} disabled={busy}>
                        { "Cancel adverse action" }
                    </button>
                </div>
            }
        }
    } else {
        Html::default()
    };

    let form = if dec.can_proceed || dec.can_start_adverse_action {
        decide_form(p, dec, d, focus, sender, (err_v, err_r, err_e))
    } else if result.is_none() {
        notice(
            false,
            "Nothing to decide".into(),
            format!(
                "This report cannot be decided now (status: {}).",
                dec.report_status
            )
            .into(),
            None,
            Html::default(),
        )
    } else {
        Html::default()
    };

    (
        status,
        html! { <>{ failure }{ result_html }{ cancel }{ form }</> },
    )
}

type Errors = (Option<String>, Option<String>, Option<String>);

/// Violations, reason, explanation, the preview, and the two decisions.
fn decide_form(
    p: &Panel,
    dec: &Rc<Decision>,
    d: &Dispatch,
    focus: &Focus,
    sender: &Sender,
    (err_v, err_r, err_e): Errors,
) -> Html {
    let busy = p.busy.is_some();
    let aria_invalid = |e: &Option<String>| if e.is_some() { "true" } else { "false" };
    let adverse = if dec.can_start_adverse_action {
        let mut n = 0usize;
        let groups = dec.screenings.iter().filter(|s| !s.violations.is_empty()).map(|sc| {
            let items = sc.violations.iter().map(|v| {
                let id = format!("sw-v-{n}");
                n += 1;
                let checked = p.chosen.contains(&v.id);
                let onchange = {
                    let (d, vid) = (d.clone(), v.id.clone());
                    Callback::from(move |_: Event| d.dispatch(Act::Toggle(vid.clone())))
                };
                let mut details = String::new();
                for x in [&v.disposition, &v.date, &v.jurisdiction].into_iter().flatten() {
                    if !details.is_empty() {
                        details.push_str(" · ");
                    }
                    details.push_str(x);
                }
                html! {
                    <label key={v.id.clone()} for={id.clone()} class={if checked { "sw-card sw-violation is-selected" } else { "sw-card sw-violation" }}>
                        <input type="checkbox" name="sw-violation" id={id} value={v.id.clone()} {checked} {onchange}
                               disabled={busy} aria-invalid={aria_invalid(&err_v)}
                               aria-describedby={err_v.as_ref().map(|_| "sw-err-violations")} />
                        <span class="sw-card-body">
                            <span class="sw-name">{ &v.description }</span>
                            if !details.is_empty() { <span class="sw-desc">{ details }</span> }
                        </span>
                    </label>
                }
            }).collect::<Html>();
            html! {
                <fieldset class="sw-screening">
                    <legend>{ &sc.name }</legend>
                    { items }
                </fieldset>
            }
        }).collect::<Html>();
        let any = dec.screenings.iter().any(|s| !s.violations.is_empty());
        let on_reason = {
            let d = d.clone();
            Callback::from(move |e: InputEvent| {
                if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
                    d.dispatch(Act::Reason(t.value()));
                }
            })
        };
        let on_explanation = {
            let d = d.clone();
            Callback::from(move |e: InputEvent| {
                if let Some(t) = e.target_dyn_into::<HtmlTextAreaElement>() {
                    d.dispatch(Act::Explanation(t.value()));
                }
            })
        };
        let required = dec.explanation_required.as_deref();
        let describe = |hint: Option<&str>, err: &Option<String>, err_id: &str| {
            let mut ids = hint.unwrap_or_default().to_string();
            if err.is_some() {
                if !ids.is_empty() {
                    ids.push(' ');
                }
                ids.push_str(err_id);
            }
            (!ids.is_empty()).then_some(ids)
        };
        let req = p.request();
        let chosen: Vec<&str> = dec
            .screenings
            .iter()
            .flat_map(|s| s.violations.iter())
            .filter(|v| req.violations.contains(&v.id))
            .map(|v| v.description.as_str())
            .collect();
        let preview = if chosen.is_empty() && req.custom_reason.is_none() {
            html! { <p>{ "Nothing chosen yet: the notice cites the violations you choose and your reason." }</p> }
        } else {
            html! {
                <>
                    <p>{ "The pre-adverse notice will cite:" }</p>
                    <ul>
                        { for chosen.iter().map(|c| html! { <li>{ *c }</li> }) }
                        if let Some(r) = &req.custom_reason { <li>{ format!("Reason: {r}") }</li> }
                    </ul>
                    if let Some(x) = &req.explanation { <p>{ format!("Explanation: {x}") }</p> }
                </>
            }
        };
        html! {
            <>
                <fieldset class="sw-violations" id="sw-violations"
                          aria-describedby={describe(dec.violations_required.then_some("sw-violations-hint"), &err_v, "sw-err-violations")}>
                    <legend>{ "Violations to cite" }</legend>
                    if dec.violations_required {
                        <p class="sw-hint" id="sw-violations-hint">{ "Choose at least one violation: this account requires it for an adverse action." }</p>
                    }
                    if any { { groups } } else { <p class="sw-hint">{ "No violations are listed on this report." }</p> }
                    if let Some(m) = &err_v { <p class="sw-field-error" id="sw-err-violations">{ m }</p> }
                </fieldset>
                <div class="sw-field">
                    <label for="sw-reason">{ "Custom reason" }</label>
                    <textarea id="sw-reason" rows="3" value={p.reason.clone()} oninput={on_reason} disabled={busy}
                              aria-invalid={aria_invalid(if any { &err_r } else { err_r.as_ref().map_or(&err_v, |_| &err_r) })}
                              aria-describedby={if any || err_r.is_some() { describe(None, &err_r, "sw-err-reason") } else { describe(None, &err_v, "sw-err-violations") }} />
                    if let Some(m) = &err_r { <p class="sw-field-error" id="sw-err-reason">{ m }</p> }
                </div>
                <div class="sw-field">
                    <label for="sw-explanation">
                        { "Explanation for the candidate" }{ if required.is_some() { " (required)" } else { " (optional)" } }
                    </label>
                    if let Some(why) = required { <p class="sw-hint" id="sw-explanation-hint">{ why }</p> }
                    <textarea id="sw-explanation" rows="3" value={p.explanation.clone()} oninput={on_explanation} disabled={busy}
                              aria-required={required.map(|_| "true")}
                              aria-invalid={aria_invalid(&err_e)}
                              aria-describedby={describe(required.map(|_| "sw-explanation-hint"), &err_e, "sw-err-explanation")} />
                    if let Some(m) = &err_e { <p class="sw-field-error" id="sw-err-explanation">{ m }</p> }
                </div>
                <div class="sw-preview" id="sw-preview">
                    <p class="sw-name">{ "What the candidate will be told" }</p>
                    { preview }
                </div>
            </>
        }
    } else {
        Html::default()
    };

    let actions = match p.confirm {
        Some(Kind::Proceed) => {
            let sender = sender.clone();
            confirm_box(
                Kind::Proceed,
                "Proceed with this candidate? The report is marked Proceed and the ATS receives Pass.".into(),
                "Yes, proceed with candidate",
                busy,
                d,
                focus,
                Callback::from(move |_: MouseEvent| sender.send(Kind::Proceed, None)),
            )
        }
        Some(Kind::Adverse) => {
            let req = p.request();
            let n = req.violations.len();
            let cites = match (n, req.custom_reason.is_some()) {
                (0, _) => "your reason".to_string(),
                (n, r) => format!(
                    "{n} violation{}{}",
                    if n == 1 { "" } else { "s" },
                    if r { " and your reason" } else { "" }
                ),
            };
            let body = crate::json::to_string(&req).unwrap_or_default();
            let sender = sender.clone();
            confirm_box(
                Kind::Adverse,
                format!("Start the adverse action? Yardstik sends the candidate a pre-adverse notice now, citing {cites}, and the final adverse notice after the waiting period unless you cancel it."),
                "Yes, send the pre-adverse notice",
                busy,
                d,
                focus,
                Callback::from(move |_: MouseEvent| sender.send(Kind::Adverse, Some(body.clone()))),
            )
        }
        _ => {
            let proceed = {
                let (d, focus) = (d.clone(), focus.clone());
                Callback::from(move |_: MouseEvent| {
                    step(
                        &d,
                        &focus,
                        Act::Confirm(Some(Kind::Proceed)),
                        "#sw-confirm-yes",
                    )
                })
            };
            let start = {
                let (d, focus) = (d.clone(), focus.clone());
                Callback::from(move |_: MouseEvent| step(&d, &focus, Act::Attempt, AFTER_CHECK))
            };
            html! {
                <div class="sw-actions">
                    if dec.can_proceed {
                        <button type="button" class="sw-btn is-secondary" id="sw-proceed" onclick={proceed} disabled={busy}>{ "Proceed with candidate" }</button>
                    }
                    if dec.can_start_adverse_action {
                        <button type="button" class="sw-btn" id="sw-adverse" onclick={start} disabled={busy}>{ "Start pre-adverse action" }</button>
                    }
                </div>
            }
        }
    };

    html! { <div class="sw-decide">{ adverse }{ actions }</div> }
}
