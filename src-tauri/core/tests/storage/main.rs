//! Storage as it meets a real SQLite file: schema upgrades from older versions with data in
//! them, and durability settings.

use herald_core::campaign::{Actor, NewCampaign};
use herald_core::status::CampaignStatus;
use herald_core::store::{Store, MIGRATOR};
use sqlx::migrate::Migrator;
use std::borrow::Cow;

/// A migrator that stops after the first `n` migrations: the schema an older Herald had.
fn older(n: usize) -> Migrator {
    Migrator {
        migrations: Cow::Owned(MIGRATOR.migrations[..n].to_vec()),
        ..Migrator::DEFAULT
    }
}

#[tokio::test]
async fn upgrade_from_the_first_schema_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("herald.db");
    assert!(
        MIGRATOR.migrations.len() >= 2,
        "the test needs an older schema to start from"
    );

    // An older Herald wrote this database.
    let pool = Store::open_unmigrated(&path).await.unwrap();
    older(1).run(&pool).await.unwrap();
    sqlx::query(
        "INSERT INTO campaigns (id, name, status, mode, template, created_at, updated_at)
         VALUES (7, 'Old campaign', 'completed', 'live', 'Hi ${FirstName}', '2025-01-02T03:04:05Z', '2025-01-02T03:04:05Z')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO messages (campaign_id, row_index, imis_id, to_e164, body, encoding, segments, status,
                               twilio_sid, twilio_status, updated_at)
         VALUES (7, 0, '23179', '+15552013344', 'Hi Jane', 'gsm7', 1, 'delivered',
                 'SM0123456789abcdef0123456789abcdef', 'delivered', '2025-01-02T03:05:00Z')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("INSERT INTO settings (key, value, updated_at) VALUES ('twilio.sender_type', 'toll_free', '2025-01-02T03:04:05Z')")
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query("INSERT INTO campaign_events (campaign_id, at, actor, kind) VALUES (7, '2025-01-02T03:04:05Z', 'user', 'created')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    // The current Herald opens it: the schema is upgraded and nothing is lost.
    let store = Store::open(&path).await.unwrap();
    let applied: i64 =
        sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success = 1")
            .fetch_one(store.pool())
            .await
            .unwrap();
    assert_eq!(applied as usize, MIGRATOR.migrations.len());
    let c = store.campaign(7).await.unwrap();
    assert_eq!(
        (c.name.as_str(), c.status),
        ("Old campaign", CampaignStatus::Completed)
    );
    let counts = store.message_counts(7).await.unwrap();
    assert_eq!((counts.total, counts.delivered), (1, 1));
    assert_eq!(store.settings().await.unwrap().rate_per_second(), 3.0);
    assert_eq!(store.campaign_events(7).await.unwrap().len(), 1);
    // Tables the upgrade added are usable at once.
    sqlx::query(
        "INSERT INTO send_attempts (message_id, started_at) VALUES (1, '2026-11-27T00:00:00Z')",
    )
    .execute(store.pool())
    .await
    .unwrap();
    let second_open = sqlx::query(
        "INSERT INTO send_attempts (message_id, started_at) VALUES (1, '2026-11-27T00:00:01Z')",
    )
    .execute(store.pool())
    .await;
    assert!(
        second_open.is_err(),
        "one open attempt per message is enforced by the schema"
    );
    // New campaigns continue from the old ids.
    let id = store
        .create_campaign(
            NewCampaign {
                name: "New".into(),
                ..Default::default()
            },
            Actor::Cli,
        )
        .await
        .unwrap();
    assert!(id > 7);
    store.close().await;

    // Opening again is a no-op upgrade.
    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.list_campaigns().await.unwrap().len(), 2);
}

#[tokio::test]
async fn the_database_runs_in_wal_with_foreign_keys_and_full_sync() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("nested/dir/herald.db"))
        .await
        .unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
        .fetch_one(store.pool())
        .await
        .unwrap();
    let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!((mode.as_str(), fk, sync), ("wal", 1, 2));
    let orphan = sqlx::query(
        "INSERT INTO messages (campaign_id, row_index, body, encoding, segments, updated_at) VALUES (999, 0, 'x', 'gsm7', 1, 'now')",
    )
    .execute(store.pool())
    .await;
    assert!(orphan.is_err(), "a message must belong to a campaign");
}

#[tokio::test]
async fn a_newer_database_is_refused_rather_than_damaged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("herald.db");
    let store = Store::open(&path).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time)
         VALUES (99990101000000, 'from the future', CURRENT_TIMESTAMP, 1, x'00', 0)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.close().await;
    let err = Store::open(&path)
        .await
        .err()
        .expect("a newer schema must not be opened");
    assert_eq!(err.code(), herald_core::ErrorCode::Storage);
    assert!(err.to_string().contains("schema"), "{err}");
}
