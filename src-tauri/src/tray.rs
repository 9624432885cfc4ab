use tauri::menu::{Menu, MenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{App, AppHandle, Manager, Window, WindowEvent};

/// The tray icon with Open and Quit. Closing the window hides it to the tray, so the
/// scheduler keeps running; Quit ends Herald.
pub fn install(app: &App) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Herald", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Herald", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &quit])?;
    let mut tray = TrayIconBuilder::with_id("herald")
        .tooltip("Herald")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_main_window(app),
            "quit" => request_quit(app),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                show_main_window(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// How long Quit waits for the window to finish its work (a draft's last save) before
/// Herald quits anyway, when nothing is sending.
const QUIT_GRACE: std::time::Duration = std::time::Duration::from_secs(4);

/// Asks the window to quit: it saves what it has in hand, then calls `quit_app`. When
/// campaigns are sending it shows the window and asks the person first; otherwise Herald
/// quits by itself if the window has not within [`QUIT_GRACE`].
fn request_quit(app: &AppHandle) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let state = app.state::<crate::state::AppState>();
        let sending: Vec<String> = match state.store.list_campaigns().await {
            Ok(list) => list
                .into_iter()
                .filter(|c| c.status == herald_core::status::CampaignStatus::Sending)
                .map(|c| c.name)
                .collect(),
            Err(_) => vec![],
        };
        use tauri_specta::Event;
        let nothing_sending = sending.is_empty();
        if !nothing_sending {
            show_main_window(&app);
        }
        let asked = (crate::events::QuitRequested { sending }).emit(&app);
        if nothing_sending {
            if asked.is_ok() {
                tokio::time::sleep(QUIT_GRACE).await;
                tracing::warn!("the window did not finish quitting in time; quitting anyway");
            }
            app.exit(0);
        }
    });
}

pub fn show_main_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

pub fn on_window_event(window: &Window, event: &WindowEvent) {
    if let WindowEvent::CloseRequested { api, .. } = event {
        if window.label() == "main" && tray_available() {
            api.prevent_close();
            let _ = window.hide();
            tracing::info!("window closed to the tray");
        }
    }
}

/// Without a desktop session that shows tray icons (e.g. a bare X server), hiding the
/// window would leave no way back, so closing it quits instead.
fn tray_available() -> bool {
    if cfg!(target_os = "linux") {
        std::env::var_os("XDG_CURRENT_DESKTOP").is_some_and(|d| !d.is_empty())
    } else {
        true
    }
}
