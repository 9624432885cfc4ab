use serde::{Deserialize, Serialize};
use specta::Type;
use tauri_specta::Event;

/// Something about the campaign list changed; the front end reloads what it shows.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct CampaignsChanged {
    /// The campaign that changed, when it is one.
    pub campaign_id: Option<i64>,
}

/// Quit was chosen from the tray. The window finishes its work (a draft's last save) and
/// calls `quit_app`; when campaigns are sending it first asks the user to confirm (sending
/// stops while Herald is closed, and resumes when it starts again).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct QuitRequested {
    /// Names of the campaigns that are sending.
    pub sending: Vec<String>,
}

/// A setting or a secret changed (in the window, or by `herald-cli` on the same data
/// folder): the front end reloads what depends on them (the demo banner, LIVE, Settings).
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct SettingsChanged {}

/// A desktop notification about a campaign was clicked: the window (brought forward)
/// opens that campaign's page.
#[derive(Debug, Clone, Serialize, Deserialize, Type, Event)]
pub struct OpenCampaign {
    pub campaign_id: i64,
}
