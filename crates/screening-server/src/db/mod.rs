//! Storage. One schema, two backends behind sqlx's `Any` driver: SQLite (default, WAL, a
//! file under the data directory) and PostgreSQL (`DATABASE_URL=postgres://…`). All SQL is
//! portable (`$n` placeholders, `ON CONFLICT DO NOTHING`, `RETURNING`, BIGINT times in unix
//! milliseconds); the only backend-specific statements are the migrations (two directories),
//! the hints in row claiming (see [`Db::skip_locked`] and [`Db::claim_index_hint`]) and the
//! batch insert of webhook events (`Db::insert_events`: SQLite's `json_each`, PostgreSQL's
//! `jsonb_array_elements`).

pub mod inbox;
pub mod orders;
pub mod outbox;
pub mod tenants;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use crate::config::StoreConfig;
use crate::crypto::MasterKey;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub backend: Backend,
    pub master: MasterKey,
}

pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub fn ms_to_rfc3339(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connect and run the embedded migrations.
    pub async fn connect(store: &StoreConfig) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let url = &store.database_url;
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let pool = match backend {
            Backend::Sqlite => {
                std::fs::create_dir_all(&store.data_dir).map_err(|e| {
                    anyhow::anyhow!(
                        "cannot create data directory {}: {e}",
                        store.data_dir.display()
                    )
                })?;
                let url = if url.contains('?') {
                    url.clone()
                } else {
                    format!("{url}?mode=rwc")
                };
                let opts = AnyConnectOptions::from_str(&url)?.disable_statement_logging();
                // SQLite has one writer at a time: one connection serialises writers inside
                // this process without "database is locked" upgrades; busy_timeout covers
                // other processes (the CLI). Scale-out is PostgreSQL's job.
                // No ping before each use: a file held open by this process does not go
                // stale, and the ping is a round trip to the connection's thread per statement.
                let pool = AnyPoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _| {
                        Box::pin(async move {
                            conn.execute("PRAGMA busy_timeout = 10000").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            Ok(())
                        })
                    })
                    .connect_with(opts)
                    .await?;
                pool.execute("PRAGMA journal_mode = WAL").await?;
                SQLITE_MIGRATIONS.run(&pool).await?;
                pool
            }
            Backend::Postgres => {
                let opts = AnyConnectOptions::from_str(url)?.disable_statement_logging();
                let pool = AnyPoolOptions::new()
                    .max_connections(10)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                pool
            }
        };
        Ok(Db {
            pool,
            backend,
            master: store.master_key.clone(),
        })
    }

    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    /// Row-claiming hint for sub-selects: PostgreSQL skips rows another instance is
    /// claiming; SQLite has a single writer, so the plain sub-select is already exclusive.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        }
    }

    /// SQLite's planner would rather scan the due-time index and sort the whole backlog;
    /// the claim reads `inbox_claim` in priority order and stops early. PostgreSQL's
    /// planner picks it from its statistics.
    pub fn claim_index_hint(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => " INDEXED BY inbox_claim",
            Backend::Postgres => "",
        }
    }

    /// Row lock for read-modify-write inside a transaction (PostgreSQL only; SQLite's
    /// single writer already serialises).
    pub fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Postgres => " FOR UPDATE",
            Backend::Sqlite => "",
        }
    }
}
