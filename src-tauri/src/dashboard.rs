//! The dashboard's backend: the message grid (filtered and sorted in SQLite), its CSV
//! export, the error codes, and the report email (outbox, re-send, SMTP test).

use crate::error::{AppError, CmdResult};
use crate::state::AppState;
use herald_core::report::{self, OutboxEntry, SmtpConfig};
use herald_core::stats::SendingStats;
use herald_core::store::{ErrorCount, MessagePage, MessageQuery, TimelinePoint};
use herald_core::ErrorCode;
use tauri::State;

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

/// Writes the grid as filtered (every page) to a CSV file in the Downloads folder and
/// returns its path.
#[tauri::command]
#[specta::specta]
pub async fn export_messages_csv(
    state: State<'_, AppState>,
    id: i64,
    query: MessageQuery,
) -> CmdResult<String> {
    let c = state.store.campaign(id).await?;
    let all = MessageQuery {
        offset: 0,
        limit: u32::MAX,
        ..query
    };
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let page = state
            .store
            .query_messages(
                id,
                &MessageQuery {
                    offset,
                    limit: 5_000,
                    ..all.clone()
                },
            )
            .await?;
        let n = page.rows.len() as u32;
        rows.extend(page.rows);
        if n < 5_000 {
            break;
        }
        offset += n;
    }
    let csv = report::messages_csv(&rows)?;
    let dir = dirs::download_dir().unwrap_or_else(|| state.data_dir.join("exports"));
    std::fs::create_dir_all(&dir).map_err(|e| io_error(&dir, e))?;
    let slug: String = c
        .name
        .chars()
        .map(|ch| if ch.is_alphanumeric() { ch } else { '-' })
        .collect();
    let stamp = state.store.now().format("%Y%m%d-%H%M%S");
    let path = dir.join(format!("{}-{stamp}.csv", slug.trim_matches('-')));
    std::fs::write(&path, csv).map_err(|e| io_error(&path, e))?;
    Ok(path.display().to_string())
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
