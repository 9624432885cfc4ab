//! The sending window: the hours (in each recipient's own time zone) and the days at which
//! texts may reach people. Pure: every answer is for a moment passed in.
//!
//! A window is `start`–`end` local time (end excluded, no overnight windows) on the days it
//! allows; Sunday may be allowed only from noon (Texas). A recipient in several zones at
//! once (a number libphonenumber cannot place more precisely) gets the overlap of them all:
//! the window is open only when it is open in every one of them.

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use specta::Type;

/// The window as campaign files, settings and the front end write it:
/// `{"start": "09:00", "end": "20:00", "days": ["mon", …, "sun"], "enabled": true}`.
/// `days` lists `mon`…`sun`; `sun_from_noon` allows Sunday from 12:00 only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(deny_unknown_fields)]
pub struct WindowSpec {
    pub start: String,
    pub end: String,
    pub days: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// A day's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Day {
    Closed,
    Open,
    /// Not before noon (local), then as any open day.
    FromNoon,
}

/// A checked window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendingWindow {
    pub enabled: bool,
    pub start: NaiveTime,
    pub end: NaiveTime,
    /// Monday first.
    pub days: [Day; 7],
}

pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/// Sunday, not before noon.
pub const SUNDAY_FROM_NOON: &str = "sun_from_noon";

/// A window that cannot be used, in words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WindowError(pub String);

impl Default for SendingWindow {
    /// 9:00 to 20:00 every day.
    fn default() -> Self {
        Self {
            enabled: true,
            start: NaiveTime::from_hms_opt(9, 0, 0).expect("time"),
            end: NaiveTime::from_hms_opt(20, 0, 0).expect("time"),
            days: [Day::Open; 7],
        }
    }
}

