//! Test harness: a sandbox, a server on a real SQLite file in a temp dir, an ATS webhook
//! receiver, and helpers. Loops are bounded; no timed assertions.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use screening_model::crypto::MasterKey;
use screening_model::tenant::{Secret, TenantSpec};
use screening_server::config::{Config, StoreConfig};
use screening_server::AppHandle;
use screening_store::orders::OrderRow;
use screening_store::Db;
use serde_json::{json, Value};
use yardstik_sandbox::{SandboxConfig, SandboxHandle};

pub const ACCOUNT_A: &str = "7d3f5a4e-1c2b-4e8f-9a6d-0b1c2d3e4f50";
pub const KEY_A: &str = "demo-yardstik-key";
pub const SIG_A: &str = "demo-webhook-signature";
pub const ATS_USER: &str = "ACCT123";
pub const ATS_SECRET: &str = "test-secret-123";

/// A stand-in ATS webhook endpoint. Answers from `plan` (front first), then `default`.
#[derive(Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
    pub plan: Arc<Mutex<VecDeque<u16>>>,
    pub default: Arc<Mutex<u16>>,
    pub addr: Arc<Mutex<Option<SocketAddr>>>,
    /// Delay before answering (to catch deliveries in flight).
    pub delay_ms: Arc<Mutex<u64>>,
    /// `Retry-After` header value sent with every non-2xx answer.
    pub retry_after: Arc<Mutex<Option<String>>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let r = Receiver::default();
        *r.default.lock().unwrap() = 200;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        *r.addr.lock().unwrap() = Some(listener.local_addr().unwrap());
        let app = Router::new()
            .route("/hooks", post(receive))
            .with_state(r.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        r
    }
    pub fn url(&self) -> String {
        format!("http://{}/hooks", self.addr.lock().unwrap().unwrap())
    }
    pub fn bodies(&self) -> Vec<Value> {
        self.got
            .lock()
            .unwrap()
            .iter()
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn attempts(&self) -> usize {
        self.got.lock().unwrap().len()
    }
    /// Wait until `pred` holds for the received bodies (bounded).
    pub async fn wait_for(&self, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        for _ in 0..1200 {
            let b = self.bodies();
            if pred(&b) {
                return b;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("timed out waiting for {what}; received {:?}", self.bodies());
    }
}

async fn receive(
    State(r): State<Receiver>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let delay = *r.delay_ms.lock().unwrap();
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    r.got.lock().unwrap().push((headers, v));
    let code = StatusCode::from_u16(
        r.plan
            .lock()
            .unwrap()
            .pop_front()
            .unwrap_or(*r.default.lock().unwrap()),
    )
    .unwrap();
    let retry_after = r.retry_after.lock().unwrap().clone();
    match retry_after {
        Some(ra) if !code.is_success() => (code, [("retry-after", ra)]).into_response(),
        _ => code.into_response(),
    }
}

pub struct Env {
    pub sandbox: SandboxHandle,
    pub server: Option<AppHandle>,
    pub dir: tempfile::TempDir,
    pub http: reqwest::Client,
    pub receiver: Receiver,
    pub master: MasterKey,
}

pub fn store(dir: &std::path::Path, master: &MasterKey) -> StoreConfig {
    StoreConfig {
        data_dir: dir.to_path_buf(),
        database_url: format!("sqlite://{}/screening.db", dir.display()),
        master_key: master.clone(),
    }
}

/// The stored row of an order, read on the pool.
pub async fn order_row(db: &Db, tenant_id: &str, bcid: &str) -> sqlx::Result<Option<OrderRow>> {
    let key = screening_model::OrderKey::new(tenant_id, bcid);
    screening_store::orders::order(&db.pool, &key).await
}

pub fn tenant_spec() -> TenantSpec {
    let mut spec: TenantSpec =
        serde_json::from_str(include_str!("../../fixtures/demo-tenant.json")).unwrap();
    spec.ats_account_id = ATS_USER.into();
    spec.api_secret = Some(Secret(ATS_SECRET.into()));
    spec.settings.allowed_webhook_hosts = vec![
        "127.0.0.1".into(),
        "localhost".into(),
        "api.applicant-tracking.com".into(),
    ];
    spec.settings.allow_loopback = true;
    spec.settings.progress_updates = false;
    spec.settings.widget_origins = vec!["https://ats.example.com".into()];
    spec.settings.default_webhook_url = None;
    spec
}

/// `SCREENING_TEST_SANDBOX=reference-only` runs every test against a sandbox that serves only
/// what Yardstik's reference shows (see the sandbox's README), so nothing passes by relying on
/// what the sandbox inferred.
pub fn reference_only() -> bool {
    std::env::var("SCREENING_TEST_SANDBOX").is_ok_and(|v| v == "reference-only")
}

/// The sandbox a test asked for, in reference-only mode when the run is.
pub fn sandbox_config(opts: &Opts) -> SandboxConfig {
    let mut c = opts.sandbox.clone();
    c.fixture.reference_only |= reference_only();
    c
}

pub struct Opts {
    pub progress_updates: bool,
    pub delivery_workers: usize,
    pub schedule: Vec<Duration>,
    pub sandbox: SandboxConfig,
    pub allow_loopback: bool,
    /// `postgres://…` to run on PostgreSQL instead of the SQLite file.
    pub database_url: Option<String>,
    /// Last changes to the server's configuration.
    pub tweak: fn(&mut Config),
    /// The time the server's domain reads (the system's unless a test moves it).
    pub clock: screening_model::Clock,
}

impl Default for Opts {
    fn default() -> Self {
        Opts {
            progress_updates: false,
            delivery_workers: 4,
            schedule: vec![
                Duration::from_millis(50),
                Duration::from_millis(100),
                Duration::from_millis(150),
            ],
            sandbox: SandboxConfig {
                report_delay: Duration::from_millis(100),
                ..SandboxConfig::default()
            },
            allow_loopback: true,
            database_url: None,
            tweak: |_| {},
            clock: screening_model::Clock::system(),
        }
    }
}

pub fn config(
    dir: &std::path::Path,
    master: &MasterKey,
    sandbox: &SandboxHandle,
    opts: &Opts,
) -> Config {
    let mut st = store(dir, master);
    if let Some(u) = &opts.database_url {
        st.database_url = u.clone();
    }
    let mut c = Config::with_store(st);
    c.bind = "127.0.0.1:0".parse().unwrap();
    c.yardstik_api_base = sandbox.base_url().to_string();
    c.yardstik_app_origin = sandbox.app_origin().to_string();
    c.yardstik_profile_origin = sandbox.profile_origin().to_string();
    c.yardstik_timeout = Duration::from_secs(5);
    c.www_dir = dir.join("www-missing");
    c.widget_dir = dir.join("pkg-missing");
    c.delivery.schedule = opts.schedule.clone();
    c.delivery.workers = opts.delivery_workers;
    c.delivery.throttle_floor = Duration::ZERO;
    c.delivery.retry_after_max = Duration::from_millis(200);
    c.delivery.poll_interval = Duration::from_millis(50);
    c.delivery.timeout = Duration::from_secs(2);
    c.inbox_poll_interval = Duration::from_millis(50);
    c.order_wait = Duration::from_secs(60);
    c.request_timeout = Duration::from_secs(60);
    (opts.tweak)(&mut c);
    c
}

/// All logs of this test binary, captured (target filter: the server's own code).
static LOGS: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;
impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn init_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::new("screening_server=trace,tower_http=debug,reqwest=debug,hyper=info,sqlx=info,yardstik_sandbox=off");
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false).with_writer(|| Capture).init();
    });
}

pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap()).to_string()
}

impl Env {
    pub async fn start(opts: Opts) -> Env {
        init_logs();
        let sandbox = yardstik_sandbox::spawn(sandbox_config(&opts))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let master = MasterKey::generate();
        let mut st = store(dir.path(), &master);
        if let Some(u) = &opts.database_url {
            st.database_url = u.clone();
        }
        let db = Db::connect(&st).await.unwrap();
        let mut spec = tenant_spec();
        spec.settings.progress_updates = opts.progress_updates;
        spec.settings.allow_loopback = opts.allow_loopback;
        db.upsert_tenant(&spec, ATS_SECRET, false).await.unwrap();
        db.pool.close().await;
        let cfg = config(dir.path(), &master, &sandbox, &opts);
        let registers = cfg.register_webhooks;
        let server = screening_server::start_with_clock(cfg, opts.clock.clone())
            .await
            .unwrap();
        let env = Env {
            sandbox,
            server: Some(server),
            dir,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(60))
                .build()
                .unwrap(),
            receiver: Receiver::start().await,
            master,
        };
        if registers {
            env.wait_registered().await;
        }
        env
    }

    pub fn server(&self) -> &AppHandle {
        self.server.as_ref().unwrap()
    }
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server().base_url())
    }
    pub fn db(&self) -> &Db {
        &self.server().ctx.db
    }
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().to_path_buf()
    }

    /// Wait until this server's webhook subscriptions exist in the sandbox.
    pub async fn wait_registered(&self) {
        let url = format!("{}/webhooks/yardstik", self.server().base_url());
        for _ in 0..1200 {
            // Read from the sandbox's store: its list route is not served in reference-only mode.
            let n = self.subscriptions(&url);
            if n >= 5 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("server never registered its Yardstik webhooks");
    }

    /// How many of account A's webhook subscriptions at the sandbox point at `url`.
    pub fn subscriptions(&self, url: &str) -> usize {
        let state = self.sandbox.state().store();
        state
            .webhooks
            .iter()
            .filter(|w| w.account_id == ACCOUNT_A && w.url == url)
            .count()
    }

    pub async fn restart(&mut self, opts: &Opts) {
        if let Some(s) = self.server.take() {
            s.shutdown().await;
        }
        self.server = Some(
            screening_server::start_with_clock(
                config(self.dir.path(), &self.master, &self.sandbox, opts),
                opts.clock.clone(),
            )
            .await
            .unwrap(),
        );
        self.wait_registered().await;
    }

    pub async fn ats(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, self.url(path))
            .basic_auth(ATS_USER, Some(ATS_SECRET));
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.unwrap();
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn order(&self, body: &Value) -> (u16, Value) {
        self.ats(reqwest::Method::POST, "/ats/orders", Some(body))
            .await
    }

    pub async fn yardstik_get(&self, path: &str) -> Value {
        self.http
            .get(format!("{}{path}", self.sandbox.base_url()))
            .header("Authorization", format!("Account {KEY_A}"))
            .header("Accept", "application/json")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn yardstik_post(&self, path: &str, body: Value) -> (u16, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.sandbox.base_url()))
            .header("Authorization", format!("Account {KEY_A}"))
            .json(&body)
            .send()
            .await
            .unwrap();
        (
            res.status().as_u16(),
            res.json().await.unwrap_or(Value::Null),
        )
    }

    /// Poll the ATS view until `pred`.
    pub async fn wait_order(&self, bcid: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let mut last = Value::Null;
        for _ in 0..1200 {
            let (s, v) = self
                .ats(reqwest::Method::GET, &format!("/ats/orders/{bcid}"), None)
                .await;
            if s == 200 && pred(&v) {
                return v;
            }
            last = v;
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("timed out waiting for {what}: {last}");
    }
}

