//! The durable write-back queue: one row per message and kind, recorded when Twilio
//! accepts the text, drained by the write-back worker, never duplicated.

use super::Store;
use crate::campaign::{Mode, WriteBackTarget};
use crate::error::{Error, Result, StorageContext};
use chrono::{DateTime, Utc};
use serde::Serialize;
use specta::Type;

/// What a write-back records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum WriteBackKind {
    /// A TEXTMSG Activity.
    Activity,
    CommunicationLog,
    /// A TEXTUNSUB Activity: the member replied STOP.
    Unsubscribe,
    /// A TEXTUNSUB_A Activity: the member replied START after opting out.
    Resubscribe,
}

impl WriteBackKind {
    /// Whether it records a text (and so marks the message's write-back state), rather
    /// than something the member did (opting out or back in).
    pub fn records_the_text(self) -> bool {
        matches!(self, Self::Activity | Self::CommunicationLog)
    }
}

/// A write-back the worker has claimed, with what it needs to write.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WriteBackJob {
    pub id: i64,
    pub message_id: i64,
    pub campaign_id: i64,
    pub kind: WriteBackKind,
    /// Tries so far, this one included.
    pub attempts: i64,
    /// An earlier try may have reached iMIS: look before posting.
    pub uncertain: bool,
    pub created_at: DateTime<Utc>,
    pub imis_id: Option<String>,
    pub to_e164: Option<String>,
    pub body: String,
    pub sent_at: Option<DateTime<Utc>>,
    /// For TEXTUNSUB/TEXTUNSUB_A caused by a reply: what the member wrote, and when.
    pub reply_body: Option<String>,
    pub reply_at: Option<DateTime<Utc>>,
}

/// A write-back that gave up, with why.
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct WriteBackFailure {
    pub message_id: i64,
    pub campaign_id: i64,
    pub member_name: Option<String>,
    pub imis_id: Option<String>,
    pub kind: WriteBackKind,
    pub reason: String,
}

/// The queue's state, overall or for one campaign.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct WriteBackStatus {
    pub pending: i64,
    pub in_flight: i64,
    pub done: i64,
    pub failed: i64,
    /// Why the pending ones are waiting, when the last try failed (most recent first).
    pub waiting_reason: Option<String>,
    /// The failed ones, most recent first (at most 500).
    pub failures: Vec<WriteBackFailure>,
}

impl Store {
    /// Queues the write-back of a message Twilio accepted, as its campaign asks. Returns
    /// whether one was queued: TEST campaigns and campaigns that write nothing queue none.
    /// Queuing twice is harmless.
    pub async fn enqueue_writeback(&self, message_id: i64) -> Result<bool> {
        let row: Option<(Mode, WriteBackTarget)> = sqlx::query_as(
            "SELECT c.mode, c.write_back FROM messages m JOIN campaigns c ON c.id = m.campaign_id
              WHERE m.id = ?1",
        )
        .bind(message_id)
        .fetch_optional(&self.pool)
        .await
        .context("read the message's campaign")?;
        let (mode, target) = row.ok_or_else(|| Error::not_found("message", message_id))?;
        let kind = match (mode, target) {
            (Mode::Test, _) | (_, WriteBackTarget::None) => return Ok(false),
            (Mode::Live, WriteBackTarget::Activity) => WriteBackKind::Activity,
            (Mode::Live, WriteBackTarget::CommunicationLog) => WriteBackKind::CommunicationLog,
        };
        self.enqueue_writeback_kind(message_id, kind).await
    }

