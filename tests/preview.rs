#![cfg(target_arch = "wasm32")]
//! The loader's preview of the order form (`js/screening_widget_order_preview.js`, drawn
//! from the early package list while the order build's wasm loads): it draws exactly what
//! the wasm's first render draws, and what the user does in it (package, add-ons, typing,
//! fields left, focus and caret, a submit) carries into the widget when it takes over.

mod common;

use common::*;
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/js/screening_widget_order_preview.js")]
extern "C" {
    /// Draws the form into `element`'s shadow root; null when it does not.
    fn preview(element: &Element, config: &JsValue, text: &str) -> JsValue;
}

#[wasm_bindgen(module = "/js/screening_widget.js")]
extern "C" {
    #[wasm_bindgen(js_name = _prefetch)]
    fn loader_prefetch(config: &JsValue) -> JsValue;
}

fn call(obj: &JsValue, method: &str) -> JsValue {
    let f: js_sys::Function = Reflect::get(obj, &method.into()).unwrap().unchecked_into();
    f.call0(obj).unwrap()
}

/// The widget's own element in a host (`.sw-root`), as markup.
fn drawn(host: &Element) -> String {
    q(host, ".sw-root").expect("a .sw-root").outer_html()
}

/// Every input's live state (properties are not in the markup): id, value, checked.
fn inputs(host: &Element) -> Vec<(String, String, bool)> {
    qa(host, "input")
        .into_iter()
        .map(|e| {
            let i: HtmlInputElement = e.unchecked_into();
            (i.id(), i.value(), i.checked())
        })
        .collect()
}

/// Type as a user does: the value, then a bubbling `input` event.
fn user_types(host: &Element, sel: &str, value: &str) {
    let input: HtmlInputElement = q(host, sel).unwrap().unchecked_into();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&ev).unwrap();
}

fn focus(host: &Element, sel: &str) {
    q(host, sel)
        .unwrap()
        .unchecked_into::<HtmlElement>()
        .focus()
        .unwrap();
}

/// The input matching `sel` in `host`'s widget.
fn input(host: &Element, sel: &str) -> HtmlInputElement {
    q(host, sel)
        .unwrap_or_else(|| panic!("no {sel}"))
        .unchecked_into()
}

/// The widget mounted on a fresh host with `cfg`, once its package list is shown.
async fn mounted_with_list(cfg: JsValue) -> (Element, screening_widget::WidgetHandle) {
    let host = common::host();
    let handle = screening_widget::mount(&host, cfg).unwrap();
    wait_for("the widget's list", || {
        q(&host, "input[name=sw-package]").is_some()
    })
    .await;
    (host, handle)
}

fn stub_packages(list: &str, times: usize) -> Stub {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, list.to_string()); times],
    );
    stub
}

/// The wasm mounted on `host` with the loader's early list already answered and, when
/// given, the preview's `state()`: as the loader mounts it.
async fn take_over(
    host: &Element,
    cfg: &JsValue,
    state: Option<JsValue>,
) -> screening_widget::WidgetHandle {
    let early = loader_prefetch(cfg);
    let settled = Reflect::get(&early, &"settled".into()).unwrap();
    wait_for("the early list", || {
        Reflect::get(&settled, &"packages".into())
            .unwrap()
            .is_object()
    })
    .await;
    if let Some(state) = state {
        Reflect::set(&early, &"preview".into(), &state).unwrap();
    }
    let desc = Object::new();
    Reflect::set(&desc, &"value".into(), &early).unwrap();
    Object::define_property(cfg.unchecked_ref::<Object>(), &"_prefetch".into(), &desc);
    let handle = screening_widget::mount(host, cfg.clone()).unwrap();
    yew::scheduler::flush().await;
    handle
}

const ODD_LIST: &str = r#"{"packages":[
  {"id":"P-1","name":"On request"},
  {"id":"P-2","name":"Big","price":"$1,029.5","description":"","screenings":[]},
  {"id":"P-3","name":"Odd <b>price</b>","price":"about 30","screenings":["A & B"]}
]}"#;

#[wasm_bindgen_test]
async fn the_preview_draws_what_the_first_render_draws() {
    let applicant = json(
        r#"{"id":"a1","first_name":" John ","last_name":"Doe","email":"john@example.com",
            "phone":8885551234,"address":"","city":"Springfield","state":"IL","zip":"12345"}"#,
    );
    let theme = json(r##"{"accent":"#123456","--sw-radius":"3px","--other":"x","gap":7}"##);
    for (list, pairs) in [
        (PACKAGES, vec![]),
        (
            PACKAGES,
            vec![("applicant", applicant.clone()), ("theme", theme.clone())],
        ),
        (ODD_LIST, vec![("applicant", applicant.clone())]),
    ] {
        let stub = stub_packages(list, 1);
        let cfg = config(&stub, &pairs);
        let drawing = host();
        assert!(
            preview(&drawing, &cfg, list).is_object(),
            "the preview draws {list}"
        );
        let (mounted, mut handle) = mounted_with_list(cfg).await;
        assert_eq!(drawn(&drawing), drawn(&mounted), "the markup for {list}");
        assert_eq!(inputs(&drawing), inputs(&mounted), "the inputs for {list}");
        handle.unmount();
    }
}

