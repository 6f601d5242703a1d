//! Run storage: the `runs` and `run_items` tables. Creating a run and its items, reading a
//! stored run back for a resume (the one place its settings are read from JSON), writing each
//! outcome with its ledger row in one transaction, and the summaries, listings and history
//! that are read from what is stored (so they are right after a crash and resume).

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

use super::planning::{Forecast, Plan};
use super::{effective_status, RunContext, RunSettings, RunStatus, RunSummary, HEARTBEAT_STALE_S};
use crate::error::{FinderError, Result};
use crate::ledger::{self, CallEntry};
use crate::posts::StoredPost;
use crate::prices::{self, BilledTokens, Price};
use crate::projects::Project;
use crate::store::Store;

/// Stores a new run with its settings (and the forecast shown for it), without items yet.
pub async fn create(
    ctx: &RunContext,
    project: &Project,
    settings: &RunSettings,
    forecast: Option<&Forecast>,
) -> Result<i64> {
    let now = (ctx.wall_clock)();
    let settings_json = serde_json::to_string(settings).unwrap_or_default();
    let forecast_json = forecast.and_then(|f| serde_json::to_string(f).ok());
    let pid = i64::from(std::process::id());
    let run_id: i64 = sqlx::query_scalar!(
        r#"INSERT INTO runs (project_id, status, settings_json, forecast_json, created_at, heartbeat_at, owner_pid)
           VALUES (?1, 'running', ?2, ?3, ?4, ?4, ?5) RETURNING id AS "id!: i64""#,
        project.id,
        settings_json,
        forecast_json,
        now,
        pid,
    )
    .fetch_one(ctx.store.pool())
    .await?;
    Ok(run_id)
}

