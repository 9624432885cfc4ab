//! iMIS commands: browsing queries, running the draft's query, the TEXTMSG check, the
//! connection test and the write-back queue.

use crate::error::CmdResult;
use crate::events::CampaignsChanged;
use crate::state::AppState;
use herald_core::campaign::Actor;
use herald_core::drafts::{self, QueryImport};
use herald_core::imis::{Directory, QueryEntry, QueryInfo, TEXTMSG};
use herald_core::store::WriteBackStatus;
use serde::Serialize;
use specta::Type;
use std::collections::BTreeMap;
use tauri::{AppHandle, State};
use tauri_specta::Event;

/// The directory the settings describe (the keychain is asked off the async workers).
pub async fn directory_core(state: &AppState) -> herald_core::Result<Directory> {
    let settings = state.store.settings().await?;
    let cache = state.directories.clone();
    let keychain = state.keychain.clone();
    tauri::async_runtime::spawn_blocking(move || cache.get(&settings, &keychain))
        .await
        .map_err(|e| herald_core::Error::Invalid(format!("the keychain call failed: {e}")))?
}

async fn directory(state: &AppState) -> CmdResult<Directory> {
    Ok(directory_core(state).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn imis_list_folder(
    state: State<'_, AppState>,
    folder: String,
) -> CmdResult<Vec<QueryEntry>> {
    let d = directory(&state).await?;
    Ok(d.list_folder(&folder)
        .await
        .map_err(herald_core::Error::from)?)
}

#[tauri::command]
#[specta::specta]
pub async fn imis_query_definition(
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<QueryInfo> {
    let d = directory(&state).await?;
    Ok(d.query_definition(&path)
        .await
        .map_err(herald_core::Error::from)?)
}

/// Runs the query into the draft's cached audience.
#[tauri::command]
#[specta::specta]
pub async fn import_query_audience(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    path: String,
    params: BTreeMap<String, String>,
) -> CmdResult<QueryImport> {
    let d = directory(&state).await?;
    let import = drafts::import_query(&state.store, &d, id, &path, params, Actor::User).await?;
    let _ = (CampaignsChanged {
        campaign_id: Some(id),
    })
    .emit(&app);
    Ok(import)
}

/// Whether sent texts can be recorded as TEXTMSG Activities.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ActivityTypeCheck {
    pub exists: bool,
    /// The demo directory: nothing is written anywhere.
    pub demo: bool,
}

#[tauri::command]
#[specta::specta]
pub async fn imis_activity_type_check(state: State<'_, AppState>) -> CmdResult<ActivityTypeCheck> {
    let d = directory(&state).await?;
    Ok(ActivityTypeCheck {
        exists: d
            .activity_type_exists(TEXTMSG)
            .await
            .map_err(herald_core::Error::from)?,
        demo: d.is_demo(),
    })
}

/// What "Test connection" found.
#[derive(Debug, Clone, Serialize, Type)]
pub struct ImisConnectionReport {
    /// Folders and queries at the top level.
    pub root_entries: u32,
    /// Whether the TEXTMSG activity type exists.
    pub textmsg: bool,
    pub demo: bool,
}

/// Logs in and lists the top folder: a real, harmless call.
#[tauri::command]
#[specta::specta]
pub async fn test_imis_connection(state: State<'_, AppState>) -> CmdResult<ImisConnectionReport> {
    let d = directory(&state).await?;
    let root = match &d {
        Directory::Remote(c) => c.check().await,
        Directory::Demo(_) => d.list_folder("$").await.map(|e| e.len()),
    }
    .map_err(herald_core::Error::from)?;
    let textmsg = d
        .activity_type_exists(TEXTMSG)
        .await
        .map_err(herald_core::Error::from)?;
    Ok(ImisConnectionReport {
        root_entries: root as u32,
        textmsg,
        demo: d.is_demo(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn writeback_status(
    state: State<'_, AppState>,
    campaign: Option<i64>,
) -> CmdResult<WriteBackStatus> {
    Ok(state.store.writeback_status(campaign).await?)
}

/// "Test connection" for Twilio: fetches the account with the stored credentials.
#[tauri::command]
#[specta::specta]
pub async fn test_twilio_connection(state: State<'_, AppState>) -> CmdResult<String> {
    let settings = state.store.settings().await?;
    let keychain = state.keychain.clone();
    herald_core::engine::gateway::check_twilio(&settings, &keychain)
        .await
        .map_err(|message| crate::error::AppError {
            code: herald_core::ErrorCode::Invalid,
            message,
        })
}
