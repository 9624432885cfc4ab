//! Settings of the window's web view that the Tauri configuration does not reach.

use tauri::{App, Manager};

/// Before anything starts (the web view's processes inherit the environment), on Linux:
/// - WebKit paints the page with Skia on the CPU instead of through OpenGL. Herald's page is
///   forms and a table; on machines without a GPU driver (virtual machines, remote
///   desktops: Mesa's llvmpipe) the GL path kept ~100 MiB more in the web process at the
///   peak of the 250,000-message dashboard (`make bench-dashboard`: 655 → 552 MiB PSS) for
///   no smoother frames.
/// - glibc's malloc is set up as [`herald_core::memory::tune_malloc`] says (two arenas, a
///   fixed threshold for giving large blocks back) in this process and, by the environment
///   they inherit, in WebKit's: the same bench went 555 → 529 MiB PSS with the arenas and
///   531 → 496 with the threshold.
///
/// A value already set (by the person or a package) is kept, for malloc also one given in
/// `GLIBC_TUNABLES`. Every process Herald starts inherits these (WebKit's, and the file
/// manager "Show in folder" may open): harmless to either.
pub fn before_start() {
    // Before the environment below is set: it reads what the person gave.
    let malloc = herald_core::memory::tune_malloc();
    #[cfg(target_os = "linux")]
    {
        // Only the main thread runs yet: nothing reads the environment meanwhile.
        if std::env::var_os("WEBKIT_SKIA_ENABLE_CPU_RENDERING").is_none() {
            std::env::set_var("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1");
        }
        for (name, value) in malloc.environment() {
            std::env::set_var(name, value);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = malloc;
}

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
