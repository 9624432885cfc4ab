//! Herald's desktop shell: a thin layer that hands the web front end to `herald_core`.
//!
//! - [`commands`]: one function per IPC command, each a call into the core.
//! - [`error`]: the one serialisable error that crosses into the front end.
//! - [`events`]: typed events the front end listens to.
//! - [`tray`]: the tray icon and close-to-tray behaviour.
//! - [`notify`]: desktop notifications (what to tell is decided in `herald_core::notices`).
//! - [`secrets`]: write-only access to the OS keychain.
//! - [`bindings`]: the command/event registry from which `ui/src/api/bindings.ts` is generated.

mod commands;
mod dashboard;
mod engine;
mod error;
mod events;
mod imis;
mod metrics;
mod notify;
mod replies;
mod secrets;
mod state;
mod tray;
mod webview;

pub mod bindings;

use state::AppState;
use tauri::Manager;

/// When the process started, for the launch-to-first-paint figure.
static LAUNCHED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Tells the window when the settings change outside it (`herald-cli settings set` on the
/// same data folder), so the demo banner and LIVE follow at once. The window's own
/// changes are told by their commands.
fn watch_settings(app: &tauri::AppHandle, state: &AppState) {
    let (app, store, mut stop) = (app.clone(), state.store.clone(), state.stop.subscribe());
    let replies = state.check_replies.clone();
    tauri::async_runtime::spawn(async move {
        let mut last = store.settings().await.ok().map(|s| s.fingerprint());
        loop {
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
                _ = stop.changed() => return,
            }
            let Ok(settings) = store.settings().await else {
                continue;
            };
            if last != Some(settings.fingerprint()) {
                last = Some(settings.fingerprint());
                commands::settings_changed(&app);
                // Twilio may just have been set up (or changed): read replies now.
                replies.notify_one();
            }
        }
    });
}

/// Starts the desktop app.
pub fn run() {
    LAUNCHED.get_or_init(std::time::Instant::now);
    webview::before_start();
    let builder = bindings::builder();
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _argv, _cwd| {
            // A second launch brings the running window forward instead of starting twice.
            tray::show_main_window(app);
        }))
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let state = tauri::async_runtime::block_on(AppState::open(app.handle()))?;
            // The engine, write-backs, reports and reply polling: the same assembly as
            // `herald-cli run` (herald_core::services), stopped by the state's stop signal.
            engine::start(app.handle(), &state);
            watch_settings(app.handle(), &state);
            notify::start(app.handle(), &state);
            app.manage(state);
            tray::install(app)?;
            webview::tune(app);
            Ok(())
        })
        .on_window_event(tray::on_window_event)
        .build(tauri::generate_context!());
    match app {
        Ok(app) => app.run(|_handle, _event| {}),
        Err(e) => {
            eprintln!("Herald could not start: {e}");
            std::process::exit(1);
        }
    }
}
