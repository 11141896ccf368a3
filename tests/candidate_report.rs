//! Apply mode's candidate report: a finished package's report rendered by the widget (no
//! iframe, no Yardstik token): a heading per screening, records and violations in plain
//! words, dates in the reader's locale, "What you can do" with the contact, focus moved to
//! the heading and back, a print layout without the buttons, readable at 375 px.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const NO_INTAKE: &str = r#"{"error_message":"Every form is submitted.","code":"conflict"}"#;

const PROGRESS: &str = r#"{"background_check_id":"bc-r","packages":[
  {"package_id":"PKG002","name":"Standard Package","add_on":false,"stage":"done"},
  {"package_id":"DRG01","name":"Basic Drug Screening","add_on":true,"stage":"done"}]}"#;

const REPORT: &str = r#"{"background_check_id":"bc-r","packages":[
  {"package_id":"PKG002","add_on":false,"report_status":"consider","complete":true,
   "completed_at":"2026-11-20T15:04:05Z","screenings":[
    {"name":"National Criminal Search","status":"consider","records":[
      {"source":"NEW YORK","violations":[
        {"description":"Felony","offense":"1. Possession Of Schedule 4 Substance","disposition":"Guilty","date":"2021-03-20","jurisdiction":"Kings County, NY"},
        {"description":"Misdemeanor <img src=x> & \"more\"","date":"2019-01-02"}]}]},
    {"name":"SSN Trace","status":"clear","records":[{"source":"SSN TRACE","violations":[]}]}]},
  {"package_id":"DRG01","add_on":true,"report_status":"clear","complete":true,"screenings":[
    {"name":"7 Panel Drug Test","status":"clear","records":[]}]}],
  "contact":{"name":"Demo Staffing Co","email":"support@demo.example","phone":"541-555-4376"}}"#;

fn stub(report: Vec<Reply>) -> Stub {
    let stub = Stub::new();
    stub.route(
        "GET",
        "/widget/orders/bc-r/apply",
        vec![Reply::Json(409, NO_INTAKE.into())],
    )
    .route(
        "GET",
        "/widget/orders/bc-r/progress",
        vec![Reply::Json(200, PROGRESS.into())],
    )
    .route("GET", "/widget/orders/bc-r/report", report);
    stub
}

fn mount_in(stub: &Stub, host: &web_sys::Element) -> screening_widget::WidgetHandle {
    screening_widget::mount(
        host,
        config(
            stub,
            &[
                ("mode", "apply".into()),
                ("backgroundCheckId", "bc-r".into()),
            ],
        ),
    )
    .unwrap()
}

fn focused_id(host: &web_sys::Element) -> String {
    focused(host).map(|e| e.id()).unwrap_or_default()
}

/// The date as the reader's browser writes it (what the widget must show).
fn local_date(raw: &str, utc: bool) -> String {
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"dateStyle".into(), &"long".into()).unwrap();
    if utc {
        Reflect::set(&opts, &"timeZone".into(), &"UTC".into()).unwrap();
    }
    js_sys::Date::new(&raw.into())
        .to_locale_date_string("default", &opts)
        .into()
}

