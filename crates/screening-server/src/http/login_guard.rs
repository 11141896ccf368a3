//! Bounds the cost of password checks, so no flood of logins takes the server down.
//!
//! An ATS secret is verified with Argon2id: deliberately slow and memory-hungry. Without a
//! bound, hundreds of made-up credentials at once mean hundreds of verifications at once
//! (gigabytes of memory, seconds of latency for everyone). So:
//! - at most `permits` verifications run at a time (the machine's cores), and at most
//!   `4 × permits` wait for one; anyone beyond is answered at once with 503 and
//!   `Retry-After` instead of joining a queue that grows memory;
//! - failed attempts are counted per client address and per account id in fixed windows;
//!   past the limit the caller gets 429 with `Retry-After` before any verification;
//! - a credential verified recently is answered from the cache (`AuthCache`) before any of
//!   this, so valid callers keep answering in milliseconds during a flood.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// Failed attempts allowed per client address per window.
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
/// Failed attempts allowed per account id per window (any address).
pub const MAX_FAILURES_PER_ACCOUNT: u32 = 100;
pub const WINDOW: Duration = Duration::from_secs(60);
/// Counters kept at most (older windows are dropped first).
const MAX_KEYS: usize = 50_000;

/// Why a login was not attempted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Too many failures recently; retry after this many seconds.
    TooManyFailures(u64),
    /// Every verification slot and waiting place is taken; retry after this many seconds.
    Busy(u64),
}

#[derive(Default)]
struct Windows {
    map: HashMap<String, (Instant, u32)>,
}

impl Windows {
    fn count(&self, key: &str) -> Option<(Instant, u32)> {
        self.map
            .get(key)
            .copied()
            .filter(|(start, _)| start.elapsed() < WINDOW)
    }

    fn add(&mut self, key: &str) {
        if self.map.len() >= MAX_KEYS {
            self.map.retain(|_, (start, _)| start.elapsed() < WINDOW);
            if self.map.len() >= MAX_KEYS {
                self.map.clear(); // a flood of distinct keys: forget rather than grow
            }
        }
        let e = self
            .map
            .entry(key.to_string())
            .or_insert((Instant::now(), 0));
        if e.0.elapsed() >= WINDOW {
            *e = (Instant::now(), 0);
        }
        e.1 += 1;
    }
}

#[derive(Clone)]
pub struct LoginGuard {
    permits: Arc<Semaphore>,
    slots: usize,
    waiting: Arc<AtomicUsize>,
    by_address: Arc<Mutex<Windows>>,
    by_account: Arc<Mutex<Windows>>,
}

impl Default for LoginGuard {
    fn default() -> Self {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        Self::new(cores)
    }
}

fn retry_after(start: Instant) -> u64 {
    WINDOW.saturating_sub(start.elapsed()).as_secs().max(1)
}

impl LoginGuard {
    pub fn new(slots: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(slots.max(1))),
            slots: slots.max(1),
            waiting: Arc::default(),
            by_address: Arc::default(),
            by_account: Arc::default(),
        }
    }

    /// May this caller try a login now?
    pub fn check(&self, address: Option<IpAddr>, account: &str) -> Result<(), Refusal> {
        if let Some(ip) = address {
            if let Some((start, n)) = self
                .by_address
                .lock()
                .expect("guard")
                .count(&ip.to_string())
            {
                if n >= MAX_FAILURES_PER_ADDRESS {
                    return Err(Refusal::TooManyFailures(retry_after(start)));
                }
            }
        }
        if let Some((start, n)) = self.by_account.lock().expect("guard").count(account) {
            if n >= MAX_FAILURES_PER_ACCOUNT {
                return Err(Refusal::TooManyFailures(retry_after(start)));
            }
        }
        Ok(())
    }

    pub fn failed(&self, address: Option<IpAddr>, account: &str) {
        if let Some(ip) = address {
            self.by_address.lock().expect("guard").add(&ip.to_string());
        }
        self.by_account.lock().expect("guard").add(account);
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
        let g = LoginGuard::new(1);
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        for _ in 0..MAX_FAILURES_PER_ADDRESS {
            assert_eq!(g.check(Some(ip), "acct"), Ok(()));
            g.failed(Some(ip), "acct");
        }
        assert!(matches!(
            g.check(Some(ip), "other-acct"),
            Err(Refusal::TooManyFailures(s)) if (1..=60).contains(&s)
        ));
        assert_eq!(
            g.check(Some(other), "acct"),
            Ok(()),
            "another address may still try"
        );
        for _ in MAX_FAILURES_PER_ADDRESS..MAX_FAILURES_PER_ACCOUNT {
            g.failed(Some(other), "acct");
        }
        assert!(matches!(
            g.check(Some("192.0.2.9".parse().unwrap()), "acct"),
            Err(Refusal::TooManyFailures(_))
        ));
    }

    #[tokio::test]
    async fn slots_are_bounded_and_the_overflow_is_refused_at_once() {
        let g = LoginGuard::new(1);
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
