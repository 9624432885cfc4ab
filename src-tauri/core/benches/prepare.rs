//! `cargo bench -p herald_core --bench prepare` (or `make bench`): audience preparation
//! from 10k to 250k rows, on one thread (the baseline) and on every core, in one run;
//! peak memory; and the segment meter on a 1,600-character message.

use herald_core::compose::audience::AudienceTable;
use herald_core::compose::phone::Region;
use herald_core::compose::prepare::{
    prepare_with_threads, summarize, summarize_in, OptedOut, PrepareSpec,
};
use herald_core::compose::summary::{DayUsage, SendLimits};
use herald_core::compose::template::MergeTemplate;
use herald_core::drafts::analyze_message;
use std::time::{Duration, Instant};

mod common;
use common::peak_rss_mb;

/// A deterministic, realistic audience: messy phone formats, blanks, shared family
/// numbers, accents and emoji in names.
fn audience(rows: usize) -> AudienceTable {
    let first = [
        "Jane", "Zoë", "Ana", "José", "Li", "Mohammed", "Siobhán", "Kim", "Ola 🌻", "Sam",
    ];
    let last = [
        "Brown", "Müller", "García", "O'Neil", "Nguyen", "Smith", "Łukasz", "Lee",
    ];
    let types = ["Regular", "Student", "Retired", "Fellow"];
    let mut seed: u64 = 0x4845_5241_4C44;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let rows = (0..rows)
        .map(|i| {
            let r = next();
            let n = 2_015_550_000
                + (r % 9_000)
                + if r % 20 == 0 {
                    0
                } else {
                    (i as u64 % 7) * 10_000
                };
            let digits = n.to_string();
            let phone = match r % 10 {
                0 => format!("({}) {}-{}", &digits[..3], &digits[3..6], &digits[6..]),
                1 => format!("{}.{}.{}", &digits[..3], &digits[3..6], &digits[6..]),
                2 => format!("+1 {} {} {}", &digits[..3], &digits[3..6], &digits[6..]),
                3 => format!("{digits} ext 2"),
                4 if r % 3 == 0 => String::new(),
                5 if r % 4 == 0 => "N/A".to_string(),
                _ => digits,
            };
            vec![
                (100_000 + i).to_string(),
                first[(r >> 8) as usize % first.len()].to_string(),
                last[(r >> 16) as usize % last.len()].to_string(),
                types[(r >> 24) as usize % types.len()].to_string(),
                format!("2027-0{}-1{}", 1 + (r >> 32) % 9, (r >> 36) % 10),
                phone,
            ]
        })
        .collect();
    AudienceTable {
        columns: [
            "ID",
            "FirstName",
            "LastName",
            "MemberType",
            "RenewalDate",
            "Mobile",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    }
}

fn best_of(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| f()).min().unwrap_or_default()
}

