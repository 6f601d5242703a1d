//! API keys in the OS keychain: the Secret Service (GNOME Keyring, KWallet) on Linux, the
//! Keychain on macOS, the Credential Manager on Windows.
//!
//! Every key is one entry of the service [`SERVICE`], named after the [`Secret`] it holds. Keys
//! travel as [`gemini::ApiKey`], whose `Debug` is redacted; what the user interface may show
//! about a key is its [`KeyStatus`] (set or not, and its last four characters). Error messages
//! never contain a key.
//!
//! ```no_run
//! use keychain::{Keychain, Secret};
//!
//! let keychain = Keychain::new();
//! keychain.set(Secret::Gemini, &gemini::ApiKey::new("AIza...wxyz"))?;
//! assert!(keychain.status(Secret::Gemini)?.set);
//! # Ok::<(), keychain::KeychainError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use gemini::ApiKey;
use serde::Serialize;

/// The keychain service (the app's identifier) under which every key is stored.
pub const SERVICE: &str = "app.commentfinder";

/// The environment variable that supplies the Gemini key for automation; it wins over the
/// keychain (see [`key_from_env_or_keychain`]).
pub const GEMINI_KEY_ENV: &str = "GEMINI_API_KEY";

/// Which key an entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Secret {
    /// The Google Gemini API key.
    Gemini,
    /// The Apify API token.
    Apify,
    /// The X (Twitter) API bearer token.
    XBearer,
}

impl Secret {
    /// Every secret, in display order.
    pub const ALL: [Secret; 3] = [Secret::Gemini, Secret::Apify, Secret::XBearer];

    /// The entry's user name in the keychain, and the stable identifier (`gemini`, `apify`,
    /// `x-bearer`) used in JSON output.
    pub fn name(self) -> &'static str {
        match self {
            Secret::Gemini => "gemini",
            Secret::Apify => "apify",
            Secret::XBearer => "x-bearer",
        }
    }

    /// What the user calls it: "Gemini key", "Apify token", "X API bearer token".
    pub fn describe(self) -> &'static str {
        match self {
            Secret::Gemini => "Gemini key",
            Secret::Apify => "Apify token",
            Secret::XBearer => "X API bearer token",
        }
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is not one of the [`Secret`]s.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a key name; use gemini, apify or x.")]
pub struct UnknownSecret(pub String);

impl FromStr for Secret {
    type Err = UnknownSecret;

    /// `gemini`, `apify`, `x` or `x-bearer` (any case, surrounding spaces ignored).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "gemini" => Ok(Secret::Gemini),
            "apify" => Ok(Secret::Apify),
            "x" | "x-bearer" => Ok(Secret::XBearer),
            _ => Err(UnknownSecret(s.to_owned())),
        }
    }
}

/// What may be shown about a stored key: whether it is set and its last four characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyStatus {
    pub set: bool,
    /// `…wxyz` (see [`ApiKey::last4`]); `None` when not set.
    pub last4: Option<String>,
}

/// Where [`key_from_env_or_keychain`] found the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeySource {
    /// The `GEMINI_API_KEY` environment variable.
    Environment,
    /// The OS keychain.
    Keychain,
}

/// The keychain could not be used. Messages are plain sentences and never contain a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeychainError {
    /// There is no keychain to talk to, or it is locked: no Secret Service on Linux (no D-Bus
    /// session, no GNOME Keyring/KWallet running), a locked keyring, a dismissed unlock prompt.
    #[error("{message}")]
    Unavailable { message: String },
    /// The keychain answered but the operation failed, or the value was refused (empty).
    #[error("{message}")]
    Failed { message: String },
}

impl KeychainError {
    /// Stable machine-readable code: `keychain_unavailable` or `keychain_failed`.
    pub fn code(&self) -> &'static str {
        match self {
            KeychainError::Unavailable { .. } => "keychain_unavailable",
            KeychainError::Failed { .. } => "keychain_failed",
        }
    }
}

/// The OS keychain, scoped to one service name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keychain {
    service: String,
}

impl Default for Keychain {
    fn default() -> Self {
        Self::new()
    }
}

