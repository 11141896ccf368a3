//! Proceed and adverse actions: every rule and refusal, the scheduled move to `final_adverse`
//! (clock moved with the control endpoint), cancel, dispute, the tenancy purpose, tenancy
//! isolation, and the signed webhooks each step sends.

use std::time::Duration;

use crate::common::*;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use yardstik_sandbox::{Fixture, SandboxConfig};

/// A sandbox whose sweep runs often, so a due adverse action finalizes within ~50 ms.
async fn start_fast(fixture: Fixture) -> Sb {
    start_with(SandboxConfig {
        fixture,
        report_delay: Duration::from_millis(30),
        expiry_sweep_interval: Duration::from_millis(40),
        ..SandboxConfig::default()
    })
    .await
}

async fn sb() -> Sb {
    start_fast(Fixture::default_fixture()).await
}

/// A finished report for a new candidate of the account behind `key`: `last` decides the
/// outcome (`Consider` → `consider`, anything else → `clear`); `state` is the candidate's
/// address state. Returns (candidate id, report id).
async fn report_for(
    sb: &Sb,
    key: &str,
    package: &str,
    last: &str,
    state: Option<&str>,
) -> (String, String) {
    let email = format!("c{}@example.com", uuid::Uuid::new_v4());
    let c = sb.candidate(key, "Hank", last, &email).await;
    let cid = c["id"].as_str().unwrap().to_string();
    let i = sb.invitation(key, &cid, package).await;
    let mut body = json!({});
    if let Some(s) = state {
        body = json!({"addresses": [{"line1": "1 Main St", "city": "Somewhere", "state": s, "zip_code": "30301"}]});
    }
    let r = sb
        .post(
            &format!(
                "/sandbox/invitations/{}/complete",
                i["id"].as_str().unwrap()
            ),
            key,
            body,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let rid = i["report"]["id"].as_str().unwrap().to_string();
    let want = if last.to_lowercase().contains("consider") {
        "consider"
    } else {
        "clear"
    };
    sb.wait_report(key, &rid, |b| b["status"] == want).await;
    (cid, rid)
}

async fn consider(sb: &Sb) -> (String, String) {
    report_for(sb, KEY_A, PKG_BASIC, "Consider", None).await
}

async fn create_aa(sb: &Sb, key: &str, rid: &str, body: Value) -> Resp {
    sb.post(&format!("/reports/{rid}/adverse_actions"), key, body)
        .await
}

async fn approve(sb: &Sb, key: &str, cid: &str, body: Value) -> Resp {
    sb.call(
        "PATCH",
        &format!("/candidates/{cid}/approve_by_report"),
        Some(key),
        Some(body),
    )
    .await
}

async fn status_of(sb: &Sb, rid: &str) -> Value {
    let r = sb.get(&format!("/reports/{rid}"), KEY_A).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body
}

/// Register `report.updated` and `report.completed` for account A on a fresh receiver.
async fn report_hooks(sb: &Sb) -> Receiver {
    let rx = receiver(0).await;
    for t in ["report.updated", "report.completed"] {
        register(sb, KEY_A, ACCOUNT_A, t, &format!("{}/{t}", rx.url)).await;
    }
    rx
}

/// Every received webhook is signed with account A's key over its exact bytes and names the
/// right resource; returns the bodies about report `rid`.
fn verified_for(sb: &Sb, rx: &Receiver, rid: &str) -> Vec<Value> {
    let got = rx.got.lock().unwrap().clone();
    let mut out = vec![];
    for r in got {
        assert_eq!(
            r.signature.as_deref(),
            Some(hmac_hex(SIG_A, &r.body).as_str()),
            "signature of {}",
            String::from_utf8_lossy(&r.body)
        );
        let v: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(v["account_id"], ACCOUNT_A);
        assert_eq!(r.path, format!("/report.{}", v["event"].as_str().unwrap()));
        if v["resource_id"] == rid {
            assert_eq!(v["resource_url"], sb.url(&format!("/reports/{rid}")));
            out.push(v);
        }
    }
    out
}

/// Wait (bounded, ~10 s) until account A's delivery log holds at least `min` deliveries and
/// none is pending: every webhook queued so far was answered by the receiver.
async fn settle(sb: &Sb, min: usize) {
    let mut log = vec![];
    for _ in 0..500 {
        let r = sb.get("/sandbox/webhook_deliveries", KEY_A).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        log = r.body["data"].as_array().cloned().unwrap_or_default();
        if log.len() >= min && log.iter().all(|d| d["state"] != "pending") {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("webhook deliveries never settled (want at least {min}): {log:?}");
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap_or_else(|| panic!("not a time: {v}")))
        .unwrap()
        .with_timezone(&Utc)
}

fn errors_of<'a>(r: &'a Resp, field: &str) -> &'a Value {
    &r.body["meta"]["errors"][field]
}

