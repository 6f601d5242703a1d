//! `comment-finder bench`: measures import and scoring speed on generated posts in a
//! throw-away database, and prints rates (not pass/fail: targets are read by people).
//! Generated posts are the size of real Apify items (whole author profiles, ~1.9 KB), and the
//! figures come twice: in-process, and for the real `import` and `score` commands run as
//! child processes (wall time and peak memory, as a user would see them).

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

/// How `bench --write-only` lays out the posts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Layout {
    /// One compact JSON list (Apify's JSON export).
    Array,
    /// A pretty-printed JSON list (indented, one field per line).
    Pretty,
    /// One post per line (Apify's JSONL export).
    Jsonl,
}

#[derive(clap::Args)]
pub struct BenchArgs {
    /// How many posts to generate.
    #[arg(long, default_value_t = 100_000)]
    pub posts: usize,
    /// Only write the generated posts to this file (for measuring the real commands by hand).
    #[arg(long, hide = true)]
    pub write_only: Option<std::path::PathBuf>,
    /// The layout of the generated file.
    #[arg(long, value_enum, default_value_t = Layout::Array, hide = true)]
    pub layout: Layout,
    /// Skip the whole-process measurements (which run this program's own commands).
    #[arg(long, hide = true)]
    pub in_process_only: bool,
    /// Rows of cost ledger to time the Costs screen's queries over (0: skip).
    #[arg(long, default_value_t = 1_000_000)]
    pub ledger_rows: usize,
}

pub async fn run(args: &BenchArgs, out: &Out) -> Result<(), FinderError> {
    let count = args.posts;
    let now = sample::REFERENCE_TIME;
    if let Some(path) = &args.write_only {
        write_layout(path, count, now, args.layout).map_err(|e| FinderError::FileUnwritable {
            path: path.clone(),
            message: e.to_string(),
        })?;
        let mb = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
        out.print(
            &json!({"path": path, "posts": count, "file_mb": mb}),
            &format!(
                "Wrote {} posts ({mb:.0} MB) to {}.",
                group_thousands(count as i64),
                path.display()
            ),
        );
        return Ok(());
    }
    let dir = tempfile::tempdir()
        .map_err(|e| FinderError::InvalidInput(format!("No temporary folder: {e}")))?;
    let file = dir.path().join("posts.json");
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
    drop((stored, scores));

    // The same work as a user runs it: this program's own `import` and `score` commands in a
    // fresh process each, timed from spawn to exit, with the child's peak memory.
    let whole = if args.in_process_only {
        None
    } else {
        Some(whole_process(dir.path(), &file)?)
    };

    let rate = |n: usize, s: f64| if s > 0.0 { (n as f64 / s) as i64 } else { 0 };
    let mut value = json!({
        "posts": count,
        "file_mb": file_mb,
        "import_s": import_s,
        "import_posts_per_s": rate(report.added as usize, import_s),
        "peak_rss_mb_before_import": rss_before,
        "peak_rss_mb_after_import": rss_after,
        "load_s": load_s,
        "score_s": score_s,
        "score_posts_per_s": rate(count, score_s),
        "save_scores_s": save_s,
        "debug_build": cfg!(debug_assertions),
    });
    let mut text = format!(
        "{build}\nin-process import: {n} posts ({file_mb:.0} MB of Apify JSON, realistic author profiles) in {import_s:.2} s = {irate} posts/s; peak memory {rss_after:.0} MB (was {rss_before:.0} MB before the import)\n\
         in-process score:  {scored} posts in {score_s:.3} s = {srate} posts/s (loading them took {load_s:.2} s, saving the scores {save_s:.2} s)",
        build = if cfg!(debug_assertions) { "(debug build: use `cargo run --release -p comment-finder -- bench` for real figures)" } else { "(release build)" },
        n = group_thousands(report.added as i64),
        irate = group_thousands(rate(report.added as usize, import_s)),
        scored = group_thousands(count as i64),
        srate = group_thousands(rate(count, score_s)),
    );
    if let Some(w) = whole {
        text.push_str(&format!(
            "\nwhole process `import`: {:.2} s, peak memory {:.0} MB\nwhole process `score`:  {:.2} s, peak memory {:.0} MB",
            w.import_s, w.import_peak_mb, w.score_s, w.score_peak_mb
        ));
        value["whole_process"] = json!({
            "import_s": w.import_s,
            "import_peak_rss_mb": w.import_peak_mb,
            "score_s": w.score_s,
            "score_peak_rss_mb": w.score_peak_mb,
        });
    }
    if args.ledger_rows > 0 {
        let costs = costs_queries(dir.path(), args.ledger_rows, now).await?;
        text.push_str(&format!(
            "\nCosts screen over {} ledger rows (a year of calls, {} runs): filled in {:.1} s; slowest query {:.0} ms",
            group_thousands(args.ledger_rows as i64),
            group_thousands(costs.runs as i64),
            costs.fill_s,
            costs.queries.iter().map(|(_, ms)| *ms).fold(0.0, f64::max),
        ));
        for (name, ms) in &costs.queries {
            text.push_str(&format!("\n  {name:<34} {ms:>7.1} ms"));
        }
        value["costs"] = json!({
            "ledger_rows": args.ledger_rows,
            "runs": costs.runs,
            "fill_s": costs.fill_s,
            "queries_ms": costs.queries.iter().map(|(n, ms)| json!({"query": n, "ms": ms})).collect::<Vec<_>>(),
        });
    }
    out.print(&value, &text);
    Ok(())
}

