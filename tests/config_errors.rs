#![cfg(target_arch = "wasm32")]
//! Configs and failures that used to be accepted silently or blamed on the wrong party:
//! strict booleans, a hiring manager without an id, an id the form cannot show, the host's
//! session endpoint failing, a server that refuses this page's origin (CORS); and the
//! contrast of input borders in the light and the dark scheme.

mod common;

use common::*;
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn refused(pairs: &[(&str, JsValue)]) -> String {
    let stub = Stub::new();
    let host = host();
    let err: JsValue = screening_widget::mount(&host, config(&stub, pairs))
        .err()
        .expect("the config is refused")
        .into();
    host.remove();
    Reflect::get(&err, &"message".into())
        .unwrap()
        .as_string()
        .unwrap()
}

#[wasm_bindgen_test]
fn full_screen_must_be_a_boolean() {
    let m = refused(&[
        ("mode", "disclosures".into()),
        ("fullScreen", "false".into()),
    ]);
    assert!(m.contains("fullScreen") && m.contains("boolean"), "{m}");
    let m = refused(&[("mode", "disclosures".into()), ("fullScreen", 1.into())]);
    assert!(m.contains("fullScreen"), "{m}");
    let stub = Stub::new();
    let host = host();
    for ok in [
        JsValue::TRUE,
        JsValue::FALSE,
        JsValue::NULL,
        JsValue::UNDEFINED,
    ] {
        screening_widget::mount(
            &host,
            config(&stub, &[("mode", "disclosures".into()), ("fullScreen", ok)]),
        )
        .expect("a boolean or nothing is accepted")
        .unmount();
    }
}

