//! The iMIS REST client: one shared token, bounded retries with backoff and jitter, the
//! two query dialects, concurrent paging, browsing and write-backs.

use super::error::ImisError;
use super::value::{iso, Value};
use super::wire::{self, Page};
use super::{QueryColumn, QueryEntry, QueryEntryKind, QueryInfo, QueryParameter, QueryResult};
use crate::secrets::Sensitive;
use chrono::NaiveDateTime;
use futures_util::{stream, StreamExt};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// How many rows a page asks for: the most iMIS serves.
pub const PAGE_SIZE: u64 = 500;

/// Bounded retries: `attempts` tries in all, waiting `base`, `2·base`, `4·base`… (capped
/// at `max`, with jitter) between them.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub attempts: u32,
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            base: Duration::from_millis(500),
            max: Duration::from_secs(8),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `n` (0-based): exponential, capped, with jitter in
    /// [½·d, d] so clients that failed together do not retry together.
    pub fn delay(&self, n: u32) -> Duration {
        crate::backoff::jittered(self.base, n, self.max)
    }
}

/// What the client needs to talk to one iMIS site.
#[derive(Debug, Clone)]
pub struct ImisConfig {
    /// The site root, with any virtual directory.
    pub base_url: String,
    pub username: String,
    pub password: Sensitive,
    /// Per request.
    pub timeout: Duration,
    pub page_size: u64,
    /// How many pages are fetched at once after the first; 1 fetches them in turn.
    pub page_concurrency: usize,
    pub retry: RetryPolicy,
}

impl ImisConfig {
    pub fn new(base_url: &str, username: &str, password: Sensitive) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            username: username.to_string(),
            password,
            timeout: Duration::from_secs(30),
            page_size: PAGE_SIZE,
            page_concurrency: 6,
            retry: RetryPolicy::default(),
        }
    }
}

/// Which query endpoint the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `/api/query`, named parameters (iMIS EMS 20.3.77 and later).
    Query,
    /// `/api/iqa`, positional parameters (iMIS 2017 and older EMS).
    Iqa,
}

struct TokenSlot {
    token: Option<Arc<Sensitive>>,
    renew_at: Instant,
    /// Bumped at each login, so a request that got a 401 with an old token can tell
    /// whether someone already logged in again.
    generation: u64,
}

/// Whether a request may be repeated blindly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    /// Reads: safe to retry on any transient failure.
    Read,
    /// Creates: a timeout or a server error after the request left may mean the record
    /// exists; the caller must look before trying again.
    Write,
}

/// An Activity (or Communication Log entry) to record for one sent text.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteBackRecord {
    /// The member's iMIS ID.
    pub party_id: String,
    pub activity_type: String,
    /// When the text was sent, UTC (iMIS stores naive date-times).
    pub sent_at: NaiveDateTime,
    /// The To number (E.164).
    pub to: String,
    /// The text sent.
    pub note: String,
    /// The physical column TEXTMSG labels "CEU Type" (default CATEGORY).
    pub ceu_column: String,
}

/// The value Herald writes in the CEU Type column.
pub const CEU_VALUE: &str = "Text Manager";

/// The iMIS client. Cheap to share: one per configured site, behind an `Arc`.
pub struct ImisClient {
    http: reqwest::Client,
    cfg: ImisConfig,
    host: String,
    token: Mutex<TokenSlot>,
    dialect: StdMutex<Option<Dialect>>,
    logins: AtomicU64,
}

impl std::fmt::Debug for ImisClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImisClient")
            .field("base_url", &self.cfg.base_url)
            .field("username", &self.cfg.username)
            .finish_non_exhaustive()
    }
}

/// Installs the one TLS crypto provider Herald builds with (ring), once per process.
pub(crate) fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The failure of one try, before it is known whether another try follows.
enum Failure {
    Status(StatusCode, String),
    Unauthorized,
    Transport(reqwest::Error),
    Body(String),
}

/// An iMIS entity Herald writes back to, and how it names it in errors.
struct EntityKind {
    path: &'static str,
    /// Its key property.
    key: &'static str,
    /// "the Activity", for messages.
    what: &'static str,
    /// "the member's Activities", for messages about the list.
    listing: &'static str,
    /// Why a 404 on its endpoint means this iMIS cannot take it.
    missing: &'static str,
}

/// An entity's properties, read by name (case-insensitively).
struct Properties(wire::Row);

