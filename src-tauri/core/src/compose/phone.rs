//! Phone numbers: from the messy values found in iMIS membership data to E.164.
//!
//! Two stages:
//!
//! 1. [`clean`] turns what a person typed into an AMS field (`(650) 253-0000 x12`,
//!    `tel:+1-650-253-0000;ext=12`, full-width or Arabic-Indic digits, bidi marks,
//!    `N/A`, …) into a bare candidate: an optional leading `+` followed by ASCII
//!    digits, or says there is no number / no phone number at all.
//! 2. The candidate is parsed, validated and classified exactly as Google's
//!    libphonenumber does (`PhoneNumberUtil.parse`, `isValidNumber`,
//!    `getNumberType`), against the libphonenumber metadata embedded in the
//!    `phonenumber` crate ([`LIBPHONENUMBER_METADATA`]).
//!
//! Why stage 2 is a port and not a call to `phonenumber::parse`: version 0.3.10 of
//! that crate deviates from libphonenumber on ordinary numbers (about 4% of the
//! differential test's cases). It computes no possible lengths for the general
//! description and its length check reads the wrong list, so it takes a leading
//! "country code" off national numbers (Indian mobiles starting with 91, German
//! numbers starting with 49) and misjudges national-prefix stripping; it matches
//! type patterns as prefixes rather than whole numbers; and it drops Italian leading
//! zeros when classifying. It also compiles its regexes through a 100-entry cache
//! behind a global lock. `tests/phone_differential.rs` checks this module against
//! the Python `phonenumbers` package built from the same metadata release. The crate
//! remains the source of the metadata (patterns, prefixes, lengths, examples); the
//! port compiles the patterns itself with `regex` (already a dependency of the crate).
//!
//! Each region's patterns are compiled once, on first use (tens of milliseconds for
//! the first number); after that a parse costs about 1–2 µs in a release build.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use phonenumber::metadata::{Database, Descriptor, Metadata, DATABASE};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

/// The libphonenumber release whose metadata the `phonenumber` crate embeds (the
/// `+9.0.33` build tag of `phonenumber 0.3.10+9.0.33`). The differential test pins the
/// Python `phonenumbers` package to the same release; bump both together.
pub const LIBPHONENUMBER_METADATA: &str = "9.0.33";

// ---------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------

/// A region (ISO 3166-1 alpha-2 code) that the phone metadata knows, such as `US`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region([u8; 2]);

/// A region code that is not an ISO 3166-1 alpha-2 code known to the phone metadata.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown region \"{0}\": expected a two-letter country code such as US, GB or AU")]
pub struct UnknownRegion(pub String);

impl Region {
    /// The United States, Herald's default region.
    pub const US: Region = Region(*b"US");

    /// Parses a two-letter region code, in any case and with surrounding blanks.
    pub fn parse(code: &str) -> Result<Region, UnknownRegion> {
        let trimmed = code.trim();
        let bytes = trimmed.as_bytes();
        if bytes.len() == 2 && bytes.iter().all(u8::is_ascii_alphabetic) {
            let region = Region([bytes[0].to_ascii_uppercase(), bytes[1].to_ascii_uppercase()]);
            if table().regions.contains_key(region.as_str()) {
                return Ok(region);
            }
        }
        Err(UnknownRegion(trimmed.to_string()))
    }

    /// The upper-case code, e.g. `"US"`.
    pub fn as_str(&self) -> &str {
        // Both bytes are ASCII letters (checked in `parse`), so this never fails.
        std::str::from_utf8(&self.0).unwrap_or("ZZ")
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Region({})", self.as_str())
    }
}

impl FromStr for Region {
    type Err = UnknownRegion;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::parse(s)
    }
}

impl Serialize for Region {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Region {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Region::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// What kind of line a valid number is, as libphonenumber classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneKind {
    Mobile,
    FixedLine,
    /// The numbering plan does not tell fixed lines and mobiles apart: all of
    /// US/CA and the rest of the NANP, and some ranges elsewhere.
    FixedLineOrMobile,
    TollFree,
    PremiumRate,
    SharedCost,
    Voip,
    PersonalNumber,
    Pager,
    Uan,
    Voicemail,
    /// Never returned for a parsed number (a valid number always has a kind);
    /// kept so the set mirrors libphonenumber's.
    Unknown,
}

impl PhoneKind {
    /// The serialized name, e.g. `"fixed_line_or_mobile"`.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneKind::Mobile => "mobile",
            PhoneKind::FixedLine => "fixed_line",
            PhoneKind::FixedLineOrMobile => "fixed_line_or_mobile",
            PhoneKind::TollFree => "toll_free",
            PhoneKind::PremiumRate => "premium_rate",
            PhoneKind::SharedCost => "shared_cost",
            PhoneKind::Voip => "voip",
            PhoneKind::PersonalNumber => "personal_number",
            PhoneKind::Pager => "pager",
            PhoneKind::Uan => "uan",
            PhoneKind::Voicemail => "voicemail",
            PhoneKind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for PhoneKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a value is not a number Herald can text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Blank, or a "no number" marker such as `N/A`, `none`, `-`, `unknown`.
    #[error("no number given")]
    Empty,
    /// Text that is not a phone number (letters, or letters mixed into the digits).
    #[error("this does not look like a phone number")]
    NotANumber,
    /// Too few digits (including a local number missing its area code).
    #[error("the number is too short")]
    TooShort,
    #[error("the number is too long")]
    TooLong,
    /// The right length but not a number in use in that numbering plan. `region` is
    /// the region code (`US`), or `+800`-style for non-geographic codes.
    #[error("not a valid number for {region}")]
    InvalidForRegion { region: String },
    #[error("the country code is not valid")]
    InvalidCountryCode,
    /// A valid number that cannot receive texts. Never returned by [`parse`] (which
    /// returns the number with kind `FixedLine`); [`check`] reports it.
    #[error("this is a landline number; it cannot receive texts")]
    Landline,
}

/// A valid phone number in E.164 form. Only [`parse`] makes one, so it is always valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PhoneNumber {
    e164: String,
    kind: PhoneKind,
    #[serde(skip)]
    country_code: u16,
}

impl PhoneNumber {
    /// `+` country code and national significant number, e.g. `+16502530000`.
    pub fn e164(&self) -> &str {
        &self.e164
    }

    pub fn kind(&self) -> PhoneKind {
        self.kind
    }

    /// The country calling code (`1` for the NANP, `44` for the UK).
    pub fn country_code(&self) -> u16 {
        self.country_code
    }

    /// Whether Herald should send to this number.
    ///
    /// False only for `FixedLine`: numbers the metadata places in a landline-only
    /// range. Everything else is sent, including `FixedLineOrMobile` (every US/CA
    /// number), `TollFree` and `Voip` (both can be SMS-enabled), `PersonalNumber`
    /// (usually forwarded to a mobile) and the rare `Pager`/`Uan`/`Voicemail`/
    /// `PremiumRate`/`SharedCost` ranges: the metadata does not prove those cannot
    /// take a text, and a wrongly skipped member is worse than one failed segment,
    /// which Twilio reports (e.g. 30006) and the dashboard shows.
    pub fn is_sendable(&self) -> bool {
        self.kind != PhoneKind::FixedLine
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.e164)
    }
}

