//! The wiring: connects the database, builds the domain's parts, binds, and starts the
//! HTTP server and the jobs, each with the parts it needs; and stops them in order.
//!
//! Architecture invariant: nothing imports this module (it is the top of the server; the
//! crate root re-exports [`start`] and [`AppHandle`] for the binary and the tests).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::config::Config;
use crate::http::auth_cache::AuthCache;
use crate::http::serve::{fitted_max_connections, raise_descriptor_limit, Slots};
use crate::http::spend::SpendLimiter;
use crate::http::state::{AppState, Shared};
use crate::jobs;
use crate::orders::catalog::PackageCache;
use crate::orders::delivery::Deliveries;
use crate::orders::health::Health;
use crate::orders::inbox::Inbox;
use crate::orders::inbox_pace::InboxPace;
use crate::orders::origins::Origins;
use crate::orders::retention::Retention;
use crate::orders::tenants::TenantDirectory;
use crate::orders::webhooks::WebhookIntake;
use crate::orders::{OrderSettings, Orders};
use crate::tokens::Signer;
use screening_metrics::Metrics;
use screening_model::retry::{Budget, RetryPolicy};
use screening_model::Clock;
use screening_store::ingest::Ingest;
use screening_store::Db;
use yardstik_client::Yardstik;

/// The parts of a running server that its tests and operators' tools look at.
pub struct Parts {
    pub db: Db,
    pub orders: Orders,
    pub signer: Signer,
    pub metrics: Metrics,
    pub packages: PackageCache,
    pub inbox_pace: Arc<InboxPace>,
}

/// A started server.
pub struct AppHandle {
    pub addr: SocketAddr,
    pub ctx: Parts,
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

/// Connect the database, bind, and start the HTTP server and the jobs.
pub async fn start(config: Config) -> anyhow::Result<AppHandle> {
    start_with_clock(config, Clock::system()).await
}

/// [`start`], with the domain reading the time from `clock` (a test's manual clock).
pub async fn start_with_clock(config: Config, clock: Clock) -> anyhow::Result<AppHandle> {
    let nofile = raise_descriptor_limit();
    if let Some(n) = nofile {
        let fitted = fitted_max_connections(config.connections.max_connections, Some(n));
        if fitted < config.connections.max_connections {
            tracing::warn!(
                descriptors = n,
                max_connections = fitted,
                "the descriptor limit is low: connections capped to fit it"
            );
        }
    }
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
        metrics
            .ingest_queued
            .read_from(move || ingest.queued() as i64);
    }
    let outbox_wake = Arc::new(Notify::new());
    let packages = PackageCache::default();
    let orders = Orders {
        db: db.clone(),
        yardstik,
        signer: signer.clone(),
        metrics: metrics.clone(),
        packages: packages.clone(),
        outbox_wake: outbox_wake.clone(),
        settings: Arc::new(OrderSettings {
            order_wait: config.order_wait,
            yardstik_timeout: config.yardstik_timeout,
            public_url: public_url.clone(),
            resume: RetryPolicy::exponential(
                config.lifecycle.resume_interval,
                config.lifecycle.inbox_backoff_max,
                Budget::Elapsed(config.lifecycle.resume_retry_for),
            )
            .with_jitter(0.2),
            packages_ttl: config.packages_ttl,
            frame_origins: vec![
                config.yardstik_app_origin.clone(),
                config.yardstik_profile_origin.clone(),
            ],
            subscription_check_interval: config.subscription_check_interval,
        }),
        clock: clock.clone(),
    };
    let tenants = TenantDirectory::new(db.clone(), &metrics);
    let inbox_pace = Arc::new(InboxPace::default());
    let origins = Origins::default();
    let config = Arc::new(config);
    let state = AppState::new(Shared {
        config: config.clone(),
        orders: orders.clone(),
        tenants: tenants.clone(),
        signer: signer.clone(),
        metrics: metrics.clone(),
        auth_cache: AuthCache::new(&metrics),
        spend: SpendLimiter::new(config.spend, &metrics),
        origins: origins.clone(),
        candidate_reports: Default::default(),
        intake: WebhookIntake {
            tenants: tenants.clone(),
            ingest,
            pace: inbox_pace.clone(),
            metrics: metrics.clone(),
        },
        health: Health::new(db.clone()),
        public_url: public_url.clone(),
        demo_received: Arc::default(),
    });
    let shutdown = CancellationToken::new();
    let mut tasks = Vec::new();
    origins.load(&tenants).await?;
    tasks.push(tokio::spawn(origins.clone().refresh(
        tenants.clone(),
        std::time::Duration::from_secs(2),
        shutdown.clone(),
    )));
    let router = crate::http::router(state);
    let token = shutdown.clone();
    let limits = config.connections.clone();
    let drain = config.request_timeout + std::time::Duration::from_secs(1);
    let slots = Slots::new(
        fitted_max_connections(limits.max_connections, nofile),
        limits.max_per_client,
        config.trusted_proxies.clone(),
    );
    {
        let slots = slots.clone();
        metrics
            .connections_open
            .read_from(move || slots.open() as i64);
    }
    let serve_metrics = metrics.clone();
    tasks.push(tokio::spawn(async move {
        crate::http::serve::serve(listener, router, limits, slots, serve_metrics, token, drain)
            .await;
        ingest_stop.cancel();
    }));
    tasks.extend(ingest_tasks);
    let deliveries = Deliveries {
        db: db.clone(),
        tenants: tenants.clone(),
        metrics: metrics.clone(),
        config: config.delivery.clone(),
        wake: outbox_wake,
        clock,
    };
    tasks.push(tokio::spawn(jobs::delivery::run(
        jobs::delivery::DeliveryJob { deliveries },
        shutdown.clone(),
    )));
    let inbox = Inbox {
        orders: orders.clone(),
        tenants: tenants.clone(),
        pace: inbox_pace.clone(),
        lifecycle: config.lifecycle.clone(),
    };
    tasks.push(tokio::spawn(jobs::inbox::run(
        jobs::inbox::InboxJob {
            inbox,
            poll_interval: config.inbox_poll_interval,
        },
        shutdown.clone(),
    )));
    tasks.push(tokio::spawn(jobs::resumer::run(
        jobs::resumer::ResumeJob {
            orders: orders.clone(),
            interval: config.lifecycle.resume_interval,
        },
        shutdown.clone(),
    )));
    if !config.lifecycle.inbox_keep.is_zero() {
        let retention = Retention {
            db: db.clone(),
            metrics: metrics.clone(),
            keep: config.lifecycle.inbox_keep,
        };
        tasks.push(tokio::spawn(jobs::inbox_retention::run(
            retention,
            shutdown.clone(),
        )));
    }
    if !config.lifecycle.reconcile_interval.is_zero() {
        tasks.push(tokio::spawn(jobs::reconciler::run(
            jobs::reconciler::ReconcileJob {
                orders: orders.clone(),
                interval: config.lifecycle.reconcile_interval,
                after: config.lifecycle.reconcile_after,
            },
            shutdown.clone(),
        )));
    }
    if config.register_webhooks {
        tasks.push(tokio::spawn(jobs::subscriptions::run(
            jobs::subscriptions::SubscriptionJob {
                orders: orders.clone(),
                tenants: tenants.clone(),
            },
            shutdown.clone(),
        )));
    }
    tracing::info!(%addr, public_url = %public_url, "screening-server listening");
    Ok(AppHandle {
        addr,
        ctx: Parts {
            db,
            orders,
            signer,
            metrics,
            packages,
            inbox_pace,
        },
        shutdown,
        tasks,
    })
}
