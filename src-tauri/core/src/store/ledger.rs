//! The send ledger: an attempt is committed before its HTTP request leaves and closed
//! with Twilio's answer after; an attempt still open is ambiguous and is reconciled with
//! Twilio before its message can be sent again. Also the status updates from polling.

use super::campaigns::append_event;
use super::Store;
use crate::campaign::Actor;
use crate::error::{Result, StorageContext};
use crate::status::MessageStatus;
use crate::twilio::MessageResource;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{Sqlite, Transaction};

/// A message whose attempt has begun: what to send.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SendJob {
    pub attempt_id: i64,
    pub message_id: i64,
    pub campaign_id: i64,
    pub to_e164: String,
    pub body: String,
    pub segments: i64,
}

/// An attempt left open: its request may or may not have created a message.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenAttempt {
    pub attempt_id: i64,
    pub message_id: i64,
    pub campaign_id: i64,
    pub to_e164: String,
    pub body: String,
    pub started_at: DateTime<Utc>,
}

/// How an attempt ended.
#[derive(Debug, Clone)]
pub enum AttemptResult {
    /// Twilio created the message (directly, or found when reconciling).
    Accepted {
        resource: Box<MessageResource>,
        reconciled: bool,
    },
    /// Twilio refused this message for good: it becomes `status` (Error or Failed).
    Rejected {
        status: MessageStatus,
        code: i64,
        reason: String,
    },
    /// Definitely not created (429, queue full, never connected, or reconciled absent):
    /// the message can be sent again.
    NotSent { reconciled: bool, detail: String },
}

/// Where a campaign's sending stands.
#[derive(Debug, Clone, Copy, Default, sqlx::FromRow)]
pub struct SendingState {
    /// Some preparing message with a phone number has no open attempt (an index probe
    /// that stops at the first, however large the campaign).
    pub sendable: bool,
    pub open_attempts: i64,
    /// Sent messages whose status is not final yet.
    pub unsettled: i64,
    pub last_sent_at: Option<DateTime<Utc>>,
}

/// A message's Twilio status as polled.
#[derive(Debug, Clone)]
pub struct StatusUpdate {
    pub sid: String,
    pub status: String,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub num_segments: Option<i64>,
    pub price: Option<String>,
    pub price_unit: Option<String>,
    /// When Twilio last changed the message (its `date_updated`).
    pub date_updated: Option<DateTime<Utc>>,
}

/// A message waiting for a final status.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Unsettled {
    pub message_id: i64,
    pub sid: String,
    pub to_e164: String,
    pub twilio_status: Option<String>,
    pub sent_at: DateTime<Utc>,
    pub segments: i64,
}

/// The order of Twilio's raw statuses: a status never moves backwards.
pub fn twilio_rank(raw: &str) -> u8 {
    match raw {
        "accepted" | "scheduled" | "queued" => 1,
        "sending" => 2,
        "sent" => 3,
        "delivered" | "undelivered" | "failed" | "canceled" | "read" => 4,
        _ => 0,
    }
}

impl From<&MessageResource> for StatusUpdate {
    fn from(m: &MessageResource) -> Self {
        Self {
            sid: m.sid.clone(),
            status: m.status.clone().unwrap_or_default(),
            error_code: m.error_code,
            error_message: m.error_message.clone(),
            num_segments: m.num_segments.filter(|n| *n > 0),
            price: m.price.clone(),
            price_unit: m.price_unit.clone(),
            date_updated: m.date_updated,
        }
    }
}

/// A message that may be sent: id, number, body, segments, and when its number was put on
/// the opt-out list (if it is on it).
type Candidate = (i64, String, String, i64, Option<DateTime<Utc>>);

impl Store {
    /// Begins attempts for up to `limit` sendable messages of a campaign, in one
    /// transaction (one disk sync), reserving their segments on `day` without passing
    /// `cap`. Returns the jobs and whether the cap stopped the batch.
    pub async fn begin_attempts(
        &self,
        campaign_id: i64,
        limit: u32,
        day: NaiveDate,
        cap: u64,
    ) -> Result<(Vec<SendJob>, bool)> {
        let sender = self.settings().await?.opt_out_sender();
        self.begin_attempts_in(campaign_id, limit, day, cap, None, &sender)
            .await
    }

