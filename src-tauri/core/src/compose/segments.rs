//! SMS encoding and segment count, exactly as Twilio's Message Segment
//! Calculator computes them.
//!
//! Twilio bills by the segment, so Herald's estimate must equal the one of
//! Twilio's open-source calculator (`sms-segments-calculator` on npm,
//! TwilioDevEd/message-segment-calculator; the differential test in
//! `tests/segments_differential.rs` checks this one against it). Its rules:
//!
//! * The body is cut into grapheme clusters the calculator's way (see
//!   `compose::graphemes`), except that a `\r\n` pair counts as two.
//! * If every cluster is one GSM-7 character the message is **GSM-7**: a
//!   basic-table character costs 7 bits, an extension-table character 14.
//!   Otherwise it is **UCS-2** and every cluster costs 16 bits per UTF-16 code
//!   unit (GSM-7 characters included).
//! * A segment holds 1120 bits (140 octets). Clusters fill segments greedily
//!   and never straddle two. When a second segment is needed, every segment
//!   carries a 6-octet concatenation header (UDH); the characters of the first
//!   segment that no longer fit move to the second.
//! * Quirks kept on purpose: an empty body is one GSM-7 segment; a cluster
//!   too large for any segment (say a letter with 80 combining marks) still
//!   opens a fresh segment of its own, even leaving the first one empty.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::graphemes;

/// Twilio refuses a body longer than this (error 21617), counted in Unicode
/// scalar values; see [`check_length`].
pub const MAX_BODY_CHARS: usize = 1600;

/// Bits in one SMS segment: 140 octets.
const SEGMENT_BITS: u64 = 1120;
/// Bits of the concatenation header each part of a multi-part message carries.
const UDH_BITS: u64 = 48;
/// Bits per GSM-7 septet.
const SEPTET_BITS: u64 = 7;
/// Bits per UCS-2 (UTF-16) code unit.
const UCS2_UNIT_BITS: u64 = 16;

/// The alphabet a message is sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encoding {
    /// The GSM 03.38 7-bit default alphabet: 160 septets in one segment,
    /// 153 per part of a longer message.
    #[serde(rename = "GSM-7")]
    Gsm7,
    /// UTF-16 code units: 70 in one segment, 67 per part.
    #[serde(rename = "UCS-2")]
    Ucs2,
}

impl Encoding {
    /// The name Twilio and its calculator use: `"GSM-7"` or `"UCS-2"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Gsm7 => "GSM-7",
            Encoding::Ucs2 => "UCS-2",
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A character (grapheme cluster) that forces the message into UCS-2.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NonGsmChar {
    /// The whole grapheme cluster, e.g. `"👍🏽"` or `"e\u{301}"`.
    pub ch: String,
    /// Index of its first Unicode scalar value in the body.
    pub index: u32,
    /// Offset of its first UTF-16 code unit in the body (for JavaScript
    /// editors, whose string indices are UTF-16).
    pub utf16_offset: u32,
}

/// What a body costs: its encoding, segments and character count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentInfo {
    /// GSM-7 unless some character is outside GSM-7.
    pub encoding: Encoding,
    /// Segments Twilio bills; at least 1, even for an empty body.
    pub segments: u32,
    /// The calculator's `numberOfCharacters`: in GSM-7 the septets (an
    /// extension character such as `€` counts 2); in UCS-2 the grapheme
    /// clusters (an emoji with a skin tone counts 1). `\r\n` counts 2.
    pub characters: u32,
    /// The clusters that force UCS-2, in order (empty for GSM-7).
    pub non_gsm: Vec<NonGsmChar>,
}

/// The body is longer than Twilio accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error, Serialize)]
#[error(
    "The message is {} characters long; Twilio refuses anything over {}.",
    thousands(*.characters),
    thousands(*.limit)
)]
pub struct BodyTooLong {
    /// The body's length in Unicode scalar values.
    pub characters: usize,
    /// The limit, [`MAX_BODY_CHARS`].
    pub limit: usize,
}

