//! Replies and opt-outs end to end over HTTP: replies polled from the fake Twilio (pages,
//! days, repeats, 429s, a Messaging Service's pool), stored once, opt-outs on the
//! sender's list, TEXTUNSUB / TEXTUNSUB_A written to the fake iMIS through the durable
//! queue (across an outage), and the next campaign skipping the number.

use super::*;
use herald_core::campaign::{Actor, AudienceSource, Mode, NewCampaign, WriteBackTarget};
use herald_core::clock::ManualClock;
use herald_core::drafts;
use herald_core::imis::Directory;
use herald_core::replies::{self, ReplyKind};
use herald_core::secrets::{MemorySecrets, SecretName, SecretStore};
use herald_core::settings::Settings;
use herald_core::status::MessageStatus;
use herald_core::store::{MessageQuery, NewMessage, OptOutSource, ReplyFilter};
use herald_core::writeback::{drain_once, drain_until_idle, WriteBackPolicy};
use herald_core::Store;
use herald_fake_twilio::{FakeTwilio, Inbound};
use std::sync::Arc;

const FROM: &str = "+15005550006";
const SERVICE: &str = "MG00000000000000000000000000000001";

struct Env {
    store: Store,
    clock: ManualClock,
    twilio: FakeTwilio,
    secrets: MemorySecrets,
    _dir: tempfile::TempDir,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(
        chrono::DateTime::parse_from_rfc3339("2026-11-27T14:03:05Z")
            .unwrap()
            .into(),
    );
    let store = Store::open_with_clock(&dir.path().join("herald.db"), Arc::new(clock.clone()))
        .await
        .unwrap();
    let twilio = FakeTwilio::start(Default::default()).await.unwrap();
    let secrets = MemorySecrets::default();
    secrets
        .set(
            SecretName::TwilioAuthToken,
            &Sensitive::new(herald_fake_twilio::AUTH_TOKEN),
        )
        .unwrap();
    for (k, v) in [
        ("twilio.base_url", twilio.url()),
        (
            "twilio.account_sid",
            herald_fake_twilio::ACCOUNT_SID.to_string(),
        ),
        ("twilio.from", FROM.to_string()),
    ] {
        store.set_setting(k, &v).await.unwrap();
    }
    Env {
        store,
        clock,
        twilio,
        secrets,
        _dir: dir,
    }
}

fn policy() -> WriteBackPolicy {
    WriteBackPolicy {
        first_delay: Duration::from_secs(30),
        max_delay: Duration::from_secs(1800),
        give_up_after: Duration::from_secs(6 * 3600),
        batch: 50,
        concurrency: 4,
    }
}

fn member_number(i: usize) -> String {
    format!("+1201555{i:04}")
}