#[wasm_bindgen_test]
async fn choosing_in_the_preview_shows_the_total_as_the_widget_would() {
    let stub = stub_packages(PACKAGES, 1);
    let cfg = config(&stub, &[]);
    let host = host();
    preview(&host, &cfg, PACKAGES);
    click(&host, "label[for=sw-pkg-PKG002]");
    click(&host, "label[for=sw-addon-DRG01]");
    click(&host, "label[for=sw-addon-DRG02]");
    click(&host, "label[for=sw-addon-DRG02]");
    let drawing = drawn(&host);
    let shown = inputs(&host);
    // The widget with the same choices made in it, for comparison.
    let (other, mut handle) = mounted_with_list(cfg).await;
    click(&other, "label[for=sw-pkg-PKG002]");
    click(&other, "label[for=sw-addon-DRG01]");
    yew::scheduler::flush().await;
    assert_eq!(text(&host, "output"), "$79.98");
    assert_eq!(drawing, drawn(&other));
    assert_eq!(shown, inputs(&other));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn what_the_user_did_in_the_preview_carries_into_the_widget() {
    let stub = stub_packages(PACKAGES, 1);
    let cfg = config(
        &stub,
        &[("applicant", json(r#"{"id":"a1","email":"jo@example.com"}"#))],
    );
    let host = host();
    let drawing = preview(&host, &cfg, PACKAGES);
    click(&host, "label[for=sw-pkg-PKG002]");
    click(&host, "label[for=sw-addon-DRG02]");
    click(&host, "label[for=sw-addon-DRG01]");
    user_types(&host, "#sw-f-first_name", "Jane");
    focus(&host, "#sw-f-last_name");
    focus(&host, "#sw-f-city");
    user_types(&host, "#sw-f-city", "Springfield");
    input(&host, "#sw-f-city")
        .set_selection_range(3, 6)
        .unwrap();
    let state = call(&drawing, "state");

    let mut handle = take_over(&host, &cfg, Some(state)).await;
    let checked = |sel: &str| input(&host, sel).checked();
    let value = |sel: &str| input(&host, sel).value();
    assert_eq!(qa(&host, ".sw-root").len(), 1, "one widget, the wasm's");
    assert!(checked("#sw-pkg-PKG002") && checked("#sw-addon-DRG01") && checked("#sw-addon-DRG02"));
    assert_eq!(text(&host, "output"), "$119.97");
    assert_eq!(value("#sw-f-first_name"), "Jane");
    assert_eq!(value("#sw-f-city"), "Springfield");
    assert_eq!(value("#sw-f-email"), "jo@example.com", "the prefill");
    // Last name was left empty: its error shows, as after leaving it in the widget.
    assert_eq!(
        q(&host, "#sw-f-last_name")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    assert!(q(&host, "#sw-err-last_name").is_some());
    assert!(
        q(&host, "#sw-err-first_name").is_none(),
        "no error for a field not left"
    );
    let city: HtmlInputElement = focused(&host).expect("a focused field").unchecked_into();
    assert_eq!(city.id(), "sw-f-city", "the focus stays where it was");
    assert_eq!(
        (
            city.selection_start().unwrap(),
            city.selection_end().unwrap()
        ),
        (Some(3), Some(6)),
        "and the selection"
    );
    // Typed fields are the user's: a new prefill leaves them, fills the others.
    let ok = handle
        .update(config(
            &stub,
            &[(
                "applicant",
                json(r#"{"id":"a1","first_name":"John","last_name":"Doe"}"#),
            )],
        ))
        .unwrap();
    assert!(ok);
    yew::scheduler::flush().await;
    assert_eq!(value("#sw-f-first_name"), "Jane");
    assert_eq!(value("#sw-f-last_name"), "Doe");
    assert_eq!(
        stub.calls_to("GET", "/widget/packages").len(),
        1,
        "the list asked once"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_submit_in_the_preview_places_the_order_once_the_widget_runs() {
    let stub = stub_packages(PACKAGES, 1);
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::Json(201, order_state("w-1"))],
    );
    let cfg = config(
        &stub,
        &[(
            "applicant",
            json(
                r#"{"id":"a1","first_name":"John","last_name":"Doe","email":"john@example.com",
                    "phone":"888-555-1234","address":"1 Main St","city":"Springfield",
                    "state":"IL","zip":"12345"}"#,
            ),
        )],
    );
    let host = host();
    let drawing = preview(&host, &cfg, PACKAGES);
    click(&host, "label[for=sw-pkg-PKG003]");
    click(&host, ".sw-submit");
    assert!(
        stub.calls_to("POST", "/widget/orders").is_empty(),
        "nothing is sent before the widget runs"
    );
    let mut handle = take_over(&host, &cfg, Some(call(&drawing, "state"))).await;
    wait_for("the order", || q(&host, ".sw-created").is_some()).await;
    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(posts.len(), 1);
    let body = json(posts[0].body.as_deref().unwrap());
    assert_eq!(Reflect::get(&body, &"package_id".into()).unwrap(), "PKG003");
    handle.unmount();
}

#[wasm_bindgen_test]
async fn an_incomplete_form_submitted_in_the_preview_shows_its_errors_and_sends_nothing() {
    let stub = stub_packages(PACKAGES, 1);
    let cfg = config(&stub, &[]);
    let host = host();
    let drawing = preview(&host, &cfg, PACKAGES);
    click(&host, ".sw-submit");
    let mut handle = take_over(&host, &cfg, Some(call(&drawing, "state"))).await;
    assert!(q(&host, "#sw-err-package").is_some(), "the package's error");
    assert!(q(&host, "#sw-err-first_name").is_some());
    assert_eq!(
        focused(&host).map(|e| e.get_attribute("name")),
        Some(Some("sw-package".into())),
        "the first field to fix has the focus"
    );
    assert!(stub.calls_to("POST", "/widget/orders").is_empty());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_handover_that_does_not_fit_the_form_is_dropped() {
    let stub = stub_packages(PACKAGES, 1);
    let cfg = config(&stub, &[]);
    let host = host();
    let state = json(
        r#"{"selected":"NOPE","addOns":["DRG01","X",7],"fields":{"evil":"x","first_name":5,
            "last_name":"Doe"},"touched":["evil"],"focus":{"id":"nowhere"},"submitted":"yes"}"#,
    );
    let mut handle = take_over(&host, &cfg, Some(state)).await;
    assert!(qa(&host, "input[name=sw-package]")
        .iter()
        .all(|e| !e.clone().unchecked_into::<HtmlInputElement>().checked()));
    assert_eq!(text(&host, "output"), "$29.99", "the known add-on only");
    let value = |sel: &str| input(&host, sel).value();
    assert_eq!(
        (value("#sw-f-first_name"), value("#sw-f-last_name")),
        (String::new(), "Doe".into())
    );
    assert!(q(&host, ".sw-field-error").is_none());
    assert!(stub.calls_to("POST", "/widget/orders").is_empty());
    handle.unmount();
}

#[wasm_bindgen_test]
fn the_preview_draws_nothing_for_a_list_the_widget_would_not_show_as_a_form() {
    let stub = Stub::new();
    let cfg = config(&stub, &[]);
    for text in [
        "not json",
        "null",
        r#"{"packages":[]}"#,
        r#"{"packages":[{"id":"P","name":"N","price":29.99}]}"#,
        r#"{"packages":[{"id":"P","name":"N"}],"add_on_packages":[{"id":"A","name":"N","price":"1"}]}"#,
    ] {
        let host = host();
        assert!(preview(&host, &cfg, text).is_null(), "{text}");
        assert!(host.shadow_root().is_none(), "nothing drawn for {text}");
    }
    // A shadow root already in use is not drawn over.
    let host = host();
    host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap()
        .set_inner_html("<p>the host's own</p>");
    assert!(preview(&host, &cfg, PACKAGES).is_null());
}

#[wasm_bindgen_test]
fn the_preview_installs_its_stylesheet_as_the_widget_does_and_removes_everything() {
    let stub = Stub::new();
    let host = host();
    let drawing = preview(&host, &config(&stub, &[("nonce", "n-42".into())]), PACKAGES);
    let style = q(&host, "style").expect("a <style> carrying the nonce");
    assert_eq!(
        Reflect::get(&style, &"nonce".into()).unwrap(),
        "n-42",
        "the nonce"
    );
    call(&drawing, "remove");
    assert_eq!(host.shadow_root().unwrap().child_nodes().length(), 0);

    let other = common::host();
    let drawing = preview(&other, &config(&stub, &[]), PACKAGES);
    let root = other.shadow_root().unwrap();
    assert_eq!(root.adopted_style_sheets().length(), 1, "an adopted sheet");
    assert!(q(&other, "style").is_none());
    call(&drawing, "remove");
    assert_eq!(root.child_nodes().length(), 0);
    assert_eq!(root.adopted_style_sheets().length(), 0);
}
