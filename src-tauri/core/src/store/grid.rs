//! The dashboard's message grid: filtered, sorted pages of a campaign's messages, computed
//! in SQLite (indexes and a trigram search index), never by shipping every row to the
//! window.

use super::messages::{MessageRow, MESSAGE_COLUMNS};
use super::Store;
use crate::error::{Result, StorageContext};
use crate::status::MessageStatus;
use serde::{Deserialize, Serialize};
use specta::Type;

/// A column the grid sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SortColumn {
    /// Audience order.
    #[default]
    Row,
    Name,
    ImisId,
    Phone,
    Status,
    ErrorCode,
    Segments,
    SentAt,
    UpdatedAt,
}

impl SortColumn {
    fn sql(self) -> &'static str {
        match self {
            Self::Row => "row_index",
            Self::Name => "member_name COLLATE NOCASE",
            Self::ImisId => "imis_id",
            Self::Phone => "to_e164",
            Self::Status => "status",
            Self::ErrorCode => "error_code",
            Self::Segments => "segments",
            Self::SentAt => "sent_at",
            Self::UpdatedAt => "updated_at",
        }
    }
}

/// What the grid shows: filters, search, order and the page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, Type)]
pub struct MessageQuery {
    /// Only these statuses (empty: all).
    #[serde(default)]
    pub statuses: Vec<MessageStatus>,
    /// Only this Twilio error code.
    #[serde(default)]
    pub error_code: Option<i64>,
    /// Name, iMIS ID or phone number (any part of it).
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub sort: SortColumn,
    #[serde(default)]
    pub descending: bool,
    #[serde(default)]
    pub offset: u32,
    pub limit: u32,
}

/// The step in which the grid counts matching rows: up to the next multiple of it past the
/// page's end. Counting every match of a search over a million messages takes longer than
/// reading the page; past the step the window says "More than 10,000" and counts further
/// as the grid is scrolled there.
pub const COUNT_AHEAD: u32 = 10_000;

/// One page of the grid and how many rows match: all of them, or, when `more` is true, the
/// rows counted before counting stopped (at the next multiple of [`COUNT_AHEAD`] past the
/// page's end), with more matching.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MessagePage {
    pub rows: Vec<MessageRow>,
    pub total: u32,
    /// More rows than `total` match: counting stopped there.
    pub more: bool,
}

/// Rows handed on at a time when every message of a grid is read (the export, the report):
/// a few hundred kilobytes.
const STREAM_BATCH: usize = 512;

/// An error code seen in a campaign, with how often, for the grid's error filter.
#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct ErrorCount {
    pub error_code: i64,
    pub count: i64,
    pub explanation: String,
}

/// The search as an FTS5 trigram phrase: quotes doubled, inside quotes (so user input
/// is never FTS syntax).
fn fts_phrase(q: &str) -> String {
    format!("\"{}\"", q.replace('"', "\"\""))
}

/// The grid's filter and order as SQL: the campaign is `?1`, the texts in `binds` follow as
/// `?2`…
///
/// A search by trigram can be read two ways, and which is quicker depends on how many
/// messages it finds. [`Self::scan`] walks the campaign in the page's order and keeps the
/// rows the search found: the first page of a common name comes at once, but a search for
/// one member walks all of a million rows (70 ms). [`Self::hits`] starts from what the
/// search found and looks each one up: one member in 2 ms, but a name one member in 8 has
/// means reading and sorting 125,000 rows for a page. In audience order, a search is
/// always read from its hits in the index's own order (see [`Self::in_hit_order`]): the
/// first hits are the page, with nothing collected or sorted.
struct GridSql {
    /// The filters but the search by trigram.
    filter: String,
    /// The bind of the trigram phrase, if the search uses the trigram index.
    phrase: Option<usize>,
    binds: Vec<String>,
    order: String,
    /// A search in audience order, read from its hits in id order, which within a campaign
    /// is audience order (a campaign's messages are recorded in audience order: see
    /// `insert_batch` and `Store::create_retry_campaign`). The trigram index gives its hits
    /// in id order, so SQLite sorts nothing and stops at the page's end, where walking the
    /// campaign has to collect every hit first (125,000 for a name one member in 8 of a
    /// million has).
    in_hit_order: bool,
    /// Sorted by a column the search reads (see [`Self::scan`]).
    sorted_by_searched: bool,
    /// The campaign's first and last message id, which bound the search's hits (see
    /// [`Store::message_id_range`]).
    ids: Option<(i64, i64)>,
}