/// A LIVE campaign whose texts to these members left at the store's now.
async fn sent_campaign(store: &Store, ids: &[String]) -> i64 {
    let id = store
        .create_campaign(
            NewCampaign {
                name: format!("Dues {}", fastrand::u32(..)),
                mode: Some(Mode::Live),
                write_back: Some(WriteBackTarget::Activity),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .unwrap();
    let messages: Vec<NewMessage> = ids
        .iter()
        .enumerate()
        .map(|(i, imis)| NewMessage {
            row_index: i as i64,
            imis_id: Some(imis.clone()),
            member_name: Some(format!("Member {imis}")),
            phone_raw: Some(member_number(i)),
            to_e164: Some(member_number(i)),
            body: format!("Hello {imis}, dues are due"),
            ucs2: false,
            segments: 1,
            status: MessageStatus::Preparing,
            status_reason: None,
            time_zone: None,
        })
        .collect();
    store.insert_messages(id, &messages).await.unwrap();
    sqlx::query("UPDATE messages SET status = 'delivered', sent_at = ?2, twilio_sid = 'SM' || id WHERE campaign_id = ?1")
        .bind(id)
        .bind(store.now())
        .execute(store.pool())
        .await
        .unwrap();
    id
}

fn reply(from: &str, body: &str, at: chrono::DateTime<chrono::Utc>) -> Inbound {
    Inbound {
        sid: String::new(),
        from: from.into(),
        to: FROM.into(),
        messaging_service_sid: None,
        body: body.into(),
        at: Some(at),
        no_date_sent: false,
    }
}

/// The fake Twilio answers the next `times` list requests with `status` and `code`.
fn fail_list(e: &Env, status: u16, code: i64, times: u32) {
    let list_path = format!(
        "/2010-04-01/Accounts/{}/Messages.json",
        herald_fake_twilio::ACCOUNT_SID
    );
    e.twilio.add_fault(
        herald_fake_twilio::FaultRule::new(
            "GET",
            &list_path,
            herald_fake_twilio::Fault::Status {
                status,
                code,
                retry_after_secs: None,
            },
        )
        .times(times),
    );
}

async fn sync(e: &Env) -> replies::SyncReport {
    replies::poll_once(&e.store, &e.secrets)
        .await
        .unwrap()
        .expect("Twilio is set up")
}

#[tokio::test]
async fn replies_are_stored_once_and_stop_start_and_confirmed_opt_outs_reach_imis() {
    let imis = standard().await;
    let e = env().await;
    let ids: Vec<String> = imis
        .catalog()
        .members
        .iter()
        .take(3)
        .map(|m| m.id.clone())
        .collect();
    let campaign = sent_campaign(&e.store, &ids).await;
    let sent_at = e.store.now();
    e.clock.advance(chrono::Duration::hours(2));
    let now = e.store.now();

    // 2,400 replies over three days (three pages of 1,000), most from numbers Herald
    // never texted, and three from the campaign's members.
    for i in 0..2_397 {
        let at = now - chrono::Duration::minutes(3 * i as i64 + 10);
        e.twilio
            .receive(reply(&format!("+1303555{:04}", i), "See you there", at));
    }
    e.twilio.receive(reply(
        &member_number(0),
        " Stop. ",
        now - chrono::Duration::minutes(5),
    ));
    e.twilio.receive(reply(
        &member_number(1),
        "Thanks, see you Friday!",
        now - chrono::Duration::minutes(4),
    ));
    e.twilio.receive(reply(
        &member_number(2),
        "please remove me from this list",
        now - chrono::Duration::minutes(3),
    ));
    // Polling meets a 429 once: it backs off and carries on.
    fail_list(&e, 429, 20429, 1);

    let first = sync(&e).await;
    assert_eq!(first.sender, FROM);
    assert_eq!(
        first.since, "2026-11-20",
        "the first poll reads a week back"
    );
    assert_eq!(first.listed, 2_400);
    assert_eq!(first.outcome.stored, 2_400);
    assert_eq!(first.outcome.opted_out, 1);
    assert_eq!(first.outcome.to_confirm, 1);
    assert_eq!(
        first.outcome.writebacks, 1,
        "one TEXTUNSUB for the member who replied STOP"
    );
    assert!(first.requests >= 3, "three pages: {}", first.requests);
    // The campaign's history says what came in, once per poll (its desktop notification).
    let told: Vec<Option<String>> = e
        .store
        .campaign_events(campaign)
        .await
        .unwrap()
        .into_iter()
        .filter(|ev| ev.kind == "replies")
        .map(|ev| ev.detail)
        .collect();
    assert_eq!(
        told,
        [Some(
            "3 new replies: 1 opted out, 1 asks to stop in their own words".to_string()
        )]
    );

    // Polled again with new replies: the ones seen are recognised by SID, not stored twice.
    e.clock.advance(chrono::Duration::minutes(1));
    let later = e.store.now();
    for i in 0..5 {
        e.twilio.receive(reply(
            &format!("+1720555{i:04}"),
            "ok",
            later - chrono::Duration::seconds(10 - i),
        ));
    }
    let second = sync(&e).await;
    assert_eq!(second.outcome.stored, 5);
    assert!(
        second.outcome.known > 400,
        "the day before is read again: {second:?}"
    );
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM replies")
        .fetch_one(e.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, 2_405);

    // What the campaign's members replied, attributed to it, with their names.
    let to_campaign = e
        .store
        .replies(&ReplyFilter {
            campaign_id: Some(campaign),
            ..Default::default()
        })
        .await
        .unwrap();
    let kinds: Vec<(ReplyKind, Option<&str>)> = to_campaign
        .iter()
        .map(|r| (r.kind, r.imis_id.as_deref()))
        .collect();
    assert_eq!(
        kinds,
        [
            (ReplyKind::PossibleOptOut, Some(ids[2].as_str())),
            (ReplyKind::Reply, Some(ids[1].as_str())),
            (ReplyKind::OptOut, Some(ids[0].as_str())),
        ]
    );
    assert!(to_campaign.iter().all(|r| r.received_at > sent_at));

    // The dashboard's grid and the message export say what each member replied.
    let grid = e
        .store
        .query_messages(
            campaign,
            &MessageQuery {
                limit: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let replied: Vec<Option<ReplyKind>> = grid.rows.iter().map(|r| r.reply_kind).collect();
    assert_eq!(
        replied,
        [
            Some(ReplyKind::OptOut),
            Some(ReplyKind::Reply),
            Some(ReplyKind::PossibleOptOut)
        ]
    );
    let csv =
        String::from_utf8(herald_core::report::messages_csv(&grid.rows, chrono_tz::UTC).unwrap())
            .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|c| *c == "Their reply").unwrap();
    let theirs: Vec<String> = lines
        .map(|l| l.split(',').nth(col).unwrap().to_string())
        .collect();
    assert_eq!(
        theirs,
        [
            "Opted out (replied STOP)",
            "Replied",
            "Asked to stop in their own words"
        ]
    );

    // STOP put the number on the sender's list; the next campaign skips it.
    let list = e.store.opt_outs().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(
        (list[0].sender.as_str(), list[0].phone_e164.as_str()),
        (FROM, member_number(0).as_str())
    );
    assert_eq!(list[0].source, OptOutSource::RepliedStop);
    let next = next_campaign_opted_out(&e).await;
    assert_eq!(
        next, 1,
        "the next campaign's summary counts the number as opted out"
    );

    // The TEXTUNSUB reaches iMIS through an outage, once, dated by the reply.
    imis.add_fault(
        herald_fake_imis::FaultRule::new(
            "POST",
            "/api/Activity",
            herald_fake_imis::Fault::Status { status: 503 },
        )
        .times(8),
    );
    let dir = Directory::Remote(Arc::new(client_for(&imis)));
    let settings = Settings::default();
    let during = drain_once(&e.store, &dir, &settings, &policy())
        .await
        .unwrap();
    assert_eq!(
        (during.done, during.retrying),
        (0, 1),
        "iMIS is down: it waits"
    );
    assert!(imis.activities().is_empty());
    imis.clear_faults();
    e.clock.advance(chrono::Duration::minutes(10));
    let after = drain_until_idle(&e.store, &dir, &settings, &policy())
        .await
        .unwrap();
    assert_eq!(after.done, 1);
    let acts = imis.activities();
    assert_eq!(acts.len(), 1);
    assert_eq!(acts[0].text("ACTIVITY_TYPE"), Some("TEXTUNSUB"));
    assert_eq!(acts[0].text("PartyId"), Some(ids[0].as_str()));
    assert_eq!(acts[0].text("DESCRIPTION"), Some(member_number(0).as_str()));
    assert_eq!(acts[0].text("NOTE"), Some(" Stop. "));
    let stop_at = (now - chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    assert_eq!(acts[0].text("TRANSACTION_DATE"), Some(stop_at.as_str()));

    // Staff confirm "remove me": on the list, and a TEXTUNSUB for that member.
    let remove_me = to_campaign
        .iter()
        .find(|r| r.kind == ReplyKind::PossibleOptOut)
        .unwrap();
    assert!(e.store.confirm_opt_out(remove_me.id).await.unwrap());
    assert!(
        !e.store.confirm_opt_out(remove_me.id).await.unwrap(),
        "confirming twice changes nothing"
    );
    assert!(e.store.is_opted_out(FROM, &member_number(2)).await.unwrap());

    // START takes the first member off the list and writes TEXTUNSUB_A.
    e.clock.advance(chrono::Duration::minutes(1));
    e.twilio
        .receive(reply(&member_number(0), "START", e.store.now()));
    let third = sync(&e).await;
    assert_eq!((third.outcome.stored, third.outcome.opted_in), (1, 1));
    assert!(!e.store.is_opted_out(FROM, &member_number(0)).await.unwrap());
    drain_until_idle(&e.store, &dir, &settings, &policy())
        .await
        .unwrap();
    let mut types: Vec<(String, String)> = imis
        .activities()
        .iter()
        .map(|a| {
            (
                a.text("ACTIVITY_TYPE").unwrap().to_string(),
                a.text("PartyId").unwrap().to_string(),
            )
        })
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            ("TEXTUNSUB".to_string(), ids[0].clone()),
            ("TEXTUNSUB".to_string(), ids[2].clone()),
            ("TEXTUNSUB_A".to_string(), ids[0].clone()),
        ]
    );
    let history = e
        .store
        .opt_out_changes(Some(&member_number(0)))
        .await
        .unwrap();
    let changes: Vec<(&str, &str)> = history
        .iter()
        .map(|c| (c.change.as_str(), c.source.as_str()))
        .collect();
    assert_eq!(
        changes,
        [("removed", "replied_start"), ("added", "replied_stop")]
    );
    assert_eq!(
        next_campaign_opted_out(&e).await,
        1,
        "only the confirmed one is left"
    );
}

/// How many of the three members a new draft's summary counts as opted out.
async fn next_campaign_opted_out(e: &Env) -> u32 {
    let id = e
        .store
        .create_campaign(
            NewCampaign {
                name: format!("Next {}", fastrand::u32(..)),
                template: Some("Hi ${FirstName}".into()),
                audience: Some(AudienceSource {
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
        .unwrap();
    let mut csv = String::from("ID,FirstName,Mobile\n");
    for i in 0..3 {
        csv.push_str(&format!("{i},M{i},{}\n", member_number(i)));
    }
    drafts::import_csv(&e.store, id, "members.csv", csv.as_bytes(), Actor::User)
        .await
        .unwrap();
    let s = drafts::draft_summary(&e.store, id, None).await.unwrap();
    s.opted_out.total
}

#[tokio::test]
async fn a_messaging_services_pool_is_one_list_and_other_numbers_are_not_ours() {
    let e = env().await;
    e.store
        .set_setting("twilio.sender_type", "messaging_service")
        .await
        .unwrap();
    e.store
        .set_setting("twilio.messaging_service_sid", SERVICE)
        .await
        .unwrap();
    let now = e.store.now();
    for (i, pool_number) in ["+15005550006", "+15005550007", "+15005550008"]
        .iter()
        .enumerate()
    {
        e.twilio.receive(Inbound {
            to: pool_number.to_string(),
            messaging_service_sid: Some(SERVICE.into()),
            ..reply(
                &member_number(i),
                "STOP",
                now - chrono::Duration::minutes(i as i64 + 1),
            )
        });
    }
    // To a number of the account outside the service: another sender's list.
    e.twilio.receive(Inbound {
        to: "+15005550001".into(),
        ..reply(&member_number(7), "STOP", now)
    });
    let r = sync(&e).await;
    assert_eq!(r.sender, SERVICE);
    assert_eq!((r.outcome.stored, r.outcome.opted_out), (3, 3));
    assert!(
        r.outcome.writebacks == 0,
        "no member was texted at these numbers"
    );
    for i in 0..3 {
        assert!(e
            .store
            .is_opted_out(SERVICE, &member_number(i))
            .await
            .unwrap());
        assert!(
            !e.store.is_opted_out(FROM, &member_number(i)).await.unwrap(),
            "the From number's list is another list"
        );
    }
    assert!(!e
        .store
        .is_opted_out(SERVICE, &member_number(7))
        .await
        .unwrap());
}

#[tokio::test]
async fn without_twilio_nothing_is_read_and_a_failed_poll_stores_nothing() {
    let e = env().await;
    e.store.reset_setting("twilio.account_sid").await.unwrap();
    assert!(replies::poll_once(&e.store, &e.secrets)
        .await
        .unwrap()
        .is_none());
    e.store
        .set_setting("twilio.account_sid", herald_fake_twilio::ACCOUNT_SID)
        .await
        .unwrap();
    e.twilio
        .receive(reply(&member_number(0), "STOP", e.store.now()));
    // Twilio keeps failing: the poll fails, the sync point does not move, nothing is lost.
    fail_list(&e, 500, 20500, 10);
    let err = replies::poll_once(&e.store, &e.secrets).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("replies could not be read from Twilio"),
        "{err}"
    );
    assert!(e.store.reply_sync_point(FROM).await.unwrap().is_none());
    e.twilio.clear_faults();
    let r = sync(&e).await;
    assert_eq!((r.outcome.stored, r.outcome.opted_out), (1, 1));
}

/// Counts keychain reads (each one a blocking D-Bus call on Linux).
struct CountingSecrets<'a> {
    inner: &'a MemorySecrets,
    reads: std::sync::atomic::AtomicUsize,
}

impl herald_core::secrets::SecretStore for CountingSecrets<'_> {
    fn get(
        &self,
        name: SecretName,
    ) -> Result<Option<Sensitive>, herald_core::secrets::SecretError> {
        self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.get(name)
    }
    fn set(
        &self,
        name: SecretName,
        value: &Sensitive,
    ) -> Result<(), herald_core::secrets::SecretError> {
        self.inner.set(name, value)
    }
    fn delete(&self, name: SecretName) -> Result<(), herald_core::secrets::SecretError> {
        self.inner.delete(name)
    }
}

/// The poller keeps its Twilio client from poll to poll: the keychain is read once, and
/// again only when the Twilio settings change.
#[tokio::test]
async fn polls_reuse_the_client_until_the_twilio_settings_change() {
    use herald_core::engine::gateway::GatewayCache;
    let e = env().await;
    let secrets = CountingSecrets {
        inner: &e.secrets,
        reads: Default::default(),
    };
    let reads = || secrets.reads.load(std::sync::atomic::Ordering::SeqCst);
    let gateways = GatewayCache::default();
    for _ in 0..3 {
        assert!(replies::poll_with(&e.store, &secrets, &gateways)
            .await
            .unwrap()
            .is_some());
    }
    assert_eq!(reads(), 1, "one keychain read for three polls");
    e.store
        .set_setting("twilio.from", "+15005550007")
        .await
        .unwrap();
    replies::poll_with(&e.store, &secrets, &gateways)
        .await
        .unwrap();
    assert_eq!(reads(), 2, "a new sender, a new client");
    // Without a kept client, every poll reads the keychain.
    replies::poll_once(&e.store, &secrets).await.unwrap();
    assert_eq!(reads(), 3);
}
