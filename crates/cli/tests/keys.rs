//! `comment-finder key …` against the real OS keychain (a throwaway service name per test) and
//! the fake Gemini server.
//!
//! Like the keychain crate's tests they need a Secret Service on Linux: `make test` runs them
//! through `scripts/with-keyring.sh`. Without one they print "skipping: no Secret Service",
//! except in CI (`CI` set) or with `COMMENT_FINDER_REQUIRE_KEYCHAIN=1`, where they fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use fake_gemini::{FakeConfig, FakeGemini, FakeServer, DEFAULT_API_KEY};
use keychain::{Keychain, KeychainError, Secret};
use serde_json::Value;

/// A unique keychain service, emptied when dropped; a folder whose database must never appear.
struct Env {
    keychain: Keychain,
    dir: tempfile::TempDir,
}

impl Drop for Env {
    fn drop(&mut self) {
        for secret in Secret::ALL {
            let _ = self.keychain.delete(secret);
        }
    }
}

impl Env {
    fn db(&self) -> PathBuf {
        self.dir.path().join("never-created.db")
    }

    /// Runs the binary with `stdin` piped in, against this keychain and `base_url`.
    fn run(&self, args: &[&str], stdin: &str, base_url: Option<&str>) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_comment-finder"));
        command
            .args(args)
            .env("COMMENT_FINDER_KEYCHAIN_SERVICE", self.keychain.service())
            .env("COMMENT_FINDER_DB", self.db())
            .env_remove("GEMINI_API_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        match base_url {
            Some(url) => command.env("GEMINI_BASE_URL", url),
            // Nothing listens there: a check would fail fast instead of calling Google.
            None => command.env("GEMINI_BASE_URL", "http://127.0.0.1:9"),
        };
        let mut child = command.spawn().unwrap();
        // A command that does not read its input may exit before this write: ignore the
        // broken pipe.
        let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
        let output = child.wait_with_output().unwrap();
        assert!(
            !Path::new(&self.db()).exists(),
            "key commands must not open the database"
        );
        output
    }

    fn json(&self, args: &[&str], stdin: &str, base_url: Option<&str>) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all, stdin, base_url);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{args:?} printed no JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }
}

fn keychain_required() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    ci || std::env::var("COMMENT_FINDER_REQUIRE_KEYCHAIN").is_ok_and(|v| v == "1")
}

fn test_env(test: &str) -> Option<Env> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let env = Env {
        keychain: Keychain::with_service(format!(
            "app.commentfinder.test-cli-{}-{nanos}-{test}",
            std::process::id()
        )),
        dir: tempfile::tempdir().unwrap(),
    };
    let problem = if cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd"
    )) && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
    {
        Some("DBUS_SESSION_BUS_ADDRESS is not set".to_owned())
    } else {
        match env.keychain.status(Secret::Gemini) {
            Err(KeychainError::Unavailable { message }) => Some(message),
            _ => None,
        }
    };
    match problem {
        None => Some(env),
        Some(problem) if keychain_required() => panic!(
            "The key command tests need a Secret Service, and none is reachable: {problem}\n\
             Run the tests through scripts/with-keyring.sh (make test does), or unset CI and \
             COMMENT_FINDER_REQUIRE_KEYCHAIN to skip them."
        ),
        Some(problem) => {
            eprintln!("skipping: no Secret Service ({problem})");
            None
        }
    }
}

/// The fake Gemini server, on a runtime kept alive for the test.
fn fake_gemini() -> (tokio::runtime::Runtime, FakeServer) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let server = runtime
        .block_on(FakeGemini::start(FakeConfig::default()))
        .unwrap();
    (runtime, server)
}

fn last4(key: &str) -> String {
    format!("…{}", &key[key.len() - 4..])
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_valid_gemini_key_is_checked_and_saved() {
    let Some(env) = test_env("valid") else {
        return;
    };
    let (_runtime, server) = fake_gemini();
    let url = server.base_url();

    let saved = env.json(
        &["key", "set", "gemini"],
        &format!("  {DEFAULT_API_KEY}  \n"),
        Some(&url),
    );
    assert_eq!(saved["key"], "gemini");
    assert_eq!(saved["set"], true);
    assert_eq!(saved["checked"], true);
    assert_eq!(saved["last4"], last4(DEFAULT_API_KEY));
    assert!(server.request_count() >= 1, "the key was checked");
    assert_eq!(
        env.keychain.get(Secret::Gemini).unwrap().unwrap().expose(),
        DEFAULT_API_KEY
    );

    // The human sentence.
    let out = env.run(&["key", "set", "gemini"], DEFAULT_API_KEY, Some(&url));
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "Saved your Gemini key ({}) in the system keychain.",
            last4(DEFAULT_API_KEY)
        )
    );
    assert!(!text(&out).contains(DEFAULT_API_KEY));
}