/// The cost of one character in GSM-7 septets: 1 for the basic table, 2 for
/// the extension table (escape + character), `None` if it is not GSM-7.
pub fn gsm7_septets(c: char) -> Option<u32> {
    match c {
        // Basic table (GSM 03.38), in table order.
        '@'
        | '£'
        | '$'
        | '¥'
        | 'è'
        | 'é'
        | 'ù'
        | 'ì'
        | 'ò'
        | 'Ç'
        | '\n'
        | 'Ø'
        | 'ø'
        | '\r'
        | 'Å'
        | 'å'
        | 'Δ'
        | '_'
        | 'Φ'
        | 'Γ'
        | 'Λ'
        | 'Ω'
        | 'Π'
        | 'Ψ'
        | 'Σ'
        | 'Θ'
        | 'Ξ'
        | 'Æ'
        | 'æ'
        | 'ß'
        | 'É'
        | ' '
        | '!'
        | '"'
        | '#'
        | '¤'
        | '%'
        | '&'
        | '\''
        | '('
        | ')'
        | '*'
        | '+'
        | ','
        | '-'
        | '.'
        | '/'
        | '0'..='9'
        | ':'
        | ';'
        | '<'
        | '='
        | '>'
        | '?'
        | '¡'
        | 'A'..='Z'
        | 'Ä'
        | 'Ö'
        | 'Ñ'
        | 'Ü'
        | '§'
        | '¿'
        | 'a'..='z'
        | 'ä'
        | 'ö'
        | 'ñ'
        | 'ü'
        | 'à' => Some(1),
        // Extension table: form feed, ^ { } \ [ ~ ] | €.
        '\u{0C}' | '^' | '{' | '}' | '\\' | '[' | '~' | ']' | '|' | '€' => Some(2),
        _ => None,
    }
}

/// Whether `c` is in the GSM-7 basic or extension table.
pub fn is_gsm7(c: char) -> bool {
    gsm7_septets(c).is_some()
}

/// One unit the calculator encodes: a grapheme cluster (a `\r\n` cluster
/// being two units).
struct Unit<'a> {
    text: &'a str,
    /// Septets if the unit is a single GSM-7 character.
    septets: Option<u32>,
    utf16_len: u64,
    index: usize,
    utf16_offset: usize,
}

/// The texts of the calculator's units, in order: grapheme clusters, with `\r\n` (one
/// cluster) priced as two.
fn unit_texts(body: &str) -> impl Iterator<Item = &str> {
    graphemes::split(body).flat_map(|cluster| {
        let parts: [&str; 2] = if cluster == "\r\n" {
            ["\r", "\n"]
        } else {
            [cluster, ""]
        };
        parts.into_iter().filter(|t| !t.is_empty())
    })
}

/// Cuts a body into the units the calculator prices.
fn units(body: &str) -> Vec<Unit<'_>> {
    let mut out = Vec::new();
    let mut index = 0;
    let mut utf16_offset = 0;
    for text in unit_texts(body) {
        let mut chars = text.chars();
        let septets = match (chars.next(), chars.next()) {
            (Some(c), None) => gsm7_septets(c),
            _ => None,
        };
        let scalars = text.chars().count();
        let utf16_len = text.encode_utf16().count();
        out.push(Unit {
            text,
            septets,
            utf16_len: utf16_len as u64,
            index,
            utf16_offset,
        });
        index += scalars;
        utf16_offset += utf16_len;
    }
    out
}

