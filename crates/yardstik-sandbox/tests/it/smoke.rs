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
    assert_eq!(
        b.get("/candidates", KEY_A).await.body["meta"]["total_count"],
        0
    );
}

#[tokio::test]
async fn custom_fixture_from_json() {
    let fixture = yardstik_sandbox::Fixture::from_json(
        r#"{"accounts":[{"id":"acc-1","account_name":"Solo","api_keys":["k1"],"webhook_signature":"s1","users":["u@solo.test"],
            "account_packages":[{"id":"p-1","name":"Only","screenings":[{"id":"s","name":"X","label":"X"}]}]}]}"#,
    )
    .unwrap();
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        fixture,
        ..Default::default()
    })
    .await;
    let r = sb.get("/accounts/acc-1/account_packages", "k1").await;
    assert_eq!(r.body[0]["id"], "p-1");
    assert_eq!(r.body[0]["action_type"], "report");
    assert_eq!(
        sb.get("/accounts", KEY_A).await.status,
        StatusCode::UNAUTHORIZED
    );
    // invalid fixtures are refused
    assert!(yardstik_sandbox::Fixture::from_json(
        r#"{"accounts":[{"id":"a","account_name":"x","api_keys":[],"webhook_signature":"s"}]}"#
    )
    .is_err());
    assert!(yardstik_sandbox::Fixture::from_json("{").is_err());
}

#[tokio::test]
async fn the_binary_prints_its_address_and_serves() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_yardstik-sandbox"))
        .args(["--bind", "127.0.0.1:0", "--report-delay-ms", "10"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("binary starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .expect("prints within 20 s")
        .unwrap()
        .unwrap();
    let base = first
        .strip_prefix("yardstik-sandbox listening on ")
        .expect(&first)
        .to_string();
    let r = reqwest::Client::new()
        .get(format!("{base}/accounts"))
        .header("authorization", format!("Account {KEY_A}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn landing_page_lists_accounts_without_secrets() {
    let sb = start().await;
    let r = sb.http.get(sb.url("/")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Demo Staffing Co") && html.contains(PKG_DELUXE));
    assert!(!html.contains(KEY_A) && !html.contains(SIG_A));
}
