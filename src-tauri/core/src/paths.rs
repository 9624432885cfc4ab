//! Where Herald keeps its files. The desktop app and `herald-cli` resolve the same folders.

use std::path::{Path, PathBuf};

/// The bundle identifier in `tauri.conf.json`; the OS app-data folder is named after it.
pub const APP_IDENTIFIER: &str = "app.herald.desktop";
/// Overrides the data folder for both the app and the CLI.
pub const DATA_DIR_ENV: &str = "HERALD_DATA_DIR";
pub const DATABASE_FILE: &str = "herald.db";

/// The OS app-data folder the desktop app uses (e.g. `~/.local/share/app.herald.desktop`).
pub fn default_data_dir() -> Option<PathBuf> {
    dirs::data_dir().map(|d| d.join(APP_IDENTIFIER))
}

/// An explicit folder wins, then `HERALD_DATA_DIR`, then the OS default.
pub fn resolve_data_dir(explicit: Option<PathBuf>) -> Option<PathBuf> {
    explicit
        .or_else(|| {
            std::env::var_os(DATA_DIR_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .or_else(default_data_dir)
}

pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join(DATABASE_FILE)
}

/// Rolling log files live in `<data dir>/logs`.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}
