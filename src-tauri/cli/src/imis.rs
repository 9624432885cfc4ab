//! `audience` and `writeback`: the iMIS side of the CLI.

use crate::commands::{pretty, Context};
use clap::Subcommand;
use herald_core::imis::{Directory, DirectoryCache};
use herald_core::settings::Settings;
use herald_core::writeback::{self, WriteBackPolicy};
use herald_core::{Error, Result};
use std::collections::BTreeMap;

#[derive(Subcommand)]
pub enum AudienceCommand {
    /// Run an IQA query against the configured iMIS and print its rows.
    Fetch {
        /// The query path, such as '$/Members/Mobile numbers'.
        #[arg(long, value_name = "PATH")]
        query: String,
        /// A query parameter, by name (repeatable).
        #[arg(long = "param", value_name = "NAME=VALUE")]
        params: Vec<String>,
        /// json: typed values as iMIS sent them; csv: values as merge fields show them.
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
    },
    /// List the folders and queries in a folder (default: the root, '$').
    Queries { folder: Option<String> },
}

#[derive(Subcommand)]
pub enum WritebackCommand {
    /// Write-back counts (pending, done, failed with reasons), overall or for a campaign.
    Status { campaign: Option<i64> },
    /// Write every due write-back to iMIS now, then print what happened.
    Drain,
    /// Put failed write-backs back in the queue (after fixing their cause).
    Retry { campaign: Option<i64> },
}

async fn settings(ctx: &Context) -> Result<Settings> {
    Ok(match ctx.store_if_exists().await? {
        Some(store) => store.settings().await?,
        None => Settings::default(),
    })
}

async fn directory(ctx: &Context) -> Result<Directory> {
    let settings = settings(ctx).await?;
    let secrets = ctx.secrets()?;
    let directory = DirectoryCache::new().get(&settings, secrets.as_ref())?;
    if directory.is_demo() {
        eprintln!("herald-cli: note: no iMIS address is set (imis.base_url); using the built-in demo directory");
    }
    Ok(directory)
}

fn parse_params(raw: &[String]) -> Result<BTreeMap<String, String>> {
    raw.iter()
        .map(|p| {
            p.split_once('=')
                .filter(|(k, _)| !k.trim().is_empty())
                .map(|(k, v)| (k.trim().to_string(), v.to_string()))
                .ok_or_else(|| Error::Invalid(format!("--param '{p}' must look like NAME=VALUE")))
        })
        .collect()
}

pub async fn audience(ctx: &Context, command: AudienceCommand) -> Result<String> {
    match command {
        AudienceCommand::Fetch {
            query,
            params,
            format,
        } => {
            let params = parse_params(&params)?;
            let directory = directory(ctx).await?;
            let result = directory.run_query(&query, &params).await?;
            if format == "csv" {
                let table = result.to_table();
                let mut w = herald_core::csv_out::writer(vec![]);
                let io = |e: csv::Error| Error::Invalid(format!("could not write CSV: {e}"));
                w.write_record(&table.columns).map_err(io)?;
                for row in &table.rows {
                    w.write_record(row).map_err(io)?;
                }
                let bytes = w
                    .into_inner()
                    .map_err(|e| Error::Invalid(format!("could not write CSV: {e}")))?;
                Ok(String::from_utf8_lossy(&bytes).trim_end().to_string())
            } else {
                serde_json::to_string(&result.to_json())
                    .map_err(|e| Error::Invalid(format!("could not print the rows: {e}")))
            }
        }
        AudienceCommand::Queries { folder } => {
            let directory = directory(ctx).await?;
            pretty(
                directory
                    .list_folder(folder.as_deref().unwrap_or("$"))
                    .await?,
            )
        }
    }
}

pub async fn writeback(ctx: &Context, command: WritebackCommand) -> Result<String> {
    let store = ctx.store().await?;
    match command {
        WritebackCommand::Status { campaign } => {
            if let Some(id) = campaign {
                store.campaign(id).await?;
            }
            pretty(store.writeback_status(campaign).await?)
        }
        WritebackCommand::Drain => {
            store.recover_writebacks().await?;
            let directory = directory(ctx).await?;
            let settings = store.settings().await?;
            let report = writeback::drain_until_idle(
                &store,
                &directory,
                &settings,
                &WriteBackPolicy::default(),
            )
            .await?;
            let status = store.writeback_status(None).await?;
            pretty(serde_json::json!({"drained": report, "status": status}))
        }
        WritebackCommand::Retry { campaign } => {
            let n = store.retry_failed_writebacks(campaign).await?;
            pretty(serde_json::json!({"requeued": n}))
        }
    }
}
