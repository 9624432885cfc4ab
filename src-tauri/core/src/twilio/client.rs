//! The Twilio REST client: create, fetch and list Messages. Creating is never retried
//! here: the engine decides, because a create has no idempotency key and a blind retry
//! can text someone twice.

use super::resource::{MessagePage, MessageResource};
use crate::secrets::Sensitive;
use chrono::NaiveDate;
use reqwest::StatusCode;
use serde::Deserialize;
use std::time::Duration;

/// Who Herald authenticates as: the Account SID always names the account; the password
/// is the Auth Token, or an API Key SID and its secret.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub account_sid: String,
    /// `Some(SK…)` to authenticate with an API key instead of the Auth Token.
    pub api_key_sid: Option<String>,
    pub secret: Sensitive,
}

/// Where texts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sender {
    From(String),
    MessagingService(String),
}

#[derive(Debug, Clone)]
pub struct TwilioConfig {
    pub base_url: String,
    pub credentials: Credentials,
    pub sender: Sender,
    /// Per request.
    pub timeout: Duration,
    /// Tries for reads (fetch, list); creates are tried once.
    pub read_attempts: u32,
}

impl TwilioConfig {
    pub fn new(base_url: &str, credentials: Credentials, sender: Sender) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            credentials,
            sender,
            timeout: Duration::from_secs(15),
            read_attempts: 3,
        }
    }
}

/// What became of a create. Only `Accepted` and `Rejected` are definite about the
/// message; `NotAccepted` and `Unreachable` are definite that none was created;
/// `Ambiguous` means it may exist and must be looked for before any retry.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome {
    Accepted(Box<MessageResource>),
    Rejected {
        code: i64,
        message: String,
        status: u16,
    },
    NotAccepted {
        code: i64,
        retry_after: Option<Duration>,
    },
    Unreachable {
        detail: String,
    },
    Ambiguous {
        detail: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TwilioError {
    #[error("Twilio refused Herald's credentials (code {code}); check the Account SID and the Auth Token or API key in Settings → Twilio")]
    Auth { code: i64 },
    #[error("Twilio answered HTTP {status}, code {code}: {message}")]
    Api {
        status: u16,
        code: i64,
        message: String,
    },
    #[error("Herald could not reach Twilio ({0}); check the network")]
    Unreachable(String),
    #[error("Twilio did not answer within {0} seconds")]
    Timeout(u64),
    #[error("Twilio sent a response Herald could not read ({0})")]
    BadResponse(String),
    #[error("the security certificate of the Twilio server could not be verified ({0})")]
    Certificate(String),
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

/// Filters of the list endpoint.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub to: Option<String>,
    pub from: Option<String>,
    /// `DateSent>=` (GMT day, inclusive).
    pub date_sent_from: Option<NaiveDate>,
    pub page_size: u32,
    /// Stop after this many pages (Prism's next page never ends).
    pub max_pages: u32,
}

pub struct TwilioClient {
    http: reqwest::Client,
    cfg: TwilioConfig,
}

impl std::fmt::Debug for TwilioClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioClient")
            .field("base_url", &self.cfg.base_url)
            .field("account_sid", &self.cfg.credentials.account_sid)
            .finish_non_exhaustive()
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}

