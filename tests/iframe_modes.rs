#![cfg(target_arch = "wasm32")]
//! Report, disclosures and apply modes: exact iframe URLs and attributes, messages only from
//! the Yardstik origin, token renewal, and no window listener left after unmount.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use js_sys::{Function, Reflect};
use screening_wire::{disclosures_iframe_url, report_iframe_url};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn token(tok: &str) -> Reply {
    Reply::Json(
        200,
        format!(r#"{{"token":"{tok}","domain":"{DOMAIN}","report_id":"rep-42"}}"#),
    )
}

fn report_stub() -> Stub {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/report",
        vec![token("tok-1"), token("tok-2"), token("tok-3")],
    );
    stub
}

fn src(host: &web_sys::Element) -> String {
    q(host, "iframe")
        .and_then(|f| f.get_attribute("src"))
        .unwrap_or_default()
}

fn loading(host: &web_sys::Element) -> bool {
    q(host, "iframe")
        .unwrap()
        .class_list()
        .contains("is-loading")
        && q(host, ".sw-frame-overlay").is_some()
}

fn history_length() -> u32 {
    let h = Reflect::get(&web_sys::window().unwrap(), &"history".into()).unwrap();
    Reflect::get(&h, &"length".into())
        .unwrap()
        .as_f64()
        .unwrap() as u32
}

/// Let the iframe's navigation (to an unreachable test origin) finish.
async fn settle(host: &web_sys::Element) {
    let _ = host;
    for _ in 0..20 {
        sleep_ms(25).await;
    }
}

