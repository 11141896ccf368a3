//! Bounds the cost of password checks, so no flood of logins takes the server down.
//!
//! An ATS secret is verified with Argon2id: deliberately slow and memory-hungry. Without a
//! bound, hundreds of made-up credentials at once mean hundreds of verifications at once
//! (gigabytes of memory, seconds of latency for everyone). So:
//! - at most `permits` verifications run at a time (the machine's cores), and at most
//!   `4 × permits` wait for one; anyone beyond is answered at once with 503 and
//!   `Retry-After` instead of joining a queue that grows memory;
//! - failed attempts are counted per client address (IPv6 by /64; the address a trusted
//!   proxy names) and per account id in fixed windows; past the limit the caller gets 429
//!   with `Retry-After` before any verification. The account's limit does not apply to an
//!   address that logged in to that account before, so other addresses' failures never lock
//!   the real ATS out. Account ids are kept as hashes, every map is bounded in entries, and
//!   a flood of distinct keys evicts the counters with the fewest failures (counted);
//! - a credential verified recently is answered from the cache (`AuthCache`) before any of
//!   this, so valid callers keep answering in milliseconds during a flood.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use screening_metrics::{CacheName, Metrics};
use sha2::Digest;
use tokio::sync::{Semaphore, SemaphorePermit};

/// Failed attempts allowed per client address per window.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
/// Failed attempts allowed per account id per window, from addresses that have not logged
/// in to it before.
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 100;
pub const WINDOW: Duration = Duration::from_secs(60);
/// How long an address that logged in to an account is trusted with it.
pub const KNOWN_GOOD_FOR: Duration = Duration::from_secs(24 * 3600);
/// Counters kept at most per map; beyond, the least informative are evicted (counted).
const MAX_KEYS: usize = 50_000;
/// (account, address) pairs that logged in, kept at most.
const MAX_KNOWN_GOOD: usize = 10_000;

/// Why a login was not attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures recently; retry after this many seconds.
    TooManyFailures(u64),
    /// Every verification slot and waiting place is taken; retry after this many seconds.
    Busy(u64),
}

/// An account id as the guard keeps it: its SHA-256 (a caller chooses the id; every entry
/// is the same size).
pub type AccountKey = [u8; 32];

pub fn account_key(account: &str) -> AccountKey {
    sha2::Sha256::digest(account.as_bytes()).into()
}

/// A client address as the guard counts it: IPv4 whole, IPv6 by its /64 (one subscriber's
/// network holds all of a /64).
pub fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Failure counters in fixed windows, at most `MAX_KEYS` of them.
struct Windows<K> {
    map: HashMap<K, (Instant, u32)>,
    name: CacheName,
}

impl<K: Hash + Eq + Copy> Windows<K> {
    fn new(name: CacheName) -> Self {
        Windows {
            map: HashMap::new(),
            name,
        }
    }

    fn count(&self, key: &K) -> Option<(Instant, u32)> {
        self.map
            .get(key)
            .copied()
            .filter(|(start, _)| start.elapsed() < WINDOW)
    }

    fn add(&mut self, key: K, metrics: &Metrics) {
        if self.map.len() >= MAX_KEYS && !self.map.contains_key(&key) {
            self.map.retain(|_, (start, _)| start.elapsed() < WINDOW);
            if self.map.len() >= MAX_KEYS {
                // A flood of distinct keys: drop the half with the fewest failures (the
                // counters nearest to a limit are the ones that protect).
                let mut counts: Vec<u32> = self.map.values().map(|(_, n)| *n).collect();
                let mid = counts.len() / 2;
                let (_, median, _) = counts.select_nth_unstable(mid);
                let median = *median;
                let mut dropped = 0usize;
                self.map.retain(|_, (_, n)| {
                    let keep = *n > median || dropped >= mid;
                    if !keep {
                        dropped += 1;
                    }
                    keep
                });
                for _ in 0..dropped {
                    metrics.cache_evictions.inc(self.name);
                }
            }
        }
        let e = self.map.entry(key).or_insert((Instant::now(), 0));
        if e.0.elapsed() >= WINDOW {
            *e = (Instant::now(), 0);
        }
        e.1 += 1;
    }
}

