//! The campaign report: built from the database, emailed through the configured SMTP
//! server when a campaign completes (and on request), with the per-message results as a
//! CSV attachment. Sending is durable: an outbox row per trigger, retried with backoff,
//! never sent twice for the same trigger.

use crate::campaign::Mode;
use crate::error::{Error, Result, StorageContext};
use crate::secrets::{SecretName, SecretStore, Sensitive};
use crate::settings::{SettingKey, Settings};
use crate::store::{MessageRow, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use specta::Type;
use std::time::Duration;

mod attachment;
pub use attachment::{Attached, PLAIN_MAX, ZIPPED_MAX};

/// A report, ready to send.
#[derive(Debug, Clone)]
pub struct Report {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The per-message CSV's file name (inside the ZIP file when it is zipped).
    pub csv_name: String,
    pub attached: Attached,
}

/// A file an email carries: its name, MIME type and bytes.
pub struct EmailFile {
    pub name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

impl Attached {
    /// The file an email carries of a report whose CSV is called `csv_name`; none when the
    /// CSV is too large for an email.
    pub fn into_file(self, csv_name: &str) -> Option<EmailFile> {
        let (name, mime, bytes) = match self {
            Self::Csv(bytes) => (csv_name.to_string(), "text/csv; charset=utf-8", bytes),
            Self::Zip { bytes, .. } => (zip_name(csv_name), "application/zip", bytes),
            Self::TooLarge { .. } => return None,
        };
        Some(EmailFile { name, mime, bytes })
    }
}

/// The name of a campaign's per-message CSV: short enough for every mail program and a ZIP
/// file's entry (255 bytes), whatever the script of the campaign's name.
fn csv_name(campaign: &str) -> String {
    let stem = file_stem(campaign);
    format!(
        "{}-messages.csv",
        attachment::fit(&stem, 120).trim_end_matches('-')
    )
}

/// `x-messages.csv` → `x-messages.zip`.
fn zip_name(csv_name: &str) -> String {
    format!("{}.zip", csv_name.strip_suffix(".csv").unwrap_or(csv_name))
}

/// A size in words: "47.3 MB".
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// What the email says of its attachment.
fn attachment_words(attached: &Attached, csv_name: &str) -> String {
    const WHAT: &str = "every recipient and what became of their message";
    match attached {
        Attached::Csv(_) => format!("The attached CSV lists {WHAT}."),
        Attached::Zip { csv_len, .. } => format!(
            "The attached ZIP file, {}, holds {csv_name} ({} as CSV), which lists {WHAT}; it is zipped to fit in an email.",
            zip_name(csv_name),
            megabytes(*csv_len)
        ),
        Attached::TooLarge { csv_len } => format!(
            "The list of {WHAT} is too large for an email ({} as CSV, too large even zipped), so it is not attached. To save it, open the campaign in Herald, clear any search or filter above its messages, and choose Export CSV.",
            megabytes(*csv_len)
        ),
    }
}

/// Text for HTML: member and campaign data is untrusted.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The per-message results as CSV (the dashboard's Export, the report's attachment and
/// `campaign messages --format csv`), shaped for staff: columns in words, statuses and
/// errors explained, times in `zone` with the zone named; the columns machines match on
/// (Twilio's SID and status, the error code, UTC times) come last.
pub fn messages_csv(rows: &[MessageRow], zone: chrono_tz::Tz) -> Result<Vec<u8>> {
    let mut w = MessagesCsv::new(zone)?;
    for r in rows {
        w.push(r)?;
    }
    w.finish()
}

/// [`messages_csv`] written one row at a time into `W` (the report and the export stream a
/// campaign's messages from the database into it, so that a million rows are never all in
/// memory as rows).
pub struct MessagesCsv<W: std::io::Write = Vec<u8>> {
    w: csv::Writer<W>,
    zone: chrono_tz::Tz,
}

fn csv_error(e: csv::Error) -> Error {
    Error::Invalid(format!("could not write CSV: {e}"))
}

impl MessagesCsv {
    pub fn new(zone: chrono_tz::Tz) -> Result<Self> {
        Self::into_writer(vec![], zone)
    }
}

impl<W: std::io::Write> MessagesCsv<W> {
    /// The CSV written into `inner`, its header first.
    pub fn into_writer(inner: W, zone: chrono_tz::Tz) -> Result<Self> {
        let mut w = crate::csv_out::writer(inner);
        w.write_record(MESSAGE_COLUMNS).map_err(csv_error)?;
        Ok(Self { w, zone })
    }

    pub fn push(&mut self, r: &MessageRow) -> Result<()> {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        self.w
            .write_record([
                opt(&r.member_name),
                opt(&r.imis_id),
                opt(&r.phone_raw),
                opt(&r.to),
                r.status.in_words().to_string(),
                what_happened(r),
                r.twilio_segments.unwrap_or(r.segments).to_string(),
                cost_in_words(r.price.as_deref(), r.price_unit.as_deref()),
                r.sent_at
                    .map(|t| crate::zone::local_time(t, self.zone))
                    .unwrap_or_default(),
                writeback_in_words(&r.writeback).to_string(),
                r.reply_kind
                    .map(|k| k.in_words().to_string())
                    .unwrap_or_default(),
                opt(&r.twilio_sid),
                opt(&r.twilio_status),
                r.error_code.map(|c| c.to_string()).unwrap_or_default(),
                r.sent_at.map(crate::zone::utc_time).unwrap_or_default(),
                crate::zone::utc_time(r.updated_at),
            ])
            .map_err(csv_error)
    }

    pub fn finish(self) -> Result<W> {
        self.w
            .into_inner()
            .map_err(|e| Error::Invalid(format!("could not write CSV: {e}")))
    }
}

impl<W: std::io::Write + Send + 'static> MessagesCsv<W> {
    /// Writes the rows `read` hands to its [`RowSender`] (batches, as the store streams
    /// them) on a thread of its own, and returns what they were written into and how many
    /// there were. Writing a million rows (and, for the report, deflating them) takes
    /// seconds: on the reading task it held up an async worker all that time (the report
    /// stage of a million-message campaign took 18.6 s that way, 8.7 s this way, `cargo
    /// bench --bench campaign`). The reading waits for the writer rather than rows piling
    /// up in memory. A failed read leaves the CSV short: its error is returned, not the CSV.
    pub async fn write_off_thread<R, Reading>(mut self, read: R) -> Result<(W, u64)>
    where
        R: FnOnce(RowSender) -> Reading,
        Reading: std::future::Future<Output = Result<()>>,
    {
        let (batches, mut to_write) = tokio::sync::mpsc::channel::<Vec<MessageRow>>(2);
        let writer = tokio::task::spawn_blocking(move || -> Result<(W, u64)> {
            let mut rows = 0;
            while let Some(batch) = to_write.blocking_recv() {
                for row in &batch {
                    self.push(row)?;
                }
                rows += batch.len() as u64;
            }
            Ok((self.finish()?, rows))
        });
        let read = read(RowSender(batches)).await;
        let written = writer
            .await
            .map_err(|e| Error::Invalid(format!("could not write the CSV: {e}")))??;
        read?;
        Ok(written)
    }
}

/// Hands rows to [`MessagesCsv::write_off_thread`]'s writer.
pub struct RowSender(tokio::sync::mpsc::Sender<Vec<MessageRow>>);

impl RowSender {
    /// Waits while the writer is two batches behind. Fails when the writer has stopped on
    /// an error (which `write_off_thread` returns), so the reading stops too.
    pub async fn send(&self, batch: Vec<MessageRow>) -> Result<()> {
        self.0
            .send(batch)
            .await
            .map_err(|_| Error::Invalid("the CSV writer stopped".into()))
    }
}

/// The header of [`messages_csv`].
pub const MESSAGE_COLUMNS: [&str; 16] = [
    "Member",
    "iMIS ID",
    "Phone (as in iMIS)",
    "Texted to",
    "Status",
    "What happened",
    "Segments",
    "Cost",
    "Sent (local time)",
    "iMIS write-back",
    "Their reply",
    "Twilio message SID",
    "Twilio status",
    "Error code",
    "Sent (UTC)",
    "Last update (UTC)",
];

/// Why a message ended as it did, in words: Twilio's error explained, or Herald's reason
/// for not sending it.
fn what_happened(r: &MessageRow) -> String {
    match (r.error_code, &r.error_message, &r.status_reason) {
        (Some(code), Some(m), _) => format!("{m} (error {code})"),
        (Some(code), None, _) => format!("error {code}"),
        (None, Some(m), _) => m.clone(),
        (None, None, Some(reason)) => reason.clone(),
        (None, None, None) => String::new(),
    }
}

/// Twilio's price ("-0.00790", a charge) as the amount paid: "0.0079 USD".
fn cost_in_words(price: Option<&str>, unit: Option<&str>) -> String {
    let Some(amount) = price.and_then(|p| p.trim().parse::<f64>().ok()) else {
        return String::new();
    };
    let unit = unit.unwrap_or("USD").to_uppercase();
    format!("{:.4} {unit}", amount.abs())
}

/// The iMIS write-back state as staff read it; empty when the campaign does not write back.
fn writeback_in_words(state: &str) -> &str {
    match state {
        "done" => "Recorded",
        "pending" | "in_flight" => "Waiting",
        "failed" => "Failed",
        "not_needed" => "",
        other => other,
    }
}

/// A campaign's report as figures and words: what the email says and the app's Report
/// view shows. Times are in `zone` (the workstation's), which the view names.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ReportView {
    pub campaign_id: i64,
    pub name: String,
    pub mode: Mode,
    pub status: String,
    /// The IANA name of the zone the times are in.
    pub zone: String,
    pub scheduled: Option<String>,
    pub started: Option<String>,
    pub completed: Option<String>,
    /// When these figures were read.
    pub generated: String,
    pub recipients: i64,
    pub counts: Vec<ReportCount>,
    /// "97.5%", or none before anything was delivered or not.
    pub delivery_rate: Option<String>,
    pub segments: String,
    pub cost: String,
    /// The most frequent errors, most frequent first (at most five).
    pub errors: Vec<ReportError>,
    pub writes_back: bool,
    pub writeback: String,
    /// What members texted back so far, by kind (kinds with none left out).
    pub replies: Vec<ReportCount>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ReportCount {
    pub label: String,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct ReportError {
    pub code: i64,
    pub count: i64,
    pub explanation: String,
}

/// A kind of reply as the report's counts name it.
fn reply_label(kind: crate::replies::ReplyKind) -> &'static str {
    use crate::replies::ReplyKind::*;
    match kind {
        PossibleOptOut => "Asked to stop in their own words (confirm in Herald)",
        Reply => "Other replies",
        other => other.in_words(),
    }
}

/// Reads the report of a campaign from the database as it is now.
pub async fn view(store: &Store, campaign_id: i64, zone: chrono_tz::Tz) -> Result<ReportView> {
    let detail = store.campaign_detail(campaign_id).await?;
    let c = &detail.campaign;
    let n = &detail.counts;
    let errors = store.error_codes(campaign_id).await?;
    let writeback = store.writeback_status(Some(campaign_id)).await?;
    // Segments and cost as the dashboard works them out. Twilio prices a message some
    // time after sending it: the report says how many it has not priced yet.
    let figures = crate::stats::sending_stats(store, campaign_id).await?;
    let (estimated, actual) = (figures.segments_estimated, figures.segments_reported);
    let (estimate_cost, priced) = (figures.cost_estimated, figures.cost_actual);
    let cost = format!(
        "{estimate_cost:.2} USD estimated, {priced:.2} USD priced by Twilio so far{}",
        match figures.messages_unpriced {
            0 => String::new(),
            1 => " (1 message not priced yet)".into(),
            n => format!(" ({n} messages not priced yet)"),
        }
    );
    let local = |t: Option<DateTime<Utc>>| t.map(|t| crate::zone::local_time(t, zone));
    let by_kind = store.reply_counts(campaign_id).await?;
    let replies = crate::replies::ReplyKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let count = by_kind
                .iter()
                .find(|(k, _)| *k == kind)
                .map_or(0, |(_, n)| *n);
            (count > 0).then(|| ReportCount {
                label: reply_label(kind).into(),
                count,
            })
        })
        .collect();
    let counts = [
        ("Delivered", n.delivered),
        ("Sent, awaiting report", n.sent),
        ("Undelivered", n.undelivered),
        ("Failed", n.failed),
        ("Not sendable (invalid or missing number)", n.error),
        ("Skipped", n.skipped),
        ("Canceled", n.canceled),
        ("Waiting to send", n.preparing),
    ]
    .into_iter()
    .map(|(label, count)| ReportCount {
        label: label.into(),
        count,
    })
    .collect();
    Ok(ReportView {
        campaign_id,
        name: c.name.clone(),
        mode: c.mode,
        status: c.status.to_string(),
        zone: zone.name().to_string(),
        scheduled: local(c.scheduled_at),
        started: local(c.started_at),
        completed: local(c.completed_at),
        generated: crate::zone::local_time(store.now(), zone),
        recipients: n.total,
        counts,
        delivery_rate: n.delivered_rate().map(|r| format!("{:.1}%", r * 100.0)),
        segments: format!("{estimated} estimated, {actual} reported by Twilio"),
        cost,
        errors: errors
            .iter()
            .take(5)
            .map(|e| ReportError {
                code: e.error_code,
                count: e.count,
                explanation: e.explanation.clone(),
            })
            .collect(),
        writes_back: c.mode == Mode::Live && c.write_back != crate::campaign::WriteBackTarget::None,
        writeback: format!(
            "{} done, {} waiting, {} failed",
            writeback.done,
            writeback.pending + writeback.in_flight,
            writeback.failed
        ),
        replies,
    })
}

