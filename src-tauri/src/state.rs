//! What the app holds while it runs: the store (the same database file as the CLI), the
//! keychain (the same service name as the CLI), where files live, and the runs in progress.
//!
//! Everything here works without Tauri, so the command bodies are tested on a temporary
//! database (see `ops.rs` tests); the Tauri commands are one-line wrappers.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use finder::account_limits::{self, Tier as EngineTier};
use finder::limiter::Limits;
use finder::{sample, ErrorCode, FinderError, Store};
use keychain::Keychain;

use crate::dto::{self, Tier};
use crate::error::{AppError, AppResult, ShellErrorCode};
use crate::grants::PathGrants;
use crate::runs::RunManager;

/// Picks another database file (tests and the E2E use a temporary one).
pub const DB_ENV: &str = "COMMENT_FINDER_DB";
/// Picks another log folder.
pub const LOG_DIR_ENV: &str = "COMMENT_FINDER_LOG_DIR";
/// Picks another keychain service name (the CLI honours the same variable).
pub const KEYCHAIN_SERVICE_ENV: &str = "COMMENT_FINDER_KEYCHAIN_SERVICE";

/// Settings keys shared with the CLI (`tier`, `gemini_base_url`) and the app's own.
pub mod keys {
    pub const TIER: &str = "tier";
    pub const GEMINI_BASE_URL: &str = "gemini_base_url";
    pub const CUSTOM_LIMITS: &str = "custom_limits";
    pub const MODEL: &str = "model";
}

pub const DEFAULT_MODEL: &str = "gemini-2.5-flash";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    pub db_path: PathBuf,
    pub log_dir: PathBuf,
}

impl AppPaths {
    /// The data folder (the database's).
    pub fn data_dir(&self) -> PathBuf {
        self.db_path
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf()
    }

    /// The app's own folders for files: anything in them may be imported or written by path
    /// without a file dialog (see [`crate::grants`]).
    pub fn file_folders(&self) -> Vec<PathBuf> {
        vec![
            self.data_dir().join("imports"),
            self.data_dir().join("exports"),
        ]
    }

    /// The CLI's default database (`<data dir>/app.commentfinder/comment-finder.db`) unless
    /// `COMMENT_FINDER_DB` names another; logs in `COMMENT_FINDER_LOG_DIR`, else beside a
    /// database chosen by the environment, else in the platform's log folder for the app.
    pub fn resolve(platform_log_dir: Option<PathBuf>) -> AppResult<AppPaths> {
        let from_env = std::env::var_os(DB_ENV).filter(|v| !v.is_empty());
        let db_path = match &from_env {
            Some(path) => PathBuf::from(path),
            None => directories::BaseDirs::new()
                .map(|dirs| {
                    dirs.data_dir()
                        .join("app.commentfinder")
                        .join("comment-finder.db")
                })
                .ok_or_else(|| {
                    AppError::new(
                        ShellErrorCode::NoHome,
                        "No home folder was found, so there is nowhere to keep your data.",
                    )
                })?,
        };
        let log_dir = match std::env::var_os(LOG_DIR_ENV).filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => match (&from_env, platform_log_dir) {
                (None, Some(dir)) => dir,
                _ => db_path.parent().unwrap_or(Path::new(".")).join("logs"),
            },
        };
        Ok(AppPaths { db_path, log_dir })
    }
}

struct ServerStatus {
    text: String,
    host: String,
    needs_confirmation: bool,
    problem: Option<String>,
}

pub struct AppState {
    pub store: Store,
    pub keychain: Keychain,
    pub paths: AppPaths,
    pub runs: Arc<RunManager>,
    /// Files the person picked or dropped since the app started, and the app's folders.
    pub grants: PathGrants,
}

