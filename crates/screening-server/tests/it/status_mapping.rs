//! Every row of the README's status mapping, driven through the sandbox's control
//! endpoints and observed through Yardstik's signed webhooks, the order view and the
//! result webhooks.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

async fn place(env: &Env, bcid: &str) -> (String, String) {
    let (s, v) = env
        .order(&simple_order(
            bcid,
            &env.receiver.url(),
            &format!("{bcid}@example.com"),
            "Doe",
        ))
        .await;
    assert_eq!(s, 201, "{v}");
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let items = env.db().order_items(&tenant.id, bcid).await.unwrap();
    (
        items[0].invitation_id.clone().unwrap(),
        items[0].report_id.clone().unwrap(),
    )
}

async fn set_report(env: &Env, report: &str, status: &str) {
    let (s, v) = env
        .yardstik_post(
            &format!("/sandbox/reports/{report}/status"),
            json!({"status": status, "force": true}),
        )
        .await;
    assert_eq!(s, 200, "{status}: {v}");
}

/// Every result webhook body is an object with exactly the contract's four keys.
fn assert_four_keys(all: &[Value]) {
    assert!(!all.is_empty(), "no result webhooks");
    for w in all {
        let mut keys: Vec<&str> = w
            .as_object()
            .unwrap_or_else(|| panic!("webhook body is not an object: {w}"))
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["background_check_id", "result", "result_link_url", "status"],
            "{w}"
        );
    }
}