/// The result of checking one value, exactly as the CLI prints it:
/// `{"input":…,"e164":…|null,"kind":…|null,"sendable":bool,"error":…|null,
/// "time_zones":[…]}` (`time_zones`: libphonenumber's zones of a valid number, `[]`
/// otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhoneCheck {
    pub input: String,
    pub e164: Option<String>,
    pub kind: Option<PhoneKind>,
    pub sendable: bool,
    pub error: Option<String>,
    pub time_zones: Vec<String>,
}

/// What [`clean`] makes of a raw value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cleaned {
    /// Blank, or a "no number" marker (`N/A`, `none`, `-`, `n.a.`, `unknown`, …).
    Empty,
    /// Text with no usable number: letters only, or letters/symbols among the digits.
    NotANumber,
    /// An optional leading `+` and ASCII digits only: what the libphonenumber
    /// stage receives (and what the differential test hands to the oracle).
    Candidate(String),
}

impl Cleaned {
    /// The candidate text, if any.
    pub fn as_candidate(&self) -> Option<&str> {
        match self {
            Cleaned::Candidate(s) => Some(s),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------
// Public functions
// ---------------------------------------------------------------------------------

/// Parses a raw value into a valid number, using `default_region` for numbers
/// written without a country code (and for its international dialling prefix:
/// `011…` from NANP regions, `00…` from most others; a `+` always works).
///
/// A landline is returned as a number of kind `FixedLine`; see
/// [`PhoneNumber::is_sendable`].
pub fn parse(input: &str, default_region: Region) -> Result<PhoneNumber, PhoneError> {
    match clean(input) {
        Cleaned::Empty => Err(PhoneError::Empty),
        Cleaned::NotANumber => Err(PhoneError::NotANumber),
        Cleaned::Candidate(candidate) => parse_candidate(&candidate, default_region),
    }
}

/// Checks one value for display or the CLI. `error` is set when the value is not a
/// valid number, and also when it is valid but not sendable (a landline).
pub fn check(input: &str, region: Region) -> PhoneCheck {
    match parse(input, region) {
        Ok(number) => {
            let sendable = number.is_sendable();
            let time_zones = super::time_zones::zones_static(&number)
                .iter()
                .map(|z| z.to_string())
                .collect();
            PhoneCheck {
                time_zones,
                input: input.to_string(),
                e164: Some(number.e164),
                kind: Some(number.kind),
                sendable,
                error: (!sendable).then(|| PhoneError::Landline.to_string()),
            }
        }
        Err(error) => PhoneCheck {
            input: input.to_string(),
            e164: None,
            kind: None,
            sendable: false,
            error: Some(error.to_string()),
            time_zones: Vec::new(),
        },
    }
}

/// Cleans a raw value (see the module documentation). Rules, in order:
///
/// - invisible characters are removed (bidi marks and embeddings U+200E/F,
///   U+202A–U+202E, U+2066–U+2069, U+061C; zero-width U+200B–U+200D, U+2060–U+2064,
///   U+FEFF; soft hyphen); every Unicode space (NBSP, U+2000–U+200A, U+3000, tabs,
///   line breaks) becomes a space; full-width forms (`＋１２（）ｘ`) become ASCII;
///   every Unicode decimal digit (Arabic-Indic, Persian, Devanagari, …) becomes
///   its ASCII digit; Unicode dashes become `-`;
/// - nothing but punctuation, or a "no number" marker, is [`Cleaned::Empty`];
/// - a `tel:` URI keeps its number (with a `+…` `phone-context` prefixed);
///   `;ext=` and other parameters are dropped;
/// - a trailing extension is dropped: `x12`, `ext 12`, `ext. 12`, `extn 12`,
///   `extension 12`, `#12`, `ext=12` (1 to 8 digits, after a number);
/// - text before the first digit or `+` (`Cell: `, quotes) is dropped, and so is
///   text after the last digit when a space, bracket, slash or quote sets it apart
///   (` (home)`, `/W`); letters glued to the digits make it [`Cleaned::NotANumber`];
/// - between them only digits and separators (space `-` `.` `/` `(` `)` `[` `]`
///   `~`) may appear, with `+` only in front; anything else (`*`, a second number
///   after `or`, one or two letters) is [`Cleaned::NotANumber`];
/// - a vanity number, with at least three ASCII letters among or glued after the
///   digits (`1-800-FLOWERS`), is read on a phone keypad (`18003569377`), as
///   libphonenumber reads it (letters set apart by a space stay a label, as above);
/// - a spreadsheet's float artefact, `6502530000.0`, loses its `.0`.
///
/// `00…` and `011…` prefixes are kept: whether they are an international prefix
/// depends on the region, which the libphonenumber stage knows.
///
/// Cleaning is idempotent: a candidate cleans to itself.
pub fn clean(input: &str) -> Cleaned {
    let text = normalize_chars(input);

    // Blank values and "no number" markers.
    let core = text.trim_matches(|c: char| !c.is_alphanumeric());
    if core.is_empty() {
        return Cleaned::Empty;
    }
    if is_no_number_marker(&core.to_lowercase()) {
        return Cleaned::Empty;
    }

    let text = strip_uri(&text);
    let chars: Vec<char> = text.chars().collect();
    let Some(chars) = strip_extension(&chars) else {
        return Cleaned::NotANumber;
    };

    let first = chars.iter().position(|&c| c == '+' || c.is_ascii_digit());
    let last = chars.iter().rposition(|c| c.is_ascii_digit());
    let (first, last) = match (first, last) {
        (Some(first), Some(last)) if first <= last => (first, last),
        _ => {
            return if chars.iter().any(|c| c.is_alphanumeric()) {
                Cleaned::NotANumber
            } else {
                Cleaned::Empty
            };
        }
    };

    // Trailing text is a label (`650-253-0000 (home)`) when set apart by a space,
    // bracket, slash or quote; glued to the digits (`1-800-FLOWERS`, `…0000abc`) it is
    // part of the number, up to where a label starts.
    let trailing = &chars[last + 1..];
    let glued = trailing
        .iter()
        .position(|&c| is_label_start(c))
        .unwrap_or(trailing.len());
    let glued_end = trailing[..glued]
        .iter()
        .rposition(|c| c.is_alphanumeric())
        .map_or(last, |i| last + 1 + i);
    if chars[glued_end + 1..].iter().any(|c| c.is_alphabetic())
        && !chars
            .get(glued_end + 1)
            .copied()
            .is_some_and(is_label_start)
    {
        return Cleaned::NotANumber;
    }

    let span = &chars[first..=glued_end];
    // A vanity number: libphonenumber reads letters on a keypad once there are three.
    let vanity = span.iter().filter(|c| c.is_ascii_alphabetic()).count() >= 3;
    // … and only after three digits (libphonenumber's "viable number": `81-BDHLNQ` is not).
    if vanity
        && span
            .iter()
            .take_while(|c| !c.is_ascii_alphabetic())
            .filter(|c| c.is_ascii_digit())
            .count()
            < 3
    {
        return Cleaned::NotANumber;
    }
    let mut candidate = String::with_capacity(span.len());
    let mut in_prefix = true;
    for &c in span {
        match c {
            '+' if in_prefix => {
                if candidate.is_empty() {
                    candidate.push('+');
                }
            }
            '0'..='9' => {
                in_prefix = false;
                candidate.push(c);
            }
            'A'..='Z' | 'a'..='z' if vanity => {
                in_prefix = false;
                candidate.push(keypad_digit(c));
            }
            ' ' | '-' | '.' | '/' | '(' | ')' | '[' | ']' | '~' => {}
            _ => return Cleaned::NotANumber,
        }
    }

    // `6502530000.0`: a number that went through a spreadsheet as a float.
    let body = span.strip_prefix(&['+']).unwrap_or(span);
    if let [digits @ .., '.', '0'] = body {
        if digits.len() >= 6 && digits.iter().all(char::is_ascii_digit) {
            candidate.pop();
        }
    }

    Cleaned::Candidate(candidate)
}

// ---------------------------------------------------------------------------------
// Cleaning helpers
// ---------------------------------------------------------------------------------

/// A character that sets a label apart from the number before it (`650-253-0000 (home)`).
fn is_label_start(c: char) -> bool {
    matches!(
        c,
        ' ' | '('
            | '['
            | '/'
            | '<'
            | '"'
            | '\''
            | '\u{201C}'
            | '\u{201D}'
            | '\u{2018}'
            | '\u{2019}'
            | ','
            | ';'
    )
}

/// The digit a letter is on, on a phone keypad (ITU E.161): ABC 2, DEF 3, … WXYZ 9.
fn keypad_digit(letter: char) -> char {
    match letter.to_ascii_uppercase() {
        'A'..='C' => '2',
        'D'..='F' => '3',
        'G'..='I' => '4',
        'J'..='L' => '5',
        'M'..='O' => '6',
        'P'..='S' => '7',
        'T'..='V' => '8',
        _ => '9',
    }
}

/// Zero points of the Unicode decimal-digit (Nd) runs, each ten code points long.
const DIGIT_ZEROS: [u32; 66] = [
    0x30, 0x660, 0x6F0, 0x7C0, 0x966, 0x9E6, 0xA66, 0xAE6, 0xB66, 0xBE6, 0xC66, 0xCE6, 0xD66,
    0xDE6, 0xE50, 0xED0, 0xF20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80, 0x1A90,
    0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0, 0xFF10,
    0x104A0, 0x10D30, 0x11066, 0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650,
    0x116C0, 0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0, 0x16B50,
    0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0, 0x1E950, 0x1FBF0,
];

fn decimal_digit(c: char) -> Option<char> {
    let code = c as u32;
    let index = DIGIT_ZEROS.partition_point(|&zero| zero <= code);
    let zero = *DIGIT_ZEROS.get(index.checked_sub(1)?)?;
    let value = code - zero;
    (value < 10).then(|| char::from(b'0' + value as u8))
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

fn normalize_chars(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if is_invisible(c) {
            continue;
        }
        if let Some(digit) = decimal_digit(c) {
            out.push(digit);
            continue;
        }
        // Full-width ASCII forms (＋ （ ） ｘ …).
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        match c {
            c if c.is_whitespace() => out.push(' '),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{30FC}' | '\u{FE58}' | '\u{FE63}' => {
                out.push('-')
            }
            '\u{2053}' | '\u{223C}' | '\u{301C}' => out.push('~'),
            c => out.push(c),
        }
    }
    out
}

fn is_no_number_marker(core: &str) -> bool {
    matches!(
        core,
        "n/a"
            | "n.a"
            | "n a"
            | "n-a"
            | "na"
            | "none"
            | "null"
            | "nil"
            | "unknown"
            | "not available"
            | "not applicable"
            | "no number"
            | "no phone"
            | "tbd"
            | "tba"
    )
}

/// `tel:+1-650-253-0000;ext=12` → `+1-650-253-0000`; `tel:253-0000;phone-context=+1-650`
/// → `+1-650253-0000`; a plain value with `;ext=…` loses it.
fn strip_uri(text: &str) -> String {
    let trimmed = text.trim();
    let lower = trimmed.to_ascii_lowercase();
    if lower.starts_with("tel:") {
        let rest = &trimmed[4..];
        let mut parts = rest.split(';');
        let number = parts.next().unwrap_or("");
        let context = parts.find_map(|p| {
            let (key, value) = p.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("phone-context")
                .then_some(value.trim())
        });
        match context {
            Some(context) if context.starts_with('+') && !number.trim().starts_with('+') => {
                format!("{context}{number}")
            }
            _ => number.to_string(),
        }
    } else if let Some(at) = lower.find(";ext=") {
        trimmed[..at].to_string()
    } else {
        trimmed.to_string()
    }
}

/// Drops a trailing extension (`x12`, `ext. 12`, `extension 12`, `#12`, …). `None`
/// when there is an extension but no number before it (`ext 12`).
fn strip_extension(chars: &[char]) -> Option<Vec<char>> {
    const MARKERS: [&str; 7] = ["extension", "extn", "ext", "ex", "x", "#", "ext="];
    let end = match chars.iter().rposition(|c| c.is_alphanumeric()) {
        Some(i) => i + 1,
        None => return Some(chars.to_vec()),
    };
    let mut start = end;
    while start > 0 && chars[start - 1].is_ascii_digit() {
        start -= 1;
    }
    let digits = end - start;
    if digits == 0 || digits > 8 {
        return Some(chars.to_vec());
    }
    let mut before = start;
    while before > 0 && matches!(chars[before - 1], ' ' | ':' | '.' | '-' | '=') {
        before -= 1;
    }
    for marker in MARKERS {
        let marker: Vec<char> = marker.chars().collect();
        if before < marker.len() {
            continue;
        }
        let at = before - marker.len();
        let matches = chars[at..before]
            .iter()
            .zip(&marker)
            .all(|(c, m)| c.to_ascii_lowercase() == *m);
        let word_start = at == 0 || !chars[at - 1].is_alphabetic();
        if matches && word_start {
            let number = &chars[..at];
            return number
                .iter()
                .any(char::is_ascii_digit)
                .then(|| number.to_vec());
        }
    }
    Some(chars.to_vec())
}

// ---------------------------------------------------------------------------------
// Metadata, compiled per region on first use
// ---------------------------------------------------------------------------------

struct Table {
    /// Geographic regions by id.
    regions: HashMap<&'static str, Slot>,
    /// Non-geographic entities (`001`) by country calling code.
    non_geo: HashMap<u16, Slot>,
    /// Country calling code to region ids, main region first (as libphonenumber).
    by_code: HashMap<u16, Vec<&'static str>>,
}

struct Slot {
    meta: &'static Metadata,
    rules: OnceLock<Rules>,
}

impl Slot {
    fn rules(&self) -> &Rules {
        self.rules.get_or_init(|| Rules::new(self.meta))
    }
}

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let db: &'static Database = &DATABASE;
        let mut regions = HashMap::new();
        let mut non_geo = HashMap::new();
        let mut by_code = HashMap::new();
        for code in 1..1000u16 {
            let (Some(ids), Some(metas)) = (db.region(&code), db.by_code(&code)) else {
                continue;
            };
            for (&id, meta) in ids.iter().zip(metas) {
                let slot = Slot {
                    meta,
                    rules: OnceLock::new(),
                };
                if id == "001" {
                    non_geo.insert(code, slot);
                } else {
                    regions.insert(id, slot);
                }
            }
            by_code.insert(code, ids);
        }
        Table {
            regions,
            non_geo,
            by_code,
        }
    })
}