impl Keychain {
    /// The app's keychain ([`SERVICE`]).
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    /// A keychain under another service name, so tests never touch the user's keys.
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }

    /// The service name entries are stored under.
    pub fn service(&self) -> &str {
        &self.service
    }

    /// The stored key, or `None` when there is none.
    pub fn get(&self, which: Secret) -> Result<Option<ApiKey>, KeychainError> {
        let entry = self.entry(which, Action::Read)?;
        match entry.get_password() {
            Ok(value) => {
                let key = ApiKey::new(value);
                Ok((!key.is_empty()).then_some(key))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(error) => Err(map_error(error, which, Action::Read, None)),
        }
    }

    /// Stores the key (trimmed), replacing any previous one. An empty key is refused.
    pub fn set(&self, which: Secret, value: &ApiKey) -> Result<(), KeychainError> {
        let secret = value.expose().trim();
        if secret.is_empty() {
            return Err(KeychainError::Failed {
                message: format!("The {} is empty, so nothing was saved.", which.describe()),
            });
        }
        let entry = self.entry(which, Action::Save)?;
        entry
            .set_password(secret)
            .map_err(|error| map_error(error, which, Action::Save, Some(secret)))
    }

    /// Removes the key. `Ok(false)` when there was none.
    pub fn delete(&self, which: Secret) -> Result<bool, KeychainError> {
        let entry = self.entry(which, Action::Remove)?;
        match entry.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(error) => Err(map_error(error, which, Action::Remove, None)),
        }
    }

    /// Whether the key is set, and its last four characters; never the key itself.
    pub fn status(&self, which: Secret) -> Result<KeyStatus, KeychainError> {
        let key = self.get(which)?;
        Ok(KeyStatus {
            set: key.is_some(),
            last4: key.map(|k| k.last4()),
        })
    }

    fn entry(&self, which: Secret, action: Action) -> Result<keyring::Entry, KeychainError> {
        keyring::Entry::new(&self.service, which.name())
            .map_err(|error| map_error(error, which, action, None))
    }
}

/// The Gemini key for automation and the app: the `GEMINI_API_KEY` environment variable when it
/// is set and not blank, otherwise the keychain's; `None` when neither has one.
pub fn key_from_env_or_keychain(
    keychain: &Keychain,
) -> Result<Option<(ApiKey, KeySource)>, KeychainError> {
    secret_from_env_or_keychain(keychain, Secret::Gemini)
}

/// Any secret the same way: its environment variable (see [`secret_from_env`]) when set,
/// otherwise the keychain's; `None` when neither has one.
pub fn secret_from_env_or_keychain(
    keychain: &Keychain,
    secret: Secret,
) -> Result<Option<(ApiKey, KeySource)>, KeychainError> {
    if let Some(key) = secret_from_env(secret) {
        return Ok(Some((key, KeySource::Environment)));
    }
    Ok(keychain.get(secret)?.map(|key| (key, KeySource::Keychain)))
}

/// The `GEMINI_API_KEY` environment variable, when set and not blank. Read once: the first
/// call takes it out of the process environment (see [`take_secrets_from_env`]).
pub fn gemini_key_from_env() -> Option<ApiKey> {
    secret_from_env(Secret::Gemini)
}

/// The environment variables the data sources' tokens may come from.
pub const APIFY_TOKEN_ENV: &str = "APIFY_TOKEN";
pub const X_TOKEN_ENV: &str = "X_BEARER_TOKEN";

static ENV_GEMINI_KEY: std::sync::OnceLock<Option<ApiKey>> = std::sync::OnceLock::new();
static ENV_APIFY_TOKEN: std::sync::OnceLock<Option<ApiKey>> = std::sync::OnceLock::new();
static ENV_X_TOKEN: std::sync::OnceLock<Option<ApiKey>> = std::sync::OnceLock::new();

/// A secret's environment variable (`GEMINI_API_KEY`, `APIFY_TOKEN`, `X_BEARER_TOKEN`) when set
/// and not blank. Read once: the first call takes it out of the process environment.
pub fn secret_from_env(secret: Secret) -> Option<ApiKey> {
    let cell = match secret {
        Secret::Gemini => &ENV_GEMINI_KEY,
        Secret::Apify => &ENV_APIFY_TOKEN,
        Secret::XBearer => &ENV_X_TOKEN,
    };
    let name = env_name(secret);
    cell.get_or_init(|| {
        let value = std::env::var(name).ok();
        std::env::remove_var(name);
        // ApiKey::new trims.
        value.map(ApiKey::new).filter(|key| !key.is_empty())
    })
    .clone()
}

