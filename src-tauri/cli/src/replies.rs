//! `replies` and `optouts`: what members texted back, and the numbers never to text.

use crate::commands::{pretty, Context};
use clap::Subcommand;
use herald_core::compose::phone::{self, Region};
use herald_core::replies::{self, list_csv, ReplyKind};
use herald_core::store::{NewOptOut, OptOutSource, ReplyFilter, ALL_SENDERS, TEST_SENDER};
use herald_core::{Error, Result};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum RepliesCommand {
    /// Read new replies from Twilio now (the engine also does, every minute while a LIVE
    /// campaign sends and every 15 minutes otherwise) and act on opt-outs.
    Sync,
    /// Replies, newest first.
    List {
        /// Only replies to this campaign.
        #[arg(long, value_name = "ID")]
        campaign: Option<i64>,
        /// opt_out, opt_in, help, possible_opt_out or reply.
        #[arg(long, value_name = "KIND")]
        kind: Option<String>,
        /// Words in the reply, the member's name, or digits of the number.
        #[arg(long, value_name = "TEXT")]
        search: Option<String>,
        #[arg(long, default_value_t = 1000)]
        limit: u32,
    },
    /// Treat a possible opt-out ("remove me") as an opt-out: the number goes on the
    /// sender's list and iMIS gets a TEXTUNSUB Activity.
    Confirm { reply: i64 },
}

#[derive(Subcommand)]
pub enum OptoutsCommand {
    /// Every number on an opt-out list.
    List,
    /// Put a number on the list.
    Add {
        number: String,
        /// The sender's list (a From number or MG… Messaging Service); default: every
        /// sender.
        #[arg(long, value_name = "SENDER")]
        sender: Option<String>,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Take a number off a list, saying why (kept in the list's history).
    Remove {
        number: String,
        #[arg(long, value_name = "TEXT")]
        reason: String,
        #[arg(long, value_name = "SENDER")]
        sender: Option<String>,
    },
    /// Who was added or removed, when and why (newest first).
    History { number: Option<String> },
    /// Add every number in a CSV file (a column named Phone, Number or Mobile).
    Import {
        file: PathBuf,
        #[arg(long, value_name = "SENDER")]
        sender: Option<String>,
    },
    /// The list as CSV (to standard output, or to --out).
    Export {
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

async fn region(ctx: &Context) -> Result<Region> {
    let settings = match ctx.store_if_exists().await? {
        Some(s) => s.settings().await?,
        None => Default::default(),
    };
    Region::parse(&settings.default_region()).map_err(|e| Error::Invalid(e.to_string()))
}

async fn number(ctx: &Context, raw: &str) -> Result<String> {
    let region = region(ctx).await?;
    phone::parse(raw, region)
        .map(|n| n.e164().to_string())
        .map_err(|e| Error::Invalid(format!("'{raw}' cannot be used: {e}")))
}

fn sender_or_all(sender: &Option<String>) -> &str {
    sender
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(ALL_SENDERS)
}

pub async fn replies_cmd(ctx: &Context, command: RepliesCommand) -> Result<String> {
    let store = ctx.store().await?;
    match command {
        RepliesCommand::Sync => {
            let secrets = ctx.secrets()?;
            match replies::poll_once(&store, secrets.as_ref()).await {
                Ok(Some(report)) => pretty(report),
                Ok(None) => Err(Error::Invalid(
                    "Twilio is not set up (Account SID, Auth Token or API key, and a sender), so there are no replies to read"
                        .into(),
                )),
                Err(replies::SyncError::Store(e)) => Err(e),
                Err(e @ replies::SyncError::Twilio(_)) => Err(Error::Invalid(e.to_string())),
            }
        }
        RepliesCommand::List {
            campaign,
            kind,
            search,
            limit,
        } => {
            let kind = match kind {
                None => None,
                Some(k) => Some(ReplyKind::parse(&k).ok_or_else(|| {
                    Error::Invalid(format!(
                        "--kind '{k}' is not one of opt_out, opt_in, help, possible_opt_out, reply"
                    ))
                })?),
            };
            if let Some(id) = campaign {
                store.campaign(id).await?;
            }
            pretty(
                store
                    .replies(&ReplyFilter {
                        campaign_id: campaign,
                        kind,
                        search,
                        limit,
                    })
                    .await?,
            )
        }
        RepliesCommand::Confirm { reply } => {
            let added = store.confirm_opt_out(reply).await?;
            pretty(serde_json::json!({"reply": reply, "added": added}))
        }
    }
}

pub async fn optouts(ctx: &Context, command: OptoutsCommand) -> Result<String> {
    let store = ctx.store().await?;
    match command {
        OptoutsCommand::List => pretty(store.opt_outs().await?),
        OptoutsCommand::Add {
            number: raw,
            sender,
            note,
        } => {
            let e164 = number(ctx, &raw).await?;
            let added = store
                .add_opt_out(NewOptOut {
                    sender: sender_or_all(&sender),
                    phone_e164: &e164,
                    source: OptOutSource::Manual,
                    campaign_id: None,
                    reply_id: None,
                    note: note.as_deref(),
                    at: store.now(),
                })
                .await?;
            pretty(
                serde_json::json!({"number": e164, "sender": sender_or_all(&sender), "added": added}),
            )
        }
        OptoutsCommand::Remove {
            number: raw,
            reason,
            sender,
        } => {
            let e164 = number(ctx, &raw).await?;
            store
                .remove_opt_out(sender_or_all(&sender), &e164, &reason)
                .await?;
            pretty(
                serde_json::json!({"number": e164, "sender": sender_or_all(&sender), "removed": true}),
            )
        }
        OptoutsCommand::History { number: raw } => {
            let e164 = match raw {
                Some(r) => Some(number(ctx, &r).await?),
                None => None,
            };
            pretty(store.opt_out_changes(e164.as_deref()).await?)
        }
        OptoutsCommand::Import { file, sender } => {
            let bytes = std::fs::read(&file).map_err(|source| Error::Io {
                context: format!("could not read {}", file.display()),
                source,
            })?;
            let region = region(ctx).await?;
            pretty(list_csv::import(&store, &bytes, region, sender_or_all(&sender)).await?)
        }
        OptoutsCommand::Export { out } => {
            let entries = store.opt_outs().await?;
            let text = list_csv::export(&entries)?;
            match out {
                None => Ok(text.trim_end().to_string()),
                Some(path) => {
                    std::fs::write(&path, &text).map_err(|source| Error::Io {
                        context: format!("could not write {}", path.display()),
                        source,
                    })?;
                    let numbers = entries.iter().filter(|o| o.sender != TEST_SENDER).count();
                    pretty(serde_json::json!({"written": path, "numbers": numbers}))
                }
            }
        }
    }
}
