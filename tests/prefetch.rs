#![cfg(target_arch = "wasm32")]
//! The loader's early requests (`_prefetch` on the config, made by `js/screening_widget.js`
//! while a build downloads): the widget uses their answers instead of asking again, gives a
//! failed answer the same error as its own request would, and sends its own request when
//! the early one failed before any answer or was another request.

mod common;

use common::*;
use js_sys::{Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(module = "/js/screening_widget.js")]
extern "C" {
    /// The loader's early requests for a config, as its `mount` starts them.
    #[wasm_bindgen(js_name = _prefetch)]
    fn loader_prefetch(config: &JsValue) -> JsValue;
}

const SESSION: &str = r#"{"token":"sess-9","expires_at":"2026-11-22T04:00:00Z","expires_in":900}"#;

/// An order-mode config with a session URL and no token, as a host's page gives it.
fn session_config(stub: &Stub) -> JsValue {
    let cfg = config(
        stub,
        &[("sessionUrl", "http://ats.test/ats/screening-session".into())],
    );
    Reflect::delete_property(cfg.unchecked_ref::<Object>(), &"token".into()).unwrap();
    cfg
}

/// `cfg` with the loader's early requests attached the way its `mount` does.
fn with_prefetch(cfg: &JsValue, prefetch: &JsValue) {
    let desc = Object::new();
    Reflect::set(&desc, &"value".into(), prefetch).unwrap();
    Object::define_property(cfg.unchecked_ref::<Object>(), &"_prefetch".into(), &desc);
}

async fn cards(host: &web_sys::Element) {
    wait_for("the package cards", || {
        qa(host, "input[name=sw-package]").len() == 3
    })
    .await;
}

