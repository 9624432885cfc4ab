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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_and_the_database_live_in_the_data_folder() {
        let dir = std::env::temp_dir().join("herald-paths-test");
        assert_eq!(log_dir(&dir).parent(), Some(dir.as_path()));
        assert_eq!(database_path(&dir).parent(), Some(dir.as_path()));
    }

    /// On Windows the data folder is the roaming app-data folder the desktop app's
    /// framework uses too (`%APPDATA%\app.herald.desktop`), and paths print as Windows
    /// writes them.
    #[cfg(windows)]
    #[test]
    fn on_windows_data_lives_in_appdata() {
        let appdata = std::env::var_os("APPDATA").expect("Windows sets APPDATA");
        let dir = default_data_dir().unwrap();
        assert_eq!(dir, PathBuf::from(appdata).join(APP_IDENTIFIER));
        let shown = log_dir(&dir).display().to_string();
        assert!(shown.ends_with(r"\app.herald.desktop\logs"), "{shown}");
        assert_eq!(shown.as_bytes()[1], b':', "a drive letter: {shown}");
    }

    #[cfg(not(windows))]
    #[test]
    fn elsewhere_data_lives_in_the_users_data_folder() {
        let dir = default_data_dir().unwrap();
        assert!(dir.ends_with(APP_IDENTIFIER), "{}", dir.display());
    }
}
