//! Rate limits as a generic cell rate algorithm (GCRA): a limit of `per_minute` requests
//! with bursts of up to `burst`, kept as one number per key (the theoretical arrival time,
//! TAT), so a limiter's memory is one integer per caller and an entry whose TAT has passed
//! carries no information (dropping it changes no answer).
//!
//! Each request moves the TAT one emission interval (`60 s / per_minute`) later; a request
//! is allowed while the TAT stays within `burst` intervals of now, and refused (nothing
//! moves) with the time until it would be allowed.

use serde::{Deserialize, Serialize};

/// `per_minute` requests a minute, bursts of up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    pub per_minute: u32,
    pub burst: u32,
}

impl RateLimit {
    pub const fn new(per_minute: u32, burst: u32) -> Self {
        RateLimit { per_minute, burst }
    }

    /// Why this limit cannot be used, if it cannot.
    pub fn problem(&self) -> Option<&'static str> {
        if self.per_minute == 0 || self.burst == 0 {
            Some("per_minute and burst must be at least 1")
        } else if self.per_minute > 60_000 || self.burst > 10_000 {
            Some("per_minute must be at most 60000 and burst at most 10000")
        } else {
            None
        }
    }

    /// Milliseconds between two requests at the sustained rate.
    fn interval_ms(&self) -> i64 {
        (60_000 / i64::from(self.per_minute.max(1))).max(1)
    }

    /// One request at `now_ms` against the stored TAT (`None`: never seen, or dropped):
    /// `Ok(new TAT)` to store, or `Err(milliseconds until a request would be allowed)`.
    pub fn check(&self, tat: Option<i64>, now_ms: i64) -> Result<i64, i64> {
        let interval = self.interval_ms();
        let tat = tat.unwrap_or(now_ms).max(now_ms);
        let new_tat = tat + interval;
        let allowed_from = new_tat - interval * i64::from(self.burst.max(1));
        if allowed_from > now_ms {
            Err(allowed_from - now_ms)
        } else {
            Ok(new_tat)
        }
    }

    /// `Retry-After` in whole seconds (at least 1) for a refusal of `wait_ms`.
    pub fn retry_after_secs(wait_ms: i64) -> u64 {
        (wait_ms.max(0) as u64).div_ceil(1000).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Run `n` requests at the given times; the answers as allowed (`true`) or not.
    fn run(limit: RateLimit, times: &[i64]) -> Vec<bool> {
        let mut tat = None;
        times
            .iter()
            .map(|&t| match limit.check(tat, t) {
                Ok(new) => {
                    tat = Some(new);
                    true
                }
                Err(_) => false,
            })
            .collect()
    }

    #[test]
    fn a_burst_then_the_sustained_rate() {
        // 60 a minute (one a second), bursts of 3.
        let l = RateLimit::new(60, 3);
        assert_eq!(run(l, &[0, 0, 0, 0]), [true, true, true, false]);
        assert_eq!(
            run(l, &[0, 0, 0, 999, 1000, 1000, 2000]),
            [true, true, true, false, true, false, true]
        );
        // After a quiet spell the whole burst is back, and no more.
        assert_eq!(
            run(l, &[0, 0, 0, 60_000, 60_000, 60_000, 60_000]),
            [true, true, true, true, true, true, false]
        );
    }

    #[test]
    fn a_refusal_says_how_long_to_wait_and_moves_nothing() {
        let l = RateLimit::new(30, 1);
        let tat = l.check(None, 10_000).unwrap();
        assert_eq!(tat, 12_000);
        assert_eq!(l.check(Some(tat), 10_500), Err(1_500));
        assert_eq!(
            l.check(Some(tat), 10_500),
            Err(1_500),
            "refusals do not count"
        );
        assert_eq!(l.check(Some(tat), 12_000), Ok(14_000));
        assert_eq!(RateLimit::retry_after_secs(1_500), 2);
        assert_eq!(RateLimit::retry_after_secs(1), 1);
        assert_eq!(RateLimit::retry_after_secs(0), 1);
    }

    #[test]
    fn a_passed_tat_is_the_same_as_none() {
        let l = RateLimit::new(10, 2);
        assert_eq!(l.check(Some(5), 100_000), l.check(None, 100_000));
    }

    #[test]
    fn unusable_limits_are_named() {
        assert!(RateLimit::new(0, 1).problem().is_some());
        assert!(RateLimit::new(1, 0).problem().is_some());
        assert!(RateLimit::new(100_000, 1).problem().is_some());
        assert_eq!(RateLimit::new(60, 10).problem(), None);
    }
}