/// Stores the plan's posts as the run's items, in the order they are to be sent. A post
/// queued in another live run of the same project (another window or command started one a
/// moment earlier) is left to that run: two runs never ask for replies to the same post. The
/// write lock is held from the check to the insert, so two runs cannot both pass it.
pub async fn add_items(store: &Store, run_id: i64, plan: &Plan) -> Result<()> {
    let mut tx = store.write_tx().await?;
    let taken: std::collections::HashSet<String> = sqlx::query_scalar!(
        "SELECT i.tweet_id FROM run_items i JOIN runs r ON r.id = i.run_id
         JOIN runs me ON me.id = ?1
         WHERE r.project_id = me.project_id AND r.id != me.id AND i.state = 'queued'
           AND r.status = 'running' AND r.heartbeat_at >= me.heartbeat_at - ?2",
        run_id,
        HEARTBEAT_STALE_S,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .collect();
    let items = plan
        .send
        .iter()
        .filter(|p| !taken.contains(&p.id))
        .map(|p| (p.id.as_str(), "queued", None))
        .chain(
            plan.gated
                .iter()
                .map(|(id, why)| (id.as_str(), "gated", Some(why.as_str()))),
        )
        .chain(plan.deduped.iter().map(|id| (id.as_str(), "deduped", None)));
    for (position, (id, state, why)) in items.enumerate() {
        // `attempts` doubles as the queue order until the first attempt.
        let order = -(position as i64) - 1;
        sqlx::query!(
            "INSERT OR IGNORE INTO run_items (run_id, tweet_id, state, error_message, attempts) VALUES (?, ?, ?, ?, ?)",
            run_id,
            id,
            state,
            why,
            order,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The settings a run was started with.
pub async fn settings_of(store: &Store, run_id: i64) -> Result<RunSettings> {
    let json: Option<String> =
        sqlx::query_scalar!("SELECT settings_json FROM runs WHERE id = ?", run_id)
            .fetch_optional(store.pool())
            .await?;
    let json = json.ok_or_else(|| no_such_run(run_id))?;
    serde_json::from_str(&json).map_err(|e| {
        FinderError::InvalidInput(format!("Run #{run_id} has unreadable settings: {e}"))
    })
}

/// Whether another process on this machine is working on the run right now: its status is
/// running, its heartbeat is fresh, and (where the system can tell) its process is alive —
/// so a run killed a moment ago can be resumed at once.
pub async fn worked_elsewhere(store: &Store, run_id: i64, now: i64) -> Result<bool> {
    let row: Option<(String, Option<i64>, Option<i64>)> = sqlx::query!(
        "SELECT status, heartbeat_at, owner_pid FROM runs WHERE id = ?",
        run_id,
    )
    .fetch_optional(store.pool())
    .await?
    .map(|r| (r.status, r.heartbeat_at, r.owner_pid));
    let Some((status, heartbeat, owner)) = row else {
        return Err(no_such_run(run_id));
    };
    if effective_status(&status, heartbeat, now) != "running" {
        return Ok(false);
    }
    Ok(match owner {
        Some(pid) if pid == std::process::id() as i64 => false,
        Some(pid) => process_alive(pid).unwrap_or(true),
        None => true,
    })
}

/// `Some(alive)` where the system shows its processes as files (Linux); `None` elsewhere.
fn process_alive(pid: i64) -> Option<bool> {
    let proc = std::path::Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    // No such process, or a zombie (killed, not yet reaped by its parent): not working.
    Some(
        std::fs::read_to_string(proc.join(pid.to_string()).join("status")).is_ok_and(|status| {
            !status
                .lines()
                .any(|l| l.starts_with("State:") && l.contains('Z'))
        }),
    )
}

/// The project a run belongs to.
pub async fn project_of(store: &Store, run_id: i64) -> Result<i64> {
    sqlx::query_scalar!("SELECT project_id FROM runs WHERE id = ?", run_id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| no_such_run(run_id))
}

fn no_such_run(run_id: i64) -> FinderError {
    FinderError::InvalidInput(format!("There is no run #{run_id}."))
}

/// Changes the spending cap stored with a run (for a run that stopped at its budget).
pub async fn set_run_budget(store: &Store, run_id: i64, budget_picos: Option<i64>) -> Result<()> {
    let mut settings = settings_of(store, run_id).await?;
    settings.budget_picos = budget_picos;
    store_settings(store, run_id, &settings).await
}

/// Replaces a stopped run's settings (checked first).
pub async fn store_settings(store: &Store, run_id: i64, settings: &RunSettings) -> Result<()> {
    settings.validate()?;
    let settings_json = serde_json::to_string(settings).unwrap_or_default();
    sqlx::query!(
        "UPDATE runs SET settings_json = ? WHERE id = ?",
        settings_json,
        run_id,
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// A run as stored: its project, the settings it was started with and the time it has worked
/// so far. A start builds it from the settings in hand; only a resume reads it back.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRun {
    pub run_id: i64,
    pub project_id: i64,
    pub settings: RunSettings,
}

/// Reads a stored run back, for a resume: its settings come from the JSON stored with it.
pub async fn stored_run(store: &Store, run_id: i64) -> Result<StoredRun> {
    let row = sqlx::query!(
        "SELECT project_id, settings_json FROM runs WHERE id = ?",
        run_id,
    )
    .fetch_one(store.pool())
    .await?;
    let settings: RunSettings = serde_json::from_str(&row.settings_json).map_err(|e| {
        FinderError::InvalidInput(format!("Run #{run_id} has unreadable settings: {e}"))
    })?;
    Ok(StoredRun {
        run_id,
        project_id: row.project_id,
        settings,
    })
}

/// Makes a stopped run ready to go on: failed posts are queued again, posts another run
/// answered meanwhile are set aside, and the run is marked running by this process.
pub(crate) async fn reopen(store: &Store, run_id: i64, now: i64) -> Result<()> {
    let status: Option<String> =
        sqlx::query_scalar!("SELECT status FROM runs WHERE id = ?", run_id)
            .fetch_optional(store.pool())
            .await?;
    if status.is_none() {
        return Err(no_such_run(run_id));
    }
    sqlx::query!(
        "UPDATE run_items SET state = 'queued', attempts = 0 WHERE run_id = ? AND state = 'failed'",
        run_id,
    )
    .execute(store.pool())
    .await?;
    // Posts another run answered while this one was stopped are not paid for twice (posts of
    // this run's batch jobs still at Google are left to their answers).
    sqlx::query!(
        "UPDATE run_items SET state = 'deduped', error_code = 'answered_elsewhere',
                error_message = 'Answered by another run while this one was stopped.'
         WHERE run_id = ?1 AND state = 'queued'
           AND tweet_id IN (SELECT s.tweet_id FROM suggestions s JOIN runs me ON me.id = ?1
                            WHERE s.project_id = me.project_id AND s.run_id IS NOT NULL
                              AND s.run_id != ?1 AND s.rejected_reason IS NULL AND s.sample = 0)
           AND tweet_id NOT IN (SELECT p.value FROM batch_requests b
                                JOIN batch_jobs j ON j.id = b.job_id, json_each(b.post_ids) p
                                WHERE j.run_id = ?1 AND j.settled = 0 AND b.applied_at IS NULL)",
        run_id,
    )
    .execute(store.pool())
    .await?;
    let pid = i64::from(std::process::id());
    sqlx::query!(
        "UPDATE runs SET status = 'running', error = NULL, stop_reason = NULL, resume_at = NULL,
                finished_at = NULL, heartbeat_at = ?, owner_pid = ? WHERE id = ?",
        now,
        pid,
        run_id,
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// The run's queued posts, most-tried first.
pub(crate) async fn queued_items(store: &Store, run_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar!(
        "SELECT tweet_id FROM run_items WHERE run_id = ? AND state = 'queued' ORDER BY attempts DESC",
        run_id,
    )
    .fetch_all(store.pool())
    .await?)
}

/// What the run's calls have cost so far (earlier passes included).
pub(crate) async fn spent_so_far(store: &Store, run_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar!(
        r#"SELECT coalesce(SUM(cost_picos), 0) AS "spent!: i64" FROM api_calls WHERE run_id = ?"#,
        run_id,
    )
    .fetch_one(store.pool())
    .await?)
}

/// How a pass over a run ended, as stored in `runs`.
pub(crate) struct RunEnd<'a> {
    pub status: &'a str,
    pub stop_reason: Option<&'a str>,
    pub resume_at: Option<i64>,
    pub error: Option<String>,
    pub finished_at: i64,
    /// Milliseconds this pass worked (added to the earlier ones).
    pub elapsed_ms: i64,
}

/// Records how a pass over the run ended.
pub(crate) async fn record_end(store: &Store, run_id: i64, end: &RunEnd<'_>) -> Result<()> {
    sqlx::query!(
        "UPDATE runs SET status = ?, stop_reason = ?, resume_at = ?, error = ?, finished_at = ?,
                elapsed_ms = elapsed_ms + ? WHERE id = ?",
        end.status,
        end.stop_reason,
        end.resume_at,
        end.error,
        end.finished_at,
        end.elapsed_ms,
        run_id,
    )
    .execute(store.pool())
    .await?;
    Ok(())
}

/// Marks the run alive (see [`super::effective_status`]).
pub(crate) async fn mark_alive(store: &Store, run_id: i64, now: i64) -> Result<()> {
    sqlx::query!("UPDATE runs SET heartbeat_at = ? WHERE id = ?", now, run_id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// What this project's ledger says about a model, for forecasts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct History {
    /// Thinking tokens per answered generate call.
    pub thinking_per_request: Option<f64>,
    /// Requests made per pack of posts (re-asks included).
    pub requests_per_pack: Option<f64>,
    /// Output tokens (thinking excluded) per post that got an answer.
    pub output_per_post: Option<f64>,
}

/// This project's recent runs on `model`: thinking per request, requests per pack and output
/// per answered post.
pub async fn history(store: &Store, project_id: i64, model: &str) -> Result<History> {
    let thinking: Option<f64> = sqlx::query_scalar!(
        r#"SELECT AVG(thinking_tokens) AS "thinking?: f64" FROM api_calls
           WHERE project_id = ? AND model = ? AND endpoint = 'generate' AND http_status = 200"#,
        project_id,
        model,
    )
    .fetch_one(store.pool())
    .await?;
    let rows = sqlx::query!(
        r#"SELECT r.settings_json,
                (SELECT COUNT(*) FROM api_calls c WHERE c.run_id = r.id AND c.endpoint = 'generate') AS "calls!: i64",
                (SELECT coalesce(SUM(c.output_tokens), 0) FROM api_calls c
                  WHERE c.run_id = r.id AND c.endpoint = 'generate') AS "output!: i64",
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state IN ('done', 'failed')) AS "posts!: i64",
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'done') AS "answered!: i64"
         FROM runs r WHERE r.project_id = ? ORDER BY r.id DESC LIMIT 20"#,
        project_id,
    )
    .fetch_all(store.pool())
    .await?;
    let (mut calls, mut packs, mut output, mut answered) = (0f64, 0f64, 0f64, 0f64);
    for r in rows {
        let Ok(settings) = serde_json::from_str::<RunSettings>(&r.settings_json) else {
            continue;
        };
        let posts = r.posts;
        if settings.model != model || posts == 0 {
            continue;
        }
        calls += r.calls as f64;
        packs += (posts as f64 / settings.per_request.max(1) as f64).ceil();
        output += r.output as f64;
        answered += r.answered as f64;
    }
    Ok(History {
        thinking_per_request: thinking,
        requests_per_pack: (packs > 0.0).then(|| (calls / packs).max(1.0)),
        output_per_post: (answered > 0.0).then(|| output / answered),
    })
}

/// Ends posts as failed with one reason.
pub(crate) async fn fail_posts(
    ctx: &RunContext,
    run_id: i64,
    ids: &[String],
    code: &str,
    message: &str,
) -> Result<()> {
    let mut tx = ctx.store.write_tx().await?;
    let now = (ctx.wall_clock)();
    for id in ids {
        mark_failed(&mut tx, run_id, id, 0, code, message, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Billed tries so far of some of a run's posts.
pub(crate) async fn attempts_of(
    store: &Store,
    run_id: i64,
    ids: &[String],
) -> Result<HashMap<String, u32>> {
    // One query for the whole request. `attempts` is negative (the queue order) until a
    // post's first try.
    let ids_json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let rows: Vec<(String, i64)> = sqlx::query!(
        "SELECT tweet_id, attempts FROM run_items
         WHERE run_id = ? AND tweet_id IN (SELECT value FROM json_each(?))",
        run_id,
        ids_json,
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(|r| (r.tweet_id, r.attempts))
    .collect();
    let mut out: HashMap<String, u32> = ids.iter().map(|id| (id.clone(), 0)).collect();
    for (id, attempts) in rows {
        out.insert(id, attempts.max(0) as u32);
    }
    Ok(out)
}

/// A ledger row as the executor knows it (the model and prices come from the run).
pub(crate) struct LedgerRow {
    pub run_id: i64,
    pub project_id: i64,
    pub called_at: i64,
    pub attempt: u32,
    pub outcome: String,
    pub http_status: Option<u16>,
    pub latency_ms: u64,
    pub tokens: BilledTokens,
}

/// A post that ends failed with this outcome.
pub(crate) struct FailedPost {
    pub id: String,
    pub tries: u32,
    pub code: &'static str,
    pub message: String,
}

pub(crate) struct StoredDraft {
    pub post_id: String,
    pub reply_type: String,
    pub rank: i64,
    pub text: String,
    pub rejected: Option<String>,
}

/// How a call is written to the ledger: endpoint and prices, and for a batch answer the
/// request it answers (marked applied in the same transaction).
pub(crate) struct Billing<'a> {
    pub model: &'a str,
    pub endpoint: &'a str,
    pub price: Price,
    pub batch_request: Option<(i64, &'a str)>,
    /// Posts that stay queued for another try, with their billed tries so far.
    pub tried_again: &'a [(String, u32)],
}

/// Writes an outcome (see [`write_outcome_once`]), trying again when the write fails: losing
/// it would lose a billed answer. `None`: an earlier pass stored it already.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_outcome(
    ctx: &RunContext,
    billing: &Billing<'_>,
    row: &LedgerRow,
    done: &[(String, u32)],
    failed: &[FailedPost],
    drafts: &[StoredDraft],
) -> Result<Option<i64>> {
    let mut tries_left = 5u32;
    loop {
        match write_outcome_once(ctx, billing, row, done, failed, drafts).await {
            Ok(stored) => return Ok(stored),
            Err(e) if tries_left > 0 => {
                tries_left -= 1;
                tracing::warn!(
                    run_id = row.run_id,
                    "saving an answer failed, trying again: {e}"
                );
                tokio::time::sleep(Duration::from_millis(250 * u64::from(5 - tries_left))).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// The call's ledger row, its drafts and its posts' new states, in one transaction.
async fn write_outcome_once(
    ctx: &RunContext,
    billing: &Billing<'_>,
    row: &LedgerRow,
    done: &[(String, u32)],
    failed: &[FailedPost],
    drafts: &[StoredDraft],
) -> Result<Option<i64>> {
    let now = (ctx.wall_clock)();
    let mut tx = ctx.store.write_tx().await?;
    let cost = ledger::record(
        &mut *tx,
        &CallEntry {
            run_id: Some(row.run_id),
            project_id: Some(row.project_id),
            called_at: row.called_at,
            model: billing.model,
            endpoint: billing.endpoint,
            attempt: row.attempt,
            outcome: &row.outcome,
            http_status: row.http_status,
            latency_ms: row.latency_ms,
            tokens: row.tokens,
            price: billing.price,
        },
    )
    .await?;
    if let Some((job_id, key)) = billing.batch_request {
        let marked = sqlx::query!(
            "UPDATE batch_requests SET applied_at = ? WHERE job_id = ? AND key = ? AND applied_at IS NULL",
            now,
            job_id,
            key,
        )
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            // Already stored (by an earlier pass over the same answers): store nothing twice.
            tx.rollback().await?;
            return Ok(None);
        }
    }
    for (post_id, tries) in billing.tried_again {
        let tries = i64::from(*tries);
        sqlx::query!(
            "UPDATE run_items SET attempts = ? WHERE run_id = ? AND tweet_id = ? AND state = 'queued'",
            tries,
            row.run_id,
            post_id,
        )
        .execute(&mut *tx)
        .await?;
    }
    for d in drafts {
        sqlx::query!(
            "INSERT OR IGNORE INTO suggestions (project_id, tweet_id, run_id, reply_type, rank, text, rejected_reason, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            row.project_id,
            d.post_id,
            row.run_id,
            d.reply_type,
            d.rank,
            d.text,
            d.rejected,
            now,
        )
        .execute(&mut *tx)
        .await?;
    }
    for (post_id, tries) in done {
        let tries = i64::from(*tries);
        sqlx::query!(
            "UPDATE run_items SET state = 'done', attempts = ?, error_code = NULL, error_message = NULL, finished_at = ?
             WHERE run_id = ? AND tweet_id = ?",
            tries,
            now,
            row.run_id,
            post_id,
        )
        .execute(&mut *tx)
        .await?;
    }
    for f in failed {
        mark_failed(&mut tx, row.run_id, &f.id, f.tries, f.code, &f.message, now).await?;
    }
    tx.commit().await?;
    Ok(Some(cost))
}

pub(crate) async fn mark_failed(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    run_id: i64,
    tweet_id: &str,
    attempts: u32,
    code: &str,
    message: &str,
    now: i64,
) -> Result<()> {
    let attempts = i64::from(attempts);
    sqlx::query!(
        "UPDATE run_items SET state = 'failed', attempts = ?, error_code = ?, error_message = ?, finished_at = ?
         WHERE run_id = ? AND tweet_id = ? AND state = 'queued'",
        attempts,
        code,
        message,
        now,
        run_id,
        tweet_id,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn load_posts(
    store: &Store,
    project_id: i64,
    ids: &[String],
) -> Result<HashMap<String, (StoredPost, Option<String>)>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let ids_json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
        let rows = sqlx::query!(
            r#"SELECT t.id AS "id!", t.text, t.url, t.lang, a.handle, a.followers, t.likes, t.replies,
                      t.retweets, t.views, t.posted_at, t.is_retweet AS "is_retweet: bool",
                      t.reply_restricted AS "reply_restricted: bool", pt.topic AS "topic?"
               FROM tweets t JOIN authors a ON a.id = t.author_id
               LEFT JOIN project_tweets pt ON pt.tweet_id = t.id AND pt.project_id = ?
               WHERE t.id IN (SELECT value FROM json_each(?))"#,
            project_id,
            ids_json,
        )
        .fetch_all(store.pool())
        .await?;
        for r in rows {
            let post = StoredPost {
                id: r.id,
                text: r.text,
                url: r.url,
                lang: r.lang,
                handle: r.handle,
                followers: r.followers,
                likes: r.likes,
                replies: r.replies,
                retweets: r.retweets,
                views: r.views,
                posted_at: r.posted_at,
                is_retweet: r.is_retweet,
                reply_restricted: r.reply_restricted,
            };
            out.insert(post.id.clone(), (post, r.topic));
        }
    }
    Ok(out)
}

#[derive(Debug, Default)]
pub(crate) struct ItemCounts {
    pub queued: u64,
    pub done: u64,
    pub failed: u64,
}

pub(crate) async fn item_counts(store: &Store, run_id: i64) -> Result<ItemCounts> {
    let rows = sqlx::query!(
        r#"SELECT state, COUNT(*) AS "n!: i64" FROM run_items WHERE run_id = ? GROUP BY state"#,
        run_id,
    )
    .fetch_all(store.pool())
    .await?;
    let mut c = ItemCounts::default();
    for r in rows {
        let n = r.n as u64;
        match r.state.as_str() {
            "queued" => c.queued = n,
            "done" => c.done = n,
            "failed" => c.failed = n,
            _ => {}
        }
    }
    Ok(c)
}

/// The run's figures, from what is stored (so they are right after a crash and resume).
pub async fn summary(store: &Store, run_id: i64, now: i64) -> Result<RunSummary> {
    let run = sqlx::query!(
        "SELECT status, stop_reason, resume_at, error, elapsed_ms, heartbeat_at, settings_json, forecast_json FROM runs WHERE id = ?",
        run_id,
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| no_such_run(run_id))?;
    let items = sqlx::query!(
        r#"SELECT COUNT(*) AS "all_items!: i64",
                SUM(state = 'gated') AS "gated?: i64", SUM(state = 'deduped') AS "deduped?: i64",
                SUM(state = 'done') AS "done?: i64", SUM(state = 'failed') AS "failed?: i64"
         FROM run_items WHERE run_id = ?"#,
        run_id,
    )
    .fetch_one(store.pool())
    .await?;
    let calls = sqlx::query!(
        r#"SELECT coalesce(SUM(endpoint IN ('generate', 'batch')), 0) AS "requests!: i64",
                coalesce(SUM(attempt > 1 AND endpoint = 'generate'), 0) AS "retries!: i64",
                coalesce(SUM(prompt_tokens), 0) AS "input!: i64", coalesce(SUM(output_tokens), 0) AS "output!: i64",
                coalesce(SUM(thinking_tokens), 0) AS "thinking!: i64", coalesce(SUM(cost_picos), 0) AS "cost!: i64"
         FROM api_calls WHERE run_id = ?"#,
        run_id,
    )
    .fetch_one(store.pool())
    .await?;
    let suggestions: i64 = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM suggestions WHERE run_id = ? AND rejected_reason IS NULL"#,
        run_id,
    )
    .fetch_one(store.pool())
    .await?;
    let cost = calls.cost;
    Ok(RunSummary {
        run_id,
        status: RunStatus::from_stored(
            &run.status,
            run.stop_reason.as_deref(),
            run.heartbeat_at,
            now,
        ),
        candidates: items.all_items,
        gated_out: items.gated.unwrap_or(0),
        deduped: items.deduped.unwrap_or(0),
        succeeded: items.done.unwrap_or(0),
        failed: items.failed.unwrap_or(0),
        suggestions,
        requests: calls.requests,
        retries: calls.retries,
        input_tokens: calls.input,
        output_tokens: calls.output,
        thinking_tokens: calls.thinking,
        cost_picos: cost,
        cost_usd: prices::picos_to_usd(cost),
        elapsed_s: run.elapsed_ms as f64 / 1000.0,
        error: run.error,
        resume_at: run.resume_at,
        mode: serde_json::from_str::<RunSettings>(&run.settings_json)
            .map(|s| s.mode)
            .unwrap_or_default(),
        batch: crate::batch::status(store, run_id).await?,
        forecast_note: None,
        sentence: String::new(),
    }
    .with_forecast_note(
        run.forecast_json
            .as_deref()
            .and_then(|f| serde_json::from_str::<serde_json::Value>(f).ok())
            .and_then(|f| f.get("posts").and_then(|p| p.as_i64())),
    )
    .with_sentence())
}

/// A past run's forecast next to what it did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastCheck {
    pub run_id: i64,
    pub forecast_posts: i64,
    pub actual_posts: i64,
    pub forecast_requests: i64,
    pub actual_requests: i64,
    pub forecast_cost_picos: i64,
    pub actual_cost_picos: i64,
    /// (actual − forecast) / forecast, in percent.
    pub cost_error_percent: f64,
}

/// Forecast vs actual for the latest runs that stored a forecast and have ended.
pub async fn forecast_accuracy(
    store: &Store,
    project_id: Option<i64>,
    limit: u32,
) -> Result<Vec<ForecastCheck>> {
    let limit = i64::from(limit);
    let rows = sqlx::query!(
        r#"SELECT r.id AS "id!: i64", r.forecast_json AS "forecast_json!",
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state IN ('done', 'failed')) AS "posts!: i64",
                (SELECT COUNT(*) FROM api_calls c WHERE c.run_id = r.id AND c.endpoint = 'generate') AS "requests!: i64",
                (SELECT coalesce(SUM(cost_picos), 0) FROM api_calls c WHERE c.run_id = r.id) AS "cost!: i64"
         FROM runs r
         WHERE r.forecast_json IS NOT NULL AND r.status != 'running' AND (?1 IS NULL OR r.project_id = ?1)
         ORDER BY r.id DESC LIMIT ?2"#,
        project_id,
        limit,
    )
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let Ok(f) = serde_json::from_str::<serde_json::Value>(&r.forecast_json) else {
            continue;
        };
        let fc = f["cost_picos"].as_i64().unwrap_or(0);
        let actual = r.cost;
        out.push(ForecastCheck {
            run_id: r.id,
            forecast_posts: f["posts"].as_i64().unwrap_or(0),
            actual_posts: r.posts,
            forecast_requests: f["requests"].as_i64().unwrap_or(0),
            actual_requests: r.requests,
            forecast_cost_picos: fc,
            actual_cost_picos: actual,
            cost_error_percent: if fc > 0 {
                (actual - fc) as f64 * 100.0 / fc as f64
            } else {
                0.0
            },
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunListing {
    pub run_id: i64,
    pub project: String,
    pub status: RunStatus,
    pub created_at: i64,
    pub posts: i64,
    pub done: i64,
    pub failed: i64,
    pub cost_picos: i64,
    // For the CLI's JSON; the window shows the engine's money text instead.
    #[cfg_attr(feature = "specta", specta(skip))]
    pub cost_usd: f64,
    /// A batch run's jobs at Google (queued, running, n of m answered, done).
    pub batch: Option<crate::batch::BatchStatus>,
    /// The run is working right now in this process (storage cannot know: the caller that
    /// supervises its runs marks them).
    pub active: bool,
}

pub async fn list(
    store: &Store,
    project_id: Option<i64>,
    limit: u32,
    now: i64,
) -> Result<Vec<RunListing>> {
    let limit = i64::from(limit);
    let rows = sqlx::query!(
        r#"SELECT r.id AS "id!: i64", p.name, r.status, r.stop_reason, r.heartbeat_at, r.created_at,
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state IN ('queued', 'done', 'failed')) AS "posts!: i64",
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'done') AS "done!: i64",
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'failed') AS "failed!: i64",
                (SELECT coalesce(SUM(cost_picos), 0) FROM api_calls c WHERE c.run_id = r.id) AS "cost!: i64"
         FROM runs r JOIN projects p ON p.id = r.project_id
         WHERE (?1 IS NULL OR r.project_id = ?1)
         ORDER BY r.id DESC LIMIT ?2"#,
        project_id,
        limit,
    )
    .fetch_all(store.pool())
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut batches = crate::batch::statuses(store, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let run_id = r.id;
        let batch = batches.remove(&run_id);
        out.push({
            let cost = r.cost;
            RunListing {
                batch,
                active: false,
                run_id,
                project: r.name,
                status: RunStatus::from_stored(
                    &r.status,
                    r.stop_reason.as_deref(),
                    r.heartbeat_at,
                    now,
                ),
                created_at: r.created_at,
                posts: r.posts,
                done: r.done,
                failed: r.failed,
                cost_picos: cost,
                cost_usd: prices::picos_to_usd(cost),
            }
        });
    }
    Ok(out)
}
