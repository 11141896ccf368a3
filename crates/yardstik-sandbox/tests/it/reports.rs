use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};

#[tokio::test]
async fn post_reports_then_complete_gives_the_full_seed_shape() {
    let sb = start().await;
    let c = sb
        .candidate(KEY_A, "Hank", "Consider", "hank@example.com")
        .await;
    let r = sb
        .post("/reports", KEY_A, json!({"candidate_id": c["id"], "account_package_id": PKG_STANDARD, "external_id": "ext-1"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["status"], "created");
    assert_eq!(r.body["external_id"], "ext-1");
    assert!(r.body["meta"]["apply"]
        .as_str()
        .unwrap()
        .starts_with(sb.handle.app_origin()));
    let id = r.body["id"].as_str().unwrap().to_string();

    let done = sb
        .post(&format!("/sandbox/reports/{id}/complete"), KEY_A, json!({}))
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    assert_eq!(done.body["status"], "processing");
    let rep = sb
        .wait_report(KEY_A, &id, |b| b["status"] == "consider")
        .await;

    for f in [
        "id",
        "reference_id",
        "candidate_id",
        "status",
        "response_status",
        "submitted_at",
        "completed_at",
        "created_at",
        "decision",
        "usage_amount",
        "process_sequentially",
        "created_by",
        "permissible_purpose",
        "candidate",
        "account_id",
        "account_name",
        "report_url",
        "adverse_action_id",
        "report_screenings",
        "report_screenings_total",
        "report_screenings_completed",
        "elapsed_timing",
        "package_name",
        "comments",
        "course",
        "meta",
        "adverse_action_settings",
    ] {
        assert!(rep.get(f).is_some(), "report field {f}");
    }
    assert_eq!(
        rep["adverse_action_settings"],
        json!({"mandatory_selection_of_violations": false})
    );
    assert_eq!(rep["permissible_purpose"]["name"], "Employment");
    assert_eq!(rep["candidate"]["full_name"], "Hank Consider");
    assert!(rep["candidate"].get("full_address").is_some());
    assert!(rep["completed_at"].is_string() && rep["submitted_at"].is_string());
    assert_eq!(rep["package_name"], "Standard");
    assert_eq!(rep["report_screenings_total"], 2);
    let screenings = rep["report_screenings"].as_array().unwrap();
    for s in screenings {
        for f in [
            "id",
            "type",
            "label",
            "name",
            "status",
            "order",
            "decision",
            "response_status",
            "created_at",
            "records",
            "comments",
        ] {
            assert!(s.get(f).is_some(), "screening field {f}");
        }
    }
    let consider: Vec<&Value> = screenings
        .iter()
        .filter(|s| s["status"] == "consider")
        .collect();
    assert_eq!(consider.len(), 1);
    let violations: Vec<&Value> = consider[0]["records"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["violations"].as_array().unwrap().iter())
        .collect();
    assert!(violations.len() >= 2);
    assert_eq!(violations[0]["description"], "Felony");
    assert_eq!(violations[0]["name_on_record"], "CONSIDER, HANK");
    assert!(
        violations[0].get("disposition").is_some()
            && violations[0].get("disposition_date").is_some()
    );
    assert!(violations.iter().all(|v| v["description"].is_string()));

    let l = sb.get("/reports", KEY_A).await;
    assert_eq!(l.body["object"], "list");
    assert_eq!(l.body["data"][0]["id"], json!(id));
}

#[tokio::test]
async fn post_reports_errors() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    assert_error_shape(&sb.post("/reports", KEY_A, json!({})).await, 422);
    assert_error_shape(
        &sb.post(
            "/reports",
            KEY_A,
            json!({"candidate_id": c["id"], "account_package_id": "nope"}),
        )
        .await,
        404,
    );
    let r = sb.get("/reports/INVALID_REPORT_ID", KEY_A).await;
    // exactly the reference's example error
    assert_eq!(
        r.body,
        json!({"title": "Report Not Found", "detail": "The report was not found", "meta": {"report_id": "INVALID_REPORT_ID"}, "src": {}, "status": 404})
    );
}
