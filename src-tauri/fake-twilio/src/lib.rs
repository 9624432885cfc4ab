//! A fake Twilio Messages API (2010-04-01) as `reference/twilio.md` describes it: HTTP
//! Basic auth with the Auth Token or an API key, form-encoded creates (JSON gets 415),
//! SIDs, RFC 2822 dates, string `num_segments`, statuses that progress over time, list
//! paging with `next_page_uri` that ends in null, Twilio's test magic numbers, per-To
//! counters for exactly-once assertions, and switchable faults.
//!
//! Members' replies (inbound messages) are put in with [`Fake::receive`] or
//! `POST /_fake/inbound` and listed like Twilio lists them: `direction` "inbound", status
//! "received", mixed with outbound messages newest first, filtered by To/From/DateSent.
//!
//! Delivery outcome by the To number (deterministic): ending in 99 → undelivered (30005),
//! ending in 98 → failed (30008), anything else → delivered.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use herald_core::compose::segments;
use herald_core::twilio::resource::to_rfc2822;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const ACCOUNT_SID: &str = "AC00000000000000000000000000000001";
pub const AUTH_TOKEN: &str = "fake-auth-token-0001";
pub const API_KEY_SID: &str = "SK00000000000000000000000000000001";
pub const API_KEY_SECRET: &str = "fake-api-key-secret-0001";

#[derive(Debug, Clone)]
pub struct Options {
    pub account_sid: String,
    pub auth_token: String,
    pub api_key_sid: String,
    pub api_key_secret: String,
    /// Delay before every answer.
    pub latency: Duration,
    /// Time between status steps: queued → sending (1 step) → sent (2) → final (4).
    pub status_step: Duration,
    /// How long after its final status a delivered or undelivered message is priced
    /// (Twilio's price is "null until priced", at times past the final status).
    pub price_lag: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            account_sid: ACCOUNT_SID.into(),
            auth_token: AUTH_TOKEN.into(),
            api_key_sid: API_KEY_SID.into(),
            api_key_secret: API_KEY_SECRET.into(),
            latency: Duration::ZERO,
            status_step: Duration::from_millis(200),
            price_lag: Duration::ZERO,
        }
    }
}

/// What a fault does to a matching request.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// Answer with this status and Twilio error code, without handling.
    Status {
        status: u16,
        code: i64,
        #[serde(default)]
        retry_after_secs: Option<u64>,
    },
    /// Wait before handling.
    Delay { millis: u64 },
    /// Handle (create the message), then wait this long before answering.
    SlowAfterCommit { millis: u64 },
    /// Handle (create the message), then cut the connection unanswered.
    DropAfterCommit,
}

pub type FaultRule = herald_fake_http::Rule<Fault>;

/// A message the fake holds.
#[derive(Debug, Clone)]
pub struct FakeMessage {
    pub sid: String,
    pub to: String,
    pub from: Option<String>,
    pub messaging_service_sid: Option<String>,
    pub body: String,
    pub segments: u32,
    pub created: DateTime<Utc>,
    /// When the create request arrived (before any simulated latency): what Twilio's
    /// rate limits count.
    pub arrived: DateTime<Utc>,
}

/// A member's reply the fake holds.
#[derive(Debug, Clone, Deserialize)]
pub struct Inbound {
    #[serde(default)]
    pub sid: String,
    /// The member's number.
    pub from: String,
    /// Ours.
    pub to: String,
    #[serde(default)]
    pub messaging_service_sid: Option<String>,
    pub body: String,
    /// When it arrived (now if not given).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
    /// Twilio documents `date_sent` of an inbound message as the time of the webhook:
    /// `true` lists it as null (the client falls back to `date_created`).
    #[serde(default)]
    pub no_date_sent: bool,
}

/// When a request arrived, before the simulated latency.
#[derive(Clone, Copy)]
struct Arrived(DateTime<Utc>);

pub struct Fake {
    opts: Options,
    messages: Mutex<Vec<FakeMessage>>,
    inbound: Mutex<Vec<Inbound>>,
    per_to: Mutex<HashMap<String, usize>>,
    faults: herald_fake_http::Faults<Fault>,
    meter: herald_fake_http::Meter,
    latency_ms: AtomicU64,
    counter: AtomicU64,
}

/// A fake message as of a moment (see `Fake::state_of`).
struct Snapshot {
    status: &'static str,
    code: Option<i64>,
    sent: Option<DateTime<Utc>>,
    updated: DateTime<Utc>,
    priced: bool,
}

