//! Leak-proofing: a full LIVE campaign against the fake Twilio and the fake iMIS with
//! distinctive secret values (and a wrong one, to provoke errors), then every byte Herald
//! wrote or printed is scanned: the SQLite file and its WAL, every log file, the report
//! email as the SMTP server received it, the CSV and JSON exports, standard output and
//! standard error of every command. No secret may appear anywhere.

use herald_fake_imis::{FakeImis, Options as ImisOptions};
use herald_fake_twilio::{FakeTwilio, Options as TwilioOptions};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const IMIS_PASSWORD: &str = "Imis-Pass-Distinctive-7Qx";
const TWILIO_TOKEN: &str = "Twilio-Token-Distinctive-9Wz";
const WRONG_PASSWORD: &str = "Wrong-Pass-Distinctive-3Kv";
const SMTP_PASSWORD: &str = "Smtp-Pass-Distinctive-5Jn";

struct Cli {
    dir: tempfile::TempDir,
    printed: std::cell::RefCell<Vec<u8>>,
}

impl Cli {
    fn run(&self, imis_password: &str, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_herald-cli"))
            .arg("--data-dir")
            .arg(self.dir.path())
            .arg("--secrets-from-env")
            .args(args)
            .env_remove("HERALD_DATA_DIR")
            .env("HERALD_IMIS_PASSWORD", imis_password)
            .env("HERALD_TWILIO_AUTH_TOKEN", TWILIO_TOKEN)
            .env("HERALD_SMTP_PASSWORD", SMTP_PASSWORD)
            .env("HERALD_ENGINE_RECONCILE_MS", "300")
            .env("HERALD_ENGINE_POLL_MS", "100")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let mut p = self.printed.borrow_mut();
        p.extend_from_slice(&out.stdout);
        p.extend_from_slice(&out.stderr);
        out
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(IMIS_PASSWORD, args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }
}

fn scan(label: &str, bytes: &[u8]) {
    for secret in [IMIS_PASSWORD, TWILIO_TOKEN, WRONG_PASSWORD, SMTP_PASSWORD] {
        let found = bytes.windows(secret.len()).any(|w| w == secret.as_bytes());
        assert!(!found, "a secret ({}…) leaked into {label}", &secret[..6]);
    }
}

fn scan_dir(dir: &Path) -> usize {
    let mut files = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files += scan_dir(&path);
        } else {
            scan(&path.display().to_string(), &std::fs::read(&path).unwrap());
            files += 1;
        }
    }
    files
}

#[test]
fn no_secret_reaches_the_database_logs_exports_or_messages() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let imis = rt
        .block_on(FakeImis::start(ImisOptions {
            password: IMIS_PASSWORD.into(),
            ..Default::default()
        }))
        .unwrap();
    let twilio = rt
        .block_on(FakeTwilio::start(TwilioOptions {
            auth_token: TWILIO_TOKEN.into(),
            status_step: Duration::from_millis(10),
            ..Default::default()
        }))
        .unwrap();
    let cli = Cli {
        dir: tempfile::tempdir().unwrap(),
        printed: Default::default(),
    };
    // A real SMTP server (aiosmtpd, from core's tests/smtp) with a login, for the report.
    let smtp_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/tests/smtp");
    assert!(
        smtp_dir.join("pydeps/aiosmtpd").is_dir(),
        "aiosmtpd is not installed (`make test` installs it)"
    );
    let smtp_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = cli.dir.path().join("received-mail");
    let mut smtp = Command::new("python3")
        .arg(smtp_dir.join("server.py"))
        .args(["--port", &smtp_port.to_string(), "--maildir"])
        .arg(&maildir)
        .args(["--user", "reports", "--password", SMTP_PASSWORD])
        .env("PYTHONPATH", smtp_dir.join("pydeps"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(smtp.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "READY");
    }
    for (k, v) in [
        ("imis.base_url", imis.url()),
        ("imis.username", "herald".into()),
        ("twilio.base_url", twilio.url()),
        ("twilio.account_sid", herald_fake_twilio::ACCOUNT_SID.into()),
        ("twilio.from", "+15005550006".into()),
        ("twilio.rate_per_second", "200".into()),
        ("campaign.settle_minutes", "0".into()),
        ("smtp.host", "localhost".into()),
        ("smtp.port", smtp_port.to_string()),
        ("smtp.security", "none".into()),
        ("smtp.username", "reports".into()),
        ("smtp.from", "herald@example.org".into()),
        ("window.enabled", "off".into()),
    ] {
        cli.ok(&["settings", "set", k, &v]);
    }
    cli.ok(&["secrets", "status"]);
    let file = cli.dir.path().join("campaign.json");
    std::fs::write(
        &file,
        serde_json::json!({
            "name": "Leak test", "mode": "live", "write_back": "activity", "report_email": "director@example.org",
            "template": "Hello $FirstName",
            "audience": {"query": "$/Herald Demo/Events/Conference 2026 attendees", "id_column": "ID", "phone_column": "Mobile"},
        })
        .to_string(),
    )
    .unwrap();
    let created: serde_json::Value =
        serde_json::from_str(&cli.ok(&["campaign", "create", "--file", file.to_str().unwrap()]))
            .unwrap();
    let id = created["id"].as_i64().unwrap().to_string();
    cli.ok(&["campaign", "schedule", &id, "--yes"]);
    cli.ok(&["run", "--until-idle"]);
    let show: serde_json::Value =
        serde_json::from_str(&cli.ok(&["campaign", "show", &id])).unwrap();
    assert_eq!(show["status"], "completed", "{show}");
    assert!(twilio.messages().len() > 100, "the campaign really sent");
    assert_eq!(
        imis.activities().len(),
        twilio.messages().len(),
        "and wrote back every text"
    );
    // Exports.
    cli.ok(&["campaign", "messages", &id, "--format", "csv"]);
    cli.ok(&["campaign", "messages", &id]);
    cli.ok(&["writeback", "status", &id]);
    cli.ok(&[
        "audience",
        "fetch",
        "--query",
        "$/Herald Demo/All members",
        "--format",
        "csv",
    ]);
    // Errors, with a wrong password in play.
    let failed = cli.run(WRONG_PASSWORD, &["audience", "queries"]);
    assert!(!failed.status.success());
    assert!(String::from_utf8_lossy(&failed.stderr).contains("username or password"));
    let failed = cli.run(WRONG_PASSWORD, &["campaign", "schedule", &id, "--yes"]);
    assert!(!failed.status.success());

    let mails: Vec<_> = std::fs::read_dir(&maildir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(
        mails
            .iter()
            .any(|p| p.extension().is_some_and(|x| x == "eml")),
        "the report email was sent, and is scanned below"
    );
    let _ = smtp.kill();
    let _ = smtp.wait();
    scan("the commands' output", &cli.printed.borrow());
    let files = scan_dir(cli.dir.path());
    assert!(
        files >= 3,
        "the database, its WAL or journal, and the logs were scanned ({files} files)"
    );
    let logs = std::fs::read_dir(cli.dir.path().join("logs"))
        .unwrap()
        .count();
    assert!(logs > 0, "the run wrote logs, and they were scanned");
}
