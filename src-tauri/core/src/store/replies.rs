//! Replies members texted back, each stored once by its Twilio SID, classified, and
//! acted on in the same transaction: an opt-out word puts the number on its sender's
//! opt-out list and queues a TEXTUNSUB Activity for each member texted at that number;
//! an opt-in word takes it off and queues TEXTUNSUB_A. A crash between two pages loses
//! nothing: the next poll re-reads from the day before and skips what is stored.

use super::opt_outs::{insert_opt_out, log_change, NewOptOut};
use super::writebacks::WriteBackKind;
use super::Store;
use crate::error::{Error, Result, StorageContext};
use crate::replies::{classify, ReplyKind};
use crate::status::MessageStatus;
use crate::store::OptOutSource;
use chrono::{DateTime, Utc};
use serde::Serialize;
use specta::Type;
use sqlx::SqliteConnection;

/// A reply as read from Twilio.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundReply {
    pub sid: String,
    pub from_e164: String,
    /// The number it was sent to (ours).
    pub to_number: String,
    /// Whose opt-out list it speaks to: our number, or its Messaging Service.
    pub sender: String,
    pub body: String,
    pub received_at: DateTime<Utc>,
    /// A reply TEST mode's simulator made up for a message of this TEST campaign: it
    /// answers that campaign, and what it means stays on the TEST list
    /// ([`TEST_SENDER`](super::TEST_SENDER)), never the real ones nor iMIS.
    pub simulated_for: Option<i64>,
}

/// A stored reply, with the campaign and member it answers.
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct Reply {
    pub id: i64,
    pub sid: String,
    pub from_e164: String,
    pub to_number: String,
    pub sender: String,
    pub body: String,
    pub received_at: DateTime<Utc>,
    pub kind: ReplyKind,
    /// The campaign whose last text to that number came before the reply.
    pub campaign_id: Option<i64>,
    pub campaign_name: Option<String>,
    pub member_name: Option<String>,
    pub imis_id: Option<String>,
    /// When staff confirmed a possible opt-out.
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Made up by TEST mode's simulator: no member sent it.
    pub simulated: bool,
}

/// What one batch of replies did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Type)]
pub struct ReplyOutcome {
    /// New replies stored.
    pub stored: u32,
    /// Replies already stored by an earlier poll.
    pub known: u32,
    /// Numbers newly on an opt-out list.
    pub opted_out: u32,
    /// Numbers taken off an opt-out list (they replied START).
    pub opted_in: u32,
    /// Possible opt-outs waiting for staff.
    pub to_confirm: u32,
    /// iMIS write-backs queued (TEXTUNSUB, TEXTUNSUB_A).
    pub writebacks: u32,
}

/// New replies to one campaign in one poll.
#[derive(Debug, Default)]
struct CampaignReplies {
    simulated: bool,
    replies: u32,
    opted_out: u32,
    to_confirm: u32,
}

impl CampaignReplies {
    fn count(&mut self, kind: ReplyKind) {
        self.replies += 1;
        match kind {
            ReplyKind::OptOut => self.opted_out += 1,
            ReplyKind::PossibleOptOut => self.to_confirm += 1,
            _ => {}
        }
    }

    /// "3 new replies: 1 opted out, 1 asks to stop in their own words".
    fn in_words(&self) -> String {
        let what = if self.simulated { " simulated" } else { "" };
        let mut s = match self.replies {
            1 => format!("1 new{what} reply"),
            n => format!("{n} new{what} replies"),
        };
        let mut parts = vec![];
        if self.opted_out > 0 {
            parts.push(format!("{} opted out", self.opted_out));
        }
        if self.to_confirm > 0 {
            parts.push(match self.to_confirm {
                1 => "1 asks to stop in their own words".to_string(),
                n => format!("{n} ask to stop in their own words"),
            });
        }
        if !parts.is_empty() {
            s.push_str(": ");
            s.push_str(&parts.join(", "));
        }
        s
    }
}

/// A delivered TEST message that may be answered by a simulated reply.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SimulatedReplyCandidate {
    pub campaign_id: i64,
    pub row_index: i64,
    pub to_e164: String,
    pub twilio_sid: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub segments: i64,
    /// Its place among the first delivered (see [`Store::simulated_reply_candidates`]).
    #[sqlx(default)]
    pub first: Option<i64>,
}

/// Which replies to list.
#[derive(Debug, Clone, Default)]
pub struct ReplyFilter {
    pub campaign_id: Option<i64>,
    pub kind: Option<ReplyKind>,
    /// Words in the reply, the member's name, or digits of the number.
    pub search: Option<String>,
    /// At most this many, newest first (0: 1,000).
    pub limit: u32,
}