struct CostsBench {
    runs: usize,
    fill_s: f64,
    queries: Vec<(String, f64)>,
}

/// Fills a fresh database with `rows` ledger rows over the year before `now` (three projects,
/// a run per 500 calls, nine in ten of them generation calls, a done run item per generation
/// call) and times each query the Costs screen makes, for the ranges it offers.
async fn costs_queries(
    dir: &std::path::Path,
    rows: usize,
    now: i64,
) -> Result<CostsBench, FinderError> {
    use finder::spend::{self, SpendRange, StackBy};
    let (store, _) = Store::open(&dir.join("costs.db")).await?;
    let started = Instant::now();
    let mut project_ids = Vec::new();
    for name in ["Costs A", "Costs B", "Costs C"] {
        project_ids.push(
            projects::create(
                &store,
                &finder::project::ProjectSettings::with_defaults(name),
                now,
            )
            .await?
            .id,
        );
    }
    let runs = rows.div_ceil(500);
    let year = 365 * 86_400_i64;
    let (runs_count, rows_count) = (runs as i64, rows as i64);
    let mut tx = store.write_tx().await?;
    sqlx::query!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
         INSERT INTO runs (project_id, status, settings_json, created_at, elapsed_ms)
         SELECT ?2 + i % 3, 'finished', '{\"model\":\"gemini-2.5-flash\"}', ?3 - ?4 + i * (?4 / ?1), 60000 FROM n",
        runs_count,
        project_ids[0],
        now,
        year,
    )
    .execute(&mut *tx)
    .await?;
    let first_run: i64 = sqlx::query_scalar!(r#"SELECT MIN(id) AS "first!: i64" FROM runs"#)
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
         INSERT INTO api_calls (run_id, project_id, called_at, model, endpoint, attempt, outcome,
             http_status, latency_ms, prompt_tokens, cached_tokens, output_tokens, thinking_tokens,
             input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok, cost_picos)
         SELECT ?2 + i / 500, ?3 + (i / 500) % 3, ?4 - ?5 + i * (?5 / ?1),
             CASE WHEN i % 10 = 0 THEN 'gemini-embedding-001' WHEN i % 7 = 0 THEN 'gemini-2.5-pro' ELSE 'gemini-2.5-flash' END,
             CASE WHEN i % 10 = 0 THEN 'embed' ELSE 'generate' END,
             1, 'ok', 200, 900, 1200, 0, 300, 0, 300000, 2500000, 75000, 1110000000 + i % 1000
         FROM n",
        rows_count,
        first_run,
        project_ids[0],
        now,
        year,
    )
    .execute(&mut *tx)
    .await?;
    // A post per generation call, each a done run item: the "posts answered" counts.
    let author: i64 = sqlx::query_scalar!(
        r#"INSERT INTO authors (handle, updated_at) VALUES ('costbench', ?) RETURNING id AS "id!: i64""#,
        now,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO tweets (id, author_id, text, url, posted_at, source, fetched_at)
         SELECT 'c' || id, ?1, 'cost bench', 'https://x.com/costbench/status/' || id, called_at, 'bench', called_at
         FROM api_calls WHERE endpoint = 'generate'",
        author,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO run_items (run_id, tweet_id, state, attempts, finished_at)
         SELECT run_id, 'c' || id, 'done', 1, called_at FROM api_calls WHERE endpoint = 'generate'",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query!("ANALYZE").execute(store.pool()).await?;
    let fill_s = started.elapsed().as_secs_f64();

    let day = |back: i64| {
        chrono::DateTime::from_timestamp(now - back * 86_400, 0)
            .map(|t| t.with_timezone(&chrono::Local).date_naive().to_string())
    };
    let today = day(0);
    let mut queries = Vec::new();
    for (label, since, project) in [
        ("last 30 days", day(29), None),
        ("last 90 days", day(89), None),
        ("all time", None, None),
        ("last 30 days, one project", day(29), Some(project_ids[1])),
    ] {
        let range = SpendRange::from_local_dates(
            project,
            since.as_deref(),
            since.as_ref().and(today.as_deref()),
        )?;
        // The screen asks these four together; each is timed on its own.
        let t = Instant::now();
        spend::by_day(&store, &range, StackBy::Model).await?;
        queries.push((
            format!("by day and model, {label}"),
            t.elapsed().as_secs_f64() * 1e3,
        ));
        let t = Instant::now();
        spend::overview(&store, &range, now).await?;
        queries.push((
            format!("overview, {label}"),
            t.elapsed().as_secs_f64() * 1e3,
        ));
        let t = Instant::now();
        spend::per_run(&store, &range).await?;
        queries.push((format!("per run, {label}"), t.elapsed().as_secs_f64() * 1e3));
        let t = Instant::now();
        spend::average_per_post(&store, &range).await?;
        queries.push((
            format!("average per post, {label}"),
            t.elapsed().as_secs_f64() * 1e3,
        ));
    }
    store.close().await;
    Ok(CostsBench {
        runs,
        fill_s,
        queries,
    })
}

