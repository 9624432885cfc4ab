//! Audience preparation: from rows, the chosen ID and phone columns and the template, one
//! prepared message per row, each either ready to send or recorded with the reason it
//! will not be. No row is ever dropped silently.

use super::audience::AudienceTable;
use super::phone::{self, Region};
use super::segments::{self, Encoding};
use super::summary::{self, DayUsage, SendLimits, SendPlan};
use super::template::MergeTemplate;
use crate::status::MessageStatus;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use specta::Type;
use std::collections::HashMap;

/// The numbers on the opt-out list, each with the local date it was put on it.
pub type OptedOut = HashMap<String, NaiveDate>;

/// Why a row will not be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Exclusion {
    NoId,
    NoPhone,
    InvalidPhone {
        reason: String,
    },
    Landline,
    BodyTooLong {
        characters: u32,
    },
    /// Another row earlier in the audience has the same number and is sent instead.
    Duplicate {
        of_imis_id: String,
    },
    /// On the opt-out list since `since` (the local date the number was put on it).
    OptedOut {
        since: NaiveDate,
    },
    EmptyField {
        field: String,
    },
}

impl Exclusion {
    /// Error rows can never be sent; skipped rows were deliberately left out.
    pub fn status(&self) -> MessageStatus {
        match self {
            Self::Duplicate { .. } | Self::OptedOut { .. } | Self::EmptyField { .. } => {
                MessageStatus::Skipped
            }
            _ => MessageStatus::Error,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Self::NoId => "no iMIS ID".into(),
            Self::NoPhone => "no phone number".into(),
            Self::InvalidPhone { reason } => format!("invalid phone number: {reason}"),
            Self::Landline => "landline number: it cannot receive texts".into(),
            Self::BodyTooLong { characters } => {
                format!(
                    "the message is {characters} characters long after merging; the limit is 1600"
                )
            }
            Self::Duplicate { of_imis_id } => format!("duplicate of {of_imis_id}"),
            Self::OptedOut { since } => format!("opted out on {}", since.format("%-d %b %Y")),
            Self::EmptyField { field } => format!("empty value in ${{{field}}}"),
        }
    }
}

/// One recipient row, prepared.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct PreparedMessage {
    pub row_index: u32,
    pub imis_id: Option<String>,
    pub member_name: Option<String>,
    pub phone_raw: String,
    pub to_e164: Option<String>,
    pub body: String,
    #[specta(type = String)]
    pub encoding: Encoding,
    pub segments: u32,
    pub status: MessageStatus,
    pub exclusion: Option<Exclusion>,
    /// The zones the number may be in (libphonenumber's; `["Etc/Unknown"]` or empty when
    /// unknown).
    #[serde(skip)]
    pub time_zones: &'static [&'static str],
}

impl PreparedMessage {
    /// The zone key stored with the message ([`time_zones::key_of`]).
    ///
    /// [`time_zones::key_of`]: crate::compose::time_zones::key_of
    pub fn zone_key(&self) -> Option<String> {
        crate::compose::time_zones::key_of(self.time_zones)
    }

    fn placeholder() -> Self {
        Self {
            row_index: 0,
            imis_id: None,
            member_name: None,
            phone_raw: String::new(),
            to_e164: None,
            body: String::new(),
            encoding: Encoding::Gsm7,
            segments: 0,
            status: MessageStatus::Preparing,
            exclusion: None,
            time_zones: &[],
        }
    }

    pub fn reason(&self) -> Option<String> {
        self.exclusion.as_ref().map(Exclusion::describe)
    }
}

/// How to prepare an audience.
pub struct PrepareSpec<'a> {
    pub id_column: &'a str,
    pub phone_column: &'a str,
    pub template: &'a MergeTemplate,
    pub region: Region,
    pub skip_empty: bool,
    /// E.164 numbers on the opt-out list, with the date each was put on it.
    pub opted_out: &'a OptedOut,
}

