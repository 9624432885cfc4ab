//! The campaign summary: how many, how much, and when it will finish, as a pure function
//! of the prepared audience, the settings and the clock.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;

/// What sending looks like given the sender's rate and the daily cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SendLimits {
    /// Segments per second, at most.
    pub rate_per_second: f64,
    /// Segments per UTC day across all campaigns.
    pub daily_cap: u64,
}

/// The "cap" of a send that no daily cap applies to (a TEST campaign).
pub const NO_CAP: u64 = u64::MAX;

/// Segments already sent or reserved per UTC day by other campaigns.
pub type DayUsage = BTreeMap<NaiveDate, u64>;

/// When a send of `segments` starting at `start` would finish.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SendPlan {
    pub start: DateTime<Utc>,
    pub finish: DateTime<Utc>,
    /// UTC days the send spans because of the cap (1 when it fits in the start day).
    pub days: u32,
    /// Segments that go out on each UTC day, in order.
    pub per_day: Vec<DaySegments>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct DaySegments {
    pub day: NaiveDate,
    pub segments: u64,
}

/// Segments left under the cap on `day`.
pub fn cap_left(limits: SendLimits, usage: &DayUsage, day: NaiveDate) -> u64 {
    limits
        .daily_cap
        .saturating_sub(usage.get(&day).copied().unwrap_or(0))
}

fn next_midnight(t: DateTime<Utc>) -> DateTime<Utc> {
    let day = t.date_naive().succ_opt().unwrap_or(t.date_naive());
    day.and_time(NaiveTime::MIN).and_utc()
}

/// Plans a send of `segments` from `start`: at most `rate_per_second` segments a second,
/// at most the cap (less what other campaigns use) per UTC day, what does not fit waiting
/// for the next UTC midnight.
pub fn plan(segments: u64, start: DateTime<Utc>, limits: SendLimits, usage: &DayUsage) -> SendPlan {
    let rate = if limits.rate_per_second.is_finite() && limits.rate_per_second > 0.0 {
        limits.rate_per_second
    } else {
        1.0
    };
    let mut remaining = segments;
    let mut t = start;
    let mut per_day: Vec<DaySegments> = Vec::new();
    // A cap of zero would never finish; the loop is bounded to ten years of days.
    for _ in 0..3660 {
        if remaining == 0 {
            break;
        }
        let day = t.date_naive();
        let midnight = next_midnight(t);
        let seconds_left = (midnight - t).num_milliseconds() as f64 / 1000.0;
        let by_time = (seconds_left * rate).floor().max(0.0) as u64;
        let send = remaining.min(cap_left(limits, usage, day)).min(by_time);
        if send > 0 {
            remaining -= send;
            per_day.push(DaySegments {
                day,
                segments: send,
            });
            let millis = (send as f64 / rate * 1000.0).ceil() as i64;
            t += Duration::milliseconds(millis);
        }
        if remaining > 0 {
            t = midnight;
        }
    }
    let finish = if per_day.is_empty() { start } else { t };
    SendPlan {
        start,
        finish,
        days: per_day.len().max(1) as u32,
        per_day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 27, h, m, 0).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    #[test]
    fn a_send_that_fits_takes_segments_over_rate() {
        let p = plan(
            3600,
            at(9, 0),
            SendLimits {
                rate_per_second: 1.0,
                daily_cap: 10_000,
            },
            &DayUsage::new(),
        );
        assert_eq!(p.finish, at(10, 0));
        assert_eq!((p.days, p.per_day.len()), (1, 1));
        let p = plan(
            300,
            at(9, 0),
            SendLimits {
                rate_per_second: 100.0,
                daily_cap: 10_000,
            },
            &DayUsage::new(),
        );
        assert_eq!(p.finish, at(9, 0) + Duration::seconds(3));
    }

    #[test]
    fn the_cap_spills_into_later_utc_days() {
        let limits = SendLimits {
            rate_per_second: 10.0,
            daily_cap: 1000,
        };
        let p = plan(2500, at(9, 0), limits, &DayUsage::new());
        assert_eq!(
            p.per_day,
            [
                DaySegments {
                    day: day(27),
                    segments: 1000
                },
                DaySegments {
                    day: day(28),
                    segments: 1000
                },
                DaySegments {
                    day: day(29),
                    segments: 500
                }
            ]
        );
        assert_eq!(
            p.finish,
            Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 50).unwrap()
        );
        assert_eq!(p.days, 3);
    }

    #[test]
    fn other_campaigns_hold_part_of_the_cap() {
        let limits = SendLimits {
            rate_per_second: 10.0,
            daily_cap: 1000,
        };
        let usage: DayUsage = [(day(27), 900), (day(28), 1000), (day(29), 200)].into();
        assert_eq!(cap_left(limits, &usage, day(27)), 100);
        let p = plan(500, at(9, 0), limits, &usage);
        assert_eq!(
            p.per_day,
            [
                DaySegments {
                    day: day(27),
                    segments: 100
                },
                DaySegments {
                    day: day(29),
                    segments: 400
                }
            ]
        );
        assert_eq!(
            p.finish,
            Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 40).unwrap()
        );
        // Over-used days (someone lowered the cap) leave nothing, never a negative.
        let usage: DayUsage = [(day(27), 5000)].into();
        assert_eq!(cap_left(limits, &usage, day(27)), 0);
    }

    #[test]
    fn a_slow_rate_runs_out_of_day_before_the_cap() {
        // 1 segment/s from 23:00 leaves 3600 seconds in the day.
        let limits = SendLimits {
            rate_per_second: 1.0,
            daily_cap: 100_000,
        };
        let p = plan(5000, at(23, 0), limits, &DayUsage::new());
        assert_eq!(
            p.per_day,
            [
                DaySegments {
                    day: day(27),
                    segments: 3600
                },
                DaySegments {
                    day: day(28),
                    segments: 1400
                }
            ]
        );
        assert_eq!(
            p.finish,
            Utc.with_ymd_and_hms(2026, 11, 28, 0, 23, 20).unwrap()
        );
    }

    #[test]
    fn nothing_to_send_finishes_at_once() {
        let p = plan(
            0,
            at(9, 0),
            SendLimits {
                rate_per_second: 1.0,
                daily_cap: 10,
            },
            &DayUsage::new(),
        );
        assert_eq!((p.finish, p.days), (at(9, 0), 1));
    }

    #[test]
    fn a_zero_cap_never_loops_forever() {
        let p = plan(
            10,
            at(9, 0),
            SendLimits {
                rate_per_second: 1.0,
                daily_cap: 0,
            },
            &DayUsage::new(),
        );
        assert!(p.per_day.is_empty());
    }
}