#[test]
fn an_invalid_gemini_key_is_refused_and_nothing_is_stored() {
    let Some(env) = test_env("invalid") else {
        return;
    };
    let (_runtime, server) = fake_gemini();
    let url = server.base_url();
    let bad = "AIzaSyNotARealKeyAtAll0000bad1";

    let out = env.run(&["key", "set", "gemini"], bad, Some(&url));
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("Google says this key is not valid"), "{said}");
    assert!(said.contains("Nothing was saved"), "{said}");
    assert!(!text(&out).contains(bad), "{}", text(&out));
    assert!(!env.keychain.status(Secret::Gemini).unwrap().set);

    // An earlier good key survives a refused one.
    env.json(&["key", "set", "gemini"], DEFAULT_API_KEY, Some(&url));
    let out = env.run(&["--json", "key", "set", "gemini"], bad, Some(&url));
    assert_eq!(out.status.code(), Some(1));
    let error: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(error["error"]["code"], "invalid_input");
    assert_eq!(
        env.keychain.get(Secret::Gemini).unwrap().unwrap().expose(),
        DEFAULT_API_KEY
    );
}

#[test]
fn an_unreachable_server_stores_nothing_unless_no_check() {
    let Some(env) = test_env("offline") else {
        return;
    };
    let key = "AIzaSyCannotBeCheckedRightNow9876";
    let out = env.run(&["key", "set", "gemini"], key, None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("could not be checked"), "{said}");
    assert!(said.contains("--no-check"), "{said}");
    assert!(!env.keychain.status(Secret::Gemini).unwrap().set);

    let saved = env.json(&["key", "set", "gemini", "--no-check"], key, None);
    assert_eq!(saved["checked"], false);
    assert_eq!(saved["last4"], "…9876");
    assert!(env.keychain.status(Secret::Gemini).unwrap().set);
}

#[test]
fn status_lists_every_key_and_never_prints_it() {
    let Some(env) = test_env("status") else {
        return;
    };
    let apify = "apify_api_SecretTokenValue5555";
    let x = "AAAAAAAAAAAAAAAAAAAAAXBearerSecret7777";

    let before = env.json(&["key", "status"], "", None);
    assert_eq!(before["gemini_from_environment"], false);
    let keys = before["keys"].as_array().unwrap();
    let names: Vec<_> = keys.iter().map(|k| k["key"].as_str().unwrap()).collect();
    assert_eq!(names, ["gemini", "apify", "x-bearer"]);
    assert!(keys
        .iter()
        .all(|k| k["set"] == false && k["last4"].is_null()));

    // Apify and X tokens are not checked: no server is needed.
    let saved = env.json(&["key", "set", "apify"], apify, None);
    assert_eq!(saved["checked"], false);
    env.json(&["key", "set", "x"], &format!("{x}\n"), None);

    let after = env.json(&["key", "status"], "", None);
    assert_eq!(after["keys"][0]["set"], false);
    assert_eq!(after["keys"][1]["set"], true);
    assert_eq!(after["keys"][1]["last4"], "…5555");
    assert_eq!(after["keys"][2]["set"], true);
    assert_eq!(after["keys"][2]["last4"], "…7777");

    let out = env.run(&["key", "status"], "", None);
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    assert!(
        shown.contains("…5555") && shown.contains("not set"),
        "{shown}"
    );
    for secret in [apify, x, "SecretToken", "BearerSecret"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    let json_text = serde_json::to_string(&after).unwrap();
    assert!(!json_text.contains(apify) && !json_text.contains(x));
}

#[test]
fn delete_removes_a_key_and_says_when_there_was_none() {
    let Some(env) = test_env("delete") else {
        return;
    };
    env.json(
        &["key", "set", "gemini", "--no-check"],
        "AIzaSyToBeDeletedSoon00001111",
        None,
    );

    let out = env.run(&["key", "delete", "gemini"], "", None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "Removed your Gemini key from the system keychain."
    );
    assert!(!env.keychain.status(Secret::Gemini).unwrap().set);

    let out = env.run(&["key", "delete", "gemini"], "", None);
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "There was no Gemini key in the system keychain."
    );
    let again = env.json(&["key", "delete", "x"], "", None);
    assert_eq!(again["key"], "x-bearer");
    assert_eq!(again["removed"], false);
}

#[test]
fn bad_names_and_empty_input_are_plain_errors() {
    let Some(env) = test_env("errors") else {
        return;
    };
    let out = env.run(&["key", "set", "openai"], "whatever-key-1234", None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not a key name"),
        "{}",
        text(&out)
    );

    let out = env.run(&["key", "set", "apify"], "\n", None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing was saved"),
        "{}",
        text(&out)
    );
    assert!(!env.keychain.status(Secret::Apify).unwrap().set);
}
