//! Webhook types, registration, and signed delivery (signatures recomputed here independently).

use crate::common::*;
use axum::http::StatusCode;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[tokio::test]
async fn webhook_types_have_stable_ids() {
    let sb = start().await;
    let r = sb.get("/webhook_types", KEY_A).await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.body.as_array().unwrap();
    let names: Vec<&str> = t
        .iter()
        .map(|x| x["system_name"].as_str().unwrap())
        .collect();
    for n in [
        "candidate.created",
        "candidate.updated",
        "candidate.consented",
        "invitation.created",
        "invitation.updated",
        "invitation.deleted",
        "report.created",
        "report.updated",
        "report.completed",
        "sub_account.active",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    // the reference's sample ids
    let by = |n: &str| t.iter().find(|x| x["system_name"] == n).unwrap().clone();
    assert_eq!(
        by("candidate.created")["id"],
        "2c188600-e7ff-4039-bcb2-03a6dab99c13"
    );
    assert_eq!(
        by("report.completed")["id"],
        "48a9b600-e7ff-4039-bcb2-04cddab97ba8"
    );
    assert_eq!(
        by("candidate.created")["description"],
        "A candidate has been created."
    );
    let again = sb.get("/webhook_types", KEY_B).await;
    assert_eq!(again.body, r.body);
}

#[tokio::test]
async fn register_list_get_delete_webhooks() {
    let sb = start().await;
    let path = format!("/accounts/{ACCOUNT_A}/webhooks");
    // the reference's example body (webhook_type_id of report.completed in its types list)
    let r = sb
        .post(&path, KEY_A, json!({"webhook_type_id": "48a9b600-e7ff-4039-bcb2-04cddab97ba8", "url": "https://www.yourcompany.com/webhooks/report_completed"}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        r.body["url"],
        "https://www.yourcompany.com/webhooks/report_completed"
    );
    assert_eq!(r.body["enabled"], true);
    assert_eq!(r.body["webhook_type"], "report.completed");
    assert_eq!(
        r.body["webhook_description"],
        "A report has been completed."
    );
    let id = r.body["id"].as_str().unwrap().to_string();
    // by system name
    let r2 = sb.post(&path, KEY_A, json!({"webhook_type": "candidate.created", "url": "https://www.yourcompany.com/webhooks/candidate_created"})).await;
    assert_eq!(r2.status, StatusCode::CREATED);
    assert_eq!(r2.body["webhook_type"], "candidate.created");
    // the same registration again answers the existing one
    let r3 = sb.post(&path, KEY_A, json!({"webhook_type": "candidate.created", "url": "https://www.yourcompany.com/webhooks/candidate_created"})).await;
    assert_eq!(r3.status, StatusCode::OK);
    assert_eq!(r3.body["id"], r2.body["id"]);

    let l = sb.get(&path, KEY_A).await;
    assert_eq!(l.body.as_array().unwrap().len(), 2);
    let g = sb.get(&format!("{path}/{id}"), KEY_A).await;
    assert_eq!(g.body["id"], json!(id));

    // errors
    assert_error_shape(
        &sb.post(&path, KEY_A, json!({"url": "https://x.example"}))
            .await,
        422,
    );
    assert_error_shape(
        &sb.post(
            &path,
            KEY_A,
            json!({"webhook_type": "nope.nope", "url": "https://x.example"}),
        )
        .await,
        422,
    );
    assert_error_shape(
        &sb.post(
            &path,
            KEY_A,
            json!({"webhook_type": "report.created", "url": "ftp://x"}),
        )
        .await,
        422,
    );
    assert_error_shape(
        &sb.post(
            &path,
            KEY_A,
            json!({"webhook_type": "report.created", "url": "not a url"}),
        )
        .await,
        422,
    );
    // another account's webhooks: 404
    assert_error_shape(
        &sb.get(&format!("/accounts/{ACCOUNT_A}/webhooks"), KEY_B)
            .await,
        404,
    );
    assert_error_shape(
        &sb.post(
            &format!("/accounts/{ACCOUNT_A}/webhooks"),
            KEY_B,
            json!({"webhook_type": "report.created", "url": "https://x.example"}),
        )
        .await,
        404,
    );
    assert_error_shape(
        &sb.call("DELETE", &format!("{path}/{id}"), Some(KEY_B), None)
            .await,
        404,
    );

    let d = sb
        .call("DELETE", &format!("{path}/{id}"), Some(KEY_A), None)
        .await;
    assert_eq!(d.status, StatusCode::NO_CONTENT);
    assert_error_shape(&sb.get(&format!("{path}/{id}"), KEY_A).await, 404);
    assert_error_shape(
        &sb.call("DELETE", &format!("{path}/{id}"), Some(KEY_A), None)
            .await,
        404,
    );
}

#[tokio::test]
async fn deliveries_are_signed_with_the_seed_body_and_key_order() {
    let sb = start().await;
    let rx = receiver(0).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "candidate.created",
        &format!("{}/hooks/candidate_created", rx.url),
    )
    .await;
    let c = sb
        .candidate(KEY_A, "Kirk", "Boehm", "kirk.b@example.com")
        .await;
    rx.wait_for(|b| b.len() == 1).await;
    let got = rx.got.lock().unwrap()[0].clone();
    assert_eq!(got.path, "/hooks/candidate_created");
    // signature: hex HMAC-SHA256 of the exact body bytes under WEBHOOK_SIGNATURE
    assert_eq!(
        got.signature.as_deref(),
        Some(hmac_hex(SIG_A, &got.body).as_str())
    );
    // and the body is exactly the compact JSON with the reference's key order, so a receiver that
    // re-serialises (as Yardstik's demo does with JSON.stringify) gets the same bytes
    let text = std::str::from_utf8(&got.body).unwrap();
    let v: Value = serde_json::from_str(text).unwrap();
    let keys: Vec<&str> = {
        let mut ks = vec![];
        for k in [
            "\"id\"",
            "\"event\"",
            "\"resource_id\"",
            "\"account_id\"",
            "\"account_name\"",
            "\"resource_type\"",
            "\"resource_url\"",
        ] {
            ks.push((text.find(k).unwrap(), k));
        }
        let mut sorted = ks.clone();
        sorted.sort();
        assert_eq!(sorted, ks, "keys in the reference's order");
        ks.iter().map(|(_, k)| *k).collect()
    };
    assert_eq!(keys.len(), 7);
    assert_eq!(v.as_object().unwrap().len(), 7);
    assert!(
        !text.contains(": ") && !text.contains(", "),
        "compact separators"
    );
    assert_eq!(v["event"], "created");
    assert_eq!(v["resource_type"], "candidate");
    assert_eq!(v["resource_id"], c["id"]);
    assert_eq!(v["account_id"], ACCOUNT_A);
    assert_eq!(v["account_name"], "Demo Staffing Co");
    assert_eq!(
        v["resource_url"],
        json!(format!(
            "{}/candidates/{}",
            sb.handle.base_url(),
            c["id"].as_str().unwrap()
        ))
    );
    // the resource_url can be fetched with the account key
    let fetched = sb
        .http
        .get(v["resource_url"].as_str().unwrap())
        .header("authorization", format!("Account {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(fetched.status().as_u16(), 200);
    // a wrong key would not verify
    assert_ne!(
        got.signature.as_deref(),
        Some(hmac_hex(SIG_B, &got.body).as_str())
    );
}

#[tokio::test]
async fn non_2xx_deliveries_are_retried() {
    let sb = start().await;
    let rx = receiver(2).await; // two 500s, then 200
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "candidate.created",
        &format!("{}/h", rx.url),
    )
    .await;
    sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    rx.wait_for(|b| b.len() == 1).await;
    // the delivery log shows 3 attempts
    for _ in 0..100 {
        let d = sb.get("/sandbox/webhook_deliveries", KEY_A).await;
        if d.body["data"][0]["state"] == "delivered" {
            assert_eq!(d.body["data"][0]["attempts"], 3);
            assert_eq!(d.body["data"][0]["last_status"], 200);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("delivery never marked delivered");
}

#[tokio::test]
async fn retries_are_bounded() {
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        webhook_max_attempts: 2,
        webhook_retry_base: std::time::Duration::from_millis(10),
        ..Default::default()
    })
    .await;
    let rx = receiver(usize::MAX).await; // always 500
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "candidate.created",
        &format!("{}/h", rx.url),
    )
    .await;
    sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    for _ in 0..200 {
        let d = sb.get("/sandbox/webhook_deliveries", KEY_A).await;
        if d.body["data"][0]["state"] == "failed" {
            assert_eq!(d.body["data"][0]["attempts"], 2);
            assert_eq!(d.body["data"][0]["last_status"], 500);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("delivery never gave up");
}

#[tokio::test]
async fn each_account_signs_with_its_own_key_and_only_hears_its_own_events() {
    let sb = start().await;
    let rx_a = receiver(0).await;
    let rx_b = receiver(0).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "candidate.created",
        &format!("{}/a", rx_a.url),
    )
    .await;
    register(
        &sb,
        KEY_B,
        ACCOUNT_B,
        "candidate.created",
        &format!("{}/b", rx_b.url),
    )
    .await;
    sb.candidate(KEY_B, "B", "B", "b@example.com").await;
    rx_b.wait_for(|b| b.len() == 1).await;
    let got = rx_b.got.lock().unwrap()[0].clone();
    assert_eq!(
        got.signature.as_deref(),
        Some(hmac_hex(SIG_B, &got.body).as_str())
    );
    assert_eq!(rx_b.bodies()[0]["account_id"], ACCOUNT_B);
    assert!(rx_a.bodies().is_empty());
}

/// A receiver that holds each delivery `hold` before answering `status(n)` (n: the arrival
/// index), and records the order of arrival and the most deliveries it held at once.
struct SlowReceiver {
    url: String,
    arrivals: Arc<Mutex<Vec<String>>>,
    most_at_once: Arc<AtomicUsize>,
}

async fn slow_receiver(hold: Duration, fail: fn(usize) -> bool) -> SlowReceiver {
    use axum::{body::Bytes, extract::State, routing::post};
    #[derive(Clone)]
    struct St {
        arrivals: Arc<Mutex<Vec<String>>>,
        now: Arc<AtomicUsize>,
        most: Arc<AtomicUsize>,
        hold: Duration,
        fail: fn(usize) -> bool,
    }
    async fn hook(State(st): State<St>, body: Bytes) -> StatusCode {
        let v: Value = serde_json::from_slice(&body).unwrap();
        let n = {
            let mut a = st.arrivals.lock().unwrap();
            a.push(v["resource_id"].as_str().unwrap().to_string());
            a.len() - 1
        };
        let now = st.now.fetch_add(1, Ordering::SeqCst) + 1;
        st.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(st.hold).await;
        st.now.fetch_sub(1, Ordering::SeqCst);
        if (st.fail)(n) {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            StatusCode::OK
        }
    }
    let st = St {
        arrivals: Arc::default(),
        now: Arc::default(),
        most: Arc::default(),
        hold,
        fail,
    };
    let (arrivals, most_at_once) = (st.arrivals.clone(), st.most.clone());
    let addr = serve(axum::Router::new().route("/h", post(hook)).with_state(st)).await;
    SlowReceiver {
        url: format!("http://{addr}/h"),
        arrivals,
        most_at_once,
    }
}

/// Creates `n` candidates with `candidate.created` registered at `url`; their ids in order.
async fn candidates_to(sb: &Sb, url: &str, n: usize) -> Vec<String> {
    register(sb, KEY_A, ACCOUNT_A, "candidate.created", url).await;
    let mut ids = vec![];
    for i in 0..n {
        let c = sb
            .candidate(KEY_A, "Con", "Current", &format!("c{i}@example.com"))
            .await;
        ids.push(c["id"].as_str().unwrap().to_string());
    }
    ids
}

fn sorted(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids
}

async fn wait_queue_empty(sb: &Sb) {
    for _ in 0..500 {
        let q = sb.get("/sandbox/webhook_queue", KEY_A).await;
        if q.body["pending"] == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the webhook queue never emptied");
}

#[tokio::test]
async fn deliveries_to_one_url_overlap_up_to_the_concurrency() {
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        webhook_concurrency: 3,
        ..Default::default()
    })
    .await;
    let rx = slow_receiver(Duration::from_millis(150), |_| false).await;
    let ids = candidates_to(&sb, &rx.url, 9).await;
    wait_queue_empty(&sb).await;
    let got = rx.arrivals.lock().unwrap().clone();
    // Started in queue order, so the first three arrive before the last three.
    assert_eq!(got.len(), 9, "{got:?}");
    assert!(got[..3].iter().all(|id| ids[..6].contains(id)), "{got:?}");
    assert_eq!(sorted(got), sorted(ids));
    assert_eq!(rx.most_at_once.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_concurrency_of_one_delivers_strictly_in_order() {
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        webhook_concurrency: 1,
        ..Default::default()
    })
    .await;
    let rx = slow_receiver(Duration::from_millis(20), |_| false).await;
    let ids = candidates_to(&sb, &rx.url, 6).await;
    wait_queue_empty(&sb).await;
    assert_eq!(*rx.arrivals.lock().unwrap(), ids);
    assert_eq!(rx.most_at_once.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failing_delivery_waits_for_its_retry_without_holding_up_the_others() {
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        webhook_concurrency: 2,
        webhook_retry_base: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    // The first arrival fails once; its retry comes 400 ms later, after the rest.
    let rx = slow_receiver(Duration::from_millis(5), |n| n == 0).await;
    let ids = candidates_to(&sb, &rx.url, 5).await;
    wait_queue_empty(&sb).await;
    let got = rx.arrivals.lock().unwrap().clone();
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(got.last(), got.first(), "the retry comes last: {got:?}");
    assert_eq!(sorted(got[1..].to_vec()), sorted(ids));
}
