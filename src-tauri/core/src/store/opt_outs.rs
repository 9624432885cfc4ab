//! The opt-out list: one per sender (a number, or a Messaging Service), as Twilio keeps
//! them, plus entries for every sender ([`ALL_SENDERS`]: staff entries, imports, and what
//! Herald kept before lists were per sender). Every change is kept in `opt_out_changes`.

use super::Store;
use crate::campaign::Mode;
use crate::compose::prepare::OptedOut;
use crate::error::{Error, Result, StorageContext};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;
use sqlx::SqliteConnection;

/// The date on this computer's calendar that `at` fell on (staff read "opted out on
/// 3 Dec 2026" in their own time).
pub(crate) fn local_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&chrono::Local).date_naive()
}

/// The sender of an entry that applies to every sender.
pub const ALL_SENDERS: &str = "*";

/// The list of TEST mode's simulated replies: what a simulated STOP (or a confirmed
/// simulated reply) means is kept here, and only TEST campaigns read it, so that a made-up
/// reply from a real member's number never stops a real text nor reaches iMIS.
pub const TEST_SENDER: &str = "test";

/// Why a number is on the opt-out list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum OptOutSource {
    /// A send was refused with Twilio error 21610 (the number had replied STOP).
    TwilioStop,
    /// The member replied with one of Twilio's opt-out words.
    RepliedStop,
    /// Staff confirmed a reply that reads as an opt-out.
    ConfirmedReply,
    Import,
    Manual,
}

#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct OptOut {
    /// The number or Messaging Service whose list this is, or `*` for every sender.
    pub sender: String,
    pub phone_e164: String,
    pub source: OptOutSource,
    pub campaign_id: Option<i64>,
    pub reply_id: Option<i64>,
    pub note: Option<String>,
    pub added_at: DateTime<Utc>,
}

/// One entry to add.
#[derive(Debug, Clone)]
pub struct NewOptOut<'a> {
    pub sender: &'a str,
    pub phone_e164: &'a str,
    pub source: OptOutSource,
    pub campaign_id: Option<i64>,
    pub reply_id: Option<i64>,
    pub note: Option<&'a str>,
    pub at: DateTime<Utc>,
}

/// Adds an entry inside a transaction; `false` if the number was already on that list.
pub(super) async fn insert_opt_out(tx: &mut SqliteConnection, o: &NewOptOut<'_>) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO opt_outs (sender, phone_e164, source, campaign_id, reply_id, note, added_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (sender, phone_e164) DO NOTHING",
    )
    .bind(o.sender)
    .bind(o.phone_e164)
    .bind(o.source)
    .bind(o.campaign_id)
    .bind(o.reply_id)
    .bind(o.note)
    .bind(o.at)
    .execute(&mut *tx)
    .await
    .context("add to the opt-out list")?;
    let added = done.rows_affected() == 1;
    if added {
        log_change(
            tx,
            o.sender,
            o.phone_e164,
            "added",
            source_name(o.source),
            o.note,
            o.reply_id,
            o.at,
        )
        .await?;
    }
    Ok(added)
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn log_change(
    tx: &mut SqliteConnection,
    sender: &str,
    phone: &str,
    change: &str,
    source: &str,
    reason: Option<&str>,
    reply_id: Option<i64>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO opt_out_changes (sender, phone_e164, change, source, reason, reply_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .bind(sender)
    .bind(phone)
    .bind(change)
    .bind(source)
    .bind(reason)
    .bind(reply_id)
    .bind(at)
    .execute(&mut *tx)
    .await
    .context("record a change to the opt-out list")?;
    Ok(())
}

fn source_name(s: OptOutSource) -> &'static str {
    match s {
        OptOutSource::TwilioStop => "twilio_stop",
        OptOutSource::RepliedStop => "replied_stop",
        OptOutSource::ConfirmedReply => "confirmed_reply",
        OptOutSource::Import => "import",
        OptOutSource::Manual => "manual",
    }
}

