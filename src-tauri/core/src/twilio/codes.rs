//! Twilio error codes in words a staff member understands, and what Herald does.

/// What a synchronous rejection means for the message and the campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The number cannot receive texts: Error, never sent.
    InvalidNumber,
    /// Twilio refused this one message for good: Failed.
    Failed,
    /// The recipient opted out: Failed, and the number joins the opt-out list.
    OptedOut,
    /// Not processed; try again later (20429, 21611).
    NotAccepted,
    /// Something about the account or the sender: the campaign pauses.
    PauseCampaign,
}

pub fn verdict(code: i64) -> Verdict {
    match code {
        21211 | 21614 | 21217 | 21421 => Verdict::InvalidNumber,
        21610 => Verdict::OptedOut,
        20429 | 21611 => Verdict::NotAccepted,
        20003 | 20005 | 20008 | 21212 | 21606 | 21603 | 21659 | 21660 | 21608 | 30032 | 30034 => {
            Verdict::PauseCampaign
        }
        _ => Verdict::Failed,
    }
}

/// A person's explanation of a Twilio error code.
pub fn explain(code: i64) -> &'static str {
    match code {
        20003 => "Twilio refused Herald's credentials (Account SID, API key or Auth Token). Check them in Settings → Twilio.",
        20005 => "The Twilio account is suspended or closed.",
        20429 => "Twilio was asked too much at once; Herald slowed down and retried.",
        21211 => "The 'To' number is not a valid phone number.",
        21212 => "The sender ('From') number is not valid for this account. Check it in Settings → Twilio.",
        21408 => "The Twilio account is not allowed to text this country (Geo Permissions in the Twilio console).",
        21606 => "The sender ('From') number cannot send texts. Check it in Settings → Twilio.",
        21610 => "The recipient replied STOP, so Twilio will not text them; they were added to Herald's opt-out list.",
        21611 => "The sender's queue at Twilio is full; Herald waited and retried.",
        21612 => "Twilio cannot route a text between this sender and this number.",
        21614 => "The 'To' number is not a mobile number (a landline cannot receive texts).",
        21617 => "The message is longer than Twilio's 1,600-character limit.",
        30001 => "The message sat too long in the sender's queue at Twilio (queue overflow).",
        30003 => "The phone is switched off or out of reach.",
        30004 => "The recipient has blocked this sender, or the carrier blocked the text.",
        30005 => "The number is unknown to the carrier (it may no longer exist).",
        30006 => "The number is a landline or its carrier cannot receive texts.",
        30007 => "The carrier filtered the text as spam.",
        30008 => "The carrier reported an unknown error.",
        30032 => "The toll-free sender is not verified, so carriers block its texts.",
        30034 => "The sender is not registered for US A2P 10DLC, so carriers block its texts.",
        30036 => "The text expired before it could be delivered (validity period).",
        _ => "Twilio reported an error; see the code in Twilio's error dictionary.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_in_the_reference_has_words() {
        for code in [
            20003, 20429, 21211, 21408, 21610, 21611, 21612, 21614, 21617, 21212, 21606, 30001,
            30003, 30004, 30005, 30006, 30007, 30008, 30032, 30034, 30036,
        ] {
            assert!(
                !explain(code).starts_with("Twilio reported an error"),
                "{code}"
            );
        }
        assert_eq!(verdict(21610), Verdict::OptedOut);
        assert_eq!(verdict(21211), Verdict::InvalidNumber);
        assert_eq!(verdict(21614), Verdict::InvalidNumber);
        assert_eq!(verdict(20003), Verdict::PauseCampaign);
        assert_eq!(verdict(21611), Verdict::NotAccepted);
        assert_eq!(verdict(21408), Verdict::Failed);
        assert_eq!(verdict(21612), Verdict::Failed);
    }
}
