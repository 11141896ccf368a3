//! The master key is checked against the database before anything is written.
//!
//! Every value the server seals or signs depends on the master key, and a process started
//! with another key (a shell without the real key, a second instance missing its secret)
//! would otherwise pass its health checks and then fail every caller, or seal a tenant the
//! real servers cannot open. The database therefore keeps the key's check value
//! ([`MasterKey::check_value`], a keyed hash of a constant) in `key_check`, and opening the
//! database compares it first, before the migrations run:
//!
//! - the table has a value: it must be this key's, or opening fails;
//! - no value yet (a new database, or one from a release before the check): any tenant's
//!   sealed credentials must open with this key, or opening fails; otherwise this key's value
//!   is written, and read back (two processes racing with different keys on a new database:
//!   the second is refused).

use screening_model::crypto::MasterKey;
use sqlx::AnyPool;

use crate::Backend;

#[derive(Debug, thiserror::Error)]
pub enum KeyCheckError {
    #[error("the master key does not match this database (it was set up with key {stored}, this process holds {given}); start it with the key the database was created with (SCREENING_MASTER_KEY or SCREENING_MASTER_KEY_FILE). Nothing was written.")]
    Mismatch { stored: String, given: String },
    #[error("the master key does not open this database's tenant credentials (they were sealed with another key; this process holds {given}); start it with the key the database was created with (SCREENING_MASTER_KEY or SCREENING_MASTER_KEY_FILE). Nothing was written.")]
    SealedWithAnother { given: String },
    #[error("reading the master key check: {0}")]
    Db(#[from] sqlx::Error),
}

/// Does `table` exist? Asked before the migrations, so it reads the catalogue.
async fn table_exists(pool: &AnyPool, backend: Backend, table: &str) -> sqlx::Result<bool> {
    let sql = match backend {
        Backend::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1",
        Backend::Postgres => {
            "SELECT COUNT(*) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    let n: i64 = sqlx::query_scalar(sql).bind(table).fetch_one(pool).await?;
    Ok(n > 0)
}

async fn stored(pool: &AnyPool) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar("SELECT check_value FROM key_check WHERE id = 1")
        .fetch_optional(pool)
        .await
}

fn compare(stored: String, key: &MasterKey) -> Result<(), KeyCheckError> {
    let given = key.check_value();
    if screening_model::crypto::ct_eq(stored.as_bytes(), given.as_bytes()) {
        Ok(())
    } else {
        Err(KeyCheckError::Mismatch { stored, given })
    }
}

/// Before the migrations: refuse a key that is not the database's. Reads only.
pub(crate) async fn before_migrations(
    pool: &AnyPool,
    backend: Backend,
    key: &MasterKey,
) -> Result<(), KeyCheckError> {
    if table_exists(pool, backend, "key_check").await? {
        if let Some(value) = stored(pool).await? {
            return compare(value, key);
        }
    }
    if table_exists(pool, backend, "tenants").await? {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT id, sealed FROM tenants ORDER BY created_at LIMIT 1")
                .fetch_optional(pool)
                .await?;
        if let Some((id, sealed)) = row {
            if key.open(&sealed, id.as_bytes()).is_none() {
                return Err(KeyCheckError::SealedWithAnother {
                    given: key.check_value(),
                });
            }
        }
    }
    Ok(())
}

/// After the migrations: record this key's check value if none is, then hold the
/// database's value against the key (a racing process may have written first).
pub(crate) async fn record(pool: &AnyPool, key: &MasterKey) -> Result<(), KeyCheckError> {
    sqlx::query(
        "INSERT INTO key_check (id, check_value, created_at) VALUES (1, $1, $2) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(key.check_value())
    .bind(crate::now_ms())
    .execute(pool)
    .await?;
    match stored(pool).await? {
        Some(value) => compare(value, key),
        None => Ok(()),
    }
}
