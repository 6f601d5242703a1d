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

/// `comment-finder bench-run`: the batch runner against the fake Gemini server with a real
/// quota, on a sped-up clock. Prints limit utilisation, 429s per 100 requests, tokens per
/// post for each posts-per-request value, and the time the work would take in real minutes.
pub async fn run_benchmark(args: &RunBenchArgs, out: &Out) -> Result<(), FinderError> {
    use fake_gemini::{FakeConfig, FakeGemini, QuotaLimits};
    use finder::limiter::{Limiter, Limits};
    use finder::runner::{self, CancelToken, RunContext, RunSettings};
    use finder::scoring::Label;
    use std::sync::Arc;
    use std::time::Duration;

    let scale = args.time_scale.max(1.0);
    let mut rows = Vec::new();
    for &k in &args.per_request {
        let dir = tempfile::tempdir()
            .map_err(|e| FinderError::InvalidInput(format!("No temporary folder: {e}")))?;
        let now = chrono::Utc::now().timestamp();
        let file = dir.path().join("posts.json");
        write_posts(&file, args.posts, now).map_err(|e| FinderError::FileUnwritable {
            path: file.clone(),
            message: e.to_string(),
        })?;
        let (store, _) = Store::open(&dir.path().join("bench.db")).await?;
        let project = projects::create(&store, &sample::settings(), now).await?;
        import::import_file(&store, project.id, &file, now).await?;

        let server = FakeGemini::start(FakeConfig {
            limits: QuotaLimits {
                rpm: Some(args.rpm),
                tpm: Some(args.tpm),
                rpd: None,
            },
            time_scale: scale,
            // Real Gemini answers in a few seconds; the same, on the sped-up clock.
            latency: Duration::from_secs_f64(args.latency_s / scale),
            latency_jitter: Duration::from_secs_f64(args.latency_s / scale / 2.0),
            seed: 11,
            ..FakeConfig::default()
        })
        .await
        .map_err(|e| {
            FinderError::InvalidInput(format!("The fake Gemini server did not start: {e}"))
        })?;
        let client = Arc::new(gemini::Client::new(gemini::ClientConfig {
            base_url: server.base_url(),
            api_key: gemini::ApiKey::new(fake_gemini::DEFAULT_API_KEY),
            request_timeout: Duration::from_secs(60),
        })?);
        // Our limiter works in real time, so it gets the limits at the same speed-up.
        let limits = Limits {
            rpm: (args.rpm as f64 * scale) as u32,
            tpm: Some((args.tpm as f64 * scale) as u64),
            rpd: None,
        };
        let mut settings = RunSettings::defaults("gemini-2.5-flash", limits);
        settings.hours_back = 48.0;
        settings.min_followers = 0;
        settings.max_candidates = args.posts as u32;
        settings.labels = vec![Label::Green, Label::Yellow, Label::Red];
        settings.gate = false;
        settings.batch_size = args.batch_size;
        settings.per_request = k;
        let plan = runner::plan(&store, &project, &settings, now).await?;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
        let limiter = Arc::new(Limiter::new(
            limits,
            0,
            || chrono::Utc::now().timestamp(),
            5,
        ));
        let ctx = RunContext {
            store: store.clone(),
            client,
            limiter: limiter.clone(),
            events: tx,
            cancel: CancelToken::default(),
            wall_clock: || chrono::Utc::now().timestamp(),
            seed: 3,
        };
        let started = std::time::Instant::now();
        let summary = runner::start(&ctx, &project, &settings, &plan).await?;
        let real_s = started.elapsed().as_secs_f64();
        drop(ctx);
        let _ = drain.await;
        let stats = server.stats();
        server.shutdown().await;
        store.close().await;

        let scaled_minutes = real_s * scale / 60.0;
        let accepted = stats
            .generate_requests
            .saturating_sub(stats.quota_rejections);
        // Requests the server accepted per minute, between the first and the last one sent
        // (the first goes at once; the limit governs the spacing after it).
        let span_minutes = limiter
            .admission_span()
            .map(|d| d.as_secs_f64() * scale / 60.0)
            .unwrap_or(0.0);
        let utilisation = if span_minutes > 0.0 {
            (accepted as f64 - 1.0) / span_minutes / args.rpm as f64
        } else {
            0.0
        };
        let posts = summary.succeeded.max(1) as f64;
        rows.push(json!({
            "per_request": k,
            "posts": args.posts,
            "succeeded": summary.succeeded,
            "failed": summary.failed,
            "requests": summary.requests,
            "rejected_429": stats.quota_rejections,
            "rejected_429_per_100_requests": stats.quota_rejections as f64 * 100.0 / summary.requests.max(1) as f64,
            "limit_utilisation": utilisation,
            "input_tokens_per_post": summary.input_tokens as f64 / posts,
            "output_tokens_per_post": summary.output_tokens as f64 / posts,
            "cost_per_post_usd": summary.cost_usd / posts,
            "minutes_at_quota": scaled_minutes,
            "real_seconds": real_s,
        }));
    }
    let mut text = format!(
        "{} posts, free-tier quota {} requests/min and {} input tokens/min, {} requests at once, Gemini latency ~{} s; clock sped up {}×\n\
         posts/request  requests  429s/100  utilisation  in-tokens/post  out-tokens/post  cost/post   time at quota\n",
        args.posts, args.rpm, args.tpm, args.batch_size, args.latency_s, scale
    );
    for r in &rows {
        text.push_str(&format!(
            "{:>13}  {:>8}  {:>8.2}  {:>11.3}  {:>14.0}  {:>15.0}  {:>9}  {:>7.1} min  ({} failed)\n",
            r["per_request"].as_i64().unwrap_or(0),
            r["requests"].as_i64().unwrap_or(0),
            r["rejected_429_per_100_requests"].as_f64().unwrap_or(0.0),
            r["limit_utilisation"].as_f64().unwrap_or(0.0),
            r["input_tokens_per_post"].as_f64().unwrap_or(0.0),
            r["output_tokens_per_post"].as_f64().unwrap_or(0.0),
            finder::prices::format_usd((r["cost_per_post_usd"].as_f64().unwrap_or(0.0) * 1e12) as i64),
            r["minutes_at_quota"].as_f64().unwrap_or(0.0),
            r["failed"].as_i64().unwrap_or(0),
        ));
    }
    out.print(&json!({ "runs": rows }), text.trim_end());
    Ok(())
}

#[derive(clap::Args)]
pub struct RunBenchArgs {
    /// How many posts to generate replies for.
    #[arg(long, default_value_t = 426)]
    pub posts: usize,
    /// The quota's requests per minute (the free tier's 15 by default).
    #[arg(long, default_value_t = 15)]
    pub rpm: u32,
    /// The quota's input tokens per minute.
    #[arg(long, default_value_t = 250_000)]
    pub tpm: u64,
    /// Requests in flight at once.
    #[arg(long, default_value_t = 5)]
    pub batch_size: u32,
    /// Posts-per-request values to compare.
    #[arg(long, value_delimiter = ',', default_value = "1,5,10")]
    pub per_request: Vec<u32>,
    /// Typical Gemini latency to simulate, in seconds.
    #[arg(long, default_value_t = 4.0)]
    pub latency_s: f64,
    /// How much faster than real time the quota clock runs.
    /// (Above ~30× the timer's millisecond resolution starts to show in the utilisation.)
    #[arg(long, default_value_t = 20.0)]
    pub time_scale: f64,
}
