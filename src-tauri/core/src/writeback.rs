//! The write-back worker: drains the durable queue into iMIS, independently of sending
//! (an iMIS outage never slows or stops the texts), retrying with backoff for hours, and
//! never writing a record twice: a try that may have reached iMIS is looked up before
//! the next POST.

use crate::error::Result;
use crate::imis::{Directory, ImisError, WriteBackRecord, TEXTMSG, TEXTUNSUB, TEXTUNSUB_A};
use crate::settings::{SettingKey, Settings};
use crate::store::{Store, WriteBackJob, WriteBackKind};
use chrono::Utc;
use futures_util::{stream, StreamExt};
use serde::Serialize;
use specta::Type;
use std::time::Duration;

/// How hard the worker tries.
#[derive(Debug, Clone, Copy)]
pub struct WriteBackPolicy {
    /// The wait after the first failure; it doubles up to `max_delay`.
    pub first_delay: Duration,
    pub max_delay: Duration,
    /// A write-back still failing this long after it was queued gives up.
    pub give_up_after: Duration,
    /// Write-backs claimed at a time.
    pub batch: u32,
    /// Posts in flight at once.
    pub concurrency: usize,
}

impl Default for WriteBackPolicy {
    fn default() -> Self {
        Self {
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(30 * 60),
            give_up_after: Duration::from_secs(24 * 3600),
            batch: 50,
            concurrency: 4,
        }
    }
}

impl WriteBackPolicy {
    fn delay(&self, attempts: i64) -> Duration {
        let retry = (attempts.max(1) - 1).min(20) as u32;
        crate::backoff::jittered(self.first_delay, retry, self.max_delay)
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type)]
pub struct DrainReport {
    pub done: u32,
    pub retrying: u32,
    pub failed: u32,
}

enum Outcome {
    Done(String),
    Retry { reason: String, uncertain: bool },
    Fail(String),
}

/// One pass over the due write-backs.
pub async fn drain_once(
    store: &Store,
    directory: &Directory,
    settings: &Settings,
    policy: &WriteBackPolicy,
) -> Result<DrainReport> {
    let jobs = store.claim_writebacks(policy.batch).await?;
    let ceu = settings.get(SettingKey::ImisCeuTypeColumn);
    let outcomes: Vec<(WriteBackJob, Outcome)> = stream::iter(jobs)
        .map(|job| async {
            let outcome = write_one(&job, directory, &ceu).await;
            (job, outcome)
        })
        .buffer_unordered(policy.concurrency.max(1))
        .collect()
        .await;
    let mut report = DrainReport::default();
    // Write-backs given up in this pass, per campaign: one line each in the history.
    let mut gave_up: std::collections::BTreeMap<i64, u32> = Default::default();
    for (job, outcome) in outcomes {
        match outcome {
            Outcome::Done(key) => {
                store.finish_writeback(job.id, &key).await?;
                report.done += 1;
            }
            Outcome::Fail(reason) => {
                tracing::warn!(message = job.message_id, %reason, "a write-back failed for good");
                store.fail_writeback(job.id, &reason).await?;
                report.failed += 1;
                *gave_up.entry(job.campaign_id).or_default() += 1;
            }
            Outcome::Retry { reason, uncertain } => {
                let age = store.now() - job.created_at;
                if age.to_std().unwrap_or_default() >= policy.give_up_after {
                    let reason = format!("gave up after {} tries: {reason}", job.attempts);
                    store.fail_writeback(job.id, &reason).await?;
                    report.failed += 1;
                    *gave_up.entry(job.campaign_id).or_default() += 1;
                } else {
                    let next = store.now()
                        + chrono::Duration::from_std(policy.delay(job.attempts))
                            .unwrap_or_else(|_| chrono::Duration::minutes(30));
                    tracing::info!(message = job.message_id, attempts = job.attempts, %reason, "a write-back will be retried");
                    store
                        .retry_writeback_at(job.id, &reason, next, uncertain)
                        .await?;
                    report.retrying += 1;
                }
            }
        }
    }
    for (campaign_id, n) in gave_up {
        let detail = if n == 1 {
            "1 text could not be recorded in iMIS; see the dashboard's write-back failures"
                .to_string()
        } else {
            format!(
                "{n} texts could not be recorded in iMIS; see the dashboard's write-back failures"
            )
        };
        store
            .log_event(
                campaign_id,
                crate::campaign::Actor::Engine,
                crate::notices::WRITEBACK_GAVE_UP,
                Some(&detail),
            )
            .await?;
    }
    Ok(report)
}

