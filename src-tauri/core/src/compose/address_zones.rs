//! Time zones from a member's address, when the audience has the columns: a US state or
//! Canadian province (its two-letter code or its name), else a country with a single zone.
//! A state that spans zones gives all of them, so its members get the overlap of their
//! windows (the most restrictive). An address says more than a mobile number, which moves
//! with its owner, so it wins over the number.

/// US states (and DC, territories) and Canadian provinces: code, name, zones.
const REGIONS: &[(&str, &str, &[&str])] = &[
    ("AL", "Alabama", &["America/Chicago"]),
    ("AK", "Alaska", &["America/Anchorage", "America/Adak"]),
    ("AZ", "Arizona", &["America/Phoenix"]),
    ("AR", "Arkansas", &["America/Chicago"]),
    ("CA", "California", &["America/Los_Angeles"]),
    ("CO", "Colorado", &["America/Denver"]),
    ("CT", "Connecticut", &["America/New_York"]),
    ("DE", "Delaware", &["America/New_York"]),
    ("DC", "District of Columbia", &["America/New_York"]),
    ("FL", "Florida", &["America/New_York", "America/Chicago"]),
    ("GA", "Georgia", &["America/New_York"]),
    ("HI", "Hawaii", &["Pacific/Honolulu"]),
    ("ID", "Idaho", &["America/Boise", "America/Los_Angeles"]),
    ("IL", "Illinois", &["America/Chicago"]),
    (
        "IN",
        "Indiana",
        &["America/Indiana/Indianapolis", "America/Chicago"],
    ),
    ("IA", "Iowa", &["America/Chicago"]),
    ("KS", "Kansas", &["America/Chicago", "America/Denver"]),
    ("KY", "Kentucky", &["America/New_York", "America/Chicago"]),
    ("LA", "Louisiana", &["America/Chicago"]),
    ("ME", "Maine", &["America/New_York"]),
    ("MD", "Maryland", &["America/New_York"]),
    ("MA", "Massachusetts", &["America/New_York"]),
    ("MI", "Michigan", &["America/Detroit", "America/Menominee"]),
    ("MN", "Minnesota", &["America/Chicago"]),
    ("MS", "Mississippi", &["America/Chicago"]),
    ("MO", "Missouri", &["America/Chicago"]),
    ("MT", "Montana", &["America/Denver"]),
    ("NE", "Nebraska", &["America/Chicago", "America/Denver"]),
    ("NV", "Nevada", &["America/Los_Angeles"]),
    ("NH", "New Hampshire", &["America/New_York"]),
    ("NJ", "New Jersey", &["America/New_York"]),
    ("NM", "New Mexico", &["America/Denver"]),
    ("NY", "New York", &["America/New_York"]),
    ("NC", "North Carolina", &["America/New_York"]),
    ("ND", "North Dakota", &["America/Chicago", "America/Denver"]),
    ("OH", "Ohio", &["America/New_York"]),
    ("OK", "Oklahoma", &["America/Chicago"]),
    ("OR", "Oregon", &["America/Los_Angeles", "America/Boise"]),
    ("PA", "Pennsylvania", &["America/New_York"]),
    ("RI", "Rhode Island", &["America/New_York"]),
    ("SC", "South Carolina", &["America/New_York"]),
    ("SD", "South Dakota", &["America/Chicago", "America/Denver"]),
    ("TN", "Tennessee", &["America/Chicago", "America/New_York"]),
    ("TX", "Texas", &["America/Chicago", "America/Denver"]),
    ("UT", "Utah", &["America/Denver"]),
    ("VT", "Vermont", &["America/New_York"]),
    ("VA", "Virginia", &["America/New_York"]),
    ("WA", "Washington", &["America/Los_Angeles"]),
    ("WV", "West Virginia", &["America/New_York"]),
    ("WI", "Wisconsin", &["America/Chicago"]),
    ("WY", "Wyoming", &["America/Denver"]),
    ("PR", "Puerto Rico", &["America/Puerto_Rico"]),
    ("GU", "Guam", &["Pacific/Guam"]),
    ("VI", "Virgin Islands", &["America/St_Thomas"]),
    ("AS", "American Samoa", &["Pacific/Pago_Pago"]),
    ("MP", "Northern Mariana Islands", &["Pacific/Saipan"]),
];

const PROVINCES: &[(&str, &str, &[&str])] = &[
    ("AB", "Alberta", &["America/Edmonton"]),
    ("BC", "British Columbia", &["America/Vancouver"]),
    ("MB", "Manitoba", &["America/Winnipeg"]),
    ("NB", "New Brunswick", &["America/Moncton"]),
    (
        "NL",
        "Newfoundland and Labrador",
        &["America/St_Johns", "America/Goose_Bay"],
    ),
    ("NS", "Nova Scotia", &["America/Halifax"]),
    ("NT", "Northwest Territories", &["America/Yellowknife"]),
    (
        "NU",
        "Nunavut",
        &[
            "America/Iqaluit",
            "America/Rankin_Inlet",
            "America/Cambridge_Bay",
        ],
    ),
    ("ON", "Ontario", &["America/Toronto"]),
    ("PE", "Prince Edward Island", &["America/Halifax"]),
    ("QC", "Quebec", &["America/Toronto"]),
    ("SK", "Saskatchewan", &["America/Regina"]),
    ("YT", "Yukon", &["America/Whitehorse"]),
];

