//! One scenario's world: a fresh sandbox process, a fresh database (SQLite file, or a new
//! PostgreSQL database shared by two server processes), the tenant added through the
//! server's CLI, the server(s), and the ATS receiver. Dropping it kills every process.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rand::RngCore;

use crate::ats_client::{tenant_file, AtsClient};
use crate::procs::{self, SandboxProc, ServerProc};
use crate::receiver::Receiver;
use crate::sandbox_client::{SandboxClient, ACCOUNT_A, KEY_A, SIGNATURE_A};

#[derive(Debug, Clone)]
pub enum Database {
    Sqlite,
    /// Base URL of a PostgreSQL server (a database named in it is used to create others).
    Postgres(String),
}

impl Database {
    pub fn label(&self) -> &'static str {
        match self {
            Database::Sqlite => "SQLite, 1 server",
            Database::Postgres(_) => "PostgreSQL, 2 servers",
        }
    }
}

pub struct RigOptions {
    pub delivery_schedule: &'static str,
    /// Let the server register its own Yardstik webhook subscriptions.
    pub register_webhooks: bool,
}

impl Default for RigOptions {
    fn default() -> Self {
        RigOptions {
            delivery_schedule: "1s,2s,4s,8s,16s,30s",
            register_webhooks: true,
        }
    }
}

pub struct Rig {
    // Field order is drop order: servers stop before the sandbox they call.
    pub servers: Vec<ServerProc>,
    /// Held for its guard: dropping the rig kills the sandbox.
    _sandbox: SandboxProc,
    pub ys: SandboxClient,
    pub ats: AtsClient,
    pub receiver: Receiver,
    pub http: reqwest::Client,
}

impl Rig {
    pub async fn start(
        bin: &Path,
        work: PathBuf,
        db: &Database,
        db_suffix: &str,
        opts: RigOptions,
    ) -> anyhow::Result<Rig> {
        let _ = std::fs::remove_dir_all(&work);
        std::fs::create_dir_all(&work).with_context(|| format!("create {}", work.display()))?;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()?;
        let sandbox = procs::start_sandbox(bin, &work, &http).await?;
        let database_url = match db {
            Database::Sqlite => format!("sqlite://{}/screening.db", work.display()),
            Database::Postgres(base) => procs::fresh_postgres(base, db_suffix).await?,
        };
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        let s = |v: &str| v.to_string();
        let env: Vec<(String, String)> = vec![
            (s("SCREENING_MASTER_KEY"), hex::encode(key)),
            (s("SCREENING_DATA_DIR"), work.display().to_string()),
            (s("DATABASE_URL"), database_url),
            (s("YARDSTIK_API_BASE"), sandbox.url.clone()),
            (s("YARDSTIK_APP_ORIGIN"), sandbox.url.clone()),
            (
                s("SCREENING_WWW_DIR"),
                work.join("no-www").display().to_string(),
            ),
            (
                s("SCREENING_WIDGET_DIR"),
                work.join("no-widget").display().to_string(),
            ),
            (s("YARDSTIK_TIMEOUT"), s("5s")),
            (s("SCREENING_DELIVERY_SCHEDULE"), s(opts.delivery_schedule)),
            (s("SCREENING_DELIVERY_TIMEOUT"), s("5s")),
            (s("SCREENING_DELIVERY_THROTTLE_FLOOR"), s("1s")),
            (s("SCREENING_DELIVERY_RETRY_AFTER_MAX"), s("5s")),
            (
                s("SCREENING_REGISTER_WEBHOOKS"),
                s(if opts.register_webhooks {
                    "true"
                } else {
                    "false"
                }),
            ),
            // Short reliability settings, so a run exercises reconciliation and the inbox budget.
            (s("SCREENING_RECONCILE_INTERVAL"), s("2s")),
            (s("SCREENING_RECONCILE_AFTER"), s("2s")),
            (s("SCREENING_INBOX_RETRY_FOR"), s("5s")),
            (s("SCREENING_INBOX_BACKOFF_MAX"), s("2s")),
            (s("RUST_LOG"), s("info,sqlx=warn")),
        ];
        let tenant = work.join("tenant.json");
        std::fs::write(
            &tenant,
            serde_json::to_vec_pretty(&tenant_file(ACCOUNT_A, KEY_A, SIGNATURE_A))?,
        )?;
        procs::add_tenant(bin, &env, &tenant)?;
        let count = match db {
            Database::Sqlite => 1,
            Database::Postgres(_) => 2,
        };
        let mut servers = Vec::new();
        for i in 0..count {
            let mut s = ServerProc::new(bin, &work, i, env.clone());
            s.start(&http).await?;
            servers.push(s);
        }
        let rig = Rig {
            servers,
            ys: SandboxClient::new(&sandbox.url),
            _sandbox: sandbox,
            ats: AtsClient::new(),
            receiver: Receiver::start().await?,
            http,
        };
        if opts.register_webhooks {
            for s in &rig.servers {
                rig.wait_subscribed(&s.webhook_url()).await?;
            }
        }
        Ok(rig)
    }

    /// Wait (bounded) until the server's five Yardstik subscriptions exist.
    pub async fn wait_subscribed(&self, url: &str) -> anyhow::Result<()> {
        let end = Instant::now() + Duration::from_secs(30);
        while Instant::now() < end {
            if self.ys.subscriptions_to(url).await.unwrap_or(0) >= 5 {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("the server never subscribed {url} at the sandbox")
    }

    pub fn server_urls(&self) -> Vec<String> {
        self.servers.iter().map(|s| s.url.clone()).collect()
    }
}
