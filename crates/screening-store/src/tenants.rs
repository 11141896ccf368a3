//! Tenant rows: plain settings JSON, sealed credentials (bound to the row's id, so a sealed
//! value copied to another row does not open), argon2 secret hash.

use sqlx::Row;

use crate::{now_ms, Db};
use screening_model::crypto::hash_secret;
use screening_model::{Credentials, Settings, Tenant, TenantSpec};

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("a tenant with ats_account_id {0:?} already exists (use --replace)")]
    Exists(String),
    #[error("another tenant already uses Yardstik account {0}")]
    YardstikAccountTaken(String),
    #[error("no tenant with ats_account_id {0:?}")]
    NotFound(String),
    #[error("stored credentials of tenant {0:?} cannot be decrypted: is SCREENING_MASTER_KEY the one they were sealed with?")]
    Sealed(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

const COLUMNS: &str = "id, ats_account_id, name, secret_hash, sealed, settings";

fn from_row(db: &Db, row: &sqlx::any::AnyRow) -> Result<Tenant, TenantError> {
    let ats: String = row.try_get("ats_account_id")?;
    let id: String = row.try_get("id")?;
    let sealed: String = row.try_get("sealed")?;
    let creds: Credentials = db
        .master
        .open(&sealed, id.as_bytes())
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| TenantError::Sealed(ats.clone()))?;
    let settings: Settings = serde_json::from_str(&row.try_get::<String, _>("settings")?)
        .map_err(|_| TenantError::Sealed(ats.clone()))?;
    Ok(Tenant {
        id,
        ats_account_id: ats,
        name: row.try_get("name")?,
        secret_hash: row.try_get("secret_hash")?,
        credentials: creds,
        settings,
    })
}

impl Db {
    /// Insert (or with `replace`, update in place keeping the tenant id and its orders).
    /// Returns the tenant id. `secret` is the API secret to hash.
    pub async fn upsert_tenant(
        &self,
        spec: &TenantSpec,
        secret: &str,
        replace: bool,
    ) -> Result<String, TenantError> {
        let creds = Credentials {
            yardstik_account_id: spec.yardstik_account_id.clone(),
            yardstik_api_key: spec.yardstik_api_key.clone(),
            webhook_signature: spec.webhook_signature.clone(),
        };
        let creds = serde_json::to_vec(&creds).expect("serialise");
        let settings = serde_json::to_string(&spec.settings).expect("serialise");
        let lookup = self.master.lookup_hash(&spec.yardstik_account_id);
        let hash = hash_secret(secret);
        let now = now_ms();
        let mut tx = self.pool.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT id FROM tenants WHERE ats_account_id = $1")
                .bind(&spec.ats_account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let other: Option<String> = sqlx::query_scalar(
            "SELECT ats_account_id FROM tenants WHERE yardstik_account_lookup = $1",
        )
        .bind(&lookup)
        .fetch_optional(&mut *tx)
        .await?;
        if other.as_ref().is_some_and(|o| *o != spec.ats_account_id) {
            return Err(TenantError::YardstikAccountTaken(
                spec.yardstik_account_id.clone(),
            ));
        }
        let id = match existing {
            Some(_) if !replace => return Err(TenantError::Exists(spec.ats_account_id.clone())),
            Some(id) => {
                let sealed = self.master.seal(&creds, id.as_bytes());
                sqlx::query(
                    "UPDATE tenants SET name = $1, secret_hash = $2, yardstik_account_lookup = $3, sealed = $4, settings = $5, updated_at = $6 WHERE id = $7",
                )
                .bind(&spec.name)
                .bind(&hash)
                .bind(&lookup)
                .bind(&sealed)
                .bind(&settings)
                .bind(now)
                .bind(&id)
                .execute(&mut *tx)
                .await?;
                id
            }
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                let sealed = self.master.seal(&creds, id.as_bytes());
                sqlx::query(
                    "INSERT INTO tenants (id, ats_account_id, name, secret_hash, yardstik_account_lookup, sealed, settings, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
                )
                .bind(&id)
                .bind(&spec.ats_account_id)
                .bind(&spec.name)
                .bind(&hash)
                .bind(&lookup)
                .bind(&sealed)
                .bind(&settings)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                id
            }
        };
        tx.commit().await?;
        Ok(id)
    }

