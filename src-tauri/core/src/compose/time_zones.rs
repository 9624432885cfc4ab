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
fn lookup(digits: &str) -> Vec<&'static str> {
    let m = map();
    (1..=m.longest_prefix.min(digits.len()))
        .rev()
        .find_map(|len| m.zones.get(&digits[..len]))
        .cloned()
        .unwrap_or_else(|| vec![UNKNOWN])
}

/// The zones `number` may be in, in libphonenumber's order; `[UNKNOWN]` when it cannot
/// say.
pub fn time_zones(number: &PhoneNumber) -> Vec<&'static str> {
    let geographical = match number.kind() {
        PhoneKind::Unknown => return vec![UNKNOWN],
        PhoneKind::FixedLine | PhoneKind::FixedLineOrMobile => true,
        PhoneKind::Mobile => GEO_MOBILE_COUNTRIES.contains(&number.country_code()),
        _ => false,
    };
    if geographical {
        lookup(&number.e164()[1..])
    } else {
        lookup(&number.country_code().to_string())
    }
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