/// The column(s) that name a member, guessed from common iMIS aliases.
fn name_columns(columns: &[String]) -> Vec<usize> {
    let find = |names: &[&str]| {
        columns.iter().position(|c| {
            let c = c.to_ascii_lowercase().replace(['_', ' '], "");
            names.contains(&c.as_str())
        })
    };
    if let Some(i) = find(&[
        "fullname",
        "name",
        "displayname",
        "informalname",
        "membername",
    ]) {
        return vec![i];
    }
    [
        find(&["firstname", "first"]),
        find(&["lastname", "last", "surname"]),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Prepares every row. Rendering, phone parsing and segment counting run on all cores;
/// opt-outs and duplicates are then settled in row order (the first row with a number wins).
pub fn prepare(
    table: &AudienceTable,
    spec: &PrepareSpec<'_>,
) -> Result<Vec<PreparedMessage>, String> {
    prepare_with_threads(table, spec, default_threads())
}

/// The threads preparation uses: every core, at most 8.
pub fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

/// [`prepare`] on at most `threads` threads (the benchmark's single-thread baseline uses 1).
pub fn prepare_with_threads(
    table: &AudienceTable,
    spec: &PrepareSpec<'_>,
    threads: usize,
) -> Result<Vec<PreparedMessage>, String> {
    Preparer::new(&table.columns, spec, threads)?.prepare_rows(&table.rows)
}

/// Prepares an audience batch by batch, in row order, so that a file of any length is
/// prepared in bounded memory: what it keeps between batches is one entry per number
/// already seen (for duplicates). The rows of one batch are prepared on `threads` threads.
pub struct Preparer<'a> {
    spec: &'a PrepareSpec<'a>,
    threads: usize,
    id_col: usize,
    phone_col: usize,
    names: Vec<usize>,
    index: HashMap<&'a str, usize>,
    address: (Option<usize>, Option<usize>),
    /// Zones by (state, country), as found so far.
    places: HashMap<(String, String), Option<&'static [&'static str]>>,
    /// The iMIS ID of the first row with each number (the key: [`number_key`]).
    first_with: HashMap<u128, Box<str>>,
    next_row: u32,
}

impl<'a> Preparer<'a> {
    /// Checks that the chosen ID and phone columns are among `columns`.
    pub fn new(
        columns: &'a [String],
        spec: &'a PrepareSpec<'a>,
        threads: usize,
    ) -> Result<Self, String> {
        super::audience::require_columns(columns, spec.id_column, spec.phone_column)?;
        let position = |alias: &str| columns.iter().position(|c| c == alias).unwrap_or(0);
        Ok(Self {
            spec,
            threads: threads.max(1),
            id_col: position(spec.id_column),
            phone_col: position(spec.phone_column),
            names: name_columns(columns),
            index: columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.as_str(), i))
                .collect(),
            address: crate::compose::address_zones::address_columns(columns),
            places: HashMap::new(),
            first_with: HashMap::new(),
            next_row: 0,
        })
    }

    /// Prepares the next rows of the audience (row indexes continue from the last batch).
    pub fn prepare_rows(&mut self, rows: &[Vec<String>]) -> Result<Vec<PreparedMessage>, String> {
        let first_row = self.next_row;
        let chunk = rows.len().div_ceil(self.threads).max(1024);
        // Every worker fills its own slice of the result in place: one copy of the output
        // in memory, never two. Empty placeholders allocate nothing.
        let mut prepared: Vec<PreparedMessage> = Vec::with_capacity(rows.len());
        prepared.resize_with(rows.len(), PreparedMessage::placeholder);
        let this = &*self;
        let finished = std::thread::scope(|scope| {
            let work = |c: usize, out: &mut [PreparedMessage], rows: &[Vec<String>]| {
                let mut buffer = String::new();
                for (i, (slot, row)) in out.iter_mut().zip(rows).enumerate() {
                    let row_index = first_row + (c * chunk + i) as u32;
                    *slot = this.prepare_row(row_index, row, &mut buffer);
                }
            };
            let mut parts = prepared
                .chunks_mut(chunk)
                .zip(rows.chunks(chunk))
                .enumerate();
            // The calling thread does the first part itself.
            let own = parts.next();
            let workers: Vec<_> = parts
                .map(|(c, (out, rows))| scope.spawn(move || work(c, out, rows)))
                .collect();
            if let Some((c, (out, rows))) = own {
                work(c, out, rows);
            }
            workers.into_iter().all(|w| w.join().is_ok())
        });
        if !finished {
            return Err("preparing the audience failed part-way; nothing was recorded".into());
        }
        self.next_row = first_row.saturating_add(rows.len() as u32);
        self.place_by_address(rows, &mut prepared);
        self.settle(&mut prepared);
        Ok(prepared)
    }

    /// Opt-outs, then duplicates, in row order.
    fn settle(&mut self, prepared: &mut [PreparedMessage]) {
        for m in prepared.iter_mut() {
            if m.exclusion.is_some() {
                continue;
            }
            let Some(to) = m.to_e164.as_deref() else {
                continue;
            };
            let exclusion = if let Some(&since) = self.spec.opted_out.get(to) {
                Some(Exclusion::OptedOut { since })
            } else {
                match self.first_with.entry(number_key(to)) {
                    std::collections::hash_map::Entry::Occupied(first) => {
                        Some(Exclusion::Duplicate {
                            of_imis_id: first.get().to_string(),
                        })
                    }
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        slot.insert(m.imis_id.as_deref().unwrap_or_default().into());
                        None
                    }
                }
            };
            if let Some(e) = exclusion {
                m.status = e.status();
                m.exclusion = Some(e);
            }
        }
    }

    /// Where the audience has address columns (state or province, country), a member's
    /// zone comes from the address rather than the number (a mobile moves with its owner).
    fn place_by_address(&mut self, rows: &[Vec<String>], prepared: &mut [PreparedMessage]) {
        let (state_col, country_col) = self.address;
        if state_col.is_none() && country_col.is_none() {
            return;
        }
        let cell = |row: &'_ [String], col: Option<usize>| -> String {
            col.and_then(|i| row.get(i))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        for (m, row) in prepared.iter_mut().zip(rows) {
            if m.to_e164.is_none() {
                continue;
            }
            let key = (cell(row, state_col), cell(row, country_col));
            let zones = *self
                .places
                .entry(key)
                .or_insert_with_key(|(state, country)| {
                    crate::compose::address_zones::zones_for(state, country)
                });
            if let Some(zones) = zones {
                m.time_zones = zones;
            }
        }
    }

    fn prepare_row(&self, row_index: u32, row: &[String], buffer: &mut String) -> PreparedMessage {
        prepare_row(
            row_index,
            row,
            self.id_col,
            self.phone_col,
            &self.names,
            &self.index,
            self.spec,
            buffer,
        )
    }
}