    /// Queues a write-back of a given kind (TEXTUNSUB after a STOP) for a LIVE message.
    pub async fn enqueue_writeback_kind(
        &self,
        message_id: i64,
        kind: WriteBackKind,
    ) -> Result<bool> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO writebacks (message_id, kind, next_attempt_at, created_at, updated_at)
             SELECT m.id, ?2, ?3, ?3, ?3 FROM messages m JOIN campaigns c ON c.id = m.campaign_id
              WHERE m.id = ?1 AND c.mode = 'live'
             ON CONFLICT (message_id, kind, reply_id) DO NOTHING",
        )
        .bind(message_id)
        .bind(kind)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("queue a write-back")?
        .rows_affected();
        if inserted > 0 && kind.records_the_text() {
            sqlx::query("UPDATE messages SET writeback = 'pending' WHERE id = ?1 AND writeback = 'not_needed'")
                .bind(message_id)
                .execute(&mut *tx)
                .await
                .context("mark the message's write-back")?;
        }
        tx.commit().await.context("queue a write-back")?;
        Ok(inserted > 0)
    }

    /// Claims up to `limit` due write-backs for the worker (marked in flight, attempt
    /// counted) in one transaction.
    pub async fn claim_writebacks(&self, limit: u32) -> Result<Vec<WriteBackJob>> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let ids: Vec<(i64,)> = sqlx::query_as(
            "SELECT id FROM writebacks WHERE state = 'pending' AND next_attempt_at <= ?1
              ORDER BY next_attempt_at, id LIMIT ?2",
        )
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await
        .context("find due write-backs")?;
        let mut jobs = Vec::with_capacity(ids.len());
        for (id,) in ids {
            sqlx::query(
                "UPDATE writebacks SET state = 'in_flight', attempts = attempts + 1, updated_at = ?2
                  WHERE id = ?1 AND state = 'pending'",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("claim a write-back")?;
            let job: WriteBackJob = sqlx::query_as(
                "SELECT w.id, w.message_id, m.campaign_id, w.kind, w.attempts, w.uncertain, w.created_at,
                        m.imis_id, m.to_e164, m.body, m.sent_at, r.body AS reply_body, r.received_at AS reply_at
                   FROM writebacks w JOIN messages m ON m.id = w.message_id
                   LEFT JOIN replies r ON r.id = w.reply_id WHERE w.id = ?1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await
            .context("read a write-back")?;
            jobs.push(job);
        }
        tx.commit().await.context("claim write-backs")?;
        Ok(jobs)
    }

    /// The write-back is in iMIS, under `key` (the Activity's SEQN).
    pub async fn finish_writeback(&self, id: i64, key: &str) -> Result<()> {
        self.close_writeback(id, "done", Some(key), None).await
    }

    /// The write-back cannot be made; `reason` says why, in words.
    pub async fn fail_writeback(&self, id: i64, reason: &str) -> Result<()> {
        self.close_writeback(id, "failed", None, Some(reason)).await
    }

    async fn close_writeback(
        &self,
        id: i64,
        state: &str,
        key: Option<&str>,
        reason: Option<&str>,
    ) -> Result<()> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, WriteBackKind)> = sqlx::query_as(
            "UPDATE writebacks SET state = ?2, imis_key = COALESCE(?3, imis_key),
                    last_error = COALESCE(?4, last_error), uncertain = 0, updated_at = ?5
              WHERE id = ?1 AND state IN ('in_flight', 'pending') RETURNING message_id, kind",
        )
        .bind(id)
        .bind(state)
        .bind(key)
        .bind(reason)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await
        .context("close a write-back")?;
        let Some((message_id, kind)) = row else {
            return Err(Error::Conflict(format!("write-back {id} is not open")));
        };
        if kind.records_the_text() {
            sqlx::query("UPDATE messages SET writeback = ?2 WHERE id = ?1")
                .bind(message_id)
                .bind(state)
                .execute(&mut *tx)
                .await
                .context("mark the message's write-back")?;
        }
        tx.commit().await.context("close a write-back")
    }

    /// Puts a claimed write-back back in the queue until `next_at`. `uncertain`: the try
    /// may have reached iMIS, so the next one looks first.
    pub async fn retry_writeback_at(
        &self,
        id: i64,
        reason: &str,
        next_at: DateTime<Utc>,
        uncertain: bool,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE writebacks SET state = 'pending', last_error = ?2, next_attempt_at = ?3,
                    uncertain = MAX(uncertain, ?4), updated_at = ?5
              WHERE id = ?1 AND state = 'in_flight'",
        )
        .bind(id)
        .bind(reason)
        .bind(next_at)
        .bind(uncertain)
        .bind(self.now())
        .execute(&self.pool)
        .await
        .context("requeue a write-back")?;
        Ok(())
    }

    /// At start-up: write-backs left in flight by a crash may have reached iMIS. They go
    /// back to the queue, marked uncertain. Returns how many.
    pub async fn recover_writebacks(&self) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE writebacks SET state = 'pending', uncertain = 1, updated_at = ?1
              WHERE state = 'in_flight'",
        )
        .bind(self.now())
        .execute(&self.pool)
        .await
        .context("recover write-backs")?
        .rows_affected())
    }

    /// When the next pending write-back is due, if any.
    pub async fn next_writeback_due(&self) -> Result<Option<DateTime<Utc>>> {
        let row: Option<(Option<DateTime<Utc>>,)> =
            sqlx::query_as("SELECT MIN(next_attempt_at) FROM writebacks WHERE state = 'pending'")
                .fetch_optional(&self.pool)
                .await
                .context("read the write-back queue")?;
        Ok(row.and_then(|r| r.0))
    }

    /// Counts and failures, for one campaign or all.
    pub async fn writeback_status(&self, campaign_id: Option<i64>) -> Result<WriteBackStatus> {
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT w.state, COUNT(*) FROM writebacks w JOIN messages m ON m.id = w.message_id
              WHERE ?1 IS NULL OR m.campaign_id = ?1 GROUP BY w.state",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("count write-backs")?;
        let mut status = WriteBackStatus::default();
        for (state, n) in counts {
            match state.as_str() {
                "pending" => status.pending = n,
                "in_flight" => status.in_flight = n,
                "done" => status.done = n,
                _ => status.failed = n,
            }
        }
        status.waiting_reason = sqlx::query_as::<_, (String,)>(
            "SELECT w.last_error FROM writebacks w JOIN messages m ON m.id = w.message_id
              WHERE (?1 IS NULL OR m.campaign_id = ?1) AND w.state = 'pending' AND w.last_error IS NOT NULL
              ORDER BY w.updated_at DESC LIMIT 1",
        )
        .bind(campaign_id)
        .fetch_optional(&self.pool)
        .await
        .context("read the write-back queue")?
        .map(|r| r.0);
        status.failures = sqlx::query_as(
            "SELECT w.message_id, m.campaign_id, m.member_name, m.imis_id, w.kind,
                    COALESCE(w.last_error, 'unknown') AS reason
               FROM writebacks w JOIN messages m ON m.id = w.message_id
              WHERE (?1 IS NULL OR m.campaign_id = ?1) AND w.state = 'failed'
              ORDER BY w.updated_at DESC, w.id DESC LIMIT 500",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("list failed write-backs")?;
        Ok(status)
    }

    /// Puts failed write-backs back in the queue (the user fixed the cause). Returns how
    /// many.
    pub async fn retry_failed_writebacks(&self, campaign_id: Option<i64>) -> Result<u64> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE writebacks SET state = 'pending', attempts = 0, next_attempt_at = ?2,
                    created_at = ?2, updated_at = ?2
              WHERE state = 'failed' AND (?1 IS NULL OR message_id IN
                    (SELECT id FROM messages WHERE campaign_id = ?1))",
        )
        .bind(campaign_id)
        .bind(now)
        .execute(&mut *tx)
        .await
        .context("retry write-backs")?
        .rows_affected();
        sqlx::query(
            "UPDATE messages SET writeback = 'pending'
              WHERE writeback = 'failed' AND (?1 IS NULL OR campaign_id = ?1)",
        )
        .bind(campaign_id)
        .execute(&mut *tx)
        .await
        .context("retry write-backs")?;
        tx.commit().await.context("retry write-backs")?;
        Ok(n)
    }
}
