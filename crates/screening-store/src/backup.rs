//! Online backup and checked restore of a SQLite database.
//!
//! A backup is `VACUUM INTO` a new file: one consistent snapshot of the whole database,
//! taken while the server serves (writers wait only while the copy runs; the write-ahead log
//! is included), in a single file that needs no `-wal` beside it. It holds sealed values only:
//! the master key is not in it and must be kept with it (the backup records its check value,
//! so a restore with another key is refused).
//!
//! A restore checks the file before it replaces anything: SQLite's integrity check passes,
//! it is this server's schema, and it was made under this process's master key. It then
//! copies the file beside the database and renames it into place (atomic on one file
//! system), removing the old database's `-wal` and `-shm`, which belong to the replaced file.
//! The servers must be stopped while it runs. PostgreSQL has its own tools (`pg_dump`,
//! base backups with WAL archiving); these commands refuse it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use screening_model::crypto::MasterKey;
use sqlx::any::AnyConnectOptions;
use sqlx::{ConnectOptions, Connection};

use crate::{Backend, Db};

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0} is a PostgreSQL database: back it up with pg_dump or a base backup (see the operations guide)")]
    Postgres(&'static str),
    #[error("{0} already exists: choose a new file")]
    Exists(PathBuf),
    #[error("the database {0} exists: stop the servers and pass --replace to overwrite it")]
    WouldReplace(PathBuf),
    #[error("{path} is not a usable backup: {why}")]
    Invalid { path: PathBuf, why: String },
    #[error("{path} was made under another master key ({stored}; this process holds {given}): restore it with the key it was made with")]
    OtherKey {
        path: PathBuf,
        stored: String,
        given: String,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Db(#[from] sqlx::Error),
}

impl Db {
    /// Write a consistent snapshot of the database to `to`, a file that must not exist yet.
    pub async fn backup_into(&self, to: &Path) -> Result<u64, BackupError> {
        if self.backend == Backend::Postgres {
            return Err(BackupError::Postgres("this"));
        }
        if to.exists() {
            return Err(BackupError::Exists(to.to_path_buf()));
        }
        let target = to
            .to_str()
            .ok_or_else(|| BackupError::Exists(to.to_path_buf()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(&self.pool)
            .await?;
        Ok(std::fs::metadata(to)?.len())
    }
}

/// Check the backup `from` and put it in place of the SQLite database at `database_url`.
pub async fn restore_sqlite(
    from: &Path,
    database_url: &str,
    key: &MasterKey,
    replace: bool,
) -> Result<(), BackupError> {
    let Some(dest) = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))
    else {
        return Err(BackupError::Postgres("the configured database"));
    };
    let dest = PathBuf::from(dest.split('?').next().unwrap_or(dest));
    if dest.exists() && !replace {
        return Err(BackupError::WouldReplace(dest));
    }
    check_backup(from, key).await?;
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let staged = dir.join(format!(
        ".{}.restoring",
        dest.file_name().and_then(|n| n.to_str()).unwrap_or("db")
    ));
    std::fs::copy(from, &staged)?;
    std::fs::File::open(&staged)?.sync_all()?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", dest.display()));
        match std::fs::remove_file(&side) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&staged, &dest)?;
    Ok(())
}

/// The backup opens read-only, passes the integrity check, has this server's tables and
/// was made under `key`.
async fn check_backup(from: &Path, key: &MasterKey) -> Result<(), BackupError> {
    let invalid = |why: String| BackupError::Invalid {
        path: from.to_path_buf(),
        why,
    };
    if !from.is_file() {
        return Err(invalid("no such file".into()));
    }
    sqlx::any::install_default_drivers();
    let url = format!("sqlite://{}?mode=ro", from.display());
    let mut conn = AnyConnectOptions::from_str(&url)?
        .disable_statement_logging()
        .connect()
        .await
        .map_err(|e| invalid(e.to_string()))?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
        .map_err(|e| invalid(e.to_string()))?;
    if check != "ok" {
        return Err(invalid(format!("integrity check: {check}")));
    }
    let stored: Option<String> =
        sqlx::query_scalar("SELECT check_value FROM key_check WHERE id = 1")
            .fetch_optional(&mut conn)
            .await
            .map_err(|_| invalid("not a database of this server (no key check)".into()))?;
    conn.close().await.ok();
    let given = key.check_value();
    match stored {
        Some(s) if screening_model::crypto::ct_eq(s.as_bytes(), given.as_bytes()) => Ok(()),
        Some(stored) => Err(BackupError::OtherKey {
            path: from.to_path_buf(),
            stored,
            given,
        }),
        None => Err(invalid("it records no master key check".into())),
    }
}
