//! The run engine against the fake Gemini server made as harsh as Google: budgets that cannot
//! be overspent, the daily quota, posts the model leaves out, thinking models, transient
//! errors while planning, permanent errors, cancel, and limits shared across processes.

mod common;

use std::time::Duration;

use common::*;
use fake_gemini::{FakeConfig, Fault, QuotaErrorStyle, QuotaLimits, RandomFaults};
use finder::account_limits::SharedAdmissions;
use finder::budget;
use finder::engine;
use finder::limiter::{Limiter, Limits};
use finder::runner::{RunEvent, RunSettings, RunStatus, RunSummary};
use finder::Store;

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

type Harness = EngineHarness;

async fn harness(key: &str, config: FakeConfig) -> Harness {
    engine_harness(key, config).await
}

fn settings(model: &str, limits: Limits) -> RunSettings {
    let mut s = RunSettings::defaults(model, limits);
    s.min_followers = 0;
    s.hours_back = 48.0;
    s.embeddings = false;
    s
}

fn fast() -> Limits {
    Limits {
        rpm: 60_000,
        tpm: None,
        rpd: None,
    }
}

async fn run(h: &Harness, s: RunSettings) -> (RunSummary, Vec<RunEvent>) {
    let prepared = engine::prepare(&h.db.store, Some(&h.access), h.project.id, s, now())
        .await
        .unwrap();
    let mut handle = engine::start(&h.db.store, &h.access, prepared, now)
        .await
        .unwrap();
    let mut events = Vec::new();
    while let Some(e) = handle.events.recv().await {
        events.push(e);
    }
    (handle.task.await.unwrap().unwrap(), events)
}

async fn spent(store: &Store, run_id: i64) -> i64 {
    sqlx::query_scalar("SELECT coalesce(SUM(cost_picos), 0) FROM api_calls WHERE run_id = ?")
        .bind(run_id)
        .fetch_one(store.pool())
        .await
        .unwrap()
}

async fn states(store: &Store, run_id: i64) -> (i64, i64, i64) {
    item_states(store, run_id).await
}

