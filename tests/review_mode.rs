#![cfg(target_arch = "wasm32")]
//! Review mode: the report iframe beside the decision panel; proceed, adverse action and
//! cancel, each behind a confirmation; the client-side rules and the server's 422 on the
//! same fields; 409, network errors; the `screening:decision` event; the session request.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

const ID: &str = "bc-7";
const FINAL_AT: &str = "2026-12-09T15:00:00Z";

const SCREENINGS: &str = r#"[
  {"name":"County Criminal Search","status":"consider","violations":[
    {"id":"v1","description":"Petty theft","disposition":"Convicted","date":"2021-03-04","jurisdiction":"Alameda County, CA"},
    {"id":"v2","description":"DUI","disposition":"Convicted","date":"2019-05-06","jurisdiction":"Alameda County, CA"}]},
  {"name":"National Criminal Search","violations":[{"id":"v3","description":"Trespass"}]},
  {"name":"SSN Trace","status":"clear","violations":[]}
]"#;

/// A `Decision`: `status`, then the optional parts as raw JSON members (with a leading comma).
fn decision(status: &str, extra: &str, proceed: bool, start: bool, cancel: bool) -> String {
    format!(
        r#"{{"background_check_id":"{ID}","report_id":"rep-42","report_status":"{status}",
        "screenings":{SCREENINGS},"violations_required":false{extra},
        "can_proceed":{proceed},"can_start_adverse_action":{start},"can_cancel_adverse_action":{cancel}}}"#
    )
}

fn consider() -> Reply {
    Reply::Json(200, decision("consider", "", true, true, false))
}

fn pending() -> Reply {
    Reply::Json(
        200,
        decision(
            "pre_adverse",
            &format!(
                r#","adverse_action":{{"id":"aa-1","status":"pending","violations":["v1","v3"],
                "created_at":"2026-12-02T15:00:00Z","scheduled_final_at":"{FINAL_AT}"}}"#
            ),
            false,
            false,
            true,
        ),
    )
}

fn stub(get: Vec<Reply>) -> Stub {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/report",
        vec![Reply::Json(
            200,
            format!(r#"{{"token":"tok-1","domain":"{DOMAIN}","report_id":"rep-42"}}"#),
        )],
    )
    .route("GET", "/widget/orders/bc-7/decision", get);
    stub
}

fn mount(stub: &Stub, host: &Element) -> screening_widget::WidgetHandle {
    screening_widget::mount(
        host,
        config(
            stub,
            &[("mode", "review".into()), ("backgroundCheckId", ID.into())],
        ),
    )
    .unwrap()
}

async fn ready(host: &Element) {
    wait_for("the decision panel", || {
        q(host, "#sw-proceed").is_some() || q(host, "#sw-cancel-aa").is_some()
    })
    .await;
}

fn attr(host: &Element, sel: &str, name: &str) -> Option<String> {
    q(host, sel).and_then(|e| e.get_attribute(name))
}

fn focused_id(host: &Element) -> String {
    focused(host).map(|e| e.id()).unwrap_or_default()
}

fn decisions(events: &Rc<RefCell<Vec<(String, String)>>>) -> Vec<String> {
    events
        .borrow()
        .iter()
        .filter(|(t, _)| t == "screening:decision")
        .map(|(_, d)| d.clone())
        .collect()
}

fn status(host: &Element) -> String {
    text(host, ".sw-decision [role=status]")
}

