//! The real crash test: `herald-cli run` is killed with SIGKILL at random moments, again
//! and again, during a 2,000-recipient LIVE campaign against the fake Twilio, and
//! restarted each time. In the end every recipient has exactly one message and every
//! message is accounted for.

use herald_fake_twilio::{FakeTwilio, Options};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::Duration;

const RECIPIENTS: usize = 2_000;
const KILLS: usize = 24;

fn number(i: usize) -> String {
    format!("+1201{:03}{:03}{}", 200 + i / 8000, (i / 8) % 1000, i % 8)
}

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_herald-cli"));
        c.arg("--data-dir")
            .arg(self.dir.path())
            .arg("--secrets-from-env")
            .args(args)
            .env_remove("HERALD_DATA_DIR")
            .env("HERALD_TWILIO_AUTH_TOKEN", herald_fake_twilio::AUTH_TOKEN)
            .env("HERALD_IMIS_PASSWORD", "unused")
            .env("HERALD_ENGINE_RECONCILE_MS", "300")
            .env("HERALD_ENGINE_POLL_MS", "100")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        c
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// A fake Twilio on its own runtime (kept alive with it), and a CLI on a fresh data folder.
fn fake_twilio_and_cli(opts: Options) -> (tokio::runtime::Runtime, FakeTwilio, Cli) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let twilio = rt.block_on(FakeTwilio::start(opts)).unwrap();
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
    };
    (rt, twilio, cli)
}

#[test]
fn sigkill_at_random_moments_never_sends_twice_or_loses_a_message() {
    let (_rt, twilio, cli) = fake_twilio_and_cli(Options {
        latency: Duration::from_millis(3),
        status_step: Duration::from_millis(10),
        ..Default::default()
    });
    for (k, v) in [
        ("twilio.base_url", twilio.url()),
        ("twilio.account_sid", herald_fake_twilio::ACCOUNT_SID.into()),
        ("twilio.from", "+15005550006".into()),
        ("twilio.rate_per_second", "400".into()),
        ("imis.base_url", "http://127.0.0.1:9".into()),
        ("imis.username", "herald".into()),
        // Crash safety at whatever hour the test runs; the window has its own tests.
        ("window.enabled", "off".into()),
    ] {
        cli.json(&["settings", "set", k, &v]);
    }
    let mut csv = String::from("ID,FirstName,Mobile\n");
    for i in 0..RECIPIENTS {
        csv.push_str(&format!("{},Member {i},{}\n", 10_000 + i, number(i)));
    }
    std::fs::write(cli.dir.path().join("members.csv"), csv).unwrap();
    let file = cli.dir.path().join("campaign.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "name": "Crash test", "mode": "live", "write_back": "none",
            "template": "Hello $FirstName, this is a test.",
            "audience": {"csv": "members.csv", "id_column": "ID", "phone_column": "Mobile"},
        })
        .to_string(),
    )
    .unwrap();
    let id = cli.json(&["campaign", "create", "--file", file.to_str().unwrap()])["id"]
        .as_i64()
        .unwrap()
        .to_string();
    cli.json(&["campaign", "schedule", &id, "--yes"]);

    let mut kills = 0;
    let mut seen_progress = vec![];
    while kills < KILLS {
        let mut child = cli.cmd(&["run", "--until-idle"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(fastrand::u64(150..700)));
        match child.try_wait().unwrap() {
            Some(_) => break, // finished before the kill: the campaign is done
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                kills += 1;
                seen_progress.push(twilio.messages().len());
            }
        }
    }
    // Restarted after the last kill: runs to the end.
    for _ in 0..5 {
        let out = cli.cmd(&["run", "--until-idle"]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let show = cli.json(&["campaign", "show", &id]);
        if show["status"] == "completed" {
            break;
        }
    }
    let show = cli.json(&["campaign", "show", &id]);
    assert_eq!(show["status"], "completed", "{show}");
    assert!(kills >= 20, "the engine was killed {kills} times mid-campaign (progress at each kill: {seen_progress:?})");
    let counts = twilio.counts();
    let mut missing = vec![];
    for i in 0..RECIPIENTS {
        match counts.get(&number(i)).copied().unwrap_or(0) {
            1 => {}
            0 => missing.push(i),
            n => panic!("recipient {i} got {n} messages"),
        }
    }
    assert!(missing.is_empty(), "never sent: {missing:?}");
    let messages = cli.json(&["campaign", "messages", &id]);
    let rows = messages.as_array().unwrap();
    assert_eq!(rows.len(), RECIPIENTS);
    for r in rows {
        assert!(
            matches!(r["status"].as_str(), Some("sent" | "delivered")),
            "every message accounted for: {r}"
        );
        assert!(r["twilio_sid"]
            .as_str()
            .is_some_and(|s| s.starts_with("SM")));
    }
    let sids: std::collections::HashSet<&str> = rows
        .iter()
        .map(|r| r["twilio_sid"].as_str().unwrap())
        .collect();
    assert_eq!(sids.len(), RECIPIENTS, "one SID each");
    eprintln!("killed {kills} times; Twilio's message count at each kill: {seen_progress:?}");
}

