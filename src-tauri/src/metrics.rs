//! Start-up figures: the window tells the backend when it first painted the campaign list.

/// Milliseconds from process start to the window's first painted frame; logged once.
#[tauri::command]
#[specta::specta]
pub fn first_paint() -> u64 {
    static LOGGED: std::sync::Once = std::sync::Once::new();
    let ms = crate::LAUNCHED
        .get()
        .map_or(0, |t| t.elapsed().as_millis() as u64);
    LOGGED.call_once(|| tracing::info!(ms, "first paint"));
    ms
}