/// A number in E.164 as a key: its digits (with a leading 1, so that no two numbers share
/// one); a sixth of the memory of the text for the million numbers of a large audience.
fn number_key(e164: &str) -> u128 {
    e164.bytes()
        .filter(u8::is_ascii_digit)
        .fold(1u128, |key, b| {
            key.wrapping_mul(10).wrapping_add(u128::from(b - b'0'))
        })
}

#[allow(clippy::too_many_arguments)]
fn prepare_row(
    row_index: u32,
    row: &[String],
    id_col: usize,
    phone_col: usize,
    names: &[usize],
    index: &HashMap<&str, usize>,
    spec: &PrepareSpec<'_>,
    buffer: &mut String,
) -> PreparedMessage {
    let cell = |i: usize| row.get(i).map(|v| v.trim()).unwrap_or("");
    let imis_id = Some(cell(id_col))
        .filter(|v| !v.is_empty())
        .map(str::to_string);
    let phone_raw = row.get(phone_col).cloned().unwrap_or_default();
    let member_name = Some(
        names
            .iter()
            .map(|&i| cell(i))
            .filter(|v| !v.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
    )
    .filter(|n| !n.is_empty());
    let mut message = PreparedMessage {
        row_index,
        imis_id,
        member_name,
        phone_raw,
        to_e164: None,
        body: String::new(),
        encoding: Encoding::Gsm7,
        segments: 0,
        status: MessageStatus::Preparing,
        exclusion: None,
        time_zones: &[],
    };
    let exclude = |mut m: PreparedMessage, e: Exclusion| {
        m.status = e.status();
        m.exclusion = Some(e);
        m
    };
    if message.imis_id.is_none() {
        return exclude(message, Exclusion::NoId);
    }
    match phone::parse(&message.phone_raw, spec.region) {
        Err(phone::PhoneError::Empty) => return exclude(message, Exclusion::NoPhone),
        Err(e) => {
            return exclude(
                message,
                Exclusion::InvalidPhone {
                    reason: e.to_string(),
                },
            )
        }
        Ok(number) => {
            message.to_e164 = Some(number.e164().to_string());
            message.time_zones = crate::compose::time_zones::zones_static(&number);
            if !number.is_sendable() {
                return exclude(message, Exclusion::Landline);
            }
        }
    }
    let lookup = |alias: &str| {
        index
            .get(alias)
            .and_then(|&i| row.get(i))
            .map(String::as_str)
    };
    if let Err(empty) = spec
        .template
        .render_checked_into(buffer, lookup, spec.skip_empty)
    {
        return exclude(message, Exclusion::EmptyField { field: empty.field });
    }
    message.body = buffer.clone();
    (message.encoding, message.segments) = segments::cost(&message.body);
    if segments::check_length(&message.body).is_err() {
        let characters = message.body.chars().count() as u32;
        return exclude(message, Exclusion::BodyTooLong { characters });
    }
    message
}

/// The numbers behind the wizard's summary step.
#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct AudienceSummary {
    pub contacts_pulled: u32,
    pub to_send: u32,
    /// Rows that can never be sent (no ID, no phone, invalid or landline number, too long).
    pub invalid: u32,
    pub duplicates: u32,
    pub opted_out: u32,
    pub empty_values: u32,
    pub estimated_segments: u64,
    pub ucs2_messages: u32,
    pub price_per_segment: f64,
    pub estimated_cost: f64,
    pub daily_cap: u64,
    /// The cap less what is sent or reserved today (UTC) by other campaigns.
    pub cap_left_today: u64,
    /// False for a TEST campaign: it sends nothing real, so the real daily cap (shown
    /// above for information) neither limits its plan nor is used up by it.
    pub counts_against_cap: bool,
    pub plan: SendPlan,
    /// The sending window the plan honours; `None`: any hour.
    pub window: Option<crate::window::WindowSpec>,
    /// Recipients to send to by time zone, most first.
    pub zones: Vec<ZoneCount>,
    /// Recipients whose zone is unknown: the fallback zone's window applies to them.
    pub unknown_zone: u32,
    /// The zone used when a member's own is unknown.
    pub fallback_zone: String,
    /// The zone of the daily cap's day (its figures are per day there).
    pub cap_zone: String,
}

