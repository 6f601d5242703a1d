//! Batch mode end to end against the fake's Batch API: half price measured from the ledger,
//! a restart mid-job (nothing submitted twice, nothing stored twice), a lost creation answer,
//! cancel, expiry, per-request errors, a job over the inline limit, budgets and follow-ups.

mod common;

use std::time::Duration;

use common::*;
use fake_gemini::{BatchFault, Endpoint, FakeConfig, FakeServer};
use finder::batch::BatchPhase;
use finder::engine;
use finder::limiter::Limits;
use finder::runner::{RunEvent, RunMode, RunSettings, RunStatus, RunSummary};
use finder::Store;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

type Harness = EngineHarness;

async fn harness(key: &str, config: FakeConfig) -> Harness {
    // Jobs are checked every few milliseconds here (every few seconds, growing, in the app).
    std::env::set_var("COMMENT_FINDER_BATCH_POLL_MS", "40");
    engine_harness(
        key,
        FakeConfig {
            batch_pending: Duration::from_millis(100),
            batch_running: Duration::from_millis(200),
            ..config
        },
    )
    .await
}

fn settings(mode: RunMode) -> RunSettings {
    let mut s = RunSettings::defaults(
        "gemini-2.5-flash",
        Limits {
            rpm: 60_000,
            tpm: None,
            rpd: None,
        },
    );
    s.min_followers = 0;
    s.hours_back = 48.0;
    s.embeddings = false;
    s.mode = mode;
    s
}

async fn start(h: &Harness, s: RunSettings) -> engine::RunHandle {
    let prepared = engine::prepare(&h.db.store, Some(&h.access), h.project.id, s, now())
        .await
        .unwrap();
    engine::start(&h.db.store, &h.access, prepared, now)
        .await
        .unwrap()
}

async fn finish(mut handle: engine::RunHandle) -> (RunSummary, Vec<RunEvent>) {
    let mut events = Vec::new();
    while let Some(e) = handle.events.recv().await {
        events.push(e);
    }
    (handle.task.await.unwrap().unwrap(), events)
}

async fn run(h: &Harness, s: RunSettings) -> (RunSummary, Vec<RunEvent>) {
    finish(start(h, s).await).await
}

async fn ledger(store: &Store, run_id: i64) -> (i64, i64) {
    sqlx::query_as(
        "SELECT COUNT(*), coalesce(SUM(cost_picos), 0) FROM api_calls WHERE run_id = ? AND endpoint = 'batch'",
    )
    .bind(run_id)
    .fetch_one(store.pool())
    .await
    .unwrap()
}

async fn states(store: &Store, run_id: i64) -> (i64, i64, i64) {
    item_states(store, run_id).await
}

fn batch_billed(server: &FakeServer) -> usize {
    server
        .billing()
        .iter()
        .filter(|c| c.endpoint == Endpoint::BatchGenerateContent)
        .count()
}

#[tokio::test]
async fn a_batch_run_costs_exactly_half_of_the_same_run_sent_now() {
    let batch = harness("key-batch-half", FakeConfig::default()).await;
    let (summary, events) = run(&batch, settings(RunMode::Batch)).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    assert_eq!(summary.mode, RunMode::Batch);
    assert!(summary.succeeded > 0 && summary.failed == 0, "{summary:?}");
    let (rows, batch_cost) = ledger(&batch.db.store, summary.run_id).await;
    assert_eq!(
        rows as usize,
        batch_billed(&batch.server),
        "one ledger row per billed answer"
    );
    assert!(events
        .iter()
        .any(|e| matches!(e, RunEvent::Batch(s) if s.phase == BatchPhase::QueuedAtGoogle)));
    let done = summary.batch.as_ref().expect("batch status");
    assert_eq!(done.phase, BatchPhase::Done);
    assert!(
        summary.sentence.contains("half price"),
        "{}",
        summary.sentence
    );

    // The same posts sent now, on another database: identical requests, double the price.
    let now_run = harness("key-batch-half-now", FakeConfig::default()).await;
    let (standard, _) = run(&now_run, settings(RunMode::Standard)).await;
    assert_eq!(standard.succeeded, summary.succeeded);
    assert_eq!(standard.requests, summary.requests, "same packing");
    assert_eq!(
        standard.cost_picos,
        2 * batch_cost,
        "batch is exactly half price"
    );
}

#[tokio::test]
async fn the_forecast_shows_both_prices() {
    let h = harness("key-batch-forecast", FakeConfig::default()).await;
    let prepared = engine::prepare(
        &h.db.store,
        Some(&h.access),
        h.project.id,
        settings(RunMode::Standard),
        now(),
    )
    .await
    .unwrap();
    let f = prepared.forecast;
    assert!(f.cost_picos > 0);
    assert_eq!(f.batch_posts, f.posts);
    let half = f.cost_picos / 2;
    assert!(
        (f.batch_cost_picos - half).abs() <= 2,
        "{} vs {}",
        f.batch_cost_picos,
        f.cost_picos
    );
}

