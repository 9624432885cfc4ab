//! `segments`, `phone` and `preview`: the composition rules, scriptable.

use herald_core::campaign::Mode;
use herald_core::compose::audience::{AudienceReader, CsvError};
use herald_core::compose::phone::{self, Region};
use herald_core::compose::prepare::{
    self, OptedOut, PrepareSpec, PreparedMessage, Preparer, SummaryTally,
};
use herald_core::compose::segments;
use herald_core::compose::smart_encoding;
use herald_core::compose::summary::{DayUsage, SendLimits};
use herald_core::compose::template::MergeTemplate;
use herald_core::status::MessageStatus;
use herald_core::{Error, Result};
use serde::Serialize;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use crate::commands::Context;

fn read_stdin() -> Result<String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|source| Error::Io {
            context: "could not read standard input".into(),
            source,
        })?;
    Ok(text)
}

/// `herald-cli segments [--smart-encoding] [TEXT]`
pub fn segments(text: Option<String>, smart: bool) -> Result<String> {
    let body = match text {
        Some(t) => t,
        None => read_stdin()?,
    };
    let body = if smart {
        smart_encoding::smart_encode(&body)
    } else {
        body
    };
    let info = segments::count(&body);
    let mut out = json!({
        "encoding": info.encoding.as_str(),
        "segments": info.segments,
        "characters": info.characters,
        "non_gsm": info.non_gsm.iter().map(|c| c.ch.as_str()).collect::<Vec<_>>(),
    });
    if smart {
        out["body"] = Value::String(body);
    }
    Ok(out.to_string())
}

fn region(ctx_default: &str, flag: Option<String>) -> Result<Region> {
    let code = flag.unwrap_or_else(|| ctx_default.to_string());
    Region::parse(&code).map_err(|e| Error::Invalid(e.to_string()))
}

/// `herald-cli phone [--region CC] [INPUT…]`: one JSON object per input, one per line.
pub async fn phone(
    ctx: &Context,
    region_flag: Option<String>,
    inputs: Vec<String>,
) -> Result<String> {
    let default = match (&region_flag, ctx.store_if_exists().await?) {
        (None, Some(store)) => {
            let region = store.settings().await?.default_region();
            store.close().await;
            region
        }
        _ => "US".to_string(),
    };
    let region = region(&default, region_flag)?;
    let inputs: Vec<String> = if inputs.is_empty() {
        let text = read_stdin()?;
        let text = text.strip_suffix('\n').unwrap_or(&text);
        if text.is_empty() {
            Vec::new()
        } else {
            text.split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
                .collect()
        }
    } else {
        inputs
    };
    let lines: Vec<String> = inputs
        .iter()
        .map(|input| serde_json::to_string(&phone::check(input, region)).unwrap_or_default())
        .collect();
    Ok(lines.join("\n"))
}

pub struct PreviewArgs {
    pub csv: PathBuf,
    pub id_column: String,
    pub phone_column: String,
    pub template: String,
    pub region: Option<String>,
    pub skip_empty: bool,
    pub format: Option<String>,
    pub pretty: bool,
    pub summary_only: bool,
}

/// Rows read, prepared and written at a time: enough to keep both cores busy, few enough
/// that memory stays flat however long the file is.
const PREVIEW_BATCH: usize = 8192;

