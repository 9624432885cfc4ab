//! Property test of the send ledger under crashes at any point. A model Twilio counts
//! the messages it holds per number; random sequences of "begin a batch", "send (and
//! record)", "send but crash before recording", "request lost before Twilio", "crash"
//! (everything in memory forgotten) and "reconcile" run against the real store. However
//! they interleave, no number ever holds two messages, and after a final recovery every
//! recipient holds exactly one and every message is Sent with Twilio's SID.

use herald_core::campaign::{Actor, NewCampaign};
use herald_core::status::MessageStatus;
use herald_core::store::{AttemptResult, NewMessage, SendJob};
use herald_core::twilio::MessageResource;
use herald_core::Store;
use proptest::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Op {
    Begin(u8),
    Send(u8),
    SendThenCrashBeforeRecording(u8),
    LostBeforeTwilio(u8),
    Crash,
    Reconcile,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (1u8..6).prop_map(Op::Begin),
        4 => any::<u8>().prop_map(Op::Send),
        1 => any::<u8>().prop_map(Op::SendThenCrashBeforeRecording),
        1 => any::<u8>().prop_map(Op::LostBeforeTwilio),
        1 => Just(Op::Crash),
        2 => Just(Op::Reconcile),
    ]
}

/// Twilio as far as exactly-once cares: the messages it holds, by number.
#[derive(Default)]
struct Twilio {
    held: HashMap<String, Vec<String>>,
    next: u64,
}

impl Twilio {
    fn create(&mut self, to: &str) -> MessageResource {
        self.next += 1;
        let sid = format!("SM{:032x}", self.next);
        let held = self.held.entry(to.to_string()).or_default();
        held.push(sid.clone());
        assert_eq!(held.len(), 1, "{to} was texted twice");
        resource(&sid, to)
    }
    fn find(&self, to: &str) -> Option<MessageResource> {
        self.held
            .get(to)
            .and_then(|v| v.first())
            .map(|sid| resource(sid, to))
    }
}

fn resource(sid: &str, to: &str) -> MessageResource {
    serde_json::from_value(
        serde_json::json!({"sid": sid, "to": to, "status": "queued", "num_segments": "1"}),
    )
    .unwrap()
}

async fn reconcile(store: &Store, twilio: &Twilio, in_flight: &[SendJob]) {
    let open = store
        .open_attempts(store.now() + chrono::Duration::days(1), 1000)
        .await
        .unwrap();
    let mut results = vec![];
    for a in open {
        if in_flight.iter().any(|j| j.attempt_id == a.attempt_id) {
            continue; // its request is still out: not ours to judge
        }
        let job = SendJob {
            attempt_id: a.attempt_id,
            message_id: a.message_id,
            campaign_id: a.campaign_id,
            to_e164: a.to_e164.clone(),
            body: a.body.clone(),
            segments: 1,
        };
        let result = match twilio.find(&a.to_e164) {
            Some(r) => AttemptResult::Accepted {
                resource: Box::new(r),
                reconciled: true,
            },
            None => AttemptResult::NotSent {
                reconciled: true,
                detail: "absent".into(),
            },
        };
        results.push((job, result));
    }
    store.finish_attempts(&results).await.unwrap();
}

async fn run(ops: Vec<Op>, recipients: usize) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("herald.db")).await.unwrap();
    let id = store
        .create_campaign(
            NewCampaign {
                name: "Props".into(),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .unwrap();
    let messages: Vec<NewMessage> = (0..recipients)
        .map(|i| NewMessage {
            row_index: i as i64,
            imis_id: Some(i.to_string()),
            member_name: None,
            phone_raw: None,
            to_e164: Some(format!("+1201555{:04}", 1000 + i)),
            body: "Hello".into(),
            ucs2: false,
            segments: 1,
            status: MessageStatus::Preparing,
            status_reason: None,
            time_zone: None,
        })
        .collect();
    store.insert_messages(id, &messages).await.unwrap();
    let today = store.now().date_naive();
    let mut twilio = Twilio::default();
    let mut in_flight: Vec<SendJob> = vec![];
    let pick = |in_flight: &mut Vec<SendJob>, k: u8| {
        (!in_flight.is_empty()).then(|| in_flight.remove(k as usize % in_flight.len()))
    };
    for op in ops {
        match op {
            Op::Begin(n) => {
                let (jobs, _) = store
                    .begin_attempts(id, u32::from(n), today, 1_000_000)
                    .await
                    .unwrap();
                in_flight.extend(jobs);
            }
            Op::Send(k) => {
                if let Some(job) = pick(&mut in_flight, k) {
                    let r = twilio.create(&job.to_e164);
                    store
                        .finish_attempts(&[(
                            job,
                            AttemptResult::Accepted {
                                resource: Box::new(r),
                                reconciled: false,
                            },
                        )])
                        .await
                        .unwrap();
                }
            }
            Op::SendThenCrashBeforeRecording(k) => {
                if let Some(job) = pick(&mut in_flight, k) {
                    twilio.create(&job.to_e164); // the answer is lost: the attempt stays open
                }
            }
            Op::LostBeforeTwilio(k) => {
                let _ = pick(&mut in_flight, k); // never reached Twilio; stays open too
            }
            Op::Crash => in_flight.clear(),
            Op::Reconcile => reconcile(&store, &twilio, &in_flight).await,
        }
    }
    // Recovery, as the engine does at start-up: reconcile everything, then send the rest.
    in_flight.clear();
    reconcile(&store, &twilio, &in_flight).await;
    loop {
        let (jobs, _) = store
            .begin_attempts(id, 100, today, 1_000_000)
            .await
            .unwrap();
        if jobs.is_empty() {
            break;
        }
        for job in jobs {
            let r = twilio.create(&job.to_e164);
            store
                .finish_attempts(&[(
                    job,
                    AttemptResult::Accepted {
                        resource: Box::new(r),
                        reconciled: false,
                    },
                )])
                .await
                .unwrap();
        }
    }
    let rows = store.messages(id).await.unwrap();
    for row in &rows {
        let to = row.to.as_deref().unwrap();
        assert_eq!(twilio.held.get(to).map(Vec::len), Some(1), "{to}");
        assert_eq!(row.status, MessageStatus::Sent);
        assert_eq!(
            row.twilio_sid.as_deref(),
            twilio.held[to].first().map(String::as_str)
        );
    }
    assert!(store
        .open_attempts(store.now() + chrono::Duration::days(1), 10)
        .await
        .unwrap()
        .is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    #[test]
    fn no_crash_point_sends_twice_or_loses_a_message(ops in proptest::collection::vec(op(), 1..60), recipients in 1usize..12) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run(ops, recipients));
    }
}
