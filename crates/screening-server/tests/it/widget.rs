//! Widget API: sessions, bearer auth, CORS, orders with Idempotency-Key, tokens, apply link.

use reqwest::Method;
use screening_server::orders::reconcile::reconcile_order;
use screening_server::tokens::{Claims, Purpose};
use screening_wire::Capability;
use serde_json::{json, Value};

use crate::support::*;

const ORIGIN: &str = "https://ats.example.com";

async fn session(env: &Env, body: Value) -> String {
    let res = env
        .http
        .post(env.url("/widget/sessions"))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    assert!(v["expires_in"].as_u64().unwrap() > 0 && v["expires_at"].is_string());
    v["token"].as_str().unwrap().to_string()
}

async fn call(
    env: &Env,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, Value, reqwest::header::HeaderMap) {
    let mut req = env.http.request(method, env.url(path)).bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    let (s, h) = (res.status().as_u16(), res.headers().clone());
    (s, res.json().await.unwrap_or(Value::Null), h)
}

fn widget_order() -> Value {
    let o = simple_order("unused", "http://unused", "widget.user@example.com", "Doe");
    json!({"package_id": "PKG002", "add_on_package_ids": [], "applicant": o["applicant"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn widget_flow_scopes_cors_and_tokens() {
    let env = Env::start(Opts::default()).await;
    use reqwest::Method;

    // Sessions need the tenant's Basic credentials.
    let res = env
        .http
        .post(env.url("/widget/sessions"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // The hiring manager's page: order, review and disclosures.
    let token = session(
        &env,
        json!({"capabilities": ["order", "review", "disclosures"]}),
    )
    .await;

    // Bearer required; wrong or expired tokens are 401 (expired: code session_expired).
    let (s, v, _) = call(&env, Method::GET, "/widget/packages", "garbage", None, &[]).await;
    assert_eq!((s, v["code"].as_str()), (401, Some("unauthorized")));
    let tenant = env
        .db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap();
    let expired = env.server().ctx.signer.sign(
        Purpose::WidgetSession,
        &Claims {
            t: tenant.id.clone(),
            a: None,
            o: None,
            exp: 1,
            c: vec![Capability::Order],
            g: tenant.generation(),
            r: None,
            v: 0,
        },
    );
    let (s, v, h) = call(
        &env,
        Method::GET,
        "/widget/packages",
        &expired,
        None,
        &[("Origin", ORIGIN)],
    )
    .await;
    assert_eq!((s, v["code"].as_str()), (401, Some("session_expired")));
    assert_eq!(
        h["access-control-allow-origin"], ORIGIN,
        "the widget can read the expiry"
    );
    let link_token = env.server().ctx.signer.sign(
        Purpose::ResultLink,
        &Claims {
            t: tenant.id.clone(),
            a: None,
            o: None,
            exp: i64::MAX / 2,
            c: vec![Capability::Order],
            g: tenant.generation(),
            r: None,
            v: 0,
        },
    );
    let (s, _, _) = call(
        &env,
        Method::GET,
        "/widget/packages",
        &link_token,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 401, "a result-link token is not a session");

    // Packages with CORS for the configured origin only.
    let (s, v, h) = call(
        &env,
        Method::GET,
        "/widget/packages",
        &token,
        None,
        &[("Origin", ORIGIN)],
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["packages"].as_array().unwrap().len(), 3);
    assert_eq!(h["access-control-allow-origin"], ORIGIN);
    let (s, _, h) = call(
        &env,
        Method::GET,
        "/widget/packages",
        &token,
        None,
        &[("Origin", "https://evil.example")],
    )
    .await;
    assert_eq!(s, 403);
    assert!(!h.contains_key("access-control-allow-origin"));
    let pre = env
        .http
        .request(Method::OPTIONS, env.url("/widget/orders"))
        .header("Origin", ORIGIN)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type,idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(pre.headers()["access-control-allow-origin"], ORIGIN);
    assert!(pre.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .contains("idempotency-key"));
    let pre = env
        .http
        .request(Method::OPTIONS, env.url("/widget/orders"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 403);

    // Orders: the Idempotency-Key makes a retry the same order.
    let key = [("Idempotency-Key", "k-123")];
    let (s1, o1, _) = call(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(widget_order()),
        &key,
    )
    .await;
    let (s2, o2, _) = call(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(widget_order()),
        &key,
    )
    .await;
    assert_eq!((s1, s2), (201, 201), "{o1}");
    assert_eq!(o1, o2);
    let bcid = o1["background_check_id"].as_str().unwrap().to_string();
    assert_eq!(list(&env.yardstik_get("/invitations").await).len(), 1);
    let mut bad = widget_order();
    bad["applicant"]["phone"] = json!("12");
    let (s, v, _) = call(&env, Method::POST, "/widget/orders", &token, Some(bad), &[]).await;
    assert_eq!(
        (s, v["field_errors"][0]["field"].as_str()),
        (422, Some("applicant.phone"))
    );
    let (s, v, _) = call(
        &env,
        Method::GET,
        &format!("/widget/orders/{bcid}"),
        &token,
        None,
        &[],
    )
    .await;
    assert_eq!((s, v["status"].as_str()), (200, Some("invited")));

    // Disclosures: a session with `disclosures` gets a Yardstik web token for the account.
    let (s, v, _) = call(
        &env,
        Method::POST,
        "/widget/tokens/disclosures",
        &token,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["account_id"], ACCOUNT_A);
    assert_eq!(v["domain"], env.sandbox.app_origin());
    assert!(!v["token"].as_str().unwrap().is_empty());

    // Report token for the order's report.
    let (s, v, _) = call(
        &env,
        Method::POST,
        "/widget/tokens/report",
        &token,
        Some(json!({"background_check_id": bcid})),
        &[],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["report_id"], o1["items"][0]["report_id"]);
    assert_eq!(v["domain"], env.sandbox.app_origin());
    // The sandbox accepts that token on its embed page.
    let page = env
        .http
        .get(format!(
            "{}/embed/report/{}?jwt={}",
            env.sandbox.app_origin(),
            v["report_id"].as_str().unwrap(),
            v["token"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);

    // Candidate sessions: only their order; apply link only for them.
    let (s, _, _) = call(
        &env,
        Method::GET,
        &format!("/widget/orders/{bcid}/apply"),
        &token,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 403);
    let scoped = session(
        &env,
        json!({"background_check_id": bcid, "capabilities": ["candidate"]}),
    )
    .await;
    let (s, v, _) = call(
        &env,
        Method::GET,
        &format!("/widget/orders/{bcid}/apply"),
        &scoped,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 200, "{v}");
    assert!(
        v["apply_url"]
            .as_str()
            .unwrap()
            .starts_with(env.sandbox.profile_origin()),
        "{v}"
    );
    // The frame's origin is the link's own (the profile origin when Yardstik's apply pages
    // are on one), and both configured Yardstik origins are named.
    assert_eq!(v["domain"], env.sandbox.profile_origin());
    assert_eq!(v["steps"][0]["origin"], env.sandbox.profile_origin());
    assert_eq!(
        v["origins"],
        json!([env.sandbox.app_origin(), env.sandbox.profile_origin()])
    );
    let other = session(
        &env,
        json!({"background_check_id": "someone-else", "capabilities": ["candidate"]}),
    )
    .await;
    let other_review = session(
        &env,
        json!({"background_check_id": "someone-else", "capabilities": ["review"]}),
    )
    .await;
    for path in [
        format!("/widget/orders/{bcid}"),
        format!("/widget/orders/{bcid}/apply"),
    ] {
        let (s, _, _) = call(&env, Method::GET, &path, &other, None, &[]).await;
        assert_eq!(s, 404, "{path}");
    }
    let (s, _, _) = call(
        &env,
        Method::POST,
        "/widget/tokens/report",
        &other_review,
        Some(json!({"background_check_id": bcid})),
        &[],
    )
    .await;
    assert_eq!(
        s, 404,
        "a review session for another order sees nothing of this one"
    );
    let (s, _, _) = call(
        &env,
        Method::POST,
        "/widget/tokens/disclosures",
        &other,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 403);
    let applicant = session(
        &env,
        json!({"applicant_id": "12345", "capabilities": ["order"]}),
    )
    .await;
    let (s, _, _) = call(
        &env,
        Method::GET,
        &format!("/widget/orders/{bcid}"),
        &applicant,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 200, "an order form for applicant 12345 reads its order");
    let stranger = session(
        &env,
        json!({"applicant_id": "99999", "capabilities": ["order"]}),
    )
    .await;
    let (s, _, _) = call(
        &env,
        Method::GET,
        &format!("/widget/orders/{bcid}"),
        &stranger,
        None,
        &[],
    )
    .await;
    assert_eq!(s, 404, "another applicant's order form does not");
}

/// An order with an add-on has one intake per invitation: the apply link lists both, package
/// first; once the package's invitation is completed only the add-on's is left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_link_lists_every_open_intake_in_order() {
    let env = Env::start(Opts::default()).await;
    use reqwest::Method;
    let token = session(&env, json!({"capabilities": ["order"]})).await;
    let mut order = widget_order();
    order["add_on_package_ids"] = json!(["DRG01"]);
    let (s, o, _) = call(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(order),
        &[("Idempotency-Key", "k-addon")],
    )
    .await;
    assert_eq!(s, 201, "{o}");
    let bcid = o["background_check_id"].as_str().unwrap().to_string();
    let scoped = session(
        &env,
        json!({"background_check_id": bcid, "capabilities": ["candidate"]}),
    )
    .await;
    let path = format!("/widget/orders/{bcid}/apply");

    let (s, v, _) = call(&env, Method::GET, &path, &scoped, None, &[]).await;
    assert_eq!(s, 200, "{v}");
    let steps = v["steps"].as_array().unwrap().clone();
    assert_eq!(steps.len(), 2, "{v}");
    assert_eq!(
        (
            steps[0]["package_id"].as_str(),
            steps[0]["add_on"].as_bool()
        ),
        (Some("PKG002"), Some(false))
    );
    assert_eq!(
        (
            steps[1]["package_id"].as_str(),
            steps[1]["add_on"].as_bool()
        ),
        (Some("DRG01"), Some(true))
    );
    let urls: Vec<&str> = steps
        .iter()
        .map(|s| s["apply_url"].as_str().unwrap())
        .collect();
    assert_ne!(urls[0], urls[1], "one intake per invitation");
    // The OpenAPI document describes every field of the answer.
    let api: Value = serde_json::from_str(include_str!("../../openapi.json")).unwrap();
    let schemas = &api["components"]["schemas"];
    for (shape, value) in [("ApplyLink", &v), ("ApplyStep", &steps[0])] {
        for key in value.as_object().unwrap().keys() {
            assert!(
                schemas[shape]["properties"].get(key).is_some(),
                "openapi {shape} lacks {key}"
            );
        }
    }
    assert!(
        api["paths"]["/widget/orders/{background_check_id}/apply"]["get"]["responses"]
            .get("502")
            .is_some(),
        "the refusal of a link is documented"
    );
    assert!(
        urls.iter()
            .all(|u| u.starts_with(env.sandbox.profile_origin())),
        "{v}"
    );
    assert!(
        steps
            .iter()
            .all(|s| s["origin"] == env.sandbox.profile_origin()),
        "{v}"
    );
    assert_eq!(
        v["apply_url"], steps[0]["apply_url"],
        "apply_url is the first open step's"
    );

    // Complete the package's invitation in the sandbox; once the server has processed the
    // webhook, only the add-on's intake is open.
    let invs = list(&env.yardstik_get("/invitations").await);
    let first = invs
        .iter()
        .find(|i| i["meta"]["apply"] == urls[0] || i["meta"]["apply_url"] == urls[0])
        .expect("the package's invitation");
    let (s, r) = env
        .yardstik_post(
            &format!(
                "/sandbox/invitations/{}/complete",
                first["id"].as_str().unwrap()
            ),
            json!({}),
        )
        .await;
    assert_eq!(s, 200, "{r}");
    env.wait_order(&bcid, "the package's invitation completed", |v| {
        v["items"][0]["invitation_status"] == "completed"
    })
    .await;
    let (s, v, _) = call(&env, Method::GET, &path, &scoped, None, &[]).await;
    assert_eq!(s, 200, "{v}");
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{v}");
    assert_eq!(steps[0]["package_id"], "DRG01");
    assert_eq!(steps[0]["apply_url"], urls[1]);
    assert_eq!(v["apply_url"], urls[1]);
}

/// Sessions expire by the server's clock: the same token works until its lifetime has
/// passed on that clock and is refused as expired after, with no waiting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_expires_when_the_clock_passes_its_lifetime() {
    let clock = screening_model::Clock::manual(screening_store::now_ms());
    let env = Env::start(Opts {
        clock: clock.clone(),
        ..Opts::default()
    })
    .await;
    let token = session(&env, json!({"capabilities": ["order"], "ttl_seconds": 60})).await;
    let packages = || call(&env, Method::GET, "/widget/packages", &token, None, &[]);
    let (s, v, _) = packages().await;
    assert_eq!(s, 200, "{v}");
    clock.advance(std::time::Duration::from_secs(59));
    let (s, _, _) = packages().await;
    assert_eq!(s, 200, "still within its minute");
    clock.advance(std::time::Duration::from_secs(2));
    let (s, v, _) = packages().await;
    assert_eq!(
        (s, v["code"].as_str()),
        (401, Some("session_expired")),
        "{v}"
    );
}

/// An apply link from Yardstik that is not an http(s) page on a configured Yardstik origin
/// (a `javascript:`, `data:` or foreign URL from a compromised or spoofed upstream) is
/// refused with a clear error and never handed to the widget.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_links_off_the_yardstik_origins_are_refused() {
    let env = Env::start(Opts::default()).await;
    let token = session(&env, json!({"capabilities": ["order"]})).await;
    let (s, o, _) = call(
        &env,
        Method::POST,
        "/widget/orders",
        &token,
        Some(widget_order()),
        &[("Idempotency-Key", "k-refused")],
    )
    .await;
    assert_eq!(s, 201, "{o}");
    let bcid = o["background_check_id"].as_str().unwrap().to_string();
    let t = tenant(&env).await;
    let item = &env.db().order_items(&t.id, &bcid).await.unwrap()[0];
    let inv = item.invitation_id.clone().unwrap();
    let scoped = session(
        &env,
        json!({"background_check_id": bcid, "capabilities": ["candidate"]}),
    )
    .await;
    let path = format!("/widget/orders/{bcid}/apply");
    for (link, why) in [
        (
            "javascript:parent.document.title='pwned'",
            "not an http(s) URL",
        ),
        (
            "data:text/html,<script>parent.x=1</script>",
            "not an http(s) URL",
        ),
        (
            "https://evil.example/candidates/x/apply",
            "https://evil.example is not one of the configured Yardstik origins",
        ),
    ] {
        let (s, r) = env
            .yardstik_post(
                &format!("/sandbox/invitations/{inv}/apply_url"),
                json!({ "url": link }),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        // Yardstik's view of the invitation (as a webhook would bring it) is applied.
        reconcile_order(
            &env.server().ctx.orders,
            &screening_model::OrderKey::new(&t.id, &bcid),
        )
        .await
        .unwrap();
        let (s, v, _) = call(&env, Method::GET, &path, &scoped, None, &[]).await;
        assert_eq!(s, 502, "{link}: {v}");
        assert_eq!(v["code"], "upstream_rejected", "{v}");
        let msg = v["error_message"].as_str().unwrap();
        assert!(msg.contains(why), "{link}: {msg}");
        assert!(
            !v.to_string().contains(link),
            "the link is never passed on: {v}"
        );
    }
    // Yardstik's own link again: shown.
    env.yardstik_post(
        &format!("/sandbox/invitations/{inv}/apply_url"),
        json!({ "url": null }),
    )
    .await;
    reconcile_order(
        &env.server().ctx.orders,
        &screening_model::OrderKey::new(&t.id, &bcid),
    )
    .await
    .unwrap();
    let (s, v, _) = call(&env, Method::GET, &path, &scoped, None, &[]).await;
    assert_eq!(s, 200, "{v}");
    assert!(v["apply_url"]
        .as_str()
        .unwrap()
        .starts_with(env.sandbox.profile_origin()));
}
