//! A fake iMIS REST server that behaves like the real API as `reference/imis.md`
//! describes it: password-grant tokens that expire and are invalidated by a newer login,
//! `/api/query` (flat rows, named parameters) and `/api/iqa` (GenericEntityData, typed
//! values, positional parameters) with paging, `DocumentSummary` and `QueryDefinition`
//! `_execute`, `LegacyActivityType`, and Activity / Communication Log POSTs that record
//! what they got. Faults are switchable per test, in-process or over `/_fake/…`.

use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Form, Json, Router};
use herald_core::imis::catalog::Catalog;
use herald_core::imis::wire;
use herald_core::imis::{QueryEntryKind, QueryResult, Value};
use serde::Deserialize;
use serde_json::{json, Value as JsonValue};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the server starts.
#[derive(Debug, Clone)]
pub struct Options {
    pub dataset: String,
    pub username: String,
    pub password: String,
    pub token_ttl: Duration,
    /// Answer `/api/query` with 404, like iMIS 2017 (only `/api/iqa`).
    pub legacy: bool,
    /// Whether the TEXTMSG activity type exists.
    pub textmsg: bool,
    /// Delay before every answer.
    pub latency: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            dataset: "standard".into(),
            username: "herald".into(),
            password: "herald-demo".into(),
            token_ttl: Duration::from_secs(1199),
            legacy: false,
            textmsg: true,
            latency: Duration::ZERO,
        }
    }
}

/// What a fault does to a matching request.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Fault {
    /// Answer with this status and an iMIS-style `{"Message"}` body, without handling.
    Status { status: u16 },
    /// Answer 200 with a body cut off mid-JSON.
    MalformedJson,
    /// Wait this long before handling (the client's timeout fires first).
    Delay { millis: u64 },
    /// Invalidate the current token, then handle (the request gets a 401).
    ExpireToken,
    /// Handle the request (commit any write), then close the connection unanswered.
    DropAfterCommit,
}

/// A fault rule of this server.
pub type FaultRule = herald_fake_http::Rule<Fault>;

/// An Activity or Communication Log entry the server stored.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub key: String,
    pub properties: BTreeMap<String, JsonValue>,
    pub body: JsonValue,
}

impl Recorded {
    pub fn text(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(JsonValue::as_str)
    }
}

/// The server's state, shared with tests.
pub struct Fake {
    opts: Options,
    catalog: Catalog,
    results: Mutex<HashMap<String, Arc<QueryResult>>>,
    token: Mutex<Option<(String, Instant)>>,
    token_counter: AtomicU64,
    logins: AtomicUsize,
    faults: herald_fake_http::Faults<Fault>,
    latency_ms: AtomicU64,
    textmsg: AtomicBool,
    activities: Mutex<Vec<Recorded>>,
    comm_logs: Mutex<Vec<Recorded>>,
    next_seqn: AtomicU64,
    meter: herald_fake_http::Meter,
}

impl Fake {
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }
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
    pub fn set_textmsg(&self, exists: bool) {
        self.textmsg.store(exists, Ordering::SeqCst);
    }
    /// Invalidates the current token, as an app-pool restart does.
    pub fn expire_token(&self) {
        *self.token.lock().unwrap() = None;
    }
    pub fn logins(&self) -> usize {
        self.logins.load(Ordering::SeqCst)
    }
    pub fn activities(&self) -> Vec<Recorded> {
        self.activities.lock().unwrap().clone()
    }
    pub fn communication_logs(&self) -> Vec<Recorded> {
        self.comm_logs.lock().unwrap().clone()
    }
    /// The most requests the server handled at once.
    pub fn max_in_flight(&self) -> usize {
        self.meter.max_in_flight()
    }
    /// (method, path) of every request, in arrival order.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.meter.requests()
    }
    pub fn count_requests(&self, path_prefix: &str) -> usize {
        self.meter.count(path_prefix)
    }

    fn authorized(&self, headers: &HeaderMap) -> bool {
        let Some(given) = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        else {
            return false;
        };
        matches!(&*self.token.lock().unwrap(), Some((t, exp)) if t == given && Instant::now() < *exp)
    }

    fn query_result(
        &self,
        path: &str,
        params: &BTreeMap<String, String>,
    ) -> Option<Arc<QueryResult>> {
        let key = format!("{path}\u{0}{params:?}");
        if let Some(r) = self.results.lock().unwrap().get(&key) {
            return Some(r.clone());
        }
        let r = Arc::new(self.catalog.execute(path, params)?);
        self.results.lock().unwrap().insert(key, r.clone());
        Some(r)
    }
}

