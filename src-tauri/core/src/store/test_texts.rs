use super::Store;
use crate::error::{Error, Result, StorageContext};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use specta::Type;

/// Where a test text stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum TestTextState {
    /// Recorded, and the request to Twilio may or may not have reached it: looked up at
    /// Twilio before anything else happens to it.
    Sending,
    /// Twilio accepted it.
    Sent,
    /// Twilio refused it, or has no record of it: it was not sent.
    Failed,
}

/// One "test text to my phone".
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct TestText {
    pub id: i64,
    pub campaign_id: i64,
    pub to_e164: String,
    /// The member whose merge values it was rendered with.
    pub as_imis_id: Option<String>,
    pub body: String,
    pub segments: i64,
    pub state: TestTextState,
    pub twilio_sid: Option<String>,
    /// Twilio's refusal in words, or why it is still being checked.
    pub detail: Option<String>,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, campaign_id, to_e164, as_imis_id, body, segments, state, twilio_sid, detail, started_at, finished_at";

/// Segments sent or reserved on `day` (UTC) against the daily cap: LIVE messages and test
/// texts that were not refused.
pub(crate) const USED_ON_DAY: &str = "SELECT
      (SELECT COALESCE(SUM(segments), 0) FROM messages WHERE counted_day = ?1)
    + (SELECT COALESCE(SUM(segments), 0) FROM test_texts WHERE counted_day = ?1 AND state != 'failed')";

impl Store {
    /// Records a test text before its request leaves, if today's cap has room for it.
    pub async fn begin_test_text(
        &self,
        campaign_id: i64,
        to_e164: &str,
        as_imis_id: Option<&str>,
        body: &str,
        segments: u32,
        cap: u64,
    ) -> Result<TestText> {
        let now = self.now();
        let cap_zone = self.settings().await?.cap_zone();
        let day: NaiveDate = now.with_timezone(&cap_zone).date_naive();
        let day = day.format("%Y-%m-%d").to_string();
        let mut tx = self.begin_write().await?;
        let (used,): (i64,) = sqlx::query_as(USED_ON_DAY)
            .bind(&day)
            .fetch_one(&mut *tx)
            .await
            .context("read today's segments")?;
        let left = i64::try_from(cap).unwrap_or(i64::MAX).saturating_sub(used);
        if i64::from(segments) > left {
            return Err(Error::Conflict(format!(
                "the daily limit has {} segments left today and this text takes {segments}; try again after midnight ({}) or raise the limit in Settings → Twilio",
                left.max(0),
                cap_zone.name()
            )));
        }
        let text: TestText = sqlx::query_as(&format!(
            "INSERT INTO test_texts (campaign_id, to_e164, as_imis_id, body, segments, counted_day, started_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING {COLUMNS}"
        ))
        .bind(campaign_id)
        .bind(to_e164)
        .bind(as_imis_id)
        .bind(body)
        .bind(segments)
        .bind(&day)
        .bind(now)
        .fetch_one(&mut *tx)
        .await
        .context("record a test text")?;
        tx.commit().await.context("record a test text")?;
        Ok(text)
    }

    /// Closes a test text: sent with Twilio's SID, or failed with the reason.
    pub async fn finish_test_text(
        &self,
        id: i64,
        state: TestTextState,
        twilio_sid: Option<&str>,
        detail: Option<&str>,
    ) -> Result<TestText> {
        sqlx::query_as(&format!(
            "UPDATE test_texts SET state = ?2, twilio_sid = ?3, detail = ?4, finished_at = ?5
              WHERE id = ?1 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(state)
        .bind(twilio_sid)
        .bind(detail)
        .bind(self.now())
        .fetch_one(&self.pool)
        .await
        .context("record a test text's outcome")
    }

    /// Test texts whose outcome is unknown, oldest first.
    pub async fn open_test_texts(&self) -> Result<Vec<TestText>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM test_texts WHERE state = 'sending' ORDER BY started_at, id"
        ))
        .fetch_all(&self.pool)
        .await
        .context("read the test texts being checked")
    }

    /// A campaign's test texts, newest first.
    pub async fn test_texts(&self, campaign_id: i64) -> Result<Vec<TestText>> {
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM test_texts WHERE campaign_id = ?1 ORDER BY started_at DESC, id DESC"
        ))
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("read the test texts")
    }
}
