use crate::common::*;
use axum::http::StatusCode;
use serde_json::json;

#[tokio::test]
async fn spawn_serves_api_and_reports_origins() {
    let sb = start().await;
    assert!(sb.handle.base_url().starts_with("http://127.0.0.1:"));
    assert_eq!(sb.handle.app_origin(), sb.handle.base_url());
    let r = sb.get("/accounts", KEY_A).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body[0]["id"], json!(ACCOUNT_A));
    let base = sb.handle.base_url().to_string();
    sb.handle.shutdown().await;
    // after a graceful shutdown nothing listens any more
    let fresh = reqwest::Client::new();
    assert!(fresh.get(format!("{base}/accounts")).send().await.is_err());
}

#[tokio::test]
async fn two_sandboxes_are_independent() {
    let a = start().await;
    let b = start().await;
    assert_ne!(a.handle.base_url(), b.handle.base_url());
    a.candidate(KEY_A, "A", "B", "ab@example.com").await;
    assert_eq!(b.get("/candidates", KEY_A).await.body["meta"]["total_count"], 0);
}

#[tokio::test]
async fn custom_fixture_from_json() {
    let fixture = yardstik_sandbox::Fixture::from_json(
        r#"{"accounts":[{"id":"acc-1","account_name":"Solo","api_keys":["k1"],"webhook_signature":"s1","users":["u@solo.test"],
            "account_packages":[{"id":"p-1","name":"Only","screenings":[{"id":"s","name":"X","label":"X"}]}]}]}"#,
    )
    .unwrap();
    let sb = start_with(yardstik_sandbox::SandboxConfig { fixture, ..Default::default() }).await;
    let r = sb.get("/accounts/acc-1/account_packages", "k1").await;
    assert_eq!(r.body[0]["id"], "p-1");
    assert_eq!(r.body[0]["action_type"], "report");
    assert_eq!(sb.get("/accounts", KEY_A).await.status, StatusCode::UNAUTHORIZED);
    // invalid fixtures are refused
    assert!(yardstik_sandbox::Fixture::from_json(r#"{"accounts":[{"id":"a","account_name":"x","api_keys":[],"webhook_signature":"s"}]}"#).is_err());
    assert!(yardstik_sandbox::Fixture::from_json("{").is_err());
}
