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
    /// Segments per day across all campaigns.
    pub daily_cap: u64,
    /// The zone whose midnight starts the cap's day (UTC unless set otherwise).
    pub day_zone: chrono_tz::Tz,
}

impl SendLimits {
    /// At most `rate_per_second` and `daily_cap` per UTC day.
    pub fn utc(rate_per_second: f64, daily_cap: u64) -> Self {
        Self {
            rate_per_second,
            daily_cap,
            day_zone: chrono_tz::Tz::UTC,
        }
    }

    /// The cap's day at `t`.
    pub fn day_of(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.day_zone).date_naive()
    }

    /// When the cap's day after the one at `t` begins.
    pub fn next_day_start(&self, t: DateTime<Utc>) -> DateTime<Utc> {
        let day = self.day_of(t);
        let next = day.succ_opt().unwrap_or(day);
        crate::window::instant(self.day_zone, next, NaiveTime::MIN)
    }
}

/// The "cap" of a send that no daily cap applies to (a TEST campaign).
pub const NO_CAP: u64 = u64::MAX;

/// Segments already sent or reserved per cap day by other campaigns.
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
        let day = limits.day_of(t);
        let midnight = limits.next_day_start(t);
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

/// Recipients who share a sending window: the zones deciding it and their segments.
#[derive(Debug, Clone, PartialEq)]
pub struct ZoneLoad {
    pub zones: Vec<chrono_tz::Tz>,
    pub segments: u64,
}

