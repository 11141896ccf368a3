//! The running server: shared context, startup and graceful shutdown.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::catalog::PackageCache;
use crate::config::Config;
use crate::db::Db;
use crate::http::auth::AuthCache;
use crate::http::origins::Origins;
use crate::http::webhooks::WebhookTenants;
use crate::metrics::Metrics;
use crate::orders::{OrderSettings, Orders};
use crate::retry::{Budget, RetryPolicy};
use crate::tokens::Signer;
use crate::worker;
use crate::worker::inbox_pace::InboxPace;
use crate::worker::ingest::Ingest;
use crate::yardstik::Yardstik;

/// Everything a handler or worker needs; one pointer, so cloning it (axum clones the state
/// for every request, once per layer) is one reference count, not one per part.
#[derive(Clone)]
pub struct ApiContext(Arc<Shared>);

impl std::ops::Deref for ApiContext {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`ApiContext`].
pub struct Shared {
    pub config: Arc<Config>,
    pub db: Db,
    pub yardstik: Yardstik,
    pub signer: Signer,
    pub metrics: Metrics,
    pub packages: PackageCache,
    /// The order domain (placement, sync, reconciliation), sharing db/yardstik/signer.
    pub orders: Orders,
    pub auth_cache: AuthCache,
    /// Every tenant's widget origins, in memory (CORS costs no database work).
    pub origins: Origins,
    /// Candidates' reports, for a short while.
    pub candidate_reports: crate::orders::candidate_report::CandidateReportCache,
    /// Wakes the delivery worker when an outbox row was committed.
    pub outbox_wake: Arc<Notify>,
    /// Wakes the inbox worker when a Yardstik event was stored; paces its reads.
    pub inbox_pace: Arc<InboxPace>,
    /// Stores verified Yardstik webhooks, many per transaction (group commit).
    pub ingest: Ingest,
    /// Tenants by Yardstik account id, for a moment (webhook signature keys).
    pub webhook_tenants: WebhookTenants,
    /// This server's external base URL (no trailing slash).
    pub public_url: String,
    /// Demo mode only: result webhooks received at `/demo/ats-webhooks`.
    pub demo_received: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl ApiContext {
    pub fn now_secs(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}

/// A started server.
pub struct AppHandle {
    pub addr: SocketAddr,
    pub ctx: ApiContext,
    shutdown: CancellationToken,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl AppHandle {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop accepting requests, let in-flight requests and deliveries finish, stop workers.
    pub async fn shutdown(self) {
        self.shutdown.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
        self.ctx.db.pool.close().await;
    }

    pub fn shutdown_token(&self) -> CancellationToken {
        self.shutdown.clone()
    }

    /// Wait until the server stops by itself (after the shutdown token fires).
    pub async fn wait(self) {
        for t in self.tasks {
            let _ = t.await;
        }
        self.ctx.db.pool.close().await;
    }
}

/// Most Yardstik webhook events stored in one transaction.
pub const INGEST_MAX_BATCH: usize = 256;

/// Connect the database, bind, and start the HTTP server and the workers.
pub async fn start(config: Config) -> anyhow::Result<AppHandle> {
    let db = Db::connect(&config.store).await?;
    let listener = tokio::net::TcpListener::bind(config.bind)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let addr = listener.local_addr()?;
    let public_url = if config.public_url.is_empty() {
        format!("http://{addr}")
    } else {
        config.public_url.trim_end_matches('/').to_string()
    };
    let metrics = Metrics::default();
    let yardstik = Yardstik::new(
        &config.yardstik_api_base,
        config.yardstik_timeout,
        metrics.clone(),
    );
    let signer = Signer::new(&config.store.master_key);
    // The ingest writer outlives the HTTP server (it answers the requests in flight when
    // the server stops), so it has its own stop signal, fired once the server is done.
    let ingest_stop = CancellationToken::new();
    let (ingest, ingest_tasks) = Ingest::start(
        db.clone(),
        metrics.clone(),
        INGEST_MAX_BATCH,
        ingest_stop.clone(),
    );
    {
        let ingest = ingest.clone();
        metrics.live_gauge(
            "screening_ingest_queued",
            "Verified Yardstik webhooks waiting for the next group commit",
            move || ingest.queued() as i64,
        );
    }
    let outbox_wake = Arc::new(Notify::new());
    let orders = Orders {
        db: db.clone(),
        yardstik: yardstik.clone(),
        signer: signer.clone(),
        metrics: metrics.clone(),
        outbox_wake: outbox_wake.clone(),
        settings: Arc::new(OrderSettings {
            order_wait: config.order_wait,
            yardstik_timeout: config.yardstik_timeout,
            result_link_ttl: config.result_link_ttl,
            public_url: public_url.clone(),
            resume: RetryPolicy::exponential(
                config.lifecycle.resume_interval,
                config.lifecycle.inbox_backoff_max,
                Budget::Elapsed(config.lifecycle.resume_retry_for),
            )
            .with_jitter(0.2),
        }),
    };
    let ctx = ApiContext(Arc::new(Shared {
        yardstik,
        signer,
        orders,
        packages: PackageCache::default(),
        auth_cache: AuthCache::default(),
        origins: Origins::default(),
        candidate_reports: Default::default(),
        outbox_wake,
        inbox_pace: Arc::default(),
        ingest,
        webhook_tenants: WebhookTenants::default(),
        public_url,
        demo_received: Arc::default(),
        metrics,
        db,
        config: Arc::new(config),
    }));
    let shutdown = CancellationToken::new();
    let mut tasks = Vec::new();
    ctx.origins.load(&ctx.db).await?;
    tasks.push(tokio::spawn(ctx.origins.clone().refresh(
        ctx.db.clone(),
        std::time::Duration::from_secs(2),
        shutdown.clone(),
    )));
    let router = crate::http::router(ctx.clone());
    let token = shutdown.clone();
    tasks.push(tokio::spawn(async move {
        let serve = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move { token.cancelled().await });
        if let Err(e) = serve.await {
            tracing::error!(error = %e, "http server stopped with an error");
        }
        ingest_stop.cancel();
    }));
    tasks.extend(ingest_tasks);
    tasks.push(tokio::spawn(worker::delivery::run(
        ctx.clone(),
        shutdown.clone(),
    )));
    tasks.push(tokio::spawn(worker::inbox::run(
        ctx.clone(),
        shutdown.clone(),
    )));
    tasks.push(tokio::spawn(worker::resumer::run(
        ctx.clone(),
        shutdown.clone(),
    )));
    if !ctx.config.lifecycle.inbox_keep.is_zero() {
        tasks.push(tokio::spawn(worker::inbox_retention::run(
            ctx.clone(),
            shutdown.clone(),
        )));
    }
    if !ctx.config.lifecycle.reconcile_interval.is_zero() {
        tasks.push(tokio::spawn(worker::reconciler::run(
            ctx.clone(),
            shutdown.clone(),
        )));
    }
    if ctx.config.register_webhooks {
        tasks.push(tokio::spawn(worker::subscriptions::run(
            ctx.clone(),
            shutdown.clone(),
        )));
    }
    tracing::info!(%addr, public_url = %ctx.public_url, "screening-server listening");
    Ok(AppHandle {
        addr,
        ctx,
        shutdown,
        tasks,
    })
}