/// How many recipients are in one time zone (several: a number that can't be placed
/// more precisely).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct ZoneCount {
    /// As stored ("America/New_York", several joined by `&`).
    pub zone: String,
    /// As staff read it ("America/New_York"; several: see [`crate::window::zones_label`]).
    pub label: String,
    pub recipients: u32,
}

/// Summarises a prepared audience for sending from `start` (or now, if earlier), at any
/// hour.
pub fn summarize(
    prepared: &[PreparedMessage],
    limits: SendLimits,
    price_per_segment: f64,
    usage: &DayUsage,
    now: DateTime<Utc>,
    start: Option<DateTime<Utc>>,
) -> AudienceSummary {
    summarize_in(prepared, limits, price_per_segment, usage, now, start, None)
}

/// [`summarize`] for a campaign whose texts arrive only inside `window` (with the zone
/// used for recipients whose own is unknown).
pub fn summarize_in(
    prepared: &[PreparedMessage],
    limits: SendLimits,
    price_per_segment: f64,
    usage: &DayUsage,
    now: DateTime<Utc>,
    start: Option<DateTime<Utc>>,
    window: Option<(&crate::window::SendingWindow, chrono_tz::Tz)>,
) -> AudienceSummary {
    let mut tally = SummaryTally::default();
    prepared.iter().for_each(|m| tally.add(m));
    tally.summarize(limits, price_per_segment, usage, now, start, window)
}

/// The counts behind an [`AudienceSummary`], added up one prepared message at a time (so
/// that a streamed audience is summarised without being kept).
#[derive(Debug, Default)]
pub struct SummaryTally {
    contacts: u32,
    to_send: u32,
    invalid: u32,
    duplicates: u32,
    opted_out: u32,
    empty_values: u32,
    segments: u64,
    ucs2: u32,
    /// Recipients and segments by zone list; the lists are shared statics, so their
    /// address is the key.
    by_zones: HashMap<usize, (&'static [&'static str], u32, u64)>,
}