/// `herald-cli replies sync` killed at random moments while it reads 6,000 replies
/// (several pages over three days): restarted, every reply is stored once, and every STOP
/// is on the opt-out list once.
#[test]
fn a_reply_sync_killed_at_random_moments_loses_and_doubles_nothing() {
    const REPLIES: usize = 6_000;
    let (_rt, twilio, cli) = fake_twilio_and_cli(Options {
        // Six pages at 150 ms each: a sync takes about a second, killed before that.
        latency: Duration::from_millis(150),
        ..Default::default()
    });
    let from = "+15005550006";
    for (k, v) in [
        ("twilio.base_url", twilio.url()),
        ("twilio.account_sid", herald_fake_twilio::ACCOUNT_SID.into()),
        ("twilio.from", from.into()),
    ] {
        cli.json(&["settings", "set", k, &v]);
    }
    let now = chrono::Utc::now();
    for i in 0..REPLIES {
        twilio.receive(herald_fake_twilio::Inbound {
            sid: String::new(),
            from: format!("+1303555{i:04}"),
            to: from.into(),
            messaging_service_sid: None,
            body: if i % 100 == 0 {
                "STOP"
            } else {
                "See you there"
            }
            .into(),
            at: Some(now - chrono::Duration::seconds(40 * i as i64 + 5)),
            no_date_sent: false,
        });
    }

    let mut kills = 0;
    for _ in 0..8 {
        let mut child = cli.cmd(&["replies", "sync"]).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(fastrand::u64(80..600)));
        if child.try_wait().unwrap().is_some() {
            break; // finished before the kill
        }
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
    }
    let last = cli.json(&["replies", "sync"]);
    assert_eq!(last["listed"].as_u64(), Some(REPLIES as u64), "{last}");

    let replies = cli.json(&["replies", "list", "--limit", "10000"]);
    let replies = replies.as_array().unwrap();
    let sids: std::collections::HashSet<&str> =
        replies.iter().map(|r| r["sid"].as_str().unwrap()).collect();
    assert_eq!(replies.len(), REPLIES, "every reply is stored");
    assert_eq!(sids.len(), REPLIES, "none twice");
    let list = cli.json(&["optouts", "list"]);
    let numbers: std::collections::HashSet<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["phone_e164"].as_str().unwrap())
        .collect();
    assert_eq!(list.as_array().unwrap().len(), REPLIES / 100);
    assert_eq!(numbers.len(), REPLIES / 100, "each STOP once on the list");
    let history = cli.json(&["optouts", "history"]);
    assert_eq!(
        history.as_array().unwrap().len(),
        REPLIES / 100,
        "each added once: {history}"
    );
    assert!(kills >= 1, "the sync was killed at least once");
    eprintln!("reply sync killed {kills} times");
}
