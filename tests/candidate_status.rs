//! Apply mode's candidate view: each ordered package's stage and what is needed, shown after
//! the last form or on its own when no intake is open; refreshed every 12 s while something
//! may change (longer after failures), stopped once everything is final or on unmount.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NO_INTAKE: &str = r#"{"error_message":"This order has no open Yardstik intake link (none yet: retry in a moment; or every form is submitted).","code":"conflict"}"#;

fn progress(stages: [&str; 2]) -> String {
    format!(
        r#"{{"background_check_id":"bc-9","packages":[
        {{"package_id":"PKG002","name":"Standard Package","add_on":false,"stage":"{}"}},
        {{"package_id":"DRG01","name":"Basic Drug Screening <i>x</i>","add_on":true,"stage":"{}"}}]}}"#,
        stages[0], stages[1]
    )
}

fn mount_apply(stub: &Stub, host: &web_sys::Element) -> screening_widget::WidgetHandle {
    screening_widget::mount(
        host,
        config(
            stub,
            &[
                ("mode", "apply".into()),
                ("backgroundCheckId", "bc-9".into()),
            ],
        ),
    )
    .unwrap()
}

fn items(host: &web_sys::Element) -> Vec<web_sys::Element> {
    qa(host, ".sw-cand-item")
}

#[wasm_bindgen_test]
async fn with_nothing_left_to_fill_each_package_says_where_it_is_and_what_is_needed() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc-9/apply",
        vec![Reply::Json(409, NO_INTAKE.into())],
    )
    .route(
        "GET",
        "/widget/orders/bc-9/progress",
        vec![Reply::Json(200, progress(["info_requested", "expired"]))],
    );
    let host = host();
    let events = record_events(&host);
    let mut handle = mount_apply(&stub, &host);
    wait_for("the packages", || items(&host).len() == 2).await;
    assert_eq!(text(&host, "h2#sw-cand-h"), "Your background check");
    let it = items(&host);
    assert_eq!(
        it[0].get_attribute("data-stage").as_deref(),
        Some("info_requested")
    );
    let first = it[0].text_content().unwrap();
    assert!(first.contains("Standard Package"), "{first}");
    assert!(first.contains("Needs your information"), "{first}");
    assert!(first.contains("contacted you by email"), "{first}");
    assert!(it[0].class_name().contains("is-attention"));
    let second = it[1].text_content().unwrap();
    assert!(second.contains("Basic Drug Screening <i>x</i>"), "{second}");
    assert!(qa(&host, ".sw-cand-item i").is_empty(), "names are text");
    assert!(second.contains("Invitation expired"), "{second}");
    assert!(second.contains("Ask the employer"), "{second}");
    // A heading per package, in a list.
    assert_eq!(qa(&host, "ul.sw-cand-list > li h3").len(), 2);
    assert!(q(&host, "iframe").is_none());
    assert!(
        q(&host, ".is-error").is_none(),
        "no intake open is not an error"
    );
    assert!(
        !events.borrow().iter().any(|(t, _)| t == "screening:error"),
        "{:?}",
        events.borrow()
    );
    assert!(q(&host, "#sw-open-0").is_none(), "no report before done");
    handle.unmount();
}

