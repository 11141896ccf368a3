//! The command line: subcommands, and every setting's flag and environment variable.
//!
//! clap reads each setting from its flag or, failing that, its environment variable, always as
//! text (`--bind`, `SCREENING_BIND`); that pair is the top layer of the configuration. These
//! structs hold no defaults and no parsing: a field left `None` falls through to the config
//! file and then to `Settings::default()`, whose values `--help` shows (`with_defaults`), so
//! a default is written once. An argument's id is its config-file key.

use std::path::PathBuf;

use clap::{Arg, Args, Parser, Subcommand};
use serde::Serialize;

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
#[derive(Debug, Args, Clone, Default, Serialize)]
#[command(mut_args(with_defaults("")))]
pub struct StoreArgs {
    /// TOML config file.
    #[arg(long, env = "SCREENING_CONFIG", global = true)]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Data directory (SQLite file, generated master key).
    #[arg(long, env = "SCREENING_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// `sqlite://…` (default `sqlite://<data dir>/screening.db`) or `postgres://…`. A URL
    /// with a password is refused as a flag (visible in `ps`): use the variable or the file.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// A file holding the database URL (a mounted secret, a systemd credential).
    #[arg(long, env = "DATABASE_URL_FILE", global = true)]
    pub database_url_file: Option<PathBuf>,
    /// 32-byte key (64 hex chars or base64) sealing tenant credentials and signing tokens.
    /// Environment or config file only (refused as a flag: visible in `ps`). When unset,
    /// read from `SCREENING_MASTER_KEY_FILE`, else `<data dir>/master.key`, which only
    /// `screening-server init` creates.
    #[arg(
        long,
        env = "SCREENING_MASTER_KEY",
        global = true,
        hide_env_values = true
    )]
    pub master_key: Option<String>,
    /// A file holding the master key (a mounted secret, a systemd credential).
    #[arg(long, env = "SCREENING_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set up a new installation once: create `<data dir>/master.key` (unless a key is
    /// given), create or migrate the database and record the key's check value.
    Init,
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
    /// Exit 0 when the server at `--url` answers `/healthz` with 200 within 5 s, else 1 (a
    /// container's health check: the image needs no curl).
    Healthcheck {
        /// The server's base URL.
        #[arg(
            long,
            env = "SCREENING_HEALTHCHECK_URL",
            default_value = "http://127.0.0.1:8080"
        )]
        url: String,
    },
    /// Write a consistent snapshot of the SQLite database to a new file while the server
    /// runs (the master key is not in it: keep the key with it).
    Backup {
        /// The backup file to create.
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the SQLite database, after checking it (integrity, schema,
    /// made under this master key). Stop the servers first.
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        replace: bool,
    },
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
    /// Generate and print (once) a new API secret for a tenant. Result links stay valid.
    RotateSecret { ats_account_id: String },
    /// Sign the tenant's result webhooks (Standard Webhooks): generate and print (once) a
    /// new signing secret. A secret the tenant already has keeps signing for `--overlap`,
    /// so the ATS can switch without missing a delivery.
    SigningSecret {
        ats_account_id: String,
        /// How long the previous secrets keep signing beside the new one.
        #[arg(long, default_value = "24h", value_parser = parse_overlap)]
        overlap: std::time::Duration,
        /// Stop signing: remove every signing secret of the tenant.
        #[arg(long, conflicts_with = "overlap")]
        disable: bool,
    },
    /// Revoke result links (`result_link_url`): of the orders named, or of every order of
    /// the tenant with `--all`. A revoked link answers 410; the order's next link is new.
    RevokeLinks {
        ats_account_id: String,
        background_check_ids: Vec<String>,
        #[arg(long)]
        all: bool,
    },
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

/// The `serve` settings as given on the command line or in the environment (text).
#[derive(Debug, Args, Default, Serialize)]
#[command(mut_args(with_defaults("serve.")))]
pub struct ServeArgs {
    /// Listen address.
    #[arg(long, env = "SCREENING_BIND")]
    pub bind: Option<String>,
    /// This server's external base URL (result links, Yardstik webhook registration).
    /// Default `http://<bound address>`.
    #[arg(long, env = "SCREENING_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Yardstik API base URL.
    #[arg(long, env = "YARDSTIK_API_BASE")]
    pub yardstik_api_base: Option<String>,
    /// Yardstik app origin (embed and apply pages).
    #[arg(long, env = "YARDSTIK_APP_ORIGIN")]
    pub yardstik_app_origin: Option<String>,
    /// Yardstik profile origin (the candidate's apply pages).
    #[arg(long, env = "YARDSTIK_PROFILE_ORIGIN")]
    pub yardstik_profile_origin: Option<String>,
    /// Static site served at `/`.
    #[arg(long, env = "SCREENING_WWW_DIR")]
    pub www_dir: Option<PathBuf>,
    /// Widget build output served at `/static/widget/`.
    #[arg(long, env = "SCREENING_WIDGET_DIR")]
    pub widget_dir: Option<PathBuf>,
    /// `1`/`true` enables `POST /demo/session` and the demo webhook receiver.
    #[arg(long, env = "SCREENING_DEMO")]
    pub demo: Option<String>,
    /// Largest accepted request body in bytes (413 above).
    #[arg(long, env = "SCREENING_BODY_LIMIT_BYTES")]
    pub body_limit_bytes: Option<String>,
    /// Whole-request timeout.
    #[arg(long, env = "SCREENING_REQUEST_TIMEOUT")]
    pub request_timeout: Option<String>,
    /// Timeout of each Yardstik API call.
    #[arg(long, env = "YARDSTIK_TIMEOUT")]
    pub yardstik_timeout: Option<String>,
    /// How long the live Yardstik package list is cached.
    #[arg(long, env = "SCREENING_PACKAGES_TTL")]
    pub packages_ttl: Option<String>,
    /// Widget session lifetime when the request names none.
    #[arg(long, env = "SCREENING_SESSION_TTL")]
    pub session_ttl: Option<String>,
    /// Longest widget session a caller may ask for.
    #[arg(long, env = "SCREENING_SESSION_MAX_TTL")]
    pub session_max_ttl: Option<String>,
    /// Retry delays after the first attempt, comma separated (Svix's schedule by default);
    /// each gets ±20% jitter.
    #[arg(long, env = "SCREENING_DELIVERY_SCHEDULE")]
    pub delivery_schedule: Option<String>,
    /// Timeout of one webhook delivery attempt.
    #[arg(long, env = "SCREENING_DELIVERY_TIMEOUT")]
    pub delivery_timeout: Option<String>,
    /// Concurrent deliveries; 0 disables the delivery worker.
    #[arg(long, env = "SCREENING_DELIVERY_WORKERS")]
    pub delivery_workers: Option<String>,
    /// Smallest retry delay after a timeout or 429.
    #[arg(long, env = "SCREENING_DELIVERY_THROTTLE_FLOOR")]
    pub delivery_throttle_floor: Option<String>,
    /// Largest Retry-After honoured.
    #[arg(long, env = "SCREENING_DELIVERY_RETRY_AFTER_MAX")]
    pub delivery_retry_after_max: Option<String>,
    /// Register Yardstik webhook subscriptions at startup.
    #[arg(long, env = "SCREENING_REGISTER_WEBHOOKS")]
    pub register_webhooks: Option<String>,
    /// `text` or `json`.
    #[arg(long, env = "SCREENING_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Yardstik events processed at once (one resource at a time each).
    #[arg(long, env = "SCREENING_INBOX_WORKERS")]
    pub inbox_workers: Option<String>,
    /// How long a Yardstik event is retried (Yardstik unreachable, key refused…) before it
    /// is marked failed.
    #[arg(long, env = "SCREENING_INBOX_RETRY_FOR")]
    pub inbox_retry_for: Option<String>,
    /// Longest wait between two attempts of an event.
    #[arg(long, env = "SCREENING_INBOX_BACKOFF_MAX")]
    pub inbox_backoff_max: Option<String>,
    /// How long a processed Yardstik event is kept (to recognise Yardstik delivering it
    /// again) before it is deleted; 0 keeps every event.
    #[arg(long, env = "SCREENING_INBOX_KEEP")]
    pub inbox_keep: Option<String>,
    /// How often the reconciliation job runs; 0 disables it.
    #[arg(long, env = "SCREENING_RECONCILE_INTERVAL")]
    pub reconcile_interval: Option<String>,
    /// An open order not synced with Yardstik for this long is re-read.
    #[arg(long, env = "SCREENING_RECONCILE_AFTER")]
    pub reconcile_after: Option<String>,
    /// How often interrupted or transiently failed placements are looked for.
    #[arg(long, env = "SCREENING_RESUME_INTERVAL")]
    pub resume_interval: Option<String>,
    /// How often registered Yardstik webhook subscriptions are checked again (and missing
    /// ones created); 0: only at startup.
    #[arg(long, env = "SCREENING_SUBSCRIPTION_CHECK_INTERVAL")]
    pub subscription_check_interval: Option<String>,
    /// Bearer token for `/metrics` and `/readyz` from other hosts (loopback needs none).
    /// Environment or config file only (refused as a flag: visible in `ps`).
    #[arg(long, env = "SCREENING_OPS_TOKEN", hide_env_values = true)]
    pub ops_token: Option<String>,
    /// A file holding the ops token (a mounted secret, a systemd credential).
    #[arg(long, env = "SCREENING_OPS_TOKEN_FILE")]
    pub ops_token_file: Option<PathBuf>,
    /// Time a client has to send a request's head, from when the server waits for it.
    #[arg(long, env = "SCREENING_HEADER_READ_TIMEOUT")]
    pub header_read_timeout: Option<String>,
    /// A connection with no request in flight and no bytes moving for this long is closed.
    #[arg(long, env = "SCREENING_IDLE_TIMEOUT")]
    pub idle_timeout: Option<String>,
    /// Connections held open at most; beyond, new ones are closed at once.
    #[arg(long, env = "SCREENING_MAX_CONNECTIONS")]
    pub max_connections: Option<String>,
    /// Connections one client address may hold (trusted proxies are not counted).
    #[arg(long, env = "SCREENING_MAX_CONNECTIONS_PER_CLIENT")]
    pub max_connections_per_client: Option<String>,
    /// Comma-separated addresses of reverse proxies whose X-Forwarded-For names the client.
    #[arg(long, env = "SCREENING_TRUSTED_PROXIES")]
    pub trusted_proxies: Option<String>,
    /// Spending requests (orders, tokens, decisions, report reads) one widget session may
    /// make a minute, unless its tenant sets its own.
    #[arg(long, env = "SCREENING_SESSION_SPEND_PER_MINUTE")]
    pub session_spend_per_minute: Option<String>,
    /// Spending requests one widget session may make at once before the per-minute rate.
    #[arg(long, env = "SCREENING_SESSION_SPEND_BURST")]
    pub session_spend_burst: Option<String>,
    /// Spending requests all of a tenant's widget sessions may make a minute together.
    #[arg(long, env = "SCREENING_TENANT_SPEND_PER_MINUTE")]
    pub tenant_spend_per_minute: Option<String>,
    /// Spending requests all of a tenant's widget sessions may make at once.
    #[arg(long, env = "SCREENING_TENANT_SPEND_BURST")]
    pub tenant_spend_burst: Option<String>,
}

/// Appends `[default: <value>]` from `Settings::default()` to the help of each argument whose
/// key (`prefix` + id) has a plain default (clap's own `default_value` would hide the file).
fn with_defaults(prefix: &'static str) -> impl FnMut(Arg) -> Arg {
    let defaults = super::settings::default_texts();
    move |arg| {
        let key = format!("{prefix}{}", arg.get_id());
        let Some(value) = defaults.get(&key) else {
            return arg;
        };
        let long = arg
            .get_long_help()
            .map(|h| format!("{h} [default: {value}]"));
        let short = arg.get_help().map(|h| format!("{h} [default: {value}]"));
        let arg = match short {
            Some(h) => arg.help(h),
            None => arg,
        };
        match long {
            Some(h) => arg.long_help(h),
            None => arg,
        }
    }
}

fn parse_overlap(s: &str) -> Result<std::time::Duration, String> {
    super::parse::parse_duration(s).ok_or_else(|| format!("{s:?}: a duration such as 24h or 30m"))
}