impl Store {
    /// Stores the replies not stored before (by SID) and applies what they mean, all in
    /// one transaction.
    pub async fn record_replies(&self, replies: &[InboundReply]) -> Result<ReplyOutcome> {
        let mut out = ReplyOutcome::default();
        if replies.is_empty() {
            return Ok(out);
        }
        let now = self.now();
        let mut per_campaign = std::collections::BTreeMap::<i64, CampaignReplies>::new();
        let mut tx = self.begin_write().await?;
        for r in replies {
            // Every poll re-reads the previous day: a reply already stored costs one index
            // lookup, not the search for the campaign it answers.
            let known: Option<i64> = sqlx::query_scalar("SELECT 1 FROM replies WHERE sid = ?1")
                .bind(&r.sid)
                .fetch_optional(&mut *tx)
                .await
                .context("look a reply up")?;
            if known.is_some() {
                out.known += 1;
                continue;
            }
            let kind = classify(&r.body);
            let simulated = r.simulated_for.is_some();
            let campaign_id: Option<i64> = if simulated {
                r.simulated_for
            } else {
                sqlx::query_scalar(
                "SELECT m.campaign_id FROM messages m JOIN campaigns c ON c.id = m.campaign_id
                  WHERE m.to_e164 = ?1 AND m.sent_at IS NOT NULL AND m.sent_at < ?2 AND c.mode = 'live'
                  ORDER BY m.sent_at DESC, m.id DESC LIMIT 1",
            )
            .bind(&r.from_e164)
            // Only real texts are answered (a TEST campaign's are simulated). Twilio dates a
            // reply to the second: it came before the end of that second.
            .bind(r.received_at + chrono::Duration::seconds(1))
            .fetch_optional(&mut *tx)
            .await
            .context("find the campaign a reply answers")?
            };
            // A simulated reply speaks only to the TEST list, whatever it was given.
            let sender = if simulated {
                super::TEST_SENDER
            } else {
                r.sender.as_str()
            };
            let id: Option<i64> = sqlx::query_scalar(
                "INSERT INTO replies (sid, from_e164, to_number, sender, body, received_at, kind, campaign_id, stored_at, simulated)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) ON CONFLICT (sid) DO NOTHING RETURNING id",
            )
            .bind(&r.sid)
            .bind(&r.from_e164)
            .bind(&r.to_number)
            .bind(sender)
            .bind(&r.body)
            .bind(r.received_at)
            .bind(kind)
            .bind(campaign_id)
            .bind(now)
            .bind(simulated)
            .fetch_optional(&mut *tx)
            .await
            .context("store a reply")?;
            let Some(id) = id else {
                out.known += 1;
                continue;
            };
            out.stored += 1;
            if let Some(c) = campaign_id {
                let counts = per_campaign.entry(c).or_default();
                counts.simulated = simulated;
                counts.count(kind);
            }
            match kind {
                ReplyKind::OptOut => {
                    let added = insert_opt_out(
                        &mut tx,
                        &NewOptOut {
                            sender,
                            phone_e164: &r.from_e164,
                            source: OptOutSource::RepliedStop,
                            campaign_id,
                            reply_id: Some(id),
                            note: Some(&r.body),
                            at: r.received_at,
                        },
                    )
                    .await?;
                    if added {
                        out.opted_out += 1;
                    }
                    if added && !simulated {
                        out.writebacks += queue_member_writebacks(
                            &mut tx,
                            &r.from_e164,
                            WriteBackKind::Unsubscribe,
                            id,
                            now,
                        )
                        .await?;
                    }
                }
                ReplyKind::OptIn => {
                    // (A simulated START only takes the number off the TEST list.)
                    let removed = sqlx::query_scalar::<_, String>(
                        "DELETE FROM opt_outs WHERE phone_e164 = ?1
                            AND (sender = ?2 OR (sender = '*' AND NOT ?3
                                 AND source IN ('twilio_stop','replied_stop','confirmed_reply')))
                         RETURNING sender",
                    )
                    .bind(&r.from_e164)
                    .bind(sender)
                    .bind(simulated)
                    .fetch_all(&mut *tx)
                    .await
                    .context("take a number off the opt-out list")?;
                    for sender in &removed {
                        log_change(
                            &mut tx,
                            sender,
                            &r.from_e164,
                            "removed",
                            "replied_start",
                            Some(&r.body),
                            Some(id),
                            r.received_at,
                        )
                        .await?;
                    }
                    if !removed.is_empty() {
                        out.opted_in += 1;
                    }
                    if !removed.is_empty() && !simulated {
                        out.writebacks += queue_member_writebacks(
                            &mut tx,
                            &r.from_e164,
                            WriteBackKind::Resubscribe,
                            id,
                            now,
                        )
                        .await?;
                    }
                }
                ReplyKind::PossibleOptOut => out.to_confirm += 1,
                ReplyKind::Help | ReplyKind::Reply => {}
            }
        }
        // Each campaign's history says what came in (the desktop notification reads it).
        for (campaign_id, counts) in &per_campaign {
            super::campaigns::append_event(
                &mut tx,
                *campaign_id,
                now,
                crate::campaign::Actor::Engine,
                crate::notices::REPLIES,
                Some(&counts.in_words()),
            )
            .await?;
        }
        tx.commit().await.context("store replies")?;
        Ok(out)
    }

