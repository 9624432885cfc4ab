//! `herald-fake-imis --port P --dataset NAME`: the fake iMIS server as a program, for
//! demos and end-to-end tests. Faults can be switched over `/_fake/faults`.

use clap::Parser;
use herald_fake_imis::{FakeImis, Options};
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "herald-fake-imis",
    version,
    about = "A fake iMIS REST server for Herald's tests and demos"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// demo (300 members), standard (5,000), large (100,000) or members-N.
    #[arg(long, default_value = "standard")]
    dataset: String,
    #[arg(long, default_value = "herald")]
    username: String,
    #[arg(long, default_value = "herald-demo")]
    password: String,
    /// Token lifetime in seconds.
    #[arg(long, default_value_t = 1199)]
    token_ttl: u64,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Behave like iMIS 2017: no /api/query, only /api/iqa.
    #[arg(long)]
    legacy: bool,
    /// The TEXTMSG activity type does not exist.
    #[arg(long)]
    no_textmsg: bool,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    let a = Args::parse();
    let opts = Options {
        dataset: a.dataset,
        username: a.username,
        password: a.password,
        token_ttl: Duration::from_secs(a.token_ttl),
        legacy: a.legacy,
        textmsg: !a.no_textmsg,
        latency: Duration::from_millis(a.latency_ms),
    };
    let server = match FakeImis::start_on(SocketAddr::from(([127, 0, 0, 1], a.port)), opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("herald-fake-imis: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("herald-fake-imis listening on {}", server.url());
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
