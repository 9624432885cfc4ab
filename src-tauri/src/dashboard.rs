//! The dashboard's backend: the message grid (filtered and sorted in SQLite), its CSV
//! export, the error codes, and the report email (outbox, re-send, SMTP test).

use crate::error::{AppError, CmdResult};
use crate::state::AppState;
use herald_core::report::{self, OutboxEntry, SmtpConfig};
use herald_core::stats::SendingStats;
use herald_core::store::{ErrorCount, MessagePage, MessageQuery, TimelinePoint};
use herald_core::ErrorCode;
use tauri::State;
use tauri_plugin_dialog::DialogExt;
use tauri_plugin_opener::OpenerExt;

#[tauri::command]
#[specta::specta]
pub async fn campaign_grid(
    state: State<'_, AppState>,
    id: i64,
    query: MessageQuery,
) -> CmdResult<MessagePage> {
    Ok(state.store.query_messages(id, &query).await?)
}

/// The "statuses over time" chart: cumulative counts at up to 240 moments from the first
/// send to the last update.
#[tauri::command]
#[specta::specta]
pub async fn campaign_timeline(
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Vec<TimelinePoint>> {
    Ok(state.store.status_timeline(id, 240).await?)
}

/// The progress card's figures: current rate, time to finish under the daily cap, segments
/// and cost estimated vs reported by Twilio.
#[tauri::command]
#[specta::specta]
pub async fn campaign_stats(state: State<'_, AppState>, id: i64) -> CmdResult<SendingStats> {
    Ok(herald_core::stats::sending_stats(&state.store, id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn campaign_error_codes(
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Vec<ErrorCount>> {
    Ok(state.store.error_codes(id).await?)
}

/// Export: asks where to save the grid as filtered (every page, not just the one shown)
/// with the system's Save dialog, then writes it there as CSV. Returns the path written,
/// or nothing when the dialog was cancelled. The file appears whole or not at all.
#[tauri::command]
#[specta::specta]
pub async fn export_messages_csv(
    window: tauri::WebviewWindow,
    state: State<'_, AppState>,
    id: i64,
    query: MessageQuery,
) -> CmdResult<Option<String>> {
    let c = state.store.campaign(id).await?;
    let suggested = format!(
        "{} messages {}.csv",
        report::file_stem(&c.name),
        state
            .store
            .now()
            .with_timezone(&herald_core::zone::workstation())
            .format("%Y-%m-%d")
    );
    let Some(path) = ask_csv_path(&window, "Export messages", suggested).await? else {
        return Ok(None);
    };
    // One query, streamed into the CSV on a thread of its own: a million rows are never in
    // memory as rows, and no page is read twice.
    let store = &state.store;
    let (csv, rows) = report::MessagesCsv::new(herald_core::zone::workstation())?
        .write_off_thread(|rows| async move {
            store
                .for_each_grid_batch(id, &query, |batch| rows.send(batch))
                .await
        })
        .await?;
    let shown = save_export(&state, path, &csv)?;
    tracing::info!(campaign = id, rows, "messages exported");
    Ok(Some(shown))
}

/// Asks where to save a CSV file with the system's Save dialog (opening in Downloads,
/// else Documents, else the home folder; never Herald's data folder, see
/// [`export_fallback_dir`]). `None` if the person cancels; the path ends in `.csv`.
pub(crate) async fn ask_csv_path(
    window: &tauri::WebviewWindow,
    title: &str,
    suggested: String,
) -> CmdResult<Option<std::path::PathBuf>> {
    let folder = dirs::download_dir()
        .or_else(dirs::document_dir)
        .unwrap_or_else(export_fallback_dir);
    let (tx, rx) = tokio::sync::oneshot::channel();
    window
        .dialog()
        .file()
        .set_parent(window)
        .set_title(title)
        .set_directory(folder)
        .set_file_name(suggested)
        .add_filter("CSV spreadsheet", &["csv"])
        .save_file(move |chosen| {
            let _ = tx.send(chosen);
        });
    let Some(chosen) = rx.await.ok().flatten() else {
        return Ok(None);
    };
    let mut path = chosen.into_path().map_err(|e| AppError {
        code: ErrorCode::Invalid,
        message: format!("Herald cannot save there: {e}"),
    })?;
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        path.set_extension("csv");
    }
    Ok(Some(path))
}

/// Writes an export whole and remembers it for "Show in folder"; the path as shown.
pub(crate) fn save_export(
    state: &AppState,
    path: std::path::PathBuf,
    bytes: &[u8],
) -> CmdResult<String> {
    write_whole(&path, bytes)?;
    tracing::info!(path = %path.display(), "file exported");
    let shown = path.display().to_string();
    state.exported.lock().expect("export list").insert(path);
    Ok(shown)
}

/// Where the Save dialog opens when there is no Downloads or Documents folder: the home
/// folder, never Herald's data folder. A file dialog showing the data folder opens and
/// closes the database's files inside Herald's process, which drops SQLite's POSIX locks
/// on them; a herald-cli run at that moment could then delete the WAL Herald is writing
/// (found by the e2e suite, where the export's dialog opened there and later writes were
/// lost).
pub(crate) fn export_fallback_dir() -> std::path::PathBuf {
    dirs::home_dir().unwrap_or_else(std::env::temp_dir)
}

/// Writes beside the target and renames over it, so a full disk or a crash leaves the old
/// file (or none), never half a file.
fn write_whole(path: &std::path::Path, bytes: &[u8]) -> CmdResult<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let partial = path.with_file_name(format!(".{name}.part"));
    std::fs::write(&partial, bytes)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&partial);
            io_error(path, e)
        })
}

