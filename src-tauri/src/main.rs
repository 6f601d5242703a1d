// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // GEMINI_API_KEY is read now and taken out of the environment, so the webview's processes
    // and the browser the opener starts never inherit it. First, before any thread exists.
    keychain::take_secrets_from_env();
    // WebKitGTK's accelerated compositing keeps large GL buffers in the web process, and
    // without a GPU (software rendering, virtual displays) that alone costs ~110 MB. This UI is
    // forms, lists and canvas charts, which draw as fast without it. A value already in the
    // environment is left as it is. Done first thing, before any thread exists.
    #[cfg(target_os = "linux")]
    if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
    }
    comment_finder_app::run();
}