/// Counts the encoding, segments and characters of `body` as Twilio's
/// calculator does (without smart encoding; apply
/// [`super::smart_encoding::smart_encode`] first to price the replaced text).
pub fn count(body: &str) -> SegmentInfo {
    if let Some(info) = count_gsm7(body) {
        return info;
    }
    let units = units(body);
    let encoding = if units.iter().all(|u| u.septets.is_some()) {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    };
    let bits = |u: &Unit<'_>| -> u64 {
        match (encoding, u.septets) {
            (Encoding::Gsm7, Some(septets)) => SEPTET_BITS * u64::from(septets),
            // A GSM-7 character in a UCS-2 message is one code unit.
            (Encoding::Ucs2, Some(_)) => UCS2_UNIT_BITS,
            (_, None) => UCS2_UNIT_BITS * u.utf16_len,
        }
    };
    let characters = match encoding {
        Encoding::Gsm7 => units.iter().filter_map(|u| u.septets).map(u64::from).sum(),
        Encoding::Ucs2 => units.len() as u64,
    };
    let non_gsm = units
        .iter()
        .filter(|u| u.septets.is_none())
        .map(|u| NonGsmChar {
            ch: u.text.to_owned(),
            index: saturate(u.index as u64),
            utf16_offset: saturate(u.utf16_offset as u64),
        })
        .collect();
    SegmentInfo {
        encoding,
        segments: count_segments(&units.iter().map(bits).collect::<Vec<_>>()),
        characters: saturate(characters),
        non_gsm,
    }
}

/// The encoding and segments of `body`, as [`count`] gives them, without the details an
/// editor shows (which characters are not GSM-7, where): what preparing a large audience
/// needs, with no allocation.
pub fn cost(body: &str) -> (Encoding, u32) {
    if let Some(info) = count_gsm7(body) {
        return (info.encoding, info.segments);
    }
    // UCS-2: each unit costs 16 bits per UTF-16 code unit (a GSM-7 character is one).
    let mut sizes = [0u16; MAX_BODY_CHARS];
    let mut n = 0;
    for text in unit_texts(body) {
        if n == sizes.len() {
            return (Encoding::Ucs2, count(body).segments); // too long to be sent
        }
        let units = text.encode_utf16().count();
        sizes[n] = u16::try_from(units * UCS2_UNIT_BITS as usize).unwrap_or(u16::MAX);
        n += 1;
    }
    (Encoding::Ucs2, count_segments(&sizes[..n]))
}

/// [`count`] of a body whose every character is GSM-7, without cutting it into grapheme
/// clusters: no GSM-7 character joins a cluster with another (only `\r\n` does, and the
/// calculator prices that pair as two units anyway), so each character is one unit. Most
/// merged messages are such bodies; `None` for the others.
fn count_gsm7(body: &str) -> Option<SegmentInfo> {
    // Septets of the ASCII characters (0: not GSM-7), the common case looked up at once.
    static ASCII: std::sync::OnceLock<[u8; 128]> = std::sync::OnceLock::new();
    let ascii = ASCII.get_or_init(|| {
        let mut table = [0u8; 128];
        for (b, slot) in table.iter_mut().enumerate() {
            *slot = gsm7_septets(char::from(b as u8)).map_or(0, |s| s as u8);
        }
        table
    });
    let mut septets: u64 = 0;
    let mut sizes = [0u8; MAX_BODY_CHARS];
    let mut n = 0;
    for c in body.chars() {
        let s = match ascii.get(c as usize) {
            Some(0) => return None,
            Some(&s) => s,
            None => gsm7_septets(c)? as u8,
        };
        if n == sizes.len() {
            return None; // too long to be sent; priced the general way
        }
        sizes[n] = s * SEPTET_BITS as u8;
        n += 1;
        septets += u64::from(s);
    }
    Some(SegmentInfo {
        encoding: Encoding::Gsm7,
        segments: count_segments(&sizes[..n]),
        characters: saturate(septets),
        non_gsm: Vec::new(),
    })
}

/// Fills segments greedily with units of the given sizes (in bits), the way
/// the calculator's `_buildSegments` does, and returns how many it opens.
fn count_segments<T: Copy + Into<u64>>(sizes: &[T]) -> u32 {
    let mut segments: u32 = 1;
    // Units in the first segment, counted until a second segment exists: that is
    // when the first segment gets its header and may have to hand its last units on.
    let mut first_segment = 0;
    // Bits used in the current segment, header included.
    let mut used: u64 = 0;
    for &size in sizes {
        let size: u64 = size.into();
        if used + size > SEGMENT_BITS {
            segments = segments.saturating_add(1);
            let mut next_used = UDH_BITS;
            if segments == 2 {
                let mut first_used = used + UDH_BITS;
                while first_used > SEGMENT_BITS && first_segment > 0 {
                    first_segment -= 1;
                    let moved: u64 = sizes[first_segment].into();
                    first_used -= moved;
                    next_used += moved;
                }
            }
            used = next_used;
        }
        if segments == 1 {
            first_segment += 1;
        }
        used += size;
    }
    segments
}