    /// Staff read a possible opt-out as an opt-out: the number goes on the sender's list
    /// and iMIS is told, as for STOP. Returns whether the number was newly added.
    pub async fn confirm_opt_out(&self, reply_id: i64) -> Result<bool> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        #[derive(sqlx::FromRow)]
        struct Row {
            from_e164: String,
            sender: String,
            body: String,
            campaign_id: Option<i64>,
            kind: ReplyKind,
            confirmed_at: Option<DateTime<Utc>>,
            simulated: bool,
        }
        let row: Option<Row> = sqlx::query_as(
            "SELECT from_e164, sender, body, campaign_id, kind, confirmed_at, simulated FROM replies WHERE id = ?1",
        )
        .bind(reply_id)
        .fetch_optional(&mut *tx)
        .await
        .context("read a reply")?;
        let Row {
            from_e164: from,
            sender,
            body,
            campaign_id,
            kind,
            confirmed_at: confirmed,
            simulated,
        } = row.ok_or_else(|| Error::not_found("reply", reply_id))?;
        if kind == ReplyKind::OptIn {
            return Err(Error::Invalid(
                "this reply asks to be texted again; it cannot be an opt-out".into(),
            ));
        }
        if confirmed.is_some() {
            return Ok(false);
        }
        sqlx::query("UPDATE replies SET confirmed_at = ?2 WHERE id = ?1")
            .bind(reply_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("confirm an opt-out")?;
        let added = insert_opt_out(
            &mut tx,
            &NewOptOut {
                sender: &sender,
                phone_e164: &from,
                source: OptOutSource::ConfirmedReply,
                campaign_id,
                reply_id: Some(reply_id),
                note: Some(&body),
                at: now,
            },
        )
        .await?;
        // A simulated reply's opt-out stays on the TEST list (its sender): iMIS is not told.
        if added && !simulated {
            queue_member_writebacks(&mut tx, &from, WriteBackKind::Unsubscribe, reply_id, now)
                .await?;
        }
        tx.commit().await.context("confirm an opt-out")?;
        Ok(added)
    }

