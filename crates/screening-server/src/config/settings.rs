//! The settings, typed, and their defaults: the one place a default is written.
//!
//! `Settings` is the shape of the config file (storage keys at the top, `[serve]` below) and
//! of every layer merged over it; a key missing from every layer takes its value from the
//! `Default` impls here. `--help` (`cli::with_defaults`), `Config::with_store`,
//! `LifecycleConfig::default()` and `DeliveryConfig::default()` all read these, and a test
//! holds the README's configuration table to them. The few values that are not settings
//! (`INTERNAL`) sit beside them so that each duration of the configuration has one home.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::parse;
use super::resolved::{
    Config, ConnectionLimits, DeliveryConfig, LifecycleConfig, LogFormat, SpendLimits, StoreConfig,
};
use screening_model::rate::RateLimit;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

/// The whole configuration. `S` is `Serve`, or `IgnoredAny` for the subcommands that need
/// only the storage keys (so a bad `[serve]` value does not stop `tenant list`).
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct Settings<S> {
    pub data_dir: PathBuf,
    /// `None`: `sqlite://<data dir>/screening.db` (`default_database_url`).
    pub database_url: Option<String>,
    pub database_url_file: Option<PathBuf>,
    /// `None`: read from `master_key_file`, else `<data dir>/master.key` (made by `init`).
    pub master_key: Option<String>,
    pub master_key_file: Option<PathBuf>,
    pub serve: S,
}

/// The `serve` settings; field names are the config-file keys and the flags' ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(super) struct Serve {
    #[serde(deserialize_with = "parse::addr")]
    pub bind: SocketAddr,
    /// `None`: `http://<bound address>`, known once bound.
    #[serde(deserialize_with = "parse::opt_origin")]
    pub public_url: Option<String>,
    #[serde(deserialize_with = "parse::origin")]
    pub yardstik_api_base: String,
    #[serde(deserialize_with = "parse::origin")]
    pub yardstik_app_origin: String,
    #[serde(deserialize_with = "parse::origin")]
    pub yardstik_profile_origin: String,
    /// `None`: the files a release binary carries, else `www`.
    pub www_dir: Option<PathBuf>,
    /// `None`: the files a release binary carries, else `pkg`.
    pub widget_dir: Option<PathBuf>,
    #[serde(deserialize_with = "parse::flag")]
    pub demo: bool,
    #[serde(deserialize_with = "parse::number")]
    pub body_limit_bytes: usize,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub request_timeout: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub yardstik_timeout: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub packages_ttl: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub session_ttl: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub session_max_ttl: Duration,
    #[serde(
        deserialize_with = "parse::schedule",
        serialize_with = "parse::schedule_text"
    )]
    pub delivery_schedule: Vec<Duration>,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub delivery_timeout: Duration,
    #[serde(deserialize_with = "parse::number")]
    pub delivery_workers: usize,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub delivery_throttle_floor: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub delivery_retry_after_max: Duration,
    #[serde(deserialize_with = "parse::flag")]
    pub register_webhooks: bool,
    #[serde(
        deserialize_with = "parse::log_format",
        serialize_with = "parse::log_format_text"
    )]
    pub log_format: LogFormat,
    #[serde(deserialize_with = "parse::number")]
    pub inbox_workers: usize,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub inbox_retry_for: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub inbox_backoff_max: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub inbox_keep: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub reconcile_interval: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub reconcile_after: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub resume_interval: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub subscription_check_interval: Duration,
    pub ops_token: Option<String>,
    pub ops_token_file: Option<PathBuf>,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub header_read_timeout: Duration,
    #[serde(
        deserialize_with = "parse::duration",
        serialize_with = "parse::duration_text"
    )]
    pub idle_timeout: Duration,
    #[serde(deserialize_with = "parse::number")]
    pub max_connections: usize,
    #[serde(deserialize_with = "parse::number")]
    pub max_connections_per_client: usize,
    /// `None`: no proxy is trusted (the peer address is the client's).
    #[serde(
        deserialize_with = "parse::opt_addresses",
        serialize_with = "parse::opt_addresses_text"
    )]
    pub trusted_proxies: Option<Vec<IpAddr>>,
    #[serde(deserialize_with = "parse::number")]
    pub session_spend_per_minute: usize,
    #[serde(deserialize_with = "parse::number")]
    pub session_spend_burst: usize,
    #[serde(deserialize_with = "parse::number")]
    pub tenant_spend_per_minute: usize,
    #[serde(deserialize_with = "parse::number")]
    pub tenant_spend_burst: usize,
}

