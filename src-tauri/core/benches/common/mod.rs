//! What several benchmarks share: the process's peak memory and the dashboard grid's
//! queries (one list, so the grid bench and the campaign bench time the same cases).
#![allow(dead_code)] // each benchmark uses its part

use herald_core::status::MessageStatus;
use herald_core::store::{MessageQuery, SortColumn};

/// The process's peak resident memory so far (VmHWM), in MB; NaN where it cannot be read.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The grid bench's member of row `i`: "First Last i", 8 first names and 8 last names.
pub fn member_name(i: usize) -> String {
    const FIRST: [&str; 8] = ["Jane", "Zoë", "José", "Siobhán", "Kim", "Ana", "Olu", "Mei"];
    const LAST: [&str; 8] = [
        "Brown", "Müller", "García", "Nguyen", "Smith", "O'Neil", "Okafor", "Lee",
    ];
    format!("{} {} {i}", FIRST[i % 8], LAST[(i / 8) % 8])
}

/// The grid's queries a user makes on a campaign of `rows` messages: a page of 100 each, the
/// deep page a tenth of the way down (at most 100,000 rows). Written for the grid bench's
/// campaign (names "First Last N", 8 first names with "Siobhán" among them, numbers
/// +1201…, errors 30003 and 30007); the campaign bench's members have first names only
/// and its simulator's own error codes, so there some of them find few or no rows.
pub fn grid_cases(rows: usize) -> Vec<(&'static str, MessageQuery)> {
    let q = |f: &dyn Fn(&mut MessageQuery)| {
        let mut q = MessageQuery {
            limit: 100,
            ..Default::default()
        };
        f(&mut q);
        q
    };
    let deep = u32::try_from((rows / 10).min(100_000)).unwrap_or(100_000);
    vec![
        ("first page, audience order", q(&|_| {})),
        (
            "failed only",
            q(&|q| q.statuses = vec![MessageStatus::Failed]),
        ),
        (
            "error 30003, sorted by name",
            q(&|q| {
                q.error_code = Some(30003);
                q.sort = SortColumn::Name;
            }),
        ),
        (
            "search a name (\"Siobhán Nguyen 1\")",
            q(&|q| q.search = Some("Siobhán Nguyen 1".into())),
        ),
        (
            "search one member, the last row, by name",
            q(&|q| q.search = Some(member_name(rows.saturating_sub(1)))),
        ),
        (
            "search a name 1 member in 8 has (\"Siobhán\")",
            q(&|q| q.search = Some("Siobhán".into())),
        ),
        (
            "search \"Siobhán\", sorted by name",
            q(&|q| {
                q.search = Some("Siobhán".into());
                q.sort = SortColumn::Name;
            }),
        ),
        (
            "search \"Siobhán\", sorted by status",
            q(&|q| {
                q.search = Some("Siobhán".into());
                q.sort = SortColumn::Status;
            }),
        ),
        (
            "search digits of a number (\"201-2123\")",
            q(&|q| q.search = Some("201-2123".into())),
        ),
        ("sorted by status", q(&|q| q.sort = SortColumn::Status)),
        (
            "sorted by sent time, newest first",
            q(&|q| {
                q.sort = SortColumn::SentAt;
                q.descending = true;
            }),
        ),
        (
            "a deep page sorted by name",
            q(&|q| {
                q.sort = SortColumn::Name;
                q.offset = deep;
            }),
        ),
    ]
}
