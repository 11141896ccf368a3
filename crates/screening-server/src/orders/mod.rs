//! Orders: placing them with Yardstik (idempotently, to the end even when the caller goes
//! away), applying Yardstik's progress, reconciling orders that stopped hearing from
//! Yardstik, and the views the ATS and the widget read.
//!
//! The domain knows nothing of HTTP: it answers [`OrderError`], which `http::error` maps
//! to responses. It takes what it needs ([`Orders`]), not the server's whole context.

pub mod cancel;
pub mod candidate_report;
pub mod claim;
pub mod decision;
pub mod error;
pub mod place;
pub mod reconcile;
pub mod status;
pub mod sync;
pub mod view;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

pub use error::OrderError;

use crate::db::Db;
use crate::metrics::Metrics;
use crate::retry::RetryPolicy;
use crate::tokens::Signer;
use crate::yardstik::Yardstik;

/// Settings of the order lifecycle.
#[derive(Debug, Clone)]
pub struct OrderSettings {
    /// How long a request waits for a placement (its own or a concurrent one).
    pub order_wait: Duration,
    /// One Yardstik call's timeout (placement leases are sized from it).
    pub yardstik_timeout: Duration,
    /// How long a result link stays valid.
    pub result_link_ttl: Duration,
    /// This server's external base URL (no trailing slash), for result links.
    pub public_url: String,
    /// The resumer's retries of a placement that failed transiently.
    pub resume: RetryPolicy,
}

/// What the order domain works with.
#[derive(Clone)]
pub struct Orders {
    pub db: Db,
    pub yardstik: Yardstik,
    pub signer: Signer,
    pub metrics: Metrics,
    /// Wakes the delivery worker when an outbox row was committed.
    pub outbox_wake: Arc<Notify>,
    pub settings: Arc<OrderSettings>,
}

impl Orders {
    pub fn now_secs(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }
}