#[tokio::test]
async fn proceed_from_consider_with_webhooks() {
    let sb = sb().await;
    let (cid, rid) = consider(&sb).await;
    let rx = report_hooks(&sb).await;
    let r = approve(&sb, KEY_A, &cid, json!({"report_id": rid})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["object"], "candidate", "answers the candidate");
    assert_eq!(r.body["id"], cid.as_str());
    let rep = status_of(&sb, &rid).await;
    assert_eq!(rep["status"], "proceed");
    assert_eq!(rep["decision"], "Proceed");
    settle(&sb, 1).await;
    let got = verified_for(&sb, &rx, &rid);
    assert_eq!(events_for(&got, "report", "updated"), 1, "{got:?}");
    assert_eq!(
        events_for(&got, "report", "completed"),
        0,
        "already completed at consider: {got:?}"
    );
    // Not twice: the report is no longer in consider.
    let r = approve(&sb, KEY_A, &cid, json!({"report_id": rid})).await;
    assert_error_shape(&r, 422);
    assert!(errors_of(&r, "report_id").is_array(), "{}", r.text);
    // And no adverse action on a proceeded report.
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "x"})).await;
    assert_error_shape(&r, 422);
}

#[tokio::test]
async fn proceed_refusals() {
    let sb = sb().await;
    let (clear_cid, clear_rid) = report_for(&sb, KEY_A, PKG_BASIC, "Smith", None).await;
    let (cid, rid) = consider(&sb).await;
    // from clear → 422, report unchanged
    let r = approve(&sb, KEY_A, &clear_cid, json!({"report_id": clear_rid})).await;
    assert_error_shape(&r, 422);
    assert_eq!(status_of(&sb, &clear_rid).await["status"], "clear");
    // missing / mistyped report_id → 422
    assert_error_shape(&approve(&sb, KEY_A, &cid, json!({})).await, 422);
    assert_error_shape(
        &approve(&sb, KEY_A, &cid, json!({"report_id": [1]})).await,
        422,
    );
    // unknown report, unknown candidate → 404 in the error shape
    let r = approve(&sb, KEY_A, &cid, json!({"report_id": "nope"})).await;
    assert_error_shape(&r, 404);
    assert_eq!(r.body["title"], "Report Not Found");
    let r = approve(&sb, KEY_A, "nope", json!({"report_id": rid})).await;
    assert_error_shape(&r, 404);
    assert_eq!(r.body["title"], "Candidate Not Found");
    // wrong pairing: another candidate's report of the same account → 422
    let r = approve(&sb, KEY_A, &clear_cid, json!({"report_id": rid})).await;
    assert_error_shape(&r, 422);
    assert!(errors_of(&r, "report_id").is_array(), "{}", r.text);
    // other account: its key sees neither A's candidate nor A's report → 404
    assert_error_shape(
        &approve(&sb, KEY_B, &cid, json!({"report_id": rid})).await,
        404,
    );
    let (b_cid, b_rid) = report_for(&sb, KEY_B, PKG_B_BASIC, "Consider", None).await;
    assert_error_shape(
        &approve(&sb, KEY_A, &cid, json!({"report_id": b_rid})).await,
        404,
    );
    assert_error_shape(
        &approve(&sb, KEY_A, &b_cid, json!({"report_id": rid})).await,
        404,
    );
    // PATCH only
    let r = sb
        .post(
            &format!("/candidates/{cid}/approve_by_report"),
            KEY_A,
            json!({"report_id": rid}),
        )
        .await;
    assert_error_shape(&r, 405);
    // nothing moved
    assert_eq!(status_of(&sb, &rid).await["status"], "consider");
    assert_eq!(
        sb.get(&format!("/reports/{b_rid}"), KEY_B).await.body["status"],
        "consider"
    );
}