impl AppState {
    /// Opens the database like the CLI does: created on first use with the sample project
    /// (its posts re-dated to now and scored, so every screen has something to show).
    pub async fn open(paths: AppPaths, now: i64) -> AppResult<AppState> {
        let (store, report) = Store::open(&paths.db_path).await?;
        if let Some(backup) = &report.backup {
            tracing::info!(backup = %backup.display(), "database layout updated; previous version kept");
        }
        if report.created {
            let (project, imported) = sample::load(&store, now).await?;
            finder::posts::score_project(
                &store,
                &project,
                &finder::posts::PostFilter::default(),
                0,
                now,
            )
            .await?;
            tracing::info!(
                db = %paths.db_path.display(),
                project = project.name(),
                posts = imported.added,
                "created a new database with the sample project"
            );
        }
        let keychain = match std::env::var(KEYCHAIN_SERVICE_ENV) {
            Ok(service) if !service.trim().is_empty() => Keychain::with_service(service.trim()),
            _ => Keychain::new(),
        };
        let runs = Arc::new(RunManager::new(store.clone()));
        let grants = PathGrants::new(paths.file_folders());
        Ok(AppState {
            store,
            keychain,
            paths,
            runs,
            grants,
        })
    }

    pub async fn setting_str(&self, key: &str) -> AppResult<Option<String>> {
        Ok(self
            .store
            .setting(key)
            .await?
            .and_then(|v| v.as_str().map(str::to_string))
            .filter(|s| !s.trim().is_empty()))
    }

    /// `GEMINI_BASE_URL` wins, then the stored setting, then Google.
    pub async fn gemini_base_url(&self) -> AppResult<String> {
        Ok(finder::engine::base_url(&self.store).await?)
    }

    /// The saved tier, read the way the CLI reads it ("free" unless "tier1"/"paid").
    pub async fn base_tier(&self) -> AppResult<EngineTier> {
        Ok(
            match self
                .setting_str(keys::TIER)
                .await?
                .map(|t| t.to_ascii_lowercase())
                .as_deref()
            {
                Some("tier1") | Some("tier-1") | Some("paid") => EngineTier::Tier1,
                _ => EngineTier::Free,
            },
        )
    }

    pub async fn custom_limits(&self) -> AppResult<Option<Limits>> {
        Ok(self
            .store
            .setting(keys::CUSTOM_LIMITS)
            .await?
            .and_then(|v| serde_json::from_value(v).ok()))
    }

    /// The limits a run of `model` uses: the user's custom numbers, or the tier's published
    /// ones (as the CLI's `limits_for`).
    pub async fn limits_for(&self, model: &str) -> AppResult<Limits> {
        account_limits::configured(&self.store, model).await?.ok_or_else(|| {
            AppError::new(
                ShellErrorCode::NoLimits,
                format!(
                    "No limits are known for the model \"{model}\". Choose \"Custom limits\" in Settings and enter your account's numbers."
                ),
            )
        })
    }

    pub async fn limit_settings(&self) -> AppResult<dto::LimitSettings> {
        let model = self
            .setting_str(keys::MODEL)
            .await?
            .unwrap_or_else(|| DEFAULT_MODEL.to_string());
        let custom = self.custom_limits().await?;
        let tier = match (custom, self.base_tier().await?) {
            (Some(_), _) => Tier::Custom,
            (None, EngineTier::Free) => Tier::Free,
            (None, EngineTier::Tier1) => Tier::Tier1,
        };
        let limits = match self.limits_for(&model).await {
            Ok(l) => l,
            // A model without published limits still shows something editable.
            Err(_) => Limits {
                rpm: 10,
                tpm: None,
                rpd: None,
            },
        };
        let learned = self.learned_limit(&model).await;
        let server = self.server_status().await?;
        Ok(dto::LimitSettings {
            tier,
            model,
            limits,
            custom,
            monthly_budget_picos: finder::budget::monthly_budget(&self.store).await?,
            gemini_base_url: server.text,
            gemini_server_host: server.host,
            gemini_server_needs_confirmation: server.needs_confirmation,
            gemini_server_problem: server.problem,
            learned,
        })
    }

