use super::Store;
use crate::error::{Result, StorageContext};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use specta::Type;

/// Why a number is on the opt-out list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type, sqlx::Type)]
#[serde(rename_all = "snake_case")]
#[sqlx(type_name = "TEXT", rename_all = "snake_case")]
pub enum OptOutSource {
    /// The recipient replied STOP (Twilio error 21610).
    TwilioStop,
    Import,
    Manual,
}

#[derive(Debug, Clone, Serialize, Type, sqlx::FromRow)]
pub struct OptOut {
    pub phone_e164: String,
    pub source: OptOutSource,
    pub campaign_id: Option<i64>,
    pub note: Option<String>,
    pub added_at: DateTime<Utc>,
}

impl Store {
    /// Adds a number to the opt-out list; adding it again keeps the first record.
    pub async fn add_opt_out(
        &self,
        phone_e164: &str,
        source: OptOutSource,
        campaign_id: Option<i64>,
        note: Option<&str>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO opt_outs (phone_e164, source, campaign_id, note, added_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (phone_e164) DO NOTHING",
        )
        .bind(phone_e164)
        .bind(source)
        .bind(campaign_id)
        .bind(note)
        .bind(self.now())
        .execute(&self.pool)
        .await
        .context("add to the opt-out list")?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn opt_outs(&self) -> Result<Vec<OptOut>> {
        sqlx::query_as("SELECT phone_e164, source, campaign_id, note, added_at FROM opt_outs ORDER BY added_at, phone_e164")
            .fetch_all(&self.pool)
            .await
            .context("read the opt-out list")
    }

    /// Every opted-out number, for preparing an audience.
    pub async fn opted_out_numbers(&self) -> Result<std::collections::HashSet<String>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT phone_e164 FROM opt_outs")
            .fetch_all(&self.pool)
            .await
            .context("read the opt-out list")?;
        Ok(rows.into_iter().collect())
    }

    pub async fn is_opted_out(&self, phone_e164: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM opt_outs WHERE phone_e164 = ?1")
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

    #[tokio::test]
    async fn opt_outs_are_kept_once() {
        let (store, _clock, _dir) = store().await;
        assert!(store
            .add_opt_out("+15552013344", OptOutSource::TwilioStop, None, None)
            .await
            .unwrap());
        assert!(!store
            .add_opt_out("+15552013344", OptOutSource::Manual, None, Some("again"))
            .await
            .unwrap());
        assert!(store.is_opted_out("+15552013344").await.unwrap());
        assert!(!store.is_opted_out("+15552013345").await.unwrap());
        let all = store.opt_outs().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].source, OptOutSource::TwilioStop);
    }
}