impl TwilioClient {
    pub fn new(cfg: TwilioConfig) -> Result<Self, TwilioError> {
        crate::imis::client::install_crypto_provider();
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .pool_max_idle_per_host(64)
            .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| TwilioError::BadResponse(format!("the HTTP client failed: {e}")))?;
        Ok(Self { http, cfg })
    }

    pub fn config(&self) -> &TwilioConfig {
        &self.cfg
    }

    fn auth_user(&self) -> &str {
        let c = &self.cfg.credentials;
        c.api_key_sid.as_deref().unwrap_or(&c.account_sid)
    }

    fn messages_url(&self) -> String {
        format!(
            "{}/2010-04-01/Accounts/{}/Messages.json",
            self.cfg.base_url, self.cfg.credentials.account_sid
        )
    }

    /// Creates (sends) one message. Tried exactly once.
    pub async fn create_message(&self, to: &str, body: &str) -> CreateOutcome {
        let mut form: Vec<(&str, &str)> = vec![("To", to), ("Body", body)];
        match &self.cfg.sender {
            Sender::From(f) => form.push(("From", f)),
            Sender::MessagingService(s) => form.push(("MessagingServiceSid", s)),
        }
        let sent = self
            .http
            .post(self.messages_url())
            .basic_auth(self.auth_user(), Some(self.cfg.credentials.secret.expose()))
            .form(&form)
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => {
                let detail = chain(&e);
                // A connection that never opened carried nothing: definitely not sent.
                return if e.is_connect() {
                    CreateOutcome::Unreachable { detail }
                } else {
                    CreateOutcome::Ambiguous { detail }
                };
            }
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<f64>().ok())
            .map(|s| Duration::from_secs_f64(s.clamp(0.0, 300.0)));
        let bytes = match response.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return if status.is_client_error() && status != StatusCode::TOO_MANY_REQUESTS {
                    CreateOutcome::Rejected {
                        code: 0,
                        message: format!("HTTP {status} with an unreadable body"),
                        status: status.as_u16(),
                    }
                } else {
                    CreateOutcome::Ambiguous {
                        detail: format!("the answer was cut off: {}", chain(&e)),
                    }
                }
            }
        };
        if status.is_success() {
            return match serde_json::from_slice::<MessageResource>(&bytes) {
                Ok(m) => CreateOutcome::Accepted(Box::new(m)),
                Err(e) => CreateOutcome::Ambiguous {
                    detail: format!(
                        "Twilio accepted the request but its answer was unreadable ({e})"
                    ),
                },
            };
        }
        let body: Option<ErrorBody> = serde_json::from_slice(&bytes).ok();
        let code = body.as_ref().and_then(|b| b.code).unwrap_or(0);
        let message = body
            .and_then(|b| b.message)
            .unwrap_or_else(|| format!("HTTP {status}"));
        if status == StatusCode::TOO_MANY_REQUESTS || code == 20429 || code == 21611 {
            return CreateOutcome::NotAccepted {
                code: if code == 0 { 20429 } else { code },
                retry_after,
            };
        }
        if status.is_server_error() {
            return CreateOutcome::Ambiguous {
                detail: format!("Twilio answered HTTP {status}"),
            };
        }
        CreateOutcome::Rejected {
            code,
            message,
            status: status.as_u16(),
        }
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        query: &[(String, String)],
    ) -> Result<Option<T>, TwilioError> {
        let mut tries = 0;
        loop {
            tries += 1;
            let sent = self
                .http
                .get(url)
                .basic_auth(self.auth_user(), Some(self.cfg.credentials.secret.expose()))
                .query(query)
                .send()
                .await;
            let retry = |e: TwilioError| -> Result<(), TwilioError> {
                if tries >= self.cfg.read_attempts {
                    Err(e)
                } else {
                    Ok(())
                }
            };
            match sent {
                Err(e) => {
                    let text = chain(&e);
                    if text.to_lowercase().contains("certificate") {
                        return Err(TwilioError::Certificate(text));
                    }
                    let err = if e.is_timeout() {
                        TwilioError::Timeout(self.cfg.timeout.as_secs())
                    } else {
                        TwilioError::Unreachable(text)
                    };
                    retry(err)?;
                }
                Ok(r) if r.status() == StatusCode::NOT_FOUND => return Ok(None),
                Ok(r) if r.status().is_success() => match r.json::<T>().await {
                    Ok(v) => return Ok(Some(v)),
                    Err(e) => retry(TwilioError::BadResponse(e.to_string()))?,
                },
                Ok(r) => {
                    let status = r.status();
                    let body: Option<ErrorBody> = r.json().await.ok();
                    let code = body.as_ref().and_then(|b| b.code).unwrap_or(0);
                    let message = body
                        .and_then(|b| b.message)
                        .unwrap_or_else(|| format!("HTTP {status}"));
                    if status == StatusCode::UNAUTHORIZED || code == 20003 {
                        return Err(TwilioError::Auth { code });
                    }
                    let err = TwilioError::Api {
                        status: status.as_u16(),
                        code,
                        message,
                    };
                    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
                        retry(err)?;
                    } else {
                        return Err(err);
                    }
                }
            }
            tokio::time::sleep(crate::backoff::jittered(
                Duration::from_millis(200),
                tries.min(5),
                Duration::from_millis(6_400),
            ))
            .await;
        }
    }

    /// One message by SID (`None` if Twilio does not know it).
    pub async fn fetch_message(&self, sid: &str) -> Result<Option<MessageResource>, TwilioError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}/Messages/{sid}.json",
            self.cfg.base_url, self.cfg.credentials.account_sid
        );
        self.get_json(&url, &[]).await
    }

    /// Lists messages, following `next_page_uri` until it is null (or `max_pages`).
    /// Returns the messages and the number of requests made.
    pub async fn list_messages(
        &self,
        filter: &ListFilter,
    ) -> Result<(Vec<MessageResource>, u32), TwilioError> {
        let mut query: Vec<(String, String)> = vec![(
            "PageSize".into(),
            filter.page_size.clamp(1, 1000).to_string(),
        )];
        if let Some(to) = &filter.to {
            query.push(("To".into(), to.clone()));
        }
        if let Some(from) = &filter.from {
            query.push(("From".into(), from.clone()));
        }
        if let Some(day) = filter.date_sent_from {
            query.push(("DateSent>".into(), day.format("%Y-%m-%d").to_string()));
        }
        let mut out = Vec::new();
        let mut requests = 0;
        let mut url = self.messages_url();
        let max_pages = filter.max_pages.max(1);
        loop {
            requests += 1;
            let page: MessagePage = self.get_json(&url, &query).await?.unwrap_or(MessagePage {
                messages: vec![],
                next_page_uri: None,
            });
            out.extend(page.messages);
            match page.next_page_uri {
                Some(next) if !next.is_empty() && requests < max_pages => {
                    // The next page's URI is relative and carries every filter.
                    url = format!("{}{}", self.cfg.base_url, next);
                    query.clear();
                }
                _ => return Ok((out, requests)),
            }
        }
    }

    /// The cheapest harmless call for "Test connection": fetch the account.
    pub async fn check(&self) -> Result<String, TwilioError> {
        let url = format!(
            "{}/2010-04-01/Accounts/{}.json",
            self.cfg.base_url, self.cfg.credentials.account_sid
        );
        #[derive(Deserialize)]
        struct Account {
            #[serde(default)]
            friendly_name: Option<String>,
            #[serde(default)]
            status: Option<String>,
        }
        let a: Account = self.get_json(&url, &[]).await?.ok_or(TwilioError::Api {
            status: 404,
            code: 20404,
            message: "the account was not found".into(),
        })?;
        Ok(format!(
            "{} ({})",
            a.friendly_name.unwrap_or_else(|| "Twilio account".into()),
            a.status.unwrap_or_else(|| "unknown status".into())
        ))
    }
}