impl<S: Default> Default for Settings<S> {
    fn default() -> Self {
        Self {
            data_dir: "data".into(),
            database_url: None,
            database_url_file: None,
            master_key: None,
            master_key_file: None,
            serve: S::default(),
        }
    }
}

impl Default for Serve {
    fn default() -> Self {
        Self {
            bind: SocketAddr::from(([127, 0, 0, 1], 8080)),
            public_url: None,
            yardstik_api_base: "https://api.yardstik.com".into(),
            yardstik_app_origin: "https://app.yardstik.com".into(),
            // Where Yardstik's reference shows the candidate's apply links.
            yardstik_profile_origin: "https://profile.yardstik.com".into(),
            www_dir: None,
            widget_dir: None,
            demo: false,
            body_limit_bytes: 64 * 1024,
            request_timeout: secs(30),
            yardstik_timeout: secs(15),
            packages_ttl: secs(5 * MINUTE),
            session_ttl: secs(15 * MINUTE),
            session_max_ttl: secs(HOUR),
            // Svix's schedule.
            delivery_schedule: [
                5,
                5 * MINUTE,
                30 * MINUTE,
                2 * HOUR,
                5 * HOUR,
                10 * HOUR,
                10 * HOUR,
            ]
            .map(secs)
            .to_vec(),
            delivery_timeout: secs(15),
            delivery_workers: 4,
            delivery_throttle_floor: secs(MINUTE),
            delivery_retry_after_max: secs(HOUR),
            register_webhooks: true,
            log_format: LogFormat::Text,
            inbox_workers: 32,
            inbox_retry_for: secs(48 * HOUR),
            inbox_backoff_max: secs(HOUR),
            inbox_keep: secs(30 * DAY),
            reconcile_interval: secs(MINUTE),
            reconcile_after: secs(15 * MINUTE),
            resume_interval: secs(5),
            subscription_check_interval: secs(HOUR),
            ops_token: None,
            ops_token_file: None,
            header_read_timeout: secs(10),
            // Node's keep-alive default: shorter than any common proxy's upstream idle time
            // is not needed (the proxy's must be shorter than this; see the README).
            idle_timeout: secs(5),
            max_connections: 4096,
            max_connections_per_client: 512,
            trusted_proxies: None,
            session_spend_per_minute: 60,
            session_spend_burst: 20,
            tenant_spend_per_minute: 600,
            tenant_spend_burst: 100,
        }
    }
}

/// Fixed values of the resolved configuration that are not settings (tests change them).
struct Internal {
    /// Fraction of each delivery delay added or removed at random.
    jitter: f64,
    delivery_poll_interval: Duration,
    order_wait: Duration,
    inbox_poll_interval: Duration,
    unmatched_retry_for: Duration,
    resume_retry_for: Duration,
}

const INTERNAL: Internal = Internal {
    jitter: 0.2,
    delivery_poll_interval: Duration::from_secs(1),
    order_wait: Duration::from_secs(30),
    inbox_poll_interval: Duration::from_secs(1),
    unmatched_retry_for: Duration::from_secs(15 * MINUTE),
    resume_retry_for: Duration::from_secs(DAY),
};

impl Default for LifecycleConfig {
    fn default() -> Self {
        Serve::default().lifecycle()
    }
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        Serve::default().delivery()
    }
}

impl Config {
    /// Defaults for everything but storage (used by tests and as the base of `resolve`).
    pub fn with_store(store: StoreConfig) -> Self {
        Serve::default().into_config(store)
    }
}