struct WholeProcess {
    import_s: f64,
    import_peak_mb: f64,
    score_s: f64,
    score_peak_mb: f64,
}

fn whole_process(
    dir: &std::path::Path,
    file: &std::path::Path,
) -> Result<WholeProcess, FinderError> {
    let exe = std::env::current_exe().map_err(|e| {
        FinderError::InvalidInput(format!("This program's own path is unknown: {e}"))
    })?;
    let db = dir.join("whole-process.db");
    let db_arg = db.to_string_lossy().to_string();
    let file_arg = file.to_string_lossy().to_string();
    let base = ["--db", db_arg.as_str(), "--no-sample", "--json"];
    let (_, _) = timed_child(&exe, &base, &["project", "create", "bench"])?;
    let (import_s, import_peak_mb) = timed_child(
        &exe,
        &base,
        &["import", file_arg.as_str(), "--project", "bench"],
    )?;
    let (score_s, score_peak_mb) = timed_child(&exe, &base, &["score", "--project", "bench"])?;
    Ok(WholeProcess {
        import_s,
        import_peak_mb,
        score_s,
        score_peak_mb,
    })
}

/// Runs one command of this program; returns its wall time and peak resident memory. The
/// peak is VmHWM from the child's /proc status, read every few milliseconds while it runs
/// (it only ever grows, so the last reading is the peak up to the final moments).
fn timed_child(
    exe: &std::path::Path,
    base: &[&str],
    args: &[&str],
) -> Result<(f64, f64), FinderError> {
    let failed = |what: String| {
        FinderError::InvalidInput(format!(
            "The benchmark command `{}` failed: {what}",
            args.join(" ")
        ))
    };
    let started = Instant::now();
    let mut child = std::process::Command::new(exe)
        .args(base)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kb = 0.0f64;
    let status = loop {
        if let Some(kb) = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|s| vm_hwm_kb(&s))
        {
            peak_kb = peak_kb.max(kb);
        }
        match child.try_wait().map_err(|e| failed(e.to_string()))? {
            Some(status) => break status,
            None => std::thread::sleep(std::time::Duration::from_millis(5)),
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    if !status.success() {
        let mut message = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = std::io::Read::read_to_string(&mut err, &mut message);
        }
        return Err(failed(message.trim().to_string()));
    }
    Ok((elapsed, peak_kb / 1024.0))
}

