//! The tenant directory: every lookup of a tenant the server does, by the key its caller
//! holds — an ATS account id (Basic auth), a tenant id (sessions, events, deliveries) or a
//! Yardstik account id (webhooks).
//!
//! Two lookups are hot and cached for a moment ([`EVENT_TTL`], [`WEBHOOK_TTL`]): the inbox
//! reads one tenant for each group of events, and every webhook names its Yardstik account
//! before its signature can be checked. The webhook's account id is the caller's choice, so
//! it is refused unread when longer than any tenant's may be
//! ([`MAX_YARDSTIK_ACCOUNT_ID_LEN`]) and cached by its SHA-256 (every entry the same
//! size); unknown accounts are remembered too, in their own cache of fixed-size entries
//! ([`UNKNOWN_TTL`]), so a flood of made-up ids costs one query per new id and a few
//! megabytes at most, and the evictions it forces are counted.
//! A removed tenant or a replaced key takes effect within the cache's time.

use std::sync::Arc;
use std::time::Duration;

use screening_metrics::{CacheName, Metrics};
use screening_model::tenant::MAX_YARDSTIK_ACCOUNT_ID_LEN;
use screening_model::Tenant;
use screening_store::Db;

use super::OrderError;
use crate::cache::Cache;

/// How long a tenant read for one Yardstik event is reused for the next.
pub const EVENT_TTL: Duration = Duration::from_secs(2);
/// How long a tenant looked up by Yardstik account id is reused.
pub const WEBHOOK_TTL: Duration = Duration::from_secs(2);
/// How long an account id no tenant has is remembered as unknown: as long as a known one,
/// so that how often an id costs a query does not tell known ids from unknown ones.
pub const UNKNOWN_TTL: Duration = WEBHOOK_TTL;
/// Tenants remembered at most for events, and for webhooks.
const MAX_EVENT_TENANTS: u64 = 1_000;
/// Unknown account ids remembered at most (32-byte hashes: about 2 MiB with moka's
/// bookkeeping).
const MAX_UNKNOWN_ACCOUNTS: u64 = 10_000;

/// Why a webhook's account was not found (an unknown account is remembered apart).
#[derive(Debug, thiserror::Error)]
enum Miss {
    #[error("unknown account")]
    Unknown,
    #[error(transparent)]
    Failed(OrderError),
}

/// The key a caller-chosen account id is cached under.
fn account_key(account_id: &str) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(account_id.as_bytes()).into()
}

#[derive(Clone)]
pub struct TenantDirectory {
    db: Db,
    by_id: Cache<String, Arc<Tenant>>,
    by_yardstik: Cache<[u8; 32], Arc<Tenant>>,
    unknown_yardstik: Cache<[u8; 32], ()>,
}

impl TenantDirectory {
    pub fn new(db: Db, metrics: &Metrics) -> Self {
        TenantDirectory {
            db,
            by_id: Cache::new(MAX_EVENT_TENANTS, Some(EVENT_TTL)),
            by_yardstik: Cache::counted(
                MAX_EVENT_TENANTS,
                WEBHOOK_TTL,
                None,
                metrics,
                CacheName::WebhookAccounts,
            ),
            unknown_yardstik: Cache::counted(
                MAX_UNKNOWN_ACCOUNTS,
                UNKNOWN_TTL,
                None,
                metrics,
                CacheName::WebhookAccounts,
            ),
        }
    }

    pub async fn by_ats_account(&self, ats_account_id: &str) -> Result<Option<Tenant>, OrderError> {
        Ok(self.db.tenant_by_ats_account(ats_account_id).await?)
    }

    pub async fn by_id(&self, id: &str) -> Result<Option<Tenant>, OrderError> {
        Ok(self.db.tenant_by_id(id).await?)
    }

    /// [`Self::by_id`], reused for [`EVENT_TTL`] (a tenant that is not there is not kept).
    pub async fn by_id_for_events(&self, id: &str) -> Result<Option<Arc<Tenant>>, OrderError> {
        if let Some(t) = self.by_id.get(&id.to_string()).await {
            return Ok(Some(t));
        }
        let Some(t) = self.db.tenant_by_id(id).await? else {
            return Ok(None);
        };
        let t = Arc::new(t);
        self.by_id.insert(id.to_string(), t.clone()).await;
        Ok(Some(t))
    }

    /// The tenant of a Yardstik account, reused for [`WEBHOOK_TTL`] (an unknown account
    /// for [`UNKNOWN_TTL`]); an id longer than any tenant's is unknown without a lookup.
    /// Concurrent webhooks of one new account read it once.
    pub async fn by_yardstik_account(
        &self,
        account_id: &str,
    ) -> Result<Option<Arc<Tenant>>, OrderError> {
        if account_id.is_empty() || account_id.len() > MAX_YARDSTIK_ACCOUNT_ID_LEN {
            return Ok(None);
        }
        let key = account_key(account_id);
        if self.unknown_yardstik.get(&key).await.is_some() {
            return Ok(None);
        }
        let db = &self.db;
        let found = self
            .by_yardstik
            .try_get_with(key, async move {
                match db.tenant_by_yardstik_account(account_id).await {
                    Ok(Some(t)) => Ok(Arc::new(t)),
                    Ok(None) => Err(Miss::Unknown),
                    Err(e) => Err(Miss::Failed(e.into())),
                }
            })
            .await;
        match found {
            Ok(t) => Ok(Some(t)),
            Err(e) if matches!(*e, Miss::Unknown) => {
                self.unknown_yardstik.insert(key, ()).await;
                Ok(None)
            }
            Err(e) => match Arc::try_unwrap(e) {
                Ok(Miss::Failed(e)) => Err(e),
                Ok(Miss::Unknown) => Ok(None),
                Err(shared) => Err(OrderError::Internal(anyhow::anyhow!("{shared}"))),
            },
        }
    }

    pub async fn list(&self) -> Result<Vec<Tenant>, OrderError> {
        Ok(self.db.list_tenants().await?)
    }

    /// Every tenant's widget origins (plain settings only: a tenant whose sealed data
    /// cannot be opened does not break the others).
    pub async fn widget_origins(&self) -> sqlx::Result<Vec<(String, Vec<String>)>> {
        self.db.widget_origins().await
    }

    /// Changes whenever a tenant is added, changed or removed.
    pub async fn fingerprint(&self) -> sqlx::Result<(i64, i64)> {
        self.db.tenants_fingerprint().await
    }
}
