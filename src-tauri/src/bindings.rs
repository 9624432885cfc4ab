//! The registry of commands and events, and the TypeScript it generates. The generated
//! file is committed; `tests/bindings.rs` fails when it drifts from this registry.

use crate::{commands, dashboard, events, imis, metrics, replies, secrets};
use specta_typescript::{BigIntExportBehavior, Typescript};

/// Where the generated bindings live, relative to the repository root.
pub const BINDINGS_PATH: &str = "ui/src/api/bindings.ts";

pub fn builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::app_info,
            commands::list_campaigns,
            commands::get_campaign,
            commands::campaign_events,
            commands::create_campaign,
            commands::update_draft,
            commands::delete_draft,
            commands::duplicate_campaign,
            commands::schedule_campaign,
            commands::unschedule_campaign,
            commands::archive_campaign,
            commands::unarchive_campaign,
            commands::list_settings,
            commands::set_setting,
            commands::reset_setting,
            commands::import_csv_audience,
            commands::audience_preview,
            commands::analyze_message,
            commands::draft_summary,
            commands::pause_campaign,
            commands::resume_campaign,
            commands::cancel_campaign,
            commands::campaign_messages,
            commands::quit_app,
            commands::start_campaign_now,
            commands::retry_failed,
            commands::campaign_preflight,
            commands::send_test_text,
            commands::campaign_test_texts,
            dashboard::campaign_grid,
            dashboard::campaign_error_codes,
            dashboard::campaign_timeline,
            dashboard::campaign_stats,
            dashboard::export_messages_csv,
            dashboard::show_in_folder,
            dashboard::campaign_report,
            dashboard::print_window,
            dashboard::report_outbox,
            dashboard::resend_report,
            dashboard::test_smtp_connection,
            imis::imis_list_folder,
            imis::imis_query_definition,
            imis::import_query_audience,
            imis::imis_activity_type_check,
            imis::test_imis_connection,
            imis::test_twilio_connection,
            imis::writeback_status,
            metrics::first_paint,
            replies::list_replies,
            replies::confirm_opt_out,
            replies::check_replies,
            replies::list_opt_outs,
            replies::opt_out_history,
            replies::add_opt_out,
            replies::remove_opt_out,
            replies::import_opt_outs,
            replies::export_opt_outs,
            secrets::secret_status,
            secrets::set_secret,
            secrets::delete_secret,
        ])
        .events(tauri_specta::collect_events![
            events::CampaignsChanged,
            events::QuitRequested,
            events::SettingsChanged,
            events::OpenCampaign
        ])
}

/// The TypeScript flavour: ids are plain numbers (SQLite rowids stay far below 2^53).
pub fn typescript() -> Typescript {
    Typescript::default()
        .bigint(BigIntExportBehavior::Number)
        .header("// Generated from the Rust commands by `make bindings`. Do not edit by hand.\n/* eslint-disable */")
}

/// The bindings as they should be now.
pub fn generate() -> Result<String, String> {
    builder()
        .export_str(typescript())
        .map_err(|e| e.to_string())
}
