//! `cargo bench -p herald_core --bench imis_fetch` (part of `make bench`): a 100,000-row
//! audience from the fake iMIS server with 50 ms of latency per page, fetched page after
//! page (the baseline) and with concurrent paging, in the same run; and memory.

use herald_core::imis::catalog::ALL_MEMBERS;
use herald_core::imis::{ImisClient, ImisConfig};
use herald_core::secrets::Sensitive;
use herald_fake_imis::{FakeImis, Options};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

fn status_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

async fn fetch(fake: &FakeImis, concurrency: usize) -> (Duration, usize) {
    let mut cfg = ImisConfig::new(&fake.url(), "herald", Sensitive::new("herald-demo"));
    cfg.page_concurrency = concurrency;
    let client = ImisClient::new(cfg).unwrap();
    let started = Instant::now();
    let rows = client
        .run_query(ALL_MEMBERS, &BTreeMap::new())
        .await
        .unwrap()
        .rows
        .len();
    (started.elapsed(), rows)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let fake = FakeImis::start(Options {
        dataset: "large".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    // Warm the server's result cache so neither run pays for generating the rows.
    let (_, rows) = fetch(&fake, 6).await;
    assert_eq!(rows, 100_000);
    fake.set_latency(Duration::from_millis(50));
    let before_kb = status_kb("VmRSS:");

    let (sequential, n1) = fetch(&fake, 1).await;
    let (concurrent, n2) = fetch(&fake, 6).await;
    assert_eq!((n1, n2), (100_000, 100_000));
    let peak_kb = status_kb("VmHWM:");

    println!("imis_fetch: 100,000 rows, 200 pages of 500, 50 ms latency per page");
    println!(
        "  sequential paging (baseline): {:>7.2} s",
        sequential.as_secs_f64()
    );
    println!(
        "  concurrent paging (6 at once): {:>6.2} s",
        concurrent.as_secs_f64()
    );
    println!(
        "  speed-up: {:.1}x (target: at least 4x)",
        sequential.as_secs_f64() / concurrent.as_secs_f64()
    );
    println!(
        "  memory: process peak {} MB (fake server and its 100,000 cached rows included); {} MB before the fetches",
        peak_kb / 1024,
        before_kb / 1024
    );
}