/// Builds the report email of a campaign from the database as it is now, times in the
/// workstation's zone.
pub async fn build(store: &Store, campaign_id: i64) -> Result<Report> {
    build_in(store, campaign_id, crate::zone::workstation()).await
}

/// [`build`], times in `zone`.
pub async fn build_in(store: &Store, campaign_id: i64, zone: chrono_tz::Tz) -> Result<Report> {
    let v = view(store, campaign_id, zone).await?;
    let csv_name = csv_name(&v.name);
    let modified = store.now().with_timezone(&zone).naive_local();
    let (sink, _) = MessagesCsv::into_writer(attachment::Sink::new(), zone)?
        .write_off_thread(|rows| async move {
            store
                .for_each_message_batch(campaign_id, |batch| rows.send(batch))
                .await
        })
        .await?;
    let attached = sink
        .finish(&csv_name, modified)
        .map_err(|e| Error::Invalid(format!("could not zip the CSV: {e}")))?;
    let test = v.mode == Mode::Test;
    let mode = if test { "TEST" } else { "LIVE" };
    let dash = |t: &Option<String>| t.clone().unwrap_or_else(|| "—".into());
    let rate = dash(&v.delivery_rate);
    let delivered = v.counts.first().map(|c| c.count).unwrap_or(0);
    let submitted: i64 = v.counts.iter().take(4).map(|c| c.count).sum();
    let subject = format!(
        "[{mode}] Herald report: {} — {delivered} of {submitted} delivered",
        v.name
    );
    let facts: Vec<(&str, String)> = vec![
        ("Campaign", v.name.clone()),
        (
            "Mode",
            if test {
                "TEST — simulated, nothing was sent or written to iMIS".into()
            } else {
                mode.into()
            },
        ),
        ("Status", v.status.clone()),
        ("Scheduled", dash(&v.scheduled)),
        ("Started", dash(&v.started)),
        ("Completed", dash(&v.completed)),
        ("Recipients", v.recipients.to_string()),
        ("Delivery rate", rate),
        ("Segments", v.segments.clone()),
        ("Cost", v.cost.clone()),
    ];
    let writeback = if v.writes_back {
        format!("iMIS write-back: {}", v.writeback)
    } else {
        "iMIS write-back: none (this campaign does not record texts in iMIS)".into()
    };
    let zone_note = format!("Times are in {}.", v.zone);
    let attachment = attachment_words(&attached, &csv_name);

    let mut text = format!(
        "Herald campaign report{}\n\n",
        if test {
            " (TEST: no text was sent)"
        } else {
            ""
        }
    );
    for (label, value) in &facts {
        text.push_str(&format!("{label}: {value}\n"));
    }
    text.push_str("\nMessages:\n");
    for c in &v.counts {
        text.push_str(&format!("  {}: {}\n", c.label, c.count));
    }
    if !v.errors.is_empty() {
        text.push_str("\nMost frequent errors:\n");
        for e in &v.errors {
            text.push_str(&format!("  {} × {}: {}\n", e.count, e.code, e.explanation));
        }
    }
    if !v.replies.is_empty() {
        text.push_str("\nReplies so far:\n");
        for c in &v.replies {
            text.push_str(&format!("  {}: {}\n", c.label, c.count));
        }
    }
    text.push_str(&format!("\n{writeback}\n\n{zone_note} {attachment}\n"));

    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2330\"><h1 style=\"font-size:20px\">{}{}</h1><table cellpadding=\"4\" style=\"border-collapse:collapse\">",
        escape_html(&v.name),
        if test { " <span style=\"color:#8a5a00\">(TEST)</span>" } else { "" }
    );
    for (label, value) in facts.iter().skip(1) {
        html.push_str(&format!(
            "<tr><th align=\"left\">{}</th><td>{}</td></tr>",
            label,
            escape_html(value)
        ));
    }
    html.push_str("</table>");
    html_counts(&mut html, "Messages", &v.counts);
    if !v.errors.is_empty() {
        html.push_str("<h2 style=\"font-size:16px\">Most frequent errors</h2><ul>");
        for e in &v.errors {
            html.push_str(&format!(
                "<li>{} × {}: {}</li>",
                e.count,
                e.code,
                escape_html(&e.explanation)
            ));
        }
        html.push_str("</ul>");
    }
    if !v.replies.is_empty() {
        html_counts(&mut html, "Replies so far", &v.replies);
    }
    html.push_str(&format!(
        "<p>{}</p><p>{} {}</p></body></html>",
        escape_html(&writeback),
        escape_html(&zone_note),
        escape_html(&attachment)
    ));
    Ok(Report {
        subject,
        text,
        html,
        csv_name,
        attached,
    })
}

