//! Every ATS error path: status + a person-readable `error_message`.

use std::time::Duration;

use axum::routing::{get, post};
use axum::{Json, Router};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

fn msg(v: &Value) -> &str {
    v["error_message"]
        .as_str()
        .unwrap_or_else(|| panic!("no error_message in {v}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_shape_and_catalog_errors() {
    let env = Env::start(Opts::default()).await;
    let order = seed_order("err-1", &env.receiver.url());
    // Every refused order below has its own id, so that "nothing stored" can be checked per id.
    let refused = |id: &str| {
        let mut o = order.clone();
        o["background_check_id"] = json!(id);
        o
    };
    let mut refused_ids: Vec<String> = vec!["err-401".into()];

    // 401: missing, wrong secret, unknown account, malformed header.
    for req in [
        env.http.get(env.url("/ats/packages")),
        env.http
            .get(env.url("/ats/packages"))
            .basic_auth(ATS_USER, Some("wrong")),
        env.http
            .get(env.url("/ats/packages"))
            .basic_auth("nobody", Some(ATS_SECRET)),
        env.http
            .get(env.url("/ats/packages"))
            .header("Authorization", "Basic !!!"),
        env.http
            .post(env.url("/ats/orders"))
            .json(&refused("err-401")),
    ] {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401);
        assert!(res.headers().contains_key("www-authenticate"));
        let v: Value = res.json().await.unwrap();
        assert!(msg(&v).contains("Basic"), "{v}");
    }

    // 400 malformed JSON.
    let res = env
        .http
        .post(env.url("/ats/orders"))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .header("content-type", "application/json")
        .body("{\"account_id\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert!(msg(&res.json().await.unwrap()).starts_with("Malformed JSON"));

    // 422 wrong shape (missing object) and invalid fields.
    let mut o = refused("err-422-shape");
    refused_ids.push("err-422-shape".into());
    o.as_object_mut().unwrap().remove("applicant");
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 422, "{v}");
    assert!(msg(&v).contains("applicant"), "{v}");
    let mut o = refused("err-422-fields");
    refused_ids.push("err-422-fields".into());
    o["applicant"]["email"] = json!("john@");
    o["applicant"]["zip"] = json!("1234"); // any country's postal code is fine
    o["applicant"]["last_name"] = json!(null);
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 422);
    assert_eq!(v["code"], "validation");
    let fields: Vec<&str> = v["field_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["applicant.last_name", "applicant.email"]);
    assert!(msg(&v).contains("applicant.email"));

    // 422 unknown package / add-on (and an add-on ordered as the package).
    for (pkg, addons, field) in [
        ("PKG009", vec!["DRG02"], "package_id"),
        ("PKG001", vec!["NOPE"], "add_on_package_ids[0]"),
        ("DRG01", vec![], "package_id"),
    ] {
        let id = format!("err-422-{pkg}-{}", addons.len());
        let mut o = refused(&id);
        refused_ids.push(id);
        o["package_id"] = json!(pkg);
        o["add_on_package_ids"] = json!(addons);
        let (s, v) = env.order(&o).await;
        assert_eq!(s, 422, "{v}");
        assert_eq!(v["field_errors"][0]["field"], field);
        assert!(msg(&v).contains("Unknown"), "{v}");
    }

    // 403 account_id of someone else.
    let mut o = refused("err-403");
    refused_ids.push("err-403".into());
    o["account_id"] = json!("OTHER");
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 403);
    assert!(msg(&v).contains("account_id"));

    // 201, then 409 for the same id with a different payload.
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    let mut o = order.clone();
    o["package_id"] = json!("PKG002");
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 409);
    assert!(msg(&v).contains("err-1"));

    // 404 unknown order, for GET and DELETE.
    for m in [Method::GET, Method::DELETE] {
        let (s, v) = env.ats(m, "/ats/orders/does-not-exist", None).await;
        assert_eq!(s, 404);
        assert!(msg(&v).contains("does-not-exist"));
    }

    // 413 over the body limit.
    let mut o = refused("err-413");
    refused_ids.push("err-413".into());
    o["job"]["id"] = json!("x".repeat(100 * 1024));
    let (s, v) = env.order(&o).await;
    assert_eq!(s, 413);
    assert_eq!(v["code"], "payload_too_large");

    // No stored state for any of the refused orders.
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(refused_ids.len(), 8);
    for id in &refused_ids {
        assert!(
            order_row(env.db(), &tenant.id, id).await.unwrap().is_none(),
            "refused order {id} was stored"
        );
        let (s, v) = env
            .ats(Method::GET, &format!("/ats/orders/{id}"), None)
            .await;
        assert_eq!(s, 404, "refused order {id}: {v}");
    }
    // The 409 (err-1 with another package) changed nothing of the accepted err-1.
    let items = env.db().order_items(&tenant.id, "err-1").await.unwrap();
    let packages: Vec<&str> = items.iter().map(|i| i.package_id.as_str()).collect();
    assert_eq!(packages, ["PKG001", "DRG02"]);
    // Only the accepted order reached Yardstik: one candidate, its two invitations.
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 1);
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yardstik_outage_is_201_pending_and_the_server_finishes_without_duplicates() {
    let env = Env::start(Opts {
        tweak: |c| c.lifecycle.resume_interval = Duration::from_millis(200),
        ..Opts::default()
    })
    .await;
    // Every POST /invitations fails with 500 (three attempts are not made: not idempotent).
    let (s, _) = env
        .yardstik_post(
            "/sandbox/faults",
            json!({"method": "POST", "path": "/invitations", "kind": "error", "rate": 1.0}),
        )
        .await;
    assert_eq!(s, 200);
    let order = simple_order(
        "outage-1",
        &env.receiver.url(),
        "out.age@example.com",
        "Doe",
    );
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "recorded, so accepted: {v}");
    assert_eq!(v["status"], "pending");
    // The candidate was created and is kept; a retry by the ATS changes nothing.
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 1);
    let (s, v) = env.order(&order).await;
    assert_eq!((s, v["status"].as_str()), (201, Some("pending")), "{v}");
    env.http
        .delete(format!("{}/sandbox/faults", env.sandbox.base_url()))
        .send()
        .await
        .unwrap();
    // Yardstik is back: the server places the order by itself, once.
    env.wait_order("outage-1", "placed by the resumer", |v| {
        v["status"] == "invited"
    })
    .await;
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 1);
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 1);
}

