#![cfg(target_arch = "wasm32")]
//! Report, disclosures and apply modes in the states that used to go wrong: two widgets on
//! one page, a page that never says it loaded, token renewal (apply mode, a token without a
//! `sessionUrl`), closing full screen, and a phone-sized container.

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

fn report_token(tok: &str) -> Reply {
    Reply::Json(
        200,
        format!(r#"{{"token":"{tok}","domain":"{DOMAIN}","report_id":"rep-42"}}"#),
    )
}

fn disclosures_token(tok: &str) -> Reply {
    Reply::Json(
        200,
        format!(r#"{{"token":"{tok}","domain":"{DOMAIN}","account_id":"acct-7"}}"#),
    )
}

fn msg(name: &str) -> JsValue {
    JsValue::from_str(&format!(r#"{{"name":"yardstik:{name}"}}"#))
}

fn src(host: &Element) -> String {
    q(host, "iframe")
        .and_then(|f| f.get_attribute("src"))
        .unwrap_or_default()
}

fn loading(host: &Element) -> bool {
    q(host, ".sw-frame-overlay").is_some()
}

fn mount(stub: &Stub, pairs: &[(&str, JsValue)]) -> (Element, screening_widget::WidgetHandle) {
    let host = host();
    let handle = screening_widget::mount(&host, config(stub, pairs)).unwrap();
    (host, handle)
}

fn count(events: &std::cell::RefCell<Vec<(String, String)>>, name: &str) -> usize {
    events.borrow().iter().filter(|(t, _)| t == name).count()
}

#[wasm_bindgen_test]
async fn two_widgets_on_one_page_act_only_on_their_own_iframes_messages() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/report",
        vec![report_token("r-1"), report_token("r-2")],
    );
    stub.route(
        "POST",
        "/widget/tokens/disclosures",
        vec![disclosures_token("d-1"), disclosures_token("d-2")],
    );
    let (report, mut h1) = mount(
        &stub,
        &[
            ("mode", "report".into()),
            ("backgroundCheckId", "bc-1".into()),
        ],
    );
    let (disclosures, mut h2) = mount(&stub, &[("mode", "disclosures".into())]);
    let report_events = record_events(&report);
    let disclosures_events = record_events(&disclosures);
    wait_for("both iframes", || {
        q(&report, "iframe").is_some() && q(&disclosures, "iframe").is_some()
    })
    .await;

    // The disclosures iframe's `loaded` shows the disclosures, not the report.
    post_message(&disclosures, DOMAIN, &msg("loaded"));
    wait_for("disclosures loaded", || !loading(&disclosures)).await;
    tick().await;
    assert!(loading(&report), "the report is still loading");
    assert_eq!(count(&report_events, "screening:iframe-loaded"), 0);

    // The disclosures iframe's token expiry renews the disclosures only.
    post_message(&disclosures, DOMAIN, &msg("tokenExpiration"));
    wait_for("new disclosures token", || {
        src(&disclosures).ends_with("jwt=d-2")
    })
    .await;
    tick().await;
    assert_eq!(stub.calls_to("POST", "/widget/tokens/report").len(), 1);
    assert!(src(&report).ends_with("jwt=r-1"));
    assert_eq!(count(&report_events, "screening:token-refreshed"), 0);
    assert_eq!(count(&disclosures_events, "screening:token-refreshed"), 1);

    // A message with the right origin but from no iframe of ours (another window).
    post_message_from(None, DOMAIN, &msg("loaded"));
    tick().await;
    assert!(loading(&report));
    h1.unmount();
    h2.unmount();
}

#[wasm_bindgen_test]
async fn apply_mode_ignores_another_frames_form_submitted() {
    let stub = Stub::new();
    stub.route("POST", "/widget/tokens/report", vec![report_token("r-1")]);
    stub.route(
        "GET",
        "/widget/orders/bc-7/apply",
        vec![Reply::Json(
            200,
            format!(
                r#"{{"apply_url":"{DOMAIN}/apply/inv-1","domain":"{DOMAIN}","background_check_id":"bc-7","steps":[
                {{"package_id":"PKG002","add_on":false,"apply_url":"{DOMAIN}/apply/inv-1"}},
                {{"package_id":"DRG01","add_on":true,"apply_url":"{DOMAIN}/apply/inv-2"}}]}}"#
            ),
        )],
    );
    let (report, mut h1) = mount(
        &stub,
        &[
            ("mode", "report".into()),
            ("backgroundCheckId", "bc-1".into()),
        ],
    );
    let (apply, mut h2) = mount(
        &stub,
        &[
            ("mode", "apply".into()),
            ("backgroundCheckId", "bc-7".into()),
        ],
    );
    let events = record_events(&apply);
    wait_for("both iframes", || {
        q(&report, "iframe").is_some() && q(&apply, "iframe").is_some()
    })
    .await;
    post_message(&report, DOMAIN, &msg("form_submitted"));
    tick().await;
    tick().await;
    assert!(src(&apply).ends_with("/apply/inv-1"), "no form skipped");
    assert_eq!(count(&events, "screening:form-submitted"), 0);
    post_message(&apply, DOMAIN, &msg("form_submitted"));
    wait_for("the second form", || src(&apply).ends_with("/apply/inv-2")).await;
    h1.unmount();
    h2.unmount();
}

