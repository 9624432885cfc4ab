use super::*;
use herald_core::campaign::{Actor, AudienceSource, Mode, NewCampaign, WriteBackTarget};
use herald_core::clock::ManualClock;
use herald_core::drafts;
use herald_core::imis::catalog;
use herald_core::imis::{Directory, ImisErrorKind};
use herald_core::secrets::{SecretName, SecretStore, Sensitive};
use herald_core::settings::Settings;
use herald_core::status::MessageStatus;
use herald_core::store::NewMessage;
use herald_core::writeback::{drain_once, drain_until_idle, WriteBackPolicy};
use herald_core::{ErrorCode, Store};
use herald_fake_imis::{Fault, FaultRule};
use std::collections::BTreeMap;
use std::sync::Arc;

struct Env {
    store: Store,
    clock: ManualClock,
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
    Env {
        store,
        clock,
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

/// A campaign whose messages to these members were accepted by Twilio at the store's now.
async fn sent_campaign(
    store: &Store,
    mode: Mode,
    target: WriteBackTarget,
    ids: &[&str],
) -> (i64, Vec<i64>) {
    let id = store
        .create_campaign(
            NewCampaign {
                name: format!("Dues {mode:?} {target:?}"),
                mode: Some(mode),
                write_back: Some(target),
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
            imis_id: Some(imis.to_string()),
            member_name: Some(format!("Member {imis}")),
            phone_raw: Some("(201) 555-0123".into()),
            to_e164: Some(format!("+1201555{:04}", i)),
            body: format!("Hello {imis}, dues are due — reply STOP to opt out"),
            ucs2: true,
            segments: 1,
            status: MessageStatus::Preparing,
            status_reason: None,
            time_zone: None,
        })
        .collect();
    store.insert_messages(id, &messages).await.unwrap();
    // What the sending engine records when Twilio accepts a message.
    sqlx::query("UPDATE messages SET status = 'sent', sent_at = ?2, twilio_sid = 'SM' || id WHERE campaign_id = ?1")
        .bind(id)
        .bind(store.now())
        .execute(store.pool())
        .await
        .unwrap();
    let ids: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM messages WHERE campaign_id = ?1 ORDER BY id")
            .bind(id)
            .fetch_all(store.pool())
            .await
            .unwrap();
    let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
    for m in &ids {
        store.enqueue_writeback(*m).await.unwrap();
    }
    (id, ids)
}

fn member_ids(fake: &FakeImis, n: usize) -> Vec<String> {
    fake.catalog()
        .members
        .iter()
        .take(n)
        .map(|m| m.id.clone())
        .collect()
}

#[tokio::test]
async fn every_accepted_text_becomes_one_activity_with_the_exact_fields() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 3);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (campaign, _) = sent_campaign(&e.store, Mode::Live, WriteBackTarget::Activity, &refs).await;
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    let settings = Settings::default()
        .with_value(herald_core::settings::SettingKey::ImisCeuTypeColumn, "UF_1")
        .unwrap();
    let report = drain_until_idle(&e.store, &dir, &settings, &policy())
        .await
        .unwrap();
    assert_eq!(report.done, 3);
    let acts = fake.activities();
    assert_eq!(acts.len(), 3);
    let a = acts
        .iter()
        .find(|a| a.text("PartyId") == Some(ids[0].as_str()))
        .unwrap();
    assert_eq!(a.text("ACTIVITY_TYPE"), Some("TEXTMSG"));
    assert_eq!(a.text("TRANSACTION_DATE"), Some("2026-11-27T14:03:05"));
    assert_eq!(a.text("DESCRIPTION"), Some("+12015550000"));
    assert_eq!(
        a.text("NOTE"),
        Some(format!("Hello {}, dues are due — reply STOP to opt out", ids[0]).as_str())
    );
    assert_eq!(
        a.text("UF_1"),
        Some("Text Manager"),
        "the CEU Type column comes from the settings"
    );
    assert_eq!(
        a.body["PrimaryParentIdentity"]["IdentityElements"]["$values"][0].as_str(),
        Some(ids[0].as_str())
    );
    let status = e.store.writeback_status(Some(campaign)).await.unwrap();
    assert_eq!((status.pending, status.done, status.failed), (0, 3, 0));
    let keys: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT w.imis_key, m.writeback FROM writebacks w JOIN messages m ON m.id = w.message_id ORDER BY w.id",
    )
    .fetch_all(e.store.pool())
    .await
    .unwrap();
    let mut seqns: Vec<String> = acts.iter().map(|a| a.key.clone()).collect();
    seqns.sort();
    let mut stored: Vec<String> = keys.iter().map(|k| k.0.clone().unwrap()).collect();
    stored.sort();
    assert_eq!(stored, seqns, "the created SEQNs are stored");
    assert!(keys.iter().all(|k| k.1 == "done"));
}

