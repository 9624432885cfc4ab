use clap::Subcommand;
use herald_core::campaign::{Actor, NewCampaign};
use herald_core::engine;
use herald_core::keychain::Keychain;
use herald_core::secrets::{EnvSecrets, SecretName, SecretStore, Sensitive};
use herald_core::settings::SettingKey;
use herald_core::status::CampaignStatus;
use herald_core::{paths, Error, Result, Store};
use serde_json::{json, Value};
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

pub struct Context {
    pub data_dir: Option<PathBuf>,
    pub secrets_from_env: bool,
}

impl Context {
    fn data_dir(&self) -> Result<PathBuf> {
        paths::resolve_data_dir(self.data_dir.clone()).ok_or_else(|| {
            Error::Invalid("no data folder could be found; pass --data-dir DIR".into())
        })
    }

    pub async fn store(&self) -> Result<Store> {
        Store::open(&paths::database_path(&self.data_dir()?)).await
    }

    /// The store, if this data folder already has a database (commands that only read
    /// settings should not create one).
    pub async fn store_if_exists(&self) -> Result<Option<Store>> {
        let Some(dir) = paths::resolve_data_dir(self.data_dir.clone()) else {
            return Ok(None);
        };
        if paths::database_path(&dir).exists() {
            Ok(Some(self.store().await?))
        } else {
            Ok(None)
        }
    }

    pub fn secrets(&self) -> Result<Box<dyn SecretStore>> {
        if self.secrets_from_env {
            Ok(Box::new(EnvSecrets))
        } else {
            Ok(Box::new(Keychain::for_data_dir(&self.data_dir()?)))
        }
    }
}

pub fn pretty(v: impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(&v)
        .map_err(|e| Error::Invalid(format!("could not print the result: {e}")))
}

#[derive(Subcommand)]
pub enum SettingsCommand {
    /// Print one setting's effective value (JSON).
    Get { key: String },
    /// Validate and store a setting; prints it as it now reads.
    Set { key: String, value: String },
    /// Forget a stored value so the default applies again.
    Reset { key: String },
    /// Every setting with its value, default and description.
    List,
}

pub async fn settings(ctx: &Context, cmd: SettingsCommand) -> Result<String> {
    let store = ctx.store().await?;
    let out = match cmd {
        SettingsCommand::Get { key } => {
            let key = SettingKey::parse(&key)?;
            pretty(store.settings().await?.typed(key))
        }
        SettingsCommand::Set { key, value } => pretty(store.set_setting(&key, &value).await?),
        SettingsCommand::Reset { key } => pretty(store.reset_setting(&key).await?),
        SettingsCommand::List => pretty(store.settings().await?.entries()),
    };
    store.close().await;
    out
}

#[derive(Subcommand)]
pub enum SecretsCommand {
    /// Store a secret, read from standard input (never from the command line).
    Set { name: String },
    /// Remove a secret from the keychain.
    Delete { name: String },
    /// Which secrets are stored (never their values).
    Status,
}

fn secret_name(name: &str) -> Result<SecretName> {
    SecretName::parse(name).ok_or_else(|| {
        let known: Vec<&str> = SecretName::ALL.iter().map(|n| n.as_str()).collect();
        Error::Invalid(format!(
            "there is no secret called '{name}'; known secrets: {}",
            known.join(", ")
        ))
    })
}

pub async fn secrets(ctx: &Context, cmd: SecretsCommand) -> Result<String> {
    let store = ctx.secrets()?;
    // The keychain speaks D-Bus synchronously; keep it off the async workers.
    let result = tokio::task::block_in_place(|| -> Result<Value> {
        match cmd {
            SecretsCommand::Set { name } => {
                let name = secret_name(&name)?;
                let value = read_secret(name)?;
                store.set(name, &value)?;
                Ok(json!({"name": name.as_str(), "stored": true}))
            }
            SecretsCommand::Delete { name } => {
                let name = secret_name(&name)?;
                store.delete(name)?;
                Ok(json!({"name": name.as_str(), "stored": false}))
            }
            SecretsCommand::Status => {
                let source = if ctx.secrets_from_env {
                    "environment"
                } else {
                    "keychain"
                };
                let mut rows = Vec::new();
                for name in SecretName::ALL {
                    let stored = store.get(name)?.is_some();
                    rows.push(json!({"name": name.as_str(), "stored": stored, "source": source, "env_var": name.env_var()}));
                }
                Ok(Value::Array(rows))
            }
        }
    })?;
    pretty(result)
}

