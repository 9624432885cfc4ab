//! `cargo bench -p herald_core --bench campaign` (part of `make bench`): a TEST campaign of
//! 10,000, 100,000 and 1,000,000 recipients end to end, each size in a process of its own
//! (so that its peak memory is its own): the CSV audience imported, summarised as the
//! wizard's summary step does (not counted in the total), prepared and recorded,
//! sent through TEST mode's simulator with no rate limit, statuses polled to final,
//! completed, the report built; then the dashboard's grid queries on the finished
//! campaign. Time per stage, per message, peak memory, database size per message. Nothing
//! may be quadratic: the per-message figures must stay flat from 10k to 1M.

use herald_core::campaign::{Actor, AudienceSource, Mode, NewCampaign, WriteBackTarget};
use herald_core::drafts;
use herald_core::engine::{Engine, EngineOptions, PollSchedule};
use herald_core::imis::DirectoryCache;
use herald_core::secrets::MemorySecrets;
use herald_core::status::CampaignStatus;
use herald_core::Store;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod common;
use common::{grid_cases, peak_rss_mb};

const SIZES: [usize; 3] = [10_000, 100_000, 1_000_000];
const CHILD: &str = "HERALD_BENCH_CAMPAIGN_SIZE";

fn main() {
    // As the app and herald-cli run.
    let _ = herald_core::memory::tune_malloc();
    if let Some(n) = std::env::var(CHILD).ok().and_then(|v| v.parse().ok()) {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let figures = rt.block_on(one_campaign(n));
        println!("{}", serde_json::to_string(&figures).expect("json"));
        return;
    }
    let sizes: Vec<usize> = std::env::args()
        .filter_map(|a| a.parse().ok())
        .collect::<Vec<_>>();
    let sizes = if sizes.is_empty() {
        SIZES.to_vec()
    } else {
        sizes
    };
    println!(
        "a TEST campaign end to end, {} cores, one process per size (stage times in s, then µs per message; the total leaves out the summary step)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8} {:>8} {:>9} {:>8} {:>9} {:>9} {:>10}",
        "messages",
        "import",
        "summary",
        "prepare",
        "send",
        "statuses",
        "report",
        "total",
        "µs/msg",
        "peak MB",
        "DB B/msg",
        "grid ms",
        "grid worst"
    );
    let mut peaks = vec![];
    let mut attached = vec![];
    for n in sizes {
        let out = std::process::Command::new(std::env::current_exe().expect("exe"))
            .env(CHILD, n.to_string())
            .output()
            .expect("run one size");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let f: serde_json::Value = serde_json::from_slice(&out.stdout).expect("figures");
        let s = |k: &str| f[k].as_f64().unwrap_or(f64::NAN);
        let total = s("import") + s("prepare") + s("send") + s("statuses") + s("report");
        println!(
            "{:>9} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9.2} {:>8.2} {:>8.2} {:>9.1} {:>8.0} {:>9.0} {:>9.1} {:>10}",
            n,
            s("import"),
            s("summary"),
            s("prepare"),
            s("send"),
            s("statuses"),
            s("report"),
            total,
            total / n as f64 * 1e6,
            s("peak_mb"),
            s("db_bytes") / n as f64,
            s("grid_worst_ms"),
            f["grid_worst"].as_str().unwrap_or("")
        );
        peaks.push((n, f["peaks_mb"].clone()));
        attached.push((n, f["report_attached"].as_str().unwrap_or("").to_string()));
    }
    println!("peak memory (MB, VmHWM) by the end of each stage:");
    println!(
        "{:>9} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8}",
        "messages", "import", "summary", "prepare", "send", "statuses", "report"
    );
    for (n, p) in peaks {
        let at = |i: usize| p[i].as_f64().unwrap_or(f64::NAN);
        println!(
            "{:>9} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>9.0} {:>8.0}",
            n,
            at(0),
            at(1),
            at(2),
            at(3),
            at(4),
            at(5)
        );
    }
    println!("what the report email attaches:");
    for (n, what) in attached {
        println!("{n:>9} {what}");
    }
}