#[wasm_bindgen_test]
fn a_hiring_manager_needs_an_id() {
    let m = refused(&[(
        "hiringManager",
        json(r#"{"first_name":"Ann","email":"ann@example.com"}"#),
    )]);
    assert!(m.contains("hiringManager") && m.contains("id"), "{m}");
    let m = refused(&[("hiringManager", "ann".into())]);
    assert!(m.contains("hiringManager"), "{m}");
}

#[wasm_bindgen_test]
fn an_order_id_the_form_cannot_show_is_a_config_error() {
    let long = "w-".to_string() + &"x".repeat(200);
    let m = refused(&[("backgroundCheckId", long.as_str().into())]);
    assert!(
        m.contains("backgroundCheckId") && m.contains("at most"),
        "{m}"
    );
    let m = refused(&[("backgroundCheckId", "w-a\u{7}b".into())]);
    assert!(m.contains("backgroundCheckId"), "{m}");
}

#[wasm_bindgen_test]
fn timeouts_must_be_milliseconds() {
    let m = refused(&[("requestTimeout", "soon".into())]);
    assert!(m.contains("requestTimeout"), "{m}");
    let m = refused(&[("loadTimeout", (-5).into())]);
    assert!(m.contains("loadTimeout"), "{m}");
}

#[wasm_bindgen_test]
async fn a_failing_session_endpoint_is_named_with_its_status() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/ats/screening-session",
        vec![Reply::Json(500, "oops".into())],
    );
    let host = host();
    let events = record_events(&host);
    let cfg = config(&stub, &[]);
    Reflect::delete_property(cfg.unchecked_ref::<js_sys::Object>(), &"token".into()).unwrap();
    Reflect::set(
        &cfg,
        &"sessionUrl".into(),
        &"http://ats.test/ats/screening-session".into(),
    )
    .unwrap();
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    wait_for("the error", || q(&host, ".sw-panel.is-error").is_some()).await;
    let m = text(&host, ".sw-notice-message");
    assert!(
        m.contains("session endpoint")
            && m.contains("http://ats.test/ats/screening-session")
            && m.contains("HTTP 500"),
        "{m}"
    );
    assert!(
        !m.contains("screening service"),
        "not blamed on the server: {m}"
    );
    let e = events.borrow()[0].1.clone();
    assert!(
        e.contains(r#""code":"session_endpoint""#),
        "the event says which part failed: {e}"
    );
    assert!(stub.calls_to("GET", "/widget/packages").is_empty());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_cors_refusal_names_the_pages_origin_and_widget_origins() {
    // The request fails like a network error, but the server answers a no-cors probe.
    let stub = Stub::new();
    stub.route("GET", "/widget/packages", vec![Reply::NetworkError]);
    stub.route("GET", "/healthz", vec![Reply::Json(200, "{}".into())]);
    let host = host();
    let mut handle = screening_widget::mount(&host, config(&stub, &[])).unwrap();
    wait_for("the error", || q(&host, ".sw-panel.is-error").is_some()).await;
    let m = text(&host, ".sw-notice-message");
    let origin = web_sys::window().unwrap().location().origin().unwrap();
    assert!(m.contains("widget_origins") && m.contains(&origin), "{m}");
    let probe = &stub.calls_to("GET", "/healthz")[0];
    assert_eq!(probe.url, "http://screening.test/healthz");
    handle.unmount();

    // Server down (the probe fails too): a network error, as before.
    let stub = Stub::new();
    stub.route("GET", "/widget/packages", vec![Reply::NetworkError]);
    let host = common::host();
    let mut handle = screening_widget::mount(&host, config(&stub, &[])).unwrap();
    wait_for("the error", || q(&host, ".sw-panel.is-error").is_some()).await;
    assert!(text(&host, ".sw-notice-message").contains("Could not reach"));
    handle.unmount();
}

/// sRGB relative luminance of `rgb(r, g, b)`.
fn luminance(css: &str) -> f64 {
    let nums: Vec<f64> = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .map(|n| n.trim().parse::<f64>().unwrap() / 255.0)
        .collect();
    let lin = |c: f64| {
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(nums[0]) + 0.7152 * lin(nums[1]) + 0.0722 * lin(nums[2])
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

#[wasm_bindgen_test]
async fn input_borders_have_3_to_1_contrast_against_their_background() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, PACKAGES.into())],
    );
    let host = host();
    let mut handle = screening_widget::mount(&host, config(&stub, &[])).unwrap();
    wait_for("the form", || q(&host, "#sw-f-email").is_some()).await;
    let input = q(&host, "#sw-f-email").unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&input)
        .unwrap()
        .unwrap();
    let border = style.get_property_value("border-top-color").unwrap();
    let background = style.get_property_value("background-color").unwrap();
    let ratio = contrast(&border, &background);
    assert!(
        ratio >= 3.0,
        "input border {border} on {background}: {ratio:.2}:1 (WCAG 1.4.11 needs 3:1)"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
fn the_dark_scheme_keeps_text_and_input_borders_readable() {
    // The dark scheme's custom properties, read from the stylesheet itself (a headless test
    // cannot switch the page's color scheme).
    let css = screening_widget::style::CSS;
    let at = css
        .find("@media (prefers-color-scheme:dark)")
        .expect("a dark scheme");
    let block = &css[at..css[at..].find("}}").unwrap() + at];
    let value = |name: &str| -> String {
        let i = block
            .find(&format!("{name}:"))
            .unwrap_or_else(|| panic!("{name}"))
            + name.len()
            + 1;
        let hex = &block[i + 1..i + 7];
        let n = |k: usize| u8::from_str_radix(&hex[k..k + 2], 16).unwrap();
        format!("rgb({}, {}, {})", n(0), n(2), n(4))
    };
    let surface = value("--sw-surface");
    assert!(contrast(&value("--sw-input-border"), &surface) >= 3.0);
    assert!(contrast(&value("--sw-text"), &surface) >= 4.5);
    assert!(contrast(&value("--sw-muted"), &surface) >= 4.5);
    assert!(contrast(&value("--sw-text"), &value("--sw-bg")) >= 4.5);
    assert!(contrast(&value("--sw-accent-text"), &value("--sw-accent")) >= 4.5);
}
