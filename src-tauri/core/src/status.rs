//! The two state machines at Herald's heart: a campaign's lifecycle and a message's fate.
//!
//! Every status change in the database goes through [`CampaignStatus::check_transition`]
//! or [`MessageStatus::check_transition`]; an illegal pair is a typed error, never a
//! silent overwrite.

use serde::{Deserialize, Serialize};
use specta::Type;
use std::fmt;

/// Where a campaign is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum CampaignStatus {
    Draft,
    Scheduled,
    Sending,
    Paused,
    Completed,
    Canceled,
    Archived,
}

/// A message's fate, as Herald shows it. Twilio's raw status is kept beside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum MessageStatus {
    /// Recorded, not yet accepted by Twilio.
    Preparing,
    /// Accepted by Twilio; no final delivery information yet.
    Sent,
    Delivered,
    Undelivered,
    Failed,
    /// The To number is not a valid phone number, or the row has no ID or phone. Never sent.
    Error,
    /// Deliberately not sent (duplicate number, opted out, empty merge value).
    Skipped,
    /// The campaign was canceled before this message was sent.
    Canceled,
}

/// An attempted status change that the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {entity} cannot go from {from} to {to}")]
pub struct TransitionError {
    pub entity: &'static str,
    pub from: &'static str,
    pub to: &'static str,
}

impl CampaignStatus {
    pub const ALL: [CampaignStatus; 7] = [
        Self::Draft,
        Self::Scheduled,
        Self::Sending,
        Self::Paused,
        Self::Completed,
        Self::Canceled,
        Self::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Scheduled => "scheduled",
            Self::Sending => "sending",
            Self::Paused => "paused",
            Self::Completed => "completed",
            Self::Canceled => "canceled",
            Self::Archived => "archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Whether the lifecycle allows going from `self` to `to`.
    ///
    /// Unarchiving (`Archived` → X) is allowed here for every status an archive can come
    /// from; the store additionally checks that X is the status it was archived from.
    pub fn can_become(self, to: Self) -> bool {
        use CampaignStatus::*;
        matches!(
            (self, to),
            (Draft, Scheduled)
                | (Draft, Archived)
                | (Scheduled, Draft)
                | (Scheduled, Sending)
                | (Scheduled, Canceled)
                | (Sending, Paused)
                | (Sending, Completed)
                | (Sending, Canceled)
                | (Paused, Sending)
                | (Paused, Canceled)
                | (Completed, Archived)
                | (Canceled, Archived)
                | (Archived, Draft)
                | (Archived, Completed)
                | (Archived, Canceled)
        )
    }

    pub fn check_transition(self, to: Self) -> Result<(), TransitionError> {
        if self.can_become(to) {
            Ok(())
        } else {
            Err(TransitionError {
                entity: "campaign",
                from: self.as_str(),
                to: to.as_str(),
            })
        }
    }

    /// The draft, and only the draft, may be edited or deleted.
    pub fn is_editable(self) -> bool {
        self == Self::Draft
    }
}

impl MessageStatus {
    pub const ALL: [MessageStatus; 8] = [
        Self::Preparing,
        Self::Sent,
        Self::Delivered,
        Self::Undelivered,
        Self::Failed,
        Self::Error,
        Self::Skipped,
        Self::Canceled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Preparing => "preparing",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Undelivered => "undelivered",
            Self::Failed => "failed",
            Self::Error => "error",
            Self::Skipped => "skipped",
            Self::Canceled => "canceled",
        }
    }

    /// The status as staff read it (the dashboard's counters, exports and the report).
    pub fn in_words(self) -> &'static str {
        match self {
            Self::Preparing => "Waiting to send",
            Self::Sent => "Sent, awaiting report",
            Self::Delivered => "Delivered",
            Self::Undelivered => "Undelivered",
            Self::Failed => "Failed",
            Self::Error => "Not sendable",
            Self::Skipped => "Skipped",
            Self::Canceled => "Canceled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == s)
    }

    /// Statuses a message may be created in.
    pub fn is_initial(self) -> bool {
        matches!(self, Self::Preparing | Self::Error | Self::Skipped)
    }