#[tokio::test]
async fn test_mode_and_no_write_back_queue_nothing() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 2);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    sent_campaign(&e.store, Mode::Test, WriteBackTarget::Activity, &refs).await;
    sent_campaign(&e.store, Mode::Live, WriteBackTarget::None, &refs).await;
    let status = e.store.writeback_status(None).await.unwrap();
    assert_eq!(status.pending + status.done + status.failed, 0);
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    drain_until_idle(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert!(fake.activities().is_empty());
}

#[tokio::test]
async fn a_connection_dropped_after_imis_saved_the_activity_is_not_written_twice() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 1);
    sent_campaign(&e.store, Mode::Live, WriteBackTarget::Activity, &[&ids[0]]).await;
    fake.add_fault(FaultRule::new(
        "POST",
        "/api/Activity",
        Fault::DropAfterCommit,
    ));
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    let first = drain_once(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert_eq!(
        (first.done, first.retrying),
        (0, 1),
        "the outcome is unknown, so it waits"
    );
    assert_eq!(fake.activities().len(), 1, "iMIS did save it");
    let status = e.store.writeback_status(None).await.unwrap();
    assert_eq!(status.pending, 1);
    assert!(status.waiting_reason.unwrap().contains("did not confirm"));
    e.clock.advance(chrono::Duration::minutes(5));
    let second = drain_once(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert_eq!(second.done, 1);
    assert_eq!(
        fake.activities().len(),
        1,
        "found by lookup, not posted again"
    );
    assert_eq!(
        fake.count_requests("/api/Activity"),
        2,
        "POST, then GET lookup; no second POST"
    );
    let key: (String,) = sqlx::query_as("SELECT imis_key FROM writebacks")
        .fetch_one(e.store.pool())
        .await
        .unwrap();
    assert_eq!(key.0, fake.activities()[0].key);
}

#[tokio::test]
async fn a_server_error_on_post_is_looked_up_then_posted_once() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 1);
    sent_campaign(&e.store, Mode::Live, WriteBackTarget::Activity, &[&ids[0]]).await;
    fake.add_fault(FaultRule::new(
        "POST",
        "/api/Activity",
        Fault::Status { status: 500 },
    ));
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    drain_once(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert!(fake.activities().is_empty());
    e.clock.advance(chrono::Duration::minutes(5));
    let r = drain_once(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert_eq!(r.done, 1);
    assert_eq!(fake.activities().len(), 1);
}

#[tokio::test]
async fn a_post_that_times_out_is_found_later_and_not_duplicated() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 1);
    sent_campaign(&e.store, Mode::Live, WriteBackTarget::Activity, &[&ids[0]]).await;
    fake.add_fault(FaultRule::new(
        "POST",
        "/api/Activity",
        Fault::Delay { millis: 700 },
    ));
    let dir = Directory::Remote(Arc::new(client_with(&fake, |c| {
        c.timeout = Duration::from_millis(300)
    })));
    let r = drain_once(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert_eq!(r.retrying, 1);
    tokio::time::sleep(Duration::from_millis(800)).await; // iMIS finishes saving
    e.clock.advance(chrono::Duration::minutes(5));
    let r = drain_once(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert_eq!(r.done, 1);
    assert_eq!(fake.activities().len(), 1);
}

#[tokio::test]
async fn an_outage_keeps_write_backs_pending_with_backoff_until_they_give_up() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 2);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let (campaign, _) = sent_campaign(&e.store, Mode::Live, WriteBackTarget::Activity, &refs).await;
    fake.add_fault(
        FaultRule::new("POST", "/api/Activity", Fault::Status { status: 503 }).times(10_000),
    );
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    let s = Settings::default();
    let r = drain_once(&e.store, &dir, &s, &policy()).await.unwrap();
    assert_eq!(r.retrying, 2);
    // Not due again at once: backoff.
    assert_eq!(
        drain_once(&e.store, &dir, &s, &policy())
            .await
            .unwrap()
            .retrying,
        0
    );
    let status = e.store.writeback_status(None).await.unwrap();
    assert_eq!(status.pending, 2);
    assert!(status.waiting_reason.unwrap().contains("having trouble"));
    // Hours of retrying, then a clear failure.
    for _ in 0..40 {
        e.clock.advance(chrono::Duration::minutes(31));
        drain_once(&e.store, &dir, &s, &policy()).await.unwrap();
    }
    let status = e.store.writeback_status(None).await.unwrap();
    assert_eq!((status.pending, status.failed), (0, 2));
    assert!(
        status.failures[0].reason.starts_with("gave up after"),
        "{}",
        status.failures[0].reason
    );
    assert!(fake.activities().is_empty());
    // Given up: one line in the campaign's history (what a desktop notification tells).
    let gave_up: Vec<_> = e
        .store
        .campaign_events(campaign)
        .await
        .unwrap()
        .into_iter()
        .filter(|ev| ev.kind == herald_core::notices::WRITEBACK_GAVE_UP)
        .collect();
    assert_eq!(gave_up.len(), 1, "{gave_up:?}");
    assert_eq!(
        gave_up[0].detail.as_deref(),
        Some("2 texts could not be recorded in iMIS; see the dashboard's write-back failures")
    );
    // Fixed: the user retries them, and they are written once each.
    fake.clear_faults();
    assert_eq!(e.store.retry_failed_writebacks(None).await.unwrap(), 2);
    drain_until_idle(&e.store, &dir, &s, &policy())
        .await
        .unwrap();
    assert_eq!(fake.activities().len(), 2);
}

