//! The sending engine: starts campaigns on time, sends every message exactly once at the
//! allowed rate and within the daily cap, reconciles ambiguous sends with Twilio before
//! any retry, polls statuses, completes campaigns, and obeys pause, resume and cancel
//! (which are just status changes in the database, so the app and the CLI can both make
//! them).
//!
//! Exactly once rests on the ledger (`store::ledger`): an attempt is committed before its
//! request leaves; a definite answer closes it; an attempt left open (timeout, dropped
//! connection, 5xx, crash) is looked up at Twilio before its message can go again.

pub mod gateway;
pub mod limiter;
pub mod simulator;

use crate::campaign::{Actor, Campaign, Mode};
use crate::drafts;
use crate::error::{Error, Result};
use crate::imis::DirectoryCache;
use crate::secrets::SecretStore;
use crate::settings::Settings;
use crate::status::{CampaignStatus, MessageStatus};
use crate::store::{
    AttemptResult, NewMessage, OpenAttempt, Recorded, SendJob, SendingState, Store, WriteBackKind,
};
use crate::twilio::codes::{self, Verdict};
use crate::twilio::CreateOutcome;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use gateway::{Gateway, GatewayCache};
use limiter::RateLimiter;
use simulator::Simulator;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, Semaphore};

/// What is left to send, by zone key ([`Store::pending_by_zone`]).
type PendingByZone = Vec<(Option<String>, i64)>;
/// How often statuses are polled, by the time since a campaign's last send.
#[derive(Debug, Clone, Copy)]
pub struct PollSchedule {
    /// In the first minutes after sending.
    pub soon: Duration,
    /// Up to an hour after.
    pub later: Duration,
    /// After that, until 72 hours.
    pub slow: Duration,
}

impl Default for PollSchedule {
    fn default() -> Self {
        Self {
            soon: Duration::from_secs(10),
            later: Duration::from_secs(60),
            slow: Duration::from_secs(600),
        }
    }
}

#[derive(Debug, Clone)]
pub struct EngineOptions {
    pub tick: Duration,
    /// An open attempt not in flight is reconciled once it is this old.
    pub reconcile_after: Duration,
    pub max_in_flight: usize,
    /// This many failures in a row pause the campaign.
    pub failure_limit: u32,
    pub poll: PollSchedule,
    /// TEST mode's timetable: 1.0 is real time.
    pub simulator_time_scale: f64,
    /// Overrides the configured rate (`Some(None)`: unlimited, for benchmarks).
    pub rate_override: Option<Option<f64>>,
    /// Single fetches per polling round for messages the list did not show.
    pub straggler_limit: usize,
    /// Overrides the Twilio client's per-request timeout.
    pub twilio_timeout: Option<Duration>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            tick: Duration::from_millis(250),
            reconcile_after: Duration::from_secs(10),
            max_in_flight: 32,
            failure_limit: 10,
            poll: PollSchedule::default(),
            simulator_time_scale: 1.0,
            rate_override: None,
            straggler_limit: 20,
            twilio_timeout: None,
        }
    }
}

impl EngineOptions {
    /// The defaults, with the test hooks `HERALD_SIMULATOR_TIME_SCALE` (TEST mode's
    /// timetable, 1.0 = real time), `HERALD_ENGINE_POLL_MS` and
    /// `HERALD_ENGINE_RECONCILE_MS`, so end-to-end and crash tests need not wait minutes.
    pub fn from_env() -> Self {
        let mut o = Self::default();
        let ms = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .map(Duration::from_millis)
        };
        if let Some(d) = ms("HERALD_ENGINE_RECONCILE_MS") {
            o.reconcile_after = d;
        }
        if let Some(d) = ms("HERALD_ENGINE_POLL_MS") {
            o.poll = PollSchedule {
                soon: d,
                later: d,
                slow: d,
            };
        }
        if let Some(scale) = std::env::var("HERALD_SIMULATOR_TIME_SCALE")
            .ok()
            .and_then(|v| v.parse::<f64>().ok())
            .filter(|s| *s > 0.0)
        {
            o.simulator_time_scale = scale;
        }
        o
    }
}

/// What the engine tells the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EngineEvent {
    /// Messages of this campaign changed (throttle before showing).
    Progress(i64),
    /// The campaign's status changed.
    Status(i64),
}

type Sink = Arc<dyn Fn(EngineEvent) + Send + Sync>;

/// Only one engine may send from a data folder: a lock file held while it runs.
pub struct EngineLock {
    _file: std::fs::File,
    path: PathBuf,
}

