//! The send rate limiter, in segments per second. Sends are spaced evenly (no start-up
//! burst), and a sliding window guarantees that no one-second window ever holds more
//! than the rate. Backs off when Twilio says it is overloaded.

use std::collections::VecDeque;
use std::time::Duration;
use tokio::sync::Mutex;
use tokio::time::Instant;

/// The window is a little longer than a second, so that jitter between Herald and Twilio
/// (a busy machine, a new connection) cannot push one more send into any one-second
/// window at Twilio's end. 25 ms costs 2.4% of the rate at full speed (97.6 of 100/s);
/// 10 ms proved too little under Wine on a loaded 2-core machine.
const WINDOW: Duration = Duration::from_millis(1025);

struct State {
    /// Segments per second; `None` is unlimited (benchmarks).
    rate: Option<f64>,
    next_free: Instant,
    window: VecDeque<(Instant, u32)>,
    window_sum: u32,
    blocked_until: Instant,
    backoffs: u32,
}

pub struct RateLimiter {
    state: Mutex<State>,
}

impl RateLimiter {
    pub fn new(rate: Option<f64>) -> Self {
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                rate: rate.filter(|r| r.is_finite() && *r > 0.0),
                next_free: now,
                window: VecDeque::new(),
                window_sum: 0,
                blocked_until: now,
                backoffs: 0,
            }),
        }
    }

    pub async fn set_rate(&self, rate: Option<f64>) {
        self.state.lock().await.rate = rate.filter(|r| r.is_finite() && *r > 0.0);
    }

    pub async fn rate(&self) -> Option<f64> {
        self.state.lock().await.rate
    }

    /// How many messages to begin at once: about a tenth of a second of sending (one disk
    /// sync each; after a crash, at most this many attempts need checking with Twilio).
    pub async fn batch_size(&self) -> u32 {
        match self.state.lock().await.rate {
            Some(r) => ((r * 0.1).ceil() as u32).clamp(1, 100),
            None => 100,
        }
    }

    /// Waits until `segments` may be sent, and counts them as sent now.
    pub async fn acquire(&self, segments: u32) {
        let mut s = self.state.lock().await;
        let Some(rate) = s.rate else {
            let wait = s.blocked_until;
            if wait > Instant::now() {
                tokio::time::sleep_until(wait).await;
            }
            return;
        };
        let segments = segments.max(1);
        // A message longer than the rate may go when the window is empty.
        let allowance = (rate.floor() as u32).max(segments);
        let mut at = Instant::now().max(s.next_free).max(s.blocked_until);
        loop {
            while let Some(&(t, n)) = s.window.front() {
                if t + WINDOW <= at {
                    s.window.pop_front();
                    s.window_sum -= n;
                } else {
                    break;
                }
            }
            if s.window_sum + segments <= allowance {
                break;
            }
            let oldest = s.window.front().expect("a non-empty window").0;
            at = at.max(oldest + WINDOW);
        }
        if at > Instant::now() {
            tokio::time::sleep_until(at).await;
        }
        // The window counts the send when it actually leaves (a late wake-up must not let
        // the next one crowd in); the schedule stays on its grid, so wake-up delays do not
        // add up and slow the rate.
        let sent = Instant::now().max(at);
        s.window.push_back((sent, segments));
        s.window_sum += segments;
        s.next_free = at + Duration::from_secs_f64(f64::from(segments) / rate);
    }

    /// Twilio was overloaded (429 / 21611): pause every sender for `retry_after` if it
    /// said, else an exponential, jittered wait.
    pub async fn back_off(&self, retry_after: Option<Duration>, floor: Duration) {
        let mut s = self.state.lock().await;
        s.backoffs = (s.backoffs + 1).min(8);
        let wait = retry_after.unwrap_or_else(|| {
            crate::backoff::jittered(
                Duration::from_millis(100),
                s.backoffs,
                Duration::from_secs(3),
            )
        });
        let until = Instant::now() + wait.max(floor);
        s.blocked_until = s.blocked_until.max(until);
    }

    /// A send went through: the next overload starts the backoff afresh.
    pub async fn succeeded(&self) {
        self.state.lock().await.backoffs = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn no_one_second_window_holds_more_than_the_rate() {
        let limiter = RateLimiter::new(Some(10.0));
        let start = Instant::now();
        let mut times = vec![];
        for _ in 0..100 {
            limiter.acquire(1).await;
            times.push(Instant::now() - start);
        }
        // Even spacing: no burst at the start.
        assert!(times[1] >= Duration::from_millis(99), "{:?}", times[1]);
        for (i, t) in times.iter().enumerate() {
            let in_window = times[i..]
                .iter()
                .take_while(|u| **u < *t + Duration::from_secs(1))
                .count();
            assert!(in_window <= 10, "window at {t:?} holds {in_window}");
        }
        let total = times.last().unwrap().as_secs_f64();
        assert!(
            (9.8..10.3).contains(&total),
            "100 sends at 10/s take about 10 s: {total}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn multi_segment_messages_count_as_their_segments() {
        let limiter = RateLimiter::new(Some(3.0));
        let start = Instant::now();
        for _ in 0..4 {
            limiter.acquire(3).await;
        }
        // 12 segments at 3/s: the 4th starts after about 3 s.
        assert!(Instant::now() - start >= Duration::from_millis(2990));
    }

    #[tokio::test(start_paused = true)]
    async fn back_off_honours_retry_after() {
        let limiter = RateLimiter::new(Some(100.0));
        limiter.acquire(1).await;
        limiter
            .back_off(Some(Duration::from_secs(2)), Duration::ZERO)
            .await;
        let start = Instant::now();
        limiter.acquire(1).await;
        assert!(Instant::now() - start >= Duration::from_secs(2));
    }
}
