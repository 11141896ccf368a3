//! Spending limits: the widget routes that spend Yardstik calls or money (orders, Yardstik
//! web tokens, decisions, report reads) are rate-limited per widget session and per tenant
//! (all its sessions together), so one noisy session can neither run up invitations nor
//! use up the tenant's Yardstik rate limit for every other user of that employer.
//!
//! Each limit is a GCRA (`screening_model::rate`): one number per session and per tenant.
//! A tenant's `session_spend_limit` / `tenant_spend_limit` settings replace the server's
//! defaults (`SCREENING_SESSION_SPEND_*`, `SCREENING_TENANT_SPEND_*`). Past a limit the
//! answer is 429 with `Retry-After` and nothing is spent; the request may be sent again
//! as it was (an order with the same `Idempotency-Key`). The ATS's own server-to-server
//! calls are not counted: the limits are on what browsers can make the server spend.
//!
//! The layer on those routes is `widget::spend_limit`. A request whose session token does
//! not verify passes through to the route, which
//! answers 401; sessions are keyed by a hash of their token, and the map of sessions is
//! bounded (entries whose time has passed carry nothing and go first; a flood of live
//! sessions evicts, counted in `screening_cache_evictions_total{cache="rate_sessions"}`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use screening_metrics::{CacheName, LimitScope, Metrics};
use screening_model::rate::RateLimit;
use sha2::Digest;

use crate::config::SpendLimits;

/// Sessions tracked at most.
const MAX_SESSIONS: usize = 100_000;

type SessionKey = [u8; 16];

#[derive(Clone)]
pub struct SpendLimiter {
    inner: Arc<Mutex<Cells>>,
    defaults: SpendLimits,
    metrics: Metrics,
}

#[derive(Default)]
struct Cells {
    sessions: HashMap<SessionKey, i64>,
    /// Tenant ids from verified tokens only: bounded by the tenants that exist.
    tenants: HashMap<String, i64>,
}

impl SpendLimiter {
    pub fn new(defaults: SpendLimits, metrics: &Metrics) -> Self {
        SpendLimiter {
            inner: Arc::default(),
            defaults,
            metrics: metrics.clone(),
        }
    }

    /// One spending request of `session` (its token) of `tenant_id` at `now_ms`, under the
    /// tenant's own limits where it sets them: `Err((scope, Retry-After seconds))` when a
    /// limit refuses it (then nothing is counted).
    pub fn check(
        &self,
        session_token: &str,
        tenant_id: &str,
        settings: Option<&screening_model::Settings>,
        now_ms: i64,
    ) -> Result<(), (LimitScope, u64)> {
        let session_limit = settings
            .and_then(|s| s.session_spend_limit)
            .unwrap_or(self.defaults.session);
        let tenant_limit = settings
            .and_then(|s| s.tenant_spend_limit)
            .unwrap_or(self.defaults.tenant);
        let key: SessionKey = sha2::Sha256::digest(session_token.as_bytes())[..16]
            .try_into()
            .expect("16 bytes");
        let mut cells = self.inner.lock().expect("spend limits");
        let session_tat = session_limit
            .check(cells.sessions.get(&key).copied(), now_ms)
            .map_err(|wait| (LimitScope::Session, RateLimit::retry_after_secs(wait)))?;
        let tenant_tat = tenant_limit
            .check(cells.tenants.get(tenant_id).copied(), now_ms)
            .map_err(|wait| (LimitScope::Tenant, RateLimit::retry_after_secs(wait)))?;
        if cells.sessions.len() >= MAX_SESSIONS && !cells.sessions.contains_key(&key) {
            cells.sessions.retain(|_, tat| *tat > now_ms);
            if cells.sessions.len() >= MAX_SESSIONS {
                let drop_n = MAX_SESSIONS / 2;
                let victims: Vec<SessionKey> =
                    cells.sessions.keys().take(drop_n).copied().collect();
                for v in victims {
                    cells.sessions.remove(&v);
                    self.metrics.cache_evictions.inc(CacheName::RateSessions);
                }
            }
        }
        cells.sessions.insert(key, session_tat);
        cells.tenants.insert(tenant_id.to_string(), tenant_tat);
        Ok(())
    }

    #[cfg(test)]
    fn sessions(&self) -> usize {
        self.inner.lock().unwrap().sessions.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter() -> SpendLimiter {
        SpendLimiter::new(
            SpendLimits {
                session: RateLimit::new(60, 3),
                tenant: RateLimit::new(60, 5),
            },
            &Metrics::default(),
        )
    }

    #[test]
    fn a_session_meets_its_limit_and_the_tenant_its_own() {
        let l = limiter();
        for _ in 0..3 {
            assert_eq!(l.check("s1", "t", None, 0), Ok(()));
        }
        assert_eq!(l.check("s1", "t", None, 0), Err((LimitScope::Session, 1)));
        // Other sessions of the same tenant share its limit: two more, then refused.
        assert_eq!(l.check("s2", "t", None, 0), Ok(()));
        assert_eq!(l.check("s3", "t", None, 0), Ok(()));
        assert_eq!(l.check("s4", "t", None, 0), Err((LimitScope::Tenant, 1)));
        assert_eq!(l.check("s5", "other", None, 0), Ok(()), "another tenant");
        // A second later one more request of each is allowed.
        assert_eq!(l.check("s1", "t", None, 1_000), Ok(()));
    }

    #[test]
    fn a_tenant_sets_its_own_limits() {
        let l = limiter();
        let settings = screening_model::Settings {
            session_spend_limit: Some(RateLimit::new(6, 1)),
            ..Default::default()
        };
        assert_eq!(l.check("s", "t", Some(&settings), 0), Ok(()));
        assert_eq!(
            l.check("s", "t", Some(&settings), 0),
            Err((LimitScope::Session, 10)),
            "one every ten seconds"
        );
    }

    #[test]
    fn refused_requests_count_nothing_and_passed_sessions_are_dropped_first() {
        let l = limiter();
        for i in 0..10 {
            let _ = l.check(&format!("s{i}"), &format!("t{i}"), None, 0);
        }
        assert_eq!(l.sessions(), 10);
        {
            let mut c = l.inner.lock().unwrap();
            c.sessions.retain(|_, tat| *tat > 60_000);
        }
        assert_eq!(l.sessions(), 0, "every entry's time has passed a minute on");
    }
}
