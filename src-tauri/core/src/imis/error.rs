//! What can go wrong talking to iMIS, in words a staff member can act on. The server's
//! own message goes to the log, never into these texts as raw JSON.

use serde::Serialize;
use specta::Type;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImisError {
    #[error("iMIS refused the username or password; check them in Settings → iMIS")]
    WrongCredentials,
    #[error("iMIS denied access to {what}: the iMIS user needs the rights to read queries and write Activities")]
    Denied { what: String },
    #[error("iMIS has no query at '{0}'; check the path (it starts with $/) or browse for it")]
    UnknownQuery(String),
    #[error("iMIS has no folder at '{0}'")]
    UnknownFolder(String),
    #[error("the iMIS server is having trouble (HTTP {status}); try again in a few minutes")]
    ServerDown { status: u16 },
    #[error("iMIS is busy and asked Herald to slow down; try again in a minute")]
    RateLimited,
    #[error("Herald could not reach iMIS at {host} ({reason}); check the address in Settings → iMIS and the network")]
    Unreachable { host: String, reason: String },
    #[error("iMIS did not answer within {seconds} seconds; the server may be overloaded")]
    Timeout { seconds: u64 },
    #[error("the security certificate of {host} could not be verified ({detail}), so Herald did not connect; ask your iMIS administrator to fix the certificate")]
    Certificate { host: String, detail: String },
    #[error("iMIS sent a response Herald could not read ({0})")]
    BadResponse(String),
    #[error("iMIS refused the request (HTTP {status}): {message}")]
    Rejected { status: u16, message: String },
    #[error("iMIS did not confirm whether it saved the record: {detail}")]
    Ambiguous { detail: String },
    #[error("{0}")]
    NotConfigured(String),
    #[error("the audience {0}")]
    MissingColumns(String),
}

/// A stable name for each kind of failure, for the UI and the CLI to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ImisErrorKind {
    WrongCredentials,
    Denied,
    UnknownQuery,
    UnknownFolder,
    ServerDown,
    RateLimited,
    Unreachable,
    Timeout,
    Certificate,
    BadResponse,
    Rejected,
    Ambiguous,
    NotConfigured,
    MissingColumns,
}

impl ImisError {
    pub fn kind(&self) -> ImisErrorKind {
        match self {
            Self::WrongCredentials => ImisErrorKind::WrongCredentials,
            Self::Denied { .. } => ImisErrorKind::Denied,
            Self::UnknownQuery(_) => ImisErrorKind::UnknownQuery,
            Self::UnknownFolder(_) => ImisErrorKind::UnknownFolder,
            Self::ServerDown { .. } => ImisErrorKind::ServerDown,
            Self::RateLimited => ImisErrorKind::RateLimited,
            Self::Unreachable { .. } => ImisErrorKind::Unreachable,
            Self::Timeout { .. } => ImisErrorKind::Timeout,
            Self::Certificate { .. } => ImisErrorKind::Certificate,
            Self::BadResponse(_) => ImisErrorKind::BadResponse,
            Self::Rejected { .. } => ImisErrorKind::Rejected,
            Self::Ambiguous { .. } => ImisErrorKind::Ambiguous,
            Self::NotConfigured(_) => ImisErrorKind::NotConfigured,
            Self::MissingColumns(_) => ImisErrorKind::MissingColumns,
        }
    }

    /// Whether trying again later may succeed without anyone changing anything.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::ServerDown { .. }
                | Self::RateLimited
                | Self::Unreachable { .. }
                | Self::Timeout { .. }
                | Self::BadResponse(_)
                | Self::Ambiguous { .. }
        )
    }
}