/// A heading and a two-column table of counts, for the report's HTML.
fn html_counts(html: &mut String, heading: &str, rows: &[ReportCount]) {
    html.push_str(&format!(
        "<h2 style=\"font-size:16px\">{}</h2><table cellpadding=\"4\">",
        escape_html(heading)
    ));
    for c in rows {
        html.push_str(&format!(
            "<tr><td>{}</td><td align=\"right\">{}</td></tr>",
            escape_html(&c.label),
            c.count
        ));
    }
    html.push_str("</table>");
}

/// A campaign's name as a file name's stem: letters and digits kept, the rest dashes.
pub fn file_stem(name: &str) -> String {
    let slug: String = name
        .chars()
        .map(|ch| if ch.is_alphanumeric() { ch } else { '-' })
        .collect();
    let mut out = String::with_capacity(slug.len());
    for ch in slug.trim_matches('-').chars() {
        if !(ch == '-' && out.ends_with('-')) {
            out.push(ch);
        }
    }
    if out.is_empty() {
        "campaign".into()
    } else {
        out
    }
}

/// How Herald reaches the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    StartTls,
    Tls,
    None,
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: Option<Sensitive>,
    pub from: String,
    pub timeout: Duration,
    /// Extra trusted roots (PEM), for a private CA or a test server: HERALD_EXTRA_CA_FILE.
    pub extra_roots: Option<Vec<u8>>,
}

