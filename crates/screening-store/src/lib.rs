//! The companion server's storage. One schema, two backends behind sqlx's `Any` driver:
//! SQLite (default, WAL, a file under the data directory) and PostgreSQL
//! (`DATABASE_URL=postgres://…`). All SQL is portable (`$n` placeholders, `ON CONFLICT DO
//! NOTHING`, `RETURNING`, BIGINT times in unix milliseconds), so one text serves both; the
//! only backend-specific statements are the migrations (two directories), the locking and
//! isolation hints (row claiming: [`Db::skip_locked`], [`Db::claim_index_hint`]; an order's
//! read-modify-write: [`orders::order_for_update`]; one snapshot: [`Db::begin_snapshot`])
//! and the batch insert of webhook events (`Db::insert_events`: SQLite's `json_each`,
//! PostgreSQL's `jsonb_array_elements`).
//!
//! Shape of the code: one function per query. A read or a one-statement write is a function
//! over any executor (`&db.pool`, or `&mut *tx` in the caller's transaction), so the same
//! query is never written twice for "alone" and "inside a transaction"; a whole operation
//! (its own transaction, a claim, a fenced write) or one that needs the master key or the
//! backend is a [`Db`] method. Rows are decoded into typed values at this boundary
//! (`decode`: a stored enum's unknown word is a decode error). SQL lives in this crate and
//! nowhere else.

pub mod backup;
mod decode;
pub mod inbox;
pub mod ingest;
mod key_check;
pub mod orders;
pub mod outbox;
mod signing_keys;
pub mod tenants;

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Executor};

use std::path::PathBuf;

pub use screening_model::clock::{ms_to_rfc3339, now_ms};
use screening_model::crypto::MasterKey;

pub use key_check::KeyCheckError;

/// Where the data lives: resolved from the configuration by the server.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub master_key: MasterKey,
}

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

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Db {
    /// Connect, check the master key against the database (`key_check`: a wrong key stops
    /// here, before anything is written) and run the embedded migrations.
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
                if let Some(path) = sqlite_file(url) {
                    owner_only(&path)?;
                }
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
                key_check::before_migrations(&pool, Backend::Sqlite, &store.master_key).await?;
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
                key_check::before_migrations(&pool, Backend::Postgres, &store.master_key).await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                pool
            }
        };
        key_check::record(&pool, &store.master_key).await?;
        Ok(Db {
            pool,
            backend,
            master: store.master_key.clone(),
        })
    }

    /// A transaction whose reads all see one snapshot of the database. PostgreSQL's
    /// default isolation (read committed) lets each statement see what committed since the
    /// last; repeatable read holds the first snapshot. A SQLite transaction already reads
    /// one snapshot.
    pub async fn begin_snapshot(&self) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .execute(&mut *tx)
                .await?;
        }
        Ok(tx)
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
}

/// The file a `sqlite:` URL names (`None`: in memory).
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && path != ":memory:").then(|| path.into())
}

/// The database file is created readable by its owner only (mode 0600; SQLite gives its
/// `-wal` and `-shm` files the database file's mode), and an existing one is made so: it
/// holds applicants' personal data.
fn owner_only(path: &std::path::Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let err = |e: std::io::Error| anyhow::anyhow!("cannot secure {}: {e}", path.display());
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(err(e)),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .map_err(err)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn sqlite_urls_name_their_file() {
        assert_eq!(
            sqlite_file("sqlite:///var/lib/s/screening.db?mode=rwc"),
            Some("/var/lib/s/screening.db".into())
        );
        assert_eq!(sqlite_file("sqlite://data/s.db"), Some("data/s.db".into()));
        assert_eq!(sqlite_file("sqlite::memory:"), None);
        assert_eq!(sqlite_file("postgres://x"), None);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_database_files_are_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = StoreConfig {
            data_dir: dir.path().to_path_buf(),
            database_url: format!("sqlite://{}/screening.db", dir.path().display()),
            master_key: screening_model::crypto::MasterKey::generate(),
        };
        let db = Db::connect(&store).await.unwrap();
        let mode = |name: &str| {
            std::fs::metadata(dir.path().join(name))
                .unwrap()
                .permissions()
                .mode()
                & 0o777
        };
        assert_eq!(mode("screening.db"), 0o600);
        assert_eq!(mode("screening.db-wal"), 0o600);
        db.pool.close().await;
        // An existing file made readable by others is made the owner's again.
        std::fs::set_permissions(
            dir.path().join("screening.db"),
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let db = Db::connect(&store).await.unwrap();
        assert_eq!(mode("screening.db"), 0o600);
        db.pool.close().await;
    }
}
