#![cfg(target_arch = "wasm32")]
//! `handle.update(config)`: a changed config reaches the mounted widget without a remount
//! (theme, prefill, hiringManager, token, onEvent, the frame's size), what the user typed
//! stays, and a change that needs a new widget (mode, server, session, the check shown, the
//! applicant) is refused with `false`, as an invalid config is with an error: both change
//! nothing.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlInputElement;

wasm_bindgen_test_configure!(run_in_browser);

const JOHN: &str = r#"{"id":"12345","first_name":"John","last_name":"Doe","phone":"888-555-1234",
  "email":"john.doe@example.com","address":"123 Main St.","city":"Springfield","state":"IL",
  "zip":"12345"}"#;

fn stub() -> Stub {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, PACKAGES.into())],
    );
    stub
}

/// The order form's config: `applicant` (JSON text), `theme` (JSON text) and `more`.
fn order_config(stub: &Stub, applicant: &str, theme: &str, more: &[(&str, JsValue)]) -> JsValue {
    let mut pairs = vec![("applicant", json(applicant)), ("theme", json(theme))];
    pairs.extend(more.iter().cloned());
    config(stub, &pairs)
}

async fn mounted(cfg: JsValue) -> (web_sys::Element, screening_widget::WidgetHandle) {
    let host = host();
    let handle = screening_widget::mount(&host, cfg).unwrap();
    wait_for("the package cards", || {
        qa(&host, "input[name=sw-package]").len() == 3
    })
    .await;
    (host, handle)
}

fn custom(host: &web_sys::Element, name: &str) -> String {
    let root = q(host, ".sw-root").unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&root)
        .unwrap()
        .unwrap();
    style.get_property_value(name).unwrap().trim().to_string()
}

fn input(host: &web_sys::Element, sel: &str) -> HtmlInputElement {
    q(host, sel)
        .unwrap_or_else(|| panic!("no {sel}"))
        .unchecked_into()
}

fn value(host: &web_sys::Element, sel: &str) -> String {
    input(host, sel).value()
}

fn with_city(city: &str) -> String {
    JOHN.replace("Springfield", city)
}