impl SmtpConfig {
    pub fn from_settings(
        settings: &Settings,
        secrets: &dyn SecretStore,
    ) -> std::result::Result<Self, String> {
        let host = settings.get(SettingKey::SmtpHost);
        if host.is_empty() {
            return Err("no SMTP server is set: add it in Settings → Email".into());
        }
        let from = settings.get(SettingKey::SmtpFrom);
        if from.is_empty() {
            return Err(
                "no From address is set for report emails: add it in Settings → Email".into(),
            );
        }
        let security = match settings.get(SettingKey::SmtpSecurity).as_str() {
            "tls" => Security::Tls,
            "none" => Security::None,
            _ => Security::StartTls,
        };
        let username = settings.get(SettingKey::SmtpUsername);
        let password = if username.is_empty() {
            None
        } else {
            Some(
                secrets
                    .get(SecretName::SmtpPassword)
                    .map_err(|e| e.to_string())?
                    .ok_or("no SMTP password is stored: add it in Settings → Email")?,
            )
        };
        let extra_roots = match std::env::var_os("HERALD_EXTRA_CA_FILE") {
            Some(p) => Some(
                std::fs::read(&p)
                    .map_err(|e| format!("could not read HERALD_EXTRA_CA_FILE: {e}"))?,
            ),
            None => None,
        };
        Ok(Self {
            host,
            port: settings.get(SettingKey::SmtpPort).parse().unwrap_or(587),
            security,
            username,
            password,
            from,
            timeout: Duration::from_secs(30),
            extra_roots,
        })
    }

