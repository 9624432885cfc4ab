//! Time zones: the workstation's own (for the times staff read in exports and reports) and
//! times written in a zone with its abbreviation ("2026-12-06 09:14 EST").

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The workstation's time zone, by its IANA name; UTC when the system does not say (a
/// bare container, or a Windows zone with no IANA equivalent).
pub fn workstation() -> Tz {
    iana_time_zone::get_timezone()
        .ok()
        .and_then(|name| name.parse::<Tz>().ok())
        .unwrap_or(Tz::UTC)
}

/// `t` as a staffer reads it in `zone`: date, 24-hour time and the zone's abbreviation
/// (which tells summer from winter time).
pub fn local_time(t: DateTime<Utc>, zone: Tz) -> String {
    t.with_timezone(&zone)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

/// `t` for machines: RFC 3339 in UTC, whole seconds.
pub fn utc_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn local_time_names_the_zone_and_follows_summer_time() {
        let winter = Utc.with_ymd_and_hms(2026, 12, 6, 14, 14, 59).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 6, 14, 14, 0).unwrap();
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(local_time(winter, ny), "2026-12-06 09:14 EST");
        assert_eq!(local_time(summer, ny), "2026-07-06 10:14 EDT");
        assert_eq!(local_time(winter, Tz::UTC), "2026-12-06 14:14 UTC");
    }

    #[test]
    fn utc_time_has_whole_seconds() {
        let t = Utc.with_ymd_and_hms(2026, 12, 6, 14, 14, 59).unwrap()
            + chrono::Duration::nanoseconds(123_456_789);
        assert_eq!(utc_time(t), "2026-12-06T14:14:59Z");
    }

    #[test]
    fn the_workstation_zone_is_a_real_zone() {
        // Whatever the machine says, it is a zone times can be written in.
        let z = workstation();
        assert!(!local_time(Utc::now(), z).is_empty());
    }
}