#[wasm_bindgen_test]
async fn a_finished_package_opens_its_report_in_the_widget_and_focus_comes_back() {
    let stub = stub(vec![Reply::Json(200, REPORT.into())]);
    let host = host();
    // A phone-sized column.
    host.set_attribute("style", "width:375px").unwrap();
    let mut handle = mount_in(&stub, &host);
    wait_for("done", || q(&host, "#sw-open-0").is_some()).await;
    assert!(stub.calls_to("GET", "/report").is_empty(), "read on demand");
    click(&host, "#sw-open-0");
    wait_for("the report", || q(&host, ".sw-screening").is_some()).await;
    wait_for("focus on the heading", || {
        focused_id(&host) == "sw-report-h"
    })
    .await;
    assert_eq!(
        text(&host, "h2#sw-report-h"),
        "Your background check report"
    );
    assert_eq!(text(&host, ".sw-report-pkg"), "Standard Package");
    assert!(q(&host, "#sw-cand-h").is_none() && q(&host, ".sw-cand-list").is_none());

    // A heading per screening of this package only, records in words.
    let headings: Vec<String> = qa(&host, ".sw-screening h3")
        .iter()
        .map(|h| h.text_content().unwrap())
        .collect();
    assert_eq!(headings, ["National Criminal Search", "SSN Trace"]);
    let crim = text(&host, ".sw-screening");
    assert!(crim.contains("Status: Records found"), "{crim}");
    assert!(crim.contains("Record from NEW YORK"), "{crim}");
    let violations = qa(&host, ".sw-violation");
    assert_eq!(violations.len(), 2);
    let felony = violations[0].text_content().unwrap();
    for want in [
        "Felony",
        "Offense",
        "1. Possession Of Schedule 4 Substance",
        "Outcome",
        "Guilty",
        "Where",
        "Kings County, NY",
    ] {
        assert!(felony.contains(want), "{want} in {felony}");
    }
    // A bare date is a calendar day: the reader's locale, never shifted by a time zone.
    let day = local_date("2021-03-20", true);
    assert!(felony.contains(&day), "{day} in {felony}");
    assert!(!felony.contains("2021-03-20"), "{felony}");
    let misdemeanor = violations[1].text_content().unwrap();
    assert!(
        !misdemeanor.contains("Offense"),
        "absent facts are left out"
    );
    // The server's text is text, never markup.
    assert!(
        misdemeanor.contains("Misdemeanor <img src=x> & \"more\""),
        "{misdemeanor}"
    );
    assert!(qa(&host, ".sw-report img").is_empty());
    let clear = qa(&host, ".sw-screening")[1].text_content().unwrap();
    assert!(
        clear.contains("No records found."),
        "a clear screening: {clear}"
    );
    assert!(
        !clear.contains("SSN TRACE"),
        "a search that found nothing is no record: {clear}"
    );
    let done = text(&host, ".sw-report time");
    assert_eq!(done, local_date("2026-11-20T15:04:05Z", false));
    assert_eq!(
        q(&host, ".sw-report time")
            .unwrap()
            .get_attribute("datetime")
            .as_deref(),
        Some("2026-11-20T15:04:05Z")
    );
    assert!(text(&host, ".sw-outcome").contains("employer will review"));

    // What you can do, and whom to contact.
    let rights = text(&host, ".sw-rights");
    assert_eq!(text(&host, ".sw-rights h3"), "What you can do");
    assert!(rights.contains("Fair Credit Reporting Act"), "{rights}");
    assert!(rights.contains("How to dispute this report"), "{rights}");
    assert!(rights.contains("Demo Staffing Co"), "{rights}");
    assert_eq!(
        q(&host, ".sw-contact a[href='mailto:support@demo.example']")
            .unwrap()
            .text_content()
            .as_deref(),
        Some("support@demo.example")
    );
    assert!(q(&host, ".sw-contact a[href='tel:541-555-4376']").is_some());

    // Nothing wider than the phone's column.
    let report = q(&host, ".sw-report").unwrap();
    assert!(
        report.scroll_width() <= 375,
        "the report is {} px wide",
        report.scroll_width()
    );

    // Never an iframe, never a Yardstik token.
    assert!(q(&host, "iframe").is_none());
    assert!(stub.calls_to("POST", "/widget/tokens/report").is_empty());
    assert_eq!(stub.calls_to("GET", "/report").len(), 1);

    // Back: the list again, focus on the button that opened the report.
    click(&host, "#sw-report-back");
    wait_for("the list", || q(&host, ".sw-cand-list").is_some()).await;
    wait_for("focus back", || focused_id(&host) == "sw-open-0").await;
    assert!(q(&host, ".sw-report").is_none());

    // The add-on's report: its own screenings.
    click(&host, "#sw-open-1");
    wait_for("the add-on's report", || {
        text(&host, ".sw-screening h3") == "7 Panel Drug Test"
    })
    .await;
    assert_eq!(text(&host, ".sw-report-pkg"), "Basic Drug Screening");
    assert!(text(&host, ".sw-outcome").contains("found nothing"));
    handle.unmount();
}

