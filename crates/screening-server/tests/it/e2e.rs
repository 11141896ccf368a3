//! The partner guide's exact order example, end to end, to a received ATS webhook.

use reqwest::Method;
use serde_json::Value;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_order_end_to_end_to_ats_webhook() {
    let env = Env::start(Opts::default()).await;
    let (status, body) = env.order(&seed_order("224466", &env.receiver.url())).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["background_check_id"], "224466");
    assert_eq!(body["status"], "invited");
    assert_eq!(body["result"], Value::Null);
    assert_eq!(body["package_id"], "PKG001");
    assert_eq!(body["add_on_package_ids"][0], "DRG02");
    let items = body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "package + add-on = two invitations");
    assert_eq!(
        (
            items[0]["package_id"].as_str(),
            items[0]["add_on"].as_bool()
        ),
        (Some("PKG001"), Some(false))
    );
    assert_eq!(
        (
            items[1]["package_id"].as_str(),
            items[1]["add_on"].as_bool()
        ),
        (Some("DRG02"), Some(true))
    );

    // One candidate, two invitations at Yardstik.
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 1);
    let invitations = list(&env.yardstik_get("/invitations").await);
    assert_eq!(invitations.len(), 2);

    // The candidate completes both intakes; reports clear after the sandbox's delay.
    for inv in &invitations {
        let (s, v) = env
            .yardstik_post(
                &format!(
                    "/sandbox/invitations/{}/complete",
                    inv["id"].as_str().unwrap()
                ),
                serde_json::json!({}),
            )
            .await;
        assert_eq!(s, 200, "{v}");
    }
    let got = env
        .receiver
        .wait_for("the complete webhook", |b| {
            b.iter().any(|w| w["status"] == "complete")
        })
        .await;
    let hook = got.iter().find(|w| w["status"] == "complete").unwrap();
    let obj = hook.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["background_check_id", "result", "result_link_url", "status"],
        "exactly the partner guide's four fields"
    );
    assert_eq!(hook["background_check_id"], "224466");
    assert_eq!(hook["result"], "Pass");
    let link = hook["result_link_url"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/r/", env.server().base_url())),
        "{link}"
    );
    assert_eq!(
        got.iter().filter(|w| w["status"] == "complete").count(),
        1,
        "final state sent once: {got:?}"
    );

    // The order view agrees and has a history.
    let state = env
        .wait_order("224466", "complete", |v| v["status"] == "complete")
        .await;
    assert_eq!(state["result"], "Pass");
    assert!(state["history"].as_array().unwrap().len() >= 3, "{state}");
    assert!(state["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["report_status"] == "clear"));

    // The result link opens a page that mounts the widget in report mode, no inline script.
    let res = env.http.get(link).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(
        csp.contains(&format!("frame-src {}", env.sandbox.app_origin())),
        "{csp}"
    );
    let html = res.text().await.unwrap();
    assert!(
        html.contains(r#"mode="report""#) && html.contains(r#"background-check-id="224466""#),
        "{html}"
    );
    assert!(!html.contains("<script>") && html.contains(r#"<script type="module" src="/static/widget/screening-widget-element.js"></script>"#));
    assert!(!html.contains(KEY_A));
    // Its only style block carries the CSP's per-response nonce (no 'unsafe-inline').
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|r| r.split('\'').next())
        .expect("style nonce in CSP");
    assert!(
        html.contains(&format!(r#"<style nonce="{nonce}">"#)),
        "{html}"
    );
    assert_eq!(html.matches("<style").count(), 1);
    // A tampered link is refused.
    let bad = env.http.get(format!("{link}x")).send().await.unwrap();
    assert_eq!(bad.status(), 404);

    // The replayed POST answers the same stored 201 body.
    let (s2, again) = env.order(&seed_order("224466", &env.receiver.url())).await;
    assert_eq!(s2, 201);
    assert_eq!(again, body);
    let _ = env.ats(Method::GET, "/ats/orders/224466", None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_on_result_combines_most_severe() {
    let env = Env::start(Opts::default()).await;
    let (s, _) = env.order(&seed_order("addon-1", &env.receiver.url())).await;
    assert_eq!(s, 201);
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let items = env.db().order_items(&tenant.id, "addon-1").await.unwrap();
    let (pkg_report, addon_report) = (
        items[0].report_id.clone().unwrap(),
        items[1].report_id.clone().unwrap(),
    );
    env.yardstik_post(
        &format!("/sandbox/reports/{pkg_report}/status"),
        serde_json::json!({"status": "clear", "force": true}),
    )
    .await;
    // Package clear alone does not complete the order while the add-on is open.
    env.wait_order("addon-1", "package item clear", |v| {
        v["items"][0]["report_status"] == "clear"
    })
    .await;
    let (_, v) = env.ats(Method::GET, "/ats/orders/addon-1", None).await;
    assert_ne!(v["status"], "complete");
    env.yardstik_post(
        &format!("/sandbox/reports/{addon_report}/status"),
        serde_json::json!({"status": "consider", "force": true}),
    )
    .await;
    let got = env
        .receiver
        .wait_for("complete", |b| b.iter().any(|w| w["status"] == "complete"))
        .await;
    assert_eq!(
        got.iter().find(|w| w["status"] == "complete").unwrap()["result"],
        "Consider"
    );
}
