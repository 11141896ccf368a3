#![cfg(target_arch = "wasm32")]
//! Order mode against a stubbed server: picker, total, inline validation, and submitting
//! (201, 422 with error_message, network failure) with one idempotency key per order.

mod common;

use common::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlButtonElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

const JOHN: &str = r#"{"id":"12345","first_name":"John","last_name":"Doe","phone":"888-555-1234",
  "email":"john.doe@example.com","address":"123 Main St.","address_2":"Apt. 1",
  "city":"Springfield","state":"IL","zip":"12345"}"#;

fn stub_with_packages() -> Stub {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Json(200, PACKAGES.into())],
    );
    stub
}

async fn mounted(
    stub: &Stub,
    applicant: &str,
) -> (web_sys::Element, screening_widget::WidgetHandle) {
    let host = host();
    let handle =
        screening_widget::mount(&host, config(stub, &[("applicant", json(applicant))])).unwrap();
    wait_for("the package cards", || {
        qa(&host, "input[name=sw-package]").len() == 3
    })
    .await;
    (host, handle)
}

#[wasm_bindgen_test]
async fn renders_the_picker_from_the_package_list() {
    let stub = stub_with_packages();
    let (host, mut handle) = mounted(&stub, JOHN).await;

    assert_eq!(
        text(&host, "fieldset.sw-packages > legend"),
        "Background check package"
    );
    let names: Vec<String> = qa(&host, ".sw-packages .sw-name")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(names, ["Basic", "Standard", "Deluxe"]);
    let prices: Vec<String> = qa(&host, ".sw-packages .sw-price")
        .iter()
        .map(|e| e.text_content().unwrap())
        .collect();
    assert_eq!(prices, ["$29.99", "$49.99", "$69.99"]);
    assert_eq!(
        qa(&host, "label[for='sw-pkg-PKG002'] .sw-screenings li").len(),
        2
    );
    assert!(
        text(&host, "label[for='sw-pkg-PKG001']").contains("Address to Federal Criminal History")
    );
    assert_eq!(qa(&host, ".sw-add-ons input[type=checkbox]").len(), 2);
    assert_eq!(text(&host, ".sw-total output"), "$0.00");
    // The form is prefilled from the applicant.
    let first: HtmlInputElement = q(&host, "#sw-f-first_name").unwrap().unchecked_into();
    assert_eq!(first.value(), "John");
    assert_eq!(
        q(&host, "label[for='sw-f-zip']")
            .unwrap()
            .text_content()
            .unwrap(),
        "ZIP code"
    );
    // The session token goes with every request.
    let calls = stub.calls_to("GET", "/widget/packages");
    assert_eq!(calls[0].url, "http://screening.test/widget/packages");
    assert_eq!(
        calls[0].header("Authorization").as_deref(),
        Some("Bearer sess-1")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn selecting_a_package_and_add_ons_updates_the_total_exactly() {
    let stub = stub_with_packages();
    let (host, mut handle) = mounted(&stub, JOHN).await;

    click(&host, "#sw-pkg-PKG002");
    wait_for("Standard selected", || {
        text(&host, ".sw-total output") == "$49.99"
    })
    .await;
    assert!(q(&host, "label[for='sw-pkg-PKG002']")
        .unwrap()
        .class_list()
        .contains("is-selected"));
    click(&host, "#sw-addon-DRG01");
    click(&host, "#sw-addon-DRG02");
    // 49.99 + 29.99 + 39.99 = 119.97 exactly (as floats it would be 119.97000000000001).
    wait_for("both add-ons", || {
        text(&host, ".sw-total output") == "$119.97"
    })
    .await;
    click(&host, "#sw-addon-DRG01");
    wait_for("one add-on removed", || {
        text(&host, ".sw-total output") == "$89.98"
    })
    .await;
    click(&host, "#sw-pkg-PKG003");
    wait_for("Deluxe", || text(&host, ".sw-total output") == "$109.98").await;
    handle.unmount();
}

#[wasm_bindgen_test]
async fn validation_messages_appear_next_to_their_fields() {
    let stub = stub_with_packages();
    let bad = r#"{"first_name":"John","last_name":"","email":"john@","phone":"555-1234",
      "address":"123 Main St.","city":"Springfield","state":"ZZ","zip":"1234"}"#;
    let (host, mut handle) = mounted(&stub, bad).await;

    click(&host, "button.sw-submit");
    wait_for("inline errors", || q(&host, "#sw-err-zip").is_some()).await;
    for (field, message) in [
        ("last_name", "Last name is required."),
        ("email", "Enter an email address like name@example.com."),
        (
            "phone",
            "Enter a 10-digit US phone number, like 888-555-1234.",
        ),
        ("state", "Enter a two-letter US state code, like IL."),
        (
            "zip",
            "Enter a 5-digit ZIP code, like 12345 (or 12345-6789).",
        ),
    ] {
        let input = q(&host, &format!("#sw-f-{field}")).unwrap();
        assert_eq!(
            input.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{field}"
        );
        let err_id = format!("sw-err-{field}");
        assert_eq!(
            input.get_attribute("aria-describedby"),
            Some(err_id.clone()),
            "{field}"
        );
        // The message is the next sibling of its input.
        let next = input.next_element_sibling().unwrap();
        assert_eq!(next.id(), err_id);
        assert_eq!(next.text_content().unwrap(), message, "{field}");
    }
    let ok = q(&host, "#sw-f-first_name").unwrap();
    assert_eq!(ok.get_attribute("aria-invalid").as_deref(), Some("false"));
    assert_eq!(text(&host, "#sw-err-package"), "Choose a package.");
    assert!(text(&host, "[role=status]").contains("6 fields need attention"));
    assert!(
        stub.calls_to("POST", "/widget/orders").is_empty(),
        "nothing is sent while invalid"
    );

    // Fixing a field removes its message.
    type_into(&host, "#sw-f-zip", "62704");
    wait_for("zip fixed", || q(&host, "#sw-err-zip").is_none()).await;
    assert_eq!(
        q(&host, "#sw-f-zip")
            .unwrap()
            .get_attribute("aria-invalid")
            .as_deref(),
        Some("false")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_valid_order_is_placed_once_and_shown() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::Json(201, order_state("bc-777"))],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    let events = record_events(&host);

    click(&host, "#sw-pkg-PKG002");
    click(&host, "#sw-addon-DRG02");
    type_into(&host, "#sw-f-city", "Shelbyville");
    yew::scheduler::flush().await;
    // A double click: the second submit is ignored while the first is in flight.
    click(&host, "button.sw-submit");
    click(&host, "button.sw-submit");
    wait_for("the created order", || q(&host, ".sw-created").is_some()).await;

    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(posts.len(), 1);
    let key = posts[0].header("Idempotency-Key").expect("idempotency key");
    assert_eq!(key.len(), 36, "a UUID: {key}");
    assert_eq!(&key[14..15], "4");
    let body = json(posts[0].body.as_deref().unwrap());
    let get = |path: &str| {
        path.split('.').fold(body.clone(), |v, k| {
            js_sys::Reflect::get(&v, &k.into()).unwrap()
        })
    };
    assert_eq!(get("package_id").as_string().unwrap(), "PKG002");
    assert_eq!(
        js_sys::JSON::stringify(&get("add_on_package_ids")).unwrap(),
        "[\"DRG02\"]"
    );
    assert_eq!(get("applicant.city").as_string().unwrap(), "Shelbyville");
    assert_eq!(get("applicant.first_name").as_string().unwrap(), "John");

    assert_eq!(text(&host, ".sw-order-id"), "bc-777");
    assert_eq!(text(&host, ".sw-order-status"), "Candidate invited");
    assert!(text(&host, "[role=status]").contains("Order placed"));
    let created: Vec<_> = events
        .borrow()
        .iter()
        .filter(|(t, _)| t == "screening:order-created")
        .cloned()
        .collect();
    assert_eq!(created.len(), 1);
    assert!(
        created[0].1.contains(r#""backgroundCheckId":"bc-777""#),
        "{}",
        created[0].1
    );
    assert!(created[0].1.contains(&key));

    // The next order gets a new key.
    click(&host, ".sw-created button");
    wait_for("the form again", || q(&host, "button.sw-submit").is_some()).await;
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("second order", || {
        stub.calls_to("POST", "/widget/orders").len() == 2
    })
    .await;
    let second = stub.calls_to("POST", "/widget/orders")[1]
        .header("Idempotency-Key")
        .unwrap();
    assert_ne!(second, key);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn the_submit_button_keeps_the_focus_and_sends_once_while_in_flight() {
    let stub = stub_with_packages();
    stub.route("POST", "/widget/orders", vec![Reply::Hang]);
    let (host, mut handle) = mounted(&stub, JOHN).await;
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    let button = || {
        q(&host, "button.sw-submit")
            .unwrap()
            .unchecked_into::<HtmlButtonElement>()
    };
    button().focus().unwrap();
    button().click();
    wait_for("the button marked busy", || {
        button().get_attribute("aria-disabled").as_deref() == Some("true")
    })
    .await;
    assert!(text(&host, "[role=status]").contains("Placing the order"));
    assert_eq!(
        q(&host, ".sw-order")
            .unwrap()
            .get_attribute("aria-busy")
            .as_deref(),
        Some("true")
    );
    // aria-disabled, not disabled: the focus stays on the button, not on <body>.
    assert!(!button().disabled());
    assert!(
        focused(&host).is_some_and(|f| f.is_same_node(Some(&button()))),
        "focus stays on the submit button"
    );
    // A second click while in flight sends nothing.
    button().click();
    tick().await;
    assert_eq!(stub.calls_to("POST", "/widget/orders").len(), 1);
    handle.unmount();
}

fn edit_email(host: &web_sys::Element, value: &str) {
    type_into(host, "#sw-f-email", value);
}

const BOOM: &str = r#"{"error_message":"Internal error.","code":"internal"}"#;

#[wasm_bindgen_test]
async fn retry_after_a_5xx_sends_the_edited_form_under_the_same_key() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![
            Reply::Json(500, BOOM.into()),
            Reply::Json(201, order_state("bc-r")),
        ],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the error panel", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;
    assert!(
        text(&host, ".sw-panel.is-error").contains("may already have been placed"),
        "the user is told the outcome is unknown"
    );
    edit_email(&host, "jdoe@example.org");
    yew::scheduler::flush().await;
    click(&host, ".sw-panel.is-error button");
    wait_for("the order", || q(&host, ".sw-created").is_some()).await;
    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key"),
        "the outcome of the first was unknown: same key"
    );
    assert!(posts[0]
        .body
        .as_deref()
        .unwrap()
        .contains("john.doe@example.com"));
    assert!(
        posts[1]
            .body
            .as_deref()
            .unwrap()
            .contains("jdoe@example.org"),
        "Retry sends the form as it is now: {:?}",
        posts[1].body
    );
    handle.unmount();
}

const SPEND_LIMITED: &str = r#"{"error_message":"Too many requests from this session; nothing was done. Retry in 3 seconds.","code":"rate_limited"}"#;

#[wasm_bindgen_test]
async fn a_spending_limit_is_shown_as_retryable_and_retry_keeps_the_key() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![
            Reply::Json(429, SPEND_LIMITED.into()),
            Reply::Json(201, order_state("bc-429")),
        ],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    let events = record_events(&host);
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the error panel", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;
    assert_eq!(
        text(&host, ".sw-notice-message"),
        "Too many requests from this session; nothing was done. Retry in 3 seconds."
    );
    assert!(
        q(&host, ".sw-panel.is-error button").is_some(),
        "with a Retry button"
    );
    let failed = events
        .borrow()
        .iter()
        .find(|(name, _)| name == "screening:order-failed")
        .map(|(_, detail)| detail.clone())
        .expect("screening:order-failed");
    assert!(
        failed.contains(r#""status":429"#)
            && failed.contains(r#""code":"rate_limited""#)
            && failed.contains(r#""retryable":true"#),
        "{failed}"
    );
    click(&host, ".sw-panel.is-error button");
    wait_for("the order", || q(&host, ".sw-created").is_some()).await;
    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key"),
        "the retry after a 429 is the same order: same key"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn the_submit_button_after_a_5xx_reuses_the_key_too() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![
            Reply::Json(502, BOOM.into()),
            Reply::Json(201, order_state("bc-s")),
        ],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the error panel", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;
    edit_email(&host, "jdoe@example.org");
    click(&host, "#sw-pkg-PKG002");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the order", || q(&host, ".sw-created").is_some()).await;
    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key"),
        "a changed form while the first outcome is unknown must not get a new key"
    );
    assert!(posts[1].body.as_deref().unwrap().contains("PKG002"));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_409_for_an_edited_retry_recovers_the_order_the_first_attempt_placed() {
    let stub = stub_with_packages();
    let conflict = r#"{"error_message":"This order already exists with different details.","code":"conflict"}"#;
    stub.route(
        "POST",
        "/widget/orders",
        vec![
            Reply::Json(503, BOOM.into()),
            Reply::Json(409, conflict.into()),
            Reply::Json(201, order_state("bc-first")),
        ],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    let events = record_events(&host);
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the error panel", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;
    edit_email(&host, "jdoe@example.org");
    yew::scheduler::flush().await;
    click(&host, ".sw-panel.is-error button");
    wait_for("the order", || q(&host, ".sw-created").is_some()).await;
    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(posts.len(), 3);
    let key = posts[0].header("Idempotency-Key");
    assert!(posts.iter().all(|p| p.header("Idempotency-Key") == key));
    assert!(posts[1]
        .body
        .as_deref()
        .unwrap()
        .contains("jdoe@example.org"));
    assert_eq!(posts[2].body, posts[0].body, "the first body again");
    assert_eq!(text(&host, ".sw-order-id"), "bc-first");
    assert!(
        text(&host, ".sw-earlier").contains("were not sent"),
        "the user is told the edit was not sent"
    );
    assert_eq!(
        events
            .borrow()
            .iter()
            .filter(|(t, _)| t == "screening:order-created")
            .count(),
        1
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_server_that_never_answers_times_out_with_a_retryable_message() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![Reply::Hang, Reply::Json(200, PACKAGES.into())],
    );
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::Hang, Reply::Json(201, order_state("bc-t"))],
    );
    let host = host();
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[("applicant", json(JOHN)), ("requestTimeout", 150.into())],
        ),
    )
    .unwrap();
    // The package list: skeleton, then a clear message with Try again.
    wait_for("the timeout message", || {
        text(&host, ".sw-panel.is-error").contains("did not answer in time")
    })
    .await;
    click(&host, ".sw-panel.is-error button");
    wait_for("the package cards", || {
        qa(&host, "input[name=sw-package]").len() == 3
    })
    .await;
    // The order: "Placing order…" ends too, and Retry keeps the key (it may exist).
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the order timeout", || {
        text(&host, ".sw-panel.is-error").contains("did not answer in time")
    })
    .await;
    assert!(!text(&host, "button.sw-submit").contains("Placing"));
    click(&host, ".sw-panel.is-error button");
    wait_for("the order", || q(&host, ".sw-created").is_some()).await;
    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key")
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn an_unknown_status_in_a_201_is_a_created_order_and_unknown_codes_are_read() {
    let stub = stub_with_packages();
    let unknown = order_state("bc-new").replace(r#""invited""#, r#""awaiting_review""#);
    stub.route(
        "POST",
        "/widget/orders",
        vec![
            Reply::Json(
                400,
                r#"{"error_message":"Orders are paused for this account.","code":"orders_paused"}"#
                    .into(),
            ),
            Reply::Json(201, unknown),
        ],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    let events = record_events(&host);
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the error panel", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;
    // An error code newer than this build: the server's own message, its code, and not
    // retryable (a 400).
    assert_eq!(
        text(&host, ".sw-notice-message"),
        "Orders are paused for this account."
    );
    let failed = events.borrow()[0].1.clone();
    assert!(
        failed.contains(r#""code":"orders_paused""#) && failed.contains(r#""retryable":false"#),
        "{failed}"
    );
    click(&host, ".sw-panel.is-error button");
    wait_for("the order", || q(&host, ".sw-created").is_some()).await;
    assert_eq!(text(&host, ".sw-order-id"), "bc-new");
    assert_eq!(text(&host, ".sw-order-status"), "awaiting_review");
    let created: Vec<_> = events
        .borrow()
        .iter()
        .filter(|(t, _)| t == "screening:order-created")
        .cloned()
        .collect();
    assert_eq!(created.len(), 1);
    assert!(created[0].1.contains(r#""status":"awaiting_review""#));
    // One POST per click: the 201 was not taken for a failure to retry.
    assert_eq!(stub.calls_to("POST", "/widget/orders").len(), 2);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn an_order_answered_after_unmount_still_reaches_the_host() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::After(80, 201, order_state("bc-late"))],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    let events = record_events(&host);
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the POST", || {
        stub.calls_to("POST", "/widget/orders").len() == 1
    })
    .await;
    handle.unmount();
    wait_for("order-created after unmount", || {
        events
            .borrow()
            .iter()
            .any(|(t, d)| t == "screening:order-created" && d.contains("bc-late"))
    })
    .await;
    assert_eq!(handle.listener_count(), 0);
}

#[wasm_bindgen_test]
async fn focus_follows_each_state_and_one_live_region_survives_them() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![
            Reply::Json(500, BOOM.into()),
            Reply::Json(201, order_state("bc-f")),
        ],
    );
    let host = host();
    let mut handle =
        screening_widget::mount(&host, config(&stub, &[("applicant", json(JOHN))])).unwrap();
    wait_for("the live region", || q(&host, "[role=status]").is_some()).await;
    let region = q(&host, "[role=status]").unwrap();
    let same = |what: &str| {
        assert_eq!(
            qa(&host, "[role=status]").len(),
            1,
            "{what}: one live region"
        );
        assert!(
            region.is_same_node(Some(&q(&host, "[role=status]").unwrap())),
            "{what}: the same live region node"
        );
    };
    wait_for("the package cards", || {
        qa(&host, "input[name=sw-package]").len() == 3
    })
    .await;
    same("form");
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the failure focused", || {
        focused(&host).is_some_and(|f| f.id() == "sw-order-failure")
    })
    .await;
    same("failure");
    assert!(text(&host, "[role=status]").contains("not confirmed"));
    click(&host, "#sw-order-failure button");
    wait_for("the success panel focused", || {
        focused(&host).is_some_and(|f| f.class_list().contains("sw-created"))
    })
    .await;
    same("success");
    assert!(text(&host, "[role=status]").contains("Order placed"));
    click(&host, ".sw-created button");
    wait_for("the form's first group focused", || {
        focused(&host).is_some_and(|f| f.class_list().contains("sw-packages"))
    })
    .await;
    same("again");
    handle.unmount();
}

