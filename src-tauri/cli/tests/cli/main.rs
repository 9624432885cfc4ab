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
        "window.enabled",
        "window.start",
        "window.end",
        "window.days",
        "window.fallback_zone",
        "twilio.cap_day_zone",
    ] {
        assert!(keys.contains(&key), "{key} missing from settings list");
    }
    assert_eq!(cli.json(&["settings", "get", "twilio.cap_day_zone"]), "UTC");
    let entry = cli.json(&["settings", "set", "twilio.cap_day_zone", "America/New_York"]);
    assert_eq!(entry["value"], "America/New_York");
    let err = cli.fails(&["settings", "set", "twilio.cap_day_zone", "Eastern"]);
    assert!(err.contains("expected a time zone name"), "{err}");
    let err = cli.fails(&["settings", "get", "twilio.token"]);
    assert!(err.contains("error[unknown_setting]"), "{err}");
}

#[test]
fn campaigns_are_created_listed_shown_and_scheduled() {
    let cli = Cli::new();
    assert_eq!(cli.json(&["campaign", "list"]), serde_json::json!([]));
    let file = cli.dir.path().join("c.json");
    // The audience file named in the campaign is read from beside it; without it, nothing
    // is created.
    std::fs::write(
        &file,
        r#"{"name":"Spring renewals","mode":"test",
            "audience":{"csv":"members.csv","id_column":"ID","phone_column":"Mobile"}}"#,
    )
    .unwrap();
    let err = cli.fails(&["campaign", "create", "--file", file.to_str().unwrap()]);
    assert!(
        err.contains("could not read the audience file") && err.contains("members.csv"),
        "{err}"
    );
    assert_eq!(
        cli.json(&["campaign", "list"]),
        serde_json::json!([]),
        "no half-made campaign"
    );
    std::fs::write(
        cli.dir.path().join("members.csv"),
        "ID,FirstName,Mobile\n1,Ann,(201) 555-0123\n2,Ben,201.555.0144\n",
    )
    .unwrap();
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
    assert_eq!(
        kinds,
        ["created", "edited", "window", "scheduled", "unscheduled"],
        "edited: the audience file was loaded; window: the Settings' sending window was fixed on the campaign when it was scheduled"
    );
    let window = &events.as_array().unwrap()[2];
    assert!(
        window["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "the event log says which window the campaign keeps: {window}"
    );
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

/// Linux only: the Secret Service is reached over D-Bus (Windows has Credential Manager).
#[cfg(target_os = "linux")]
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

#[test]
fn segments_prints_the_contract_shape() {
    let cli = Cli::new();
    let v = cli.json(&["segments", "Hello 😜"]);
    assert_eq!(
        v,
        serde_json::json!({"encoding":"UCS-2","segments":1,"characters":7,"non_gsm":["😜"]})
    );
    let digits: String = "1234567890".repeat(17).chars().take(161).collect();
    assert_eq!(cli.json(&["segments", &digits])["segments"], 2);
    // Standard input is read verbatim: the trailing CRLF counts.
    let out = cli.run_stdin(&["segments"], "€uro\r\n");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["encoding"].as_str(), v["characters"].as_u64()),
        (Some("GSM-7"), Some(7))
    );
    let v = cli.json(&["segments", "--smart-encoding", "It’s “fine” — really…"]);
    assert_eq!(v["body"], "It's \"fine\" - really...");
    assert_eq!(
        (
            v["encoding"].as_str(),
            v["non_gsm"].as_array().map(Vec::len)
        ),
        (Some("GSM-7"), Some(0))
    );
}

#[test]
fn phone_answers_every_input_in_order() {
    let cli = Cli::new();
    let out = cli.run_stdin(
        &["phone", "--region", "US"],
        "(201) 555-0123\n\nN/A\n+44 20 7946 0018\n0412 345 678\n",
    );
    assert!(out.status.success());
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "a blank line gets an answer too");
    assert_eq!(lines[0]["e164"], "+12015550123");
    assert_eq!(lines[0]["kind"], "fixed_line_or_mobile");
    assert_eq!(lines[0]["sendable"], true);
    assert_eq!(
        (lines[1]["input"].as_str(), lines[1]["error"].as_str()),
        (Some(""), Some("no number given"))
    );
    assert_eq!(lines[3]["kind"], "fixed_line");
    assert_eq!(lines[3]["sendable"], false);
    assert_eq!(
        lines[4]["e164"],
        Value::Null,
        "an Australian mobile without +61 is not a US number"
    );
    let out = cli.run(&["phone", "--region", "AU", "0412 345 678"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["e164"].as_str(), v["kind"].as_str()),
        (Some("+61412345678"), Some("mobile"))
    );
    let err = cli.fails(&["phone", "--region", "XX", "1"]);
    assert!(err.contains("XX"), "{err}");
}