#[wasm_bindgen_test]
async fn session_request_asks_for_review_with_the_order() {
    assert!(screening_widget::config::Config::from_js(&config(
        &Stub::new(),
        &[("mode", "review".into())]
    ))
    .unwrap_err()
    .contains("review mode needs `backgroundCheckId`"));

    let stub = stub(vec![consider()]);
    stub.route(
        "POST",
        "/session",
        vec![Reply::Json(
            200,
            r#"{"token":"s-1","expires_at":"2026-12-02T16:00:00Z","expires_in":900}"#.into(),
        )],
    );
    let host = host();
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "review".into()),
                ("backgroundCheckId", ID.into()),
                ("token", JsValue::UNDEFINED),
                ("sessionUrl", "https://ats.test/session".into()),
            ],
        ),
    )
    .unwrap();
    ready(&host).await;
    let session = stub.calls_to("POST", "/session");
    assert_eq!(session.len(), 1, "one session for the iframe and the panel");
    assert_eq!(
        session[0].body.as_deref(),
        Some(r#"{"background_check_id":"bc-7","capabilities":["review"]}"#)
    );
    let get = &stub.calls_to("GET", "/widget/orders/bc-7/decision")[0];
    assert_eq!(get.header("authorization").as_deref(), Some("Bearer s-1"));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn loads_a_decision_and_renders_violations_beside_the_report() {
    let stub = stub(vec![consider()]);
    let host = host();
    let events = record_events(&host);
    let mut handle = mount(&stub, &host);
    ready(&host).await;
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    assert_eq!(
        attr(&host, "iframe", "src").unwrap(),
        format!("{DOMAIN}/embed/report/rep-42?jwt=tok-1")
    );
    assert_eq!(
        stub.calls_to("POST", "/widget/tokens/report")[0]
            .body
            .as_deref(),
        Some(r#"{"background_check_id":"bc-7"}"#)
    );
    assert!(events
        .borrow()
        .iter()
        .any(|(t, d)| t == "screening:loaded" && d.contains(r#""mode":"review""#)));

    // Every violation as a checkbox, grouped by screening (screenings without none left out).
    let boxes = qa(
        &host,
        "#sw-violations input[type=checkbox][name=sw-violation]",
    );
    assert_eq!(boxes.len(), 3);
    assert_eq!(text(&host, "#sw-violations > legend"), "Violations to cite");
    let legends: Vec<String> = qa(&host, ".sw-screening > legend")
        .iter()
        .map(|l| l.text_content().unwrap_or_default())
        .collect();
    assert_eq!(
        legends,
        ["County Criminal Search", "National Criminal Search"]
    );
    let first = text(&host, "label[for=sw-v-0]");
    assert!(first.contains("Petty theft"), "{first}");
    assert!(
        first.contains("Convicted · 2021-03-04 · Alameda County, CA"),
        "{first}"
    );
    assert!(text(&host, "label[for=sw-v-2]").contains("Trespass"));
    assert_eq!(
        text(&host, "label[for=sw-explanation]"),
        "Explanation for the candidate (optional)"
    );
    assert!(attr(&host, "#sw-explanation", "aria-required").is_none());
    assert_eq!(text(&host, "label[for=sw-reason]"), "Custom reason");
    assert_eq!(text(&host, "#sw-proceed"), "Proceed with candidate");
    assert_eq!(text(&host, "#sw-adverse"), "Start pre-adverse action");
    assert!(q(&host, "#sw-cancel-aa").is_none());

    // The preview follows the choice.
    click(&host, "#sw-v-2");
    type_text(&host, "#sw-reason", "Falsified application");
    wait_for("the preview", || {
        text(&host, "#sw-preview").contains("Trespass")
    })
    .await;
    assert!(text(&host, "#sw-preview").contains("Reason: Falsified application"));
    assert!(!text(&host, "#sw-preview").contains("Petty theft"));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn proceed_goes_through_confirmation_then_posts_and_fires_the_event() {
    let stub = stub(vec![consider()]);
    stub.route(
        "POST",
        "/widget/orders/bc-7/decision/proceed",
        vec![Reply::Json(
            200,
            decision("proceed", "", false, false, false),
        )],
    );
    let host = host();
    let events = record_events(&host);
    let seen: Rc<RefCell<Vec<String>>> = Default::default();
    let cb = {
        let seen = seen.clone();
        Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            seen.borrow_mut().push(e.type_())
        })
    };
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "review".into()),
                ("backgroundCheckId", ID.into()),
                ("onEvent", cb.as_ref().clone()),
            ],
        ),
    )
    .unwrap();
    ready(&host).await;

    // The first click only asks: the consequence, focus on the confirm button.
    click(&host, "#sw-proceed");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    assert!(text(&host, "#sw-confirm-text").contains("the ATS receives Pass"));
    assert_eq!(focused_id(&host), "sw-confirm-yes");
    assert!(stub
        .calls_to("POST", "/widget/orders/bc-7/decision/proceed")
        .is_empty());

    // Escape goes back, focus on the button that asked.
    key_down(&host, "#sw-confirm-yes", "Escape");
    wait_for("the buttons again", || q(&host, "#sw-proceed").is_some()).await;
    assert!(q(&host, "#sw-confirm-yes").is_none());
    assert_eq!(focused_id(&host), "sw-proceed");

    // Back does the same.
    click(&host, "#sw-proceed");
    wait_for("the confirmation", || {
        q(&host, "#sw-confirm-back").is_some()
    })
    .await;
    click(&host, "#sw-confirm-back");
    wait_for("the buttons again", || q(&host, "#sw-proceed").is_some()).await;
    assert_eq!(focused_id(&host), "sw-proceed");

    click(&host, "#sw-proceed");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    click(&host, "#sw-confirm-yes");
    wait_for("proceeded", || {
        text(&host, ".sw-decision-state") == "Proceeded"
    })
    .await;
    let posts = stub.calls_to("POST", "/widget/orders/bc-7/decision/proceed");
    assert_eq!(posts.len(), 1);
    assert_eq!(posts[0].body, None);
    assert_eq!(
        posts[0].header("authorization").as_deref(),
        Some("Bearer sess-1")
    );
    assert_eq!(
        decisions(&events),
        [r#"{"backgroundCheckId":"bc-7","decision":"proceed","reportStatus":"proceed"}"#]
    );
    assert!(seen.borrow().iter().any(|t| t == "screening:decision"));
    assert_eq!(focused_id(&host), "sw-decision-result");
    assert_eq!(status(&host), "Proceeded.");
    // Decided: nothing more to do.
    assert!(q(&host, "#sw-proceed").is_none() && q(&host, "#sw-adverse").is_none());
    handle.unmount();
    drop(cb);
}

#[wasm_bindgen_test]
async fn adverse_action_with_two_violations_posts_them_and_shows_the_final_date() {
    let stub = stub(vec![consider()]);
    stub.route(
        "POST",
        "/widget/orders/bc-7/decision/adverse-action",
        vec![pending()],
    );
    let host = host();
    let events = record_events(&host);
    let mut handle = mount(&stub, &host);
    ready(&host).await;

    click(&host, "#sw-v-0");
    click(&host, "#sw-v-2");
    type_text(
        &host,
        "#sw-explanation",
        "  The theft conviction is job-related.  ",
    );
    wait_for("two checked", || {
        qa(&host, "input[name=sw-violation]")
            .iter()
            .filter(|i| i.unchecked_ref::<web_sys::HtmlInputElement>().checked())
            .count()
            == 2
    })
    .await;
    click(&host, "#sw-adverse");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    assert!(text(&host, "#sw-confirm-text").contains("citing 2 violations"));
    assert_eq!(focused_id(&host), "sw-confirm-yes");
    click(&host, "#sw-confirm-yes");
    wait_for("pending", || {
        text(&host, ".sw-decision-state") == "Pre-adverse notice sent"
    })
    .await;

    let posts = stub.calls_to("POST", "/widget/orders/bc-7/decision/adverse-action");
    assert_eq!(posts.len(), 1);
    assert_eq!(
        posts[0].body.as_deref(),
        Some(r#"{"violations":["v1","v3"],"explanation":"The theft conviction is job-related."}"#)
    );
    assert_eq!(
        posts[0].header("content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(
        attr(&host, "#sw-decision-result time", "datetime").as_deref(),
        Some(FINAL_AT)
    );
    let when = text(&host, "#sw-decision-result time");
    assert!(when.contains("2026") && when != FINAL_AT, "{when}");
    assert!(text(&host, "#sw-decision-result").contains("Final notice scheduled for"));
    assert_eq!(
        decisions(&events),
        [format!(
            r#"{{"backgroundCheckId":"bc-7","decision":"adverse_action","reportStatus":"pre_adverse","scheduledFinalAt":"{FINAL_AT}"}}"#
        )]
    );
    assert!(q(&host, "#sw-cancel-aa").is_some(), "cancel while pending");
    assert!(q(&host, "#sw-adverse").is_none());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn nothing_chosen_and_no_reason_is_refused_without_a_request() {
    let stub = stub(vec![consider()]);
    let host = host();
    let mut handle = mount(&stub, &host);
    ready(&host).await;
    assert!(q(&host, "#sw-err-violations").is_none());

    click(&host, "#sw-adverse");
    wait_for("the message", || q(&host, "#sw-err-violations").is_some()).await;
    assert_eq!(
        text(&host, "#sw-err-violations"),
        "Choose at least one violation or give a custom reason."
    );
    assert!(q(&host, "#sw-confirm-yes").is_none(), "no confirmation");
    assert_eq!(
        attr(&host, "#sw-v-0", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&host, "#sw-v-0", "aria-describedby").as_deref(),
        Some("sw-err-violations")
    );
    assert_eq!(
        attr(&host, "#sw-violations", "aria-describedby").as_deref(),
        Some("sw-err-violations")
    );
    assert_eq!(focused_id(&host), "sw-v-0");
    assert_eq!(status(&host), "1 field needs attention.");
    assert!(stub
        .calls_to("POST", "/widget/orders/bc-7/decision/adverse-action")
        .is_empty());

    // A custom reason alone is enough.
    type_text(&host, "#sw-reason", "Falsified application");
    wait_for("the message gone", || {
        q(&host, "#sw-err-violations").is_none()
    })
    .await;
    assert_eq!(
        attr(&host, "#sw-v-0", "aria-invalid").as_deref(),
        Some("false")
    );
    click(&host, "#sw-adverse");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    assert!(text(&host, "#sw-confirm-text").contains("citing your reason"));
    assert!(stub
        .calls_to("POST", "/widget/orders/bc-7/decision/adverse-action")
        .is_empty());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_required_explanation_is_marked_and_checked() {
    let why = "The candidate is in California: explain the decision.";
    let stub = stub(vec![Reply::Json(
        200,
        decision(
            "consider",
            &format!(r#","explanation_required":"{why}""#),
            true,
            true,
            false,
        ),
    )]);
    let host = host();
    let mut handle = mount(&stub, &host);
    ready(&host).await;
    assert_eq!(
        text(&host, "label[for=sw-explanation]"),
        "Explanation for the candidate (required)"
    );
    assert_eq!(text(&host, "#sw-explanation-hint"), why);
    assert_eq!(
        attr(&host, "#sw-explanation", "aria-required").as_deref(),
        Some("true")
    );

    click(&host, "#sw-v-1");
    click(&host, "#sw-adverse");
    wait_for("the message", || q(&host, "#sw-err-explanation").is_some()).await;
    assert_eq!(
        text(&host, "#sw-err-explanation"),
        "Enter an explanation for the candidate."
    );
    assert!(q(&host, "#sw-err-violations").is_none());
    assert_eq!(
        attr(&host, "#sw-explanation", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&host, "#sw-explanation", "aria-describedby").as_deref(),
        Some("sw-explanation-hint sw-err-explanation")
    );
    assert_eq!(focused_id(&host), "sw-explanation");
    assert!(q(&host, "#sw-confirm-yes").is_none());
    assert!(stub
        .calls_to("POST", "/widget/orders/bc-7/decision/adverse-action")
        .is_empty());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn violations_required_are_said_and_checked() {
    let stub = stub(vec![Reply::Json(
        200,
        decision("consider", "", true, true, false).replace(
            r#""violations_required":false"#,
            r#""violations_required":true"#,
        ),
    )]);
    let host = host();
    let mut handle = mount(&stub, &host);
    ready(&host).await;
    assert!(text(&host, "#sw-violations-hint").contains("requires it"));
    type_text(&host, "#sw-reason", "Falsified application");
    click(&host, "#sw-adverse");
    wait_for("the message", || q(&host, "#sw-err-violations").is_some()).await;
    assert_eq!(
        text(&host, "#sw-err-violations"),
        "Choose at least one violation: this account requires it."
    );
    assert_eq!(
        attr(&host, "#sw-violations", "aria-describedby").as_deref(),
        Some("sw-violations-hint sw-err-violations")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_422_shows_the_servers_field_errors_on_the_fields() {
    let stub = stub(vec![consider()]);
    stub.route(
        "POST",
        "/widget/orders/bc-7/decision/adverse-action",
        vec![Reply::Json(
            422,
            r#"{"error_message":"The adverse action was refused.","code":"validation",
               "field_errors":[{"field":"explanation","message":"An explanation is required for a candidate in Georgia."},
                               {"field":"violations[0]","message":"Unknown violation id."}]}"#
                .into(),
        )],
    );
    let host = host();
    let events = record_events(&host);
    let mut handle = mount(&stub, &host);
    ready(&host).await;
    click(&host, "#sw-v-1");
    click(&host, "#sw-adverse");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    click(&host, "#sw-confirm-yes");
    wait_for("the field error", || {
        q(&host, "#sw-err-explanation").is_some()
    })
    .await;
    assert_eq!(
        text(&host, "#sw-err-explanation"),
        "An explanation is required for a candidate in Georgia."
    );
    assert_eq!(
        attr(&host, "#sw-explanation", "aria-invalid").as_deref(),
        Some("true")
    );
    assert_eq!(
        attr(&host, "#sw-explanation", "aria-describedby").as_deref(),
        Some("sw-err-explanation")
    );
    assert_eq!(text(&host, "#sw-err-violations"), "Unknown violation id.");
    assert!(text(&host, "#sw-decision-failure").contains("The adverse action was refused."));
    assert!(
        q(&host, "#sw-decision-failure button").is_none(),
        "no retry for a refusal"
    );
    assert_eq!(focused_id(&host), "sw-explanation");
    assert!(decisions(&events).is_empty());

    // Editing the field clears its server message.
    type_text(&host, "#sw-explanation", "Job-related.");
    wait_for("cleared", || q(&host, "#sw-err-explanation").is_none()).await;
    assert!(q(&host, "#sw-err-violations").is_some());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn cancel_adverse_action_goes_through_confirmation() {
    let stub = stub(vec![pending()]);
    stub.route(
        "POST",
        "/widget/orders/bc-7/decision/adverse-action/cancel",
        vec![consider()],
    );
    let host = host();
    let events = record_events(&host);
    let mut handle = mount(&stub, &host);
    ready(&host).await;
    // Already decided when loaded: the state in words.
    assert_eq!(text(&host, ".sw-decision-state"), "Pre-adverse notice sent");
    assert_eq!(
        attr(&host, "#sw-decision-result time", "datetime").as_deref(),
        Some(FINAL_AT)
    );
    assert!(q(&host, "#sw-proceed").is_none());

    click(&host, "#sw-cancel-aa");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    assert!(text(&host, "#sw-confirm-text").contains("will not be sent"));
    assert_eq!(focused_id(&host), "sw-confirm-yes");
    key_down(&host, "#sw-confirm-yes", "Escape");
    wait_for("back", || q(&host, "#sw-cancel-aa").is_some()).await;
    assert_eq!(focused_id(&host), "sw-cancel-aa");
    assert!(stub
        .calls_to("POST", "/widget/orders/bc-7/decision/adverse-action/cancel")
        .is_empty());

    click(&host, "#sw-cancel-aa");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    click(&host, "#sw-confirm-yes");
    wait_for("canceled", || {
        text(&host, ".sw-decision-state") == "Adverse action canceled"
    })
    .await;
    assert_eq!(
        stub.calls_to("POST", "/widget/orders/bc-7/decision/adverse-action/cancel")
            .len(),
        1
    );
    assert_eq!(
        decisions(&events),
        [r#"{"backgroundCheckId":"bc-7","decision":"cancel","reportStatus":"consider"}"#]
    );
    // Back to Consider: it can be decided again.
    assert!(q(&host, "#sw-proceed").is_some() && q(&host, "#sw-adverse").is_some());
    assert!(q(&host, "#sw-cancel-aa").is_none());
    handle.unmount();
}

#[wasm_bindgen_test]
async fn errors_load_retry_network_retry_and_a_409_reloads() {
    let stub = stub(vec![
        Reply::Json(
            503,
            r#"{"error_message":"Yardstik is unavailable.","code":"upstream_unavailable"}"#.into(),
        ),
        consider(),
        Reply::Json(200, decision("proceed", "", false, false, false)),
    ]);
    stub.route(
        "POST",
        "/widget/orders/bc-7/decision/proceed",
        vec![
            Reply::NetworkError,
            Reply::Json(
                409,
                r#"{"error_message":"The report was already decided.","code":"conflict"}"#.into(),
            ),
        ],
    );
    let host = host();
    let events = record_events(&host);
    let mut handle = mount(&stub, &host);

    // The summary could not be loaded: the message and a retry.
    wait_for("the load error", || {
        text(&host, ".sw-decision").contains("Yardstik is unavailable.")
    })
    .await;
    assert!(events
        .borrow()
        .iter()
        .any(|(t, d)| t == "screening:error" && d.contains(r#""stage":"decision""#)));
    click(&host, ".sw-decision .sw-panel.is-error button");
    ready(&host).await;

    // A network error: the message and Retry, which sends the same decision again.
    click(&host, "#sw-proceed");
    wait_for("the confirmation", || q(&host, "#sw-confirm-yes").is_some()).await;
    click(&host, "#sw-confirm-yes");
    wait_for("the failure", || {
        q(&host, "#sw-decision-failure button").is_some()
    })
    .await;
    assert!(status(&host).starts_with("The decision was not sent"));
    assert_eq!(focused_id(&host), "sw-decision-failure");

    // Retry gets a 409: shown as a message, and the panel reloaded (now decided).
    click(&host, "#sw-decision-failure button");
    wait_for("proceeded after reload", || {
        text(&host, ".sw-decision-state") == "Proceeded"
    })
    .await;
    assert_eq!(
        stub.calls_to("POST", "/widget/orders/bc-7/decision/proceed")
            .len(),
        2
    );
    assert_eq!(
        stub.calls_to("GET", "/widget/orders/bc-7/decision").len(),
        3
    );
    assert!(text(&host, "#sw-decision-failure").contains("The report was already decided."));
    assert!(decisions(&events).is_empty(), "no decision was taken here");
    handle.unmount();
}