/// A non-201 means nothing was and nothing will be created: every refusal before the order
/// is recorded leaves no candidate, invitation, order row or webhook behind, however long
/// the server then runs with Yardstik healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_non_201_leaves_nothing_behind_whatever_yardstik_does_afterwards() {
    let env = Env::start(Opts {
        tweak: |c| c.lifecycle.resume_interval = Duration::from_millis(100),
        ..Opts::default()
    })
    .await;
    let base = || simple_order("none-1", &env.receiver.url(), "none@example.com", "Doe");
    let mut refused = vec![];
    let mut o = base();
    o["applicant"]["email"] = json!("not-an-email");
    refused.push((o, 422));
    let mut o = base();
    o["package_id"] = json!("PKG404");
    refused.push((o, 422));
    let mut o = base();
    o["webhook_url"] = json!("https://evil.example.net/hook");
    refused.push((o, 422));
    let mut o = base();
    o["account_id"] = json!("someone-else");
    refused.push((o, 403));
    let mut o = base();
    o["background_check_id"] = json!(1.5);
    refused.push((o, 422));
    for (o, want) in &refused {
        let (s, v) = env.order(o).await;
        assert_eq!(s, *want, "{o}: {v}");
        assert!(v["error_message"].is_string(), "{v}");
    }
    // Yardstik healthy, the resumer and the reconciler running: still nothing.
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(list(&env.yardstik_get("/candidates").await).len(), 0);
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 0);
    let orders: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM orders")
        .fetch_one(&env.db().pool)
        .await
        .unwrap();
    let outbox: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
        .fetch_one(&env.db().pool)
        .await
        .unwrap();
    assert_eq!((orders, outbox), (0, 0));
    assert!(env.receiver.bodies().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_list_is_live_and_survives_an_outage() {
    let env = Env::start(Opts::default()).await;
    let (s, v) = env.ats(Method::GET, "/ats/packages", None).await;
    assert_eq!(s, 200, "{v}");
    let ids: Vec<&str> = v["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["PKG001", "PKG002", "PKG003"]);
    assert_eq!(v["packages"][0]["name"], "Basic Package");
    assert_eq!(v["packages"][0]["price"], "29.99");
    assert_eq!(
        v["packages"][0]["screenings"][0],
        "Address to Federal Criminal History (7 year)"
    );
    assert_eq!(v["packages"][2]["screenings"].as_array().unwrap().len(), 4);
    let addons: Vec<(&str, &str)> = v["add_on_packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["price"].as_str().unwrap()))
        .collect();
    assert_eq!(addons, [("DRG01", "29.99"), ("DRG02", "39.99")]);
    assert!(v["add_on_packages"][0].get("screenings").is_none());

    // Expire the cache, break Yardstik: the last good copy is served.
    env.server().ctx.packages.expire_all();
    let (s, _) = env
        .yardstik_post(
            "/sandbox/faults",
            json!({"path": "/accounts/*", "kind": "error", "rate": 1.0}),
        )
        .await;
    assert_eq!(s, 200);
    let (s2, v2) = env.ats(Method::GET, "/ats/packages", None).await;
    assert_eq!(s2, 200);
    assert_eq!(v2, v);
    // ... and there was an outage: the server asked Yardstik and got the injected 500.
    let rules = env.yardstik_get("/sandbox/faults").await;
    let hits = rules["rules"][0]["hits"]
        .as_u64()
        .unwrap_or_else(|| panic!("no hits in {rules}"));
    assert!(
        hits >= 1,
        "the stale list was served without asking Yardstik: {rules}"
    );
}

/// A stub Yardstik that answers the reference's 422 body: the order was recorded, so the
/// ATS gets 201 — with the order `failed` — and a result webhook saying `failed`, its id
/// written back as the ATS sent it (a number). The history says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_yardstik_refusal_after_the_order_is_recorded_is_a_failed_result_webhook() {
    let stub = Router::new()
        .route("/candidates", post(|| async {
            (axum::http::StatusCode::UNPROCESSABLE_ENTITY, Json(json!({
                "title": "Resource not updated", "detail": "There was a problem updating this resource.",
                "meta": {}, "src": {}, "status": 422})))
        }))
        .route("/webhook_types", get(|| async { Json(json!([])) }))
        .route("/accounts/{id}/webhooks", get(|| async { Json(json!([])) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let stub_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, stub).await.ok() });

    let env = Env::start(Opts::default()).await;
    let mut cfg = config(&env.data_dir(), &env.master, &env.sandbox, &Opts::default());
    cfg.yardstik_api_base = stub_url;
    let other = screening_server::start(cfg).await.unwrap();
    let mut order = simple_order("0", &env.receiver.url(), "y422@example.com", "Doe");
    order["background_check_id"] = json!(4422);
    let res = env
        .http
        .post(format!("{}/ats/orders", other.base_url()))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .json(&order)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["status"], "failed", "{v}");
    let hook = env
        .receiver
        .wait_for("the failed webhook", |b| !b.is_empty())
        .await;
    assert_eq!(
        hook[0],
        json!({"background_check_id": 4422, "status": "failed", "result": null, "result_link_url": null})
    );
    let res = env
        .http
        .get(format!("{}/ats/orders/4422", other.base_url()))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .send()
        .await
        .unwrap();
    let v: Value = res.json().await.unwrap();
    let last = v["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["status"], "failed");
    assert_eq!(
        last["detail"],
        "The order could not be placed at Yardstik: Yardstik answered 422"
    );
    other.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssrf_targets_are_refused_at_order_time() {
    let env = Env::start(Opts {
        allow_loopback: false,
        ..Opts::default()
    })
    .await;
    for (url, why) in [
        ("http://127.0.0.1:9/hook", "private, loopback"),
        ("http://localhost:9/hook", "private, loopback"),
        (
            "http://169.254.169.254/latest/meta-data/",
            "not on this account's allowed",
        ),
        ("http://10.0.0.5/hook", "not on this account's allowed"),
        (
            "http://evil.example.net/hook",
            "not on this account's allowed",
        ),
        ("http://[::1]:9/hook", "not on this account's allowed"),
        ("http://user:pw@127.0.0.1/hook", "absolute http(s)"),
    ] {
        let (s, v) = env
            .order(&simple_order("ssrf", url, "s@example.com", "Doe"))
            .await;
        assert_eq!(s, 422, "{url}: {v}");
        assert_eq!(v["field_errors"][0]["field"], "webhook_url", "{url}");
        assert!(msg(&v).contains(why), "{url}: {v}");
    }
    assert_eq!(
        list(&env.yardstik_get("/candidates").await).len(),
        0,
        "nothing reached Yardstik"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumed_order_adopts_an_invitation_whose_answer_was_lost() {
    let env = Env::start(Opts::default()).await;
    // First attempt: the candidate is created, the invitation call fails.
    env.yardstik_post(
        "/sandbox/faults",
        json!({"method": "POST", "path": "/invitations", "kind": "error", "rate": 1.0, "times": 1}),
    )
    .await;
    let order = simple_order("lost-1", &env.receiver.url(), "lost@example.com", "Doe");
    let (s, v) = env.order(&order).await;
    assert_eq!((s, v["status"].as_str()), (201, Some("pending")), "{v}");
    // As if Yardstik had created the invitation but its answer never reached us.
    let cand = list(&env.yardstik_get("/candidates").await)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, lost) = env.yardstik_post("/invitations", json!({"candidate_id": cand, "account_package_id": "11111111-aaaa-4aaa-8aaa-000000000001"})).await;
    assert_eq!(s, 201, "{lost}");
    // The retry adopts it instead of inviting the candidate twice.
    let (s, v) = env.order(&order).await;
    assert_eq!(s, 201, "{v}");
    let invitations = list(&env.yardstik_get("/invitations").await);
    assert_eq!(invitations.len(), 1, "{invitations:?}");
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let items = env.db().order_items(&tenant.id, "lost-1").await.unwrap();
    assert_eq!(items[0].invitation_id.as_deref(), lost["id"].as_str());
    // A second order of the same applicant gets its own invitation (the first is linked).
    let (s, _) = env
        .order(&simple_order(
            "lost-2",
            &env.receiver.url(),
            "lost@example.com",
            "Doe",
        ))
        .await;
    assert_eq!(s, 201);
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 2);
}
