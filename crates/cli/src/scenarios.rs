//! `comment-finder bench-scenarios`: how runs hold up against a harsh provider. Every
//! scenario runs the real run engine against the fake Gemini server on a fresh temporary
//! database and prints what happened, as tables (or one JSON document with `--json`):
//!
//! - A: posts the model leaves out, the daily quota, 429 storms with and without details, a
//!   thinking model, a budget cap, and two processes on one key;
//! - B: the forecast shown before a run next to what the ledger says it cost;
//! - C: the predecessor's job (426 posts at 15 requests a minute) at 1, 10 and 20 posts per
//!   request;
//! - D: limit utilisation of the real `run` command in its own process against the
//!   `fake-gemini` binary in its own, on a real clock.
//!
//! A–C run on a sped-up quota clock: the fake's minute (and day) windows are shortened by
//! `--time-scale`, and our limits are multiplied by the same factor, as `bench-run` does.
//! Benchmarks print figures; nothing here is a pass/fail assertion.

use std::io::{BufRead, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fake_gemini::{FakeConfig, FakeGemini, FakeServer, Fault, QuotaLimits, RandomFaults};
use finder::account_limits::SharedAdmissions;
use finder::engine::{self, GeminiAccess};
use finder::limiter::{Limiter, Limits};
use finder::projects::{self, Project};
use finder::runner::{self, CancelToken, Forecast, RunContext, RunEvent, RunSettings, RunSummary};
use finder::scoring::Label;
use finder::{import, prices, sample, FinderError, Store};
use serde::Serialize;
use serde_json::{json, Value};

use crate::output::Out;

#[derive(clap::Args)]
pub struct ScenarioArgs {
    /// Tables to run, comma-separated: A (harsh provider), B (forecast vs actual),
    /// C (the predecessor's job), D (whole processes, real clock), E (cost per post: one
    /// post per request, ten, and ten at half price through the Batch API).
    #[arg(long, value_delimiter = ',', default_value = "A,B,C,D,E")]
    pub only: Vec<String>,
    /// How many times faster than real time the quota clock runs in tables A–C.
    #[arg(long, default_value_t = 20.0)]
    pub time_scale: f64,
    /// The `fake-gemini` binary for table D (default: the one next to this program).
    #[arg(long)]
    pub fake_bin: Option<PathBuf>,
}

const MODEL: &str = "gemini-2.5-flash";
/// Posts per scenario of table A, and the bench set of table B.
const POSTS: usize = 150;
/// The quota of tables A and B, in (scaled) requests per minute.
const RPM: u32 = 60;
/// Typical Gemini latency, in (scaled) seconds.
const LATENCY_S: f64 = 2.0;
/// The `retryDelay` of an injected per-minute 429, in (scaled) seconds.
const RETRY_DELAY_S: f64 = 5.0;
/// Requests in flight at once (the product's default).
const BATCH: u32 = 5;

pub async fn run(args: &ScenarioArgs, out: &Out) -> Result<(), FinderError> {
    let scale = args.time_scale.max(1.0);
    let wanted = |t: &str| args.only.iter().any(|o| o.trim().eq_ignore_ascii_case(t));
    let started = Instant::now();
    let mut doc = json!({ "time_scale": scale, "debug_build": cfg!(debug_assertions) });
    if cfg!(debug_assertions) {
        out.note("(debug build: use the release build for real figures)");
    }
    for name in ["A", "B", "C", "D", "E"] {
        if !wanted(name) {
            continue;
        }
        let (value, text) = match name {
            "A" => harsh_provider(scale, out).await?,
            "B" => forecast_vs_actual(scale, out).await?,
            "C" => predecessors_job(scale, out).await?,
            "E" => cost_per_post(scale, out).await?,
            _ => whole_processes(args.fake_bin.clone(), out).await?,
        };
        doc[name] = value;
        if !out.json {
            println!("{text}\n");
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    doc["elapsed_s"] = json!(elapsed);
    if out.json {
        out.print(&doc, "");
    } else {
        println!("bench-scenarios took {elapsed:.0} s.");
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// A. Runs against a harsh provider
// ---------------------------------------------------------------------------------------

/// One row of table A.
#[derive(Serialize)]
struct ScenarioRow {
    scenario: String,
    per_request: u32,
    posts: i64,
    /// generateContent requests the fake served (429s included).
    calls: u64,
    /// 429s: the fake's quota windows plus injected ones.
    rejected_429: u64,
    answered: i64,
    failed: i64,
    queued: i64,
    spent_picos: i64,
    cap_picos: Option<i64>,
    real_s: f64,
    /// `real_s` on the quota clock.
    quota_s: f64,
    status: String,
}

/// How a scenario of table A bends the provider and the run.
struct Harsh {
    name: &'static str,
    per_request: u32,
    model: &'static str,
    fake: FakeConfig,
    budget_half: bool,
}

async fn harsh_provider(scale: f64, out: &Out) -> Result<(Value, String), FinderError> {
    let base = || fake(scale, RPM);
    let storm = |fault: Fault| RandomFaults {
        rate: 0.5,
        mix: vec![(fault, 1)],
    };
    let scenarios = [
        Harsh {
            name: "5% of posts never answered",
            per_request: 10,
            model: MODEL,
            fake: FakeConfig {
                omit_rate: 0.05,
                ..base()
            },
            budget_half: false,
        },
        Harsh {
            name: "daily quota runs out after 12 requests",
            per_request: 1,
            model: MODEL,
            fake: FakeConfig {
                limits: QuotaLimits {
                    rpm: Some(RPM),
                    tpm: None,
                    rpd: Some(12),
                },
                ..base()
            },
            budget_half: false,
        },
        Harsh {
            name: "429 storm 50% with RetryInfo",
            per_request: 5,
            model: MODEL,
            fake: FakeConfig {
                random_faults: storm(Fault::Http429),
                ..base()
            },
            budget_half: false,
        },
        Harsh {
            name: "429 storm 50% without details",
            per_request: 5,
            model: MODEL,
            fake: FakeConfig {
                random_faults: storm(Fault::Http429Bare),
                ..base()
            },
            budget_half: false,
        },
        Harsh {
            name: "thinking model at 10 posts per request",
            per_request: 10,
            model: "gemini-3-pro-preview",
            fake: FakeConfig {
                thinking_tokens: 600,
                ..base()
            },
            budget_half: false,
        },
        Harsh {
            name: "budget cap at half the forecast",
            per_request: 5,
            model: MODEL,
            fake: base(),
            budget_half: true,
        },
    ];
    let mut rows = Vec::new();
    for h in scenarios {
        out.note(&format!("A: {}…", h.name));
        rows.push(harsh_row(h, scale).await?);
    }
    out.note("A: two processes on one key…");
    let (row, scaled_share) = two_processes(scale, scale).await?;
    rows.push(row);
    out.note("A: two processes on one key, real clock (about a minute)…");
    let (row, real_share) = two_processes(1.0, scale).await?;
    rows.push(row);

    let mut text = format!(
        "A. Runs against a harsh provider: {POSTS} generated posts each, quota {RPM} requests/min, clock {scale}× faster, Gemini latency ~{LATENCY_S} s, {BATCH} requests at once, embeddings off\n"
    );
    text.push_str(&table(
        &[
            "scenario",
            "posts/req",
            "calls",
            "429s",
            "answered",
            "failed",
            "queued",
            "spent / cap",
            "stopped after (real / at quota)",
            "status",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.scenario.clone(),
                    r.per_request.to_string(),
                    r.calls.to_string(),
                    r.rejected_429.to_string(),
                    r.answered.to_string(),
                    r.failed.to_string(),
                    r.queued.to_string(),
                    format!(
                        "{} / {}",
                        prices::format_usd(r.spent_picos),
                        r.cap_picos.map_or("-".into(), prices::format_usd)
                    ),
                    format!("{:.1} s / {:.1} min", r.real_s, r.quota_s / 60.0),
                    r.status.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    for share in [&scaled_share, &real_share] {
        text.push_str(&format!(
            "\n{}: {} requests in {:.2} quota minutes from first to last, at most {} in any quota minute (limit {}), {} 429s",
            share.label,
            share.requests,
            share.span_minutes,
            share.busiest_minute,
            share.limit,
            share.rejected_429
        ));
    }
    text.push_str(&format!(
        "\nInjected 429s carry a retryDelay of {RETRY_DELAY_S} s on the quota clock; the engine's backoff after a 429 without details runs on the real clock. \
         The shared allowance of two processes is counted in the database over a real 60 s, so only the real-clock row measures it."
    ));
    let value = json!({
        "posts": POSTS, "rpm": RPM, "time_scale": scale, "latency_s": LATENCY_S, "batch_size": BATCH,
        "rows": rows,
        "two_processes": [scaled_share, real_share],
    });
    Ok((value, text))
}

async fn harsh_row(h: Harsh, scale: f64) -> Result<ScenarioRow, FinderError> {
    let bed = Bed::new(h.fake, Posts::Generated(POSTS), 1).await?;
    let mut settings = settings(h.model, scaled(RPM, scale), h.per_request, POSTS);
    if h.budget_half {
        let full = bed.prepare(0, settings.clone()).await?.forecast;
        settings.budget_picos = Some((full.cost_picos / 2).max(1));
    }
    let cap = settings.budget_picos;
    let ran = bed.run(0, settings).await?;
    let stats = bed.server.stats();
    let row = ScenarioRow {
        scenario: h.name.into(),
        per_request: ran.forecast.per_request,
        posts: ran.summary.candidates,
        calls: stats.generate_requests,
        rejected_429: stats.quota_rejections + stats.faults_injected,
        answered: ran.summary.succeeded,
        failed: ran.summary.failed,
        queued: queued(&ran.summary),
        spent_picos: ran.summary.cost_picos,
        cap_picos: cap,
        real_s: ran.real_s,
        quota_s: ran.real_s * scale,
        status: ran.summary.status.to_string(),
    };
    bed.close().await;
    Ok(row)
}

/// How two processes sharing one key used its per-minute allowance (requests timed as their
/// answers came back).
#[derive(Serialize)]
struct Share {
    label: String,
    time_scale: f64,
    limit: u32,
    requests: usize,
    span_minutes: f64,
    average_per_minute: f64,
    busiest_minute: usize,
    rejected_429: u64,
}

/// Two runs on two projects of one database, each with its own limiter (as two processes
/// have), sharing the key's allowance through the database. `scale` is this scenario's
/// clock; `table_scale` only names it.
async fn two_processes(scale: f64, table_scale: f64) -> Result<(ScenarioRow, Share), FinderError> {
    // On the real clock: a quota that a minute of two runs overfills, so the sharing shows.
    let (rpm, posts_each) = if scale > 1.0 {
        (RPM, POSTS / 2)
    } else {
        (120, 70)
    };
    let mut config = fake(scale, rpm);
    if scale <= 1.0 {
        // Requests are timed as they come back: a short latency keeps that close to when
        // they left (and 2 s answers would hold five workers under the limit on their own).
        config.latency = Duration::from_millis(200);
        config.latency_jitter = Duration::from_millis(50);
    }
    let bed = Bed::new(config, Posts::Generated(posts_each), 2).await?;
    let limits = scaled(rpm, scale);
    let settings = settings(MODEL, limits, 1, posts_each);
    let shared = SharedAdmissions {
        store: bed.store.clone(),
        key_tag: "bench-scenarios-shared-key".into(),
        model: MODEL.into(),
    };
    let started = Instant::now();
    let mut runs = Vec::new();
    for (i, project) in bed.projects.iter().enumerate() {
        let plan = runner::plan(&bed.store, project, &settings, now()).await?;
        let limiter =
            Limiter::new(limits, 0, now, 7 + i as u64).with_shared_admissions(shared.clone());
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let ctx = RunContext {
            store: bed.store.clone(),
            client: bed.access.client.clone(),
            limiter: std::sync::Arc::new(limiter),
            events: tx,
            cancel: CancelToken::default(),
            wall_clock: now,
            seed: 5 + i as u64,
            batch: Default::default(),
        };
        runs.push((ctx, plan, request_times(rx)));
    }
    let (a, b) = (&runs[0], &runs[1]);
    let (first, second) = tokio::join!(
        runner::start(&a.0, &bed.projects[0], &settings, &a.1),
        runner::start(&b.0, &bed.projects[1], &settings, &b.1),
    );
    let (first, second) = (first?, second?);
    let real_s = started.elapsed().as_secs_f64();
    let mut times = Vec::new();
    for (ctx, _, recorder) in runs {
        drop(ctx);
        times.extend(recorder.await.unwrap_or_default());
    }
    times.sort();
    let stats = bed.server.stats();
    let quota_minute = Duration::from_secs_f64(60.0 / scale);
    let span_min = match (times.first(), times.last()) {
        (Some(f), Some(l)) => (*l - *f).as_secs_f64() * scale / 60.0,
        _ => 0.0,
    };
    let share = Share {
        label: if scale > 1.0 {
            format!("two processes, clock {table_scale}× faster")
        } else {
            "two processes, real clock".into()
        },
        time_scale: scale,
        limit: rpm,
        requests: times.len(),
        span_minutes: span_min,
        average_per_minute: if span_min > 0.0 {
            (times.len() as f64 - 1.0) / span_min
        } else {
            0.0
        },
        busiest_minute: busiest_window(&times, quota_minute),
        rejected_429: stats.quota_rejections + stats.faults_injected,
    };
    let status = if first.status == second.status {
        format!("{} ×2", first.status)
    } else {
        format!("{} + {}", first.status, second.status)
    };
    let row = ScenarioRow {
        scenario: if scale > 1.0 {
            "two processes on one key".into()
        } else {
            format!("two processes on one key, real clock, {rpm}/min")
        },
        per_request: 1,
        posts: first.candidates + second.candidates,
        calls: stats.generate_requests,
        rejected_429: share.rejected_429,
        answered: first.succeeded + second.succeeded,
        failed: first.failed + second.failed,
        queued: queued(&first) + queued(&second),
        spent_picos: first.cost_picos + second.cost_picos,
        cap_picos: None,
        real_s,
        quota_s: real_s * scale,
        status,
    };
    bed.close().await;
    Ok((row, share))
}

/// The moments a run's request count went up, from its progress events (each request ends
/// with one), until the run drops its sender.
fn request_times(
    mut events: tokio::sync::mpsc::UnboundedReceiver<RunEvent>,
) -> tokio::task::JoinHandle<Vec<Instant>> {
    tokio::spawn(async move {
        let mut times = Vec::new();
        let mut seen = 0u64;
        while let Some(event) = events.recv().await {
            if let RunEvent::Progress(p) = event {
                while seen < p.requests {
                    times.push(Instant::now());
                    seen += 1;
                }
            }
        }
        times
    })
}

/// The most of `times` (sorted) inside any window of length `window`.
fn busiest_window(times: &[Instant], window: Duration) -> usize {
    let mut start = 0;
    let mut most = 0;
    for (end, t) in times.iter().enumerate() {
        while *t - times[start] >= window {
            start += 1;
        }
        most = most.max(end + 1 - start);
    }
    most
}

// ---------------------------------------------------------------------------------------
// B. Forecast vs actual
// ---------------------------------------------------------------------------------------

#[derive(Serialize)]
struct ForecastRow {
    posts: &'static str,
    /// "first run" (no history) or "next run" (with this project's history).
    history: &'static str,
    per_request: u32,
    forecast_cost_picos: i64,
    actual_cost_picos: i64,
    cost_error_percent: f64,
    forecast_posts: i64,
    actual_posts: i64,
    forecast_requests: i64,
    actual_requests: i64,
}

async fn forecast_vs_actual(scale: f64, out: &Out) -> Result<(Value, String), FinderError> {
    let mut rows = Vec::new();
    for (label, posts) in [
        ("sample project", Posts::Sample),
        ("bench set", Posts::Generated(POSTS)),
    ] {
        for k in [1, 5, 10] {
            out.note(&format!("B: {label}, {k} per request…"));
            let bed = Bed::new(fake(scale, RPM), posts, 1).await?;
            // The first run knows no history; the next one forecasts with what the first
            // taught (thinking, re-asks, output per post), on the posts left.
            for (history, max_posts) in [("first run", POSTS / 2), ("next run", POSTS)] {
                let mut run_settings = settings(MODEL, scaled(RPM, scale), k, POSTS);
                run_settings.max_candidates = max_posts as u32;
                let ran = bed.run(0, run_settings).await?;
                let check = runner::forecast_accuracy(&bed.store, Some(bed.projects[0].id), 1)
                    .await?
                    .into_iter()
                    .find(|c| c.run_id == ran.summary.run_id)
                    .ok_or_else(|| {
                        FinderError::InvalidInput("The run stored no forecast.".into())
                    })?;
                rows.push(ForecastRow {
                    posts: label,
                    history,
                    per_request: k,
                    forecast_cost_picos: check.forecast_cost_picos,
                    actual_cost_picos: check.actual_cost_picos,
                    cost_error_percent: check.cost_error_percent,
                    forecast_posts: check.forecast_posts,
                    actual_posts: check.actual_posts,
                    forecast_requests: check.forecast_requests,
                    actual_requests: check.actual_requests,
                });
            }
            bed.close().await;
        }
    }
    let mut text = format!(
        "B. Forecast (engine::prepare, before any call) vs actual (the ledger): {MODEL}, clean provider, target ±10%\n"
    );
    text.push_str(&table(
        &[
            "posts",
            "run",
            "posts/req",
            "forecast cost",
            "actual cost",
            "error",
            "posts (forecast / actual)",
            "requests (forecast / actual)",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.posts.to_string(),
                    r.history.to_string(),
                    r.per_request.to_string(),
                    prices::format_usd(r.forecast_cost_picos),
                    prices::format_usd(r.actual_cost_picos),
                    format!("{:+.1}%", r.cost_error_percent),
                    format!("{} / {}", r.forecast_posts, r.actual_posts),
                    format!("{} / {}", r.forecast_requests, r.actual_requests),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    Ok((json!({ "rows": rows }), text))
}

// ---------------------------------------------------------------------------------------
// C. The predecessor's job
// ---------------------------------------------------------------------------------------

#[derive(Serialize)]
struct JobRow {
    per_request: u32,
    requests: u64,
    rejected_429: u64,
    answered: i64,
    failed: i64,
    queued: i64,
    /// How long the request schedule took on the quota clock.
    minutes_at_quota: f64,
    /// The least it could take: (requests − 1) at the limit.
    minutes_at_limit: f64,
    cost_picos: i64,
    real_s: f64,
}

const JOB_POSTS: usize = 426;
const JOB_RPM: u32 = 15;

async fn predecessors_job(scale: f64, out: &Out) -> Result<(Value, String), FinderError> {
    let mut rows = Vec::new();
    for k in [1, 10, 20] {
        out.note(&format!("C: {JOB_POSTS} posts, {k} per request…"));
        let bed = Bed::new(
            FakeConfig {
                generic_opener_rate: 0.33,
                ..fake(scale, JOB_RPM)
            },
            Posts::Generated(JOB_POSTS),
            1,
        )
        .await?;
        let ran = bed
            .run(0, settings(MODEL, scaled(JOB_RPM, scale), k, JOB_POSTS))
            .await?;
        let stats = bed.server.stats();
        rows.push(JobRow {
            per_request: ran.forecast.per_request,
            requests: stats.generate_requests,
            rejected_429: stats.quota_rejections + stats.faults_injected,
            answered: ran.summary.succeeded,
            failed: ran.summary.failed,
            queued: queued(&ran.summary),
            minutes_at_quota: ran.real_s * scale / 60.0,
            minutes_at_limit: (stats.generate_requests.saturating_sub(1)) as f64 / JOB_RPM as f64,
            cost_picos: ran.summary.cost_picos,
            real_s: ran.real_s,
        });
        bed.close().await;
    }
    let mut text = format!(
        "C. The predecessor's job: {JOB_POSTS} posts at {JOB_RPM} requests/min, a third of first drafts open with generic praise, clock {scale}× faster\n"
    );
    text.push_str(&table(
        &[
            "posts/req",
            "requests",
            "429s",
            "answered",
            "failed",
            "queued",
            "minutes at quota",
            "least possible",
            "cost",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.per_request.to_string(),
                    r.requests.to_string(),
                    r.rejected_429.to_string(),
                    r.answered.to_string(),
                    r.failed.to_string(),
                    r.queued.to_string(),
                    format!("{:.1} min", r.minutes_at_quota),
                    format!("{:.1} min", r.minutes_at_limit),
                    prices::format_usd(r.cost_picos),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    Ok((
        json!({ "posts": JOB_POSTS, "rpm": JOB_RPM, "rows": rows }),
        text,
    ))
}

// ---------------------------------------------------------------------------------------
// E. Cost per post, measured from the ledger
// ---------------------------------------------------------------------------------------

#[derive(Serialize)]
struct CostRow {
    set: &'static str,
    way: &'static str,
    per_request: u32,
    requests: i64,
    answered: i64,
    failed: i64,
    cost_picos: i64,
    cost_per_post_picos: i64,
    real_s: f64,
}

async fn cost_per_post(scale: f64, out: &Out) -> Result<(Value, String), FinderError> {
    // Batch jobs are checked often here: the fake answers them in about two seconds.
    std::env::set_var("COMMENT_FINDER_BATCH_POLL_MS", "100");
    let mut rows = Vec::new();
    let sets: [(&'static str, Posts, usize); 2] = [
        ("sample project", Posts::Sample, 400),
        ("bench set", Posts::Generated(JOB_POSTS), JOB_POSTS),
    ];
    for (set, posts, count) in sets {
        for (way, k, mode) in [
            ("one post per request", 1, runner::RunMode::Standard),
            ("ten per request", 10, runner::RunMode::Standard),
            ("ten per request, batch", 10, runner::RunMode::Batch),
        ] {
            out.note(&format!("E: {set}, {way}…"));
            let bed = Bed::new(
                FakeConfig {
                    generic_opener_rate: 0.33,
                    thinking_tokens: 64,
                    ..fake(scale, 600)
                },
                posts,
                1,
            )
            .await?;
            let mut s = settings(MODEL, scaled(600, scale), k, count);
            s.mode = mode;
            let ran = bed.run(0, s).await?;
            // The run's summary is read from the ledger: every call, at the price it was billed.
            let (requests, cost) = (ran.summary.requests, ran.summary.cost_picos);
            let answered = ran.summary.succeeded;
            rows.push(CostRow {
                set,
                way,
                per_request: k,
                requests,
                answered,
                failed: ran.summary.failed,
                cost_picos: cost,
                cost_per_post_picos: if answered > 0 { cost / answered } else { 0 },
                real_s: ran.real_s,
            });
            bed.close().await;
        }
    }
    let mut text = String::from(
        "E. Cost per answered post, from the ledger (gemini-2.5-flash, a third of first drafts open with generic praise)\n",
    );
    text.push_str(&table(
        &[
            "set", "way", "requests", "answered", "failed", "cost", "per post",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.set.to_owned(),
                    r.way.to_owned(),
                    r.requests.to_string(),
                    r.answered.to_string(),
                    r.failed.to_string(),
                    prices::format_usd(r.cost_picos),
                    prices::format_usd(r.cost_per_post_picos),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    Ok((json!({ "rows": rows }), text))
}

// ---------------------------------------------------------------------------------------
// D. Utilisation as whole processes
// ---------------------------------------------------------------------------------------

#[derive(Serialize)]
struct WholeRow {
    rpm: u32,
    posts: usize,
    /// generateContent requests the fake received, and how many it refused with a 429.
    requests: u64,
    rejected_429: u64,
    /// Accepted requests per minute between the first and the last, over the limit.
    utilisation: f64,
    span_s: f64,
    run_status: String,
    answered: i64,
    failed: i64,
    run_wall_s: f64,
}

/// Seconds of requests each rate gets: enough for the per-minute pacing to show, short
/// enough to keep the command to a few minutes.
const WHOLE_SECONDS: f64 = 45.0;

async fn whole_processes(
    fake_bin: Option<PathBuf>,
    out: &Out,
) -> Result<(Value, String), FinderError> {
    let exe = std::env::current_exe().map_err(|e| {
        FinderError::InvalidInput(format!("This program's own path is unknown: {e}"))
    })?;
    let fake_bin = fake_bin.unwrap_or_else(|| exe.with_file_name("fake-gemini"));
    if !fake_bin.exists() {
        return Err(FinderError::InvalidInput(format!(
            "No fake-gemini binary at {}: build it (`cargo build --release -p fake-gemini --bin fake-gemini`) or pass --fake-bin.",
            fake_bin.display()
        )));
    }
    let mut rows = Vec::new();
    for rpm in [600, 1200] {
        out.note(&format!("D: `comment-finder run` at {rpm} requests/min…"));
        let (exe, fake_bin) = (exe.clone(), fake_bin.clone());
        let row = tokio::task::spawn_blocking(move || whole_process_rate(&exe, &fake_bin, rpm))
            .await
            .map_err(|e| FinderError::InvalidInput(format!("The measurement stopped: {e}")))??;
        rows.push(row);
    }
    let mut text = "D. Whole processes on a real clock: `comment-finder run` (20 requests at once, 1 post per request) against the `fake-gemini` binary (latency ~50 ms)\n".to_string();
    text.push_str(&table(
        &[
            "limit/min",
            "posts",
            "requests",
            "429s",
            "first → last request",
            "utilisation",
            "answered",
            "failed",
            "run took",
            "status",
        ],
        &rows
            .iter()
            .map(|r| {
                vec![
                    r.rpm.to_string(),
                    r.posts.to_string(),
                    r.requests.to_string(),
                    r.rejected_429.to_string(),
                    format!("{:.1} s", r.span_s),
                    format!("{:.1}%", r.utilisation * 100.0),
                    r.answered.to_string(),
                    r.failed.to_string(),
                    format!("{:.1} s", r.run_wall_s),
                    r.run_status.clone(),
                ]
            })
            .collect::<Vec<_>>(),
    ));
    text.push_str("\nutilisation = requests the fake accepted per minute, between the first and the last request it received, over the limit.");
    Ok((json!({ "rows": rows }), text))
}

/// One rate: a database filled by the CLI's own `project create` and `import`, the fake in its
/// own process, and `run` in another, while the fake's counters are read over HTTP.
fn whole_process_rate(exe: &Path, fake_bin: &Path, rpm: u32) -> Result<WholeRow, FinderError> {
    let failed = |what: String| FinderError::InvalidInput(format!("Table D: {what}"));
    let dir = temp_dir()?;
    let posts = (rpm as f64 * WHOLE_SECONDS / 60.0) as usize;
    let file = dir.path().join("posts.json");
    // A few more than the run takes: the gate holds some generated posts back.
    crate::bench::write_posts(&file, posts + posts / 10, now()).map_err(|e| {
        FinderError::FileUnwritable {
            path: file.clone(),
            message: e.to_string(),
        }
    })?;
    let db = dir.path().join("whole.db").to_string_lossy().to_string();
    let file = file.to_string_lossy().to_string();
    cli(
        exe,
        &[
            "--db",
            &db,
            "--no-sample",
            "--json",
            "project",
            "create",
            "bench",
        ],
    )?;
    cli(
        exe,
        &["--db", &db, "--json", "import", &file, "--project", "bench"],
    )?;

    let fake = FakeProcess::start(fake_bin, rpm)?;
    let rpm_arg = rpm.to_string();
    let posts_arg = posts.to_string();
    let started = Instant::now();
    let mut child = std::process::Command::new(exe)
        .args(["--db", &db, "--json", "run", "--project", "bench", "--yes"])
        .args(["--rpm", &rpm_arg, "--embed-rpm", "100000"])
        // The free tier's daily and token limits would stop the run long before the minute
        // does; these are far above what the run sends.
        .args(["--tpm", "100000000", "--rpd", "1000000"])
        .args(["--batch-size", "20", "--per-request", "1"])
        .args(["--min-followers", "0", "--hours-back", "48", "--all-labels"])
        .args(["--max-candidates", &posts_arg])
        .env(engine::BASE_URL_ENV, &fake.base_url)
        .env("GEMINI_API_KEY", fake_gemini::DEFAULT_API_KEY)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("`run` did not start: {e}")))?;
    // The first moment the fake had seen a generate request, and the last moment its count
    // went up, with the accepted counts then.
    let mut first: Option<(Instant, u64)> = None;
    let mut last: Option<(Instant, u64)> = None;
    let mut seen = 0;
    let status = loop {
        if let Some((generate, rejected)) = fake.generate_counts() {
            let accepted = generate.saturating_sub(rejected);
            if generate > 0 && first.is_none() {
                first = Some((Instant::now(), accepted));
            }
            if generate > seen {
                seen = generate;
                last = Some((Instant::now(), accepted));
            }
        }
        match child.try_wait().map_err(|e| failed(e.to_string()))? {
            Some(status) => break status,
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    let run_wall_s = started.elapsed().as_secs_f64();
    let (generate, rejected) = fake.generate_counts().unwrap_or((seen, 0));
    drop(fake);
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut s) = child.stdout.take() {
        let _ = s.read_to_string(&mut stdout);
    }
    if let Some(mut s) = child.stderr.take() {
        let _ = s.read_to_string(&mut stderr);
    }
    let summary: Value = serde_json::from_str(&stdout).map_err(|_| {
        failed(format!(
            "`run` exited with {status} and no summary: {}",
            stderr.trim()
        ))
    })?;
    let (span_s, utilisation) = match (first, last) {
        (Some((t0, n0)), Some((t1, n1))) if t1 > t0 => {
            let span = (t1 - t0).as_secs_f64();
            let per_minute = n1.saturating_sub(n0) as f64 / (span / 60.0);
            (span, per_minute / rpm as f64)
        }
        _ => (0.0, 0.0),
    };
    Ok(WholeRow {
        rpm,
        posts,
        requests: generate,
        rejected_429: rejected,
        utilisation,
        span_s,
        run_status: summary["status"].as_str().unwrap_or("?").to_owned(),
        answered: summary["succeeded"].as_i64().unwrap_or(0),
        failed: summary["failed"].as_i64().unwrap_or(0),
        run_wall_s,
    })
}

/// Runs one command of this program to its end; its stdout on success.
fn cli(exe: &Path, args: &[&str]) -> Result<String, FinderError> {
    let output = std::process::Command::new(exe)
        .args(args)
        .output()
        .map_err(|e| {
            FinderError::InvalidInput(format!("`{}` did not start: {e}", args.join(" ")))
        })?;
    if !output.status.success() {
        return Err(FinderError::InvalidInput(format!(
            "`{}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The `fake-gemini` binary running in its own process; killed when dropped.
struct FakeProcess {
    child: std::process::Child,
    base_url: String,
    addr: String,
}

impl FakeProcess {
    fn start(bin: &Path, rpm: u32) -> Result<FakeProcess, FinderError> {
        let failed = |what: String| FinderError::InvalidInput(format!("fake-gemini: {what}"));
        let mut child = std::process::Command::new(bin)
            .args([
                "--rpm",
                &rpm.to_string(),
                "--latency-ms",
                "50",
                "--jitter-ms",
                "20",
            ])
            .args(["--seed", "5"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| failed(format!("did not start: {e}")))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        }
        let Some(base_url) = line.trim().strip_prefix("listening on ").map(str::to_owned) else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(failed(format!("unexpected first line {:?}", line.trim())));
        };
        let addr = base_url.trim_start_matches("http://").to_owned();
        Ok(FakeProcess {
            child,
            base_url,
            addr,
        })
    }

    /// (generate requests received, of which refused by the quota) from `GET /_fake/stats`.
    fn generate_counts(&self) -> Option<(u64, u64)> {
        let mut stream = std::net::TcpStream::connect(&self.addr).ok()?;
        stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        write!(
            stream,
            "GET /_fake/stats HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).ok()?;
        let (_, body) = response.split_once("\r\n\r\n")?;
        let stats: Value = serde_json::from_str(body).ok()?;
        Some((
            stats["generate_requests"].as_u64()?,
            stats["quota_rejections"].as_u64()?,
        ))
    }
}

impl Drop for FakeProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy)]
enum Posts {
    /// `bench`'s generated Apify posts, into projects with the sample project's settings.
    Generated(usize),
    /// The bundled sample project and its posts.
    Sample,
}

/// A fresh database with its project(s), a fake server, and a key of its own (the engine's
/// limiters are process-wide per key, so no scenario inherits another's pauses or quota).
struct Bed {
    _dir: tempfile::TempDir,
    store: Store,
    server: FakeServer,
    access: GeminiAccess,
    projects: Vec<Project>,
}

/// A run through the engine, and what it forecast.
struct Ran {
    summary: RunSummary,
    forecast: Forecast,
    real_s: f64,
}

impl Bed {
    async fn new(config: FakeConfig, posts: Posts, projects: usize) -> Result<Bed, FinderError> {
        static KEYS: AtomicU64 = AtomicU64::new(0);
        let key = format!(
            "bench-scenarios-{}-{}",
            std::process::id(),
            KEYS.fetch_add(1, Ordering::SeqCst)
        );
        let dir = temp_dir()?;
        let now = now();
        let (store, _) = Store::open(&dir.path().join("bench.db")).await?;
        let mut made = Vec::new();
        match posts {
            Posts::Sample => made.push(sample::load(&store, now).await?.0),
            Posts::Generated(count) => {
                let file = dir.path().join("posts.json");
                crate::bench::write_posts(&file, count, now).map_err(|e| {
                    FinderError::FileUnwritable {
                        path: file.clone(),
                        message: e.to_string(),
                    }
                })?;
                for i in 0..projects {
                    let mut settings = sample::settings();
                    settings.name = format!("bench {}", i + 1);
                    let project = projects::create(&store, &settings, now).await?;
                    import::import_file(&store, project.id, &file, now).await?;
                    made.push(project);
                }
            }
        }
        let server = FakeGemini::start(FakeConfig {
            api_keys: vec![key.clone()],
            ..config
        })
        .await
        .map_err(|e| {
            FinderError::InvalidInput(format!("The fake Gemini server did not start: {e}"))
        })?;
        store
            .set_setting(engine::BASE_URL_SETTING, &json!(server.base_url()))
            .await?;
        engine::confirm_server(&store, &gemini::ApiKey::new(key.as_str())).await?;
        let access = engine::open_gemini(&store, gemini::ApiKey::new(key)).await?;
        Ok(Bed {
            _dir: dir,
            store,
            server,
            access,
            projects: made,
        })
    }

    async fn prepare(
        &self,
        project: usize,
        settings: RunSettings,
    ) -> Result<engine::Prepared, FinderError> {
        engine::prepare(
            &self.store,
            Some(&self.access),
            self.projects[project].id,
            settings,
            now(),
        )
        .await
    }

    /// Prepares and starts a run with the engine, and follows it to its end.
    async fn run(&self, project: usize, settings: RunSettings) -> Result<Ran, FinderError> {
        let prepared = self.prepare(project, settings).await?;
        let forecast = prepared.forecast.clone();
        let started = Instant::now();
        let mut handle = engine::start(&self.store, &self.access, prepared, now).await?;
        while handle.events.recv().await.is_some() {}
        let summary = handle.task.await.map_err(|e| {
            FinderError::InvalidInput(format!("The run stopped unexpectedly: {e}"))
        })??;
        Ok(Ran {
            summary,
            forecast,
            real_s: started.elapsed().as_secs_f64(),
        })
    }

    async fn close(self) {
        self.server.shutdown().await;
        self.store.close().await;
    }
}

/// The fake's quota and latency on a clock `scale` times faster than real time.
fn fake(scale: f64, rpm: u32) -> FakeConfig {
    FakeConfig {
        limits: QuotaLimits {
            rpm: Some(rpm),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: scale,
        latency: Duration::from_secs_f64(LATENCY_S / scale),
        latency_jitter: Duration::from_secs_f64(LATENCY_S / scale / 2.0),
        fault_retry_delay: Duration::from_secs_f64(RETRY_DELAY_S / scale),
        seed: 11,
        ..FakeConfig::default()
    }
}

/// Our limits for a quota of `rpm`, sped up like the fake's clock. No daily limit: where the
/// fake has one, the run meets it as Google's 429.
fn scaled(rpm: u32, scale: f64) -> Limits {
    Limits {
        rpm: (rpm as f64 * scale).round() as u32,
        tpm: None,
        rpd: None,
    }
}

/// Every post of the set is a candidate: no follower, age, label or gate filter.
fn settings(model: &str, limits: Limits, per_request: u32, posts: usize) -> RunSettings {
    let mut s = RunSettings::defaults(model, limits);
    s.hours_back = 48.0;
    s.min_followers = 0;
    s.max_candidates = posts as u32;
    s.labels = vec![Label::Green, Label::Yellow, Label::Red];
    s.gate = false;
    s.batch_size = BATCH;
    s.per_request = per_request;
    s.embeddings = false;
    s
}

/// Posts of a run neither answered nor failed: waiting for a resume.
fn queued(s: &RunSummary) -> i64 {
    (s.candidates - s.gated_out - s.deduped - s.succeeded - s.failed).max(0)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn temp_dir() -> Result<tempfile::TempDir, FinderError> {
    tempfile::tempdir().map_err(|e| FinderError::InvalidInput(format!("No temporary folder: {e}")))
}

/// Aligned text columns: the first left-aligned, the others right-aligned.
fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (cell, &w))| {
                let pad = " ".repeat(w.saturating_sub(cell.chars().count()));
                if i == 0 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    let mut text = line(headers.to_vec());
    for row in rows {
        text.push('\n');
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}
