//! Replies and the opt-out list, for the Replies and opt-outs page and the dashboard.

use crate::error::{AppError, CmdResult};
use crate::state::AppState;
use herald_core::compose::phone::{self, Region};
use herald_core::replies::{self, list_csv, ReplyKind, SyncReport};
use herald_core::store::{
    NewOptOut, OptOut, OptOutChange, OptOutSource, Reply, ReplyFilter, ALL_SENDERS,
};
use herald_core::{Error, ErrorCode};
use serde::Deserialize;
use specta::Type;
use tauri::State;

/// Which replies the window lists.
#[derive(Debug, Clone, Default, Deserialize, Type)]
pub struct ReplyQuery {
    pub campaign_id: Option<i64>,
    pub kind: Option<ReplyKind>,
    pub search: Option<String>,
    /// At most this many, newest first (0: 1,000).
    pub limit: u32,
}

#[tauri::command]
#[specta::specta]
pub async fn list_replies(state: State<'_, AppState>, query: ReplyQuery) -> CmdResult<Vec<Reply>> {
    Ok(state
        .store
        .replies(&ReplyFilter {
            campaign_id: query.campaign_id,
            kind: query.kind,
            search: query.search,
            limit: query.limit,
        })
        .await?)
}

/// Staff read a possible opt-out as one. Returns whether the number was newly added.
#[tauri::command]
#[specta::specta]
pub async fn confirm_opt_out(state: State<'_, AppState>, reply_id: i64) -> CmdResult<bool> {
    Ok(state.store.confirm_opt_out(reply_id).await?)
}

/// "Check for replies": reads them from Twilio now. `None` when Twilio is not set up.
#[tauri::command]
#[specta::specta]
pub async fn check_replies(state: State<'_, AppState>) -> CmdResult<Option<SyncReport>> {
    match replies::poll_once(&state.store, &state.keychain).await {
        Ok(report) => Ok(report),
        Err(replies::SyncError::Store(e)) => Err(e.into()),
        Err(e) => Err(AppError {
            code: ErrorCode::Invalid,
            message: e.to_string(),
        }),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn list_opt_outs(state: State<'_, AppState>) -> CmdResult<Vec<OptOut>> {
    Ok(state.store.opt_outs().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn opt_out_history(
    state: State<'_, AppState>,
    phone: Option<String>,
) -> CmdResult<Vec<OptOutChange>> {
    Ok(state.store.opt_out_changes(phone.as_deref()).await?)
}

async fn region(state: &AppState) -> CmdResult<Region> {
    let settings = state.store.settings().await?;
    Region::parse(&settings.default_region()).map_err(|e| Error::Invalid(e.to_string()).into())
}

/// Puts a number on the list for every sender. Returns it in E.164.
#[tauri::command]
#[specta::specta]
pub async fn add_opt_out(
    state: State<'_, AppState>,
    number: String,
    note: Option<String>,
) -> CmdResult<String> {
    let region = region(&state).await?;
    let parsed = phone::parse(&number, region)
        .map_err(|e| Error::Invalid(format!("“{}” cannot be added: {e}.", number.trim())))?;
    let note = note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let added = state
        .store
        .add_opt_out(NewOptOut {
            sender: ALL_SENDERS,
            phone_e164: parsed.e164(),
            source: OptOutSource::Manual,
            campaign_id: None,
            reply_id: None,
            note,
            at: state.store.now(),
        })
        .await?;
    if !added {
        return Err(
            Error::Conflict(format!("{} is already on the opt-out list.", parsed.e164())).into(),
        );
    }
    Ok(parsed.e164().to_string())
}

#[tauri::command]
#[specta::specta]
pub async fn remove_opt_out(
    state: State<'_, AppState>,
    sender: String,
    phone: String,
    reason: String,
) -> CmdResult<()> {
    Ok(state.store.remove_opt_out(&sender, &phone, &reason).await?)
}

/// Adds every number of a CSV file (read by the window) to the list for every sender.
#[tauri::command]
#[specta::specta]
pub async fn import_opt_outs(
    state: State<'_, AppState>,
    content: String,
) -> CmdResult<list_csv::ImportReport> {
    let region = region(&state).await?;
    Ok(list_csv::import(&state.store, content.as_bytes(), region, ALL_SENDERS).await?)
}

/// Saves the list as CSV where the user chooses. `None` if they cancel.
#[tauri::command]
#[specta::specta]
pub async fn export_opt_outs(
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
) -> CmdResult<Option<String>> {
    let suggested = format!(
        "Opt-out list {}.csv",
        state
            .store
            .now()
            .with_timezone(&herald_core::zone::workstation())
            .format("%Y-%m-%d")
    );
    let Some(path) =
        crate::dashboard::ask_csv_path(&window, "Export the opt-out list", suggested).await?
    else {
        return Ok(None);
    };
    let csv = list_csv::export(&state.store.opt_outs().await?)?;
    Ok(Some(crate::dashboard::save_export(
        &state,
        path,
        csv.as_bytes(),
    )?))
}