    /// Replies, newest first.
    pub async fn replies(&self, filter: &ReplyFilter) -> Result<Vec<Reply>> {
        let limit = if filter.limit == 0 {
            1000
        } else {
            filter.limit
        };
        let search = filter
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                format!(
                    "%{}%",
                    s.replace('\\', "\\\\")
                        .replace('%', "\\%")
                        .replace('_', "\\_")
                )
            });
        sqlx::query_as(
            "SELECT r.id, r.sid, r.from_e164, r.to_number, r.sender, r.body, r.received_at, r.kind,
                    r.campaign_id, c.name AS campaign_name, m.member_name, m.imis_id, r.confirmed_at, r.simulated
               FROM replies r
               LEFT JOIN campaigns c ON c.id = r.campaign_id
               LEFT JOIN messages m ON m.id = (SELECT id FROM messages x
                    WHERE x.campaign_id = r.campaign_id AND x.to_e164 = r.from_e164
                    ORDER BY x.sent_at IS NULL, x.id DESC LIMIT 1)
              WHERE (?1 IS NULL OR r.campaign_id = ?1) AND (?2 IS NULL OR r.kind = ?2)
                AND (?3 IS NULL OR r.body LIKE ?3 ESCAPE '\\' OR m.member_name LIKE ?3 ESCAPE '\\'
                     OR r.from_e164 LIKE ?3 ESCAPE '\\')
              ORDER BY r.received_at DESC, r.id DESC LIMIT ?4",
        )
        .bind(filter.campaign_id)
        .bind(filter.kind)
        .bind(search)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
        .context("list replies")
    }

    /// Replies to a campaign by kind, for its dashboard and report.
    pub async fn reply_counts(&self, campaign_id: i64) -> Result<Vec<(ReplyKind, i64)>> {
        sqlx::query_as(
            "SELECT kind, COUNT(*) FROM replies WHERE campaign_id = ?1 GROUP BY kind ORDER BY kind",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("count replies")
    }

    /// Whether a LIVE campaign started since `since` is sending (or waiting for its last
    /// statuses, which it does while still Sending).
    pub async fn live_sending_since(&self, since: DateTime<Utc>) -> Result<bool> {
        sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM campaigns WHERE mode = 'live' AND status = 'sending'
                    AND (started_at IS NULL OR started_at >= ?1))",
        )
        .bind(since)
        .fetch_one(&self.pool)
        .await
        .context("look for campaigns sending")
    }

    /// TEST campaigns started since `since` (and no longer a draft or scheduled): their
    /// delivered messages that a simulated reply answers and that none answers yet. The
    /// first [`FIRST_REPLIES`](crate::engine::simulator::FIRST_REPLIES) delivered in the
    /// audience's first rows come with their place among them (counted only over rows whose
    /// status is final, so that a place never changes); then rows from `more_rows`.
    pub async fn simulated_reply_candidates(
        &self,
        since: DateTime<Utc>,
        first_rows: i64,
        first_replies: usize,
        more_rows: impl Fn(i64) -> Vec<i64>,
    ) -> Result<Vec<SimulatedReplyCandidate>> {
        let campaigns: Vec<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT c.id, (SELECT MAX(row_index) FROM messages WHERE campaign_id = c.id)
               FROM campaigns c
              WHERE c.mode = 'test' AND c.status IN ('sending','paused','completed','canceled')
                AND c.started_at >= ?1",
        )
        .bind(since)
        .fetch_all(&self.pool)
        .await
        .context("find TEST campaigns")?;
        #[derive(sqlx::FromRow)]
        struct Row {
            status: MessageStatus,
            /// A simulated reply from that number to that campaign is stored already.
            answered: bool,
            #[sqlx(flatten)]
            candidate: SimulatedReplyCandidate,
        }
        const COLUMNS: &str =
            "m.campaign_id, m.row_index, m.to_e164, m.twilio_sid, m.sent_at, m.segments";
        const ANSWERED: &str = "EXISTS (SELECT 1 FROM replies r WHERE r.from_e164 = m.to_e164
            AND r.campaign_id = m.campaign_id AND r.simulated = 1)";
        let mut out = vec![];
        for (campaign_id, last_row) in campaigns {
            let Some(last_row) = last_row else { continue };
            // The first rows with a number, in order, up to the first without a final status.
            let first: Vec<Row> = sqlx::query_as(&format!(
                "SELECT m.status, {ANSWERED} AS answered, {COLUMNS} FROM messages m
                  WHERE m.campaign_id = ?1 AND m.row_index < ?2 AND m.to_e164 IS NOT NULL
                    AND m.status <> 'skipped'
                  ORDER BY m.row_index"
            ))
            .bind(campaign_id)
            .bind(first_rows)
            .fetch_all(&self.pool)
            .await
            .context("find the first TEST messages")?;
            let mut place = 0usize;
            for row in first {
                if place >= first_replies || !row.status.is_final() {
                    break;
                }
                if row.status == MessageStatus::Delivered && row.candidate.twilio_sid.is_some() {
                    if !row.answered {
                        out.push(SimulatedReplyCandidate {
                            first: Some(place as i64),
                            ..row.candidate
                        });
                    }
                    place += 1;
                }
            }
            let rows = serde_json::to_string(&more_rows(last_row + 1))
                .map_err(|e| Error::Invalid(format!("rows: {e}")))?;
            let more: Vec<SimulatedReplyCandidate> = sqlx::query_as(&format!(
                "SELECT {COLUMNS} FROM messages m
                  WHERE m.campaign_id = ?1 AND m.row_index IN (SELECT value FROM json_each(?2))
                    AND m.status = 'delivered' AND m.to_e164 IS NOT NULL
                    AND m.twilio_sid IS NOT NULL AND m.sent_at IS NOT NULL
                    AND NOT {ANSWERED}"
            ))
            .bind(campaign_id)
            .bind(rows)
            .fetch_all(&self.pool)
            .await
            .context("find TEST messages that are answered")?;
            out.extend(more);
        }
        Ok(out)
    }

    /// When replies to `sender` were last read completely.
    pub async fn reply_sync_point(&self, sender: &str) -> Result<Option<DateTime<Utc>>> {
        sqlx::query_scalar("SELECT synced_at FROM reply_sync WHERE sender = ?1")
            .bind(sender)
            .fetch_optional(&self.pool)
            .await
            .context("read where reply polling stopped")
    }

    pub async fn set_reply_sync_point(&self, sender: &str, at: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO reply_sync (sender, synced_at) VALUES (?1, ?2)
             ON CONFLICT (sender) DO UPDATE SET synced_at = excluded.synced_at",
        )
        .bind(sender)
        .bind(at)
        .execute(&self.pool)
        .await
        .context("record where reply polling stopped")?;
        Ok(())
    }
}

