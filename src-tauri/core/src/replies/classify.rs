//! What a member's reply means. Twilio blocks a sender when the whole body is one of its
//! opt-out words (any case) and lifts the block on an opt-in word; a polling client never
//! sees Twilio's own verdict (`OptOutType` is only in webhooks), so Herald classifies the
//! body itself, the same way. Since April 2025 US rules let people revoke consent "by any
//! reasonable means", so wording a person reads as an opt-out but Twilio does not block
//! ("opt out", "remove me") is flagged for staff to confirm.

use serde::{Deserialize, Serialize};
use specta::Type;

/// What a reply is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum ReplyKind {
    /// One of Twilio's opt-out words: Twilio now blocks this sender for the number.
    OptOut,
    /// One of Twilio's opt-in words: the block is lifted.
    OptIn,
    /// HELP or INFO: Twilio answers with the sender's help text.
    Help,
    /// Reads as an opt-out to a person, but Twilio does not block it: staff confirm.
    PossibleOptOut,
    /// Anything else.
    Reply,
}

impl ReplyKind {
    pub const ALL: [ReplyKind; 5] = [
        Self::OptOut,
        Self::OptIn,
        Self::Help,
        Self::PossibleOptOut,
        Self::Reply,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OptOut => "opt_out",
            Self::OptIn => "opt_in",
            Self::Help => "help",
            Self::PossibleOptOut => "possible_opt_out",
            Self::Reply => "reply",
        }
    }

    /// The kind as staff read it (the message export's "Their reply" column).
    pub fn in_words(self) -> &'static str {
        match self {
            Self::OptOut => "Opted out (replied STOP)",
            Self::OptIn => "Opted back in (replied START)",
            Self::Help => "Asked for help (HELP)",
            Self::PossibleOptOut => "Asked to stop in their own words",
            Self::Reply => "Replied",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// Twilio's default opt-out words (REVOKE and OPTOUT since 2025).
pub const OPT_OUT_WORDS: [&str; 8] = [
    "STOP",
    "STOPALL",
    "UNSUBSCRIBE",
    "CANCEL",
    "END",
    "QUIT",
    "REVOKE",
    "OPTOUT",
];
pub const OPT_IN_WORDS: [&str; 3] = ["START", "YES", "UNSTOP"];
pub const HELP_WORDS: [&str; 2] = ["HELP", "INFO"];

/// Phrases a reasonable person reads as "stop texting me", padded with spaces so they
/// match whole words in the lower-cased body with punctuation turned into spaces.
const POSSIBLE_OPT_OUT_PHRASES: [&str; 22] = [
    " opt out ",
    " opt me out ",
    " optout ",
    " unsubscribe ",
    " unsub ",
    " remove me ",
    " remove my number ",
    " take me off ",
    " take my number off ",
    " stop texting ",
    " stop sending ",
    " stop messaging ",
    " stop contacting ",
    " stop text ",
    " stop it ",
    " stop please ",
    " please stop ",
    " no more texts ",
    " no more messages ",
    " do not text ",
    " dont text ",
    " wrong number ",
];

/// The body as Twilio compares it: surrounding whitespace gone, trailing punctuation
/// gone (Twilio does not document it; people type "Stop." and "STOP!"), upper case.
fn keyword_form(body: &str) -> String {
    body.trim()
        .trim_end_matches(|c: char| c.is_ascii_punctuation() || c.is_whitespace())
        .trim_start_matches(|c: char| matches!(c, '"' | '\'' | '“' | '‘') || c.is_whitespace())
        .to_uppercase()
}

/// Lower case, letters and digits kept, everything else one space, padded with spaces
/// so phrases match on whole words.
fn words_form(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 2);
    out.push(' ');
    let mut space = true;
    for c in body.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
            space = false;
        } else if c == '\'' || c == '’' {
            // "don't" → "dont"
        } else if !space {
            out.push(' ');
            space = true;
        }
    }
    if !space {
        out.push(' ');
    }
    out
}

/// What a reply's body means.
pub fn classify(body: &str) -> ReplyKind {
    let key = keyword_form(body);
    if OPT_OUT_WORDS.contains(&key.as_str()) {
        return ReplyKind::OptOut;
    }
    if OPT_IN_WORDS.contains(&key.as_str()) {
        return ReplyKind::OptIn;
    }
    if HELP_WORDS.contains(&key.as_str()) {
        return ReplyKind::Help;
    }
    let words = words_form(body);
    let flagged = POSSIBLE_OPT_OUT_PHRASES.iter().any(|p| words.contains(p));
    // "Stop" with a few more words ("Stop now", "STOP STOP") reads as stop; a longer
    // sentence that merely starts with it ("Stop by the booth at 3") is a reply.
    let stop_first = words.starts_with(" stop ") && words.split_whitespace().count() <= 3;
    if flagged || stop_first {
        ReplyKind::PossibleOptOut
    } else {
        ReplyKind::Reply
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReplyKind::*;

    /// The cases the window's fake backend is checked against too.
    const SHARED_CASES: &str = include_str!("../../../../tests/fixtures/reply-kinds.json");

    #[test]
    fn every_shared_case_is_classified_as_listed() {
        let cases: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(SHARED_CASES).expect("the shared cases are JSON");
        let mut checked = 0;
        for kind in ReplyKind::ALL {
            let bodies = cases[kind.as_str()].as_array().expect("a list per kind");
            assert!(!bodies.is_empty(), "{kind:?} has cases");
            for body in bodies {
                let body = body.as_str().expect("bodies are strings");
                assert_eq!(classify(body), kind, "{body:?}");
                checked += 1;
            }
        }
        assert!(checked >= 40, "{checked}");
    }

    #[test]
    fn twilios_words_in_any_case() {
        for w in OPT_OUT_WORDS {
            assert_eq!(classify(w), OptOut, "{w}");
            assert_eq!(classify(&w.to_lowercase()), OptOut, "{w}");
        }
        for w in OPT_IN_WORDS {
            assert_eq!(classify(&w.to_lowercase()), OptIn, "{w}");
        }
        for w in HELP_WORDS {
            assert_eq!(classify(&w.to_lowercase()), Help, "{w}");
        }
    }

    #[test]
    fn kinds_are_stored_by_name() {
        for k in ReplyKind::ALL {
            assert_eq!(ReplyKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ReplyKind::parse("stop"), None);
    }
}