#[tokio::test]
async fn a_restart_mid_job_picks_the_job_up_without_sending_or_storing_anything_twice() {
    let h = harness(
        "key-batch-restart",
        FakeConfig {
            batch_pending: Duration::from_millis(600),
            ..FakeConfig::default()
        },
    )
    .await;
    let mut handle = start(&h, settings(RunMode::Batch)).await;
    let run_id = handle.run_id;
    // Wait until the job is at Google, then "kill" the process's work on it.
    while let Some(e) = handle.events.recv().await {
        if matches!(&e, RunEvent::Batch(s) if s.phase == BatchPhase::QueuedAtGoogle) {
            break;
        }
    }
    handle.task.abort();
    let _ = handle.task.await;
    assert_eq!(h.server.stats().batch_jobs, 1);
    assert_eq!(
        ledger(&h.db.store, run_id).await.0,
        0,
        "nothing answered yet"
    );

    let resumed = engine::resume(&h.db.store, &h.access, run_id, now)
        .await
        .unwrap();
    let (summary, _) = finish(resumed).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    assert_eq!(
        h.server.stats().batch_jobs,
        1,
        "the job was not submitted again"
    );
    let (rows, _) = ledger(&h.db.store, run_id).await;
    assert_eq!(rows as usize, batch_billed(&h.server));

    // Reading the same answers again stores nothing twice: a second pass over a settled job
    // is refused, and the posts are all done.
    let (queued, done, failed) = states(&h.db.store, run_id).await;
    assert_eq!((queued, failed), (0, 0));
    assert!(done > 0);
}

#[tokio::test]
async fn a_lost_creation_answer_adopts_the_job_instead_of_creating_another() {
    let h = harness(
        "key-batch-lost-answer",
        FakeConfig {
            batch_faults: vec![BatchFault::LoseCreateAnswer],
            ..FakeConfig::default()
        },
    )
    .await;
    let (summary, _) = run(&h, settings(RunMode::Batch)).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    assert_eq!(h.server.stats().batch_jobs, 1, "adopted, not created twice");
    let (rows, _) = ledger(&h.db.store, summary.run_id).await;
    assert_eq!(rows as usize, batch_billed(&h.server));
}

#[tokio::test]
async fn cancel_cancels_the_job_at_google_and_keeps_the_posts_queued() {
    let h = harness(
        "key-batch-cancel",
        FakeConfig {
            batch_pending: Duration::from_secs(30),
            ..FakeConfig::default()
        },
    )
    .await;
    let mut handle = start(&h, settings(RunMode::Batch)).await;
    let run_id = handle.run_id;
    while let Some(e) = handle.events.recv().await {
        if matches!(&e, RunEvent::Batch(s) if s.phase == BatchPhase::QueuedAtGoogle) {
            break;
        }
    }
    engine::cancel(&h.db.store, run_id).unwrap();
    let (summary, _) = finish(handle).await;
    assert_eq!(summary.status, RunStatus::Cancelled, "{summary:?}");
    let (queued, done, _) = states(&h.db.store, run_id).await;
    assert!(queued > 0 && done == 0);
    assert_eq!(batch_billed(&h.server), 0);
    let state: String = sqlx::query_scalar("SELECT state FROM batch_jobs WHERE run_id = ?")
        .bind(run_id)
        .fetch_one(h.db.store.pool())
        .await
        .unwrap();
    assert_eq!(state, "cancelled");
    // Nothing is held against the budgets any more.
    let held: i64 = sqlx::query_scalar(
        "SELECT coalesce(SUM(reserved_picos), 0) FROM batch_jobs WHERE settled = 0",
    )
    .fetch_one(h.db.store.pool())
    .await
    .unwrap();
    assert_eq!(held, 0);
}

#[tokio::test]
async fn an_expired_job_returns_its_posts_to_the_queue_and_a_resume_sends_them_again() {
    let h = harness(
        "key-batch-expire",
        FakeConfig {
            batch_faults: vec![BatchFault::Expire],
            ..FakeConfig::default()
        },
    )
    .await;
    let (summary, _) = run(&h, settings(RunMode::Batch)).await;
    assert_eq!(summary.status, RunStatus::Interrupted, "{summary:?}");
    let error = summary.error.clone().unwrap_or_default();
    assert!(
        error.contains("48 hours") && error.contains("back in the queue"),
        "{error}"
    );
    let (queued, done, _) = states(&h.db.store, summary.run_id).await;
    assert!(queued > 0 && done == 0);

    let resumed = engine::resume(&h.db.store, &h.access, summary.run_id, now)
        .await
        .unwrap();
    let (summary, _) = finish(resumed).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    assert_eq!(h.server.stats().batch_jobs, 2);
}

