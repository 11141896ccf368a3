//! The one retry policy: when to try again after a failure, and when to stop.
//!
//! Every retrying loop of the server uses it: the Yardstik client (a few quick attempts
//! inside one call), the webhook inbox (capped exponential backoff for a day or more, so a
//! Yardstik outage only delays results), the placement resumer, Yardstik webhook
//! registration, and result-webhook delivery (an explicit schedule, Svix's by default).
//!
//! A policy is pure: given how many attempts failed and how long ago the work started, it
//! answers the delay before the next attempt or `None` (give up). Jitter (±`jitter` of the
//! delay) spreads retries of many failures that happened together.

use std::time::Duration;

use rand::Rng;

/// How the delay grows.
#[derive(Debug, Clone, PartialEq)]
pub enum Delays {
    /// `base · 2ⁿ` after the n-th failure (n from 0), never more than `max`.
    Exponential { base: Duration, max: Duration },
    /// The n-th failure waits `schedule[n]`; past its end the policy gives up.
    Schedule(Vec<Duration>),
}

/// When to give up.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Budget {
    /// At most this many attempts in all (the first included).
    Attempts(u32),
    /// Retry while the next attempt would start within this long of the first.
    Elapsed(Duration),
    /// Never give up (the caller has its own end, such as shutdown).
    Unlimited,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    pub delays: Delays,
    pub budget: Budget,
    pub jitter: f64,
}

impl RetryPolicy {
    pub fn exponential(base: Duration, max: Duration, budget: Budget) -> Self {
        Self {
            delays: Delays::Exponential { base, max },
            budget,
            jitter: 0.0,
        }
    }

    pub fn schedule(schedule: Vec<Duration>) -> Self {
        Self {
            delays: Delays::Schedule(schedule),
            budget: Budget::Unlimited,
            jitter: 0.0,
        }
    }

    pub fn with_jitter(mut self, jitter: f64) -> Self {
        self.jitter = jitter;
        self
    }

    /// The delay before the next attempt, without jitter, after `failed` failed attempts
    /// (≥ 1) of work that started `elapsed` ago; `None` to give up.
    pub fn base_delay(&self, failed: u32, elapsed: Duration) -> Option<Duration> {
        let n = failed.max(1) - 1;
        let delay = match &self.delays {
            Delays::Exponential { base, max } => {
                let factor = 2u32.checked_pow(n.min(30)).unwrap_or(u32::MAX);
                base.checked_mul(factor).unwrap_or(*max).min(*max)
            }
            Delays::Schedule(s) => *s.get(n as usize)?,
        };
        let within = match self.budget {
            Budget::Attempts(a) => failed < a,
            Budget::Elapsed(total) => elapsed + delay <= total,
            Budget::Unlimited => true,
        };
        within.then_some(delay)
    }

    /// [`base_delay`](Self::base_delay) with jitter applied.
    pub fn next_delay(&self, failed: u32, elapsed: Duration) -> Option<Duration> {
        self.base_delay(failed, elapsed)
            .map(|d| jittered(d, self.jitter))
    }
}

/// `base` ± `jitter` (a fraction).
pub fn jittered(base: Duration, jitter: f64) -> Duration {
    if jitter <= 0.0 || base.is_zero() {
        return base;
    }
    let f = rand::thread_rng().gen_range(-jitter..=jitter);
    base.mul_f64((1.0 + f).max(0.0))
}

/// A `Retry-After` header's value: seconds or an HTTP date (then the wait from `now_secs`,
/// never negative). Anything else is `None`.
pub fn parse_retry_after(value: &str, now_secs: i64) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = at.timestamp() - now_secs;
    Some(Duration::from_secs(delta.max(0) as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn exponential_table() {
        let p = RetryPolicy::exponential(S(1), S(60), Budget::Unlimited);
        let table = [(1, 1), (2, 2), (3, 4), (4, 8), (6, 32), (7, 60), (40, 60)];
        for (failed, want) in table {
            assert_eq!(p.base_delay(failed, S(0)), Some(S(want)), "after {failed}");
        }
    }

    #[test]
    fn attempt_budget_counts_the_first_attempt() {
        let p = RetryPolicy::exponential(Duration::from_millis(200), S(2), Budget::Attempts(3));
        assert_eq!(p.base_delay(1, S(0)), Some(Duration::from_millis(200)));
        assert_eq!(p.base_delay(2, S(0)), Some(Duration::from_millis(400)));
        assert_eq!(p.base_delay(3, S(0)), None);
    }

    #[test]
    fn elapsed_budget_stops_when_the_next_attempt_would_be_late() {
        let p = RetryPolicy::exponential(S(1), S(3600), Budget::Elapsed(S(86_400)));
        assert_eq!(p.base_delay(20, S(80_000)), Some(S(3600)));
        assert_eq!(p.base_delay(20, S(83_000)), None);
        // A day of capped backoff is many attempts, not the old dozen.
        let mut elapsed = S(0);
        let mut attempts = 1;
        while let Some(d) = p.base_delay(attempts, elapsed) {
            elapsed += d;
            attempts += 1;
        }
        assert!(
            attempts > 20 && elapsed <= S(86_400),
            "{attempts} {elapsed:?}"
        );
    }

    #[test]
    fn schedule_ends_with_its_last_entry() {
        let p = RetryPolicy::schedule(vec![S(5), S(300)]);
        assert_eq!(p.base_delay(1, S(0)), Some(S(5)));
        assert_eq!(p.base_delay(2, S(0)), Some(S(300)));
        assert_eq!(p.base_delay(3, S(0)), None);
    }

    #[test]
    fn jitter_stays_within_bounds() {
        for _ in 0..200 {
            let d = jittered(S(100), 0.2);
            assert!(d >= S(80) && d <= S(120), "{d:?}");
        }
        assert_eq!(jittered(S(5), 0.0), S(5));
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::Utc::now().timestamp();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        let later = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        let d = parse_retry_after(&later, now).unwrap();
        assert!(d.as_secs() >= 85 && d.as_secs() <= 90, "{d:?}");
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
