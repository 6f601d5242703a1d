//! Round trips through the real OS keychain, under a throwaway service name per test.
//!
//! They need a Secret Service on Linux. `make test` runs them through `scripts/with-keyring.sh`,
//! which starts an unlocked gnome-keyring on a private D-Bus session. Without one they print
//! "skipping: no Secret Service" and pass, except in CI (`CI` set) or with
//! `COMMENT_FINDER_REQUIRE_KEYCHAIN=1`, where they fail.

use std::time::{SystemTime, UNIX_EPOCH};

use gemini::ApiKey;
use keychain::{key_from_env_or_keychain, KeySource, Keychain, KeychainError, Secret};

/// A keychain under a unique service name that removes its entries when dropped, or `None`
/// (after saying so) when no Secret Service is reachable and none is required.
struct TestKeychain(Keychain);

impl Drop for TestKeychain {
    fn drop(&mut self) {
        for secret in Secret::ALL {
            let _ = self.0.delete(secret);
        }
    }
}

fn keychain_required() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    ci || std::env::var("COMMENT_FINDER_REQUIRE_KEYCHAIN").is_ok_and(|v| v == "1")
}

fn test_keychain(test: &str) -> Option<TestKeychain> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let keychain = TestKeychain(Keychain::with_service(format!(
        "app.commentfinder.test-{}-{nanos}-{test}",
        std::process::id()
    )));
    let problem = if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
    {
        Some("DBUS_SESSION_BUS_ADDRESS is not set".to_owned())
    } else {
        match keychain.0.status(Secret::Gemini) {
            Err(KeychainError::Unavailable { message }) => Some(message),
            _ => None,
        }
    };
    match problem {
        None => Some(keychain),
        Some(problem) if keychain_required() => panic!(
            "The keychain tests need a Secret Service, and none is reachable: {problem}\n\
             Run the tests through scripts/with-keyring.sh (make test does), or unset CI and \
             COMMENT_FINDER_REQUIRE_KEYCHAIN to skip them."
        ),
        Some(problem) => {
            eprintln!("skipping: no Secret Service ({problem})");
            None
        }
    }
}

const FIRST: &str = "AIzaSyFirstTestKeyValue00001abcd";
const SECOND: &str = "AIzaSySecondTestKeyValue0002wxyz";

#[test]
fn set_status_get_overwrite_delete() {
    let Some(kc) = test_keychain("roundtrip") else {
        return;
    };
    let kc = &kc.0;

    let status = kc.status(Secret::Gemini).unwrap();
    assert!(!status.set);
    assert_eq!(status.last4, None);

    // Surrounding whitespace from a paste is not stored.
    kc.set(Secret::Gemini, &ApiKey::new(format!("  {FIRST}\n")))
        .unwrap();
    let status = kc.status(Secret::Gemini).unwrap();
    assert!(status.set);
    assert_eq!(status.last4.as_deref(), Some("…abcd"));
    assert_eq!(kc.get(Secret::Gemini).unwrap().unwrap().expose(), FIRST);

    kc.set(Secret::Gemini, &ApiKey::new(SECOND)).unwrap();
    assert_eq!(kc.get(Secret::Gemini).unwrap().unwrap().expose(), SECOND);
    assert_eq!(
        kc.status(Secret::Gemini).unwrap().last4.as_deref(),
        Some("…wxyz")
    );

    // The other secrets are separate entries.
    assert!(kc.get(Secret::Apify).unwrap().is_none());
    assert!(!kc.status(Secret::XBearer).unwrap().set);

    assert!(kc.delete(Secret::Gemini).unwrap());
    let status = kc.status(Secret::Gemini).unwrap();
    assert!(!status.set);
    assert_eq!(status.last4, None);
    assert!(kc.get(Secret::Gemini).unwrap().is_none());
    assert!(
        !kc.delete(Secret::Gemini).unwrap(),
        "nothing left to delete"
    );
}

#[test]
fn each_secret_round_trips_independently() {
    let Some(kc) = test_keychain("each") else {
        return;
    };
    let kc = &kc.0;
    let values = [
        (Secret::Gemini, "gemini-key-value-1111"),
        (Secret::Apify, "apify_api_token_2222"),
        (Secret::XBearer, "AAAAAAAAAAAAAAAAAAAAAx%2Bbearer3333"),
    ];
    for (secret, value) in values {
        kc.set(secret, &ApiKey::new(value)).unwrap();
    }
    for (secret, value) in values {
        assert_eq!(kc.get(secret).unwrap().unwrap().expose(), value);
    }
    assert!(kc.delete(Secret::Apify).unwrap());
    assert!(kc.get(Secret::Apify).unwrap().is_none());
    assert!(kc.get(Secret::Gemini).unwrap().is_some());
    assert!(kc.get(Secret::XBearer).unwrap().is_some());
}

#[test]
fn empty_value_is_refused_and_nothing_is_stored() {
    let Some(kc) = test_keychain("empty") else {
        return;
    };
    let kc = &kc.0;
    let error = kc.set(Secret::Apify, &ApiKey::new(" \t\n")).unwrap_err();
    assert_eq!(error.code(), "keychain_failed");
    assert!(!kc.status(Secret::Apify).unwrap().set);
}

#[test]
fn debug_output_never_contains_the_key() {
    let Some(kc) = test_keychain("debug") else {
        return;
    };
    let kc = &kc.0;
    kc.set(Secret::Gemini, &ApiKey::new(FIRST)).unwrap();

    let status = kc.status(Secret::Gemini).unwrap();
    let got = kc.get(Secret::Gemini).unwrap();
    let json = serde_json::to_string(&status).unwrap();
    let shown = format!("{status:?} {status:#?} {got:?} {kc:?} {json}");
    assert!(!shown.contains(FIRST), "{shown}");
    assert!(!shown.contains("FirstTestKey"), "{shown}");
    assert!(shown.contains("…abcd"), "{shown}");

    let error = kc.set(Secret::Gemini, &ApiKey::new("")).unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(FIRST), "{shown}");
    // The refused empty value did not replace the stored key.
    assert_eq!(kc.get(Secret::Gemini).unwrap().unwrap().expose(), FIRST);
}

/// The only test that reads GEMINI_API_KEY. The variable is read once per process (then
/// taken out of the environment), so it is set before the first read.
#[test]
fn environment_wins_over_the_keychain() {
    let Some(kc) = test_keychain("env") else {
        return;
    };
    let kc = &kc.0;
    kc.set(Secret::Gemini, &ApiKey::new(FIRST)).unwrap();
    assert_eq!(kc.get(Secret::Gemini).unwrap().unwrap().expose(), FIRST);

    std::env::set_var("GEMINI_API_KEY", format!(" {SECOND} "));
    let (key, source) = key_from_env_or_keychain(kc).unwrap().unwrap();
    assert_eq!((key.expose(), source), (SECOND, KeySource::Environment));
    // Taken out of the environment, still the one in use.
    assert!(std::env::var_os("GEMINI_API_KEY").is_none());
    let (key, source) = key_from_env_or_keychain(kc).unwrap().unwrap();
    assert_eq!((key.expose(), source), (SECOND, KeySource::Environment));
}