impl SummaryTally {
    pub fn add(&mut self, m: &PreparedMessage) {
        self.contacts += 1;
        match &m.exclusion {
            None => {
                self.to_send += 1;
                self.segments += u64::from(m.segments);
                let entry = self
                    .by_zones
                    .entry(m.time_zones.as_ptr() as usize)
                    .or_insert((m.time_zones, 0, 0));
                entry.1 += 1;
                entry.2 += u64::from(m.segments);
                if m.encoding == Encoding::Ucs2 {
                    self.ucs2 += 1;
                }
            }
            Some(Exclusion::Duplicate { .. }) => self.duplicates += 1,
            Some(Exclusion::OptedOut { .. }) => self.opted_out += 1,
            Some(Exclusion::EmptyField { .. }) => self.empty_values += 1,
            Some(_) => self.invalid += 1,
        }
    }

    /// The summary for sending from `start` (or now, if earlier), inside `window` when
    /// given (with the zone used for recipients whose own is unknown).
    pub fn summarize(
        self,
        limits: SendLimits,
        price_per_segment: f64,
        usage: &DayUsage,
        now: DateTime<Utc>,
        start: Option<DateTime<Utc>>,
        window: Option<(&crate::window::SendingWindow, chrono_tz::Tz)>,
    ) -> AudienceSummary {
        let mut s = AudienceSummary {
            contacts_pulled: self.contacts,
            to_send: self.to_send,
            invalid: self.invalid,
            duplicates: self.duplicates,
            opted_out: self.opted_out,
            empty_values: self.empty_values,
            estimated_segments: self.segments,
            ucs2_messages: self.ucs2,
            price_per_segment,
            estimated_cost: 0.0,
            daily_cap: limits.daily_cap,
            cap_left_today: summary::cap_left(limits, usage, limits.day_of(now)),
            counts_against_cap: true,
            plan: summary::plan(0, now, limits, usage),
            window: window.map(|(w, _)| w.spec()).filter(|w| w.enabled),
            zones: Vec::new(),
            unknown_zone: 0,
            fallback_zone: window
                .map(|(_, z)| z.name().to_string())
                .unwrap_or_default(),
            cap_zone: limits.day_zone.name().to_string(),
        };
        s.estimated_cost =
            (s.estimated_segments as f64 * price_per_segment * 10_000.0).round() / 10_000.0;
        let start = start.map_or(now, |t| t.max(now));
        // Lists with the same zones (from different prefixes) count together.
        let mut groups: Vec<(Option<String>, u32, u64)> = Vec::new();
        for (zones, recipients, segments) in self.by_zones.into_values() {
            let key = crate::compose::time_zones::key_of(zones);
            match groups.iter_mut().find(|g| g.0 == key) {
                Some(g) => {
                    g.1 += recipients;
                    g.2 += segments;
                }
                None => groups.push((key, recipients, segments)),
            }
        }
        groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        for (key, recipients, _) in &groups {
            match key {
                None => s.unknown_zone += recipients,
                Some(zone) => {
                    let names: Vec<&str> = zone.split('&').collect();
                    s.zones.push(ZoneCount {
                        zone: zone.clone(),
                        label: crate::window::zones_label(&names),
                        recipients: *recipients,
                    });
                }
            }
        }
        s.plan = match window {
            Some((w, fallback)) if w.enabled => {
                let loads: Vec<summary::ZoneLoad> = groups
                    .iter()
                    .map(|(key, _, segments)| summary::ZoneLoad {
                        zones: crate::window::deciding_zones(w, key.as_deref(), fallback, start),
                        segments: *segments,
                    })
                    .collect();
                summary::plan_windowed(&loads, start, limits, usage, w)
            }
            _ => summary::plan(s.estimated_segments, start, limits, usage),
        };
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compose::summary::SendLimits;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn table(rows: &[[&str; 4]]) -> AudienceTable {
        AudienceTable {
            columns: ["ID", "FirstName", "LastName", "Mobile"]
                .map(String::from)
                .to_vec(),
            rows: rows.iter().map(|r| r.map(String::from).to_vec()).collect(),
        }
    }

    fn run(
        t: &AudienceTable,
        template: &str,
        skip_empty: bool,
        opted_out: &[&str],
    ) -> Vec<PreparedMessage> {
        let aliases: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        let template = MergeTemplate::parse(template, &aliases).unwrap();
        let since = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let opted_out: OptedOut = opted_out.iter().map(|s| (s.to_string(), since)).collect();
        let spec = PrepareSpec {
            id_column: "ID",
            phone_column: "Mobile",
            template: &template,
            region: Region::parse("US").unwrap(),
            skip_empty,
            opted_out: &opted_out,
        };
        prepare(t, &spec).unwrap()
    }

    #[test]
    fn an_address_places_a_member_before_the_number_does() {
        let t = AudienceTable {
            columns: ["ID", "FirstName", "Mobile", "State", "Country"]
                .map(String::from)
                .to_vec(),
            rows: [
                ["1", "Ann", "+1 212 555 0142", "CA", "USA"],
                ["2", "Ben", "+1 212 555 0143", "", ""],
                ["3", "Cy", "+1 213 555 0144", "Texas", ""],
                ["4", "Di", "+44 7400 123456", "", "United Kingdom"],
            ]
            .iter()
            .map(|r| r.map(String::from).to_vec())
            .collect(),
        };
        let aliases: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        let template = MergeTemplate::parse("Hi ${FirstName}", &aliases).unwrap();
        let opted_out = OptedOut::new();
        let spec = PrepareSpec {
            id_column: "ID",
            phone_column: "Mobile",
            template: &template,
            region: Region::parse("US").unwrap(),
            skip_empty: false,
            opted_out: &opted_out,
        };
        let keys: Vec<Option<String>> = prepare(&t, &spec)
            .unwrap()
            .iter()
            .map(PreparedMessage::zone_key)
            .collect();
        assert_eq!(
            keys,
            [
                Some("America/Los_Angeles".to_string()), // a New York number, living in California
                Some("America/New_York".to_string()),    // no address: the number
                Some("America/Chicago&America/Denver".to_string()),
                Some("Europe/London".to_string()),
            ]
        );
    }

    #[test]
    fn every_row_gets_a_message_or_a_reason() {
        let t = table(&[
            ["1", "Zoë", "Brown", "(201) 555-0123"],
            ["2", "Ann", "Brown", "201.555.0123"],
            ["3", "Lee", "", "N/A"],
            ["", "Bob", "", "201 555 0199"],
            ["5", "Élodie", "Roy", "+44 20 7946 0018"],
            ["6", "Max", "", "(555) 201-3344"],
            ["7", "Opt", "Out", "201-555-0177"],
            ["8", "", "Nameless", "201-555-0166"],
        ]);
        let m = run(&t, "Hi ${FirstName}", true, &["+12015550177"]);
        assert_eq!(m.len(), 8, "no row is dropped");
        let reasons: Vec<Option<String>> = m.iter().map(PreparedMessage::reason).collect();
        assert_eq!(
            reasons,
            [
                None,
                Some("duplicate of 1".into()),
                Some("no phone number".into()),
                Some("no iMIS ID".into()),
                Some("landline number: it cannot receive texts".into()),
                Some("invalid phone number: not a valid number for US".into()),
                Some("opted out on 3 Dec 2026".into()),
                Some("empty value in ${FirstName}".into()),
            ]
        );
        let statuses: Vec<MessageStatus> = m.iter().map(|m| m.status).collect();
        use MessageStatus::*;
        assert_eq!(
            statuses,
            [Preparing, Skipped, Error, Error, Error, Error, Skipped, Skipped]
        );
        assert_eq!(m[0].body, "Hi Zoë");
        assert_eq!((m[0].encoding, m[0].segments), (Encoding::Ucs2, 1));
        assert_eq!(m[0].member_name.as_deref(), Some("Zoë Brown"));
        assert_eq!(m[0].to_e164.as_deref(), Some("+12015550123"));
    }

    #[test]
    fn without_skip_empty_values_render_as_nothing_and_are_sent() {
        let t = table(&[["8", "", "Nameless", "201-555-0166"]]);
        let m = run(&t, "Hi ${FirstName}!", false, &[]);
        assert_eq!(
            (m[0].status, m[0].body.as_str()),
            (MessageStatus::Preparing, "Hi !")
        );
    }

    #[test]
    fn a_skipped_first_row_does_not_block_the_next_one_with_that_number() {
        let t = table(&[
            ["1", "", "A", "201-555-0123"],
            ["2", "Bea", "B", "201-555-0123"],
        ]);
        let m = run(&t, "Hi ${FirstName}", true, &[]);
        assert_eq!(m[0].status, MessageStatus::Skipped);
        assert_eq!(
            (m[1].status, m[1].body.as_str()),
            (MessageStatus::Preparing, "Hi Bea")
        );
    }

    #[test]
    fn merged_bodies_over_the_limit_are_errors() {
        let long = "x".repeat(1600);
        let t = table(&[["1", long.as_str(), "", "201-555-0123"]]);
        let m = run(&t, "Hello ${FirstName}", false, &[]);
        assert_eq!(m[0].status, MessageStatus::Error);
        assert_eq!(
            m[0].reason().unwrap(),
            "the message is 1606 characters long after merging; the limit is 1600"
        );
    }

    #[test]
    fn missing_columns_are_named() {
        let t = table(&[]);
        let aliases: Vec<&str> = t.columns.iter().map(String::as_str).collect();
        let template = MergeTemplate::parse("x", &aliases).unwrap();
        let spec = PrepareSpec {
            id_column: "iMIS ID",
            phone_column: "Mobile",
            template: &template,
            region: Region::parse("US").unwrap(),
            skip_empty: false,
            opted_out: &OptedOut::new(),
        };
        let err = prepare(&t, &spec).unwrap_err();
        assert_eq!(err, "the audience has no column 'iMIS ID'; its columns are: ID, FirstName, LastName, Mobile");
    }

    #[test]
    fn the_summary_counts_and_prices() {
        let t = table(&[
            ["1", "Zoë", "Brown", "(201) 555-0123"],
            ["2", "Ann", "Brown", "201.555.0123"],
            ["3", "Lee", "", "N/A"],
            ["4", "Kim", "", "201-555-0144"],
            ["7", "Opt", "Out", "201-555-0177"],
        ]);
        let m = run(&t, "Hi ${FirstName}", false, &["+12015550177"]);
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap();
        let limits = SendLimits {
            rate_per_second: 1.0,
            daily_cap: 100,
            day_zone: chrono_tz::Tz::UTC,
        };
        let usage: DayUsage = [(now.date_naive(), 40)].into();
        let s = summarize(&m, limits, 0.0083, &usage, now, None);
        assert_eq!(
            (
                s.contacts_pulled,
                s.to_send,
                s.invalid,
                s.duplicates,
                s.opted_out
            ),
            (5, 2, 1, 1, 1)
        );
        assert_eq!((s.estimated_segments, s.ucs2_messages), (2, 1));
        assert_eq!(s.estimated_cost, 0.0166);
        assert_eq!(s.cap_left_today, 60);
        assert_eq!(s.plan.finish, now + chrono::Duration::seconds(2));
        let earlier = now - chrono::Duration::hours(3);
        assert_eq!(
            summarize(&m, limits, 0.0083, &usage, now, Some(earlier))
                .plan
                .start,
            now,
            "never in the past"
        );
    }

    proptest! {
        /// Never two messages to one number in a campaign, whatever the rows; every row accounted for.
        #[test]
        fn never_twice_to_one_number(picks in proptest::collection::vec((0u8..6, any::<bool>()), 0..60)) {
            let numbers = ["201-555-0123", "(201) 555 0123", "+1 201 555 0124", "201.555.0125", "N/A", "12"];
            let rows: Vec<[String; 4]> = picks.iter().enumerate().map(|(i, (n, named))| {
                [i.to_string(), if *named { "Ann".into() } else { String::new() }, String::new(), numbers[*n as usize].into()]
            }).collect();
            let t = AudienceTable {
                columns: ["ID", "FirstName", "LastName", "Mobile"].map(String::from).to_vec(),
                rows: rows.iter().map(|r| r.to_vec()).collect(),
            };
            let m = run(&t, "Hi ${FirstName}", true, &[]);
            prop_assert_eq!(m.len(), rows.len());
            let mut sent = std::collections::HashSet::new();
            for msg in m.iter().filter(|m| m.status == MessageStatus::Preparing) {
                prop_assert!(sent.insert(msg.to_e164.clone().unwrap()), "two messages to one number");
            }
            for msg in &m {
                prop_assert_eq!(msg.exclusion.is_some(), msg.status != MessageStatus::Preparing);
            }
        }
    }
}