/// Queues one write-back per member (iMIS ID) texted at `phone` in a LIVE campaign, on
/// that member's latest message. Returns how many were queued.
async fn queue_member_writebacks(
    tx: &mut SqliteConnection,
    phone: &str,
    kind: WriteBackKind,
    reply_id: i64,
    now: DateTime<Utc>,
) -> Result<u32> {
    let n = sqlx::query(
        "INSERT INTO writebacks (message_id, kind, reply_id, next_attempt_at, created_at, updated_at)
         SELECT MAX(m.id), ?2, ?3, ?4, ?4, ?4 FROM messages m JOIN campaigns c ON c.id = m.campaign_id
          WHERE m.to_e164 = ?1 AND c.mode = 'live' AND m.sent_at IS NOT NULL
            AND m.imis_id IS NOT NULL AND trim(m.imis_id) <> ''
          GROUP BY m.imis_id
         ON CONFLICT (message_id, kind, reply_id) DO NOTHING",
    )
    .bind(phone)
    .bind(kind)
    .bind(reply_id)
    .bind(now)
    .execute(&mut *tx)
    .await
    .context("queue iMIS write-backs for a reply")?
    .rows_affected();
    Ok(n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::{Actor, Mode, NewCampaign};
    use crate::status::MessageStatus;
    use crate::store::test_support::store;
    use crate::store::NewMessage;

    #[tokio::test]
    async fn a_reply_in_the_same_second_as_the_text_answers_it() {
        let (store, _clock, _dir) = store().await;
        let id = store
            .create_campaign(
                NewCampaign {
                    name: "Quick".into(),
                    mode: Some(Mode::Live),
                    ..Default::default()
                },
                Actor::User,
            )
            .await
            .unwrap();
        store
            .insert_messages(
                id,
                &[NewMessage {
                    row_index: 0,
                    imis_id: Some("101".into()),
                    member_name: Some("Ann".into()),
                    phone_raw: Some("+12015550123".into()),
                    to_e164: Some("+12015550123".into()),
                    body: "Hi Ann".into(),
                    ucs2: false,
                    segments: 1,
                    status: MessageStatus::Preparing,
                    status_reason: None,
                    time_zone: None,
                }],
            )
            .await
            .unwrap();
        // Sent at …:23.6; Twilio dates the reply …:23 (it keeps whole seconds).
        let sent = chrono::DateTime::parse_from_rfc3339("2026-12-06T20:33:23.600Z")
            .unwrap()
            .with_timezone(&Utc);
        sqlx::query("UPDATE messages SET status = 'sent', sent_at = ?2 WHERE campaign_id = ?1")
            .bind(id)
            .bind(sent)
            .execute(store.pool())
            .await
            .unwrap();
        let reply = |sid: &str, at: &str| InboundReply {
            sid: sid.into(),
            from_e164: "+12015550123".into(),
            to_number: "+15005550006".into(),
            sender: "+15005550006".into(),
            body: "Thanks".into(),
            received_at: chrono::DateTime::parse_from_rfc3339(at)
                .unwrap()
                .with_timezone(&Utc),
            simulated_for: None,
        };
        store
            .record_replies(&[
                reply("SM1", "2026-12-06T20:33:23Z"),
                reply("SM2", "2026-12-06T20:33:22Z"),
            ])
            .await
            .unwrap();
        let got = store.replies(&ReplyFilter::default()).await.unwrap();
        let by_sid = |sid: &str| got.iter().find(|r| r.sid == sid).unwrap().campaign_id;
        assert_eq!(by_sid("SM1"), Some(id));
        assert_eq!(
            by_sid("SM2"),
            None,
            "a reply before any text answers nothing"
        );
    }
}
