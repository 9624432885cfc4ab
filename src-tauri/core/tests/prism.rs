//! Herald's Twilio requests against Stoplight Prism serving Twilio's own OpenAPI
//! description (`tests/prism/twilio_api_v2010.json`, from github twilio/twilio-oai). Prism
//! validates every request against the spec and answers with the spec's examples: any
//! 4xx means our request does not match Twilio's description of its API.
//!
//! Needs Node.js and Prism, pinned in `tests/prism/package.json` and installed there by
//! `make test` (`npm ci --prefix src-tauri/core/tests/prism`).

use herald_core::secrets::Sensitive;
use herald_core::twilio::client::ListFilter;
use herald_core::twilio::{CreateOutcome, Credentials, Sender, TwilioClient, TwilioConfig};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";

struct Prism {
    child: Child,
    port: u16,
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_prism() -> Prism {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/prism");
    let bin = dir.join("node_modules/.bin/prism");
    assert!(
        bin.exists(),
        "Prism is not installed. Install it (pinned in src-tauri/core/tests/prism):\n  npm ci --prefix src-tauri/core/tests/prism\n(`make test` does this.)"
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(bin)
        .args(["mock", "--host", "127.0.0.1", "-p", &port.to_string()])
        .arg(dir.join("twilio_api_v2010.json"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("Prism starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("Prism is listening") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("Prism starts listening within a minute");
    Prism { child, port }
}

fn client(prism: &Prism, api_key: bool, sender: Sender) -> TwilioClient {
    let credentials = Credentials {
        account_sid: ACCOUNT.into(),
        api_key_sid: api_key.then(|| "SK0123456789abcdef0123456789abcdef".into()),
        secret: Sensitive::new("prism-accepts-any-secret"),
    };
    let mut cfg = TwilioConfig::new(
        &format!("http://127.0.0.1:{}", prism.port),
        credentials,
        sender,
    );
    cfg.timeout = Duration::from_secs(20);
    TwilioClient::new(cfg).unwrap()
}

#[tokio::test]
async fn our_twilio_requests_match_twilios_own_api_description() {
    let prism = start_prism();
    for (api_key, sender) in [
        (false, Sender::From("+15005550006".into())),
        (
            true,
            Sender::MessagingService("MG0123456789abcdef0123456789abcdef".into()),
        ),
    ] {
        let c = client(&prism, api_key, sender.clone());
        // A body with a plus sign, an ampersand, accents and an emoji: form encoding.
        match c
            .create_message("+14155552345", "Hi Zoë & co: +1 reply STOP 👍")
            .await
        {
            CreateOutcome::Accepted(m) => {
                assert!(m.sid.starts_with("SM"), "{m:?}");
                assert!(m.date_created.is_some(), "RFC 2822 dates parse");
                assert_eq!(
                    m.num_segments,
                    Some(1),
                    "num_segments is a string in the spec"
                );
            }
            other => panic!("Prism refused our create ({sender:?}): {other:?}"),
        }
        let filter = ListFilter {
            to: Some("+14155552345".into()),
            from: Some("+15005550006".into()),
            date_sent_from: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()),
            page_size: 1000,
            max_pages: 2, // Prism's next page never ends
        };
        let (messages, requests) = c
            .list_messages(&filter)
            .await
            .expect("Prism accepts our list request");
        assert!(!messages.is_empty());
        assert_eq!(requests, 2, "the next page is followed");
        let fetched = c
            .fetch_message("SM0123456789abcdef0123456789abcdef")
            .await
            .expect("Prism accepts our fetch");
        assert!(fetched.is_some());
        c.check().await.expect("the account fetch matches the spec");
    }
}

#[tokio::test]
async fn prism_does_refuse_requests_that_break_the_spec() {
    // The negative control: without it the test above could pass against anything.
    let prism = start_prism();
    // This test builds its own client: install the TLS provider Herald uses (the other
    // test's client does it, but tests run in either order).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let url = format!(
        "http://127.0.0.1:{}/2010-04-01/Accounts/{ACCOUNT}/Messages.json",
        prism.port
    );
    let http = reqwest::Client::new();
    let json_body = http
        .post(&url)
        .basic_auth(ACCOUNT, Some("x"))
        .json(&serde_json::json!({"To": "+14155552345", "From": "+15005550006", "Body": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(json_body.status().as_u16(), 415, "a JSON body is refused");
    let no_to = http
        .post(&url)
        .basic_auth(ACCOUNT, Some("x"))
        .form(&[("From", "+15005550006"), ("Body", "hi")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        no_to.status().as_u16(),
        422,
        "a create without To is refused"
    );
    let big_page = http
        .get(&url)
        .basic_auth(ACCOUNT, Some("x"))
        .query(&[("PageSize", "5000")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        big_page.status().as_u16(),
        422,
        "PageSize over 1000 is refused"
    );
}
