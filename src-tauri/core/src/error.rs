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
    #[error("the database could not {action}: {source}")]
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

/// Attaches what the database was doing to a sqlx error.
pub(crate) trait StorageContext<T> {
    fn context(self, action: &'static str) -> Result<T>;
}

impl<T> StorageContext<T> for std::result::Result<T, sqlx::Error> {
    fn context(self, action: &'static str) -> Result<T> {
        self.map_err(|source| Error::Storage { action, source })
    }
}