/// Reads a secret from standard input: at a terminal, one line typed without echo; from a
/// pipe, the whole input less its trailing newline. Never from the command line, where it
/// would land in the shell's history.
fn read_secret(name: SecretName) -> Result<Sensitive> {
    let io_error = |source| Error::Io {
        context: "could not read the secret from standard input".into(),
        source,
    };
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("{} (typing is hidden): ", name.as_str()))
            .map_err(io_error)?
    } else {
        let mut text = String::new();
        std::io::stdin()
            .lock()
            .read_to_string(&mut text)
            .map_err(io_error)?;
        text
    };
    let value = text
        .strip_suffix('\n')
        .map(|t| t.strip_suffix('\r').unwrap_or(t))
        .unwrap_or(&text);
    if value.is_empty() {
        return Err(Error::Invalid(format!(
            "no value for {} was given on standard input",
            name.as_str()
        )));
    }
    Ok(Sensitive::new(value))
}

#[derive(Subcommand)]
pub enum CampaignCommand {
    /// Every campaign with its counts (JSON array).
    List,
    /// One campaign with its status and counts per message status.
    Show { id: i64 },
    /// Create a draft from a JSON file (see README); prints its id.
    Create {
        #[arg(long, value_name = "CAMPAIGN.json")]
        file: PathBuf,
    },
    /// Schedule a draft (at its saved time, or now), after the pre-flight checks.
    Schedule {
        id: i64,
        /// Confirms a LIVE campaign: it sends real texts (refused without this).
        #[arg(long)]
        yes: bool,
    },
    /// Send one real text of a LIVE campaign's message to your own number: recorded in the
    /// campaign's events, counted against the daily cap, never written back to iMIS.
    TestSend {
        id: i64,
        /// Your mobile number.
        #[arg(long)]
        to: String,
        /// Render the message for the member with this iMIS ID (default: the first recipient).
        #[arg(long = "as", value_name = "IMIS_ID")]
        as_imis_id: Option<String>,
    },
    /// Move a scheduled campaign back to Draft.
    Unschedule { id: i64 },
    /// Archive a draft, completed or canceled campaign.
    Archive { id: i64 },
    /// Restore an archived campaign to where it was.
    Unarchive { id: i64 },
    /// Copy a campaign into a new draft; prints its id.
    Duplicate { id: i64 },
    /// Delete a draft.
    Delete { id: i64 },
    /// The campaign's event log.
    Events { id: i64 },
    /// Pause a sending campaign: requests in flight finish, nothing new starts.
    Pause { id: i64 },
    /// Resume a paused campaign.
    Resume { id: i64 },
    /// Cancel a scheduled, sending or paused campaign: unsent messages become Canceled.
    Cancel { id: i64 },
    /// Start a scheduled campaign now (one that waits for a go-ahead after its time passed).
    Start { id: i64 },
    /// Send again to the recipients whose message failed or was undelivered: creates and
    /// schedules a follow-up campaign; prints its id.
    Retry { id: i64 },
    /// Every message of a campaign with its status.
    Messages {
        id: i64,
        #[arg(long, default_value = "json", value_parser = ["json", "csv"])]
        format: String,
    },
}

