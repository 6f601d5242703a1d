//! `comment-finder key …`: store, check or remove API keys in the OS keychain.
//!
//! Keys are read from stdin (never from the command line, where they would end up in the shell
//! history) and are only ever shown as their last four characters.

use std::io::{BufRead, IsTerminal};
use std::time::Duration;

use std::path::Path;

use clap::Subcommand;
use finder::{engine, ErrorCode, FinderError, Store};
use gemini::{ApiKey, Client, ClientConfig, GeminiError};
use keychain::{KeyStatus, Keychain, KeychainError, Secret};
use serde_json::json;

use crate::output::Out;

/// Picks another keychain service name (tests use a throwaway one).
pub const SERVICE_ENV: &str = "COMMENT_FINDER_KEYCHAIN_SERVICE";

const CHECK_TIMEOUT: Duration = Duration::from_secs(20);

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Save a key (read from stdin: paste it, or pipe it in). The Gemini key is checked with
    /// Google first.
    Set {
        /// Which key: gemini, apify or x.
        which: String,
        /// Save the Gemini key without checking it with Google.
        #[arg(long)]
        no_check: bool,
    },
    /// Show which keys are saved (only their last four characters).
    Status,
    /// Remove a saved key.
    Delete {
        /// Which key: gemini, apify or x.
        which: String,
    },
}

pub async fn run(command: KeyCommand, db: &Path, out: &Out) -> Result<(), FinderError> {
    let keychain = keychain_from_env();
    match command {
        KeyCommand::Set { which, no_check } => {
            let which = parse_secret(&which)?;
            let key = read_key(which)?;
            let checked = which == Secret::Gemini && !no_check;
            // The server the key will be used with: a stored address needs this key confirmed
            // for it, and typing the key in now is that confirmation.
            let (server, store) = if which == Secret::Gemini {
                gemini_server_for(db).await?
            } else {
                (None, None)
            };
            if checked {
                let base_url = server
                    .as_ref()
                    .map(|s| s.address.as_str().to_owned())
                    .unwrap_or_else(|| gemini::DEFAULT_BASE_URL.to_owned());
                check_gemini_key(&key, base_url).await?;
            }
            keychain.set(which, &key).map_err(keychain_error)?;
            if let (Some(server), Some(store)) = (&server, &store) {
                if server.needs_confirmation() {
                    engine::confirm_server(store, &key).await?;
                    out.note(&format!(
                        "Your Gemini key will be sent to {}, the Gemini server address in the settings.",
                        server.address.host()
                    ));
                }
            }
            if let Some(store) = store {
                store.close().await;
            }
            let last4 = key.last4();
            let mut text = format!(
                "Saved your {} ({last4}) in the system keychain.",
                which.describe()
            );
            if which == Secret::Gemini && no_check {
                text.push_str(" It was not checked with Google.");
            }
            out.print(
                &json!({"key": which.name(), "set": true, "last4": last4, "checked": checked}),
                &text,
            );
            if which == Secret::Gemini && keychain::gemini_key_from_env().is_some() {
                out.note(&format!(
                    "Note: {} is set in this environment, and it is used instead of the saved key.",
                    keychain::GEMINI_KEY_ENV
                ));
            }
        }
        KeyCommand::Status => {
            let statuses = Secret::ALL
                .iter()
                .map(|&which| keychain.status(which).map(|status| (which, status)))
                .collect::<Result<Vec<(Secret, KeyStatus)>, _>>()
                .map_err(keychain_error)?;
            let from_env = keychain::gemini_key_from_env().is_some();
            let keys: Vec<_> = statuses
                .iter()
                .map(|(which, status)| {
                    json!({"key": which.name(), "set": status.set, "last4": status.last4})
                })
                .collect();
            out.print(
                &json!({"keys": keys, "gemini_from_environment": from_env}),
                &status_text(&statuses, from_env),
            );
        }
        KeyCommand::Delete { which } => {
            let which = parse_secret(&which)?;
            let removed = keychain.delete(which).map_err(keychain_error)?;
            let text = if removed {
                format!(
                    "Removed your {} from the system keychain.",
                    which.describe()
                )
            } else {
                format!("There was no {} in the system keychain.", which.describe())
            };
            out.print(&json!({"key": which.name(), "removed": removed}), &text);
        }
    }
    Ok(())
}

pub(crate) fn keychain_from_env() -> Keychain {
    match std::env::var(SERVICE_ENV) {
        Ok(service) if !service.trim().is_empty() => Keychain::with_service(service.trim()),
        _ => Keychain::new(),
    }
}

