//! Where texts go: Twilio (LIVE) or the simulator (TEST).

use super::simulator::Simulator;
use crate::secrets::{SecretName, SecretStore};
use crate::settings::{SenderType, SettingKey, Settings};
use crate::store::{StatusUpdate, Unsettled};
use crate::twilio::client::ListFilter;
use crate::twilio::{
    CreateOutcome, Credentials, MessageResource, Sender, TwilioClient, TwilioConfig, TwilioError,
};
use chrono::{DateTime, Utc};
use std::collections::HashSet;
use std::sync::Arc;

#[derive(Clone)]
pub enum Gateway {
    Twilio(Arc<TwilioClient>),
    Simulated(Simulator),
}

/// How long a kept Twilio gateway is reused before the keychain is read again (a secret
/// changed by another process, `herald-cli secrets set` say, is picked up within this).
pub const GATEWAY_REUSE: std::time::Duration = std::time::Duration::from_secs(60);

/// A Twilio gateway kept for as long as the settings it was made from stay the same (and
/// at most [`GATEWAY_REUSE`]): polling and reconciliation then neither read the keychain
/// (a blocking call) nor open new connections each time.
#[derive(Default)]
pub struct GatewayCache {
    kept: std::sync::Mutex<Option<Kept>>,
}

struct Kept {
    fingerprint: String,
    made: std::time::Instant,
    gateway: Gateway,
}

impl GatewayCache {
    /// The kept gateway if it was made from these settings, else a new one (kept).
    pub fn live(
        &self,
        settings: &Settings,
        secrets: &dyn SecretStore,
        timeout: Option<std::time::Duration>,
    ) -> Result<Gateway, String> {
        let fingerprint = fingerprint(settings, timeout);
        if let Some(k) = self.kept.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            if k.fingerprint == fingerprint && k.made.elapsed() < GATEWAY_REUSE {
                return Ok(k.gateway.clone());
            }
        }
        self.fresh(settings, secrets, timeout)
    }

    /// A gateway made now from the settings and the keychain, kept for the next callers
    /// (a sender starts with one, so that a changed secret is used at once).
    pub fn fresh(
        &self,
        settings: &Settings,
        secrets: &dyn SecretStore,
        timeout: Option<std::time::Duration>,
    ) -> Result<Gateway, String> {
        let gateway = Gateway::live(settings, secrets, timeout)?;
        *self.kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(Kept {
            fingerprint: fingerprint(settings, timeout),
            made: std::time::Instant::now(),
            gateway: gateway.clone(),
        });
        Ok(gateway)
    }
}

/// The settings a Twilio gateway is made from (not the secret, which stays in the keychain).
fn fingerprint(settings: &Settings, timeout: Option<std::time::Duration>) -> String {
    use SettingKey::*;
    let mut parts = [
        TwilioBaseUrl,
        TwilioAccountSid,
        TwilioApiKeySid,
        TwilioFrom,
        TwilioMessagingServiceSid,
        TwilioSenderType,
    ]
    .map(|k| settings.get(k))
    .to_vec();
    parts.push(format!("{timeout:?}"));
    parts.join("\u{1f}")
}

