//! The ATS document's own samples (quotes normalised to JSON) parse into the wire types and
//! serialise back to the same JSON.

use screening_wire::*;
use serde_json::{json, Value};

fn seed_packages() -> Value {
    json!({
      "packages": [
        {"id": "PKG001", "name": "Basic Package", "price": "29.99",
         "description": "A basic background check screening",
         "screenings": ["Address to Federal Criminal History (7 year)"]},
        {"id": "PKG002", "name": "Standard Package", "price": "49.99",
         "description": "A basic background check screening",
         "screenings": ["Address to Federal Criminal History (7 year)", "Social Security Address/Alias Trace"]},
        {"id": "PKG003", "name": "Deluxe Package", "price": "69.99",
         "description": "A basic background check screening",
         "screenings": ["Address to Federal Criminal History (7 year)", "Social Security Address/Alias Trace",
                        "OFAC Specially Designated Nationals", "USA CriminalSearch and USA Offender"]}
      ],
      "add_on_packages": [
        {"id": "DRG01", "name": "Basic Drug Screening", "price": "29.99",
         "description": "A 7 panel urine test for prohibited substances"},
        {"id": "DRG02", "name": "Comprehensive Drug Screening", "price": "39.99",
         "description": "A comprehensive 10 panel urine test for prohibited substances"}
      ]
    })
}

pub fn seed_order() -> Value {
    json!({
      "account_id": "ACCT123",
      "hiring_manager_user_id": "67890",
      "background_check_id": "224466",
      "package_id": "PKG001",
      "add_on_package_ids": ["DRG02"],
      "webhook_url": "https://api.applicant-tracking.com/yourco_webhooks",
      "hiring_manager": {"id": "67890", "first_name": "Jill", "last_name": "Smith", "email": "jill.smith@example.com"},
      "applicant": {"id": "12345", "first_name": "John", "last_name": "Doe", "phone": "888-555-1234",
                    "email": "john.doe@example.com", "address": "123 Main St.", "address_2": "Apt. 1",
                    "city": "Springfield", "state": "IL", "zip": "12345"},
      "job": {"id": "12345"}
    })
}

#[test]
fn seed_package_list_round_trips() {
    let list: PackageList = serde_json::from_value(seed_packages()).unwrap();
    assert_eq!(list.packages.len(), 3);
    assert_eq!(list.packages[2].screenings.len(), 4);
    assert_eq!(list.add_on_packages[1].price, "39.99");
    assert_eq!(serde_json::to_value(&list).unwrap(), seed_packages());
}

#[test]
fn seed_order_round_trips_and_validates() {
    let order: OrderRequest = serde_json::from_value(seed_order()).unwrap();
    assert_eq!(order.add_on_package_ids, ["DRG02"]);
    assert_eq!(order.applicant.zip.as_deref(), Some("12345"));
    assert_eq!(serde_json::to_value(&order).unwrap(), seed_order());
    assert!(validate::validate_order(&order).is_empty());
}

#[test]
fn order_without_applicant_is_refused_naming_the_fields_an_order_needs() {
    let mut v = seed_order();
    v.as_object_mut().unwrap().remove("applicant");
    let order = serde_json::from_value::<OrderRequest>(v).unwrap();
    let fields: Vec<String> = validate::validate_order(&order)
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            "applicant.first_name",
            "applicant.last_name",
            "applicant.email"
        ]
    );
}

#[test]
fn result_webhook_has_exactly_the_four_seed_fields() {
    let w = ResultWebhook {
        background_check_id: "224466".into(),
        status: CheckStatus::Complete,
        result: Some(CheckResult::Pass),
        result_link_url: Some("https://yourco.com/background_checks/T/results".into()),
    };
    assert_eq!(
        serde_json::to_value(&w).unwrap(),
        json!({"background_check_id": "224466", "status": "complete", "result": "Pass",
               "result_link_url": "https://yourco.com/background_checks/T/results"})
    );
}

#[test]
fn statuses_and_results_serialise_as_documented() {
    for s in CheckStatus::ALL {
        assert_eq!(serde_json::to_value(s).unwrap(), json!(s.as_str()));
        assert_eq!(CheckStatus::parse(s.as_str()), Some(s));
    }
    assert_eq!(
        serde_json::to_value(CheckResult::Consider).unwrap(),
        json!("Consider")
    );
    assert_eq!(
        CheckResult::combine([CheckResult::Pass, CheckResult::Fail, CheckResult::Consider]),
        Some(CheckResult::Fail)
    );
    assert_eq!(CheckResult::combine([]), None);
}

#[test]
fn error_body_carries_error_message_and_omits_empty_extras() {
    assert_eq!(
        serde_json::to_value(ErrorBody::new("nope")).unwrap(),
        json!({"error_message": "nope"})
    );
    let e = ErrorBody::new("expired").with_code(ErrorCode::SessionExpired);
    assert_eq!(
        serde_json::to_value(e).unwrap(),
        json!({"error_message": "expired", "code": "session_expired"})
    );
}

#[test]
fn iframe_urls_match_yardstik_sdk() {
    assert_eq!(
        report_iframe_url("https://app.example.com/", "r1", "t.k.n"),
        "https://app.example.com/embed/report/r1?jwt=t.k.n"
    );
    assert_eq!(
        disclosures_iframe_url("https://app.example.com", "a1", "tok"),
        "https://app.example.com/embed/signDisclosures/a1?jwt=tok"
    );
}

#[test]
fn apply_link_round_trips_its_steps_and_reads_old_answers() {
    let v = json!({
        "apply_url": "https://app.example.com/apply/inv-1",
        "domain": "https://app.example.com",
        "origins": ["https://app.example.com", "https://profile.example.com"],
        "background_check_id": "224466",
        "steps": [
            {"package_id": "PKG001", "add_on": false, "apply_url": "https://app.example.com/apply/inv-1", "origin": "https://app.example.com"},
            {"package_id": "DRG02", "add_on": true, "apply_url": "https://profile.example.com/apply/inv-2", "origin": "https://profile.example.com"}
        ]
    });
    let link: ApplyLink = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(link.steps.len(), 2);
    assert_eq!(
        link.steps[1],
        ApplyStep {
            package_id: "DRG02".into(),
            add_on: true,
            apply_url: "https://profile.example.com/apply/inv-2".into(),
            origin: "https://profile.example.com".into(),
        }
    );
    assert_eq!(serde_json::to_value(&link).unwrap(), v);
    // An answer without `steps` (an older server) still parses, with no steps.
    let old: ApplyLink = serde_json::from_value(
        json!({"apply_url": "u", "domain": "d", "background_check_id": "b"}),
    )
    .unwrap();
    assert!(old.steps.is_empty());
    assert!(old.origins.is_empty());
}
