//! The wizard's work on a draft: importing an audience, analysing the message as it is
//! typed, and summarising what scheduling would send. Pure functions of the store's data
//! and the clock, shared by the desktop app and the CLI.

use crate::campaign::{Actor, AudienceSource, Campaign, Mode};
use crate::compose::audience::{Audience, CachedAudience};
use crate::compose::phone::Region;
use crate::compose::prepare::{self, AudienceSummary, Exclusion, PrepareSpec, PreparedMessage};
use crate::compose::segments::{self, Encoding};
use crate::compose::smart_encoding;
use crate::compose::summary::cap_left;
use crate::compose::template::{MergeTemplate, TemplateError};
use crate::error::{Error, Result};
use crate::imis::Directory;
use crate::secrets::SecretStore;
use crate::settings::Settings;
use crate::status::CampaignStatus;
use crate::store::{DraftChanges, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;

/// Why a LIVE campaign that writes Activities cannot be scheduled yet, and the fix.
pub const TEXTMSG_MISSING: &str = "the TEXTMSG activity type does not exist in iMIS, so sent texts could not be recorded. An iMIS administrator can create it: Settings → Contacts → Activity Types → Add, code TEXTMSG, description \"Text message\". Or choose Communication Log or no write-back.";

/// How many rows the audience preview shows.
pub const PREVIEW_ROWS: usize = 20;
/// How many rows each "behind the count" list carries.
pub const LIST_LIMIT: usize = 500;

/// The audience as the wizard shows it: columns, the first rows, size and age.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AudiencePreview {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub row_count: u32,
    pub fetched_at: DateTime<Utc>,
    /// The file name or query path the rows came from.
    pub source_name: Option<String>,
    /// The source as saved on the draft, once its ID and phone columns are chosen.
    pub source: Option<AudienceSource>,
    /// Likely iMIS ID and phone columns, guessed from their aliases.
    pub suggested_id_column: Option<String>,
    pub suggested_phone_column: Option<String>,
}

fn guess(columns: &[String], names: &[&str]) -> Option<String> {
    let norm = |c: &str| c.to_ascii_lowercase().replace(['_', ' ', '-'], "");
    names
        .iter()
        .find_map(|n| columns.iter().find(|c| norm(c) == *n))
        .cloned()
}

fn preview_of(
    columns: &[String],
    rows: &[Vec<String>],
    row_count: u32,
    fetched_at: DateTime<Utc>,
    source_name: Option<String>,
    source: Option<AudienceSource>,
) -> AudiencePreview {
    AudiencePreview {
        source_name,
        columns: columns.to_vec(),
        rows: rows.iter().take(PREVIEW_ROWS).cloned().collect(),
        row_count,
        fetched_at,
        source,
        suggested_id_column: guess(
            columns,
            &["id", "imisid", "memberid", "contactid", "partyid"],
        ),
        suggested_phone_column: guess(
            columns,
            &[
                "mobile",
                "mobilephone",
                "cell",
                "cellphone",
                "mobilenumber",
                "phone",
                "phonenumber",
                "sms",
            ],
        ),
    }
}

async fn draft(store: &Store, id: i64) -> Result<Campaign> {
    let c = store.campaign(id).await?;
    if c.status != CampaignStatus::Draft {
        return Err(Error::Conflict(format!(
            "'{}' is {}; only a draft's audience can change",
            c.name, c.status
        )));
    }
    Ok(c)
}

/// Reads a CSV file into the draft's cached audience and points the draft at it, keeping
/// the chosen columns when they still exist, else the best guesses.
pub async fn import_csv(
    store: &Store,
    id: i64,
    file_name: &str,
    bytes: &[u8],
    actor: Actor,
) -> Result<AudiencePreview> {
    draft(store, id).await?;
    let audience = CachedAudience::from_csv(bytes, PREVIEW_ROWS)
        .map_err(|e| Error::Invalid(format!("{file_name}: {e}")))?;
    cache_audience(
        store,
        id,
        audience,
        file_name,
        actor,
        |id_column, phone_column| AudienceSource {
            query: None,
            params: Default::default(),
            csv: Some(file_name.to_string()),
            id_column,
            phone_column,
        },
    )
    .await
}

/// What running the draft's query gave: the preview, how long iMIS took, and any problem
/// with the columns.
#[derive(Debug, Clone, Serialize, Type)]
pub struct QueryImport {
    pub preview: AudiencePreview,
    pub fetch_ms: u32,
    /// Set when the result has no column that looks like an iMIS ID or a mobile phone;
    /// names the columns it has.
    pub problem: Option<String>,
}

