//! `herald-cli`: Herald's automation interface. Results go to standard output as JSON;
//! errors go to standard error with a non-zero exit code.

mod commands;
mod compose;
mod imis;
mod replies;
mod run;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "herald-cli",
    version,
    about = "Herald's command-line interface (JSON on standard output)"
)]
struct Cli {
    /// Herald's data folder (default: the desktop app's own).
    #[arg(long, global = true, env = "HERALD_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Read secrets from HERALD_IMIS_PASSWORD, HERALD_TWILIO_AUTH_TOKEN,
    /// HERALD_TWILIO_API_KEY_SECRET and HERALD_SMTP_PASSWORD instead of the OS keychain
    /// (for headless servers).
    #[arg(long, global = true)]
    secrets_from_env: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read and change settings.
    #[command(subcommand)]
    Settings(commands::SettingsCommand),
    /// Manage secrets in the OS keychain.
    #[command(subcommand)]
    Secrets(commands::SecretsCommand),
    /// Campaigns.
    #[command(subcommand)]
    Campaign(commands::CampaignCommand),
    /// iMIS audiences: run a query, browse queries.
    #[command(subcommand)]
    Audience(imis::AudienceCommand),
    /// The queue of iMIS write-backs (Activities / Communication Log entries).
    #[command(subcommand)]
    Writeback(imis::WritebackCommand),
    /// Replies members texted back: read them from Twilio, list them, confirm opt-outs.
    #[command(subcommand)]
    Replies(replies::RepliesCommand),
    /// The opt-out list: numbers Herald never texts (per sender, as Twilio keeps them).
    #[command(subcommand)]
    Optouts(replies::OptoutsCommand),
    /// Run the sending engine headless: start scheduled campaigns, send, poll statuses,
    /// write back to iMIS.
    Run {
        /// Exit once every due campaign is completed, paused or canceled and nothing is
        /// pending (late status polling and future campaigns do not keep it running).
        #[arg(long)]
        until_idle: bool,
    },
    /// Encoding, segments and characters of a message, as Twilio counts them.
    Segments {
        /// Count the body after Twilio's smart encoding (the result is in "body").
        #[arg(long)]
        smart_encoding: bool,
        /// The message; standard input (read verbatim) when absent.
        text: Option<String>,
    },
    /// Check phone numbers: E.164, kind and whether a text can be sent to them.
    Phone {
        /// Country for numbers without a country code (default: phone.default_region).
        #[arg(long, value_name = "CC")]
        region: Option<String>,
        /// Numbers to check; one per line on standard input when absent.
        inputs: Vec<String>,
    },
    /// Prepare a CSV audience with a template: the summary and every recipient's result.
    Preview {
        #[arg(long, value_name = "FILE")]
        csv: PathBuf,
        #[arg(long, value_name = "ALIAS")]
        id_column: String,
        #[arg(long, value_name = "ALIAS")]
        phone_column: String,
        #[arg(long, value_name = "TEMPLATE")]
        template: String,
        #[arg(long, value_name = "CC")]
        region: Option<String>,
        /// Skip recipients with an empty value in a field the template uses.
        #[arg(long)]
        skip_empty: bool,
        /// json (the default): the recipients, then the summary; csv: the recipients.
        #[arg(long, value_parser = ["json", "csv"])]
        format: Option<String>,
        /// Indented JSON, for people (the default is one compact line).
        #[arg(long)]
        pretty: bool,
        /// Only the summary (JSON): the counts, cost and plan, without the recipients.
        #[arg(long)]
        summary_only: bool,
    },
}

fn main() -> ExitCode {
    let _ = herald_core::memory::tune_malloc();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("could not start: {e}"), "internal"),
    };
    let ctx = commands::Context {
        data_dir: cli.data_dir,
        secrets_from_env: cli.secrets_from_env,
    };
    let work = async move {
        let text = match cli.command {
            Command::Settings(c) => commands::settings(&ctx, c).await,
            Command::Secrets(c) => commands::secrets(&ctx, c).await,
            Command::Campaign(c) => commands::campaign(&ctx, c).await,
            Command::Audience(c) => imis::audience(&ctx, c).await,
            Command::Writeback(c) => imis::writeback(&ctx, c).await,
            Command::Replies(c) => replies::replies_cmd(&ctx, c).await,
            Command::Optouts(c) => replies::optouts(&ctx, c).await,
            Command::Run { until_idle } => run::run(&ctx, until_idle).await,
            Command::Segments {
                smart_encoding,
                text,
            } => compose::segments(text, smart_encoding),
            Command::Phone { region, inputs } => compose::phone(&ctx, region, inputs).await,
            Command::Preview {
                csv,
                id_column,
                phone_column,
                template,
                region,
                skip_empty,
                format,
                pretty,
                summary_only,
            } => {
                let args = compose::PreviewArgs {
                    csv,
                    id_column,
                    phone_column,
                    template,
                    region,
                    skip_empty,
                    format,
                    pretty,
                    summary_only,
                };
                // Streamed to standard output as it is prepared.
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
                return compose::preview(&ctx, args, &mut out).await.map(|()| None);
            }
        };
        text.map(Some)
    };
    match runtime.block_on(work) {
        Ok(output) => {
            if let Some(output) = output {
                println!("{output}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(
            &e.to_string(),
            &serde_json::to_string(&e.code()).unwrap_or_default(),
        ),
    }
}

fn fail(message: &str, code: &str) -> ExitCode {
    eprintln!("herald-cli: error[{}]: {message}", code.trim_matches('"'));
    ExitCode::FAILURE
}
