use herald_core::ErrorCode;
use serde::Serialize;
use specta::Type;

/// The one error type the front end sees: a stable `code` to branch on and a `message`
/// for people. It never carries a secret (core errors never do).
#[derive(Debug, Clone, Serialize, Type)]
pub struct AppError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<herald_core::Error> for AppError {
    fn from(e: herald_core::Error) -> Self {
        let code = e.code();
        if matches!(
            code,
            ErrorCode::Storage | ErrorCode::Io | ErrorCode::Internal
        ) {
            tracing::error!(error = %e, "command failed");
        } else {
            tracing::info!(error = %e, "command refused");
        }
        Self {
            code,
            message: e.to_string(),
        }
    }
}

pub type CmdResult<T> = Result<T, AppError>;
