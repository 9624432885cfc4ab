//! Desktop notifications through the OS (the Tauri notification plugin): the core decides
//! what to tell from the campaigns' history (`herald_core::notices`); this only shows it.

use crate::state::AppState;
use herald_core::notices::{self, Notice, NoticeSink};
use std::time::Duration;
use tauri::AppHandle;
use tauri_plugin_notification::NotificationExt;

/// How often new history is looked at.
const EVERY: Duration = Duration::from_secs(3);

/// The OS's notifications.
struct Desktop(AppHandle);

impl NoticeSink for Desktop {
    fn show(&self, notice: &Notice) {
        let shown = self
            .0
            .notification()
            .builder()
            .title(&notice.title)
            .body(&notice.body)
            .show();
        if let Err(e) = shown {
            // No notification service (a bare X server, say): the window still shows it all.
            tracing::warn!(error = %e, "could not show a desktop notification");
        }
    }
}

/// Tells staff what happened from now on, while Herald runs (window open or in the tray).
pub fn start(app: &AppHandle, state: &AppState) {
    let (sink, store, mut stop) = (
        Desktop(app.clone()),
        state.store.clone(),
        state.stop.subscribe(),
    );
    tauri::async_runtime::spawn(async move {
        let mut after = match store.last_event_id().await {
            Ok(id) => id,
            Err(e) => {
                tracing::warn!(error = %e, "desktop notifications are off: the history cannot be read");
                return;
            }
        };
        loop {
            tokio::select! {
                _ = tokio::time::sleep(EVERY) => {}
                _ = stop.changed() => return,
            }
            match notices::deliver(&store, after, &sink).await {
                Ok(next) => after = next,
                Err(e) => {
                    tracing::warn!(error = %e, "could not read the history for notifications")
                }
            }
        }
    });
}