    /// No later event changes a final status.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Delivered
                | Self::Undelivered
                | Self::Failed
                | Self::Error
                | Self::Skipped
                | Self::Canceled
        )
    }

    /// Whether the message ever left Herald (Twilio accepted it).
    pub fn was_submitted(self) -> bool {
        matches!(
            self,
            Self::Sent | Self::Delivered | Self::Undelivered | Self::Failed
        )
    }

    /// Whether a message may go from `self` to `to`. `Sent` → `Sent` is allowed (Twilio's
    /// raw status moves, e.g. queued → sent, while Herald's stays Sent).
    pub fn can_become(self, to: Self) -> bool {
        use MessageStatus::*;
        matches!(
            (self, to),
            (Preparing, Sent)
                | (Preparing, Delivered)
                | (Preparing, Undelivered)
                | (Preparing, Failed)
                | (Preparing, Error)
                | (Preparing, Canceled)
                | (Sent, Sent)
                | (Sent, Delivered)
                | (Sent, Undelivered)
                | (Sent, Failed)
        )
    }

    pub fn check_transition(self, to: Self) -> Result<(), TransitionError> {
        if self.can_become(to) {
            Ok(())
        } else {
            Err(TransitionError {
                entity: "message",
                from: self.as_str(),
                to: to.as_str(),
            })
        }
    }

    /// Herald's status for one of Twilio's raw message statuses (see reference/twilio.md).
    pub fn from_twilio(raw: &str) -> Option<Self> {
        match raw {
            "queued" | "accepted" | "sending" | "sent" | "scheduled" => Some(Self::Sent),
            "delivered" | "read" => Some(Self::Delivered),
            "undelivered" => Some(Self::Undelivered),
            "failed" | "canceled" => Some(Self::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for CampaignStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for MessageStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CampaignStatus as C;
    use MessageStatus as M;

    /// The full table of allowed campaign transitions, written out independently of
    /// `can_become` so that every one of the 49 pairs is checked against intent.
    const CAMPAIGN_ALLOWED: &[(C, C)] = &[
        (C::Draft, C::Scheduled),
        (C::Draft, C::Archived),
        (C::Scheduled, C::Draft),
        (C::Scheduled, C::Sending),
        (C::Scheduled, C::Canceled),
        (C::Sending, C::Paused),
        (C::Sending, C::Completed),
        (C::Sending, C::Canceled),
        (C::Paused, C::Sending),
        (C::Paused, C::Canceled),
        (C::Completed, C::Archived),
        (C::Canceled, C::Archived),
        (C::Archived, C::Draft),
        (C::Archived, C::Completed),
        (C::Archived, C::Canceled),
    ];

    const MESSAGE_ALLOWED: &[(M, M)] = &[
        (M::Preparing, M::Sent),
        (M::Preparing, M::Delivered),
        (M::Preparing, M::Undelivered),
        (M::Preparing, M::Failed),
        (M::Preparing, M::Error),
        (M::Preparing, M::Canceled),
        (M::Sent, M::Sent),
        (M::Sent, M::Delivered),
        (M::Sent, M::Undelivered),
        (M::Sent, M::Failed),
    ];

    #[test]
    fn every_campaign_pair_matches_the_table() {
        let mut allowed = 0;
        for from in C::ALL {
            for to in C::ALL {
                let expected = CAMPAIGN_ALLOWED.contains(&(from, to));
                assert_eq!(from.can_become(to), expected, "{from} -> {to}");
                let result = from.check_transition(to);
                if expected {
                    allowed += 1;
                    assert!(result.is_ok());
                } else {
                    let err = result.unwrap_err();
                    assert_eq!((err.from, err.to), (from.as_str(), to.as_str()));
                    assert_eq!(
                        err.to_string(),
                        format!("a campaign cannot go from {from} to {to}")
                    );
                }
            }
        }
        assert_eq!(allowed, CAMPAIGN_ALLOWED.len());
    }

    #[test]
    fn every_message_pair_matches_the_table() {
        for from in M::ALL {
            for to in M::ALL {
                let expected = MESSAGE_ALLOWED.contains(&(from, to));
                assert_eq!(from.can_become(to), expected, "{from} -> {to}");
                assert_eq!(
                    from.check_transition(to).is_ok(),
                    expected,
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn final_statuses_never_change() {
        for from in M::ALL.into_iter().filter(|s| s.is_final()) {
            for to in M::ALL {
                assert!(!from.can_become(to), "{from} is final but may become {to}");
            }
        }
    }

    #[test]
    fn nothing_becomes_skipped_or_preparing_later() {
        for from in M::ALL {
            assert!(!from.can_become(M::Skipped));
            assert!(!from.can_become(M::Preparing));
        }
    }

    #[test]
    fn canceled_only_before_sending() {
        for from in M::ALL {
            assert_eq!(from.can_become(M::Canceled), from == M::Preparing, "{from}");
        }
    }

    #[test]
    fn names_round_trip() {
        for s in C::ALL {
            assert_eq!(C::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        for s in M::ALL {
            assert_eq!(M::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(C::parse("Draft"), None);
    }

    #[test]
    fn twilio_statuses_map_as_the_reference_says() {
        for raw in ["queued", "accepted", "sending", "sent", "scheduled"] {
            assert_eq!(M::from_twilio(raw), Some(M::Sent), "{raw}");
        }
        assert_eq!(M::from_twilio("delivered"), Some(M::Delivered));
        assert_eq!(M::from_twilio("undelivered"), Some(M::Undelivered));
        assert_eq!(M::from_twilio("failed"), Some(M::Failed));
        assert_eq!(M::from_twilio("canceled"), Some(M::Failed));
        assert_eq!(M::from_twilio("receiving"), None);
    }
}