/// (account, address) pairs that logged in, with when they stop being trusted.
#[derive(Default)]
struct KnownGood {
    map: HashMap<(AccountKey, IpAddr), Instant>,
}

impl KnownGood {
    fn contains(&self, key: &(AccountKey, IpAddr)) -> bool {
        self.map
            .get(key)
            .is_some_and(|until| *until > Instant::now())
    }

    fn insert(&mut self, key: (AccountKey, IpAddr)) {
        if self.map.len() >= MAX_KNOWN_GOOD && !self.map.contains_key(&key) {
            let now = Instant::now();
            self.map.retain(|_, until| *until > now);
            if self.map.len() >= MAX_KNOWN_GOOD {
                // Only real logins add pairs; forget the one nearest to expiring.
                if let Some(oldest) = self.map.iter().min_by_key(|(_, u)| **u).map(|(k, _)| *k) {
                    self.map.remove(&oldest);
                }
            }
        }
        self.map.insert(key, Instant::now() + KNOWN_GOOD_FOR);
    }
}

#[derive(Clone)]
pub struct LoginGuard {
    permits: Arc<Semaphore>,
    slots: usize,
    waiting: Arc<AtomicUsize>,
    by_address: Arc<Mutex<Windows<IpAddr>>>,
    by_account: Arc<Mutex<Windows<AccountKey>>>,
    known_good: Arc<Mutex<KnownGood>>,
    metrics: Metrics,
}

impl LoginGuard {
    /// As many verification slots as the machine has cores.
    pub fn for_cores(metrics: &Metrics) -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self::new(cores, metrics)
    }
}

fn retry_after(start: Instant) -> u64 {
    WINDOW.saturating_sub(start.elapsed()).as_secs().max(1)
}