/// Runs an IQA query into the draft's cached audience (so the draft works offline) and
/// points the draft at the query and its parameters.
pub async fn import_query(
    store: &Store,
    directory: &Directory,
    id: i64,
    path: &str,
    params: BTreeMap<String, String>,
    actor: Actor,
) -> Result<QueryImport> {
    draft(store, id).await?;
    let path = path.trim();
    if !path.starts_with('$') {
        return Err(Error::Invalid(format!(
            "'{path}' is not an iMIS query path; paths start with $/, such as $/Members/Mobile numbers"
        )));
    }
    let params: BTreeMap<String, String> = params
        .into_iter()
        .map(|(k, v)| (k, v.trim().to_string()))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    let started = std::time::Instant::now();
    let mut result = directory.run_query(path, &params).await?;
    let fetch_ms = started.elapsed().as_millis().min(u32::MAX as u128) as u32;
    if result.columns.is_empty() {
        // An empty result names no columns; the definition does.
        if let Ok(info) = directory.query_definition(path).await {
            result.columns = info.columns.into_iter().map(|c| c.alias).collect();
        }
    }
    let table = result.to_table();
    drop(result);
    let audience = CachedAudience::from_table(table, PREVIEW_ROWS);
    let preview = cache_audience(
        store,
        id,
        audience,
        path,
        actor,
        |id_column, phone_column| AudienceSource {
            query: Some(path.to_string()),
            params: params.clone(),
            csv: None,
            id_column,
            phone_column,
        },
    )
    .await?;
    let problem = column_problem(&preview);
    Ok(QueryImport {
        preview,
        fetch_ms,
        problem,
    })
}

fn column_problem(p: &AudiencePreview) -> Option<String> {
    let missing: Vec<&str> = [
        (p.suggested_id_column.is_none(), "an iMIS ID"),
        (p.suggested_phone_column.is_none(), "a mobile phone number"),
    ]
    .into_iter()
    .filter_map(|(m, what)| m.then_some(what))
    .collect();
    if missing.is_empty() || p.source.is_some() {
        return None;
    }
    Some(format!(
        "No column looks like {}. The query returns: {}. Pick the right columns below, or choose a query that returns them.",
        missing.join(" or "),
        if p.columns.is_empty() {
            "no columns".to_string()
        } else {
            p.columns.join(", ")
        }
    ))
}

/// Caches `audience` as the draft's audience and, when both columns are known (kept from
/// before or guessed), points the draft at the source `make` builds.
async fn cache_audience(
    store: &Store,
    id: i64,
    audience: CachedAudience,
    source_name: &str,
    actor: Actor,
    make: impl FnOnce(String, String) -> AudienceSource,
) -> Result<AudiencePreview> {
    let c = draft(store, id).await?;
    let previous = c.audience.as_ref();
    let keep = |col: Option<&String>| col.filter(|c| audience.columns.contains(c)).cloned();
    let mut preview = preview_of(
        &audience.columns,
        &audience.head,
        audience.row_count as u32,
        store.now(),
        Some(source_name.to_string()),
        None,
    );
    let source = make(
        keep(previous.map(|a| &a.id_column))
            .or(preview.suggested_id_column.clone())
            .unwrap_or_default(),
        keep(previous.map(|a| &a.phone_column))
            .or(preview.suggested_phone_column.clone())
            .unwrap_or_default(),
    );
    preview.fetched_at = store
        .save_audience_snapshot(id, source_name, &audience)
        .await?;
    if !source.id_column.is_empty() && !source.phone_column.is_empty() {
        store
            .update_draft(
                id,
                DraftChanges {
                    audience: Some(source.clone()),
                    ..Default::default()
                },
                actor,
            )
            .await?;
        preview.source = Some(source);
    }
    Ok(preview)
}

/// The draft's cached audience, for the wizard (works offline).
pub async fn audience_preview(store: &Store, id: i64) -> Result<Option<AudiencePreview>> {
    let c = store.campaign(id).await?;
    Ok(store
        .audience_snapshot_head(id, PREVIEW_ROWS as u32)
        .await?
        .map(|(s, count)| {
            preview_of(
                &s.table.columns,
                &s.table.rows,
                count,
                s.fetched_at,
                s.source,
                c.audience,
            )
        }))
}

