//! The background services inside the app (the sending engine, write-backs, reports, reply
//! polling: `herald_core::services`, as in `herald-cli run`): one engine per process and per
//! data folder (by a lock file), running while the window is open or closed to the tray.
//! Its events reach the window throttled, so a 250,000-message campaign does not flood it.

use crate::events::CampaignsChanged;
use crate::state::AppState;
use herald_core::engine::{EngineEvent, EngineOptions};
use herald_core::services::{EngineLocking, Intervals, Parts, Services};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tauri::AppHandle;
use tauri_specta::Event;
use tokio::sync::mpsc;

/// How often the window hears about progress, at most.
const THROTTLE: Duration = Duration::from_millis(400);

pub fn start(app: &AppHandle, state: &AppState) {
    let (tx, rx) = mpsc::unbounded_channel::<EngineEvent>();
    tauri::async_runtime::spawn(forward(app.clone(), rx));
    let parts = Parts {
        store: state.store.clone(),
        secrets: Arc::new(state.keychain.clone()),
        directories: state.directories.clone(),
        engine: EngineOptions::from_env(),
        on_event: Arc::new(move |e| {
            let _ = tx.send(e);
        }),
        check_replies: state.check_replies.clone(),
        intervals: Intervals::default(),
    };
    let (locking, stop) = (
        EngineLocking::WaitFor(state.data_dir.clone()),
        state.stop.clone(),
    );
    // Spawned on the app's runtime; they run until the state's stop signal.
    let runtime = tauri::async_runtime::handle();
    let _inside = runtime.inner().enter();
    let _services = Services::start(parts, locking, true, stop);
}

/// Coalesces engine events and tells the window at most every [`THROTTLE`].
async fn forward(app: AppHandle, mut rx: mpsc::UnboundedReceiver<EngineEvent>) {
    let mut pending: HashSet<i64> = HashSet::new();
    loop {
        let Some(first) = rx.recv().await else { return };
        pending.insert(id_of(first));
        tokio::time::sleep(THROTTLE).await;
        while let Ok(e) = rx.try_recv() {
            pending.insert(id_of(e));
        }
        for id in pending.drain() {
            let _ = (CampaignsChanged {
                campaign_id: Some(id),
            })
            .emit(&app);
        }
    }
}

fn id_of(e: EngineEvent) -> i64 {
    match e {
        EngineEvent::Progress(id) | EngineEvent::Status(id) => id,
    }
}
