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