/// Countries with one zone (ISO code, name, zone): where most members abroad live.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("GB", "United Kingdom", "Europe/London"),
    ("IE", "Ireland", "Europe/Dublin"),
    ("FR", "France", "Europe/Paris"),
    ("DE", "Germany", "Europe/Berlin"),
    ("NL", "Netherlands", "Europe/Amsterdam"),
    ("BE", "Belgium", "Europe/Brussels"),
    ("IT", "Italy", "Europe/Rome"),
    ("ES", "Spain", "Europe/Madrid"),
    ("CH", "Switzerland", "Europe/Zurich"),
    ("SE", "Sweden", "Europe/Stockholm"),
    ("NO", "Norway", "Europe/Oslo"),
    ("DK", "Denmark", "Europe/Copenhagen"),
    ("PL", "Poland", "Europe/Warsaw"),
    ("IN", "India", "Asia/Kolkata"),
    ("JP", "Japan", "Asia/Tokyo"),
    ("SG", "Singapore", "Asia/Singapore"),
    ("NZ", "New Zealand", "Pacific/Auckland"),
    ("ZA", "South Africa", "Africa/Johannesburg"),
    ("IL", "Israel", "Asia/Jerusalem"),
    ("PH", "Philippines", "Asia/Manila"),
];

/// "New York", "new-york", "N.Y." → "newyork" / "ny".
fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn find<'t>(table: &'t [(&str, &str, &'t [&'t str])], value: &str) -> Option<&'t [&'t str]> {
    let v = fold(value);
    if v.is_empty() {
        return None;
    }
    table
        .iter()
        .find(|(code, name, _)| fold(code) == v || fold(name) == v)
        .map(|(_, _, zones)| *zones)
}

fn is_us(country: &str) -> bool {
    matches!(
        fold(country).as_str(),
        "" | "us" | "usa" | "unitedstates" | "unitedstatesofamerica" | "america"
    )
}

fn is_canada(country: &str) -> bool {
    matches!(fold(country).as_str(), "ca" | "can" | "canada")
}

/// The zones of an address, from its state or province and its country (either may be
/// empty); `None` when it says nothing Herald can place.
pub fn zones_for(state: &str, country: &str) -> Option<&'static [&'static str]> {
    if is_canada(country) {
        if let Some(z) = find(PROVINCES, state) {
            return Some(z);
        }
    } else if is_us(country) {
        if let Some(z) = find(REGIONS, state) {
            return Some(z);
        }
    }
    let c = fold(country);
    if c.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|(code, name, _)| fold(code) == c || fold(name) == c || (c == "uk" && *code == "GB"))
        .map(|(_, _, zone)| std::slice::from_ref(zone))
}

/// The audience's address columns, by their usual names in iMIS and in spreadsheets:
/// (state or province, country).
pub fn address_columns(columns: &[String]) -> (Option<usize>, Option<usize>) {
    let find = |names: &[&str]| {
        columns
            .iter()
            .position(|c| names.contains(&fold(c).as_str()))
    };
    (
        find(&[
            "state",
            "stateprovince",
            "province",
            "stateorprovince",
            "stateprov",
        ]),
        find(&["country", "countrycode", "countryname"]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_provinces_and_countries_by_code_or_name() {
        assert_eq!(zones_for("NY", ""), Some(&["America/New_York"][..]));
        assert_eq!(
            zones_for("new york", "USA"),
            Some(&["America/New_York"][..])
        );
        assert_eq!(
            zones_for("TX", "US"),
            Some(&["America/Chicago", "America/Denver"][..]),
            "a state across two zones gives both (the overlap of their windows applies)"
        );
        assert_eq!(zones_for("BC", "Canada"), Some(&["America/Vancouver"][..]));
        assert_eq!(
            zones_for("", "United Kingdom"),
            Some(&["Europe/London"][..])
        );
        assert_eq!(zones_for("Kent", "UK"), Some(&["Europe/London"][..]));
        assert_eq!(zones_for("", ""), None);
        assert_eq!(zones_for("Atlantis", ""), None);
    }

    #[test]
    fn every_zone_is_known_to_the_time_zone_database() {
        let all = REGIONS
            .iter()
            .chain(PROVINCES)
            .flat_map(|(_, _, z)| z.iter().copied())
            .chain(COUNTRIES.iter().map(|(_, _, z)| *z));
        for z in all {
            assert!(z.parse::<chrono_tz::Tz>().is_ok(), "{z}");
        }
    }

    #[test]
    fn address_columns_are_found_by_their_usual_names() {
        let cols: Vec<String> = ["ID", "Mobile", "State_Province", "Country"]
            .map(String::from)
            .to_vec();
        assert_eq!(address_columns(&cols), (Some(2), Some(3)));
        let none: Vec<String> = ["ID", "Mobile"].map(String::from).to_vec();
        assert_eq!(address_columns(&none), (None, None));
    }
}