async fn write_one(job: &WriteBackJob, directory: &Directory, ceu: &str) -> Outcome {
    let client = match directory {
        Directory::Remote(c) => c,
        Directory::Demo(_) => {
            return Outcome::Retry {
                reason: "no iMIS connection is configured (the demo directory writes nothing)"
                    .into(),
                uncertain: false,
            }
        }
    };
    let Some(party_id) = job.imis_id.clone().filter(|s| !s.trim().is_empty()) else {
        return Outcome::Fail("the recipient has no iMIS ID".into());
    };
    let record = WriteBackRecord {
        party_id,
        activity_type: match job.kind {
            WriteBackKind::Unsubscribe => TEXTUNSUB.into(),
            WriteBackKind::Resubscribe => TEXTUNSUB_A.into(),
            _ => TEXTMSG.into(),
        },
        // A reply's record is dated by the reply (UTC), a text's by its sending.
        sent_at: job
            .reply_at
            .or(job.sent_at)
            .unwrap_or_else(Utc::now)
            .naive_utc(),
        to: job.to_e164.clone().unwrap_or_default(),
        note: match (job.kind, &job.reply_body) {
            (WriteBackKind::Unsubscribe | WriteBackKind::Resubscribe, Some(reply)) => reply.clone(),
            (WriteBackKind::Unsubscribe, None) => {
                "Opted out of text messages (replied STOP)".into()
            }
            (WriteBackKind::Resubscribe, None) => "Opted back in to text messages".into(),
            _ => job.body.clone(),
        },
        ceu_column: ceu.to_string(),
    };
    let comm_log = job.kind == WriteBackKind::CommunicationLog;
    if job.uncertain {
        let found = if comm_log {
            client.find_communication_log(&record).await
        } else {
            client.find_activity(&record).await
        };
        match found {
            Ok(Some(key)) => {
                tracing::info!(
                    message = job.message_id,
                    "an uncertain write-back was already in iMIS"
                );
                return Outcome::Done(key);
            }
            Ok(None) => {}
            Err(e) => return classify(e, true),
        }
    }
    let posted = if comm_log {
        client.post_communication_log(&record).await
    } else {
        client.post_activity(&record).await
    };
    match posted {
        Ok(key) => Outcome::Done(key),
        Err(e) => classify(e, false),
    }
}

fn classify(e: ImisError, was_uncertain_lookup: bool) -> Outcome {
    match e {
        ImisError::Ambiguous { .. } => Outcome::Retry {
            reason: e.to_string(),
            uncertain: true,
        },
        ImisError::Rejected { status, .. } if (400..500).contains(&status) && status != 408 => {
            Outcome::Fail(e.to_string())
        }
        // Transient, or fixable by the user (password, rights, settings): keep trying.
        e => Outcome::Retry {
            reason: e.to_string(),
            uncertain: was_uncertain_lookup,
        },
    }
}

/// Drains the queue until nothing is due (for `herald-cli writeback drain` and tests).
pub async fn drain_until_idle(
    store: &Store,
    directory: &Directory,
    settings: &Settings,
    policy: &WriteBackPolicy,
) -> Result<DrainReport> {
    let mut total = DrainReport::default();
    loop {
        let r = drain_once(store, directory, settings, policy).await?;
        total.done += r.done;
        total.retrying += r.retrying;
        total.failed += r.failed;
        if r == DrainReport::default() {
            return Ok(total);
        }
    }
}

/// The worker as a long-running task: recovers what a crash left in flight, then drains
/// whatever is due, sleeping until the next write-back is due (at most `idle`), until
/// `stop` turns true. The directory (and the keychain behind it) is only asked for when
/// something is due.
pub async fn run_worker(
    store: Store,
    cache: std::sync::Arc<crate::imis::DirectoryCache>,
    secrets: std::sync::Arc<dyn crate::secrets::SecretStore>,
    policy: WriteBackPolicy,
    idle: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    match store.recover_writebacks().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(n, "write-backs left in flight will be checked against iMIS"),
        Err(e) => tracing::error!(error = %e, "could not recover write-backs"),
    }
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match pass(&store, &cache, &secrets, &policy).await {
            Ok(Some(r)) if r.done + r.failed + r.retrying > 0 => Duration::ZERO,
            Ok(_) => match store.next_writeback_due().await {
                Ok(Some(due)) => (due - store.now())
                    .to_std()
                    .unwrap_or_default()
                    .clamp(Duration::from_millis(200), idle),
                _ => idle,
            },
            Err(e) => {
                tracing::warn!(error = %e, "the write-back worker could not run");
                idle
            }
        };
        if wait > Duration::ZERO {
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stop.changed() => {}
            }
        }
    }
}

async fn pass(
    store: &Store,
    cache: &std::sync::Arc<crate::imis::DirectoryCache>,
    secrets: &std::sync::Arc<dyn crate::secrets::SecretStore>,
    policy: &WriteBackPolicy,
) -> Result<Option<DrainReport>> {
    match store.next_writeback_due().await? {
        Some(due) if due <= store.now() => {}
        _ => return Ok(None),
    }
    let settings = store.settings().await?;
    let (cache, secrets, s2) = (cache.clone(), secrets.clone(), settings.clone());
    let directory = tokio::task::spawn_blocking(move || cache.get(&s2, secrets.as_ref()))
        .await
        .map_err(|e| crate::Error::Invalid(format!("the keychain call failed: {e}")))??;
    drain_once(store, &directory, &settings, policy)
        .await
        .map(Some)
}
