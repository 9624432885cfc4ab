//! The report email through a real SMTP server (aiosmtpd, started by the test, from
//! `tests/smtp`; `make test` installs it): STARTTLS with a test certificate and a login,
//! read back and checked against the database; an outage that recovers (delivered once);
//! a wrong password in words.

use herald_core::campaign::{Actor, Mode, NewCampaign};
use herald_core::clock::ManualClock;
use herald_core::report::{self, ReportPolicy, SmtpConfig};
use herald_core::secrets::{SecretError, SecretName, SecretStore, Sensitive};
use herald_core::status::{CampaignStatus, MessageStatus};
use herald_core::store::NewMessage;
use herald_core::Store;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

const USER: &str = "reports@example.org";
const PASSWORD: &str = "smtp-Secret-Distinctive-4";

#[derive(Default)]
struct MemorySecrets(Mutex<Option<String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, name: SecretName) -> Result<Option<Sensitive>, SecretError> {
        Ok((name == SecretName::SmtpPassword)
            .then(|| self.0.lock().unwrap().clone())
            .flatten()
            .map(Sensitive::new))
    }
    fn set(&self, _: SecretName, v: &Sensitive) -> Result<(), SecretError> {
        *self.0.lock().unwrap() = Some(v.expose().to_string());
        Ok(())
    }
    fn delete(&self, _: SecretName) -> Result<(), SecretError> {
        *self.0.lock().unwrap() = None;
        Ok(())
    }
}