impl LoginGuard {
    pub fn new(slots: usize, metrics: &Metrics) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(slots.max(1))),
            slots: slots.max(1),
            waiting: Arc::default(),
            by_address: Arc::new(Mutex::new(Windows::new(CacheName::LoginFailuresByAddress))),
            by_account: Arc::new(Mutex::new(Windows::new(CacheName::LoginFailuresByAccount))),
            known_good: Arc::default(),
            metrics: metrics.clone(),
        }
    }

    /// May this caller try a login now? The account's own limit does not apply to an
    /// address that logged in to it before: other addresses' failures never lock it out.
    pub fn check(&self, address: Option<IpAddr>, account: &AccountKey) -> Result<(), Refusal> {
        let address = address.map(address_key);
        if let Some(ip) = address {
            if let Some((start, n)) = self.by_address.lock().expect("guard").count(&ip) {
                if n >= MAX_FAILURES_PER_ADDRESS {
                    return Err(Refusal::TooManyFailures(retry_after(start)));
                }
            }
            if self
                .known_good
                .lock()
                .expect("guard")
                .contains(&(*account, ip))
            {
                return Ok(());
            }
        }
        if let Some((start, n)) = self.by_account.lock().expect("guard").count(account) {
            if n >= MAX_FAILURES_PER_ACCOUNT {
                return Err(Refusal::TooManyFailures(retry_after(start)));
            }
        }
        Ok(())
    }

    /// A failed login (`account`: `None` when the id was refused unread).
    pub fn failed(&self, address: Option<IpAddr>, account: Option<&AccountKey>) {
        if let Some(ip) = address {
            self.by_address
                .lock()
                .expect("guard")
                .add(address_key(ip), &self.metrics);
        }
        if let Some(a) = account {
            self.by_account
                .lock()
                .expect("guard")
                .add(*a, &self.metrics);
        }
    }

    /// A login that succeeded: this address is trusted with this account from now on.
    pub fn succeeded(&self, address: Option<IpAddr>, account: &AccountKey) {
        if let Some(ip) = address {
            self.known_good
                .lock()
                .expect("guard")
                .insert((*account, address_key(ip)));
        }
    }

    /// A verification slot, or `Busy` when all slots and waiting places are taken.
    pub async fn slot(&self) -> Result<SemaphorePermit<'_>, Refusal> {
        if let Ok(p) = self.permits.try_acquire() {
            return Ok(p);
        }
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.slots * 4 {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return Err(Refusal::Busy(1));
        }
        let p = tokio::time::timeout(Duration::from_secs(5), self.permits.acquire()).await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        match p {
            Ok(Ok(p)) => Ok(p),
            _ => Err(Refusal::Busy(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_limited_per_address_and_per_account() {
        let g = LoginGuard::new(1, &Metrics::default());
        let acct = account_key("acct");
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        for _ in 0..MAX_FAILURES_PER_ADDRESS {
            assert_eq!(g.check(Some(ip), &acct), Ok(()));
            g.failed(Some(ip), Some(&acct));
        }
        assert!(matches!(
            g.check(Some(ip), &account_key("other-acct")),
            Err(Refusal::TooManyFailures(s)) if (1..=60).contains(&s)
        ));
        assert_eq!(
            g.check(Some(other), &acct),
            Ok(()),
            "another address may still try"
        );
        for _ in MAX_FAILURES_PER_ADDRESS..MAX_FAILURES_PER_ACCOUNT {
            g.failed(Some(other), Some(&acct));
        }
        assert!(matches!(
            g.check(Some("192.0.2.9".parse().unwrap()), &acct),
            Err(Refusal::TooManyFailures(_))
        ));
    }

    #[test]
    fn an_address_that_logged_in_is_not_locked_out_by_other_addresses() {
        let g = LoginGuard::new(1, &Metrics::default());
        let acct = account_key("ACCT123");
        let ats: IpAddr = "203.0.113.10".parse().unwrap();
        g.succeeded(Some(ats), &acct);
        for i in 0..(MAX_FAILURES_PER_ACCOUNT * 2) {
            let attacker = IpAddr::from([198, 51, 100, (i % 4) as u8]);
            g.failed(Some(attacker), Some(&acct));
        }
        assert!(
            g.check(Some("198.51.100.200".parse().unwrap()), &acct)
                .is_err(),
            "an unknown address meets the account's limit"
        );
        assert_eq!(
            g.check(Some(ats), &acct),
            Ok(()),
            "the ATS's address does not"
        );
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_64() {
        let g = LoginGuard::new(1, &Metrics::default());
        let acct = account_key("acct");
        for i in 0..MAX_FAILURES_PER_ADDRESS {
            let ip: IpAddr = format!("2001:db8:1:2::{i:x}").parse().unwrap();
            g.failed(Some(ip), Some(&acct));
        }
        assert!(g
            .check(Some("2001:db8:1:2:ffff::1".parse().unwrap()), &acct)
            .is_err());
        assert_eq!(
            g.check(Some("2001:db8:1:3::1".parse().unwrap()), &acct),
            Ok(())
        );
    }

    #[test]
    fn a_flood_of_distinct_keys_stays_bounded_and_keeps_the_busiest_counters() {
        let metrics = Metrics::default();
        let g = LoginGuard::new(1, &metrics);
        let target = account_key("target");
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            g.failed(None, Some(&target));
        }
        for i in 0..(MAX_KEYS + 10) {
            g.failed(None, Some(&account_key(&format!("made-up-{i}"))));
        }
        assert!(g.by_account.lock().unwrap().map.len() <= MAX_KEYS);
        assert!(
            metrics
                .cache_evictions
                .get(CacheName::LoginFailuresByAccount)
                > 0
        );
        assert!(
            g.check(None, &target).is_err(),
            "the counter at its limit survived the eviction"
        );
    }

    #[tokio::test]
    async fn slots_are_bounded_and_the_overflow_is_refused_at_once() {
        let g = LoginGuard::new(1, &Metrics::default());
        let held = g.slot().await.unwrap();
        let waiters: Vec<_> = (0..4)
            .map(|_| {
                let g = g.clone();
                tokio::spawn(async move { g.slot().await.map(|_| ()) })
            })
            .collect();
        // Let the four take their waiting places.
        for _ in 0..100 {
            if g.waiting.load(Ordering::SeqCst) == 4 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(g.waiting.load(Ordering::SeqCst), 4);
        assert_eq!(
            g.slot().await.err(),
            Some(Refusal::Busy(1)),
            "the fifth waiter is refused"
        );
        drop(held);
        for w in waiters {
            assert_eq!(w.await.unwrap(), Ok(()));
        }
    }
}
