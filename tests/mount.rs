#![cfg(target_arch = "wasm32")]
//! mount()/unmount(): shadow root, scoped styles (nonce or constructable stylesheet), theme,
//! events on the host and the callback, a first session from the session URL, remounting.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn packages_stub() -> Stub {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, PACKAGES.into())],
    );
    stub
}

#[wasm_bindgen_test]
async fn styles_are_scoped_and_honour_the_nonce() {
    let stub = packages_stub();
    // With a nonce: a <style nonce> inside the shadow root.
    let host = host();
    let mut handle =
        screening_widget::mount(&host, config(&stub, &[("nonce", "abc123".into())])).unwrap();
    let root = host.shadow_root().unwrap();
    let style = root
        .query_selector("style")
        .unwrap()
        .expect("a style element");
    assert_eq!(
        Reflect::get(&style, &"nonce".into())
            .unwrap()
            .as_string()
            .as_deref(),
        Some("abc123")
    );
    assert!(style.text_content().unwrap().contains(".sw-root"));
    assert_eq!(root.adopted_style_sheets().length(), 0);
    // Nothing leaks into the document.
    let doc = web_sys::window().unwrap().document().unwrap();
    assert!(doc.query_selector(".sw-root").unwrap().is_none());
    handle.unmount();

    // Without: a constructable stylesheet, no <style> element at all.
    let host = common::host();
    let mut handle = screening_widget::mount(&host, config(&stub, &[])).unwrap();
    let root = host.shadow_root().unwrap();
    assert!(root.query_selector("style").unwrap().is_none());
    assert_eq!(root.adopted_style_sheets().length(), 1);
    wait_for("the cards", || q(&host, ".sw-card").is_some()).await;
    // Host CSS does not reach inside: a document rule on .sw-card changes nothing.
    let s = doc.create_element("style").unwrap();
    s.set_text_content(Some(".sw-card { display: none !important; }"));
    doc.head().unwrap().append_child(&s).unwrap();
    let card = q(&host, ".sw-card").unwrap();
    let display = web_sys::window()
        .unwrap()
        .get_computed_style(&card)
        .unwrap()
        .unwrap()
        .get_property_value("display")
        .unwrap();
    assert_eq!(display, "flex");
    s.remove();
    handle.unmount();
}

#[wasm_bindgen_test]
async fn theme_sets_custom_properties_without_a_style_attribute() {
    let stub = packages_stub();
    let host = host();
    let theme = json(r##"{"accent":"#0a7d55","--sw-radius":"2px","color":"red"}"##);
    let mut handle = screening_widget::mount(&host, config(&stub, &[("theme", theme)])).unwrap();
    let root = q(&host, ".sw-root").unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&root)
        .unwrap()
        .unwrap();
    assert_eq!(
        style.get_property_value("--sw-accent").unwrap().trim(),
        "#0a7d55"
    );
    assert_eq!(
        style.get_property_value("--sw-radius").unwrap().trim(),
        "2px"
    );
    // `color` became `--sw-color`, never a real property of the host or the root.
    assert_eq!(
        style.get_property_value("--sw-color").unwrap().trim(),
        "red"
    );
    assert!(
        host.get_attribute("style").is_none(),
        "the host element is not restyled"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn events_go_to_the_host_and_the_callback_and_a_first_session_is_fetched() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, PACKAGES.into())],
    );
    stub.route(
        "POST",
        "/session",
        vec![Reply::Json(
            201,
            r#"{"token":"first","expires_at":"2026-11-22T04:00:00Z","expires_in":900}"#.into(),
        )],
    );
    let host = host();
    let seen: Rc<RefCell<Vec<String>>> = Default::default();
    let s2 = seen.clone();
    let cb = Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
        s2.borrow_mut().push(e.type_());
    });
    let events = record_events(&host);
    let cfg = config(
        &stub,
        &[
            ("sessionUrl", "https://ats.test/session".into()),
            ("onEvent", cb.as_ref().clone()),
        ],
    );
    Reflect::delete_property(cfg.unchecked_ref::<js_sys::Object>(), &"token".into()).unwrap();
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    wait_for("loaded", || !seen.borrow().is_empty()).await;

    assert_eq!(*seen.borrow(), ["screening:loaded"]);
    assert_eq!(events.borrow()[0].0, "screening:loaded");
    assert_eq!(
        events.borrow()[0].1,
        r#"{"mode":"order","packages":3,"addOns":2}"#
    );
    let session = stub.calls_to("POST", "/session");
    assert_eq!(session.len(), 1);
    assert_eq!(session[0].url, "https://ats.test/session");
    // The widget asks for what its mode needs and nothing more.
    assert_eq!(
        session[0].body.as_deref(),
        Some(r#"{"capabilities":["order"]}"#)
    );
    let get = &stub.calls_to("GET", "/widget/packages")[0];
    assert_eq!(get.header("Authorization").as_deref(), Some("Bearer first"));
    // The first session is not a refresh.
    assert!(!events
        .borrow()
        .iter()
        .any(|(t, _)| t == "screening:token-refreshed"));
    handle.unmount();
    handle.unmount(); // idempotent
}

#[wasm_bindgen_test]
async fn the_same_element_can_be_mounted_again() {
    let stub = packages_stub();
    let host = host();
    let mut first = screening_widget::mount(&host, config(&stub, &[])).unwrap();
    wait_for("cards", || qa(&host, ".sw-card").len() == 5).await;
    first.unmount();
    assert!(q(&host, ".sw-root").is_none());
    let mut second = screening_widget::mount(&host, config(&stub, &[])).unwrap();
    wait_for("cards again", || qa(&host, ".sw-card").len() == 5).await;
    assert_eq!(qa(&host, ".sw-root").len(), 1);
    second.unmount();
}

#[wasm_bindgen_test]
async fn server_field_errors_show_next_to_their_fields() {
    let stub = packages_stub();
    let body = r#"{"error_message":"Invalid order: applicant.email: Yardstik refused this address.","code":"validation",
      "field_errors":[{"field":"applicant.email","message":"Yardstik refused this address."}],"extra":null}"#;
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::Json(422, body.into())],
    );
    let host = host();
    let applicant = json(
        r#"{"first_name":"John","last_name":"Doe","email":"john.doe@example.com","phone":"888-555-1234",
        "address":"123 Main St.","city":"Springfield","state":"IL","zip":12345}"#,
    );
    let mut handle =
        screening_widget::mount(&host, config(&stub, &[("applicant", applicant)])).unwrap();
    wait_for("cards", || q(&host, "#sw-pkg-PKG001").is_some()).await;
    // A numeric ZIP in the host's object is read as text.
    assert_eq!(
        q(&host, "#sw-f-zip")
            .unwrap()
            .unchecked_into::<web_sys::HtmlInputElement>()
            .value(),
        "12345"
    );
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the server's field error", || {
        q(&host, "#sw-err-email").is_some()
    })
    .await;
    assert_eq!(
        text(&host, "#sw-err-email"),
        "Yardstik refused this address."
    );
    assert_eq!(
        q(&host, "#sw-f-email")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("true")
    );
    // Editing the field clears the server's message.
    type_into(&host, "#sw-f-email", "john@example.org");
    wait_for("cleared", || q(&host, "#sw-err-email").is_none()).await;
    handle.unmount();
}
