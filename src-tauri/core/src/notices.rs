//! Desktop notifications: what staff are told without opening the window. They come from
//! the campaign's history (the append-only event log), so nothing that happened while the
//! window was closed to the tray is missed and nothing is told twice in a run: a campaign
//! paused by itself (with the reason), completed, a report given up, write-backs given up,
//! members' replies (once per check).
//! Each kind can be turned off in Settings (`notify.*`).

use crate::campaign::{Actor, CampaignEvent};
use crate::error::Result;
use crate::settings::{SettingKey, Settings};
use crate::store::Store;

/// Event kind: the report email of a campaign was given up.
pub const REPORT_FAILED: &str = "report_failed";
/// Event kind: write-backs of a campaign were given up.
pub const WRITEBACK_GAVE_UP: &str = "writeback_gave_up";
/// Event kind: members replied to a campaign (the detail says how many, and how).
pub const REPLIES: &str = "replies";

/// One desktop notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The campaign it is about (opened when the notification is clicked, where the
    /// platform reports clicks).
    pub campaign_id: i64,
    pub title: String,
    pub body: String,
}

/// Where notices go: the OS's notifications in the app, a recorder in tests.
pub trait NoticeSink: Send + Sync {
    fn show(&self, notice: &Notice);
}

/// The notice an event calls for, if any, under the settings.
pub fn notice_for(event: &CampaignEvent, campaign: &str, settings: &Settings) -> Option<Notice> {
    let detail = event.detail.as_deref().unwrap_or("");
    let (setting, title, body) = match (event.kind.as_str(), event.actor) {
        // Paused by the engine (Twilio refused, credentials, the network): not by a person.
        ("paused", Actor::Engine) => (
            SettingKey::NotifyPaused,
            format!("'{campaign}' paused by itself"),
            if detail.is_empty() {
                "Open Herald to see why, then resume it.".to_string()
            } else {
                format!("{detail}. Open Herald to resume it.")
            },
        ),
        ("completed", _) => (
            SettingKey::NotifyCompleted,
            format!("'{campaign}' is complete"),
            "Every message has been sent and its status settled. Open Herald for the results."
                .to_string(),
        ),
        (REPORT_FAILED, _) => (
            SettingKey::NotifyReportFailed,
            format!("The report of '{campaign}' was not sent"),
            detail.to_string(),
        ),
        (WRITEBACK_GAVE_UP, _) => (
            SettingKey::NotifyWritebackFailed,
            format!("'{campaign}': not everything was recorded in iMIS"),
            detail.to_string(),
        ),
        (REPLIES, _) => (
            SettingKey::NotifyReplies,
            format!("Replies to '{campaign}'"),
            format!("{detail}. Open Herald to read them."),
        ),
        _ => return None,
    };
    settings.notify(setting).then_some(Notice {
        campaign_id: event.campaign_id,
        title,
        body,
    })
}