impl Table {
    fn rules(&self, code: u16, id: &str) -> Option<&Rules> {
        let slot = if id == "001" {
            self.non_geo.get(&code)
        } else {
            self.regions.get(id)
        };
        slot.map(Slot::rules)
    }

    /// libphonenumber's `getRegionCodeForCountryCode` metadata.
    fn main_rules(&self, code: u16) -> Option<&Rules> {
        let id = self.by_code.get(&code)?.first()?;
        self.rules(code, id)
    }
}

/// One numbering-plan description (general, fixed line, mobile, …).
struct Desc {
    /// Whole-number match; `None` only if the pattern failed to compile (a unit
    /// test checks that never happens).
    pattern: Option<Regex>,
    lengths: Vec<u16>,
    local_only: Vec<u16>,
}

impl Desc {
    fn new(desc: &Descriptor) -> Desc {
        Desc {
            pattern: compile(desc.national_number().as_str(), true),
            lengths: desc.possible_length().to_vec(),
            local_only: desc.possible_local_length().to_vec(),
        }
    }

    /// libphonenumber's `matchNationalNumber` (pattern only).
    fn pattern_matches(&self, nsn: &str) -> bool {
        self.pattern.as_ref().is_some_and(|re| re.is_match(nsn))
    }

    /// libphonenumber's `isNumberMatchingDesc` (lengths, then pattern).
    fn matches(&self, nsn: &str) -> bool {
        let len = nsn.len() as u16;
        (self.lengths.is_empty() || self.lengths.contains(&len)) && self.pattern_matches(nsn)
    }
}

