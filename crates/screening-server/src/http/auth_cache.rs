//! Password verifications remembered for a while, run once for concurrent callers.
//!
//! Successful argon2 verifications are remembered, keyed by an HMAC (under a random key of
//! this process) of tenant, stored hash and presented secret — what is kept in memory
//! cannot be attacked offline to recover a secret. Each use keeps an entry, so a credential
//! in steady use is not verified again (at most twelve hours) and a flood of failures can
//! neither make the real ATS pay argon2 nor bring it to a limit. Concurrent verifications
//! of the same credentials run once (the cache's single flight; a wrong secret is shared by
//! the waiting callers and not kept). Rotating the secret changes the stored hash and so
//! invalidates every entry.

use std::sync::Arc;
use std::time::Duration;

use screening_model::crypto::verify_secret;
use screening_model::tenant::Tenant;

use super::login_guard::{LoginGuard, Refusal};
use crate::cache::Cache;
use screening_metrics::Metrics;

/// A verified credential unused for this long is verified again; each use keeps it.
const AUTH_CACHE_IDLE: Duration = Duration::from_secs(300);
/// And at the latest after this long (a rotated secret already ends it at once).
const AUTH_CACHE_TTL: Duration = Duration::from_secs(12 * 3600);
/// Verified credentials remembered at most.
const MAX_VERIFIED: u64 = 10_000;

#[derive(Clone)]
pub struct AuthCache {
    /// Keys the cache entries; never leaves the process.
    mac_key: Arc<[u8; 32]>,
    verified: Cache<[u8; 32], ()>,
    /// Bounds on the cost of verifications (see `login_guard`).
    pub guard: LoginGuard,
}

impl AuthCache {
    pub fn new(metrics: &Metrics) -> Self {
        let mut mac_key = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut mac_key);
        Self {
            mac_key: Arc::new(mac_key),
            verified: Cache::refreshed(MAX_VERIFIED, AUTH_CACHE_IDLE, AUTH_CACHE_TTL),
            guard: LoginGuard::for_cores(metrics),
        }
    }
}

/// Why a verification did not succeed.
enum NotVerified {
    Wrong,
    Refused(Refusal),
}

impl AuthCache {
    fn key(&self, tenant: &Tenant, secret: &str) -> [u8; 32] {
        // Lengths first: no two (id, hash, secret) triples give the same input.
        let mut data =
            Vec::with_capacity(24 + tenant.id.len() + tenant.secret_hash.len() + secret.len());
        for part in [
            tenant.id.as_bytes(),
            tenant.secret_hash.as_bytes(),
            secret.as_bytes(),
        ] {
            data.extend_from_slice(&(part.len() as u64).to_le_bytes());
            data.extend_from_slice(part);
        }
        screening_model::crypto::hmac_bytes(&self.mac_key[..], &data)
    }

    /// Verified recently (no Argon2 work, no limits: valid callers stay fast in a flood).
    pub(super) async fn recently_verified(&self, tenant: &Tenant, secret: &str) -> bool {
        self.verified.get(&self.key(tenant, secret)).await.is_some()
    }

    pub(super) async fn verify(&self, tenant: &Tenant, secret: &str) -> Result<bool, Refusal> {
        let key = self.key(tenant, secret);
        let (s, h) = (secret.to_string(), tenant.secret_hash.clone());
        let guard = self.guard.clone();
        let verified = self
            .verified
            .try_get_with(key, async move {
                let _slot = guard.slot().await.map_err(NotVerified::Refused)?;
                let ok = tokio::task::spawn_blocking(move || verify_secret(&s, &h))
                    .await
                    .unwrap_or(false);
                if ok {
                    Ok(())
                } else {
                    Err(NotVerified::Wrong)
                }
            })
            .await;
        match verified {
            Ok(()) => Ok(true),
            Err(e) => match *e {
                NotVerified::Wrong => Ok(false),
                NotVerified::Refused(r) => Err(r),
            },
        }
    }
}