#[wasm_bindgen_test]
async fn retry_keeps_the_focus_on_the_button_that_shows_progress() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::Json(500, BOOM.into()), Reply::Hang],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the failure", || q(&host, "#sw-order-failure").is_some()).await;
    let retry = q(&host, "#sw-order-failure button").unwrap();
    retry
        .unchecked_ref::<web_sys::HtmlElement>()
        .focus()
        .unwrap();
    retry.unchecked_ref::<web_sys::HtmlElement>().click();
    wait_for("the submit button focused", || {
        focused(&host).is_some_and(|f| f.class_list().contains("sw-submit"))
    })
    .await;
    assert!(text(&host, "button.sw-submit").contains("Placing order"));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_422_shows_the_servers_error_message_and_retry() {
    let stub = stub_with_packages();
    let refused = r#"{"error_message":"Yardstik rejected the order: candidate email is blocked","code":"upstream_rejected"}"#;
    stub.route(
        "POST",
        "/widget/orders",
        vec![
            Reply::Json(422, refused.into()),
            Reply::Json(201, order_state("bc-9")),
        ],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    let events = record_events(&host);
    click(&host, "#sw-pkg-PKG001");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the error panel", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;

    assert_eq!(
        text(&host, ".sw-panel.is-error .sw-notice-message"),
        "Yardstik rejected the order: candidate email is blocked"
    );
    assert_eq!(
        q(&host, ".sw-panel.is-error")
            .unwrap()
            .get_attribute("role")
            .as_deref(),
        Some("alert")
    );
    let failed: Vec<_> = events
        .borrow()
        .iter()
        .filter(|(t, _)| t == "screening:order-failed")
        .cloned()
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].1.contains(r#""status":422"#)
            && failed[0].1.contains(r#""code":"upstream_rejected""#),
        "{}",
        failed[0].1
    );

    click(&host, ".sw-panel.is-error button");
    wait_for("the order after retry", || {
        q(&host, ".sw-created").is_some()
    })
    .await;
    assert_eq!(text(&host, ".sw-order-id"), "bc-9");
    assert_eq!(stub.calls_to("POST", "/widget/orders").len(), 2);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_network_failure_is_retried_with_the_same_idempotency_key() {
    let stub = stub_with_packages();
    stub.route(
        "POST",
        "/widget/orders",
        vec![Reply::NetworkError, Reply::Json(201, order_state("bc-net"))],
    );
    let (host, mut handle) = mounted(&stub, JOHN).await;
    click(&host, "#sw-pkg-PKG003");
    yew::scheduler::flush().await;
    click(&host, "button.sw-submit");
    wait_for("the error panel", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;
    assert!(text(&host, ".sw-panel.is-error").contains("Could not reach the screening service"));
    assert_eq!(text(&host, ".sw-panel.is-error button"), "Retry order");

    click(&host, ".sw-panel.is-error button");
    wait_for("the order after retry", || {
        q(&host, ".sw-created").is_some()
    })
    .await;
    let posts = stub.calls_to("POST", "/widget/orders");
    assert_eq!(posts.len(), 2);
    assert_eq!(
        posts[0].header("Idempotency-Key"),
        posts[1].header("Idempotency-Key")
    );
    assert_eq!(posts[0].body, posts[1].body);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn an_expired_session_is_fetched_again_from_the_session_url() {
    let expired = r#"{"error_message":"Session expired","code":"session_expired"}"#;
    let stub2 = Stub::new();
    stub2.route(
        "GET",
        "/widget/packages",
        vec![
            Reply::Json(401, expired.into()),
            Reply::Json(200, PACKAGES.into()),
        ],
    );
    stub2.route(
        "POST",
        "/host/session",
        vec![Reply::Json(
            200,
            r#"{"token":"sess-2","expires_at":"2026-11-22T04:00:00Z","expires_in":900}"#.into(),
        )],
    );
    let host = host();
    let events = record_events(&host);
    let headers = json(r#"{"X-CSRF":"abc"}"#);
    let cfg = config(
        &stub2,
        &[
            ("sessionUrl", "/host/session".into()),
            ("sessionHeaders", headers),
        ],
    );
    let mut handle = screening_widget::mount(&host, cfg).unwrap();
    wait_for("the package cards", || {
        qa(&host, "input[name=sw-package]").len() == 3
    })
    .await;

    let gets = stub2.calls_to("GET", "/widget/packages");
    assert_eq!(gets.len(), 2);
    assert_eq!(
        gets[0].header("Authorization").as_deref(),
        Some("Bearer sess-1")
    );
    assert_eq!(
        gets[1].header("Authorization").as_deref(),
        Some("Bearer sess-2")
    );
    let session = stub2.calls_to("POST", "/host/session");
    assert_eq!(session.len(), 1);
    assert_eq!(session[0].header("X-CSRF").as_deref(), Some("abc"));
    assert!(events
        .borrow()
        .iter()
        .any(|(t, d)| t == "screening:token-refreshed" && d.contains(r#""kind":"session""#)));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn loading_failure_and_empty_states_are_designed() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/packages",
        vec![
            Reply::NetworkError,
            Reply::Json(200, r#"{"packages":[]}"#.into()),
        ],
    );
    let host = host();
    let mut handle = screening_widget::mount(&host, config(&stub, &[])).unwrap();
    wait_for("the error state", || {
        q(&host, ".sw-panel.is-error").is_some()
    })
    .await;
    assert!(text(&host, ".sw-panel.is-error").contains("Packages could not be loaded"));
    click(&host, ".sw-panel.is-error button");
    wait_for("the empty state", || {
        text(&host, ".sw-panel").contains("No packages available")
    })
    .await;
    assert!(
        q(&host, ".sw-panel button").is_some(),
        "a way to check again"
    );
    handle.unmount();
}