/// Shows the notices for the events after `after` (an event id) and returns the last event
/// id seen, to pass next time. Start from [`Store::last_event_id`] so that history from
/// before this run is not told again.
pub async fn deliver(store: &Store, after: i64, sink: &dyn NoticeSink) -> Result<i64> {
    let events = store.events_after(after, 500).await?;
    let Some(last) = events.last().map(|e| e.id) else {
        return Ok(after);
    };
    let settings = store.settings().await?;
    for event in &events {
        let name = match store.campaign(event.campaign_id).await {
            Ok(c) => c.name,
            Err(_) => continue, // a deleted draft: nothing to tell
        };
        if let Some(notice) = notice_for(event, &name, &settings) {
            tracing::info!(campaign = notice.campaign_id, title = %notice.title, "desktop notification");
            sink.show(&notice);
        }
    }
    Ok(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::CampaignStatus;
    use crate::store::test_support::{new_draft, store};
    use std::sync::Mutex;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Notice>>);

    impl NoticeSink for Recorder {
        fn show(&self, notice: &Notice) {
            self.0.lock().unwrap().push(notice.clone());
        }
    }

    impl Recorder {
        fn titles(&self) -> Vec<String> {
            self.0
                .lock()
                .unwrap()
                .iter()
                .map(|n| n.title.clone())
                .collect()
        }
    }

    #[tokio::test]
    async fn what_staff_are_told_and_what_not() {
        let (store, _clock, _dir) = store().await;
        let id = new_draft(&store, "Dues").await;
        let start = store.last_event_id().await.unwrap();
        let sink = Recorder::default();
        // Nothing new: nothing shown, the same place kept.
        assert_eq!(deliver(&store, start, &sink).await.unwrap(), start);

        sqlx::query("UPDATE campaigns SET status = 'sending' WHERE id = ?1")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
        // A person's pause is not news to them; the engine's is.
        store
            .transition(id, CampaignStatus::Paused, Actor::User, None)
            .await
            .unwrap();
        store
            .transition(id, CampaignStatus::Sending, Actor::User, None)
            .await
            .unwrap();
        store
            .transition(
                id,
                CampaignStatus::Paused,
                Actor::Engine,
                Some("Herald cannot reach Twilio"),
            )
            .await
            .unwrap();
        store
            .log_event(
                id,
                Actor::Engine,
                REPORT_FAILED,
                Some("The report to ops@example.org could not be sent: no SMTP server is set"),
            )
            .await
            .unwrap();
        store
            .log_event(
                id,
                Actor::Engine,
                WRITEBACK_GAVE_UP,
                Some("3 texts could not be recorded in iMIS"),
            )
            .await
            .unwrap();
        let after = deliver(&store, start, &sink).await.unwrap();
        assert_eq!(
            sink.titles(),
            [
                "'Dues' paused by itself",
                "The report of 'Dues' was not sent",
                "'Dues': not everything was recorded in iMIS",
            ]
        );
        let shown = sink.0.lock().unwrap().clone();
        assert_eq!(
            shown[0].body,
            "Herald cannot reach Twilio. Open Herald to resume it."
        );
        assert!(shown.iter().all(|n| n.campaign_id == id));
        // Told once: the next pass starts after what was seen.
        assert_eq!(deliver(&store, after, &sink).await.unwrap(), after);
        assert_eq!(sink.titles().len(), 3);

        // Turned off in Settings: not shown.
        store.set_setting("notify.paused", "off").await.unwrap();
        store
            .transition(id, CampaignStatus::Sending, Actor::User, None)
            .await
            .unwrap();
        store
            .transition(id, CampaignStatus::Paused, Actor::Engine, Some("again"))
            .await
            .unwrap();
        deliver(&store, after, &sink).await.unwrap();
        assert_eq!(sink.titles().len(), 3, "notify.paused is off");
    }

    #[test]
    fn replies_are_told_with_their_counts_unless_turned_off() {
        let event = CampaignEvent {
            id: 10,
            campaign_id: 4,
            at: chrono::Utc::now(),
            actor: Actor::Engine,
            kind: REPLIES.into(),
            detail: Some("2 new replies: 1 opted out".into()),
        };
        let on = notice_for(&event, "Gala", &Settings::default()).unwrap();
        assert_eq!(
            (on.campaign_id, on.title.as_str(), on.body.as_str()),
            (
                4,
                "Replies to 'Gala'",
                "2 new replies: 1 opted out. Open Herald to read them."
            )
        );
        let off = Settings::default()
            .with_value(SettingKey::NotifyReplies, "off")
            .unwrap();
        assert_eq!(notice_for(&event, "Gala", &off), None);
    }

    #[test]
    fn a_completed_campaign_is_told_unless_turned_off() {
        let event = CampaignEvent {
            id: 9,
            campaign_id: 4,
            at: chrono::Utc::now(),
            actor: Actor::Engine,
            kind: "completed".into(),
            detail: None,
        };
        let on = notice_for(&event, "Gala", &Settings::default()).unwrap();
        assert_eq!(
            (on.campaign_id, on.title.as_str()),
            (4, "'Gala' is complete")
        );
        let off = Settings::default()
            .with_value(SettingKey::NotifyCompleted, "off")
            .unwrap();
        assert_eq!(notice_for(&event, "Gala", &off), None);
    }
}