#[tokio::test]
async fn a_validation_error_fails_for_good_with_the_reason() {
    let fake = standard().await;
    let e = env().await;
    sent_campaign(
        &e.store,
        Mode::Live,
        WriteBackTarget::Activity,
        &["999999999"],
    )
    .await;
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    let r = drain_once(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert_eq!(r.failed, 1);
    let status = e.store.writeback_status(None).await.unwrap();
    assert!(
        status.failures[0]
            .reason
            .contains("PartyId 999999999 does not exist"),
        "{}",
        status.failures[0].reason
    );
    assert!(!status.failures[0].reason.contains('{'), "words, not JSON");
}

#[tokio::test]
async fn a_crash_mid_post_is_recovered_as_uncertain_and_looked_up() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 1);
    sent_campaign(&e.store, Mode::Live, WriteBackTarget::Activity, &[&ids[0]]).await;
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    // The worker claimed it and posted, then the process died before recording the result.
    let jobs = e.store.claim_writebacks(10).await.unwrap();
    let Directory::Remote(client) = &dir else {
        unreachable!()
    };
    let record = herald_core::imis::WriteBackRecord {
        party_id: ids[0].clone(),
        activity_type: "TEXTMSG".into(),
        sent_at: jobs[0].sent_at.unwrap().naive_utc(),
        to: jobs[0].to_e164.clone().unwrap(),
        note: jobs[0].body.clone(),
        ceu_column: "CATEGORY".into(),
    };
    client.post_activity(&record).await.unwrap();
    assert_eq!(e.store.recover_writebacks().await.unwrap(), 1);
    drain_until_idle(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    assert_eq!(fake.activities().len(), 1, "not written twice");
    assert_eq!(e.store.writeback_status(None).await.unwrap().done, 1);
}

