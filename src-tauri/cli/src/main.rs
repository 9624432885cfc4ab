//! `herald-cli`: Herald's automation interface. Results go to standard output as JSON;
//! errors go to standard error with a non-zero exit code.

mod commands;

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
}

fn main() -> ExitCode {
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
        match cli.command {
            Command::Settings(c) => commands::settings(&ctx, c).await,
            Command::Secrets(c) => commands::secrets(&ctx, c).await,
            Command::Campaign(c) => commands::campaign(&ctx, c).await,
        }
    };
    match runtime.block_on(work) {
        Ok(output) => {
            println!("{output}");
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