    /// The Gemini server as Settings shows it. A refused stored address is shown with the
    /// reason (never an error: the screen must stay usable to fix it).
    async fn server_status(&self) -> AppResult<ServerStatus> {
        match finder::engine::gemini_server(&self.store).await {
            Ok(server) => {
                let needs_confirmation = server.needs_confirmation()
                    && match keychain::key_from_env_or_keychain(&self.keychain) {
                        Ok(Some((key, _))) => {
                            !finder::engine::key_allowed_for(&self.store, &server, &key).await?
                        }
                        _ => false,
                    };
                Ok(ServerStatus {
                    text: server.address.as_str().to_owned(),
                    host: server.address.host(),
                    needs_confirmation,
                    problem: None,
                })
            }
            Err(e @ FinderError::UnsafeServerAddress { .. }) => {
                let text = match &e {
                    FinderError::UnsafeServerAddress { address, .. } => address.clone(),
                    _ => String::new(),
                };
                Ok(ServerStatus {
                    host: text.clone(),
                    text,
                    needs_confirmation: false,
                    problem: Some(e.to_string()),
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The user confirmed, with the host in front of them, that the saved key may go to the
    /// configured Gemini server.
    pub async fn confirm_gemini_server(&self) -> AppResult<dto::LimitSettings> {
        let (key, _) =
            keychain::key_from_env_or_keychain(&self.keychain)?.ok_or(FinderError::KeyMissing)?;
        finder::engine::confirm_server(&self.store, &key).await?;
        let server = finder::engine::gemini_server(&self.store).await?;
        tracing::info!(host = %server.address.host(), "Gemini key confirmed for the server");
        self.limit_settings().await
    }

    /// The daily limit Google reported for the saved key and `model` (none without a key).
    async fn learned_limit(&self, model: &str) -> Option<String> {
        let (access, _) = self.gemini_access().await.ok()?;
        finder::account_limits::learned_daily_limit(&self.store, access.key_tag(), model)
            .await
            .ok()
            .flatten()
            .map(|l| l.sentence())
    }

    /// The engine's access for the saved key (environment first, then the keychain), with
    /// the key's last four characters.
    pub async fn gemini_access(&self) -> AppResult<(finder::engine::GeminiAccess, String)> {
        let (key, _) =
            keychain::key_from_env_or_keychain(&self.keychain)?.ok_or(FinderError::KeyMissing)?;
        let last4 = key.last4();
        Ok((finder::engine::open_gemini(&self.store, key).await?, last4))
    }
}

/// Asks the models endpoint (free) whether a key works; returns the text models it can use.
pub async fn check_key(client: &gemini::Client, last4: &str) -> AppResult<Vec<String>> {
    match client.list_models().await {
        Ok(models) => Ok(models
            .iter()
            .filter(|m| m.supports("generateContent"))
            .map(|m| m.id().to_string())
            .collect()),
        Err(gemini::GeminiError::InvalidKey) => Err(AppError::new(
            ErrorCode::InvalidKey,
            format!(
                "Google says this key is not valid ({last4}). Copy the key again from Google AI Studio and retry."
            ),
        )),
        Err(gemini::GeminiError::PermissionDenied { message }) => Err(AppError::new(
            ErrorCode::PermissionDenied,
            format!(
                "Google refused this key ({last4}): {message}. Check that the Gemini API is enabled for the key's project."
            ),
        )),
        Err(other) => Err(AppError::new(
            ShellErrorCode::KeyCheckFailed,
            format!(
                "The key ({last4}) could not be checked: {other}. Check your internet connection and try again."
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_the_environment_or_the_cli_default() {
        // Only reads; the variables are not set in the test environment unless a test sets
        // them, and none does.
        let paths = AppPaths::resolve(Some(PathBuf::from("/tmp/logs"))).unwrap();
        if std::env::var_os(DB_ENV).is_none() {
            assert!(paths
                .db_path
                .ends_with("app.commentfinder/comment-finder.db"));
        }
    }
}
