#![allow(dead_code)]
//! Shared test fixtures: a real SQLite database in a temp folder and Apify-shaped posts.

use finder::project::{ProjectSettings, Topic};
use finder::projects::{self, Project};
use finder::Store;
use serde_json::{json, Value};

pub const NOW: i64 = 1_795_867_200; // 2026-11-28T12:00:00Z

pub struct TestDb {
    pub store: Store,
    pub dir: tempfile::TempDir,
}

pub async fn db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let (store, _) = Store::open(&dir.path().join("test.db")).await.unwrap();
    TestDb { store, dir }
}

pub fn settings(name: &str) -> ProjectSettings {
    let mut s = ProjectSettings::with_defaults(name);
    s.topics = vec![
        Topic {
            label: "cold email".into(),
            description: "Outbound cold email: deliverability, sequences, reply rates".into(),
            examples: vec!["Reply rates doubled once we cut the sequence to three emails".into()],
        },
        Topic {
            label: "facebook ads".into(),
            description: "Paid acquisition on Meta: creatives, CPMs, audiences".into(),
            examples: vec![],
        },
    ];
    s.sources.avoid_keywords = vec!["giveaway".into()];
    s
}

pub async fn project(db: &TestDb, name: &str) -> Project {
    projects::create(&db.store, &settings(name), NOW)
        .await
        .unwrap()
}

/// An Apify tweet-scraper item posted `minutes_ago` before NOW.
pub fn apify(
    id: u64,
    text: &str,
    handle: &str,
    followers: i64,
    likes: i64,
    minutes_ago: i64,
) -> Value {
    let created = chrono::DateTime::from_timestamp(NOW - minutes_ago * 60, 0)
        .unwrap()
        .format("%a %b %d %H:%M:%S +0000 %Y")
        .to_string();
    json!({
        "type": "tweet", "id": id.to_string(), "url": format!("https://x.com/{handle}/status/{id}"),
        "text": text, "createdAt": created, "lang": "en",
        "likeCount": likes, "replyCount": likes / 10, "retweetCount": likes / 20, "quoteCount": 0,
        "viewCount": likes * 40, "bookmarkCount": 0, "isReply": false, "isRetweet": false, "isQuote": false,
        "isConversationControlled": false,
        "author": {"type": "user", "userName": handle, "name": handle.to_uppercase(), "id": "99",
                   "followers": followers, "isVerified": false, "isBlueVerified": false}
    })
}

pub fn write(db: &TestDb, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = db.dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

pub async fn count(db: &TestDb, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(db.store.pool())
        .await
        .unwrap()
}

/// A database with the sample project, a fake Gemini server, and a key of the test's own (the
/// engine's limiters are per key and process-wide, so tests do not share them). The key is
/// confirmed for the fake's address, as saving it does.
pub struct EngineHarness {
    pub db: TestDb,
    pub project: Project,
    pub server: fake_gemini::FakeServer,
    pub access: finder::engine::GeminiAccess,
}

pub async fn engine_harness(key: &str, config: fake_gemini::FakeConfig) -> EngineHarness {
    use finder::engine;
    let db = db().await;
    let (project, _) = finder::sample::load(&db.store, chrono::Utc::now().timestamp())
        .await
        .unwrap();
    let server = fake_gemini::FakeGemini::start(fake_gemini::FakeConfig {
        api_keys: vec![key.to_owned()],
        ..config
    })
    .await
    .unwrap();
    db.store
        .set_setting(engine::BASE_URL_SETTING, &json!(server.base_url()))
        .await
        .unwrap();
    engine::confirm_server(&db.store, &gemini::ApiKey::new(key))
        .await
        .unwrap();
    let access = engine::open_gemini(&db.store, gemini::ApiKey::new(key))
        .await
        .unwrap();
    EngineHarness {
        db,
        project,
        server,
        access,
    }
}

/// A run's posts (queued, done, failed).
pub async fn item_states(store: &Store, run_id: i64) -> (i64, i64, i64) {
    sqlx::query_as(
        "SELECT coalesce(SUM(state = 'queued'), 0), coalesce(SUM(state = 'done'), 0), coalesce(SUM(state = 'failed'), 0)
         FROM run_items WHERE run_id = ?",
    )
    .bind(run_id)
    .fetch_one(store.pool())
    .await
    .unwrap()
}
