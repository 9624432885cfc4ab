//! Seeds a data folder with a finished campaign of N messages (and a small one of 50), for
//! the dashboard benchmark (`tests/perf/dashboard.mjs`, `make bench-dashboard`):
//!
//!     cargo run --release -p herald_core --example seed_campaign -- DATA_DIR [N]
//!
//! Prints the two campaigns' ids as JSON. The messages look like a real send: names with
//! accents, numbers, a spread of outcomes with error codes, prices, times and write-backs.

use herald_core::campaign::{Actor, NewCampaign};
use herald_core::status::MessageStatus;
use herald_core::store::NewMessage;
use herald_core::{paths, Store};
use std::time::Instant;

async fn seed(store: &Store, name: &str, n: usize) -> i64 {
    let id = store
        .create_campaign(
            NewCampaign {
                name: name.into(),
                template: Some("Hi ${FirstName}, the annual meeting is on Friday at 6pm.".into()),
                ..Default::default()
            },
            Actor::User,
        )
        .await
        .expect("create the campaign");
    let first = [
        "Jane", "Zoë", "José", "Siobhán", "Kim", "Ana", "Olu", "Mei", "Łukasz", "Aoife",
    ];
    let last = [
        "Brown", "Müller", "García", "Nguyen", "Smith", "O'Neil", "Okafor", "Lee", "Dubois",
    ];
    let messages: Vec<NewMessage> = (0..n)
        .map(|i| NewMessage {
            row_index: i as i64,
            imis_id: Some((100_000 + i).to_string()),
            member_name: Some(format!("{} {}", first[i % 10], last[(i / 10) % 9])),
            phone_raw: Some(format!(
                "(201) {:03}-{:04}",
                200 + (i / 10_000) % 800,
                i % 10_000
            )),
            to_e164: Some(format!("+1201{:07}", 2_000_000 + i)),
            body: format!(
                "Hi {}, the annual meeting is on Friday at 6pm.",
                first[i % 10]
            ),
            ucs2: false,
            segments: 1,
            status: MessageStatus::Preparing,
            status_reason: None,
            time_zone: None,
        })
        .collect();
    store
        .insert_messages(id, &messages)
        .await
        .expect("record the messages");
    // Outcomes as a real send spreads them: most delivered, some undelivered or failed
    // with Twilio's codes, a few invalid numbers caught before sending.
    sqlx::query(
        "UPDATE messages SET
            status = CASE WHEN id % 97 = 0 THEN 'error'
                          WHEN id % 20 = 0 THEN 'failed'
                          WHEN id % 13 = 0 THEN 'undelivered' ELSE 'delivered' END,
            twilio_status = CASE WHEN id % 97 = 0 THEN NULL
                                 WHEN id % 20 = 0 THEN 'failed'
                                 WHEN id % 13 = 0 THEN 'undelivered' ELSE 'delivered' END,
            error_code = CASE WHEN id % 97 = 0 THEN NULL
                              WHEN id % 20 = 0 THEN 30007 WHEN id % 13 = 0 THEN
                                CASE WHEN id % 3 = 0 THEN 30005 ELSE 30003 END END,
            twilio_sid = CASE WHEN id % 97 = 0 THEN NULL ELSE printf('SM%032x', id) END,
            price = CASE WHEN id % 97 = 0 THEN NULL ELSE '-0.00790' END,
            price_unit = CASE WHEN id % 97 = 0 THEN NULL ELSE 'USD' END,
            sent_at = CASE WHEN id % 97 = 0 THEN NULL
                           ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-11-26T14:00:00', '+' || (row_index / 10) || ' seconds') END,
            updated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-11-26T14:00:00', '+' || (row_index / 10 + 4) || ' seconds')
          WHERE campaign_id = ?1",
    )
    .bind(id)
    .execute(store.pool())
    .await
    .expect("record the outcomes");
    sqlx::query(
        "UPDATE messages SET status_reason = 'not a valid phone number' WHERE campaign_id = ?1 AND status = 'error'",
    )
    .bind(id)
    .execute(store.pool())
    .await
    .expect("explain the errors");
    sqlx::query(
        "UPDATE campaigns SET status = 'completed', scheduled_at = '2026-11-26T14:00:00+00:00',
                started_at = '2026-11-26T14:00:00+00:00', completed_at = '2026-11-26T21:00:00+00:00'
          WHERE id = ?1",
    )
    .bind(id)
    .execute(store.pool())
    .await
    .expect("mark it completed");
    id
}

/// 250000 → "250,000".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args
        .next()
        .expect("usage: seed_campaign DATA_DIR [MESSAGES]");
    let n: usize = args
        .next()
        .map(|s| s.parse().expect("MESSAGES is a number"))
        .unwrap_or(250_000);
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).expect("create the data folder");
    let store = Store::open(&paths::database_path(&dir))
        .await
        .expect("open the database");
    let started = Instant::now();
    let small = seed(&store, "Board meeting reminder", 50).await;
    let big = seed(&store, &format!("Everyone ({} members)", grouped(n)), n).await;
    eprintln!(
        "seeded {n} + 50 messages in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("{{\"big\": {big}, \"small\": {small}, \"messages\": {n}}}");
}
