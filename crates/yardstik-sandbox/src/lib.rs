//! # yardstik-sandbox
//!
//! A faithful local emulator of the Yardstik API (like stripe-mock for Stripe): accounts,
//! account packages, candidates, invitations, reports, adverse actions and proceed, web
//! tokens, signed webhooks, the
//! embed pages and the candidate apply page, plus control and fault-injection endpoints.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = yardstik_sandbox::spawn(yardstik_sandbox::SandboxConfig::default()).await?;
//! println!("API at {}, app pages at {}", sandbox.base_url(), sandbox.app_origin());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

pub mod adverse;
pub mod config;
pub mod faults;
pub mod fixture;
pub mod http;
pub mod jwt;
pub mod list;
pub mod progression;
pub mod store;
pub mod webhook_sender;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::SandboxConfig;
pub use faults::{FaultKind, FaultRule};
pub use fixture::Fixture;
pub use store::Store;
pub use webhook_sender::WebhookBody;

/// Shared state of one running sandbox.
pub struct AppState {
    pub store: Arc<Mutex<Store>>,
    pub sender: webhook_sender::WebhookSender,
    pub faults: Mutex<Vec<FaultRule>>,
    pub jwt_secret: Vec<u8>,
    pub report_delay: Duration,
    pub web_token_ttl: Duration,
    pub base_url: String,
    pub app_origin: String,
    /// Origin of the apply pages: the second listener's, else the app origin.
    pub profile_origin: String,
    /// Only what the reference shows is served (the fixture's `reference_only`).
    pub reference_only: bool,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        webhook_sender::lock(&self.store)
    }
}

/// A running sandbox. Dropping it also stops the server (without waiting).
pub struct SandboxHandle {
    addr: SocketAddr,
    base_url: String,
    app_origin: String,
    profile_origin: String,
    state: Shared,
    shutdown_tx: Option<watch::Sender<bool>>,
    task: Option<JoinHandle<()>>,
}

impl SandboxHandle {
    /// API base URL, `http://127.0.0.1:<port>` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
    /// App origin for the embed and apply pages (no trailing slash).
    pub fn app_origin(&self) -> &str {
        &self.app_origin
    }
    /// Origin of the candidate's apply pages (`meta.apply`): the second listener's
    /// (`http://127.0.0.1:<port>`) when there is one, else the app origin.
    pub fn profile_origin(&self) -> &str {
        &self.profile_origin
    }
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }
    /// The shared state (for tests that want to look inside).
    pub fn state(&self) -> &Shared {
        &self.state
    }
    /// Stop accepting connections, finish in-flight requests, and wait for the server task.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(true);
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown_tx.take() {
            let _ = tx.send(true);
        }
    }
}

/// Bind `config.bind`, start serving in a background tokio task, and return once listening.
pub async fn spawn(config: SandboxConfig) -> std::io::Result<SandboxHandle> {
    let listener = tokio::net::TcpListener::bind(config.bind).await?;
    let addr = listener.local_addr()?;
    let base_url = format!("http://{addr}");
    let app_origin = config
        .app_origin
        .clone()
        .map(|o| o.trim_end_matches('/').to_string())
        .unwrap_or_else(|| base_url.clone());
    let reference_only = config.fixture.reference_only;
    // The apply pages' own listener, standing for Yardstik's profile origin.
    let profile = match config
        .profile_bind
        .or_else(|| reference_only.then(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0))))
    {
        Some(bind) => Some(tokio::net::TcpListener::bind(bind).await?),
        None => None,
    };
    let profile_origin = match &profile {
        Some(l) => format!("http://{}", l.local_addr()?),
        None => app_origin.clone(),
    };
    let store = Arc::new(Mutex::new(Store::new(
        &config.fixture,
        base_url.clone(),
        app_origin.clone(),
        profile_origin.clone(),
    )));
    let sender = webhook_sender::WebhookSender::new(
        store.clone(),
        config.webhook_max_attempts,
        config.webhook_retry_base,
        config.webhook_timeout,
        config.webhook_concurrency,
    );
    let jwt_secret = match &config.jwt_secret {
        Some(s) => s.as_bytes().to_vec(),
        None => {
            use rand::RngCore;
            let mut b = vec![0u8; 32];
            rand::thread_rng().fill_bytes(&mut b);
            b
        }
    };
    let state: Shared = Arc::new(AppState {
        store,
        sender,
        faults: Mutex::new(config.faults.clone()),
        jwt_secret,
        report_delay: config.report_delay,
        web_token_ttl: config.web_token_ttl,
        base_url: base_url.clone(),
        app_origin: app_origin.clone(),
        profile_origin: profile_origin.clone(),
        reference_only,
    });
    let app = http::router(state.clone(), config.body_limit);
    let (tx, rx) = watch::channel(false);
    let sweeper = progression::spawn_expiry_sweeper(state.clone(), config.expiry_sweep_interval);
    let serve = |listener: tokio::net::TcpListener,
                 app: axum::Router,
                 mut rx: watch::Receiver<bool>| async move {
        let serve = axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.wait_for(|stop| *stop).await;
        });
        if let Err(e) = serve.await {
            tracing::error!("sandbox server error: {e}");
        }
    };
    // The profile listener serves the same routes; only the apply links point at it.
    let second = profile.map(|l| tokio::spawn(serve(l, app.clone(), rx.clone())));
    let task = tokio::spawn(async move {
        serve(listener, app, rx).await;
        if let Some(t) = second {
            let _ = t.await;
        }
        sweeper.abort();
    });
    Ok(SandboxHandle {
        addr,
        base_url,
        app_origin,
        profile_origin,
        state,
        shutdown_tx: Some(tx),
        task: Some(task),
    })
}
