//! The dashboard's "statuses over time": how many messages Twilio had accepted, and how many
//! had reached each final status, at evenly spaced moments from the first send to the last
//! update. Counted from the messages' own times (sent, last status change) in SQLite, so
//! the curve is there for a campaign that finished long before the page was opened.

use super::Store;
use crate::error::{Result, StorageContext};
use chrono::{DateTime, Utc};
use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;

/// Cumulative counts at one moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct TimelinePoint {
    pub at: DateTime<Utc>,
    /// Accepted by Twilio by then (whatever became of them later).
    pub sent: i64,
    pub delivered: i64,
    pub undelivered: i64,
    pub failed: i64,
}

impl Store {
    /// At most `max_points` + 1 points (the first at the first send, with nothing counted);
    /// none before anything was sent. A final status counts from the message's last update.
    pub async fn status_timeline(
        &self,
        campaign: i64,
        max_points: u32,
    ) -> Result<Vec<TimelinePoint>> {
        // Each bound by its own index probe (one min() and one max() in a single SELECT
        // would scan). The end is the last send or status change of a message that was sent:
        // not the moment unsent ones were canceled or released, which could be days later.
        let (start, end): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT unixepoch(min(sent_at)) FROM messages WHERE campaign_id = ?1),
                    max((SELECT unixepoch(max(sent_at)) FROM messages WHERE campaign_id = ?1),
                        coalesce((SELECT unixepoch(max(updated_at)) FROM messages
                                   WHERE campaign_id = ?1 AND status = 'sent'), 0),
                        coalesce((SELECT unixepoch(max(updated_at)) FROM messages
                                   WHERE campaign_id = ?1 AND status = 'delivered'), 0),
                        coalesce((SELECT unixepoch(max(updated_at)) FROM messages
                                   WHERE campaign_id = ?1 AND status = 'undelivered'), 0),
                        coalesce((SELECT unixepoch(max(updated_at)) FROM messages
                                   WHERE campaign_id = ?1 AND status = 'failed'), 0))",
        )
        .bind(campaign)
        .fetch_one(&self.pool)
        .await
        .context("read the campaign's time span")?;
        let (Some(start), Some(end)) = (start, end) else {
            return Ok(vec![]);
        };
        let end = end.max(start);
        let n = i64::from(max_points.max(1));
        // Whole seconds per bucket, enough for `n` buckets to reach the end; the last bucket
        // ends at the end (and takes what happens at that very second), so no two points
        // share a time.
        let width = ((end - start) / n + 1).max(1);
        let buckets = ((end - start + width - 1) / width).max(1);

        let sent: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT max(0, (unixepoch(sent_at) - ?2) / ?3) AS b, count(*)
               FROM messages WHERE campaign_id = ?1 AND sent_at IS NOT NULL GROUP BY b",
        )
        .bind(campaign)
        .bind(start)
        .bind(width)
        .fetch_all(&self.pool)
        .await
        .context("count the messages sent over time")?;
        let finals: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT status, max(0, (unixepoch(updated_at) - ?2) / ?3) AS b, count(*)
               FROM messages
              WHERE campaign_id = ?1 AND status IN ('delivered', 'undelivered', 'failed')
              GROUP BY status, b",
        )
        .bind(campaign)
        .bind(start)
        .bind(width)
        .fetch_all(&self.pool)
        .await
        .context("count the final statuses over time")?;

        // Per bucket: [sent, delivered, undelivered, failed].
        let mut per: BTreeMap<i64, [i64; 4]> = BTreeMap::new();
        for (b, count) in sent {
            per.entry(b.min(buckets - 1)).or_default()[0] += count;
        }
        for (status, b, count) in finals {
            let slot = match status.as_str() {
                "delivered" => 1,
                "undelivered" => 2,
                _ => 3,
            };
            per.entry(b.min(buckets - 1)).or_default()[slot] += count;
        }
        let at = |seconds: i64| DateTime::<Utc>::from_timestamp(seconds, 0).unwrap_or_default();
        let mut points = Vec::with_capacity(buckets as usize + 1);
        points.push(TimelinePoint {
            at: at(start),
            sent: 0,
            delivered: 0,
            undelivered: 0,
            failed: 0,
        });
        let mut total = [0i64; 4];
        for b in 0..buckets {
            if let Some(counts) = per.get(&b) {
                for (t, c) in total.iter_mut().zip(counts) {
                    *t += c;
                }
            }
            points.push(TimelinePoint {
                at: at((start + (b + 1) * width).min(end.max(start + 1))),
                sent: total[0],
                delivered: total[1],
                undelivered: total[2],
                failed: total[3],
            });
        }
        Ok(points)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{message, new_draft, store};

    async fn campaign_with(store: &Store, n: i64) -> i64 {
        let id = new_draft(store, "Timeline").await;
        let messages: Vec<_> = (0..n).map(|i| message(i, 1)).collect();
        store.insert_messages(id, &messages).await.unwrap();
        id
    }

    /// Message `row` sent at 14:00 + `sent` s, in `status` since 14:00 + `updated` s.
    async fn set(store: &Store, row: i64, status: &str, sent: i64, updated: i64) {
        sqlx::query(
            "UPDATE messages SET status = ?2,
                    sent_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-11-27T14:00:00', '+' || ?3 || ' seconds'),
                    updated_at = strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-11-27T14:00:00', '+' || ?4 || ' seconds')
              WHERE row_index = ?1",
        )
        .bind(row)
        .bind(status)
        .bind(sent)
        .bind(updated)
        .execute(store.pool())
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn nothing_sent_no_curve() {
        let (store, _clock, _dir) = store().await;
        let id = campaign_with(&store, 3).await;
        assert_eq!(store.status_timeline(id, 100).await.unwrap(), vec![]);
        assert_eq!(store.status_timeline(9999, 100).await.unwrap(), vec![]);
    }

    #[tokio::test]
    async fn no_two_points_share_a_time_when_the_span_divides_evenly() {
        let (store, _clock, _dir) = store().await;
        let id = campaign_with(&store, 2).await;
        set(&store, 0, "delivered", 0, 5).await;
        set(&store, 1, "delivered", 90, 90).await;
        // 90 s in buckets of 10 s: 9 buckets, the last ending at 90 s with both counted.
        let points = store.status_timeline(id, 10).await.unwrap();
        assert_eq!(points.len(), 10, "{points:#?}");
        for w in points.windows(2) {
            assert!(w[0].at < w[1].at, "{points:#?}");
        }
        let last = points.last().unwrap();
        assert_eq!((last.sent, last.delivered), (2, 2));
    }

    #[tokio::test]
    async fn unsent_messages_canceled_later_do_not_stretch_the_curve() {
        let (store, _clock, _dir) = store().await;
        let id = campaign_with(&store, 2).await;
        set(&store, 0, "delivered", 0, 10).await;
        sqlx::query(
            "UPDATE messages SET status = 'canceled', updated_at = '2026-11-29T14:00:00.000+00:00'
              WHERE row_index = 1",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let points = store.status_timeline(id, 10).await.unwrap();
        assert_eq!(
            points.last().unwrap().at,
            DateTime::parse_from_rfc3339("2026-11-27T14:00:10Z")
                .unwrap()
                .to_utc()
        );
    }

    #[tokio::test]
    async fn counts_accumulate_by_when_each_thing_happened() {
        let (store, _clock, _dir) = store().await;
        let id = campaign_with(&store, 5).await;
        set(&store, 0, "delivered", 0, 10).await;
        set(&store, 1, "delivered", 20, 35).await;
        set(&store, 2, "undelivered", 40, 95).await;
        set(&store, 3, "failed", 60, 61).await;
        set(&store, 4, "sent", 99, 99).await;
        let points = store.status_timeline(id, 10).await.unwrap();
        // 99 s in buckets of 10 s: 10 points after the first.
        assert_eq!(points.len(), 11, "{points:#?}");
        let t = |s: i64| {
            DateTime::parse_from_rfc3339("2026-11-27T14:00:00Z")
                .unwrap()
                .to_utc()
                + chrono::Duration::seconds(s)
        };
        assert_eq!(points[0].at, t(0));
        assert_eq!((points[0].sent, points[0].delivered), (0, 0));
        // Up to 14:00:10 (the first bucket): one sent; its delivery at 10 s is in the next.
        assert_eq!(
            (points[1].at, points[1].sent, points[1].delivered),
            (t(10), 1, 0)
        );
        assert_eq!((points[2].sent, points[2].delivered), (1, 1));
        let last = points.last().unwrap();
        assert_eq!(
            last.at,
            t(99),
            "the curve ends at the last thing that happened"
        );
        assert_eq!(
            (last.sent, last.delivered, last.undelivered, last.failed),
            (5, 2, 1, 1)
        );
        // Never decreasing.
        for w in points.windows(2) {
            assert!(
                w[0].at < w[1].at && w[0].sent <= w[1].sent && w[0].delivered <= w[1].delivered
            );
        }
        // And bounded by max_points whatever the span.
        assert!(store.status_timeline(id, 3).await.unwrap().len() <= 4);
    }
}