fn parse_secret(which: &str) -> Result<Secret, FinderError> {
    which
        .parse()
        .map_err(|e: keychain::UnknownSecret| FinderError::InvalidInput(e.to_string()))
}

pub(crate) fn keychain_error(e: KeychainError) -> FinderError {
    FinderError::Keychain {
        code: match e {
            KeychainError::Unavailable { .. } => ErrorCode::KeychainUnavailable,
            KeychainError::Failed { .. } => ErrorCode::KeychainFailed,
        },
        message: e.to_string(),
    }
}

/// One line from stdin, with a prompt on stderr when a person is typing.
fn read_key(which: Secret) -> Result<ApiKey, FinderError> {
    let unreadable = |e: std::io::Error| {
        FinderError::InvalidInput(format!(
            "Could not read the {} from the input: {e}. Nothing was saved.",
            which.describe()
        ))
    };
    let stdin = std::io::stdin();
    // At a terminal the key is typed or pasted without being shown on screen.
    let line = if stdin.is_terminal() {
        rpassword::prompt_password(format!(
            "Paste your {} and press Enter (it will not be shown): ",
            which.describe()
        ))
        .map_err(unreadable)?
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(unreadable)?;
        line
    };
    let key = ApiKey::new(line);
    if key.is_empty() {
        return Err(FinderError::InvalidInput(format!(
            "No {} was given, so nothing was saved. Paste it when asked, or pipe it in \
             (for example from your password manager).",
            which.describe()
        )));
    }
    Ok(key)
}

/// The Gemini server in use: `GEMINI_BASE_URL`, else the database's setting (only when the
/// database exists: a key command never creates one), else Google.
async fn gemini_server_for(
    db: &Path,
) -> Result<(Option<engine::GeminiServer>, Option<Store>), FinderError> {
    if let Some(server) = engine::server_from_env()? {
        return Ok((Some(server), None));
    }
    if !std::fs::metadata(db).is_ok_and(|m| m.len() > 0) {
        return Ok((None, None));
    }
    let (store, _) = Store::open(db).await?;
    let server = engine::gemini_server(&store).await?;
    Ok((Some(server), Some(store)))
}

/// Asks the Gemini server for the model list with the key: a free call that fails on a bad
/// key.
async fn check_gemini_key(key: &ApiKey, base_url: String) -> Result<(), FinderError> {
    let last4 = key.last4();
    let not_checked = |reason: String| {
        FinderError::InvalidInput(format!(
            "The Gemini key ({last4}) could not be checked: {reason}. Nothing was saved. \
             Check your internet connection and try again, or save it unchecked with \
             `comment-finder key set gemini --no-check`."
        ))
    };
    let client = Client::new(ClientConfig {
        base_url,
        api_key: key.clone(),
        request_timeout: CHECK_TIMEOUT,
    })
    .map_err(|e| match e {
        GeminiError::InvalidConfig { message } if message.contains("API key") => {
            FinderError::InvalidInput(format!(
                "This is not a valid Gemini key ({message}). Nothing was saved."
            ))
        }
        other => not_checked(other.to_string()),
    })?;
    match client.list_models().await {
        Ok(_) => Ok(()),
        Err(GeminiError::InvalidKey) => Err(FinderError::InvalidInput(format!(
            "Google says this key is not valid ({last4}). Nothing was saved. Copy the key again \
             from Google AI Studio (https://aistudio.google.com/apikey) and retry."
        ))),
        Err(GeminiError::PermissionDenied { message }) => Err(FinderError::InvalidInput(format!(
            "Google refused this key ({last4}): {message}. Nothing was saved. Check that the \
             Gemini API is enabled for the key's project, then retry."
        ))),
        Err(other) => Err(not_checked(other.to_string())),
    }
}

fn status_text(statuses: &[(Secret, KeyStatus)], gemini_from_env: bool) -> String {
    let width = statuses
        .iter()
        .map(|(which, _)| which.describe().len())
        .max()
        .unwrap_or(0);
    let mut text = String::new();
    for (which, status) in statuses {
        let state = match (&status.set, &status.last4) {
            (true, Some(last4)) => format!("set ({last4})"),
            (true, None) => "set".to_owned(),
            (false, _) => "not set".to_owned(),
        };
        text.push_str(&format!("{:<width$}  {state}\n", which.describe()));
    }
    if gemini_from_env {
        text.push_str(&format!(
            "{} is set in this environment and is used instead of the saved Gemini key.\n",
            keychain::GEMINI_KEY_ENV
        ));
    }
    text.trim_end().to_owned()
}