/// The default database: a SQLite file in the data directory.
pub(super) fn default_database_url(data_dir: &Path) -> String {
    format!("sqlite://{}/screening.db", data_dir.display())
}

impl Serve {
    pub fn delivery(&self) -> DeliveryConfig {
        DeliveryConfig {
            schedule: self.delivery_schedule.clone(),
            jitter: INTERNAL.jitter,
            timeout: self.delivery_timeout,
            workers: self.delivery_workers,
            throttle_floor: self.delivery_throttle_floor,
            retry_after_max: self.delivery_retry_after_max,
            poll_interval: INTERNAL.delivery_poll_interval,
        }
    }

    pub fn lifecycle(&self) -> LifecycleConfig {
        LifecycleConfig {
            inbox_workers: self.inbox_workers,
            inbox_retry_for: self.inbox_retry_for,
            inbox_backoff_max: self.inbox_backoff_max,
            inbox_keep: self.inbox_keep,
            unmatched_retry_for: INTERNAL.unmatched_retry_for,
            reconcile_interval: self.reconcile_interval,
            reconcile_after: self.reconcile_after,
            resume_interval: self.resume_interval,
            resume_retry_for: INTERNAL.resume_retry_for,
        }
    }

    /// The resolved configuration (call `validate` first).
    pub fn into_config(self, store: StoreConfig) -> Config {
        Config {
            store,
            delivery: self.delivery(),
            lifecycle: self.lifecycle(),
            bind: self.bind,
            public_url: self.public_url.unwrap_or_default(),
            yardstik_api_base: self.yardstik_api_base,
            yardstik_app_origin: self.yardstik_app_origin,
            yardstik_profile_origin: self.yardstik_profile_origin,
            subscription_check_interval: self.subscription_check_interval,
            // A release serves what it carries unless a directory is named.
            built_in_files: crate::embedded::present()
                && self.www_dir.is_none()
                && self.widget_dir.is_none(),
            www_dir: self.www_dir.unwrap_or_else(|| "www".into()),
            widget_dir: self.widget_dir.unwrap_or_else(|| "pkg".into()),
            demo: self.demo,
            body_limit: self.body_limit_bytes,
            request_timeout: self.request_timeout,
            yardstik_timeout: self.yardstik_timeout,
            packages_ttl: self.packages_ttl,
            session_ttl: self.session_ttl,
            session_max_ttl: self.session_max_ttl,
            register_webhooks: self.register_webhooks,
            order_wait: INTERNAL.order_wait,
            inbox_poll_interval: INTERNAL.inbox_poll_interval,
            ops_token: self.ops_token.map(screening_model::tenant::Secret),
            log_format: self.log_format,
            connections: ConnectionLimits {
                header_read_timeout: self.header_read_timeout,
                idle_timeout: self.idle_timeout,
                max_connections: self.max_connections,
                max_per_client: self.max_connections_per_client,
            },
            trusted_proxies: self.trusted_proxies.unwrap_or_default(),
            spend: SpendLimits {
                session: RateLimit::new(
                    clamp_u32(self.session_spend_per_minute),
                    clamp_u32(self.session_spend_burst),
                ),
                tenant: RateLimit::new(
                    clamp_u32(self.tenant_spend_per_minute),
                    clamp_u32(self.tenant_spend_burst),
                ),
            },
        }
    }
}

fn clamp_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Each setting with a plain default, as `key` (`serve.bind`) → text (`127.0.0.1:8080`).
pub(super) fn default_texts() -> BTreeMap<String, String> {
    use serde_json::Value;
    let mut out = BTreeMap::new();
    let all = serde_json::to_value(Settings::<Serve>::default()).expect("defaults serialize");
    let mut todo = vec![(String::new(), all)];
    while let Some((prefix, value)) = todo.pop() {
        match value {
            Value::Object(o) => {
                todo.extend(o.into_iter().map(|(k, v)| (format!("{prefix}{k}."), v)))
            }
            Value::Null => {}
            Value::String(s) => {
                out.insert(prefix.trim_end_matches('.').into(), s);
            }
            v => {
                out.insert(prefix.trim_end_matches('.').into(), v.to_string());
            }
        }
    }
    out
}