fn final_outcome(to: &str) -> (&'static str, Option<i64>) {
    if to.ends_with("99") {
        ("undelivered", Some(30005))
    } else if to.ends_with("98") {
        ("failed", Some(30008))
    } else {
        ("delivered", None)
    }
}

impl Fake {
    pub fn add_fault(&self, rule: FaultRule) {
        self.faults.add(rule);
    }
    pub fn clear_faults(&self) {
        self.faults.clear();
    }
    pub fn set_latency(&self, d: Duration) {
        self.latency_ms
            .store(d.as_millis() as u64, Ordering::SeqCst);
    }
    /// Messages created for this number.
    pub fn count_to(&self, to: &str) -> usize {
        self.per_to.lock().unwrap().get(to).copied().unwrap_or(0)
    }
    pub fn counts(&self) -> HashMap<String, usize> {
        self.per_to.lock().unwrap().clone()
    }
    pub fn messages(&self) -> Vec<FakeMessage> {
        self.messages.lock().unwrap().clone()
    }
    /// A member texts us: the reply is listed from now on. Returns its SID.
    pub fn receive(&self, mut reply: Inbound) -> String {
        if reply.sid.is_empty() {
            let n = self.counter.fetch_add(1, Ordering::SeqCst) + 1;
            reply.sid = format!("SM{:032x}", (1u128 << 124) + u128::from(n));
        }
        let sid = reply.sid.clone();
        self.inbound.lock().unwrap().push(reply);
        sid
    }

    fn inbound_resource(&self, m: &Inbound, now: DateTime<Utc>) -> Value {
        let account = &self.opts.account_sid;
        let at = m.at.unwrap_or(now);
        json!({
            "sid": m.sid, "account_sid": account, "api_version": "2010-04-01",
            "body": m.body, "to": m.to, "from": m.from,
            "messaging_service_sid": m.messaging_service_sid,
            "direction": "inbound", "status": "received",
            "error_code": null, "error_message": null,
            "num_segments": segments::count(&m.body).segments.max(1).to_string(), "num_media": "0",
            "price": "-0.00790", "price_unit": "USD",
            "date_created": to_rfc2822(at),
            "date_sent": if m.no_date_sent { None } else { Some(to_rfc2822(at)) },
            "date_updated": to_rfc2822(at),
            "uri": format!("/2010-04-01/Accounts/{account}/Messages/{}.json", m.sid),
            "subresource_uris": {"media": format!("/2010-04-01/Accounts/{account}/Messages/{}/Media.json", m.sid)},
        })
    }

    pub fn meter(&self) -> &herald_fake_http::Meter {
        &self.meter
    }
    /// Requests of a method to paths starting with `prefix` (after the account part).
    pub fn count_requests(&self, method: &str, suffix: &str) -> usize {
        self.meter
            .requests()
            .iter()
            .filter(|(m, p)| m == method && p.ends_with(suffix))
            .count()
    }

    /// What a message is now: its status, error code, when it was sent, when its status
    /// last changed, and whether it is priced (at the final status plus `price_lag`).
    fn state_of(&self, m: &FakeMessage, now: DateTime<Utc>) -> Snapshot {
        let step = chrono::Duration::from_std(self.opts.status_step).unwrap_or_default();
        let age = now - m.created;
        let first = if m.messaging_service_sid.is_some() {
            "accepted"
        } else {
            "queued"
        };
        let sent_at = m.created + step * 2;
        let (status, code, sent, steps) = if age < step {
            (first, None, None, 0)
        } else if age < step * 2 {
            ("sending", None, None, 1)
        } else if age < step * 4 {
            ("sent", None, Some(sent_at), 2)
        } else {
            let (s, code) = final_outcome(&m.to);
            (s, code, Some(sent_at), 4)
        };
        let changed = m.created + step * steps;
        let priced_at =
            changed + chrono::Duration::from_std(self.opts.price_lag).unwrap_or_default();
        let priced = matches!(status, "delivered" | "undelivered") && now >= priced_at;
        Snapshot {
            status,
            code,
            sent,
            // Twilio's date_updated: the last change, a status step or the price.
            updated: if priced { priced_at } else { changed },
            priced,
        }
    }