#[wasm_bindgen_test]
async fn a_theme_change_applies_in_place_and_keeps_what_the_user_entered() {
    let stub = stub();
    let (host, mut handle) = mounted(order_config(
        &stub,
        JOHN,
        r##"{"accent":"#0a7d55","radius":"2px"}"##,
        &[],
    ))
    .await;
    assert_eq!(custom(&host, "--sw-accent"), "#0a7d55");
    click(&host, "#sw-pkg-PKG002");
    type_into(&host, "#sw-f-first_name", "Jane");
    yew::scheduler::flush().await;
    let field = q(&host, "#sw-f-first_name").unwrap();

    // A new theme, and a new prefill: the city the user has not touched follows it, the
    // first name they typed stays theirs.
    let next = order_config(
        &stub,
        &with_city("Chicago").replace("\"John\"", "\"Johnny\""),
        r##"{"accent":"#123456"}"##,
        &[],
    );
    assert!(handle.update(next).unwrap());
    wait_for("the new prefill", || {
        value(&host, "#sw-f-city") == "Chicago"
    })
    .await;

    assert_eq!(custom(&host, "--sw-accent"), "#123456");
    assert_eq!(
        custom(&host, "--sw-radius"),
        "",
        "a property of the previous theme is gone"
    );
    assert_eq!(value(&host, "#sw-f-first_name"), "Jane");
    assert!(
        input(&host, "#sw-pkg-PKG002").checked(),
        "the package stays picked"
    );
    assert_eq!(
        q(&host, "#sw-f-first_name").unwrap(),
        field,
        "the same form, not a new one"
    );
    assert_eq!(
        stub.calls_to("GET", "/widget/packages").len(),
        1,
        "no new widget: the packages are not fetched again"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_change_that_needs_a_new_widget_returns_false_and_changes_nothing() {
    let stub = stub();
    let theme = r##"{"accent":"#0a7d55"}"##;
    let (host, mut handle) = mounted(order_config(&stub, JOHN, theme, &[])).await;
    type_into(&host, "#sw-f-first_name", "Jane");
    yew::scheduler::flush().await;

    let other_theme = r##"{"accent":"#123456"}"##;
    let changes: Vec<(&str, JsValue)> = vec![
        (
            "mode",
            config(
                &stub,
                &[
                    ("mode", "report".into()),
                    ("backgroundCheckId", "bc-1".into()),
                    ("theme", json(other_theme)),
                ],
            ),
        ),
        (
            "backgroundCheckId",
            order_config(
                &stub,
                JOHN,
                other_theme,
                &[("backgroundCheckId", "w-other".into())],
            ),
        ),
        (
            "serverUrl",
            order_config(
                &stub,
                JOHN,
                other_theme,
                &[("serverUrl", "http://other.test".into())],
            ),
        ),
        (
            "sessionUrl",
            order_config(
                &stub,
                JOHN,
                other_theme,
                &[("sessionUrl", "https://ats.test/session".into())],
            ),
        ),
        (
            "applicant.id",
            order_config(
                &stub,
                &JOHN.replace("12345\",\"first", "67890\",\"first"),
                other_theme,
                &[],
            ),
        ),
    ];
    for (what, cfg) in changes {
        assert!(
            !handle.update(cfg).unwrap(),
            "a new {what} needs a new widget"
        );
    }
    yew::scheduler::flush().await;
    assert_eq!(
        custom(&host, "--sw-accent"),
        "#0a7d55",
        "the theme is as it was"
    );
    assert_eq!(value(&host, "#sw-f-first_name"), "Jane");
    assert_eq!(
        q(&host, ".sw-root")
            .unwrap()
            .get_attribute("data-mode")
            .as_deref(),
        Some("order")
    );
    assert_eq!(stub.calls_to("GET", "/widget/packages").len(), 1);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn an_invalid_config_is_an_error_and_leaves_the_widget_as_it_was() {
    let stub = stub();
    let theme = r##"{"accent":"#0a7d55"}"##;
    let (host, mut handle) = mounted(order_config(&stub, JOHN, theme, &[])).await;
    type_into(&host, "#sw-f-first_name", "Jane");
    yew::scheduler::flush().await;

    let bad = order_config(
        &stub,
        &with_city("Chicago"),
        r##"{"accent":"#123456"}"##,
        &[("fullScreen", "yes".into())],
    );
    let err = handle
        .update(bad)
        .err()
        .expect("an invalid config is an error");
    let message = Reflect::get(&JsValue::from(err), &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(
        message.contains("`fullScreen` must be true or false"),
        "{message}"
    );
    assert!(handle.update(json("42")).is_err(), "not an object");
    for _ in 0..3 {
        tick().await;
    }
    assert_eq!(custom(&host, "--sw-accent"), "#0a7d55");
    assert_eq!(value(&host, "#sw-f-city"), "Springfield");
    assert_eq!(value(&host, "#sw-f-first_name"), "Jane");

    // The widget still takes a valid change afterwards.
    assert!(handle
        .update(order_config(&stub, JOHN, r##"{"accent":"#123456"}"##, &[]))
        .unwrap());
    assert_eq!(custom(&host, "--sw-accent"), "#123456");
    handle.unmount();
    assert!(
        !handle
            .update(order_config(&stub, JOHN, theme, &[]))
            .unwrap(),
        "after unmount the caller mounts again"
    );
}

fn recorder() -> (
    Rc<RefCell<Vec<String>>>,
    Closure<dyn FnMut(web_sys::CustomEvent)>,
) {
    let seen: Rc<RefCell<Vec<String>>> = Default::default();
    let s = seen.clone();
    let cb = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        s.borrow_mut().push(e.type_());
    });
    (seen, cb)
}

#[wasm_bindgen_test]
async fn a_new_on_event_token_and_hiring_manager_reach_the_next_order() {
    let stub = stub();
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::Json(201, order_state("bc-upd"))],
    );
    let (first, first_cb) = recorder();
    let (second, second_cb) = recorder();
    let theme = "{}";
    let (host, mut handle) = mounted(order_config(
        &stub,
        JOHN,
        theme,
        &[("onEvent", first_cb.as_ref().clone())],
    ))
    .await;
    wait_for("loaded", || !first.borrow().is_empty()).await;
    assert_eq!(*first.borrow(), ["screening:loaded"]);

    let hm = json(r#"{"id":"hm-9","first_name":"Ann","last_name":"Lee","email":"ann@ats.test"}"#);
    assert!(handle
        .update(order_config(
            &stub,
            JOHN,
            theme,
            &[
                ("onEvent", second_cb.as_ref().clone()),
                ("token", "sess-2".into()),
                ("hiringManager", hm),
            ],
        ))
        .unwrap());
    yew::scheduler::flush().await;
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the created order", || q(&host, ".sw-created").is_some()).await;

    assert_eq!(*second.borrow(), ["screening:order-created"]);
    assert_eq!(
        *first.borrow(),
        ["screening:loaded"],
        "the replaced callback hears nothing more"
    );
    let post = &stub.calls_to("POST", "/widget/orders")[0];
    assert_eq!(
        post.header("Authorization").as_deref(),
        Some("Bearer sess-2")
    );
    let body = json(post.body.as_deref().unwrap());
    let hm = Reflect::get(&body, &"hiring_manager".into()).unwrap();
    assert_eq!(
        Reflect::get(&hm, &"id".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("hm-9")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn the_frame_takes_a_new_size_in_place() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/report",
        vec![Reply::Json(
            200,
            format!(r#"{{"token":"tok-1","domain":"{DOMAIN}","report_id":"rep-42"}}"#),
        )],
    );
    let report = |width: &str| {
        config(
            &stub,
            &[
                ("mode", "report".into()),
                ("backgroundCheckId", "bc-1".into()),
                ("width", width.into()),
            ],
        )
    };
    let host = host();
    let mut handle = screening_widget::mount(&host, report("800")).unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    let frame = q(&host, "iframe").unwrap();
    assert_eq!(frame.get_attribute("width").as_deref(), Some("800"));

    assert!(handle.update(report("640")).unwrap());
    wait_for("the new width", || {
        frame.get_attribute("width").as_deref() == Some("640")
    })
    .await;
    assert_eq!(
        q(&host, "iframe").unwrap(),
        frame,
        "the same iframe: not reloaded"
    );
    assert_eq!(stub.calls_to("POST", "/widget/tokens/report").len(), 1);
    handle.unmount();
}
