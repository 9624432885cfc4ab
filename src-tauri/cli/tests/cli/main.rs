//! herald-cli as automation sees it: JSON on stdout, errors on stderr, exit codes.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Output, Stdio};

struct Cli {
    dir: tempfile::TempDir,
}

impl Cli {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_herald-cli"));
        c.arg("--data-dir")
            .arg(self.dir.path())
            .args(args)
            .env_remove("HERALD_DATA_DIR");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().unwrap()
    }

    fn run_stdin(&self, args: &[&str], stdin: &str) -> Output {
        let mut child = self
            .cmd(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e})"))
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(!out.status.success(), "{args:?} should fail");
        assert!(out.stdout.is_empty(), "a failure prints nothing on stdout");
        String::from_utf8(out.stderr).unwrap()
    }
}

#[test]
fn settings_are_typed_validated_and_persisted() {
    let cli = Cli::new();
    assert_eq!(
        cli.json(&["settings", "get", "twilio.rate_per_second"]),
        1.0
    );
    let err = cli.fails(&["settings", "set", "twilio.rate_per_second", "abc"]);
    assert!(err.contains("error[invalid_setting]"), "{err}");
    assert!(
        err.contains("expected a number of segments per second"),
        "{err}"
    );
    let entry = cli.json(&["settings", "set", "twilio.sender_type", "short_code"]);
    assert_eq!(entry["value"], "short_code");
    assert_eq!(
        cli.json(&["settings", "get", "twilio.rate_per_second"]),
        100.0
    );
    assert_eq!(cli.json(&["settings", "get", "smtp.port"]), 587);
    let list = cli.json(&["settings", "list"]);
    let keys: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["key"].as_str().unwrap())
        .collect();
    for key in [
        "imis.base_url",
        "twilio.daily_segment_cap",
        "price_per_segment",
        "campaign.catch_up",
        "smtp.from",
    ] {
        assert!(keys.contains(&key), "{key} missing from settings list");
    }
    let err = cli.fails(&["settings", "get", "twilio.token"]);
    assert!(err.contains("error[unknown_setting]"), "{err}");
}

#[test]
fn campaigns_are_created_listed_shown_and_scheduled() {
    let cli = Cli::new();
    assert_eq!(cli.json(&["campaign", "list"]), serde_json::json!([]));
    let file = cli.dir.path().join("c.json");
    std::fs::write(
        &file,
        r#"{"name":"Spring renewals","report_email":"ops@example.org","mode":"test",
            "audience":{"csv":"members.csv","id_column":"ID","phone_column":"Mobile"},
            "template":"Hi ${FirstName}","write_back":"none","schedule":"2026-12-01T15:00:00Z"}"#,
    )
    .unwrap();
    let id = cli.json(&["campaign", "create", "--file", file.to_str().unwrap()])["id"]
        .as_i64()
        .unwrap();
    let show = cli.json(&["campaign", "show", &id.to_string()]);
    assert_eq!(show["status"], "draft");
    assert_eq!(show["counts"]["total"], 0);
    assert_eq!(show["write_back"], "none");
    let err = cli.fails(&["campaign", "create", "--file", file.to_str().unwrap()]);
    assert!(
        err.contains("error[conflict]") && err.contains("already exists"),
        "{err}"
    );

    let scheduled = cli.json(&["campaign", "schedule", &id.to_string()]);
    assert_eq!(scheduled["status"], "scheduled");
    assert_eq!(scheduled["scheduled_at"], "2026-12-01T15:00:00Z");
    let err = cli.fails(&["campaign", "delete", &id.to_string()]);
    assert!(err.contains("only drafts can be deleted"), "{err}");
    cli.json(&["campaign", "unschedule", &id.to_string()]);
    let events = cli.json(&["campaign", "events", &id.to_string()]);
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["created", "scheduled", "unscheduled"]);
    assert!(events
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["actor"] == "cli"));

    let err = cli.fails(&["campaign", "show", "999"]);
    assert!(
        err.contains("error[not_found]: campaign 999 does not exist"),
        "{err}"
    );
    std::fs::write(&file, r#"{"name":"x","colour":"blue"}"#).unwrap();
    let err = cli.fails(&["campaign", "create", "--file", file.to_str().unwrap()]);
    assert!(err.contains("unknown field `colour`"), "{err}");
}

#[test]
fn secrets_from_env_are_reported_but_never_printed() {
    let cli = Cli::new();
    let out = cli
        .cmd(&["--secrets-from-env", "secrets", "status"])
        .env("HERALD_TWILIO_AUTH_TOKEN", "tok-very-secret-4242")
        .env_remove("HERALD_IMIS_PASSWORD")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("tok-very-secret-4242"));
    let rows: Value = serde_json::from_str(&text).unwrap();
    let token = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "twilio.auth_token")
        .unwrap();
    assert_eq!(
        (token["stored"].as_bool(), token["source"].as_str()),
        (Some(true), Some("environment"))
    );
    let imis = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "imis.password")
        .unwrap();
    assert_eq!(imis["stored"], false);
    let out = cli.run_stdin(
        &["--secrets-from-env", "secrets", "set", "smtp.password"],
        "pw\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("HERALD_SMTP_PASSWORD"));
}

#[test]
fn without_a_secret_service_the_keychain_error_says_what_to_do() {
    let cli = Cli::new();
    let out = cli
        .cmd(&["secrets", "status"])
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/herald-test-bus",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("error[keychain]"), "{err}");
    assert!(err.contains("No Secret Service is running"), "{err}");
}