    fn resource(&self, m: &FakeMessage, now: DateTime<Utc>) -> Value {
        let Snapshot {
            status,
            code,
            sent,
            updated,
            priced,
        } = self.state_of(m, now);
        let account = &self.opts.account_sid;
        json!({
            "sid": m.sid, "account_sid": account, "api_version": "2010-04-01",
            "body": m.body, "to": m.to, "from": m.from,
            "messaging_service_sid": m.messaging_service_sid,
            "direction": "outbound-api", "status": status,
            "error_code": code,
            "error_message": code.map(herald_core::twilio::codes::explain),
            "num_segments": m.segments.to_string(), "num_media": "0",
            "price": if priced { Some(format!("-{:.5}", 0.0079 * m.segments as f64)) } else { None },
            "price_unit": "USD",
            "date_created": to_rfc2822(m.created),
            "date_sent": sent.map(to_rfc2822),
            "date_updated": to_rfc2822(updated),
            "uri": format!("/2010-04-01/Accounts/{account}/Messages/{}.json", m.sid),
            "subresource_uris": {"media": format!("/2010-04-01/Accounts/{account}/Messages/{}/Media.json", m.sid)},
        })
    }

    fn authorized(&self, headers: &HeaderMap, account: &str) -> bool {
        let Some(encoded) = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
        else {
            return false;
        };
        let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded) else {
            return false;
        };
        let text = String::from_utf8_lossy(&decoded);
        let Some((user, pass)) = text.split_once(':') else {
            return false;
        };
        account == self.opts.account_sid
            && ((user == self.opts.account_sid && pass == self.opts.auth_token)
                || (user == self.opts.api_key_sid && pass == self.opts.api_key_secret))
    }
}

/// A running fake Twilio.
/// The fake Twilio, running (see [`herald_fake_http::Running`]).
pub type FakeTwilio = herald_fake_http::Running<Fake>;

impl herald_fake_http::FakeService for Fake {
    type Options = Options;
    fn new(opts: Options) -> Result<Self, String> {
        Ok(Fake {
            latency_ms: AtomicU64::new(opts.latency.as_millis() as u64),
            opts,
            messages: Mutex::default(),
            inbound: Mutex::default(),
            per_to: Mutex::default(),
            faults: Default::default(),
            meter: Default::default(),
            counter: AtomicU64::new(0),
        })
    }
    fn router(state: Arc<Fake>) -> Router {
        router(state)
    }
}

fn twilio_error(status: StatusCode, code: i64, message: &str) -> Response {
    (
        status,
        Json(json!({
            "code": code, "message": message,
            "more_info": format!("https://www.twilio.com/docs/errors/{code}"),
            "status": status.as_u16(),
        })),
    )
        .into_response()
}

fn unauthorized() -> Response {
    twilio_error(StatusCode::UNAUTHORIZED, 20003, "Authenticate")
}

pub fn router(state: Arc<Fake>) -> Router {
    Router::new()
        .route(
            "/2010-04-01/Accounts/{account}/Messages.json",
            post(create).get(list),
        )
        .route("/2010-04-01/Accounts/{account}/Messages/{sid}", get(fetch))
        .route("/2010-04-01/Accounts/{account}", get(account))
        .route("/_fake/faults", post(control_fault).delete(control_clear))
        .route("/_fake/counts", get(control_counts))
        .route("/_fake/inbound", post(control_inbound))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults_and_latency,
        ))
        .with_state(state)
}