fn webhooks_for<'a>(all: &'a [Value], bcid: &str) -> Vec<&'a Value> {
    all.iter()
        .filter(|w| w["background_check_id"] == bcid)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_report_status_row() {
    let env = Env::start(Opts {
        progress_updates: true,
        ..Opts::default()
    })
    .await;
    let rows: &[(&str, &str, Value)] = &[
        ("clear", "complete", json!("Pass")),
        ("proceed", "complete", json!("Pass")),
        ("consider", "complete", json!("Consider")),
        ("pre_adverse", "complete", json!("Consider")),
        ("final_adverse", "complete", json!("Fail")),
        ("canceled", "canceled", Value::Null),
        ("expired", "expired", Value::Null),
        ("processing", "processing", Value::Null),
        ("pending", "processing", Value::Null),
        ("queued", "processing", Value::Null),
        ("approved_to_process", "processing", Value::Null),
        ("ys_qa_review", "processing", Value::Null),
        ("pending_approval", "action_required", Value::Null),
        ("exception", "action_required", Value::Null),
        ("dispute", "action_required", Value::Null),
        ("info_requested", "action_required", Value::Null),
    ];
    for (i, (ys, status, result)) in rows.iter().enumerate() {
        let bcid = format!("map-{i}-{ys}");
        let (_, report) = place(&env, &bcid).await;
        set_report(&env, &report, ys).await;
        let v = env
            .wait_order(&bcid, ys, |v| v["items"][0]["report_status"] == *ys)
            .await;
        assert_eq!(
            (v["status"].as_str().unwrap(), &v["result"]),
            (*status, result),
            "report {ys}: {v}"
        );
        let got = env
            .receiver
            .wait_for(ys, |b| {
                webhooks_for(b, &bcid)
                    .iter()
                    .any(|w| w["status"] == *status)
            })
            .await;
        let hook = webhooks_for(&got, &bcid)
            .into_iter()
            .find(|w| w["status"] == *status)
            .unwrap()
            .clone();
        // `get`: a missing key is not a null one.
        assert_eq!(hook.get("result"), Some(result), "webhook for {ys}: {hook}");
        let link = hook
            .get("result_link_url")
            .unwrap_or_else(|| panic!("{ys}: no result_link_url key in {hook}"));
        if *status == "complete" {
            assert!(link.is_string(), "{ys}: a link when complete: {hook}");
        } else {
            assert_eq!(
                link,
                &Value::Null,
                "{ys}: a null link unless complete: {hook}"
            );
        }
    }
    assert_four_keys(&env.receiver.bodies());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invitation_rows_progress_and_adjudication() {
    let env = Env::start(Opts {
        progress_updates: true,
        ..Opts::default()
    })
    .await;

    // invite_sent → invited (the 201 answer), completed → form_completed/processing,
    // then clear → complete/Pass; with progress updates each step is a webhook.
    let (inv, _) = place(&env, "inv-flow").await;
    let (s, _) = env
        .yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    assert_eq!(s, 200);
    let got = env
        .receiver
        .wait_for("flow complete", |b| {
            webhooks_for(b, "inv-flow")
                .iter()
                .any(|w| w["status"] == "complete")
        })
        .await;
    let statuses: Vec<&str> = webhooks_for(&got, "inv-flow")
        .iter()
        .map(|w| w["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses.first(), Some(&"invited"), "{statuses:?}");
    assert!(statuses.contains(&"processing"), "{statuses:?}");
    assert_eq!(statuses.last(), Some(&"complete"));

    // Expired invitation → expired.
    let (inv, _) = place(&env, "inv-expire").await;
    let (s, v) = env
        .yardstik_post(&format!("/sandbox/invitations/{inv}/expire"), json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    let v = env
        .wait_order("inv-expire", "expired", |v| v["status"] == "expired")
        .await;
    assert_eq!(v["result"], Value::Null);

    // Cancel from the ATS → Yardstik invitation canceled → canceled webhook.
    place(&env, "inv-cancel").await;
    let (s, v) = env
        .ats(Method::DELETE, "/ats/orders/inv-cancel", None)
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "canceled");
    assert_eq!(v["items"][0]["invitation_status"], "canceled");
    env.receiver
        .wait_for("canceled", |b| {
            webhooks_for(b, "inv-cancel")
                .iter()
                .any(|w| w["status"] == "canceled")
        })
        .await;
    let (s, v) = env
        .ats(Method::DELETE, "/ats/orders/inv-cancel", None)
        .await;
    assert_eq!(s, 409, "{v}");

    // Adjudication: consider → pre_adverse (no new webhook: same state) → final_adverse (Fail).
    let (_, report) = place(&env, "adj").await;
    set_report(&env, &report, "consider").await;
    env.receiver
        .wait_for("consider", |b| {
            webhooks_for(b, "adj")
                .iter()
                .any(|w| w["result"] == "Consider")
        })
        .await;
    set_report(&env, &report, "pre_adverse").await;
    env.wait_order("adj", "pre_adverse", |v| {
        v["items"][0]["report_status"] == "pre_adverse"
    })
    .await;
    set_report(&env, &report, "final_adverse").await;
    let got = env
        .receiver
        .wait_for("fail", |b| {
            webhooks_for(b, "adj").iter().any(|w| w["result"] == "Fail")
        })
        .await;
    let results: Vec<&Value> = webhooks_for(&got, "adj")
        .iter()
        .filter(|w| w["status"] == "complete")
        .map(|w| &w["result"])
        .collect();
    assert_eq!(results, [&json!("Consider"), &json!("Fail")]);
    assert_four_keys(&env.receiver.bodies());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_progress_updates_only_final_states_are_sent() {
    let env = Env::start(Opts::default()).await;
    let (inv, _) = place(&env, "quiet").await;
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    let got = env
        .receiver
        .wait_for("complete", |b| {
            webhooks_for(b, "quiet")
                .iter()
                .any(|w| w["status"] == "complete")
        })
        .await;
    let quiet = webhooks_for(&got, "quiet");
    assert_eq!(quiet.len(), 1, "{quiet:?}");
    assert_four_keys(&got);
    // The history still records every step.
    let v = env
        .wait_order("quiet", "complete", |v| v["status"] == "complete")
        .await;
    let steps: Vec<&str> = v["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps.first(), Some(&"pending"));
    assert!(
        steps.contains(&"invited") && steps.contains(&"processing"),
        "{steps:?}"
    );
}
