//! `cargo bench -p herald_core --bench replies` (part of `make bench`): reading 50,000
//! replies (50 pages of 1,000) from the fake Twilio with 100 ms of latency per request,
//! against a baseline of one GET per message measured in the same run (on a sample, as
//! 50,000 of them would take hours); then the reply classifier on 1,000,000 bodies
//! against upper-casing the same bodies.

use chrono::Utc;
use herald_core::replies::{self, classify};
use herald_core::secrets::Sensitive;
use herald_core::twilio::{Credentials, Sender, TwilioClient, TwilioConfig};
use herald_core::Store;
use herald_fake_twilio::{FakeTwilio, Inbound, Options};
use std::time::{Duration, Instant};

const FROM: &str = "+15005550006";
const REPLIES: usize = 50_000;
const SAMPLE: usize = 50;

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

const BODIES: [&str; 12] = [
    "STOP",
    "Thanks, see you Friday!",
    "stop.",
    "Yes",
    "please remove me from this list",
    "Is the meeting at 9 or 10?",
    "START",
    "Stop by the booth at 3 and say hello to everyone",
    "HELP",
    "👍",
    "opt out",
    "Can you send me the agenda? My email changed last month, it is now jane@example.org",
];

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeTwilio::start(Options::default()).await.unwrap();
    let now = Utc::now();
    let mut sids = Vec::with_capacity(SAMPLE);
    for i in 0..REPLIES {
        let sid = fake.receive(Inbound {
            sid: String::new(),
            from: format!("+1303{:07}", 5_550_000 + i),
            to: FROM.into(),
            messaging_service_sid: None,
            body: BODIES[i % BODIES.len()].into(),
            at: Some(now - chrono::Duration::seconds(i as i64 * 5)),
            no_date_sent: false,
        });
        if sids.len() < SAMPLE {
            sids.push(sid);
        }
    }
    fake.set_latency(Duration::from_millis(100));
    let client = TwilioClient::new(TwilioConfig::new(
        &fake.url(),
        Credentials {
            account_sid: herald_fake_twilio::ACCOUNT_SID.into(),
            api_key_sid: None,
            secret: Sensitive::new(herald_fake_twilio::AUTH_TOKEN),
        },
        Sender::From(FROM.into()),
    ))
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("herald.db")).await.unwrap();

    // Baseline: one GET per message, on a sample.
    let started = Instant::now();
    for sid in &sids {
        client.fetch_message(sid).await.unwrap().unwrap();
    }
    let per_get = started.elapsed() / SAMPLE as u32;
    let baseline = per_get * REPLIES as u32;

    let before_kb = status_kb("VmRSS:");
    let started = Instant::now();
    let report = replies::sync(&store, &client).await.unwrap();
    let synced = started.elapsed();
    let peak_kb = status_kb("VmHWM:");
    assert_eq!(report.outcome.stored as usize, REPLIES);

    println!("replies: {REPLIES} inbound messages at the fake Twilio, 100 ms latency per request (2 cores)");
    println!(
        "  one GET per message (baseline, {SAMPLE} measured, x{REPLIES}): {:>8.1} s ({:.0} ms each)",
        baseline.as_secs_f64(),
        per_get.as_secs_f64() * 1000.0
    );
    println!(
        "  list pages of 1,000 and store:                    {:>8.1} s in {} requests ({:.4}x the baseline)",
        synced.as_secs_f64(),
        report.requests,
        synced.as_secs_f64() / baseline.as_secs_f64()
    );
    println!(
        "  memory: process peak {} MB ({} MB before the sync; the fake server and its 50,000 replies included)",
        peak_kb / 1024,
        before_kb / 1024
    );

    // The classifier on 1,000,000 bodies against upper-casing them (the least a keyword
    // match must do), in the same run.
    let bodies: Vec<&str> = (0..1_000_000).map(|i| BODIES[i % BODIES.len()]).collect();
    let started = Instant::now();
    let mut chars = 0usize;
    for b in &bodies {
        chars += std::hint::black_box(b.to_uppercase()).len();
    }
    let upper = started.elapsed();
    let started = Instant::now();
    let mut opt_outs = 0usize;
    for b in &bodies {
        if std::hint::black_box(classify(b)) == replies::ReplyKind::OptOut {
            opt_outs += 1;
        }
    }
    let classified = started.elapsed();
    assert!(chars > 0 && opt_outs > 0);
    println!("replies: classifier on 1,000,000 bodies");
    println!(
        "  upper-casing each body (baseline): {:>6.0} ns per body",
        upper.as_nanos() as f64 / 1e6
    );
    println!(
        "  classify:                          {:>6.0} ns per body ({:.1}x the baseline)",
        classified.as_nanos() as f64 / 1e6,
        classified.as_secs_f64() / upper.as_secs_f64()
    );
}