/// A running fake server.
/// The fake iMIS, running (see [`herald_fake_http::Running`]).
pub type FakeImis = herald_fake_http::Running<Fake>;

impl herald_fake_http::FakeService for Fake {
    type Options = Options;
    fn new(opts: Options) -> Result<Self, String> {
        let catalog = Catalog::generate(&opts.dataset)?;
        Ok(Self {
            latency_ms: AtomicU64::new(opts.latency.as_millis() as u64),
            textmsg: AtomicBool::new(opts.textmsg),
            opts,
            catalog,
            results: Mutex::default(),
            token: Mutex::default(),
            token_counter: AtomicU64::new(0),
            logins: AtomicUsize::new(0),
            faults: Default::default(),
            activities: Mutex::default(),
            comm_logs: Mutex::default(),
            next_seqn: AtomicU64::new(90_000),
            meter: Default::default(),
        })
    }
    fn router(state: Arc<Fake>) -> Router {
        router(state)
    }
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "Message": text }))).into_response()
}

fn denied() -> Response {
    message(
        StatusCode::UNAUTHORIZED,
        "Authorization has been denied for this request.",
    )
}

pub fn router(state: Arc<Fake>) -> Router {
    Router::new()
        .route("/token", post(token))
        .route("/api/query", get(api_query))
        .route("/api/iqa", get(api_iqa))
        .route("/api/{entity}/_execute", post(execute))
        .route("/api/LegacyActivityType", get(activity_types))
        .route("/api/Activity", post(post_activity).get(get_activities))
        .route(
            "/api/CommunicationLogRecipient",
            post(post_comm_log).get(get_comm_logs),
        )
        .route("/_fake/faults", post(control_fault).delete(control_clear))
        .route("/_fake/activities", get(control_activities))
        .route("/_fake/textmsg", put(control_textmsg))
        .route("/_fake/expire-token", post(control_expire))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults_and_latency,
        ))
        .with_state(state)
}

async fn faults_and_latency(State(s): State<Arc<Fake>>, request: Request, next: Next) -> Response {
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
        Some(Fault::Status { status }) => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            message(status, "An error has occurred.")
        }
        Some(Fault::MalformedJson) => (
            StatusCode::OK,
            [("content-type", "application/json")],
            "{\"$type\":\"Asi.Soa.Core.DataContracts.PagedResult, Asi.Contracts\",\"Items\":{\"$values\":[{\"ID\":",
        )
            .into_response(),
        Some(Fault::Delay { millis }) => {
            tokio::time::sleep(Duration::from_millis(millis)).await;
            next.run(request).await
        }
        Some(Fault::ExpireToken) => {
            s.expire_token();
            next.run(request).await
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

#[derive(Deserialize)]
struct TokenForm {
    grant_type: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

async fn token(State(s): State<Arc<Fake>>, Form(f): Form<TokenForm>) -> Response {
    if f.grant_type.as_deref() != Some("password") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    if f.username.as_deref() != Some(&s.opts.username)
        || f.password.as_deref() != Some(&s.opts.password)
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "invalid_grant", "error_description": "The user name or password is incorrect."})),
        )
            .into_response();
    }
    let n = s.token_counter.fetch_add(1, Ordering::SeqCst);
    let token = format!(
        "fake-token-{n}-{}",
        Instant::now().elapsed().as_nanos() ^ 0x5eed
    );
    let ttl = s.opts.token_ttl;
    // A new token invalidates the previous one.
    *s.token.lock().unwrap() = Some((token.clone(), Instant::now() + ttl));
    s.logins.fetch_add(1, Ordering::SeqCst);
    Json(json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": ttl.as_secs(),
        "userName": s.opts.username,
        ".issued": "Fri, 27 Nov 2026 09:00:00 GMT",
        ".expires": "Fri, 27 Nov 2026 09:20:00 GMT",
    }))
    .into_response()
}

fn pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn page_bounds(pairs: &[(String, String)], limit_key: &str, offset_key: &str) -> (u64, u64) {
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .and_then(|(_, v)| v.parse::<u64>().ok())
    };
    (
        get(limit_key).unwrap_or(100).clamp(1, 500),
        get(offset_key).unwrap_or(0),
    )
}

