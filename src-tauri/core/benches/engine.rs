//! `cargo bench -p herald_core --bench engine` (part of `make bench`): the sending engine
//! against the fake Twilio on loopback, every figure with its baseline from the same run.
//!
//! 1. Throughput with full durability (every attempt committed before its request),
//!    no rate limit: messages per second and CPU time per message.
//! 2. A configured rate of 100/s against a fake that takes 150 ms per create: the
//!    achieved rate and the busiest one-second window, against the official `twilio`
//!    Python helper creating messages in a plain loop (what a user would otherwise
//!    script; needs `benches/pydeps`, installed by `make bench`).
//! 3. Twilio API requests to reach final statuses for 1,000 messages, against one GET
//!    per message.

use herald_core::campaign::{Actor, AudienceSource, Mode, NewCampaign, WriteBackTarget};
use herald_core::drafts;
use herald_core::engine::{Engine, EngineOptions, PollSchedule};
use herald_core::imis::DirectoryCache;
use herald_core::secrets::{SecretError, SecretName, SecretStore, Sensitive};
use herald_core::status::CampaignStatus;
use herald_core::Store;
use herald_fake_twilio::{FakeTwilio, Options};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

struct TokenOnly;

impl SecretStore for TokenOnly {
    fn get(&self, name: SecretName) -> Result<Option<Sensitive>, SecretError> {
        Ok((name == SecretName::TwilioAuthToken)
            .then(|| Sensitive::new(herald_fake_twilio::AUTH_TOKEN)))
    }
    fn set(&self, _: SecretName, _: &Sensitive) -> Result<(), SecretError> {
        Ok(())
    }
    fn delete(&self, _: SecretName) -> Result<(), SecretError> {
        Ok(())
    }
}

fn number(i: usize) -> String {
    format!("+1201{:03}{:03}{}", 200 + i / 8000, (i / 8) % 1000, i % 8)
}

