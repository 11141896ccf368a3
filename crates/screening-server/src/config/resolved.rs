//! What the rest of the server reads: the resolved configuration's types.
//!
//! They hold values only. Their defaults come from the settings (`settings.rs`), so that
//! nothing here depends on how a value is given, and every other file of the configuration
//! can depend on this one without a circle.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// The order lifecycle's background work: inbox, reconciliation, placement resumption.
#[derive(Debug, Clone)]
pub struct LifecycleConfig {
    pub inbox_workers: usize,
    pub inbox_retry_for: Duration,
    pub inbox_backoff_max: Duration,
    /// How long a done event is kept; zero: forever.
    pub inbox_keep: Duration,
    /// How long an event naming a resource no order knows is retried (its order may still
    /// be recording the invitation; reconciliation covers the rest).
    pub unmatched_retry_for: Duration,
    pub reconcile_interval: Duration,
    pub reconcile_after: Duration,
    pub resume_interval: Duration,
    /// How long the resumer retries a placement that failed transiently.
    pub resume_retry_for: Duration,
}

#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub schedule: Vec<Duration>,
    /// Fraction of each delay added or removed at random (0.2 = ±20%).
    pub jitter: f64,
    pub timeout: Duration,
    pub workers: usize,
    pub throttle_floor: Duration,
    pub retry_after_max: Duration,
    /// How often idle workers look for due rows (they are also woken on new rows).
    pub poll_interval: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Resolved storage settings (defined by the store, which opens them).
pub use screening_store::StoreConfig;

/// Resolved server settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub bind: SocketAddr,
    /// Empty: derived from the bound address at startup.
    pub public_url: String,
    pub yardstik_api_base: String,
    pub yardstik_app_origin: String,
    /// Origin of Yardstik's candidate apply pages (`profile.yardstik.com`).
    pub yardstik_profile_origin: String,
    /// How often the webhook subscriptions found registered are checked again; zero: never.
    pub subscription_check_interval: Duration,
    pub www_dir: PathBuf,
    pub widget_dir: PathBuf,
    /// Serve the widget and the demo page this binary carries instead of the directories
    /// (a release binary given neither directory).
    pub built_in_files: bool,
    pub demo: bool,
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub yardstik_timeout: Duration,
    pub packages_ttl: Duration,
    pub session_ttl: Duration,
    pub session_max_ttl: Duration,
    pub delivery: DeliveryConfig,
    pub register_webhooks: bool,
    /// How long a duplicate submission waits for the first one to finish.
    pub order_wait: Duration,
    /// How often the Yardstik webhook inbox is polled (it is also woken on new events).
    pub inbox_poll_interval: Duration,
    pub lifecycle: LifecycleConfig,
    /// Bearer token for the ops routes from other hosts; `None`: loopback only.
    pub ops_token: Option<screening_model::tenant::Secret>,
    pub log_format: LogFormat,
    pub connections: ConnectionLimits,
    /// Peers whose `X-Forwarded-For` names the client (empty: none).
    pub trusted_proxies: Vec<IpAddr>,
    /// The defaults of the tenants' spending limits.
    pub spend: SpendLimits,
}

/// The accept loop's bounds.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    /// Time a client has to send a request's head (HTTP/1), counted from when the server
    /// starts waiting for it.
    pub header_read_timeout: Duration,
    /// A connection with no request in flight and no bytes moving for this long is closed.
    pub idle_timeout: Duration,
    pub max_connections: usize,
    /// Connections one client address may hold (a trusted proxy is not counted).
    pub max_per_client: usize,
}

/// Requests to the routes that spend Yardstik calls, per widget session and per tenant.
#[derive(Debug, Clone, Copy)]
pub struct SpendLimits {
    pub session: screening_model::rate::RateLimit,
    pub tenant: screening_model::rate::RateLimit,
}

/// A configuration error naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);
