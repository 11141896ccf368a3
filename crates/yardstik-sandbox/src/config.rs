//! Configuration: the library's [`SandboxConfig`] and the binary's command line (clap + env).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::faults::FaultRule;
use crate::fixture::{Fixture, FixtureError};

/// Everything a sandbox instance needs. `Default` suits tests: an ephemeral port on
/// 127.0.0.1, the embedded fixture, a 200 ms report delay and quick webhook retries.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub bind: SocketAddr,
    /// Origin of the "app" (embed and apply pages), without trailing slash. `None` means
    /// `http://<bound address>`; the same listener serves both the API and the app pages.
    pub app_origin: Option<String>,
    /// Accounts, keys, packages.
    pub fixture: Fixture,
    /// Time a report spends in `processing` before its final status.
    pub report_delay: Duration,
    /// Lifetime of JWTs from `POST /web_tokens`.
    pub web_token_ttl: Duration,
    /// Webhook delivery attempts in total (first try included) for non-2xx / network errors.
    pub webhook_max_attempts: u32,
    /// Delay before the first retry; doubled each further retry.
    pub webhook_retry_base: Duration,
    /// Timeout of one webhook POST.
    pub webhook_timeout: Duration,
    /// Webhook deliveries in flight at once per target URL; 1 delivers strictly in order.
    pub webhook_concurrency: usize,
    /// Initial fault-injection rules (also settable via `POST /sandbox/faults`).
    pub faults: Vec<FaultRule>,
    /// Largest request body accepted; larger bodies get 413.
    pub body_limit: usize,
    /// HS256 secret for web tokens; `None` draws a random one at start.
    pub jwt_secret: Option<String>,
    /// How often expired invitations are swept (status `expired` + webhooks).
    pub expiry_sweep_interval: Duration,
    /// Address of the second listener, the "profile" origin of the apply pages (as
    /// Yardstik's `profile.yardstik.com`). `None`: a free loopback port when the fixture is
    /// reference-only, else no second listener (the apply pages are on the app origin).
    pub profile_bind: Option<SocketAddr>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        SandboxConfig {
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            app_origin: None,
            fixture: Fixture::default_fixture(),
            report_delay: Duration::from_millis(200),
            web_token_ttl: Duration::from_secs(900),
            webhook_max_attempts: 4,
            webhook_retry_base: Duration::from_millis(50),
            webhook_timeout: Duration::from_secs(5),
            webhook_concurrency: 8,
            faults: Vec::new(),
            body_limit: 256 * 1024,
            jwt_secret: None,
            expiry_sweep_interval: Duration::from_millis(1000),
            profile_bind: None,
        }
    }
}

