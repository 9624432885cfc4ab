//! `segments`, `phone` and `preview`: the composition rules, scriptable.

use herald_core::campaign::Mode;
use herald_core::compose::audience::AudienceTable;
use herald_core::compose::phone::{self, Region};
use herald_core::compose::prepare::{self, OptedOut, PrepareSpec};
use herald_core::compose::segments;
use herald_core::compose::smart_encoding;
use herald_core::compose::summary::{DayUsage, SendLimits};
use herald_core::compose::template::MergeTemplate;
use herald_core::{Error, Result};
use serde_json::{json, Value};
use std::io::Read;
use std::path::PathBuf;

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
    pub format: String,
}

/// `herald-cli preview --csv FILE …`: prepares the audience, prints the summary and the
/// per-recipient results.
pub async fn preview(ctx: &Context, args: PreviewArgs) -> Result<String> {
    let bytes = std::fs::read(&args.csv).map_err(|source| Error::Io {
        context: format!("could not read {}", args.csv.display()),
        source,
    })?;
    let table = AudienceTable::from_csv(&bytes)
        .map_err(|e| Error::Invalid(format!("{}: {e}", args.csv.display())))?;
    let aliases: Vec<&str> = table.columns.iter().map(String::as_str).collect();
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
    let region = region(&settings.default_region(), args.region)?;
    let spec = PrepareSpec {
        id_column: &args.id_column,
        phone_column: &args.phone_column,
        template: &template,
        region,
        skip_empty: args.skip_empty,
        opted_out: &opted_out,
    };
    let prepared = prepare::prepare(&table, &spec).map_err(Error::Invalid)?;
    let limits = SendLimits {
        rate_per_second: settings.rate_per_second(),
        daily_cap: settings.daily_segment_cap(),
        day_zone: settings.cap_zone(),
    };
    let now = chrono::Utc::now();
    let window = settings.sending_window();
    let summary = prepare::summarize_in(
        &prepared,
        limits,
        settings.price_per_segment(),
        &usage,
        now,
        None,
        Some((&window, settings.fallback_zone())),
    );
    if let Some(s) = store {
        s.close().await;
    }
    match args.format.as_str() {
        "json" => {
            let recipients: Vec<Value> = prepared
                .iter()
                .map(|m| {
                    json!({
                        "row": m.row_index + 2,
                        "imis_id": m.imis_id,
                        "name": m.member_name,
                        "phone": m.phone_raw,
                        "to": m.to_e164,
                        "status": m.status,
                        "reason": m.reason(),
                        "body": m.body,
                        "encoding": m.encoding.as_str(),
                        "segments": m.segments,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&json!({"summary": summary, "recipients": recipients}))
                .map_err(|e| Error::Invalid(e.to_string()))
        }
        "csv" => {
            let mut w = herald_core::csv_out::writer(Vec::new());
            let header = [
                "row", "imis_id", "name", "phone", "to", "status", "reason", "encoding",
                "segments", "body",
            ];
            w.write_record(header)
                .map_err(|e| Error::Invalid(e.to_string()))?;
            for m in &prepared {
                w.write_record([
                    (m.row_index + 2).to_string(),
                    m.imis_id.clone().unwrap_or_default(),
                    m.member_name.clone().unwrap_or_default(),
                    m.phone_raw.clone(),
                    m.to_e164.clone().unwrap_or_default(),
                    m.status.to_string(),
                    m.reason().unwrap_or_default(),
                    m.encoding.as_str().to_string(),
                    m.segments.to_string(),
                    m.body.clone(),
                ])
                .map_err(|e| Error::Invalid(e.to_string()))?;
            }
            let bytes = w.into_inner().map_err(|e| Error::Invalid(e.to_string()))?;
            Ok(String::from_utf8_lossy(&bytes).trim_end().to_string())
        }
        other => Err(Error::Invalid(format!(
            "unknown format '{other}': use json or csv"
        ))),
    }
}
