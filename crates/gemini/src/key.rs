//! The API key as a secret value.

use std::fmt;

/// A Gemini API key.
///
/// The key is deliberately hard to leak: `Debug` prints `ApiKey(<redacted>)`, and there is no
/// `Display` or `Serialize`. Read it with [`ApiKey::expose`] only where it goes on the wire, and
/// show [`ApiKey::last4`] in user interfaces.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key. Surrounding whitespace (a common copy-paste accident) is trimmed.
    pub fn new(key: impl Into<String>) -> Self {
        let key: String = key.into();
        Self(key.trim().to_owned())
    }

    /// The raw key, for the `x-goog-api-key` header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// `…wxyz`: the last four characters, for telling keys apart in a UI.
    ///
    /// Keys shorter than eight characters show only `…`, since four characters would reveal
    /// most of them.
    pub fn last4(&self) -> String {
        let chars: Vec<char> = self.0.chars().collect();
        if chars.len() < 8 {
            return "…".to_owned();
        }
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("…{tail}")
    }

    /// True when the key is empty (after trimming).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

impl From<String> for ApiKey {
    fn from(key: String) -> Self {
        Self::new(key)
    }
}

impl From<&str> for ApiKey {
    fn from(key: &str) -> Self {
        Self::new(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let key = ApiKey::new("AIzaSecretSecretwxyz");
        assert_eq!(format!("{key:?}"), "ApiKey(<redacted>)");
        assert_eq!(
            format!("{:#?}", Some(&key)),
            "Some(\n    ApiKey(<redacted>),\n)"
        );
    }

    #[test]
    fn last4_shows_only_the_tail() {
        assert_eq!(ApiKey::new("AIzaSecretSecretwxyz").last4(), "…wxyz");
        assert_eq!(ApiKey::new("short").last4(), "…");
    }

    #[test]
    fn whitespace_is_trimmed() {
        let key = ApiKey::new("  abcdefgh\n");
        assert_eq!(key.expose(), "abcdefgh");
        assert!(ApiKey::new("   ").is_empty());
    }
}
