//! Desktop notifications through the OS (the Tauri notification plugin): the core decides
//! what to tell from the campaigns' history (`herald_core::notices`); this only shows it.

use crate::state::AppState;
use herald_core::notices::{self, Notice, NoticeSink};
use std::sync::atomic::{AtomicI32, Ordering};
use std::time::Duration;
use tauri::AppHandle;
use tauri_plugin_notification::{ActionPerformed, NotificationExt};
use tauri_specta::Event;

/// How often new history is looked at.
const EVERY: Duration = Duration::from_secs(3);

/// The key under which a notification carries the campaign it is about.
const CAMPAIGN: &str = "campaign_id";

/// The OS's notifications.
struct Desktop(AppHandle);

impl NoticeSink for Desktop {
    fn show(&self, notice: &Notice) {
        static NEXT: AtomicI32 = AtomicI32::new(1);
        let shown = self
            .0
            .notification()
            .builder()
            .id(NEXT.fetch_add(1, Ordering::Relaxed))
            .title(&notice.title)
            .body(&notice.body)
            .extra(CAMPAIGN, notice.campaign_id)
            .show();
        if let Err(e) = shown {
            // No notification service (a bare X server, say): the window still shows it all.
            tracing::warn!(error = %e, "could not show a desktop notification");
        }
    }
}

/// The campaign to open for what the user did with a notification: a click on it (`tap`)
/// opens the campaign it is about; anything else (an action Herald did not offer) nothing.
fn campaign_to_open(performed: &ActionPerformed) -> Option<i64> {
    if performed.action_id() != "tap" {
        return None;
    }
    performed.notification()?.extra().get(CAMPAIGN)?.as_i64()
}

/// Tells staff what happened from now on, while Herald runs (window open or in the tray);
/// a click on a notification brings the window forward on that campaign's page.
pub fn start(app: &AppHandle, state: &AppState) {
    let handle = app.clone();
    let _ = app.notification().on_action(move |performed| {
        if let Some(campaign_id) = campaign_to_open(performed) {
            tracing::info!(campaign = campaign_id, "desktop notification clicked");
            crate::tray::show_main_window(&handle);
            if let Err(e) = (crate::events::OpenCampaign { campaign_id }).emit(&handle) {
                tracing::warn!(error = %e, "could not open the campaign of a notification");
            }
        }
    });
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

#[cfg(test)]
mod tests {
    use super::*;

    fn performed(json: serde_json::Value) -> ActionPerformed {
        serde_json::from_value(json).expect("the plugin's shape")
    }

    #[test]
    fn a_click_on_a_notification_opens_its_campaign() {
        let click = performed(serde_json::json!({
            "actionId": "tap",
            "notification": { "id": 3, "title": "Paused", "extra": { "campaign_id": 42 } }
        }));
        assert_eq!(campaign_to_open(&click), Some(42));
    }

    #[test]
    fn other_actions_and_notifications_without_a_campaign_open_nothing() {
        let other = performed(serde_json::json!({
            "actionId": "snooze",
            "notification": { "id": 3, "extra": { "campaign_id": 42 } }
        }));
        assert_eq!(campaign_to_open(&other), None);
        let bare = performed(serde_json::json!({ "actionId": "tap", "notification": { "id": 3 } }));
        assert_eq!(campaign_to_open(&bare), None);
        let none = performed(serde_json::json!({ "actionId": "tap" }));
        assert_eq!(campaign_to_open(&none), None);
    }
}