pub fn list(v: &Value) -> Vec<Value> {
    v.get("data")
        .and_then(|d| d.as_array())
        .or(v.as_array())
        .cloned()
        .unwrap_or_default()
}

/// The partner guide's order example, with the scraped
/// "[email protected]" addresses replaced by real ones and `webhook_url` pointing at the
/// test receiver.
pub fn seed_order(bcid: &str, webhook_url: &str) -> Value {
    json!({
        "account_id": "ACCT123",
        "hiring_manager_user_id": "67890",
        "background_check_id": bcid,
        "package_id": "PKG001",
        "add_on_package_ids": ["DRG02"],
        "webhook_url": webhook_url,
        "hiring_manager": {"id": "67890", "first_name": "Jill", "last_name": "Smith", "email": "jill.smith@example.com"},
        "applicant": {
            "id": "12345", "first_name": "John", "last_name": "Doe", "phone": "888-555-1234",
            "email": "john.doe@example.com", "address": "123 Main St.", "address_2": "Apt. 1",
            "city": "Springfield", "state": "IL", "zip": "12345"
        },
        "job": {"id": "12345"}
    })
}

/// Same order without add-ons and with a given applicant email/last name.
pub fn simple_order(bcid: &str, webhook_url: &str, email: &str, last_name: &str) -> Value {
    let mut o = seed_order(bcid, webhook_url);
    o["add_on_package_ids"] = json!([]);
    o["applicant"]["email"] = json!(email);
    o["applicant"]["last_name"] = json!(last_name);
    o
}

/// `POST /widget/sessions` with the tenant's Basic credentials: (status, body).
/// Place an order whose result goes to `webhook_url` and make its report clear at Yardstik
/// (its result is then in the outbox).
pub async fn place_cleared(env: &Env, bcid: &str, webhook_url: &str) {
    let (s, v) = env
        .order(&simple_order(
            bcid,
            webhook_url,
            &format!("{bcid}@example.com"),
            "Doe",
        ))
        .await;
    assert_eq!(s, 201, "{v}");
    let report = v["items"][0]["report_id"].as_str().unwrap().to_string();
    let (s, v) = env
        .yardstik_post(
            &format!("/sandbox/reports/{report}/status"),
            serde_json::json!({"status": "clear", "force": true}),
        )
        .await;
    assert_eq!(s, 200, "{v}");
}

pub async fn mint_session(env: &Env, body: Value) -> (u16, Value) {
    let res = env
        .http
        .post(env.url("/widget/sessions"))
        .basic_auth(ATS_USER, Some(ATS_SECRET))
        .json(&body)
        .send()
        .await
        .unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

/// A widget session token (the mint must answer 201).
pub async fn session(env: &Env, body: Value) -> String {
    let (s, v) = mint_session(env, body).await;
    assert_eq!(s, 201, "{v}");
    v["token"].as_str().unwrap().to_string()
}

/// A widget route with a Bearer session and extra headers: (status, body).
pub async fn call_with(
    env: &Env,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = env.http.request(method, env.url(path)).bearer_auth(token);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.unwrap();
    (
        res.status().as_u16(),
        res.json().await.unwrap_or(Value::Null),
    )
}

/// A widget route with a Bearer session: (status, body).
pub async fn call(
    env: &Env,
    method: reqwest::Method,
    path: &str,
    token: &str,
    body: Option<Value>,
) -> (u16, Value) {
    call_with(env, method, path, token, body, &[]).await
}

/// The test tenant.
pub async fn tenant(env: &Env) -> screening_model::tenant::Tenant {
    env.db()
        .tenant_by_ats_account(ATS_USER)
        .await
        .unwrap()
        .unwrap()
}

/// The details of an order's history, in order.
pub fn history(v: &Value) -> Vec<String> {
    v["history"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["detail"].as_str().map(str::to_string))
        .collect()
}