#[wasm_bindgen_test]
async fn the_loaders_session_and_package_list_are_used_without_asking_again() {
    let stub = session_and_packages(1);
    let cfg = session_config(&stub);
    let early = loader_prefetch(&cfg);
    assert!(
        early.is_object(),
        "the loader starts early requests for this config"
    );
    // Both early requests go out before the widget exists.
    wait_for("the early requests", || stub.calls.borrow().len() == 2).await;
    with_prefetch(&cfg, &early);
    let host = host();
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    cards(&host).await;
    sleep_ms(50).await;
    let posts = stub.calls_to("POST", "/ats/screening-session");
    let gets = stub.calls_to("GET", "/widget/packages");
    assert_eq!((posts.len(), gets.len()), (1, 1), "no second request");
    assert_eq!(
        posts[0].body.as_deref(),
        Some(r#"{"capabilities":["order"]}"#)
    );
    assert_eq!(gets[0].url, "http://screening.test/widget/packages");
    assert_eq!(
        gets[0].header("Authorization").as_deref(),
        Some("Bearer sess-9")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_session_prefetch_that_failed_before_any_answer_is_sent_again() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/ats/screening-session",
        vec![Reply::NetworkError, Reply::Json(200, SESSION.into())],
    );
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, PACKAGES.into())],
    );
    let cfg = session_config(&stub);
    let early = loader_prefetch(&cfg);
    with_prefetch(&cfg, &early);
    let host = host();
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    cards(&host).await;
    assert_eq!(stub.calls_to("POST", "/ats/screening-session").len(), 2);
    let gets = stub.calls_to("GET", "/widget/packages");
    assert_eq!(gets.len(), 1, "the package list by the widget itself");
    assert_eq!(
        gets[0].header("Authorization").as_deref(),
        Some("Bearer sess-9")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_failing_session_prefetch_shows_the_session_endpoints_error() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/ats/screening-session",
        vec![Reply::Json(500, "oops".into())],
    );
    let cfg = session_config(&stub);
    let early = loader_prefetch(&cfg);
    with_prefetch(&cfg, &early);
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    wait_for("the error", || q(&host, ".sw-panel.is-error").is_some()).await;
    let m = text(&host, ".sw-notice-message");
    assert!(
        m.contains("session endpoint")
            && m.contains("http://ats.test/ats/screening-session")
            && m.contains("HTTP 500"),
        "{m}"
    );
    let e = events.borrow()[0].1.clone();
    assert!(e.contains(r#""code":"session_endpoint""#), "{e}");
    assert_eq!(stub.calls_to("POST", "/ats/screening-session").len(), 1);
    assert!(stub.calls_to("GET", "/widget/packages").is_empty());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn an_expired_prefetched_package_list_renews_the_session() {
    let expired = r#"{"error_message":"Session expired","code":"session_expired"}"#;
    let stub = Stub::new();
    stub.route(
        "POST",
        "/ats/screening-session",
        vec![
            Reply::Json(200, SESSION.into()),
            Reply::Json(200, SESSION.replace("sess-9", "sess-10")),
        ],
    );
    stub.route(
        "GET",
        "/widget/packages",
        vec![
            Reply::Json(401, expired.into()),
            Reply::Json(200, PACKAGES.into()),
        ],
    );
    let cfg = session_config(&stub);
    let early = loader_prefetch(&cfg);
    with_prefetch(&cfg, &early);
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    cards(&host).await;
    let gets = stub.calls_to("GET", "/widget/packages");
    assert_eq!(gets.len(), 2);
    assert_eq!(
        gets[1].header("Authorization").as_deref(),
        Some("Bearer sess-10")
    );
    assert_eq!(stub.calls_to("POST", "/ats/screening-session").len(), 2);
    assert!(events
        .borrow()
        .iter()
        .any(|(t, d)| t == "screening:token-refreshed" && d.contains(r#""kind":"session""#)));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_prefetch_of_another_request_is_not_used() {
    let stub = session_and_packages(1);
    let cfg = session_config(&stub);
    // An answer for another session body (e.g. the config changed after the loader started).
    let other = Object::new();
    let answer = js_sys::JSON::parse(
        r#"{"key":"[\"POST\",\"http://ats.test/ats/screening-session\",[],\"{}\"]","status":200,
            "text":"{\"token\":\"stale\"}"}"#,
    )
    .unwrap();
    Reflect::set(&other, &"session".into(), &Promise::resolve(&answer)).unwrap();
    with_prefetch(&cfg, &other.into());
    let host = host();
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    cards(&host).await;
    assert_eq!(stub.calls_to("POST", "/ats/screening-session").len(), 1);
    let gets = stub.calls_to("GET", "/widget/packages");
    assert_eq!(
        gets[0].header("Authorization").as_deref(),
        Some("Bearer sess-9")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_hanging_session_prefetch_times_out_like_the_widgets_own_request() {
    let stub = Stub::new();
    stub.route("POST", "/ats/screening-session", vec![Reply::Hang]);
    let cfg = session_config(&stub);
    Reflect::set(&cfg, &"requestTimeout".into(), &300.into()).unwrap();
    let early = loader_prefetch(&cfg);
    with_prefetch(&cfg, &early);
    let host = host();
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    wait_for("the error", || q(&host, ".sw-panel.is-error").is_some()).await;
    let m = text(&host, ".sw-notice-message");
    assert!(m.contains("did not answer in time"), "{m}");
    assert_eq!(
        stub.calls_to("POST", "/ats/screening-session").len(),
        1,
        "not sent again"
    );
    handle.unmount();
}

/// A stub answering the session and the package list `times` times each.
fn session_and_packages(times: usize) -> Stub {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/ats/screening-session",
        vec![Reply::Json(200, SESSION.into()); times],
    );
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, PACKAGES.into()); times],
    );
    stub
}

/// Until the loader's early session and package answers have both come.
async fn early_answers_settled(early: &JsValue) {
    let settled = Reflect::get(early, &"settled".into()).unwrap();
    let has = |k: &str| Reflect::get(&settled, &k.into()).unwrap().is_object();
    wait_for("the early answers", || has("session") && has("packages")).await;
}

/// A promise that never settles: the widget must not need it.
fn never() -> JsValue {
    Promise::new(&mut |_, _| {}).into()
}

#[wasm_bindgen_test]
async fn answers_already_there_at_the_mount_are_rendered_in_the_first_render() {
    let stub = session_and_packages(1);
    let cfg = session_config(&stub);
    let early = loader_prefetch(&cfg);
    early_answers_settled(&early).await;
    // The promises stand for answers still on their way: only `settled` can give the list.
    Reflect::set(&early, &"session".into(), &never()).unwrap();
    Reflect::set(&early, &"packages".into(), &never()).unwrap();
    with_prefetch(&cfg, &early);
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    yew::scheduler::flush().await;
    assert_eq!(
        qa(&host, "input[name=sw-package]").len(),
        3,
        "the list in the first render"
    );
    assert!(q(&host, ".sw-skeleton").is_none(), "no loading state");
    wait_for("screening:loaded", || {
        events.borrow().iter().any(|(t, _)| t == "screening:loaded")
    })
    .await;
    assert_eq!(stub.calls.borrow().len(), 2, "only the early requests");
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_settled_answer_for_another_session_is_not_used() {
    let stub = session_and_packages(2);
    let cfg = session_config(&stub);
    let early = loader_prefetch(&cfg);
    early_answers_settled(&early).await;
    // The widget is mounted with other session headers than the early request had.
    let headers = Object::new();
    Reflect::set(&headers, &"X-CSRF".into(), &"t1".into()).unwrap();
    Reflect::set(&cfg, &"sessionHeaders".into(), &headers).unwrap();
    with_prefetch(&cfg, &early);
    let host = host();
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    cards(&host).await;
    let posts = stub.calls_to("POST", "/ats/screening-session");
    assert_eq!(posts.len(), 2, "the widget asked for its own session");
    assert_eq!(posts[1].header("X-CSRF").as_deref(), Some("t1"));
    handle.unmount();
}