fn vm_hwm_kb(status: &str) -> Option<f64> {
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
}

/// Peak resident memory of this process so far, from /proc (Linux); 0 elsewhere.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| vm_hwm_kb(&s))
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Streams `count` Apify-shaped posts to a file as one JSON list.
pub(crate) fn write_posts(path: &std::path::Path, count: usize, now: i64) -> std::io::Result<()> {
    write_layout(path, count, now, Layout::Array)
}

/// Streams `count` posts shaped like Apify's tweet-scraper output, whole author profile
/// included (about 1.9 KB each, as real exports are), with a small deterministic generator.
fn write_layout(
    path: &std::path::Path,
    count: usize,
    now: i64,
    layout: Layout,
) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    match layout {
        Layout::Array => w.write_all(b"[")?,
        Layout::Pretty => w.write_all(b"[\n")?,
        Layout::Jsonl => {}
    }
    for i in 0..count {
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
        let id = 1_800_000_000_000_000_000u64 + i as u64;
        let handle = format!("user{author}");
        // Built apart from the post: one json! this size passes the macro recursion limit.
        let author = json!({
            "type": "user", "userName": handle, "url": format!("https://x.com/{handle}"),
            "id": format!("{}", 10_000 + author), "name": format!("User {author}"),
            "isVerified": false, "isBlueVerified": next() % 3 == 0, "verifiedType": null,
            "profilePicture": format!("https://pbs.twimg.com/profile_images/17{author:08}/abcdEFGH_normal.jpg"),
            "coverPicture": format!("https://pbs.twimg.com/profile_banners/{}/1700000000", 10_000 + author),
            "description": "Growth marketer. Building in public. Writing about paid social, email and the funnel in between. Opinions my own.",
            "location": "Berlin, Germany", "followers": followers, "following": next() % 3000,
            "status": "", "canDm": false, "canMediaTag": true, "createdAt": "Tue Mar 03 10:12:44 +0000 2015",
            "entities": {"description": {"urls": []}, "url": {"urls": [{"display_url": "example.com",
                "expanded_url": "https://example.com", "url": "https://t.co/abc123XYZ", "indices": [0, 23]}]}},
            "fastFollowersCount": 0, "favouritesCount": next() % 90_000, "hasCustomTimelines": true,
            "isTranslator": false, "mediaCount": next() % 900, "statusesCount": next() % 40_000,
            "withheldInCountries": [], "affiliatesHighlightedLabel": {}, "possiblySensitive": false,
            "pinnedTweetIds": [format!("{}", 1_700_000_000_000_000_000u64 + author)]
        });
        let item = json!({
            "type": "tweet", "id": id.to_string(),
            "url": format!("https://x.com/{handle}/status/{id}"),
            "twitterUrl": format!("https://twitter.com/{handle}/status/{id}"),
            "text": text, "source": "Twitter for iPhone",
            "retweetCount": next() % 60, "replyCount": next() % 40, "likeCount": next() % 500,
            "quoteCount": next() % 10, "viewCount": next() % 50_000, "createdAt": created, "lang": "en",
            "bookmarkCount": next() % 20, "isReply": false, "inReplyToId": null,
            "conversationId": id.to_string(), "inReplyToUserId": null, "inReplyToUsername": null,
            "isPinned": false,
            "author": author,
            "extendedEntities": {}, "card": {}, "place": {},
            "entities": {"hashtags": [], "symbols": [], "timestamps": [], "urls": [], "user_mentions": []},
            "isRetweet": false, "isQuote": false, "media": [], "isConversationControlled": next() % 50 == 0
        });
        match layout {
            Layout::Array => {
                if i > 0 {
                    w.write_all(b",")?;
                }
                serde_json::to_writer(&mut w, &item)?;
            }
            Layout::Pretty => {
                if i > 0 {
                    w.write_all(b",\n")?;
                }
                serde_json::to_writer_pretty(&mut w, &item)?;
            }
            Layout::Jsonl => {
                serde_json::to_writer(&mut w, &item)?;
                w.write_all(b"\n")?;
            }
        }
    }
    match layout {
        Layout::Array => w.write_all(b"]")?,
        Layout::Pretty => w.write_all(b"\n]\n")?,
        Layout::Jsonl => {}
    }
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
            batch: Default::default(),
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
