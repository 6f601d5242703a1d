//! One error type for the engine. Every variant has a stable `code()` so the CLI, the desktop
//! app and tests branch on codes, never on message text. Messages are plain sentences a
//! marketer can act on.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum FinderError {
    #[error("No project is called \"{0}\". See the list with `comment-finder project list`.")]
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

    #[error("No Gemini API key is set. Save one with `comment-finder key set gemini` (or set GEMINI_API_KEY).")]
    KeyMissing,

    #[error("The Gemini server address \"{address}\" is refused: {reason}. Change it in Settings (or GEMINI_BASE_URL).")]
    UnsafeServerAddress { address: String, reason: String },

    /// The stored server address is not one the user confirmed the key for (it was changed,
    /// or the database came from elsewhere): the key is not sent until they confirm.
    #[error("Your Gemini key has not been confirmed for the server {host}. Enter the key again (Settings, or `comment-finder key set gemini`) to send it there, or clear the server address to use Google.")]
    ServerNotConfirmed { host: String },

    #[error("{message}")]
    Keychain { code: &'static str, message: String },

    #[error("Gemini: {0}")]
    Gemini(#[from] gemini::GeminiError),

    #[error("{0}")]
    Limit(#[from] crate::limiter::LimitError),

    #[error("{}", .0.sentence())]
    Budget(crate::caps::BudgetReached),

    /// Finding posts on Apify or X failed (bad token, out of credit, rate limited, the actor
    /// run failed …). Posts that arrived before it are kept.
    #[error("{message}")]
    Source { code: &'static str, message: String },

    /// A run was asked for, but every post is held back or already answered.
    #[error("No posts need replies right now ({held_back} held back, {answered} already answered). Import fresh posts or widen the filters.")]
    NothingToDo { held_back: usize, answered: usize },
}

impl FinderError {
    /// Stable machine-readable code, used across the IPC boundary and in `--json` output.
    pub fn code(&self) -> &'static str {
        match self {
            FinderError::ProjectNotFound(_) => "project_not_found",
            FinderError::ProjectExists(_) => "project_exists",
            FinderError::InvalidProject(_) => "invalid_project",
            FinderError::ProjectHasActiveRun { .. } => "project_has_active_run",
            FinderError::FileUnreadable { .. } => "file_unreadable",
            FinderError::NotATweetExport(_) => "not_a_tweet_export",
            FinderError::FileTooLarge { .. } => "file_too_large",
            FinderError::InvalidInput(_) => "invalid_input",
            FinderError::DatabaseOpen { .. } => "database_open",
            FinderError::Database(_) => "database",
            FinderError::DatabaseBusy => "database_busy",
            FinderError::Migration(_) => "migration",
            FinderError::FileUnwritable { .. } => "file_unwritable",
            FinderError::KeyMissing => "key_missing",
            FinderError::UnsafeServerAddress { .. } => "unsafe_server_address",
            FinderError::ServerNotConfirmed { .. } => "server_not_confirmed",
            FinderError::Keychain { code, .. } => code,
            FinderError::Gemini(e) => e.code(),
            FinderError::Limit(e) => e.code(),
            FinderError::Budget(_) => "budget_reached",
            FinderError::Source { code, .. } => code,
            FinderError::NothingToDo { .. } => "nothing_to_do",
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