impl Properties {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

const ACTIVITY: EntityKind = EntityKind {
    path: "api/Activity",
    key: "SEQN",
    what: "the Activity",
    listing: "the member's Activities",
    missing: "this iMIS has no Activity endpoint",
};

const COMMUNICATION_LOG: EntityKind = EntityKind {
    path: "api/CommunicationLogRecipient",
    key: "CommunicationLogRecipientKey",
    what: "the Communication Log entry",
    listing: "the Communication Log",
    missing: "this iMIS has no Communication Log (it is in iMIS EMS only)",
};

impl ImisClient {
    pub fn new(cfg: ImisConfig) -> Result<Self, ImisError> {
        install_crypto_provider();
        let url = reqwest::Url::parse(&cfg.base_url).map_err(|e| {
            ImisError::NotConfigured(format!(
                "the iMIS address '{}' is not a web address ({e})",
                cfg.base_url
            ))
        })?;
        let host = url.host_str().unwrap_or("").to_string();
        let http = reqwest::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("Herald/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ImisError::NotConfigured(format!("the HTTP client failed: {e}")))?;
        Ok(Self {
            http,
            cfg,
            host,
            token: Mutex::new(TokenSlot {
                token: None,
                renew_at: Instant::now(),
                generation: 0,
            }),
            dialect: StdMutex::new(None),
            logins: AtomicU64::new(0),
        })
    }

    pub fn config(&self) -> &ImisConfig {
        &self.cfg
    }

    /// How many times this client has logged in (for tests and the log).
    pub fn logins(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// The query dialect learned so far.
    pub fn dialect(&self) -> Option<Dialect> {
        *self.dialect.lock().expect("dialect lock")
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}", self.cfg.base_url, path.trim_start_matches('/'))
    }

    // ---- Token ------------------------------------------------------------------------

    /// The current token, logging in if there is none or it is about to expire. The lock
    /// is held across the login, so concurrent requests never log in twice.
    async fn bearer(&self) -> Result<(Arc<Sensitive>, u64), ImisError> {
        let mut slot = self.token.lock().await;
        if let Some(t) = &slot.token {
            if Instant::now() < slot.renew_at {
                return Ok((t.clone(), slot.generation));
            }
        }
        self.login(&mut slot).await?;
        Ok((slot.token.clone().expect("just logged in"), slot.generation))
    }

    /// After a 401 with the token of `generation`: log in again unless another request
    /// already did.
    async fn relogin(&self, generation: u64) -> Result<(), ImisError> {
        let mut slot = self.token.lock().await;
        if slot.generation == generation {
            self.login(&mut slot).await?;
        }
        Ok(())
    }

    async fn login(&self, slot: &mut TokenSlot) -> Result<(), ImisError> {
        slot.token = None;
        let form = [
            ("grant_type", "password"),
            ("username", self.cfg.username.as_str()),
            ("password", self.cfg.password.expose()),
        ];
        let mut tries = 0;
        let response = loop {
            let result = self.http.post(self.url("token")).form(&form).send().await;
            let failure = match result {
                Ok(r) if r.status().is_success() => break r,
                Ok(r)
                    if r.status() == StatusCode::BAD_REQUEST
                        || r.status() == StatusCode::UNAUTHORIZED =>
                {
                    let body = r.text().await.unwrap_or_default();
                    tracing::warn!(server_message = %server_message(&body), "iMIS refused the login");
                    return Err(ImisError::WrongCredentials);
                }
                Ok(r) => {
                    let status = r.status();
                    let body = r.text().await.unwrap_or_default();
                    Failure::Status(status, body)
                }
                Err(e) => Failure::Transport(e),
            };
            tries += 1;
            self.retry_or_fail(failure, Call::Read, tries, "the login")
                .await?;
        };
        let body: Json = response.json().await.map_err(|e| {
            ImisError::BadResponse(format!(
                "the login answer was not JSON: {}",
                short(&e.to_string())
            ))
        })?;
        let token = body
            .get("access_token")
            .and_then(Json::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ImisError::BadResponse("the login answer had no access token".into()))?;
        let expires_in = body
            .get("expires_in")
            .and_then(Json::as_u64)
            .unwrap_or(1199);
        // Renew a minute early (or at half-life for very short tokens).
        let margin = 60.min(expires_in / 2);
        slot.token = Some(Arc::new(Sensitive::new(token)));
        slot.renew_at = Instant::now() + Duration::from_secs(expires_in - margin);
        slot.generation += 1;
        self.logins.fetch_add(1, Ordering::Relaxed);
        tracing::info!(user = %self.cfg.username, expires_in, "logged in to iMIS");
        Ok(())
    }

    // ---- Requests ---------------------------------------------------------------------

    /// Waits before the next try, or turns the failure into the error to report.
    async fn retry_or_fail(
        &self,
        failure: Failure,
        call: Call,
        tries: u32,
        what: &str,
    ) -> Result<(), ImisError> {
        let (retryable, error, wait) = match failure {
            Failure::Unauthorized => (
                false,
                ImisError::Denied {
                    what: what.to_string(),
                },
                None,
            ),
            Failure::Status(status, body) => {
                let message = server_message(&body);
                tracing::warn!(status = status.as_u16(), server_message = %message, "iMIS answered {what} with an error");
                match status.as_u16() {
                    429 => (true, ImisError::RateLimited, None),
                    503 => (true, ImisError::ServerDown { status: 503 }, None),
                    500 | 502 | 504 if call == Call::Write => {
                        return Err(ImisError::Ambiguous {
                            detail: format!("iMIS answered HTTP {status} to {what}"),
                        })
                    }
                    s @ (500 | 502 | 504) => (true, ImisError::ServerDown { status: s }, None),
                    403 => (
                        false,
                        ImisError::Denied {
                            what: what.to_string(),
                        },
                        None,
                    ),
                    s => (
                        false,
                        ImisError::Rejected {
                            status: s,
                            message: if message.is_empty() {
                                "no reason given".into()
                            } else {
                                message
                            },
                        },
                        None,
                    ),
                }
            }
            Failure::Body(detail) if call == Call::Write => {
                return Err(ImisError::Ambiguous { detail });
            }
            Failure::Body(detail) => (true, ImisError::BadResponse(detail), None),
            Failure::Transport(e) => {
                let chain = error_chain(&e);
                tracing::warn!(error = %chain, "iMIS request for {what} failed");
                if let Some(detail) = certificate_problem(&chain) {
                    return Err(ImisError::Certificate {
                        host: self.host.clone(),
                        detail,
                    });
                }
                if e.is_connect() {
                    (
                        true,
                        ImisError::Unreachable {
                            host: self.host.clone(),
                            reason: connect_reason(&chain),
                        },
                        None,
                    )
                } else if call == Call::Write {
                    return Err(ImisError::Ambiguous {
                        detail: if e.is_timeout() {
                            format!(
                                "no answer to {what} within {} s",
                                self.cfg.timeout.as_secs()
                            )
                        } else {
                            format!("the connection ended during {what}")
                        },
                    });
                } else if e.is_timeout() {
                    (
                        true,
                        ImisError::Timeout {
                            seconds: self.cfg.timeout.as_secs(),
                        },
                        None,
                    )
                } else {
                    (
                        true,
                        ImisError::BadResponse(format!("the connection ended during {what}")),
                        None::<Duration>,
                    )
                }
            }
        };
        if !retryable || tries >= self.cfg.retry.attempts {
            return Err(error);
        }
        tokio::time::sleep(wait.unwrap_or_else(|| self.cfg.retry.delay(tries - 1))).await;
        Ok(())
    }

    /// One API call with the shared token: retried on transient failures, re-logged in
    /// once on a 401. `Ok(None)` is a 404.
    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&Json>,
        call: Call,
        what: &str,
    ) -> Result<Option<Json>, ImisError> {
        let mut tries = 0;
        let mut relogged = false;
        loop {
            let (token, generation) = self.bearer().await?;
            let mut request = self
                .http
                .request(method.clone(), self.url(path))
                .query(query)
                .bearer_auth(token.expose())
                .header("Accept", "application/json");
            if let Some(b) = body {
                request = request.json(b);
            }
            let failure = match request.send().await {
                Ok(r) if r.status() == StatusCode::UNAUTHORIZED => {
                    if relogged {
                        Failure::Unauthorized
                    } else {
                        relogged = true;
                        self.relogin(generation).await?;
                        continue;
                    }
                }
                Ok(r) if r.status() == StatusCode::NOT_FOUND => return Ok(None),
                Ok(r) if r.status().is_success() => match r.bytes().await {
                    Ok(bytes) if bytes.is_empty() => return Ok(Some(Json::Null)),
                    Ok(bytes) => match serde_json::from_slice::<Json>(&bytes) {
                        Ok(json) => return Ok(Some(json)),
                        Err(e) => Failure::Body(format!(
                            "the answer to {what} was not valid JSON ({})",
                            short(&e.to_string())
                        )),
                    },
                    Err(e) => {
                        if call == Call::Write {
                            Failure::Body(format!("the answer to {what} was cut off"))
                        } else {
                            Failure::Transport(e)
                        }
                    }
                },
                Ok(r) => {
                    let status = r.status();
                    let retry_after = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok());
                    let text = r.text().await.unwrap_or_default();
                    if let (Some(secs), true) =
                        (retry_after, status == StatusCode::TOO_MANY_REQUESTS)
                    {
                        tries += 1;
                        if tries >= self.cfg.retry.attempts {
                            return Err(ImisError::RateLimited);
                        }
                        tokio::time::sleep(Duration::from_secs(secs.min(30))).await;
                        continue;
                    }
                    Failure::Status(status, text)
                }
                Err(e) => Failure::Transport(e),
            };
            tries += 1;
            self.retry_or_fail(failure, call, tries, what).await?;
        }
    }

