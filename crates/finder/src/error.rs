//! One error type for the engine. Every variant has a stable [`ErrorCode`] (`code()`) so the
//! CLI, the desktop app and tests branch on codes, never on message text. Messages are plain
//! sentences that say what happened; they name no CLI command or screen, because the CLI adds
//! its own hint by code and the app has buttons for those actions.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Declares [`ErrorCode`] from one list, so the enum, its wire text and [`ErrorCode::ALL`]
/// cannot drift apart (a test checks the text against serde's snake_case).
macro_rules! error_codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// Every machine-readable error code the engine reports: on `FinderError::code`, in the
        /// CLI's `--json` errors, and (through the desktop shell) in the window's `{code,
        /// message}` errors. On the wire it is the snake_case text, e.g. `"invalid_key"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "specta", derive(specta::Type))]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[doc = $doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The wire text, e.g. `"invalid_key"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }
        }
    };
}

error_codes! {
    // Projects and files.
    ProjectNotFound = "project_not_found",
    ProjectExists = "project_exists",
    InvalidProject = "invalid_project",
    ProjectHasActiveRun = "project_has_active_run",
    FileUnreadable = "file_unreadable",
    NotATweetExport = "not_a_tweet_export",
    FileTooLarge = "file_too_large",
    FileUnwritable = "file_unwritable",
    InvalidInput = "invalid_input",
    // Storage.
    DatabaseOpen = "database_open",
    Database = "database",
    DatabaseBusy = "database_busy",
    Migration = "migration",
    // The Gemini key and server.
    KeyMissing = "key_missing",
    UnsafeServerAddress = "unsafe_server_address",
    ServerNotConfirmed = "server_not_confirmed",
    // The OS keychain (the `keychain` crate's two kinds).
    KeychainUnavailable = "keychain_unavailable",
    KeychainFailed = "keychain_failed",
    // Gemini's answers (`gemini::GeminiError`, one code per kind).
    InvalidKey = "invalid_key",
    PermissionDenied = "permission_denied",
    NotFound = "not_found",
    Quota = "quota",
    Overloaded = "overloaded",
    ServerError = "server_error",
    Timeout = "timeout",
    Connection = "connection",
    BadRequest = "bad_request",
    PromptBlocked = "prompt_blocked",
    Truncated = "truncated",
    Stopped = "stopped",
    UnusableOutput = "unusable_output",
    HttpError = "http_error",
    InvalidConfig = "invalid_config",
    AccountNotEligible = "account_not_eligible",
    OutOfCredit = "out_of_credit",
    UnsupportedSetting = "unsupported_setting",
    BatchRequestFailed = "batch_request_failed",
    // Our own limits and budgets.
    DailyLimitReached = "daily_limit_reached",
    RequestTooLarge = "request_too_large",
    BudgetReached = "budget_reached",
    /// A run was asked for, but no post needs a reply (all held back or already answered).
    NothingToDo = "nothing_to_do",
    // Finding posts on Apify or the X API.
    /// No token is saved for the source (Apify token, X API bearer token).
    SourceTokenMissing = "source_token_missing",
    ApifyBadToken = "apify_bad_token",
    XBadToken = "x_bad_token",
    ApifyOutOfCredit = "apify_out_of_credit",
    XOutOfCredit = "x_out_of_credit",
    SourceRateLimited = "source_rate_limited",
    SourceUnreachable = "source_unreachable",
    SourceRefused = "source_refused",
    SourceBadAnswer = "source_bad_answer",
    SearchOverBudget = "search_over_budget",
    ApifyRunTooLong = "apify_run_too_long",
    ApifyRunFailed = "apify_run_failed",
    ApifyRunTimedOut = "apify_run_timed_out",
    ApifyRunAborted = "apify_run_aborted",
    /// No price per post is known for a source, so a search's cost cannot be recorded.
    DataPriceMissing = "data_price_missing",
    /// A search stopped half-way (the message says why); the posts that arrived are kept.
    SearchStopped = "search_stopped",
    /// Some saved searches of a refresh could not be run (the message lists them).
    RefreshIncomplete = "refresh_incomplete",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Codes are compared with the text stored in the database or sent over the wire.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// The finder knows Gemini's error kinds: each has its own code (the same text as
/// `GeminiError::code`, which the ledger stores). The match has no catch-all, so a new kind
/// in the gemini crate does not compile until it has a code here.
impl From<&gemini::GeminiError> for ErrorCode {
    fn from(e: &gemini::GeminiError) -> Self {
        use gemini::GeminiError as G;
        match e {
            G::InvalidKey => ErrorCode::InvalidKey,
            G::PermissionDenied { .. } => ErrorCode::PermissionDenied,
            G::NotFound { .. } => ErrorCode::NotFound,
            G::Quota { .. } => ErrorCode::Quota,
            G::AccountNotEligible { .. } => ErrorCode::AccountNotEligible,
            G::OutOfCredit { .. } => ErrorCode::OutOfCredit,
            G::UnsupportedSetting { .. } => ErrorCode::UnsupportedSetting,
            G::Overloaded => ErrorCode::Overloaded,
            G::Server { .. } => ErrorCode::ServerError,
            G::Timeout => ErrorCode::Timeout,
            G::Connection { .. } => ErrorCode::Connection,
            G::BadRequest { .. } => ErrorCode::BadRequest,
            G::PromptBlocked { .. } => ErrorCode::PromptBlocked,
            G::Truncated { .. } => ErrorCode::Truncated,
            G::Stopped { .. } => ErrorCode::Stopped,
            G::UnusableOutput { .. } => ErrorCode::UnusableOutput,
            G::Http { .. } => ErrorCode::HttpError,
            G::InvalidConfig { .. } => ErrorCode::InvalidConfig,
            G::BatchRequestFailed { .. } => ErrorCode::BatchRequestFailed,
        }
    }
}

impl From<&crate::limiter::LimitError> for ErrorCode {
    fn from(e: &crate::limiter::LimitError) -> Self {
        use crate::limiter::LimitError as L;
        match e {
            L::DailyLimitReached { .. } => ErrorCode::DailyLimitReached,
            L::TooLarge { .. } => ErrorCode::RequestTooLarge,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FinderError {
    #[error("No project is called \"{0}\".")]
    ProjectNotFound(String),

    #[error("A project called \"{0}\" already exists. Pick another name.")]
    ProjectExists(String),

    #[error("{0}")]
    InvalidProject(String),

    #[error("\"{name}\" has a run in progress (run #{run_id}). Stop the run or wait for it to finish, then delete the project.")]
    ProjectHasActiveRun { name: String, run_id: i64 },

    #[error("Could not read {path}: {message}")]
    FileUnreadable { path: PathBuf, message: String },

    #[error("{0}")]
    NotATweetExport(String),

    #[error("{path} is larger than {limit_kb} KB, too large for {what}. Check that you chose the right file.")]
    FileTooLarge {
        path: PathBuf,
        what: &'static str,
        limit_kb: u64,
    },

    #[error("{0}")]
    InvalidInput(String),

    #[error("The database at {path} could not be opened: {message}")]
    DatabaseOpen { path: PathBuf, message: String },

    #[error("The database reported a problem: {0}")]
    Database(sqlx::Error),

    /// Another connection (usually another Comment Finder window or command) held the write
    /// lock for longer than the busy timeout. Nothing was changed by the failed step.
    #[error("The database is busy — is Comment Finder open elsewhere? Close the other window or command, then try again.")]
    DatabaseBusy,

    #[error("Updating the database layout failed: {0}")]
    Migration(sqlx::migrate::MigrateError),

    #[error("Could not write {path}: {message}")]
    FileUnwritable { path: PathBuf, message: String },

    #[error("No Gemini API key is set.")]
    KeyMissing,

    #[error("The Gemini server address \"{address}\" is refused: {reason}. Change it in Settings (or GEMINI_BASE_URL).")]
    UnsafeServerAddress { address: String, reason: String },

    /// The stored server address is not one the user confirmed the key for (it was changed,
    /// or the database came from elsewhere): the key is not sent until they confirm.
    #[error("Your Gemini key has not been confirmed for the server {host}. Enter the key again to send it there, or clear the server address to use Google.")]
    ServerNotConfirmed { host: String },

    #[error("{message}")]
    Keychain { code: ErrorCode, message: String },

    #[error("Gemini: {0}")]
    Gemini(#[from] gemini::GeminiError),

    #[error("{0}")]
    Limit(#[from] crate::limiter::LimitError),

    #[error("{}", .0.sentence())]
    Budget(crate::caps::BudgetReached),

    /// Finding posts on Apify or X failed (bad token, out of credit, rate limited, the actor
    /// run failed …). Posts that arrived before it are kept.
    #[error("{message}")]
    Source { code: ErrorCode, message: String },

    /// A run was asked for, but every post is held back or already answered.
    #[error("No posts need replies right now ({held_back} held back, {answered} already answered). Import fresh posts or widen the filters.")]
    NothingToDo { held_back: usize, answered: usize },
}

impl FinderError {
    /// Stable machine-readable code, used across the IPC boundary and in `--json` output.
    pub fn code(&self) -> ErrorCode {
        match self {
            FinderError::ProjectNotFound(_) => ErrorCode::ProjectNotFound,
            FinderError::ProjectExists(_) => ErrorCode::ProjectExists,
            FinderError::InvalidProject(_) => ErrorCode::InvalidProject,
            FinderError::ProjectHasActiveRun { .. } => ErrorCode::ProjectHasActiveRun,
            FinderError::FileUnreadable { .. } => ErrorCode::FileUnreadable,
            FinderError::NotATweetExport(_) => ErrorCode::NotATweetExport,
            FinderError::FileTooLarge { .. } => ErrorCode::FileTooLarge,
            FinderError::InvalidInput(_) => ErrorCode::InvalidInput,
            FinderError::DatabaseOpen { .. } => ErrorCode::DatabaseOpen,
            FinderError::Database(_) => ErrorCode::Database,
            FinderError::DatabaseBusy => ErrorCode::DatabaseBusy,
            FinderError::Migration(_) => ErrorCode::Migration,
            FinderError::FileUnwritable { .. } => ErrorCode::FileUnwritable,
            FinderError::KeyMissing => ErrorCode::KeyMissing,
            FinderError::UnsafeServerAddress { .. } => ErrorCode::UnsafeServerAddress,
            FinderError::ServerNotConfirmed { .. } => ErrorCode::ServerNotConfirmed,
            FinderError::Keychain { code, .. } => *code,
            FinderError::Gemini(e) => e.into(),
            FinderError::Limit(e) => e.into(),
            FinderError::Budget(_) => ErrorCode::BudgetReached,
            FinderError::Source { code, .. } => *code,
            FinderError::NothingToDo { .. } => ErrorCode::NothingToDo,
        }
    }
}

/// SQLITE_BUSY (5) and SQLITE_LOCKED (6), including their extended codes (low byte).
fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .and_then(|c| c.parse::<i64>().ok())
        .is_some_and(|c| matches!(c & 0xff, 5 | 6))
}

impl From<sqlx::Error> for FinderError {
    fn from(e: sqlx::Error) -> Self {
        if is_busy(&e) {
            FinderError::DatabaseBusy
        } else {
            FinderError::Database(e)
        }
    }
}

impl From<sqlx::migrate::MigrateError> for FinderError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        match e {
            sqlx::migrate::MigrateError::Execute(inner) if is_busy(&inner) => {
                FinderError::DatabaseBusy
            }
            other => FinderError::Migration(other),
        }
    }
}

pub type Result<T, E = FinderError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_text_is_serde_snake_case_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::json!(code.as_str())
            );
            assert_eq!(
                serde_json::from_value::<ErrorCode>(serde_json::json!(code.as_str())).unwrap(),
                *code
            );
            assert!(seen.insert(code.as_str()), "{code} twice");
        }
    }

    #[test]
    fn gemini_kinds_keep_the_text_the_ledger_stores() {
        use gemini::GeminiError as G;
        let message = || "m".to_owned();
        let every_kind = [
            G::InvalidKey,
            G::PermissionDenied { message: message() },
            G::NotFound { message: message() },
            G::Quota {
                retry_after: None,
                quota_id: None,
                message: message(),
                scope: gemini::QuotaScope::Unspecified,
                quota_value: None,
            },
            G::AccountNotEligible { message: message() },
            G::OutOfCredit { message: message() },
            G::UnsupportedSetting { message: message() },
            G::Overloaded,
            G::Server { status: 500 },
            G::Timeout,
            G::Connection { message: message() },
            G::BadRequest { message: message() },
            G::PromptBlocked { reason: message() },
            G::Truncated {
                thinking_exhausted: false,
            },
            G::Stopped { reason: message() },
            G::UnusableOutput { reason: message() },
            G::Http {
                status: 409,
                message: message(),
            },
            G::InvalidConfig { message: message() },
            G::BatchRequestFailed {
                code: 3,
                message: message(),
            },
        ];
        for e in &every_kind {
            assert_eq!(ErrorCode::from(e).as_str(), e.code(), "{e:?}");
            assert_eq!(FinderError::Gemini(e.clone()).code(), e.code());
        }
    }

    #[test]
    fn messages_name_no_cli_command() {
        for e in [
            FinderError::ProjectNotFound("Acme".into()),
            FinderError::KeyMissing,
            FinderError::ServerNotConfirmed {
                host: "example.com".into(),
            },
        ] {
            let text = e.to_string();
            assert!(!text.contains("comment-finder"), "{text}");
            assert!(!text.contains('`'), "{text}");
        }
        assert_eq!(
            FinderError::ProjectNotFound("Acme".into()).to_string(),
            "No project is called \"Acme\"."
        );
        assert_eq!(FinderError::KeyMissing.code(), "key_missing");
    }
}
