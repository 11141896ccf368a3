//! Order mode: load the packages, pick one (plus add-ons), check the applicant's details
//! inline, and place the order once, whatever the clicks and retries.

use std::cell::RefCell;
use std::rc::Rc;

use screening_wire::validate::validate_widget_order;
use screening_wire::{Applicant, FieldError, PackageList, WidgetOrderRequest};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

use super::handover::{self, Resume};
use super::picker::{picker, total_of, PickerProps};
use super::status::{loading, notice, status_region};
use crate::api::{new_idempotency_key, ApiError, Created};
use crate::applicant::{field_value, set_field, FIELDS};
use crate::ctx::Ctx;
use crate::events;
use crate::js::{obj, opt, s};

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Failed(ApiError),
    Ready(Rc<PackageList>),
}

#[derive(Clone, PartialEq)]
enum Submit {
    Idle,
    Submitting,
    /// The order, and whether it is the one an earlier attempt placed (later edits of the
    /// form were not sent).
    Created(Rc<Created>, bool),
    Failed(ApiError),
}

/// Everything order mode shows, changed only through [`Act`] (so quick successive clicks
/// never work on a stale copy).
#[derive(Clone, PartialEq)]
pub struct View {
    load: Load,
    submit: Submit,
    selected: Option<String>,
    add_ons: Vec<String>,
    applicant: Applicant,
    /// Fields the user has typed in: a new prefill (`handle.update`) leaves them as they are.
    edited: Vec<&'static str>,
    /// Fields the user has left at least once: their errors show before any submit.
    touched: Vec<&'static str>,
    attempted: bool,
    /// `field_errors` of the last refused order, until the field changes.
    server_errors: Vec<FieldError>,
}

