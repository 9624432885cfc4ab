//! `herald-fake-twilio --port P`: the fake Twilio as a program, for demos and end-to-end
//! tests. Faults can be switched over `/_fake/faults`; `/_fake/counts` gives per-To counts.

use clap::Parser;
use herald_fake_twilio::{FakeTwilio, Options};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "herald-fake-twilio",
    version,
    about = "A fake Twilio Messages API for Herald's tests"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    #[arg(long, default_value = herald_fake_twilio::ACCOUNT_SID)]
    account_sid: String,
    #[arg(long, default_value = herald_fake_twilio::AUTH_TOKEN)]
    auth_token: String,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Time between status steps (queued → sending → sent → final), in milliseconds.
    #[arg(long, default_value_t = 1000)]
    status_step_ms: u64,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let opts = Options {
        account_sid: a.account_sid,
        auth_token: a.auth_token,
        latency: Duration::from_millis(a.latency_ms),
        status_step: Duration::from_millis(a.status_step_ms),
        ..Default::default()
    };
    match FakeTwilio::start_on(SocketAddr::from(([127, 0, 0, 1], a.port)), opts).await {
        Ok(server) => {
            println!("herald-fake-twilio listening on {}", server.url());
            let _ = tokio::signal::ctrl_c().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("herald-fake-twilio: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
