//! The one error type that crosses IPC: a stable machine `code` the UI branches on, and a
//! plain-words `message` it may show. Codes are typed: the engine's [`finder::ErrorCode`]
//! (projects, storage, keychain, Gemini, sources, …) or one of the shell's own few
//! ([`ShellErrorCode`]); both are exported to TypeScript, where every code must have a
//! sentence (`ui/src/lib/errors.ts`). On the wire a code is its snake_case text.

use finder::ErrorCode;
use serde::Serialize;

/// The codes only the desktop shell reports: the window's own folders, files and tasks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(rename_all = "snake_case")]
pub enum ShellErrorCode {
    /// A run was asked to stop or check now, but it is not going (any more).
    RunNotActive,
    /// A search is already running; one at a time.
    SearchRunning,
    /// A path the window sent was not picked in the app's file window (or dropped on it).
    PathNotAllowed,
    /// No home folder, so there is nowhere to keep the app's data.
    NoHome,
    /// No rate limits are known for the chosen model (custom limits needed).
    NoLimits,
    /// A key could not be checked with Google (network, server) before saving it.
    KeyCheckFailed,
    /// A file or folder of the app (logs, data folder) could not be read, made or shown.
    Io,
    /// Tauri itself failed (a window, an event).
    App,
    /// Something that should not happen (a task panicked, a saved value vanished).
    Internal,
}

impl ShellErrorCode {
    /// Every code, for the bindings' runtime list.
    pub const ALL: &'static [ShellErrorCode] = &[
        ShellErrorCode::RunNotActive,
        ShellErrorCode::SearchRunning,
        ShellErrorCode::PathNotAllowed,
        ShellErrorCode::NoHome,
        ShellErrorCode::NoLimits,
        ShellErrorCode::KeyCheckFailed,
        ShellErrorCode::Io,
        ShellErrorCode::App,
        ShellErrorCode::Internal,
    ];
}

/// An error code as the window sees it: the engine's or the shell's, the same snake_case text
/// either way (`ErrorCode | ShellErrorCode` in TypeScript).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, specta::Type)]
#[serde(untagged)]
pub enum AppErrorCode {
    Engine(ErrorCode),
    Shell(ShellErrorCode),
}

impl AppErrorCode {
    /// The wire text, e.g. `"invalid_key"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AppErrorCode::Engine(code) => code.as_str(),
            AppErrorCode::Shell(code) => match code {
                ShellErrorCode::RunNotActive => "run_not_active",
                ShellErrorCode::SearchRunning => "search_running",
                ShellErrorCode::PathNotAllowed => "path_not_allowed",
                ShellErrorCode::NoHome => "no_home",
                ShellErrorCode::NoLimits => "no_limits",
                ShellErrorCode::KeyCheckFailed => "key_check_failed",
                ShellErrorCode::Io => "io",
                ShellErrorCode::App => "app",
                ShellErrorCode::Internal => "internal",
            },
        }
    }

    /// Every code the window can receive, engine's first (exported to TypeScript as a
    /// constant, so a test there checks each has a sentence at run time too).
    pub fn all() -> Vec<AppErrorCode> {
        let engine = ErrorCode::ALL.iter().copied().map(AppErrorCode::Engine);
        let shell = ShellErrorCode::ALL.iter().copied().map(AppErrorCode::Shell);
        engine.chain(shell).collect()
    }
}

impl std::fmt::Display for AppErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codes are compared with their wire text in tests and logs.
impl PartialEq<&str> for AppErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl From<ErrorCode> for AppErrorCode {
    fn from(code: ErrorCode) -> Self {
        AppErrorCode::Engine(code)
    }
}

impl From<ShellErrorCode> for AppErrorCode {
    fn from(code: ShellErrorCode) -> Self {
        AppErrorCode::Shell(code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: AppErrorCode,
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: impl Into<AppErrorCode>, message: impl Into<String>) -> Self {
        AppError {
            code: code.into(),
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new(ErrorCode::InvalidInput, message)
    }
}

impl From<finder::FinderError> for AppError {
    fn from(e: finder::FinderError) -> Self {
        use finder::FinderError as F;
        // The engine says what happened; where the fix is a screen, the app says which.
        let message = match &e {
            F::KeyMissing => {
                "No Gemini API key is set. Add one in Settings → Keys (it is kept in your system keychain).".to_string()
            }
            F::ProjectNotFound(name) => format!("No project is called \"{name}\" any more."),
            other => other.to_string(),
        };
        AppError::new(e.code(), message)
    }
}

impl From<keychain::KeychainError> for AppError {
    fn from(e: keychain::KeychainError) -> Self {
        use keychain::KeychainError as K;
        let code = match &e {
            K::Unavailable { .. } => ErrorCode::KeychainUnavailable,
            K::Failed { .. } => ErrorCode::KeychainFailed,
        };
        AppError::new(code, e.to_string())
    }
}

impl From<gemini::GeminiError> for AppError {
    fn from(e: gemini::GeminiError) -> Self {
        finder::FinderError::from(e).into()
    }
}

impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        AppError::new(ShellErrorCode::App, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_the_engine_and_messages_name_screens() {
        let e: AppError = finder::FinderError::KeyMissing.into();
        assert_eq!(e.code, "key_missing");
        assert!(e.message.contains("Settings"), "{}", e.message);
        let e: AppError = gemini::GeminiError::InvalidKey.into();
        assert_eq!(e.code, "invalid_key");
        let json = serde_json::to_value(AppError::invalid("x")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "invalid_input", "message": "x"})
        );
    }

    #[test]
    fn every_code_crosses_as_its_text_and_none_twice() {
        let mut seen = std::collections::HashSet::new();
        for code in AppErrorCode::all() {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
        let json = serde_json::to_value(AppError::new(ShellErrorCode::RunNotActive, "m")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "run_not_active", "message": "m"})
        );
    }
}