/// "09:00" or "9:00" → 09:00; minutes only.
pub fn parse_time(s: &str) -> Result<NaiveTime, WindowError> {
    let s = s.trim();
    let bad = || {
        WindowError(format!(
            "\"{s}\" is not a time of day such as 09:00 or 20:30"
        ))
    };
    let (hours, minutes) = s.split_once(':').ok_or_else(bad)?;
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (
        hours.parse().map_err(|_| bad())?,
        minutes.parse().map_err(|_| bad())?,
    );
    if h > 24 || m > 59 || (h == 24 && m != 0) {
        return Err(bad());
    }
    if h == 24 {
        // "24:00": the end of the day, as the last representable minute's end.
        return Ok(NaiveTime::from_hms_opt(23, 59, 59).expect("time"));
    }
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

pub fn format_time(t: NaiveTime) -> String {
    if t == NaiveTime::from_hms_opt(23, 59, 59).expect("time") {
        return "24:00".into();
    }
    t.format("%H:%M").to_string()
}

/// `["mon", …]` → the seven day rules.
pub fn parse_days<S: AsRef<str>>(items: &[S]) -> Result<[Day; 7], WindowError> {
    let mut days = [Day::Closed; 7];
    for item in items {
        let item = item.as_ref().trim().to_ascii_lowercase();
        if item.is_empty() {
            continue;
        }
        if item == SUNDAY_FROM_NOON {
            if days[6] == Day::Closed {
                days[6] = Day::FromNoon;
            }
            continue;
        }
        let i = DAY_NAMES.iter().position(|d| *d == item).ok_or_else(|| {
            WindowError(format!(
                "\"{item}\" is not a day: use mon, tue, wed, thu, fri, sat, sun or {SUNDAY_FROM_NOON}"
            ))
        })?;
        days[i] = Day::Open;
    }
    if days.iter().all(|d| *d == Day::Closed) {
        return Err(WindowError("the window allows no day at all".into()));
    }
    Ok(days)
}

pub fn format_days(days: &[Day; 7]) -> Vec<String> {
    days.iter()
        .zip(DAY_NAMES)
        .filter_map(|(d, name)| match d {
            Day::Closed => None,
            Day::Open => Some(name.to_string()),
            Day::FromNoon => Some(SUNDAY_FROM_NOON.to_string()),
        })
        .collect()
}

impl SendingWindow {
    pub fn from_spec(spec: &WindowSpec) -> Result<Self, WindowError> {
        let (start, end) = (parse_time(&spec.start)?, parse_time(&spec.end)?);
        if end <= start {
            return Err(WindowError(format!(
                "the window ends ({}) before it starts ({}): overnight windows are not allowed",
                spec.end.trim(),
                spec.start.trim()
            )));
        }
        Ok(Self {
            enabled: spec.enabled,
            start,
            end,
            days: parse_days(&spec.days)?,
        })
    }

    pub fn spec(&self) -> WindowSpec {
        WindowSpec {
            start: format_time(self.start),
            end: format_time(self.end),
            days: format_days(&self.days),
            enabled: self.enabled,
        }
    }

    /// The window's local opening and closing on `date`, if it opens that day.
    fn hours_on(&self, date: NaiveDate) -> Option<(NaiveTime, NaiveTime)> {
        let noon = NaiveTime::from_hms_opt(12, 0, 0).expect("time");
        let open = match self.days[date.weekday().num_days_from_monday() as usize] {
            Day::Closed => return None,
            Day::Open => self.start,
            Day::FromNoon => self.start.max(noon),
        };
        (open < self.end).then_some((open, self.end))
    }

    /// Whether a text may reach someone in `zone` at `at`.
    pub fn is_open(&self, at: DateTime<Utc>, zone: Tz) -> bool {
        if !self.enabled {
            return true;
        }
        let local = at.with_timezone(&zone).naive_local();
        self.hours_on(local.date())
            .is_some_and(|(open, close)| open <= local.time() && local.time() < close)
    }

    /// The first moment at or after `at` at which the window is open in `zone`.
    pub fn next_open(&self, at: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        if self.is_open(at, zone) {
            return at;
        }
        let today = at.with_timezone(&zone).date_naive();
        for offset in 0..=8 {
            let date = today + Duration::days(offset);
            if let Some((open, close)) = self.hours_on(date) {
                let opens = instant(zone, date, open);
                let closes = instant(zone, date, close);
                if at < opens {
                    return opens;
                }
                if at < closes {
                    return at;
                }
            }
        }
        // Unreachable for a window with at least one day; keep the promise of "later".
        at + Duration::days(7)
    }

    /// The first moment at or after `at` at which the window is open in every one of
    /// `zones` at once; `None` when they never overlap (zones too far apart).
    pub fn next_open_all(&self, at: DateTime<Utc>, zones: &[Tz]) -> Option<DateTime<Utc>> {
        if !self.enabled || zones.is_empty() {
            return Some(at);
        }
        let mut t = at;
        let limit = at + Duration::days(15);
        while t < limit {
            let later = zones
                .iter()
                .map(|z| self.next_open(t, *z))
                .max()
                .expect("zones");
            if later == t {
                return Some(t);
            }
            t = later;
        }
        None
    }

    /// Whether the window is open in every one of `zones` at `at`.
    pub fn is_open_all(&self, at: DateTime<Utc>, zones: &[Tz]) -> bool {
        zones.iter().all(|z| self.is_open(at, *z))
    }

    /// When the window that is open at `at` in `zone` closes (`at` itself if it is closed).
    pub fn closes_after(&self, at: DateTime<Utc>, zone: Tz) -> DateTime<Utc> {
        if !self.enabled {
            return at + Duration::days(3650);
        }
        if !self.is_open(at, zone) {
            return at;
        }
        let date = at.with_timezone(&zone).date_naive();
        let (_, close) = self.hours_on(date).expect("open today");
        instant(zone, date, close)
    }
}

/// The zones whose window decides for a recipient with zone key `key`: its own, or the
/// fallback zone when it is unknown or its zones never share an open hour.
pub fn deciding_zones(
    window: &SendingWindow,
    key: Option<&str>,
    fallback: Tz,
    at: DateTime<Utc>,
) -> Vec<Tz> {
    let zones = key.map(zones_of).unwrap_or_default();
    if zones.is_empty() || window.next_open_all(at, &zones).is_none() {
        vec![fallback]
    } else {
        zones
    }
}

/// Zones as staff read them: one by name; a number that may be in several (a UK mobile:
/// Guernsey, the Isle of Man, Jersey or London) names them all, up to four, with "or".
pub fn zones_label(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] if names.len() <= 4 => format!("{} or {last}", init.join(", ")),
        _ => format!("{} or {} more", names[..3].join(", "), names.len() - 3),
    }
}

