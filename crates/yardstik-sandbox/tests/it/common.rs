#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use yardstik_sandbox::{spawn, SandboxConfig, SandboxHandle};

pub const ACCOUNT_A: &str = "7d3f5a4e-1c2b-4e8f-9a6d-0b1c2d3e4f50";
pub const KEY_A: &str = "demo-yardstik-key";
pub const SIG_A: &str = "demo-webhook-signature";
pub const USER_A: &str = "demo-user@example.com";
pub const ACCOUNT_B: &str = "8e4a6b5f-2d3c-4f9a-8b7e-1c2d3e4f5a60";
pub const KEY_B: &str = "demo-yardstik-key-2";
pub const SIG_B: &str = "demo-webhook-signature-2";
pub const PKG_BASIC: &str = "11111111-aaaa-4aaa-8aaa-000000000001";
pub const PKG_STANDARD: &str = "11111111-aaaa-4aaa-8aaa-000000000002";
pub const PKG_DELUXE: &str = "11111111-aaaa-4aaa-8aaa-000000000003";
pub const PKG_DRUG7: &str = "11111111-aaaa-4aaa-8aaa-000000000004";
pub const PKG_DRUG10: &str = "11111111-aaaa-4aaa-8aaa-000000000005";
pub const PKG_MONITOR: &str = "11111111-aaaa-4aaa-8aaa-000000000006";
pub const PKG_B_BASIC: &str = "22222222-bbbb-4bbb-8bbb-000000000001";

pub struct Sb {
    pub handle: SandboxHandle,
    pub http: reqwest::Client,
}

pub async fn start() -> Sb {
    start_with(SandboxConfig {
        report_delay: Duration::from_millis(50),
        ..SandboxConfig::default()
    })
    .await
}

pub async fn start_with(config: SandboxConfig) -> Sb {
    let handle = spawn(config).await.expect("sandbox starts");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    Sb { handle, http }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Sb {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.handle.base_url(), path)
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .http
            .request(m, self.url(path))
            .header("accept", "application/json");
        if let Some(k) = key {
            rb = rb.header("authorization", format!("Account {k}"));
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let r = rb.send().await.expect("request sent");
        let status = StatusCode::from_u16(r.status().as_u16()).unwrap();
        let mut headers = HeaderMap::new();
        for (k, v) in r.headers() {
            headers.insert(
                axum::http::HeaderName::from_bytes(k.as_str().as_bytes()).unwrap(),
                axum::http::HeaderValue::from_bytes(v.as_bytes()).unwrap(),
            );
        }
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, path: &str, key: &str) -> Resp {
        self.call("GET", path, Some(key), None).await
    }
    pub async fn post(&self, path: &str, key: &str, body: Value) -> Resp {
        self.call("POST", path, Some(key), Some(body)).await
    }

    pub async fn candidate(&self, key: &str, first: &str, last: &str, email: &str) -> Value {
        let r = self
            .post(
                "/candidates",
                key,
                json!({"first_name": first, "last_name": last, "email": email}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }

    pub async fn invitation(&self, key: &str, candidate_id: &str, package: &str) -> Value {
        let r = self
            .post(
                "/invitations",
                key,
                json!({"candidate_id": candidate_id, "account_package_id": package}),
            )
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        r.body
    }

    /// Poll a report until `pred` holds (bounded: ~5 s).
    pub async fn wait_report(
        &self,
        key: &str,
        report_id: &str,
        pred: impl Fn(&Value) -> bool,
    ) -> Value {
        for _ in 0..250 {
            let r = self.get(&format!("/reports/{report_id}"), key).await;
            if pred(&r.body) {
                return r.body;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("report {report_id} never reached the expected state");
    }
}

impl Sb {
    /// Wait (bounded, ~10 s) until the account's webhook delivery log holds at least `min`
    /// deliveries and none is still pending: every event queued so far (on every target URL,
    /// each with its own queue) has been answered by its receiver. Returns the log.
    pub async fn settled(&self, key: &str, min: usize) -> Vec<Value> {
        let mut log = vec![];
        for _ in 0..500 {
            let r = self.get("/sandbox/webhook_deliveries", key).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text);
            log = r.body["data"].as_array().cloned().unwrap_or_default();
            if log.len() >= min && log.iter().all(|d| d["state"] != "pending") {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("webhook deliveries never settled (want at least {min}): {log:?}");
    }
}

pub fn assert_error_shape(r: &Resp, status: u16) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    let b = &r.body;
    assert!(b["title"].is_string(), "title in {}", r.text);
    assert!(b["detail"].is_string(), "detail in {}", r.text);
    assert!(b["meta"].is_object(), "meta in {}", r.text);
    assert!(b["src"].is_object(), "src in {}", r.text);
    assert_eq!(b["status"], json!(status));
}

/// A webhook received by the test receiver: raw body bytes and headers.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub body: Bytes,
    pub signature: Option<String>,
}

/// A tiny axum receiver on an ephemeral port. `fail_first` answers 500 to that many requests.
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Received>>>,
}

/// Serves `app` on a free loopback port for the rest of the test.
pub async fn serve(app: axum::Router) -> std::net::SocketAddr {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    addr
}

pub async fn receiver(fail_first: usize) -> Receiver {
    use axum::extract::{OriginalUri, State};
    use axum::routing::post;
    #[derive(Clone)]
    struct St {
        got: Arc<Mutex<Vec<Received>>>,
        fails: Arc<Mutex<usize>>,
    }
    async fn hook(
        State(st): State<St>,
        OriginalUri(uri): OriginalUri,
        headers: HeaderMap,
        body: Bytes,
    ) -> StatusCode {
        {
            let mut f = st.fails.lock().unwrap();
            if *f > 0 {
                *f -= 1;
                return StatusCode::INTERNAL_SERVER_ERROR;
            }
        }
        st.got.lock().unwrap().push(Received {
            path: uri.path().to_string(),
            body,
            signature: headers
                .get("x-yardstik-webhook-signature")
                .and_then(|v| v.to_str().ok())
                .map(String::from),
        });
        StatusCode::OK
    }
    let got = Arc::new(Mutex::new(vec![]));
    let st = St {
        got: got.clone(),
        fails: Arc::new(Mutex::new(fail_first)),
    };
    let app = axum::Router::new()
        .route("/{*path}", post(hook))
        .with_state(st);
    let addr = serve(app).await;
    Receiver {
        url: format!("http://{addr}"),
        got,
    }
}

impl Receiver {
    pub fn bodies(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|r| serde_json::from_slice(&r.body).unwrap())
            .collect()
    }
    /// Wait (bounded, ~5 s) until `pred` holds over the received bodies.
    pub async fn wait_for(&self, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..250 {
            let b = self.bodies();
            if pred(&b) {
                return b;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("webhooks never arrived; got {:?}", self.bodies());
    }
}

pub fn events_for(bodies: &[Value], resource_type: &str, event: &str) -> usize {
    bodies
        .iter()
        .filter(|b| b["resource_type"] == resource_type && b["event"] == event)
        .count()
}

/// Independent HMAC-SHA256 hex (the test's own computation).
pub fn hmac_hex(key: &str, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut m = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

pub async fn register(sb: &Sb, key: &str, account: &str, webhook_type: &str, url: &str) -> Value {
    let r = sb
        .post(
            &format!("/accounts/{account}/webhooks"),
            key,
            json!({"webhook_type": webhook_type, "url": url}),
        )
        .await;
    assert!(
        r.status == StatusCode::CREATED || r.status == StatusCode::OK,
        "{}",
        r.text
    );
    r.body
}