async fn api_query(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if s.opts.legacy {
        return message(
            StatusCode::NOT_FOUND,
            "No HTTP resource was found that matches the request URI.",
        );
    }
    if !s.authorized(&headers) {
        return denied();
    }
    let pairs = pairs(&raw);
    let Some(path) = pairs
        .iter()
        .find(|(k, _)| k == "QueryName")
        .map(|(_, v)| v.clone())
    else {
        return message(StatusCode::BAD_REQUEST, "QueryName is required.");
    };
    let params: BTreeMap<String, String> = pairs
        .iter()
        .filter(|(k, _)| !["QueryName", "limit", "offset"].contains(&k.as_str()))
        .cloned()
        .collect();
    let Some(result) = s.query_result(&path, &params) else {
        return message(StatusCode::NOT_FOUND, &format!("Query {path} not found."));
    };
    let (limit, offset) = page_bounds(&pairs, "limit", "offset");
    let items = result
        .rows
        .iter()
        .enumerate()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(i, r)| wire::flat_row(i as u64 + 1, &result.columns, r))
        .collect();
    Json(wire::paged(items, offset, limit, result.rows.len() as u64)).into_response()
}

async fn api_iqa(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if !s.authorized(&headers) {
        return denied();
    }
    let pairs = pairs(&raw);
    let Some(path) = pairs
        .iter()
        .find(|(k, _)| k == "QueryName")
        .map(|(_, v)| v.clone())
    else {
        return message(StatusCode::BAD_REQUEST, "QueryName is required.");
    };
    let positional: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == "Parameter")
        .map(|(_, v)| v.clone())
        .collect();
    let Some(def) = s.catalog.definition(&path) else {
        return message(StatusCode::NOT_FOUND, &format!("Query {path} not found."));
    };
    let named: BTreeMap<String, String> = def
        .parameters
        .iter()
        .zip(&positional)
        .map(|(p, v)| (p.name.clone(), v.clone()))
        .collect();
    let Some(result) = s.query_result(&path, &named) else {
        return message(StatusCode::NOT_FOUND, &format!("Query {path} not found."));
    };
    let (limit, offset) = page_bounds(&pairs, "Limit", "Offset");
    let items = result
        .rows
        .iter()
        .enumerate()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(i, r)| wire::generic_row("59", i as u64 + 1, &result.columns, r, s.opts.legacy))
        .collect();
    Json(wire::paged(items, offset, limit, result.rows.len() as u64)).into_response()
}

/// A stable fake GUID for a folder path.
fn folder_id(path: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
    }
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        h >> 32,
        (h >> 16) & 0xffff,
        h & 0xffff,
        (h >> 48) & 0xffff,
        h & 0xffff_ffff_ffff
    )
}

const KNOWN_FOLDERS: &[&str] = &[
    "$",
    herald_core::imis::catalog::DEMO_FOLDER,
    herald_core::imis::catalog::EVENTS_FOLDER,
];

fn first_param(body: &JsonValue) -> Option<&JsonValue> {
    wire::values_of(body.get("Parameters")?)?.first()
}

