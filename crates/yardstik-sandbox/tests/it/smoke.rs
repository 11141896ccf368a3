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
    sb.handle.shutdown().await;
}
