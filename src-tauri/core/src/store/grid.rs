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

/// One page of the grid and how many rows match in all.
#[derive(Debug, Clone, Serialize, Type)]
pub struct MessagePage {
    pub rows: Vec<MessageRow>,
    pub total: u32,
}

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

impl Store {
    /// A filtered, sorted page of a campaign's messages.
    pub async fn query_messages(&self, campaign_id: i64, q: &MessageQuery) -> Result<MessagePage> {
        let mut clauses = vec!["campaign_id = ?1".to_string()];
        let mut binds: Vec<String> = vec![];
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
                clauses.push(format!(
                    "id IN (SELECT rowid FROM messages_search WHERE messages_search MATCH ?{})",
                    binds.len() + 1
                ));
            } else {
                binds.push(format!("%{}%", needle.replace(['%', '_'], "")));
                let n = binds.len() + 1;
                clauses.push(format!(
                    "(member_name LIKE ?{n} OR imis_id LIKE ?{n} OR to_e164 LIKE ?{n})"
                ));
            }
        }
        let filter = clauses.join(" AND ");
        let direction = if q.descending { "DESC" } else { "ASC" };
        let limit = q.limit.clamp(1, 5_000);
        let rows_sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE {filter}
              ORDER BY {} {direction}, row_index {direction} LIMIT {limit} OFFSET {}",
            q.sort.sql(),
            q.offset
        );
        let count_sql = format!("SELECT COUNT(*) FROM messages WHERE {filter}");
        let mut rows = sqlx::query_as::<_, MessageRow>(&rows_sql).bind(campaign_id);
        let mut count = sqlx::query_as::<_, (i64,)>(&count_sql).bind(campaign_id);
        for b in &binds {
            rows = rows.bind(b);
            count = count.bind(b);
        }
        let rows = rows
            .fetch_all(&self.pool)
            .await
            .context("read the message grid")?;
        let (total,) = count
            .fetch_one(&self.pool)
            .await
            .context("count the message grid")?;
        Ok(MessagePage {
            rows,
            total: total as u32,
        })
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