/// Messages that wait for their window to open in one zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct WindowWait {
    /// The zone as staff read it ("America/Los_Angeles"; several: see [`zones_label`]).
    pub zone: String,
    /// Whether the zone is the fallback one (the recipients' own zone is unknown).
    pub fallback: bool,
    pub messages: i64,
    /// When their window opens.
    pub opens_at: DateTime<Utc>,
    /// Its local time there, "9:00".
    pub opens_local: String,
}

/// Of the messages still to send (by zone key, as [`Store::pending_by_zone`] counts them),
/// which may go now (their keys, `""` for unknown) and which wait, soonest first.
///
/// [`Store::pending_by_zone`]: crate::store::Store::pending_by_zone
pub fn split_open(
    window: &SendingWindow,
    pending: &[(Option<String>, i64)],
    fallback: Tz,
    at: DateTime<Utc>,
) -> (Vec<String>, Vec<WindowWait>) {
    let mut open = Vec::new();
    let mut waits: Vec<WindowWait> = Vec::new();
    for (key, count) in pending {
        let zones = deciding_zones(window, key.as_deref(), fallback, at);
        if window.is_open_all(at, &zones) {
            open.push(key.clone().unwrap_or_default());
            continue;
        }
        let opens_at = window
            .next_open_all(at, &zones)
            .unwrap_or_else(|| window.next_open(at, fallback));
        let first = zones[0];
        let names: Vec<&str> = zones.iter().map(|z| z.name()).collect();
        let zone = zones_label(&names);
        let opens_local = opens_at.with_timezone(&first).format("%-H:%M").to_string();
        let fallback_used = key.as_deref().map(zones_of).unwrap_or_default() != zones;
        match waits
            .iter_mut()
            .find(|w| w.zone == zone && w.opens_at == opens_at)
        {
            Some(w) => w.messages += count,
            None => waits.push(WindowWait {
                zone,
                fallback: fallback_used,
                messages: *count,
                opens_at,
                opens_local,
            }),
        }
    }
    waits.sort_by_key(|w| (w.opens_at, -w.messages));
    (open, waits)
}

/// "Waiting for 9:00 in America/Los_Angeles (3,214 messages)".
pub fn wait_in_words(w: &WindowWait) -> String {
    let n = w.messages;
    let count = {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
        out
    };
    format!(
        "Waiting for {} in {}{} ({count} {})",
        w.opens_local,
        w.zone,
        if w.fallback {
            ", the zone used when a member's is unknown"
        } else {
            ""
        },
        if n == 1 { "message" } else { "messages" }
    )
}

/// The instant a local wall-clock time happens in `zone`: the earlier of two in the hour
/// that repeats in autumn, the moment the clocks jump for a time skipped in spring.
pub fn instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = date.and_time(time);
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(early, _) => early.with_timezone(&Utc),
        LocalResult::None => {
            // In the gap: step forward a minute at a time (gaps are at most a few hours).
            let mut probe = local;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            Utc.from_utc_datetime(&local)
        }
    }
}

