//! The one error type that crosses IPC: a stable machine `code` the UI branches on, and a
//! plain-words `message` it may show. Codes come from the engine (`FinderError::code`), the
//! keychain (`keychain_unavailable`, `keychain_failed`) and Gemini (`invalid_key`, …); the
//! shell adds a few of its own (`run_not_active`, `nothing_to_do`, `over_budget`, `io`).

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub code: String,
    pub message: String,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        AppError {
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        AppError::new("invalid_input", message)
    }
}

impl From<finder::FinderError> for AppError {
    fn from(e: finder::FinderError) -> Self {
        use finder::FinderError as F;
        // The engine's messages name CLI commands in a few places; the app names its screens.
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
        AppError::new(e.code(), e.to_string())
    }
}

impl From<gemini::GeminiError> for AppError {
    fn from(e: gemini::GeminiError) -> Self {
        finder::FinderError::from(e).into()
    }
}

impl From<tauri::Error> for AppError {
    fn from(e: tauri::Error) -> Self {
        AppError::new("app", e.to_string())
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
}