struct Smtp {
    child: Child,
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn smtp(port: u16, maildir: &Path, tls: Option<(&Path, &Path)>) -> Smtp {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/smtp");
    assert!(
        dir.join("pydeps/aiosmtpd").is_dir(),
        "aiosmtpd is not installed. Install it (pinned in src-tauri/core/tests/smtp):\n  python3 -m pip install --target src-tauri/core/tests/smtp/pydeps -r src-tauri/core/tests/smtp/requirements.txt\n(`make test` does this.)"
    );
    let mut cmd = Command::new("python3");
    cmd.arg(dir.join("server.py"))
        .args(["--port", &port.to_string(), "--maildir"])
        .arg(maildir)
        .args(["--user", USER, "--password", PASSWORD])
        .env("PYTHONPATH", dir.join("pydeps"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    if let Some((cert, key)) = tls {
        cmd.arg("--cert").arg(cert).arg("--key").arg(key);
    }
    let mut child = cmd.spawn().expect("python3 runs the SMTP server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "READY", "the SMTP server starts");
    Smtp { child }
}

fn received(maildir: &Path) -> Vec<Value> {
    let mut files: Vec<_> = std::fs::read_dir(maildir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
        .collect()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Settings for the test SMTP server on `port` with `security`, logging in as USER; the
/// password, kept where the keychain would keep it.
async fn smtp_settings(store: &Store, port: u16, security: &str) -> MemorySecrets {
    for (k, v) in [
        ("smtp.host", "localhost".to_string()),
        ("smtp.port", port.to_string()),
        ("smtp.security", security.to_string()),
        ("smtp.username", USER.to_string()),
        ("smtp.from", "herald@example.org".to_string()),
    ] {
        store.set_setting(k, &v).await.unwrap();
    }
    let secrets = MemorySecrets::default();
    secrets
        .set(SecretName::SmtpPassword, &Sensitive::new(PASSWORD))
        .unwrap();
    secrets
}

/// A TEST draft called `name` whose report goes to director@example.org; returns its id.
async fn report_campaign(store: &Store, name: &str) -> i64 {
    store
        .create_campaign(
            NewCampaign {
                name: name.into(),
                mode: Some(Mode::Test),
                report_email: Some("director@example.org".into()),
                template: Some("Hi".into()),
                audience: Some(herald_core::campaign::AudienceSource {
                    query: None,
                    params: Default::default(),
                    csv: Some("members.csv".into()),
                    id_column: "ID".into(),
                    phone_column: "Mobile".into(),
                }),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .unwrap()
}

/// A completed TEST campaign with a mix of outcomes; returns its id.
async fn finished_campaign(store: &Store) -> i64 {
    let id = report_campaign(store, "Gala <b>night</b> & co").await;
    let messages: Vec<NewMessage> = (0..10)
        .map(|i| NewMessage {
            row_index: i,
            imis_id: Some(format!("{}", 100 + i)),
            member_name: Some(if i == 0 {
                "<img src=x onerror=alert(1)>".into()
            } else {
                format!("Member {i}")
            }),
            phone_raw: Some(format!("201-555-01{i:02}")),
            to_e164: Some(format!("+120155501{i:02}")),
            body: "Hi".into(),
            ucs2: false,
            segments: 1,
            status: if i == 9 {
                MessageStatus::Error
            } else {
                MessageStatus::Preparing
            },
            status_reason: None,
            time_zone: None,
        })
        .collect();
    store.insert_messages(id, &messages).await.unwrap();
    for (i, status, code, price) in [
        (0, "delivered", None, Some("-0.00790")),
        (1, "delivered", None, Some("-0.00790")),
        (2, "delivered", None, Some("-0.00790")),
        (3, "delivered", None, Some("-0.00790")),
        (4, "delivered", None, Some("-0.00790")),
        (5, "undelivered", Some(30003), Some("-0.00790")),
        (6, "undelivered", Some(30003), Some("-0.00790")),
        (7, "failed", Some(30007), None),
        (8, "delivered", None, None), // Twilio has not priced it yet
    ] {
        sqlx::query(
            "UPDATE messages SET status = ?3, twilio_status = ?3, error_code = ?4, price = ?5, twilio_segments = 1,
                    twilio_sid = 'SM' || id, sent_at = updated_at WHERE campaign_id = ?1 AND row_index = ?2",
        )
        .bind(id)
        .bind(i)
        .bind(status)
        .bind(code)
        .bind(price)
        .execute(store.pool())
        .await
        .unwrap();
    }
    store.schedule(id, None, Actor::User).await.unwrap();
    store
        .transition(id, CampaignStatus::Sending, Actor::Scheduler, None)
        .await
        .unwrap();
    store
        .transition(id, CampaignStatus::Completed, Actor::Engine, None)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn the_report_goes_out_over_starttls_once_even_through_an_outage() {
    let dir = tempfile::tempdir().unwrap();
    // A test certificate for localhost, trusted through HERALD_EXTRA_CA_FILE.
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let (cert_pem, key_pem) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_pem, cert.cert.pem()).unwrap();
    std::fs::write(&key_pem, cert.signing_key.serialize_pem()).unwrap();
    std::env::set_var("HERALD_EXTRA_CA_FILE", &cert_pem);

    let clock = ManualClock::new(chrono::Utc::now());
    let store = Store::open_with_clock(&dir.path().join("herald.db"), Arc::new(clock.clone()))
        .await
        .unwrap();
    let port = free_port();
    let secrets = smtp_settings(&store, port, "starttls").await;
    let id = finished_campaign(&store).await;
    assert!(store
        .enqueue_report(id, "completed", "director@example.org")
        .await
        .unwrap());
    assert!(
        !store
            .enqueue_report(id, "completed", "director@example.org")
            .await
            .unwrap(),
        "one report per trigger"
    );

    // The server is down: the report waits, with the reason shown.
    let policy = ReportPolicy::default();
    assert_eq!(
        report::drain_reports(&store, &secrets, &policy)
            .await
            .unwrap(),
        0
    );
    let outbox = store.report_outbox(Some(id)).await.unwrap();
    assert_eq!(outbox[0].state, "pending");
    assert!(
        outbox[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("could not reach the SMTP server"),
        "{:?}",
        outbox[0].last_error
    );

    // It comes back: delivered once.
    let maildir = dir.path().join("mail");
    let _server = smtp(port, &maildir, Some((&cert_pem, &key_pem)));
    assert_eq!(
        report::drain_reports(&store, &secrets, &policy)
            .await
            .unwrap(),
        0,
        "not before its retry time"
    );
    clock.advance(chrono::Duration::minutes(2));
    assert_eq!(
        report::drain_reports(&store, &secrets, &policy)
            .await
            .unwrap(),
        1
    );
    clock.advance(chrono::Duration::hours(3));
    assert_eq!(
        report::drain_reports(&store, &secrets, &policy)
            .await
            .unwrap(),
        0,
        "never twice"
    );
    let mails = received(&maildir);
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m["rcpt_tos"], serde_json::json!(["director@example.org"]));
    let subject = m["subject"].as_str().unwrap();
    assert!(
        subject.starts_with("[TEST] Herald report: Gala <b>night</b> & co"),
        "{subject}"
    );
    assert!(subject.contains("6 of 9 delivered"), "{subject}");
    let text = m["text"].as_str().unwrap();
    assert!(
        text.contains("Delivered: 6")
            && text.contains("Undelivered: 2")
            && text.contains("Failed: 1")
            && text.contains("Not sendable (invalid or missing number): 1"),
        "{text}"
    );
    assert!(text.contains("Delivery rate: 66.7%"), "{text}");
    assert!(
        text.contains(
            "Cost: 0.07 USD estimated, 0.06 USD priced by Twilio so far (1 message not priced yet)"
        ),
        "{text}"
    );
    assert!(
        text.contains("2 × 30003: The phone is switched off"),
        "{text}"
    );
    let html = m["html"].as_str().unwrap();
    assert!(html.contains("0.06 USD priced by Twilio so far (1 message not priced yet)"));
    assert!(
        html.contains("Gala &lt;b&gt;night&lt;/b&gt; &amp; co"),
        "the campaign name is escaped in HTML"
    );
    assert!(!html.contains("<b>night"));
    let attachment = &m["attachments"][0];
    assert_eq!(attachment["content_type"], "text/csv");
    let csv = attachment["content"].as_str().unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        herald_core::report::MESSAGE_COLUMNS,
        "columns in words, machine columns last"
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 10, "one row per message");
    let db = store.messages(id).await.unwrap();
    let sid_column = header
        .iter()
        .position(|c| c == "Twilio message SID")
        .unwrap();
    for (row, msg) in rows.iter().zip(&db) {
        assert_eq!(row.get(1), msg.imis_id.as_deref());
        assert_eq!(row.get(4), Some(msg.status.in_words()));
        assert_eq!(row.get(sid_column), msg.twilio_sid.as_deref().or(Some("")));
    }
    assert_eq!(
        rows[0].get(0),
        Some("<img src=x onerror=alert(1)>"),
        "data as data"
    );
    assert!(
        text.contains("Times are in ") && html.contains("Times are in "),
        "the report names the zone of its times: {text}"
    );
    let sent = store.report_outbox(Some(id)).await.unwrap();
    assert_eq!((sent[0].state.as_str(), sent[0].attempts), ("sent", 2));

    // Test connection: right and wrong passwords, in words, the secret never shown.
    let settings = store.settings().await.unwrap();
    assert!(SmtpConfig::from_settings(&settings, &secrets)
        .unwrap()
        .check()
        .await
        .unwrap()
        .contains("logged in"));
    secrets
        .set(
            SecretName::SmtpPassword,
            &Sensitive::new("wrong-Distinctive-8"),
        )
        .unwrap();
    let err = SmtpConfig::from_settings(&settings, &secrets)
        .unwrap()
        .check()
        .await
        .unwrap_err();
    assert!(err.contains("refused the username or password"), "{err}");
    assert!(!err.contains("wrong-Distinctive-8") && !err.contains(PASSWORD));
    // Without the test CA the certificate is refused, and the password never sent.
    std::env::remove_var("HERALD_EXTRA_CA_FILE");
    secrets
        .set(SecretName::SmtpPassword, &Sensitive::new(PASSWORD))
        .unwrap();
    let err = SmtpConfig::from_settings(&settings, &secrets)
        .unwrap()
        .check()
        .await
        .unwrap_err();
    assert!(err.contains("certificate"), "{err}");
}

#[tokio::test]
async fn without_smtp_settings_the_report_fails_at_once_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("herald.db")).await.unwrap();
    let id = finished_campaign(&store).await;
    store
        .enqueue_report(id, "completed", "director@example.org")
        .await
        .unwrap();
    report::drain_reports(&store, &MemorySecrets::default(), &ReportPolicy::default())
        .await
        .unwrap();
    let outbox = store.report_outbox(Some(id)).await.unwrap();
    assert_eq!(outbox[0].state, "failed");
    assert!(outbox[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("no SMTP server is set"));
    assert!(
        !store.reports_pending().await.unwrap(),
        "nothing keeps `run --until-idle` waiting"
    );
    // Given up: in the campaign's history, which a desktop notification tells.
    let events = store.campaign_events(id).await.unwrap();
    let failed = events
        .iter()
        .find(|e| e.kind == herald_core::notices::REPORT_FAILED)
        .expect("the failure is in the history");
    assert!(
        failed.detail.as_deref().is_some_and(
            |d| d.contains("director@example.org") && d.contains("no SMTP server is set")
        ),
        "{failed:?}"
    );
}

#[tokio::test]
async fn the_report_counts_what_members_replied_by_kind() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("herald.db")).await.unwrap();
    let id = finished_campaign(&store).await;
    // Replies answer real texts only: this one went out LIVE.
    sqlx::query("UPDATE campaigns SET mode = 'live' WHERE id = ?1")
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
    let before = report::build_in(&store, id, chrono_tz::Tz::UTC)
        .await
        .unwrap();
    assert!(!before.text.contains("Replies"), "no replies, no section");
    let later = store.now() + chrono::Duration::minutes(5);
    let replies: Vec<herald_core::store::InboundReply> = [
        ("SM1", "+12015550100", "STOP"),
        ("SM2", "+12015550101", "please remove me"),
        ("SM3", "+12015550102", "Thanks! <b>see you</b>"),
        ("SM4", "+12015550103", "Is there parking?"),
    ]
    .into_iter()
    .map(|(sid, from, body)| herald_core::store::InboundReply {
        sid: sid.into(),
        from_e164: from.into(),
        to_number: "+15005550006".into(),
        sender: "+15005550006".into(),
        body: body.into(),
        received_at: later,
        simulated_for: None,
    })
    .collect();
    store.record_replies(&replies).await.unwrap();
    let r = report::build_in(&store, id, chrono_tz::Tz::UTC)
        .await
        .unwrap();
    assert!(
        r.text.contains(
            "Replies so far:\n  Opted out (replied STOP): 1\n  Asked to stop in their own words (confirm in Herald): 1\n  Other replies: 2\n"
        ),
        "{}",
        r.text
    );
    assert!(r
        .html
        .contains("<h2 style=\"font-size:16px\">Replies so far</h2>"));
    assert!(
        !r.html.contains("see you"),
        "counts only: no member's words in the email"
    );
    let view = report::view(&store, id, chrono_tz::Tz::UTC).await.unwrap();
    let counts: Vec<(&str, i64)> = view
        .replies
        .iter()
        .map(|c| (c.label.as_str(), c.count))
        .collect();
    assert_eq!(counts[0], ("Opted out (replied STOP)", 1));
}

/// A completed TEST campaign of `n` delivered messages, called `name`; returns its id.
async fn delivered_campaign(store: &Store, name: &str, n: i64) -> i64 {
    let id = report_campaign(store, name).await;
    let messages: Vec<NewMessage> = (0..n)
        .map(|i| NewMessage {
            row_index: i,
            imis_id: Some(format!("{}", 100_000 + i)),
            member_name: Some(format!("Siobhán Nguyen {i}")),
            phone_raw: Some(format!("(201) 555-{:04}", i % 10_000)),
            to_e164: Some(format!("+1201{:07}", 5_550_000 + i)),
            body: "Hi".into(),
            ucs2: false,
            segments: 1,
            status: MessageStatus::Preparing,
            status_reason: None,
            time_zone: None,
        })
        .collect();
    store.insert_messages(id, &messages).await.unwrap();
    sqlx::query(
        "UPDATE messages SET status = 'delivered', twilio_status = 'delivered', price = '-0.00790',
                twilio_segments = 1, twilio_sid = printf('SM%032x', id * 2654435761), sent_at = updated_at
          WHERE campaign_id = ?1",
    )
    .bind(id)
    .execute(store.pool())
    .await
    .unwrap();
    store.schedule(id, None, Actor::User).await.unwrap();
    for (to, by) in [
        (CampaignStatus::Sending, Actor::Scheduler),
        (CampaignStatus::Completed, Actor::Engine),
    ] {
        store.transition(id, to, by, None).await.unwrap();
    }
    id
}

#[tokio::test]
async fn a_large_report_attaches_its_csv_zipped_and_one_too_large_for_email_goes_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("herald.db")).await.unwrap();
    let port = free_port();
    let secrets = smtp_settings(&store, port, "none").await;
    let maildir = dir.path().join("mail");
    let _server = smtp(port, &maildir, None);

    // Past the plain limit (about 26,000 messages), the CSV travels zipped.
    let n = 40_000;
    let id = delivered_campaign(&store, "Annual meeting", n).await;
    store
        .enqueue_report(id, "completed", "director@example.org")
        .await
        .unwrap();
    let policy = ReportPolicy::default();
    assert_eq!(
        report::drain_reports(&store, &secrets, &policy)
            .await
            .unwrap(),
        1
    );
    let mails = received(&maildir);
    let m = &mails[0];
    let attachment = &m["attachments"][0];
    assert_eq!(attachment["content_type"], "application/zip");
    assert_eq!(attachment["filename"], "Annual-meeting-messages.zip");
    assert_eq!(
        attachment["zip_bad_file"],
        Value::Null,
        "Python's zipfile reads it and every CRC matches"
    );
    let files = attachment["zip"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["filename"], "Annual-meeting-messages.csv");
    assert_eq!(files[0]["compress_type"], 8, "deflated");
    let csv = files[0]["text"].as_str().unwrap();
    assert!(csv.len() > report::PLAIN_MAX, "{} bytes", csv.len());
    let size = attachment["size"].as_u64().unwrap() as usize;
    assert!(
        size * 3 < csv.len(),
        "zipped to {size} of {} bytes",
        csv.len()
    );
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        report::MESSAGE_COLUMNS
    );
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap().get(1).unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), n as usize, "one row per message");
    assert!(ids
        .iter()
        .enumerate()
        .all(|(i, id)| *id == (100_000 + i).to_string()));
    let text = m["text"].as_str().unwrap();
    assert!(
        text.contains("The attached ZIP file, Annual-meeting-messages.zip, holds Annual-meeting-messages.csv ("),
        "{text}"
    );
    assert!(m["html"]
        .as_str()
        .unwrap()
        .contains("The attached ZIP file"));

    // Too large even zipped: the email goes without an attachment (what it says instead is
    // checked in report.rs's unit tests).
    let built = report::build_in(&store, id, chrono_tz::Tz::UTC)
        .await
        .unwrap();
    let too_large = report::Report {
        attached: report::Attached::TooLarge {
            csv_len: 190_000_000,
        },
        ..built
    };
    assert!(too_large
        .attached
        .clone()
        .into_file(&too_large.csv_name)
        .is_none());
    let settings = store.settings().await.unwrap();
    SmtpConfig::from_settings(&settings, &secrets)
        .unwrap()
        .send("director@example.org", too_large)
        .await
        .unwrap();
    let mails = received(&maildir);
    assert_eq!(mails.len(), 2);
    assert_eq!(mails[1]["attachments"], serde_json::json!([]));
    assert!(mails[1]["text"]
        .as_str()
        .unwrap()
        .contains("Delivered: 40000"));
}
