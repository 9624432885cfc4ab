//! Replies and opt-outs. Herald has no public address for Twilio's webhooks, so it polls
//! the Messages list for inbound messages to its sender, stores each once, and acts on
//! what it means (see [`classify`] and [`crate::store::Store::record_replies`]).

pub mod classify;
pub mod list_csv;

pub use classify::{classify, ReplyKind};

use crate::engine::gateway::GatewayCache;
use crate::settings::Settings;
use crate::store::{InboundReply, ReplyOutcome, Store};
use crate::twilio::client::ListFilter;
use crate::twilio::{Sender, TwilioClient, TwilioError};
use chrono::{DateTime, Duration as Days, Utc};
use serde::Serialize;
use specta::Type;
use std::sync::Arc;
use std::time::Duration;

/// How far back the first poll reads.
pub const FIRST_SYNC_DAYS: i64 = 7;
/// How often replies are read while a LIVE campaign of the last 7 days is sending (or
/// waiting for its last statuses), and otherwise.
pub const BUSY_INTERVAL: Duration = Duration::from_secs(60);
pub const QUIET_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// What one poll did.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct SyncReport {
    /// The number or Messaging Service whose replies were read.
    pub sender: String,
    /// From this UTC day on.
    pub since: String,
    /// Requests made to Twilio.
    pub requests: u32,
    /// Inbound messages Twilio listed (stored before or not).
    pub listed: u32,
    #[serde(flatten)]
    pub outcome: ReplyOutcome,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("replies could not be read from Twilio: {0}")]
    Twilio(#[from] TwilioError),
    #[error(transparent)]
    Store(#[from] crate::Error),
}

/// The day a poll starts reading from: the day before the last complete read (Twilio's
/// date filter is by day, and a reply can be stored late), or [`FIRST_SYNC_DAYS`] back.
pub fn since_day(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> chrono::NaiveDate {
    match last {
        Some(t) => (t - Days::days(1)).date_naive(),
        None => (now - Days::days(FIRST_SYNC_DAYS)).date_naive(),
    }
}

/// Reads the replies to the client's sender since the last read and stores them.
pub async fn sync(store: &Store, client: &TwilioClient) -> Result<SyncReport, SyncError> {
    let started = store.now();
    let sender = match &client.config().sender {
        Sender::From(f) => f.clone(),
        Sender::MessagingService(s) => s.clone(),
    };
    let since = since_day(store.reply_sync_point(&sender).await?, started);
    // A number: the list filtered on To. A Messaging Service: every number of its pool,
    // so the list without To, kept to the service's messages.
    let filter = ListFilter {
        to: match &client.config().sender {
            Sender::From(f) => Some(f.clone()),
            Sender::MessagingService(_) => None,
        },
        date_sent_from: Some(since),
        page_size: 1000,
        max_pages: 10_000,
        ..Default::default()
    };
    let (listed, requests) = client.list_messages(&filter).await?;
    let replies: Vec<InboundReply> = listed
        .into_iter()
        .filter(|m| m.direction.as_deref() == Some("inbound"))
        .filter(|m| match &client.config().sender {
            Sender::From(_) => true,
            Sender::MessagingService(s) => m.messaging_service_sid.as_deref() == Some(s),
        })
        .filter_map(|m| {
            Some(InboundReply {
                from_e164: m.from.filter(|f| !f.is_empty())?,
                to_number: m.to.unwrap_or_default(),
                sender: sender.clone(),
                body: m.body.unwrap_or_default(),
                received_at: m.date_sent.or(m.date_created).unwrap_or(started),
                sid: m.sid,
                simulated_for: None,
            })
        })
        .collect();
    let n = replies.len() as u32;
    let mut outcome = ReplyOutcome::default();
    for chunk in replies.chunks(500) {
        let o = store.record_replies(chunk).await?;
        outcome.stored += o.stored;
        outcome.known += o.known;
        outcome.opted_out += o.opted_out;
        outcome.opted_in += o.opted_in;
        outcome.to_confirm += o.to_confirm;
        outcome.writebacks += o.writebacks;
    }
    store.set_reply_sync_point(&sender, started).await?;
    if outcome.stored > 0 {
        tracing::info!(
            stored = outcome.stored,
            opted_out = outcome.opted_out,
            opted_in = outcome.opted_in,
            "replies read from Twilio"
        );
    }
    Ok(SyncReport {
        sender,
        since: since.format("%Y-%m-%d").to_string(),
        requests,
        listed: n,
        outcome,
    })
}

/// Whether replies are read every minute rather than every 15: a LIVE campaign of the
/// last 7 days is sending or waiting for its last statuses.
pub async fn busy(store: &Store) -> crate::Result<bool> {
    store.live_sending_since(store.now() - Days::days(7)).await
}

/// The Twilio client for reading replies, or why there is none (TEST-only set-ups
/// have nothing to read).
fn client_for(
    settings: &Settings,
    secrets: &dyn crate::secrets::SecretStore,
    gateways: &GatewayCache,
) -> Result<Arc<TwilioClient>, String> {
    match gateways.live(settings, secrets, None)? {
        crate::engine::gateway::Gateway::Twilio(c) => Ok(c),
        crate::engine::gateway::Gateway::Simulated(_) => Err("Twilio is not set up".into()),
    }
}

/// Reads replies in the background until `stop`: every minute while busy, every 15
/// minutes otherwise, at once when `now` is notified ("Check for replies"), and backing
/// off after failures (a 429 included). Nothing is read while Twilio is not set up.
pub async fn run_poller(
    store: Store,
    secrets: Arc<dyn crate::secrets::SecretStore>,
    now: Arc<tokio::sync::Notify>,
    intervals: (Duration, Duration),
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let (busy_every, quiet_every) = intervals;
    let mut failures = 0u32;
    // One client for poll after poll: the keychain is read once a minute at most.
    let gateways = GatewayCache::default();
    loop {
        if *stop.borrow() {
            return;
        }
        let wait = match poll_with(&store, secrets.as_ref(), &gateways).await {
            Ok(Some(_)) => {
                failures = 0;
                match busy(&store).await {
                    Ok(true) => busy_every,
                    _ => quiet_every,
                }
            }
            Ok(None) => quiet_every,
            Err(e) => {
                failures += 1;
                tracing::warn!(error = %e, failures, "replies could not be read; trying again later");
                crate::backoff::jittered(busy_every, failures.min(6), quiet_every)
            }
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = now.notified() => {}
            _ = stop.changed() => {}
        }
    }
}

/// One poll, if Twilio is set up (`None` if not).
pub async fn poll_once(
    store: &Store,
    secrets: &dyn crate::secrets::SecretStore,
) -> Result<Option<SyncReport>, SyncError> {
    poll_with(store, secrets, &GatewayCache::default()).await
}

/// [`poll_once`] with a client kept from earlier polls while the settings stay the same.
pub async fn poll_with(
    store: &Store,
    secrets: &dyn crate::secrets::SecretStore,
    gateways: &GatewayCache,
) -> Result<Option<SyncReport>, SyncError> {
    let settings = store.settings().await?;
    if settings.sender().is_none()
        || settings
            .get(crate::settings::SettingKey::TwilioAccountSid)
            .is_empty()
    {
        return Ok(None);
    }
    let client = match client_for(&settings, secrets, gateways) {
        Ok(c) => c,
        Err(why) => {
            tracing::debug!(%why, "replies are not read");
            return Ok(None);
        }
    };
    sync(store, &client).await.map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn polls_reread_the_day_before_the_last_read() {
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 0, 30, 0).unwrap();
        assert_eq!(since_day(None, now).to_string(), "2026-11-29");
        let last = Utc.with_ymd_and_hms(2026, 12, 6, 0, 10, 0).unwrap();
        assert_eq!(since_day(Some(last), now).to_string(), "2026-12-05");
    }
}