struct Rules {
    id: &'static str,
    country_code: u16,
    general: Desc,
    /// Checked in libphonenumber's order, before fixed line and mobile.
    special: Vec<(PhoneKind, Desc)>,
    fixed_line: Option<Desc>,
    mobile: Option<Desc>,
    same_mobile_and_fixed_line_pattern: bool,
    /// Anchored at the start.
    international_prefix: Option<Regex>,
    /// Anchored at the start.
    national_prefix_for_parsing: Option<Regex>,
    /// With `$1` rewritten as `${1}`.
    national_prefix_transform_rule: Option<String>,
    /// Anchored at the start.
    leading_digits: Option<Regex>,
}

impl Rules {
    fn new(meta: &'static Metadata) -> Rules {
        let d = meta.descriptors();
        let types = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ];
        // The metadata build computes the general description's possible lengths as
        // the union over the number types (the XML leaves them out); local-only
        // lengths that are also full lengths are dropped.
        let mut lengths: Vec<u16> = types
            .iter()
            .flatten()
            .flat_map(|t| t.possible_length().iter().copied())
            .collect();
        lengths.sort_unstable();
        lengths.dedup();
        let mut local_only: Vec<u16> = types
            .iter()
            .flatten()
            .flat_map(|t| t.possible_local_length().iter().copied())
            .filter(|l| !lengths.contains(l))
            .collect();
        local_only.sort_unstable();
        local_only.dedup();
        let general = Desc {
            pattern: compile(d.general().national_number().as_str(), true),
            lengths,
            local_only,
        };

        let special = [
            (PhoneKind::PremiumRate, d.premium_rate()),
            (PhoneKind::TollFree, d.toll_free()),
            (PhoneKind::SharedCost, d.shared_cost()),
            (PhoneKind::Voip, d.voip()),
            (PhoneKind::PersonalNumber, d.personal_number()),
            (PhoneKind::Pager, d.pager()),
            (PhoneKind::Uan, d.uan()),
            (PhoneKind::Voicemail, d.voicemail()),
        ]
        .into_iter()
        .filter_map(|(kind, desc)| desc.map(|desc| (kind, Desc::new(desc))))
        .collect();

        let same_mobile_and_fixed_line_pattern = match (d.fixed_line(), d.mobile()) {
            (None, None) => true,
            (Some(f), Some(m)) => {
                strip_ws(f.national_number().as_str()) == strip_ws(m.national_number().as_str())
            }
            _ => false,
        };

        // Without an explicit nationalPrefixForParsing the national prefix is used.
        let national_prefix_for_parsing = meta
            .national_prefix_for_parsing()
            .map(|re| re.as_str().to_string())
            .or_else(|| meta.national_prefix().map(regex::escape))
            .filter(|p| !p.trim().is_empty())
            .and_then(|p| compile(&p, false));

        Rules {
            id: meta.id(),
            country_code: meta.country_code(),
            general,
            special,
            fixed_line: d.fixed_line().map(Desc::new),
            mobile: d.mobile().map(Desc::new),
            same_mobile_and_fixed_line_pattern,
            international_prefix: meta
                .international_prefix()
                .and_then(|re| compile(re.as_str(), false)),
            national_prefix_for_parsing,
            national_prefix_transform_rule: meta
                .national_prefix_transform_rule()
                .filter(|r| !r.is_empty())
                .map(braced_groups),
            leading_digits: meta
                .leading_digits()
                .and_then(|re| compile(re.as_str(), false)),
        }
    }

    /// How the region names itself in errors: `US`, or `+800` for non-geographic codes.
    fn display_name(&self) -> String {
        if self.id == "001" {
            format!("+{}", self.country_code)
        } else {
            self.id.to_string()
        }
    }
}

fn strip_ws(pattern: &str) -> String {
    pattern.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Compiles a metadata pattern anchored at the start (`whole`: at both ends).
/// The input is ASCII digits only, so ASCII `\d` is used where the pattern allows.
fn compile(pattern: &str, whole: bool) -> Option<Regex> {
    let pattern = strip_ws(pattern);
    let source = if whole {
        format!("^(?:{pattern})$")
    } else {
        format!("^(?:{pattern})")
    };
    RegexBuilder::new(&source)
        .unicode(false)
        .build()
        .or_else(|_| Regex::new(&source))
        .ok()
}

/// `268$1` → `268${1}` so that a digit after a group reference stays literal.
fn braced_groups(rule: &str) -> String {
    let mut out = String::with_capacity(rule.len() + 4);
    let mut chars = rule.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push_str("${");
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                out.push(d);
                chars.next();
            }
            out.push('}');
        } else {
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------------
// libphonenumber's parse, validation and classification, on a cleaned candidate
// ---------------------------------------------------------------------------------

const MIN_LENGTH_FOR_NSN: usize = 2;
const MAX_LENGTH_FOR_NSN: usize = 17;
const MAX_LENGTH_COUNTRY_CODE: usize = 3;
const MAX_INPUT_STRING_LENGTH: usize = 250;

/// libphonenumber's `NumberParseException` reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParseFailure {
    NotANumber,
    InvalidCountryCode,
    TooShortAfterIdd,
    TooShortNsn,
    TooLong,
}

impl From<ParseFailure> for PhoneError {
    fn from(failure: ParseFailure) -> PhoneError {
        match failure {
            ParseFailure::NotANumber => PhoneError::NotANumber,
            ParseFailure::InvalidCountryCode => PhoneError::InvalidCountryCode,
            ParseFailure::TooShortAfterIdd | ParseFailure::TooShortNsn => PhoneError::TooShort,
            ParseFailure::TooLong => PhoneError::TooLong,
        }
    }
}

/// libphonenumber's `ValidationResult` for lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LengthCheck {
    Possible,
    PossibleLocalOnly,
    TooShort,
    InvalidLength,
    TooLong,
}

