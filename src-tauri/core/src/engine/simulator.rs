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
            from: Some("+15005550006".into()),
            messaging_service_sid: None,
            body: Some(body.into()),
            direction: Some("outbound-api".into()),
            status: Some("queued".into()),
            error_code: None,
            error_message: None,
            num_segments: Some(i64::from(segments::count(body).segments.max(1))),
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
        let h = sid.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        });
        let h = mix(h);
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
}
