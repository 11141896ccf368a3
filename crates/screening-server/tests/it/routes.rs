//! Routes and answers no other module pins down, each with its status and body: the demo ATS
//! receiver (and its cap), readiness with the database gone, result links that are expired or
//! of the wrong kind, widget order idempotency keys, the apply link with nothing open, report
//! tokens by report id / for another order / before a report exists / without a name, the
//! package list with Yardstik down and nothing cached, cancelling a completed order, and
//! `deliveries redeliver --all`.

use std::time::Duration;

use reqwest::Method;
use screening_server::config::DeliveriesCmd;
use screening_server::tokens::{Claims, Purpose};
use screening_store::outbox::OutboxState;
use serde_json::{json, Value};

use crate::support::*;

fn msg(v: &Value) -> &str {
    v["error_message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error_message in {v}"))
}

fn widget_order(email: &str) -> Value {
    let o = simple_order("unused", "http://unused", email, "Doe");
    json!({"package_id": "PKG001", "add_on_package_ids": [], "applicant": o["applicant"]})
}

async fn place(env: &Env, bcid: &str) -> Value {
    let (s, v) = env
        .order(&simple_order(
            bcid,
            &env.receiver.url(),
            &format!("{bcid}@example.com"),
            "Doe",
        ))
        .await;
    assert_eq!(s, 201, "{v}");
    v
}