/// `testNumberLength` against the general description.
fn test_length(nsn: &str, rules: &Rules) -> LengthCheck {
    let len = nsn.len() as u16;
    let lengths = &rules.general.lengths;
    if rules.general.local_only.contains(&len) {
        return LengthCheck::PossibleLocalOnly;
    }
    let (Some(&min), Some(&max)) = (lengths.first(), lengths.last()) else {
        return LengthCheck::InvalidLength;
    };
    if len == min {
        LengthCheck::Possible
    } else if len < min {
        LengthCheck::TooShort
    } else if len > max {
        LengthCheck::TooLong
    } else if lengths.contains(&len) {
        LengthCheck::Possible
    } else {
        LengthCheck::InvalidLength
    }
}

fn parse_candidate(candidate: &str, region: Region) -> Result<PhoneNumber, PhoneError> {
    let table = table();
    let rules = table
        .regions
        .get(region.as_str())
        .map(Slot::rules)
        .ok_or(PhoneError::InvalidCountryCode)?;
    let (code, nsn) = parse_to_nsn(table, candidate, rules)?;
    let kind = classify(table, code, &nsn)?;
    Ok(PhoneNumber {
        e164: format!("+{code}{nsn}"),
        kind,
        country_code: code,
    })
}

/// `PhoneNumberUtil.parse` for a candidate (`+` and ASCII digits): the country
/// calling code and the national significant number.
fn parse_to_nsn(
    table: &Table,
    number: &str,
    region: &Rules,
) -> Result<(u16, String), ParseFailure> {
    if number.len() > MAX_INPUT_STRING_LENGTH {
        return Err(ParseFailure::TooLong);
    }
    let after_plus = number.trim_start_matches('+');
    let has_plus = after_plus.len() != number.len();
    if !after_plus.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParseFailure::NotANumber);
    }
    // isViablePhoneNumber: two digits, or three or more after any plus signs.
    let viable = (!has_plus && after_plus.len() == MIN_LENGTH_FOR_NSN) || after_plus.len() >= 3;
    if number.len() < MIN_LENGTH_FOR_NSN || !viable {
        return Err(ParseFailure::NotANumber);
    }

    let (code, national) = match extract_country_code(table, number, region) {
        Ok(found) => found,
        Err(ParseFailure::InvalidCountryCode) if has_plus => {
            // Strip the plus signs and try again (e.g. `+0044…` dialled from GB).
            match extract_country_code(table, after_plus, region)? {
                (0, _) => return Err(ParseFailure::InvalidCountryCode),
                found => found,
            }
        }
        Err(failure) => return Err(failure),
    };

    let (code, rules, mut national) = if code != 0 {
        let rules = table
            .main_rules(code)
            .ok_or(ParseFailure::InvalidCountryCode)?;
        (code, rules, national)
    } else {
        (region.country_code, region, after_plus.to_string())
    };

    if national.len() < MIN_LENGTH_FOR_NSN {
        return Err(ParseFailure::TooShortNsn);
    }
    if let Some(stripped) = strip_national_prefix(&national, rules) {
        // Keep the stripping only if what remains can be a whole number.
        if !matches!(
            test_length(&stripped, rules),
            LengthCheck::TooShort | LengthCheck::PossibleLocalOnly | LengthCheck::InvalidLength
        ) {
            national = stripped;
        }
    }
    if national.len() < MIN_LENGTH_FOR_NSN {
        return Err(ParseFailure::TooShortNsn);
    }
    if national.len() > MAX_LENGTH_FOR_NSN {
        return Err(ParseFailure::TooLong);
    }
    Ok((code, national))
}

/// `maybeExtractCountryCode`: `(0, "")` when the number has no country code.
fn extract_country_code(
    table: &Table,
    number: &str,
    region: &Rules,
) -> Result<(u16, String), ParseFailure> {
    if number.is_empty() {
        return Ok((0, String::new()));
    }
    let (international, full) = if let Some(rest) = number.strip_prefix('+') {
        (true, rest.trim_start_matches('+'))
    } else {
        // An international dialling prefix of the default region (`011`, `00`, …),
        // unless a 0 follows it (country codes never start with 0).
        match region
            .international_prefix
            .as_ref()
            .and_then(|re| re.find(number))
        {
            Some(m) if !number[m.end()..].starts_with('0') => (true, &number[m.end()..]),
            _ => (false, number),
        }
    };

    if international {
        if full.len() <= MIN_LENGTH_FOR_NSN {
            return Err(ParseFailure::TooShortAfterIdd);
        }
        if !full.starts_with('0') {
            for len in 1..=MAX_LENGTH_COUNTRY_CODE.min(full.len()) {
                if let Ok(code) = full[..len].parse::<u16>() {
                    if table.by_code.contains_key(&code) {
                        return Ok((code, full[len..].to_string()));
                    }
                }
            }
        }
        return Err(ParseFailure::InvalidCountryCode);
    }

    // The default region's country code written without a plus (`1 650…` in US,
    // `44 7400…` in GB): taken as such if the number makes more sense without it.
    let code = region.country_code.to_string();
    if let Some(rest) = full.strip_prefix(code.as_str()) {
        let potential = strip_national_prefix(rest, region).unwrap_or_else(|| rest.to_string());
        if (!region.general.pattern_matches(full) && region.general.pattern_matches(&potential))
            || test_length(full, region) == LengthCheck::TooLong
        {
            return Ok((region.country_code, potential));
        }
    }
    Ok((0, String::new()))
}

/// `maybeStripNationalPrefixAndCarrierCode`: the number without its national prefix
/// (or transformed by the region's rule), if one was found and removing it keeps a
/// viable number.
fn strip_national_prefix(number: &str, rules: &Rules) -> Option<String> {
    if number.is_empty() {
        return None;
    }
    let pattern = rules.national_prefix_for_parsing.as_ref()?;
    let captures = pattern.captures(number)?;
    let whole = captures.get(0)?;
    let viable_original = rules.general.pattern_matches(number);
    let groups = captures.len() - 1;
    let result = match &rules.national_prefix_transform_rule {
        Some(rule) if groups > 0 && captures.get(groups).is_some() => {
            let mut transformed = String::new();
            captures.expand(rule, &mut transformed);
            transformed.push_str(&number[whole.end()..]);
            transformed
        }
        _ => number[whole.end()..].to_string(),
    };
    if viable_original && !rules.general.pattern_matches(&result) {
        return None;
    }
    Some(result)
}

/// `getRegionCodeForNumber`: which region's rules apply to a number.
fn region_rules<'t>(table: &'t Table, code: u16, nsn: &str) -> Option<&'t Rules> {
    let ids = table.by_code.get(&code)?;
    if let [only] = ids.as_slice() {
        return table.rules(code, only);
    }
    ids.iter()
        .filter_map(|id| table.rules(code, id))
        .find(|rules| match &rules.leading_digits {
            Some(leading) => leading.is_match(nsn),
            None => number_type(nsn, rules) != PhoneKind::Unknown,
        })
}

/// `getNumberTypeHelper`.
fn number_type(nsn: &str, rules: &Rules) -> PhoneKind {
    if !rules.general.matches(nsn) {
        return PhoneKind::Unknown;
    }
    if let Some((kind, _)) = rules.special.iter().find(|(_, desc)| desc.matches(nsn)) {
        return *kind;
    }
    let is = |desc: &Option<Desc>| desc.as_ref().is_some_and(|d| d.matches(nsn));
    if is(&rules.fixed_line) {
        if rules.same_mobile_and_fixed_line_pattern || is(&rules.mobile) {
            return PhoneKind::FixedLineOrMobile;
        }
        return PhoneKind::FixedLine;
    }
    if !rules.same_mobile_and_fixed_line_pattern && is(&rules.mobile) {
        return PhoneKind::Mobile;
    }
    PhoneKind::Unknown
}