/// `herald-cli preview --csv FILE …`: prepares the audience and writes every recipient's
/// result to `out` as it goes (JSON: the recipients, then the summary that counts them;
/// CSV: one line per recipient), or only the summary with `--summary-only`. The file is
/// streamed: memory does not grow with its length.
pub async fn preview(ctx: &Context, args: PreviewArgs, out: &mut dyn Write) -> Result<()> {
    let format = args.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "csv") {
        return Err(Error::Invalid(format!(
            "unknown format '{format}': use json or csv"
        )));
    }
    if args.summary_only && format == "csv" {
        return Err(Error::Invalid(
            "--summary-only prints the summary as JSON; leave out --format csv".into(),
        ));
    }
    let open = || {
        std::fs::File::open(&args.csv).map_err(|source| Error::Io {
            context: format!("could not read {}", args.csv.display()),
            source,
        })
    };
    let invalid_csv = |e: CsvError| Error::Invalid(format!("{}: {e}", args.csv.display()));
    // A first pass finds a malformed row before anything is printed (automation relies
    // on a failure printing nothing); it keeps nothing, so memory stays flat.
    AudienceReader::new(open()?)
        .and_then(|mut r| r.check_rest())
        .map_err(invalid_csv)?;
    let mut reader = AudienceReader::new(open()?).map_err(invalid_csv)?;
    let columns = reader.columns().to_vec();
    let aliases: Vec<&str> = columns.iter().map(String::as_str).collect();
    let template = MergeTemplate::parse(&args.template, &aliases)
        .map_err(|e| Error::Invalid(e.to_string()))?;

    let store = ctx.store_if_exists().await?;
    let (settings, opted_out, usage) = match &store {
        Some(s) => {
            let settings = s.settings().await?;
            // What a LIVE send would skip: the real lists (not TEST mode's simulated one).
            let opted_out = s
                .opted_out_numbers(&settings.opt_out_sender(), Mode::Live)
                .await?;
            (settings, opted_out, s.segment_usage_by_day().await?)
        }
        None => (Default::default(), OptedOut::new(), DayUsage::new()),
    };
    if let Some(s) = store {
        s.close().await;
    }
    let region = region(&settings.default_region(), args.region)?;
    let spec = PrepareSpec {
        id_column: &args.id_column,
        phone_column: &args.phone_column,
        template: &template,
        region,
        skip_empty: args.skip_empty,
        opted_out: &opted_out,
    };
    let mut preparer =
        Preparer::new(&columns, &spec, prepare::default_threads()).map_err(Error::Invalid)?;
    let mut output = match (format, args.summary_only) {
        (_, true) => Output::None,
        ("csv", _) => Output::Csv(Box::new(herald_core::csv_out::writer(&mut *out))),
        _ => Output::Json {
            out: &mut *out,
            pretty: args.pretty,
            rows: 0,
            buffer: Vec::new(),
        },
    };
    output.start()?;
    let mut tally = SummaryTally::default();
    // Two stages at once, a batch or two apart: reading and preparing the rows (in row
    // order, on every core), and writing the results. Memory holds a few batches.
    std::thread::scope(|scope| -> Result<()> {
        let (done_tx, done_rx) = mpsc::sync_channel::<Result<Vec<PreparedMessage>>>(1);
        scope.spawn(move || loop {
            let mut rows = Vec::with_capacity(PREVIEW_BATCH);
            let prepared = match reader.next_rows(PREVIEW_BATCH, &mut rows) {
                Ok(0) => return,
                Ok(_) => preparer.prepare_rows(&rows).map_err(Error::Invalid),
                Err(e) => Err(invalid_csv(e)),
            };
            let failed = prepared.is_err();
            if done_tx.send(prepared).is_err() || failed {
                return; // the writer stopped, or the file cannot be read further
            }
        });
        for batch in done_rx {
            for m in &batch? {
                tally.add(m);
                output.recipient(m)?;
            }
        }
        Ok(())
    })?;
    let limits = SendLimits {
        rate_per_second: settings.rate_per_second(),
        daily_cap: settings.daily_segment_cap(),
        day_zone: settings.cap_zone(),
    };
    let window = settings.sending_window();
    let summary = tally.summarize(
        limits,
        settings.price_per_segment(),
        &usage,
        chrono::Utc::now(),
        None,
        Some((&window, settings.fallback_zone())),
    );
    output.finish()?;
    if args.summary_only || format == "json" {
        let summary = if args.pretty {
            serde_json::to_string_pretty(&summary)
        } else {
            serde_json::to_string(&summary)
        }
        .map_err(|e| Error::Invalid(e.to_string()))?;
        if args.summary_only {
            write_all(out, summary.as_bytes())?;
        } else if args.pretty {
            write_all(out, b"  \"summary\": ")?;
            write_all(out, indent(&summary, "  ").as_bytes())?;
            write_all(out, b"\n}")?;
        } else {
            write_all(out, b"\"summary\":")?;
            write_all(out, summary.as_bytes())?;
            write_all(out, b"}")?;
        }
        write_all(out, b"\n")?;
    }
    out.flush().map_err(output_error)
}