impl Gateway {
    /// The Twilio gateway the settings and the keychain describe, or why there is none.
    pub fn live(
        settings: &Settings,
        secrets: &dyn SecretStore,
        timeout: Option<std::time::Duration>,
    ) -> Result<Gateway, String> {
        let account_sid = settings.get(SettingKey::TwilioAccountSid);
        if account_sid.is_empty() {
            return Err("Twilio is not set up: add the Account SID in Settings → Twilio".into());
        }
        let api_key_sid = Some(settings.get(SettingKey::TwilioApiKeySid)).filter(|s| !s.is_empty());
        let secret_name = if api_key_sid.is_some() {
            SecretName::TwilioApiKeySecret
        } else {
            SecretName::TwilioAuthToken
        };
        let secret = secrets
            .get(secret_name)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "Twilio is not set up: store the {} in Settings → Twilio",
                    match secret_name {
                        SecretName::TwilioApiKeySecret => "API key secret",
                        _ => "Auth Token",
                    }
                )
            })?;
        let sender = settings.sender().ok_or_else(|| {
            if settings.sender_type() == SenderType::MessagingService {
                "Twilio is not set up: add the Messaging Service SID in Settings → Twilio"
                    .to_string()
            } else {
                "Twilio is not set up: add the sender (From) number in Settings → Twilio"
                    .to_string()
            }
        })?;
        let mut cfg = TwilioConfig::new(
            &settings.get(SettingKey::TwilioBaseUrl),
            Credentials {
                account_sid,
                api_key_sid,
                secret,
            },
            sender,
        );
        if let Some(t) = timeout {
            cfg.timeout = t;
        }
        TwilioClient::new(cfg)
            .map(|c| Gateway::Twilio(Arc::new(c)))
            .map_err(|e| e.to_string())
    }

    pub async fn create(
        &self,
        message_id: i64,
        attempt_id: i64,
        to: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> CreateOutcome {
        match self {
            Gateway::Twilio(c) => c.create_message(to, body).await,
            Gateway::Simulated(s) => s.create(message_id, attempt_id, to, body, now),
        }
    }

    /// After an ambiguous create: the message Twilio holds for this number and body,
    /// created since `since`, if any. The simulator keeps nothing, so a TEST message
    /// whose outcome was lost is simply sent again (no text ever leaves in TEST).
    pub async fn find(
        &self,
        to: &str,
        body: &str,
        since: DateTime<Utc>,
    ) -> Result<Option<Box<MessageResource>>, TwilioError> {
        let Gateway::Twilio(c) = self else {
            return Ok(None);
        };
        let filter = ListFilter {
            to: Some(to.to_string()),
            page_size: 100,
            max_pages: 3,
            ..Default::default()
        };
        let (messages, _) = c.list_messages(&filter).await?;
        Ok(messages
            .into_iter()
            .find(|m| {
                m.body.as_deref() == Some(body)
                    && m.date_created.is_none_or(|d| d >= since)
                    && !matches!(m.status.as_deref(), Some("received" | "receiving"))
            })
            .map(Box::new))
    }

    /// Current statuses of `unsettled` messages, and the API requests it took. LIVE: the
    /// list endpoint filtered by sender and day (1,000 per page), then single fetches for
    /// the few the list did not show.
    pub async fn poll(
        &self,
        unsettled: &[Unsettled],
        now: DateTime<Utc>,
        straggler_limit: usize,
    ) -> Result<(Vec<StatusUpdate>, u32), TwilioError> {
        match self {
            Gateway::Simulated(s) => Ok((
                unsettled
                    .iter()
                    .map(|u| s.status(&u.sid, u.segments, u.sent_at, now))
                    .collect(),
                0,
            )),
            Gateway::Twilio(c) => {
                let Some(first) = unsettled.iter().map(|u| u.sent_at).min() else {
                    return Ok((vec![], 0));
                };
                let from = match &c.config().sender {
                    Sender::From(f) => Some(f.clone()),
                    Sender::MessagingService(_) => None,
                };
                let filter = ListFilter {
                    from,
                    date_sent_from: Some(first.date_naive()),
                    page_size: 1000,
                    max_pages: 1000,
                    ..Default::default()
                };
                let (listed, mut requests) = c.list_messages(&filter).await?;
                let wanted: HashSet<&str> = unsettled.iter().map(|u| u.sid.as_str()).collect();
                let mut updates: Vec<StatusUpdate> = listed
                    .iter()
                    .filter(|m| wanted.contains(m.sid.as_str()))
                    .map(StatusUpdate::from)
                    .collect();
                let seen: HashSet<String> = updates.iter().map(|u| u.sid.clone()).collect();
                // Stragglers: not in the list (not sent yet, so no date_sent), and old
                // enough to be worth a request of their own.
                let stragglers = unsettled
                    .iter()
                    .filter(|u| {
                        !seen.contains(&u.sid) && now - u.sent_at > chrono::Duration::seconds(60)
                    })
                    .take(straggler_limit);
                for u in stragglers {
                    requests += 1;
                    if let Some(m) = c.fetch_message(&u.sid).await? {
                        updates.push(StatusUpdate::from(&m));
                    }
                }
                Ok((updates, requests))
            }
        }
    }
}

/// "Test connection" for Twilio: fetches the account with the configured credentials (a
/// real, harmless call). Returns the account's name and status, or the problem in words.
pub async fn check_twilio(
    settings: &Settings,
    secrets: &dyn SecretStore,
) -> Result<String, String> {
    match Gateway::live(settings, secrets, Some(std::time::Duration::from_secs(15)))? {
        Gateway::Twilio(c) => c.check().await.map_err(|e| e.to_string()),
        Gateway::Simulated(_) => Err("TEST mode has no Twilio connection".into()),
    }
}