impl EngineLock {
    pub fn acquire(data_dir: &Path) -> Result<EngineLock> {
        let path = data_dir.join("engine.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| Error::Io {
                context: format!("could not open {}", path.display()),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(EngineLock { _file: file, path }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Conflict(
                "another Herald (the app or herald-cli run) is already sending from this data folder".into(),
            )),
            Err(std::fs::TryLockError::Error(source)) => Err(Error::Io {
                context: format!("could not lock {}", path.display()),
                source,
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[derive(Default)]
struct Shared {
    /// Campaigns with a sender task running.
    senders: HashSet<i64>,
    /// Attempts whose request is outstanding in this process.
    in_flight: HashSet<i64>,
    /// When each campaign's statuses are next polled.
    next_poll: HashMap<i64, DateTime<Utc>>,
    /// Failures in a row, per campaign.
    failures: HashMap<i64, u32>,
    /// Campaigns already told they hit the daily cap today.
    capped: HashSet<(i64, chrono::NaiveDate)>,
    /// Campaigns already told they wait for a window, and the opening they wait for.
    window_waits: std::collections::HashMap<i64, DateTime<Utc>>,
    /// Late campaigns waiting for the user's go-ahead (catch-up = ask), already logged.
    asked: HashSet<i64>,
    /// Twilio API requests made for status polling (for the benchmark).
    poll_requests: u64,
    /// When TEST mode's simulated replies are next made up.
    next_simulated_replies: Option<DateTime<Utc>>,
}

/// Runs `release` on the engine's shared state when dropped: on every way out of the code
/// that holds it, an error or a panic included (attempts leave the in-flight set, a
/// finished sender leaves the running ones).
struct Release<'a, F: FnMut(&mut Shared)> {
    shared: &'a Mutex<Shared>,
    release: F,
}

impl<F: FnMut(&mut Shared)> Drop for Release<'_, F> {
    fn drop(&mut self) {
        let mut s = self.shared.lock().unwrap_or_else(|e| e.into_inner());
        (self.release)(&mut s);
    }
}

/// Takes `attempts` out of the in-flight set when dropped, so that none stays hidden from
/// the reconciler.
fn in_flight_done(
    shared: &Mutex<Shared>,
    attempts: Vec<i64>,
) -> Release<'_, impl FnMut(&mut Shared)> {
    Release {
        shared,
        release: move |s: &mut Shared| {
            for a in &attempts {
                s.in_flight.remove(a);
            }
        },
    }
}

/// Stops a background task when dropped (a sender's status watcher ends with the sender,
/// on every way out).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A request's outcome on its way to the database, with its place in the backlog.
type Outcome = (SendJob, CreateOutcome, tokio::sync::OwnedSemaphorePermit);

/// How many outcomes may wait to be recorded. Without a bound, sending with no rate limit
/// (TEST mode) outran recording by tens of thousands, each reserved attempt then slowing
/// the search for the next batch: 100,000 TEST messages took 47 s, not 5.
const RECORD_BACKLOG: usize = 2_048;

pub struct Engine {
    store: Store,
    secrets: Arc<dyn SecretStore>,
    /// The Twilio gateway polling and reconciliation reuse (see [`GatewayCache`]).
    gateways: GatewayCache,
    directories: Arc<DirectoryCache>,
    opts: EngineOptions,
    sink: Sink,
    started_at: DateTime<Utc>,
    shared: Mutex<Shared>,
    live_limiter: RateLimiter,
    test_limiter: RateLimiter,
    permits: Arc<Semaphore>,
    results: mpsc::UnboundedSender<Outcome>,
    /// Outcomes not yet recorded may number at most [`RECORD_BACKLOG`].
    backlog: Arc<Semaphore>,
    /// Outcomes handed to the writer, and outcomes it has recorded: equal when it is idle.
    results_sent: std::sync::atomic::AtomicU64,
    results_done: std::sync::atomic::AtomicU64,
    results_rx: tokio::sync::Mutex<Option<mpsc::UnboundedReceiver<Outcome>>>,
}

impl Engine {
    pub fn new(
        store: Store,
        secrets: Arc<dyn SecretStore>,
        directories: Arc<DirectoryCache>,
        opts: EngineOptions,
        sink: Sink,
    ) -> Arc<Engine> {
        let (tx, rx) = mpsc::unbounded_channel();
        let rate = opts.rate_override.unwrap_or(Some(1.0));
        Arc::new(Engine {
            started_at: store.now(),
            store,
            secrets,
            gateways: GatewayCache::default(),
            directories,
            permits: Arc::new(Semaphore::new(opts.max_in_flight.max(1))),
            live_limiter: RateLimiter::new(rate),
            test_limiter: RateLimiter::new(rate),
            opts,
            sink,
            shared: Mutex::default(),
            results: tx,
            backlog: Arc::new(Semaphore::new(RECORD_BACKLOG)),
            results_sent: Default::default(),
            results_done: Default::default(),
            results_rx: tokio::sync::Mutex::new(Some(rx)),
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Status-polling requests made so far.
    pub fn poll_requests(&self) -> u64 {
        self.shared.lock().unwrap().poll_requests
    }

    fn emit(&self, e: EngineEvent) {
        (self.sink)(e);
    }

    /// Runs until `stop` turns true: reconciles every open attempt first, then ticks.
    pub async fn run(self: &Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) -> Result<()> {
        let writer = self.clone();
        let rx = self.results_rx.lock().await.take();
        let writer_task = rx.map(|rx| tokio::spawn(async move { writer.write_results(rx).await }));
        self.reconcile(true).await?;
        loop {
            if *stop.borrow() {
                break;
            }
            if let Err(e) = self.tick().await {
                tracing::error!(error = %e, "the engine's tick failed");
            }
            tokio::select! {
                _ = tokio::time::sleep(self.opts.tick) => {}
                _ = stop.changed() => {}
            }
        }
        // Let requests in flight finish and be recorded before returning, so that no late
        // outcome (a pause, say) lands after the caller thinks the engine has stopped.
        let _ = self
            .permits
            .acquire_many(self.opts.max_in_flight.max(1) as u32)
            .await;
        use std::sync::atomic::Ordering::SeqCst;
        while self.results_done.load(SeqCst) < self.results_sent.load(SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(writer_task);
        Ok(())
    }

    /// Runs until nothing is left to do now: every due campaign has reached Completed,
    /// Paused or Canceled, no attempt is open, and no write-back is due.
    pub async fn run_until_idle(self: &Arc<Self>) -> Result<()> {
        let (tx, rx) = tokio::sync::watch::channel(false);
        let me = self.clone();
        let handle = tokio::spawn(async move { me.run(rx).await });
        loop {
            tokio::time::sleep(self.opts.tick).await;
            if self.is_idle().await? {
                break;
            }
        }
        let _ = tx.send(true);
        handle
            .await
            .map_err(|e| Error::Invalid(format!("the engine stopped abnormally: {e}")))?
    }

    async fn is_idle(&self) -> Result<bool> {
        let now = self.store.now();
        for c in self.store.engine_states().await? {
            let due = c.status == CampaignStatus::Scheduled
                && c.scheduled_at.is_none_or(|t| t <= now)
                && !self.shared.lock().unwrap().asked.contains(&c.id);
            if due || c.status == CampaignStatus::Sending {
                return Ok(false);
            }
        }
        if !self
            .store
            .open_attempts(now + chrono::Duration::days(1), 1)
            .await?
            .is_empty()
        {
            return Ok(false);
        }
        let s = self.shared.lock().unwrap();
        Ok(s.in_flight.is_empty() && s.senders.is_empty())
    }

    /// One round: start due campaigns, keep senders running, reconcile, poll, complete.
    pub async fn tick(self: &Arc<Self>) -> Result<()> {
        let now = self.store.now();
        let settings = self.store.settings().await?;
        // One cheap read of the campaigns' states per tick (no message counts)...
        let mut states = self.store.engine_states().await?;
        let mut moved = false;
        for c in &states {
            if c.status == CampaignStatus::Scheduled && c.scheduled_at.is_none_or(|t| t <= now) {
                moved |= self.start(c.id, c.scheduled_at, &settings).await?;
            }
        }
        self.reconcile(false).await?;
        if moved {
            // ... and another only when starting moved some to Sending (and prepared them).
            states = self.store.engine_states().await?;
        }
        for c in states {
            match c.status {
                CampaignStatus::Sending => {
                    let campaign = self.store.campaign(c.id).await?;
                    if !c.prepared {
                        self.prepare(&campaign, &settings).await?;
                        continue;
                    }
                    let running = self.shared.lock().unwrap().senders.contains(&c.id);
                    self.poll(&campaign).await;
                    if !running {
                        // A sender only when there is something to send, else completion:
                        // one started for nothing would still be starting when completion
                        // is checked, tick after tick, and the campaign would never complete.
                        let state = self.store.sending_state(c.id).await?;
                        if state.sendable {
                            self.ensure_sender(&campaign, &settings).await;
                        } else {
                            self.maybe_complete(&campaign, &settings, &state).await?;
                        }
                    }
                }
                CampaignStatus::Paused | CampaignStatus::Completed | CampaignStatus::Canceled
                    if c.awaiting_status =>
                {
                    // Late statuses and prices keep being polled.
                    let campaign = self.store.campaign(c.id).await?;
                    self.poll(&campaign).await;
                }
                _ => {}
            }
        }
        if let Err(e) = self.simulate_replies(now).await {
            tracing::warn!(error = %e, "TEST mode's simulated replies could not be stored");
        }
        Ok(())
    }

    /// TEST mode: some members of TEST campaigns of the last two days "text back" a while
    /// after their text is delivered (see [`Simulator::reply`]), as often as statuses are
    /// polled. The replies are marked simulated and stored like real ones, once each.
    async fn simulate_replies(&self, now: DateTime<Utc>) -> Result<()> {
        {
            let mut shared = self.shared.lock().unwrap();
            if shared.next_simulated_replies.is_some_and(|t| t > now) {
                return Ok(());
            }
            shared.next_simulated_replies =
                Some(now + chrono::Duration::from_std(self.opts.poll.soon).unwrap_or_default());
        }
        let sim = Simulator {
            time_scale: self.opts.simulator_time_scale,
        };
        let candidates = self
            .store
            .simulated_reply_candidates(
                now - chrono::Duration::days(2),
                simulator::FIRST_ROWS,
                simulator::FIRST_REPLIES.len(),
                Simulator::more_reply_rows,
            )
            .await?;
        let mut campaigns = HashSet::new();
        let replies: Vec<crate::store::InboundReply> = candidates
            .into_iter()
            .filter_map(|m| {
                let first = m.first.map(|k| k as usize);
                let reply = sim.reply(m.twilio_sid.as_deref()?, first, m.segments, m.sent_at?)?;
                (reply.at <= now).then(|| {
                    campaigns.insert(m.campaign_id);
                    crate::store::InboundReply {
                        sid: reply.sid,
                        from_e164: m.to_e164,
                        to_number: simulator::FROM.into(),
                        sender: crate::store::TEST_SENDER.into(),
                        body: reply.body.into(),
                        received_at: reply.at,
                        simulated_for: Some(m.campaign_id),
                    }
                })
            })
            .collect();
        if replies.is_empty() {
            return Ok(());
        }
        let outcome = self.store.record_replies(&replies).await?;
        if outcome.stored > 0 {
            tracing::info!(
                stored = outcome.stored,
                "TEST mode: simulated replies stored"
            );
            for id in campaigns {
                self.emit(EngineEvent::Progress(id));
            }
        }
        Ok(())
    }

    /// Starts a due campaign (or, if its time passed while Herald was closed and staff
    /// want to be asked, waits for them: then false, nothing moved).
    async fn start(
        self: &Arc<Self>,
        id: i64,
        scheduled_at: Option<DateTime<Utc>>,
        settings: &Settings,
    ) -> Result<bool> {
        let late = scheduled_at.filter(|t| *t < self.started_at - chrono::Duration::minutes(1));
        if late.is_none() {
            self.shared.lock().unwrap().asked.remove(&id);
        }
        if late.is_some() && settings.get(crate::settings::SettingKey::CampaignCatchUp) == "ask" {
            let first = self.shared.lock().unwrap().asked.insert(id);
            if first {
                self.store
                    .log_event(
                        id,
                        Actor::Scheduler,
                        "waiting_for_confirmation",
                        Some("its time passed while Herald was closed; start it to send"),
                    )
                    .await?;
            }
            return Ok(false);
        }
        let reason = late.map(|t| {
            format!(
                "started late: Herald was not running at {}",
                t.format("%Y-%m-%d %H:%M UTC")
            )
        });
        match self
            .store
            .transition(
                id,
                CampaignStatus::Sending,
                Actor::Scheduler,
                reason.as_deref(),
            )
            .await
        {
            Ok(c) => {
                self.emit(EngineEvent::Status(id));
                self.prepare(&c, settings).await.map(|()| true)
            }
            Err(Error::Conflict(_)) => Ok(true), // someone else moved it
            Err(e) => Err(e),
        }
    }

    /// Resolves the audience afresh and records every message as Preparing (or Error /
    /// Skipped) in one transaction, before anything is sent.
    async fn prepare(&self, c: &Campaign, settings: &Settings) -> Result<()> {
        if self.store.has_messages(c.id).await? {
            return Ok(()); // already recorded (a restart, or a retry campaign made with its messages)
        }
        let audience = match self.audience(c, settings).await {
            Ok(t) => t,
            Err(e) => {
                let reason = format!("the audience could not be read: {e}");
                self.pause(c.id, &reason).await?;
                return Ok(());
            }
        };
        let to_record = |m: crate::compose::prepare::PreparedMessage| {
            let status_reason = m.reason();
            let time_zone = m.zone_key();
            NewMessage {
                row_index: i64::from(m.row_index),
                imis_id: m.imis_id,
                member_name: m.member_name,
                phone_raw: Some(m.phone_raw),
                to_e164: m.to_e164,
                body: m.body,
                ucs2: m.encoding == crate::compose::segments::Encoding::Ucs2,
                segments: i64::from(m.segments),
                status: m.status,
                status_reason,
                time_zone,
            }
        };
        // Recorded as they are prepared, a few batches in memory at a time, in one
        // transaction: all of them, or none if the preparation fails.
        let (batches, recorder) = tokio::sync::mpsc::channel::<Vec<NewMessage>>(2);
        let preparing = async {
            drafts::prepare_table_in_batches(
                &self.store,
                c,
                settings,
                audience,
                to_record,
                batches,
                |batches, batch| {
                    batches
                        .blocking_send(batch)
                        .map_err(|_| "the messages' recording stopped".to_string())
                },
            )
            .await
            .map(drop) // the channel closes: the recording is complete
        };
        let n = match self
            .store
            .record_as_prepared(c.id, recorder, preparing)
            .await?
        {
            Recorded::Messages(n) => n,
            Recorded::AlreadyRecorded => return Ok(()), // prepared meanwhile
            Recorded::NotPrepared(e) => {
                self.pause(c.id, &format!("the messages could not be prepared: {e}"))
                    .await?;
                return Ok(());
            }
        };
        self.store
            .log_event(
                c.id,
                Actor::Engine,
                "prepared",
                Some(&format!("{n} recipients recorded")),
            )
            .await?;
        self.emit(EngineEvent::Progress(c.id));
        Ok(())
    }

    async fn audience(
        &self,
        c: &Campaign,
        settings: &Settings,
    ) -> Result<crate::compose::audience::Audience> {
        let source = c
            .audience
            .as_ref()
            .ok_or_else(|| Error::Invalid("the campaign has no audience".into()))?;
        if let Some(query) = &source.query {
            let cache = self.directories.clone();
            let secrets = self.secrets.clone();
            let s = settings.clone();
            let directory = tokio::task::spawn_blocking(move || cache.get(&s, secrets.as_ref()))
                .await
                .map_err(|e| Error::Invalid(e.to_string()))??;
            if c.mode == Mode::Live && directory.is_demo() {
                return Err(Error::Conflict(
                    "the demo directory only runs TEST campaigns".into(),
                ));
            }
            let result = directory.run_query(query, &source.params).await?;
            let table = result.to_table();
            table
                .require_columns(&source.id_column, &source.phone_column)
                .map_err(|e| Error::Invalid(format!("the audience {e}")))?;
            return Ok(table.into());
        }
        // A CSV audience is the file as imported into the draft.
        self.store
            .stored_audience(c.id)
            .await?
            .map(|(audience, _)| audience)
            .ok_or_else(|| Error::Invalid("the imported CSV audience is missing".into()))
    }

    async fn pause(&self, id: i64, reason: &str) -> Result<()> {
        tracing::warn!(campaign = id, %reason, "pausing a campaign");
        match self
            .store
            .transition(id, CampaignStatus::Paused, Actor::Engine, Some(reason))
            .await
        {
            Ok(_) | Err(Error::Conflict(_)) | Err(Error::Transition(_)) => {}
            Err(e) => return Err(e),
        }
        self.emit(EngineEvent::Status(id));
        Ok(())
    }

    /// The gateway for polling and reconciling `c`: TEST's simulator, or a Twilio client
    /// reused while the settings stay the same (see [`gateway::GATEWAY_REUSE`]).
    fn gateway(&self, c: &Campaign, settings: &Settings) -> std::result::Result<Gateway, String> {
        if c.mode == Mode::Live && !settings.is_demo() {
            return self
                .gateways
                .live(settings, self.secrets.as_ref(), self.opts.twilio_timeout);
        }
        self.fresh_gateway(c, settings)
    }

    /// A gateway made now from the settings and the keychain (also kept for polling).
    fn fresh_gateway(
        &self,
        c: &Campaign,
        settings: &Settings,
    ) -> std::result::Result<Gateway, String> {
        match c.mode {
            Mode::Test => Ok(Gateway::Simulated(Simulator {
                time_scale: self.opts.simulator_time_scale,
            })),
            Mode::Live => {
                if settings.is_demo() {
                    return Err("the demo workspace only runs TEST campaigns".into());
                }
                self.gateways
                    .fresh(settings, self.secrets.as_ref(), self.opts.twilio_timeout)
            }
        }
    }

    async fn ensure_sender(self: &Arc<Self>, c: &Campaign, settings: &Settings) {
        if !self.shared.lock().unwrap().senders.insert(c.id) {
            return;
        }
        let gateway = match self.fresh_gateway(c, settings) {
            Ok(g) => g,
            Err(reason) => {
                self.shared.lock().unwrap().senders.remove(&c.id);
                let _ = self.pause(c.id, &reason).await;
                return;
            }
        };
        let limiter_rate = self
            .opts
            .rate_override
            .unwrap_or(Some(settings.rate_per_second()));
        let me = self.clone();
        let (id, mode) = (c.id, c.mode);
        tokio::spawn(async move {
            // However the sender ends (a panic included), the campaign may get another.
            let _done = Release {
                shared: &me.shared,
                release: |s: &mut Shared| {
                    s.senders.remove(&id);
                },
            };
            let limiter = match mode {
                Mode::Live => &me.live_limiter,
                Mode::Test => &me.test_limiter,
            };
            limiter.set_rate(limiter_rate).await;
            if let Err(e) = me.send_campaign(id, mode, gateway, limiter).await {
                tracing::error!(campaign = id, error = %e, "sending stopped");
            }
        });
    }

    async fn still_sending(&self, id: i64) -> Result<bool> {
        Ok(self.store.campaign(id).await?.status == CampaignStatus::Sending)
    }

    /// Sends a campaign's messages until none is left, it stops being Sending, or the
    /// cap waits for tomorrow. A reserver begins attempts a batch ahead (one disk sync per
    /// batch) so that the sender never waits on the database between sends.
    async fn send_campaign(
        self: &Arc<Self>,
        id: i64,
        mode: Mode,
        gateway: Gateway,
        limiter: &RateLimiter,
    ) -> Result<()> {
        let batch = limiter.batch_size().await;
        let (tx, mut rx) = mpsc::channel::<SendJob>(batch as usize);
        let reserver = {
            let me = self.clone();
            tokio::spawn(async move { me.reserve(id, mode, batch, tx).await })
        };
        // The campaign's status is watched beside the sender, so that no database read
        // sits between a rate slot and its request (a delay there would crowd sends
        // together at Twilio's end). A pause or cancel is seen within about 100 ms.
        let halted = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let watcher = {
            let (me, halted) = (self.clone(), halted.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let go_on = me.still_sending(id).await.unwrap_or_else(|e| {
                        // Stop rather than send blind; the next tick starts a sender again.
                        tracing::warn!(campaign = id, error = %e, "could not read the campaign's status; sending stops for now");
                        false
                    });
                    if !go_on {
                        halted.store(true, std::sync::atomic::Ordering::SeqCst);
                        return;
                    }
                }
            })
        };
        let _stop_watching = AbortOnDrop(watcher);
        let mut stopped = false;
        while let Some(job) = rx.recv().await {
            if stopped {
                self.release(vec![job]).await?;
                continue;
            }
            // Sending never runs further ahead of recording than RECORD_BACKLOG outcomes:
            // the slot travels with the outcome and is freed once it is recorded.
            let slot = self
                .backlog
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            let permit = self
                .permits
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            limiter.acquire(job.segments as u32).await;
            if halted.load(std::sync::atomic::Ordering::SeqCst) {
                // Paused or canceled: nothing new starts; what was reserved never left.
                stopped = true;
                rx.close();
                self.release(vec![job]).await?;
                continue;
            }
            self.results_sent
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let (gateway, results, now) = (gateway.clone(), self.results.clone(), self.store.now());
            tokio::spawn(async move {
                let outcome = gateway
                    .create(job.message_id, job.attempt_id, &job.to_e164, &job.body, now)
                    .await;
                let _ = results.send((job, outcome, slot));
                drop(permit);
            });
        }
        reserver
            .await
            .map_err(|e| Error::Invalid(format!("the reserver stopped abnormally: {e}")))?
    }

    /// Begins attempts batch by batch and hands them to the sender. Every reserved
    /// attempt is marked in flight at once, so the reconciler leaves it alone.
    async fn reserve(
        self: Arc<Self>,
        id: i64,
        mode: Mode,
        batch: u32,
        tx: mpsc::Sender<SendJob>,
    ) -> Result<()> {
        let mut pending: Option<(PendingByZone, std::time::Instant)> = None;
        loop {
            if tx.is_closed() || !self.still_sending(id).await? {
                return Ok(());
            }
            let settings = self.store.settings().await?;
            let now = self.store.now();
            // Only recipients whose sending window is open now; the others wait without
            // holding the rate or the cap.
            let window = self.window_of(id, &settings).await?;
            let (open, waits) = match window.enabled {
                true => {
                    // The zones of what is left change only as it is sent: counted afresh
                    // when nothing could be sent, or every half minute.
                    if pending
                        .as_ref()
                        .is_none_or(|(_, at): &(_, std::time::Instant)| {
                            at.elapsed() > Duration::from_secs(30)
                        })
                    {
                        pending = Some((
                            self.store.pending_by_zone(id).await?,
                            std::time::Instant::now(),
                        ));
                    }
                    let pending = &pending.as_ref().expect("counted").0;
                    let (open, waits) =
                        crate::window::split_open(&window, pending, settings.fallback_zone(), now);
                    (Some(open), waits)
                }
                false => (None, Vec::new()),
            };
            let (jobs, capped) = match &open {
                Some(open) if open.is_empty() => (Vec::new(), false),
                _ => {
                    self.store
                        .begin_attempts_in(
                            id,
                            batch,
                            settings.cap_day(now),
                            settings.send_limits(mode).daily_cap,
                            open.as_deref(),
                            &settings.opt_out_sender(),
                        )
                        .await?
                }
            };
            {
                let mut s = self.shared.lock().unwrap();
                s.in_flight.extend(jobs.iter().map(|j| j.attempt_id));
            }
            if jobs.is_empty() {
                if capped {
                    self.note_cap(id, now, &settings).await?;
                    tokio::time::sleep(self.opts.tick.max(Duration::from_millis(200))).await;
                    continue;
                }
                if let Some(first) = waits.first() {
                    pending = None;
                    self.note_window_wait(id, first).await?;
                    tokio::time::sleep(self.opts.tick.max(Duration::from_millis(200))).await;
                    continue;
                }
                return Ok(()); // nothing sendable now (done, or waiting for reconciliation)
            }
            self.shared.lock().unwrap().window_waits.remove(&id);
            let mut jobs = jobs.into_iter();
            while let Some(job) = jobs.next() {
                if let Err(mpsc::error::SendError(job)) = tx.send(job).await {
                    self.release(std::iter::once(job).chain(jobs).collect())
                        .await?;
                    return Ok(());
                }
            }
        }
    }

    /// Closes attempts that were reserved but never sent. They leave the in-flight set even
    /// when that cannot be recorded: the reconciler then closes them (they are open).
    async fn release(&self, jobs: Vec<SendJob>) -> Result<()> {
        let ids: Vec<i64> = jobs.iter().map(|j| j.attempt_id).collect();
        let _done = in_flight_done(&self.shared, ids);
        let unsent: Vec<(SendJob, AttemptResult)> = jobs
            .into_iter()
            .map(|j| {
                (
                    j,
                    AttemptResult::NotSent {
                        reconciled: false,
                        detail: "the campaign stopped before this was sent".into(),
                    },
                )
            })
            .collect();
        self.store.finish_attempts(&unsent).await
    }

    /// The campaign's sending window (the Settings' one for a campaign scheduled before
    /// campaigns had their own).
    async fn window_of(
        &self,
        id: i64,
        settings: &Settings,
    ) -> Result<crate::window::SendingWindow> {
        let c = self.store.campaign(id).await?;
        Ok(crate::drafts::campaign_window(&c, settings))
    }

    /// Logs, once per wait, that nothing can be sent before a window opens.
    async fn note_window_wait(&self, id: i64, first: &crate::window::WindowWait) -> Result<()> {
        let first_time = self
            .shared
            .lock()
            .unwrap()
            .window_waits
            .insert(id, first.opens_at)
            != Some(first.opens_at);
        if first_time {
            let words = crate::window::wait_in_words(first);
            tracing::info!(campaign = id, "{words}");
            self.store
                .log_event(id, Actor::Engine, "window_wait", Some(&words))
                .await?;
            self.emit(EngineEvent::Progress(id));
        }
        Ok(())
    }

    async fn note_cap(&self, id: i64, now: DateTime<Utc>, settings: &Settings) -> Result<()> {
        let first = self
            .shared
            .lock()
            .unwrap()
            .capped
            .insert((id, settings.cap_day(now)));
        if first {
            let zone = settings.cap_zone();
            let words = if zone == chrono_tz::Tz::UTC {
                "the daily segment cap is reached; sending continues after 00:00 UTC".to_string()
            } else {
                format!(
                    "the daily segment cap is reached; sending continues after midnight in {}",
                    zone.name()
                )
            };
            self.store
                .log_event(id, Actor::Engine, "daily_cap", Some(&words))
                .await?;
            self.emit(EngineEvent::Progress(id));
        }
        Ok(())
    }

    /// Records results in batches (one transaction each) and acts on them.
    async fn write_results(self: Arc<Self>, mut rx: mpsc::UnboundedReceiver<Outcome>) {
        let mut buf = Vec::new();
        loop {
            let Some(first) = rx.recv().await else { return };
            buf.push(first);
            while buf.len() < 512 {
                match rx.try_recv() {
                    Ok(r) => buf.push(r),
                    Err(_) => break,
                }
            }
            let n = buf.len() as u64;
            let (batch, slots): (Vec<_>, Vec<_>) = buf
                .drain(..)
                .map(|(job, outcome, slot)| ((job, outcome), slot))
                .unzip();
            if let Err(e) = self.record(batch).await {
                tracing::error!(error = %e, "could not record send results");
            }
            drop(slots);
            self.results_done
                .fetch_add(n, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    async fn record(&self, batch: Vec<(SendJob, CreateOutcome)>) -> Result<()> {
        let mut finished: Vec<(SendJob, AttemptResult)> = Vec::with_capacity(batch.len());
        let mut pauses: Vec<(i64, String)> = Vec::new();
        let mut opted_out: Vec<(i64, i64, String)> = Vec::new();
        // However this ends, these attempts are no longer in flight: one left open (an
        // ambiguous send, or a result that could not be written) is the reconciler's.
        let done = in_flight_done(
            &self.shared,
            batch.iter().map(|(job, _)| job.attempt_id).collect(),
        );
        let mut progressed: HashSet<i64> = HashSet::new();
        for (job, outcome) in batch {
            progressed.insert(job.campaign_id);
            let limiter = &self.live_limiter;
            let result = match outcome {
                CreateOutcome::Accepted(resource) => {
                    limiter.succeeded().await;
                    self.shared
                        .lock()
                        .unwrap()
                        .failures
                        .remove(&job.campaign_id);
                    AttemptResult::Accepted {
                        resource,
                        reconciled: false,
                    }
                }
                CreateOutcome::Rejected { code, message, .. } => {
                    tracing::info!(campaign = job.campaign_id, code, twilio_message = %message, "Twilio refused a message");
                    match codes::verdict(code) {
                        Verdict::InvalidNumber => AttemptResult::Rejected {
                            status: MessageStatus::Error,
                            code,
                            reason: codes::explain(code).into(),
                        },
                        Verdict::OptedOut => {
                            opted_out.push((job.campaign_id, job.message_id, job.to_e164.clone()));
                            AttemptResult::Rejected {
                                status: MessageStatus::Failed,
                                code,
                                reason: codes::explain(code).into(),
                            }
                        }
                        Verdict::NotAccepted => {
                            limiter.back_off(None, Duration::from_secs(30)).await;
                            AttemptResult::NotSent {
                                reconciled: false,
                                detail: codes::explain(code).into(),
                            }
                        }
                        Verdict::PauseCampaign => {
                            pauses.push((
                                job.campaign_id,
                                format!("Twilio error {code}: {}", codes::explain(code)),
                            ));
                            AttemptResult::NotSent {
                                reconciled: false,
                                detail: codes::explain(code).into(),
                            }
                        }
                        Verdict::Failed => {
                            let n = self.count_failure(job.campaign_id);
                            if n >= self.opts.failure_limit {
                                pauses.push((job.campaign_id, format!("{n} messages in a row were refused by Twilio; the last: {}", codes::explain(code))));
                            }
                            AttemptResult::Rejected {
                                status: MessageStatus::Failed,
                                code,
                                reason: codes::explain(code).into(),
                            }
                        }
                    }
                }
                CreateOutcome::NotAccepted { code, retry_after } => {
                    limiter
                        .back_off(
                            retry_after,
                            if code == 21611 {
                                Duration::from_secs(30)
                            } else {
                                Duration::ZERO
                            },
                        )
                        .await;
                    AttemptResult::NotSent {
                        reconciled: false,
                        detail: codes::explain(code).into(),
                    }
                }
                CreateOutcome::Unreachable { detail } => {
                    tracing::warn!(%detail, "Twilio is unreachable");
                    limiter.back_off(None, Duration::from_secs(1)).await;
                    let n = self.count_failure(job.campaign_id);
                    if n >= self.opts.failure_limit {
                        pauses.push((
                            job.campaign_id,
                            "Herald cannot reach Twilio; check the network, then resume".into(),
                        ));
                    }
                    AttemptResult::NotSent {
                        reconciled: false,
                        detail,
                    }
                }
                CreateOutcome::Ambiguous { detail } => {
                    // Leave the attempt open: it is looked up at Twilio before any retry.
                    tracing::warn!(message = job.message_id, %detail, "a send's outcome is unknown; it will be checked with Twilio");
                    continue;
                }
            };
            finished.push((job, result));
        }
        self.store.finish_attempts(&finished).await?;
        drop(done);
        let sender = if opted_out.is_empty() {
            String::new()
        } else {
            // The list of the sender the texts left from (Twilio keeps one per sender).
            self.store.settings().await?.opt_out_sender()
        };
        for (campaign_id, message_id, to) in opted_out {
            // A TEST campaign's simulated refusals never touch the real opt-out list.
            if self.store.campaign(campaign_id).await?.mode != Mode::Live {
                continue;
            }
            self.store
                .add_opt_out(crate::store::NewOptOut {
                    sender: &sender,
                    phone_e164: &to,
                    source: crate::store::OptOutSource::TwilioStop,
                    campaign_id: Some(campaign_id),
                    reply_id: None,
                    note: Some("Twilio error 21610"),
                    at: self.store.now(),
                })
                .await?;
            self.store
                .enqueue_writeback_kind(message_id, WriteBackKind::Unsubscribe)
                .await?;
        }
        let mut paused = HashSet::new();
        for (id, reason) in pauses {
            if paused.insert(id) {
                self.pause(id, &reason).await?;
            }
        }
        for id in progressed {
            self.emit(EngineEvent::Progress(id));
        }
        Ok(())
    }

    fn count_failure(&self, campaign_id: i64) -> u32 {
        let mut s = self.shared.lock().unwrap();
        let n = s.failures.entry(campaign_id).or_default();
        *n += 1;
        *n
    }

    /// Test texts whose answer was lost (a timeout, a crash) are looked up like attempts.
    async fn reconcile_test_texts(&self, all: bool) -> Result<()> {
        if self.store.open_test_texts().await?.is_empty() {
            return Ok(());
        }
        let settings = self.store.settings().await?;
        // Twilio not configured: they stay open until it is.
        if let Ok(gateway) =
            self.gateways
                .live(&settings, self.secrets.as_ref(), self.opts.twilio_timeout)
        {
            // A text younger than a request's timeout may still be in flight (a send from
            // the window or herald-cli right now): only older ones are looked up.
            let in_flight = match &gateway {
                Gateway::Twilio(c) => c.config().timeout,
                Gateway::Simulated(_) => Duration::ZERO,
            };
            let older_than = if all {
                in_flight
            } else {
                self.opts.reconcile_after.max(in_flight)
            };
            crate::test_text::reconcile(&self.store, &gateway, older_than).await?;
        }
        Ok(())
    }

    /// Resolves open attempts that are not in flight here: with Twilio (LIVE) or as not
    /// sent (TEST). `all`: at start-up, every one of them, before anything new is sent.
    async fn reconcile(&self, all: bool) -> Result<()> {
        let now = self.store.now();
        let before = if all {
            now + chrono::Duration::days(1)
        } else {
            now - chrono::Duration::from_std(self.opts.reconcile_after).unwrap_or_default()
        };
        self.reconcile_test_texts(all).await?;
        let open: Vec<OpenAttempt> = self.store.open_attempts(before, 500).await?;
        if open.is_empty() {
            return Ok(());
        }
        let settings = self.store.settings().await?;
        let mut gateways: HashMap<i64, Option<Gateway>> = HashMap::new();
        let mut checks = Vec::new();
        for a in open {
            if self
                .shared
                .lock()
                .unwrap()
                .in_flight
                .contains(&a.attempt_id)
            {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = gateways.entry(a.campaign_id) {
                let c = self.store.campaign(a.campaign_id).await?;
                slot.insert(self.gateway(&c, &settings).ok());
            }
            // Twilio not configured: the attempt stays open until it is.
            if let Some(gateway) = gateways.get(&a.campaign_id).cloned().flatten() {
                checks.push((a, gateway));
            }
        }
        // A few lookups at once, and results recorded as they come, so that a crash
        // during a long reconciliation does not lose the work already done.
        let mut lookups = futures_util::stream::iter(checks)
            .map(|(a, gateway)| async move {
                let found = gateway
                    .find(
                        &a.to_e164,
                        &a.body,
                        a.started_at - chrono::Duration::minutes(2),
                    )
                    .await;
                (a, found)
            })
            .buffer_unordered(8)
            .chunks(16);
        while let Some(chunk) = lookups.next().await {
            let mut results = Vec::with_capacity(chunk.len());
            for (a, found) in chunk {
                let job = SendJob {
                    attempt_id: a.attempt_id,
                    message_id: a.message_id,
                    campaign_id: a.campaign_id,
                    to_e164: a.to_e164.clone(),
                    body: a.body.clone(),
                    segments: 0,
                };
                match found {
                    Ok(Some(resource)) => {
                        tracing::info!(message = a.message_id, sid = %resource.sid, "an ambiguous send had reached Twilio");
                        results.push((
                            job,
                            AttemptResult::Accepted {
                                resource,
                                reconciled: true,
                            },
                        ));
                    }
                    Ok(None) => results.push((
                        job,
                        AttemptResult::NotSent {
                            reconciled: true,
                            detail: "Twilio has no such message".into(),
                        },
                    )),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not check an ambiguous send with Twilio; will try again")
                    }
                }
            }
            let campaigns: HashSet<i64> = results.iter().map(|(j, _)| j.campaign_id).collect();
            self.store.finish_attempts(&results).await?;
            for c in campaigns {
                self.emit(EngineEvent::Progress(c));
            }
        }
        Ok(())
    }

    async fn poll(&self, c: &Campaign) {
        let now = self.store.now();
        let due = self
            .shared
            .lock()
            .unwrap()
            .next_poll
            .get(&c.id)
            .is_none_or(|t| *t <= now);
        if !due {
            return;
        }
        let horizon = now - chrono::Duration::hours(crate::store::POLL_HORIZON_HOURS);
        let unsettled = match self.store.unsettled_messages(c.id, horizon).await {
            Ok(u) => u,
            Err(e) => return tracing::warn!(error = %e, "could not read messages to poll"),
        };
        let last_sent = unsettled.iter().map(|u| u.sent_at).max();
        let next = |after: Duration| now + chrono::Duration::from_std(after).unwrap_or_default();
        let Some(last_sent) = last_sent else {
            self.shared
                .lock()
                .unwrap()
                .next_poll
                .insert(c.id, next(self.opts.poll.later));
            return;
        };
        let settings = match self.store.settings().await {
            Ok(s) => s,
            Err(_) => return,
        };
        let Ok(gateway) = self.gateway(c, &settings) else {
            return;
        };
        match gateway
            .poll(&unsettled, now, self.opts.straggler_limit)
            .await
        {
            Ok((updates, requests)) => {
                self.shared.lock().unwrap().poll_requests += u64::from(requests);
                match self.store.apply_statuses(c.id, &updates).await {
                    Ok(n) if n > 0 => self.emit(EngineEvent::Progress(c.id)),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "could not record statuses"),
                }
            }
            Err(e) => {
                tracing::warn!(campaign = c.id, error = %e, "status polling failed; will try again")
            }
        }
        let age = (now - last_sent).to_std().unwrap_or_default();
        let interval = if age < Duration::from_secs(300) {
            self.opts.poll.soon
        } else if age < Duration::from_secs(3600) {
            self.opts.poll.later
        } else {
            self.opts.poll.slow
        };
        self.shared
            .lock()
            .unwrap()
            .next_poll
            .insert(c.id, next(interval));
    }

    /// Completes `c` (no sender running, nothing left to send: `state`) once nothing is
    /// in flight and its statuses are final or the settle window has passed.
    async fn maybe_complete(
        &self,
        c: &Campaign,
        settings: &Settings,
        state: &SendingState,
    ) -> Result<()> {
        if state.open_attempts > 0 {
            return Ok(());
        }
        let now = self.store.now();
        let settled = state.unsettled == 0
            || state
                .last_sent_at
                .is_some_and(|t| now - t >= chrono::Duration::minutes(settings.settle_minutes()));
        if !settled {
            return Ok(());
        }
        let detail = if state.unsettled == 0 {
            "every message has a final status".to_string()
        } else {
            format!(
                "{} statuses still pending after the settle window; they keep being polled",
                state.unsettled
            )
        };
        match self
            .store
            .transition(
                c.id,
                CampaignStatus::Completed,
                Actor::Engine,
                Some(&detail),
            )
            .await
        {
            Ok(_) => {
                if let Some(to) = c.report_email.as_deref().filter(|t| !t.is_empty()) {
                    self.store.enqueue_report(c.id, "completed", to).await?;
                }
                self.emit(EngineEvent::Status(c.id));
            }
            Err(Error::Conflict(_)) | Err(Error::Transition(_)) => {}
            Err(e) => return Err(e),
        }
        Ok(())
    }
}

/// Pauses a sending campaign (in-flight requests finish, nothing new starts).
pub async fn pause(store: &Store, id: i64, actor: Actor) -> Result<Campaign> {
    store
        .transition(
            id,
            CampaignStatus::Paused,
            actor,
            Some("paused by the user"),
        )
        .await
}

/// Resumes a paused campaign.
pub async fn resume(store: &Store, id: i64, actor: Actor) -> Result<Campaign> {
    store
        .transition(id, CampaignStatus::Sending, actor, None)
        .await
}

/// Cancels a scheduled, sending or paused campaign: unsent messages become Canceled; what
/// was sent stays tracked.
pub async fn cancel(store: &Store, id: i64, actor: Actor) -> Result<Campaign> {
    let c = store
        .transition(id, CampaignStatus::Canceled, actor, None)
        .await?;
    store.cancel_unsent(id).await?;
    Ok(c)
}