#[tokio::test]
async fn communication_log_write_backs_go_through_the_same_queue() {
    let fake = standard().await;
    let e = env().await;
    let ids = member_ids(&fake, 2);
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    sent_campaign(
        &e.store,
        Mode::Live,
        WriteBackTarget::CommunicationLog,
        &refs,
    )
    .await;
    fake.add_fault(FaultRule::new(
        "POST",
        "/api/CommunicationLogRecipient",
        Fault::DropAfterCommit,
    ));
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    drain_until_idle(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    e.clock.advance(chrono::Duration::minutes(5));
    drain_until_idle(&e.store, &dir, &Settings::default(), &policy())
        .await
        .unwrap();
    let logs = fake.communication_logs();
    assert_eq!(logs.len(), 2, "one each, the dropped one found by lookup");
    assert!(logs
        .iter()
        .all(|l| l.properties["MessageType"]["$value"] == 1));
    assert!(fake.activities().is_empty());
    assert_eq!(e.store.writeback_status(None).await.unwrap().done, 2);
}

#[tokio::test]
async fn the_wizard_imports_a_query_into_the_draft_and_works_offline() {
    let fake = standard().await;
    let e = env().await;
    let id = e
        .store
        .create_campaign(
            NewCampaign {
                name: "Students".into(),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .unwrap();
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    let mut p = BTreeMap::new();
    p.insert("MemberType".to_string(), "STU".to_string());
    let import = drafts::import_query(
        &e.store,
        &dir,
        id,
        catalog::MEMBERS_BY_TYPE,
        p.clone(),
        Actor::User,
    )
    .await
    .unwrap();
    assert!(import.problem.is_none());
    let preview = &import.preview;
    assert!(preview.row_count > 0 && preview.row_count < 5_000);
    assert_eq!(preview.suggested_id_column.as_deref(), Some("ID"));
    assert_eq!(preview.suggested_phone_column.as_deref(), Some("Mobile"));
    let source = preview.source.clone().unwrap();
    assert_eq!(
        source,
        AudienceSource {
            query: Some(catalog::MEMBERS_BY_TYPE.into()),
            params: p,
            csv: None,
            id_column: "ID".into(),
            phone_column: "Mobile".into(),
        }
    );
    // Merge text: whole decimals without zeros, dates as dates.
    let balance = preview
        .columns
        .iter()
        .position(|c| c == "DuesBalance")
        .unwrap();
    assert!(preview.rows.iter().all(|r| !r[balance].ends_with(".0000")));
    let joined = preview
        .columns
        .iter()
        .position(|c| c == "JoinDate")
        .unwrap();
    assert!(
        preview.rows[0][joined].contains(", "),
        "{}",
        preview.rows[0][joined]
    );
    // Offline: the snapshot serves the preview with iMIS gone.
    drop(dir);
    drop(fake);
    let cached = drafts::audience_preview(&e.store, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(cached.row_count, preview.row_count);
    assert_eq!(
        cached.source_name.as_deref(),
        Some(catalog::MEMBERS_BY_TYPE)
    );
}

#[tokio::test]
async fn a_query_without_a_phone_column_is_explained_by_its_columns() {
    let e = env().await;
    let id = e
        .store
        .create_campaign(
            NewCampaign {
                name: "Emails".into(),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .unwrap();
    let import = drafts::import_query(
        &e.store,
        &Directory::demo(),
        id,
        catalog::EMAIL_LIST,
        BTreeMap::new(),
        Actor::User,
    )
    .await
    .unwrap();
    let problem = import.problem.unwrap();
    assert!(problem.contains("mobile phone"), "{problem}");
    assert!(problem.contains("ID, FullName, Email"), "{problem}");
    assert!(
        e.store.campaign(id).await.unwrap().audience.is_none(),
        "no half-set audience"
    );
    // An empty result still names its columns (from the query's definition).
    let empty = drafts::import_query(
        &e.store,
        &Directory::demo(),
        id,
        catalog::LAPSED_MEMBERS,
        BTreeMap::new(),
        Actor::User,
    )
    .await
    .unwrap();
    assert_eq!(empty.preview.row_count, 0);
    assert!(empty.preview.columns.contains(&"Mobile".to_string()));
    // An unknown query is an iMIS error naming it.
    let err = drafts::import_query(
        &e.store,
        &Directory::demo(),
        id,
        "$/Herald Demo/Nope",
        BTreeMap::new(),
        Actor::User,
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Imis);
    assert!(err.to_string().contains("$/Herald Demo/Nope"));
}

/// A LIVE campaign is scheduled only once the person confirmed it and the pre-flight
/// passes: Twilio set up and answering, a real iMIS with the TEXTMSG type.
#[tokio::test]
async fn live_campaigns_need_a_confirmation_twilio_the_textmsg_type_and_a_real_imis() {
    let fake = standard().await;
    let e = env().await;
    let secrets = herald_core::secrets::MemorySecrets::default();
    e.store
        .set_setting("imis.base_url", &fake.url())
        .await
        .unwrap();
    e.store
        .set_setting("imis.username", "herald")
        .await
        .unwrap();
    let dir = Directory::Remote(Arc::new(client_for(&fake)));
    let id = e
        .store
        .create_campaign(
            NewCampaign {
                name: "Live".into(),
                mode: Some(Mode::Live),
                template: Some("Hi $FirstName".into()),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .unwrap();
    drafts::import_query(
        &e.store,
        &dir,
        id,
        catalog::CONFERENCE,
        BTreeMap::new(),
        Actor::User,
    )
    .await
    .unwrap();
    let schedule = |confirmation, directory: Directory| {
        drafts::schedule(
            &e.store,
            id,
            None,
            Actor::User,
            confirmation,
            &secrets,
            move || Ok(directory),
        )
    };
    use drafts::Confirmation;
    let err = schedule(Confirmation::None, dir.clone()).await.unwrap_err();
    assert!(err.to_string().contains("must be confirmed"), "{err}");
    // Pre-flight, with the fix named.
    fake.set_textmsg(false);
    let err = schedule(Confirmation::Yes, dir.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Twilio is not set up: add the Account SID in Settings → Twilio"),
        "{err}"
    );
    assert!(
        err.contains("Settings → Contacts → Activity Types"),
        "{err}"
    );
    let twilio = herald_fake_twilio::FakeTwilio::start(Default::default())
        .await
        .unwrap();
    for (k, v) in [
        ("twilio.base_url", twilio.url()),
        (
            "twilio.account_sid",
            herald_fake_twilio::ACCOUNT_SID.to_string(),
        ),
        ("twilio.from", "+15005550006".to_string()),
    ] {
        e.store.set_setting(k, &v).await.unwrap();
    }
    let err = schedule(Confirmation::Yes, dir.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("store the Auth Token in Settings → Twilio"),
        "{err}"
    );
    secrets
        .set(SecretName::TwilioAuthToken, &Sensitive::new("wrong-token"))
        .unwrap();
    let err = schedule(Confirmation::Yes, dir.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("Twilio account: the connection test failed"),
        "{err}"
    );
    secrets
        .set(
            SecretName::TwilioAuthToken,
            &Sensitive::new(herald_fake_twilio::AUTH_TOKEN),
        )
        .unwrap();
    let err = schedule(Confirmation::Yes, dir.clone())
        .await
        .unwrap_err()
        .to_string();
    assert!(!err.contains("Twilio"), "Twilio passes now: {err}");
    assert!(
        err.contains("Settings → Contacts → Activity Types"),
        "{err}"
    );
    let demo = schedule(Confirmation::Yes, Directory::demo())
        .await
        .unwrap_err();
    assert!(demo.to_string().contains("only runs TEST"), "{demo}");
    fake.set_textmsg(true);
    // The window's dialog confirms a count: a different count is refused.
    let to_send = drafts::draft_summary(&e.store, id, None)
        .await
        .unwrap()
        .summary
        .to_send;
    let err = schedule(Confirmation::Recipients(to_send + 1), dir.clone())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("you confirmed"), "{err}");
    assert_eq!(
        twilio.messages().len(),
        0,
        "nothing was sent by any of this"
    );
    let c = schedule(Confirmation::Recipients(to_send), dir.clone())
        .await
        .unwrap();
    assert_eq!(c.status, herald_core::status::CampaignStatus::Scheduled);
    let _ = ImisErrorKind::Unreachable;
}
