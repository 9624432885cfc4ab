use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// Something about the campaign list changed; the front end reloads what it shows.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct CampaignsChanged {
    /// The campaign that changed, when it is one.
    pub campaign_id: Option<i64>,
}
