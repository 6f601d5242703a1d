//! The batch runner against the fake Gemini server over real HTTP: full runs, faults,
//! quota storms, cancel and resume, and the ledger checked against the server's billing.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use fake_gemini::{FakeConfig, FakeGemini, FakeServer, Fault, QuotaLimits, RandomFaults};
use finder::limiter::{Limiter, Limits};
use finder::runner::{self, CancelToken, RunContext, RunEvent, RunSettings, RunSummary};
use finder::{prices, projects::Project, sample, Store};
use tokio::sync::mpsc;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn client(server: &FakeServer, key: &str) -> Arc<gemini::Client> {
    Arc::new(
        gemini::Client::new(gemini::ClientConfig {
            base_url: server.base_url(),
            api_key: gemini::ApiKey::new(key),
            // Short, so the injected hang is cut quickly.
            request_timeout: Duration::from_secs(2),
        })
        .unwrap(),
    )
}

struct Harness {
    db: TestDb,
    project: Project,
    server: FakeServer,
}

async fn harness(config: FakeConfig) -> Harness {
    let db = db().await;
    let (project, _) = sample::load(&db.store, now()).await.unwrap();
    let server = FakeGemini::start(config).await.unwrap();
    Harness {
        db,
        project,
        server,
    }
}

fn settings(limits: Limits) -> RunSettings {
    let mut s = RunSettings::defaults("gemini-2.5-flash", limits);
    s.min_followers = 0;
    s.hours_back = 48.0;
    // These scenarios were written for one post per request (the old default); the packed
    // default is covered in run_engine.rs.
    s.per_request = 1;
    s
}

fn unlimited() -> Limits {
    Limits {
        rpm: 60_000,
        tpm: None,
        rpd: None,
    }
}

fn context(
    h: &Harness,
    limits: Limits,
    key: &str,
) -> (RunContext, mpsc::UnboundedReceiver<RunEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let ctx = RunContext {
        store: h.db.store.clone(),
        client: client(&h.server, key),
        limiter: Arc::new(Limiter::new(limits, 0, now, 42)),
        events: tx,
        cancel: CancelToken::default(),
        wall_clock: now,
        seed: 7,
        batch: Default::default(),
    };
    (ctx, rx)
}

async fn run(h: &Harness, settings: &RunSettings) -> (RunSummary, Vec<RunEvent>) {
    let (ctx, mut rx) = context(h, settings.limits, fake_gemini::DEFAULT_API_KEY);
    let plan = runner::plan(&h.db.store, &h.project, settings, now())
        .await
        .unwrap();
    let summary = runner::start(&ctx, &h.project, settings, &plan)
        .await
        .unwrap();
    drop(ctx);
    let mut events = Vec::new();
    while let Some(e) = rx.recv().await {
        events.push(e);
    }
    (summary, events)
}

/// The ledger must match what the server billed, token for token, and its cost must be the
/// tokens times the price.
async fn assert_ledger_matches_billing(store: &Store, server: &FakeServer) {
    let billed = server.billing_totals();
    let row: (i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), coalesce(SUM(prompt_tokens),0), coalesce(SUM(output_tokens),0),
                coalesce(SUM(thinking_tokens),0), coalesce(SUM(cost_picos),0)
         FROM api_calls WHERE http_status = 200",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(row.0 as u64, billed.calls, "billed calls");
    assert_eq!(row.1 as u64, billed.prompt_tokens, "prompt tokens");
    assert_eq!(row.2 as u64, billed.output_tokens, "output tokens");
    assert_eq!(row.3 as u64, billed.thinking_tokens, "thinking tokens");
    let price = prices::current(store, "gemini-2.5-flash")
        .await
        .unwrap()
        .unwrap();
    let expected = billed.prompt_tokens as i64 * price.input_micros_per_mtok
        + (billed.output_tokens + billed.thinking_tokens) as i64 * price.output_micros_per_mtok;
    assert_eq!(row.4, expected, "cost in pico-dollars");
    let unbilled: i64 = sqlx::query_scalar("SELECT coalesce(SUM(cost_picos),0) FROM api_calls WHERE http_status IS NULL OR http_status != 200")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(unbilled, 0, "failed HTTP calls cost nothing");
}

