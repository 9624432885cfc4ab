use super::Store;
use crate::campaign::MessageCounts;
use crate::error::{Result, StorageContext};
use crate::status::MessageStatus;
use std::collections::HashMap;

/// A prepared message, as recorded before anything is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub row_index: i64,
    pub imis_id: Option<String>,
    pub member_name: Option<String>,
    pub phone_raw: Option<String>,
    pub to_e164: Option<String>,
    pub body: String,
    pub ucs2: bool,
    pub segments: i64,
    /// Preparing, Error or Skipped.
    pub status: MessageStatus,
    pub status_reason: Option<String>,
    /// The recipient's zone(s) ([`crate::window::zones_of`]); `None`: unknown.
    pub time_zone: Option<String>,
}

/// How [`Store::record_as_prepared`] ended.
#[derive(Debug)]
pub enum Recorded {
    /// Every message was recorded (this many).
    Messages(usize),
    /// The campaign had messages already (prepared meanwhile): nothing was recorded.
    AlreadyRecorded,
    /// The preparation failed, with this error: nothing was recorded.
    NotPrepared(crate::error::Error),
}

type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;

impl Store {
    /// Records a campaign's whole recipient list in one transaction: either every message
    /// is there, or none is.
    pub async fn insert_messages(&self, campaign_id: i64, messages: &[NewMessage]) -> Result<()> {
        let now = self.now();
        let mut tx = self.begin_write().await?;
        insert_batch(&mut tx, campaign_id, messages, now).await?;
        tx.commit().await.context("record the messages")?;
        Ok(())
    }

    /// Records a campaign's messages batch by batch as `prepare` makes them (it sends them
    /// on the channel whose receiver is `batches`), all in one transaction begun with the
    /// first batch: every message once `prepare` ends well, none if it fails or if the
    /// campaign has messages by then. A million recipients are never all in memory at once.
    pub async fn record_as_prepared(
        &self,
        campaign_id: i64,
        mut batches: tokio::sync::mpsc::Receiver<Vec<NewMessage>>,
        prepare: impl std::future::Future<Output = Result<()>>,
    ) -> Result<Recorded> {
        let now = self.now();
        // Owns `batches`, so that they are dropped (stopping the preparation) as soon as
        // the recording stops.
        let record = async move {
            let mut tx: Option<Tx> = None;
            let mut n = 0;
            while let Some(batch) = batches.recv().await {
                let tx = match &mut tx {
                    Some(tx) => tx,
                    None => {
                        let mut begun = self.begin_write().await?;
                        if any_message(&mut *begun, campaign_id).await? {
                            // Dropping `batches` stops the preparation.
                            return Result::<_>::Ok(None);
                        }
                        tx.insert(begun)
                    }
                };
                insert_batch(tx, campaign_id, &batch, now).await?;
                n += batch.len();
            }
            Result::<_>::Ok(Some((tx, n)))
        };
        let (prepared, recorded) = tokio::join!(prepare, record);
        let Some((tx, n)) = recorded? else {
            return Ok(Recorded::AlreadyRecorded);
        };
        if let Err(e) = prepared {
            return Ok(Recorded::NotPrepared(e)); // the transaction is rolled back as it drops
        }
        if let Some(tx) = tx {
            tx.commit().await.context("record the messages")?;
        }
        Ok(Recorded::Messages(n))
    }