async fn execute(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    Path(entity): Path<String>,
    Json(body): Json<JsonValue>,
) -> Response {
    if !s.authorized(&headers) {
        return denied();
    }
    let op = body
        .get("OperationName")
        .and_then(JsonValue::as_str)
        .unwrap_or("");
    let arg = first_param(&body)
        .and_then(|p| p.get("$value").or(Some(p)))
        .and_then(JsonValue::as_str)
        .unwrap_or("");
    let wrap = |result: JsonValue| {
        Json(json!({"$type": "Asi.Soa.Core.DataContracts.ServiceResponse, Asi.Contracts", "Result": result, "IsSuccessStatusCode": true}))
            .into_response()
    };
    match (entity.as_str(), op) {
        ("DocumentSummary", "FindByPath") => {
            if let Some(f) = KNOWN_FOLDERS.iter().find(|f| **f == arg) {
                return wrap(json!({
                    "$type": "Asi.Soa.Core.DataContracts.DocumentSummaryData, Asi.Contracts",
                    "DocumentId": folder_id(f), "DocumentTypeId": "FOL",
                    "Name": f.rsplit('/').next().unwrap_or(f), "Path": f, "IsFolder": true,
                }));
            }
            if s.catalog.definition(arg).is_some() {
                return wrap(json!({
                    "DocumentId": folder_id(arg), "DocumentTypeId": "IQD",
                    "Name": arg.rsplit('/').next().unwrap_or(arg), "Path": arg, "IsFolder": false,
                }));
            }
            wrap(JsonValue::Null)
        }
        ("DocumentSummary", "FindDocumentsInFolder") => {
            let Some(folder) = KNOWN_FOLDERS.iter().find(|f| folder_id(f) == arg) else {
                return wrap(json!({"$type": wire::OBJECT_COLLECTION_TYPE, "$values": []}));
            };
            let entries = s.catalog.entries(folder).unwrap_or_default();
            let docs: Vec<JsonValue> = entries
                .iter()
                .map(|e| {
                    let folder = e.kind == QueryEntryKind::Folder;
                    json!({
                        "$type": "Asi.Soa.Core.DataContracts.DocumentSummaryData, Asi.Contracts",
                        "DocumentId": folder_id(&e.path),
                        "DocumentTypeId": if folder { "FOL" } else { "IQD" },
                        "Name": e.name, "Path": e.path, "IsFolder": folder,
                    })
                })
                .collect();
            wrap(json!({"$type": wire::OBJECT_COLLECTION_TYPE, "$values": docs}))
        }
        ("QueryDefinition", "FindByPath") => {
            let Some(def) = s.catalog.definition(arg) else {
                return wrap(JsonValue::Null);
            };
            let props: Vec<JsonValue> = def
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    json!({
                        "Alias": c.alias, "Caption": c.caption, "PropertyName": c.property,
                        "DataTypeName": c.data_type, "DisplayOrder": i + 1,
                    })
                })
                .collect();
            let params: Vec<JsonValue> = def
                .parameters
                .iter()
                .map(|p| json!({
                    "PropertyName": p.name, "Prompt": p.prompt, "Operation": p.operation,
                    "AllowMultiple": p.allow_multiple,
                    "Values": {"$type": "System.Collections.Generic.List`1[[System.String, mscorlib]], mscorlib", "$values": p.values},
                }))
                .collect();
            wrap(json!({
                "$type": "Asi.Soa.Core.DataContracts.QueryDefinitionData, Asi.Contracts",
                "Name": def.name, "Path": def.path,
                "Properties": {"$type": wire::OBJECT_COLLECTION_TYPE, "$values": props},
                "Parameters": {"$type": wire::OBJECT_COLLECTION_TYPE, "$values": params},
            }))
        }
        _ => message(
            StatusCode::BAD_REQUEST,
            &format!("Unknown operation {entity}.{op}."),
        ),
    }
}

fn activity_type_codes(s: &Fake) -> Vec<&'static str> {
    let mut codes = vec!["DUES", "EVENT", "MEETING", "ORDER"];
    if s.textmsg.load(Ordering::SeqCst) {
        codes.push("TEXTMSG");
        codes.push("TEXTUNSUB");
        codes.push("TEXTUNSUB_A");
    }
    codes
}

async fn activity_types(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if !s.authorized(&headers) {
        return denied();
    }
    let codes = activity_type_codes(&s);
    let (limit, offset) = page_bounds(&pairs(&raw), "limit", "offset");
    let cols = vec!["ACTIVITY_TYPE".to_string(), "DESCRIPTION".to_string()];
    let items = codes
        .iter()
        .enumerate()
        .skip(offset as usize)
        .take(limit as usize)
        .map(|(i, c)| {
            wire::generic_row(
                "LegacyActivityType",
                i as u64 + 1,
                &cols,
                &[
                    Value::Text(c.to_string()),
                    Value::Text(format!("{c} activity")),
                ],
                false,
            )
        })
        .collect();
    Json(wire::paged(items, offset, limit, codes.len() as u64)).into_response()
}

fn properties(body: &JsonValue) -> BTreeMap<String, JsonValue> {
    body.get("Properties")
        .and_then(wire::values_of)
        .map(|v| v.as_slice())
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            Some((
                p.get("Name")?.as_str()?.to_string(),
                p.get("Value").cloned().unwrap_or(JsonValue::Null),
            ))
        })
        .collect()
}

fn entity_with_key(body: &JsonValue, entity: &str, key: &str) -> JsonValue {
    let mut out = body.clone();
    out["Identity"] = json!({
        "$type": wire::IDENTITY_TYPE, "EntityTypeName": entity,
        "IdentityElements": {"$type": wire::STRING_COLLECTION_TYPE, "$values": [key]},
    });
    out
}

