//! Fault injection: 500s, 429 + Retry-After, latency, dropped connections; per route.

use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;
use yardstik_sandbox::{FaultKind, FaultRule, SandboxConfig};

#[tokio::test]
async fn faults_via_the_control_endpoint() {
    let sb = start().await;
    let r = sb
        .call(
            "POST",
            "/sandbox/faults",
            None,
            Some(json!({"rules": [
                {"method": "POST", "path": "/candidates", "kind": "error", "rate": 1.0, "times": 2},
                {"path": "/invitations*", "kind": "rate_limit", "retry_after_secs": 7},
            ]})),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["rules"].as_array().unwrap().len(), 2);
    let body = json!({"first_name": "A", "last_name": "B", "email": "ab@example.com"});
    let r = sb.post("/candidates", KEY_A, body.clone()).await;
    assert_error_shape(&r, 500);
    assert_error_shape(&sb.post("/candidates", KEY_A, body.clone()).await, 500);
    assert_eq!(
        sb.post("/candidates", KEY_A, body.clone()).await.status,
        StatusCode::CREATED,
        "times: 2 exhausted"
    );
    assert_eq!(
        sb.get("/candidates", KEY_A).await.status,
        StatusCode::OK,
        "GET not matched"
    );
    let r = sb.get("/invitations", KEY_A).await;
    assert_error_shape(&r, 429);
    assert_eq!(r.headers["retry-after"], "7");
    let r = sb.get("/invitations/x", KEY_A).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // hits are counted
    let g = sb.call("GET", "/sandbox/faults", None, None).await;
    assert_eq!(g.body["rules"][0]["hits"], 2);
    assert_eq!(g.body["rules"][1]["hits"], 2);
    // control routes are never faulted; clearing works
    assert_eq!(
        sb.call("DELETE", "/sandbox/faults", None, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(sb.get("/invitations", KEY_A).await.status, StatusCode::OK);
    // bad rules
    assert_error_shape(
        &sb.call(
            "POST",
            "/sandbox/faults",
            None,
            Some(json!({"kind": "error", "rate": 2.0})),
        )
        .await,
        422,
    );
    assert_error_shape(
        &sb.call(
            "POST",
            "/sandbox/faults",
            None,
            Some(json!({"kind": "explode"})),
        )
        .await,
        422,
    );
}

#[tokio::test]
async fn dropped_connections_and_latency() {
    let sb = start_with(SandboxConfig {
        faults: vec![
            FaultRule {
                method: None,
                path: Some("/reports".into()),
                kind: FaultKind::Drop,
                rate: 1.0,
                times: Some(1),
                latency_ms: None,
                retry_after_secs: None,
                hits: 0,
            },
            FaultRule {
                method: Some("GET".into()),
                path: Some("/accounts".into()),
                kind: FaultKind::Latency,
                rate: 1.0,
                times: None,
                latency_ms: Some(30),
                retry_after_secs: None,
                hits: 0,
            },
        ],
        ..Default::default()
    })
    .await;
    // the dropped request fails at the client (no complete response)
    let res = sb
        .http
        .get(sb.url("/reports"))
        .header("authorization", format!("Account {KEY_A}"))
        .send()
        .await;
    let failed = match res {
        Err(_) => true,
        Ok(r) => r.text().await.is_err(),
    };
    assert!(
        failed,
        "a dropped connection must not yield a complete response"
    );
    assert_eq!(sb.get("/reports", KEY_A).await.status, StatusCode::OK);
    // latency: the request still succeeds (timing is not asserted)
    assert_eq!(sb.get("/accounts", KEY_A).await.status, StatusCode::OK);
    let g = sb.call("GET", "/sandbox/faults", None, None).await;
    assert_eq!(g.body["rules"][1]["hits"], 1);
}
