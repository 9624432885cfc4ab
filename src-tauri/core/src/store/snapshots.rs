use super::Store;
use crate::compose::audience::AudienceTable;
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

impl Store {
    /// Caches a draft's audience (replacing any earlier one) so it can be edited and
    /// summarised offline.
    pub async fn save_audience_snapshot(
        &self,
        campaign_id: i64,
        source: &str,
        table: &AudienceTable,
    ) -> Result<DateTime<Utc>> {
        let now = self.now();
        let columns =
            serde_json::to_string(&table.columns).map_err(|e| Error::Invalid(e.to_string()))?;
        let rows = serde_json::to_string(&table.rows).map_err(|e| Error::Invalid(e.to_string()))?;
        sqlx::query(
            "INSERT INTO audience_snapshots (campaign_id, fetched_at, columns, rows, row_count, source)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (campaign_id) DO UPDATE SET fetched_at = excluded.fetched_at, columns = excluded.columns,
                 rows = excluded.rows, row_count = excluded.row_count, source = excluded.source",
        )
        .bind(campaign_id)
        .bind(now)
        .bind(columns)
        .bind(rows)
        .bind(table.rows.len() as i64)
        .bind(source)
        .execute(&self.pool)
        .await
        .context("save the audience")?;
        Ok(now)
    }

    /// The cached audience of a draft, when it was fetched and from where, if there is one.
    pub async fn audience_snapshot(&self, campaign_id: i64) -> Result<Option<AudienceSnapshot>> {
        let row: Option<(String, String, DateTime<Utc>, Option<String>)> = sqlx::query_as(
            "SELECT columns, rows, fetched_at, source FROM audience_snapshots WHERE campaign_id = ?1",
        )
        .bind(campaign_id)
        .fetch_optional(&self.pool)
        .await
        .context("read the audience")?;
        let Some((columns, rows, fetched_at, source)) = row else {
            return Ok(None);
        };
        let damaged =
            |e: serde_json::Error| Error::Invalid(format!("the saved audience is damaged: {e}"));
        let table = AudienceTable {
            columns: serde_json::from_str(&columns).map_err(damaged)?,
            rows: serde_json::from_str(&rows).map_err(damaged)?,
        };
        Ok(Some(AudienceSnapshot {
            table,
            fetched_at,
            source,
        }))
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
