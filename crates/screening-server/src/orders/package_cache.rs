//! Yardstik's package list of each tenant, kept for a while (see [`super::catalog`]).
//!
//! An entry is fresh for the configured time; a stale one is not dropped but kept as the
//! fallback served while Yardstik is unreachable, so entries have no time to live of their
//! own, only a bound on how many tenants are remembered.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use yardstik_client::types::AccountPackage;

use crate::cache::Cache;

/// Tenants whose list is remembered at most.
const MAX_TENANTS: u64 = 100_000;

type Cached = (Instant, Arc<Vec<AccountPackage>>);

#[derive(Clone)]
pub struct PackageCache {
    lists: Cache<String, Cached>,
    /// Lists read before this instant count as stale.
    stale_before: Arc<Mutex<Option<Instant>>>,
}

impl Default for PackageCache {
    fn default() -> Self {
        PackageCache {
            lists: Cache::new(MAX_TENANTS, None),
            stale_before: Arc::default(),
        }
    }
}

impl PackageCache {
    /// Mark every cached list stale (the next call goes to Yardstik; the copy stays as the
    /// fallback).
    pub fn expire_all(&self) {
        *self.stale_before.lock().expect("package cache") = Some(Instant::now());
    }

    /// The tenant's list, when it was read, and whether it is still fresh after `ttl`.
    pub(super) async fn get(
        &self,
        tenant_id: &str,
        ttl: std::time::Duration,
    ) -> Option<(bool, Arc<Vec<AccountPackage>>)> {
        let (at, v) = self.lists.get(&tenant_id.to_string()).await?;
        let expired = self
            .stale_before
            .lock()
            .expect("package cache")
            .is_some_and(|s| at <= s);
        Some((at.elapsed() < ttl && !expired, v))
    }

    pub(super) async fn put(
        &self,
        tenant_id: &str,
        v: Vec<AccountPackage>,
    ) -> Arc<Vec<AccountPackage>> {
        let v = Arc::new(v);
        self.lists
            .insert(tenant_id.to_string(), (Instant::now(), v.clone()))
            .await;
        v
    }
}