/// One recipient as `preview --format json` writes it.
#[derive(Serialize)]
struct RecipientJson<'a> {
    row: u32,
    imis_id: Option<&'a str>,
    name: Option<&'a str>,
    phone: &'a str,
    to: Option<&'a str>,
    status: MessageStatus,
    reason: Option<String>,
    body: &'a str,
    encoding: &'a str,
    segments: u32,
}

impl<'a> From<&'a PreparedMessage> for RecipientJson<'a> {
    fn from(m: &'a PreparedMessage) -> Self {
        Self {
            row: m.row_index + 2,
            imis_id: m.imis_id.as_deref(),
            name: m.member_name.as_deref(),
            phone: &m.phone_raw,
            to: m.to_e164.as_deref(),
            status: m.status,
            reason: m.reason(),
            body: &m.body,
            encoding: m.encoding.as_str(),
            segments: m.segments,
        }
    }
}

/// Where `preview` writes the recipients as they are prepared.
enum Output<'w> {
    None,
    Csv(Box<csv::Writer<&'w mut dyn Write>>),
    Json {
        out: &'w mut dyn Write,
        pretty: bool,
        rows: u64,
        buffer: Vec<u8>,
    },
}

impl Output<'_> {
    fn start(&mut self) -> Result<()> {
        match self {
            Self::None => Ok(()),
            Self::Csv(w) => w
                .write_record([
                    "row", "imis_id", "name", "phone", "to", "status", "reason", "encoding",
                    "segments", "body",
                ])
                .map_err(csv_error),
            Self::Json { out, pretty, .. } => write_all(
                *out,
                if *pretty {
                    b"{\n  \"recipients\": ["
                } else {
                    b"{\"recipients\":["
                },
            ),
        }
    }

    fn recipient(&mut self, m: &PreparedMessage) -> Result<()> {
        match self {
            Self::None => Ok(()),
            Self::Csv(w) => {
                let row = (m.row_index + 2).to_string();
                let segments = m.segments.to_string();
                let status = m.status.to_string();
                let reason = m.reason().unwrap_or_default();
                w.write_record([
                    row.as_str(),
                    m.imis_id.as_deref().unwrap_or_default(),
                    m.member_name.as_deref().unwrap_or_default(),
                    &m.phone_raw,
                    m.to_e164.as_deref().unwrap_or_default(),
                    &status,
                    &reason,
                    m.encoding.as_str(),
                    &segments,
                    &m.body,
                ])
                .map_err(csv_error)
            }
            Self::Json {
                out,
                pretty,
                rows,
                buffer,
            } => {
                let first = *rows == 0;
                *rows += 1;
                buffer.clear();
                let recipient = RecipientJson::from(m);
                if *pretty {
                    buffer.extend_from_slice(if first { b"\n" } else { b",\n" });
                    let text = serde_json::to_string_pretty(&recipient)
                        .map_err(|e| Error::Invalid(e.to_string()))?;
                    buffer.extend_from_slice(b"    ");
                    buffer.extend_from_slice(indent(&text, "    ").as_bytes());
                } else {
                    if !first {
                        buffer.push(b',');
                    }
                    serde_json::to_writer(&mut *buffer, &recipient)
                        .map_err(|e| Error::Invalid(e.to_string()))?;
                }
                write_all(*out, buffer)
            }
        }
    }

    fn finish(self) -> Result<()> {
        match self {
            Self::None => Ok(()),
            Self::Csv(mut w) => w.flush().map_err(output_error),
            Self::Json {
                out, pretty, rows, ..
            } => write_all(
                out,
                match (pretty, rows) {
                    (true, 0) => b"],\n",
                    (true, _) => b"\n  ],\n",
                    (false, _) => b"],",
                },
            ),
        }
    }
}

/// Pretty JSON nested `by` deeper: every line but the first indented (JSON strings hold
/// no raw line breaks, so this never touches a value).
fn indent(json: &str, by: &str) -> String {
    json.replace('\n', &format!("\n{by}"))
}

fn write_all(out: &mut dyn Write, bytes: &[u8]) -> Result<()> {
    out.write_all(bytes).map_err(output_error)
}

fn output_error(source: std::io::Error) -> Error {
    Error::Io {
        context: "could not write the output".into(),
        source,
    }
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(source) => output_error(source),
        other => Error::Invalid(format!("{other:?}")),
    }
}