pub async fn campaign(ctx: &Context, cmd: CampaignCommand) -> Result<String> {
    let store = ctx.store().await?;
    let out = match cmd {
        CampaignCommand::List => pretty(store.list_campaigns().await?),
        CampaignCommand::Show { id } => pretty(store.campaign_detail(id).await?),
        CampaignCommand::Create { file } => {
            let text = std::fs::read_to_string(&file).map_err(|source| Error::Io {
                context: format!("could not read {}", file.display()),
                source,
            })?;
            let new: NewCampaign = serde_json::from_str(&text).map_err(|e| {
                Error::Invalid(format!(
                    "{} is not a valid campaign file: {e}",
                    file.display()
                ))
            })?;
            // The audience file is read now and kept with the campaign, as the wizard does;
            // a relative path is looked for beside the campaign file, then here.
            let audience_file = match new.audience.as_ref().and_then(|a| a.csv.clone()) {
                None => None,
                Some(csv) => {
                    // Named by where it was looked for first when it is nowhere.
                    let path = match file.parent().map(|dir| dir.join(&csv)) {
                        Some(beside) if beside.exists() || !Path::new(&csv).exists() => beside,
                        _ => PathBuf::from(&csv),
                    };
                    let bytes = std::fs::read(&path).map_err(|source| Error::Io {
                        context: format!("could not read the audience file {}", path.display()),
                        source,
                    })?;
                    Some((csv, bytes))
                }
            };
            let id = store.create_campaign(new, Actor::Cli).await?;
            if let Some((csv, bytes)) = audience_file {
                if let Err(e) =
                    herald_core::drafts::import_csv(&store, id, &csv, &bytes, Actor::Cli).await
                {
                    // No half-made campaign: the draft goes if its audience cannot be read.
                    store.delete_draft(id, Actor::Cli).await?;
                    return Err(e);
                }
            }
            pretty(json!({"id": id}))
        }
        CampaignCommand::Schedule { id, yes } => {
            let settings = store.settings().await?;
            let secrets = ctx.secrets()?;
            let directory =
                || herald_core::imis::DirectoryCache::new().get(&settings, secrets.as_ref());
            let confirmation = if yes {
                herald_core::drafts::Confirmation::Yes
            } else {
                herald_core::drafts::Confirmation::None
            };
            pretty(
                herald_core::drafts::schedule(
                    &store,
                    id,
                    None,
                    Actor::Cli,
                    confirmation,
                    secrets.as_ref(),
                    directory,
                )
                .await?,
            )
        }
        CampaignCommand::TestSend { id, to, as_imis_id } => {
            let secrets = ctx.secrets()?;
            let request = herald_core::test_text::TestTextRequest {
                campaign_id: id,
                to,
                as_imis_id,
            };
            pretty(herald_core::test_text::send(&store, secrets.as_ref(), &request, None).await?)
        }
        CampaignCommand::Unschedule { id } => pretty(
            store
                .transition(id, CampaignStatus::Draft, Actor::Cli, None)
                .await?,
        ),
        CampaignCommand::Archive { id } => pretty(
            store
                .transition(id, CampaignStatus::Archived, Actor::Cli, None)
                .await?,
        ),
        CampaignCommand::Unarchive { id } => pretty(store.unarchive(id, Actor::Cli).await?),
        CampaignCommand::Duplicate { id } => {
            pretty(json!({"id": store.duplicate_campaign(id, Actor::Cli).await?}))
        }
        CampaignCommand::Delete { id } => {
            store.delete_draft(id, Actor::Cli).await?;
            pretty(json!({"id": id, "deleted": true}))
        }
        CampaignCommand::Events { id } => {
            store.campaign(id).await?;
            pretty(store.campaign_events(id).await?)
        }
        CampaignCommand::Pause { id } => pretty(engine::pause(&store, id, Actor::Cli).await?),
        CampaignCommand::Start { id } => pretty(store.start_now(id, Actor::Cli).await?),
        CampaignCommand::Retry { id } => {
            pretty(json!({"id": store.create_retry_campaign(id, Actor::Cli).await?}))
        }
        CampaignCommand::Resume { id } => pretty(engine::resume(&store, id, Actor::Cli).await?),
        CampaignCommand::Cancel { id } => pretty(engine::cancel(&store, id, Actor::Cli).await?),
        CampaignCommand::Messages { id, format } => {
            store.campaign(id).await?;
            let rows = store.messages(id).await?;
            if format == "csv" {
                messages_csv(&rows)
            } else {
                serde_json::to_string_pretty(&rows)
                    .map_err(|e| Error::Invalid(format!("could not print the messages: {e}")))
            }
        }
    };
    store.close().await;
    out
}

fn messages_csv(rows: &[herald_core::store::MessageRow]) -> Result<String> {
    let bytes = herald_core::report::messages_csv(rows, herald_core::zone::workstation())?;
    Ok(String::from_utf8_lossy(&bytes).trim_end().to_string())
}