/// `isValidNumber` + `getNumberType`, or why the number is not valid
/// (`isPossibleNumberWithReason`).
fn classify(table: &Table, code: u16, nsn: &str) -> Result<PhoneKind, PhoneError> {
    if let Some(rules) = region_rules(table, code, nsn) {
        let kind = number_type(nsn, rules);
        if kind != PhoneKind::Unknown {
            return Ok(kind);
        }
    }
    let main = table
        .main_rules(code)
        .ok_or(PhoneError::InvalidCountryCode)?;
    Err(match test_length(nsn, main) {
        LengthCheck::TooShort | LengthCheck::PossibleLocalOnly => PhoneError::TooShort,
        LengthCheck::TooLong => PhoneError::TooLong,
        LengthCheck::Possible | LengthCheck::InvalidLength => PhoneError::InvalidForRegion {
            region: main.display_name(),
        },
    })
}

// ---------------------------------------------------------------------------------
// Test support
// ---------------------------------------------------------------------------------

/// For the differential test: the general description's possible and local-only
/// lengths of a region, as libphonenumber's metadata build computes them (`None`
/// for an unknown region).
#[doc(hidden)]
pub fn debug_general_lengths(region: &str) -> Option<(Vec<u16>, Vec<u16>)> {
    let table = table();
    let rules = table.regions.get(region).map(Slot::rules)?;
    Some((
        rules.general.lengths.clone(),
        rules.general.local_only.clone(),
    ))
}