/// One problem in the template, positioned for the editor.
#[derive(Debug, Clone, Serialize, Type)]
pub struct TemplateProblem {
    pub message: String,
    /// Offset in UTF-16 code units (JavaScript string index) of the problem's `$`.
    pub utf16_offset: u32,
    pub suggestion: Option<String>,
}

/// A character that forces UCS-2, positioned in the text it was found in.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ForcingChar {
    pub ch: String,
    pub utf16_offset: u32,
    /// Its GSM-7 look-alike, if Twilio's smart encoding has one.
    pub look_alike: Option<String>,
}

/// Everything the message step's editor and meter show, recomputed as the user types.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MessageAnalysis {
    pub problems: Vec<TemplateProblem>,
    /// The template rendered for the chosen recipient (empty values as nothing).
    pub preview: String,
    pub encoding: String,
    pub segments: u32,
    pub characters: u32,
    /// Characters of the template itself that force UCS-2.
    pub forcing: Vec<ForcingChar>,
    /// Characters from the recipient's merge values that force UCS-2 (cannot be edited away).
    pub forcing_from_values: Vec<String>,
    /// The template with every look-alike replaced, when that changes it.
    pub smart_template: Option<String>,
    /// Segments of the preview once the look-alikes are replaced.
    pub smart_segments: Option<u32>,
    /// Set when the rendered message is over Twilio's 1,600-character limit.
    pub too_long: Option<String>,
    /// More than 3 segments: allowed, but worth a warning (reference/segments.md).
    pub long_warning: bool,
}

/// Analyses `template` against the audience's `columns`, rendered with `values` (one row,
/// in column order; missing values count as empty).
pub fn analyze_message(template: &str, columns: &[String], values: &[String]) -> MessageAnalysis {
    let aliases: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (problems, preview) = match MergeTemplate::parse(template, &aliases) {
        Ok(t) => {
            let lookup = |a: &str| {
                columns
                    .iter()
                    .position(|c| c == a)
                    .and_then(|i| values.get(i))
                    .map(String::as_str)
            };
            (Vec::new(), t.render(lookup))
        }
        Err(errors) => {
            let problems = errors
                .errors
                .iter()
                .map(|e| {
                    let (utf16_offset, suggestion) = match e {
                        TemplateError::Unterminated { utf16_offset, .. }
                        | TemplateError::EmptyName { utf16_offset, .. } => (*utf16_offset, None),
                        TemplateError::UnknownField {
                            utf16_offset,
                            suggestion,
                            ..
                        } => (*utf16_offset, suggestion.clone()),
                    };
                    TemplateProblem {
                        message: e.to_string(),
                        utf16_offset: utf16_offset as u32,
                        suggestion,
                    }
                })
                .collect();
            (problems, template.to_string())
        }
    };
    let info = segments::count(&preview);
    let template_info = segments::count(template);
    let forcing: Vec<ForcingChar> = template_info
        .non_gsm
        .iter()
        .map(|c| ForcingChar {
            ch: c.ch.clone(),
            utf16_offset: c.utf16_offset,
            look_alike: {
                let replaced = smart_encoding::smart_encode(&c.ch);
                (replaced != c.ch).then_some(replaced)
            },
        })
        .collect();
    let mut forcing_from_values: Vec<String> = info
        .non_gsm
        .iter()
        .map(|c| c.ch.clone())
        .filter(|ch| !forcing.iter().any(|f| &f.ch == ch))
        .collect();
    forcing_from_values.dedup();
    let smart = smart_encoding::smart_encode(template);
    let (smart_template, smart_segments) = if smart != template {
        let smart_preview = smart_encoding::smart_encode(&preview);
        (Some(smart), Some(segments::count(&smart_preview).segments))
    } else {
        (None, None)
    };
    MessageAnalysis {
        problems,
        too_long: segments::check_length(&preview)
            .err()
            .map(|e| e.to_string()),
        long_warning: info.segments > 3,
        preview,
        encoding: info.encoding.as_str().to_string(),
        segments: info.segments,
        characters: info.characters,
        forcing,
        forcing_from_values,
        smart_template,
        smart_segments,
    }
}

/// A row behind one of the summary's counts.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ListedRow {
    /// The row's line in the source (header = line 1).
    pub row: u32,
    pub imis_id: Option<String>,
    pub name: Option<String>,
    pub phone: String,
    pub reason: String,
}

