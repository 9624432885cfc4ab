//! SQLite storage: one pool, and two connections of the dashboard grid's own; WAL, a busy
//! timeout, foreign keys on, and the migrations in `migrations/` applied on open. Every
//! status change goes through the state machines in [`crate::status`] and leaves an entry
//! in the campaign event log.

mod campaigns;
mod grid;
mod ledger;
mod messages;
mod opt_outs;
mod replies;
mod settings;
mod snapshots;
mod test_texts;
mod timeline;
mod writebacks;

/// How long after sending Herald keeps asking Twilio about a message (its final status,
/// its price).
pub const POLL_HORIZON_HOURS: i64 = 72;

pub use campaigns::{CampaignState, DraftChanges};
pub use grid::{ErrorCount, MessagePage, MessageQuery, SortColumn};
pub use ledger::{
    twilio_rank, AttemptResult, OpenAttempt, SendJob, SendingState, StatusUpdate, Unsettled,
};
pub use messages::{MessageRow, NewMessage, Recorded};
pub use opt_outs::{NewOptOut, OptOut, OptOutChange, OptOutSource, ALL_SENDERS, TEST_SENDER};
pub use replies::{InboundReply, Reply, ReplyFilter, ReplyOutcome, SimulatedReplyCandidate};
pub use snapshots::AudienceSnapshot;
pub use test_texts::{TestText, TestTextState};
pub use timeline::TimelinePoint;
pub use writebacks::{WriteBackFailure, WriteBackJob, WriteBackKind, WriteBackStatus};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result, StorageContext};
use sqlx::migrate::Migrator;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

/// The schema migrations, embedded at build time.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Handle on Herald's database. Cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    clock: Arc<dyn Clock>,
    /// The dashboard's grid and its export read on connections of their own
    /// ([`GRID_CONNECTIONS`]): scrolling a million rows never keeps the engine waiting for a
    /// connection, and what the grid reads stays in these two's caches (prepared statements,
    /// SQLite's pages) instead of spreading over the shared pool's ten.
    grid: SqlitePool,
}

/// The pool's connections. A writer waiting for the write lock (see [`BUSY_TIMEOUT`]) holds
/// its connection meanwhile; with every background worker and the window writing at once
/// during a long recording that is six or so, and reads (WAL lets them run meanwhile) still
/// find one free. Connections are opened only when needed.
const POOL_CONNECTIONS: u32 = 10;
/// The grid's own connections (see [`Store::grid`]): a page and its count at once.
const GRID_CONNECTIONS: u32 = 2;

impl Store {
    /// Every write transaction starts here, with `BEGIN IMMEDIATE`: a deferred one that
    /// reads and then writes fails at once with SQLITE_BUSY when another connection wrote
    /// meanwhile, instead of waiting for the busy timeout.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        self.pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .context("start a transaction")
    }

    /// Opens (creating if missing) the database at `path` and brings its schema up to date.
    pub async fn open(path: &Path) -> Result<Self> {
        Self::open_with_clock(path, Arc::new(SystemClock)).await
    }

    pub async fn open_with_clock(path: &Path, clock: Arc<dyn Clock>) -> Result<Self> {
        let pool = connect(path, POOL_CONNECTIONS).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self {
            pool,
            clock,
            grid: connect(path, GRID_CONNECTIONS).await?,
        })
    }

    /// Opens without migrating; for tests that build an older schema first.
    pub async fn open_unmigrated(path: &Path) -> Result<SqlitePool> {
        connect(path, POOL_CONNECTIONS).await
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// Flushes the WAL into the main file and closes every connection (the grid's first:
    /// a read of theirs would keep the checkpoint from emptying the WAL).
    pub async fn close(self) {
        self.grid.close().await;
        let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await;
        self.pool.close().await;
    }
}

/// How long a statement waits for another connection's write to finish. Recording a
/// campaign's messages writes them all in one transaction, about 16 s for a million on the
/// 2-core test machine (`cargo bench --bench campaign`): meanwhile other writes (a draft
/// saved, a status polled) wait for it rather than fail.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(60);