async fn post_activity(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    Json(body): Json<JsonValue>,
) -> Response {
    if !s.authorized(&headers) {
        return denied();
    }
    if body.get("EntityTypeName").and_then(JsonValue::as_str) != Some("Activity") {
        return message(
            StatusCode::BAD_REQUEST,
            "BadRequest: ValidationError: EntityTypeName must be Activity.",
        );
    }
    let props = properties(&body);
    let party = props
        .get("PartyId")
        .and_then(JsonValue::as_str)
        .unwrap_or("");
    let kind = props
        .get("ACTIVITY_TYPE")
        .and_then(JsonValue::as_str)
        .unwrap_or("");
    if !s.catalog.members.iter().any(|m| m.id == party) {
        return message(
            StatusCode::BAD_REQUEST,
            &format!("BadRequest: ValidationError: PartyId {party} does not exist."),
        );
    }
    if !activity_type_codes(&s).contains(&kind) {
        return message(
            StatusCode::BAD_REQUEST,
            &format!("BadRequest: ValidationError: ActivityType {kind} is not valid."),
        );
    }
    let key = s.next_seqn.fetch_add(1, Ordering::SeqCst).to_string();
    let stored = entity_with_key(&body, "Activity", &key);
    s.activities.lock().unwrap().push(Recorded {
        key,
        properties: props,
        body: body.clone(),
    });
    (StatusCode::CREATED, Json(stored)).into_response()
}

async fn get_activities(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if !s.authorized(&headers) {
        return denied();
    }
    let pairs = pairs(&raw);
    let want = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let (party, kind) = (want("PartyId"), want("ActivityType"));
    let items: Vec<JsonValue> = s
        .activities
        .lock()
        .unwrap()
        .iter()
        .filter(|a| {
            party
                .as_deref()
                .is_none_or(|p| a.text("PartyId") == Some(p))
        })
        .filter(|a| {
            kind.as_deref()
                .is_none_or(|k| a.text("ACTIVITY_TYPE") == Some(k))
        })
        .map(|a| entity_with_key(&a.body, "Activity", &a.key))
        .collect();
    let total = items.len() as u64;
    Json(wire::paged(items, 0, 500, total)).into_response()
}

async fn post_comm_log(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    Json(body): Json<JsonValue>,
) -> Response {
    if !s.authorized(&headers) {
        return denied();
    }
    let props = properties(&body);
    let key = format!(
        "{:08X}-0000-4000-8000-{:012X}",
        s.next_seqn.fetch_add(1, Ordering::SeqCst),
        42
    );
    let stored = entity_with_key(&body, "CommunicationLogRecipient", &key);
    s.comm_logs.lock().unwrap().push(Recorded {
        key,
        properties: props,
        body,
    });
    (StatusCode::CREATED, Json(stored)).into_response()
}

async fn get_comm_logs(
    State(s): State<Arc<Fake>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    if !s.authorized(&headers) {
        return denied();
    }
    let pairs = pairs(&raw);
    let contact = pairs
        .iter()
        .find(|(n, _)| n == "ContactKey")
        .map(|(_, v)| v.clone());
    let items: Vec<JsonValue> = s
        .comm_logs
        .lock()
        .unwrap()
        .iter()
        .filter(|r| {
            contact
                .as_deref()
                .is_none_or(|c| r.text("ContactKey") == Some(c))
        })
        .map(|r| entity_with_key(&r.body, "CommunicationLogRecipient", &r.key))
        .collect();
    let total = items.len() as u64;
    Json(wire::paged(items, 0, 500, total)).into_response()
}

async fn control_fault(State(s): State<Arc<Fake>>, Json(rule): Json<FaultRule>) -> StatusCode {
    s.add_fault(rule);
    StatusCode::NO_CONTENT
}

async fn control_clear(State(s): State<Arc<Fake>>) -> StatusCode {
    s.clear_faults();
    StatusCode::NO_CONTENT
}

async fn control_activities(State(s): State<Arc<Fake>>) -> Json<JsonValue> {
    let list: Vec<JsonValue> = s
        .activities()
        .iter()
        .map(|a| json!({"key": a.key, "properties": a.properties}))
        .collect();
    Json(json!(list))
}

#[derive(Deserialize)]
struct TextmsgSwitch {
    exists: bool,
}

async fn control_textmsg(State(s): State<Arc<Fake>>, Json(t): Json<TextmsgSwitch>) -> StatusCode {
    s.set_textmsg(t.exists);
    StatusCode::NO_CONTENT
}

async fn control_expire(State(s): State<Arc<Fake>>) -> StatusCode {
    s.expire_token();
    StatusCode::NO_CONTENT
}
