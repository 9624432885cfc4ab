//! The dashboard header's figures beyond the counts: the rate messages are going out at, when
//! the rest will have gone (at the configured rate, under the daily cap), and segments and
//! cost as Herald estimated them against what Twilio reported.

use crate::compose::summary::{cap_left, plan};
use crate::error::{Result, StorageContext};
use crate::status::CampaignStatus;
use crate::store::Store;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use specta::Type;

/// The window over which the current rate is measured.
const RATE_WINDOW_SECONDS: i64 = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SendingStats {
    /// Segments of every message that is or will be sent, as Herald counted them.
    pub segments_estimated: i64,
    /// Segments Twilio reported, summed over the messages it reported them for.
    pub segments_reported: i64,
    /// Messages Twilio reported segments for.
    pub messages_with_segments: i64,
    /// The price per segment in the settings, and the estimate it gives (USD).
    pub price_per_segment: f64,
    pub cost_estimated: f64,
    /// What Twilio charged, summed over the messages priced so far (prices arrive with the
    /// final status, sometimes later), in `cost_unit`.
    pub cost_actual: f64,
    pub cost_unit: Option<String>,
    pub messages_priced: i64,
    /// Delivered or undelivered messages Twilio has not priced yet.
    pub messages_unpriced: i64,
    /// Messages accepted by Twilio per second over the last minute (or since the first, if
    /// that was less than a minute ago).
    pub current_rate: f64,
    /// The configured rate, in segments per second.
    pub configured_rate: f64,
    /// Messages and segments not sent yet.
    pub remaining: i64,
    pub remaining_segments: i64,
    /// When the rest will have been sent, while the campaign is sending or scheduled.
    pub finish: Option<DateTime<Utc>>,
    /// UTC days the rest needs under the daily cap (1 when it all fits today).
    pub finish_days: u32,
    /// The daily cap, and what is left of it today (UTC) across campaigns.
    pub daily_cap: u64,
    pub cap_left_today: u64,
    /// False for a TEST campaign: the cap neither limits it nor is used by it.
    pub counts_against_cap: bool,
    /// Messages waiting for their recipients' window to open, soonest first (while the
    /// campaign sends or is scheduled).
    pub waiting: Vec<crate::window::WindowWait>,
    /// The same in words: "Waiting for 9:00 in America/Los_Angeles (3,214 messages)".
    pub waiting_words: Vec<String>,
    /// Whether the campaign sends only inside its window (false: at any hour).
    pub window_enabled: bool,
}