#[tokio::test]
async fn a_run_budget_is_never_crossed_and_a_resume_keeps_it_until_raised() {
    let h = harness(
        "key-budget",
        FakeConfig {
            latency: Duration::from_millis(20),
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.per_request = 1;
    s.batch_size = 8;
    // About a third of what the run would cost.
    let full = engine::prepare(&h.db.store, Some(&h.access), h.project.id, s.clone(), now())
        .await
        .unwrap()
        .forecast;
    let cap = full.cost_picos / 3;
    s.budget_picos = Some(cap);
    let (summary, events) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::BudgetReached, "{summary:?}");
    let paid = spent(&h.db.store, summary.run_id).await;
    assert!(paid <= cap, "spent {paid} of a {cap} cap");
    assert!(paid > 0, "{summary:?} cap {cap} forecast {full:?}");
    assert!(events.iter().any(|e| matches!(e, RunEvent::BudgetReached { sentence, .. } if sentence.starts_with("Budget reached: $"))));
    let (queued, done, failed) = states(&h.db.store, summary.run_id).await;
    assert!(
        queued > 0 && done > 0 && failed == 0,
        "{queued} {done} {failed}"
    );

    // Resuming without raising the cap keeps it: it may use what the stop left unspent
    // (reservations are worst cases), never more.
    let mut handle = engine::resume(&h.db.store, &h.access, summary.run_id, now)
        .await
        .unwrap();
    while handle.events.recv().await.is_some() {}
    let again = handle.task.await.unwrap().unwrap();
    assert_eq!(again.status, RunStatus::BudgetReached);
    assert!(spent(&h.db.store, summary.run_id).await <= cap);

    // Raised: it finishes, and the ledger still never passed the new cap.
    finder::runner::set_run_budget(&h.db.store, summary.run_id, Some(cap * 10))
        .await
        .unwrap();
    let mut handle = engine::resume(&h.db.store, &h.access, summary.run_id, now)
        .await
        .unwrap();
    while handle.events.recv().await.is_some() {}
    let done = handle.task.await.unwrap().unwrap();
    assert_eq!(done.status, RunStatus::Finished, "{done:?}");
    assert!(spent(&h.db.store, summary.run_id).await <= cap * 10);
}

#[tokio::test]
async fn a_monthly_budget_stops_runs_and_warns_at_80_percent() {
    let h = harness("key-monthly", FakeConfig::default()).await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.per_request = 1;
    s.batch_size = 4;
    s.max_candidates = 20;
    // A first run with no cap spends something this month.
    let (first, _) = run(&h, s.clone()).await;
    assert_eq!(first.status, RunStatus::Finished);
    let so_far = spent(&h.db.store, first.run_id).await;
    // A cap that this month's spend already fills to 85%: the next run warns at once and
    // stops before crossing it.
    let cap = so_far * 100 / 85;
    budget::set_monthly_budget(&h.db.store, Some(cap))
        .await
        .unwrap();
    let usage = budget::monthly_use(&h.db.store, Some(h.project.id), now())
        .await
        .unwrap();
    assert!(
        usage[0]
            .alert
            .as_deref()
            .unwrap()
            .starts_with("85% of the monthly budget"),
        "{usage:?}"
    );
    s.max_candidates = 150;
    let (second, events) = run(&h, s).await;
    assert!(events.iter().any(|e| matches!(e, RunEvent::BudgetAlert(u) if u.alert.as_deref().is_some_and(|a| a.contains("monthly budget")))), "an 80% alert");
    assert_eq!(second.status, RunStatus::BudgetReached, "{second:?}");
    let month: i64 = sqlx::query_scalar("SELECT SUM(cost_picos) FROM api_calls")
        .fetch_one(h.db.store.pool())
        .await
        .unwrap();
    assert!(month <= cap, "{month} of {cap}");
}

#[tokio::test]
async fn the_daily_quota_stops_the_run_promptly_with_posts_left_queued() {
    let h = harness(
        "key-daily",
        FakeConfig {
            limits: QuotaLimits {
                rpd: Some(12),
                ..QuotaLimits::UNLIMITED
            },
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.per_request = 1;
    s.batch_size = 3;
    let (summary, events) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::WaitingForQuota, "{summary:?}");
    let resume_at = summary.resume_at.expect("when the quota resets");
    assert!(resume_at > now() && resume_at <= now() + 25 * 3600);
    assert!(events
        .iter()
        .any(|e| matches!(e, RunEvent::DailyQuota { .. })));
    // Only the requests already in flight follow the first per-day 429.
    assert!(
        h.server.stats().generate_requests <= 12 + 3,
        "{:?}",
        h.server.stats()
    );
    let (queued, done, failed) = states(&h.db.store, summary.run_id).await;
    assert_eq!(done, 12);
    assert_eq!(failed, 0, "posts are left queued, not failed");
    assert!(queued > 0);
    // Google said how many requests a day this key has: the engine remembers it.
    let learned = finder::account_limits::learned_daily_limit(
        &h.db.store,
        h.access.key_tag(),
        "gemini-2.5-flash",
    )
    .await
    .unwrap();
    assert_eq!(learned.map(|l| l.requests_per_day), Some(12));
    // And forecasts with it.
    let limits = engine::limits_for(&h.db.store, Some(&h.access), "gemini-2.5-flash")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(limits.rpd, Some(12));
}

#[tokio::test]
async fn posts_left_out_get_at_most_max_attempts_billed_tries() {
    let h = harness(
        "key-omit",
        FakeConfig {
            omit_rate: 0.3,
            empty_draft_rate: 0.1,
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.per_request = 10;
    s.max_attempts = 3;
    let (summary, _) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::Finished);
    assert!(summary.succeeded > 0);
    // No post was in more than three answered requests: tries are stored per post.
    let most: i64 = sqlx::query_scalar("SELECT MAX(attempts) FROM run_items WHERE run_id = ?")
        .bind(summary.run_id)
        .fetch_one(h.db.store.pool())
        .await
        .unwrap();
    assert!(most <= 3, "{most}");
    let reasons: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT error_code FROM run_items WHERE run_id = ? AND state = 'failed'",
    )
    .bind(summary.run_id)
    .fetch_all(h.db.store.pool())
    .await
    .unwrap();
    assert!(
        reasons.iter().all(|r| r == "no_usable_reply"),
        "{reasons:?}"
    );
    // Re-asks are packed with other waiting posts, not sent one by one.
    let singles: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_calls WHERE run_id = ?")
        .bind(summary.run_id)
        .fetch_one(h.db.store.pool())
        .await
        .unwrap();
    assert!(
        singles < (summary.succeeded + summary.failed) / 2,
        "{singles} requests for {summary:?}"
    );
}

#[tokio::test]
async fn generic_openers_are_repaired_not_re_asked() {
    let h = harness(
        "key-opener",
        FakeConfig {
            generic_opener_rate: 1.0,
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.per_request = 5;
    let (summary, _) = run(&h, s).await;
    assert_eq!(summary.failed, 0, "{summary:?}");
    assert_eq!(summary.retries, 0, "nothing was asked twice: {summary:?}");
    let generic: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM suggestions WHERE rejected_reason IS NULL AND lower(text) LIKE 'great point%'",
    )
    .fetch_one(h.db.store.pool())
    .await
    .unwrap();
    assert_eq!(generic, 0);
}

#[tokio::test]
async fn a_thinking_model_answers_ten_posts_a_request_without_truncation() {
    let h = harness(
        "key-thinking",
        FakeConfig {
            thinking_tokens: 600,
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings("gemini-3-pro-preview", fast());
    s.per_request = 10;
    let (summary, _) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    assert_eq!(summary.failed, 0);
    assert!(summary.thinking_tokens > 0, "Gemini 3 thinks: {summary:?}");
    let truncated: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM api_calls WHERE outcome = 'truncated'")
            .fetch_one(h.db.store.pool())
            .await
            .unwrap();
    assert_eq!(truncated, 0);
    // 2.5 Pro cannot turn thinking off: the run must not ask it to.
    let h = harness("key-thinking-pro", FakeConfig::default()).await;
    let (pro, _) = run(&h, settings("gemini-2.5-pro", fast())).await;
    assert_eq!(pro.status, RunStatus::Finished, "{pro:?}");
    assert_eq!(pro.failed, 0);
}

#[tokio::test]
async fn overloaded_planning_calls_are_retried_and_never_abort_the_run() {
    let h = harness(
        "key-503",
        FakeConfig {
            // Google's "model is overloaded" on one call in ten, as seen in practice.
            random_faults: RandomFaults {
                rate: 0.1,
                mix: vec![(Fault::Http503, 1)],
            },
            seed: 3,
            ..FakeConfig::default()
        },
    )
    .await;
    // Topics without examples: the run asks for some first, then embeds.
    let mut project_settings = h.project.settings.clone();
    for t in &mut project_settings.topics {
        t.examples.clear();
    }
    finder::projects::update(&h.db.store, h.project.id, &project_settings, now())
        .await
        .unwrap();
    // A paid tier's embedding limits, so the per-item counting does not make the test wait.
    h.db.store
        .set_setting("tier", &serde_json::json!("tier1"))
        .await
        .unwrap();
    let mut s = settings("gemini-2.5-flash", fast());
    s.embeddings = true;
    let (summary, _) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    let planning: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM api_calls WHERE run_id = ? AND (endpoint = 'embed' OR attempt >= 1)",
    )
    .bind(summary.run_id)
    .fetch_one(h.db.store.pool())
    .await
    .unwrap();
    assert!(planning > 0, "planning calls carry the run's id");
}

#[tokio::test]
async fn a_billing_error_stops_the_run_with_one_sentence_and_loses_no_post() {
    let h = harness(
        "key-billing",
        FakeConfig {
            scripted_faults: vec![Fault::BillingRequired],
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.batch_size = 1;
    let (summary, _) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::Failed);
    let error = summary.error.unwrap();
    assert!(
        error.contains("billing") || error.contains("region"),
        "{error}"
    );
    let (queued, _, failed) = states(&h.db.store, summary.run_id).await;
    assert_eq!(failed, 0);
    assert!(queued > 0);
    assert_eq!(
        h.server.stats().generate_requests,
        1,
        "stopped at the first answer"
    );
}

#[tokio::test]
async fn bare_429s_back_off_and_the_run_still_finishes() {
    let h = harness(
        "key-bare",
        FakeConfig {
            quota_error_style: QuotaErrorStyle::Bare,
            random_faults: RandomFaults {
                rate: 0.3,
                mix: vec![(Fault::Http429Bare, 1)],
            },
            seed: 9,
            ..FakeConfig::default()
        },
    )
    .await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.per_request = 10;
    s.batch_size = 1;
    let (summary, events) = run(&h, s).await;
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    assert_eq!(summary.failed, 0);
    assert!(events.iter().any(|e| matches!(e, RunEvent::Paused { .. })));
}

#[tokio::test]
async fn cancel_reaches_workers_waiting_in_the_limiter() {
    let h = harness("key-cancel", FakeConfig::default()).await;
    // 6 a minute: after the first request every worker waits ~10 s for its turn.
    let mut s = settings(
        "gemini-2.5-flash",
        Limits {
            rpm: 6,
            tpm: None,
            rpd: None,
        },
    );
    s.per_request = 1;
    s.batch_size = 5;
    let prepared = engine::prepare(&h.db.store, Some(&h.access), h.project.id, s, now())
        .await
        .unwrap();
    let mut handle = engine::start(&h.db.store, &h.access, prepared, now)
        .await
        .unwrap();
    // Wait for the first request, then cancel.
    while h.server.stats().generate_requests == 0 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    engine::cancel(&h.db.store, handle.run_id).unwrap();
    let at_cancel = h.server.stats().generate_requests;
    let started = std::time::Instant::now();
    while handle.events.recv().await.is_some() {}
    let summary = handle.task.await.unwrap().unwrap();
    assert_eq!(summary.status, RunStatus::Cancelled);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "cancel did not wait for the limiter"
    );
    assert_eq!(
        h.server.stats().generate_requests,
        at_cancel,
        "no request left after cancel"
    );
}

#[tokio::test]
async fn two_processes_on_one_key_share_one_allowance() {
    // Another process (the app, say) already sent this minute's 10 requests on this key and
    // model, the oldest 59.2 s ago: this limiter, though idle itself, waits until a slot of
    // the shared minute frees, and records its own request for the others.
    let db = db().await;
    let shared = SharedAdmissions {
        store: db.store.clone(),
        key_tag: "shared-key".into(),
        model: "gemini-2.5-flash".into(),
    };
    let start_ms = chrono::Utc::now().timestamp_millis();
    for i in 0..10 {
        sqlx::query("INSERT INTO admissions (key_tag, model, admitted_ms) VALUES ('shared-key', 'gemini-2.5-flash', ?)")
            .bind(start_ms - 59_200 + i * 1_000)
            .execute(db.store.pool())
            .await
            .unwrap();
    }
    let limits = Limits {
        rpm: 10,
        tpm: None,
        rpd: None,
    };
    let limiter = Limiter::new(limits, 0, now, 1).with_shared_admissions(shared.clone());
    let started = std::time::Instant::now();
    limiter.admit(10).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(500),
        "waited {waited:?} for the other process's minute"
    );
    assert!(waited < Duration::from_secs(5), "waited {waited:?}");
    let mine: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM admissions WHERE admitted_ms >= ?")
        .bind(start_ms)
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(mine, 1, "its request is visible to the other process");
    // A different key has its own allowance: no wait.
    let other = Limiter::new(limits, 0, now, 2).with_shared_admissions(SharedAdmissions {
        key_tag: "other-key".into(),
        ..shared
    });
    let started = std::time::Instant::now();
    other.admit(10).await.unwrap();
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn a_resume_is_refused_while_another_live_process_works_on_the_run() {
    let h = harness("key-owner", FakeConfig::default()).await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.max_candidates = 5;
    let (summary, _) = run(&h, s).await;
    // Make it look like another process (here: this test's parent, which is alive) is
    // working on it right now.
    let parent = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find_map(|l| {
                l.strip_prefix("PPid:")
                    .map(|p| p.trim().parse::<i64>().unwrap())
            })
        });
    let Some(parent) = parent else {
        return; // Not a system that shows its processes; the heartbeat rule alone applies.
    };
    sqlx::query("UPDATE runs SET status = 'running', heartbeat_at = ?, owner_pid = ? WHERE id = ?")
        .bind(now())
        .bind(parent)
        .bind(summary.run_id)
        .execute(h.db.store.pool())
        .await
        .unwrap();
    let refused = engine::resume(&h.db.store, &h.access, summary.run_id, now)
        .await
        .err()
        .expect("refused");
    assert!(
        refused.to_string().contains("another window or terminal"),
        "{refused}"
    );
    // The same run whose process is gone (killed a moment ago) resumes at once.
    sqlx::query("UPDATE runs SET owner_pid = ? WHERE id = ?")
        .bind(i64::from(i32::MAX))
        .bind(summary.run_id)
        .execute(h.db.store.pool())
        .await
        .unwrap();
    let mut handle = engine::resume(&h.db.store, &h.access, summary.run_id, now)
        .await
        .unwrap();
    while handle.events.recv().await.is_some() {}
    assert_eq!(
        handle.task.await.unwrap().unwrap().status,
        RunStatus::Finished
    );
}

/// A run stopped part-way, another run answers its posts, then the first is resumed: the posts
/// answered meanwhile are not asked for (or paid for) again.
#[tokio::test]
async fn a_resumed_run_skips_posts_another_run_answered_meanwhile() {
    let h = harness("key-answered-elsewhere", FakeConfig::default()).await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.per_request = 1;
    s.batch_size = 1;
    // Stops at once: not even one request fits.
    s.budget_picos = Some(1);
    let (first, _) = run(&h, s.clone()).await;
    assert_eq!(first.status, RunStatus::BudgetReached, "{first:?}");
    let (queued, done, _) = states(&h.db.store, first.run_id).await;
    assert!(queued > 0 && done == 0);

    // A second run (no cap) takes the same posts and answers them.
    s.budget_picos = None;
    let (second, _) = run(&h, s).await;
    assert_eq!(second.status, RunStatus::Finished, "{second:?}");
    assert!(second.succeeded > 0);
    let calls_before = h.server.stats().generate_requests;

    // The first run, resumed with room to spend, has nothing left to pay for.
    finder::runner::set_run_budget(&h.db.store, first.run_id, None)
        .await
        .unwrap();
    let mut handle = engine::resume(&h.db.store, &h.access, first.run_id, now)
        .await
        .unwrap();
    while handle.events.recv().await.is_some() {}
    let resumed = handle.task.await.unwrap().unwrap();
    assert_eq!(resumed.status, RunStatus::Finished, "{resumed:?}");
    assert_eq!(
        h.server.stats().generate_requests,
        calls_before,
        "no post was asked for twice"
    );
    let (queued, _, _) = states(&h.db.store, first.run_id).await;
    assert_eq!(queued, 0);
}

#[tokio::test]
async fn one_call_starts_a_run_from_its_settings_and_refuses_one_with_nothing_to_do() {
    let h = harness("key-start-run", FakeConfig::default()).await;
    let mut s = settings("gemini-2.5-flash", fast());
    s.max_candidates = 20;
    s.batch_size = 3;

    let mut handle = engine::start_run(&h.db.store, &h.access, h.project.id, s.clone(), now(), now)
        .await
        .unwrap();
    assert_eq!(handle.project_id, h.project.id);
    while handle.events.recv().await.is_some() {}
    let summary = handle.task.await.unwrap().unwrap();
    assert_eq!(summary.status, RunStatus::Finished, "{summary:?}");
    assert!(summary.succeeded > 0);
    // The run was stored with the settings it was started with (what a resume reads back).
    let stored = finder::runner::settings_of(&h.db.store, summary.run_id)
        .await
        .unwrap();
    assert_eq!((stored.batch_size, stored.max_candidates), (3, 20));

    // The same posts again: every one is answered or held back, and the engine says so.
    let calls_before = h.server.stats().generate_requests;
    let refused = engine::start_run(&h.db.store, &h.access, h.project.id, s, now(), now).await;
    match refused {
        Err(finder::FinderError::NothingToDo {
            held_back,
            answered,
        }) => {
            assert_eq!(answered as i64, summary.succeeded);
            assert_eq!(held_back as i64, summary.gated_out);
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("a run with nothing to do was started"),
    }
    assert_eq!(h.server.stats().generate_requests, calls_before);
}