/// For the differential test: the region ids that share each country calling code,
/// main region first.
#[doc(hidden)]
pub fn debug_regions_by_code() -> Vec<(u16, Vec<String>)> {
    let table = table();
    let mut all: Vec<(u16, Vec<String>)> = table
        .by_code
        .iter()
        .map(|(code, ids)| (*code, ids.iter().map(|s| s.to_string()).collect()))
        .collect();
    all.sort();
    all
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn us() -> Region {
        Region::US
    }

    fn region(code: &str) -> Region {
        Region::parse(code).expect("known region")
    }

    fn e164(input: &str, region: Region) -> String {
        match parse(input, region) {
            Ok(n) => n.e164().to_string(),
            Err(e) => panic!("{input:?} in {region}: {e}"),
        }
    }

    // --- Region ---

    #[test]
    fn region_parse() {
        assert_eq!(Region::parse("us"), Ok(Region::US));
        assert_eq!(
            Region::parse(" gb ").map(|r| r.to_string()),
            Ok("GB".into())
        );
        assert_eq!(Region::parse("XX"), Err(UnknownRegion("XX".into())));
        assert!(Region::parse("XX")
            .unwrap_err()
            .to_string()
            .contains("\"XX\""));
        assert!(Region::parse("001").is_err());
        assert!(Region::parse("USA").is_err());
        assert!(Region::parse("").is_err());
        assert_eq!(format!("{:?}", Region::US), "Region(US)");
        let json = serde_json::to_string(&region("NZ")).unwrap();
        assert_eq!(json, "\"NZ\"");
        assert_eq!(
            serde_json::from_str::<Region>("\"nz\"").unwrap(),
            region("NZ")
        );
        assert!(serde_json::from_str::<Region>("\"QQ\"").is_err());
    }

    #[test]
    fn every_region_compiles() {
        let table = table();
        for (code, ids) in &table.by_code {
            for id in ids {
                let rules = table.rules(*code, id).expect("rules");
                assert!(rules.general.pattern.is_some(), "{id}");
                for (_, d) in &rules.special {
                    assert!(d.pattern.is_some(), "{id}");
                }
                for d in [&rules.fixed_line, &rules.mobile].into_iter().flatten() {
                    assert!(d.pattern.is_some(), "{id}");
                }
                assert!(!rules.general.lengths.is_empty(), "{id}");
            }
        }
        assert!(table.regions.len() > 240);
    }

    // --- messy inputs ---

    #[test]
    fn us_formats() {
        for input in [
            "(650) 253-0000",
            "650.253.0000",
            "650-253-0000",
            "6502530000",
            "+1 650 253 0000",
            "+1 (650) 253-0000",
            "1-650-253-0000",
            "1 (650) 253 0000",
            "+16502530000",
            "011 1 650 253 0000",
            "650 253 0000",
            "650/253-0000",
            "[650] 253 0000",
        ] {
            assert_eq!(e164(input, us()), "+16502530000", "{input}");
        }
        let n = parse("(650) 253-0000", us()).unwrap();
        assert_eq!(n.kind(), PhoneKind::FixedLineOrMobile);
        assert!(n.is_sendable());
    }

    #[test]
    fn imis_doc_examples() {
        // The formats note's own example uses the fictional 555 area code.
        assert_eq!(
            parse("(555) 201-3344", us()),
            Err(PhoneError::InvalidForRegion {
                region: "US".into()
            })
        );
        assert_eq!(
            parse("5552013344 ext 2", us()),
            Err(PhoneError::InvalidForRegion {
                region: "US".into()
            })
        );
        // 201-555-01xx is fictional by convention, but valid in the metadata.
        assert_eq!(e164("201-555-0123", us()), "+12015550123");
        let au = parse("+61412345678", us()).unwrap();
        assert_eq!((au.e164(), au.kind()), ("+61412345678", PhoneKind::Mobile));
    }

    #[test]
    fn international_prefixes() {
        // 011 is the international prefix from NANP, 00 from most of the world.
        assert_eq!(e164("011 44 7400 123456", us()), "+447400123456");
        assert_eq!(e164("00 44 7400 123456", region("DE")), "+447400123456");
        assert_eq!(e164("0044 7400 123456", region("GB")), "+447400123456");
        assert_eq!(e164("00 1 650 253 0000", region("FR")), "+16502530000");
        assert_eq!(e164("0011 44 7400 123456", region("AU")), "+447400123456");
        // 00 is not an international prefix from the US.
        assert!(parse("0044 7400 123456", us()).is_err());
        // …and 011 is not one from GB.
        assert!(parse("011 1 650 253 0000", region("GB")).is_err());
        // A plus before an IDD is tolerated, as by libphonenumber.
        assert_eq!(e164("+0044 7400 123456", region("GB")), "+447400123456");
    }

    #[test]
    fn national_formats() {
        assert_eq!(e164("07400 123456", region("GB")), "+447400123456");
        assert_eq!(e164("+44 (0) 7400 123456", region("GB")), "+447400123456");
        assert_eq!(e164("0412 345 678", region("AU")), "+61412345678");
        assert_eq!(e164("021 123 4567", region("NZ")), "+64211234567");
        assert_eq!(e164("0151 23456789", region("DE")), "+4915123456789");
        assert_eq!(e164("06 12 34 56 78", region("FR")), "+33612345678");
        assert_eq!(e164("081234 56789", region("IN")), "+918123456789");
        // An Indian mobile starting with 91 keeps its 91 (the crate strips it).
        assert_eq!(e164("91234 56789", region("IN")), "+919123456789");
        let gb_landline = parse("020 7946 0000", region("GB")).unwrap();
        assert_eq!(gb_landline.kind(), PhoneKind::FixedLine);
        assert!(!gb_landline.is_sendable());
    }

    #[test]
    fn extensions_are_dropped() {
        for input in [
            "650-253-0000 x12",
            "650-253-0000x12",
            "650-253-0000 X 12",
            "650-253-0000 x. 12",
            "650-253-0000 ext. 12",
            "650-253-0000 ext 12",
            "650-253-0000 Ext: 12",
            "650-253-0000 extn 12",
            "650-253-0000 #12",
            "650-253-0000 extension 12",
            "650-253-0000 EXTENSION 1234",
            "650-253-0000 (ext. 12)",
            "650-253-0000;ext=12",
        ] {
            assert_eq!(e164(input, us()), "+16502530000", "{input}");
        }
    }

    #[test]
    fn tel_uris() {
        assert_eq!(e164("tel:+1-650-253-0000;ext=12", us()), "+16502530000");
        assert_eq!(e164("TEL:+1-650-253-0000", region("GB")), "+16502530000");
        assert_eq!(
            e164("tel:253-0000;phone-context=+1-650", region("GB")),
            "+16502530000"
        );
        assert_eq!(e164("tel:6502530000", us()), "+16502530000");
    }

    #[test]
    fn unicode_inputs() {
        // Full-width plus, digits and parentheses.
        assert_eq!(e164("＋１ ６５０ ２５３ ００００", us()), "+16502530000");
        assert_eq!(e164("（６５０）２５３－００００", us()), "+16502530000");
        // Arabic-Indic and Persian digits.
        assert_eq!(e164("+١ ٦٥٠ ٢٥٣ ٠٠٠٠", us()), "+16502530000");
        assert_eq!(e164("۶۵۰۲۵۳۰۰۰۰", us()), "+16502530000");
        // Devanagari.
        assert_eq!(e164("+९१ ८१२३४ ५६७८९", us()), "+918123456789");
        // Bidi marks and isolates, as pasted from right-to-left text.
        assert_eq!(
            e164("\u{200E}+1 650 253 0000\u{200F}", us()),
            "+16502530000"
        );
        assert_eq!(
            e164("\u{202A}+1\u{202C} 650\u{2066}253\u{2069}0000", us()),
            "+16502530000"
        );
        assert_eq!(
            e164("\u{202B}\u{202D}\u{202E}6502530000", us()),
            "+16502530000"
        );
        // Zero-width spaces, joiners, BOM, soft hyphen.
        assert_eq!(
            e164("650\u{200B}253\u{200C}0000\u{FEFF}", us()),
            "+16502530000"
        );
        assert_eq!(
            e164("\u{FEFF}650\u{2060}253\u{00AD}0000", us()),
            "+16502530000"
        );
        // NBSP, narrow NBSP, thin space, ideographic space, tabs, line breaks.
        assert_eq!(e164("650\u{00A0}253\u{202F}0000", us()), "+16502530000");
        assert_eq!(e164("650\u{2009}253\u{3000}0000", us()), "+16502530000");
        assert_eq!(e164("\t650 253 0000\r\n", us()), "+16502530000");
        // Unicode dashes.
        assert_eq!(e164("650\u{2013}253\u{2014}0000", us()), "+16502530000");
        assert_eq!(e164("650\u{2212}253\u{2010}0000", us()), "+16502530000");
    }

    #[test]
    fn surrounding_junk() {
        for input in [
            "\"650-253-0000\"",
            "'650-253-0000'",
            "'+1 650 253 0000",
            "  650-253-0000  ",
            "“650-253-0000”",
            "Cell: 650-253-0000",
            "mobile 650 253 0000",
            "650-253-0000 (mobile)",
            "650-253-0000.",
            "<650-253-0000>",
            "6502530000.0",
        ] {
            assert_eq!(e164(input, us()), "+16502530000", "{input}");
        }
    }

    #[test]
    fn no_number_markers_are_empty() {
        for input in [
            "",
            " ",
            "\u{00A0}",
            "\u{200E}",
            "N/A",
            "n/a",
            "NA",
            "n.a.",
            "N.A.",
            "none",
            "None",
            "NONE",
            "-",
            "--",
            "---",
            ".",
            "unknown",
            "Unknown",
            "(none)",
            "\"N/A\"",
            "null",
            "TBD",
            "not available",
            "no number",
            "+",
        ] {
            assert_eq!(parse(input, us()), Err(PhoneError::Empty), "{input:?}");
            assert_eq!(clean(input), Cleaned::Empty, "{input:?}");
        }
    }

    #[test]
    fn vanity_numbers_are_read_on_a_keypad() {
        for (input, e164) in [
            ("1-800-FLOWERS", "+18003569377"),
            ("1-800-flowers", "+18003569377"),
            ("+1-800-GOT-JUNK", "+18004685865"),
            ("800-MY-APPLE", "+18006927753"),
            ("1-800-FLOWERS (toll free)", "+18003569377"),
        ] {
            assert_eq!(
                parse(input, us()).map(|n| n.e164().to_string()),
                Ok(e164.to_string()),
                "{input:?}"
            );
        }
        // Three letters glued on make a number too long, as libphonenumber reads it.
        assert_eq!(
            clean("6502530000abc"),
            Cleaned::Candidate("6502530000222".into())
        );
        assert!(parse("6502530000abc", us()).is_err());
        // Letters need three digits before them, as libphonenumber's viable numbers do.
        assert_eq!(clean("81-BDHLNQ"), Cleaned::NotANumber);
        // Cleaning stays idempotent.
        assert_eq!(
            clean("18003569377"),
            Cleaned::Candidate("18003569377".into())
        );
    }

    #[test]
    fn not_a_number() {
        for input in [
            "abc",
            "call me",
            "mobile",
            "x",
            "ext 12",
            "650 253 0000 or 650 253 0001",
            "650*253*0000",
            "6502530000ab",
            "1",
            "+12",
        ] {
            assert_eq!(parse(input, us()), Err(PhoneError::NotANumber), "{input:?}");
        }
    }

    #[test]
    fn short_long_invalid() {
        assert_eq!(parse("253-0000", us()), Err(PhoneError::TooShort)); // local only
        assert_eq!(parse("12345", us()), Err(PhoneError::TooShort));
        assert_eq!(
            parse("650 253 0000 0000 0000", us()),
            Err(PhoneError::TooLong)
        );
        assert_eq!(parse(&"9".repeat(300), us()), Err(PhoneError::TooLong));
        assert_eq!(
            parse("+999 123 456 789", us()),
            Err(PhoneError::InvalidCountryCode)
        );
        assert_eq!(parse("+44 1234 56", us()), Err(PhoneError::TooShort)); // local only
        assert_eq!(
            parse("+44 7400 12345", us()),
            Err(PhoneError::InvalidForRegion {
                region: "GB".into()
            })
        );
        assert_eq!(
            parse("+800 0123 4567", us()),
            Err(PhoneError::InvalidForRegion {
                region: "+800".into()
            })
        );
    }

    #[test]
    fn kinds_and_sendable() {
        let cases = [
            ("+44 7400 123456", PhoneKind::Mobile, true),
            ("+44 20 7946 0000", PhoneKind::FixedLine, false),
            ("+1 800 234 5678", PhoneKind::TollFree, true),
            ("+1 900 234 5678", PhoneKind::PremiumRate, true),
            ("+44 56 1234 5678", PhoneKind::Voip, true),
            ("+44 70 1234 5678", PhoneKind::PersonalNumber, true),
            ("+44 76 4012 3456", PhoneKind::Pager, true),
            ("+44 55 1234 5678", PhoneKind::Uan, true),
            ("+44 845 464 0000", PhoneKind::PremiumRate, true),
            ("+61 1300 123 456", PhoneKind::SharedCost, true),
            ("+49 177 991234567", PhoneKind::Voicemail, true),
            ("+16502530000", PhoneKind::FixedLineOrMobile, true),
        ];
        for (input, kind, sendable) in cases {
            let n = parse(input, us()).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((n.kind(), n.is_sendable()), (kind, sendable), "{input}");
        }
    }

    #[test]
    fn error_messages() {
        assert_eq!(PhoneError::Empty.to_string(), "no number given");
        assert_eq!(PhoneError::TooShort.to_string(), "the number is too short");
        assert_eq!(PhoneError::TooLong.to_string(), "the number is too long");
        assert_eq!(
            PhoneError::InvalidForRegion {
                region: "US".into()
            }
            .to_string(),
            "not a valid number for US"
        );
        assert_eq!(
            PhoneError::Landline.to_string(),
            "this is a landline number; it cannot receive texts"
        );
    }

    #[test]
    fn check_json_contract() {
        let ok = serde_json::to_string(&check("(650) 253-0000", us())).unwrap();
        assert_eq!(
            ok,
            r#"{"input":"(650) 253-0000","e164":"+16502530000","kind":"fixed_line_or_mobile","sendable":true,"error":null,"time_zones":["America/Los_Angeles"]}"#
        );
        let landline = serde_json::to_string(&check("020 7946 0000", region("GB"))).unwrap();
        assert_eq!(
            landline,
            r#"{"input":"020 7946 0000","e164":"+442079460000","kind":"fixed_line","sendable":false,"error":"this is a landline number; it cannot receive texts","time_zones":["Europe/London"]}"#
        );
        let bad = serde_json::to_string(&check("N/A", us())).unwrap();
        assert_eq!(
            bad,
            r#"{"input":"N/A","e164":null,"kind":null,"sendable":false,"error":"no number given","time_zones":[]}"#
        );
        let mobile = serde_json::to_value(check("07400 123456", region("GB"))).unwrap();
        assert_eq!(mobile["kind"], "mobile");
        let voip = serde_json::to_value(check("056 1234 5678", region("GB"))).unwrap();
        assert_eq!(voip["kind"], "voip");
        let toll = serde_json::to_value(check("800 234 5678", us())).unwrap();
        assert_eq!(toll["kind"], "toll_free");
    }

    #[test]
    fn clean_examples() {
        let c = |s: &str| clean(s).as_candidate().map(str::to_string);
        assert_eq!(c("(555) 201-3344").as_deref(), Some("5552013344"));
        assert_eq!(c("+1 555 201 3344").as_deref(), Some("+15552013344"));
        assert_eq!(c("011 44 20").as_deref(), Some("0114420"));
        assert_eq!(
            c("tel:+1-555-201-3344;ext=12").as_deref(),
            Some("+15552013344")
        );
        assert_eq!(c("5552013344 ext 2").as_deref(), Some("5552013344"));
        assert_eq!(c("++44 20").as_deref(), Some("+4420"));
        assert_eq!(clean("abc"), Cleaned::NotANumber);
    }

    #[test]
    fn transform_rules_and_leading_zeros() {
        // Antigua: a 7-digit local number gets its area code from the transform rule.
        assert_eq!(e164("464 1234", region("AG")), "+12684641234");
        // Argentina: 0 + area code + 15 + subscriber is a mobile, stored with a 9.
        let ar = parse("011 15 2345 6789", region("AR")).unwrap();
        assert_eq!(
            (ar.e164(), ar.kind()),
            ("+5491123456789", PhoneKind::Mobile)
        );
        // Italy keeps the leading zero of fixed lines.
        assert_eq!(e164("+39 02 1234 5678", us()), "+390212345678");
        assert_eq!(e164("02 1234 5678", region("IT")), "+390212345678");
    }

    // --- properties ---

    fn example_numbers() -> Vec<(String, Region)> {
        let mut out = Vec::new();
        for id in [
            "US", "CA", "GB", "AU", "NZ", "IE", "DE", "FR", "MX", "IN", "IT", "AR", "BR",
        ] {
            let meta = DATABASE.by_id(id).unwrap();
            let d = meta.descriptors();
            for desc in [d.fixed_line(), d.mobile(), d.toll_free(), d.voip()]
                .into_iter()
                .flatten()
            {
                if let Some(ex) = desc.example() {
                    out.push((format!("+{}{}", meta.country_code(), ex), region(id)));
                }
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn never_panics(input in any::<String>(), r in 0usize..5) {
            let region = region(["US", "GB", "DE", "IN", "AR"][r]);
            let _ = parse(&input, region);
            let _ = check(&input, region);
        }

        #[test]
        fn never_panics_on_phone_like(input in "[+０-９0-9 ()\\-.x#/;=a-z:١-٩\u{200E}\u{00A0}]{0,40}", r in 0usize..5) {
            let region = region(["US", "GB", "DE", "IN", "AR"][r]);
            let _ = parse(&input, region);
        }

        #[test]
        fn clean_is_idempotent(input in any::<String>()) {
            if let Cleaned::Candidate(c) = clean(&input) {
                prop_assert_eq!(clean(&c), Cleaned::Candidate(c.clone()));
            }
        }

        #[test]
        fn clean_is_idempotent_on_phone_like(input in "[+0-9 ()\\-.x#]{0,30}") {
            if let Cleaned::Candidate(c) = clean(&input) {
                prop_assert_eq!(clean(&c), Cleaned::Candidate(c.clone()));
            }
        }

        #[test]
        fn e164_round_trips(digits in "[0-9]{4,15}", plus in any::<bool>(), r in 0usize..6, other in 0usize..6) {
            let regions = ["US", "GB", "AU", "DE", "IN", "MX"];
            let input = if plus { format!("+{digits}") } else { digits };
            if let Ok(n) = parse(&input, region(regions[r])) {
                let again = parse(n.e164(), region(regions[other]));
                prop_assert_eq!(again, Ok(n));
            }
        }

        #[test]
        fn example_numbers_round_trip_in_any_format(i in 0usize..1000, seps in proptest::collection::vec(0usize..5, 20), r in 0usize..4) {
            let examples = example_numbers();
            let (e164_in, home) = &examples[i % examples.len()];
            let n = parse(e164_in, *home).unwrap();
            prop_assert_eq!(n.e164(), e164_in.as_str());
            // Reformat with random separators; the result must not change.
            let mut formatted = String::new();
            for (k, ch) in e164_in.chars().enumerate() {
                formatted.push(ch);
                formatted.push_str(["", " ", "-", ".", "\u{00A0}"][seps[k % seps.len()]]);
            }
            let from = region(["US", "GB", "DE", "AU"][r]);
            prop_assert_eq!(parse(&formatted, from), Ok(n.clone()));
            prop_assert_eq!(parse(n.e164(), from), Ok(n));
        }
    }
}
