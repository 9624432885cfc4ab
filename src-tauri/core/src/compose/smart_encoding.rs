//! Twilio's smart encoding: GSM-7 look-alikes for common Unicode characters.
//!
//! With `SmartEncoded=true` (the default in Messaging Services) Twilio
//! replaces characters such as curly quotes, dashes, `…`, fullwidth ASCII and
//! special spaces by GSM-7 ones, but only when that makes the whole message
//! GSM-7 ([`fully_replaceable`]). Herald's editor offers the replacement
//! itself ([`suggestions`], [`smart_encode`]) so that the text stored, priced
//! and sent is the same.
//!
//! The table is the one of Twilio's calculator (`SmartEncodingMap` of
//! `sms-segments-calculator` 1.3.0), checked entry by entry by the
//! differential test. It has surprises worth knowing: a no-break space and
//! most other special spaces become *two* spaces, a tab becomes seven, some
//! combining marks become ASCII (`e` + U+0302 → `e^`), and a few invisible
//! controls are removed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::segments::is_gsm7;

/// One kind of replacement the editor can offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replacement {
    /// The character replaced.
    pub from: String,
    /// What replaces it (possibly empty, possibly several characters).
    pub to: String,
    /// How many times it occurs in the body.
    pub count: u32,
}

/// The GSM-7 replacement Twilio's smart encoding uses for `c`, if any.
pub fn replacement(c: char) -> Option<&'static str> {
    SMART_ENCODING
        .binary_search_by_key(&c, |&(from, _)| from)
        .ok()
        .map(|i| SMART_ENCODING[i].1)
}

/// Replaces every character that has a smart-encoding look-alike, whether or
/// not the result is all GSM-7 (the editor's one-click button; price the
/// result with [`super::segments::count`]).
pub fn smart_encode(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    for c in body.chars() {
        match replacement(c) {
            Some(to) => out.push_str(to),
            None => out.push(c),
        }
    }
    out
}

/// What [`smart_encode`] would change, one entry per distinct character, in
/// order of first occurrence.
pub fn suggestions(body: &str) -> Vec<Replacement> {
    let mut out: Vec<Replacement> = Vec::new();
    let mut seen: HashMap<char, usize> = HashMap::new();
    for c in body.chars() {
        let Some(to) = replacement(c) else { continue };
        match seen.get(&c) {
            Some(&i) => out[i].count = out[i].count.saturating_add(1),
            None => {
                seen.insert(c, out.len());
                out.push(Replacement {
                    from: c.to_string(),
                    to: to.to_owned(),
                    count: 1,
                });
            }
        }
    }
    out
}

/// Whether smart encoding makes the body entirely GSM-7, i.e. every non-GSM
/// character has a replacement; this is when Twilio applies it. True for a
/// body that is GSM-7 already.
pub fn fully_replaceable(body: &str) -> bool {
    body.chars().all(|c| is_gsm7(c) || replacement(c).is_some())
}

