//! The hiring manager's decision after a Consider, through the server against the sandbox:
//! proceed → Pass at the ATS; adverse action → still Consider with the final date in the
//! history, then (sandbox clock moved) final adverse → Fail; cancel; every refusal; the audit
//! trail on the ATS's order view.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

/// Place an order whose report ends in `consider`; wait for the ATS to hear it.
async fn considered(env: &Env, bcid: &str, state: &str) {
    let mut o = simple_order(
        bcid,
        &env.receiver.url(),
        &format!("{bcid}@example.com"),
        "Considerman",
    );
    o["applicant"]["state"] = json!(state);
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 201, "{v}");
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let inv = env.db().order_items(&tenant.id, bcid).await.unwrap()[0]
        .invitation_id
        .clone()
        .unwrap();
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    env.wait_order(bcid, "Consider", |v| v["result"] == "Consider")
        .await;
}

fn violation_ids(d: &Value) -> Vec<String> {
    d["screenings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["violations"].as_array().unwrap().clone())
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proceed_turns_consider_into_pass() {
    let env = Env::start(Opts::default()).await;
    considered(&env, "dec-1", "IL").await;
    let review = session(
        &env,
        json!({"capabilities": ["review"], "background_check_id": "dec-1", "reviewer_id": "67890"}),
    )
    .await;
    let path = "/widget/orders/dec-1/decision";
    let (s, d) = call(&env, Method::GET, path, &review, None).await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["report_status"], "consider");
    assert_eq!(
        (
            d["can_proceed"].clone(),
            d["can_start_adverse_action"].clone()
        ),
        (json!(true), json!(true))
    );
    assert_eq!(d["can_cancel_adverse_action"], false);
    assert_eq!(d["candidate_state"], "IL");
    assert!(d.get("explanation_required").is_none(), "{d}");
    let ids = violation_ids(&d);
    assert_eq!(ids.len(), 3, "the reference's example records: {d}");
    let first = &d["screenings"][0]["violations"][0];
    assert_eq!(first["description"], "Felony");
    assert_eq!(first["disposition"], "Court: Pre Trial Intervention");
    assert_eq!(first["date"], "2021-03-20");

    let (s, d) = call(
        &env,
        Method::POST,
        &format!("{path}/proceed"),
        &review,
        None,
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["report_status"], "proceed");
    assert_eq!(d["can_proceed"], false);
    let v = env
        .wait_order("dec-1", "Pass", |v| v["result"] == "Pass")
        .await;
    assert_eq!(v["status"], "complete");
    assert!(
        history(&v)
            .contains(&"Decision: proceed with the candidate, by reviewer 67890".to_string()),
        "{v}"
    );
    // The candidate's own view of the order names neither the reviewer nor the decision.
    let candidate = session(
        &env,
        json!({"capabilities": ["candidate"], "background_check_id": "dec-1"}),
    )
    .await;
    let (s, c) = call(&env, Method::GET, "/widget/orders/dec-1", &candidate, None).await;
    assert_eq!(s, 200, "{c}");
    let text = c.to_string();
    assert!(
        !text.contains("67890") && !text.contains("Decision:"),
        "{c}"
    );
    assert!(!c["history"].as_array().unwrap().is_empty(), "{c}");
    env.receiver
        .wait_for("Pass at the ATS", |b| {
            b.iter()
                .any(|w| w["background_check_id"] == "dec-1" && w["result"] == "Pass")
        })
        .await;
    // Decided once: a second proceed is refused.
    let (s, v) = call(
        &env,
        Method::POST,
        &format!("{path}/proceed"),
        &review,
        None,
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert!(
        v["error_message"]
            .as_str()
            .unwrap()
            .contains("only a report in consider"),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adverse_action_keeps_consider_then_final_notice_fails() {
    let env = Env::start(Opts::default()).await;
    considered(&env, "dec-2", "IL").await;
    let review = session(
        &env,
        json!({"capabilities": ["review"], "reviewer_id": "jill"}),
    )
    .await;
    let path = "/widget/orders/dec-2/decision";
    let (_, d) = call(&env, Method::GET, path, &review, None).await;
    let ids = violation_ids(&d);

    // Refusals first: nothing chosen, an unknown violation.
    let (s, v) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action"),
        &review,
        Some(json!({})),
    )
    .await;
    assert_eq!(
        (s, v["field_errors"][0]["field"].as_str()),
        (422, Some("violations")),
        "{v}"
    );
    let (s, v) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action"),
        &review,
        Some(json!({"violations": ["s9-r9-v9"]})),
    )
    .await;
    assert_eq!(
        (s, v["field_errors"][0]["field"].as_str()),
        (422, Some("violations[0]")),
        "{v}"
    );
    let (_, d) = call(&env, Method::GET, path, &review, None).await;
    assert_eq!(d["report_status"], "consider", "refusals change nothing");

    let (s, d) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action"),
        &review,
        Some(json!({"violations": [ids[0], ids[2]]})),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["report_status"], "pre_adverse");
    assert_eq!(d["adverse_action"]["status"], "pending");
    // Without Yardstik's list of actions (not in its reference), the report alone tells
    // the action: its id and status, not its violations, schedule, or a way to cancel it.
    let listed = !reference_only();
    assert!(
        d["adverse_action"]["id"].as_str().is_some(),
        "the action is named: {d}"
    );
    assert_eq!(
        d["adverse_action"]["violations"].as_array().unwrap().len(),
        if listed { 2 } else { 0 }
    );
    let final_at = d["adverse_action"]["scheduled_final_at"]
        .as_str()
        .map(str::to_string);
    assert_eq!(final_at.is_some(), listed, "{d}");
    assert_eq!(d["can_cancel_adverse_action"], listed);
    let v = env
        .wait_order("dec-2", "pre_adverse", |v| {
            v["items"][0]["report_status"] == "pre_adverse"
        })
        .await;
    assert_eq!(
        v["result"], "Consider",
        "still Consider while the notice runs"
    );
    assert!(
        history(&v).iter().any(|h| h.starts_with("Decision: adverse action started by reviewer jill (2 violation(s)); pre-adverse notice sent")
            && final_at.as_ref().is_none_or(|at| h.ends_with(&format!("; the final notice is scheduled for {at}")))),
        "{v}"
    );

    // Seven days later (the sandbox's clock for this report): the final notice.
    let report = d["report_id"].as_str().unwrap();
    let (s, r) = env
        .yardstik_post(
            &format!("/sandbox/reports/{report}/advance"),
            json!({"to_final": true}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    let v = env
        .wait_order("dec-2", "Fail", |v| v["result"] == "Fail")
        .await;
    assert_eq!(v["items"][0]["report_status"], "final_adverse");
    env.receiver
        .wait_for("Fail at the ATS", |b| {
            b.iter()
                .any(|w| w["background_check_id"] == "dec-2" && w["result"] == "Fail")
        })
        .await;
    let (_, d) = call(&env, Method::GET, path, &review, None).await;
    assert_eq!(d["adverse_action"]["status"], "completed", "{d}");
    let (s, _) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action/cancel"),
        &review,
        None,
    )
    .await;
    assert_eq!(s, 409, "a completed action cannot be canceled");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_returns_to_consider_and_the_rules_and_scopes_hold() {
    let env = Env::start(Opts::default()).await;
    considered(&env, "dec-3", "CA").await;
    let review = session(
        &env,
        json!({"capabilities": ["review"], "reviewer_id": "r-1"}),
    )
    .await;
    let path = "/widget/orders/dec-3/decision";
    let (_, d) = call(&env, Method::GET, path, &review, None).await;
    assert!(
        d["explanation_required"]
            .as_str()
            .unwrap()
            .contains("California"),
        "{d}"
    );
    let (s, v) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action"),
        &review,
        Some(json!({"custom_reason": "Role requires a clean record"})),
    )
    .await;
    assert_eq!(
        (s, v["field_errors"][0]["field"].as_str()),
        (422, Some("explanation")),
        "{v}"
    );
    let (s, d) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action"),
        &review,
        Some(json!({"custom_reason": "Role requires a clean record", "explanation": "The conviction is recent and relates to the duties."})),
    )
    .await;
    assert_eq!(
        (s, d["report_status"].as_str()),
        (200, Some("pre_adverse")),
        "{d}"
    );
    let (s, d) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action/cancel"),
        &review,
        None,
    )
    .await;
    if reference_only() {
        // No list of actions at Yardstik: none is known well enough to cancel.
        assert_eq!(s, 409, "{d}");
        assert!(
            d["error_message"]
                .as_str()
                .unwrap()
                .contains("cancel it in Yardstik's dashboard"),
            "{d}"
        );
        let (_, d) = call(&env, Method::GET, path, &review, None).await;
        assert_eq!(d["report_status"], "pre_adverse", "nothing was canceled");
        assert_eq!(d["can_cancel_adverse_action"], false);
        return;
    }
    assert_eq!(s, 200, "{d}");
    assert_eq!(d["report_status"], "consider");
    assert!(d.get("adverse_action").is_none(), "{d}");
    let (_, v) = env.ats(Method::GET, "/ats/orders/dec-3", None).await;
    assert_eq!(v["result"], "Consider");
    let h = history(&v);
    assert!(
        h.iter().any(|x| x.starts_with(
            "Decision: adverse action started by reviewer r-1 (0 violation(s), custom reason)"
        )),
        "{v}"
    );
    assert!(
        h.contains(&"Decision: adverse action canceled by reviewer r-1".to_string()),
        "{v}"
    );
    let (s, _) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action/cancel"),
        &review,
        None,
    )
    .await;
    assert_eq!(s, 409, "nothing pending to cancel");

    // Scopes: not without `review`, not another order's, not a candidate.
    let order_form = session(&env, json!({"capabilities": ["order"]})).await;
    let (s, _) = call(&env, Method::GET, path, &order_form, None).await;
    assert_eq!(s, 403);
    let other = session(
        &env,
        json!({"capabilities": ["review"], "background_check_id": "dec-x"}),
    )
    .await;
    let (s, _) = call(&env, Method::POST, &format!("{path}/proceed"), &other, None).await;
    assert_eq!(s, 404);
    let candidate = session(
        &env,
        json!({"capabilities": ["candidate"], "background_check_id": "dec-3"}),
    )
    .await;
    let (s, _) = call(
        &env,
        Method::POST,
        &format!("{path}/proceed"),
        &candidate,
        None,
    )
    .await;
    assert_eq!(s, 403);
    let (_, d) = call(&env, Method::GET, path, &review, None).await;
    assert_eq!(
        d["report_status"], "consider",
        "the refused calls changed nothing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_candidate_reads_their_own_report_without_a_yardstik_token() {
    let env = Env::start(Opts::default()).await;
    considered(&env, "cand-1", "IL").await;
    let own = session(
        &env,
        json!({"capabilities": ["candidate"], "background_check_id": "cand-1"}),
    )
    .await;
    let (s, r) = call(
        &env,
        Method::GET,
        "/widget/orders/cand-1/report",
        &own,
        None,
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["background_check_id"], "cand-1");
    let p = &r["packages"][0];
    assert_eq!(
        (p["package_id"].as_str(), p["complete"].as_bool()),
        (Some("PKG001"), Some(true))
    );
    assert_eq!(p["report_status"], "consider");
    let violations: Vec<&Value> = p["screenings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["records"].as_array().unwrap())
        .flat_map(|rec| rec["violations"].as_array().unwrap())
        .collect();
    assert_eq!(violations.len(), 3, "{r}");
    assert_eq!(violations[0]["description"], "Felony");
    assert_eq!(
        violations[0]["offense"],
        "1. Possession Of Schedule 4 Substance"
    );
    assert_eq!(violations[0]["date"], "2021-03-20");
    assert_eq!(r["contact"]["name"], "Demo Staffing Co");
    let text = r.to_string();
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let report_id = env.db().order_items(&tenant.id, "cand-1").await.unwrap()[0]
        .report_id
        .clone()
        .unwrap();
    assert!(!text.contains(&report_id), "no Yardstik ids: {text}");

    // Nothing else: another order, a Yardstik token, the decision.
    considered(&env, "cand-2", "IL").await;
    let (s, _) = call(
        &env,
        Method::GET,
        "/widget/orders/cand-2/report",
        &own,
        None,
    )
    .await;
    assert_eq!(s, 404);
    let (s, _) = call(
        &env,
        Method::POST,
        "/widget/tokens/report",
        &own,
        Some(json!({"background_check_id": "cand-1"})),
    )
    .await;
    assert_eq!(s, 403, "never a Yardstik user token");
    let (s, _) = call(
        &env,
        Method::GET,
        "/widget/orders/cand-1/decision",
        &own,
        None,
    )
    .await;
    assert_eq!(s, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_decision_covers_every_report_of_the_order() {
    let env = Env::start(Opts::default()).await;
    // The package and a drug-test add-on: two reports, both consider.
    let mut o = seed_order("dec-4", &env.receiver.url());
    o["applicant"]["email"] = json!("dec-4@example.com");
    o["applicant"]["last_name"] = json!("Considerman");
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 201, "{v}");
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    for item in env.db().order_items(&tenant.id, "dec-4").await.unwrap() {
        let inv = item.invitation_id.unwrap();
        env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
            .await;
    }
    env.wait_order("dec-4", "Consider", |v| v["result"] == "Consider")
        .await;
    let review = session(
        &env,
        json!({"capabilities": ["review"], "reviewer_id": "jill"}),
    )
    .await;
    let path = "/widget/orders/dec-4/decision";
    let (_, d) = call(&env, Method::GET, path, &review, None).await;
    let ids = violation_ids(&d);
    let package: Vec<&String> = ids.iter().filter(|i| i.starts_with("p0-")).collect();
    let add_on: Vec<&String> = ids.iter().filter(|i| i.starts_with("p1-")).collect();
    assert!(
        !package.is_empty() && !add_on.is_empty(),
        "both reports' violations: {d}"
    );
    // Violations from the package alone leave the add-on's report undecided: refused.
    let (s, v) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action"),
        &review,
        Some(json!({"violations": [package[0]]})),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert!(
        v["field_errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("every report in consider"),
        "{v}"
    );
    let (s, d) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action"),
        &review,
        Some(json!({"violations": [package[0], add_on[0]]})),
    )
    .await;
    assert_eq!(s, 200, "{d}");
    let v = env
        .wait_order("dec-4", "both pre_adverse", |v| {
            v["items"][0]["report_status"] == "pre_adverse"
                && v["items"][1]["report_status"] == "pre_adverse"
        })
        .await;
    assert_eq!(v["result"], "Consider");
    // Cancel covers both too.
    let (s, d) = call(
        &env,
        Method::POST,
        &format!("{path}/adverse-action/cancel"),
        &review,
        None,
    )
    .await;
    if reference_only() {
        // No list of actions at Yardstik: none is known well enough to cancel.
        assert_eq!(s, 409, "{d}");
        return;
    }
    assert_eq!(
        (s, d["can_cancel_adverse_action"].as_bool()),
        (200, Some(false)),
        "{d}"
    );
    env.wait_order("dec-4", "both consider again", |v| {
        v["items"][0]["report_status"] == "consider" && v["items"][1]["report_status"] == "consider"
    })
    .await;
    // Proceed approves both: Pass.
    let (s, _) = call(
        &env,
        Method::POST,
        &format!("{path}/proceed"),
        &review,
        None,
    )
    .await;
    assert_eq!(s, 200);
    env.wait_order("dec-4", "Pass", |v| v["result"] == "Pass")
        .await;
}
