//! When the inbox worker claims, and how often it reads one resource from Yardstik.
//!
//! A burst of events for one resource (a report updated many times in a row, or a sender
//! retrying) would otherwise cost one Yardstik read and one claim per few milliseconds for
//! as long as it lasts, every one of them competing with the webhook requests for the same
//! CPU. Two rules keep that work proportional to what the ATS needs — the resource's
//! current state — rather than to the number of events:
//!
//! - **One read per resource per [`MIN_REREAD`].** A group whose resource was read less
//!   than that long ago waits for the rest of it before reading. Its events stay leased
//!   meanwhile, and the events stored while it waits are settled by that same read (see
//!   `Db::settle_resource_events`: everything stored before the read started). So a result
//!   reaches the ATS at most `MIN_REREAD` later than it would have, and only while its
//!   resource keeps changing; the first read after a quiet moment does not wait. (A group
//!   settled without a read, such as a creation notice already recorded, counts as one.)
//! - **No wake-up for a resource in flight.** A stored event wakes the worker unless its
//!   resource is being processed by this process. Such an event cannot be claimed before
//!   its resource's group finishes (the claim skips leased resources), and the worker claims
//!   again after every finished group, so the wake-up would only cost a claim that finds
//!   nothing. Being in flight is marked before the claim's group starts and cleared before
//!   the worker sees it finish; an event is reported here only after its row is committed.
//!   So an event skipped here is committed before its group finishes, and the claim after
//!   that finish sees it.
//!
//! Events of other instances (PostgreSQL) reach this worker through its poll interval, as
//! before; both rules are about this process's own work.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// The shortest time between two reads of one resource.
pub const MIN_REREAD: Duration = Duration::from_millis(20);

/// Resources remembered at most for [`MIN_REREAD`] (older ones are forgotten first).
const MAX_REMEMBERED: usize = 4096;

/// One Yardstik resource of one tenant: (tenant id, resource type, resource id).
pub type ResourceKey = (String, String, String);

/// Shared by the webhook handler (which reports stored events) and the inbox worker.
#[derive(Default)]
pub struct InboxPace {
    wake: Notify,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    in_flight: HashSet<ResourceKey>,
    last_read: HashMap<ResourceKey, Instant>,
}

impl InboxPace {
    /// An event of `key` was committed: wake the worker unless the resource is in flight.
    /// Returns whether it woke the worker.
    pub fn stored(&self, key: &ResourceKey) -> bool {
        let in_flight = self
            .state
            .lock()
            .expect("inbox pace")
            .in_flight
            .contains(key);
        if !in_flight {
            self.wake.notify_one();
        }
        !in_flight
    }

    /// Wake the worker unconditionally (events queued again by an operator).
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Resolves at the next wake-up (one stored permit if there was one meanwhile).
    pub async fn woken(&self) {
        self.wake.notified().await
    }

    /// A group of `key` is handed to a task; it is in flight until the guard is dropped
    /// (by the task, so before the worker sees it finish, panics included).
    pub fn start(self: &Arc<Self>, key: ResourceKey) -> InFlight {
        self.state
            .lock()
            .expect("inbox pace")
            .in_flight
            .insert(key.clone());
        InFlight {
            pace: self.clone(),
            key,
        }
    }

    /// How long the group of `key` waits before reading it, `now` being when it would
    /// read; records `now + wait` as its last read.
    pub fn before_read(&self, key: &ResourceKey, now: Instant) -> Duration {
        let mut state = self.state.lock().expect("inbox pace");
        let wait = state
            .last_read
            .get(key)
            .map(|at| MIN_REREAD.saturating_sub(now.saturating_duration_since(*at)))
            .unwrap_or_default();
        if state.last_read.len() >= MAX_REMEMBERED {
            state
                .last_read
                .retain(|_, at| now.saturating_duration_since(*at) < MIN_REREAD);
        }
        state.last_read.insert(key.clone(), now + wait);
        wait
    }
}

/// A resource in flight (see [`InboxPace::start`]).
pub struct InFlight {
    pace: Arc<InboxPace>,
    key: ResourceKey,
}

impl InFlight {
    pub fn key(&self) -> &ResourceKey {
        &self.key
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut state) = self.pace.state.lock() {
            state.in_flight.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> ResourceKey {
        ("t".into(), "report".into(), id.into())
    }

    #[test]
    fn first_read_waits_for_nothing_and_a_quick_second_read_waits_for_the_rest() {
        let p = InboxPace::default();
        let t0 = Instant::now();
        assert_eq!(p.before_read(&key("r1"), t0), Duration::ZERO);
        assert_eq!(
            p.before_read(&key("r1"), t0 + Duration::from_millis(5)),
            MIN_REREAD - Duration::from_millis(5)
        );
        // The second read is recorded at the time it will happen, not when it asked.
        assert_eq!(
            p.before_read(&key("r1"), t0 + MIN_REREAD + Duration::from_millis(1)),
            MIN_REREAD - Duration::from_millis(1)
        );
        assert_eq!(
            p.before_read(&key("r2"), t0 + Duration::from_millis(5)),
            Duration::ZERO,
            "another resource does not wait"
        );
        assert_eq!(
            p.before_read(&key("r2"), t0 + Duration::from_millis(5) + MIN_REREAD),
            Duration::ZERO,
            "a read after MIN_REREAD does not wait"
        );
    }

    #[test]
    fn old_reads_are_forgotten_when_the_map_is_full() {
        let p = InboxPace::default();
        let t0 = Instant::now();
        for i in 0..MAX_REMEMBERED {
            p.before_read(&key(&i.to_string()), t0);
        }
        p.before_read(&key("late"), t0 + MIN_REREAD);
        let state = p.state.lock().unwrap();
        assert_eq!(state.last_read.len(), 1, "only the new read is left");
        assert!(state.last_read.contains_key(&key("late")));
    }

    #[tokio::test]
    async fn a_stored_event_wakes_the_worker_unless_its_resource_is_in_flight() {
        let p = Arc::new(InboxPace::default());
        let in_flight = p.start(key("r1"));
        assert!(!p.stored(&key("r1")), "in flight: no wake-up");
        assert!(p.stored(&key("r2")), "another resource wakes");
        tokio::time::timeout(Duration::from_secs(1), p.woken())
            .await
            .expect("the permit of r2's wake-up");
        assert!(!p.stored(&key("r1")));
        assert!(
            tokio::time::timeout(Duration::from_millis(50), p.woken())
                .await
                .is_err(),
            "no permit was stored for r1"
        );
        drop(in_flight);
        assert!(
            p.stored(&key("r1")),
            "after its group finished it wakes again"
        );
    }
}