    /// Segments sent or reserved per UTC day, from today on, for the daily cap.
    pub async fn segment_usage_by_day(&self) -> Result<crate::compose::summary::DayUsage> {
        let today = self.settings().await?.cap_day(self.now()).to_string();
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT counted_day, sum(n) FROM (
                 SELECT counted_day, coalesce(twilio_segments, segments) AS n FROM messages
                  WHERE counted_day >= ?1
                 UNION ALL
                 SELECT counted_day, segments FROM test_texts
                  WHERE counted_day >= ?1 AND state != 'failed'
             ) GROUP BY counted_day",
        )
        .bind(today)
        .fetch_all(&self.pool)
        .await
        .context("read the segments used per day")?;
        Ok(rows
            .into_iter()
            .filter_map(|(day, n)| day.parse().ok().map(|d| (d, n.max(0) as u64)))
            .collect())
    }

    /// The messages still to send, by their recipient's zone key (`None`: unknown).
    pub async fn pending_by_zone(&self, campaign_id: i64) -> Result<Vec<(Option<String>, i64)>> {
        sqlx::query_as(
            "SELECT time_zone, COUNT(*) FROM messages
              WHERE campaign_id = ?1 AND status = 'preparing' AND to_e164 IS NOT NULL
              GROUP BY time_zone ORDER BY COUNT(*) DESC",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("count the messages by time zone")
    }

    /// [`pending_by_zone`](Self::pending_by_zone) with the segments they carry.
    pub async fn pending_segments_by_zone(
        &self,
        campaign_id: i64,
    ) -> Result<Vec<(Option<String>, i64, i64)>> {
        sqlx::query_as(
            "SELECT time_zone, COUNT(*), COALESCE(SUM(segments), 0) FROM messages
              WHERE campaign_id = ?1 AND status = 'preparing' AND to_e164 IS NOT NULL
              GROUP BY time_zone ORDER BY COUNT(*) DESC",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("count the messages by time zone")
    }

    /// Whether the campaign's messages are recorded (one index probe, where counting them
    /// reads a million).
    pub async fn has_messages(&self, campaign_id: i64) -> Result<bool> {
        any_message(&self.pool, campaign_id).await
    }

    pub async fn message_counts(&self, campaign_id: i64) -> Result<MessageCounts> {
        let rows: Vec<(MessageStatus, i64)> = sqlx::query_as(
            "SELECT status, count(*) FROM messages WHERE campaign_id = ?1 GROUP BY status",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("count the messages")?;
        let mut counts = MessageCounts::default();
        for (status, n) in rows {
            counts.add(status, n);
        }
        Ok(counts)
    }

    pub(crate) async fn all_message_counts(&self) -> Result<HashMap<i64, MessageCounts>> {
        let rows: Vec<(i64, MessageStatus, i64)> = sqlx::query_as(
            "SELECT campaign_id, status, count(*) FROM messages GROUP BY campaign_id, status",
        )
        .fetch_all(&self.pool)
        .await
        .context("count the messages")?;
        let mut all: HashMap<i64, MessageCounts> = HashMap::new();
        for (campaign, status, n) in rows {
            all.entry(campaign).or_default().add(status, n);
        }
        Ok(all)
    }
}

/// Whether the campaign has any message recorded (one index probe), on `db`: the pool, or
/// a transaction's connection.
async fn any_message(db: impl sqlx::SqliteExecutor<'_>, campaign_id: i64) -> Result<bool> {
    let (any,): (bool,) =
        sqlx::query_as("SELECT EXISTS (SELECT 1 FROM messages WHERE campaign_id = ?1)")
            .bind(campaign_id)
            .fetch_one(db)
            .await
            .context("look for the messages")?;
    Ok(any)
}

/// Inserts `messages` in `tx`, 2,000 rows to a statement; refuses any not in an initial
/// status, and any out of audience order.
///
/// A campaign's messages are recorded in audience order (`row_index`), so that their ids
/// follow it: the grid reads a search's hits in id order as audience order.
async fn insert_batch(
    tx: &mut Tx,
    campaign_id: i64,
    messages: &[NewMessage],
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    if let Some(bad) = messages.iter().find(|m| !m.status.is_initial()) {
        return Err(crate::error::Error::Invalid(format!(
            "a message cannot be recorded as {}; new messages are preparing, error or skipped",
            bad.status
        )));
    }
    let in_order = messages.windows(2).all(|w| w[0].row_index < w[1].row_index);
    let (last,): (Option<i64>,) =
        sqlx::query_as("SELECT MAX(row_index) FROM messages WHERE campaign_id = ?1")
            .bind(campaign_id)
            .fetch_one(&mut **tx)
            .await
            .context("look for the messages")?;
    let after_last = match (last, messages.first()) {
        (Some(last), Some(first)) => first.row_index > last,
        _ => true,
    };
    if !in_order || !after_last {
        return Err(crate::error::Error::Invalid(
            "a campaign's messages are recorded in audience order".into(),
        ));
    }
    for chunk in messages.chunks(2000) {
        let mut q = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO messages (campaign_id, row_index, imis_id, member_name, phone_raw, to_e164, body,
                                   encoding, segments, status, status_reason, updated_at, time_zone) ",
        );
        q.push_values(chunk, |mut b, m| {
            b.push_bind(campaign_id)
                .push_bind(m.row_index)
                .push_bind(&m.imis_id)
                .push_bind(&m.member_name)
                .push_bind(&m.phone_raw)
                .push_bind(&m.to_e164)
                .push_bind(&m.body)
                .push_bind(if m.ucs2 { "ucs2" } else { "gsm7" })
                .push_bind(m.segments)
                .push_bind(m.status)
                .push_bind(&m.status_reason)
                .push_bind(now)
                .push_bind(&m.time_zone);
        });
        q.build()
            .execute(&mut **tx)
            .await
            .context("record the messages")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{new_draft, store};

    fn msg(i: i64, status: MessageStatus) -> NewMessage {
        NewMessage {
            row_index: i,
            imis_id: Some(format!("{}", 1000 + i)),
            member_name: Some(format!("Member {i}")),
            phone_raw: Some("(555) 201-3344".into()),
            to_e164: Some(format!("+1555201{:04}", i)),
            body: "Hello".into(),
            ucs2: false,
            segments: 1,
            status,
            status_reason: None,
            time_zone: None,
        }
    }

    #[tokio::test]
    async fn messages_recorded_as_prepared_are_all_there_or_none_is() {
        let (store, _clock, _dir) = store().await;
        let batch = |from: i64| -> Vec<NewMessage> {
            (from..from + 2500)
                .map(|i| msg(i, MessageStatus::Preparing))
                .collect()
        };
        // Three batches, the preparation ending well: all 7,500, and none visible to
        // another connection before the end.
        let id = new_draft(&store, "Whole").await;
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let prepare = async {
            for from in [0, 2500, 5000] {
                tx.send(batch(from)).await.unwrap();
                assert!(
                    !store.has_messages(id).await.unwrap(),
                    "seen before the end"
                );
            }
            drop(tx);
            Ok(())
        };
        let recorded = store.record_as_prepared(id, rx, prepare).await.unwrap();
        assert!(matches!(recorded, Recorded::Messages(7500)), "{recorded:?}");
        assert_eq!(store.message_counts(id).await.unwrap().total, 7500);

        // The preparation fails after two batches: none of them is recorded.
        let failed = new_draft(&store, "Failed").await;
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let prepare = async move {
            tx.send(batch(0)).await.unwrap();
            tx.send(batch(2500)).await.unwrap();
            Err(crate::error::Error::Invalid("row 5001: no template".into()))
        };
        let recorded = store.record_as_prepared(failed, rx, prepare).await.unwrap();
        assert!(
            matches!(&recorded, Recorded::NotPrepared(e) if e.to_string().contains("row 5001")),
            "{recorded:?}"
        );
        assert!(!store.has_messages(failed).await.unwrap());

        // The campaign got its messages meanwhile: nothing is added, and the preparation
        // is stopped (its batches are no longer taken).
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let prepare = async move {
            tx.send(batch(0)).await.unwrap();
            let stopped =
                tx.send(batch(2500)).await.is_err() || tx.send(batch(5000)).await.is_err();
            assert!(stopped, "the preparation is told to stop");
            Ok(())
        };
        // (A recording that kept its receiver would hang here: bounded, it fails instead.)
        let recorded = tokio::time::timeout(
            std::time::Duration::from_secs(20),
            store.record_as_prepared(id, rx, prepare),
        )
        .await
        .expect("the preparation was stopped, not left waiting")
        .unwrap();
        assert!(
            matches!(recorded, Recorded::AlreadyRecorded),
            "{recorded:?}"
        );
        assert_eq!(store.message_counts(id).await.unwrap().total, 7500);

        // A message in a status no new message has: refused, nothing recorded.
        let bad = new_draft(&store, "Bad").await;
        let (tx, rx) = tokio::sync::mpsc::channel(1);
        let prepare = async move {
            tx.send(batch(0)).await.unwrap();
            let _ = tx.send(vec![msg(9999, MessageStatus::Sent)]).await;
            Ok(())
        };
        assert!(store.record_as_prepared(bad, rx, prepare).await.is_err());
        assert!(!store.has_messages(bad).await.unwrap());
    }

    #[tokio::test]
    async fn messages_are_recorded_all_or_nothing_and_counted() {
        let (store, _clock, _dir) = store().await;
        let id = new_draft(&store, "A").await;
        let mut batch: Vec<NewMessage> = (0..4500)
            .map(|i| msg(i, MessageStatus::Preparing))
            .collect();
        batch[7].status = MessageStatus::Error;
        batch[8].status = MessageStatus::Skipped;
        store.insert_messages(id, &batch).await.unwrap();
        let counts = store.message_counts(id).await.unwrap();
        assert_eq!(
            (counts.total, counts.preparing, counts.error, counts.skipped),
            (4500, 4498, 1, 1)
        );
        assert_eq!(counts.processed(), 2);
        assert_eq!(
            store.list_campaigns().await.unwrap()[0].audience_size,
            Some(4498),
            "recipients to text: the error and the skipped row are not"
        );

        // A duplicate row index in a later chunk is out of audience order: the whole batch
        // is refused before any of it is written.
        let id2 = new_draft(&store, "B").await;
        let mut bad: Vec<NewMessage> = (0..3000)
            .map(|i| msg(i, MessageStatus::Preparing))
            .collect();
        bad[2999].row_index = 0;
        let err = store.insert_messages(id2, &bad).await.unwrap_err();
        assert!(err.to_string().contains("audience order"), "{err}");
        assert_eq!(store.message_counts(id2).await.unwrap().total, 0);
        assert!(!store.has_messages(id2).await.unwrap());
        assert!(store.has_messages(id).await.unwrap());
        // Rows are recorded in audience order, so that ids follow it: a later batch starts
        // after the rows recorded already.
        store
            .insert_messages(id2, &[msg(5, MessageStatus::Preparing)])
            .await
            .unwrap();
        let err = store
            .insert_messages(id2, &[msg(4, MessageStatus::Preparing)])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("audience order"), "{err}");
        store
            .insert_messages(
                id2,
                &[
                    msg(6, MessageStatus::Preparing),
                    msg(9, MessageStatus::Preparing),
                ],
            )
            .await
            .unwrap();
        assert_eq!(store.message_counts(id2).await.unwrap().total, 3);

        let err = store
            .insert_messages(id2, &[msg(0, MessageStatus::Sent)])
            .await
            .unwrap_err();
        assert!(err.to_string().contains("cannot be recorded as sent"));
    }
}

/// One message as the dashboard grid, the CLI and the exports show it.
#[derive(Debug, Clone, serde::Serialize, specta::Type, sqlx::FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub row_index: i64,
    pub imis_id: Option<String>,
    pub member_name: Option<String>,
    pub phone_raw: Option<String>,
    /// E.164.
    pub to: Option<String>,
    pub status: MessageStatus,
    pub status_reason: Option<String>,
    pub twilio_status: Option<String>,
    pub twilio_sid: Option<String>,
    pub error_code: Option<i64>,
    pub error_message: Option<String>,
    pub segments: i64,
    pub twilio_segments: Option<i64>,
    pub price: Option<String>,
    pub price_unit: Option<String>,
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub writeback: String,
    /// The recipient's time zone (several joined by `&`); `None` when unknown, then the
    /// fallback zone's window applies.
    pub time_zone: Option<String>,
    /// What the member last texted back to this campaign, if anything (STOP, a question…).
    pub reply_kind: Option<crate::replies::ReplyKind>,
}