/// A list behind a count, cut at [`LIST_LIMIT`] rows.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct RowList {
    pub total: u32,
    pub rows: Vec<ListedRow>,
}

/// The summary step: the numbers, and who is behind each exclusion count.
#[derive(Debug, Clone, Serialize, Type)]
pub struct DraftSummary {
    pub summary: AudienceSummary,
    pub invalid: RowList,
    pub duplicates: RowList,
    pub opted_out: RowList,
    pub empty_values: RowList,
    pub fetched_at: DateTime<Utc>,
    /// Recipients whose own merge values force UCS-2 although the template alone is GSM-7
    /// (e.g. an accented name): the editor cannot fix these.
    pub ucs2_recipients: u32,
}

/// Prepares the draft's cached audience with its template, as sending would.
pub async fn prepare_draft(
    store: &Store,
    c: &Campaign,
    settings: &Settings,
) -> Result<(Vec<PreparedMessage>, DateTime<Utc>)> {
    let (audience, fetched_at) = draft_audience(store, c).await?;
    Ok((
        prepare_table(store, c, settings, audience).await?,
        fetched_at,
    ))
}

/// The draft's cached audience, to prepare, and when it was fetched.
async fn draft_audience(store: &Store, c: &Campaign) -> Result<(Audience, DateTime<Utc>)> {
    if c.audience.is_none() {
        return Err(Error::Invalid(format!("'{}' has no audience yet", c.name)));
    }
    store.stored_audience(c.id).await?.ok_or_else(|| {
        Error::Invalid(format!(
            "'{}' has no audience yet: import or run it first",
            c.name
        ))
    })
}

/// Rows prepared at a time by [`prepare_table_in_batches`].
pub const PREPARE_BATCH: usize = 16_384;

/// Prepares `audience` (the draft's snapshot, or the audience read afresh at send time)
/// with the campaign's template and columns.
pub async fn prepare_table(
    store: &Store,
    c: &Campaign,
    settings: &Settings,
    audience: impl Into<Audience>,
) -> Result<Vec<PreparedMessage>> {
    let audience = audience.into();
    // The count may come from the database: a hint, not a promise.
    let out = Vec::with_capacity(audience.rows.len().min(1 << 20));
    prepare_table_in_batches(
        store,
        c,
        settings,
        audience,
        |m| m,
        out,
        |out, batch| {
            out.extend(batch);
            Ok(())
        },
    )
    .await
}

/// [`prepare_table`], each batch of prepared messages handed to `sink` (with its
/// `state`, given back at the end) as soon as it is made: the scheduler records a million
/// messages this way with only a few batches in memory. An error from `sink` stops the
/// preparation with that error.
pub async fn prepare_table_in_batches<T: Send + 'static, S: Send + 'static>(
    store: &Store,
    c: &Campaign,
    settings: &Settings,
    audience: impl Into<Audience>,
    into: impl Fn(PreparedMessage) -> T + Send + 'static,
    mut state: S,
    sink: impl Fn(&mut S, Vec<T>) -> std::result::Result<(), String> + Send + 'static,
) -> Result<S> {
    let source = c
        .audience
        .as_ref()
        .ok_or_else(|| Error::Invalid(format!("'{}' has no audience yet", c.name)))?;
    if c.template.trim().is_empty() {
        return Err(Error::Invalid(format!("'{}' has no message yet", c.name)));
    }
    let Audience { columns, rows } = audience.into();
    let aliases: Vec<&str> = columns.iter().map(String::as_str).collect();
    let template =
        MergeTemplate::parse(&c.template, &aliases).map_err(|e| Error::Invalid(e.to_string()))?;
    let region =
        Region::parse(&settings.default_region()).map_err(|e| Error::Invalid(e.to_string()))?;
    let opted_out = store
        .opted_out_numbers(&settings.opt_out_sender(), c.mode)
        .await?;
    let (id_column, phone_column, skip_empty) = (
        source.id_column.clone(),
        source.phone_column.clone(),
        c.skip_empty,
    );
    // Preparing a large audience is CPU work: keep it off the async workers.
    tokio::task::spawn_blocking(move || {
        let spec = PrepareSpec {
            id_column: &id_column,
            phone_column: &phone_column,
            template: &template,
            region,
            skip_empty,
            opted_out: &opted_out,
        };
        let mut preparer = prepare::Preparer::new(&columns, &spec, prepare::default_threads())?;
        rows.for_each_batch(PREPARE_BATCH, |batch| {
            let prepared = preparer.prepare_rows(&batch)?;
            drop(batch);
            sink(&mut state, prepared.into_iter().map(&into).collect())
        })
        .map_err(|e| e.to_string())?;
        Ok(state)
    })
    .await
    .map_err(|e| Error::Invalid(format!("preparing the audience failed: {e}")))?
    .map_err(Error::Invalid)
}

