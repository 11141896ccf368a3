//! Least privilege: every widget route against every kind of session, allowed and refused,
//! with the status code; what sessions may be minted; ids chosen in the browser; sessions and
//! result links ending with a secret rotation; the strict body rules.

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::*;

fn widget_order(email: &str) -> Value {
    let o = simple_order("unused", "http://unused", email, "Doe");
    json!({"package_id": "PKG001", "add_on_package_ids": [], "applicant": o["applicant"]})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_against_every_capability() {
    let env = Env::start(Opts::default()).await;
    // The order everyone looks at, placed by the ATS.
    let (s, placed) = env
        .order(&simple_order(
            "cap-1",
            &env.receiver.url(),
            "cap@example.com",
            "Doe",
        ))
        .await;
    assert_eq!(s, 201, "{placed}");

    let sessions: Vec<(&str, String)> = vec![
        ("none", session(&env, json!({})).await),
        (
            "order",
            session(&env, json!({"capabilities": ["order"]})).await,
        ),
        (
            "review",
            session(&env, json!({"capabilities": ["review"]})).await,
        ),
        (
            "review:cap-1",
            session(
                &env,
                json!({"capabilities": ["review"], "background_check_id": "cap-1"}),
            )
            .await,
        ),
        (
            "review:other",
            session(
                &env,
                json!({"capabilities": ["review"], "background_check_id": "other"}),
            )
            .await,
        ),
        (
            "candidate:cap-1",
            session(
                &env,
                json!({"capabilities": ["candidate"], "background_check_id": "cap-1"}),
            )
            .await,
        ),
        (
            "candidate:other",
            session(
                &env,
                json!({"capabilities": ["candidate"], "background_check_id": "other"}),
            )
            .await,
        ),
        (
            "disclosures",
            session(&env, json!({"capabilities": ["disclosures"]})).await,
        ),
        (
            "view:cap-1",
            session(
                &env,
                json!({"capabilities": ["view"], "background_check_id": "cap-1"}),
            )
            .await,
        ),
        (
            "view:other",
            session(
                &env,
                json!({"capabilities": ["view"], "background_check_id": "other"}),
            )
            .await,
        ),
        (
            "review+reviewer:cap-1",
            session(
                &env,
                json!({"capabilities": ["review"], "background_check_id": "cap-1", "reviewer_id": "67890"}),
            )
            .await,
        ),
    ];
    // route → expected status per session, in the order above.
    type Route = (&'static str, Method, &'static str, Option<Value>, [u16; 11]);
    let routes: Vec<Route> = vec![
        (
            "packages",
            Method::GET,
            "/widget/packages",
            None,
            [403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "order status",
            Method::GET,
            "/widget/orders/cap-1",
            None,
            [403, 200, 200, 200, 404, 200, 404, 403, 200, 404, 200],
        ),
        (
            "apply steps",
            Method::GET,
            "/widget/orders/cap-1/apply",
            None,
            [403, 403, 403, 403, 403, 200, 404, 403, 403, 403, 403],
        ),
        (
            "candidate progress",
            Method::GET,
            "/widget/orders/cap-1/progress",
            None,
            [403, 403, 403, 403, 403, 200, 404, 403, 403, 403, 403],
        ),
        (
            "candidate report",
            Method::GET,
            "/widget/orders/cap-1/report",
            None,
            [403, 403, 403, 403, 403, 200, 404, 403, 403, 403, 403],
        ),
        (
            "report token",
            Method::POST,
            "/widget/tokens/report",
            Some(json!({"background_check_id": "cap-1"})),
            [403, 403, 200, 200, 404, 403, 403, 403, 200, 404, 200],
        ),
        (
            "disclosures token",
            Method::POST,
            "/widget/tokens/disclosures",
            None,
            [403, 403, 403, 403, 403, 403, 403, 200, 403, 403, 403],
        ),
        (
            "place an order",
            Method::POST,
            "/widget/orders",
            Some(widget_order("placed.by.widget@example.com")),
            [403, 201, 403, 403, 403, 403, 403, 403, 403, 403, 403],
        ),
        (
            "decide",
            Method::POST,
            "/widget/orders/cap-1/decision/proceed",
            None,
            // Only a review session with the host's reviewer_id gets as far as the report
            // (not in `consider` yet: 409).
            [403, 403, 403, 403, 404, 403, 403, 403, 403, 403, 409],
        ),
    ];
    let mut failures = Vec::new();
    for (name, method, path, body, expected) in &routes {
        for ((who, token), want) in sessions.iter().zip(expected) {
            let (got, v) = call(&env, method.clone(), path, token, body.clone()).await;
            if got != *want {
                failures.push(format!("{name} as {who}: {got} (want {want}) {v}"));
            }
            if got == 403 {
                assert_eq!(v["code"], "forbidden", "{name} as {who}: {v}");
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The candidate's view of its order holds nothing that opens the employer's report.
    let candidate = &sessions[5].1;
    let (_, v) = call(&env, Method::GET, "/widget/orders/cap-1", candidate, None).await;
    assert_eq!(v["background_check_id"], "cap-1");
    assert!(v["items"][0]["report_id"].is_null(), "{v}");
    assert!(v["result_link_url"].is_null(), "{v}");
    let (_, v) = call(
        &env,
        Method::GET,
        "/widget/orders/cap-1",
        &sessions[2].1,
        None,
    )
    .await;
    assert!(
        v["items"][0]["report_id"].is_string(),
        "a reviewer sees the report id: {v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_minted_only_when_they_make_sense() {
    let env = Env::start(Opts::default()).await;
    for (body, field) in [
        (
            json!({"capabilities": ["candidate"]}),
            "background_check_id",
        ),
        (
            json!({"capabilities": ["candidate", "review"], "background_check_id": "x"}),
            "capabilities",
        ),
        (
            json!({"capabilities": ["order"], "background_check_id": ""}),
            "background_check_id",
        ),
        (json!({"capabilities": ["view"]}), "background_check_id"),
    ] {
        let (s, v) = mint_session(&env, body.clone()).await;
        assert_eq!(s, 422, "{body}: {v}");
        assert_eq!(v["field_errors"][0]["field"], field, "{body}: {v}");
    }
    let (s, v) = mint_session(&env, json!({"capabilities": ["superuser"]})).await;
    assert_eq!(s, 422, "an unknown capability is refused: {v}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ids_chosen_in_the_browser_stay_out_of_the_ats_id_space() {
    let env = Env::start(Opts::default()).await;
    let form = session(&env, json!({"capabilities": ["order"]})).await;
    let mut order = widget_order("browser@example.com");
    order["background_check_id"] = json!("224499");
    let (s, v) = call(
        &env,
        Method::POST,
        "/widget/orders",
        &form,
        Some(order.clone()),
    )
    .await;
    assert_eq!(s, 422, "{v}");
    assert_eq!(v["field_errors"][0]["field"], "background_check_id");
    // The ATS's own order with that id is unaffected.
    let (s, v) = env
        .order(&simple_order(
            "224499",
            &env.receiver.url(),
            "ats@example.com",
            "Doe",
        ))
        .await;
    assert_eq!(s, 201, "{v}");
    order["background_check_id"] = json!("w-chosen-1");
    let (s, v) = call(
        &env,
        Method::POST,
        "/widget/orders",
        &form,
        Some(order.clone()),
    )
    .await;
    assert_eq!(
        (s, v["background_check_id"].as_str()),
        (201, Some("w-chosen-1")),
        "{v}"
    );
    // The host's backend may bind any id to the session; the browser then uses that one.
    let bound = session(
        &env,
        json!({"capabilities": ["order"], "background_check_id": "ATS-77"}),
    )
    .await;
    order["background_check_id"] = Value::Null;
    let (s, v) = call(&env, Method::POST, "/widget/orders", &bound, Some(order)).await;
    assert_eq!(
        (s, v["background_check_id"].as_str()),
        (201, Some("ATS-77")),
        "{v}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_the_secret_ends_sessions_but_not_result_links() {
    let env = Env::start(Opts::default()).await;
    let review = session(&env, json!({"capabilities": ["review"]})).await;
    let order = simple_order("rot-1", &env.receiver.url(), "rot@example.com", "Doe");
    let (s, _) = env.order(&order).await;
    assert_eq!(s, 201);
    let inv = env
        .db()
        .order_items(
            &env.db()
                .tenant_by_ats_account(ATS_USER)
                .await
                .unwrap()
                .unwrap()
                .id,
            "rot-1",
        )
        .await
        .unwrap()[0]
        .invitation_id
        .clone()
        .unwrap();
    env.yardstik_post(&format!("/sandbox/invitations/{inv}/complete"), json!({}))
        .await;
    let v = env
        .wait_order("rot-1", "complete", |v| v["status"] == "complete")
        .await;
    let link = v["result_link_url"].as_str().unwrap().to_string();
    assert_eq!(env.http.get(&link).send().await.unwrap().status(), 200);
    let (s, v) = call(&env, Method::GET, "/widget/orders/rot-1", &review, None).await;
    assert_eq!(s, 200);
    assert!(
        v["result_link_url"].is_null(),
        "a widget read carries no result link: {v}"
    );

    env.db()
        .set_tenant_secret(ATS_USER, "a-new-secret-456")
        .await
        .unwrap();
    let (s, v) = call(&env, Method::GET, "/widget/orders/rot-1", &review, None).await;
    assert_eq!(s, 401, "{v}");
    assert!(
        v["error_message"]
            .as_str()
            .unwrap()
            .contains("credentials changed"),
        "{v}"
    );
    // The ATS stored the link on the candidate's record: it keeps opening.
    assert_eq!(env.http.get(&link).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_must_be_json_objects_sent_as_json() {
    let env = Env::start(Opts::default()).await;
    let post = |path: &'static str, ctype: Option<&'static str>, body: &'static str| {
        let mut req = env
            .http
            .post(env.url(path))
            .basic_auth(ATS_USER, Some(ATS_SECRET))
            .body(body);
        if let Some(c) = ctype {
            req = req.header("Content-Type", c);
        }
        async move {
            let res = req.send().await.unwrap();
            (
                res.status().as_u16(),
                res.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    for (ctype, body, want, code) in [
        (Some("application/json"), "[null, null]", 422, "validation"),
        (Some("application/json"), "\"text\"", 422, "validation"),
        (Some("application/json"), "", 400, "bad_request"),
        (Some("application/json"), "{", 400, "bad_request"),
        (Some("text/plain"), "{}", 415, "unsupported_media_type"),
        (None, "{}", 415, "unsupported_media_type"),
        (Some("application/json; charset=utf-8"), "{}", 201, ""),
    ] {
        let (s, v) = post("/widget/sessions", ctype, body).await;
        assert_eq!(s, want, "{ctype:?} {body:?}: {v}");
        if !code.is_empty() {
            assert_eq!(v["code"], code, "{ctype:?} {body:?}: {v}");
        }
    }
}
