use herald_core::keychain::Keychain;
use herald_core::telemetry::{self, LogGuard};
use herald_core::{paths, Store};
use std::path::PathBuf;
use tauri::{AppHandle, Manager};

/// What every command can reach. The store is cheap to clone and internally pooled.
pub struct AppState {
    pub store: Store,
    pub data_dir: PathBuf,
    /// This data folder's secrets in the OS keychain.
    pub keychain: Keychain,
    /// The iMIS directory for the current settings, kept so its token is shared.
    pub directories: std::sync::Arc<herald_core::imis::DirectoryCache>,
    /// Set to true to stop the background workers.
    pub stop: tokio::sync::watch::Sender<bool>,
    /// Wakes the reply poller ("Check for replies").
    pub check_replies: std::sync::Arc<tokio::sync::Notify>,
    /// The files exported from this window, the only ones "Show in folder" opens.
    pub exported: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    _log_guard: Option<LogGuard>,
}

impl AppState {
    /// Resolves the data folder (HERALD_DATA_DIR, else the OS app-data folder), starts
    /// logging there, and opens the database (upgrading its schema if needed).
    pub async fn open(app: &AppHandle) -> Result<Self, Box<dyn std::error::Error>> {
        let data_dir = match paths::resolve_data_dir(None) {
            Some(d) => d,
            None => app.path().app_data_dir()?,
        };
        let log_guard = match telemetry::file_subscriber(
            &paths::log_dir(&data_dir),
            "herald",
            "info,herald=debug",
        ) {
            Ok((subscriber, guard)) => {
                let _ = tracing::subscriber::set_global_default(subscriber);
                Some(guard)
            }
            Err(e) => {
                eprintln!("Herald could not open its log folder: {e}");
                None
            }
        };
        tracing::info!(version = herald_core::VERSION, data_dir = %data_dir.display(), "Herald starting");
        let store = Store::open(&paths::database_path(&data_dir))
            .await
            .inspect_err(|e| {
                tracing::error!(error = %e, "could not open the database");
            })?;
        let keychain = Keychain::for_data_dir(&data_dir);
        Ok(Self {
            store,
            data_dir,
            keychain,
            directories: Default::default(),
            stop: tokio::sync::watch::channel(false).0,
            check_replies: Default::default(),
            exported: Default::default(),
            _log_guard: log_guard,
        })
    }
}