    fn transport(
        &self,
    ) -> std::result::Result<lettre::AsyncSmtpTransport<lettre::Tokio1Executor>, String> {
        use lettre::transport::smtp::authentication::Credentials;
        use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
        crate::imis::client::install_crypto_provider();
        let tls_params = || -> std::result::Result<TlsParameters, String> {
            let mut b = TlsParameters::builder(self.host.clone());
            if let Some(pem) = &self.extra_roots {
                b = b.add_root_certificate(
                    Certificate::from_pem(pem)
                        .map_err(|e| format!("the extra CA file is not a PEM certificate: {e}"))?,
                );
            }
            b.build_rustls()
                .map_err(|e| format!("TLS could not be set up: {e}"))
        };
        let tls = match self.security {
            Security::StartTls => Tls::Required(tls_params()?),
            Security::Tls => Tls::Wrapper(tls_params()?),
            Security::None => Tls::None,
        };
        let mut b =
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::builder_dangerous(&self.host)
                .port(self.port)
                .tls(tls)
                .timeout(Some(self.timeout));
        if let Some(p) = &self.password {
            b = b.credentials(Credentials::new(
                self.username.clone(),
                p.expose().to_string(),
            ));
        }
        Ok(b.build())
    }

    /// Sends a report to `to` (its attachment moves into the email, not copied).
    pub async fn send(&self, to: &str, report: Report) -> std::result::Result<(), String> {
        use lettre::message::header::ContentType;
        use lettre::message::{Attachment, MultiPart};
        use lettre::AsyncTransport;
        let file = report.attached.into_file(&report.csv_name);
        let body = MultiPart::alternative_plain_html(report.text, report.html);
        let body = match file {
            Some(f) => MultiPart::mixed()
                .multipart(body)
                .singlepart(Attachment::new(f.name).body(
                    f.bytes,
                    ContentType::parse(f.mime).expect("a valid content type"),
                )),
            None => body,
        };
        let email = lettre::Message::builder()
            .from(
                self.from
                    .parse()
                    .map_err(|e| format!("the From address '{}' is not valid: {e}", self.from))?,
            )
            .to(to
                .parse()
                .map_err(|e| format!("the report address '{to}' is not valid: {e}"))?)
            .subject(report.subject)
            .multipart(body)
            .map_err(|e| format!("the email could not be built: {e}"))?;
        self.transport()?
            .send(email)
            .await
            .map(|_| ())
            .map_err(|e| smtp_words(&e))
    }

