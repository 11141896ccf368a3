//! Background workers: result-webhook delivery (outbox), Yardstik event processing
//! (inbox), and Yardstik webhook registration.

pub mod delivery;
pub mod inbox;
pub mod subscriptions;

use std::time::Duration;

use rand::Rng;

/// `base` ± `jitter` (a fraction).
pub fn jittered(base: Duration, jitter: f64) -> Duration {
    if jitter <= 0.0 || base.is_zero() {
        return base;
    }
    let f = rand::thread_rng().gen_range(-jitter..=jitter);
    base.mul_f64((1.0 + f).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_bounds() {
        for _ in 0..200 {
            let d = jittered(Duration::from_secs(100), 0.2);
            assert!(
                d >= Duration::from_secs(80) && d <= Duration::from_secs(120),
                "{d:?}"
            );
        }
        assert_eq!(
            jittered(Duration::from_secs(5), 0.0),
            Duration::from_secs(5)
        );
    }
}