/// The environment variable a secret may come from.
pub fn env_name(secret: Secret) -> &'static str {
    match secret {
        Secret::Gemini => GEMINI_KEY_ENV,
        Secret::Apify => APIFY_TOKEN_ENV,
        Secret::XBearer => X_TOKEN_ENV,
    }
}

/// Reads the secrets the programs take from the environment (`GEMINI_API_KEY`,
/// `APIFY_TOKEN`, `X_BEARER_TOKEN`) and removes them from it, so no child process — the
/// webview's, a browser the app opens — inherits them. Call it first thing in `main`, before
/// any thread starts: changing the environment while another thread reads it is not safe in
/// C libraries.
pub fn take_secrets_from_env() {
    for secret in [Secret::Gemini, Secret::Apify, Secret::XBearer] {
        let _ = secret_from_env(secret);
    }
}

#[derive(Debug, Clone, Copy)]
enum Action {
    Read,
    Save,
    Remove,
}

impl Action {
    fn verb(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Save => "save",
            Action::Remove => "remove",
        }
    }
}

/// What to do when the keychain cannot be reached, for this operating system.
fn unavailable_help() -> &'static str {
    if cfg!(target_os = "macos") {
        "Unlock your login keychain (in Keychain Access) and try again."
    } else if cfg!(target_os = "windows") {
        "Check that you are logged in to Windows (the Credential Manager keeps the keys) and try again."
    } else {
        "Comment Finder keeps keys in the Secret Service: log in to a desktop session with \
         GNOME Keyring or KWallet running and unlocked, then try again. On a server without one, \
         give the Gemini key in the GEMINI_API_KEY environment variable instead."
    }
}

fn map_error(
    error: keyring::Error,
    which: Secret,
    action: Action,
    secret: Option<&str>,
) -> KeychainError {
    let what = which.describe();
    let verb = action.verb();
    match error {
        keyring::Error::NoStorageAccess(detail) => KeychainError::Unavailable {
            message: format!(
                "The system keychain is locked or not reachable, so your {what} could not be {verb_past} ({}). {}",
                scrub(&detail.to_string(), secret),
                unavailable_help(),
                verb_past = past(action),
            ),
        },
        keyring::Error::PlatformFailure(detail) => {
            let detail = scrub(&detail.to_string(), secret);
            if is_missing_backend(&detail) {
                KeychainError::Unavailable {
                    message: format!(
                        "No system keychain is available, so your {what} could not be {} ({detail}). {}",
                        past(action),
                        unavailable_help()
                    ),
                }
            } else {
                KeychainError::Failed {
                    message: format!("The system keychain could not {verb} your {what}: {detail}."),
                }
            }
        }
        keyring::Error::NoEntry => KeychainError::Failed {
            message: format!("There is no {what} in the system keychain."),
        },
        keyring::Error::BadEncoding(_) => KeychainError::Failed {
            message: format!(
                "The stored {what} is not text. Save it again."
            ),
        },
        keyring::Error::Ambiguous(_) => KeychainError::Failed {
            message: format!(
                "The system keychain holds more than one {what} for Comment Finder. Remove them \
                 and save the key again."
            ),
        },
        keyring::Error::TooLong(attribute, limit) => KeychainError::Failed {
            message: format!(
                "The system keychain could not {verb} your {what}: its {attribute} is longer than the limit of {limit} characters."
            ),
        },
        keyring::Error::Invalid(attribute, reason) => KeychainError::Failed {
            message: format!(
                "The system keychain could not {verb} your {what}: the {attribute} {}.",
                scrub(&reason, secret)
            ),
        },
        other => KeychainError::Failed {
            message: format!(
                "The system keychain could not {verb} your {what}: {}.",
                scrub(&other.to_string(), secret)
            ),
        },
    }
}

fn past(action: Action) -> &'static str {
    match action {
        Action::Read => "read",
        Action::Save => "saved",
        Action::Remove => "removed",
    }
}