/// The window a campaign sends in: its own, else (a draft) the Settings' one.
pub fn campaign_window(c: &Campaign, settings: &Settings) -> crate::window::SendingWindow {
    c.send_window
        .as_ref()
        .and_then(|spec| crate::window::SendingWindow::from_spec(spec).ok())
        .unwrap_or_else(|| settings.sending_window())
}

/// The summary of what scheduling the draft for `start` (or now) would send.
pub async fn draft_summary(
    store: &Store,
    id: i64,
    start: Option<DateTime<Utc>>,
) -> Result<DraftSummary> {
    let c = store.campaign(id).await?;
    let settings = store.settings().await?;
    let (audience, fetched_at) = draft_audience(store, &c).await?;
    // Added up a batch at a time as the audience is prepared: a million recipients are
    // summarised without keeping their messages.
    let template_is_gsm = segments::count(&c.template).encoding == Encoding::Gsm7;
    let found = prepare_table_in_batches(
        store,
        &c,
        &settings,
        audience,
        |m| m,
        Findings::default(),
        move |found, batch| {
            batch.iter().for_each(|m| found.add(m, template_is_gsm));
            Ok(())
        },
    )
    .await?;
    Ok(DraftSummary {
        summary: plan(store, &c, &settings, found.tally, start).await?,
        invalid: found.invalid,
        duplicates: found.duplicates,
        opted_out: found.opted_out,
        empty_values: found.empty_values,
        fetched_at,
        ucs2_recipients: found.ucs2_recipients,
    })
}

/// The summary of `tally` for sending `c` from `start` (or now), inside its window. A TEST
/// campaign is planned without the cap, the real cap shown as it stands, untouched.
async fn plan(
    store: &Store,
    c: &Campaign,
    settings: &Settings,
    tally: prepare::SummaryTally,
    start: Option<DateTime<Utc>>,
) -> Result<AudienceSummary> {
    let usage = store.segment_usage_by_day().await?;
    let window = campaign_window(c, settings);
    let mut summary = tally.summarize(
        settings.send_limits(c.mode),
        settings.price_per_segment(),
        &usage,
        store.now(),
        start,
        Some((&window, settings.fallback_zone())),
    );
    if c.mode != Mode::Live {
        let real = settings.send_limits(Mode::Live);
        summary.counts_against_cap = false;
        summary.daily_cap = real.daily_cap;
        summary.cap_left_today = cap_left(real, &usage, real.day_of(store.now()));
        summary.cap_zone = real.day_zone.name().to_string();
    }
    Ok(summary)
}

/// What the summary step shows, added up one prepared message at a time.
#[derive(Default)]
struct Findings {
    tally: prepare::SummaryTally,
    invalid: RowList,
    duplicates: RowList,
    opted_out: RowList,
    empty_values: RowList,
    ucs2_recipients: u32,
}

impl Findings {
    fn add(&mut self, m: &PreparedMessage, template_is_gsm: bool) {
        self.tally.add(m);
        let list = match &m.exclusion {
            None => {
                self.ucs2_recipients += u32::from(template_is_gsm && m.encoding == Encoding::Ucs2);
                return;
            }
            Some(Exclusion::Duplicate { .. }) => &mut self.duplicates,
            Some(Exclusion::OptedOut { .. }) => &mut self.opted_out,
            Some(Exclusion::EmptyField { .. }) => &mut self.empty_values,
            Some(_) => &mut self.invalid,
        };
        list.total += 1;
        if list.rows.len() < LIST_LIMIT {
            list.rows.push(ListedRow {
                row: m.row_index + 2,
                imis_id: m.imis_id.clone(),
                name: m.member_name.clone(),
                phone: m.phone_raw.clone(),
                reason: m.reason().unwrap_or_default(),
            });
        }
    }
}

/// How a person confirmed a LIVE send. TEST campaigns need no confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// Nothing was confirmed: a LIVE campaign is refused.
    None,
    /// The window's dialog: the person confirmed sending to this many recipients. Refused
    /// when the count is no longer what they saw.
    Recipients(u32),
    /// `herald-cli campaign schedule --yes`.
    Yes,
}