#[wasm_bindgen_test]
async fn print_gives_the_report_without_the_buttons() {
    let stub = stub(vec![Reply::Json(200, REPORT.into())]);
    let host = host();
    let mut handle = mount_in(&stub, &host);
    wait_for("done", || q(&host, "#sw-open-0").is_some()).await;
    click(&host, "#sw-open-0");
    wait_for("the report", || q(&host, ".sw-screening").is_some()).await;

    // The shadow root's stylesheet has a print rule hiding the chrome.
    let root = host.shadow_root().unwrap();
    let sheets = root.adopted_style_sheets();
    assert_eq!(sheets.length(), 1);
    let rules = Reflect::get(&sheets.get(0), &"cssRules".into()).unwrap();
    let n = Reflect::get(&rules, &"length".into())
        .unwrap()
        .as_f64()
        .unwrap() as u32;
    let mut hidden: Vec<String> = Vec::new();
    for i in 0..n {
        let rule = Reflect::get(&rules, &i.into()).unwrap();
        let media = Reflect::get(&rule, &"media".into()).unwrap();
        if media.is_undefined()
            || Reflect::get(&media, &"mediaText".into())
                .unwrap()
                .as_string()
                .as_deref()
                != Some("print")
        {
            continue;
        }
        let inner = Reflect::get(&rule, &"cssRules".into()).unwrap();
        let m = Reflect::get(&inner, &"length".into())
            .unwrap()
            .as_f64()
            .unwrap() as u32;
        for j in 0..m {
            let r = Reflect::get(&inner, &j.into()).unwrap();
            let style = Reflect::get(&r, &"style".into()).unwrap();
            let get = |k: &str| -> String {
                Reflect::get(&style, &"getPropertyValue".into())
                    .unwrap()
                    .unchecked_into::<Function>()
                    .call1(&style, &k.into())
                    .unwrap()
                    .as_string()
                    .unwrap()
            };
            let priority = Reflect::get(&style, &"getPropertyPriority".into())
                .unwrap()
                .unchecked_into::<Function>()
                .call1(&style, &"display".into())
                .unwrap()
                .as_string()
                .unwrap();
            if get("display") == "none" && priority == "important" {
                let sel = Reflect::get(&r, &"selectorText".into())
                    .unwrap()
                    .as_string()
                    .unwrap();
                hidden.extend(sel.split(',').map(|s| s.trim().to_string()));
            }
        }
    }
    for sel in [".sw-noprint", ".sw-root button", ".sw-status"] {
        assert!(
            hidden.iter().any(|h| h == sel),
            "{sel} hidden in print: {hidden:?}"
        );
    }
    // The buttons and the only chrome around the report are under `.sw-noprint`.
    assert!(q(&host, ".sw-noprint #sw-print").is_some());
    assert!(q(&host, ".sw-noprint #sw-report-back").is_some());
    assert!(q(&host, ".sw-noprint .sw-screening").is_none());

    // "Print / Save as PDF" opens the browser's print dialog.
    let win = web_sys::window().unwrap();
    let orig = Reflect::get(&win, &"print".into()).unwrap();
    let count = std::rc::Rc::new(std::cell::Cell::new(0));
    let c = count.clone();
    let fake = Closure::<dyn FnMut()>::new(move || c.set(c.get() + 1));
    Reflect::set(&win, &"print".into(), fake.as_ref()).unwrap();
    click(&host, "#sw-print");
    Reflect::set(&win, &"print".into(), &orig).unwrap();
    assert_eq!(count.get(), 1);
    handle.unmount();
}

#[wasm_bindgen_test]
async fn a_report_that_could_not_be_read_can_be_tried_again() {
    let stub = stub(vec![
        Reply::Json(
            503,
            r#"{"error_message":"Yardstik is unavailable."}"#.into(),
        ),
        Reply::Json(200, REPORT.into()),
    ]);
    let host = host();
    let mut handle = mount_in(&stub, &host);
    wait_for("done", || q(&host, "#sw-open-0").is_some()).await;
    click(&host, "#sw-open-0");
    wait_for("the error", || q(&host, ".sw-report .is-error").is_some()).await;
    assert!(text(&host, ".sw-report .is-error").contains("Yardstik is unavailable."));
    click(&host, ".sw-report .is-error button");
    wait_for("the report", || q(&host, ".sw-screening").is_some()).await;
    assert_eq!(stub.calls_to("GET", "/report").len(), 2);
    handle.unmount();
}