#[tokio::test]
async fn pre_adverse_with_violations() {
    let sb = sb().await;
    let (cid, rid) = consider(&sb).await;
    let rx = report_hooks(&sb).await;
    // The report's violations (the reference's example shape: no ids, matched by description).
    let rep = status_of(&sb, &rid).await;
    assert_eq!(rep["adverse_action_id"], Value::Null);
    let all: Vec<Value> = rep["report_screenings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["records"].as_array().unwrap().clone())
        .flat_map(|r| r["violations"].as_array().unwrap().clone())
        .collect();
    assert_eq!(all.len(), 3, "{all:?}");
    // a description that is not on the report → 422, nothing changes
    let r = create_aa(
        &sb,
        KEY_A,
        &rid,
        json!({"violations": [{"description": "Jaywalking"}]}),
    )
    .await;
    assert_error_shape(&r, 422);
    assert!(errors_of(&r, "violations").is_array(), "{}", r.text);
    // extra fields narrow the match; one that matches nothing → 422
    let r = create_aa(
        &sb,
        KEY_A,
        &rid,
        json!({"violations": [{"description": "Felony", "case_number": "NOPE"}]}),
    )
    .await;
    assert_error_shape(&r, 422);
    // malformed selections → 422
    for bad in [
        json!({"violations": "Felony"}),
        json!({"violations": [7]}),
        json!({"violations": [{"case_number": "ABCDEFG"}]}),
        json!({"violations": [{"description": ""}]}),
        json!({"custom_reason": ["x"]}),
    ] {
        assert_error_shape(&create_aa(&sb, KEY_A, &rid, bad).await, 422);
    }
    assert_eq!(status_of(&sb, &rid).await["status"], "consider");

    let before = Utc::now();
    let r = create_aa(
        &sb,
        KEY_A,
        &rid,
        json!({"violations": [
            {"description": "Felony", "case_number": "POIUYTREWQ"},
            {"description": "This one Has Only the description"}
        ]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let aa = r.body.clone();
    assert!(aa["id"].is_string());
    assert_eq!(aa["object"], "adverse_action");
    assert_eq!(aa["report_id"], rid.as_str());
    assert_eq!(aa["candidate_id"], cid.as_str());
    assert_eq!(aa["status"], "pending");
    assert_eq!(aa["custom_reason"], Value::Null);
    assert_eq!(aa["explanation"], Value::Null);
    let v = aa["violations"].as_array().unwrap();
    assert_eq!(v.len(), 2, "{aa}");
    assert_eq!(
        v[0]["jurisdiction"], "MINNESOTA",
        "the full violation of the report"
    );
    assert_eq!(v[0]["disposition_date"], "2015-09-18");
    assert_eq!(
        v[1],
        json!({"description": "This one Has Only the description"})
    );
    // scheduled 7 days (the default notification days) after creation
    let created = time(&aa["created_at"]);
    assert!(created >= before - chrono::Duration::seconds(1));
    assert_eq!(
        time(&aa["scheduled_final_at"]) - created,
        chrono::Duration::days(7)
    );
    let rep = status_of(&sb, &rid).await;
    assert_eq!(rep["status"], "pre_adverse");
    assert_eq!(rep["decision"], "Adverse Action");
    assert_eq!(rep["adverse_action_id"], aa["id"]);
    // listed; one at a time (the report is no longer in consider)
    let l = sb
        .get(&format!("/reports/{rid}/adverse_actions"), KEY_A)
        .await;
    assert_eq!(l.status, StatusCode::OK, "{}", l.text);
    assert_eq!(l.body["object"], "list");
    assert_eq!(l.body["data"], json!([aa.clone()]));
    let one = sb
        .get(
            &format!(
                "/reports/{rid}/adverse_actions/{}",
                aa["id"].as_str().unwrap()
            ),
            KEY_A,
        )
        .await;
    assert_eq!(one.body, aa);
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "again"})).await;
    assert_error_shape(&r, 422);
    // pre_adverse: report.updated only (report.completed was sent at consider)
    settle(&sb, 1).await;
    let got = verified_for(&sb, &rx, &rid);
    assert_eq!(events_for(&got, "report", "updated"), 1, "{got:?}");
    assert_eq!(events_for(&got, "report", "completed"), 0, "{got:?}");
    // the same violation named twice is chosen once; the first match by description wins
    let (_, rid2) = consider(&sb).await;
    let r = create_aa(
        &sb,
        KEY_A,
        &rid2,
        json!({"violations": ["Felony", {"description": "felony"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["violations"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["violations"][0]["case_number"], "ABCDEFG");
}

#[tokio::test]
async fn custom_reason_only_and_empty_selection() {
    let sb = sb().await;
    let (_, rid) = consider(&sb).await;
    // nothing chosen, no custom reason → 422 (also blank strings and an empty list)
    for bad in [
        json!({}),
        json!({"violations": []}),
        json!({"violations": null, "custom_reason": "  "}),
        json!({"violations": [], "custom_reason": null, "explanation": "why"}),
    ] {
        let r = create_aa(&sb, KEY_A, &rid, bad).await;
        assert_error_shape(&r, 422);
        assert_eq!(r.body["title"], "Adverse action not created");
        assert!(errors_of(&r, "violations").is_array(), "{}", r.text);
    }
    let l = sb
        .get(&format!("/reports/{rid}/adverse_actions"), KEY_A)
        .await;
    assert_eq!(l.body["data"], json!([]));
    assert_eq!(status_of(&sb, &rid).await["status"], "consider");
    let r = create_aa(
        &sb,
        KEY_A,
        &rid,
        json!({"custom_reason": "Failed the driving test", "explanation": "Safety-sensitive role"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(r.body["violations"], json!([]));
    assert_eq!(r.body["custom_reason"], "Failed the driving test");
    assert_eq!(r.body["explanation"], "Safety-sensitive role");
    assert_eq!(r.body["status"], "pending");
    assert_eq!(status_of(&sb, &rid).await["status"], "pre_adverse");
}

#[tokio::test]
async fn only_from_consider() {
    let sb = sb().await;
    let (_, clear) = report_for(&sb, KEY_A, PKG_BASIC, "Smith", None).await;
    let r = create_aa(&sb, KEY_A, &clear, json!({"custom_reason": "x"})).await;
    assert_error_shape(&r, 422);
    assert_eq!(status_of(&sb, &clear).await["status"], "clear");
    // a report still created (no results)
    let c = sb
        .candidate(KEY_A, "New", "Person", "new.person@example.com")
        .await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let r = create_aa(
        &sb,
        KEY_A,
        i["report"]["id"].as_str().unwrap(),
        json!({"custom_reason": "x"}),
    )
    .await;
    assert_error_shape(&r, 422);
}

fn fixture_with(edit: impl FnOnce(&mut Value)) -> Fixture {
    let mut v: Value =
        serde_json::from_str(yardstik_sandbox::fixture::DEFAULT_FIXTURE_JSON).unwrap();
    edit(&mut v["accounts"][0]);
    Fixture::from_json(&v.to_string()).expect("valid fixture")
}

#[tokio::test]
async fn mandatory_selection_of_violations() {
    let sb = start_fast(fixture_with(|a| {
        a["adverse_action_settings"] = json!({"mandatory_selection_of_violations": true});
    }))
    .await;
    let (_, rid) = consider(&sb).await;
    let rep = status_of(&sb, &rid).await;
    assert_eq!(
        rep["adverse_action_settings"],
        json!({"mandatory_selection_of_violations": true})
    );
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "Not a fit"})).await;
    assert_error_shape(&r, 422);
    assert!(errors_of(&r, "violations").is_array(), "{}", r.text);
    assert_eq!(status_of(&sb, &rid).await["status"], "consider");
    let r = create_aa(
        &sb,
        KEY_A,
        &rid,
        json!({"violations": [{"description": "Felony"}], "custom_reason": "Not a fit"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // account B keeps the default
    let (_, b_rid) = report_for(&sb, KEY_B, PKG_B_BASIC, "Consider", None).await;
    let rep = sb.get(&format!("/reports/{b_rid}"), KEY_B).await.body;
    assert_eq!(
        rep["adverse_action_settings"]["mandatory_selection_of_violations"],
        false
    );
    let r = create_aa(&sb, KEY_B, &b_rid, json!({"custom_reason": "Not a fit"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn georgia_and_california_need_an_explanation() {
    let sb = sb().await;
    for state in ["GA", "CA", "california", "Georgia"] {
        let (_, rid) = report_for(&sb, KEY_A, PKG_BASIC, "Consider", Some(state)).await;
        let rep = status_of(&sb, &rid).await;
        assert_eq!(rep["candidate"]["full_address"]["state"], state);
        let sel = json!([{"description": "Felony"}]);
        for bad in [
            json!({"violations": sel}),
            json!({"violations": sel, "explanation": ""}),
        ] {
            let r = create_aa(&sb, KEY_A, &rid, bad).await;
            assert_error_shape(&r, 422);
            assert!(
                errors_of(&r, "explanation").is_array(),
                "{state}: {}",
                r.text
            );
        }
        assert_eq!(status_of(&sb, &rid).await["status"], "consider");
        let r = create_aa(
            &sb,
            KEY_A,
            &rid,
            json!({"violations": sel, "explanation": "A felony within 7 years bars the role"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{state}: {}", r.text);
        assert_eq!(
            r.body["explanation"],
            "A felony within 7 years bars the role"
        );
    }
    // elsewhere no explanation is needed
    let (_, rid) = report_for(&sb, KEY_A, PKG_BASIC, "Consider", Some("MN")).await;
    let r = create_aa(
        &sb,
        KEY_A,
        &rid,
        json!({"violations": [{"description": "Felony"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}

#[tokio::test]
async fn final_adverse_after_the_clock_moves() {
    let sb = sb().await;
    let (_, rid) = consider(&sb).await;
    let rx = report_hooks(&sb).await;
    let r = create_aa(
        &sb,
        KEY_A,
        &rid,
        json!({"violations": [{"description": "Felony"}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let aa_id = r.body["id"].as_str().unwrap().to_string();
    // Not due: several sweeps later it is still pre_adverse.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(status_of(&sb, &rid).await["status"], "pre_adverse");
    // 6 days pass: still not due.
    let r = sb
        .post(
            &format!("/sandbox/reports/{rid}/advance"),
            KEY_A,
            json!({"days": 6}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(time(&r.body["scheduled_final_at"]) > Utc::now());
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(status_of(&sb, &rid).await["status"], "pre_adverse");
    // one more day: due, the sweep moves it
    let r = sb
        .post(
            &format!("/sandbox/reports/{rid}/advance"),
            KEY_A,
            json!({"days": 1}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(time(&r.body["scheduled_final_at"]) <= Utc::now());
    let rep = sb
        .wait_report(KEY_A, &rid, |b| b["status"] == "final_adverse")
        .await;
    assert_eq!(rep["decision"], "Adverse Action");
    assert_eq!(rep["adverse_action_id"], aa_id.as_str());
    let aa = sb
        .get(&format!("/reports/{rid}/adverse_actions/{aa_id}"), KEY_A)
        .await
        .body;
    assert_eq!(aa["status"], "completed");
    assert!(aa["completed_at"].is_string());
    // webhooks: pre_adverse then final_adverse, both signed
    settle(&sb, 2).await;
    let got = verified_for(&sb, &rx, &rid);
    assert_eq!(events_for(&got, "report", "updated"), 2, "{got:?}");
    assert_eq!(events_for(&got, "report", "completed"), 0, "{got:?}");
    // done: no pending action to advance or cancel
    let r = sb
        .post(
            &format!("/sandbox/reports/{rid}/advance"),
            KEY_A,
            json!({"to_final": true}),
        )
        .await;
    assert_error_shape(&r, 422);
    let r = sb
        .post(
            &format!("/reports/{rid}/adverse_actions/{aa_id}/cancel"),
            KEY_A,
            json!({}),
        )
        .await;
    assert_error_shape(&r, 422);
    assert_eq!(status_of(&sb, &rid).await["status"], "final_adverse");

    // `to_final` does the same in one call
    let (_, rid2) = consider(&sb).await;
    create_aa(&sb, KEY_A, &rid2, json!({"custom_reason": "x"})).await;
    let r = sb
        .post(
            &format!("/sandbox/reports/{rid2}/advance"),
            KEY_A,
            json!({"to_final": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    sb.wait_report(KEY_A, &rid2, |b| b["status"] == "final_adverse")
        .await;
}

#[tokio::test]
async fn advance_refusals() {
    let sb = sb().await;
    let (_, rid) = consider(&sb).await;
    let path = format!("/sandbox/reports/{rid}/advance");
    // no pending action
    assert_error_shape(&sb.post(&path, KEY_A, json!({"days": 7})).await, 422);
    create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "x"})).await;
    for bad in [
        json!({}),
        json!({"days": 0}),
        json!({"days": -3}),
        json!({"days": 1.5}),
        json!({"days": "7"}),
        json!({"to_final": "yes"}),
        json!({"to_final": false}),
    ] {
        assert_error_shape(&sb.post(&path, KEY_A, bad).await, 422);
    }
    // another account's report, an unknown report, no key
    assert_error_shape(&sb.post(&path, KEY_B, json!({"days": 7})).await, 404);
    assert_error_shape(
        &sb.post("/sandbox/reports/nope/advance", KEY_A, json!({"days": 7}))
            .await,
        404,
    );
    assert_error_shape(
        &sb.call("POST", &path, None, Some(json!({"days": 7}))).await,
        401,
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(status_of(&sb, &rid).await["status"], "pre_adverse");
}

#[tokio::test]
async fn notification_days_can_only_be_raised() {
    let sb = start_fast(fixture_with(|a| {
        a["adverse_actions"] = json!({"final_adverse_notification_days": 10});
    }))
    .await;
    let (_, rid) = consider(&sb).await;
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "x"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        time(&r.body["scheduled_final_at"]) - time(&r.body["created_at"]),
        chrono::Duration::days(10)
    );
    // 7 days are not enough here
    sb.post(
        &format!("/sandbox/reports/{rid}/advance"),
        KEY_A,
        json!({"days": 7}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(status_of(&sb, &rid).await["status"], "pre_adverse");
    sb.post(
        &format!("/sandbox/reports/{rid}/advance"),
        KEY_A,
        json!({"days": 3}),
    )
    .await;
    sb.wait_report(KEY_A, &rid, |b| b["status"] == "final_adverse")
        .await;
    // fewer than 7 days is refused when the fixture is loaded
    let mut v: Value =
        serde_json::from_str(yardstik_sandbox::fixture::DEFAULT_FIXTURE_JSON).unwrap();
    v["accounts"][0]["adverse_actions"] = json!({"final_adverse_notification_days": 5});
    assert!(Fixture::from_json(&v.to_string()).is_err());
}

#[tokio::test]
async fn cancel_returns_to_consider_and_never_finalizes() {
    let sb = sb().await;
    let (cid, rid) = consider(&sb).await;
    let rx = report_hooks(&sb).await;
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "x"})).await;
    let aa_id = r.body["id"].as_str().unwrap().to_string();
    let cancel = format!("/reports/{rid}/adverse_actions/{aa_id}/cancel");
    // other account / unknown action → 404
    assert_error_shape(&sb.post(&cancel, KEY_B, json!({})).await, 404);
    let r = sb
        .post(
            &format!("/reports/{rid}/adverse_actions/nope/cancel"),
            KEY_A,
            json!({}),
        )
        .await;
    assert_error_shape(&r, 404);
    assert_eq!(r.body["title"], "Adverse action Not Found");
    let r = sb.post(&cancel, KEY_A, json!({})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["status"], "canceled");
    assert!(r.body["canceled_at"].is_string());
    let rep = status_of(&sb, &rid).await;
    assert_eq!(rep["status"], "consider");
    assert_eq!(rep["adverse_action_id"], Value::Null);
    assert_eq!(rep["decision"], "");
    // twice → 422; nothing pending to advance; the schedule never fires
    assert_error_shape(&sb.post(&cancel, KEY_A, json!({})).await, 422);
    assert_error_shape(
        &sb.post(
            &format!("/sandbox/reports/{rid}/advance"),
            KEY_A,
            json!({"to_final": true}),
        )
        .await,
        422,
    );
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert_eq!(status_of(&sb, &rid).await["status"], "consider");
    let l = sb
        .get(&format!("/reports/{rid}/adverse_actions"), KEY_A)
        .await;
    assert_eq!(l.body["data"][0]["status"], "canceled");
    // webhooks: pre_adverse, back to consider
    settle(&sb, 2).await;
    let got = verified_for(&sb, &rx, &rid);
    assert_eq!(events_for(&got, "report", "updated"), 2, "{got:?}");
    // back in consider: the account may now proceed (or start a new action)
    let r = approve(&sb, KEY_A, &cid, json!({"report_id": rid})).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(status_of(&sb, &rid).await["status"], "proceed");
}

#[tokio::test]
async fn dispute_holds_the_final_adverse_action() {
    let sb = sb().await;
    let (_, rid) = consider(&sb).await;
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "x"})).await;
    let aa_id = r.body["id"].as_str().unwrap().to_string();
    let r = sb
        .post(
            &format!("/sandbox/reports/{rid}/status"),
            KEY_A,
            json!({"status": "dispute"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = sb
        .post(
            &format!("/sandbox/reports/{rid}/advance"),
            KEY_A,
            json!({"to_final": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(status_of(&sb, &rid).await["status"], "dispute");
    let aa = sb
        .get(&format!("/reports/{rid}/adverse_actions/{aa_id}"), KEY_A)
        .await
        .body;
    assert_eq!(aa["status"], "pending", "held, not finalized: {aa}");
}

/// A tenancy account: its default permissible purpose goes straight to `final_adverse`.
fn tenancy_fixture(top_level: bool) -> Fixture {
    fixture_with(|a| {
        let mut pp = json!({"id": "c0000000-0000-4000-8000-00000000000t", "name": "Tenant", "default": true});
        if top_level {
            pp["initial_status"] = json!("final_adverse");
        } else {
            pp["configurations"] = json!({"initial_status": "final_adverse"});
        }
        a["permissible_purposes"] = json!([
            {"id": "c0000000-0000-4000-8000-000000000001", "name": "Employment", "default": false},
            pp
        ]);
    })
}

#[tokio::test]
async fn tenancy_goes_straight_to_final_adverse() {
    for top_level in [true, false] {
        let sb = start_fast(tenancy_fixture(top_level)).await;
        let (_, rid) = consider(&sb).await;
        let rx = report_hooks(&sb).await;
        let rep = status_of(&sb, &rid).await;
        assert_eq!(rep["permissible_purpose"]["name"], "Tenant");
        assert_eq!(
            rep["permissible_purpose"]["configurations"]["initial_status"],
            "final_adverse"
        );
        // a reason is required
        let r = create_aa(&sb, KEY_A, &rid, json!({})).await;
        assert_error_shape(&r, 422);
        assert_eq!(status_of(&sb, &rid).await["status"], "consider");
        let r = create_aa(
            &sb,
            KEY_A,
            &rid,
            json!({"custom_reason": "Income below the requirement"}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(r.body["status"], "completed");
        assert_eq!(r.body["scheduled_final_at"], Value::Null);
        assert!(r.body["completed_at"].is_string());
        // no waiting
        let rep = status_of(&sb, &rid).await;
        assert_eq!(rep["status"], "final_adverse");
        assert_eq!(rep["adverse_action_id"], r.body["id"]);
        let aa_id = r.body["id"].as_str().unwrap();
        assert_error_shape(
            &sb.post(
                &format!("/reports/{rid}/adverse_actions/{aa_id}/cancel"),
                KEY_A,
                json!({}),
            )
            .await,
            422,
        );
        settle(&sb, 1).await;
        let got = verified_for(&sb, &rx, &rid);
        assert_eq!(events_for(&got, "report", "updated"), 1, "{got:?}");
        // a violation alone is a reason too
        let (_, rid2) = consider(&sb).await;
        let r = create_aa(
            &sb,
            KEY_A,
            &rid2,
            json!({"violations": [{"description": "Felony"}]}),
        )
        .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        assert_eq!(status_of(&sb, &rid2).await["status"], "final_adverse");
    }
    // the default fixture's purpose is employment (pre_adverse)
    let sb = sb().await;
    let (_, rid) = consider(&sb).await;
    assert_eq!(
        status_of(&sb, &rid).await["permissible_purpose"]["configurations"]["initial_status"],
        "pre_adverse"
    );
    // an unknown initial_status is refused when the fixture is loaded
    let mut v: Value =
        serde_json::from_str(yardstik_sandbox::fixture::DEFAULT_FIXTURE_JSON).unwrap();
    v["accounts"][0]["permissible_purposes"][0]["initial_status"] = json!("proceed");
    assert!(Fixture::from_json(&v.to_string()).is_err());
}

#[tokio::test]
async fn other_accounts_reports_are_not_found() {
    let sb = sb().await;
    let (_, rid) = consider(&sb).await;
    let r = create_aa(&sb, KEY_B, &rid, json!({"custom_reason": "x"})).await;
    assert_error_shape(&r, 404);
    assert_eq!(r.body["title"], "Report Not Found");
    assert_eq!(r.body["meta"]["report_id"], rid.as_str());
    assert_error_shape(
        &sb.get(&format!("/reports/{rid}/adverse_actions"), KEY_B)
            .await,
        404,
    );
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "x"})).await;
    let aa_id = r.body["id"].as_str().unwrap();
    assert_error_shape(
        &sb.get(&format!("/reports/{rid}/adverse_actions/{aa_id}"), KEY_B)
            .await,
        404,
    );
    // an action id under another report of the same account → 404
    let (_, rid2) = consider(&sb).await;
    assert_error_shape(
        &sb.get(&format!("/reports/{rid2}/adverse_actions/{aa_id}"), KEY_A)
            .await,
        404,
    );
    assert_error_shape(
        &sb.post(
            &format!("/reports/{rid2}/adverse_actions/{aa_id}/cancel"),
            KEY_A,
            json!({}),
        )
        .await,
        404,
    );
    // unknown report, missing key
    assert_error_shape(
        &create_aa(&sb, KEY_A, "nope", json!({"custom_reason": "x"})).await,
        404,
    );
    assert_error_shape(
        &sb.call(
            "POST",
            &format!("/reports/{rid2}/adverse_actions"),
            None,
            Some(json!({"custom_reason": "x"})),
        )
        .await,
        401,
    );
    // nothing B tried changed A's report
    let l = sb
        .get(&format!("/reports/{rid}/adverse_actions"), KEY_A)
        .await;
    assert_eq!(l.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(status_of(&sb, &rid).await["status"], "pre_adverse");
}

#[tokio::test]
async fn garbage_at_the_new_routes_gets_4xx() {
    let sb = sb().await;
    let (cid, rid) = consider(&sb).await;
    let routes = [
        ("PATCH", format!("/candidates/{cid}/approve_by_report")),
        ("PATCH", "/candidates/%00/approve_by_report".to_string()),
        ("POST", format!("/reports/{rid}/adverse_actions")),
        ("POST", "/reports/..%2F/adverse_actions".to_string()),
        ("GET", "/reports/%E2%82/adverse_actions".to_string()),
        ("GET", format!("/reports/{rid}/adverse_actions/%00")),
        (
            "POST",
            format!("/reports/{rid}/adverse_actions/nope/cancel"),
        ),
        ("POST", format!("/sandbox/reports/{rid}/advance")),
    ];
    let bodies: [&[u8]; 6] = [
        b"{",
        b"null",
        b"[1]",
        b"{\"report_id\": {}, \"violations\": {\"a\": 1}, \"custom_reason\": 5.5e400, \"explanation\": [], \"days\": 1e30, \"to_final\": 1}",
        &[0xff, 0xfe],
        b"{\"violations\": [null, [], {\"description\": {\"x\": 1}}]}",
    ];
    for (m, path) in &routes {
        for body in bodies {
            for key in [Some(KEY_A), Some("bogus"), None] {
                let mut rb = sb
                    .http
                    .request(
                        reqwest::Method::from_bytes(m.as_bytes()).unwrap(),
                        sb.url(path),
                    )
                    .body(body.to_vec());
                if let Some(k) = key {
                    rb = rb.header("authorization", format!("Account {k}"));
                }
                let r = rb.send().await.unwrap();
                let s = r.status().as_u16();
                let text = r.text().await.unwrap_or_default();
                assert!((400..500).contains(&s), "{m} {path} {key:?}: {s} {text}");
                let v: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v["status"], s, "{text}");
                assert!(v["title"].is_string() && v["src"].is_object(), "{text}");
            }
        }
    }
    assert_eq!(status_of(&sb, &rid).await["status"], "consider");
}

#[tokio::test]
async fn the_control_route_changes_the_mandatory_setting() {
    let sb = sb().await;
    let path = format!("/sandbox/accounts/{ACCOUNT_A}/adverse_action_settings");
    let r = sb
        .post(
            &path,
            KEY_A,
            json!({"mandatory_selection_of_violations": true}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, json!({"mandatory_selection_of_violations": true}));
    let (_, rid) = consider(&sb).await;
    let rep = status_of(&sb, &rid).await;
    assert_eq!(
        rep["adverse_action_settings"]["mandatory_selection_of_violations"],
        true
    );
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "Not a fit"})).await;
    assert_error_shape(&r, 422);
    // Refusals: a body without the flag; another account's settings.
    let r = sb.post(&path, KEY_A, json!({"mandatory": "yes"})).await;
    assert_error_shape(&r, 422);
    let r = sb
        .post(
            &path,
            KEY_B,
            json!({"mandatory_selection_of_violations": true}),
        )
        .await;
    assert_error_shape(&r, 404);
    // Back off: a custom reason alone is enough again.
    let r = sb
        .post(
            &path,
            KEY_A,
            json!({"mandatory_selection_of_violations": false}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = create_aa(&sb, KEY_A, &rid, json!({"custom_reason": "Not a fit"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
}