/// Runs one campaign of `n` recipients; returns its figures.
async fn one_campaign(n: usize) -> serde_json::Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("herald.db"))
        .await
        .expect("store");
    for (k, v) in [
        ("window.enabled", "off"),
        ("twilio.daily_segment_cap", "100000000"),
        ("imis.base_url", "http://127.0.0.1:9"),
    ] {
        store.set_setting(k, v).await.expect("setting");
    }
    let id = store
        .create_campaign(
            NewCampaign {
                name: "A million members".into(),
                mode: Some(Mode::Test),
                template: Some(
                    "Hi ${FirstName}, the annual meeting is on Friday at 6pm. Reply STOP to opt out."
                        .into(),
                ),
                write_back: Some(WriteBackTarget::None),
                audience: Some(AudienceSource {
                    query: None,
                    params: Default::default(),
                    csv: Some("members.csv".into()),
                    id_column: "ID".into(),
                    phone_column: "Mobile".into(),
                }),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .expect("campaign");
    let first = ["Jane", "Zoë", "José", "Siobhán", "Kim", "Ana", "Olu", "Mei"];
    let mut csv = String::with_capacity(n * 40);
    csv.push_str("ID,FirstName,Mobile\n");
    for i in 0..n {
        // Unique numbers over many area codes' exchanges.
        csv.push_str(&format!(
            "{},{},(201) {:03}-{:04}\n",
            100_000 + i,
            first[i % first.len()],
            200 + i / 10_000,
            i % 10_000
        ));
    }

    let t = Instant::now();
    drafts::import_csv(&store, id, "members.csv", csv.as_bytes(), Actor::User)
        .await
        .expect("import");
    drop(csv);
    let imported = t.elapsed().as_secs_f64();
    let mut peaks = vec![peak_rss_mb()];

    // The wizard's summary step, as a staffer sees it before scheduling.
    let t = Instant::now();
    let summary = drafts::draft_summary(&store, id, None)
        .await
        .expect("summary");
    assert_eq!(summary.summary.to_send as usize, n);
    let summary = t.elapsed().as_secs_f64();
    peaks.push(peak_rss_mb());
    let t = Instant::now();
    store
        .schedule(id, None, Actor::User)
        .await
        .expect("schedule");
    // Imported and scheduled, as in earlier runs of this bench.
    let import = imported + t.elapsed().as_secs_f64();

    let engine = Engine::new(
        store.clone(),
        Arc::new(MemorySecrets::default()),
        Arc::new(DirectoryCache::new()),
        EngineOptions {
            tick: Duration::from_millis(50),
            poll: PollSchedule {
                soon: Duration::from_millis(250),
                later: Duration::from_millis(250),
                slow: Duration::from_millis(250),
            },
            // Statuses a thousand times sooner than real life.
            simulator_time_scale: 0.001,
            rate_override: Some(None),
            max_in_flight: 64,
            ..Default::default()
        },
        Arc::new(|_| {}),
    );
    let (stop, rx) = tokio::sync::watch::channel(false);
    let task = {
        let engine = engine.clone();
        tokio::spawn(async move { engine.run(rx).await })
    };
    let started = Instant::now();
    let has = |status: &'static str| {
        let pool = store.pool().clone();
        async move {
            sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ?1 AND status = ?2)",
            )
            .bind(id)
            .bind(status)
            .fetch_one(&pool)
            .await
            .expect("probe")
        }
    };
    let prepared = loop {
        let recorded: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ?1)")
                .bind(id)
                .fetch_one(store.pool())
                .await
                .expect("probe");
        if recorded {
            peaks.push(peak_rss_mb());
            break started.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let sent = loop {
        if !has("preparing").await {
            peaks.push(peak_rss_mb());
            break started.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let completed = loop {
        if store.campaign(id).await.expect("campaign").status == CampaignStatus::Completed {
            peaks.push(peak_rss_mb());
            break started.elapsed().as_secs_f64();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let _ = stop.send(true);
    task.await.expect("engine task").expect("engine");
    let counts = store.message_counts(id).await.expect("counts");
    assert_eq!(counts.total as usize, n);
    assert_eq!(
        (counts.delivered + counts.undelivered + counts.failed) as usize,
        n,
        "every message reached a final status: {counts:?}"
    );

    let t = Instant::now();
    let report = herald_core::report::build(&store, id)
        .await
        .expect("report");
    let report_attached = match &report.attached {
        herald_core::report::Attached::Csv(csv) => {
            format!("CSV {:.1} MB", csv.len() as f64 / 1e6)
        }
        herald_core::report::Attached::Zip { bytes, csv_len } => format!(
            "ZIP {:.1} MB (CSV {:.1} MB)",
            bytes.len() as f64 / 1e6,
            *csv_len as f64 / 1e6
        ),
        herald_core::report::Attached::TooLarge { csv_len } => {
            format!("none: too large (CSV {:.1} MB)", *csv_len as f64 / 1e6)
        }
    };
    std::hint::black_box(report);
    let report = t.elapsed().as_secs_f64();
    peaks.push(peak_rss_mb());

    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .expect("checkpoint");
    let db_bytes: u64 = ["herald.db", "herald.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.path().join(f)).ok())
        .map(|m| m.len())
        .sum();

    // The dashboard's grid on the finished campaign.
    let cases = grid_cases(n);
    store.query_messages(id, &cases[0].1).await.expect("warm");
    let (mut worst, mut worst_case, mut sum) = (0.0f64, "", 0.0);
    for (label, query) in &cases {
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = Instant::now();
            std::hint::black_box(store.query_messages(id, query).await.expect("query"));
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        sum += best;
        if best > worst {
            (worst, worst_case) = (best, label);
        }
    }
    serde_json::json!({
        "import": import,
        "summary": summary,
        "prepare": prepared,
        "send": sent - prepared,
        "statuses": completed - sent,
        "report": report,
        "peak_mb": peak_rss_mb(),
        "peaks_mb": peaks,
        "db_bytes": db_bytes,
        "grid_mean_ms": sum / cases.len() as f64,
        "grid_worst_ms": worst,
        "grid_worst": worst_case,
        "report_attached": report_attached,
    })
}
