//! Nothing panics on any input: garbage thrown at every route gets a 4xx in the error shape
//! (the HTML pages may answer a 4xx HTML page instead). Only a list route may still answer
//! 2xx (it ignores what it does not understand).

use crate::common::*;
use axum::http::StatusCode;

const ROUTES: &[(&str, &str)] = &[
    ("GET", "/accounts"),
    ("GET", "/accounts/ID"),
    ("GET", "/accounts/ID/account_packages"),
    ("GET", "/accounts/ID/webhooks"),
    ("POST", "/accounts/ID/webhooks"),
    ("GET", "/accounts/ID/webhooks/ID"),
    ("DELETE", "/accounts/ID/webhooks/ID"),
    ("GET", "/webhook_types"),
    ("GET", "/candidates"),
    ("POST", "/candidates"),
    ("GET", "/candidates/ID"),
    ("PATCH", "/candidates/ID"),
    ("PUT", "/candidates/ID"),
    ("GET", "/invitations"),
    ("POST", "/invitations"),
    ("GET", "/invitations/ID"),
    ("DELETE", "/invitations/ID"),
    ("POST", "/invitations/ID/cancel"),
    ("POST", "/invitations/ID/refresh"),
    ("GET", "/reports"),
    ("POST", "/reports"),
    ("GET", "/reports/ID"),
    ("POST", "/web_tokens"),
    ("POST", "/sandbox/invitations/ID/complete"),
    ("POST", "/sandbox/invitations/ID/expire"),
    ("POST", "/sandbox/invitations/ID/status"),
    ("POST", "/sandbox/reports/ID/complete"),
    ("POST", "/sandbox/reports/ID/status"),
    ("GET", "/sandbox/webhook_deliveries"),
    ("GET", "/embed/report/ID"),
    ("GET", "/embed/signDisclosures/ID"),
    ("POST", "/embed/signDisclosures/ID/consent"),
    ("GET", "/candidates/ID/apply"),
    ("POST", "/candidates/ID/apply"),
    ("POST", "/candidates/ID/apply/started"),
];

/// Routes answered with an HTML page (also when refusing).
fn is_page(method: &str, route: &str) -> bool {
    matches!(
        (method, route),
        ("GET", "/embed/report/ID")
            | ("GET", "/embed/signDisclosures/ID")
            | ("GET", "/candidates/ID/apply")
            | ("POST", "/candidates/ID/apply")
    )
}

fn bodies() -> Vec<Vec<u8>> {
    vec![
        b"".to_vec(),
        b"{".to_vec(),
        b"null".to_vec(),
        b"[1,2,3]".to_vec(),
        b"\"str\"".to_vec(),
        b"{\"first_name\": {\"nested\": [1]}, \"email\": 7, \"candidate_id\": [], \"account_package_id\": {}, \"expires_at\": false, \"status\": 9, \"user_email\": null, \"url\": 1, \"webhook_type_id\": true, \"addresses\": \"x\", \"custom_fields\": [1]}".to_vec(),
        vec![0xff, 0xfe, 0x00, 0x01],
        "{\"first_name\":\"\u{1F600}\u{0000}\",\"last_name\":\"\\ud800\",\"email\":\"a@b.c\"}".as_bytes().to_vec(),
        format!("{{\"first_name\":\"{}\"}}", "x".repeat(10_000)).into_bytes(),
        b"first_name=a&consent=yes&%%%".to_vec(),
    ]
}

const IDS: &[&str] = &[
    "nope",
    "00000000-0000-0000-0000-000000000000",
    "%00",
    "..%2F..",
    "%E2%82",
    "a%20b",
    "'%3B--",
];

#[tokio::test]
async fn garbage_at_every_route_never_panics() {
    let sb = start().await;
    let c = sb.candidate(KEY_A, "A", "B", "ab@example.com").await;
    let _i = sb
        .invitation(KEY_A, c["id"].as_str().unwrap(), PKG_BASIC)
        .await;
    let mut refused = 0usize;
    for (method, route) in ROUTES {
        for id in IDS {
            for body in bodies() {
                for key in [Some(KEY_A), Some("bogus"), None] {
                    let path = route.replace("ID", id);
                    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                    let mut rb = sb.http.request(m, sb.url(&format!("{path}?page=x&per_page=%FF&query[a_in][]=1&query[=&jwt=a.b.c&report_id={id}"))).body(body.clone());
                    if let Some(k) = key {
                        rb = rb.header("authorization", format!("Account {k}"));
                    }
                    let r = rb.send().await.expect("the sandbox answers");
                    let s = r.status().as_u16();
                    let ct = r
                        .headers()
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    let text = r.text().await.unwrap_or_default();
                    let what = format!(
                        "{method} {path} with key {key:?} body {:?}: {s} {ct} {text:.300}",
                        String::from_utf8_lossy(&body)
                    );
                    if (200..300).contains(&s) && *method == "GET" && !route.contains("ID") {
                        // A list (or the delivery log) that ignored the garbage.
                        continue;
                    }
                    assert!((400..500).contains(&s), "not a 4xx: {what}");
                    refused += 1;
                    if is_page(method, route) && ct.starts_with("text/html") {
                        assert!(
                            text.contains("<h1>") || text.contains("expired-banner"),
                            "{what}"
                        );
                        continue;
                    }
                    assert!(ct.starts_with("application/json"), "not JSON: {what}");
                    let v: serde_json::Value = serde_json::from_str(&text)
                        .unwrap_or_else(|e| panic!("not JSON ({e}): {what}"));
                    assert!(v["title"].is_string(), "title: {what}");
                    assert!(v["detail"].is_string(), "detail: {what}");
                    assert!(v["meta"].is_object(), "meta: {what}");
                    assert!(v["src"].is_object(), "src: {what}");
                    assert_eq!(v["status"], s, "status: {what}");
                }
            }
        }
    }
    assert!(refused > ROUTES.len() * IDS.len() * 20, "{refused} refused");
    // still alive and consistent
    assert_eq!(
        sb.get("/candidates", KEY_A).await.body["meta"]["total_count"],
        1
    );
}

#[tokio::test]
async fn error_statuses_for_bad_requests() {
    let sb = start_with(yardstik_sandbox::SandboxConfig {
        body_limit: 4096,
        ..Default::default()
    })
    .await;
    let send = |m: &str, path: &str, body: Vec<u8>| {
        let m = reqwest::Method::from_bytes(m.as_bytes()).unwrap();
        sb.http
            .request(m, sb.url(path))
            .header("authorization", format!("Account {KEY_A}"))
            .body(body)
            .send()
    };
    let r = send("POST", "/candidates", b"{not json".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], 400);
    assert_eq!(v["title"], "Bad Request");
    let r = send("POST", "/candidates", b"[]".to_vec()).await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let r = send("POST", "/candidates", vec![b'x'; 10_000])
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE.as_u16());
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], 413);
    let r = send("GET", "/no/such/route", vec![]).await.unwrap();
    assert_eq!(r.status().as_u16(), 404);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["status"], 404);
    let r = send("PATCH", "/reports", vec![]).await.unwrap();
    assert_eq!(r.status().as_u16(), 405);
}
