//! Write-only secrets: the window can store or delete a secret in the OS keychain and ask
//! whether one is stored; it can never read one back.

use crate::error::{AppError, CmdResult};
use crate::state::AppState;
use herald_core::secrets::{SecretName, SecretStore, Sensitive};
use herald_core::ErrorCode;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, State};

/// Whether a secret is stored, never its value.
#[derive(Debug, Clone, Serialize, Type)]
pub struct SecretStatus {
    pub name: String,
    pub stored: bool,
    /// Why the keychain could not be asked, in words a person can act on.
    pub error: Option<String>,
}

fn secret_name(raw: &str) -> CmdResult<SecretName> {
    SecretName::parse(raw).ok_or_else(|| AppError {
        code: ErrorCode::Invalid,
        message: format!("there is no secret called '{raw}'"),
    })
}

fn status(store: &dyn SecretStore, name: SecretName) -> SecretStatus {
    match store.get(name) {
        Ok(v) => SecretStatus {
            name: name.as_str().into(),
            stored: v.is_some(),
            error: None,
        },
        Err(e) => SecretStatus {
            name: name.as_str().into(),
            stored: false,
            error: Some(e.to_string()),
        },
    }
}

/// The keychain speaks D-Bus (or the platform API) synchronously: keep it off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> CmdResult<T> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| AppError {
            code: ErrorCode::Internal,
            message: format!("the keychain call failed: {e}"),
        })
}

#[tauri::command]
#[specta::specta]
pub async fn secret_status(state: State<'_, AppState>) -> CmdResult<Vec<SecretStatus>> {
    let keychain = state.keychain.clone();
    blocking(move || {
        SecretName::ALL
            .into_iter()
            .map(|n| status(&keychain, n))
            .collect()
    })
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn set_secret(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
    value: String,
) -> CmdResult<SecretStatus> {
    let name = secret_name(&name)?;
    let keychain = state.keychain.clone();
    let value = Sensitive::new(value);
    let result = blocking(move || {
        keychain
            .set(name, &value)
            .map_err(|e| AppError::from(herald_core::Error::from(e)))?;
        tracing::info!(secret = name.as_str(), "secret stored in the keychain");
        Ok(status(&keychain, name))
    })
    .await?;
    crate::commands::settings_changed(&app);
    result
}

#[tauri::command]
#[specta::specta]
pub async fn delete_secret(
    app: AppHandle,
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<SecretStatus> {
    let name = secret_name(&name)?;
    let keychain = state.keychain.clone();
    let result = blocking(move || {
        keychain
            .delete(name)
            .map_err(|e| AppError::from(herald_core::Error::from(e)))?;
        tracing::info!(secret = name.as_str(), "secret deleted from the keychain");
        Ok(status(&keychain, name))
    })
    .await?;
    crate::commands::settings_changed(&app);
    result
}