/// The figures for campaign `id` now.
pub async fn sending_stats(store: &Store, id: i64) -> Result<SendingStats> {
    let campaign = store.campaign(id).await?;
    let settings = store.settings().await?;
    let now = store.now();
    #[allow(clippy::type_complexity)]
    let row: (
        Option<i64>,
        Option<i64>,
        i64,
        Option<f64>,
        i64,
        Option<String>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<DateTime<Utc>>,
        Option<i64>,
    ) = sqlx::query_as(
        "SELECT sum(CASE WHEN status IN ('error', 'skipped', 'canceled') THEN 0 ELSE segments END),
                sum(twilio_segments), count(twilio_segments),
                sum(abs(CAST(price AS REAL))), count(price), max(price_unit),
                sum(status = 'preparing'),
                sum(CASE WHEN status = 'preparing' THEN segments ELSE 0 END),
                sum(sent_at >= ?2), min(sent_at),
                sum(price IS NULL AND status IN ('delivered', 'undelivered'))
           FROM messages WHERE campaign_id = ?1",
    )
    .bind(id)
    .bind(now - Duration::seconds(RATE_WINDOW_SECONDS))
    .fetch_one(store.pool())
    .await
    .context("sum the campaign's segments and prices")?;
    let (
        estimated,
        reported,
        with_segments,
        cost,
        priced,
        unit,
        remaining,
        remaining_segments,
        recent,
        first_sent,
        unpriced,
    ) = row;
    // Over the last minute, or since the first text if that is more recent.
    let window = first_sent
        .map(|t| (now - t).num_milliseconds() as f64 / 1000.0)
        .unwrap_or(0.0)
        .clamp(1.0, RATE_WINDOW_SECONDS as f64);
    let remaining = remaining.unwrap_or(0);
    let remaining_segments = remaining_segments.unwrap_or(0);
    let limits = settings.send_limits(campaign.mode);
    let usage = store.segment_usage_by_day().await?;
    let estimated = estimated.unwrap_or(0);
    let price = settings.price_per_segment();
    let going = matches!(
        campaign.status,
        CampaignStatus::Sending | CampaignStatus::Scheduled
    );
    let send_window = crate::drafts::campaign_window(&campaign, &settings);
    let fallback = settings.fallback_zone();
    let mut waiting = Vec::new();
    let (finish, finish_days) = if going && remaining_segments > 0 {
        let start = campaign
            .scheduled_at
            .filter(|t| *t > now && campaign.status == CampaignStatus::Scheduled)
            .unwrap_or(now);
        let p = if send_window.enabled {
            let pending = store.pending_segments_by_zone(id).await?;
            let counts: Vec<(Option<String>, i64)> =
                pending.iter().map(|(k, n, _)| (k.clone(), *n)).collect();
            waiting = crate::window::split_open(&send_window, &counts, fallback, start).1;
            let loads: Vec<crate::compose::summary::ZoneLoad> = pending
                .iter()
                .map(|(key, _, segments)| crate::compose::summary::ZoneLoad {
                    zones: crate::window::deciding_zones(
                        &send_window,
                        key.as_deref(),
                        fallback,
                        start,
                    ),
                    segments: (*segments).max(0) as u64,
                })
                .collect();
            crate::compose::summary::plan_windowed(&loads, start, limits, &usage, &send_window)
        } else {
            plan(remaining_segments as u64, start, limits, &usage)
        };
        (Some(p.finish), p.days)
    } else {
        (None, 0)
    };
    let waiting_words = waiting.iter().map(crate::window::wait_in_words).collect();
    Ok(SendingStats {
        segments_estimated: estimated,
        segments_reported: reported.unwrap_or(0),
        messages_with_segments: with_segments,
        price_per_segment: price,
        cost_estimated: (estimated as f64 * price * 10_000.0).round() / 10_000.0,
        cost_actual: (cost.unwrap_or(0.0) * 100_000.0).round() / 100_000.0,
        cost_unit: unit,
        messages_priced: priced,
        messages_unpriced: unpriced.unwrap_or(0),
        current_rate: recent.unwrap_or(0) as f64 / window,
        configured_rate: limits.rate_per_second,
        remaining,
        remaining_segments,
        finish,
        finish_days,
        daily_cap: settings.daily_segment_cap(),
        cap_left_today: {
            let live = settings.send_limits(crate::campaign::Mode::Live);
            cap_left(live, &usage, live.day_of(now))
        },
        counts_against_cap: campaign.mode == crate::campaign::Mode::Live,
        waiting,
        waiting_words,
        window_enabled: send_window.enabled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{message, new_draft, store};

    async fn sending_campaign(store: &Store) -> i64 {
        let id = new_draft(store, "Stats").await;
        store
            .insert_messages(
                id,
                &[message(0, 1), message(1, 1), message(2, 2), message(3, 1)],
            )
            .await
            .unwrap();
        let now = store.now();
        for (row, sent_ago) in [(0, 30), (1, 90)] {
            sqlx::query(
                "UPDATE messages SET status = 'delivered', twilio_segments = 1, price = '-0.00790',
                        price_unit = 'USD', sent_at = ?3 WHERE campaign_id = ?1 AND row_index = ?2",
            )
            .bind(id)
            .bind(row)
            .bind(now - Duration::seconds(sent_ago))
            .execute(store.pool())
            .await
            .unwrap();
        }
        sqlx::query(
            "UPDATE messages SET status = 'error' WHERE campaign_id = ?1 AND row_index = 3",
        )
        .bind(id)
        .execute(store.pool())
        .await
        .unwrap();
        sqlx::query("UPDATE campaigns SET status = 'sending' WHERE id = ?1")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        id
    }

    #[tokio::test]
    async fn estimates_against_what_twilio_reported() {
        let (store, _clock, _dir) = store().await;
        let id = sending_campaign(&store).await;
        store
            .set_setting("twilio.rate_per_second", "2")
            .await
            .unwrap();
        store
            .set_setting("price_per_segment", "0.0125")
            .await
            .unwrap();
        let s = sending_stats(&store, id).await.unwrap();
        // The error row is never sent: 1 + 1 + 2 segments.
        assert_eq!(s.segments_estimated, 4);
        assert_eq!((s.segments_reported, s.messages_with_segments), (2, 2));
        assert_eq!(
            (s.cost_actual, s.cost_unit.as_deref(), s.messages_priced),
            (0.0158, Some("USD"), 2)
        );
        // 4 segments at the price in the settings.
        assert_eq!((s.price_per_segment, s.cost_estimated), (0.0125, 0.05));
        // One of the two was sent within the last minute.
        assert_eq!(s.current_rate, 1.0 / 60.0);
        assert_eq!((s.remaining, s.remaining_segments), (1, 2));
        // 2 segments at 2 a second.
        assert_eq!(s.finish, Some(store.now() + Duration::seconds(1)));
        assert_eq!((s.finish_days, s.configured_rate), (1, 2.0));
        assert_eq!(s.messages_unpriced, 0);
        // A delivered text Twilio has not priced yet is counted as such.
        sqlx::query("UPDATE messages SET price = NULL WHERE campaign_id = ?1 AND row_index = 0")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        let s = sending_stats(&store, id).await.unwrap();
        assert_eq!((s.messages_priced, s.messages_unpriced), (1, 1));
    }

    #[tokio::test]
    async fn a_send_younger_than_a_minute_is_timed_from_its_first_text() {
        let (store, _clock, _dir) = store().await;
        let id = sending_campaign(&store).await;
        // Both sent 20 s ago: 2 texts in 20 s, not in 60.
        sqlx::query(
            "UPDATE messages SET sent_at = ?2 WHERE campaign_id = ?1 AND sent_at IS NOT NULL",
        )
        .bind(id)
        .bind(store.now() - Duration::seconds(20))
        .execute(store.pool())
        .await
        .unwrap();
        let s = sending_stats(&store, id).await.unwrap();
        assert_eq!(s.current_rate, 0.1);
    }

    #[tokio::test]
    async fn the_daily_cap_moves_the_finish_to_another_day() {
        let (store, _clock, _dir) = store().await;
        let id = sending_campaign(&store).await;
        store
            .set_setting("twilio.daily_segment_cap", "1")
            .await
            .unwrap();
        // TEST sends nothing real: the cap is shown but plans nothing.
        let s = sending_stats(&store, id).await.unwrap();
        assert_eq!(
            (
                s.daily_cap,
                s.cap_left_today,
                s.finish_days,
                s.counts_against_cap
            ),
            (1, 1, 1, false)
        );
        sqlx::query("UPDATE campaigns SET mode = 'live' WHERE id = ?1")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        let s = sending_stats(&store, id).await.unwrap();
        assert_eq!(
            (
                s.daily_cap,
                s.cap_left_today,
                s.finish_days,
                s.counts_against_cap
            ),
            (1, 1, 2, true)
        );
        let finish = s.finish.unwrap();
        assert_eq!(
            finish.date_naive(),
            store.now().date_naive().succ_opt().unwrap()
        );
    }

    #[tokio::test]
    async fn nothing_to_finish_once_paused_or_done() {
        let (store, _clock, _dir) = store().await;
        let id = sending_campaign(&store).await;
        sqlx::query("UPDATE campaigns SET status = 'paused' WHERE id = ?1")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        let s = sending_stats(&store, id).await.unwrap();
        assert_eq!((s.finish, s.remaining), (None, 1));
        sqlx::query("UPDATE campaigns SET status = 'completed' WHERE id = ?1")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        let s = sending_stats(&store, id).await.unwrap();
        assert_eq!((s.finish, s.remaining), (None, 1));
    }
}