fn main() {
    let template_text = "Hi ${FirstName}, your ${MemberType} membership renews on ${RenewalDate}. \
                         Renew online before then to keep your benefits. Reply STOP to opt out.";
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("audience preparation (phone parsing, rendering, segments, dedupe), best of 3");
    println!(
        "{:>8} {:>14} {:>16} {:>9} {:>12} {:>12}",
        "rows",
        "1 thread (ms)",
        format!("{threads} threads (ms)"),
        "speed-up",
        "ns/row",
        "peak RSS MB"
    );
    for rows in [10_000, 50_000, 100_000, 250_000] {
        let table = audience(rows);
        let aliases: Vec<&str> = table.columns.iter().map(String::as_str).collect();
        let template = MergeTemplate::parse(template_text, &aliases).expect("template");
        let opted_out: OptedOut = [(
            "+12015550001".to_string(),
            chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap(),
        )]
        .into();
        let spec = PrepareSpec {
            id_column: "ID",
            phone_column: "Mobile",
            template: &template,
            region: Region::parse("US").expect("US"),
            skip_empty: false,
            opted_out: &opted_out,
        };
        let time = |t: usize| {
            best_of(3, || {
                let start = Instant::now();
                let out = prepare_with_threads(&table, &spec, t).expect("prepare");
                let took = start.elapsed();
                assert_eq!(out.len(), rows);
                std::hint::black_box(out);
                took
            })
        };
        let base = time(1);
        let par = time(threads);
        println!(
            "{:>8} {:>14.1} {:>16.1} {:>8.2}x {:>12.0} {:>12.0}",
            rows,
            base.as_secs_f64() * 1e3,
            par.as_secs_f64() * 1e3,
            base.as_secs_f64() / par.as_secs_f64(),
            par.as_nanos() as f64 / rows as f64,
            peak_rss_mb()
        );
    }

    summary_with_windows(template_text);

    let columns = vec!["FirstName".to_string()];
    let values = vec!["Zoë".to_string()];
    let body: String = "Dear ${FirstName}, it’s renewal time… "
        .repeat(40)
        .chars()
        .take(1600)
        .collect();
    let n = 200;
    let meter = best_of(3, || {
        let start = Instant::now();
        for _ in 0..n {
            std::hint::black_box(analyze_message(&body, &columns, &values));
        }
        start.elapsed() / n
    });
    let frame = Duration::from_micros(16_667);
    println!(
        "segment meter on a 1,600-character message: {:.1} µs per keystroke = {:.4} of a 60 Hz frame (16.7 ms)",
        meter.as_secs_f64() * 1e6,
        meter.as_secs_f64() / frame.as_secs_f64()
    );
}

/// The wizard's summary of a 250,000-member audience spread over the US, Hawaii, Alaska
/// and the UK: at any hour (the baseline) and with each member's sending window (the
/// time zones grouped, the plan simulated window by window under the cap).
fn summary_with_windows(template_text: &str) {
    let mut table = audience(250_000);
    let areas = [
        "212", "312", "303", "213", "808", "907", "602", "415", "617", "305",
    ];
    for (i, row) in table.rows.iter_mut().enumerate() {
        let exchange = 200 + (i * 7919) % 700;
        row[5] = match i % 25 {
            0 => format!("+44 7400 {:06}", i % 1_000_000),
            _ => format!("+1 {} {exchange} {:04}", areas[i % areas.len()], i % 10_000),
        };
    }
    let aliases: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    let template = MergeTemplate::parse(template_text, &aliases).expect("template");
    let opted_out = OptedOut::new();
    let spec = PrepareSpec {
        id_column: "ID",
        phone_column: "Mobile",
        template: &template,
        region: Region::parse("US").expect("US"),
        skip_empty: false,
        opted_out: &opted_out,
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let prepared = prepare_with_threads(&table, &spec, threads).expect("prepare");
    let limits = SendLimits {
        rate_per_second: 1.0,
        daily_cap: 10_000,
        day_zone: chrono_tz::Tz::UTC,
    };
    let usage = DayUsage::new();
    let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T06:00:00Z")
        .expect("time")
        .with_timezone(&chrono::Utc);
    let window = herald_core::window::SendingWindow::default();
    let fallback: chrono_tz::Tz = "America/New_York".parse().expect("zone");
    let base = best_of(5, || {
        let start = Instant::now();
        std::hint::black_box(summarize(&prepared, limits, 0.0083, &usage, now, None));
        start.elapsed()
    });
    let mut last = None;
    let windowed = best_of(5, || {
        let start = Instant::now();
        let s = summarize_in(
            &prepared,
            limits,
            0.0083,
            &usage,
            now,
            None,
            Some((&window, fallback)),
        );
        let took = start.elapsed();
        last = Some(s);
        took
    });
    let s = last.expect("ran");
    println!(
        "summary of 250,000 members in {} zones: any hour {:.1} ms (baseline), with sending windows {:.1} ms = {:.2}x the baseline; target under 200 ms; {} to send ({} segments) under a 10,000-segment daily cap: plan {} days, finish {}",
        s.zones.len(),
        base.as_secs_f64() * 1e3,
        windowed.as_secs_f64() * 1e3,
        windowed.as_secs_f64() / base.as_secs_f64(),
        s.to_send,
        s.estimated_segments,
        s.plan.days,
        s.plan.finish
    );
}