/// Linux reports "no D-Bus session" and "no Secret Service provider" as platform failures;
/// they mean there is no keychain to use rather than a failed operation.
fn is_missing_backend(detail: &str) -> bool {
    let lower = detail.to_ascii_lowercase();
    ["dbus", "d-bus", "secret service", "org.freedesktop.secrets"]
        .iter()
        .any(|needle| lower.contains(needle))
}

/// Belt and braces: a platform message never repeats the secret, but if one did, hide it.
fn scrub(text: &str, secret: Option<&str>) -> String {
    let text = text.trim().trim_end_matches('.');
    match secret {
        Some(secret) if !secret.is_empty() => text.replace(secret, "<redacted>"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Echo(String);
    impl fmt::Display for Echo {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "DBus error: could not store {}", self.0)
        }
    }
    impl std::error::Error for Echo {}

    const KEY: &str = "AIzaSyTopSecretValue1234wxyz";

    #[test]
    fn names_parse_and_display() {
        for secret in Secret::ALL {
            assert_eq!(secret.name().parse::<Secret>(), Ok(secret));
            assert_eq!(secret.to_string(), secret.name());
        }
        assert_eq!(" X ".parse::<Secret>(), Ok(Secret::XBearer));
        assert_eq!("Gemini".parse::<Secret>(), Ok(Secret::Gemini));
        let err = "openai".parse::<Secret>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"openai\" is not a key name; use gemini, apify or x."
        );
    }

    #[test]
    fn missing_bus_is_unavailable_with_advice_and_no_secret() {
        let error = map_error(
            keyring::Error::PlatformFailure(Box::new(Echo(KEY.into()))),
            Secret::Gemini,
            Action::Save,
            Some(KEY),
        );
        assert_eq!(error.code(), "keychain_unavailable");
        let text = format!("{error} {error:?}");
        assert!(!text.contains(KEY), "{text}");
        assert!(text.contains("<redacted>"), "{text}");
        assert!(text.contains("GEMINI_API_KEY"), "{text}");
    }

    /// The message says what happened; the CLI adds the command (the app has its Keys screen).
    #[test]
    fn unreadable_key_names_no_command() {
        let error = map_error(
            keyring::Error::BadEncoding(vec![0xff, 0xfe]),
            Secret::Gemini,
            Action::Read,
            None,
        );
        assert_eq!(error.code(), "keychain_failed");
        assert_eq!(
            error.to_string(),
            "The stored Gemini key is not text. Save it again."
        );
    }

    #[test]
    fn locked_store_is_unavailable() {
        let error = map_error(
            keyring::Error::NoStorageAccess(Box::new(std::io::Error::other(
                "Secret Service: object locked",
            ))),
            Secret::Apify,
            Action::Read,
            None,
        );
        assert_eq!(error.code(), "keychain_unavailable");
        assert!(error.to_string().contains("Apify token could not be read"));
    }

    #[test]
    fn bad_encoding_never_shows_the_bytes() {
        let error = map_error(
            keyring::Error::BadEncoding(KEY.as_bytes().to_vec()),
            Secret::Gemini,
            Action::Read,
            None,
        );
        assert_eq!(error.code(), "keychain_failed");
        let text = format!("{error} {error:?}");
        assert!(!text.contains(KEY), "{text}");
        assert!(!text.contains("wxyz"), "{text}");
    }

    #[test]
    fn empty_key_is_refused_before_the_keychain() {
        let keychain = Keychain::with_service("app.commentfinder.unit-test-never-stored");
        let error = keychain
            .set(Secret::Gemini, &ApiKey::new("  \n"))
            .unwrap_err();
        assert_eq!(error.code(), "keychain_failed");
        assert_eq!(
            error.to_string(),
            "The Gemini key is empty, so nothing was saved."
        );
    }

    #[test]
    fn status_debug_and_json_show_only_the_tail() {
        let status = KeyStatus {
            set: true,
            last4: Some(ApiKey::new(KEY).last4()),
        };
        let text = format!(
            "{status:?} {}",
            serde_json::to_string(&status).unwrap_or_default()
        );
        assert!(!text.contains(KEY), "{text}");
        assert!(text.contains("…wxyz"), "{text}");
    }
}