fn loaded_msg() -> JsValue {
    JsValue::from_str(r#"{"name":"yardstik:loaded"}"#)
}

#[wasm_bindgen_test]
fn iframe_urls_are_exactly_the_sdks() {
    assert_eq!(
        report_iframe_url("https://app.yardstik-staging.com", "rep-1", "jwt.abc"),
        "https://app.yardstik-staging.com/embed/report/rep-1?jwt=jwt.abc"
    );
    assert_eq!(
        disclosures_iframe_url("https://app.yardstik-staging.com/", "acct-9", "jwt.def"),
        "https://app.yardstik-staging.com/embed/signDisclosures/acct-9?jwt=jwt.def"
    );
    assert_eq!(
        screening_widget::messages::origin_of("https://app.example.com/x/").as_deref(),
        Some("https://app.example.com")
    );
    assert_eq!(screening_widget::messages::origin_of("not a url"), None);
}

#[wasm_bindgen_test]
async fn report_iframe_has_the_sdk_url_attributes_and_a_spinner_until_loaded() {
    let stub = report_stub();
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "report".into()),
                ("backgroundCheckId", "bc-1".into()),
            ],
        ),
    )
    .unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;

    assert_eq!(
        src(&host),
        format!("{DOMAIN}/embed/report/rep-42?jwt=tok-1")
    );
    let frame = q(&host, "iframe").unwrap();
    assert_eq!(
        frame.get_attribute("title").as_deref(),
        Some("Background check report")
    );
    assert_eq!(
        frame.get_attribute("referrerpolicy").as_deref(),
        Some("no-referrer")
    );
    assert_eq!(frame.get_attribute("width").as_deref(), Some("800"));
    assert_eq!(frame.get_attribute("height").as_deref(), Some("600"));
    assert!(
        frame.get_attribute("style").is_none(),
        "no inline style (strict CSP)"
    );
    let body = stub.calls_to("POST", "/widget/tokens/report")[0]
        .body
        .clone()
        .unwrap();
    assert_eq!(body, r#"{"background_check_id":"bc-1"}"#);

    // Loading: visible in layout (never display:none), transparent, under a spinner.
    assert!(loading(&host));
    let win = web_sys::window().unwrap();
    let style = win.get_computed_style(&frame).unwrap().unwrap();
    assert_ne!(style.get_property_value("display").unwrap(), "none");
    assert_eq!(style.get_property_value("visibility").unwrap(), "visible");
    assert_eq!(
        style.get_property_value("border-top-style").unwrap(),
        "solid"
    );
    assert_eq!(
        style.get_property_value("border-top-color").unwrap(),
        "rgb(101, 101, 101)"
    );

    // A foreign origin, a look-alike origin, and non-string data are all ignored.
    post_message(&host, "http://evil.test", &loaded_msg());
    post_message(&host, "http://127.0.0.1:90", &loaded_msg());
    post_message(&host, DOMAIN, &json(r#"{"name":"yardstik:loaded"}"#));
    post_message(&host, DOMAIN, &JsValue::from_str("not json"));
    tick().await;
    assert!(loading(&host), "still loading after foreign messages");
    assert!(!events
        .borrow()
        .iter()
        .any(|(t, _)| t == "screening:iframe-loaded"));

    post_message(&host, DOMAIN, &loaded_msg());
    wait_for("loaded", || !loading(&host)).await;
    assert!(events
        .borrow()
        .iter()
        .any(|(t, _)| t == "screening:iframe-loaded"));
    assert_eq!(
        text(&host, "[role=status]"),
        "Background check report loaded."
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn token_expiration_fetches_a_new_token_and_reloads_the_iframe() {
    let stub = report_stub();
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[("mode", "report".into()), ("reportId", "rep-42".into())],
        ),
    )
    .unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    post_message(&host, DOMAIN, &loaded_msg());
    wait_for("loaded", || !loading(&host)).await;
    let before = q(&host, "iframe").unwrap();
    settle(&host).await;
    let history_before = history_length();

    // From a foreign origin: nothing happens.
    post_message(
        &host,
        "http://evil.test",
        &JsValue::from_str(r#"{"name":"yardstik:tokenExpiration"}"#),
    );
    tick().await;
    assert_eq!(stub.calls_to("POST", "/widget/tokens/report").len(), 1);

    post_message(
        &host,
        DOMAIN,
        &JsValue::from_str(r#"{"name":"yardstik:tokenExpiration"}"#),
    );
    wait_for("the new src", || src(&host).ends_with("jwt=tok-2")).await;
    assert_eq!(
        src(&host),
        format!("{DOMAIN}/embed/report/rep-42?jwt=tok-2")
    );
    assert!(
        loading(&host),
        "spinner again until the new page says loaded"
    );
    // A new iframe at the new URL (the widget stays mounted): changing the old one's src
    // would add an entry to the page's history at every renewal.
    assert!(!before.is_same_node(Some(&q(&host, "iframe").unwrap())));
    settle(&host).await;
    assert_eq!(
        history_length(),
        history_before,
        "a renewal adds no history entry"
    );
    assert_eq!(
        stub.calls_to("POST", "/widget/tokens/report")[1]
            .body
            .as_deref(),
        Some(r#"{"report_id":"rep-42"}"#)
    );
    assert!(events
        .borrow()
        .iter()
        .any(|(t, d)| t == "screening:token-refreshed" && d.contains(r#""kind":"report""#)));
    post_message(&host, DOMAIN, &loaded_msg());
    wait_for("loaded again", || !loading(&host)).await;
    handle.unmount();
}

#[wasm_bindgen_test]
async fn disclosures_mode_full_screen_and_custom_size() {
    let stub = Stub::new();
    stub.route(
        "POST",
        "/widget/tokens/disclosures",
        vec![Reply::Json(
            200,
            format!(r#"{{"token":"d-1","domain":"{DOMAIN}/","account_id":"acct-7"}}"#),
        )],
    );
    let host = common::host();
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "disclosures".into()),
                ("width", 640.into()),
                ("height", "480".into()),
            ],
        ),
    )
    .unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    assert_eq!(
        src(&host),
        format!("{DOMAIN}/embed/signDisclosures/acct-7?jwt=d-1")
    );
    let frame = q(&host, "iframe").unwrap();
    assert_eq!(frame.get_attribute("width").as_deref(), Some("640"));
    assert_eq!(frame.get_attribute("height").as_deref(), Some("480"));
    assert_eq!(
        frame.get_attribute("title").as_deref(),
        Some("Background check disclosures")
    );
    handle.unmount();

    let host = common::host();
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[("mode", "disclosures".into()), ("fullScreen", true.into())],
        ),
    )
    .unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    let frame = q(&host, "iframe").unwrap();
    let style = web_sys::window()
        .unwrap()
        .get_computed_style(&frame)
        .unwrap()
        .unwrap();
    assert_eq!(style.get_property_value("position").unwrap(), "fixed");
    assert_eq!(style.get_property_value("z-index").unwrap(), "100000");
    assert_eq!(
        style.get_property_value("border-top-style").unwrap(),
        "none"
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn apply_mode_reports_form_submitted_and_shows_next_steps() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc%2F5/apply",
        vec![Reply::Json(
            200,
            format!(r#"{{"apply_url":"{DOMAIN}/apply/inv-5","domain":"{DOMAIN}","background_check_id":"bc/5"}}"#),
        )],
    );
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "apply".into()),
                ("backgroundCheckId", "bc/5".into()),
            ],
        ),
    )
    .unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    assert_eq!(src(&host), format!("{DOMAIN}/apply/inv-5"));
    assert_eq!(
        q(&host, "iframe")
            .unwrap()
            .get_attribute("referrerpolicy")
            .as_deref(),
        Some("no-referrer")
    );
    assert!(
        q(&host, ".sw-step").is_none(),
        "no progress text for a single form"
    );

    let submitted = JsValue::from_str(r#"{"name":"yardstik:form_submitted"}"#);
    post_message(&host, "http://evil.test", &submitted);
    tick().await;
    assert!(q(&host, "iframe").is_some());
    post_message(&host, DOMAIN, &submitted);
    wait_for("next steps", || q(&host, ".sw-next").is_some()).await;
    assert!(text(&host, ".sw-next").contains("What happens next"));
    let e: Vec<_> = events
        .borrow()
        .iter()
        .filter(|(t, _)| t == "screening:form-submitted")
        .cloned()
        .collect();
    assert_eq!(e.len(), 1);
    assert!(
        e[0].1.contains(r#""backgroundCheckId":"bc/5""#)
            && e[0].1.contains(r#""step":1,"total":1"#),
        "{}",
        e[0].1
    );
    handle.unmount();
}

#[wasm_bindgen_test]
async fn apply_mode_walks_every_open_intake_then_shows_next_steps() {
    let stub = Stub::new();
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
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "apply".into()),
                ("backgroundCheckId", "bc-7".into()),
            ],
        ),
    )
    .unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    assert_eq!(src(&host), format!("{DOMAIN}/apply/inv-1"));
    assert_eq!(text(&host, ".sw-step"), "Form 1 of 2");
    let submitted_events = || {
        events
            .borrow()
            .iter()
            .filter(|(t, _)| t == "screening:form-submitted")
            .cloned()
            .collect::<Vec<_>>()
    };

    // From a foreign origin: nothing happens.
    let submitted = JsValue::from_str(r#"{"name":"yardstik:form_submitted"}"#);
    post_message(&host, "http://evil.test", &submitted);
    post_message(&host, "http://127.0.0.1:90", &submitted);
    tick().await;
    assert_eq!(src(&host), format!("{DOMAIN}/apply/inv-1"));
    assert!(submitted_events().is_empty());

    // From the Yardstik origin: the add-on's intake is mounted, with a spinner until loaded.
    let before = q(&host, "iframe").unwrap();
    post_message(&host, DOMAIN, &submitted);
    // (Checked in the same poll that sees the new src: the page's own load event also
    // counts as loaded in apply mode.)
    let mut spinner = false;
    wait_for("the second intake", || {
        let on = src(&host).ends_with("/apply/inv-2");
        spinner = on && loading(&host);
        on
    })
    .await;
    assert!(spinner, "spinner until the second intake has loaded");
    assert_eq!(src(&host), format!("{DOMAIN}/apply/inv-2"));
    assert!(
        !before.is_same_node(Some(&q(&host, "iframe").unwrap())),
        "a new iframe for the next form (no history entry)"
    );
    assert_eq!(text(&host, ".sw-step"), "Form 2 of 2");
    assert!(
        q(&host, ".sw-next").is_none(),
        "no end panel before the last form"
    );
    let e = submitted_events();
    assert_eq!(e.len(), 1);
    assert!(
        e[0].1.contains(r#""backgroundCheckId":"bc-7""#)
            && e[0].1.contains(r#""step":1"#)
            && e[0].1.contains(r#""total":2"#),
        "{}",
        e[0].1
    );
    post_message(&host, DOMAIN, &loaded_msg());
    wait_for("loaded", || !loading(&host)).await;

    post_message(&host, "http://evil.test", &submitted);
    tick().await;
    assert_eq!(submitted_events().len(), 1);
    assert!(q(&host, ".sw-next").is_none());
    post_message(&host, DOMAIN, &submitted);
    wait_for("next steps", || q(&host, ".sw-next").is_some()).await;
    let e = submitted_events();
    assert_eq!(e.len(), 2);
    assert!(
        e[1].1.contains(r#""step":2"#) && e[1].1.contains(r#""total":2"#),
        "{}",
        e[1].1
    );
    assert_eq!(stub.calls_to("GET", "/widget/orders/bc-7/apply").len(), 1);
    handle.unmount();
}

/// Counts `message` listeners added to / removed from `window` while installed.
struct ListenerSpy {
    active: Rc<RefCell<Vec<JsValue>>>,
    _add: Closure<dyn FnMut(JsValue, JsValue, JsValue)>,
    _remove: Closure<dyn FnMut(JsValue, JsValue, JsValue)>,
}

impl ListenerSpy {
    fn install() -> ListenerSpy {
        let win = web_sys::window().unwrap();
        let active: Rc<RefCell<Vec<JsValue>>> = Default::default();
        let orig_add: Function = Reflect::get(&win, &"addEventListener".into())
            .unwrap()
            .unchecked_into();
        let orig_remove: Function = Reflect::get(&win, &"removeEventListener".into())
            .unwrap()
            .unchecked_into();
        let (a, w) = (active.clone(), win.clone());
        let add = Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(
            move |t: JsValue, cb: JsValue, o: JsValue| {
                if t.as_string().as_deref() == Some("message") {
                    a.borrow_mut().push(cb.clone());
                }
                orig_add.call3(&w, &t, &cb, &o).unwrap();
            },
        );
        let (a, w) = (active.clone(), win.clone());
        let remove = Closure::<dyn FnMut(JsValue, JsValue, JsValue)>::new(
            move |t: JsValue, cb: JsValue, o: JsValue| {
                if t.as_string().as_deref() == Some("message") {
                    a.borrow_mut().retain(|x| !js_sys::Object::is(x, &cb));
                }
                orig_remove.call3(&w, &t, &cb, &o).unwrap();
            },
        );
        Reflect::set(&win, &"addEventListener".into(), add.as_ref()).unwrap();
        Reflect::set(&win, &"removeEventListener".into(), remove.as_ref()).unwrap();
        ListenerSpy {
            active,
            _add: add,
            _remove: remove,
        }
    }

    fn count(&self) -> usize {
        self.active.borrow().len()
    }
}

impl Drop for ListenerSpy {
    fn drop(&mut self) {
        let win = web_sys::window().unwrap();
        Reflect::delete_property(&win, &"addEventListener".into()).unwrap();
        Reflect::delete_property(&win, &"removeEventListener".into()).unwrap();
    }
}

#[wasm_bindgen_test]
async fn no_message_listener_survives_many_mount_unmount_cycles() {
    let spy = ListenerSpy::install();
    let stub = Stub::new();
    stub.route("POST", "/widget/tokens/report", vec![token("tok")]);
    for i in 0..25 {
        let host = host();
        let mut handle = screening_widget::mount(
            &host,
            config(
                &stub,
                &[
                    ("mode", "report".into()),
                    ("backgroundCheckId", "bc-1".into()),
                ],
            ),
        )
        .unwrap();
        wait_for("the listener", || handle.listener_count() == 1).await;
        assert_eq!(
            spy.count(),
            1,
            "cycle {i}: one window listener while mounted"
        );
        handle.unmount();
        // Removed synchronously by unmount, not later by the scheduler.
        assert_eq!(spy.count(), 0, "cycle {i}: none after unmount");
        assert_eq!(handle.listener_count(), 0);
        host.remove();
    }
    // After unmount a Yardstik message triggers nothing (no token request).
    let before = stub.calls_to("POST", "/widget/tokens/report").len();
    post_message_from(
        None,
        DOMAIN,
        &JsValue::from_str(r#"{"name":"yardstik:tokenExpiration"}"#),
    );
    tick().await;
    assert_eq!(stub.calls_to("POST", "/widget/tokens/report").len(), before);
    assert_eq!(spy.count(), 0);
}

#[wasm_bindgen_test]
async fn unmount_while_the_token_is_in_flight_leaves_nothing_behind() {
    let spy = ListenerSpy::install();
    let stub = Stub::new();
    stub.route("POST", "/widget/tokens/report", vec![token("late")]);
    let host = host();
    let events = record_events(&host);
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "report".into()),
                ("backgroundCheckId", "bc-1".into()),
            ],
        ),
    )
    .unwrap();
    handle.unmount();
    for _ in 0..5 {
        tick().await;
    }
    assert_eq!(spy.count(), 0);
    assert!(
        events.borrow().is_empty(),
        "no event after unmount: {:?}",
        events.borrow()
    );
    assert!(q(&host, "iframe").is_none());
}

#[wasm_bindgen_test]
fn an_invalid_config_throws_a_helpful_error() {
    let stub = Stub::new();
    let host = host();
    let err = screening_widget::mount(&host, config(&stub, &[("mode", "report".into())]))
        .err()
        .expect("report mode without an id is refused");
    let err: JsValue = err.into();
    let message = Reflect::get(&err, &"message".into())
        .unwrap()
        .as_string()
        .unwrap();
    assert!(message.contains("backgroundCheckId"), "{message}");
    assert!(screening_widget::mount(&host, config(&stub, &[("mode", "bogus".into())])).is_err());
}

/// The profile origin of the apply pages in these tests (Yardstik's `profile.yardstik.com`).
const PROFILE: &str = "http://127.0.0.1:10";

#[wasm_bindgen_test]
async fn apply_mode_takes_each_forms_origin_from_its_own_link() {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc-8/apply",
        vec![Reply::Json(
            200,
            format!(
                r#"{{"apply_url":"{PROFILE}/apply/inv-1","domain":"{PROFILE}","origins":["{DOMAIN}","{PROFILE}"],"background_check_id":"bc-8","steps":[
                {{"package_id":"PKG002","add_on":false,"apply_url":"{PROFILE}/apply/inv-1","origin":"{PROFILE}"}},
                {{"package_id":"DRG01","add_on":true,"apply_url":"{DOMAIN}/apply/inv-2","origin":"{DOMAIN}"}}]}}"#
            ),
        )],
    );
    let host = host();
    let mut handle = screening_widget::mount(
        &host,
        config(
            &stub,
            &[
                ("mode", "apply".into()),
                ("backgroundCheckId", "bc-8".into()),
            ],
        ),
    )
    .unwrap();
    wait_for("the iframe", || q(&host, "iframe").is_some()).await;
    assert_eq!(src(&host), format!("{PROFILE}/apply/inv-1"));
    let submitted = JsValue::from_str(r#"{"name":"yardstik:form_submitted"}"#);
    // The first form is on the profile origin: the app origin's message is not its.
    post_message(&host, DOMAIN, &submitted);
    tick().await;
    assert_eq!(src(&host), format!("{PROFILE}/apply/inv-1"));
    post_message(&host, PROFILE, &submitted);
    wait_for("the second intake", || src(&host).ends_with("/apply/inv-2")).await;
    // The second is on the app origin: now the profile origin's message is not its.
    post_message(&host, PROFILE, &submitted);
    tick().await;
    assert!(q(&host, ".sw-next").is_none());
    post_message(&host, DOMAIN, &submitted);
    wait_for("next steps", || q(&host, ".sw-next").is_some()).await;
    handle.unmount();
}