impl MessageRow {
    /// With Herald's explanation of its error code when Twilio gave no words for it (a
    /// delivery report seldom does), for the grid, its export and the report alike.
    pub(crate) fn explained(mut self) -> Self {
        if self.error_message.is_none() {
            self.error_message = self
                .error_code
                .map(|c| crate::twilio::codes::explain(c).to_string());
        }
        self
    }
}

pub(crate) const MESSAGE_COLUMNS: &str = "id, row_index, imis_id, member_name, phone_raw, to_e164 AS \"to\", status,
    status_reason, twilio_status, twilio_sid, error_code, error_message, segments, twilio_segments, price,
    price_unit, sent_at, updated_at, writeback, time_zone,
    (SELECT r.kind FROM replies r WHERE r.from_e164 = messages.to_e164 AND r.campaign_id = messages.campaign_id
      ORDER BY r.received_at DESC, r.id DESC LIMIT 1) AS reply_kind";

impl Store {
    /// A page of a campaign's messages in audience order.
    pub async fn messages_page(
        &self,
        campaign_id: i64,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<MessageRow>> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE campaign_id = ?1 ORDER BY row_index LIMIT ?2 OFFSET ?3"
        ))
        .bind(campaign_id)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await
        .context("read the campaign's messages")?;
        Ok(rows.into_iter().map(MessageRow::explained).collect())
    }

    /// A campaign's messages in audience order.
    pub async fn messages(&self, campaign_id: i64) -> Result<Vec<MessageRow>> {
        let rows: Vec<MessageRow> = sqlx::query_as(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE campaign_id = ?1 ORDER BY row_index"
        ))
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("read the campaign's messages")?;
        Ok(rows.into_iter().map(MessageRow::explained).collect())
    }

    /// Hands every message of a campaign to `each`, in audience order, a few hundred at a
    /// time (a million rows are never all in memory), awaiting each batch before reading the
    /// next: the unfiltered grid.
    pub async fn for_each_message_batch<F, Done>(&self, campaign_id: i64, each: F) -> Result<()>
    where
        F: FnMut(Vec<MessageRow>) -> Done,
        Done: std::future::Future<Output = Result<()>>,
    {
        self.stream_messages(
            &self.pool,
            campaign_id,
            &super::MessageQuery::default(),
            each,
        )
        .await
    }
}
