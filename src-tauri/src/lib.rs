//! Comment Finder's desktop shell: a thin Tauri layer over the engine (`crates/finder`).
//!
//! - `commands` — the typed IPC surface (tauri-specta), one line each;
//! - `ops` — the command bodies, over [`state::AppState`], testable without a window (starting
//!   and resuming runs among them);
//! - `runs` — the runs working in this app, whose engine events reach the window as typed
//!   events;
//! - `find` — finding posts (Apify, X API), saved searches and their scheduled refresh;
//!   `tray` — the system tray that keeps scheduled refreshes going with the window closed, and
//!   OS notifications;
//! - `dto` — the shapes that cross IPC: the engine's own types (specta on the engine) and the
//!   few that are the shell's; `error` — `{code, message}` errors with typed codes;
//! - `grants` — which files the window may have the app read or write (picked or dropped
//!   ones, and the app's own folders);
//! - `logging` — tracing to daily-rotated files and the tail shown in Settings.
//!
//! The database, the keychain entries and the settings are the CLI's, so both tools see the
//! same projects, keys and costs.

pub mod commands;
pub mod dto;
pub mod error;
pub mod find;
pub mod grants;
pub mod logging;
pub mod ops;
pub mod runs;
pub mod state;
pub mod tray;

use std::time::Instant;

use tauri::Manager;
use tauri_plugin_dialog::{DialogExt, MessageDialogKind};

use crate::state::{AppPaths, AppState};

/// Keeps the log writer flushing for the app's lifetime.
struct LogGuard(#[allow(dead_code)] tracing_appender::non_blocking::WorkerGuard);

pub fn run() {
    let started = Instant::now();
    let builder = commands::specta_builder();
    let result = tauri::Builder::default()
        // First: a second launch hands over to the running app, which comes to the front,
        // instead of opening a second window on the same database.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            tracing::info!("a second launch: showing the running window");
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.unminimize();
                let _ = window.show();
                let _ = window.set_focus();
            }
        }))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            let paths = AppPaths::resolve(app.path().app_log_dir().ok())?;
            match logging::init(&paths.log_dir) {
                Ok(guard) => {
                    app.manage(LogGuard(guard));
                }
                Err(e) => eprintln!("Logging is off: {}", e.message),
            }
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                db = %paths.db_path.display(),
                "starting"
            );
            #[cfg(target_os = "linux")]
            lighten_webview(app);
            match tauri::async_runtime::block_on(AppState::open(paths, ops::now())) {
                Ok(state) => {
                    app.manage(state);
                    find::start_scheduler(app.handle());
                    tray::install(app.handle());
                    Ok(())
                }
                Err(e) => {
                    tracing::error!(code = %e.code, message = %e.message, "could not open the database");
                    app.dialog()
                        .message(format!(
                            "Comment Finder could not open its database.\n\n{}",
                            e.message
                        ))
                        .title("Comment Finder")
                        .kind(MessageDialogKind::Error)
                        .blocking_show();
                    Err(e.into())
                }
            }
        })
        .on_window_event(|window, event| {
            // Files dropped on the window count as picked: the import command may read them.
            if let tauri::WindowEvent::DragDrop(tauri::DragDropEvent::Drop { paths, .. }) = event {
                if let Some(state) = window.try_state::<AppState>() {
                    for path in paths {
                        state.grants.grant_read(path);
                    }
                }
            }
            tray::on_window_event(window, event);
        })
        .on_page_load(move |webview, payload| {
            if matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                tracing::info!(
                    window = webview.label(),
                    ms = started.elapsed().as_millis() as u64,
                    "page loaded"
                );
            }
        })
        .run(tauri::generate_context!("../tauri.conf.json"));
    if let Err(e) = result {
        eprintln!("Comment Finder stopped: {e}");
        std::process::exit(1);
    }
}

/// Idle memory: WebKitGTK's defaults suit a web browser (large in-memory caches of pages and
/// resources, a back/forward page cache, WebGL ready). This window shows one local page, so
/// the "document viewer" cache model (the smallest), no page cache and no WebGL are enough.
#[cfg(target_os = "linux")]
fn lighten_webview(app: &tauri::App) {
    use webkit2gtk::{CacheModel, SettingsExt, WebContextExt, WebViewExt};
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let applied = window.with_webview(|webview| {
        let view = webview.inner();
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_enable_page_cache(false);
            settings.set_enable_webgl(false);
        }
    });
    if let Err(e) = applied {
        tracing::warn!(error = %e, "could not tune the webview's memory use");
    }
}

#[cfg(test)]
mod bindings {
    use std::path::Path;

    /// Writes `ui/src/bindings.ts` from the commands and events. The file is committed; in CI
    /// an out-of-date file fails the build (run `cargo test -p comment-finder-app` and commit).
    #[test]
    fn export_typescript_bindings() {
        let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/bindings.ts");
        let scratch = tempfile::tempdir().unwrap();
        let fresh = scratch.path().join("bindings.ts");
        super::commands::specta_builder()
            .export(
                specta_typescript::Typescript::default().header(
                    "// Generated by src-tauri (tauri-specta) from the Rust commands and events.\n\
                     // Do not edit: run `cargo test -p comment-finder-app` to regenerate.\n",
                ),
                &fresh,
            )
            .expect("export the TypeScript bindings");
        let fresh = std::fs::read_to_string(&fresh).unwrap();
        let current = std::fs::read_to_string(&target).unwrap_or_default();
        if fresh != current {
            if std::env::var_os("CI").is_some() {
                panic!("ui/src/bindings.ts is out of date: run `cargo test -p comment-finder-app` and commit it");
            }
            std::fs::write(&target, fresh).expect("write ui/src/bindings.ts");
        }
    }
}
