//! TEST mode's gateway: no network, no SMS. Messages move queued → sent → a final status
//! on a realistic timetable, deterministic per message: most are delivered, some
//! undelivered or failed with Twilio's codes; Twilio's magic test numbers behave as on
//! Twilio.

use crate::compose::segments;
use crate::store::StatusUpdate;
use crate::twilio::{CreateOutcome, MessageResource};
use chrono::{DateTime, Utc};

/// A stable, well-mixed hash of a number (SplitMix64's finaliser).
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The number simulated texts come from (Twilio's test "from" number).
pub const FROM: &str = "+15005550006";

#[derive(Debug, Clone, Copy)]
pub struct Simulator {
    /// 1.0 is real time; tests shrink it.
    pub time_scale: f64,
}

impl Simulator {
    /// The simulated SID for a message's attempt.
    pub fn sid(message_id: i64, attempt_id: i64) -> String {
        let a = mix(message_id as u64);
        let b = mix(a ^ attempt_id as u64);
        format!("SM{a:016x}{b:016x}")
    }

    pub fn create(
        &self,
        message_id: i64,
        attempt_id: i64,
        to: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> CreateOutcome {
        let reject = |code: i64, status: u16| CreateOutcome::Rejected {
            code,
            message: crate::twilio::codes::explain(code).into(),
            status,
        };
        match to {
            "+15005550001" => return reject(21211, 400),
            "+15005550002" => return reject(21612, 400),
            "+15005550003" => return reject(21408, 400),
            "+15005550004" => return reject(21610, 400),
            "+15005550009" => return reject(21614, 400),
            _ => {}
        }
        CreateOutcome::Accepted(Box::new(MessageResource {
            sid: Self::sid(message_id, attempt_id),
            to: Some(to.into()),
            from: Some(FROM.into()),
            messaging_service_sid: None,
            body: Some(body.into()),
            direction: Some("outbound-api".into()),
            status: Some("queued".into()),
            error_code: None,
            error_message: None,
            num_segments: Some(i64::from(segments::cost(body).1.max(1))),
            price: None,
            price_unit: Some("USD".into()),
            date_created: Some(now),
            date_sent: None,
            date_updated: Some(now),
        }))
    }

    /// The status of a simulated message `sent_at`, as of `now`.
    pub fn status(
        &self,
        sid: &str,
        segments: i64,
        sent_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StatusUpdate {
        let h = mix(fnv(sid));
        let secs = |s: f64| chrono::Duration::milliseconds((s * 1000.0 * self.time_scale) as i64);
        let to_sent = secs(1.0 + (h % 3) as f64);
        let to_final = to_sent + secs(2.0 + ((h >> 8) % 18) as f64);
        let age = now - sent_at;
        // The status, its error code, and when it became that (Twilio's date_updated).
        let (status, code, changed): (&str, Option<i64>, _) = if age < to_sent {
            ("queued", None, sent_at)
        } else if age < to_final {
            ("sent", None, sent_at + to_sent)
        } else {
            let (status, code) = match (h >> 16) % 100 {
                0..=89 => ("delivered", None),
                90..=94 => (
                    "undelivered",
                    Some([30003, 30005, 30006][((h >> 24) % 3) as usize]),
                ),
                _ => ("failed", Some([30007, 30008][((h >> 24) % 2) as usize])),
            };
            (status, code, sent_at + to_final)
        };
        let priced = matches!(status, "delivered" | "undelivered");
        StatusUpdate {
            sid: sid.to_string(),
            status: status.into(),
            error_code: code,
            error_message: None,
            num_segments: Some(segments.max(1)),
            price: priced.then(|| format!("-{:.5}", 0.0079 * segments.max(1) as f64)),
            price_unit: Some("USD".into()),
            date_updated: Some(changed),
        }
    }
}

/// What the first members of a TEST campaign whose text is delivered "text back", in the
/// audience's order: every kind of reply, so that even a small campaign shows the whole flow
/// (an opt-out word, one in a person's own words to confirm, an opt-in, a help request,
/// plain replies).
pub const FIRST_REPLIES: [&str; 6] = ["Thanks!", "remove me", "STOP", "HELP", "YES", "Stop."];

/// How far down the audience the first replies are looked for.
pub const FIRST_ROWS: i64 = 40;

/// After those rows, about one member in [`REPLY_EVERY`] replies, with one of these.
const MORE_REPLIES: [&str; 12] = [
    "Thanks!",
    "Thank you, see you there",
    "STOP",
    "Who is this?",
    "stop",
    "Please remove me from this list",
    "HELP",
    "ok",
    "Will do 👍",
    "Unsubscribe",
    "Can I bring a guest?",
    "Got it",
];
pub const REPLY_EVERY: i64 = 53;

/// A reply the simulator makes up for a TEST message.
#[derive(Debug, Clone, PartialEq)]
pub struct SimulatedReply {
    pub sid: String,
    pub body: &'static str,
    /// When the member "sent" it: a few seconds to a minute after delivery.
    pub at: DateTime<Utc>,
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

impl Simulator {
    /// The rows past [`FIRST_ROWS`] and below `rows` whose member may reply.
    pub fn more_reply_rows(rows: i64) -> Vec<i64> {
        (0..)
            .map(|k| FIRST_ROWS + REPLY_EVERY * k)
            .take_while(|r| *r < rows)
            .collect()
    }

    /// The reply to the delivered message `sid` (sent at `sent_at`): `first` names one of
    /// [`FIRST_REPLIES`] (the member is among the first delivered), else one of the others
    /// is picked from the SID. Deterministic: the same message always gives the same reply,
    /// with the same SID, so storing it twice is impossible. `None` if the simulator does not
    /// deliver that text.
    pub fn reply(
        &self,
        sid: &str,
        first: Option<usize>,
        segments: i64,
        sent_at: DateTime<Utc>,
    ) -> Option<SimulatedReply> {
        let h = mix(fnv(sid) ^ 0x5245_504c_5920_2020);
        let body = match first {
            Some(k) => *FIRST_REPLIES.get(k)?,
            None => MORE_REPLIES[(h % MORE_REPLIES.len() as u64) as usize],
        };
        let settled = self.status(sid, segments, sent_at, DateTime::<Utc>::MAX_UTC);
        if settled.status != "delivered" {
            return None;
        }
        let delivered = settled.date_updated?;
        let after = (3.0 + ((h >> 8) % 57) as f64) * 1000.0 * self.time_scale;
        // Twilio dates a message to the second.
        let at = delivered + chrono::Duration::milliseconds(after as i64);
        let at = DateTime::<Utc>::from_timestamp(at.timestamp(), 0)?;
        Some(SimulatedReply {
            sid: format!("SM{:016x}{:016x}", h, mix(h)),
            body,
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_move_forward_and_are_mostly_delivered() {
        let sim = Simulator { time_scale: 1.0 };
        let t0 = DateTime::parse_from_rfc3339("2026-11-27T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut delivered = 0;
        for i in 0..1000 {
            let sid = Simulator::sid(i, 1);
            let early = sim.status(&sid, 1, t0, t0);
            assert_eq!(early.status, "queued");
            let late = sim.status(&sid, 1, t0, t0 + chrono::Duration::minutes(1));
            assert!(matches!(
                late.status.as_str(),
                "delivered" | "undelivered" | "failed"
            ));
            assert_eq!(
                late.status,
                sim.status(&sid, 1, t0, t0 + chrono::Duration::minutes(2))
                    .status,
                "deterministic"
            );
            delivered += usize::from(late.status == "delivered");
        }
        assert!((850..950).contains(&delivered), "{delivered}");
        assert_ne!(Simulator::sid(1, 1), Simulator::sid(1, 2));
    }

    #[test]
    fn magic_numbers_are_refused_like_twilio() {
        let sim = Simulator { time_scale: 1.0 };
        let now = Utc::now();
        assert!(matches!(
            sim.create(1, 1, "+15005550004", "x", now),
            CreateOutcome::Rejected { code: 21610, .. }
        ));
        assert!(matches!(
            sim.create(1, 1, "+12015550123", "x", now),
            CreateOutcome::Accepted(_)
        ));
    }

    #[test]
    fn replies_come_after_delivery_and_every_kind_is_seen() {
        use crate::replies::{classify, ReplyKind};
        let sim = Simulator { time_scale: 1.0 };
        let t0 = DateTime::parse_from_rfc3339("2026-12-07T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(Simulator::more_reply_rows(41), vec![40]);
        assert_eq!(Simulator::more_reply_rows(10_000).len(), 188);
        let mut kinds = std::collections::BTreeSet::new();
        let mut replied = 0;
        for i in 0..10_000 {
            let sid = Simulator::sid(i + 1, 1);
            let first = (i < 6).then_some(i as usize);
            let Some(reply) = sim.reply(&sid, first, 1, t0) else {
                assert_ne!(
                    sim.status(&sid, 1, t0, t0 + chrono::Duration::hours(1))
                        .status,
                    "delivered",
                    "a delivered text chosen to reply replies"
                );
                continue;
            };
            replied += 1;
            if let Some(k) = first {
                assert_eq!(reply.body, FIRST_REPLIES[k]);
            }
            let delivered = sim.status(&sid, 1, t0, t0 + chrono::Duration::hours(1));
            assert_eq!(
                delivered.status, "delivered",
                "only delivered texts are answered"
            );
            assert!(reply.at >= delivered.date_updated.unwrap() - chrono::Duration::seconds(1));
            assert!(reply.at <= t0 + chrono::Duration::seconds(90));
            assert_eq!(
                Some(&reply),
                sim.reply(&sid, first, 1, t0).as_ref(),
                "deterministic"
            );
            assert!(reply.sid.starts_with("SM") && reply.sid.len() == 34);
            kinds.insert(format!("{:?}", classify(reply.body)));
        }
        // Every delivered one here is asked: about 90 %.
        assert!((8_500..9_500).contains(&replied), "{replied}");
        for k in [
            ReplyKind::OptOut,
            ReplyKind::OptIn,
            ReplyKind::Help,
            ReplyKind::PossibleOptOut,
            ReplyKind::Reply,
        ] {
            assert!(kinds.contains(&format!("{k:?}")), "{k:?} in {kinds:?}");
        }
    }
}