/// A change to the opt-out list, for its history.
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct OptOutChange {
    pub sender: String,
    pub phone_e164: String,
    /// `added` or `removed`.
    pub change: String,
    /// What made it: `replied_stop`, `replied_start`, `twilio_stop`, `confirmed_reply`,
    /// `import`, `manual`.
    pub source: String,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl Store {
    /// Adds a number to a sender's opt-out list; adding it again keeps the first record.
    pub async fn add_opt_out(&self, entry: NewOptOut<'_>) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let added = insert_opt_out(&mut tx, &entry).await?;
        tx.commit().await.context("add to the opt-out list")?;
        Ok(added)
    }

    /// Takes a number off a sender's list (staff, with a reason). Not on it: not found.
    pub async fn remove_opt_out(&self, sender: &str, phone_e164: &str, reason: &str) -> Result<()> {
        if reason.trim().is_empty() {
            return Err(Error::Invalid(
                "say why the number may be texted again (for example \"asked in person to be texted again\")"
                    .into(),
            ));
        }
        let now = self.now();
        let mut tx = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM opt_outs WHERE sender = ?1 AND phone_e164 = ?2")
            .bind(sender)
            .bind(phone_e164)
            .execute(&mut *tx)
            .await
            .context("remove from the opt-out list")?
            .rows_affected();
        if gone == 0 {
            let sender_words = if sender == ALL_SENDERS {
                "every sender".to_string()
            } else {
                sender.to_string()
            };
            return Err(Error::not_found(
                "the opt-out list entry",
                format!(
                    "for {} and {sender_words}",
                    crate::telemetry::mask_phone(phone_e164)
                ),
            ));
        }
        log_change(
            &mut tx,
            sender,
            phone_e164,
            "removed",
            "manual",
            Some(reason.trim()),
            None,
            now,
        )
        .await?;
        tx.commit().await.context("remove from the opt-out list")?;
        Ok(())
    }

    /// Every entry, oldest first.
    pub async fn opt_outs(&self) -> Result<Vec<OptOut>> {
        sqlx::query_as(
            "SELECT sender, phone_e164, source, campaign_id, reply_id, note, added_at FROM opt_outs
              ORDER BY added_at, phone_e164, sender",
        )
        .fetch_all(&self.pool)
        .await
        .context("read the opt-out list")
    }

    /// The history of the list, newest first (for one number, or all).
    pub async fn opt_out_changes(&self, phone_e164: Option<&str>) -> Result<Vec<OptOutChange>> {
        sqlx::query_as(
            "SELECT sender, phone_e164, change, source, reason, at FROM opt_out_changes
              WHERE ?1 IS NULL OR phone_e164 = ?1 ORDER BY at DESC, id DESC",
        )
        .bind(phone_e164)
        .fetch_all(&self.pool)
        .await
        .context("read the opt-out list's history")
    }

    /// The numbers texts from `sender` must not reach: its own list and the list for
    /// every sender (and for a TEST campaign, the TEST list), each with the local date it
    /// was first put on one of them. For preparing an audience; the same lists are read
    /// when a batch is reserved for sending.
    pub async fn opted_out_numbers(&self, sender: &str, mode: Mode) -> Result<OptedOut> {
        let rows: Vec<(String, DateTime<Utc>)> = sqlx::query_as(
            "SELECT phone_e164, MIN(added_at) FROM opt_outs
              WHERE sender = ?1 OR sender = '*' OR (sender = ?2 AND ?3)
              GROUP BY phone_e164",
        )
        .bind(sender)
        .bind(TEST_SENDER)
        .bind(mode == Mode::Test)
        .fetch_all(&self.pool)
        .await
        .context("read the opt-out list")?;
        Ok(rows
            .into_iter()
            .map(|(phone, at)| (phone, local_date(at)))
            .collect())
    }

    /// Whether texts from `sender` must not reach the number.
    pub async fn is_opted_out(&self, sender: &str, phone_e164: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM opt_outs WHERE phone_e164 = ?2 AND (sender = ?1 OR sender = '*')",
        )
        .bind(sender)
        .bind(phone_e164)
        .fetch_one(&self.pool)
        .await
        .context("read the opt-out list")?;
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::store;

    fn entry<'a>(
        sender: &'a str,
        phone: &'a str,
        source: OptOutSource,
        at: DateTime<Utc>,
    ) -> NewOptOut<'a> {
        NewOptOut {
            sender,
            phone_e164: phone,
            source,
            campaign_id: None,
            reply_id: None,
            note: None,
            at,
        }
    }

    #[tokio::test]
    async fn opt_outs_are_kept_once_per_sender() {
        let (store, _clock, _dir) = store().await;
        let now = store.now();
        let a = "+15005550006";
        assert!(store
            .add_opt_out(entry(a, "+15552013344", OptOutSource::TwilioStop, now))
            .await
            .unwrap());
        assert!(!store
            .add_opt_out(entry(a, "+15552013344", OptOutSource::Manual, now))
            .await
            .unwrap());
        assert!(store.is_opted_out(a, "+15552013344").await.unwrap());
        // Another sender's list is another list, as at Twilio.
        assert!(!store
            .is_opted_out("+15005550009", "+15552013344")
            .await
            .unwrap());
        assert!(!store.is_opted_out(a, "+15552013345").await.unwrap());
        let all = store.opt_outs().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].source, OptOutSource::TwilioStop);
    }

    #[tokio::test]
    async fn an_entry_for_every_sender_blocks_them_all_and_removal_needs_a_reason() {
        let (store, _clock, _dir) = store().await;
        let now = store.now();
        store
            .add_opt_out(entry(
                ALL_SENDERS,
                "+15552013344",
                OptOutSource::Manual,
                now,
            ))
            .await
            .unwrap();
        for sender in ["+15005550006", "MG00000000000000000000000000000001"] {
            assert!(store.is_opted_out(sender, "+15552013344").await.unwrap());
            assert!(store
                .opted_out_numbers(sender, Mode::Live)
                .await
                .unwrap()
                .contains_key("+15552013344"));
        }
        let err = store
            .remove_opt_out(ALL_SENDERS, "+15552013344", " ")
            .await
            .unwrap_err();
        assert!(err.to_string().contains("say why"), "{err}");
        let err = store
            .remove_opt_out("+15005550006", "+15552013344", "asked")
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        assert!(
            !err.to_string().contains("2013344"),
            "the number is masked: {err}"
        );
        store
            .remove_opt_out(
                ALL_SENDERS,
                "+15552013344",
                "asked at the conference to be texted again",
            )
            .await
            .unwrap();
        assert!(!store
            .is_opted_out("+15005550006", "+15552013344")
            .await
            .unwrap());
        let history = store.opt_out_changes(Some("+15552013344")).await.unwrap();
        let changes: Vec<(&str, &str)> = history
            .iter()
            .map(|c| (c.change.as_str(), c.source.as_str()))
            .collect();
        assert_eq!(changes, [("removed", "manual"), ("added", "manual")]);
        assert_eq!(
            history[0].reason.as_deref(),
            Some("asked at the conference to be texted again")
        );
    }
}