    /// [`begin_attempts`](Self::begin_attempts) for the recipients whose sending window is
    /// open: those whose stored zone key is one of `open_zones` (`""` stands for an unknown
    /// zone). `None` takes every recipient (a campaign sent at any hour). `sender` is the
    /// opt-out list of the sending number or service ([`Settings::opt_out_sender`]).
    ///
    /// [`Settings::opt_out_sender`]: crate::settings::Settings::opt_out_sender
    pub async fn begin_attempts_in(
        &self,
        campaign_id: i64,
        limit: u32,
        day: NaiveDate,
        cap: u64,
        open_zones: Option<&[String]>,
        sender: &str,
    ) -> Result<(Vec<SendJob>, bool)> {
        let open_zones = open_zones
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| crate::error::Error::Invalid(format!("zones: {e}")))?;
        // A send under no cap (TEST) reserves nothing against the real daily cap.
        let counted = cap != crate::compose::summary::NO_CAP;
        // The lists preparation read: the sending number's (or service's), every sender's,
        // and for a TEST campaign the TEST list.
        let now = self.now();
        let day = day.format("%Y-%m-%d").to_string();
        let mut tx = self.begin_write().await?;
        let used = if counted {
            let (used,): (i64,) = sqlx::query_as(super::test_texts::USED_ON_DAY)
                .bind(&day)
                .fetch_one(&mut *tx)
                .await
                .context("read today's segments")?;
            used
        } else {
            0 // nothing is counted against the real cap: no need to add up today's texts
        };
        let mut left = i64::try_from(cap).unwrap_or(i64::MAX).saturating_sub(used);
        let mut jobs = Vec::with_capacity(limit as usize);
        let mut capped = false;
        loop {
            // A number put on the opt-out list after the campaign was prepared (a STOP
            // read while it sends) is skipped here, at once: no text is wasted on a 21610.
            let candidates: Vec<Candidate> = sqlx::query_as(
                    "SELECT m.id, m.to_e164, m.body, m.segments,
                            (SELECT MIN(o.added_at) FROM opt_outs o WHERE o.phone_e164 = m.to_e164
                                AND (o.sender IN (?4, '*') OR (o.sender = ?5
                                     AND (SELECT mode FROM campaigns WHERE id = ?1) = 'test')))
                       FROM messages m
                      WHERE m.campaign_id = ?1 AND m.status = 'preparing' AND m.to_e164 IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM send_attempts a WHERE a.message_id = m.id AND a.outcome = 'open')
                        AND (?3 IS NULL OR COALESCE(m.time_zone, '') IN (SELECT value FROM json_each(?3)))
                      ORDER BY m.row_index LIMIT ?2",
                )
                .bind(campaign_id)
                .bind(limit)
                .bind(&open_zones)
                .bind(sender)
                .bind(super::TEST_SENDER)
                .fetch_all(&mut *tx)
                .await
                .context("find messages to send")?;
            let mut skipped = 0;
            for (message_id, to_e164, body, segments, opted_out_at) in candidates {
                if let Some(at) = opted_out_at {
                    let since = super::opt_outs::local_date(at);
                    sqlx::query(
                        "UPDATE messages SET status = 'skipped', status_reason = ?2, counted_day = NULL,
                                updated_at = ?3 WHERE id = ?1",
                    )
                    .bind(message_id)
                    .bind(crate::compose::prepare::Exclusion::OptedOut { since }.describe())
                    .bind(now)
                    .execute(&mut *tx)
                    .await
                    .context("skip a number that opted out")?;
                    skipped += 1;
                    continue;
                }
                if segments > left {
                    capped = true;
                    break;
                }
                left -= segments;
                let (attempt_id,): (i64,) = sqlx::query_as(
                    "INSERT INTO send_attempts (message_id, started_at) VALUES (?1, ?2) RETURNING id",
                )
                .bind(message_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .context("record a send attempt")?;
                if counted {
                    sqlx::query("UPDATE messages SET counted_day = ?2 WHERE id = ?1")
                        .bind(message_id)
                        .bind(&day)
                        .execute(&mut *tx)
                        .await
                        .context("reserve the segments")?;
                }
                jobs.push(SendJob {
                    attempt_id,
                    message_id,
                    campaign_id,
                    to_e164,
                    body,
                    segments,
                });
            }
            // A batch of nothing but opted-out numbers is not the end of the campaign.
            if !jobs.is_empty() || capped || skipped == 0 {
                break;
            }
        }
        tx.commit().await.context("record send attempts")?;
        Ok((jobs, capped))
    }

    /// Records how attempts ended, in one transaction. Returns the numbers that opted out.
    pub async fn finish_attempts(&self, results: &[(SendJob, AttemptResult)]) -> Result<()> {
        if results.is_empty() {
            return Ok(());
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        for (job, result) in results {
            finish_one(&mut tx, now, job, result).await?;
        }
        tx.commit().await.context("record send results")?;
        Ok(())
    }

    /// Open attempts that began before `before`, oldest first.
    pub async fn open_attempts(
        &self,
        before: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<OpenAttempt>> {
        sqlx::query_as(
            "SELECT a.id AS attempt_id, a.message_id, m.campaign_id, m.to_e164, m.body, a.started_at
               FROM send_attempts a JOIN messages m ON m.id = a.message_id
              WHERE a.outcome = 'open' AND a.started_at < ?1 ORDER BY a.id LIMIT ?2",
        )
        .bind(before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("read open send attempts")
    }

    /// Where a campaign's sending stands.
    pub async fn sending_state(&self, campaign_id: i64) -> Result<SendingState> {
        sqlx::query_as(
            "SELECT
               EXISTS (SELECT 1 FROM messages m WHERE m.campaign_id = ?1 AND m.status = 'preparing'
                   AND m.to_e164 IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM send_attempts a WHERE a.message_id = m.id AND a.outcome = 'open')) AS sendable,
               (SELECT COUNT(*) FROM send_attempts a JOIN messages m ON m.id = a.message_id
                 WHERE m.campaign_id = ?1 AND a.outcome = 'open') AS open_attempts,
               (SELECT COUNT(*) FROM messages WHERE campaign_id = ?1 AND status = 'sent') AS unsettled,
               (SELECT MAX(sent_at) FROM messages WHERE campaign_id = ?1) AS last_sent_at",
        )
        .bind(campaign_id)
        .fetch_one(&self.pool)
        .await
        .context("read the campaign's progress")
    }

    /// Messages with no phone-less problem left unsent when a campaign is canceled become
    /// Canceled (those with an open attempt wait for reconciliation). Returns how many.
    pub async fn cancel_unsent(&self, campaign_id: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE messages SET status = 'canceled', status_reason = 'the campaign was canceled before this was sent',
                    counted_day = NULL, updated_at = ?2
              WHERE campaign_id = ?1 AND status = 'preparing'
                AND NOT EXISTS (SELECT 1 FROM send_attempts a WHERE a.message_id = messages.id AND a.outcome = 'open')",
        )
        .bind(campaign_id)
        .bind(self.now())
        .execute(&self.pool)
        .await
        .context("cancel unsent messages")?
        .rows_affected())
    }

    /// Messages sent after `since` that Twilio has more to say about: those still waiting
    /// for a final status, and those delivered or undelivered that Twilio has not priced
    /// yet (it prices a message some time after sending it, at times after its final
    /// status). Each half is read through its own index (`+sent_at` keeps the first on
    /// the status index: by time it would read every message sent in the last three days).
    pub async fn unsettled_messages(
        &self,
        campaign_id: i64,
        since: DateTime<Utc>,
    ) -> Result<Vec<Unsettled>> {
        sqlx::query_as(
            "SELECT id AS message_id, twilio_sid AS sid, to_e164, twilio_status, sent_at, segments FROM messages
              WHERE campaign_id = ?1 AND status = 'sent' AND twilio_sid IS NOT NULL AND +sent_at >= ?2
             UNION ALL
             SELECT id AS message_id, twilio_sid AS sid, to_e164, twilio_status, sent_at, segments FROM messages
              WHERE campaign_id = ?1 AND price IS NULL AND status IN ('delivered', 'undelivered')
                AND twilio_sid IS NOT NULL AND sent_at >= ?2
             ORDER BY message_id",
        )
        .bind(campaign_id)
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .context("read messages awaiting a status")
    }

    /// Applies polled statuses to a campaign's messages; an older status never overwrites
    /// a newer one. Returns how many messages changed.
    pub async fn apply_statuses(&self, campaign_id: i64, updates: &[StatusUpdate]) -> Result<u64> {
        if updates.is_empty() {
            return Ok(0);
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let mut changed = 0;
        for u in updates {
            // One probe of the SID's unique index per update, not a read of the whole campaign.
            type Known = (
                i64,
                Option<String>,
                MessageStatus,
                bool,
                Option<DateTime<Utc>>,
            );
            let known: Option<Known> = sqlx::query_as(
                "SELECT id, twilio_status, status, price IS NOT NULL, sent_at FROM messages
                  WHERE twilio_sid = ?1 AND campaign_id = ?2",
            )
            .bind(&u.sid)
            .bind(campaign_id)
            .fetch_optional(&mut *tx)
            .await
            .context("find a message by its Twilio SID")?;
            let Some((id, raw, status, priced, sent_at)) = known else {
                continue;
            };
            // The status changed when Twilio says it did (a status polled hours later, as
            // when Herald was closed, keeps its own time), within what is possible here:
            // not before the message was sent, not after now.
            let changed_at = u
                .date_updated
                .map_or(now, |t| t.min(now))
                .max(sent_at.unwrap_or(DateTime::<Utc>::MIN_UTC));
            let newer = twilio_rank(&u.status) > raw.as_deref().map_or(0, twilio_rank);
            let price_arrived = !priced && u.price.is_some();
            if !newer && !price_arrived {
                continue;
            }
            let new_status = if newer {
                MessageStatus::from_twilio(&u.status).unwrap_or(status)
            } else {
                status
            };
            if newer && !status.can_become(new_status) && status != new_status {
                continue;
            }
            sqlx::query(
                "UPDATE messages SET status = ?2, twilio_status = CASE WHEN ?3 THEN ?4 ELSE twilio_status END,
                        error_code = COALESCE(?5, error_code), error_message = COALESCE(?6, error_message),
                        twilio_segments = COALESCE(?7, twilio_segments), price = COALESCE(?8, price),
                        price_unit = COALESCE(?9, price_unit),
                        updated_at = CASE WHEN ?3 THEN ?10 ELSE updated_at END
                  WHERE id = ?1",
            )
            .bind(id)
            .bind(new_status)
            .bind(newer)
            .bind(&u.status)
            .bind(u.error_code)
            .bind(u.error_code.map(|c| crate::twilio::codes::explain(c).to_string()).or(u.error_message.clone()))
            .bind(u.num_segments)
            .bind(&u.price)
            .bind(&u.price_unit)
            .bind(changed_at)
            .execute(&mut *tx)
            .await
            .context("update a message's status")?;
            changed += 1;
        }
        tx.commit().await.context("update message statuses")?;
        Ok(changed)
    }

    /// Records something the engine did to a campaign, without a status change.
    pub async fn log_event(
        &self,
        campaign_id: i64,
        actor: Actor,
        kind: &str,
        detail: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        append_event(&mut tx, campaign_id, self.now(), actor, kind, detail).await?;
        tx.commit().await.context("record the campaign event")
    }
}