/// Command line of the `yardstik-sandbox` binary.
#[derive(Debug, Parser)]
#[command(
    name = "yardstik-sandbox",
    version,
    about = "A local emulator of the Yardstik API, its signed webhooks and its embed pages"
)]
pub struct Cli {
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_BIND", default_value = "127.0.0.1:8090")]
    pub bind: SocketAddr,
    /// Origin of the app pages (embed, apply) as the browser reaches them; default `http://<bind>`.
    #[arg(long, env = "SANDBOX_APP_ORIGIN")]
    pub app_origin: Option<String>,
    /// Fixture JSON file (accounts, keys, packages); default: the embedded fixture.
    #[arg(long, env = "SANDBOX_FIXTURE")]
    pub fixture: Option<PathBuf>,
    /// Milliseconds a report stays in `processing` before its final status.
    #[arg(long, env = "SANDBOX_REPORT_DELAY_MS", default_value_t = 3000)]
    pub report_delay_ms: u64,
    /// Lifetime of web tokens (JWT) in seconds.
    #[arg(long, env = "SANDBOX_WEB_TOKEN_TTL_SECS", default_value_t = 900)]
    pub web_token_ttl_secs: u64,
    /// Webhook delivery attempts in total (first try included).
    #[arg(long, env = "SANDBOX_WEBHOOK_MAX_ATTEMPTS", default_value_t = 6)]
    pub webhook_max_attempts: u32,
    /// Milliseconds before the first webhook retry (doubled each retry).
    #[arg(long, env = "SANDBOX_WEBHOOK_RETRY_BASE_MS", default_value_t = 1000)]
    pub webhook_retry_base_ms: u64,
    /// Webhook deliveries in flight at once per target URL (1: strictly in queue order).
    #[arg(long, env = "SANDBOX_WEBHOOK_CONCURRENCY", default_value_t = 8)]
    pub webhook_concurrency: usize,
    /// Fault rules as JSON (same format as `POST /sandbox/faults`), or `@path` to a file.
    #[arg(long, env = "SANDBOX_FAULTS")]
    pub faults: Option<String>,
    /// Largest accepted request body in bytes.
    #[arg(long, env = "SANDBOX_BODY_LIMIT", default_value_t = 256 * 1024)]
    pub body_limit: usize,
    /// HS256 secret for web tokens (random when unset).
    #[arg(long, env = "SANDBOX_JWT_SECRET")]
    pub jwt_secret: Option<String>,
    /// Serve only what Yardstik's API reference shows (the fixture's `reference_only`).
    #[arg(
        long,
        env = "SANDBOX_REFERENCE_ONLY",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub reference_only: bool,
    /// Address of the profile origin's listener (the apply pages); default: a free loopback
    /// port in reference-only mode, none otherwise.
    #[arg(long, env = "SANDBOX_PROFILE_BIND")]
    pub profile_bind: Option<SocketAddr>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Fixture(#[from] FixtureError),
    #[error("invalid fault rules: {0}")]
    Faults(String),
    #[error("invalid app origin {0:?}: expected http(s)://host[:port]")]
    AppOrigin(String),
}

impl Cli {
    pub fn into_config(self) -> Result<SandboxConfig, ConfigError> {
        let mut fixture = match &self.fixture {
            Some(p) => Fixture::from_file(p)?,
            None => Fixture::default_fixture(),
        };
        fixture.reference_only |= self.reference_only;
        let faults = match &self.faults {
            None => Vec::new(),
            Some(s) => {
                let text = if let Some(path) = s.strip_prefix('@') {
                    std::fs::read_to_string(path)
                        .map_err(|e| ConfigError::Faults(format!("{path}: {e}")))?
                } else {
                    s.clone()
                };
                crate::faults::parse_rules(&text).map_err(ConfigError::Faults)?
            }
        };
        if let Some(o) = &self.app_origin {
            let ok = reqwest::Url::parse(o)
                .map(|u| {
                    matches!(u.scheme(), "http" | "https")
                        && u.host().is_some()
                        && u.path() == "/"
                        && u.query().is_none()
                })
                .unwrap_or(false);
            if !ok {
                return Err(ConfigError::AppOrigin(o.clone()));
            }
        }
        Ok(SandboxConfig {
            bind: self.bind,
            app_origin: self.app_origin.map(|o| o.trim_end_matches('/').to_string()),
            fixture,
            report_delay: Duration::from_millis(self.report_delay_ms),
            web_token_ttl: Duration::from_secs(self.web_token_ttl_secs.max(1)),
            webhook_max_attempts: self.webhook_max_attempts.max(1),
            webhook_retry_base: Duration::from_millis(self.webhook_retry_base_ms),
            webhook_concurrency: self.webhook_concurrency.max(1),
            faults,
            body_limit: self.body_limit,
            jwt_secret: self.jwt_secret,
            profile_bind: self.profile_bind,
            ..SandboxConfig::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    /// The command line alone: the parser without its `SANDBOX_*` environment fallbacks, so
    /// the outcome does not depend on the environment the tests run in.
    fn parse(args: &[&str]) -> Cli {
        let cmd = Cli::command().mut_args(|a| a.env(None::<&str>));
        Cli::from_arg_matches(&cmd.try_get_matches_from(args).unwrap()).unwrap()
    }

    #[test]
    fn every_setting_also_reads_its_environment_variable() {
        let cmd = Cli::command();
        let envs: Vec<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_env().map(|e| e.to_string_lossy().into_owned()))
            .collect();
        assert_eq!(
            envs,
            [
                "SANDBOX_BIND",
                "SANDBOX_APP_ORIGIN",
                "SANDBOX_FIXTURE",
                "SANDBOX_REPORT_DELAY_MS",
                "SANDBOX_WEB_TOKEN_TTL_SECS",
                "SANDBOX_WEBHOOK_MAX_ATTEMPTS",
                "SANDBOX_WEBHOOK_RETRY_BASE_MS",
                "SANDBOX_WEBHOOK_CONCURRENCY",
                "SANDBOX_FAULTS",
                "SANDBOX_BODY_LIMIT",
                "SANDBOX_JWT_SECRET",
                "SANDBOX_REFERENCE_ONLY",
                "SANDBOX_PROFILE_BIND",
            ]
        );
    }

    #[test]
    fn reference_only_is_a_flag_over_the_fixture() {
        let c = parse(&["yardstik-sandbox"]).into_config().unwrap();
        assert!(!c.fixture.reference_only);
        assert_eq!(c.profile_bind, None);
        let c = parse(&[
            "yardstik-sandbox",
            "--reference-only",
            "--profile-bind",
            "127.0.0.1:9091",
        ])
        .into_config()
        .unwrap();
        assert!(c.fixture.reference_only);
        assert_eq!(c.profile_bind.unwrap().to_string(), "127.0.0.1:9091");
    }

    #[test]
    fn cli_defaults_and_flags() {
        let c = parse(&["yardstik-sandbox"]).into_config().unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:8090");
        assert_eq!(c.report_delay, Duration::from_millis(3000));
        assert_eq!(c.app_origin, None);
        assert_eq!(c.fixture.accounts.len(), 2);
        assert_eq!(c.web_token_ttl, Duration::from_secs(900));
        assert_eq!(c.webhook_max_attempts, 6);
        assert_eq!(c.webhook_retry_base, Duration::from_millis(1000));
        assert_eq!(c.webhook_concurrency, 8);
        assert_eq!(c.body_limit, 256 * 1024);
        assert!(c.faults.is_empty());
        assert_eq!(c.jwt_secret, None);
        let c = parse(&[
            "yardstik-sandbox",
            "--bind",
            "127.0.0.1:0",
            "--app-origin",
            "http://app.local:8091/",
            "--report-delay-ms",
            "10",
            "--web-token-ttl-secs",
            "5",
            "--webhook-concurrency",
            "0",
            "--faults",
            r#"{"path":"/reports","kind":"error"}"#,
        ])
        .into_config()
        .unwrap();
        assert_eq!(c.app_origin.as_deref(), Some("http://app.local:8091"));
        assert_eq!(c.report_delay, Duration::from_millis(10));
        assert_eq!(c.web_token_ttl, Duration::from_secs(5));
        assert_eq!(c.webhook_concurrency, 1, "at least one delivery in flight");
        assert_eq!(c.faults.len(), 1);
        assert!(parse(&["yardstik-sandbox", "--faults", "{"])
            .into_config()
            .is_err());
        assert!(parse(&["yardstik-sandbox", "--app-origin", "app.local"])
            .into_config()
            .is_err());
        assert!(
            parse(&["yardstik-sandbox", "--app-origin", "http://a.local/x"])
                .into_config()
                .is_err()
        );
        assert!(
            parse(&["yardstik-sandbox", "--fixture", "/nonexistent.json"])
                .into_config()
                .is_err()
        );
    }
}