/// Schedules a draft after checking it as sending will: an audience, a valid template,
/// someone to send to, the pre-flight checks and, for LIVE, the person's confirmation.
/// Records the audience size the summary showed.
pub async fn schedule(
    store: &Store,
    id: i64,
    at: Option<DateTime<Utc>>,
    actor: Actor,
    confirmation: Confirmation,
    secrets: &dyn SecretStore,
    directory: impl FnOnce() -> Result<Directory>,
) -> Result<Campaign> {
    let c = draft(store, id).await?;
    if c.mode == Mode::Live && confirmation == Confirmation::None {
        return Err(Error::Conflict(format!(
            "'{}' is LIVE: it sends real texts, so scheduling it must be confirmed (herald-cli: add --yes)",
            c.name
        )));
    }
    if at.is_some_and(|t| t < store.now() - chrono::Duration::minutes(1)) {
        return Err(Error::Invalid(
            "the scheduled time is in the past; choose a later time or send now".into(),
        ));
    }
    let settings = store.settings().await?;
    let checks = crate::preflight::check(&c, &settings, secrets, directory).await;
    if !checks.passed() {
        return Err(Error::Conflict(format!(
            "'{}' cannot be scheduled yet. {}",
            c.name,
            checks.problems().join(". ")
        )));
    }
    if !store.has_audience_snapshot(id).await? {
        // Nothing cached (a campaign made from a file by the CLI): the audience is read
        // afresh at send time, which checks it then.
        return store.schedule(id, at, actor).await;
    }
    let summary = draft_summary(store, id, at).await?;
    let to_send = summary.summary.to_send;
    if to_send == 0 {
        return Err(Error::Invalid(format!(
            "'{}' has nobody to send to: every row is excluded",
            c.name
        )));
    }
    if let (Mode::Live, Confirmation::Recipients(confirmed)) = (c.mode, confirmation) {
        if confirmed != to_send {
            return Err(Error::Conflict(format!(
                "'{}' now sends to {to_send} recipients, not the {confirmed} you confirmed: check the summary again",
                c.name
            )));
        }
    }
    store.set_summary_audience(id, i64::from(to_send)).await?;
    store.schedule(id, at, actor).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::secrets::MemorySecrets;
    use crate::store::test_support::{new_draft, store};

    fn demo() -> Result<Directory> {
        Ok(Directory::demo())
    }

    /// Schedules a TEST draft as the window would (no confirmation needed, no secrets).
    async fn schedule_test(store: &Store, id: i64, at: Option<DateTime<Utc>>) -> Result<Campaign> {
        schedule(
            store,
            id,
            at,
            Actor::User,
            Confirmation::None,
            &MemorySecrets::default(),
            demo,
        )
        .await
    }

    const CSV: &str = "ID,FirstName,LastName,Mobile\n\
        1,Zoë,Brown,(201) 555-0123\n\
        2,Ann,Brown,201.555.0123\n\
        3,<img src=x onerror=alert(1)>,,N/A\n\
        4,Kim,Lee,201-555-0144\n";

    async fn set_template(store: &Store, id: i64, template: &str) {
        let changes = DraftChanges {
            template: Some(template.into()),
            ..Default::default()
        };
        store.update_draft(id, changes, Actor::User).await.unwrap();
    }

    async fn draft_with_csv(store: &Store) -> i64 {
        let id = new_draft(store, "Dues").await;
        import_csv(store, id, "members.csv", CSV.as_bytes(), Actor::User)
            .await
            .unwrap();
        id
    }

    #[tokio::test]
    async fn csv_import_caches_the_audience_and_guesses_the_columns() {
        let (store, clock, _dir) = store().await;
        let id = draft_with_csv(&store).await;
        let p = audience_preview(&store, id).await.unwrap().unwrap();
        assert_eq!((p.row_count, p.columns.len()), (4, 4));
        assert_eq!(p.fetched_at, clock.now());
        assert_eq!(
            (
                p.suggested_id_column.as_deref(),
                p.suggested_phone_column.as_deref()
            ),
            (Some("ID"), Some("Mobile"))
        );
        let source = store.campaign(id).await.unwrap().audience.unwrap();
        assert_eq!(
            (source.csv.as_deref(), source.id_column.as_str()),
            (Some("members.csv"), "ID")
        );

        // Past the preview limit, the count stays whole and the rows are the first ones, in order.
        let many: String = std::iter::once("ID,Mobile\n".to_string())
            .chain((0..250).map(|i| format!("{i},201-555-{:04}\n", i)))
            .collect();
        let big = new_draft(&store, "Big").await;
        import_csv(&store, big, "big.csv", many.as_bytes(), Actor::User)
            .await
            .unwrap();
        let p = audience_preview(&store, big).await.unwrap().unwrap();
        assert_eq!((p.row_count, p.rows.len()), (250, PREVIEW_ROWS));
        assert_eq!(p.rows[0], ["0", "201-555-0000"]);
        assert_eq!(p.rows[PREVIEW_ROWS - 1][0], (PREVIEW_ROWS - 1).to_string());
        assert_eq!(p.source_name.as_deref(), Some("big.csv"));

        let err = import_csv(&store, id, "bad.csv", b"ID,Mobile\n1,2,3\n", Actor::User)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad.csv: line 2: this row has 3 fields but the header names 2 columns"
        );
        assert_eq!(
            audience_preview(&store, id)
                .await
                .unwrap()
                .unwrap()
                .row_count,
            4,
            "a bad file changes nothing"
        );
    }

    #[tokio::test]
    async fn summary_lists_who_is_behind_each_count() {
        let (store, _clock, _dir) = store().await;
        let id = draft_with_csv(&store).await;
        set_template(&store, id, "Hi ${FirstName}").await;
        store
            .add_opt_out(crate::store::NewOptOut {
                sender: crate::store::ALL_SENDERS,
                phone_e164: "+12015550144",
                source: crate::store::OptOutSource::Manual,
                campaign_id: None,
                reply_id: None,
                note: None,
                at: store.now(),
            })
            .await
            .unwrap();
        let s = draft_summary(&store, id, None).await.unwrap();
        assert_eq!((s.summary.contacts_pulled, s.summary.to_send), (4, 1));
        assert_eq!(
            (s.invalid.total, s.duplicates.total, s.opted_out.total),
            (1, 1, 1)
        );
        assert_eq!(
            s.invalid.rows[0].name.as_deref(),
            Some("<img src=x onerror=alert(1)>")
        );
        assert_eq!(
            s.invalid.rows[0].row, 4,
            "row numbers count the header as line 1"
        );
        assert_eq!(s.duplicates.rows[0].reason, "duplicate of 1");
        assert_eq!(s.ucs2_recipients, 1, "Zoë's own name forces UCS-2");
    }

    /// The summary is added up batch by batch as the audience is prepared: over more than
    /// one batch it is what summing every prepared message at once gives, and each list is
    /// cut at LIST_LIMIT rows across batches while its total counts them all.
    #[tokio::test]
    async fn a_summary_over_several_batches_is_the_summary_of_every_message() {
        let (store, _clock, _dir) = store().await;
        let id = new_draft(&store, "Big").await;
        let mut csv = String::from("ID,FirstName,Mobile\n");
        let rows = PREPARE_BATCH + 1_500;
        for i in 0..rows {
            let number = |k: usize| format!("+12012{:02}{:04}", k / 10_000, k % 10_000);
            // Fewer than LIST_LIMIT of each in the first batch, more in all.
            let phone = match i % 33 {
                0 => "12".to_string(), // invalid
                2 => number(i - 1),    // the row before's: a duplicate
                _ => number(i),
            };
            let name = if i % 7 == 0 { "Zoë" } else { "Jo" };
            csv.push_str(&format!("{i},{name},{phone}\n"));
        }
        import_csv(&store, id, "big.csv", csv.as_bytes(), Actor::User)
            .await
            .unwrap();
        set_template(&store, id, "Hi ${FirstName}").await;
        let s = draft_summary(&store, id, None).await.unwrap();

        let c = store.campaign(id).await.unwrap();
        let settings = store.settings().await.unwrap();
        let (all, _) = prepare_draft(&store, &c, &settings).await.unwrap();
        assert_eq!(all.len(), rows);
        let mut whole = prepare::SummaryTally::default();
        all.iter().for_each(|m| whole.add(m));
        let whole = plan(&store, &c, &settings, whole, None).await.unwrap();
        assert_eq!(s.summary, whole);

        let invalid: Vec<u32> = all
            .iter()
            .filter(|m| matches!(m.exclusion, Some(Exclusion::InvalidPhone { .. })))
            .map(|m| m.row_index + 2)
            .collect();
        assert!(invalid.len() > LIST_LIMIT, "{} invalid", invalid.len());
        let in_first_batch = invalid
            .iter()
            .filter(|&&row| (row as usize) < PREPARE_BATCH + 2);
        assert!(
            in_first_batch.count() < LIST_LIMIT,
            "the list fills up in the second batch"
        );
        assert_eq!(s.invalid.total as usize, invalid.len());
        assert_eq!(
            s.invalid.rows.iter().map(|r| r.row).collect::<Vec<_>>(),
            invalid[..LIST_LIMIT]
        );
        let duplicates = all
            .iter()
            .filter(|m| matches!(m.exclusion, Some(Exclusion::Duplicate { .. })))
            .count();
        assert!(duplicates > LIST_LIMIT);
        assert_eq!(s.duplicates.total as usize, duplicates);
        assert_eq!(s.duplicates.rows.len(), LIST_LIMIT);
        let ucs2 = all
            .iter()
            .filter(|m| m.exclusion.is_none() && m.encoding == Encoding::Ucs2)
            .count();
        assert!(ucs2 > 0);
        assert_eq!(s.ucs2_recipients as usize, ucs2);
    }

    #[tokio::test]
    async fn scheduling_checks_the_draft_as_sending_will() {
        let (store, clock, _dir) = store().await;
        let id = draft_with_csv(&store).await;
        set_template(&store, id, "Hi ${FirstNme}").await;
        let err = schedule_test(&store, id, None).await.unwrap_err();
        assert!(
            err.to_string().contains("did you mean ${FirstName}?"),
            "{err}"
        );
        set_template(&store, id, "Hi ${FirstName}").await;
        let past = clock.now() - chrono::Duration::hours(1);
        assert!(schedule_test(&store, id, Some(past))
            .await
            .unwrap_err()
            .to_string()
            .contains("in the past"));
        assert_eq!(
            store.campaign(id).await.unwrap().status,
            CampaignStatus::Draft
        );
        let at = clock.now() + chrono::Duration::days(1);
        let c = schedule_test(&store, id, Some(at)).await.unwrap();
        assert_eq!(
            (c.status, c.scheduled_at, c.summary_audience),
            (CampaignStatus::Scheduled, Some(at), Some(2))
        );
        let err = import_csv(&store, id, "m.csv", CSV.as_bytes(), Actor::User)
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::Conflict);
    }

    #[tokio::test]
    async fn nobody_to_send_to_is_refused() {
        let (store, _clock, _dir) = store().await;
        let id = new_draft(&store, "Empty").await;
        import_csv(&store, id, "m.csv", b"ID,Mobile\n1,N/A\n", Actor::User)
            .await
            .unwrap();
        set_template(&store, id, "Hello").await;
        let err = schedule_test(&store, id, None).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "'Empty' has nobody to send to: every row is excluded"
        );
    }

    #[test]
    fn analysis_reports_forcing_characters_at_editor_offsets() {
        let columns = vec!["FirstName".to_string()];
        let a = analyze_message("😜 It’s ${FirstName}", &columns, &["Zoë".to_string()]);
        assert_eq!((a.encoding.as_str(), a.segments), ("UCS-2", 1));
        assert_eq!(a.preview, "😜 It’s Zoë");
        let chars: Vec<(&str, u32)> = a
            .forcing
            .iter()
            .map(|f| (f.ch.as_str(), f.utf16_offset))
            .collect();
        assert_eq!(
            chars,
            [("😜", 0), ("’", 5)],
            "UTF-16 offsets: the emoji takes two units"
        );
        assert_eq!(a.forcing[1].look_alike.as_deref(), Some("'"));
        assert_eq!(a.forcing_from_values, ["ë"]);
        assert!(a.problems.is_empty());

        let a = analyze_message("It’s… ${FirstNme}", &columns, &[]);
        assert_eq!(a.problems.len(), 1);
        assert_eq!(
            (
                a.problems[0].utf16_offset,
                a.problems[0].suggestion.as_deref()
            ),
            (6, Some("FirstName"))
        );
        assert_eq!(a.smart_template.as_deref(), Some("It's... ${FirstNme}"));

        let long = "a".repeat(500);
        let a = analyze_message(&long, &columns, &[]);
        assert!(a.long_warning && a.too_long.is_none());
        assert!(analyze_message(&"a".repeat(1601), &columns, &[])
            .too_long
            .is_some());
    }
}