async fn finish_one(
    tx: &mut Transaction<'_, Sqlite>,
    now: DateTime<Utc>,
    job: &SendJob,
    result: &AttemptResult,
) -> Result<()> {
    let (outcome, sid, code, detail) = match result {
        AttemptResult::Accepted {
            resource,
            reconciled,
        } => (
            if *reconciled {
                "reconciled_sent"
            } else {
                "accepted"
            },
            Some(resource.sid.as_str()),
            None,
            None,
        ),
        AttemptResult::Rejected { code, reason, .. } => {
            ("rejected", None, Some(*code), Some(reason.as_str()))
        }
        AttemptResult::NotSent { reconciled, detail } => (
            if *reconciled {
                "reconciled_absent"
            } else {
                "not_accepted"
            },
            None,
            None,
            Some(detail.as_str()),
        ),
    };
    let closed = sqlx::query(
        "UPDATE send_attempts SET outcome = ?2, twilio_sid = ?3, error_code = ?4, detail = ?5, finished_at = ?6
          WHERE id = ?1 AND outcome = 'open'",
    )
    .bind(job.attempt_id)
    .bind(outcome)
    .bind(sid)
    .bind(code)
    .bind(detail)
    .bind(now)
    .execute(&mut **tx)
    .await
    .context("close a send attempt")?;
    if closed.rows_affected() == 0 {
        return Ok(()); // already closed (reconciled twice): nothing more to do
    }
    match result {
        AttemptResult::Accepted { resource, .. } => {
            let raw = resource.status.clone().unwrap_or_else(|| "queued".into());
            let status = MessageStatus::from_twilio(&raw).unwrap_or(MessageStatus::Sent);
            sqlx::query(
                "UPDATE messages SET status = ?2, twilio_sid = ?3, twilio_status = ?4, sent_at = ?5,
                        twilio_segments = ?6, error_code = ?7, updated_at = ?5
                  WHERE id = ?1 AND status = 'preparing'",
            )
            .bind(job.message_id)
            .bind(status)
            .bind(&resource.sid)
            .bind(&raw)
            .bind(now)
            .bind(resource.num_segments.filter(|n| *n > 0))
            .bind(resource.error_code)
            .execute(&mut **tx)
            .await
            .context("record a sent message")?;
            // The write-back is queued in the same transaction: never lost.
            sqlx::query(
                "INSERT INTO writebacks (message_id, kind, next_attempt_at, created_at, updated_at)
                 SELECT m.id, CASE c.write_back WHEN 'activity' THEN 'activity' ELSE 'communication_log' END, ?2, ?2, ?2
                   FROM messages m JOIN campaigns c ON c.id = m.campaign_id
                  WHERE m.id = ?1 AND c.mode = 'live' AND c.write_back != 'none'
                 ON CONFLICT (message_id, kind, reply_id) DO NOTHING",
            )
            .bind(job.message_id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .context("queue the write-back")?;
            sqlx::query(
                "UPDATE messages SET writeback = 'pending' WHERE id = ?1 AND writeback = 'not_needed'
                   AND EXISTS (SELECT 1 FROM writebacks w WHERE w.message_id = ?1)",
            )
            .bind(job.message_id)
            .execute(&mut **tx)
            .await
            .context("queue the write-back")?;
        }
        AttemptResult::Rejected {
            status,
            code,
            reason,
        } => {
            sqlx::query(
                "UPDATE messages SET status = ?2, error_code = ?3, error_message = ?4, status_reason = ?4,
                        counted_day = NULL, updated_at = ?5
                  WHERE id = ?1 AND status = 'preparing'",
            )
            .bind(job.message_id)
            .bind(status)
            .bind(code)
            .bind(reason)
            .bind(now)
            .execute(&mut **tx)
            .await
            .context("record a refused message")?;
        }
        AttemptResult::NotSent { .. } => {
            // Free the reserved segments; a canceled campaign's message is now Canceled.
            sqlx::query(
                "UPDATE messages SET counted_day = NULL, updated_at = ?2,
                        status = CASE WHEN (SELECT status FROM campaigns WHERE id = messages.campaign_id) = 'canceled'
                                      THEN 'canceled' ELSE status END
                  WHERE id = ?1 AND status = 'preparing'",
            )
            .bind(job.message_id)
            .bind(now)
            .execute(&mut **tx)
            .await
            .context("release a message")?;
        }
    }
    Ok(())
}