async fn duplicates(store: &Store) -> i64 {
    sqlx::query_scalar(
        // The sample project's own hand-written drafts (sample = 1) sit beside a run's.
        "SELECT COUNT(*) FROM (SELECT tweet_id, reply_type, COUNT(*) c FROM suggestions WHERE sample = 0
         GROUP BY tweet_id, reply_type HAVING c > 1)",
    )
    .fetch_one(store.pool())
    .await
    .unwrap()
}

#[tokio::test]
async fn a_full_run_on_the_sample_project() {
    let h = harness(FakeConfig {
        thinking_tokens: 50,
        ..FakeConfig::default()
    })
    .await;
    let s = settings(unlimited());
    let (summary, events) = run(&h, &s).await;
    assert_eq!(summary.status, "finished");
    assert!(summary.succeeded >= 20, "{summary:?}");
    assert_eq!(summary.failed, 0, "{summary:?}");
    assert!(
        summary.gated_out > 0,
        "sample has spam, reposts and foreign posts"
    );
    assert_eq!(summary.requests as u64, h.server.stats().generate_requests);
    assert!(summary.suggestions >= summary.succeeded, "{summary:?}");
    assert!(summary.cost_picos > 0);
    assert!(summary
        .sentence()
        .contains(&format!("{} succeeded, 0 failed · $", summary.succeeded)));
    assert!(matches!(events.first(), Some(RunEvent::Started { .. })));
    assert!(matches!(events.last(), Some(RunEvent::Finished(_))));
    let last_progress = events
        .iter()
        .rev()
        .find_map(|e| match e {
            RunEvent::Progress(p) => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(last_progress.done as i64, summary.succeeded);
    assert_eq!(last_progress.eta_s, Some(0.0));
    assert_ledger_matches_billing(&h.db.store, &h.server).await;
    // Gated posts never cost a call: no suggestion, no ledger row for them.
    let gated_with_drafts: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM run_items i JOIN suggestions s ON s.tweet_id = i.tweet_id WHERE i.state = 'gated'",
    )
    .fetch_one(h.db.store.pool())
    .await
    .unwrap();
    assert_eq!(gated_with_drafts, 0);
    // A second run skips every post already answered.
    let (again, _) = run(&h, &s).await;
    assert_eq!(again.succeeded, 0);
    assert_eq!(again.deduped, summary.succeeded);
    assert_eq!(duplicates(&h.db.store).await, 0);
}

#[tokio::test]
async fn several_posts_per_request_use_fewer_requests() {
    let h = harness(FakeConfig::default()).await;
    let mut s = settings(unlimited());
    s.per_request = 5;
    let (summary, _) = run(&h, &s).await;
    assert_eq!(summary.failed, 0);
    assert_eq!(summary.requests, (summary.succeeded + 4) / 5, "{summary:?}");
    assert_ledger_matches_billing(&h.db.store, &h.server).await;
}

#[tokio::test]
async fn faults_lose_no_post_and_every_billed_call_is_recorded() {
    let h = harness(FakeConfig {
        scripted_faults: vec![
            Fault::Http503,
            Fault::Http500,
            Fault::MaxTokens,
            Fault::Safety,
            Fault::InvalidJson,
            Fault::Http429,
            Fault::Recitation,
            Fault::Hang,
        ],
        random_faults: RandomFaults::with_rate(0.25),
        fault_retry_delay: Duration::from_millis(200),
        seed: 3,
        thinking_tokens: 20,
        ..FakeConfig::default()
    })
    .await;
    let mut s = settings(unlimited());
    s.per_request = 3;
    s.max_attempts = 6;
    let (summary, _) = run(&h, &s).await;
    let plan_size = summary.candidates - summary.gated_out - summary.deduped;
    assert_eq!(
        summary.succeeded + summary.failed,
        plan_size,
        "every post ends done or failed: {summary:?}"
    );
    assert!(summary.retries > 0);
    assert!(
        summary.succeeded as f64 >= 0.8 * plan_size as f64,
        "{summary:?}"
    );
    let unexplained: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM run_items WHERE state = 'failed' AND error_message IS NULL",
    )
    .fetch_one(h.db.store.pool())
    .await
    .unwrap();
    assert_eq!(unexplained, 0, "every failed post says why");
    assert_ledger_matches_billing(&h.db.store, &h.server).await;
    assert_eq!(duplicates(&h.db.store).await, 0);
}

