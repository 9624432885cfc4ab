//! The core's error type. Each variant is something a caller can act on; [`Error::code`]
//! is the stable identifier the UI and the CLI branch on (never the message text).

use crate::settings::SettingError;
use crate::status::TransitionError;
use serde::Serialize;
use specta::Type;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{what} {id} does not exist")]
    NotFound { what: &'static str, id: String },
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Setting(#[from] SettingError),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Secret(#[from] crate::secrets::SecretError),
    #[error("the database could not {action}: {}", storage_reason(source))]
    Storage {
        action: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("the database schema could not be upgraded: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Imis(#[from] crate::imis::ImisError),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

/// Stable error codes shared with the front end and the CLI's exit messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotFound,
    IllegalTransition,
    InvalidSetting,
    UnknownSetting,
    Invalid,
    Conflict,
    Keychain,
    Storage,
    Io,
    Imis,
    Internal,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Transition(_) => ErrorCode::IllegalTransition,
            Self::Setting(SettingError::UnknownKey(_)) => ErrorCode::UnknownSetting,
            Self::Setting(_) => ErrorCode::InvalidSetting,
            Self::Invalid(_) => ErrorCode::Invalid,
            Self::Conflict(_) => ErrorCode::Conflict,
            Self::Secret(_) => ErrorCode::Keychain,
            Self::Storage { .. } | Self::Migration(_) => ErrorCode::Storage,
            Self::Io { .. } => ErrorCode::Io,
            Self::Imis(_) => ErrorCode::Imis,
        }
    }

    pub fn not_found(what: &'static str, id: impl ToString) -> Self {
        Self::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

/// The database was busy with other work for longer than Herald waits for it (see
/// `store::BUSY_TIMEOUT`), or no connection came free in time.
fn is_busy(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut => true,
        _ => e
            .as_database_error()
            .and_then(|d| d.code())
            .and_then(|c| c.parse::<i32>().ok())
            // SQLITE_BUSY and SQLITE_LOCKED, with their extended codes.
            .is_some_and(|c| matches!(c & 0xff, 5 | 6)),
    }
}

/// Why the database failed, in words a staffer can act on when it was only busy.
fn storage_reason(e: &sqlx::Error) -> String {
    if is_busy(e) {
        "it stayed busy with other work (such as recording a large campaign's messages) for longer than Herald waits. Try again in a moment.".into()
    } else {
        e.to_string()
    }
}

/// Attaches what the database was doing to a sqlx error.
pub(crate) trait StorageContext<T> {
    fn context(self, action: &'static str) -> Result<T>;
}

impl<T> StorageContext<T> for std::result::Result<T, sqlx::Error> {
    fn context(self, action: &'static str) -> Result<T> {
        self.map_err(|source| Error::Storage { action, source })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::{ConnectOptions, Connection};

    #[tokio::test]
    async fn a_database_busy_for_too_long_is_said_in_words_other_failures_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("busy.db"))
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .busy_timeout(std::time::Duration::ZERO);
        let mut writer = options.connect().await.unwrap();
        let mut other = options.connect().await.unwrap();
        sqlx::query("CREATE TABLE t (x INTEGER)")
            .execute(&mut writer)
            .await
            .unwrap();
        // One connection writes; the other cannot start writing meanwhile.
        let tx = writer.begin_with("BEGIN IMMEDIATE").await.unwrap();
        let busy = sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut other)
            .await
            .context("start a transaction")
            .unwrap_err();
        let Error::Storage { source, .. } = &busy else {
            panic!("{busy:?}")
        };
        assert!(is_busy(source));
        assert_eq!(
            busy.to_string(),
            "the database could not start a transaction: it stayed busy with other work (such as recording a large campaign's messages) for longer than Herald waits. Try again in a moment."
        );
        tx.rollback().await.unwrap();
        // Other failures keep SQLite's words.
        let missing = sqlx::query("SELECT * FROM nowhere")
            .execute(&mut other)
            .await
            .context("read the campaigns")
            .unwrap_err();
        assert!(
            missing.to_string().contains("no such table: nowhere"),
            "{missing}"
        );
        assert!(!is_busy(&sqlx::Error::RowNotFound));
        assert!(is_busy(&sqlx::Error::PoolTimedOut));
    }
}