/// Smart-encoding replacements, sorted by character.
const SMART_ENCODING: &[(char, &str)] = &[
    ('\u{0000}', ""),        // NULL
    ('\u{0003}', ""),        // END OF TEXT
    ('\u{0004}', ""),        // END OF TRANSMISSION
    ('\u{0009}', "       "), // CHARACTER TABULATION
    ('\u{0010}', ""),        // DATA LINK ESCAPE
    ('\u{0011}', ""),        // DEVICE CONTROL ONE
    ('\u{0012}', ""),        // DEVICE CONTROL TWO
    ('\u{0013}', ""),        // DEVICE CONTROL THREE
    ('\u{0014}', ""),        // DEVICE CONTROL FOUR
    ('\u{0017}', ""),        // END OF TRANSMISSION BLOCK
    ('\u{0019}', ""),        // END OF MEDIUM
    ('\u{0060}', "'"),       // GRAVE ACCENT
    ('\u{0080}', "  "),      // PADDING CHARACTER
    ('\u{008D}', "  "),      // REVERSE LINE FEED
    ('\u{0090}', "  "),      // DEVICE CONTROL STRING
    ('\u{009B}', "  "),      // CONTROL SEQUENCE INTRODUCER
    ('\u{009F}', "  "),      // APPLICATION PROGRAM COMMAND
    ('\u{00A0}', "  "),      // NO-BREAK SPACE
    ('\u{00AB}', "\""),      // LEFT-POINTING DOUBLE ANGLE QUOTATION MARK
    ('\u{00B4}', "'"),       // ACUTE ACCENT
    ('\u{00BB}', "\""),      // RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK
    ('\u{00BC}', "1/4"),     // VULGAR FRACTION ONE QUARTER
    ('\u{00BD}', "1/2"),     // VULGAR FRACTION ONE HALF
    ('\u{00BE}', "3/4"),     // VULGAR FRACTION THREE QUARTERS
    ('\u{00F7}', "/"),       // DIVISION SIGN
    ('\u{01C3}', "!"),       // LATIN LETTER RETROFLEX CLICK
    ('\u{0262}', "G"),       // LATIN LETTER SMALL CAPITAL G
    ('\u{026A}', "I"),       // LATIN LETTER SMALL CAPITAL I
    ('\u{0274}', "N"),       // LATIN LETTER SMALL CAPITAL N
    ('\u{0280}', "R"),       // LATIN LETTER SMALL CAPITAL R
    ('\u{028F}', "Y"),       // LATIN LETTER SMALL CAPITAL Y
    ('\u{0299}', "B"),       // LATIN LETTER SMALL CAPITAL B
    ('\u{029C}', "H"),       // LATIN LETTER SMALL CAPITAL H
    ('\u{029F}', "L"),       // LATIN LETTER SMALL CAPITAL L
    ('\u{02B9}', "'"),       // MODIFIER LETTER PRIME
    ('\u{02BA}', "\""),      // MODIFIER LETTER DOUBLE PRIME
    ('\u{02BB}', "'"),       // MODIFIER LETTER TURNED COMMA
    ('\u{02BC}', "'"),       // MODIFIER LETTER APOSTROPHE
    ('\u{02BD}', "'"),       // MODIFIER LETTER REVERSED COMMA
    ('\u{02C6}', "^"),       // MODIFIER LETTER CIRCUMFLEX ACCENT
    ('\u{02C8}', "'"),       // MODIFIER LETTER VERTICAL LINE
    ('\u{02CA}', "'"),       // MODIFIER LETTER ACUTE ACCENT
    ('\u{02CB}', "'"),       // MODIFIER LETTER GRAVE ACCENT
    ('\u{02D0}', ":"),       // MODIFIER LETTER TRIANGULAR COLON
    ('\u{02D6}', "+"),       // MODIFIER LETTER PLUS SIGN
    ('\u{02DC}', "~"),       // SMALL TILDE
    ('\u{02EE}', "\""),      // MODIFIER LETTER DOUBLE APOSTROPHE
    ('\u{02F7}', "~"),       // MODIFIER LETTER LOW TILDE
    ('\u{02F8}', ":"),       // MODIFIER LETTER RAISED COLON
    ('\u{0302}', "^"),       // COMBINING CIRCUMFLEX ACCENT
    ('\u{0303}', "~"),       // COMBINING TILDE
    ('\u{0313}', "'"),       // COMBINING COMMA ABOVE
    ('\u{0314}', "'"),       // COMBINING REVERSED COMMA ABOVE
    ('\u{0326}', ","),       // COMBINING COMMA BELOW
    ('\u{0330}', "~"),       // COMBINING TILDE BELOW
    ('\u{0332}', "_"),       // COMBINING LOW LINE
    ('\u{0334}', "~"),       // COMBINING TILDE OVERLAY
    ('\u{0337}', "/"),       // COMBINING SHORT SOLIDUS OVERLAY
    ('\u{0338}', "/"),       // COMBINING LONG SOLIDUS OVERLAY
    ('\u{0347}', "="),       // COMBINING EQUALS SIGN BELOW
    ('\u{1D00}', "A"),       // LATIN LETTER SMALL CAPITAL A
    ('\u{1D04}', "C"),       // LATIN LETTER SMALL CAPITAL C
    ('\u{1D05}', "D"),       // LATIN LETTER SMALL CAPITAL D
    ('\u{1D07}', "E"),       // LATIN LETTER SMALL CAPITAL E
    ('\u{1D0A}', "J"),       // LATIN LETTER SMALL CAPITAL J
    ('\u{1D0B}', "K"),       // LATIN LETTER SMALL CAPITAL K
    ('\u{1D0D}', "M"),       // LATIN LETTER SMALL CAPITAL M
    ('\u{1D0F}', "O"),       // LATIN LETTER SMALL CAPITAL O
    ('\u{1D18}', "P"),       // LATIN LETTER SMALL CAPITAL P
    ('\u{1D1B}', "T"),       // LATIN LETTER SMALL CAPITAL T
    ('\u{1D1C}', "U"),       // LATIN LETTER SMALL CAPITAL U
    ('\u{1D20}', "V"),       // LATIN LETTER SMALL CAPITAL V
    ('\u{1D21}', "W"),       // LATIN LETTER SMALL CAPITAL W
    ('\u{1D22}', "Z"),       // LATIN LETTER SMALL CAPITAL Z
    ('\u{1DCD}', "^"),       // COMBINING DOUBLE CIRCUMFLEX ABOVE
    ('\u{2000}', "  "),      // EN QUAD
    ('\u{2001}', " "),       // EM QUAD
    ('\u{2002}', "  "),      // EN SPACE
    ('\u{2003}', "  "),      // EM SPACE
    ('\u{2004}', "  "),      // THREE-PER-EM SPACE
    ('\u{2005}', "  "),      // FOUR-PER-EM SPACE
    ('\u{2006}', "  "),      // SIX-PER-EM SPACE
    ('\u{2007}', "  "),      // FIGURE SPACE
    ('\u{2008}', "  "),      // PUNCTUATION SPACE
    ('\u{2009}', "  "),      // THIN SPACE
    ('\u{200A}', "  "),      // HAIR SPACE
    ('\u{200B}', ""),        // ZERO WIDTH SPACE
    ('\u{200C}', ""),        // ZERO WIDTH NON-JOINER
    ('\u{2010}', "-"),       // HYPHEN
    ('\u{2013}', "-"),       // EN DASH
    ('\u{2014}', "-"),       // EM DASH
    ('\u{2015}', "-"),       // HORIZONTAL BAR
    ('\u{2017}', "_"),       // DOUBLE LOW LINE
    ('\u{2018}', "'"),       // LEFT SINGLE QUOTATION MARK
    ('\u{2019}', "'"),       // RIGHT SINGLE QUOTATION MARK
    ('\u{201A}', ","),       // SINGLE LOW-9 QUOTATION MARK
    ('\u{201B}', "'"),       // SINGLE HIGH-REVERSED-9 QUOTATION MARK
    ('\u{201C}', "\""),      // LEFT DOUBLE QUOTATION MARK
    ('\u{201D}', "\""),      // RIGHT DOUBLE QUOTATION MARK
    ('\u{201E}', "\""),      // DOUBLE LOW-9 QUOTATION MARK
    ('\u{201F}', "\""),      // DOUBLE HIGH-REVERSED-9 QUOTATION MARK
    ('\u{2022}', "-"),       // BULLET
    ('\u{2026}', "..."),     // HORIZONTAL ELLIPSIS
    ('\u{2028}', " "),       // LINE SEPARATOR
    ('\u{2029}', " "),       // PARAGRAPH SEPARATOR
    ('\u{202F}', "  "),      // NARROW NO-BREAK SPACE
    ('\u{2039}', "<"),       // SINGLE LEFT-POINTING ANGLE QUOTATION MARK
    ('\u{203A}', ">"),       // SINGLE RIGHT-POINTING ANGLE QUOTATION MARK
    ('\u{203C}', "!!"),      // DOUBLE EXCLAMATION MARK
    ('\u{2043}', "-"),       // HYPHEN BULLET
    ('\u{2044}', "/"),       // FRACTION SLASH
    ('\u{204E}', "*"),       // LOW ASTERISK
    ('\u{204F}', ";"),       // REVERSED SEMICOLON
    ('\u{205F}', "  "),      // MEDIUM MATHEMATICAL SPACE
    ('\u{2060}', ""),        // WORD JOINER
    ('\u{20D2}', "|"),       // COMBINING LONG VERTICAL LINE OVERLAY
    ('\u{20D3}', "|"),       // COMBINING SHORT VERTICAL LINE OVERLAY
    ('\u{20E5}', "\\"),      // COMBINING REVERSE SOLIDUS OVERLAY
    ('\u{2215}', "/"),       // DIVISION SLASH
    ('\u{2217}', "*"),       // ASTERISK OPERATOR
    ('\u{2223}', "|"),       // DIVIDES
    ('\u{223C}', "~"),       // TILDE OPERATOR
    ('\u{229B}', "*"),       // CIRCLED ASTERISK OPERATOR
    ('\u{239C}', "|"),       // LEFT PARENTHESIS EXTENSION
    ('\u{239F}', "|"),       // RIGHT PARENTHESIS EXTENSION
    ('\u{23B8}', "|"),       // LEFT VERTICAL BOX LINE
    ('\u{23B9}', "|"),       // RIGHT VERTICAL BOX LINE
    ('\u{23BC}', "-"),       // HORIZONTAL SCAN LINE-7
    ('\u{23BD}', "-"),       // HORIZONTAL SCAN LINE-9
    ('\u{23D0}', "|"),       // VERTICAL LINE EXTENSION
    ('\u{2722}', "*"),       // FOUR TEARDROP-SPOKED ASTERISK
    ('\u{2723}', "*"),       // FOUR BALLOON-SPOKED ASTERISK
    ('\u{2724}', "*"),       // HEAVY FOUR BALLOON-SPOKED ASTERISK
    ('\u{2725}', "*"),       // FOUR CLUB-SPOKED ASTERISK
    ('\u{2731}', "*"),       // HEAVY ASTERISK
    ('\u{2732}', "*"),       // OPEN CENTRE ASTERISK
    ('\u{2733}', "*"),       // EIGHT SPOKED ASTERISK
    ('\u{273A}', "*"),       // SIXTEEN POINTED ASTERISK
    ('\u{273B}', "*"),       // TEARDROP-SPOKED ASTERISK
    ('\u{273C}', "*"),       // OPEN CENTRE TEARDROP-SPOKED ASTERISK
    ('\u{273D}', "*"),       // HEAVY TEARDROP-SPOKED ASTERISK
    ('\u{2743}', "*"),       // HEAVY TEARDROP-SPOKED PINWHEEL ASTERISK
    ('\u{2749}', "*"),       // BALLOON-SPOKED ASTERISK
    ('\u{274A}', "*"),       // EIGHT TEARDROP-SPOKED PROPELLER ASTERISK
    ('\u{274B}', "*"),       // HEAVY EIGHT TEARDROP-SPOKED PROPELLER ASTERISK
    ('\u{275B}', "'"),       // HEAVY SINGLE TURNED COMMA QUOTATION MARK ORNAMENT
    ('\u{275C}', "'"),       // HEAVY SINGLE COMMA QUOTATION MARK ORNAMENT
    ('\u{275D}', "\""),      // HEAVY DOUBLE TURNED COMMA QUOTATION MARK ORNAMENT
    ('\u{275E}', "\""),      // HEAVY DOUBLE COMMA QUOTATION MARK ORNAMENT
    ('\u{2768}', "("),       // MEDIUM LEFT PARENTHESIS ORNAMENT
    ('\u{2769}', ")"),       // MEDIUM RIGHT PARENTHESIS ORNAMENT
    ('\u{276A}', "("),       // MEDIUM FLATTENED LEFT PARENTHESIS ORNAMENT
    ('\u{276B}', ")"),       // MEDIUM FLATTENED RIGHT PARENTHESIS ORNAMENT
    ('\u{2774}', "{"),       // MEDIUM LEFT CURLY BRACKET ORNAMENT
    ('\u{2775}', "}"),       // MEDIUM RIGHT CURLY BRACKET ORNAMENT
    ('\u{27EE}', "("),       // MATHEMATICAL LEFT FLATTENED PARENTHESIS
    ('\u{27EF}', ")"),       // MATHEMATICAL RIGHT FLATTENED PARENTHESIS
    ('\u{2982}', ":"),       // Z NOTATION TYPE COLON
    ('\u{2985}', "("),       // LEFT WHITE PARENTHESIS
    ('\u{2986}', ")"),       // RIGHT WHITE PARENTHESIS
    ('\u{29C6}', "*"),       // SQUARED ASTERISK
    ('\u{29F5}', "\\"),      // REVERSE SOLIDUS OPERATOR
    ('\u{29F8}', "/"),       // BIG SOLIDUS
    ('\u{29F9}', "\\"),      // BIG REVERSE SOLIDUS
    ('\u{3000}', "  "),      // IDEOGRAPHIC SPACE
    ('\u{3001}', ","),       // IDEOGRAPHIC COMMA
    ('\u{3002}', "."),       // IDEOGRAPHIC FULL STOP
    ('\u{301D}', "\""),      // REVERSED DOUBLE PRIME QUOTATION MARK
    ('\u{301E}', "\""),      // DOUBLE PRIME QUOTATION MARK
    ('\u{A730}', "F"),       // LATIN LETTER SMALL CAPITAL F
    ('\u{A731}', "S"),       // LATIN LETTER SMALL CAPITAL S
    ('\u{A789}', ":"),       // MODIFIER LETTER COLON
    ('\u{A78A}', "="),       // MODIFIER LETTER SHORT EQUALS SIGN
    ('\u{FE10}', "'"),       // PRESENTATION FORM FOR VERTICAL COMMA
    ('\u{FE11}', "'"),       // PRESENTATION FORM FOR VERTICAL IDEOGRAPHIC COMMA
    ('\u{FE13}', ":"),       // PRESENTATION FORM FOR VERTICAL COLON
    ('\u{FE14}', ";"),       // PRESENTATION FORM FOR VERTICAL SEMICOLON
    ('\u{FE15}', "!"),       // PRESENTATION FORM FOR VERTICAL EXCLAMATION MARK
    ('\u{FE16}', "?"),       // PRESENTATION FORM FOR VERTICAL QUESTION MARK
    ('\u{FE50}', ","),       // SMALL COMMA
    ('\u{FE51}', ","),       // SMALL IDEOGRAPHIC COMMA
    ('\u{FE52}', "."),       // SMALL FULL STOP
    ('\u{FE54}', ";"),       // SMALL SEMICOLON
    ('\u{FE56}', "?"),       // SMALL QUESTION MARK
    ('\u{FE57}', "!"),       // SMALL EXCLAMATION MARK
    ('\u{FE59}', "("),       // SMALL LEFT PARENTHESIS
    ('\u{FE5A}', ")"),       // SMALL RIGHT PARENTHESIS
    ('\u{FE5B}', "{"),       // SMALL LEFT CURLY BRACKET
    ('\u{FE5C}', "}"),       // SMALL RIGHT CURLY BRACKET
    ('\u{FE5F}', "#"),       // SMALL NUMBER SIGN
    ('\u{FE60}', "&"),       // SMALL AMPERSAND
    ('\u{FE61}', "*"),       // SMALL ASTERISK
    ('\u{FE62}', "+"),       // SMALL PLUS SIGN
    ('\u{FE63}', "-"),       // SMALL HYPHEN-MINUS
    ('\u{FE64}', "<"),       // SMALL LESS-THAN SIGN
    ('\u{FE65}', ">"),       // SMALL GREATER-THAN SIGN
    ('\u{FE66}', "="),       // SMALL EQUALS SIGN
    ('\u{FE68}', "\\"),      // SMALL REVERSE SOLIDUS
    ('\u{FE69}', "$"),       // SMALL DOLLAR SIGN
    ('\u{FE6A}', "%"),       // SMALL PERCENT SIGN
    ('\u{FE6B}', "@"),       // SMALL COMMERCIAL AT
    ('\u{FEFF}', ""),        // ZERO WIDTH NO-BREAK SPACE
    ('\u{FF01}', "!"),       // FULLWIDTH EXCLAMATION MARK
    ('\u{FF02}', "\""),      // FULLWIDTH QUOTATION MARK
    ('\u{FF03}', "#"),       // FULLWIDTH NUMBER SIGN
    ('\u{FF04}', "$"),       // FULLWIDTH DOLLAR SIGN
    ('\u{FF05}', "%"),       // FULLWIDTH PERCENT SIGN
    ('\u{FF06}', "&"),       // FULLWIDTH AMPERSAND
    ('\u{FF07}', "'"),       // FULLWIDTH APOSTROPHE
    ('\u{FF08}', "("),       // FULLWIDTH LEFT PARENTHESIS
    ('\u{FF09}', ")"),       // FULLWIDTH RIGHT PARENTHESIS
    ('\u{FF0A}', "*"),       // FULLWIDTH ASTERISK
    ('\u{FF0B}', "+"),       // FULLWIDTH PLUS SIGN
    ('\u{FF0C}', ","),       // FULLWIDTH COMMA
    ('\u{FF0D}', "-"),       // FULLWIDTH HYPHEN-MINUS
    ('\u{FF0E}', "."),       // FULLWIDTH FULL STOP
    ('\u{FF0F}', "/"),       // FULLWIDTH SOLIDUS
    ('\u{FF10}', "0"),       // FULLWIDTH DIGIT ZERO
    ('\u{FF11}', "1"),       // FULLWIDTH DIGIT ONE
    ('\u{FF12}', "2"),       // FULLWIDTH DIGIT TWO
    ('\u{FF13}', "3"),       // FULLWIDTH DIGIT THREE
    ('\u{FF14}', "4"),       // FULLWIDTH DIGIT FOUR
    ('\u{FF15}', "5"),       // FULLWIDTH DIGIT FIVE
    ('\u{FF16}', "6"),       // FULLWIDTH DIGIT SIX
    ('\u{FF17}', "7"),       // FULLWIDTH DIGIT SEVEN
    ('\u{FF18}', "8"),       // FULLWIDTH DIGIT EIGHT
    ('\u{FF19}', "9"),       // FULLWIDTH DIGIT NINE
    ('\u{FF1A}', ":"),       // FULLWIDTH COLON
    ('\u{FF1B}', ";"),       // FULLWIDTH SEMICOLON
    ('\u{FF1C}', "<"),       // FULLWIDTH LESS-THAN SIGN
    ('\u{FF1D}', "="),       // FULLWIDTH EQUALS SIGN
    ('\u{FF1E}', ">"),       // FULLWIDTH GREATER-THAN SIGN
    ('\u{FF1F}', "?"),       // FULLWIDTH QUESTION MARK
    ('\u{FF20}', "@"),       // FULLWIDTH COMMERCIAL AT
    ('\u{FF21}', "A"),       // FULLWIDTH LATIN CAPITAL LETTER A
    ('\u{FF22}', "B"),       // FULLWIDTH LATIN CAPITAL LETTER B
    ('\u{FF23}', "C"),       // FULLWIDTH LATIN CAPITAL LETTER C
    ('\u{FF24}', "D"),       // FULLWIDTH LATIN CAPITAL LETTER D
    ('\u{FF25}', "E"),       // FULLWIDTH LATIN CAPITAL LETTER E
    ('\u{FF26}', "F"),       // FULLWIDTH LATIN CAPITAL LETTER F
    ('\u{FF27}', "G"),       // FULLWIDTH LATIN CAPITAL LETTER G
    ('\u{FF28}', "H"),       // FULLWIDTH LATIN CAPITAL LETTER H
    ('\u{FF29}', "I"),       // FULLWIDTH LATIN CAPITAL LETTER I
    ('\u{FF2A}', "J"),       // FULLWIDTH LATIN CAPITAL LETTER J
    ('\u{FF2B}', "K"),       // FULLWIDTH LATIN CAPITAL LETTER K
    ('\u{FF2C}', "L"),       // FULLWIDTH LATIN CAPITAL LETTER L
    ('\u{FF2D}', "M"),       // FULLWIDTH LATIN CAPITAL LETTER M
    ('\u{FF2E}', "N"),       // FULLWIDTH LATIN CAPITAL LETTER N
    ('\u{FF2F}', "O"),       // FULLWIDTH LATIN CAPITAL LETTER O
    ('\u{FF30}', "P"),       // FULLWIDTH LATIN CAPITAL LETTER P
    ('\u{FF31}', "Q"),       // FULLWIDTH LATIN CAPITAL LETTER Q
    ('\u{FF32}', "R"),       // FULLWIDTH LATIN CAPITAL LETTER R
    ('\u{FF33}', "S"),       // FULLWIDTH LATIN CAPITAL LETTER S
    ('\u{FF34}', "T"),       // FULLWIDTH LATIN CAPITAL LETTER T
    ('\u{FF35}', "U"),       // FULLWIDTH LATIN CAPITAL LETTER U
    ('\u{FF36}', "V"),       // FULLWIDTH LATIN CAPITAL LETTER V
    ('\u{FF37}', "W"),       // FULLWIDTH LATIN CAPITAL LETTER W
    ('\u{FF38}', "X"),       // FULLWIDTH LATIN CAPITAL LETTER X
    ('\u{FF39}', "Y"),       // FULLWIDTH LATIN CAPITAL LETTER Y
    ('\u{FF3A}', "Z"),       // FULLWIDTH LATIN CAPITAL LETTER Z
    ('\u{FF3B}', "["),       // FULLWIDTH LEFT SQUARE BRACKET
    ('\u{FF3C}', "\\"),      // FULLWIDTH REVERSE SOLIDUS
    ('\u{FF3D}', "]"),       // FULLWIDTH RIGHT SQUARE BRACKET
    ('\u{FF3E}', "^"),       // FULLWIDTH CIRCUMFLEX ACCENT
    ('\u{FF3F}', "_"),       // FULLWIDTH LOW LINE
    ('\u{FF5B}', "{"),       // FULLWIDTH LEFT CURLY BRACKET
    ('\u{FF5C}', "|"),       // FULLWIDTH VERTICAL LINE
    ('\u{FF5D}', "}"),       // FULLWIDTH RIGHT CURLY BRACKET
    ('\u{FF5E}', "~"),       // FULLWIDTH TILDE
    ('\u{FF61}', "."),       // HALFWIDTH IDEOGRAPHIC FULL STOP
    ('\u{FF64}', ","),       // HALFWIDTH IDEOGRAPHIC COMMA
];

