// No console window behind the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    // GEMINI_API_KEY (and the data sources' tokens) are read now and taken out of the
    // environment, so the webview's processes and the browser the opener starts never inherit
    // them. First, before any thread exists.
    keychain::take_secrets_from_env();
    #[cfg(target_os = "linux")]
    lighter_webkit_defaults();
    comment_finder_app::run();
}

/// Idle memory on Linux (measured under Xvfb, app + WebKit processes, PSS; see the README).
/// Each default is only set when the environment does not already choose, and is done first
/// thing, before any thread exists.
///
/// - `WEBKIT_DISABLE_COMPOSITING_MODE=1`: accelerated compositing keeps large GL buffers in the
///   web process, and without a GPU (software rendering, virtual displays) that alone costs
///   ~110 MB. This UI is forms, lists and canvas charts, which draw as fast without it.
/// - `WEBKIT_DISABLE_DMABUF_RENDERER=1`, `GDK_GL=disable`: with compositing off neither the
///   DMA-BUF renderer nor GTK's own GL is used; off, the window process keeps less of the GL
///   stack around (≈ 8 MB).
/// - `JSC_useJIT=0`: the web process runs the UI's JavaScript in JavaScriptCore's interpreter.
///   The JIT's code and profiling memory cost ≈ 13 MB at idle; a screen of forms and lists
///   renders as quickly without it.
#[cfg(target_os = "linux")]
fn lighter_webkit_defaults() {
    for (name, value) in [
        ("WEBKIT_DISABLE_COMPOSITING_MODE", "1"),
        ("WEBKIT_DISABLE_DMABUF_RENDERER", "1"),
        ("GDK_GL", "disable"),
        ("JSC_useJIT", "0"),
    ] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}