    async fn execute(
        &self,
        entity: &str,
        operation: &str,
        params: &[Json],
        types: &[&str],
    ) -> Result<Option<Json>, ImisError> {
        let body = wire::execute_request(entity, operation, params, types);
        let what = format!("{entity}.{operation}");
        let answer = self
            .call(
                Method::POST,
                &format!("api/{entity}/_execute"),
                &[],
                Some(&body),
                Call::Read,
                &what,
            )
            .await?;
        // Current iMIS wraps the answer in `Result`; iMIS 2017 returns it bare (null when
        // not found).
        Ok(answer.and_then(|a| match a {
            Json::Object(ref m) if m.contains_key("Result") => {
                m.get("Result").cloned().filter(|r| !r.is_null())
            }
            Json::Null => None,
            other => Some(other),
        }))
    }

    // ---- Queries ----------------------------------------------------------------------

    /// Runs an IQA query and returns every row, in order.
    pub async fn run_query(
        &self,
        path: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<QueryResult, ImisError> {
        let path = path.trim();
        let (dialect, first, positional) = match self.dialect() {
            Some(Dialect::Iqa) => {
                let positional = self.positional(path, params).await?;
                let first = self
                    .page(Dialect::Iqa, path, params, &positional, 0)
                    .await?
                    .ok_or_else(|| ImisError::UnknownQuery(path.into()))?;
                (Dialect::Iqa, first, positional)
            }
            known => match self.page(Dialect::Query, path, params, &[], 0).await? {
                Some(first) => (Dialect::Query, first, vec![]),
                None if known == Some(Dialect::Query) => {
                    return Err(ImisError::UnknownQuery(path.into()))
                }
                None => {
                    // An older iMIS without /api/query, or an unknown query: the legacy
                    // endpoint tells which.
                    let positional = self.positional(path, params).await?;
                    let first = self
                        .page(Dialect::Iqa, path, params, &positional, 0)
                        .await?
                        .ok_or_else(|| ImisError::UnknownQuery(path.into()))?;
                    (Dialect::Iqa, first, positional)
                }
            },
        };
        *self.dialect.lock().expect("dialect lock") = Some(dialect);

        let mut pages = vec![first];
        let last = pages.last().expect("one page");
        if last.has_next && last.count > 0 {
            let step = self.cfg.page_size;
            let start = last.next_offset;
            if self.cfg.page_concurrency > 1 && last.total_count > start {
                let offsets: Vec<u64> = (start..last.total_count).step_by(step as usize).collect();
                let fetched: Vec<Result<Option<Page>, ImisError>> = stream::iter(offsets)
                    .map(|o| self.page(dialect, path, params, &positional, o))
                    .buffered(self.cfg.page_concurrency)
                    .collect()
                    .await;
                for p in fetched {
                    pages.push(p?.ok_or_else(|| ImisError::UnknownQuery(path.into()))?);
                }
            }
            // Sequential paging, and any rows added while the pages were fetched.
            loop {
                let last = pages.last().expect("one page");
                if !last.has_next || last.count == 0 {
                    break;
                }
                let next = last.next_offset;
                let page = self
                    .page(dialect, path, params, &positional, next)
                    .await?
                    .ok_or_else(|| ImisError::UnknownQuery(path.into()))?;
                pages.push(page);
            }
        }
        let total = pages[0].total_count;
        let result = QueryResult::from_rows(pages.into_iter().flat_map(|p| p.items));
        tracing::info!(
            query = path,
            rows = result.rows.len(),
            total,
            "ran an iMIS query"
        );
        Ok(result)
    }

    /// Positional values for `/api/iqa`: one per prompt, in definition order, empty for
    /// the ones not given.
    async fn positional(
        &self,
        path: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, ImisError> {
        if params.is_empty() {
            return Ok(vec![]);
        }
        let info = self.query_definition(path).await?;
        Ok(info
            .parameters
            .iter()
            .map(|p| {
                params
                    .get(&p.name)
                    .or_else(|| params.get(&p.prompt))
                    .cloned()
                    .unwrap_or_default()
            })
            .collect())
    }

    async fn page(
        &self,
        dialect: Dialect,
        path: &str,
        params: &BTreeMap<String, String>,
        positional: &[String],
        offset: u64,
    ) -> Result<Option<Page>, ImisError> {
        let limit = self.cfg.page_size.to_string();
        let mut query = vec![("QueryName".to_string(), path.to_string())];
        let endpoint = match dialect {
            Dialect::Query => {
                query.push(("limit".into(), limit));
                query.push(("offset".into(), offset.to_string()));
                query.extend(params.iter().map(|(k, v)| (k.clone(), v.clone())));
                "api/query"
            }
            Dialect::Iqa => {
                query.extend(
                    positional
                        .iter()
                        .map(|v| ("Parameter".to_string(), v.clone())),
                );
                query.push(("Limit".into(), limit));
                query.push(("Offset".into(), offset.to_string()));
                "api/iqa"
            }
        };
        let what = format!("the query {path}");
        match self
            .call(Method::GET, endpoint, &query, None, Call::Read, &what)
            .await?
        {
            None => Ok(None),
            Some(body) => wire::decode_page(&body)
                .map(Some)
                .map_err(|e| ImisError::BadResponse(e.0)),
        }
    }

    // ---- Browsing ---------------------------------------------------------------------

    /// Folders and queries inside `folder` (`$` is the root).
    pub async fn list_folder(&self, folder: &str) -> Result<Vec<QueryEntry>, ImisError> {
        let folder = if folder.trim().is_empty() {
            "$"
        } else {
            folder.trim()
        };
        let doc = self
            .execute(
                "DocumentSummary",
                "FindByPath",
                &[wire::string_param(folder)],
                &["System.String"],
            )
            .await?
            .ok_or_else(|| ImisError::UnknownFolder(folder.into()))?;
        let id = doc
            .get("DocumentId")
            .and_then(Json::as_str)
            .ok_or_else(|| ImisError::BadResponse("the folder has no DocumentId".into()))?;
        let params = [
            json!({"$type": "System.Guid", "$value": id}),
            json!({"$type": "System.String[], mscorlib", "$values": ["IQD", "FOL"]}),
            json!({"$type": "System.Boolean", "$value": false}),
        ];
        let listing = self
            .execute(
                "DocumentSummary",
                "FindDocumentsInFolder",
                &params,
                &["System.Guid", "System.String[]", "System.Boolean"],
            )
            .await?
            .unwrap_or(Json::Null);
        let mut entries: Vec<QueryEntry> = wire::values_of(&listing)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .filter_map(|d| {
                let name = d.get("Name")?.as_str()?.to_string();
                let is_folder = d.get("IsFolder").and_then(Json::as_bool).unwrap_or(false)
                    || d.get("DocumentTypeId").and_then(Json::as_str) == Some("FOL");
                let path = d
                    .get("Path")
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}/{name}", folder.trim_end_matches('/')));
                Some(QueryEntry {
                    name,
                    path,
                    kind: if is_folder {
                        QueryEntryKind::Folder
                    } else {
                        QueryEntryKind::Query
                    },
                })
            })
            .collect();
        entries.sort_by_key(|e| (e.kind, e.name.to_lowercase()));
        Ok(entries)
    }

    /// A query's columns and prompts, without running it.
    pub async fn query_definition(&self, path: &str) -> Result<QueryInfo, ImisError> {
        let path = path.trim();
        let def = self
            .execute(
                "QueryDefinition",
                "FindByPath",
                &[wire::string_param(path)],
                &["System.String"],
            )
            .await?
            .ok_or_else(|| ImisError::UnknownQuery(path.into()))?;
        let text = |v: &Json, k: &str| v.get(k).and_then(Json::as_str).unwrap_or("").to_string();
        let mut columns: Vec<(i64, QueryColumn)> = def
            .get("Properties")
            .and_then(wire::values_of)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|p| {
                let alias = Some(text(p, "Alias"))
                    .filter(|a| !a.is_empty())
                    .unwrap_or_else(|| text(p, "PropertyName"));
                (
                    p.get("DisplayOrder").and_then(Json::as_i64).unwrap_or(0),
                    QueryColumn {
                        caption: Some(text(p, "Caption"))
                            .filter(|c| !c.is_empty())
                            .unwrap_or_else(|| alias.clone()),
                        alias,
                        property: text(p, "PropertyName"),
                        data_type: text(p, "DataTypeName"),
                    },
                )
            })
            .collect();
        columns.sort_by_key(|(order, _)| *order);
        let parameters = def
            .get("Parameters")
            .and_then(wire::values_of)
            .map(|v| v.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|p| QueryParameter {
                name: text(p, "PropertyName"),
                prompt: Some(text(p, "Prompt"))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| text(p, "PropertyName")),
                operation: text(p, "Operation"),
                allow_multiple: p
                    .get("AllowMultiple")
                    .and_then(Json::as_bool)
                    .unwrap_or(false),
                values: p
                    .get("Values")
                    .and_then(wire::values_of)
                    .map(|v| {
                        v.iter()
                            .filter_map(|x| x.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            })
            .collect();
        Ok(QueryInfo {
            name: text(&def, "Name")
                .chars()
                .next()
                .map(|_| text(&def, "Name"))
                .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string()),
            path: path.to_string(),
            columns: columns.into_iter().map(|(_, c)| c).collect(),
            parameters,
        })
    }

    /// A tiny harmless call for "Test connection": log in and list the root folder.
    pub async fn check(&self) -> Result<usize, ImisError> {
        {
            let mut slot = self.token.lock().await;
            self.login(&mut slot).await?;
        }
        Ok(self.list_folder("$").await?.len())
    }

    // ---- Activities -------------------------------------------------------------------

    /// Whether an activity type with this code exists (`LegacyActivityType`).
    ///
    /// The response shape of this endpoint is not published (reference/imis.md): any row
    /// with a text value equal to the code counts.
    pub async fn activity_type_exists(&self, code: &str) -> Result<bool, ImisError> {
        let mut offset = 0;
        loop {
            let query = vec![
                ("limit".to_string(), PAGE_SIZE.to_string()),
                ("offset".to_string(), offset.to_string()),
            ];
            let Some(body) = self
                .call(
                    Method::GET,
                    "api/LegacyActivityType",
                    &query,
                    None,
                    Call::Read,
                    "the activity types",
                )
                .await?
            else {
                return Ok(false);
            };
            let page = wire::decode_page(&body).map_err(|e| ImisError::BadResponse(e.0))?;
            let found = page.items.iter().any(|row| {
                row.iter().any(
                    |(_, v)| matches!(v, Value::Text(t) if t.trim().eq_ignore_ascii_case(code)),
                )
            });
            if found {
                return Ok(true);
            }
            if !page.has_next || page.count == 0 {
                return Ok(false);
            }
            offset = page.next_offset;
        }
    }

    /// Creates the Activity; returns its SEQN. An `Ambiguous` error means it may exist:
    /// call [`Self::find_activity`] before trying again.
    pub async fn post_activity(&self, r: &WriteBackRecord) -> Result<String, ImisError> {
        let props = vec![
            wire::property("PartyId", Some(Json::String(r.party_id.clone()))),
            wire::property("ACTIVITY_TYPE", Some(Json::String(r.activity_type.clone()))),
            wire::property("TRANSACTION_DATE", Some(Json::String(iso(&r.sent_at)))),
            wire::property("DESCRIPTION", Some(Json::String(truncate(&r.to, 255)))),
            wire::property("NOTE", Some(Json::String(truncate(&r.note, 32_000)))),
            wire::property(&r.ceu_column, Some(Json::String(CEU_VALUE.into()))),
        ];
        let body = json!({
            "$type": wire::GENERIC_ENTITY_TYPE,
            "EntityTypeName": "Activity",
            "PrimaryParentEntityTypeName": "Party",
            "PrimaryParentIdentity": {
                "$type": wire::IDENTITY_TYPE,
                "EntityTypeName": "Party",
                "IdentityElements": {"$type": wire::STRING_COLLECTION_TYPE, "$values": [r.party_id]},
            },
            "Properties": {"$type": wire::PROPERTY_COLLECTION_TYPE, "$values": props},
        });
        self.create_entity(&ACTIVITY, &body).await
    }

    /// Looks for an Activity this record already created (after an ambiguous POST): same
    /// party, type, date and note. Returns its SEQN.
    pub async fn find_activity(&self, r: &WriteBackRecord) -> Result<Option<String>, ImisError> {
        let query = [
            ("PartyId", r.party_id.clone()),
            ("ActivityType", r.activity_type.clone()),
        ];
        let note = truncate(&r.note, 32_000);
        self.find_entity(&ACTIVITY, &query, |p| {
            let same_type =
                matches!(p.get("ACTIVITY_TYPE"), Some(Value::Text(t)) if t == &r.activity_type);
            let same_note = matches!(p.get("NOTE"), Some(Value::Text(t)) if *t == note);
            let same_date = match p.get("TRANSACTION_DATE") {
                Some(Value::DateTime(d)) => {
                    d.and_utc().timestamp() == r.sent_at.and_utc().timestamp()
                }
                _ => false,
            };
            same_type && same_note && same_date
        })
        .await
    }

    /// Records the text in the Communication Log (iMIS EMS only).
    ///
    /// GUESS: the POST body of `CommunicationLogRecipient` is not published
    /// (reference/imis.md); this sends the fields the reference names (`ContactKey`,
    /// `Address`, `MessageType` 1 = SMS, `Subject`, `Text`) and must be checked against
    /// `/api/metadata/CommunicationLogRecipient` on a real instance.
    pub async fn post_communication_log(&self, r: &WriteBackRecord) -> Result<String, ImisError> {
        self.create_entity(&COMMUNICATION_LOG, &communication_log_body(r))
            .await
    }

    /// Looks for a Communication Log entry this record already created. GUESS, like the
    /// POST: filters by `ContactKey` and matches address and text.
    pub async fn find_communication_log(
        &self,
        r: &WriteBackRecord,
    ) -> Result<Option<String>, ImisError> {
        let query = [("ContactKey", r.party_id.clone())];
        self.find_entity(&COMMUNICATION_LOG, &query, |p| {
            let is =
                |name: &str, want: &str| matches!(p.get(name), Some(Value::Text(t)) if t == want);
            is("Address", &r.to) && is("Text", &r.note)
        })
        .await
    }

    /// POSTs a new entity of `kind`; returns its key. `Ambiguous` when iMIS may have made it.
    async fn create_entity(&self, kind: &EntityKind, body: &Json) -> Result<String, ImisError> {
        let created = self
            .call(
                Method::POST,
                kind.path,
                &[],
                Some(body),
                Call::Write,
                kind.what,
            )
            .await?
            .ok_or_else(|| ImisError::Rejected {
                status: 404,
                message: kind.missing.into(),
            })?;
        entity_key(&created, kind.key).ok_or_else(|| ImisError::Ambiguous {
            detail: format!(
                "iMIS accepted {} but did not say its {}",
                kind.what, kind.key
            ),
        })
    }

    /// The key of the first entity of `kind` listed for `filters` whose properties satisfy
    /// `matches` (given a case-insensitive property getter).
    async fn find_entity(
        &self,
        kind: &EntityKind,
        filters: &[(&str, String)],
        matches: impl Fn(&Properties) -> bool,
    ) -> Result<Option<String>, ImisError> {
        let mut query: Vec<(String, String)> = filters
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        query.push(("limit".to_string(), PAGE_SIZE.to_string()));
        let Some(body) = self
            .call(
                Method::GET,
                kind.path,
                &query,
                None,
                Call::Read,
                kind.listing,
            )
            .await?
        else {
            return Ok(None);
        };
        // A list we cannot read is an error, not "none there": the caller would post again.
        let items = body.get("Items").and_then(wire::values_of).ok_or_else(|| {
            ImisError::BadResponse(format!("the list of {} has no Items", kind.listing))
        })?;
        for item in items {
            let Some(props) = item.get("Properties") else {
                continue;
            };
            let props = Properties(
                wire::generic_properties(props).map_err(|e| ImisError::BadResponse(e.0))?,
            );
            if matches(&props) {
                if let Some(key) = entity_key(item, kind.key) {
                    return Ok(Some(key));
                }
            }
        }
        Ok(None)
    }
}

/// The GUESSED Communication Log body (see [`ImisClient::post_communication_log`]).
pub fn communication_log_body(r: &WriteBackRecord) -> Json {
    let props = vec![
        wire::property("ContactKey", Some(Json::String(r.party_id.clone()))),
        wire::property("Address", Some(Json::String(r.to.clone()))),
        wire::property(
            "MessageType",
            Some(json!({"$type": "System.Int32", "$value": 1})),
        ),
        wire::property("Subject", Some(Json::String(CEU_VALUE.into()))),
        wire::property("Text", Some(Json::String(r.note.clone()))),
        wire::property("SentOn", Some(Json::String(iso(&r.sent_at)))),
    ];
    json!({
        "$type": wire::GENERIC_ENTITY_TYPE,
        "EntityTypeName": "CommunicationLogRecipient",
        "Properties": {"$type": wire::PROPERTY_COLLECTION_TYPE, "$values": props},
    })
}

/// An entity's key: `Identity.IdentityElements[0]`, else the named property.
fn entity_key(entity: &Json, property: &str) -> Option<String> {
    wire::identity_key(entity).or_else(|| {
        let props = wire::generic_properties(entity.get("Properties")?).ok()?;
        props
            .into_iter()
            .find(|(n, _)| n == property)
            .and_then(|(_, v)| match v {
                Value::Null => None,
                v => Some(v.merge_text()),
            })
    })
}

fn truncate(s: &str, max_chars: usize) -> String {
    s.chars().take(max_chars).collect()
}

fn short(s: &str) -> String {
    let mut out: String = s.chars().take(160).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// The human part of an iMIS error body: `Message`, `error_description`, or the text.
fn server_message(body: &str) -> String {
    match serde_json::from_str::<Json>(body) {
        Ok(json) => ["Message", "error_description", "error", "ExceptionMessage"]
            .iter()
            .find_map(|k| json.get(k).and_then(Json::as_str))
            .map(short)
            .unwrap_or_default(),
        Err(_) => {
            let text = body.trim();
            if text.starts_with('<') {
                String::new() // an HTML error page says nothing a person can use
            } else {
                short(text)
            }
        }
    }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    parts.join(": ")
}

/// A TLS verification failure, in a few words, if that is what the chain says.
fn certificate_problem(chain: &str) -> Option<String> {
    let lower = chain.to_lowercase();
    if !lower.contains("certificate")
        && !lower.contains("unknownissuer")
        && !lower.contains("invalid peer")
    {
        return None;
    }
    Some(if lower.contains("expired") {
        "it has expired".into()
    } else if lower.contains("unknownissuer")
        || lower.contains("unknown issuer")
        || lower.contains("self-signed")
        || lower.contains("self signed")
    {
        "it is not issued by a trusted authority".into()
    } else if lower.contains("notvalidforname")
        || lower.contains("not valid for name")
        || lower.contains("hostname")
    {
        "it is for a different server name".into()
    } else {
        "it is not valid".into()
    })
}

fn connect_reason(chain: &str) -> String {
    let lower = chain.to_lowercase();
    if lower.contains("refused") {
        "the connection was refused".into()
    } else if lower.contains("dns")
        || lower.contains("resolve")
        || lower.contains("name or service")
    {
        "the server name could not be found".into()
    } else if lower.contains("timed out") || lower.contains("timeout") {
        "the connection timed out".into()
    } else {
        "the connection failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_are_capped_and_jittered() {
        let p = RetryPolicy {
            attempts: 5,
            base: Duration::from_millis(500),
            max: Duration::from_secs(2),
        };
        for _ in 0..50 {
            let d0 = p.delay(0).as_millis();
            let d2 = p.delay(2).as_millis();
            let d9 = p.delay(9).as_millis();
            assert!((250..=500).contains(&d0), "{d0}");
            assert!((1000..=2000).contains(&d2), "{d2}");
            assert!((1000..=2000).contains(&d9), "capped: {d9}");
        }
    }

    #[test]
    fn server_messages_are_words_not_json() {
        assert_eq!(
            server_message(r#"{"Message":"Authorization has been denied for this request."}"#),
            "Authorization has been denied for this request."
        );
        assert_eq!(
            server_message(
                r#"{"error":"invalid_grant","error_description":"The user name or password is incorrect."}"#
            ),
            "The user name or password is incorrect."
        );
        assert_eq!(server_message("<html><body>Server Error</body></html>"), "");
    }

    #[test]
    fn certificate_problems_are_named() {
        assert_eq!(
            certificate_problem("error sending request: client error (Connect): invalid peer certificate: UnknownIssuer").as_deref(),
            Some("it is not issued by a trusted authority")
        );
        assert!(certificate_problem("connection refused").is_none());
    }
}
