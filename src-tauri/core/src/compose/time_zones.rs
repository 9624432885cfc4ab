//! The time zones a phone number may be in, as Google's libphonenumber works them out
//! (`PhoneNumberToTimeZonesMapper.getTimeZonesForNumber`), from its prefix map embedded
//! at build time (`data/timezones_map_data.txt`, the same release as the phone metadata).
//! No network at run time.
//!
//! A geographical number (a fixed line, a NANP number, or a mobile in a country whose
//! mobiles have area codes) is looked up by its longest matching prefix; any other
//! number by its country calling code alone; a number of no known type, or a prefix the
//! map does not know, gives [`UNKNOWN`].

use super::phone::{PhoneKind, PhoneNumber};
use std::collections::HashMap;
use std::sync::OnceLock;

/// What libphonenumber answers for a number it cannot place.
pub const UNKNOWN: &str = "Etc/Unknown";

const MAP_DATA: &str = include_str!("../../data/timezones_map_data.txt");

/// Countries whose mobile numbers are tied to a place (libphonenumber's
/// `GEO_MOBILE_COUNTRIES`): China, Mexico, Argentina, Brazil, Indonesia.
const GEO_MOBILE_COUNTRIES: [u16; 5] = [86, 52, 54, 55, 62];

struct Map {
    zones: HashMap<&'static str, Vec<&'static str>>,
    longest_prefix: usize,
}

fn map() -> &'static Map {
    static MAP: OnceLock<Map> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut zones = HashMap::new();
        let mut longest_prefix = 0;
        for line in MAP_DATA.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((prefix, list)) = line.split_once('|') else {
                continue;
            };
            longest_prefix = longest_prefix.max(prefix.len());
            zones.insert(prefix, list.split('&').collect());
        }
        Map {
            zones,
            longest_prefix,
        }
    })
}

/// The longest prefix of `digits` the map knows, up to its longest prefix.
fn lookup(digits: &str) -> &'static [&'static str] {
    let m = map();
    (1..=m.longest_prefix.min(digits.len()))
        .rev()
        .find_map(|len| m.zones.get(&digits[..len]))
        .map(Vec::as_slice)
        .unwrap_or(&[UNKNOWN])
}

/// The zones `number` may be in, in libphonenumber's order; `[UNKNOWN]` when it cannot
/// say.
pub fn time_zones(number: &PhoneNumber) -> Vec<&'static str> {
    zones_static(number).to_vec()
}

/// [`time_zones`] without allocating (the same list for every number of a prefix).
pub fn zones_static(number: &PhoneNumber) -> &'static [&'static str] {
    let geographical = match number.kind() {
        PhoneKind::Unknown => return &[UNKNOWN],
        PhoneKind::FixedLine | PhoneKind::FixedLineOrMobile => true,
        PhoneKind::Mobile => GEO_MOBILE_COUNTRIES.contains(&number.country_code()),
        _ => false,
    };
    if geographical {
        lookup(&number.e164()[1..])
    } else {
        let mut buf = itoa_u16(number.country_code());
        lookup(buf.as_str_mut())
    }
}

/// A country code's digits without allocating.
struct Digits([u8; 5], usize);

impl Digits {
    fn as_str_mut(&mut self) -> &str {
        std::str::from_utf8(&self.0[5 - self.1..]).expect("digits")
    }
}

fn itoa_u16(mut n: u16) -> Digits {
    let mut out = [b'0'; 5];
    let mut len = 0;
    loop {
        out[4 - len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            return Digits(out, len);
        }
    }
}

/// The stored key of a zone list: `None` for unknown, else the zones joined by `&`.
pub fn key_of(zones: &[&str]) -> Option<String> {
    (!zones.is_empty() && zones != [UNKNOWN]).then(|| zones.join("&"))
}

/// A recipient's zone as Herald stores it with the message: the zone, or the zones joined
/// by `&` when the number cannot be placed more precisely; `None` when unknown.
pub fn zone_key(e164: &str) -> Option<String> {
    let number = super::phone::parse(e164, super::phone::Region::US).ok()?;
    key_of(zones_static(&number))
}

/// The release of libphonenumber the map comes from, as its header says.
pub fn map_release() -> &'static str {
    MAP_DATA
        .lines()
        .find_map(|l| l.strip_prefix("# release "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or("unknown")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::phone::{parse, Region, LIBPHONENUMBER_METADATA};

    fn zones(input: &str) -> Vec<&'static str> {
        time_zones(&parse(input, Region::US).expect(input))
    }

    #[test]
    fn the_map_is_the_release_of_the_phone_metadata() {
        assert_eq!(map_release(), LIBPHONENUMBER_METADATA);
    }

    #[test]
    fn us_area_codes_have_their_zone() {
        assert_eq!(zones("+1 212 555 0142"), ["America/New_York"]);
        assert_eq!(zones("+1 312 555 0142"), ["America/Chicago"]);
        assert_eq!(zones("+1 303 555 0142"), ["America/Denver"]);
        assert_eq!(zones("+1 213 555 0142"), ["America/Los_Angeles"]);
        assert_eq!(zones("+1 808 555 0142"), ["Pacific/Honolulu"]);
    }

    #[test]
    fn uk_mobiles_are_placed_by_country_and_some_numbers_have_several_zones() {
        // A UK mobile says nothing of the place: the country's zones (the Crown
        // dependencies share +44).
        assert_eq!(
            zones("+44 7400 123456"),
            [
                "Europe/Guernsey",
                "Europe/Isle_of_Man",
                "Europe/Jersey",
                "Europe/London"
            ]
        );
        assert_eq!(zones("+7 495 123 4567"), ["Europe/Moscow"]);
        // Mongolia's shared prefixes: two zones, as libphonenumber's own example says.
        assert_eq!(
            zones("+976136234567"),
            ["Asia/Choibalsan", "Asia/Ulaanbaatar"]
        );
    }

    #[test]
    fn every_zone_in_the_map_is_one_herald_can_compute_times_in() {
        for list in map().zones.values() {
            for zone in list {
                assert!(
                    zone.parse::<chrono_tz::Tz>().is_ok(),
                    "{zone} is not in the time-zone database"
                );
            }
        }
    }
}
