//! The sending window, against the fake Twilio with a controllable clock: each group of
//! recipients is texted only while its own window is open, across a local midnight and a
//! change to summer time, under the daily cap, and a crash while everything waits loses
//! and doubles nothing.

use super::*;
use chrono::{DateTime, Duration as Span, Utc};
use chrono_tz::Tz;
use std::collections::HashMap;

/// Five members in each place; UK mobiles say only "the UK" (its zones share one clock).
const GROUPS: [(&str, &str, &str); 6] = [
    ("New York", "+1212555", "America/New_York"),
    ("Chicago", "+1312555", "America/Chicago"),
    ("Denver", "+1303555", "America/Denver"),
    ("Los Angeles", "+1213555", "America/Los_Angeles"),
    ("Honolulu", "+1808555", "Pacific/Honolulu"),
    ("London", "+447400123", "Europe/London"),
];
const PER_GROUP: usize = 5;

fn members() -> Vec<(String, Tz)> {
    GROUPS
        .iter()
        .flat_map(|(_, prefix, zone)| {
            (0..PER_GROUP).map(move |i| {
                let digits = if prefix.starts_with("+44") { 3 } else { 4 };
                (
                    format!("{prefix}{:0digits$}", 140 + i, digits = digits),
                    zone.parse::<Tz>().unwrap(),
                )
            })
        })
        .collect()
}

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// Each number's first arrival at the fake, as the clock read when it arrived.
fn record_arrivals(e: &Env, at: DateTime<Utc>, seen: &mut HashMap<String, (DateTime<Utc>, usize)>) {
    for (to, count) in e.twilio.counts() {
        let entry = seen.entry(to).or_insert((at, 0));
        entry.1 = count;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_member_is_texted_only_inside_their_own_window() {
    // Friday 2026-03-06 06:00 UTC: night in America, 06:00 in London. US summer time
    // starts on Sunday the 8th at 02:00 local.
    let start = utc("2026-03-06T06:00:00Z");
    let clock = ManualClock::new(start);
    let e = env_with(
        Arc::new(clock.clone()),
        Options {
            status_step: Duration::from_millis(10),
            ..Default::default()
        },
    )
    .await;
    for (k, v) in [
        ("window.enabled", "on"),
        ("window.start", "09:00"),
        ("window.end", "20:00"),
        // 30 members, at most 8 a (UTC) day: sending spans four days and the DST change.
        ("twilio.daily_segment_cap", "8"),
        ("campaign.settle_minutes", "0"),
    ] {
        e.store.set_setting(k, v).await.unwrap();
    }
    let people = members();
    let extra: Vec<(String, String)> = people
        .iter()
        .enumerate()
        .map(|(i, (phone, _))| (format!("M{i}"), phone.clone()))
        .collect();
    let extra: Vec<(&str, &str)> = extra
        .iter()
        .map(|(n, p)| (n.as_str(), p.as_str()))
        .collect();
    let id = campaign(&e, 0, &extra).await;
    let c = e.store.campaign(id).await.unwrap();
    assert!(
        c.send_window.as_ref().is_some_and(|w| w.enabled),
        "scheduling wrote the window in"
    );

    let mut seen: HashMap<String, (DateTime<Utc>, usize)> = HashMap::new();
    let mut engine_now = engine(&e, fast_options());
    let mut runner = Running::start(&engine_now);
    let step = Span::minutes(30);
    let mut at = start;
    let mut crashed = false;
    while at < start + Span::days(5) {
        tokio::time::sleep(Duration::from_millis(120)).await;
        record_arrivals(&e, at, &mut seen);
        // Sunday 2026-03-08 07:00 UTC: 02:00 Denver (summer time just began), 23:00 the
        // day before in Los Angeles... every window is closed. Herald dies there.
        if !crashed && at == utc("2026-03-08T07:00:00Z") {
            let pending = e.store.pending_by_zone(id).await.unwrap();
            assert!(
                pending.iter().map(|(_, n)| n).sum::<i64>() > 0,
                "something still waits"
            );
            runner.task.abort();
            let _ = runner.task.await;
            engine_now = engine(&e, fast_options());
            runner = Running::start(&engine_now);
            crashed = true;
        }
        at += step;
        clock.set(at);
    }
    runner.stop().await;

    assert!(crashed);
    assert_eq!(seen.len(), people.len(), "everyone was texted: {seen:?}");
    let window = herald_core::window::SendingWindow::default();
    let mut per_day: HashMap<chrono::NaiveDate, usize> = HashMap::new();
    for (phone, zone) in &people {
        let (when, count) = seen[phone];
        assert_eq!(count, 1, "{phone} was texted {count} times");
        // It arrived during the half hour that began at `when`: the window was open then.
        assert!(
            window.is_open(when, *zone),
            "{phone} ({zone}) was texted at {when} UTC, {} local",
            when.with_timezone(zone)
        );
        *per_day.entry(when.date_naive()).or_default() += 1;
    }
    assert!(
        per_day.values().all(|n| *n <= 8),
        "the daily cap held: {per_day:?}"
    );
    assert!(
        per_day.len() >= 4,
        "the cap spread it over days: {per_day:?}"
    );
    // New York's first texts on the Sunday came at 09:00 EDT (13:00 UTC), not 14:00.
    let ny_sunday: Vec<DateTime<Utc>> = people
        .iter()
        .filter(|(_, z)| z.name() == "America/New_York")
        .map(|(p, _)| seen[p].0)
        .filter(|t| t.date_naive() == chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap())
        .collect();
    assert!(
        ny_sunday.iter().all(|t| *t >= utc("2026-03-08T13:00:00Z")),
        "{ny_sunday:?}"
    );
    let kinds: Vec<String> = e
        .store
        .campaign_events(id)
        .await
        .unwrap()
        .into_iter()
        .map(|ev| ev.kind)
        .collect();
    assert!(kinds.contains(&"window_wait".to_string()), "{kinds:?}");
    assert_exactly_once_plus(&e, id, 0, people.len()).await;
}
