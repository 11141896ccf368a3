#![cfg(target_arch = "wasm32")]
//! `src/json.rs` (the widget's serde adapter over the browser's `JSON`) against serde_json:
//! every wire type the widget sends or receives, both ways; integer widths; and values JSON
//! cannot carry, which are errors instead of an empty body.

use screening_widget::json;
use screening_wire::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fmt::Debug;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// `text` read by serde_json is the reference value: json.rs must write JSON equal to
/// serde_json's for it, read serde_json's text back to the same value, and its own text must
/// read back (through serde_json) to the same value.
fn both_ways<T>(text: &str)
where
    T: Serialize + DeserializeOwned + PartialEq + Debug,
{
    let reference: T = serde_json::from_str(text).expect("the sample is a valid T");
    let ours = json::to_string(&reference).expect("json.rs writes it");
    let as_value: serde_json::Value = serde_json::from_str(&ours).unwrap();
    assert_eq!(
        numbers_as_f64(as_value),
        numbers_as_f64(serde_json::to_value(&reference).unwrap()),
        "json.rs writes what serde_json writes, for {}",
        std::any::type_name::<T>()
    );
    assert_eq!(serde_json::from_str::<T>(&ours).unwrap(), reference);
    let theirs = serde_json::to_string(&reference).unwrap();
    assert_eq!(
        json::from_str::<T>(&theirs)
            .unwrap_or_else(|e| panic!("json.rs reads {}: {e}", std::any::type_name::<T>())),
        reference
    );
    // And from a JS value, as the API client reads answers.
    let js = js_sys::JSON::parse(&theirs).unwrap();
    assert_eq!(json::from_js::<T>(js).unwrap(), reference);
}

/// JSON has one number type: `0` and `0.0` are the same value (JS writes `0` for both).
fn numbers_as_f64(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match v {
        Value::Number(n) => Value::from(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.into_iter().map(numbers_as_f64).collect()),
        Value::Object(o) => {
            Value::Object(o.into_iter().map(|(k, v)| (k, numbers_as_f64(v))).collect())
        }
        v => v,
    }
}

const APPLICANT: &str = r#"{"id":"12345","first_name":"John","last_name":"Doe","phone":"888-555-1234",
  "email":"john.doe@example.com","address":"123 Main St.","address_2":"Apt. 1","city":"Springfield",
  "state":"IL","zip":"12345"}"#;

