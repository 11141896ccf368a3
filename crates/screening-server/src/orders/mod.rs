//! Orders: placing them with Yardstik (idempotently, to the end even when the caller goes
//! away), applying Yardstik's progress, reconciling orders that stopped hearing from
//! Yardstik, and the views the ATS and the widget read.
//!
//! The domain knows nothing of HTTP: it answers [`OrderError`], which `http::error` maps
//! to responses. It takes what it needs ([`Orders`]), not the server's whole context.

pub mod cancel;
pub mod candidate_report;
pub mod catalog;
pub mod context;
pub mod decision;
pub mod delivery;
pub mod error;
pub mod frames;
pub mod health;
pub mod inbox;
pub mod inbox_pace;
pub mod origins;
pub mod package_cache;
pub mod place;
pub mod reconcile;
pub mod retention;
pub mod subscriptions;
pub mod sync;
pub mod tenants;
pub mod view;
pub mod webhooks;
pub mod widget;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use package_cache::PackageCache;

pub use error::OrderError;

use crate::tokens::Signer;
use screening_metrics::Metrics;
use screening_model::retry::RetryPolicy;
use screening_model::Clock;
use screening_store::Db;
use yardstik_client::Yardstik;

/// Settings of the order lifecycle.
#[derive(Debug, Clone)]
pub struct OrderSettings {
    /// How long a request waits for a placement (its own or a concurrent one).
    pub order_wait: Duration,
    /// One Yardstik call's timeout (placement leases are sized from it).
    pub yardstik_timeout: Duration,
    /// This server's external base URL (no trailing slash), for result links.
    pub public_url: String,
    /// The resumer's retries of a placement that failed transiently.
    pub resume: RetryPolicy,
    /// How long the live Yardstik package list is cached.
    pub packages_ttl: Duration,
    /// The Yardstik origins frames may come from (app, profile), `scheme://host[:port]`.
    pub frame_origins: Vec<String>,
    /// How often registered webhook subscriptions are checked again; zero: never.
    pub subscription_check_interval: Duration,
}

/// What the order domain works with.
#[derive(Clone)]
pub struct Orders {
    pub db: Db,
    pub yardstik: Yardstik,
    pub signer: Signer,
    pub metrics: Metrics,
    /// Yardstik's package lists, per tenant, for `settings.packages_ttl`.
    pub packages: PackageCache,
    /// Wakes the delivery worker when an outbox row was committed.
    pub outbox_wake: Arc<Notify>,
    pub settings: Arc<OrderSettings>,
    /// The time, for session and result-link expiries.
    pub clock: Clock,
}

impl Orders {
    pub fn now_secs(&self) -> i64 {
        self.clock.now_secs()
    }
}