impl GridSql {
    fn new(q: &MessageQuery) -> Self {
        let mut clauses = vec!["campaign_id = ?1".to_string()];
        let mut binds: Vec<String> = vec![];
        let mut phrase = None;
        if !q.statuses.is_empty() {
            let list: Vec<String> = q
                .statuses
                .iter()
                .map(|s| format!("'{}'", s.as_str()))
                .collect();
            clauses.push(format!("status IN ({})", list.join(",")));
        }
        if let Some(code) = q.error_code {
            clauses.push(format!("error_code = {code}"));
        }
        let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if let Some(s) = search {
            // Numbers are searched without their formatting: "(201) 555-01" finds +120155501….
            let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
            let looks_numeric = !digits.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_digit() || " +-().".contains(c));
            let needle = if looks_numeric { digits } else { s.to_string() };
            if needle.chars().count() >= 3 {
                binds.push(fts_phrase(&needle));
                phrase = Some(binds.len() + 1);
            } else {
                binds.push(format!("%{}%", needle.replace(['%', '_'], "")));
                let n = binds.len() + 1;
                clauses.push(format!(
                    "(member_name LIKE ?{n} OR imis_id LIKE ?{n} OR to_e164 LIKE ?{n})"
                ));
            }
        }
        let direction = if q.descending { "DESC" } else { "ASC" };
        let in_hit_order = phrase.is_some() && q.sort == SortColumn::Row;
        let order = if in_hit_order {
            format!("hit {direction}")
        } else {
            // Ties break by id (audience order within a campaign): every index ends with
            // the rowid, so each sort is served by its index instead of sorting 250,000 rows.
            format!("{} {direction}, id {direction}", q.sort.sql())
        };
        Self {
            filter: clauses.join(" AND "),
            phrase,
            binds,
            order,
            in_hit_order,
            sorted_by_searched: matches!(
                q.sort,
                SortColumn::Name | SortColumn::ImisId | SortColumn::Phone
            ),
            ids: None,
        }
    }

    /// The search's hits only between the campaign's first and last message id: the index
    /// then skips other campaigns' hits instead of each being looked up and left out.
    fn within(mut self, first: i64, last: i64) -> Self {
        self.ids = Some((first, last));
        self
    }

    /// `FROM … WHERE …` of the trigram index's hits for bind `n`.
    fn search_hits(&self, n: usize) -> String {
        let range = match self.ids {
            Some((first, last)) => format!(" AND rowid BETWEEN {first} AND {last}"),
            None => String::new(),
        };
        format!("messages_search WHERE messages_search MATCH ?{n}{range}")
    }

    /// `SELECT columns FROM … WHERE …` walking the campaign's messages (in an index's order)
    /// and keeping those the search found, two ways:
    /// - Sorted by a column the search reads (name, iMIS ID, number), the hits bunch
    ///   together in that order ("Siobhán" at the Ss), and the walk may pass most of the
    ///   campaign before the first. The hits are then collected first, into a table SQLite
    ///   indexes for the walk's lookups, which cost a quarter of `id IN (hits)`'s: for a
    ///   name one member in 8 of a million has, by name, 79 ms where `IN` takes 172
    ///   (`sqlite3`).
    /// - Sorted by anything else, the hits are spread through the order and the walk is
    ///   short: `id IN (hits)` is quicker to set up (27 ms where the table takes 47).
    fn scan(&self, columns: &str) -> String {
        match self.phrase {
            Some(n) if self.sorted_by_searched => format!(
                "WITH hits AS MATERIALIZED (SELECT rowid AS hit FROM {})
                 SELECT {columns} FROM messages CROSS JOIN hits ON hit = messages.id WHERE {}",
                self.search_hits(n),
                self.filter
            ),
            Some(n) => format!(
                "SELECT {columns} FROM messages WHERE {} AND id IN (SELECT rowid FROM {})",
                self.filter,
                self.search_hits(n)
            ),
            None => format!("SELECT {columns} FROM messages WHERE {}", self.filter),
        }
    }

    /// `SELECT columns FROM … WHERE …` starting from the rows the search found, in the
    /// index's own order (CROSS JOIN keeps SQLite from turning it round), each looked up by
    /// id. Only the subquery's `hit` is in scope besides the messages, so their columns need
    /// no prefix.
    fn hits(&self, columns: &str) -> String {
        match self.phrase {
            Some(n) => format!(
                "SELECT {columns} FROM (SELECT rowid AS hit FROM {})
                   CROSS JOIN messages ON messages.id = hit WHERE {}",
                self.search_hits(n),
                self.filter
            ),
            None => self.scan(columns),
        }
    }

    /// `SELECT columns FROM … WHERE …` to read the page from, in [`Self::order`]: the hits
    /// when they are `few` or in their own order, else a walk of the campaign.
    fn source(&self, columns: &str, few: bool) -> String {
        if few || self.in_hit_order {
            self.hits(columns)
        } else {
            self.scan(columns)
        }
    }
}

