//! Configuration: command line, environment, and an optional TOML file.
//!
//! Precedence: command-line flag > environment variable > config file (`--config`,
//! `SCREENING_CONFIG`) > default. Every bad value is reported with the name of the setting
//! and what a good value looks like. The file uses the long option names in snake_case,
//! e.g. `bind = "127.0.0.1:8080"`, `delivery_schedule = "5s,5m,30m"`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use serde::Deserialize;

use crate::crypto::MasterKey;

#[derive(Debug, Parser)]
#[command(
    name = "screening-server",
    version,
    about = "Companion server between an ATS, the screening widget and Yardstik"
)]
pub struct Cli {
    #[command(flatten)]
    pub store: StoreArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Where the data lives (shared by every subcommand).
#[derive(Debug, Args, Clone, Default)]
pub struct StoreArgs {
    /// TOML config file.
    #[arg(long, env = "SCREENING_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Data directory (SQLite file, generated master key). Default `./data`.
    #[arg(long, env = "SCREENING_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://…` (default `sqlite://<data dir>/screening.db`) or `postgres://…`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// 32-byte key (64 hex chars or base64) sealing tenant credentials. When unset, a key is
    /// generated once into `<data dir>/master.key`.
    #[arg(
        long,
        env = "SCREENING_MASTER_KEY",
        global = true,
        hide_env_values = true
    )]
    pub master_key: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server and its workers.
    Serve(Box<ServeArgs>),
    /// Manage tenants (ATS client accounts).
    #[command(subcommand)]
    Tenant(TenantCmd),
    /// Inspect and replay result-webhook deliveries.
    #[command(subcommand)]
    Deliveries(DeliveriesCmd),
    /// Inspect and replay Yardstik webhook events the inbox gave up on.
    #[command(subcommand)]
    Events(EventsCmd),
}