/// Place an order and make its report clear at Yardstik; wait until it is complete.
async fn complete(env: &Env, bcid: &str) -> Value {
    let v = place(env, bcid).await;
    let report = v["items"][0]["report_id"].as_str().unwrap().to_string();
    let (s, v) = env
        .yardstik_post(
            &format!("/sandbox/reports/{report}/status"),
            json!({"status": "clear", "force": true}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    env.wait_order(bcid, "complete", |v| v["status"] == "complete")
        .await
}

async fn faults(env: &Env) -> Vec<Value> {
    env.yardstik_get("/sandbox/faults").await["rules"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_ats_webhooks_receives_and_keeps_the_last_100() {
    let env = Env::start(Opts {
        tweak: |c| c.demo = true,
        ..Opts::default()
    })
    .await;
    let get = || async {
        let res = env
            .http
            .get(env.url("/demo/ats-webhooks"))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap())
    };
    assert_eq!(get().await, (200, json!([])));
    for n in 0..105 {
        let res = env
            .http
            .post(env.url("/demo/ats-webhooks"))
            .json(&json!({"background_check_id": format!("demo-{n}"), "status": "complete", "result": "Pass", "result_link_url": null}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 204, "POST #{n}");
        assert_eq!(res.text().await.unwrap(), "");
    }
    let (s, v) = get().await;
    assert_eq!(s, 200);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["background_check_id"].as_str().unwrap())
        .collect();
    let want: Vec<String> = (5..105).map(|n| format!("demo-{n}")).collect();
    assert_eq!(ids, want, "the last 100, oldest first");
    // Bodies are kept as they came.
    assert_eq!(
        v[99],
        json!({"background_check_id": "demo-104", "status": "complete", "result": "Pass", "result_link_url": null})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_is_503_when_the_database_is_gone() {
    let env = Env::start(Opts::default()).await;
    let res = env.http.get(env.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"status": "ready"})
    );
    env.db().pool.close().await;
    let res = env.http.get(env.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 503);
    assert_eq!(
        res.json::<Value>().await.unwrap(),
        json!({"status": "database unreachable"})
    );
    // Liveness does not depend on the database.
    let res = env.http.get(env.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 200);
}

/// The session the result page hands its widget (`token="…"` in the page).
fn page_session(body: &str) -> String {
    let at = body
        .find(" token=\"")
        .expect("the page mounts a widget with a token")
        + 8;
    body[at..].split('"').next().unwrap().to_string()
}

async fn open_link(env: &Env, link: &str) -> (u16, String) {
    let res = env.http.get(link).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

/// A result link lasts while its order exists: 31 days later by the server's clock and
/// after the tenant's secret was rotated it still opens the read-only view (status,
/// history, report), whose session can make no decision; only an operator's
/// `tenant revoke-links` ends it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_result_link_lasts_shows_only_and_is_revoked_only_by_the_operator() {
    let clock = screening_model::Clock::manual(screening_store::now_ms());
    let env = Env::start(Opts {
        clock: clock.clone(),
        ..Opts::default()
    })
    .await;
    let done = complete(&env, "link-1").await;
    let link = done["result_link_url"].as_str().unwrap().to_string();
    let (s, body) = open_link(&env, &link).await;
    assert_eq!(s, 200, "the link opens: {body}");
    assert!(
        body.contains("mode=\"report\"") && body.contains("background-check-id=\"link-1\""),
        "{body}"
    );
    assert!(
        body.contains("<p id=\"order-status\">Status: <strong>Complete (Pass)</strong></p>"),
        "{body}"
    );
    assert!(
        body.contains("Order received") && body.contains("<ol id=\"order-history\">"),
        "{body}"
    );

    // The page's session reads this order and its report, and decides nothing.
    let view = page_session(&body);
    let (s, v) = call(&env, Method::GET, "/widget/orders/link-1", &view, None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["status"], "complete");
    assert!(
        v["result_link_url"].is_null(),
        "no link through the widget: {v}"
    );
    assert!(
        v.get("hiring_manager").is_none() && v.get("job").is_none(),
        "the employer's context stays the employer's: {v}"
    );
    let (s, v) = call(
        &env,
        Method::POST,
        "/widget/tokens/report",
        &view,
        Some(json!({"background_check_id": "link-1"})),
    )
    .await;
    assert_eq!(s, 200, "{v}");
    for (method, path, body) in [
        (Method::GET, "/widget/orders/link-1/decision", None),
        (Method::POST, "/widget/orders/link-1/decision/proceed", None),
        (
            Method::POST,
            "/widget/orders/link-1/decision/adverse-action",
            Some(json!({"custom_reason": "x"})),
        ),
        (
            Method::POST,
            "/widget/orders/link-1/decision/adverse-action/cancel",
            None,
        ),
        (Method::GET, "/widget/packages", None),
    ] {
        let (s, v) = call(&env, method.clone(), path, &view, body).await;
        assert_eq!(s, 403, "{method} {path}: {v}");
    }
    // It cannot mint anything either: a session is minted with Basic credentials only.
    let other = place(&env, "link-2").await;
    assert_eq!(other["status"], "invited");
    let (s, _) = call(&env, Method::GET, "/widget/orders/link-2", &view, None).await;
    assert_eq!(s, 404, "another order is not this session's");

    // 31 days later, by the server's clock: the link still opens.
    clock.advance(std::time::Duration::from_secs(31 * 24 * 3600));
    let (s, body) = open_link(&env, &link).await;
    assert_eq!(s, 200, "31 days later: {body}");

    // The tenant's secret rotated: stored links keep working.
    let store = store(&env.data_dir(), &env.master);
    let mut out = Vec::new();
    screening_server::cli::tenant(
        &store,
        screening_server::config::TenantCmd::RotateSecret {
            ats_account_id: ATS_USER.into(),
        },
        &mut out,
    )
    .await
    .unwrap();
    let (s, body) = open_link(&env, &link).await;
    assert_eq!(s, 200, "after rotate-secret: {body}");

    // Revocation is the operator's: the link answers 410, the order's next link is new.
    let mut out = Vec::new();
    screening_server::cli::tenant(
        &store,
        screening_server::config::TenantCmd::RevokeLinks {
            ats_account_id: ATS_USER.into(),
            background_check_ids: vec!["link-1".into()],
            all: false,
        },
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "result links of link-1 revoked\n"
    );
    let (s, body) = open_link(&env, &link).await;
    assert_eq!(s, 410, "{body}");
    assert!(
        body.contains("<h1>Link revoked</h1>") && !body.contains("screening-widget"),
        "{body}"
    );
    let t = tenant(&env).await;
    let row = order_row(env.db(), &t.id, "link-1").await.unwrap().unwrap();
    assert_eq!(row.result_link_epoch, 1);
    let fresh =
        screening_server::orders::view::load_state(&env.server().ctx.orders, &t.id, "link-1")
            .await
            .unwrap()
            .unwrap()
            .result_link_url
            .unwrap();
    assert_ne!(fresh, link);
    assert_eq!(open_link(&env, &fresh).await.0, 200, "the new link opens");
    // Unknown order ids are an error, and the order's links are revoked once per call.
    let mut out = Vec::new();
    let e = screening_server::cli::tenant(
        &store,
        screening_server::config::TenantCmd::RevokeLinks {
            ats_account_id: ATS_USER.into(),
            background_check_ids: vec!["nope".into()],
            all: false,
        },
        &mut out,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("no order nope"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn result_links_of_the_wrong_kind_or_order_do_not_open() {
    let env = Env::start(Opts::default()).await;
    complete(&env, "link-1").await;
    let t = tenant(&env).await;
    let signer = &env.server().ctx.signer;
    let claims = |o: &str, exp: i64| Claims {
        t: t.id.clone(),
        a: None,
        o: Some(o.into()),
        exp,
        c: vec![],
        g: String::new(),
        r: None,
        v: 0,
    };
    // A link issued with an expiry (as links once were) is not held to it.
    let old = signer.sign(Purpose::ResultLink, &claims("link-1", 1));
    let (s, body) = open_link(&env, &env.url(&format!("/r/{old}"))).await;
    assert_eq!(s, 200, "{body}");
    // A link to an order that does not exist (or no longer does) opens nothing.
    let gone = signer.sign(Purpose::ResultLink, &claims("never-placed", 0));
    let res = env
        .http
        .get(env.url(&format!("/r/{gone}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let body = res.text().await.unwrap();
    assert!(
        body.contains("<h1>Not found</h1>") && !body.contains("screening-widget"),
        "{body}"
    );

    // A widget session for the very same order is not a result link.
    let session = session(
        &env,
        json!({"capabilities": ["review"], "background_check_id": "link-1"}),
    )
    .await;
    let res = env
        .http
        .get(env.url(&format!("/r/{session}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 404);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("<h1>Not found</h1>") && body.contains("not valid"),
        "{body}"
    );
    assert!(!body.contains("screening-widget"), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_order_idempotency_key_rules() {
    let env = Env::start(Opts::default()).await;
    let token = session(&env, json!({"capabilities": ["order"]})).await;

    // Over 255 characters: refused before anything is placed.
    let long = "k".repeat(256);
    let (s, v) = call_with(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(widget_order("long@example.com")),
        &[("Idempotency-Key", &long)],
    )
    .await;
    assert_eq!(s, 400, "{v}");
    assert_eq!(v["code"], "bad_request");
    assert_eq!(msg(&v), "Idempotency-Key must be at most 255 characters.");
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 0);
    // 255 is fine.
    let ok = "k".repeat(255);
    let (s, v) = call_with(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(widget_order("long@example.com")),
        &[("Idempotency-Key", &ok)],
    )
    .await;
    assert_eq!(s, 201, "{v}");

    // The same key with another body: 409, and the first order is unchanged.
    let key = [("Idempotency-Key", "reuse-1")];
    let (s, first) = call_with(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(widget_order("reuse@example.com")),
        &key,
    )
    .await;
    assert_eq!(s, 201, "{first}");
    let bcid = first["background_check_id"].as_str().unwrap().to_string();
    assert!(bcid.starts_with("w-"), "{bcid}");
    let mut other = widget_order("reuse@example.com");
    other["package_id"] = json!("PKG002");
    let (s, v) = call_with(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(other),
        &key,
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["code"], "conflict");
    assert!(msg(&v).contains(&bcid), "{v}");
    let (s, v) = env
        .ats(Method::GET, &format!("/ats/orders/{bcid}"), None)
        .await;
    assert_eq!(s, 200);
    assert_eq!(v["items"][0]["package_id"], "PKG001", "{v}");
    assert_eq!(v["items"].as_array().unwrap().len(), 1, "{v}");
    // Two orders in all reached Yardstik (255-char key, reuse-1).
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_link_is_409_when_no_intake_is_open() {
    let env = Env::start(Opts::default()).await;
    place(&env, "apply-done").await;
    let candidate = session(
        &env,
        json!({"capabilities": ["candidate"], "background_check_id": "apply-done"}),
    )
    .await;
    // Open: 200 with the one step.
    let (s, v) = call_with(
        &env,
        Method::GET,
        "/widget/orders/apply-done/apply",
        &candidate,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["steps"].as_array().unwrap().len(), 1, "{v}");
    // The candidate submits the form.
    let t = tenant(&env).await;
    let inv = env.db().order_items(&t.id, "apply-done").await.unwrap()[0]
        .invitation_id
        .clone()
        .unwrap();
    let (s, v) = env
        .yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    assert_eq!(s, 200, "{v}");
    env.wait_order("apply-done", "past invited", |v| {
        v["items"][0]["invitation_status"] == "completed"
    })
    .await;
    let (s, v) = call_with(
        &env,
        Method::GET,
        "/widget/orders/apply-done/apply",
        &candidate,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["code"], "conflict");
    assert!(msg(&v).contains("no open Yardstik intake"), "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_tokens_by_report_id_other_orders_and_missing_names() {
    let env = Env::start(Opts::default()).await;
    let a = place(&env, "rt-a").await;
    let b = place(&env, "rt-b").await;
    let report_a = a["items"][0]["report_id"].as_str().unwrap().to_string();
    let report_b = b["items"][0]["report_id"].as_str().unwrap().to_string();
    assert_ne!(report_a, report_b);
    let review = session(&env, json!({"capabilities": ["review"]})).await;
    let review_a = session(
        &env,
        json!({"capabilities": ["review"], "background_check_id": "rt-a"}),
    )
    .await;
    let token = |t: &str, body: Value| {
        let t = t.to_string();
        let env = &env;
        async move {
            call_with(
                env,
                Method::POST,
                "/widget/tokens/report",
                &t,
                Some(body),
                &[],
            )
            .await
        }
    };

    // By report_id alone: that report.
    let (s, v) = token(&review, json!({"report_id": report_b})).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["report_id"], report_b.as_str());
    assert_eq!(v["domain"], env.sandbox.app_origin());
    assert!(!v["token"].as_str().unwrap().is_empty());
    // The order and one of its reports: fine.
    let (s, v) = token(
        &review,
        json!({"background_check_id": "rt-a", "report_id": report_a}),
    )
    .await;
    assert_eq!((s, v["report_id"].as_str()), (200, Some(report_a.as_str())));
    // An order with another order's report: 404.
    let (s, v) = token(
        &review,
        json!({"background_check_id": "rt-a", "report_id": report_b}),
    )
    .await;
    assert_eq!(s, 404, "{v}");
    assert!(msg(&v).contains("does not belong to this order"), "{v}");
    // A session for order A asking for B's report by id: 404, nothing said about it.
    let (s, v) = token(&review_a, json!({"report_id": report_b})).await;
    assert_eq!(s, 404, "{v}");
    assert!(v.get("token").is_none(), "{v}");
    // An unknown report id: 404.
    let (s, v) = token(&review, json!({"report_id": "no-such-report"})).await;
    assert_eq!(s, 404, "{v}");
    // Neither field: 422 naming background_check_id.
    let (s, v) = token(&review, json!({})).await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["field_errors"][0]["field"], "background_check_id", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_token_is_409_before_the_order_has_a_report() {
    // No Yardstik webhooks and no reconciliation: nothing fills the report id back in.
    let env = Env::start(Opts {
        tweak: |c| {
            c.register_webhooks = false;
            c.lifecycle.reconcile_interval = Duration::ZERO;
        },
        ..Opts::default()
    })
    .await;
    place(&env, "rt-none").await;
    // As when Yardstik's invitation answer carries no report yet.
    let t = tenant(&env).await;
    let done = sqlx::query(
        "UPDATE order_items SET report_id = NULL WHERE tenant_id = $1 AND background_check_id = $2",
    )
    .bind(t.id.clone())
    .bind("rt-none")
    .execute(&env.db().pool)
    .await
    .unwrap();
    assert_eq!(done.rows_affected(), 1);
    let review = session(&env, json!({"capabilities": ["review"]})).await;
    let (s, v) = call_with(
        &env,
        Method::POST,
        "/widget/tokens/report",
        &review,
        Some(json!({"background_check_id": "rt-none"})),
        &[],
    )
    .await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["code"], "conflict");
    assert_eq!(msg(&v), "This order has no Yardstik report yet.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_list_is_503_with_yardstik_down_and_nothing_cached() {
    let env = Env::start(Opts::default()).await;
    let (s, v) = env
        .yardstik_post(
            "/sandbox/faults",
            json!({"path": "/accounts/*", "kind": "error", "rate": 1.0}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = env.ats(Method::GET, "/ats/packages", None).await;
    assert_eq!(s, 503, "{v}");
    assert_eq!(v["code"], "upstream_unavailable");
    assert!(!msg(&v).is_empty());
    let rules = faults(&env).await;
    assert!(
        rules[0]["hits"].as_u64().unwrap() >= 1,
        "the server did ask Yardstik: {rules:?}"
    );
    // Yardstik back: the list is served.
    env.http
        .delete(format!("{}/sandbox/faults", env.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    let (s, v) = env.ats(Method::GET, "/ats/packages", None).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["packages"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_completed_order_is_409() {
    let env = Env::start(Opts::default()).await;
    complete(&env, "done-1").await;
    let (s, v) = env.ats(Method::DELETE, "/ats/orders/done-1", None).await;
    assert_eq!(s, 409, "{v}");
    assert_eq!(v["code"], "conflict");
    assert!(
        msg(&v).contains("done-1") && msg(&v).contains("complete"),
        "{v}"
    );
    // Still complete, its invitation untouched.
    let (s, v) = env.ats(Method::GET, "/ats/orders/done-1", None).await;
    assert_eq!(s, 200);
    assert_eq!(
        (v["status"].as_str(), v["result"].as_str()),
        (Some("complete"), Some("Pass"))
    );
    assert_ne!(v["items"][0]["invitation_status"], "canceled", "{v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_redeliver_all_queues_every_dead_delivery() {
    let env = Env::start(Opts::default()).await;
    *env.receiver.default.lock().unwrap() = 500;
    complete(&env, "dead-a").await;
    complete(&env, "dead-b").await;
    let mut dead = Vec::new();
    for _ in 0..1200 {
        dead = env
            .db()
            .deliveries_in_state(OutboxState::Dead)
            .await
            .unwrap();
        if dead.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let mut orders: Vec<&str> = dead
        .iter()
        .map(|d| d.background_check_id.as_str())
        .collect();
    orders.sort();
    assert_eq!(orders, ["dead-a", "dead-b"]);

    *env.receiver.default.lock().unwrap() = 200;
    let store = store(&env.data_dir(), &env.master);
    let mut out = Vec::new();
    screening_server::cli::deliveries(
        &store,
        DeliveriesCmd::Redeliver {
            ids: vec![],
            all: true,
        },
        &mut out,
    )
    .await
    .unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text, "2 deliveries queued again\n");
    let t = tenant(&env).await;
    for bcid in ["dead-a", "dead-b"] {
        let mut state = None;
        for _ in 0..1200 {
            let rows = env.db().deliveries_for_order(&t.id, bcid).await.unwrap();
            state = rows.first().map(|r| r.state);
            if state == Some(OutboxState::Delivered) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(state, Some(OutboxState::Delivered), "{bcid}");
    }
    let delivered: Vec<Value> = env
        .receiver
        .bodies()
        .into_iter()
        .filter(|b| b["status"] == "complete")
        .collect();
    for bcid in ["dead-a", "dead-b"] {
        assert!(
            delivered.iter().any(|b| b["background_check_id"] == bcid),
            "{bcid}"
        );
    }
    // Nothing dead is left; --all with nothing dead queues nothing.
    assert!(env
        .db()
        .deliveries_in_state(OutboxState::Dead)
        .await
        .unwrap()
        .is_empty());
    let mut out = Vec::new();
    screening_server::cli::deliveries(
        &store,
        DeliveriesCmd::Redeliver {
            ids: vec![],
            all: true,
        },
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "0 deliveries queued again\n"
    );
}
