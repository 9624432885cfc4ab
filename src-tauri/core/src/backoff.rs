//! Exponential backoff, shared by every retry in Herald (iMIS calls, Twilio reads, the
//! rate limiter after a 429, the write-back queue, the report outbox).

use std::time::Duration;

/// `first × 2ⁿ`, at most `max`.
pub fn exponential(first: Duration, n: u32, max: Duration) -> Duration {
    first.saturating_mul(1u32 << n.min(16)).min(max)
}

/// The wait before retry `n` (0 for the first): [`exponential`], then a random point in its
/// upper half, so that clients failing together do not all come back together.
pub fn jittered(first: Duration, n: u32, max: Duration) -> Duration {
    let d = exponential(first, n, max).as_millis() as u64;
    Duration::from_millis(d / 2 + fastrand::u64(0..=d / 2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_the_ceiling_with_jitter_in_the_upper_half() {
        let s = Duration::from_secs;
        assert_eq!(exponential(s(30), 0, s(1800)), s(30));
        assert_eq!(exponential(s(30), 3, s(1800)), s(240));
        assert_eq!(exponential(s(30), 10, s(1800)), s(1800));
        assert_eq!(exponential(s(1), 40, s(u64::MAX / 4)), s(1 << 16));
        for n in 0..8 {
            let full = exponential(Duration::from_millis(100), n, s(3));
            let d = jittered(Duration::from_millis(100), n, s(3));
            assert!(
                d >= full / 2 && d <= full,
                "{d:?} within the upper half of {full:?}"
            );
        }
    }
}