/// [`plan`] when texts may only arrive inside each recipient's window: at most the rate
/// and the cap, recipients whose window is open share the rate in proportion to what they
/// have left (the engine takes them in audience order), the others wait without holding
/// anything. `loads` name their deciding zones ([`crate::window::deciding_zones`]).
pub fn plan_windowed(
    loads: &[ZoneLoad],
    start: DateTime<Utc>,
    limits: SendLimits,
    usage: &DayUsage,
    window: &crate::window::SendingWindow,
) -> SendPlan {
    let rate = if limits.rate_per_second.is_finite() && limits.rate_per_second > 0.0 {
        limits.rate_per_second
    } else {
        1.0
    };
    let mut left: Vec<f64> = loads.iter().map(|l| l.segments as f64).collect();
    let total: u64 = loads.iter().map(|l| l.segments).sum();
    let mut sent_total: u64 = 0;
    let mut per_day: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    let mut t = start;
    let mut finish = start;
    // Bounded: each turn reaches an opening, a closing, a midnight or the end.
    for _ in 0..200_000 {
        if sent_total >= total {
            break;
        }
        let day = limits.day_of(t);
        let midnight = limits.next_day_start(t);
        let waiting = |i: usize| left[i] > 0.0 && sent_total < total;
        let open: Vec<usize> = (0..loads.len())
            .filter(|&i| waiting(i) && window.is_open_all(t, &loads[i].zones))
            .collect();
        // The next moment something changes: a window opens or closes, or the day ends.
        let mut event = midnight;
        for i in (0..loads.len()).filter(|&i| waiting(i)) {
            let change = if open.contains(&i) {
                loads[i]
                    .zones
                    .iter()
                    .map(|z| window.closes_after(t, *z))
                    .min()
                    .unwrap_or(midnight)
            } else {
                window.next_open_all(t, &loads[i].zones).unwrap_or(midnight)
            };
            if change > t {
                event = event.min(change);
            }
        }
        let cap_left =
            cap_left(limits, usage, day).saturating_sub(per_day.get(&day).copied().unwrap_or(0));
        if open.is_empty() || cap_left == 0 {
            t = if cap_left == 0 { midnight } else { event };
            continue;
        }
        let seconds = (event - t).num_milliseconds() as f64 / 1000.0;
        let by_time = (seconds * rate).floor().max(0.0) as u64;
        let open_left: f64 = open.iter().map(|&i| left[i]).sum();
        let send = (open_left.round() as u64)
            .min(total - sent_total)
            .min(cap_left)
            .min(by_time);
        if send == 0 {
            t = event;
            continue;
        }
        for &i in &open {
            left[i] = (left[i] - send as f64 * left[i] / open_left).max(0.0);
            if left[i] < 0.5 {
                left[i] = 0.0;
            }
        }
        sent_total += send;
        *per_day.entry(day).or_default() += send;
        let used = Duration::milliseconds((send as f64 / rate * 1000.0).ceil() as i64);
        finish = t + used;
        t = if send == by_time { event } else { t + used };
    }
    let per_day: Vec<DaySegments> = per_day
        .into_iter()
        .map(|(day, segments)| DaySegments { day, segments })
        .collect();
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

    fn window_9_to_20() -> crate::window::SendingWindow {
        crate::window::SendingWindow::default()
    }

    fn zone(name: &str) -> chrono_tz::Tz {
        name.parse().unwrap()
    }

    #[test]
    fn a_windowed_send_starts_when_the_window_opens_and_pauses_overnight() {
        let limits = SendLimits {
            rate_per_second: 1.0,
            daily_cap: 1_000_000,
            day_zone: chrono_tz::Tz::UTC,
        };
        // 06:00 UTC = 01:00 in New York: nothing before 09:00 EST (14:00 UTC).
        let start = at(6, 0);
        let ny = ZoneLoad {
            zones: vec![zone("America/New_York")],
            segments: 3600,
        };
        let p = plan_windowed(
            std::slice::from_ref(&ny),
            start,
            limits,
            &DayUsage::new(),
            &window_9_to_20(),
        );
        assert_eq!(p.finish, at(15, 0));
        // 11 hours a day at 1 a second is 39,600: 50,000 spill into the next day's window.
        let big = ZoneLoad {
            segments: 50_000,
            ..ny
        };
        let p = plan_windowed(&[big], start, limits, &DayUsage::new(), &window_9_to_20());
        let next_open = Utc.with_ymd_and_hms(2026, 11, 28, 14, 0, 0).unwrap();
        assert_eq!(p.finish, next_open + Duration::seconds(50_000 - 39_600));
        // The UTC day boundary falls inside New York's evening: the cap days are UTC.
        assert_eq!(p.per_day.iter().map(|d| d.segments).sum::<u64>(), 50_000);
    }

    #[test]
    fn zones_share_the_rate_when_their_windows_overlap_and_the_cap_holds() {
        let limits = SendLimits {
            rate_per_second: 1.0,
            daily_cap: 5_000,
            day_zone: chrono_tz::Tz::UTC,
        };
        let loads = [
            ZoneLoad {
                zones: vec![zone("America/New_York")],
                segments: 3_000,
            },
            ZoneLoad {
                zones: vec![zone("America/Los_Angeles")],
                segments: 3_000,
            },
        ];
        let p = plan_windowed(
            &loads,
            at(6, 0),
            limits,
            &DayUsage::new(),
            &window_9_to_20(),
        );
        assert!(p.per_day.iter().all(|d| d.segments <= 5_000), "{p:?}");
        assert_eq!(p.per_day.iter().map(|d| d.segments).sum::<u64>(), 6_000);
        assert!(p.days >= 2, "the cap spreads it: {p:?}");
        // New York alone from 14:00 to 17:00 UTC sends 3,000 (10,800 s of rate): done
        // before Los Angeles opens; Los Angeles then sends 2,000 before the cap (5,000).
        assert_eq!(p.per_day[0].segments, 5_000);
    }

    #[test]
    fn the_cap_day_can_be_a_named_zone() {
        // New York's midnight is 05:00 UTC in winter: a send capped at 1,000 a day from
        // 04:00 UTC sends 1,000 by 04:17, then the next 1,000 from 05:00 UTC.
        let limits = SendLimits {
            rate_per_second: 1.0,
            daily_cap: 1_000,
            day_zone: zone("America/New_York"),
        };
        let p = plan(2_000, at(4, 0), limits, &DayUsage::new());
        assert_eq!(p.per_day.len(), 2);
        assert_eq!(p.per_day[0].day, day(26), "the New York date at 04:00 UTC");
        assert_eq!(p.finish, at(5, 0) + Duration::seconds(1_000));
        assert_eq!(limits.day_of(at(4, 59)), day(26));
        assert_eq!(limits.day_of(at(5, 0)), day(27));
    }

    #[test]
    fn a_send_that_fits_takes_segments_over_rate() {
        let p = plan(
            3600,
            at(9, 0),
            SendLimits {
                rate_per_second: 1.0,
                daily_cap: 10_000,
                day_zone: chrono_tz::Tz::UTC,
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
                day_zone: chrono_tz::Tz::UTC,
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
            day_zone: chrono_tz::Tz::UTC,
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
            day_zone: chrono_tz::Tz::UTC,
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
            day_zone: chrono_tz::Tz::UTC,
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
                day_zone: chrono_tz::Tz::UTC,
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
                day_zone: chrono_tz::Tz::UTC,
            },
            &DayUsage::new(),
        );
        assert!(p.per_day.is_empty());
    }
}
