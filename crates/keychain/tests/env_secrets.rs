//! `GEMINI_API_KEY` is read once and taken out of the process environment, so child
//! processes (the webview's, the browser the app opens) never inherit it. Its own test binary:
//! it changes the process environment.

use std::process::Command;

#[test]
fn the_environment_key_is_kept_but_not_passed_on() {
    std::env::set_var(keychain::GEMINI_KEY_ENV, "env-secret-key-abcd");
    keychain::take_secrets_from_env();

    assert!(std::env::var_os(keychain::GEMINI_KEY_ENV).is_none());
    let child = Command::new("sh")
        .args(["-c", "printf %s \"${GEMINI_API_KEY:-unset}\""])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&child.stdout), "unset");

    // The programs still use it.
    let key = keychain::gemini_key_from_env().expect("the key is kept in the process");
    assert_eq!(key.expose(), "env-secret-key-abcd");
    // Set again later (by nothing we run), it is not read a second time.
    std::env::set_var(keychain::GEMINI_KEY_ENV, "other");
    assert_eq!(
        keychain::gemini_key_from_env().unwrap().expose(),
        "env-secret-key-abcd"
    );
}
