//! The system tray: while saved searches refresh on a schedule, closing the window keeps the
//! app running (so refreshes and their notifications go on); the tray menu opens the window or
//! the review queue, or quits. The window is minimised rather than hidden: on desktops whose
//! tray is not shown (GNOME without an AppIndicator extension) a hidden window could not be
//! brought back. Without a tray library at all, closing quits as before. OS notifications
//! live here too: with the tray, they are what the app shows outside its window.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::menu::{Menu, MenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Window, WindowEvent};

use crate::state::AppState;

/// Set once the tray icon exists.
static TRAY_READY: AtomicBool = AtomicBool::new(false);

/// Adds the tray icon; a desktop without a tray only gets a log line.
pub fn install(app: &AppHandle) {
    // The Linux tray library panics when libayatana-appindicator is not installed.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build(app))) {
        Ok(Ok(())) => TRAY_READY.store(true, Ordering::SeqCst),
        Ok(Err(e)) => {
            tracing::info!(error = %e, "no system tray: closing the window quits the app")
        }
        Err(_) => tracing::info!("no system tray library: closing the window quits the app"),
    }
}

fn build(app: &AppHandle) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Comment Finder", true, None::<&str>)?;
    let review = MenuItem::with_id(app, "review", "Open the review queue", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Comment Finder", true, None::<&str>)?;
    let menu = Menu::with_items(app, &[&open, &review, &quit])?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Comment Finder")
        .menu(&menu)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "open" => show_window(app, None),
            "review" => show_window(app, Some("#/review")),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    Ok(())
}

/// Brings the main window back, optionally on a screen (a hash route).
pub fn show_window(app: &AppHandle, route: Option<&str>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
        if let Some(route) = route {
            let _ = window.eval(format!("window.location.hash = {route:?}"));
        }
    }
}

/// Closing the window minimises it while a saved search refreshes on a schedule.
pub fn on_window_event(window: &Window, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    if !TRAY_READY.load(Ordering::SeqCst) {
        return;
    }
    let Some(state) = window.app_handle().try_state::<AppState>() else {
        return;
    };
    let store = state.store.clone();
    let scheduled = tauri::async_runtime::block_on(async move {
        finder::search::saved::list(&store, None)
            .await
            .map(|list| list.iter().any(|s| s.refresh_hours.is_some()))
            .unwrap_or(false)
    });
    if scheduled {
        api.prevent_close();
        let _ = window.minimize();
        tracing::info!(
            "window minimised instead of closed: scheduled refreshes go on (Quit from the tray)"
        );
    }
}

/// An OS notification, for what the user must hear about even with the window hidden. Off
/// the async threads: the desktop's notification service may be slow (or absent).
pub(crate) fn notify(app: &AppHandle, title: &'static str, body: String) {
    use tauri_plugin_notification::NotificationExt;
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            tracing::warn!(error = %e, "could not show a notification");
        }
    });
}