#[cfg(test)]
mod tests {
    use super::super::segments::{count, Encoding};
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn table_is_sorted_keys_are_not_gsm_and_values_are() {
        assert_eq!(SMART_ENCODING.len(), 271);
        for pair in SMART_ENCODING.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{pair:?}");
        }
        for &(from, to) in SMART_ENCODING {
            assert!(!is_gsm7(from), "{from:?}");
            assert!(to.chars().all(is_gsm7), "{from:?} -> {to:?}");
        }
    }

    #[test]
    fn common_word_processor_characters() {
        assert_eq!(
            smart_encode("“Hi” it’s 5–6 pm — ok…"),
            "\"Hi\" it's 5-6 pm - ok..."
        );
        assert_eq!(smart_encode("ＡＢＣ１２３！"), "ABC123!");
        assert_eq!(smart_encode("a`b´c"), "a'b'c");
        assert_eq!(smart_encode("• item"), "- item");
        // No-break space becomes two spaces, tab seven, as in Twilio's map.
        assert_eq!(smart_encode("a\u{a0}b"), "a  b");
        assert_eq!(smart_encode("a\tb"), "a       b");
        assert_eq!(smart_encode("zero\u{200b}width\u{feff}"), "zerowidth");
        assert_eq!(smart_encode("½"), "1/2");
        // Combining marks are replaced one code point at a time.
        assert_eq!(smart_encode("e\u{302}"), "e^");
        // Characters without a look-alike stay.
        assert_eq!(smart_encode("ç 😀 á"), "ç 😀 á");
    }

    #[test]
    fn smart_encoding_can_make_a_message_gsm7() {
        let body = "Don’t forget: dues are due “today”…";
        assert_eq!(count(body).encoding, Encoding::Ucs2);
        assert!(fully_replaceable(body));
        assert_eq!(count(&smart_encode(body)).encoding, Encoding::Gsm7);
        // One emoji and Twilio replaces nothing; Herald still can.
        let body = "Don’t forget 😀";
        assert!(!fully_replaceable(body));
        assert_eq!(smart_encode(body), "Don't forget 😀");
        assert!(fully_replaceable("plain text"));
        assert!(fully_replaceable(""));
    }

    #[test]
    fn suggestions_group_by_character() {
        assert_eq!(
            suggestions("“a” ‘b’ “c”"),
            vec![
                Replacement {
                    from: "“".into(),
                    to: "\"".into(),
                    count: 2
                },
                Replacement {
                    from: "”".into(),
                    to: "\"".into(),
                    count: 2
                },
                Replacement {
                    from: "‘".into(),
                    to: "'".into(),
                    count: 1
                },
                Replacement {
                    from: "’".into(),
                    to: "'".into(),
                    count: 1
                },
            ]
        );
        assert!(suggestions("plain ç").is_empty());
    }

    proptest! {
        #[test]
        fn smart_encode_is_idempotent(body in "\\PC{0,200}") {
            let once = smart_encode(&body);
            prop_assert_eq!(smart_encode(&once), once);
        }

        #[test]
        fn idempotent_on_table_characters(
            picks in prop::collection::vec(0..SMART_ENCODING.len(), 0..50),
            tail in "\\PC{0,20}",
        ) {
            let body: String = picks.iter().map(|&i| SMART_ENCODING[i].0).collect::<String>() + &tail;
            let once = smart_encode(&body);
            prop_assert_eq!(smart_encode(&once), once.clone());
            // Fully replaceable exactly when the result is GSM-7.
            prop_assert_eq!(
                fully_replaceable(&body),
                count(&once).encoding == Encoding::Gsm7
            );
        }
    }
}