/// The pages each connection keeps in memory, in KiB. Each of the up to twelve connections
/// (the pool's and the grid's) keeps a cache of its own, and SQLite's default of 2 MiB each
/// came to 15–20 MiB in Herald's process once a 250,000-message dashboard had been opened
/// and scrolled (`make bench-dashboard`: Herald's share of the cost +18 to +24 MiB, +8 with
/// this). The system caches the file anyway: the grid bench's queries and a million
/// messages recorded took as long as with 2 MiB (`cargo bench --bench grid`), and a
/// million-message campaign end to end too (`--bench campaign`: 327 s, 360 before); its
/// report, which reads every message, took 18.6 s where it took 12.5 (one run each), and
/// 8.7 s once its CSV was written on a thread of its own.
const PAGE_CACHE_KIB: u32 = 512;

/// A pool of at most `connections` connections to the database at `path`, opened as needed.
async fn connect(path: &Path, connections: u32) -> Result<SqlitePool> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            context: format!("could not create the data folder {}", dir.display()),
            source,
        })?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a committed send attempt must survive power loss, or exactly-once breaks.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        .pragma("cache_size", format!("-{PAGE_CACHE_KIB}"));
    SqlitePoolOptions::new()
        .max_connections(connections)
        // A connection may wait for the write lock as long as a statement does.
        .acquire_timeout(BUSY_TIMEOUT)
        .connect_with(options)
        .await
        .context("open")
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::clock::ManualClock;
    use chrono::TimeZone;

    /// A bare draft called `name`.
    pub async fn new_draft(store: &Store, name: &str) -> i64 {
        let new = crate::campaign::NewCampaign {
            name: name.into(),
            ..Default::default()
        };
        store
            .create_campaign(new, crate::campaign::Actor::User)
            .await
            .unwrap()
    }

    /// Row `i` to record: an iMIS ID, a US number, `segments` segments, Preparing.
    pub fn message(i: i64, segments: i64) -> crate::store::NewMessage {
        crate::store::NewMessage {
            row_index: i,
            imis_id: Some(i.to_string()),
            member_name: None,
            phone_raw: None,
            to_e164: Some(format!("+1201555{i:04}")),
            body: "Hello".into(),
            ucs2: false,
            segments,
            status: crate::status::MessageStatus::Preparing,
            status_reason: None,
            time_zone: None,
        }
    }

    pub async fn store() -> (Store, ManualClock, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let clock = ManualClock::new(
            chrono::Utc
                .with_ymd_and_hms(2026, 11, 27, 14, 0, 0)
                .unwrap(),
        );
        let store = Store::open_with_clock(&dir.path().join("herald.db"), Arc::new(clock.clone()))
            .await
            .unwrap();
        (store, clock, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::store;
    use std::time::Duration;

    #[tokio::test]
    async fn every_connection_keeps_a_small_page_cache() {
        let (store, _clock, _dir) = store().await;
        for pool in [store.pool(), &store.grid] {
            let (kib,): (i64,) = sqlx::query_as("PRAGMA cache_size")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(
                kib,
                -i64::from(super::PAGE_CACHE_KIB),
                "negative: KiB, not pages"
            );
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_go_on_while_writers_wait_for_a_long_write() {
        let (store, _clock, _dir) = store().await;
        // A long write (a large recording) holds the write lock.
        let long_write = store.begin_write().await.unwrap();
        // Every background worker and the window try to write meanwhile: each waits,
        // holding a connection.
        let waiting: Vec<_> = (0..6)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .set_setting("campaign.confirm_typed_above", &(1000 + i).to_string())
                        .await
                })
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(waiting.iter().all(|w| !w.is_finished()), "they wait for it");
        // Reads still find a connection (WAL lets them run beside the write).
        let campaigns = tokio::time::timeout(Duration::from_secs(5), store.list_campaigns())
            .await
            .expect("a read does not wait for the writers")
            .unwrap();
        assert!(campaigns.is_empty());
        // Once the long write ends, each waiting write goes through.
        long_write.commit().await.unwrap();
        for w in waiting {
            tokio::time::timeout(Duration::from_secs(10), w)
                .await
                .expect("the writers go on")
                .unwrap()
                .unwrap();
        }
    }
}