#[derive(Debug, Subcommand)]
pub enum EventsCmd {
    /// List failed events (retry budget exhausted, or their tenant removed).
    Failed,
    /// Queue failed events again with a fresh retry budget (by event id, or `--all`).
    Replay {
        ids: Vec<String>,
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum TenantCmd {
    /// Add a tenant from a JSON file (see fixtures/demo-tenant.json).
    Add {
        #[arg(long)]
        from_file: PathBuf,
        /// Replace an existing tenant with the same ats_account_id (keeps its orders).
        #[arg(long)]
        replace: bool,
        /// Override the file's `default_webhook_url` (where widget orders' results go).
        #[arg(long)]
        default_webhook_url: Option<String>,
    },
    /// List tenants (no secrets).
    List,
    /// Generate and print (once) a new API secret for a tenant.
    RotateSecret { ats_account_id: String },
    /// Remove a tenant and all its data. With the Yardstik API base and this server's public
    /// URL, first deletes the tenant's Yardstik webhook subscriptions to this server.
    Remove {
        ats_account_id: String,
        #[arg(long, env = "YARDSTIK_API_BASE")]
        yardstik_api_base: Option<String>,
        #[arg(long, env = "SCREENING_PUBLIC_URL")]
        public_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeliveriesCmd {
    /// List dead-lettered deliveries.
    Dead,
    /// Queue dead deliveries again (by id, or `--all`).
    Redeliver {
        ids: Vec<String>,
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Args, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeArgs {
    /// Listen address. Default 127.0.0.1:8080.
    #[arg(long, env = "SCREENING_BIND")]
    pub bind: Option<String>,
    /// This server's external base URL (result links, Yardstik webhook registration).
    /// Default `http://<bind>`.
    #[arg(long, env = "SCREENING_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Yardstik API base URL. Default https://api.yardstik.com.
    #[arg(long, env = "YARDSTIK_API_BASE")]
    pub yardstik_api_base: Option<String>,
    /// Yardstik app origin (embed and apply pages). Default https://app.yardstik.com.
    #[arg(long, env = "YARDSTIK_APP_ORIGIN")]
    pub yardstik_app_origin: Option<String>,
    /// Static site served at `/`. Default `www`.
    #[arg(long, env = "SCREENING_WWW_DIR")]
    pub www_dir: Option<PathBuf>,
    /// Widget build output served at `/static/widget/`. Default `pkg`.
    #[arg(long, env = "SCREENING_WIDGET_DIR")]
    pub widget_dir: Option<PathBuf>,
    /// `1`/`true` enables `POST /demo/session` and the demo webhook receiver.
    #[arg(long, env = "SCREENING_DEMO")]
    pub demo: Option<String>,
    /// Largest accepted request body in bytes (413 above). Default 65536.
    #[arg(long, env = "SCREENING_BODY_LIMIT_BYTES")]
    pub body_limit_bytes: Option<String>,
    /// Whole-request timeout. Default 30s.
    #[arg(long, env = "SCREENING_REQUEST_TIMEOUT")]
    pub request_timeout: Option<String>,
    /// Timeout of each Yardstik API call. Default 15s.
    #[arg(long, env = "YARDSTIK_TIMEOUT")]
    pub yardstik_timeout: Option<String>,
    /// How long the live Yardstik package list is cached. Default 5m.
    #[arg(long, env = "SCREENING_PACKAGES_TTL")]
    pub packages_ttl: Option<String>,
    /// Widget session lifetime when the request names none. Default 15m.
    #[arg(long, env = "SCREENING_SESSION_TTL")]
    pub session_ttl: Option<String>,
    /// Longest widget session a caller may ask for. Default 1h.
    #[arg(long, env = "SCREENING_SESSION_MAX_TTL")]
    pub session_max_ttl: Option<String>,
    /// Lifetime of `result_link_url` links. Default 30d.
    #[arg(long, env = "SCREENING_RESULT_LINK_TTL")]
    pub result_link_ttl: Option<String>,
    /// Retry delays after the first attempt, comma separated. Default
    /// `5s,5m,30m,2h,5h,10h,10h` (Svix's schedule); each gets ±20% jitter.
    #[arg(long, env = "SCREENING_DELIVERY_SCHEDULE")]
    pub delivery_schedule: Option<String>,
    /// Timeout of one webhook delivery attempt. Default 15s.
    #[arg(long, env = "SCREENING_DELIVERY_TIMEOUT")]
    pub delivery_timeout: Option<String>,
    /// Concurrent deliveries; 0 disables the delivery worker. Default 4.
    #[arg(long, env = "SCREENING_DELIVERY_WORKERS")]
    pub delivery_workers: Option<String>,
    /// Smallest retry delay after a timeout or 429. Default 60s.
    #[arg(long, env = "SCREENING_DELIVERY_THROTTLE_FLOOR")]
    pub delivery_throttle_floor: Option<String>,
    /// Largest Retry-After honoured. Default 1h.
    #[arg(long, env = "SCREENING_DELIVERY_RETRY_AFTER_MAX")]
    pub delivery_retry_after_max: Option<String>,
    /// Register Yardstik webhook subscriptions at startup. Default true.
    #[arg(long, env = "SCREENING_REGISTER_WEBHOOKS")]
    pub register_webhooks: Option<String>,
    /// `text` or `json`. Default text.
    #[arg(long, env = "SCREENING_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Yardstik events processed at once (one resource at a time each). Default 32.
    #[arg(long, env = "SCREENING_INBOX_WORKERS")]
    pub inbox_workers: Option<String>,
    /// How long a Yardstik event is retried (Yardstik unreachable, key refused…) before it
    /// is marked failed. Default 48h.
    #[arg(long, env = "SCREENING_INBOX_RETRY_FOR")]
    pub inbox_retry_for: Option<String>,
    /// Longest wait between two attempts of an event. Default 1h.
    #[arg(long, env = "SCREENING_INBOX_BACKOFF_MAX")]
    pub inbox_backoff_max: Option<String>,
    /// How long a processed Yardstik event is kept (to recognise Yardstik delivering it
    /// again) before it is deleted; 0 keeps every event. Default 30d.
    #[arg(long, env = "SCREENING_INBOX_KEEP")]
    pub inbox_keep: Option<String>,
    /// How often the reconciliation job runs; 0 disables it. Default 1m.
    #[arg(long, env = "SCREENING_RECONCILE_INTERVAL")]
    pub reconcile_interval: Option<String>,
    /// An open order not synced with Yardstik for this long is re-read. Default 15m.
    #[arg(long, env = "SCREENING_RECONCILE_AFTER")]
    pub reconcile_after: Option<String>,
    /// How often interrupted or transiently failed placements are looked for. Default 5s.
    #[arg(long, env = "SCREENING_RESUME_INTERVAL")]
    pub resume_interval: Option<String>,
    /// Bearer token for `/metrics` and `/readyz` from other hosts (loopback needs none).
    #[arg(long, env = "SCREENING_OPS_TOKEN", hide_env_values = true)]
    pub ops_token: Option<String>,
}

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

impl Default for LifecycleConfig {
    fn default() -> Self {
        Self {
            inbox_workers: 32,
            inbox_retry_for: Duration::from_secs(48 * 3600),
            inbox_backoff_max: Duration::from_secs(3600),
            inbox_keep: Duration::from_secs(30 * 86_400),
            unmatched_retry_for: Duration::from_secs(15 * 60),
            reconcile_interval: Duration::from_secs(60),
            reconcile_after: Duration::from_secs(15 * 60),
            resume_interval: Duration::from_secs(5),
            resume_retry_for: Duration::from_secs(24 * 3600),
        }
    }
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

impl Default for DeliveryConfig {
    fn default() -> Self {
        let h = 3600;
        Self {
            schedule: [5, 300, 1800, 2 * h, 5 * h, 10 * h, 10 * h]
                .into_iter()
                .map(Duration::from_secs)
                .collect(),
            jitter: 0.2,
            timeout: Duration::from_secs(15),
            workers: 4,
            throttle_floor: Duration::from_secs(60),
            retry_after_max: Duration::from_secs(3600),
            poll_interval: Duration::from_secs(1),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Resolved storage settings.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub master_key: MasterKey,
}

/// Resolved server settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub store: StoreConfig,
    pub bind: SocketAddr,
    /// Empty: derived from the bound address at startup.
    pub public_url: String,
    pub yardstik_api_base: String,
    pub yardstik_app_origin: String,
    pub www_dir: PathBuf,
    pub widget_dir: PathBuf,
    pub demo: bool,
    pub body_limit: usize,
    pub request_timeout: Duration,
    pub yardstik_timeout: Duration,
    pub packages_ttl: Duration,
    pub session_ttl: Duration,
    pub session_max_ttl: Duration,
    pub result_link_ttl: Duration,
    pub delivery: DeliveryConfig,
    pub register_webhooks: bool,
    /// How long a duplicate submission waits for the first one to finish.
    pub order_wait: Duration,
    /// How often the Yardstik webhook inbox is polled (it is also woken on new events).
    pub inbox_poll_interval: Duration,
    pub lifecycle: LifecycleConfig,
    /// Bearer token for the ops routes from other hosts; `None`: loopback only.
    pub ops_token: Option<crate::tenant::Secret>,
    pub log_format: LogFormat,
}

impl Config {
    /// Defaults for everything but storage (used by tests and as the base of `resolve`).
    pub fn with_store(store: StoreConfig) -> Self {
        Self {
            store,
            bind: "127.0.0.1:8080".parse().expect("literal"),
            public_url: String::new(),
            yardstik_api_base: "https://api.yardstik.com".into(),
            yardstik_app_origin: "https://app.yardstik.com".into(),
            www_dir: "www".into(),
            widget_dir: "pkg".into(),
            demo: false,
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            yardstik_timeout: Duration::from_secs(15),
            packages_ttl: Duration::from_secs(300),
            session_ttl: Duration::from_secs(900),
            session_max_ttl: Duration::from_secs(3600),
            result_link_ttl: Duration::from_secs(30 * 86400),
            delivery: DeliveryConfig::default(),
            register_webhooks: true,
            order_wait: Duration::from_secs(30),
            inbox_poll_interval: Duration::from_secs(1),
            lifecycle: LifecycleConfig::default(),
            ops_token: None,
            log_format: LogFormat::Text,
        }
    }
}

/// A configuration error naming the setting.
#[derive(Debug, thiserror::Error)]
#[error("invalid configuration: {0}")]
pub struct ConfigError(pub String);

fn bad(setting: &str, value: &str, want: &str) -> ConfigError {
    ConfigError(format!("{setting} = {value:?}: {want}"))
}

/// `500ms`, `5s`, `5m`, `2h`, `1d`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: u64 = num.parse().ok()?;
    let ms = match unit.trim() {
        "ms" => n,
        "" | "s" => n.checked_mul(1000)?,
        "m" => n.checked_mul(60_000)?,
        "h" => n.checked_mul(3_600_000)?,
        "d" => n.checked_mul(86_400_000)?,
        _ => return None,
    };
    Some(Duration::from_millis(ms))
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" | "" => Some(false),
        _ => None,
    }
}

/// The config file: `[serve]` keys plus the storage keys at the top level.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    master_key: Option<String>,
    #[serde(default)]
    serve: ServeArgs,
}

fn read_file(path: Option<&Path>) -> Result<FileConfig, ConfigError> {
    let Some(path) = path else {
        return Ok(FileConfig::default());
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
    toml::from_str(&text).map_err(|e| ConfigError(format!("config file {}: {e}", path.display())))
}

pub fn resolve_store(args: &StoreArgs) -> Result<(StoreConfig, ServeArgs), ConfigError> {
    let file = read_file(args.config.as_deref())?;
    let data_dir = args
        .data_dir
        .clone()
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("data"));
    let database_url = match args.database_url.clone().or(file.database_url) {
        Some(u)
            if u.starts_with("sqlite:")
                || u.starts_with("postgres://")
                || u.starts_with("postgresql://") =>
        {
            u
        }
        Some(u) => {
            return Err(bad(
                "DATABASE_URL",
                &redact_url(&u),
                "use sqlite://<path> or postgres://user:pass@host/db",
            ))
        }
        None => format!("sqlite://{}/screening.db", data_dir.display()),
    };
    let master_key = match args.master_key.clone().or(file.master_key) {
        Some(k) => MasterKey::parse(&k).map_err(|e| ConfigError(e.to_string()))?,
        None => MasterKey::load_or_create(&data_dir).map_err(|e| ConfigError(e.to_string()))?,
    };
    Ok((
        StoreConfig {
            data_dir,
            database_url,
            master_key,
        },
        file.serve,
    ))
}

fn redact_url(u: &str) -> String {
    match u.split_once('@') {
        Some((_, rest)) => format!("…@{rest}"),
        None => u.to_string(),
    }
}

fn dur(setting: &str, v: Option<String>, default: Duration) -> Result<Duration, ConfigError> {
    match v {
        None => Ok(default),
        Some(s) => parse_duration(&s)
            .ok_or_else(|| bad(setting, &s, "use a duration like 500ms, 15s, 5m, 2h or 1d")),
    }
}

fn origin(setting: &str, v: Option<String>, default: &str) -> Result<String, ConfigError> {
    let s = v.unwrap_or_else(|| default.to_string());
    let t = s.trim_end_matches('/');
    if !(t.starts_with("http://") || t.starts_with("https://"))
        || t.split("://").nth(1).is_none_or(|h| h.is_empty())
    {
        return Err(bad(
            setting,
            &s,
            "use an absolute http(s) URL like https://api.yardstik.com",
        ));
    }
    Ok(t.to_string())
}

impl ServeArgs {
    /// Command line/env values win over the file's.
    fn or(self, file: ServeArgs) -> ServeArgs {
        macro_rules! pick { ($($f:ident),*) => { ServeArgs { $($f: self.$f.or(file.$f)),* } } }
        pick!(
            bind,
            public_url,
            yardstik_api_base,
            yardstik_app_origin,
            www_dir,
            widget_dir,
            demo,
            body_limit_bytes,
            request_timeout,
            yardstik_timeout,
            packages_ttl,
            session_ttl,
            session_max_ttl,
            result_link_ttl,
            delivery_schedule,
            delivery_timeout,
            delivery_workers,
            delivery_throttle_floor,
            delivery_retry_after_max,
            register_webhooks,
            log_format,
            inbox_workers,
            inbox_retry_for,
            inbox_backoff_max,
            inbox_keep,
            reconcile_interval,
            reconcile_after,
            resume_interval,
            ops_token
        )
    }
}

pub fn resolve(store_args: &StoreArgs, args: ServeArgs) -> Result<Config, ConfigError> {
    let (store, file_serve) = resolve_store(store_args)?;
    let a = args.or(file_serve);
    let mut c = Config::with_store(store);
    let d = DeliveryConfig::default();
    if let Some(b) = a.bind {
        c.bind = b.parse().map_err(|_| {
            bad(
                "SCREENING_BIND",
                &b,
                "use host:port with an IP, like 127.0.0.1:8080",
            )
        })?;
    }
    if let Some(u) = a.public_url {
        c.public_url = origin("SCREENING_PUBLIC_URL", Some(u), "")?;
    }
    c.yardstik_api_base = origin(
        "YARDSTIK_API_BASE",
        a.yardstik_api_base,
        &c.yardstik_api_base,
    )?;
    c.yardstik_app_origin = origin(
        "YARDSTIK_APP_ORIGIN",
        a.yardstik_app_origin,
        &c.yardstik_app_origin,
    )?;
    if let Some(w) = a.www_dir {
        c.www_dir = w;
    }
    if let Some(w) = a.widget_dir {
        c.widget_dir = w;
    }
    if let Some(v) = a.demo {
        c.demo = parse_bool(&v).ok_or_else(|| bad("SCREENING_DEMO", &v, "use 1 or 0"))?;
    }
    if let Some(v) = a.body_limit_bytes {
        c.body_limit = v
            .parse()
            .ok()
            .filter(|n| (1024..=16 * 1024 * 1024).contains(n))
            .ok_or_else(|| {
                bad(
                    "SCREENING_BODY_LIMIT_BYTES",
                    &v,
                    "use a number of bytes between 1024 and 16777216",
                )
            })?;
    }
    c.request_timeout = dur(
        "SCREENING_REQUEST_TIMEOUT",
        a.request_timeout,
        c.request_timeout,
    )?;
    c.yardstik_timeout = dur("YARDSTIK_TIMEOUT", a.yardstik_timeout, c.yardstik_timeout)?;
    c.packages_ttl = dur("SCREENING_PACKAGES_TTL", a.packages_ttl, c.packages_ttl)?;
    c.session_ttl = dur("SCREENING_SESSION_TTL", a.session_ttl, c.session_ttl)?;
    c.session_max_ttl = dur(
        "SCREENING_SESSION_MAX_TTL",
        a.session_max_ttl,
        c.session_max_ttl,
    )?;
    if c.session_ttl > c.session_max_ttl || c.session_ttl.is_zero() {
        return Err(ConfigError(
            "SCREENING_SESSION_TTL must be positive and at most SCREENING_SESSION_MAX_TTL".into(),
        ));
    }
    c.result_link_ttl = dur(
        "SCREENING_RESULT_LINK_TTL",
        a.result_link_ttl,
        c.result_link_ttl,
    )?;
    if let Some(s) = a.delivery_schedule {
        let parsed: Option<Vec<Duration>> = s.split(',').map(parse_duration).collect();
        c.delivery.schedule = parsed.filter(|v| !v.is_empty()).ok_or_else(|| {
            bad(
                "SCREENING_DELIVERY_SCHEDULE",
                &s,
                "use comma-separated durations like 5s,5m,30m,2h",
            )
        })?;
    }
    c.delivery.timeout = dur("SCREENING_DELIVERY_TIMEOUT", a.delivery_timeout, d.timeout)?;
    if let Some(v) = a.delivery_workers {
        c.delivery.workers = v.parse().ok().filter(|n| *n <= 64).ok_or_else(|| {
            bad(
                "SCREENING_DELIVERY_WORKERS",
                &v,
                "use a number from 0 (disabled) to 64",
            )
        })?;
    }
    c.delivery.throttle_floor = dur(
        "SCREENING_DELIVERY_THROTTLE_FLOOR",
        a.delivery_throttle_floor,
        d.throttle_floor,
    )?;
    c.delivery.retry_after_max = dur(
        "SCREENING_DELIVERY_RETRY_AFTER_MAX",
        a.delivery_retry_after_max,
        d.retry_after_max,
    )?;
    if let Some(v) = a.register_webhooks {
        c.register_webhooks = parse_bool(&v)
            .ok_or_else(|| bad("SCREENING_REGISTER_WEBHOOKS", &v, "use true or false"))?;
    }
    let l = LifecycleConfig::default();
    if let Some(v) = a.inbox_workers {
        c.lifecycle.inbox_workers = v
            .parse()
            .ok()
            .filter(|n| (1..=256).contains(n))
            .ok_or_else(|| bad("SCREENING_INBOX_WORKERS", &v, "use a number from 1 to 256"))?;
    }
    c.lifecycle.inbox_retry_for = dur(
        "SCREENING_INBOX_RETRY_FOR",
        a.inbox_retry_for,
        l.inbox_retry_for,
    )?;
    c.lifecycle.inbox_backoff_max = dur(
        "SCREENING_INBOX_BACKOFF_MAX",
        a.inbox_backoff_max,
        l.inbox_backoff_max,
    )?;
    if c.lifecycle.inbox_backoff_max.is_zero() {
        return Err(ConfigError(
            "SCREENING_INBOX_BACKOFF_MAX must be positive".into(),
        ));
    }
    c.lifecycle.inbox_keep = dur("SCREENING_INBOX_KEEP", a.inbox_keep, l.inbox_keep)?;
    if !c.lifecycle.inbox_keep.is_zero() && c.lifecycle.inbox_keep < Duration::from_secs(3600) {
        return Err(ConfigError(
            "SCREENING_INBOX_KEEP must be 0 (keep every event) or at least 1h: a shorter time \
             forgets events Yardstik may still deliver again"
                .into(),
        ));
    }
    c.lifecycle.reconcile_interval = dur(
        "SCREENING_RECONCILE_INTERVAL",
        a.reconcile_interval,
        l.reconcile_interval,
    )?;
    c.lifecycle.reconcile_after = dur(
        "SCREENING_RECONCILE_AFTER",
        a.reconcile_after,
        l.reconcile_after,
    )?;
    c.lifecycle.resume_interval = dur(
        "SCREENING_RESUME_INTERVAL",
        a.resume_interval,
        l.resume_interval,
    )?;
    if c.lifecycle.resume_interval.is_zero() {
        return Err(ConfigError(
            "SCREENING_RESUME_INTERVAL must be positive".into(),
        ));
    }
    if let Some(t) = a.ops_token {
        if t.len() < 16 {
            return Err(ConfigError(
                "SCREENING_OPS_TOKEN must be at least 16 characters".into(),
            ));
        }
        c.ops_token = Some(crate::tenant::Secret(t));
    }
    if let Some(v) = a.log_format {
        c.log_format = match v.as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err(bad("SCREENING_LOG_FORMAT", &v, "use text or json")),
        };
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path) -> StoreArgs {
        StoreArgs {
            data_dir: Some(dir.to_path_buf()),
            master_key: Some("11".repeat(32)),
            ..Default::default()
        }
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("5m"), Some(Duration::from_secs(300)));
        assert_eq!(parse_duration("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_duration("5 parsecs"), None);
        assert_eq!(parse_duration(""), None);
    }

    #[test]
    fn defaults_and_bad_values_name_the_setting() {
        let dir = tempfile::tempdir().unwrap();
        let c = resolve(&store(dir.path()), ServeArgs::default()).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert!(c.store.database_url.ends_with("/screening.db"));
        assert_eq!(c.delivery.schedule.len(), 7);

        let e = resolve(
            &store(dir.path()),
            ServeArgs {
                bind: Some("nope".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("SCREENING_BIND"), "{e}");
        let e = resolve(
            &store(dir.path()),
            ServeArgs {
                delivery_schedule: Some("5s,x".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("SCREENING_DELIVERY_SCHEDULE"), "{e}");
        let e = resolve(
            &store(dir.path()),
            ServeArgs {
                yardstik_api_base: Some("ftp://x".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("YARDSTIK_API_BASE"), "{e}");
        let mut s = store(dir.path());
        s.master_key = Some("short".into());
        assert!(resolve(&s, ServeArgs::default())
            .unwrap_err()
            .to_string()
            .contains("SCREENING_MASTER_KEY"));
        s.master_key = None;
        s.database_url = Some("mysql://u:pw@h/db".into());
        let e = resolve(&s, ServeArgs::default()).unwrap_err().to_string();
        assert!(e.contains("DATABASE_URL") && !e.contains("pw"), "{e}");
    }

    #[test]
    fn inbox_keep_is_zero_or_at_least_an_hour() {
        let dir = tempfile::tempdir().unwrap();
        let keep = |v: Option<&str>| {
            resolve(
                &store(dir.path()),
                ServeArgs {
                    inbox_keep: v.map(String::from),
                    ..Default::default()
                },
            )
            .map(|c| c.lifecycle.inbox_keep)
        };
        assert_eq!(keep(None).unwrap(), Duration::from_secs(30 * 86_400));
        assert_eq!(keep(Some("0")).unwrap(), Duration::ZERO);
        assert_eq!(keep(Some("1h")).unwrap(), Duration::from_secs(3600));
        for bad in ["59m", "10s", "soon"] {
            let e = keep(Some(bad)).unwrap_err().to_string();
            assert!(e.contains("SCREENING_INBOX_KEEP"), "{bad}: {e}");
        }
    }

    #[test]
    fn file_values_apply_below_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[serve]\nbind = \"127.0.0.1:9999\"\ndemo = \"1\"\npackages_ttl = \"10s\"\n",
        )
        .unwrap();
        let mut s = store(dir.path());
        s.config = Some(path.clone());
        let c = resolve(
            &s,
            ServeArgs {
                packages_ttl: Some("20s".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(c.bind.port(), 9999);
        assert!(c.demo);
        assert_eq!(c.packages_ttl, Duration::from_secs(20));
        std::fs::write(&path, "[serve]\nbnd = \"x\"\n").unwrap();
        assert!(resolve(&s, ServeArgs::default())
            .unwrap_err()
            .to_string()
            .contains("c.toml"));
    }
}