fn cpu_seconds() -> f64 {
    // utime + stime of this process, in clock ticks (100 per second on Linux).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

async fn setup(dir: &Path, twilio: &FakeTwilio, n: usize, rate: &str) -> (Store, i64) {
    let store = Store::open(&dir.join("herald.db")).await.unwrap();
    for (k, v) in [
        ("twilio.base_url", twilio.url()),
        (
            "twilio.account_sid",
            herald_fake_twilio::ACCOUNT_SID.to_string(),
        ),
        ("twilio.from", "+15005550006".to_string()),
        ("twilio.rate_per_second", rate.to_string()),
        ("twilio.daily_segment_cap", "10000000".to_string()),
        ("campaign.settle_minutes", "600".to_string()),
        ("imis.base_url", "http://127.0.0.1:9".to_string()),
        // Throughput, at whatever hour the benchmark runs.
        ("window.enabled", "off".to_string()),
    ] {
        store.set_setting(k, &v).await.unwrap();
    }
    let id = store
        .create_campaign(
            NewCampaign {
                name: "Bench".into(),
                mode: Some(Mode::Live),
                template: Some("Hi $FirstName, the annual meeting is on Friday.".into()),
                write_back: Some(WriteBackTarget::None),
                audience: Some(AudienceSource {
                    query: None,
                    params: Default::default(),
                    csv: Some("bench.csv".into()),
                    id_column: "ID".into(),
                    phone_column: "Mobile".into(),
                }),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .unwrap();
    let mut csv = String::from("ID,FirstName,Mobile\n");
    for i in 0..n {
        csv.push_str(&format!("{},Member{i},{}\n", 10_000 + i, number(i)));
    }
    drafts::import_csv(&store, id, "bench.csv", csv.as_bytes(), Actor::User)
        .await
        .unwrap();
    store.schedule(id, None, Actor::User).await.unwrap();
    (store, id)
}

fn engine(store: &Store, opts: EngineOptions) -> Arc<Engine> {
    Engine::new(
        store.clone(),
        Arc::new(TokenOnly),
        Arc::new(DirectoryCache::new()),
        opts,
        Arc::new(|_| {}),
    )
}

/// Runs the engine until `done` says so; returns the seconds it took.
async fn run_until(engine: &Arc<Engine>, done: impl Fn() -> bool) -> f64 {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let e = engine.clone();
    let started = Instant::now();
    let task = tokio::spawn(async move { e.run(rx).await });
    while !done() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    let _ = tx.send(true);
    let _ = task.await;
    secs
}

fn options() -> EngineOptions {
    EngineOptions {
        tick: Duration::from_millis(50),
        poll: PollSchedule {
            soon: Duration::from_millis(500),
            later: Duration::from_millis(500),
            slow: Duration::from_millis(500),
        },
        ..Default::default()
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    println!("engine: the sending engine against the fake Twilio on loopback");

    // 1. Throughput, no rate limit, full durability.
    {
        let n = 5_000;
        let twilio = FakeTwilio::start(Options::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = setup(dir.path(), &twilio, n, "1").await;
        let mut opts = options();
        opts.rate_override = Some(None);
        opts.max_in_flight = 64;
        let engine = engine(&store, opts);
        let cpu0 = cpu_seconds();
        let secs = run_until(&engine, || twilio.messages().len() >= n).await;
        let cpu = cpu_seconds() - cpu0;
        println!("  throughput, no rate limit: {n} messages in {secs:.2} s = {:.0} messages/s (target: at least 1,000/s)", n as f64 / secs);
        println!("  CPU per message: {:.0} µs (whole process: engine, SQLite and the fake Twilio together)", cpu / n as f64 * 1e6);
    }

    // 2. 100/s at 150 ms latency, against the Python helper's loop.
    let (herald_rate, busiest) = {
        let n = 1_000;
        let twilio = FakeTwilio::start(Options {
            latency: Duration::from_millis(150),
            ..Default::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = setup(dir.path(), &twilio, n, "100").await;
        let engine = engine(&store, options());
        run_until(&engine, || twilio.messages().len() >= n).await;
        let mut t: Vec<_> = twilio.messages().iter().map(|m| m.arrived).collect();
        t.sort();
        let span = (*t.last().unwrap() - t[0]).num_microseconds().unwrap() as f64 / 1e6;
        let busiest = (0..t.len())
            .map(|i| {
                t[i..]
                    .iter()
                    .take_while(|u| **u - t[i] < chrono::Duration::seconds(1))
                    .count()
            })
            .max()
            .unwrap();
        ((n - 1) as f64 / span, busiest)
    };
    println!("  configured 100/s, fake answering in 150 ms: achieved {herald_rate:.1} messages/s ({:+.1}% of 100); busiest one-second window: {busiest} messages", herald_rate - 100.0);
    let pydeps = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/pydeps");
    if pydeps.join("twilio").is_dir() {
        let n = 100;
        let twilio = FakeTwilio::start(Options {
            latency: Duration::from_millis(150),
            ..Default::default()
        })
        .await
        .unwrap();
        let out = tokio::process::Command::new("python3")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/twilio_loop.py"))
            .args([
                &twilio.url(),
                herald_fake_twilio::ACCOUNT_SID,
                herald_fake_twilio::AUTH_TOKEN,
                &n.to_string(),
            ])
            .env("PYTHONPATH", &pydeps)
            .output()
            .await
            .unwrap();
        let secs: f64 = String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(f64::NAN);
        let python_rate = n as f64 / secs;
        println!("  baseline, official twilio Python helper (9.13.0) in a plain loop: {python_rate:.1} messages/s; Herald is {:.1}x faster", herald_rate / python_rate);
    } else {
        println!(
            "  baseline skipped: install the Python helper with `make bench` (benches/pydeps)"
        );
    }

    // 3. Requests to reach final statuses.
    {
        let n = 1_000;
        let twilio = FakeTwilio::start(Options {
            status_step: Duration::from_millis(250),
            ..Default::default()
        })
        .await
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (store, id) = setup(dir.path(), &twilio, n, "1000").await;
        let engine = engine(&store, options());
        let s2 = store.clone();
        let finals = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let f2 = finals.clone();
        tokio::spawn(async move {
            loop {
                let c = s2.message_counts(id).await.unwrap();
                if c.delivered + c.undelivered + c.failed >= n as i64 {
                    f2.store(true, std::sync::atomic::Ordering::SeqCst);
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        let secs = run_until(&engine, || finals.load(std::sync::atomic::Ordering::SeqCst)).await;
        let lists = twilio.count_requests("GET", "/Messages.json");
        let fetches = twilio.meter().count_method("GET", "/2010-04-01/") - lists;
        let rounds = engine.poll_requests();
        let status = store.campaign(id).await.unwrap().status;
        println!(
            "  status polling: {n} messages final after {secs:.1} s with {} requests ({lists} list pages, {fetches} single fetches) = {:.1} per 1,000 messages; baseline one GET per message: {n} (campaign {status:?})",
            rounds,
            rounds as f64 * 1000.0 / n as f64
        );
        assert!(matches!(
            status,
            CampaignStatus::Sending | CampaignStatus::Completed
        ));
    }
}