#[wasm_bindgen_test]
fn what_the_widget_sends() {
    both_ways::<WidgetOrderRequest>(&format!(
        r#"{{"background_check_id":"w-1","package_id":"PKG001","add_on_package_ids":["DRG01","DRG02"],
        "applicant":{APPLICANT},"hiring_manager":{{"id":"hm-1","first_name":"Ann","last_name":"Lee","email":"ann@example.com"}}}}"#
    ));
    both_ways::<WidgetOrderRequest>(
        r#"{"package_id":"PKG001","applicant":{"first_name":"Jo","last_name":"Ng","email":"jo@example.com"}}"#,
    );
    both_ways::<Applicant>(APPLICANT);
    both_ways::<HiringManager>(r#"{"id":"hm-1"}"#);
    both_ways::<ReportTokenRequest>(r#"{"background_check_id":"bc-1","report_id":"rep-1"}"#);
    both_ways::<ReportTokenRequest>(r#"{}"#);
    both_ways::<SessionRequest>(
        r#"{"applicant_id":"a-1","background_check_id":"bc-1","ttl_seconds":900,
        "capabilities":["order","review","candidate","disclosures"],"reviewer_id":"u-9"}"#,
    );
    both_ways::<SessionRequest>(r#"{}"#);
    both_ways::<StartAdverseAction>(
        r#"{"violations":["rep-1:v-1","rep-2:v-3"],"custom_reason":"Theft","explanation":"Recent."}"#,
    );
    both_ways::<StartAdverseAction>(r#"{"violations":[]}"#);
}

#[wasm_bindgen_test]
fn what_the_widget_receives() {
    both_ways::<PackageList>(
        r#"{"packages":[{"id":"PKG001","name":"Basic","price":"29.99","description":"d","screenings":["a","b"]},
        {"id":"PKG003","name":"Deluxe"}],
        "add_on_packages":[{"id":"DRG01","name":"Drug","price":"29.99","description":"7 panel"}]}"#,
    );
    both_ways::<PackageList>(r#"{"packages":[]}"#);
    both_ways::<OrderState>(
        r#"{"background_check_id":"bc-1","status":"form_completed","result":"Consider",
        "result_link_url":"https://x.test/r","package_id":"PKG002","add_on_package_ids":["DRG02"],
        "items":[{"package_id":"PKG002","add_on":false,"status":"complete","result":"Pass",
          "invitation_status":"completed","report_status":"clear","report_id":"rep-1"},
          {"package_id":"DRG02","add_on":true,"status":"pending","result":null}],
        "history":[{"at":"2026-11-22T03:00:00Z","status":"invited"},
          {"at":"2026-11-23T03:00:00Z","status":"complete","result":"Fail","detail":"x"}],
        "created_at":"2026-11-22T03:00:00Z","updated_at":"2026-11-23T03:00:00Z"}"#,
    );
    for status in CheckStatus::ALL {
        both_ways::<OrderState>(&format!(
            r#"{{"background_check_id":"b","status":"{}","result":null,"result_link_url":null,
            "package_id":"P","created_at":"t","updated_at":"t"}}"#,
            status.as_str()
        ));
    }
    both_ways::<ErrorBody>(
        r#"{"error_message":"Invalid.","code":"validation","field_errors":[{"field":"applicant.zip","message":"ZIP."}]}"#,
    );
    for code in [
        "unauthorized",
        "session_expired",
        "forbidden",
        "not_found",
        "bad_request",
        "validation",
        "conflict",
        "payload_too_large",
        "unsupported_media_type",
        "rate_limited",
        "upstream_rejected",
        "upstream_unavailable",
        "internal",
    ] {
        both_ways::<ErrorBody>(&format!(r#"{{"error_message":"m","code":"{code}"}}"#));
    }
    both_ways::<SessionResponse>(
        r#"{"token":"t","expires_at":"2026-11-22T03:15:00Z","expires_in":900}"#,
    );
    both_ways::<ReportToken>(r#"{"token":"jwt","domain":"https://app.test","report_id":"rep-1"}"#);
    both_ways::<DisclosuresToken>(
        r#"{"token":"jwt","domain":"https://app.test","account_id":"a"}"#,
    );
    both_ways::<ApplyLink>(
        r#"{"apply_url":"https://app.test/a/1","domain":"https://app.test","background_check_id":"bc",
        "steps":[{"package_id":"P","add_on":false,"apply_url":"https://app.test/a/1"},
                 {"package_id":"D","add_on":true,"apply_url":"https://app.test/a/2"}]}"#,
    );
    both_ways::<Decision>(
        r#"{"background_check_id":"bc","report_id":"rep","report_status":"pre_adverse","candidate_state":"CA",
        "screenings":[{"name":"County","status":"consider","violations":[{"id":"v1","description":"Theft",
          "disposition":"Convicted","date":"2019-01-01","jurisdiction":"CA"}]},{"name":"SSN","violations":[]}],
        "violations_required":true,"explanation_required":"California requires it.",
        "adverse_action":{"id":"aa","status":"pending","violations":["v1"],"custom_reason":"r",
          "explanation":"e","created_at":"t","scheduled_final_at":"t2"},
        "can_proceed":false,"can_start_adverse_action":false,"can_cancel_adverse_action":true}"#,
    );
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Widths {
    a: i8,
    b: i16,
    c: i32,
    d: i64,
    e: u8,
    f: u16,
    g: u32,
    h: u64,
    i: f32,
    j: f64,
    k: char,
    l: Option<u16>,
    m: Vec<i32>,
}

#[wasm_bindgen_test]
fn every_integer_width_and_float_reads_and_writes() {
    both_ways::<Widths>(
        r#"{"a":-128,"b":-32768,"c":-2147483648,"d":-9007199254740991,"e":255,"f":65535,
        "g":4294967295,"h":9007199254740991,"i":1.5,"j":-0.25,"k":"é","l":7,"m":[1,-2,3]}"#,
    );
    both_ways::<Widths>(
        r#"{"a":127,"b":32767,"c":2147483647,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0.0,"j":1e300,"k":"x","l":null,"m":[]}"#,
    );
    // Out of range and fractional values are errors, not wrapped or truncated numbers.
    let bad = r#"{"a":128,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0,"k":"x","l":null,"m":[]}"#;
    assert!(json::from_str::<Widths>(bad).is_err());
    let bad = bad
        .replace(r#""a":128"#, r#""a":0"#)
        .replace(r#""f":0"#, r#""f":1.5"#);
    assert!(json::from_str::<Widths>(&bad).is_err());
}

#[derive(Serialize)]
enum Shape {
    Square { side: u32 },
}

#[wasm_bindgen_test]
fn what_json_cannot_carry_is_an_error_not_an_empty_body() {
    #[derive(Serialize)]
    struct Num {
        x: f64,
    }
    assert!(json::to_string(&Num { x: f64::NAN }).is_err());
    assert!(json::to_string(&Num { x: f64::INFINITY }).is_err());
    assert!(
        json::to_string(&(1u64 << 60)).is_err(),
        "beyond 2^53 a JS number changes it"
    );
    assert!(json::to_string(&Shape::Square { side: 2 }).is_err());
    assert_eq!(json::to_string(&Num { x: 2.5 }).unwrap(), r#"{"x":2.5}"#);
}