/// "Show in folder" for a file this window exported: opens the system's file manager with
/// the file selected. Only paths Herald wrote are shown.
#[tauri::command]
#[specta::specta]
pub async fn show_in_folder(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> CmdResult<()> {
    let path = std::path::PathBuf::from(path);
    if !state.exported.lock().expect("export list").contains(&path) {
        return Err(AppError {
            code: ErrorCode::Invalid,
            message: "Herald only shows files it exported".into(),
        });
    }
    app.opener()
        .reveal_item_in_dir(&path)
        .map_err(|e| AppError {
            code: ErrorCode::Io,
            message: format!("could not open the folder of {}: {e}", path.display()),
        })
}

/// The campaign's report as the email tells it, for the Report view; times in the
/// workstation's zone.
#[tauri::command]
#[specta::specta]
pub async fn campaign_report(state: State<'_, AppState>, id: i64) -> CmdResult<report::ReportView> {
    Ok(report::view(&state.store, id, herald_core::zone::workstation()).await?)
}

/// Print: the system's print dialog for what the window shows (which can save as PDF).
#[tauri::command]
#[specta::specta]
pub async fn print_window(window: tauri::WebviewWindow) -> CmdResult<()> {
    window.print().map_err(|e| AppError {
        code: ErrorCode::Io,
        message: format!("could not open the print dialog: {e}"),
    })
}

fn io_error(path: &std::path::Path, e: std::io::Error) -> AppError {
    AppError {
        code: ErrorCode::Io,
        message: format!("could not write {}: {e}", path.display()),
    }
}

#[tauri::command]
#[specta::specta]
pub async fn report_outbox(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<OutboxEntry>> {
    Ok(state.store.report_outbox(Some(id)).await?)
}

/// Queues the report again, to the campaign's report address.
#[tauri::command]
#[specta::specta]
pub async fn resend_report(state: State<'_, AppState>, id: i64) -> CmdResult<bool> {
    let c = state.store.campaign(id).await?;
    let to = c
        .report_email
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AppError {
            code: ErrorCode::Invalid,
            message: format!(
                "'{}' has no report address; add one in the campaign first",
                c.name
            ),
        })?;
    let trigger = format!("resend-{}", state.store.now().timestamp_millis());
    Ok(state.store.enqueue_report(id, &trigger, &to).await?)
}

/// "Test connection" for email: connect, secure and log in; nothing is sent.
#[tauri::command]
#[specta::specta]
pub async fn test_smtp_connection(state: State<'_, AppState>) -> CmdResult<String> {
    let settings = state.store.settings().await?;
    let invalid = |message: String| AppError {
        code: ErrorCode::Invalid,
        message,
    };
    let cfg = SmtpConfig::from_settings(&settings, &state.keychain).map_err(invalid)?;
    cfg.check().await.map_err(invalid)
}