#[tokio::test]
async fn per_request_errors_fail_their_posts_with_the_reason() {
    let h = harness(
        "key-batch-request-errors",
        FakeConfig {
            batch_request_error_every: Some(2),
            ..FakeConfig::default()
        },
    )
    .await;
    let (summary, _) = run(&h, settings(RunMode::Batch)).await;
    assert!(summary.failed > 0 && summary.succeeded > 0, "{summary:?}");
    let reasons: Vec<(String, String)> = sqlx::query_as(
        "SELECT error_code, error_message FROM run_items WHERE run_id = ? AND state = 'failed'",
    )
    .bind(summary.run_id)
    .fetch_all(h.db.store.pool())
    .await
    .unwrap();
    assert!(reasons
        .iter()
        .all(|(code, message)| code == "batch_request_failed"
            && message.contains("Google could not answer")));
}

#[tokio::test]
async fn a_job_over_the_inline_limit_is_split_into_several() {
    let h = harness(
        "key-batch-split",
        FakeConfig {
            batch_inline_limit_bytes: 40_000,
            // And the answers come as a responses file to download.
            batch_responses_as_file: true,
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings(RunMode::Batch);
    s.per_request = 2;
    let (summary, _) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    let jobs: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM batch_jobs WHERE run_id = ?")
        .bind(summary.run_id)
        .fetch_one(h.db.store.pool())
        .await
        .unwrap();
    assert!(jobs > 1, "{jobs} jobs");
    let (rows, _) = ledger(&h.db.store, summary.run_id).await;
    assert_eq!(rows as usize, batch_billed(&h.server));
    assert_eq!(summary.failed, 0);
}

#[tokio::test]
async fn a_batch_run_reserves_its_worst_case_and_never_crosses_the_budget() {
    let h = harness("key-batch-budget", FakeConfig::default()).await;
    let mut s = settings(RunMode::Batch);
    s.per_request = 2;
    let forecast = engine::prepare(&h.db.store, Some(&h.access), h.project.id, s.clone(), now())
        .await
        .unwrap()
        .forecast;
    let cap = forecast.batch_cost_picos / 2;
    s.budget_picos = Some(cap);
    let (summary, events) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::BudgetReached, "{summary:?}");
    assert!(summary.cost_picos <= cap, "{} of {cap}", summary.cost_picos);
    assert!(summary.succeeded > 0);
    assert!(events
        .iter()
        .any(|e| matches!(e, RunEvent::BudgetReached { .. })));
}

#[tokio::test]
async fn posts_without_a_usable_reply_wait_for_a_follow_up_the_user_chooses() {
    let h = harness(
        "key-batch-follow-up",
        FakeConfig {
            omit_rate: 0.3,
            seed: 7,
            ..FakeConfig::default()
        },
    )
    .await;
    let (summary, _) = run(&h, settings(RunMode::Batch)).await;
    assert_eq!(summary.status, RunStatus::Interrupted, "{summary:?}");
    let error = summary.error.clone().unwrap_or_default();
    assert!(error.contains("no usable reply yet"), "{error}");
    let (queued, _, _) = states(&h.db.store, summary.run_id).await;
    assert!(queued > 0);
    // The user sends the rest now, at the standard price.
    engine::set_run_mode(&h.db.store, summary.run_id, RunMode::Standard)
        .await
        .unwrap();
    let resumed = engine::resume(&h.db.store, &h.access, summary.run_id, now)
        .await
        .unwrap();
    let (after, _) = finish(resumed).await;
    let (queued, _, _) = states(&h.db.store, summary.run_id).await;
    assert_eq!(queued, 0, "{after:?}");
    let standard_rows: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_calls WHERE run_id = ? AND endpoint = 'generate'",
    )
    .bind(summary.run_id)
    .fetch_one(h.db.store.pool())
    .await
    .unwrap();
    assert!(standard_rows > 0);
}

/// Google's answers may lose their keys, come out of order or carry another request's key:
/// each answer still goes to the posts it names, and every billed answer is recorded once.
#[tokio::test]
async fn answers_without_keys_out_of_order_or_with_wrong_keys_reach_their_posts() {
    for (key, fault) in [
        ("key-batch-keyless", BatchFault::DropKeys),
        ("key-batch-wrong-keys", BatchFault::WrongKeys),
    ] {
        let h = harness(
            key,
            FakeConfig {
                batch_faults: vec![fault],
                ..FakeConfig::default()
            },
        )
        .await;
        let mut s = settings(RunMode::Batch);
        s.per_request = 3;
        let (summary, _) = run(&h, s).await;
        assert_eq!(
            summary.status,
            RunStatus::Finished,
            "{fault:?}: {summary:?}"
        );
        assert_eq!(summary.failed, 0, "{fault:?}");
        let (rows, _) = ledger(&h.db.store, summary.run_id).await;
        assert_eq!(rows as usize, batch_billed(&h.server), "{fault:?}");
        // Every draft belongs to a post of the run (none stored under another post).
        let foreign: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM suggestions s WHERE s.run_id = ?1 AND NOT EXISTS
               (SELECT 1 FROM run_items i WHERE i.run_id = ?1 AND i.tweet_id = s.tweet_id AND i.state = 'done')",
        )
        .bind(summary.run_id)
        .fetch_one(h.db.store.pool())
        .await
        .unwrap();
        assert_eq!(foreign, 0, "{fault:?}");
    }
}