#[wasm_bindgen_test]
async fn apply_links_that_are_not_yardstik_pages_are_refused_and_never_rendered() {
    let w = web_sys::window().unwrap();
    for (n, link) in [
        "javascript:window.top.__sw_pwned=1",
        "data:text/html,<script>window.top.__sw_pwned=1</script>",
        "https://evil.test/apply/inv-1",
        "http://user@127.0.0.1:10/apply/inv-1",
    ]
    .into_iter()
    .enumerate()
    {
        let bcid: &'static str = Box::leak(format!("bc-r{n}").into_boxed_str());
        let path: &'static str = Box::leak(format!("/widget/orders/{bcid}/apply").into_boxed_str());
        let stub = Stub::new();
        stub.route(
            "GET",
            path,
            vec![Reply::Json(
                200,
                format!(
                    r#"{{"apply_url":"{link}","domain":"{PROFILE}","origins":["{DOMAIN}","{PROFILE}"],"background_check_id":"{bcid}","steps":[
                    {{"package_id":"PKG002","add_on":false,"apply_url":"{PROFILE}/apply/inv-0","origin":"{PROFILE}"}},
                    {{"package_id":"DRG01","add_on":true,"apply_url":"{link}","origin":"{PROFILE}"}}]}}"#
                ),
            )],
        );
        let host = host();
        let events = record_events(&host);
        let mut handle = screening_widget::mount(
            &host,
            config(
                &stub,
                &[("mode", "apply".into()), ("backgroundCheckId", bcid.into())],
            ),
        )
        .unwrap();
        wait_for("the refusal", || q(&host, ".sw-panel.is-error").is_some()).await;
        assert!(
            q(&host, "iframe").is_none(),
            "{link}: nothing is framed, not even the good step"
        );
        assert!(
            q(&host, "a[href^='javascript'], a[href^='data']").is_none(),
            "{link}: no link to it either"
        );
        assert!(
            text(&host, ".sw-notice-message").contains("not a page on one of Yardstik's origins"),
            "{link}: {}",
            text(&host, ".sw-notice-message")
        );
        assert!(
            events
                .borrow()
                .iter()
                .any(|(t, d)| t == "screening:error" && d.contains("refused_link")),
            "{link}: {:?}",
            events.borrow()
        );
        for _ in 0..10 {
            sleep_ms(20).await;
        }
        assert!(
            Reflect::get(&w, &"__sw_pwned".into())
                .unwrap()
                .is_undefined(),
            "{link}: no script ran"
        );
        handle.unmount();
    }
}