#[wasm_bindgen_test]
async fn a_page_that_never_says_loaded_is_offered_in_a_new_tab() {
    let stub = Stub::new();
    stub.route("POST", "/widget/tokens/report", vec![report_token("r-1")]);
    let (host, mut handle) = mount(
        &stub,
        &[
            ("mode", "report".into()),
            ("backgroundCheckId", "bc-1".into()),
            ("loadTimeout", 100.into()),
        ],
    );
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    assert!(q(&host, ".sw-slow").is_none(), "not before the timeout");
    wait_for("the fallback link", || q(&host, ".sw-slow a").is_some()).await;
    let link = q(&host, ".sw-slow a").unwrap();
    assert_eq!(link.get_attribute("href"), Some(src(&host)));
    assert_eq!(link.get_attribute("target").as_deref(), Some("_blank"));
    assert!(link
        .get_attribute("rel")
        .unwrap_or_default()
        .contains("noreferrer"));
    assert!(text(&host, ".sw-slow").contains("taking long"));
    assert!(text(&host, "[role=status]").contains("new tab"));
    // It loads after all: the fallback goes.
    post_message(&host, DOMAIN, &msg("loaded"));
    wait_for("loaded", || !loading(&host)).await;
    assert!(q(&host, ".sw-slow").is_none());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn apply_mode_renews_its_link_on_token_expiration() {
    let stub = Stub::new();
    let link = |q: &str, steps: &[&str]| {
        let steps: Vec<String> = steps
            .iter()
            .map(|s| {
                format!(
                    r#"{{"package_id":"P","add_on":false,"apply_url":"{DOMAIN}/apply/{s}?{q}"}}"#
                )
            })
            .collect();
        Reply::Json(
            200,
            format!(
                r#"{{"apply_url":"{DOMAIN}/apply/x","domain":"{DOMAIN}","background_check_id":"bc-7","steps":[{}]}}"#,
                steps.join(",")
            ),
        )
    };
    stub.route(
        "GET",
        "/widget/orders/bc-7/apply",
        vec![link("t=1", &["inv-1", "inv-2"]), link("t=2", &["inv-2"])],
    );
    let (host, mut handle) = mount(
        &stub,
        &[
            ("mode", "apply".into()),
            ("backgroundCheckId", "bc-7".into()),
        ],
    );
    let events = record_events(&host);
    wait_for("the first form", || src(&host).ends_with("inv-1?t=1")).await;
    post_message(&host, DOMAIN, &msg("form_submitted"));
    wait_for("the second form", || src(&host).ends_with("inv-2?t=1")).await;
    post_message(&host, DOMAIN, &msg("tokenExpiration"));
    wait_for("the renewed link", || src(&host).ends_with("inv-2?t=2")).await;
    assert_eq!(stub.calls_to("GET", "/widget/orders/bc-7/apply").len(), 2);
    assert_eq!(text(&host, ".sw-step"), "Form 2 of 2", "the count goes on");
    assert_eq!(count(&events, "screening:token-refreshed"), 1);
    post_message(&host, DOMAIN, &msg("form_submitted"));
    wait_for("next steps", || q(&host, ".sw-next").is_some()).await;
    handle.unmount();
}

const EXPIRED: &str = r#"{"error_message":"The session has expired.","code":"session_expired"}"#;

#[wasm_bindgen_test]
async fn with_only_a_token_an_expired_session_asks_the_host_for_a_new_one() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/report",
        vec![
            report_token("r-1"),
            Reply::Json(401, EXPIRED.into()),
            report_token("r-2"),
        ],
    );
    let (host, mut handle) = mount(
        &stub,
        &[
            ("mode", "report".into()),
            ("backgroundCheckId", "bc-1".into()),
        ],
    );
    let events = record_events(&host);
    wait_for("the iframe", || src(&host).ends_with("jwt=r-1")).await;
    post_message(&host, DOMAIN, &msg("tokenExpiration"));
    wait_for("screening:session-expired", || {
        count(&events, "screening:session-expired") == 1
    })
    .await;
    assert!(q(&host, ".sw-panel.is-error").is_none(), "no error panel");
    handle.set_token("sess-2".into());
    wait_for("the renewed report", || src(&host).ends_with("jwt=r-2")).await;
    let calls = stub.calls_to("POST", "/widget/tokens/report");
    assert_eq!(calls.len(), 3);
    assert_eq!(
        calls[2].header("Authorization").as_deref(),
        Some("Bearer sess-2")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn with_only_a_token_and_no_new_one_the_message_says_so() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/report",
        vec![report_token("r-1"), Reply::Json(401, EXPIRED.into())],
    );
    let (host, mut handle) = mount(
        &stub,
        &[
            ("mode", "report".into()),
            ("backgroundCheckId", "bc-1".into()),
            ("requestTimeout", 150.into()),
        ],
    );
    wait_for("the iframe", || src(&host).ends_with("jwt=r-1")).await;
    post_message(&host, DOMAIN, &msg("tokenExpiration"));
    wait_for("the message", || q(&host, ".sw-panel.is-error").is_some()).await;
    assert!(
        text(&host, ".sw-notice-message").contains("gave the widget no new one"),
        "{}",
        text(&host, ".sw-notice-message")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn escape_and_the_close_button_close_full_screen() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/disclosures",
        vec![disclosures_token("d-1")],
    );
    let (host, mut handle) = mount(
        &stub,
        &[("mode", "disclosures".into()), ("fullScreen", true.into())],
    );
    let events = record_events(&host);
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    assert!(
        q(&host, "button.sw-close").is_some(),
        "a visible close button"
    );
    key_down_on_window("Escape");
    wait_for("closed", || q(&host, "iframe").is_none()).await;
    assert_eq!(count(&events, "screening:closed"), 1);
    wait_for("focus on reopen", || {
        focused(&host).is_some_and(|f| f.class_list().contains("sw-reopen"))
    })
    .await;
    click(&host, ".sw-reopen");
    wait_for("open again", || q(&host, "iframe").is_some()).await;
    click(&host, "button.sw-close");
    wait_for("closed by the button", || q(&host, "iframe").is_none()).await;
    assert_eq!(count(&events, "screening:closed"), 2);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn report_and_apply_frames_fit_a_375px_container() {
    let stub = Stub::new();
    stub.route("POST", "/widget/tokens/report", vec![report_token("r-1")]);
    stub.route(
        "GET",
        "/widget/orders/bc-7/apply",
        vec![Reply::Json(
            200,
            format!(
                r#"{{"apply_url":"{DOMAIN}/apply/inv-1","domain":"{DOMAIN}","background_check_id":"bc-7"}}"#
            ),
        )],
    );
    let window = web_sys::window().unwrap();
    let viewport = window.inner_height().unwrap().as_f64().unwrap();
    for (mode, height) in [("report", "600"), ("apply", "2000")] {
        let (host, mut handle) = mount(
            &stub,
            &[
                ("mode", mode.into()),
                ("backgroundCheckId", "bc-7".into()),
                ("height", height.into()),
            ],
        );
        host.unchecked_ref::<web_sys::HtmlElement>()
            .set_attribute("style", "display:block;width:375px")
            .unwrap();
        wait_for("the iframe", || q(&host, "iframe").is_some()).await;
        let frame: web_sys::HtmlElement = q(&host, "iframe").unwrap().unchecked_into();
        let (w, h) = (frame.offset_width(), frame.offset_height());
        let outer = host.unchecked_ref::<web_sys::HtmlElement>().offset_width();
        assert_eq!(outer, 375);
        assert!(
            w <= outer,
            "{mode}: iframe {w} px wide in a {outer} px container"
        );
        assert!(w >= 300, "{mode}: the iframe uses the width ({w} px)");
        assert!(
            f64::from(h) <= viewport,
            "{mode}: iframe {h} px tall in a {viewport} px viewport (one scroll only)"
        );
        handle.unmount();
        host.remove();
    }
}