/// The zone names of a stored key ("America/New_York", or several joined by `&`) that
/// Herald knows; unknown names are left out.
pub fn zones_of(key: &str) -> Vec<Tz> {
    key.split('&')
        .filter_map(|z| z.parse::<Tz>().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn tz(name: &str) -> Tz {
        name.parse().unwrap()
    }

    #[test]
    fn several_zones_are_named_with_or() {
        assert_eq!(zones_label(&["America/New_York"]), "America/New_York");
        assert_eq!(
            zones_label(&[
                "Europe/Guernsey",
                "Europe/Isle_of_Man",
                "Europe/Jersey",
                "Europe/London"
            ]),
            "Europe/Guernsey, Europe/Isle_of_Man, Europe/Jersey or Europe/London"
        );
        assert_eq!(
            zones_label(&["A/a", "B/b", "C/c", "D/d", "E/e"]),
            "A/a, B/b, C/c or 2 more"
        );
    }

    fn window(start: &str, end: &str, days: &[&str]) -> SendingWindow {
        SendingWindow::from_spec(&WindowSpec {
            start: start.into(),
            end: end.into(),
            days: days.iter().map(|d| d.to_string()).collect(),
            enabled: true,
        })
        .unwrap()
    }

    const EVERY_DAY: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

    #[test]
    fn open_only_inside_local_hours() {
        let w = window("09:00", "20:00", &EVERY_DAY);
        let ny = tz("America/New_York");
        // 06:00 UTC is 01:00 in New York (winter).
        assert!(!w.is_open(utc("2026-12-07T06:00:00Z"), ny));
        assert!(w.is_open(utc("2026-12-07T14:00:00Z"), ny)); // 09:00
        assert!(!w.is_open(utc("2026-12-08T01:00:00Z"), ny)); // 20:00, the end is excluded
        assert_eq!(
            w.next_open(utc("2026-12-07T06:00:00Z"), ny),
            utc("2026-12-07T14:00:00Z")
        );
        // After closing: tomorrow at 9.
        assert_eq!(
            w.next_open(utc("2026-12-08T02:00:00Z"), ny),
            utc("2026-12-08T14:00:00Z")
        );
        assert_eq!(
            w.closes_after(utc("2026-12-07T15:00:00Z"), ny),
            utc("2026-12-08T01:00:00Z")
        );
    }

    #[test]
    fn follows_summer_time() {
        let w = window("09:00", "20:00", &EVERY_DAY);
        let ny = tz("America/New_York");
        // DST began 2026-03-08: 9:00 EDT is 13:00 UTC, the day before it was 14:00 UTC.
        assert_eq!(
            w.next_open(utc("2026-03-07T06:00:00Z"), ny),
            utc("2026-03-07T14:00:00Z")
        );
        assert_eq!(
            w.next_open(utc("2026-03-08T06:00:00Z"), ny),
            utc("2026-03-08T13:00:00Z")
        );
        // A window opening inside the skipped hour opens when the clocks jump.
        let early = window("02:30", "20:00", &EVERY_DAY);
        assert_eq!(
            early.next_open(utc("2026-03-08T05:00:00Z"), ny),
            utc("2026-03-08T07:00:00Z") // 03:00 EDT
        );
        // Autumn's repeated hour opens at its first occurrence.
        let repeated = window("01:30", "20:00", &EVERY_DAY);
        assert_eq!(
            repeated.next_open(utc("2026-11-01T04:00:00Z"), ny),
            utc("2026-11-01T05:30:00Z") // 01:30 EDT
        );
    }

    #[test]
    fn days_and_sunday_from_noon() {
        let weekdays = window("09:00", "20:00", &["mon", "tue", "wed", "thu", "fri"]);
        let la = tz("America/Los_Angeles");
        // Saturday 2026-12-05 10:00 PST → Monday 09:00 PST.
        assert_eq!(
            weekdays.next_open(utc("2026-12-05T18:00:00Z"), la),
            utc("2026-12-07T17:00:00Z")
        );
        let texas = window(
            "09:00",
            "21:00",
            &["mon", "tue", "wed", "thu", "fri", "sat", SUNDAY_FROM_NOON],
        );
        let chicago = tz("America/Chicago");
        // Sunday 2026-12-06 10:00 CST → 12:00 CST.
        assert!(!texas.is_open(utc("2026-12-06T16:00:00Z"), chicago));
        assert_eq!(
            texas.next_open(utc("2026-12-06T16:00:00Z"), chicago),
            utc("2026-12-06T18:00:00Z")
        );
        assert!(texas.is_open(utc("2026-12-05T16:00:00Z"), chicago)); // Saturday 10:00
    }

    #[test]
    fn several_zones_overlap_or_never_meet() {
        let w = window("09:00", "20:00", &EVERY_DAY);
        let (ny, la) = (tz("America/New_York"), tz("America/Los_Angeles"));
        // Open in both from 09:00 LA (17:00 UTC) to 20:00 NY (01:00 UTC).
        let at = utc("2026-12-07T14:00:00Z");
        assert!(w.is_open(at, ny) && !w.is_open_all(at, &[ny, la]));
        assert_eq!(
            w.next_open_all(at, &[ny, la]),
            Some(utc("2026-12-07T17:00:00Z"))
        );
        // Singapore and New York, 13 hours apart: New York's window closes (01:00 UTC) as
        // Singapore's opens.
        assert_eq!(w.next_open_all(at, &[ny, tz("Asia/Singapore")]), None);
    }

    #[test]
    fn pending_messages_split_into_open_and_waiting_soonest_first() {
        let w = window("09:00", "20:00", &EVERY_DAY);
        let at = utc("2026-12-07T14:30:00Z"); // 09:30 New York, 06:30 Los Angeles
        let pending = vec![
            (Some("America/New_York".to_string()), 10),
            (Some("America/Los_Angeles".to_string()), 3214),
            (Some("Pacific/Honolulu".to_string()), 5),
            (None, 2),
        ];
        let (open, waits) = split_open(&w, &pending, tz("America/Chicago"), at);
        assert_eq!(open, ["America/New_York"]);
        // Unknown zones follow the fallback zone (08:30 in Chicago: not yet).
        assert_eq!(
            wait_in_words(&waits[0]),
            "Waiting for 9:00 in America/Chicago, the zone used when a member's is unknown (2 messages)"
        );
        assert_eq!(waits[1].zone, "America/Los_Angeles");
        assert_eq!(waits[1].opens_at, utc("2026-12-07T17:00:00Z"));
        assert_eq!(
            wait_in_words(&waits[1]),
            "Waiting for 9:00 in America/Los_Angeles (3,214 messages)"
        );
        assert_eq!(waits[2].zone, "Pacific/Honolulu");
        assert_eq!(waits.len(), 3);
    }

    #[test]
    fn any_hour_is_always_open() {
        let w = SendingWindow {
            enabled: false,
            ..Default::default()
        };
        let at = utc("2026-12-07T08:00:00Z");
        assert!(w.is_open(at, tz("America/New_York")));
        assert_eq!(w.next_open(at, tz("America/New_York")), at);
    }

    #[test]
    fn specs_are_checked_in_words_and_round_trip() {
        let spec = |start: &str, end: &str, days: &[&str]| WindowSpec {
            start: start.into(),
            end: end.into(),
            days: days.iter().map(|d| d.to_string()).collect(),
            enabled: true,
        };
        assert!(
            SendingWindow::from_spec(&spec("20:00", "09:00", &EVERY_DAY))
                .unwrap_err()
                .0
                .contains("overnight")
        );
        assert!(SendingWindow::from_spec(&spec("9am", "20:00", &EVERY_DAY))
            .unwrap_err()
            .0
            .contains("time of day"));
        assert!(
            SendingWindow::from_spec(&spec("09:00", "20:00", &["funday"]))
                .unwrap_err()
                .0
                .contains("not a day")
        );
        assert!(SendingWindow::from_spec(&spec("09:00", "20:00", &[]))
            .unwrap_err()
            .0
            .contains("no day"));
        let w =
            SendingWindow::from_spec(&spec("9:00", "24:00", &["sun_from_noon", "mon"])).unwrap();
        assert_eq!(w.spec(), spec("09:00", "24:00", &["mon", SUNDAY_FROM_NOON]));
    }
}
