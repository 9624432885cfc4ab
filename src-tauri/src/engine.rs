//! The sending engine inside the app: one per process (and per data folder, by a lock
//! file), running while the window is open or closed to the tray. Its events reach the
//! window throttled, so a 250,000-message campaign does not flood it.

use crate::events::CampaignsChanged;
use crate::state::AppState;
use herald_core::engine::{Engine, EngineEvent, EngineLock, EngineOptions};
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
    let engine = Engine::new(
        state.store.clone(),
        Arc::new(state.keychain.clone()),
        state.directories.clone(),
        EngineOptions::from_env(),
        Arc::new(move |e| {
            let _ = tx.send(e);
        }),
    );
    tauri::async_runtime::spawn(forward(app.clone(), rx));
    let data_dir = state.data_dir.clone();
    let stop = state.stop.subscribe();
    tauri::async_runtime::spawn(async move {
        let mut warned = false;
        loop {
            match EngineLock::acquire(&data_dir) {
                Ok(lock) => {
                    tracing::info!(lock = %lock.path().display(), "the sending engine is running");
                    if let Err(e) = engine.run(stop.clone()).await {
                        tracing::error!(error = %e, "the sending engine stopped");
                    }
                    return;
                }
                Err(e) => {
                    if !warned {
                        tracing::warn!(error = %e, "the sending engine waits for the other Herald to stop");
                        warned = true;
                    }
                    tokio::time::sleep(Duration::from_secs(10)).await;
                    if *stop.borrow() {
                        return;
                    }
                }
            }
        }
    });
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
