//! A tenant's result-webhook signing secrets, sealed with the master key (the row's id as
//! associated data). A rotation adds a secret and gives the others an end (`expires_at`):
//! until then deliveries carry a signature under each.

use screening_model::result_signature::SigningSecret;

use crate::tenants::TenantError;
use crate::{now_ms, Db};

impl Db {
    /// Add a new signing secret for the tenant; the ones it had stay valid until
    /// `now + overlap_ms` (or their earlier end). Returns the new secret, to show once.
    pub async fn add_signing_secret(
        &self,
        ats_account_id: &str,
        overlap_ms: i64,
    ) -> Result<SigningSecret, TenantError> {
        let mut tx = self.pool.begin().await?;
        let tenant: Option<String> =
            sqlx::query_scalar("SELECT id FROM tenants WHERE ats_account_id = $1")
                .bind(ats_account_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(tenant) = tenant else {
            return Err(TenantError::NotFound(ats_account_id.into()));
        };
        let now = now_ms();
        let until = now + overlap_ms.max(0);
        sqlx::query(
            "UPDATE result_signing_keys SET expires_at = $1 \
             WHERE tenant_id = $2 AND (expires_at IS NULL OR expires_at > $1)",
        )
        .bind(until)
        .bind(&tenant)
        .execute(&mut *tx)
        .await?;
        let id = uuid::Uuid::new_v4().to_string();
        let secret = SigningSecret::generate();
        sqlx::query(
            "INSERT INTO result_signing_keys (id, tenant_id, sealed, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, NULL)",
        )
        .bind(&id)
        .bind(&tenant)
        .bind(self.master.seal(secret.expose().as_bytes(), id.as_bytes()))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Stop signing the tenant's result webhooks (every secret removed). `false` when it
    /// had none.
    pub async fn remove_signing_secrets(&self, ats_account_id: &str) -> Result<bool, TenantError> {
        let tenant = self
            .tenant_by_ats_account(ats_account_id)
            .await?
            .ok_or_else(|| TenantError::NotFound(ats_account_id.into()))?;
        let n = sqlx::query("DELETE FROM result_signing_keys WHERE tenant_id = $1")
            .bind(&tenant.id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(n > 0)
    }

    /// The secrets a delivery of the tenant's is signed with now, newest first (empty: the
    /// tenant does not sign). A secret that does not open is left out and logged.
    pub async fn signing_secrets(&self, tenant_id: &str) -> sqlx::Result<Vec<SigningSecret>> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, sealed FROM result_signing_keys \
             WHERE tenant_id = $1 AND (expires_at IS NULL OR expires_at > $2) \
             ORDER BY created_at DESC, id",
        )
        .bind(tenant_id)
        .bind(now_ms())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, sealed)| {
                let secret = self
                    .master
                    .open(&sealed, id.as_bytes())
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| SigningSecret::parse(&s).ok());
                if secret.is_none() {
                    tracing::error!(key = %id, "a result signing secret does not open; left out");
                }
                secret
            })
            .collect())
    }
}