async fn faults_and_latency(
    State(s): State<Arc<Fake>>,
    mut request: Request,
    next: Next,
) -> Response {
    request.extensions_mut().insert(Arrived(Utc::now()));
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    if path.starts_with("/_fake/") {
        return next.run(request).await;
    }
    let _in_flight = s.meter.enter(&method, &path);
    let latency = s.latency_ms.load(Ordering::SeqCst);
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let killer = herald_fake_http::Killer::of(&request);
    match s.faults.take(&method, &path) {
        None => next.run(request).await,
        Some(Fault::Status {
            status,
            code,
            retry_after_secs,
        }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let mut r = twilio_error(status, code, "Fault injected by the fake Twilio");
            if let Some(secs) = retry_after_secs {
                r.headers_mut().insert(
                    "retry-after",
                    secs.to_string().parse().expect("a header value"),
                );
            }
            r
        }
        Some(Fault::Delay { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(Fault::SlowAfterCommit { millis }) => {
            let r = next.run(request).await;
            tokio::time::sleep(Duration::from_millis(millis)).await;
            r
        }
        Some(Fault::DropAfterCommit) => {
            let _committed = next.run(request).await;
            if let Some(k) = killer {
                k.kill();
            }
            std::future::pending::<()>().await;
            unreachable!()
        }
    }
}

fn is_e164(s: &str) -> bool {
    let digits = s.strip_prefix('+').unwrap_or("");
    (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

async fn create(
    State(s): State<Arc<Fake>>,
    Path(account): Path<String>,
    arrived: Option<axum::Extension<Arrived>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !s.authorized(&headers, &account) {
        return unauthorized();
    }
    let form_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_type {
        return twilio_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            0,
            "Unsupported Media Type",
        );
    }
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let to = form.get("To").cloned().unwrap_or_default();
    let text = form.get("Body").cloned().unwrap_or_default();
    let from = form.get("From").cloned();
    let service = form.get("MessagingServiceSid").cloned();
    if to.is_empty() {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21604,
            "A 'To' phone number is required.",
        );
    }
    if from.is_none() && service.is_none() {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21603,
            "A 'From' phone number is required.",
        );
    }
    match from.as_deref() {
        Some("+15005550001") => return twilio_error(StatusCode::BAD_REQUEST, 21212, "The 'From' number +15005550001 is not a valid phone number, shortcode, or alphanumeric sender ID."),
        Some("+15005550007") => return twilio_error(StatusCode::BAD_REQUEST, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination/account."),
        Some("+15005550008") => return twilio_error(StatusCode::BAD_REQUEST, 21611, "This 'From' number has exceeded the maximum number of queued messages."),
        _ => {}
    }
    match to.as_str() {
        "+15005550001" => return twilio_error(StatusCode::BAD_REQUEST, 21211, &format!("The 'To' number {to} is not a valid phone number.")),
        "+15005550002" => return twilio_error(StatusCode::BAD_REQUEST, 21612, "The 'To' phone number is not currently reachable via SMS."),
        "+15005550003" => return twilio_error(StatusCode::BAD_REQUEST, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number."),
        "+15005550004" => return twilio_error(StatusCode::BAD_REQUEST, 21610, "Attempt to send to unsubscribed recipient"),
        "+15005550009" => return twilio_error(StatusCode::BAD_REQUEST, 21614, &format!("'To' number {to} is not a valid mobile number")),
        _ => {}
    }
    if !is_e164(&to) {
        // A '+' sent unencoded arrives as a space and lands here, as on real Twilio.
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21211,
            &format!("The 'To' number {to} is not a valid phone number."),
        );
    }
    if text.is_empty() {
        return twilio_error(StatusCode::BAD_REQUEST, 21602, "Message body is required.");
    }
    if text.chars().count() > 1600 {
        return twilio_error(
            StatusCode::BAD_REQUEST,
            21617,
            "The concatenated message body exceeds the 1600 character limit.",
        );
    }
    let n = s.counter.fetch_add(1, Ordering::SeqCst);
    let message = FakeMessage {
        sid: format!("SM{:032x}", (n as u128) << 32 | 0xfa4e),
        to: to.clone(),
        from,
        messaging_service_sid: service,
        segments: segments::count(&text).segments.max(1),
        body: text,
        created: Utc::now(),
        arrived: arrived.map_or_else(Utc::now, |a| a.0 .0),
    };
    let resource = s.resource(&message, message.created);
    s.messages.lock().unwrap().push(message);
    *s.per_to.lock().unwrap().entry(to).or_default() += 1;
    (StatusCode::CREATED, Json(resource)).into_response()
}

async fn fetch(
    State(s): State<Arc<Fake>>,
    Path((account, sid)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if !s.authorized(&headers, &account) {
        return unauthorized();
    }
    let sid = sid.trim_end_matches(".json");
    let found = s
        .messages
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.sid == sid)
        .cloned();
    let inbound = || {
        s.inbound
            .lock()
            .unwrap()
            .iter()
            .find(|m| m.sid == sid)
            .map(|m| s.inbound_resource(m, Utc::now()))
    };
    match found.map(|m| s.resource(&m, Utc::now())).or_else(inbound) {
        Some(resource) => Json(resource).into_response(),
        None => twilio_error(StatusCode::NOT_FOUND, 20404, &format!("The requested resource /2010-04-01/Accounts/{account}/Messages/{sid}.json was not found")),
    }
}

fn day(v: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d").ok()
}

async fn list(
    State(s): State<Arc<Fake>>,
    Path(account): Path<String>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if !s.authorized(&headers, &account) {
        return unauthorized();
    }
    let pairs: Vec<(String, String)> = raw
        .as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let page_size: usize = match get("PageSize").map(|v| v.parse::<usize>()) {
        None => 50,
        Some(Ok(n)) if (1..=1000).contains(&n) => n,
        _ => {
            return twilio_error(
                StatusCode::BAD_REQUEST,
                20001,
                "PageSize must be between 1 and 1000",
            )
        }
    };
    let offset: usize = get("PageToken")
        .and_then(|t| t.strip_prefix("PA").and_then(|n| n.parse().ok()))
        .unwrap_or(0);
    let page: usize = get("Page").and_then(|p| p.parse().ok()).unwrap_or(0);
    let (to, from) = (get("To"), get("From"));
    let (after, before, on) = (
        get("DateSent>").and_then(|v| day(&v)),
        get("DateSent<").and_then(|v| day(&v)),
        get("DateSent").and_then(|v| day(&v)),
    );
    let now = Utc::now();
    let dated = |d: Option<NaiveDate>| {
        if after.is_none() && before.is_none() && on.is_none() {
            return true;
        }
        // Date filters match on date_sent: a message not yet sent has none.
        let Some(d) = d else { return false };
        after.is_none_or(|a| d >= a) && before.is_none_or(|b| d <= b) && on.is_none_or(|o| d == o)
    };
    let outbound: Vec<FakeMessage> = s.messages.lock().unwrap().clone();
    let inbound: Vec<Inbound> = s.inbound.lock().unwrap().clone();
    // Newest first, outbound and inbound together, as Twilio lists them; only the page
    // is rendered.
    enum Item<'a> {
        Out(&'a FakeMessage),
        In(&'a Inbound),
    }
    let mut matching: Vec<(DateTime<Utc>, Item)> = outbound
        .iter()
        .filter(|m| to.as_deref().is_none_or(|t| m.to == t))
        .filter(|m| from.as_deref().is_none_or(|f| m.from.as_deref() == Some(f)))
        .filter(|m| dated(s.state_of(m, now).sent.map(|d| d.date_naive())))
        .map(|m| (m.created, Item::Out(m)))
        .collect();
    matching.extend(
        inbound
            .iter()
            .filter(|m| to.as_deref().is_none_or(|t| m.to == t))
            .filter(|m| from.as_deref().is_none_or(|f| m.from == f))
            .filter(|m| dated((!m.no_date_sent).then(|| m.at.unwrap_or(now).date_naive())))
            .map(|m| (m.at.unwrap_or(now), Item::In(m))),
    );
    // Stable: equal times keep creation order, newest first as before.
    matching.reverse();
    matching.sort_by_key(|m| std::cmp::Reverse(m.0));
    let items: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|(_, item)| match item {
            Item::Out(m) => s.resource(m, now),
            Item::In(m) => s.inbound_resource(m, now),
        })
        .collect();
    let base = format!("/2010-04-01/Accounts/{account}/Messages.json");
    let mut filters: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "PageToken" | "Page" | "PageSize"))
        .cloned()
        .collect();
    filters.push(("PageSize".into(), page_size.to_string()));
    let uri_with = |extra: &[(String, String)]| {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in filters.iter().chain(extra) {
            ser.append_pair(k, v);
        }
        format!("{base}?{}", ser.finish())
    };
    let end = offset + items.len();
    let next = (end < matching.len()).then(|| {
        uri_with(&[
            ("Page".into(), (page + 1).to_string()),
            ("PageToken".into(), format!("PA{end}")),
        ])
    });
    Json(json!({
        "messages": items,
        "page": page, "page_size": page_size,
        "start": offset, "end": end.saturating_sub(1),
        "uri": uri_with(&[]), "first_page_uri": uri_with(&[("Page".into(), "0".into())]),
        "next_page_uri": next, "previous_page_uri": null,
    }))
    .into_response()
}

async fn account(
    State(s): State<Arc<Fake>>,
    Path(account): Path<String>,
    headers: HeaderMap,
) -> Response {
    let account = account.trim_end_matches(".json").to_string();
    if !s.authorized(&headers, &account) {
        return unauthorized();
    }
    Json(json!({"sid": account, "friendly_name": "Herald fake account", "status": "active", "type": "Full"})).into_response()
}

async fn control_fault(State(s): State<Arc<Fake>>, Json(rule): Json<FaultRule>) -> StatusCode {
    s.add_fault(rule);
    StatusCode::NO_CONTENT
}

async fn control_clear(State(s): State<Arc<Fake>>) -> StatusCode {
    s.clear_faults();
    StatusCode::NO_CONTENT
}

async fn control_inbound(State(s): State<Arc<Fake>>, Json(reply): Json<Inbound>) -> Json<Value> {
    Json(json!({"sid": s.receive(reply)}))
}

async fn control_counts(State(s): State<Arc<Fake>>) -> Json<Value> {
    Json(json!(s.counts()))
}
