use super::Store;
use crate::error::{Result, StorageContext};
use crate::settings::{SettingEntry, SettingKey, Settings};

impl Store {
    /// A typed snapshot of every setting (defaults where nothing is stored).
    pub async fn settings(&self) -> Result<Settings> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT key, value FROM settings")
            .fetch_all(&self.pool)
            .await
            .context("read the settings")?;
        Ok(Settings::from_pairs(rows))
    }

    /// Validates and stores one setting; returns it as it now reads.
    pub async fn set_setting(&self, key: &str, raw: &str) -> Result<SettingEntry> {
        let key = SettingKey::parse(key)?;
        let next = self.settings().await?.with_value(key, raw)?;
        let value = next.get(key);
        sqlx::query(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        )
        .bind(key.as_str())
        .bind(&value)
        .bind(self.now())
        .execute(&self.pool)
        .await
        .context("save the setting")?;
        Ok(next.entry(key))
    }

    /// Forgets a stored value so the default applies again.
    pub async fn reset_setting(&self, key: &str) -> Result<SettingEntry> {
        let key = SettingKey::parse(key)?;
        sqlx::query("DELETE FROM settings WHERE key = ?1")
            .bind(key.as_str())
            .execute(&self.pool)
            .await
            .context("reset the setting")?;
        Ok(self.settings().await?.entry(key))
    }
}

#[cfg(test)]
mod tests {
    use crate::error::ErrorCode;
    use crate::store::test_support::store;

    #[tokio::test]
    async fn settings_persist_typed_and_reject_bad_values() {
        let (store, _clock, _dir) = store().await;
        let e = store
            .set_setting("twilio.sender_type", "toll_free")
            .await
            .unwrap();
        assert_eq!(e.value, serde_json::json!("toll_free"));
        let rate = store
            .settings()
            .await
            .unwrap()
            .entry(crate::settings::SettingKey::TwilioRatePerSecond);
        assert_eq!(
            rate.value,
            serde_json::json!(3.0),
            "rate follows the sender type"
        );
        let err = store
            .set_setting("twilio.rate_per_second", "abc")
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidSetting);
        assert!(err
            .to_string()
            .contains("twilio.rate_per_second cannot be 'abc'"));
        let err = store.set_setting("nope", "1").await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnknownSetting);
        store
            .set_setting("twilio.rate_per_second", "12")
            .await
            .unwrap();
        assert_eq!(store.settings().await.unwrap().rate_per_second(), 12.0);
        let e = store.reset_setting("twilio.rate_per_second").await.unwrap();
        assert!(e.is_default);
        assert_eq!(store.settings().await.unwrap().rate_per_second(), 3.0);
    }
}