#[tokio::test]
async fn a_429_storm_pauses_the_limiter_and_loses_nothing() {
    // The server allows 15 requests per (scaled) minute; we claim 40, so it pushes back.
    let h = harness(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(15),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 60.0,
        ..FakeConfig::default()
    })
    .await;
    let mut s = settings(Limits {
        rpm: 40 * 60,
        tpm: None,
        rpd: None,
    });
    s.batch_size = 10;
    let (summary, events) = run(&h, &s).await;
    assert_eq!(summary.failed, 0, "{summary:?}");
    assert_eq!(summary.status, "finished");
    let rejected = h.server.stats().quota_rejections;
    assert!(rejected > 0, "the storm happened");
    assert!(events.iter().any(|e| matches!(e, RunEvent::Paused { .. })));
    assert_ledger_matches_billing(&h.db.store, &h.server).await;

    // With the true limit the same work sees (almost) no 429s.
    let h = harness(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(15),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 60.0,
        ..FakeConfig::default()
    })
    .await;
    let mut s = settings(Limits {
        rpm: 15 * 60,
        tpm: None,
        rpd: None,
    });
    s.batch_size = 10;
    let (summary, _) = run(&h, &s).await;
    assert_eq!(summary.failed, 0);
    let rejected = h.server.stats().quota_rejections as f64;
    assert!(
        rejected / (summary.requests as f64) < 0.03,
        "{rejected} 429s in {} requests",
        summary.requests
    );
}

#[tokio::test]
async fn an_invalid_key_stops_the_run_with_one_clear_error() {
    let h = harness(FakeConfig::default()).await;
    let s = settings(unlimited());
    let (ctx, _rx) = context(&h, s.limits, "not-a-real-key");
    let plan = runner::plan(&h.db.store, &h.project, &s, now())
        .await
        .unwrap();
    let summary = runner::start(&ctx, &h.project, &s, &plan).await.unwrap();
    assert_eq!(summary.status, "failed");
    assert!(
        summary
            .error
            .as_deref()
            .unwrap()
            .contains("API key is not valid"),
        "{summary:?}"
    );
    assert!(
        summary.requests <= s.batch_size as i64,
        "stopped at once: {summary:?}"
    );
    assert_eq!(summary.succeeded, 0);
}

#[tokio::test]
async fn cancel_then_resume_finishes_without_duplicates() {
    let h = harness(FakeConfig {
        latency: Duration::from_millis(30),
        ..FakeConfig::default()
    })
    .await;
    let mut s = settings(unlimited());
    s.batch_size = 2;
    let (ctx, mut rx) = context(&h, s.limits, fake_gemini::DEFAULT_API_KEY);
    let plan = runner::plan(&h.db.store, &h.project, &s, now())
        .await
        .unwrap();
    let cancel = ctx.cancel.clone();
    let watcher = tokio::spawn(async move {
        while let Some(e) = rx.recv().await {
            if let RunEvent::Progress(p) = e {
                if p.done >= 5 {
                    cancel.cancel();
                }
            }
        }
    });
    let first = runner::start(&ctx, &h.project, &s, &plan).await.unwrap();
    assert_eq!(first.status, "cancelled");
    assert!(
        first.succeeded >= 5 && (first.succeeded as usize) < plan.send.len(),
        "{first:?}"
    );
    drop(ctx);
    watcher.await.unwrap();

    let (ctx, _rx) = context(&h, s.limits, fake_gemini::DEFAULT_API_KEY);
    // A resume reads the run's stored settings once, then hands them to the executor.
    let stored = runner::run_store::stored_run(&h.db.store, first.run_id)
        .await
        .unwrap();
    assert_eq!(stored.settings, s);
    let resumed = runner::resume(&ctx, &stored).await.unwrap();
    assert_eq!(resumed.status, "finished");
    assert_eq!(resumed.succeeded as usize, plan.send.len());
    assert_eq!(duplicates(&h.db.store).await, 0);
    assert_eq!(
        resumed.requests as u64,
        h.server.stats().generate_requests,
        "finished posts were not asked again"
    );
    assert_ledger_matches_billing(&h.db.store, &h.server).await;
}
