//! IPC commands. Each one is a call into `herald_core` plus, for changes, an event.

use crate::error::CmdResult;
use crate::events::CampaignsChanged;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use herald_core::campaign::{
    Actor, Campaign, CampaignDetail, CampaignEvent, CampaignListItem, NewCampaign,
};
use herald_core::drafts::{self, AudiencePreview, DraftSummary, MessageAnalysis};
use herald_core::settings::{SettingEntry, SettingKey};
use herald_core::status::CampaignStatus;
use herald_core::store::DraftChanges;
use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, State};
use tauri_specta::Event;

/// Facts about this installation for the header and the About box.
#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    /// No iMIS connection is configured: Herald runs on the demo workspace, TEST only.
    pub demo: bool,
}

fn changed(app: &AppHandle, id: Option<i64>) {
    if let Err(e) = (CampaignsChanged { campaign_id: id }).emit(app) {
        tracing::warn!(error = %e, "could not notify the window");
    }
}

/// Tells the window that settings or secrets changed, so it shows their effect at once.
pub fn settings_changed(app: &AppHandle) {
    if let Err(e) = (crate::events::SettingsChanged {}).emit(app) {
        tracing::warn!(error = %e, "could not notify the window");
    }
}

#[tauri::command]
#[specta::specta]
pub async fn app_info(state: State<'_, AppState>) -> CmdResult<AppInfo> {
    let settings = state.store.settings().await?;
    Ok(AppInfo {
        version: herald_core::VERSION.to_string(),
        data_dir: state.data_dir.display().to_string(),
        demo: settings.is_demo(),
    })
}

#[tauri::command]
#[specta::specta]
pub async fn list_campaigns(state: State<'_, AppState>) -> CmdResult<Vec<CampaignListItem>> {
    Ok(state.store.list_campaigns().await?)
}

