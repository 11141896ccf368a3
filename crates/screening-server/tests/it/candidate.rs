//! The candidate's own view (a `candidate` session, one order): its progress through every
//! stage, read again as Yardstik moves, and nothing beyond it — no other order, no Yardstik
//! ids or links, never a Yardstik user token.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};
use yardstik_sandbox::SandboxConfig;

use crate::support::*;

/// Poll the candidate's progress until `pred` holds.
async fn wait_progress(env: &Env, token: &str, bcid: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let path = format!("/widget/orders/{bcid}/progress");
    let mut last = Value::Null;
    for _ in 0..400 {
        let (s, v) = call(env, Method::GET, &path, token, None).await;
        assert_eq!(s, 200, "{v}");
        if pred(&v) {
            return v;
        }
        last = v;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out; last progress: {last}");
}

fn stages(v: &Value) -> Vec<&str> {
    v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["stage"].as_str().unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_candidate_follows_each_package_through_its_stages() {
    // Reports stay in `processing` until the test moves them.
    let env = Env::start(Opts {
        sandbox: SandboxConfig {
            report_delay: Duration::from_secs(120),
            ..SandboxConfig::default()
        },
        ..Opts::default()
    })
    .await;
    let (s, v) = env.order(&seed_order("prog-1", &env.receiver.url())).await;
    assert_eq!(s, 201, "{v}");
    let own = session(
        &env,
        json!({"capabilities": ["candidate"], "background_check_id": "prog-1"}),
    )
    .await;
    let v = wait_progress(&env, &own, "prog-1", |v| {
        stages(v) == ["invited", "invited"]
    })
    .await;
    assert_eq!(
        v,
        json!({"background_check_id": "prog-1", "packages": [
            {"package_id": "PKG001", "name": "Basic Package", "add_on": false, "stage": "invited"},
            {"package_id": "DRG02", "name": "Comprehensive Drug Screening", "add_on": true, "stage": "invited"}
        ]}),
        "exactly the names and stages: no ids, links, results or history"
    );

    let items = env
        .db()
        .order_items(&tenant(&env).await.id, "prog-1")
        .await
        .unwrap();
    let inv = items[0].invitation_id.clone().unwrap();
    let report = items[0].report_id.clone().unwrap();
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    wait_progress(&env, &own, "prog-1", |v| stages(v)[0] == "in_progress").await;

    // Yardstik needs more from the candidate, then finishes.
    let (s, v) = env
        .yardstik_post(
            &format!("/sandbox/reports/{report}/status"),
            json!({"status": "info_requested"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    wait_progress(&env, &own, "prog-1", |v| {
        stages(v) == ["info_requested", "invited"]
    })
    .await;
    let (s, v) = env
        .yardstik_post(
            &format!("/sandbox/reports/{report}/status"),
            json!({"status": "clear"}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    wait_progress(&env, &own, "prog-1", |v| stages(v)[0] == "done").await;

    // The add-on's invitation runs out before its form is sent.
    let add_on_inv = items[1].invitation_id.clone().unwrap();
    env.yardstik_post(
        &format!("/sandbox/invitations/{add_on_inv}/expire"),
        json!({}),
    )
    .await;
    let v = wait_progress(&env, &own, "prog-1", |v| stages(v) == ["done", "expired"]).await;
    let text = v.to_string();
    for secret in [&inv, &report, &add_on_inv] {
        assert!(!text.contains(secret.as_str()), "no Yardstik ids: {text}");
    }
    // Its report: the finished package's records, the expired one's nothing.
    let (s, r) = call(
        &env,
        Method::GET,
        "/widget/orders/prog-1/report",
        &own,
        None,
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["packages"][0]["complete"], true, "{r}");
    assert_eq!(r["packages"][1]["complete"], false, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_candidate_session_sees_its_own_order_only_and_never_a_yardstik_token() {
    let env = Env::start(Opts::default()).await;
    for id in ["mine-1", "theirs-1"] {
        let o = simple_order(id, &env.receiver.url(), &format!("{id}@example.com"), "Doe");
        let (s, v) = env.order(&o).await;
        assert_eq!(s, 201, "{v}");
    }
    let own = session(
        &env,
        json!({"capabilities": ["candidate"], "background_check_id": "mine-1"}),
    )
    .await;
    for path in [
        "/widget/orders/mine-1",
        "/widget/orders/mine-1/progress",
        "/widget/orders/mine-1/report",
        "/widget/orders/mine-1/apply",
    ] {
        let (s, v) = call(&env, Method::GET, path, &own, None).await;
        assert_eq!(s, 200, "{path}: {v}");
    }
    // Another order: not found (its existence is not revealed), on every candidate route.
    for path in [
        "/widget/orders/theirs-1",
        "/widget/orders/theirs-1/progress",
        "/widget/orders/theirs-1/report",
        "/widget/orders/theirs-1/apply",
        "/widget/orders/nobody/progress",
    ] {
        let (s, v) = call(&env, Method::GET, path, &own, None).await;
        assert_eq!(s, 404, "{path}: {v}");
    }
    // Never a Yardstik user token, whichever way it is asked for; never a decision.
    for (method, path, body) in [
        (
            Method::POST,
            "/widget/tokens/report",
            Some(json!({"background_check_id": "mine-1"})),
        ),
        (Method::POST, "/widget/tokens/report", Some(json!({}))),
        (Method::POST, "/widget/tokens/disclosures", None),
        (Method::GET, "/widget/orders/mine-1/decision", None),
        (Method::POST, "/widget/orders/mine-1/decision/proceed", None),
    ] {
        let (s, v) = call(&env, method.clone(), path, &own, body).await;
        assert_eq!(s, 403, "{method} {path}: {v}");
        assert_eq!(v["code"], "forbidden", "{v}");
        assert!(v.get("token").is_none(), "{v}");
    }
    // The progress is the candidate's: the hiring manager's sessions do not get it.
    for caps in [json!(["order"]), json!(["review"]), json!(["disclosures"])] {
        let other = session(
            &env,
            json!({"capabilities": caps, "background_check_id": "mine-1"}),
        )
        .await;
        let (s, v) = call(
            &env,
            Method::GET,
            "/widget/orders/mine-1/progress",
            &other,
            None,
        )
        .await;
        assert_eq!(s, 403, "{caps}: {v}");
    }
}