    /// "Test connection": connect, secure, log in; nothing is sent.
    pub async fn check(&self) -> std::result::Result<String, String> {
        match self.transport()?.test_connection().await {
            Ok(true) => Ok(format!(
                "Connected to {}:{} and logged in",
                self.host, self.port
            )),
            Ok(false) => Err(format!(
                "{}:{} did not accept the connection",
                self.host, self.port
            )),
            Err(e) => Err(smtp_words(&e)),
        }
    }
}

/// An SMTP failure in words (the password is never part of lettre's errors).
fn smtp_words(e: &lettre::transport::smtp::Error) -> String {
    let mut text = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        text.push_str(": ");
        text.push_str(&s.to_string());
        src = s.source();
    }
    let lower = text.to_lowercase();
    if lower.contains("certificate") || lower.contains("unknownissuer") {
        format!("the SMTP server's certificate could not be verified ({text})")
    } else if lower.contains("535") || lower.contains("authentication") {
        format!("the SMTP server refused the username or password ({text})")
    } else if lower.contains("refused") || lower.contains("connect") {
        format!("Herald could not reach the SMTP server ({text})")
    } else {
        format!("the SMTP server refused the email ({text})")
    }
}

/// A report in the outbox, for the dashboard.
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: i64,
    pub campaign_id: i64,
    pub trigger_key: String,
    pub recipient: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

impl Store {
    /// Queues a report for a trigger ("completed", "resend-…"); a trigger is queued once.
    pub async fn enqueue_report(
        &self,
        campaign_id: i64,
        trigger: &str,
        recipient: &str,
    ) -> Result<bool> {
        let now = self.now();
        Ok(sqlx::query(
            "INSERT INTO report_outbox (campaign_id, trigger_key, recipient, next_attempt_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (campaign_id, trigger_key) DO NOTHING",
        )
        .bind(campaign_id)
        .bind(trigger)
        .bind(recipient)
        .bind(now)
        .execute(self.pool())
        .await
        .context("queue the report")?
        .rows_affected()
            > 0)
    }

    /// The reports of a campaign (or all), newest first.
    pub async fn report_outbox(&self, campaign_id: Option<i64>) -> Result<Vec<OutboxEntry>> {
        sqlx::query_as(
            "SELECT id, campaign_id, trigger_key, recipient, state, attempts, last_error, created_at, sent_at
               FROM report_outbox WHERE ?1 IS NULL OR campaign_id = ?1 ORDER BY id DESC",
        )
        .bind(campaign_id)
        .fetch_all(self.pool())
        .await
        .context("read the report outbox")
    }

    async fn due_reports(&self) -> Result<Vec<(i64, i64, String, i64, DateTime<Utc>)>> {
        sqlx::query_as(
            "SELECT id, campaign_id, recipient, attempts, created_at FROM report_outbox
              WHERE state = 'pending' AND next_attempt_at <= ?1 ORDER BY id LIMIT 20",
        )
        .bind(self.now())
        .fetch_all(self.pool())
        .await
        .context("read the report outbox")
    }

    async fn close_report(
        &self,
        id: i64,
        sent: bool,
        error: Option<&str>,
        next: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let now = self.now();
        let state = if sent {
            "sent"
        } else if next.is_some() {
            "pending"
        } else {
            "failed"
        };
        sqlx::query(
            "UPDATE report_outbox SET state = ?2, attempts = attempts + 1, last_error = ?3,
                    next_attempt_at = COALESCE(?4, next_attempt_at), sent_at = CASE WHEN ?2 = 'sent' THEN ?5 ELSE sent_at END
              WHERE id = ?1 AND state = 'pending'",
        )
        .bind(id)
        .bind(state)
        .bind(error)
        .bind(next)
        .bind(now)
        .execute(self.pool())
        .await
        .context("update the report outbox")?;
        Ok(())
    }

    /// Whether a report is waiting to be sent.
    pub async fn reports_pending(&self) -> Result<bool> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM report_outbox WHERE state = 'pending'")
                .fetch_one(self.pool())
                .await
                .context("read the report outbox")?;
        Ok(n > 0)
    }
}

/// How long the outbox keeps trying.
#[derive(Debug, Clone, Copy)]
pub struct ReportPolicy {
    pub first_delay: Duration,
    pub max_delay: Duration,
    pub give_up_after: Duration,
}

impl Default for ReportPolicy {
    fn default() -> Self {
        Self {
            first_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(3600),
            give_up_after: Duration::from_secs(24 * 3600),
        }
    }
}