/// `preview` of the CSV at `csv` (members by "ID", numbers in "Mobile") with `template`.
fn preview_args<'a>(csv: &'a str, template: &'a str) -> Vec<&'a str> {
    vec![
        "preview",
        "--csv",
        csv,
        "--id-column",
        "ID",
        "--phone-column",
        "Mobile",
        "--template",
        template,
    ]
}

#[test]
fn preview_prepares_a_csv_audience() {
    let cli = Cli::new();
    let csv = cli.dir.path().join("members.csv");
    std::fs::write(
        &csv,
        "\u{feff}ID;FirstName;Mobile\n1;Zoë;(201) 555-0123\n2;Ann;201.555.0123\n3;Lee;N/A\n4;Kim;201-555-0144\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    let base = preview_args(csv, "Hi ${FirstName}");
    let v = cli.json(&base);
    let s = &v["summary"];
    assert_eq!(
        (s["contacts_pulled"].as_u64(), s["to_send"].as_u64()),
        (Some(4), Some(2))
    );
    assert_eq!(
        (s["invalid"].as_u64(), s["duplicates"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(s["estimated_segments"], 2);
    let r = v["recipients"].as_array().unwrap();
    assert_eq!(r.len(), 4);
    assert_eq!(
        (r[0]["body"].as_str(), r[0]["encoding"].as_str()),
        (Some("Hi Zoë"), Some("UCS-2"))
    );
    assert_eq!(r[1]["reason"], "duplicate of 1");
    assert_eq!(r[2]["status"], "error");

    let out = cli.run(&[&base[..], &["--format", "csv"]].concat());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.starts_with("row,imis_id,name,phone,to,status,reason,encoding,segments,body"));

    let err = cli.fails(&preview_args(csv, "Hi ${FirstNme}"));
    assert!(err.contains("did you mean ${FirstName}?"), "{err}");
    std::fs::write(cli.dir.path().join("bad.csv"), "ID,Mobile\n1,2,3\n").unwrap();
    let bad = cli.dir.path().join("bad.csv");
    let err = cli.fails(&preview_args(bad.to_str().unwrap(), "x"));
    assert!(err.contains("line 2: this row has 3 fields"), "{err}");
}

/// A fake iMIS running on its own runtime for as long as the value lives.
struct FakeSite {
    server: herald_fake_imis::FakeImis,
    _rt: tokio::runtime::Runtime,
}

fn fake_imis(opts: herald_fake_imis::Options) -> FakeSite {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(herald_fake_imis::FakeImis::start(opts))
        .unwrap();
    FakeSite { server, _rt: rt }
}

impl Cli {
    /// Points this data folder at `site` and runs `args` with the password from the
    /// environment.
    fn imis(&self, site: &FakeSite, password: &str, args: &[&str]) -> Output {
        self.json(&["settings", "set", "imis.base_url", &site.server.url()]);
        self.json(&["settings", "set", "imis.username", "herald"]);
        let mut full = vec!["--secrets-from-env"];
        full.extend_from_slice(args);
        self.cmd(&full)
            .env("HERALD_IMIS_PASSWORD", password)
            .output()
            .unwrap()
    }
}

#[test]
fn audience_fetch_prints_typed_rows_as_json() {
    let site = fake_imis(Default::default());
    let cli = Cli::new();
    let out = cli.imis(
        &site,
        "herald-demo",
        &[
            "audience",
            "fetch",
            "--query",
            "$/Herald Demo/Members by type",
            "--param",
            "MemberType=STU",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let columns: Vec<&str> = v["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        &columns[..5],
        ["ID", "FirstName", "LastName", "FullName", "Mobile"]
    );
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        assert_eq!(row["MemberType"], "STU");
        assert!(row["EventsAttended"].is_i64(), "numbers stay numbers");
        assert!(row["IsActive"].is_boolean(), "booleans stay booleans");
        assert!(row["DuesBalance"].is_number());
        let joined = row["JoinDate"].as_str().unwrap();
        assert!(
            joined.len() == 19 && &joined[10..] == "T00:00:00",
            "{joined}"
        );
        assert!(row["ID"].is_string(), "IDs stay text");
    }
    assert!(
        rows.iter().any(|r| r["Mobile"].is_null()),
        "absent values are null"
    );
    let expected = site
        .server
        .catalog()
        .members
        .iter()
        .filter(|m| m.member_type == "STU")
        .count();
    assert_eq!(rows.len(), expected);
}

#[test]
fn audience_fetch_as_csv_prints_merge_field_text() {
    let site = fake_imis(Default::default());
    let cli = Cli::new();
    let out = cli.imis(
        &site,
        "herald-demo",
        &[
            "audience",
            "fetch",
            "--query",
            "$/Herald Demo/All members",
            "--format",
            "csv",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "ID,FirstName,LastName,FullName,Mobile,MemberType,Chapter,JoinDate,DuesBalance,EventsAttended,IsActive"
    );
    assert_eq!(text.lines().count(), 5_001);
    assert!(text.contains(",13280,"), "whole decimals without .0000");
    assert!(!text.contains("13280.0"));
    assert!(text.contains(",125.50,"));
    // Records end with the platform's line ending: CRLF on Windows.
    let eol = herald_core::csv_out::LINE_ENDING;
    assert!(text.contains(&format!(",Yes{eol}")) && text.contains(&format!(",No{eol}")));
    assert!(!text.contains("T00:00:00"), "dates as dates");
}

#[test]
fn audience_errors_are_words_and_never_show_the_password() {
    let site = fake_imis(Default::default());
    let cli = Cli::new();
    let out = cli.imis(
        &site,
        "Wr0ng-Distinctive-Pass",
        &["audience", "fetch", "--query", "$/Herald Demo/All members"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error[imis]: iMIS refused the username or password"),
        "{err}"
    );
    assert!(!err.contains("Wr0ng-Distinctive-Pass"));
    assert!(out.stdout.is_empty());
    let out = cli.imis(
        &site,
        "herald-demo",
        &["audience", "fetch", "--query", "$/Herald Demo/Nope"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no query at '$/Herald Demo/Nope'"), "{err}");
    let out = cli.imis(
        &site,
        "herald-demo",
        &[
            "audience",
            "fetch",
            "--query",
            "$/Herald Demo/All members",
            "--param",
            "oops",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("NAME=VALUE"));
}

#[test]
fn audience_queries_lists_folders_then_queries() {
    let site = fake_imis(Default::default());
    let cli = Cli::new();
    let out = cli.imis(
        &site,
        "herald-demo",
        &["audience", "queries", "$/Herald Demo"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let entries = v.as_array().unwrap();
    assert_eq!(entries[0]["kind"], "folder");
    assert_eq!(entries[0]["path"], "$/Herald Demo/Events");
    assert!(entries
        .iter()
        .any(|e| e["path"] == "$/Herald Demo/Members by type" && e["kind"] == "query"));
}

#[test]
fn with_nothing_configured_the_demo_directory_answers_and_says_so() {
    let cli = Cli::new();
    let out = cli.run(&["audience", "queries"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("demo directory"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["path"], "$/Herald Demo");
    let rows = cli.json(&["audience", "fetch", "--query", "$/Herald Demo/All members"]);
    assert_eq!(rows["rows"].as_array().unwrap().len(), 300);
}

#[test]
fn writeback_status_counts_the_queue() {
    let cli = Cli::new();
    let v = cli.json(&["writeback", "status"]);
    assert_eq!(
        (
            v["pending"].as_i64(),
            v["done"].as_i64(),
            v["failed"].as_i64()
        ),
        (Some(0), Some(0), Some(0))
    );
    assert!(v["failures"].as_array().unwrap().is_empty());
    assert!(cli
        .fails(&["writeback", "status", "42"])
        .contains("campaign 42 does not exist"));
}

/// One engine per data folder: a second `run` is refused while the first holds the lock,
/// and the lock goes with the process when it is killed (no stale lock file to delete,
/// on Windows as on Linux).
#[test]
fn the_engine_lock_is_refused_while_held_and_released_when_its_process_dies() {
    let cli = Cli::new();
    let mut first = cli
        .cmd(&["run"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `run` opens its log folder once it holds the lock.
    let logs = cli.dir.path().join("logs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !logs.read_dir().is_ok_and(|mut d| d.next().is_some()) {
        if let Some(status) = first.try_wait().unwrap() {
            panic!("the first run ended before taking the lock: {status}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let err = cli.fails(&["run", "--until-idle"]);
    assert!(
        err.contains("already sending from this data folder"),
        "{err}"
    );
    first.kill().unwrap();
    first.wait().unwrap();
    let out = cli.run(&["run", "--until-idle"]);
    assert!(
        out.status.success(),
        "the lock was not released with its process: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A path in an error is the path as the platform writes it (`C:\...` on Windows).
#[test]
fn a_missing_audience_file_is_named_by_its_full_path() {
    let cli = Cli::new();
    let file = cli.dir.path().join("spring.json");
    std::fs::write(
        &file,
        r#"{"name": "Spring", "mode": "test", "template": "Hi",
            "audience": {"csv": "members.csv", "id_column": "ID", "phone_column": "Mobile"}}"#,
    )
    .unwrap();
    let err = cli.fails(&["campaign", "create", "--file", file.to_str().unwrap()]);
    let expected = cli.dir.path().join("members.csv").display().to_string();
    assert!(err.contains(&expected), "{err}");
    if cfg!(windows) {
        assert!(
            expected.contains('\\') && !expected.contains('/'),
            "{expected}"
        );
        assert_eq!(expected.as_bytes()[1], b':', "a drive letter: {expected}");
    }
}

/// A LIVE campaign needs `--yes`, then passes the same pre-flight as the window, in the
/// same words: here Twilio has no Account SID, so nothing is scheduled.
#[test]
fn scheduling_live_needs_yes_and_the_preflight_names_the_fix() {
    let cli = Cli::new();
    cli.json(&["settings", "set", "imis.base_url", "http://127.0.0.1:9"]);
    cli.json(&["settings", "set", "imis.username", "herald"]);
    std::fs::write(
        cli.dir.path().join("members.csv"),
        "ID,FirstName,Mobile\n1,Ann,(201) 555-0123\n",
    )
    .unwrap();
    let file = cli.dir.path().join("live.json");
    std::fs::write(
        &file,
        r#"{"name":"Live","mode":"live","write_back":"none","template":"Hi ${FirstName}",
            "audience":{"csv":"members.csv","id_column":"ID","phone_column":"Mobile"}}"#,
    )
    .unwrap();
    let id = cli.json(&["campaign", "create", "--file", file.to_str().unwrap()])["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let err = cli.fails(&["campaign", "schedule", &id]);
    assert!(
        err.contains("error[conflict]")
            && err.contains("it sends real texts")
            && err.contains("--yes"),
        "{err}"
    );
    let err = cli.fails(&["campaign", "schedule", &id, "--yes"]);
    assert!(
        err.contains(
            "Twilio account: Twilio is not set up: add the Account SID in Settings → Twilio"
        ),
        "{err}"
    );
    assert_eq!(cli.json(&["campaign", "show", &id])["status"], "draft");
    let err = cli.fails(&["campaign", "test-send", &id, "--to", "+12015550199"]);
    assert!(err.contains("Twilio is not set up"), "{err}");
}

/// A fake Twilio running on its own runtime for as long as the value lives.
struct FakeTwilioSite {
    server: herald_fake_twilio::FakeTwilio,
    _rt: tokio::runtime::Runtime,
}

fn fake_twilio() -> FakeTwilioSite {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(herald_fake_twilio::FakeTwilio::start(Default::default()))
        .unwrap();
    FakeTwilioSite { server, _rt: rt }
}

#[test]
fn replies_are_read_listed_and_the_opt_out_list_is_kept_by_hand_and_by_file() {
    let site = fake_twilio();
    let cli = Cli::new();
    let from = "+15005550006";
    let now = chrono::Utc::now();
    for (who, body) in [
        ("+12015550123", "STOP"),
        ("+12015550124", "Thanks!"),
        ("+12015550125", "remove me"),
    ] {
        site.server.receive(herald_fake_twilio::Inbound {
            sid: String::new(),
            from: who.into(),
            to: from.into(),
            messaging_service_sid: None,
            body: body.into(),
            at: Some(now - chrono::Duration::minutes(5)),
            no_date_sent: false,
        });
    }
    cli.json(&["settings", "set", "twilio.base_url", &site.server.url()]);
    cli.json(&[
        "settings",
        "set",
        "twilio.account_sid",
        herald_fake_twilio::ACCOUNT_SID,
    ]);
    cli.json(&["settings", "set", "twilio.from", from]);
    let sync = |cli: &Cli| -> Value {
        let out = cli
            .cmd(&["--secrets-from-env", "replies", "sync"])
            .env("HERALD_TWILIO_AUTH_TOKEN", herald_fake_twilio::AUTH_TOKEN)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let first = sync(&cli);
    assert_eq!(first["sender"], from);
    assert_eq!(
        (
            first["stored"].as_u64(),
            first["opted_out"].as_u64(),
            first["to_confirm"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
    assert_eq!(
        sync(&cli)["stored"],
        0,
        "a second read stores nothing twice"
    );

    let stops = cli.json(&["replies", "list", "--kind", "opt_out"]);
    assert_eq!(stops.as_array().unwrap().len(), 1);
    assert_eq!(stops[0]["from_e164"], "+12015550123");
    assert_eq!(stops[0]["body"], "STOP");
    let maybe = cli.json(&["replies", "list", "--kind", "possible_opt_out"]);
    let reply_id = maybe[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(cli.json(&["replies", "confirm", &reply_id])["added"], true);
    assert_eq!(
        cli.json(&["replies", "list", "--search", "thanks"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let err = cli.fails(&["replies", "list", "--kind", "stop"]);
    assert!(
        err.contains("--kind 'stop' is not one of opt_out, opt_in, help, possible_opt_out, reply"),
        "{err}"
    );

    let list = cli.json(&["optouts", "list"]);
    let entries: Vec<(&str, &str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["sender"].as_str().unwrap(),
                o["phone_e164"].as_str().unwrap(),
                o["source"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            (from, "+12015550123", "replied_stop"),
            (from, "+12015550125", "confirmed_reply")
        ]
    );

    let added = cli.json(&[
        "optouts",
        "add",
        "(201) 555-0144",
        "--note",
        "asked at the desk",
    ]);
    assert_eq!(
        (
            added["number"].as_str(),
            added["sender"].as_str(),
            added["added"].as_bool()
        ),
        (Some("+12015550144"), Some("*"), Some(true))
    );
    let err = cli.fails(&["optouts", "add", "not a number"]);
    assert!(
        err.contains("'not a number' cannot be used: this does not look like a phone number"),
        "{err}"
    );
    let err = cli.fails(&["optouts", "remove", "+12015550144", "--reason", " "]);
    assert!(err.contains("say why"), "{err}");
    let err = cli.fails(&["optouts", "remove", "+12015550199", "--reason", "asked"]);
    assert!(
        err.contains("error[not_found]") && !err.contains("5550199"),
        "the number is masked: {err}"
    );
    cli.json(&[
        "optouts",
        "remove",
        "+12015550144",
        "--reason",
        "asked to be texted again",
    ]);
    let history = cli.json(&["optouts", "history", "+12015550144"]);
    assert_eq!(history[0]["change"], "removed");
    assert_eq!(history[0]["reason"], "asked to be texted again");

    let file = cli.dir.path().join("list.csv");
    std::fs::write(&file, "Mobile,Note\n(212) 555-0142,paper form\nnope,\n").unwrap();
    let imported = cli.json(&["optouts", "import", file.to_str().unwrap()]);
    assert_eq!(imported["added"], 1);
    assert_eq!(imported["problems"][0]["row"], 3);
    let out = cli.dir.path().join("out.csv");
    let written = cli.json(&["optouts", "export", "--out", out.to_str().unwrap()]);
    assert_eq!(written["numbers"], 3);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with("Number,Sender,Why,Added (UTC),Campaign,Note"),
        "{text}"
    );
    assert!(
        text.contains("+12125550142,Every sender,Imported,"),
        "{text}"
    );
    assert!(
        text.contains("+12015550123,+15005550006,Replied STOP,"),
        "{text}"
    );
}

/// A generated audience: messy formats, blanks, landlines, emoji and names that force
/// UCS-2, a body too long, an empty merge field, and numbers repeated far apart (across
/// the preview's batches). `unique` gives every row its own number.
fn generated_audience(rows: usize, unique: bool) -> String {
    let names = ["Ann", "Zoë", "José", "Ola 🌻", "Siobhán", "Lee", "", "Kim"];
    let mut text = String::from("ID,FirstName,Notes,Mobile\n");
    let mut seed: u64 = 0x5052_4556_4945_5700;
    for i in 0..rows {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = if unique {
            2_015_550_000 + i as u64
        } else {
            2_015_550_000 + seed % 40_000
        };
        let phone = match seed % 13 {
            0 => format!("({}) {}-{}", n / 10_000_000, n / 10_000 % 1000, n % 10_000),
            1 => format!("+1 {n} ext. 4"),
            2 => String::new(),
            3 => "N/A".into(),
            4 => "+44 20 7946 0018".into(), // a landline
            5 => format!("{n}.0"),
            _ => n.to_string(),
        };
        let id = if seed.is_multiple_of(97) {
            String::new()
        } else {
            format!("{}", 500_000 + i)
        };
        let notes = match seed % 11 {
            0 => String::new(),
            // Too long to send, once merged (kept out of the million-row file's size).
            1 if !unique => "x".repeat(1_600),
            _ => "see you at the gala".into(),
        };
        let name = names[(seed >> 20) as usize % names.len()];
        text.push_str(&format!("{id},\"{name}\",{notes},\"{phone}\"\n"));
    }
    text
}

/// The streamed preview writes what the whole-file preparation (the way the old preview
/// and the wizard work) gives: every recipient, in order, with the same fields and values,
/// and the same summary; in compact JSON, pretty JSON, CSV and the summary alone.
#[test]
fn the_streamed_preview_equals_the_whole_file_preparation() {
    use herald_core::compose::{audience, phone, prepare, summary, template};
    use herald_core::settings::Settings;

    let cli = Cli::new();
    let text = generated_audience(20_000, false);
    let path = cli.dir.path().join("members.csv");
    std::fs::write(&path, &text).unwrap();
    let template_text = "Hi ${FirstName}! ${Notes}";
    let args = [
        &preview_args(path.to_str().unwrap(), template_text)[..],
        &["--skip-empty"],
    ]
    .concat();

    // The whole file in memory, as before streaming.
    let table = audience::AudienceTable::from_csv(text.as_bytes()).unwrap();
    let aliases: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    let template = template::MergeTemplate::parse(template_text, &aliases).unwrap();
    let opted_out = prepare::OptedOut::new();
    let spec = prepare::PrepareSpec {
        id_column: "ID",
        phone_column: "Mobile",
        template: &template,
        region: phone::Region::parse("US").unwrap(),
        skip_empty: true,
        opted_out: &opted_out,
    };
    let prepared = prepare::prepare(&table, &spec).unwrap();
    let settings = Settings::default();
    let window = settings.sending_window();
    let expected_summary = prepare::summarize_in(
        &prepared,
        summary::SendLimits {
            rate_per_second: settings.rate_per_second(),
            daily_cap: settings.daily_segment_cap(),
            day_zone: settings.cap_zone(),
        },
        settings.price_per_segment(),
        &summary::DayUsage::new(),
        chrono::Utc::now(),
        None,
        Some((&window, settings.fallback_zone())),
    );
    let expected: Vec<Value> = prepared
        .iter()
        .map(|m| {
            serde_json::json!({
                "row": m.row_index + 2,
                "imis_id": m.imis_id,
                "name": m.member_name,
                "phone": m.phone_raw,
                "to": m.to_e164,
                "status": m.status,
                "reason": m.reason(),
                "body": m.body,
                "encoding": m.encoding.as_str(),
                "segments": m.segments,
            })
        })
        .collect();
    // Every kind of row is there, and duplicates are found across batches (8,192 rows).
    let reasons: Vec<String> = prepared.iter().filter_map(|m| m.reason()).collect();
    for kind in [
        "duplicate of",
        "no iMIS ID",
        "no phone",
        "invalid",
        "landline",
        "empty value",
        "1600",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(kind)),
            "no row is '{kind}'"
        );
    }
    let late_duplicate = prepared
        .iter()
        .rev()
        .find(|m| m.reason().is_some_and(|r| r.starts_with("duplicate of")));
    assert!(late_duplicate.is_some_and(|m| m.row_index > 16_384));

    // The plan's finish depends on the moment it is made; the rest must be equal.
    let without_plan = |mut v: Value| {
        assert!(v["plan"].is_object(), "{v}");
        v.as_object_mut().unwrap().remove("plan");
        v
    };
    let expected_summary = without_plan(serde_json::to_value(&expected_summary).unwrap());

    let out = cli.run(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout.iter().filter(|&&b| b == b'\n').count(),
        1,
        "one line"
    );
    let compact: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(compact["recipients"].as_array().unwrap(), &expected);
    assert_eq!(without_plan(compact["summary"].clone()), expected_summary);

    let pretty = cli.json(&[&args[..], &["--pretty"]].concat());
    assert_eq!(pretty["recipients"], compact["recipients"]);
    assert_eq!(without_plan(pretty["summary"].clone()), expected_summary);
    let only = cli.json(&[&args[..], &["--summary-only"]].concat());
    assert_eq!(without_plan(only), expected_summary);

    let mut w = herald_core::csv_out::writer(Vec::new());
    w.write_record([
        "row", "imis_id", "name", "phone", "to", "status", "reason", "encoding", "segments", "body",
    ])
    .unwrap();
    for m in &prepared {
        w.write_record([
            (m.row_index + 2).to_string(),
            m.imis_id.clone().unwrap_or_default(),
            m.member_name.clone().unwrap_or_default(),
            m.phone_raw.clone(),
            m.to_e164.clone().unwrap_or_default(),
            m.status.to_string(),
            m.reason().unwrap_or_default(),
            m.encoding.as_str().to_string(),
            m.segments.to_string(),
            m.body.clone(),
        ])
        .unwrap();
    }
    let expected_csv = String::from_utf8(w.into_inner().unwrap()).unwrap();
    let out = cli.run(&[&args[..], &["--format", "csv"]].concat());
    assert!(out.status.success());
    assert!(
        String::from_utf8(out.stdout).unwrap() == expected_csv,
        "the CSV differs"
    );

    let err = cli.fails(&[&args[..], &["--format", "csv", "--summary-only"]].concat());
    assert!(err.contains("--summary-only"), "{err}");
}

/// A million rows stream through `preview --format csv` in bounded memory (the figure
/// itself is `make bench-preview`'s; this checks the shape: no copy of the file or the
/// output is kept).
#[cfg(target_os = "linux")]
#[test]
#[allow(clippy::zombie_processes)] // reaped by wait4, which also reports its peak memory
fn a_million_rows_preview_in_bounded_memory() {
    let cli = Cli::new();
    let path = cli.dir.path().join("million.csv");
    std::fs::write(&path, generated_audience(1_000_000, true)).unwrap();
    let input_mb = std::fs::metadata(&path).unwrap().len() / 1_000_000;
    let child = cli
        .cmd(
            &[
                &preview_args(
                    path.to_str().unwrap(),
                    "Hi ${FirstName}, see you at the gala!",
                )[..],
                &["--format", "csv"],
            ]
            .concat(),
        )
        .stdout(std::fs::File::create(cli.dir.path().join("out.csv")).unwrap())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
    let out = std::fs::read(cli.dir.path().join("out.csv")).unwrap();
    let lines = out.iter().filter(|&&b| b == b'\n').count();
    let output_mb = out.len() / 1_000_000;
    assert_eq!(lines, 1_000_001, "a header and a line per row");
    let peak_mb = usage.ru_maxrss / 1024;
    eprintln!("peak {peak_mb} MB for a {input_mb} MB file and {output_mb} MB of output");
    // About 100 MB here, most of it one entry per number (for duplicates). Holding the
    // rows and their results whole, as the preview did before streaming, takes several
    // times the file's size.
    assert!(
        peak_mb < 250,
        "peak {peak_mb} MB for a {input_mb} MB file and {output_mb} MB of output"
    );
}