impl Store {
    /// The first and last id of a campaign's messages (none if it has none), from the
    /// (campaign, row) index: ids follow audience order within a campaign.
    async fn message_id_range(&self, campaign_id: i64) -> Result<Option<(i64, i64)>> {
        let (first, last): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT (SELECT id FROM messages WHERE campaign_id = ?1 ORDER BY row_index LIMIT 1),
                    (SELECT id FROM messages WHERE campaign_id = ?1 ORDER BY row_index DESC LIMIT 1)",
        )
        .bind(campaign_id)
        .fetch_one(&self.grid)
        .await
        .context("find the campaign's messages")?;
        Ok(first.zip(last))
    }

    /// The grid's SQL for `q`, its search bound to the campaign's messages.
    async fn grid_sql(&self, campaign_id: i64, q: &MessageQuery) -> Result<GridSql> {
        let sql = GridSql::new(q);
        if sql.phrase.is_none() {
            return Ok(sql);
        }
        // A campaign without messages: an empty range, which finds nothing at once.
        let (first, last) = self.message_id_range(campaign_id).await?.unwrap_or((1, 0));
        Ok(sql.within(first, last))
    }

    /// A filtered, sorted page of a campaign's messages, and how many match (counted up to
    /// the next multiple of [`COUNT_AHEAD`] past the page's end).
    pub async fn query_messages(&self, campaign_id: i64, q: &MessageQuery) -> Result<MessagePage> {
        let sql = self.grid_sql(campaign_id, q).await?;
        let limit = q.limit.clamp(1, 5_000);
        // The page's bounds and the count's limit are bound, not written into the SQL: each
        // connection keeps its prepared statements (up to 100), and with the numbers in the
        // text every page scrolled to was a statement of its own, compiled and kept anew.
        let after_binds = sql.binds.len() + 2;
        let rows_sql = |select: String| {
            format!(
                "{select} ORDER BY {} LIMIT ?{after_binds} OFFSET ?{}",
                sql.order,
                after_binds + 1
            )
        };
        // Counted in round steps (10,000+, then 20,000+ once scrolled past 10,000, …), one
        // more than the step to know whether there are more. A search is counted from its
        // hits, which stops as soon as the step is reached.
        let end = q.offset.saturating_add(limit);
        let counted = (end / COUNT_AHEAD)
            .saturating_add(1)
            .saturating_mul(COUNT_AHEAD);
        let count_sql = format!(
            "SELECT COUNT(*) FROM ({} LIMIT ?{after_binds})",
            sql.hits("1")
        );
        let mut count = sqlx::query_as::<_, (i64,)>(&count_sql).bind(campaign_id);
        for b in &sql.binds {
            count = count.bind(b);
        }
        let count = count.bind(i64::from(counted) + 1);
        let read_rows = |select: String| {
            let text = rows_sql(select);
            let binds = sql.binds.clone();
            async move {
                let mut rows = sqlx::query_as::<_, MessageRow>(&text).bind(campaign_id);
                for b in &binds {
                    rows = rows.bind(b);
                }
                rows.bind(i64::from(limit))
                    .bind(i64::from(q.offset))
                    .fetch_all(&self.grid)
                    .await
            }
        };
        let (rows, count) = if sql.phrase.is_some() {
            // The count first, as it says which way to read the page: up to one counting
            // step (10,000), the hits are few enough to look up and sort; past it, walking
            // the campaign in order finds a page of them sooner. A page in the hits' own
            // order (audience order) is read from them either way.
            let count = count.fetch_one(&self.grid).await;
            let few = matches!(count, Ok((n,)) if n <= i64::from(COUNT_AHEAD));
            (read_rows(sql.source(MESSAGE_COLUMNS, few)).await, count)
        } else {
            // Both at once, on the grid's two connections; while an export holds one, one
            // after the other on the other.
            tokio::join!(
                read_rows(sql.scan(MESSAGE_COLUMNS)),
                count.fetch_one(&self.grid)
            )
        };
        let rows = rows.context("read the message grid")?;
        let (matching,) = count.context("count the message grid")?;
        let more = matching > i64::from(counted);
        Ok(MessagePage {
            rows: rows.into_iter().map(MessageRow::explained).collect(),
            total: if more { counted } else { matching as u32 },
            more,
        })
    }

    /// Hands every message of the grid as filtered and sorted (the page ignored) to `each`,
    /// a batch at a time from one query: what the export writes, without a million rows in
    /// memory. It holds one of the grid's connections meanwhile.
    pub async fn for_each_grid_batch<F, Done>(
        &self,
        campaign_id: i64,
        q: &MessageQuery,
        each: F,
    ) -> Result<()>
    where
        F: FnMut(Vec<MessageRow>) -> Done,
        Done: std::future::Future<Output = Result<()>>,
    {
        self.stream_messages(&self.grid, campaign_id, q, each).await
    }

    /// [`Self::for_each_grid_batch`] on `pool`, [`STREAM_BATCH`] rows at a time, each
    /// batch awaited before reading on: a consumer on another thread (the report's writer)
    /// holds the reading back rather than letting rows pile up in memory. The report, built
    /// in the background, is not the window's and reads on the shared pool.
    pub(super) async fn stream_messages<F, Done>(
        &self,
        pool: &sqlx::SqlitePool,
        campaign_id: i64,
        q: &MessageQuery,
        mut each: F,
    ) -> Result<()>
    where
        F: FnMut(Vec<MessageRow>) -> Done,
        Done: std::future::Future<Output = Result<()>>,
    {
        use futures_util::TryStreamExt;
        let sql = self.grid_sql(campaign_id, q).await?;
        let text = format!(
            "{} ORDER BY {}",
            sql.source(MESSAGE_COLUMNS, false),
            sql.order
        );
        let mut query = sqlx::query_as::<_, MessageRow>(&text).bind(campaign_id);
        for b in &sql.binds {
            query = query.bind(b);
        }
        let mut rows = query.fetch(pool);
        let mut batch = Vec::with_capacity(STREAM_BATCH);
        while let Some(row) = rows.try_next().await.context("read the message grid")? {
            batch.push(row.explained());
            if batch.len() == STREAM_BATCH {
                each(std::mem::replace(
                    &mut batch,
                    Vec::with_capacity(STREAM_BATCH),
                ))
                .await?;
            }
        }
        if !batch.is_empty() {
            each(batch).await?;
        }
        Ok(())
    }

    /// The error codes in a campaign, most frequent first.
    pub async fn error_codes(&self, campaign_id: i64) -> Result<Vec<ErrorCount>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT error_code, COUNT(*) FROM messages WHERE campaign_id = ?1 AND error_code IS NOT NULL
              GROUP BY error_code ORDER BY COUNT(*) DESC, error_code",
        )
        .bind(campaign_id)
        .fetch_all(&self.pool)
        .await
        .context("count the error codes")?;
        Ok(rows
            .into_iter()
            .map(|(error_code, count)| ErrorCount {
                error_code,
                count,
                explanation: crate::twilio::codes::explain(error_code).to_string(),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_support::{new_draft, store};
    use crate::store::NewMessage;

    async fn campaign(store: &Store) -> i64 {
        let id = new_draft(store, "Grid").await;
        let names = [
            "Zoë Brown",
            "Ann Lee",
            "<img src=x onerror=alert(1)>",
            "José García",
            "ann marie",
        ];
        let messages: Vec<NewMessage> = names
            .iter()
            .enumerate()
            .map(|(i, n)| NewMessage {
                row_index: i as i64,
                imis_id: Some(format!("{}", 500 + i)),
                member_name: Some(n.to_string()),
                phone_raw: None,
                to_e164: Some(format!("+1201555{:04}", 100 + i)),
                body: "x".into(),
                ucs2: false,
                segments: 1 + i as i64 % 2,
                status: MessageStatus::Preparing,
                status_reason: None,
                time_zone: None,
            })
            .collect();
        store.insert_messages(id, &messages).await.unwrap();
        sqlx::query(
            "UPDATE messages SET status = 'failed', error_code = 30007 WHERE row_index IN (1, 3)",
        )
        .execute(store.pool())
        .await
        .unwrap();
        id
    }

    /// Row `i` of [`kims_and_anas`]: "Kim i" on even rows, "Ana i" on odd ones.
    fn kim_or_ana(i: usize) -> String {
        format!("{} {i}", if i.is_multiple_of(2) { "Kim" } else { "Ana" })
    }

    /// `n` messages to Kims and Anas, each with its own number (+1201…) and iMIS ID.
    fn kims_and_anas(n: usize) -> Vec<NewMessage> {
        (0..n)
            .map(|i| NewMessage {
                row_index: i as i64,
                imis_id: Some(format!("{}", 100_000 + i)),
                member_name: Some(kim_or_ana(i)),
                phone_raw: None,
                to_e164: Some(format!("+1201{:07}", 2_000_000 + i)),
                body: "x".into(),
                ucs2: false,
                segments: 1,
                status: MessageStatus::Preparing,
                status_reason: None,
                time_zone: None,
            })
            .collect()
    }

    fn q(f: impl FnOnce(&mut MessageQuery)) -> MessageQuery {
        let mut q = MessageQuery {
            limit: 50,
            ..Default::default()
        };
        f(&mut q);
        q
    }

    fn names(p: &MessagePage) -> Vec<&str> {
        p.rows
            .iter()
            .map(|r| r.member_name.as_deref().unwrap())
            .collect()
    }

    /// The prepared statements the grid's connections keep, in all.
    async fn statements_kept(store: &Store) -> usize {
        use sqlx::Connection;
        // A connection goes back to the pool a moment after its query.
        for _ in 0..200 {
            if store.grid.num_idle() == store.grid.size() as usize {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let mut held = vec![];
        for _ in 0..store.grid.size() {
            held.push(store.grid.acquire().await.unwrap());
        }
        held.iter().map(|c| c.cached_statements_size()).sum()
    }

    #[tokio::test]
    async fn scrolling_reuses_the_grids_statements() {
        let (store, _clock, _dir) = store().await;
        let id = campaign(&store).await;
        for search in [None, Some("ann")] {
            let page = |offset| {
                q(|q| {
                    q.limit = 1;
                    q.offset = offset;
                    q.search = search.map(str::to_string);
                })
            };
            // The first page prepares what this query needs; further pages are read with
            // the same statements, once prepared on each connection the pool hands out
            // (with each page's numbers in the SQL, every page was a statement of its own).
            store.query_messages(id, &page(0)).await.unwrap();
            let before = statements_kept(&store).await;
            let matching = if search.is_some() { 2 } else { 5 };
            for offset in 1..200 {
                let got = store.query_messages(id, &page(offset)).await.unwrap();
                assert_eq!(
                    got.rows.len(),
                    usize::from(offset < matching),
                    "{search:?} page {offset}"
                );
            }
            let after = statements_kept(&store).await;
            // A few on each of the grid's two connections (the page, the count, the
            // search's id range), where a statement per page would be 199 more.
            assert!(
                after - before <= 6,
                "{search:?}: {before} statements kept before scrolling 199 pages, {after} after"
            );
        }
    }

    #[tokio::test]
    async fn filters_search_and_sorting_happen_in_the_database() {
        let (store, _clock, _dir) = store().await;
        let id = campaign(&store).await;
        let all = store.query_messages(id, &q(|_| {})).await.unwrap();
        assert_eq!(all.total, 5);
        // A campaign with no messages finds nothing, though others have what it searches.
        let empty = new_draft(&store, "Empty").await;
        let none = store
            .query_messages(empty, &q(|q| q.search = Some("Ann".into())))
            .await
            .unwrap();
        assert_eq!((none.total, none.rows.len()), (0, 0));
        assert_eq!(names(&all)[0], "Zoë Brown", "audience order by default");
        let failed = store
            .query_messages(id, &q(|q| q.statuses = vec![MessageStatus::Failed]))
            .await
            .unwrap();
        assert_eq!(names(&failed), ["Ann Lee", "José García"]);
        let code = store
            .query_messages(id, &q(|q| q.error_code = Some(30007)))
            .await
            .unwrap();
        assert_eq!(code.total, 2);
        // Twilio gave no words for the code: the rows carry Herald's explanation of it.
        assert!(code
            .rows
            .iter()
            .all(|r| { r.error_message.as_deref() == Some(crate::twilio::codes::explain(30007)) }));
        // Search: any part of a name, case-insensitively, by trigram; short searches by LIKE.
        let ann = store
            .query_messages(id, &q(|q| q.search = Some("ANN".into())))
            .await
            .unwrap();
        assert_eq!(names(&ann), ["Ann Lee", "ann marie"]);
        let accent = store
            .query_messages(id, &q(|q| q.search = Some("garc".into())))
            .await
            .unwrap();
        assert_eq!(names(&accent), ["José García"]);
        let short = store
            .query_messages(id, &q(|q| q.search = Some("zo".into())))
            .await
            .unwrap();
        assert_eq!(names(&short), ["Zoë Brown"]);
        // A number, however it is typed; an iMIS ID.
        let phone = store
            .query_messages(id, &q(|q| q.search = Some("(201) 555-0103".into())))
            .await
            .unwrap();
        assert_eq!(names(&phone), ["José García"]);
        let imis = store
            .query_messages(id, &q(|q| q.search = Some("502".into())))
            .await
            .unwrap();
        assert_eq!(names(&imis), ["<img src=x onerror=alert(1)>"]);
        // Input that would be FTS syntax is just text.
        let quote = store
            .query_messages(id, &q(|q| q.search = Some("\"x\" OR *".into())))
            .await
            .unwrap();
        assert_eq!(quote.total, 0);
        // Sorting, both ways, with paging.
        let by_name = store
            .query_messages(id, &q(|q| q.sort = SortColumn::Name))
            .await
            .unwrap();
        assert_eq!(
            names(&by_name)[..2],
            ["<img src=x onerror=alert(1)>", "Ann Lee"]
        );
        let desc = store
            .query_messages(
                id,
                &q(|q| {
                    q.sort = SortColumn::Name;
                    q.descending = true;
                    q.offset = 1;
                    q.limit = 2;
                }),
            )
            .await
            .unwrap();
        assert_eq!(names(&desc), ["José García", "ann marie"]);
        assert_eq!(desc.total, 5, "the total ignores paging");
        let codes = store.error_codes(id).await.unwrap();
        assert_eq!((codes[0].error_code, codes[0].count), (30007, 2));
        assert!(codes[0].explanation.contains("spam"));
    }

    #[tokio::test]
    async fn counting_stops_past_the_page_and_goes_further_as_the_grid_is_scrolled() {
        let (store, _clock, _dir) = store().await;
        let id = new_draft(&store, "Big").await;
        let n = COUNT_AHEAD as usize + 50;
        store.insert_messages(id, &kims_and_anas(n)).await.unwrap();
        let first = store.query_messages(id, &q(|_| {})).await.unwrap();
        assert_eq!((first.total, first.more), (COUNT_AHEAD, true));
        assert_eq!(first.rows.len(), 50);
        // Scrolled to the 10,000th row: counted to the end.
        let deep = store
            .query_messages(id, &q(|q| q.offset = COUNT_AHEAD - 10))
            .await
            .unwrap();
        assert_eq!((deep.total, deep.more), (n as u32, false));
        assert_eq!(deep.rows[0].row_index, i64::from(COUNT_AHEAD) - 10);
        // A search under the step is counted exactly; one over it is not.
        let few = store
            .query_messages(id, &q(|q| q.search = Some("Kim 100".into())))
            .await
            .unwrap();
        let kims = (0..n)
            .filter(|i| i % 2 == 0 && i.to_string().starts_with("100"))
            .count();
        assert_eq!((few.total, few.more), (kims as u32, false));
        let half = store
            .query_messages(id, &q(|q| q.search = Some("Ana".into())))
            .await
            .unwrap();
        assert_eq!((half.total, half.more), (n as u32 / 2, false));
        let short = store
            .query_messages(id, &q(|q| q.search = Some("na".into())))
            .await
            .unwrap();
        assert!(!short.more);
        // Every number has 201: the search's count stops at the step, then goes on as it is
        // scrolled.
        let every = |offset| {
            q(move |q| {
                q.search = Some("201".into());
                q.offset = offset;
            })
        };
        let top = store.query_messages(id, &every(0)).await.unwrap();
        assert_eq!((top.total, top.more), (COUNT_AHEAD, true));
        let scrolled = store
            .query_messages(id, &every(COUNT_AHEAD - 10))
            .await
            .unwrap();
        assert_eq!((scrolled.total, scrolled.more), (n as u32, false));
        assert_eq!(scrolled.rows.len(), 50);
    }

    #[tokio::test]
    async fn a_search_gives_the_same_page_whether_it_found_few_rows_or_many() {
        // A search is read from its hits when they are few (counted exactly) and by walking
        // the campaign when they are many: both must give the campaign's rows only, filtered,
        // sorted and paged alike. Checked against the same rows sorted in memory.
        let (store, _clock, _dir) = store().await;
        let other = new_draft(&store, "Other").await;
        let id = new_draft(&store, "Big").await;
        let name = kim_or_ana;
        let rows = kims_and_anas;
        let n = COUNT_AHEAD as usize + 50;
        store.insert_messages(other, &rows(200)).await.unwrap();
        store.insert_messages(id, &rows(n)).await.unwrap();
        sqlx::query(
            "UPDATE messages SET status = CASE WHEN row_index % 3 = 0 THEN 'failed' ELSE 'delivered' END",
        )
        .execute(store.pool())
        .await
        .unwrap();
        // The rows of `id` that pass `keep`, by name (case-insensitive) and then audience
        // order, both descending, from `offset`.
        let expected = |keep: &dyn Fn(usize) -> bool, offset: usize| -> Vec<i64> {
            let mut hits: Vec<usize> = (0..n).filter(|&i| keep(i)).collect();
            hits.sort_by_key(|&i| std::cmp::Reverse((name(i).to_lowercase(), i)));
            hits.into_iter()
                .skip(offset)
                .take(50)
                .map(|i| i as i64)
                .collect()
        };
        let page = |search: &str, failed: bool, offset: u32| {
            let search = search.to_string();
            q(move |q| {
                q.search = Some(search.clone());
                if failed {
                    q.statuses = vec![MessageStatus::Failed];
                }
                q.sort = SortColumn::Name;
                q.descending = true;
                q.offset = offset;
            })
        };
        let index = |p: &MessagePage| p.rows.iter().map(|r| r.row_index).collect::<Vec<_>>();
        // Few: the failed Kims whose number of row starts with 10 (the other campaign has
        // some too).
        let few_kept = |i: usize| i.is_multiple_of(6) && i.to_string().starts_with("10");
        let few = store
            .query_messages(id, &page("Kim 10", true, 2))
            .await
            .unwrap();
        let total = (0..n).filter(|&i| few_kept(i)).count();
        assert_eq!((few.total, few.more), (total as u32, false));
        assert_eq!(index(&few), expected(&few_kept, 2));
        // Many: every number has 201, past the counting step.
        let many = store
            .query_messages(id, &page("201", false, 7))
            .await
            .unwrap();
        assert_eq!((many.total, many.more), (COUNT_AHEAD, true));
        assert_eq!(index(&many), expected(&|_| true, 7));
        // Many, sorted by a column the search does not read (walked with `id IN`): the
        // delivered rows (row_index % 3 != 0) in audience order, then the failed ones.
        let by_status = store
            .query_messages(
                id,
                &q(|q| {
                    q.search = Some("201".into());
                    q.sort = SortColumn::Status;
                    q.offset = 7;
                }),
            )
            .await
            .unwrap();
        let delivered: Vec<i64> = (0..n as i64)
            .filter(|i| i % 3 != 0)
            .skip(7)
            .take(50)
            .collect();
        assert_eq!(index(&by_status), delivered);
        // One member, at the very end of the campaign.
        let last = store
            .query_messages(id, &page(&name(n - 1), false, 0))
            .await
            .unwrap();
        assert_eq!((last.total, index(&last)), (1, vec![(n - 1) as i64]));
    }

    #[tokio::test]
    async fn a_search_in_audience_order_is_read_from_its_hits_in_order_without_sorting() {
        // Kims and Anas in three campaigns, the one searched in the middle; its first rows
        // have no number (a skipped row), so the hits do not start with its first message.
        let (store, _clock, _dir) = store().await;
        let before = new_draft(&store, "Before").await;
        let id = new_draft(&store, "Big").await;
        let after = new_draft(&store, "After").await;
        let n = COUNT_AHEAD as usize + 50;
        store
            .insert_messages(before, &kims_and_anas(300))
            .await
            .unwrap();
        let mut rows = kims_and_anas(n);
        for m in &mut rows[..5] {
            m.to_e164 = None;
            m.status = MessageStatus::Skipped;
        }
        store.insert_messages(id, &rows).await.unwrap();
        store
            .insert_messages(after, &kims_and_anas(300))
            .await
            .unwrap();
        sqlx::query(
            "UPDATE messages SET status = 'failed' WHERE row_index % 3 = 0 AND status <> 'skipped'",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let page = |search: &str, failed: bool, descending: bool, offset: u32| {
            let search = search.to_string();
            q(move |q| {
                q.search = Some(search.clone());
                if failed {
                    q.statuses = vec![MessageStatus::Failed];
                }
                q.descending = descending;
                q.offset = offset;
            })
        };
        // The rows of `id` that `keep` keeps, in audience order (or backwards), from `offset`.
        let expected = |keep: &dyn Fn(usize) -> bool, descending: bool, offset: usize| {
            let mut hits: Vec<i64> = (0..n).filter(|&i| keep(i)).map(|i| i as i64).collect();
            if descending {
                hits.reverse();
            }
            hits.into_iter().skip(offset).take(50).collect::<Vec<_>>()
        };
        let index = |p: &MessagePage| p.rows.iter().map(|r| r.row_index).collect::<Vec<_>>();
        for descending in [false, true] {
            // Many: every number has 201 (not the first five rows, which have none).
            let many = store
                .query_messages(id, &page("201", false, descending, 7))
                .await
                .unwrap();
            assert_eq!((many.total, many.more), (COUNT_AHEAD, true));
            assert_eq!(index(&many), expected(&|i| i >= 5, descending, 7));
            // Deep in the many, past the counting step.
            let deep = store
                .query_messages(id, &page("201", false, descending, 10_020))
                .await
                .unwrap();
            assert_eq!(index(&deep), expected(&|i| i >= 5, descending, 10_020));
            // Few, filtered: the failed Kims whose row's number starts with 10.
            let kept = |i: usize| i.is_multiple_of(6) && i >= 5 && i.to_string().starts_with("10");
            let few = store
                .query_messages(id, &page("Kim 10", true, descending, 2))
                .await
                .unwrap();
            let total = (0..n).filter(|&i| kept(i)).count();
            assert_eq!((few.total, few.more), (total as u32, false));
            assert_eq!(index(&few), expected(&kept, descending, 2));
        }
        // SQLite takes the hits in the index's order and sorts nothing.
        for descending in [false, true] {
            let q = page("Kim", false, descending, 0);
            let (first, last) = store.message_id_range(id).await.unwrap().unwrap();
            assert_eq!(
                last - first + 1,
                n as i64,
                "the campaign's messages, from its first to its last"
            );
            let sql = GridSql::new(&q).within(first, last);
            let (select, order) = (sql.source("messages.id", false), &sql.order);
            let text = format!("EXPLAIN QUERY PLAN {select} ORDER BY {order} LIMIT 50");
            let mut plan = sqlx::query_as::<_, (i64, i64, i64, String)>(&text).bind(id);
            for b in &sql.binds {
                plan = plan.bind(b);
            }
            let plan = plan.fetch_all(store.pool()).await.unwrap();
            let steps: Vec<&str> = plan.iter().map(|(.., d)| d.as_str()).collect();
            assert!(
                !steps.iter().any(|d| d.contains("TEMP B-TREE")),
                "no sort: {steps:?}"
            );
            assert!(
                steps[0].contains("M3><"),
                "the index reads the campaign's ids only: {steps:?}"
            );
        }
        // Other orders are not the hits' own: many hits are found by walking the campaign.
        let by_name = GridSql::new(&q(|q| {
            q.search = Some("Kim".into());
            q.sort = SortColumn::Name;
        }));
        assert!(!by_name.in_hit_order);
        assert_eq!(by_name.source("id", false), by_name.scan("id"));
    }

    #[tokio::test]
    async fn a_page_is_read_while_an_export_holds_one_of_the_grids_connections() {
        let (store, _clock, _dir) = store().await;
        let id = campaign(&store).await;
        let export = store.grid.acquire().await.unwrap();
        let page = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            store.query_messages(id, &q(|q| q.search = Some("ann".into()))),
        )
        .await
        .expect("the page does not wait for the export")
        .unwrap();
        assert_eq!((page.total, page.more), (2, false));
        // Without a search the page and its count would run on two connections: with one
        // held, they run one after the other on the other.
        let failed = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            store.query_messages(id, &q(|q| q.statuses = vec![MessageStatus::Failed])),
        )
        .await
        .expect("the page does not wait for the export")
        .unwrap();
        assert_eq!((failed.total, failed.rows.len()), (2, 2));
        drop(export);
        // The report streams without the grid's connections: it never waits for the window.
        let _all = (
            store.grid.acquire().await.unwrap(),
            store.grid.acquire().await.unwrap(),
        );
        let mut rows = 0;
        tokio::time::timeout(
            std::time::Duration::from_secs(10),
            store.for_each_message_batch(id, |batch| {
                rows += batch.len();
                std::future::ready(Ok(()))
            }),
        )
        .await
        .expect("the report does not wait for the grid")
        .unwrap();
        assert_eq!(rows, 5);
    }

    #[tokio::test]
    async fn the_export_reads_every_row_of_the_grid_in_its_order() {
        let (store, _clock, _dir) = store().await;
        let id = campaign(&store).await;
        let query = q(|q| {
            q.sort = SortColumn::Name;
            q.descending = true;
            q.statuses = vec![MessageStatus::Preparing];
            q.offset = 2;
            q.limit = 1;
        });
        // The members' names in the order the export writes them.
        let exported = |query: MessageQuery| {
            let store = &store;
            async move {
                let mut names = vec![];
                store
                    .for_each_grid_batch(id, &query, |rows| {
                        names.extend(rows.into_iter().map(|r| r.member_name.unwrap()));
                        std::future::ready(Ok(()))
                    })
                    .await
                    .unwrap();
                names
            }
        };
        assert_eq!(
            exported(query).await,
            ["Zoë Brown", "ann marie", "<img src=x onerror=alert(1)>"],
            "the page is ignored"
        );
        // A search in audience order is read from its hits, as the grid reads it.
        for descending in [false, true] {
            let query = q(|q| {
                q.search = Some("ann".into());
                q.descending = descending;
            });
            let mut expected = vec!["Ann Lee", "ann marie"];
            if descending {
                expected.reverse();
            }
            assert_eq!(exported(query).await, expected);
        }
    }
}
