//! `comment-finder bench`: measures import and scoring speed on generated posts in a
//! throw-away database, and prints rates (not pass/fail: targets are read by people).

use std::io::Write;
use std::time::Instant;

use finder::import::group_thousands;
use finder::posts::{self, PostFilter};
use finder::{import, projects, sample, FinderError, Store};
use serde_json::json;

use crate::output::Out;

const WORDS: [&str; 40] = [
    "ads",
    "creative",
    "cpm",
    "audience",
    "budget",
    "email",
    "reply",
    "rates",
    "deliverability",
    "inbox",
    "seo",
    "content",
    "rankings",
    "search",
    "onboarding",
    "activation",
    "trial",
    "pricing",
    "growth",
    "churn",
    "launch",
    "team",
    "customers",
    "pipeline",
    "founders",
    "week",
    "numbers",
    "test",
    "learned",
    "funnel",
    "today",
    "really",
    "thread",
    "why",
    "how",
    "maybe",
    "think",
    "data",
    "campaign",
    "retention",
];

pub async fn run(count: usize, out: &Out) -> Result<(), FinderError> {
    let dir = tempfile::tempdir()
        .map_err(|e| FinderError::InvalidInput(format!("No temporary folder: {e}")))?;
    let file = dir.path().join("posts.json");
    let now = sample::REFERENCE_TIME;
    write_posts(&file, count, now).map_err(|e| FinderError::FileUnwritable {
        path: file.clone(),
        message: e.to_string(),
    })?;
    let file_mb = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;

    let (store, _) = Store::open(&dir.path().join("bench.db")).await?;
    let project = projects::create(&store, &sample::settings(), now).await?;
    let rss_before = peak_rss_mb();
    let started = Instant::now();
    let report = import::import_file(&store, project.id, &file, now).await?;
    let import_s = started.elapsed().as_secs_f64();
    let rss_after = peak_rss_mb();

    let started = Instant::now();
    let stored = posts::select(&store, project.id, &PostFilter::default()).await?;
    let load_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let scores = posts::score(&project, &stored, now);
    let score_s = started.elapsed().as_secs_f64();
    let started = Instant::now();
    posts::save_scores(&store, project.id, &stored, &scores, now).await?;
    let save_s = started.elapsed().as_secs_f64();
    store.close().await;

    let rate = |n: usize, s: f64| if s > 0.0 { (n as f64 / s) as i64 } else { 0 };
    let value = json!({
        "posts": count,
        "file_mb": file_mb,
        "import_s": import_s,
        "import_posts_per_s": rate(report.added as usize, import_s),
        "peak_rss_mb_before_import": rss_before,
        "peak_rss_mb_after_import": rss_after,
        "load_s": load_s,
        "score_s": score_s,
        "score_posts_per_s": rate(stored.len(), score_s),
        "save_scores_s": save_s,
        "debug_build": cfg!(debug_assertions),
    });
    let text = format!(
        "{build}\nimport: {n} posts ({file_mb:.0} MB of Apify JSON) in {import_s:.2} s = {irate} posts/s; peak memory {rss_after:.0} MB (was {rss_before:.0} MB before the import)\n\
         score:  {scored} posts in {score_s:.3} s = {srate} posts/s (loading them took {load_s:.2} s, saving the scores {save_s:.2} s)",
        build = if cfg!(debug_assertions) { "(debug build: use `cargo run --release -p comment-finder -- bench` for real figures)" } else { "(release build)" },
        n = group_thousands(report.added as i64),
        irate = group_thousands(rate(report.added as usize, import_s)),
        scored = group_thousands(stored.len() as i64),
        srate = group_thousands(rate(stored.len(), score_s)),
    );
    out.print(&value, &text);
    Ok(())
}

/// Peak resident memory of this process so far, from /proc (Linux); 0 elsewhere.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Streams `count` Apify-shaped posts to a file with a small deterministic generator.
fn write_posts(path: &std::path::Path, count: usize, now: i64) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    w.write_all(b"[")?;
    for i in 0..count {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let words: Vec<&str> = (0..(12 + next() % 30))
            .map(|_| WORDS[(next() % WORDS.len() as u64) as usize])
            .collect();
        let mut text = words.join(" ");
        if next() % 4 == 0 {
            text.push('?');
        }
        let author = next() % 5000;
        let followers = 10u64.pow(2 + (next() % 5) as u32) + next() % 1000;
        let posted = now - (next() % 86_400) as i64;
        let created = chrono::DateTime::from_timestamp(posted, 0)
            .map(|t| t.format("%a %b %d %H:%M:%S +0000 %Y").to_string())
            .unwrap_or_default();
        let item = json!({
            "type": "tweet", "id": format!("{}", 1_800_000_000_000_000_000u64 + i as u64),
            "url": format!("https://x.com/user{author}/status/{}", 1_800_000_000_000_000_000u64 + i as u64),
            "text": text, "createdAt": created, "lang": "en",
            "likeCount": next() % 500, "replyCount": next() % 40, "retweetCount": next() % 60,
            "quoteCount": next() % 10, "viewCount": next() % 50_000, "bookmarkCount": next() % 20,
            "isReply": false, "isRetweet": false, "isQuote": false, "isConversationControlled": next() % 50 == 0,
            "author": {"type": "user", "userName": format!("user{author}"), "name": format!("User {author}"),
                       "id": format!("{}", 10_000 + author), "followers": followers, "isVerified": false,
                       "isBlueVerified": next() % 3 == 0, "description": "Marketer. Opinions my own."}
        });
        serde_json::to_writer(&mut w, &item)?;
    }
    w.write_all(b"]")?;
    w.flush()
}