pub enum Act {
    Loading,
    Loaded(Rc<PackageList>),
    LoadFailed(ApiError),
    Select(String),
    ToggleAddOn(String),
    Set(&'static str, String),
    /// The host's applicant changed: fields the user has not typed in take its values.
    Prefill(Applicant),
    Touch(&'static str),
    Attempt,
    Submitting,
    Created(Rc<Created>, bool),
    Failed(ApiError, Vec<FieldError>),
    Again,
}

impl Reducible for View {
    type Action = Act;
    fn reduce(self: Rc<Self>, act: Act) -> Rc<Self> {
        let mut v = (*self).clone();
        match act {
            Act::Loading => v.load = Load::Loading,
            Act::Loaded(list) => v.load = Load::Ready(list),
            Act::LoadFailed(e) => v.load = Load::Failed(e),
            Act::Select(id) => {
                v.selected = Some(id);
                v.server_errors.retain(|e| e.field != "package_id");
            }
            Act::ToggleAddOn(id) => match v.add_ons.iter().position(|x| *x == id) {
                Some(i) => {
                    v.add_ons.remove(i);
                }
                None => v.add_ons.push(id),
            },
            Act::Set(key, value) => {
                set_field(&mut v.applicant, key, value);
                let path = format!("applicant.{key}");
                v.server_errors.retain(|e| e.field != path);
                if !v.edited.contains(&key) {
                    v.edited.push(key);
                }
            }
            Act::Prefill(from) => {
                v.applicant.id = from.id.clone();
                for &(key, ..) in FIELDS.iter().filter(|(k, ..)| !v.edited.contains(k)) {
                    set_field(&mut v.applicant, key, field_value(&from, key));
                }
                if v.applicant == self.applicant {
                    return self;
                }
            }
            Act::Touch(key) => {
                if v.touched.contains(&key) {
                    return self;
                }
                v.touched.push(key);
            }
            Act::Attempt => v.attempted = true,
            Act::Submitting => v.submit = Submit::Submitting,
            Act::Created(order, earlier) => {
                v.submit = Submit::Created(order, earlier);
                v.server_errors.clear();
            }
            Act::Failed(e, fields) => {
                v.submit = Submit::Failed(e);
                v.server_errors = fields;
            }
            Act::Again => {
                v.submit = Submit::Idle;
                v.attempted = false;
                v.touched.clear();
            }
        }
        Rc::new(v)
    }
}

/// The order the user means to place, the key that makes placing it idempotent, and every
/// distinct body sent under that key (oldest first). It lasts until the order is created or
/// definitively refused: while an outcome is unknown, every attempt (Retry or the submit
/// button) reuses the key, so at most one check is ever created for it.
struct Intent {
    key: String,
    sent: Vec<WidgetOrderRequest>,
}

type Dispatch = UseReducerDispatcher<View>;

fn load_packages(ctx: Ctx, d: Dispatch) {
    d.dispatch(Act::Loading);
    spawn_local(async move {
        match ctx.api.packages().await {
            Ok(list) => {
                loaded(&ctx, &list);
                d.dispatch(Act::Loaded(Rc::new(list)));
            }
            Err(e) => {
                ctx.emitter.error("packages", &e.message(), e.code());
                d.dispatch(Act::LoadFailed(e));
            }
        }
    });
}

/// `screening:loaded` for a package list shown.
fn loaded(ctx: &Ctx, list: &PackageList) {
    ctx.emitter.emit(
        events::LOADED,
        obj(&[
            ("mode", s("order")),
            ("packages", (list.packages.len() as u32).into()),
            ("addOns", (list.add_on_packages.len() as u32).into()),
        ]),
    );
}

/// Shared by submit and Retry.
#[derive(Clone)]
struct Placer {
    ctx: Ctx,
    d: Dispatch,
    busy: Rc<RefCell<bool>>,
    intent: Rc<RefCell<Option<Intent>>>,
    focus: Focus,
}

/// A selector to focus (inside the widget) after the next render.
type Focus = Rc<RefCell<Option<&'static str>>>;

impl Placer {
    /// The pending intent's key, else a new one; `request` is recorded as sent under it.
    fn key_for(&self, request: &WidgetOrderRequest) -> String {
        let mut slot = self.intent.borrow_mut();
        let intent = slot.get_or_insert_with(|| Intent {
            key: new_idempotency_key(),
            sent: Vec::new(),
        });
        if !intent.sent.contains(request) {
            intent.sent.push(request.clone());
        }
        intent.key.clone()
    }

    fn place(&self, request: WidgetOrderRequest, key: String) {
        if self.busy.replace(true) {
            return;
        }
        self.d.dispatch(Act::Submitting);
        let this = self.clone();
        spawn_local(async move {
            let api = &this.ctx.api;
            let mut result = api.create_order(&request, &key).await.map(|o| (o, false));
            if matches!(&result, Err(ApiError::Http { status: 409, .. })) {
                // The key already placed an order with a body sent earlier (before an edit):
                // that body again gets the order that exists; the edit is not sent.
                let earlier: Vec<WidgetOrderRequest> = this
                    .intent
                    .borrow()
                    .as_ref()
                    .map(|i| {
                        i.sent
                            .iter()
                            .rev()
                            .filter(|r| **r != request)
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                for body in earlier {
                    if let Ok(o) = api.create_order(&body, &key).await {
                        result = Ok((o, true));
                        break;
                    }
                }
            }
            *this.busy.borrow_mut() = false;
            let emitter = &this.ctx.emitter;
            match result {
                Ok(((order, raw), earlier)) => {
                    this.intent.borrow_mut().take();
                    emitter.emit_outcome(
                        events::ORDER_CREATED,
                        obj(&[
                            ("backgroundCheckId", s(&order.background_check_id)),
                            ("status", s(order.status.as_str())),
                            ("idempotencyKey", s(&key)),
                            ("order", raw),
                        ]),
                    );
                    *this.focus.borrow_mut() = Some(".sw-created");
                    this.d.dispatch(Act::Created(Rc::new(order), earlier));
                }
                Err(e) => {
                    let definitive = !e.outcome_unknown();
                    let mut intent = this.intent.borrow_mut();
                    if definitive && intent.as_ref().is_some_and(|i| i.sent == [request.clone()]) {
                        // The only body sent under this key was refused: nothing was
                        // created, the next attempt is a new order.
                        intent.take();
                    }
                    drop(intent);
                    let fields = match &e {
                        ApiError::Http { body, .. } => body.field_errors.clone(),
                        _ => Vec::new(),
                    };
                    emitter.emit_outcome(
                        events::ORDER_FAILED,
                        obj(&[
                            ("message", s(&e.message())),
                            ("code", opt(e.code())),
                            (
                                "status",
                                e.status().map(JsValue::from).unwrap_or(JsValue::NULL),
                            ),
                            ("retryable", e.retryable().into()),
                            ("fieldErrors", e.field_errors_js()),
                            ("idempotencyKey", s(&key)),
                        ]),
                    );
                    *this.focus.borrow_mut() = Some("#sw-order-failure");
                    this.d.dispatch(Act::Failed(e, fields));
                }
            }
        });
    }
}

#[derive(Properties, PartialEq)]
pub struct OrderProps {
    pub ctx: Ctx,
}

#[component]
pub fn OrderView(props: &OrderProps) -> Html {
    let ctx = props.ctx.clone();
    // What the user did in the loader's preview, until the first render's effects use it.
    let handed = use_mut_ref(Resume::default);
    let view = {
        let (ctx, handed) = (ctx.clone(), handed.clone());
        use_reducer(move || {
            // The loader's early answer when it came before the mount: no loading state.
            let list = ctx.api.settled_packages();
            let applicant = ctx.config.applicant.clone();
            let (start, resume) =
                handover::start(&ctx.config.api.prefetch, list.as_ref(), applicant);
            *handed.borrow_mut() = resume;
            View {
                load: match list {
                    Some(list) => Load::Ready(Rc::new(list)),
                    None => Load::Loading,
                },
                submit: Submit::Idle,
                selected: start.selected,
                add_ons: start.add_ons,
                applicant: start.applicant,
                edited: start.edited,
                touched: start.touched,
                attempted: false,
                server_errors: Vec::new(),
            }
        })
    };
    let d = view.dispatcher();
    let root = use_node_ref();
    let focus: Focus = use_mut_ref(|| None);
    let placer = {
        let intent = use_mut_ref(|| None::<Intent>);
        let busy = use_mut_ref(|| false);
        Placer {
            ctx: ctx.clone(),
            d: d.clone(),
            busy,
            intent,
            focus: focus.clone(),
        }
    };

    {
        // After the first render: the list announced (or asked for), then the preview's
        // focus and caret, then its submit.
        let (ctx, d, root) = (ctx.clone(), d.clone(), root.clone());
        let ready = match &view.load {
            Load::Ready(list) => Some(list.clone()),
            _ => None,
        };
        let resume = std::mem::take(&mut *handed.borrow_mut());
        use_effect_with((), move |_| {
            match ready {
                Some(list) => loaded(&ctx, &list),
                None => load_packages(ctx, d),
            }
            if let Some(root) = root.cast() {
                handover::resume(&root, &resume);
            }
        });
    }
    {
        // A new config (`handle.update`) may bring a new prefill.
        let d = d.clone();
        use_effect_with(ctx.config.applicant.clone(), move |a| {
            d.dispatch(Act::Prefill(a.clone()))
        });
    }
    {
        // After a state change, focus what the new state asked for (its panel or heading).
        let (root, focus) = (root.clone(), focus.clone());
        use_effect(move || {
            let sel = focus.borrow_mut().take();
            let el = sel.and_then(|sel| {
                root.cast::<web_sys::Element>()?
                    .query_selector(sel)
                    .ok()
                    .flatten()?
                    .dyn_into::<HtmlElement>()
                    .ok()
            });
            if let Some(el) = el {
                let _ = el.focus();
            }
        });
    }
    let reload = {
        let (ctx, d) = (ctx.clone(), d.clone());
        Callback::from(move |_: MouseEvent| load_packages(ctx.clone(), d.clone()))
    };
    // One live region for every state (a new node per state would not be announced
    // reliably): only its text changes.
    let shell = |status: String, busy: bool, body: Html| {
        html! {
            <div class="sw-order" ref={root.clone()} aria-busy={busy.then_some("true")}>
                { status_region(status.into()) }
                { body }
            </div>
        }
    };
    let list = match &view.load {
        Load::Loading => {
            return shell(
                "Loading packages…".into(),
                true,
                Html::from_html_unchecked(AttrValue::Static(
                    r#"<div class="sw-cards"><div class="sw-skeleton"></div><div class="sw-skeleton"></div><div class="sw-skeleton"></div></div>"#,
                )),
            );
        }
        Load::Failed(e) => {
            return shell(
                "The packages could not be loaded.".into(),
                false,
                notice(
                    true,
                    "Packages could not be loaded".into(),
                    e.message().into(),
                    Some((reload, "Try again")),
                    Html::default(),
                ),
            );
        }
        Load::Ready(list) => list.clone(),
    };
    if list.packages.is_empty() {
        return shell(
            "No packages are available.".into(),
            false,
            notice(false, "No packages available".into(),
                   "This account has no background-check packages to order yet. Ask your administrator to enable one, then check again.".into(),
                   Some((reload, "Check again")), Html::default()),
        );
    }

    if let Submit::Created(order, earlier) = &view.submit {
        let again = {
            let (d, focus) = (d.clone(), focus.clone());
            Callback::from(move |_: MouseEvent| {
                *focus.borrow_mut() = Some("fieldset.sw-packages");
                d.dispatch(Act::Again);
            })
        };
        let total = total_of(&list, Some(&order.package_id), &order.add_on_package_ids);
        let name = list
            .packages
            .iter()
            .find(|p| p.id == order.package_id)
            .map(|p| p.name.clone());
        return shell(
            format!("Order placed. Status: {}.", order.status.label()),
            false,
            html! {
                <div class="sw-panel is-success sw-created" tabindex="-1" aria-labelledby="sw-created-h">
                    <p class="sw-h" id="sw-created-h">{ "Background check ordered" }</p>
                    <p>{ "The candidate will receive an email from Yardstik to complete their details." }</p>
                    if *earlier {
                        <p class="sw-earlier">{ "Your changes after the first attempt were not sent: that attempt had already placed this order with the details you first submitted." }</p>
                    }
                    <dl>
                        <dt>{ "Status" }</dt>
                        <dd><span class="sw-badge sw-order-status">{ order.status.label() }</span></dd>
                        <dt>{ "Background check ID" }</dt>
                        <dd class="sw-order-id">{ &order.background_check_id }</dd>
                        <dt>{ "Package" }</dt>
                        <dd>{ name.unwrap_or_else(|| order.package_id.clone()) }</dd>
                        <dt>{ "Total" }</dt>
                        <dd>{ total.label() }</dd>
                    </dl>
                    <div class="sw-actions">
                        <button type="button" class="sw-btn is-secondary" onclick={again}>{ "Order another check" }</button>
                    </div>
                </div>
            },
        );
    }

    let request = WidgetOrderRequest {
        background_check_id: ctx.config.background_check_id.clone(),
        package_id: view.selected.clone().unwrap_or_default(),
        add_on_package_ids: view.add_ons.clone(),
        applicant: view.applicant.clone(),
        hiring_manager: ctx.config.hiring_manager.clone(),
    };
    let errors = validate_widget_order(&request);
    let submitting = matches!(view.submit, Submit::Submitting);
    let shown = |field: &str| -> Option<String> {
        let path = if field == "package_id" {
            field.to_string()
        } else {
            format!("applicant.{field}")
        };
        let visible = view.attempted || view.touched.contains(&field);
        errors
            .iter()
            .find(|e| e.field == path && visible)
            .or_else(|| view.server_errors.iter().find(|e| e.field == path))
            .map(|e| e.message.clone())
    };

    let onsubmit = {
        let (placer, request, invalid) = (placer.clone(), request.clone(), errors.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if *placer.busy.borrow() {
                return;
            }
            placer.d.dispatch(Act::Attempt);
            if let Some(first) = invalid.first() {
                focus_in_form(&e, &first.field);
                return;
            }
            let key = placer.key_for(&request);
            placer.place(request.clone(), key);
        })
    };
    // Retry: the form as it is now, under the pending order's key while its outcome is
    // unknown (network, timeout, 5xx), else under a new one. Focus stays on the button
    // that shows the progress.
    let retry = {
        let (placer, request, valid) = (placer.clone(), request.clone(), errors.is_empty());
        Callback::from(move |_: MouseEvent| {
            if valid {
                *placer.focus.borrow_mut() = Some(".sw-submit");
                let key = placer.key_for(&request);
                placer.place(request.clone(), key);
            } else {
                placer.d.dispatch(Act::Attempt);
                *placer.focus.borrow_mut() = Some("[aria-invalid=true]");
            }
        })
    };

    let invalid_count = errors.len();
    // An order whose outcome is unknown may exist: "not placed" would be untrue.
    let pending = placer.intent.borrow().is_some()
        && matches!(&view.submit, Submit::Failed(e) if e.outcome_unknown());
    let status = match &view.submit {
        Submit::Submitting => "Placing the order…".to_string(),
        Submit::Failed(e) if pending => format!("The order was not confirmed: {}", e.message()),
        Submit::Failed(e) => format!("The order was not placed: {}", e.message()),
        _ if view.attempted && invalid_count > 0 => format!(
            "{invalid_count} field{} need{} attention.",
            if invalid_count == 1 { "" } else { "s" },
            if invalid_count == 1 { "s" } else { "" }
        ),
        _ => String::new(),
    };

    let fields = FIELDS
        .iter()
        .map(|&(key, label, autocomplete, kind, wide)| {
            let id = format!("sw-f-{key}");
            let err_id = format!("sw-err-{key}");
            let message = shown(key);
            let onblur = d.to_callback().reform(move |_: FocusEvent| Act::Touch(key));
            let oninput = {
                let d = d.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(input) = e.target_dyn_into::<HtmlInputElement>() {
                        d.dispatch(Act::Set(key, input.value()));
                    }
                })
            };
            // Read-only (not disabled) while sending: a focused field keeps its focus.
            html! {
                <div class={if wide { "sw-field is-wide" } else { "sw-field" }} key={key}>
                    <label for={id.clone()}>{ label }</label>
                    <input id={id} name={key} type={kind} autocomplete={autocomplete}
                           value={field_value(&view.applicant, key)} {oninput} {onblur}
                           aria-required={(key != "address_2").then_some("true")}
                           aria-invalid={if message.is_some() { "true" } else { "false" }}
                           aria-describedby={message.as_ref().map(|_| err_id.clone())}
                           maxlength={if key == "state" { "2" } else { "200" }}
                           readonly={submitting} />
                    if let Some(m) = message { <p class="sw-field-error" id={err_id}>{ m }</p> }
                </div>
            }
        });

    let failure = match &view.submit {
        Submit::Failed(e) => {
            html! {
                <div id="sw-order-failure" tabindex="-1">
                    { notice(
                        true,
                        if pending { "The order was not confirmed" } else { "The order was not placed" }.into(),
                        e.message().into(),
                        Some((retry, "Retry order")),
                        if pending {
                            Html::from_html_unchecked(AttrValue::Static(PENDING))
                        } else {
                            Html::default()
                        },
                    ) }
                </div>
            }
        }
        _ => Html::default(),
    };
    let total = total_of(&list, view.selected.as_deref(), &view.add_ons);

    shell(
        status,
        submitting,
        html! {
            <form novalidate=true {onsubmit}>
                { failure }
                { picker(PickerProps {
                    list: list.clone(),
                    selected: view.selected.clone(),
                    add_ons: view.add_ons.clone(),
                    on_select: d.to_callback().reform(Act::Select),
                    on_toggle_add_on: d.to_callback().reform(Act::ToggleAddOn),
                    disabled: submitting,
                    error: shown("package_id"),
                }) }
                <fieldset class="sw-applicant">
                    <legend>{ "Applicant" }</legend>
                    <div class="sw-fields">{ for fields }</div>
                </fieldset>
                <div class="sw-actions">
                    // aria-disabled, not disabled: a disabled button would drop the focus.
                    <button type="submit" class="sw-btn sw-submit" aria-disabled={submitting.then_some("true")}>
                        if submitting { <span class="sw-spinner" aria-hidden="true"></span>{ "Placing order…" } }
                        else if view.selected.is_some() { { format!("Order background check · {}", total.label()) } }
                        else { { "Order background check" } }
                    </button>
                </div>
                if submitting { { loading("Sending the order to the screening service…".into()) } }
            </form>
        },
    )
}

/// Said under an error whose order may exist: what Retry does about it.
const PENDING: &str = "<p class=\"sw-hint\">The order may already have been placed. Retrying (or ordering again) sends the form as it is now under the same order key, so it cannot create a second check; if the first attempt went through, that order is kept and later changes are not sent.</p>";

/// Focus the first invalid field inside the submitted form.
fn focus_in_form(e: &SubmitEvent, field: &str) {
    let selector = match field.strip_prefix("applicant.") {
        Some(f) => format!("#sw-f-{f}"),
        None => "input[name=sw-package]".to_string(),
    };
    let form = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok());
    let target = form.and_then(|f| f.query_selector(&selector).ok().flatten());
    if let Some(el) = target.and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
        let _ = el.focus();
    }
}