/// Sends every due report. Returns how many went out.
pub async fn drain_reports(
    store: &Store,
    secrets: &dyn SecretStore,
    policy: &ReportPolicy,
) -> Result<u32> {
    let due = store.due_reports().await?;
    if due.is_empty() {
        return Ok(0);
    }
    let settings = store.settings().await?;
    let config = SmtpConfig::from_settings(&settings, secrets);
    let mut sent = 0;
    for (id, campaign_id, recipient, attempts, created_at) in due {
        let outcome = match &config {
            Err(e) => Err(e.clone()),
            Ok(cfg) => match build(store, campaign_id).await {
                Ok(report) => cfg.send(&recipient, report).await,
                Err(e) => Err(e.to_string()),
            },
        };
        let misconfigured = config.is_err();
        match outcome {
            Ok(()) => {
                tracing::info!(campaign = campaign_id, "report emailed");
                store.close_report(id, true, None, None).await?;
                sent += 1;
            }
            Err(reason) => {
                let age = (store.now() - created_at).to_std().unwrap_or_default();
                // Nothing to retry until someone sets SMTP up: fail now, visibly; the
                // dashboard can send it again.
                let next = (!misconfigured && age < policy.give_up_after).then(|| {
                    let d = crate::backoff::exponential(
                        policy.first_delay,
                        attempts.clamp(0, 16) as u32,
                        policy.max_delay,
                    );
                    store.now() + chrono::Duration::from_std(d).unwrap_or_default()
                });
                tracing::warn!(campaign = campaign_id, %reason, "the report email failed");
                store.close_report(id, false, Some(&reason), next).await?;
                if next.is_none() {
                    // Given up: in the campaign's history (and so a desktop notification).
                    store
                        .log_event(
                            campaign_id,
                            crate::campaign::Actor::Engine,
                            crate::notices::REPORT_FAILED,
                            Some(&format!(
                                "The report to {recipient} could not be sent: {reason}"
                            )),
                        )
                        .await?;
                }
            }
        }
    }
    Ok(sent)
}