/// Checks the body against Twilio's 1,600-character limit.
///
/// Twilio's documentation of error 21617 only says "1,600 characters" (and
/// that non-GSM characters fill the limit sooner); Herald counts Unicode
/// scalar values (`char`s), so an emoji with a skin tone is 2 characters and
/// `\r\n` is 2.
pub fn check_length(body: &str) -> Result<(), BodyTooLong> {
    let characters = body.chars().count();
    if characters > MAX_BODY_CHARS {
        Err(BodyTooLong {
            characters,
            limit: MAX_BODY_CHARS,
        })
    } else {
        Ok(())
    }
}

fn saturate(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Formats `n` with comma thousands separators: 1742 → "1,742".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// "1234567890…" cut to `n` characters.
    fn digits(n: usize) -> String {
        "1234567890".chars().cycle().take(n).collect()
    }

    fn summary(body: &str) -> (Encoding, u32, u32) {
        let info = count(body);
        (info.encoding, info.segments, info.characters)
    }

    use Encoding::{Gsm7, Ucs2};

    #[test]
    fn worked_examples_from_the_reference() {
        assert_eq!(summary(&digits(160)), (Gsm7, 1, 160));
        assert_eq!(summary(&digits(161)), (Gsm7, 2, 161));
        assert_eq!(summary(&digits(306)), (Gsm7, 2, 306));
        assert_eq!(summary(&digits(307)), (Gsm7, 3, 307));
        assert_eq!(summary(&"€".repeat(80)), (Gsm7, 1, 160));
        assert_eq!(summary(&"€".repeat(81)), (Gsm7, 2, 162));
        assert_eq!(summary(&format!("😜{}", digits(68))), (Ucs2, 1, 69));
        assert_eq!(summary(&format!("😜{}", digits(69))), (Ucs2, 2, 70));
        assert_eq!(summary(&"ç".repeat(135)), (Ucs2, 3, 135));
        assert_eq!(summary(&"a".repeat(1530)), (Gsm7, 10, 1530));
        assert_eq!(summary(&"a".repeat(1531)), (Gsm7, 11, 1531));
    }

    #[test]
    fn exact_single_segment_fit_stays_one_segment() {
        assert_eq!(summary(&"ç".repeat(70)), (Ucs2, 1, 70));
        assert_eq!(summary(&"ç".repeat(71)), (Ucs2, 2, 71));
        assert_eq!(summary(&"ç".repeat(134)), (Ucs2, 2, 134));
        // 79 × € + 2 letters = 160 septets exactly.
        assert_eq!(summary(&format!("{}ab", "€".repeat(79))), (Gsm7, 1, 160));
    }

    #[test]
    fn extension_characters_never_straddle_segments() {
        // 152 letters then €: the escape pair does not fit in the 153rd
        // septet of part one, so it moves to part two.
        let body = format!("{}€{}", "a".repeat(152), "a".repeat(152));
        // Naively 306 septets = 2 × 153, but the € pushes one septet over.
        assert_eq!(summary(&body), (Gsm7, 3, 306));
    }

    #[test]
    fn empty_body_is_one_gsm_segment() {
        assert_eq!(
            count(""),
            SegmentInfo {
                encoding: Gsm7,
                segments: 1,
                characters: 0,
                non_gsm: vec![]
            }
        );
    }

    #[test]
    fn traps_that_are_not_gsm7() {
        for trap in [
            "`", "\t", "ç", "á", "í", "ó", "ú", "“", "”", "‘", "’", "–", "—", "…", "\u{a0}",
        ] {
            let info = count(&format!("Hello {trap} there"));
            assert_eq!(info.encoding, Ucs2, "{trap:?}");
            assert_eq!(info.non_gsm.len(), 1, "{trap:?}");
            assert_eq!(info.non_gsm[0].ch, trap);
            assert_eq!(info.non_gsm[0].index, 6);
        }
        for fine in [
            "Ç", "é", "è", "ß", "Ä", "€", "\u{0C}", "¤", "§", "¿", "¡", "Ω",
        ] {
            assert_eq!(count(fine).encoding, Gsm7, "{fine:?}");
        }
    }

    #[test]
    fn crlf_counts_as_two() {
        assert_eq!(summary("a\r\nb"), (Gsm7, 1, 4));
        assert_eq!(summary(&"\r\n".repeat(80)), (Gsm7, 1, 160));
        assert_eq!(summary(&"\r\n".repeat(81)), (Gsm7, 2, 162));
        // In UCS-2, CR and LF are two characters too, not one cluster.
        assert_eq!(summary("ç\r\nç"), (Ucs2, 1, 4));
    }

    #[test]
    fn emoji_with_skin_tones_are_one_character_of_four_units() {
        // 👍🏽 = 4 UTF-16 units, 1 character.
        assert_eq!(summary("👍🏽"), (Ucs2, 1, 1));
        // 17 × 👍🏽 = 68 units: one segment; 18 × = 72 units: two.
        assert_eq!(summary(&"👍🏽".repeat(17)), (Ucs2, 1, 17));
        assert_eq!(summary(&"👍🏽".repeat(18)), (Ucs2, 2, 18));
        // A part holds 67 units: 16 thumbs (64 units), so 33 need 3 parts.
        assert_eq!(summary(&"👍🏽".repeat(33)), (Ucs2, 3, 33));
    }

    #[test]
    fn flags_and_zwj_sequences() {
        assert_eq!(summary("🇫🇷"), (Ucs2, 1, 1));
        assert_eq!(summary("🇫🇷🇩🇪🇺"), (Ucs2, 1, 3));
        // The family is one cluster of 11 units.
        assert_eq!(summary("👨‍👩‍👧‍👦"), (Ucs2, 1, 1));
        // The calculator (Unicode 10) splits heart-on-fire in two.
        assert_eq!(summary("❤️‍🔥"), (Ucs2, 1, 2));
        assert_eq!(summary("👩‍💻"), (Ucs2, 1, 1));
        // 6 families = 66 units in one segment; the 7th (77 units) does not
        // fit and, as a whole cluster, starts part two.
        assert_eq!(summary(&"👨‍👩‍👧‍👦".repeat(6)), (Ucs2, 1, 6));
        assert_eq!(summary(&"👨‍👩‍👧‍👦".repeat(7)), (Ucs2, 2, 7));
    }

    #[test]
    fn combining_marks_stay_with_their_letter() {
        let info = count("Cafe\u{301}!");
        assert_eq!(
            (info.encoding, info.segments, info.characters),
            (Ucs2, 1, 5)
        );
        assert_eq!(
            info.non_gsm,
            vec![NonGsmChar {
                ch: "e\u{301}".into(),
                index: 3,
                utf16_offset: 3
            }]
        );
        // 66 letters + a letter with one mark (2 units) = 68 units → 1 segment;
        // with 69 letters before it: 71 units → 2 segments.
        assert_eq!(summary(&format!("{}e\u{301}", "a".repeat(68))).1, 1);
        assert_eq!(summary(&format!("{}e\u{301}", "a".repeat(69))).1, 2);
    }

    #[test]
    fn a_cluster_larger_than_a_segment_opens_its_own() {
        // One letter with 80 marks: 81 units = 1296 bits > 1120. The calculator
        // opens a second segment for it and leaves the first one empty.
        let body = format!("a{}", "\u{301}".repeat(80));
        assert_eq!(summary(&body), (Ucs2, 2, 1));
        assert_eq!(summary(&format!("{body}b")), (Ucs2, 3, 2));
    }

    #[test]
    fn positions_of_non_gsm_characters() {
        let info = count("😀 a ç 🇫🇷");
        let got: Vec<(String, u32, u32)> = info
            .non_gsm
            .into_iter()
            .map(|c| (c.ch, c.index, c.utf16_offset))
            .collect();
        assert_eq!(
            got,
            vec![
                ("😀".to_owned(), 0, 0),
                ("ç".to_owned(), 4, 5),
                ("🇫🇷".to_owned(), 6, 7),
            ]
        );
    }

    #[test]
    fn the_1600_limit() {
        assert_eq!(check_length(&"a".repeat(1600)), Ok(()));
        let err = check_length(&"a".repeat(1742)).unwrap_err();
        assert_eq!(err.characters, 1742);
        assert_eq!(
            err.to_string(),
            "The message is 1,742 characters long; Twilio refuses anything over 1,600."
        );
        // Counted in scalar values: 800 skin-toned thumbs are 1600 chars.
        assert_eq!(check_length(&"👍🏽".repeat(800)), Ok(()));
        assert!(check_length(&format!("{}a", "👍🏽".repeat(800))).is_err());
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn serializes_with_twilio_names() {
        let json = serde_json::to_value(count("ç")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "encoding": "UCS-2",
                "segments": 1,
                "characters": 1,
                "non_gsm": [{"ch": "ç", "index": 0, "utf16_offset": 0}]
            })
        );
        assert_eq!(Encoding::Gsm7.to_string(), "GSM-7");
    }

    fn gsm_char() -> impl Strategy<Value = char> {
        prop::sample::select(
            (0u32..0x400)
                .chain([0x20AC])
                .filter_map(char::from_u32)
                .filter(|&c| is_gsm7(c))
                .collect::<Vec<_>>(),
        )
    }

    fn any_text_char() -> impl Strategy<Value = char> {
        prop_oneof![
            gsm_char(),
            any::<char>(),
            prop::sample::select(vec![
                '\u{301}',
                '\u{200d}',
                '\u{1f3fd}',
                '\u{1f469}',
                '\u{1f1eb}',
                '😀',
                'ç',
                '\r',
                '\n'
            ])
        ]
    }

    proptest! {
        #[test]
        fn nonempty_bodies_have_at_least_one_segment(body in "\\PC{1,400}") {
            prop_assert!(count(&body).segments >= 1);
        }

        #[test]
        fn appending_never_reduces_segments(
            chars in prop::collection::vec(any_text_char(), 0..400),
            extra in any_text_char(),
        ) {
            let body: String = chars.into_iter().collect();
            let longer = format!("{body}{extra}");
            prop_assert!(count(&longer).segments >= count(&body).segments);
        }

        /// The lean price of a body is the one [`count`] gives, in both encodings.
        #[test]
        fn cost_is_what_count_says(chars in prop::collection::vec(any_text_char(), 0..1700)) {
            let body: String = chars.into_iter().collect();
            let info = count(&body);
            prop_assert_eq!(cost(&body), (info.encoding, info.segments));
        }

        /// The GSM-7 shortcut prices every body exactly as the cluster-by-cluster way.
        #[test]
        fn the_gsm7_shortcut_agrees_with_the_clusters(
            chars in prop::collection::vec(gsm_char(), 0..1700),
        ) {
            let body: String = chars.into_iter().collect();
            let units = units(&body);
            prop_assert!(units.iter().all(|u| u.septets.is_some()));
            let bits: Vec<u64> = units
                .iter()
                .map(|u| SEPTET_BITS * u64::from(u.septets.unwrap_or(0)))
                .collect();
            let septets: u64 = units.iter().filter_map(|u| u.septets).map(u64::from).sum();
            let slow = SegmentInfo {
                encoding: Gsm7,
                segments: count_segments(&bits),
                characters: saturate(septets),
                non_gsm: Vec::new(),
            };
            prop_assert_eq!(units.len(), body.chars().count());
            prop_assert_eq!(count(&body), slow);
        }

        #[test]
        fn gsm_only_bodies_are_gsm7(chars in prop::collection::vec(gsm_char(), 0..800)) {
            let body: String = chars.into_iter().collect();
            let info = count(&body);
            prop_assert_eq!(info.encoding, Gsm7);
            prop_assert!(info.non_gsm.is_empty());
            let septets: u32 = body.chars().filter_map(gsm7_septets).sum();
            prop_assert_eq!(info.characters, septets);
        }
    }
}
