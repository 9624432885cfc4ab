//! Settings of the window's web view that the Tauri configuration does not reach.

use tauri::{App, Manager};

/// Herald is one page loaded from the app itself: WebKit's browser-sized memory caches (for
/// pages and resources from the web, kept for going back and forth) only hold memory here,
/// so the web view uses the single-document cache model.
pub fn tune(app: &App) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let result = window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(webkit2gtk::CacheModel::DocumentViewer);
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    });
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not tune the web view");
    }
}
