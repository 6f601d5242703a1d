//! Where the engine sends the key: a stored address is parsed (plain http only to this
//! computer), and a key goes to a stored non-Google server only once the user confirmed that
//! key for that host. `GEMINI_BASE_URL` (the user's own environment) is checked the same way.
//! One test function: it changes the process environment.

mod common;

use common::*;
use finder::engine::{self, ServerSource};
use gemini::ApiKey;

#[tokio::test]
async fn the_key_goes_only_to_checked_and_confirmed_servers() {
    std::env::remove_var(engine::BASE_URL_ENV);
    let db = db().await;
    let key = ApiKey::new("server-test-key-0000");
    let store = &db.store;

    // Nothing stored: Google, no confirmation needed.
    let server = engine::gemini_server(store).await.unwrap();
    assert_eq!(server.source, ServerSource::Google);
    assert!(engine::open_gemini(store, key.clone()).await.is_ok());

    // A planted address that fails the rule is an error, never a quiet fallback.
    for planted in [
        "http://localhost.evil.tld",
        "http://127.0.0.1@evil.tld",
        "http://evil.tld",
        "http://[::2]:80",
    ] {
        store
            .set_setting(engine::BASE_URL_SETTING, &serde_json::json!(planted))
            .await
            .unwrap();
        let e = engine::base_url(store).await.unwrap_err();
        assert_eq!(e.code(), "unsafe_server_address", "{planted}");
        let e = engine::open_gemini(store, key.clone()).await.unwrap_err();
        assert_eq!(e.code(), "unsafe_server_address", "{planted}");
    }

    // Loopback and https addresses pass the rule, but the key waits for confirmation.
    for allowed in [
        "http://127.0.0.1:9",
        "http://localhost:8080",
        "http://[::1]:7",
        "https://proxy.example.com",
    ] {
        store
            .set_setting(engine::BASE_URL_SETTING, &serde_json::json!(allowed))
            .await
            .unwrap();
        assert_eq!(engine::base_url(store).await.unwrap(), allowed);
        let e = engine::open_gemini(store, key.clone()).await.unwrap_err();
        assert_eq!(e.code(), "server_not_confirmed", "{allowed}");
        engine::confirm_server(store, &key).await.unwrap();
        assert!(
            engine::open_gemini(store, key.clone()).await.is_ok(),
            "{allowed}"
        );
        // Confirmed for this key only.
        let other = ApiKey::new("another-key-1111");
        assert_eq!(
            engine::open_gemini(store, other).await.unwrap_err().code(),
            "server_not_confirmed"
        );
    }
    // The database holds no key, only one-way tags.
    let tags = store
        .setting(engine::SERVER_CONFIRMATIONS_SETTING)
        .await
        .unwrap()
        .unwrap()
        .to_string();
    assert!(!tags.contains("server-test-key"), "{tags}");

    // The environment's address is the user's own: checked, used without confirmation, and
    // winning over the stored one.
    std::env::set_var(engine::BASE_URL_ENV, "http://127.0.0.1:19");
    let server = engine::gemini_server(store).await.unwrap();
    assert_eq!(server.source, ServerSource::Environment);
    assert!(engine::open_gemini(store, ApiKey::new("third-key-2222"))
        .await
        .is_ok());
    std::env::set_var(engine::BASE_URL_ENV, "http://localhost.evil.tld:80");
    assert_eq!(
        engine::open_gemini(store, key.clone())
            .await
            .unwrap_err()
            .code(),
        "unsafe_server_address"
    );
    std::env::remove_var(engine::BASE_URL_ENV);
}