/// The report outbox as a long-running task (like the write-back worker).
pub async fn run_worker(
    store: Store,
    secrets: std::sync::Arc<dyn SecretStore>,
    policy: ReportPolicy,
    idle: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        if *stop.borrow() {
            return;
        }
        let secrets2 = secrets.clone();
        if let Err(e) = drain_reports(&store, secrets2.as_ref(), &policy).await {
            tracing::warn!(error = %e, "the report outbox could not run");
        }
        tokio::select! {
            _ = tokio::time::sleep(idle) => {}
            _ = stop.changed() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::MessageStatus;
    use chrono::TimeZone;

    /// Takes `room` bytes, then fails as a full disk would.
    struct FillsUp {
        room: usize,
    }

    impl std::io::Write for FillsUp {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.room {
                return Err(std::io::Error::other("disk full"));
            }
            self.room -= buf.len();
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn the_csv_written_off_thread_holds_every_row_in_order() {
        let batches: Vec<Vec<MessageRow>> = (0..5)
            .map(|b| {
                (0..300)
                    .map(|i| MessageRow {
                        row_index: b * 300 + i,
                        imis_id: Some((b * 300 + i).to_string()),
                        ..row(MessageStatus::Delivered)
                    })
                    .collect()
            })
            .collect();
        let all: Vec<MessageRow> = batches.iter().flatten().cloned().collect();
        let (csv, rows) = MessagesCsv::new(chrono_tz::Tz::UTC)
            .unwrap()
            .write_off_thread(|sender| async move {
                for batch in batches {
                    sender.send(batch).await?;
                }
                Ok(())
            })
            .await
            .unwrap();
        assert_eq!(rows, 1_500);
        assert_eq!(csv, messages_csv(&all, chrono_tz::Tz::UTC).unwrap());
    }

    #[tokio::test]
    async fn a_failing_csv_writer_stops_the_reading_and_says_why() {
        let mut sent = 0;
        let sent_ref = &mut sent;
        let result = MessagesCsv::into_writer(FillsUp { room: 64 * 1024 }, chrono_tz::Tz::UTC)
            .unwrap()
            .write_off_thread(|sender| async move {
                for _ in 0..1_000 {
                    sender
                        .send(vec![row(MessageStatus::Delivered); 100])
                        .await?;
                    *sent_ref += 1;
                }
                Ok(())
            })
            .await;
        let error = result.err().expect("the writer's error").to_string();
        assert!(error.contains("disk full"), "{error}");
        assert!(sent < 1_000, "the reading went on for {sent} batches");
    }

    #[tokio::test]
    async fn a_failed_read_is_the_error_not_a_short_csv() {
        let result = MessagesCsv::new(chrono_tz::Tz::UTC)
            .unwrap()
            .write_off_thread(|sender| async move {
                sender.send(vec![row(MessageStatus::Delivered)]).await?;
                Err(Error::Invalid("the database went away".into()))
            })
            .await;
        assert_eq!(
            result.err().map(|e| e.to_string()),
            Some(Error::Invalid("the database went away".into()).to_string())
        );
    }

    fn row(status: MessageStatus) -> MessageRow {
        let sent = Utc.with_ymd_and_hms(2026, 12, 6, 14, 14, 59).unwrap()
            + chrono::Duration::nanoseconds(987_654_321);
        MessageRow {
            id: 1,
            row_index: 0,
            imis_id: Some("1042".into()),
            member_name: Some("Zoë Smith".into()),
            phone_raw: Some("(212) 555-0142".into()),
            to: Some("+12125550142".into()),
            status,
            status_reason: None,
            twilio_status: Some("undelivered".into()),
            twilio_sid: Some("SM0123456789abcdef0123456789abcdef".into()),
            error_code: Some(30003),
            error_message: Some("The phone is switched off or out of coverage".into()),
            segments: 2,
            twilio_segments: None,
            price: Some("-0.00790".into()),
            price_unit: Some("usd".into()),
            sent_at: Some(sent),
            updated_at: sent,
            writeback: "done".into(),
            time_zone: Some("America/New_York".into()),
            reply_kind: Some(crate::replies::ReplyKind::OptOut),
        }
    }

    fn records(bytes: Vec<u8>) -> Vec<Vec<String>> {
        csv::Reader::from_reader(bytes.as_slice())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    #[test]
    fn the_export_reads_in_words_with_local_times_and_machine_columns_last() {
        let ny: chrono_tz::Tz = "America/New_York".parse().unwrap();
        let rows = records(messages_csv(&[row(MessageStatus::Undelivered)], ny).unwrap());
        assert_eq!(
            rows[0],
            [
                "Zoë Smith",
                "1042",
                "(212) 555-0142",
                "+12125550142",
                "Undelivered",
                "The phone is switched off or out of coverage (error 30003)",
                "2",
                "0.0079 USD",
                "2026-12-06 09:14 EST",
                "Recorded",
                "Opted out (replied STOP)",
                "SM0123456789abcdef0123456789abcdef",
                "undelivered",
                "30003",
                "2026-12-06T14:14:59Z",
                "2026-12-06T14:14:59Z",
            ]
        );
    }

    #[test]
    fn unsent_messages_say_why_and_leave_times_and_cost_empty() {
        let mut r = row(MessageStatus::Skipped);
        (
            r.error_code,
            r.error_message,
            r.price,
            r.sent_at,
            r.twilio_sid,
        ) = (None, None, None, None, None);
        r.status_reason = Some("Same number as row 3".into());
        r.writeback = "not_needed".into();
        let rows = records(messages_csv(&[r], chrono_tz::Tz::UTC).unwrap());
        let get = |name: &str| {
            let i = MESSAGE_COLUMNS.iter().position(|c| *c == name).unwrap();
            rows[0][i].clone()
        };
        assert_eq!(get("Status"), "Skipped");
        assert_eq!(get("What happened"), "Same number as row 3");
        assert_eq!(get("Cost"), "");
        assert_eq!(get("Sent (local time)"), "");
        assert_eq!(get("iMIS write-back"), "");
        assert_eq!(get("Twilio message SID"), "");
    }

    #[test]
    fn the_csvs_name_keeps_its_ending_however_long_the_campaigns_name() {
        assert_eq!(csv_name("Gala <b>night</b>"), "Gala-b-night-b-messages.csv");
        let cyrillic = "Ежегодное собрание ".repeat(7);
        let name = csv_name(&cyrillic);
        let kept = name
            .strip_suffix("-messages.csv")
            .expect("the CSV's ending");
        assert!(
            !kept.is_empty() && file_stem(&cyrillic).starts_with(kept),
            "{name}"
        );
        assert!(!name.contains("--"), "{name}");
        assert!(
            name.len() <= 120 + "-messages.csv".len(),
            "{} bytes",
            name.len()
        );
        assert_eq!(zip_name(&name), name.replace(".csv", ".zip"));
    }

    #[test]
    fn the_email_says_what_it_attaches_and_where_a_list_too_large_for_it_is() {
        assert_eq!(
            attachment_words(&Attached::Csv(vec![]), "Gala-messages.csv"),
            "The attached CSV lists every recipient and what became of their message."
        );
        let zipped = attachment_words(
            &Attached::Zip {
                bytes: vec![],
                csv_len: 47_298_583,
            },
            "Gala-messages.csv",
        );
        assert!(
            zipped.contains("Gala-messages.zip, holds Gala-messages.csv (47.3 MB as CSV)"),
            "{zipped}"
        );
        let left_out = attachment_words(
            &Attached::TooLarge {
                csv_len: 189_000_000,
            },
            "Gala-messages.csv",
        );
        assert!(
            left_out.contains("too large for an email (189.0 MB as CSV")
                && left_out.contains("not attached")
                && left_out.contains("choose Export CSV"),
            "{left_out}"
        );
    }

    #[test]
    fn file_stems_keep_letters_and_digits() {
        assert_eq!(file_stem("Gala night — 2026!"), "Gala-night-2026");
        assert_eq!(file_stem("Zoë's <b>"), "Zoë-s-b");
        assert_eq!(file_stem("***"), "campaign");
    }
}
