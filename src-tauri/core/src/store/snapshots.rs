use super::Store;
use crate::compose::audience::{
    damaged_cache, Audience, AudienceRows, AudienceTable, CachedAudience,
};
use crate::error::{Error, Result, StorageContext};
use chrono::{DateTime, Utc};

/// A draft's cached audience.
#[derive(Debug, Clone)]
pub struct AudienceSnapshot {
    pub table: AudienceTable,
    pub fetched_at: DateTime<Utc>,
    /// The file name or query path it came from.
    pub source: Option<String>,
}

/// A snapshot as stored: columns and rows as JSON text.
#[derive(sqlx::FromRow)]
struct SnapshotRow {
    columns: String,
    rows: String,
    fetched_at: DateTime<Utc>,
    source: Option<String>,
    row_count: i64,
}

/// A cached audience that does not read back as columns and rows of text.
fn damaged(e: impl std::fmt::Display) -> Error {
    Error::Invalid(damaged_cache(e))
}

impl SnapshotRow {
    fn decode(self) -> Result<(AudienceSnapshot, u32)> {
        let table = AudienceTable {
            columns: serde_json::from_str(&self.columns).map_err(damaged)?,
            rows: serde_json::from_str(&self.rows).map_err(damaged)?,
        };
        let snapshot = AudienceSnapshot {
            table,
            fetched_at: self.fetched_at,
            source: self.source,
        };
        Ok((snapshot, self.row_count as u32))
    }
}

impl Store {
    /// Caches a draft's audience (replacing any earlier one) so it can be edited and
    /// summarised offline.
    pub async fn save_audience_snapshot(
        &self,
        campaign_id: i64,
        source: &str,
        audience: &CachedAudience,
    ) -> Result<DateTime<Utc>> {
        let now = self.now();
        let columns =
            serde_json::to_string(&audience.columns).map_err(|e| Error::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO audience_snapshots (campaign_id, fetched_at, columns, rows, row_count, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (campaign_id) DO UPDATE SET fetched_at = excluded.fetched_at, columns = excluded.columns,
                 rows = excluded.rows, row_count = excluded.row_count, source = excluded.source",
        )
        .bind(campaign_id)
        .bind(now)
        .bind(columns)
        .bind(audience.rows_json.as_str())
        .bind(audience.row_count as i64)
        .bind(source)
        .execute(&self.pool)
        .await
        .context("save the audience")?;
        Ok(now)
    }

    /// The draft's whole cached audience, to prepare, and when it was fetched. Its rows stay
    /// the JSON they were saved as until they are prepared, a batch at a time.
    pub async fn stored_audience(
        &self,
        campaign_id: i64,
    ) -> Result<Option<(Audience, DateTime<Utc>)>> {
        let row: Option<SnapshotRow> = sqlx::query_as(
            "SELECT columns, rows, fetched_at, source, row_count
               FROM audience_snapshots WHERE campaign_id = ?1",
        )
        .bind(campaign_id)
        .fetch_optional(&self.pool)
        .await
        .context("read the audience")?;
        let Some(row) = row else {
            return Ok(None);
        };
        let columns = serde_json::from_str(&row.columns).map_err(damaged)?;
        let rows = AudienceRows::Json {
            json: row.rows,
            count: usize::try_from(row.row_count).unwrap_or(0),
        };
        Ok(Some((Audience { columns, rows }, row.fetched_at)))
    }

    /// The first `limit` rows of the draft's cached audience and its full row count, cut
    /// out by SQLite so a large audience is never deserialised just to be previewed.
    pub async fn audience_snapshot_head(
        &self,
        campaign_id: i64,
        limit: u32,
    ) -> Result<Option<(AudienceSnapshot, u32)>> {
        let row: Option<SnapshotRow> = sqlx::query_as(
            "SELECT columns,
                    (SELECT json_group_array(json(value))
                       FROM (SELECT value FROM json_each(s.rows) ORDER BY key LIMIT ?2)) AS rows,
                    fetched_at, source, row_count
               FROM audience_snapshots s WHERE campaign_id = ?1",
        )
        .bind(campaign_id)
        .bind(limit)
        .fetch_optional(&self.pool)
        .await
        .context("read the audience")?;
        row.map(SnapshotRow::decode).transpose()
    }

    /// Whether the draft has a cached audience, without loading it.
    pub async fn has_audience_snapshot(&self, campaign_id: i64) -> Result<bool> {
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM audience_snapshots WHERE campaign_id = ?1")
                .bind(campaign_id)
                .fetch_one(&self.pool)
                .await
                .context("read the audience")?;
        Ok(n > 0)
    }

    /// Records the audience size the summary showed when the campaign was scheduled.
    pub async fn set_summary_audience(&self, campaign_id: i64, to_send: i64) -> Result<()> {
        sqlx::query("UPDATE campaigns SET summary_audience = ?2 WHERE id = ?1")
            .bind(campaign_id)
            .bind(to_send)
            .execute(&self.pool)
            .await
            .context("save the summary")?;
        Ok(())
    }
}