#[tauri::command]
#[specta::specta]
pub async fn get_campaign(state: State<'_, AppState>, id: i64) -> CmdResult<CampaignDetail> {
    Ok(state.store.campaign_detail(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn campaign_events(state: State<'_, AppState>, id: i64) -> CmdResult<Vec<CampaignEvent>> {
    Ok(state.store.campaign_events(id).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn create_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    input: NewCampaign,
) -> CmdResult<i64> {
    let id = state.store.create_campaign(input, Actor::User).await?;
    changed(&app, Some(id));
    Ok(id)
}

#[tauri::command]
#[specta::specta]
pub async fn update_draft(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    changes: DraftChanges,
) -> CmdResult<Campaign> {
    let c = state.store.update_draft(id, changes, Actor::User).await?;
    changed(&app, Some(id));
    Ok(c)
}

#[tauri::command]
#[specta::specta]
pub async fn delete_draft(app: AppHandle, state: State<'_, AppState>, id: i64) -> CmdResult<()> {
    state.store.delete_draft(id, Actor::User).await?;
    changed(&app, Some(id));
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub async fn duplicate_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<i64> {
    let copy = state.store.duplicate_campaign(id, Actor::User).await?;
    changed(&app, Some(copy));
    Ok(copy)
}

#[tauri::command]
#[specta::specta]
pub async fn schedule_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    at: Option<DateTime<Utc>>,
    confirmed_recipients: Option<u32>,
) -> CmdResult<Campaign> {
    let directory = match state.store.campaign(id).await?.mode {
        // Only LIVE campaigns need iMIS to be reachable before they are scheduled.
        herald_core::campaign::Mode::Live => Some(crate::imis::directory_core(&state).await),
        herald_core::campaign::Mode::Test => None,
    };
    let confirmation = match confirmed_recipients {
        Some(n) => drafts::Confirmation::Recipients(n),
        None => drafts::Confirmation::None,
    };
    let c = drafts::schedule(
        &state.store,
        id,
        at,
        Actor::User,
        confirmation,
        &state.keychain,
        move || match directory {
            Some(result) => result,
            None => Ok(herald_core::imis::Directory::demo()),
        },
    )
    .await?;
    changed(&app, Some(id));
    Ok(c)
}

/// Reads a CSV file's text (decoded as UTF-8 by the window) into the draft's audience.
#[tauri::command]
#[specta::specta]
pub async fn import_csv_audience(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    file_name: String,
    content: String,
) -> CmdResult<AudiencePreview> {
    let preview = drafts::import_csv(
        &state.store,
        id,
        &file_name,
        content.as_bytes(),
        Actor::User,
    )
    .await?;
    changed(&app, Some(id));
    Ok(preview)
}

/// The draft's cached audience (works offline), if it has one.
#[tauri::command]
#[specta::specta]
pub async fn audience_preview(
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Option<AudiencePreview>> {
    Ok(drafts::audience_preview(&state.store, id).await?)
}

/// Segments, encoding, problems and preview of a template for one recipient's values.
#[tauri::command]
#[specta::specta]
pub fn analyze_message(
    template: String,
    columns: Vec<String>,
    values: Vec<String>,
) -> MessageAnalysis {
    drafts::analyze_message(&template, &columns, &values)
}

/// What scheduling the draft for `at` (or now) would send, with the lists behind the counts.
#[tauri::command]
#[specta::specta]
pub async fn draft_summary(
    state: State<'_, AppState>,
    id: i64,
    at: Option<DateTime<Utc>>,
) -> CmdResult<DraftSummary> {
    Ok(drafts::draft_summary(&state.store, id, at).await?)
}

#[tauri::command]
#[specta::specta]
pub async fn unschedule_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Campaign> {
    let c = state
        .store
        .transition(id, CampaignStatus::Draft, Actor::User, None)
        .await?;
    changed(&app, Some(id));
    Ok(c)
}

#[tauri::command]
#[specta::specta]
pub async fn archive_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Campaign> {
    let c = state
        .store
        .transition(id, CampaignStatus::Archived, Actor::User, None)
        .await?;
    changed(&app, Some(id));
    Ok(c)
}

#[tauri::command]
#[specta::specta]
pub async fn unarchive_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Campaign> {
    let c = state.store.unarchive(id, Actor::User).await?;
    changed(&app, Some(id));
    Ok(c)
}

#[tauri::command]
#[specta::specta]
pub async fn list_settings(state: State<'_, AppState>) -> CmdResult<Vec<SettingEntry>> {
    Ok(state.store.settings().await?.entries())
}

#[tauri::command]
#[specta::specta]
pub async fn set_setting(
    app: AppHandle,
    state: State<'_, AppState>,
    key: String,
    value: String,
) -> CmdResult<SettingEntry> {
    let entry = state.store.set_setting(&key, &value).await?;
    settings_changed(&app);
    Ok(entry)
}

#[tauri::command]
#[specta::specta]
pub async fn reset_setting(
    app: AppHandle,
    state: State<'_, AppState>,
    key: String,
) -> CmdResult<SettingEntry> {
    let entry = state.store.reset_setting(&key).await?;
    settings_changed(&app);
    Ok(entry)
}

/// The checks scheduling will make (Twilio, iMIS, the mail server), for the Summary.
#[tauri::command]
#[specta::specta]
pub async fn campaign_preflight(
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<herald_core::preflight::Preflight> {
    let c = state.store.campaign(id).await?;
    if c.mode != herald_core::campaign::Mode::Live {
        return Ok(Default::default()); // TEST sends nothing real: nothing to check
    }
    let settings = state.store.settings().await?;
    let directory = crate::imis::directory_core(&state).await;
    Ok(herald_core::preflight::check(&c, &settings, &state.keychain, move || directory).await)
}

/// Sends one real text of the campaign's message to the person's own number, and
/// remembers the number for next time.
#[tauri::command]
#[specta::specta]
pub async fn send_test_text(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    to: String,
    as_imis_id: Option<String>,
) -> CmdResult<herald_core::store::TestText> {
    let request = herald_core::test_text::TestTextRequest {
        campaign_id: id,
        to,
        as_imis_id,
    };
    let text = herald_core::test_text::send(&state.store, &state.keychain, &request, None).await?;
    if state
        .store
        .settings()
        .await?
        .get(SettingKey::CampaignTestTextTo)
        != text.to_e164
    {
        state
            .store
            .set_setting(SettingKey::CampaignTestTextTo.as_str(), &text.to_e164)
            .await?;
        settings_changed(&app);
    }
    changed(&app, Some(id));
    Ok(text)
}

/// A campaign's test texts, newest first.
#[tauri::command]
#[specta::specta]
pub async fn campaign_test_texts(
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Vec<herald_core::store::TestText>> {
    Ok(state.store.test_texts(id).await?)
}

/// Pauses a sending campaign: requests in flight finish, nothing new starts.
#[tauri::command]
#[specta::specta]
pub async fn pause_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Campaign> {
    let c = herald_core::engine::pause(&state.store, id, Actor::User).await?;
    changed(&app, Some(id));
    Ok(c)
}

#[tauri::command]
#[specta::specta]
pub async fn resume_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Campaign> {
    let c = herald_core::engine::resume(&state.store, id, Actor::User).await?;
    changed(&app, Some(id));
    Ok(c)
}

/// Cancels a scheduled, sending or paused campaign; unsent messages become Canceled.
#[tauri::command]
#[specta::specta]
pub async fn cancel_campaign(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Campaign> {
    let c = herald_core::engine::cancel(&state.store, id, Actor::User).await?;
    changed(&app, Some(id));
    Ok(c)
}

/// A page of a campaign's messages, in audience order.
#[tauri::command]
#[specta::specta]
pub async fn campaign_messages(
    state: State<'_, AppState>,
    id: i64,
    offset: u32,
    limit: u32,
) -> CmdResult<Vec<herald_core::store::MessageRow>> {
    Ok(state
        .store
        .messages_page(id, offset, limit.min(5_000))
        .await?)
}

/// Quits Herald (after the user confirmed, when campaigns were sending).
#[tauri::command]
#[specta::specta]
pub async fn quit_app(app: AppHandle, state: State<'_, AppState>) -> CmdResult<()> {
    let _ = state.stop.send(true);
    app.exit(0);
    Ok(())
}

/// Starts a scheduled campaign now (after its time passed while Herald was closed).
#[tauri::command]
#[specta::specta]
pub async fn start_campaign_now(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
) -> CmdResult<Campaign> {
    let c = state.store.start_now(id, Actor::User).await?;
    changed(&app, Some(id));
    Ok(c)
}

/// Sends again to the failed and undelivered recipients: a follow-up campaign, scheduled
/// now. Returns its id.
#[tauri::command]
#[specta::specta]
pub async fn retry_failed(app: AppHandle, state: State<'_, AppState>, id: i64) -> CmdResult<i64> {
    let retry = state.store.create_retry_campaign(id, Actor::User).await?;
    changed(&app, Some(retry));
    Ok(retry)
}
