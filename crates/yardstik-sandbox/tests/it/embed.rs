//! Web tokens (JWT) and the embed pages: signature, account ownership, expiry, messages.

use crate::common::*;
use axum::http::StatusCode;
use base64::Engine;
use serde_json::{json, Value};
use std::time::Duration;
use yardstik_sandbox::SandboxConfig;

fn claims(token: &str) -> Value {
    let p = token.split('.').nth(1).unwrap();
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(p)
            .unwrap(),
    )
    .unwrap()
}

async fn token(sb: &Sb, key: &str, email: &str) -> String {
    let r = sb
        .post("/web_tokens", key, json!({"user_email": email}))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn web_tokens_only_for_users_of_the_account() {
    let sb = start().await;
    let t = token(&sb, KEY_A, USER_A).await;
    assert_eq!(t.split('.').count(), 3);
    let header: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(t.split('.').next().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(header["alg"], "HS256");
    let c = claims(&t);
    assert_eq!(c["account_id"], ACCOUNT_A);
    assert_eq!(c["user_email"], USER_A);
    let ttl = c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap();
    assert_eq!(ttl, 900);
    // a user of another account, an unknown user, a missing field
    let r = sb
        .post(
            "/web_tokens",
            KEY_A,
            json!({"user_email": "other-user@example.com"}),
        )
        .await;
    assert_error_shape(&r, 422);
    let r = sb
        .post(
            "/web_tokens",
            KEY_A,
            json!({"user_email": "nobody@example.com"}),
        )
        .await;
    assert_error_shape(&r, 422);
    let r = sb.post("/web_tokens", KEY_A, json!({})).await;
    assert_error_shape(&r, 422);
    let r = sb
        .call(
            "POST",
            "/web_tokens",
            None,
            Some(json!({"user_email": USER_A})),
        )
        .await;
    assert_error_shape(&r, 401);
}

#[tokio::test]
async fn report_embed_verifies_the_token_and_renders_the_report() {
    let sb = start().await;
    let c = sb
        .candidate(KEY_A, "Hank", "Consider", "hank@example.com")
        .await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let rid = i["report"]["id"].as_str().unwrap().to_string();
    sb.post(
        &format!(
            "/sandbox/invitations/{}/complete",
            i["id"].as_str().unwrap()
        ),
        KEY_A,
        json!({}),
    )
    .await;
    sb.wait_report(KEY_A, &rid, |b| b["status"] == "consider")
        .await;
    let t = token(&sb, KEY_A, USER_A).await;
    // the SDK's URL: ${domain}/embed/report/${reportId}?jwt=${token}
    let url = format!("{}/embed/report/{rid}?jwt={t}", sb.handle.app_origin());
    let r = sb.http.get(&url).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers().get("x-frame-options").is_none());
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors *"));
    let html = r.text().await.unwrap();
    assert!(html.contains("data-loaded=\"1\""));
    assert!(html.contains(&format!("data-exp=\"{}\"", claims(&t)["exp"])));
    assert!(html.contains("<script src=\"/assets/embed.js\""));
    assert!(!html.contains("<script>"));
    assert!(html.contains("Hank Consider") && html.contains("Felony") && html.contains("consider"));
    assert!(html.contains("Address to Federal Criminal History (7 year)"));

    // the script posts the exact JSON strings
    let js = sb
        .http
        .get(sb.url("/assets/embed.js"))
        .send()
        .await
        .unwrap();
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let js = js.text().await.unwrap();
    assert!(js.contains("JSON.stringify({ name: name })"));
    assert!(js.contains("\"yardstik:loaded\"") && js.contains("\"yardstik:tokenExpiration\""));
    assert!(js.contains("window.parent.postMessage"));

    // account B's token cannot open A's report
    let tb = token(&sb, KEY_B, "other-user@example.com").await;
    let r = sb
        .http
        .get(format!(
            "{}/embed/report/{rid}?jwt={tb}",
            sb.handle.app_origin()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
    // tampered / missing token
    let mut bad = t.clone();
    bad.push('x');
    assert_eq!(
        sb.http
            .get(format!(
                "{}/embed/report/{rid}?jwt={bad}",
                sb.handle.app_origin()
            ))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        sb.http
            .get(format!("{}/embed/report/{rid}", sb.handle.app_origin()))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    // a token from another sandbox (other secret) fails
    let other = start().await;
    let t2 = token(&other, KEY_A, USER_A).await;
    assert_eq!(
        sb.http
            .get(format!(
                "{}/embed/report/{rid}?jwt={t2}",
                sb.handle.app_origin()
            ))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
}

/// Wall-clock unix time in seconds, fractional.
fn now_secs() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[tokio::test]
async fn expired_tokens_get_the_expiration_page() {
    // `iat`/`exp` are whole seconds: a token issued late in a second has less than its TTL
    // left. So no assertion depends on how fast this test runs: the page must be 200 when
    // it answered before the token's `exp` (the check happened earlier still), and must be
    // 401 when it was asked after `exp`.
    let sb = start_with(SandboxConfig {
        web_token_ttl: Duration::from_secs(2),
        ..Default::default()
    })
    .await;
    let mut valid_seen = None;
    for _ in 0..5 {
        let t = token(&sb, KEY_A, USER_A).await;
        let exp = claims(&t)["exp"].as_i64().unwrap();
        let url = format!(
            "{}/embed/signDisclosures/{ACCOUNT_A}?jwt={t}",
            sb.handle.app_origin()
        );
        let status = sb.http.get(&url).send().await.unwrap().status().as_u16();
        if now_secs() < exp as f64 {
            assert_eq!(status, 200, "answered before exp {exp}");
            valid_seen = Some((t, url, exp));
            break;
        }
        // Too slow to tell (the answer came after exp): try a fresh token.
    }
    let (t, url, exp) = valid_seen.expect("a token answered within its lifetime");
    // Wait (bounded) until the token's exp has passed, then it must be refused.
    assert!(
        exp as f64 - now_secs() <= 2.0,
        "exp {exp} is within the 2 s TTL"
    );
    for _ in 0..100 {
        if now_secs() >= exp as f64 + 0.05 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = sb.http.get(&url).send().await.unwrap().status().as_u16();
    assert_eq!(status, 401);
    let html = sb
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-token-expired=\"1\"") && html.contains("/assets/embed.js"));
    // consent with an expired token: 401 JSON
    let r = sb
        .http
        .post(format!(
            "{}/embed/signDisclosures/{ACCOUNT_A}/consent?jwt={t}",
            sb.handle.app_origin()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
}

#[tokio::test]
async fn disclosures_page_records_consent() {
    let sb = start().await;
    let t = token(&sb, KEY_A, USER_A).await;
    let url = format!(
        "{}/embed/signDisclosures/{ACCOUNT_A}?jwt={t}",
        sb.handle.app_origin()
    );
    let html = sb
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("id=\"agree\"") && html.contains("Demo Staffing Co"));
    assert!(html.contains("Summary of Your Rights Under the Fair Credit Reporting Act"));
    assert!(html.contains("data-loaded=\"1\"") && html.contains("data-consent-url="));
    let r = sb
        .http
        .post(format!(
            "{}/embed/signDisclosures/{ACCOUNT_A}/consent?jwt={t}",
            sb.handle.app_origin()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["user_email"], USER_A);
    let html = sb
        .http
        .get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Agreed on") && !html.contains("id=\"agree\""));
    // another account's page with A's token: 404
    let r = sb
        .http
        .get(format!(
            "{}/embed/signDisclosures/{ACCOUNT_B}?jwt={t}",
            sb.handle.app_origin()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404);
}

#[tokio::test]
async fn app_origin_is_its_own_setting() {
    let sb = start_with(SandboxConfig {
        app_origin: Some("http://app.sandbox.test:9999/".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(sb.handle.app_origin(), "http://app.sandbox.test:9999");
    assert_ne!(sb.handle.base_url(), sb.handle.app_origin());
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    assert!(i["meta"]["apply"]
        .as_str()
        .unwrap()
        .starts_with("http://app.sandbox.test:9999/candidates/"));
    // webhook resource_url stays on the API base
    let rx = receiver(0).await;
    register(
        &sb,
        KEY_A,
        ACCOUNT_A,
        "candidate.created",
        &format!("{}/hook", rx.url),
    )
    .await;
    sb.candidate(KEY_A, "C", "D", "cd@example.com").await;
    let b = rx.wait_for(|b| b.len() == 1).await;
    assert!(b[0]["resource_url"]
        .as_str()
        .unwrap()
        .starts_with(sb.handle.base_url()));
}