#[wasm_bindgen_test]
async fn refreshes_every_12_s_backs_off_after_a_failure_and_stops_when_all_is_final() {
    let timers = LongTimers::install();
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc-9/apply",
        vec![Reply::Json(409, NO_INTAKE.into())],
    )
    .route(
        "GET",
        "/widget/orders/bc-9/progress",
        vec![
            Reply::Json(200, progress(["in_progress", "form_submitted"])),
            Reply::Json(503, r#"{"error_message":"busy"}"#.into()),
            Reply::Json(502, r#"{"error_message":"Yardstik refused"}"#.into()),
            Reply::Json(200, progress(["done", "canceled"])),
        ],
    );
    let host = host();
    let mut handle = mount_apply(&stub, &host);
    let calls = || stub.calls_to("GET", "/widget/orders/bc-9/progress").len();
    wait_for("the packages", || items(&host).len() == 2).await;
    assert!(text(&host, ".sw-cand-item").contains("In progress"));
    assert!(text(&host, ".sw-hint").contains("updates by itself"));
    wait_for("the next refresh scheduled", || {
        timers.delays().contains(&12_000)
    })
    .await;

    // A failed refresh keeps what was shown, says so, and waits twice as long.
    assert_eq!(timers.fire(12_000), 1);
    wait_for("the second read", || calls() == 2).await;
    wait_for("a longer wait", || timers.delays().contains(&24_000)).await;
    assert!(
        text(&host, ".sw-cand .sw-status").contains("Could not refresh"),
        "{}",
        text(&host, ".sw-cand .sw-status")
    );
    assert_eq!(items(&host).len(), 2, "the last known stages stay");
    assert!(!timers.delays().contains(&12_000));
    assert_eq!(timers.fire(24_000), 1);
    wait_for("the third read", || calls() == 3).await;
    wait_for("a longer wait again", || timers.delays().contains(&48_000)).await;

    // Done: shown, and no more reading.
    assert_eq!(timers.fire(48_000), 1);
    wait_for("done", || q(&host, "#sw-open-0").is_some()).await;
    assert_eq!(calls(), 4);
    assert_eq!(
        text(&host, ".sw-cand .sw-status"),
        "",
        "the failure message is gone"
    );
    assert!(text(&host, "#sw-open-0").contains("View your report"));
    assert!(items(&host)[1].text_content().unwrap().contains("Canceled"));
    assert!(q(&host, ".sw-hint").is_none());
    for _ in 0..5 {
        tick().await;
    }
    assert!(
        !timers
            .delays()
            .iter()
            .any(|d| [12_000, 24_000, 48_000, 96_000].contains(d)),
        "nothing scheduled: {:?}",
        timers.delays()
    );
    assert_eq!(calls(), 4);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn refreshing_stops_when_the_widget_is_unmounted() {
    let timers = LongTimers::install();
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc-9/apply",
        vec![Reply::Json(409, NO_INTAKE.into())],
    )
    .route(
        "GET",
        "/widget/orders/bc-9/progress",
        vec![Reply::Json(200, progress(["in_progress", "invited"]))],
    );
    let host = host();
    let mut handle = mount_apply(&stub, &host);
    wait_for("the next refresh scheduled", || {
        timers.delays().contains(&12_000)
    })
    .await;
    assert_eq!(stub.calls_to("GET", "/progress").len(), 1);
    handle.unmount();
    assert_eq!(timers.fire(12_000), 1);
    for _ in 0..5 {
        tick().await;
    }
    assert_eq!(
        stub.calls_to("GET", "/progress").len(),
        1,
        "nothing read after unmount"
    );
    assert!(timers.delays().is_empty(), "{:?}", timers.delays());
}

#[wasm_bindgen_test]
async fn after_the_last_form_the_status_follows_the_thank_you_panel() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc-9/apply",
        vec![Reply::Json(
            200,
            format!(
                r#"{{"apply_url":"{DOMAIN}/apply/inv-1","domain":"{DOMAIN}","background_check_id":"bc-9"}}"#
            ),
        )],
    )
    .route(
        "GET",
        "/widget/orders/bc-9/progress",
        // The server has not heard of the submitted form yet: still `invited`.
        vec![Reply::Json(200, progress(["invited", "invited"]))],
    );
    let host = host();
    let mut handle = mount_apply(&stub, &host);
    wait_for("the intake", || q(&host, "iframe").is_some()).await;
    assert!(stub.calls_to("GET", "/progress").is_empty());
    post_message(
        &host,
        DOMAIN,
        &JsValue::from_str(r#"{"name":"yardstik:form_submitted"}"#),
    );
    wait_for("the status", || items(&host).len() == 2).await;
    assert!(q(&host, ".sw-next").is_some(), "the thank-you panel");
    assert!(q(&host, "iframe").is_none());
    let first = items(&host)[0].text_content().unwrap();
    assert!(first.contains("Form submitted"), "{first}");
    assert!(
        !text(&host, ".sw-cand").contains("Open your form"),
        "the form was just sent here"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_package_still_waiting_for_its_form_opens_the_intake_again() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc-9/apply",
        vec![
            Reply::Json(409, NO_INTAKE.into()),
            Reply::Json(
                200,
                format!(
                    r#"{{"apply_url":"{DOMAIN}/apply/inv-2","domain":"{DOMAIN}","background_check_id":"bc-9"}}"#
                ),
            ),
        ],
    )
    .route(
        "GET",
        "/widget/orders/bc-9/progress",
        vec![Reply::Json(200, progress(["done", "invited"]))],
    );
    let host = host();
    let mut handle = mount_apply(&stub, &host);
    wait_for("the packages", || items(&host).len() == 2).await;
    let second = items(&host)[1].text_content().unwrap();
    assert!(second.contains("Waiting for your form"), "{second}");
    let button = qa(&host, ".sw-cand-item button")
        .into_iter()
        .find(|b| b.text_content().as_deref() == Some("Open your form"))
        .expect("an Open your form button");
    button.unchecked_into::<web_sys::HtmlElement>().click();
    wait_for("the intake", || q(&host, "iframe").is_some()).await;
    assert_eq!(
        q(&host, "iframe").unwrap().get_attribute("src").unwrap(),
        format!("{DOMAIN}/apply/inv-2")
    );
    handle.unmount();
}
