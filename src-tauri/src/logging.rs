//! Structured logs (tracing) to daily-rotated files in the app's log folder, a week kept; the
//! Settings screen shows the tail of the newest file. `RUST_LOG` picks the level (default:
//! info for the app and the engine, warn for libraries).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::EnvFilter;

use crate::dto::LogTail;
use crate::error::{AppError, AppResult, ShellErrorCode};

pub const FILE_PREFIX: &str = "comment-finder";
pub const FILE_SUFFIX: &str = "log";
const KEEP_FILES: usize = 7;

/// Starts logging to `dir`. The guard flushes on drop: keep it for the app's lifetime.
pub fn init(dir: &Path) -> AppResult<WorkerGuard> {
    std::fs::create_dir_all(dir).map_err(|e| {
        AppError::new(
            ShellErrorCode::Io,
            format!("Could not create the log folder {}: {e}", dir.display()),
        )
    })?;
    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(FILE_PREFIX)
        .filename_suffix(FILE_SUFFIX)
        .max_log_files(KEEP_FILES)
        .build(dir)
        .map_err(|e| {
            AppError::new(
                ShellErrorCode::Io,
                format!("Could not open the log file: {e}"),
            )
        })?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new("warn,comment_finder_app=info,finder=info,gemini=info,keychain=info")
    });
    let file_layer = tracing_subscriber::fmt::layer()
        .with_writer(writer)
        .with_ansi(false)
        .with_target(true);
    // A second subscriber (tests opening several apps) is not an error worth failing over.
    let _ = tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .try_init();
    Ok(guard)
}

/// The newest log file in `dir`, if any.
pub fn newest_file(dir: &Path) -> Option<PathBuf> {
    let entries = std::fs::read_dir(dir).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.starts_with(FILE_PREFIX) && name.ends_with(FILE_SUFFIX)
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
}

/// The last `lines` lines of the newest log file (at most the last 1 MB is read).
pub fn tail(dir: &Path, lines: usize) -> AppResult<LogTail> {
    let Some(path) = newest_file(dir) else {
        return Ok(LogTail {
            path: dir.display().to_string(),
            lines: Vec::new(),
        });
    };
    let read_err = |e: std::io::Error| {
        AppError::new(
            ShellErrorCode::Io,
            format!("Could not read the log file {}: {e}", path.display()),
        )
    };
    let mut file = std::fs::File::open(&path).map_err(read_err)?;
    let len = file.metadata().map_err(read_err)?.len();
    let window = 1024 * 1024;
    let start = len.saturating_sub(window);
    file.seek(SeekFrom::Start(start)).map_err(read_err)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(read_err)?;
    let text = String::from_utf8_lossy(&bytes);
    let mut all: Vec<&str> = text.lines().collect();
    if start > 0 && !all.is_empty() {
        all.remove(0); // probably cut mid-line
    }
    let keep = lines.clamp(1, 5000);
    let from = all.len().saturating_sub(keep);
    Ok(LogTail {
        path: path.display().to_string(),
        lines: all[from..].iter().map(|l| l.to_string()).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_reads_the_newest_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(tail(dir.path(), 10).unwrap().lines.is_empty());
        let old = dir.path().join("comment-finder.2026-11-01.log");
        std::fs::write(&old, "old\n").unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let new = dir.path().join("comment-finder.2026-11-02.log");
        let body: String = (1..=30).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&new, body).unwrap();
        let t = tail(dir.path(), 3).unwrap();
        assert_eq!(t.lines, vec!["line 28", "line 29", "line 30"]);
        assert!(t.path.ends_with("comment-finder.2026-11-02.log"));
    }
}