    pub async fn tenant_by_ats_account(
        &self,
        ats_account_id: &str,
    ) -> Result<Option<Tenant>, TenantError> {
        let q = format!("SELECT {COLUMNS} FROM tenants WHERE ats_account_id = $1");
        let row = sqlx::query(&q)
            .bind(ats_account_id)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| from_row(self, &r)).transpose()
    }

    pub async fn tenant_by_id(&self, id: &str) -> Result<Option<Tenant>, TenantError> {
        let q = format!("SELECT {COLUMNS} FROM tenants WHERE id = $1");
        let row = sqlx::query(&q).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| from_row(self, &r)).transpose()
    }

    pub async fn tenant_by_yardstik_account(
        &self,
        account_id: &str,
    ) -> Result<Option<Tenant>, TenantError> {
        let q = format!("SELECT {COLUMNS} FROM tenants WHERE yardstik_account_lookup = $1");
        let row = sqlx::query(&q)
            .bind(self.master.lookup_hash(account_id))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| from_row(self, &r)).transpose()
    }

    /// Every tenant's widget origins, from the plain settings only (no sealed data is
    /// opened, so one unreadable tenant cannot hide the others'). A tenant whose settings
    /// do not parse is skipped and logged.
    pub async fn widget_origins(&self) -> sqlx::Result<Vec<(String, Vec<String>)>> {
        let rows = sqlx::query("SELECT id, settings FROM tenants")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for r in rows {
            let id: String = r.try_get("id")?;
            match serde_json::from_str::<Settings>(&r.try_get::<String, _>("settings")?) {
                Ok(s) => out.push((id, s.widget_origins)),
                Err(e) => {
                    tracing::error!(tenant = %id, error = %e, "tenant settings unreadable; its widget origins are ignored")
                }
            }
        }
        Ok(out)
    }

    /// Changes whenever a tenant is added, changed or removed (cheap to poll).
    pub async fn tenants_fingerprint(&self) -> sqlx::Result<(i64, i64)> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n, COALESCE(MAX(updated_at), 0) AS at FROM tenants")
                .fetch_one(&self.pool)
                .await?;
        Ok((row.try_get("n")?, row.try_get("at")?))
    }

    pub async fn list_tenants(&self) -> Result<Vec<Tenant>, TenantError> {
        let q = format!("SELECT {COLUMNS} FROM tenants ORDER BY ats_account_id");
        let rows = sqlx::query(&q).fetch_all(&self.pool).await?;
        rows.iter().map(|r| from_row(self, r)).collect()
    }

    pub async fn set_tenant_secret(
        &self,
        ats_account_id: &str,
        secret: &str,
    ) -> Result<(), TenantError> {
        let n = sqlx::query(
            "UPDATE tenants SET secret_hash = $1, updated_at = $2 WHERE ats_account_id = $3",
        )
        .bind(hash_secret(secret))
        .bind(now_ms())
        .bind(ats_account_id)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if n == 0 {
            return Err(TenantError::NotFound(ats_account_id.into()));
        }
        Ok(())
    }

    /// Remove a tenant and everything it owns.
    pub async fn remove_tenant(&self, ats_account_id: &str) -> Result<(), TenantError> {
        let mut tx = self.pool.begin().await?;
        let id: Option<String> =
            sqlx::query_scalar("SELECT id FROM tenants WHERE ats_account_id = $1")
                .bind(ats_account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(id) = id else {
            return Err(TenantError::NotFound(ats_account_id.into()));
        };
        for table in [
            "outbox",
            "inbox",
            "order_events",
            "order_items",
            "orders",
            "result_signing_keys",
        ] {
            sqlx::query(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
                .bind(&id)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("DELETE FROM tenants WHERE id = $1")
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The tenant's credential generation (`Tenant::generation`) without opening its sealed
/// credentials (so it may be read inside the caller's transaction); `None` when the tenant
/// does not exist.
pub async fn tenant_generation<'c>(
    e: impl sqlx::Executor<'c, Database = sqlx::Any>,
    id: &str,
) -> sqlx::Result<Option<String>> {
    let hash: Option<String> = sqlx::query_scalar("SELECT secret_hash FROM tenants WHERE id = $1")
        .bind(id)
        .fetch_optional(e)
        .await?;
    Ok(hash.map(|h| screening_model::tenant::generation_of(&h)))
}
