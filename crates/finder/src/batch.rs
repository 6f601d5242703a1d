//! Batch mode: a run's requests answered by Google's Batch API at half price, within hours.
//!
//! - The requests are built exactly as a normal run builds them (same packing, prompts,
//!   schema and thinking settings) and sent as inline batch jobs, split to stay under
//!   Google's 20 MB inline limit (and split again if Google still finds one too large).
//! - **Nothing is submitted twice.** A job is stored with a unique display name *before* it
//!   is created at Google; a process killed between the two finds the job by that name on the
//!   next start (or `runs resume`) and adopts it instead of creating another.
//! - **Nothing billed is lost or stored twice.** Each answer is written in one transaction
//!   with its ledger row (at the batch price) and the mark that its request is applied; a
//!   restart re-reads the job's answers and skips the applied ones.
//! - **Budgets**: a job's worst-case cost at the batch price is reserved when it is submitted
//!   and stays held (in the database, so across restarts) until its answers are in the ledger.
//!   Posts that do not fit stay queued and the run stops at the budget.
//! - Jobs are checked with growing waits (and at once on [`crate::engine::check_batch_now`]).
//!   Each answer goes through the same checks, repairs and storage as a normal run's. Posts
//!   without a usable reply stay queued for a follow-up the user starts (batch or now);
//!   per-request errors fail their posts with the reason. Failed or expired jobs (Google gives
//!   up after about 48 hours) put their posts back in the queue; Cancel cancels the jobs at
//!   Google and keeps whatever they answered.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use gemini::{BatchAnswer, BatchJob, BatchOutput, BatchState, GeminiError};
use rand::SeedableRng;
use serde::{Deserialize, Serialize};

use crate::budget;
use crate::error::{FinderError, Result};
use crate::prices::{BilledTokens, Price};
use crate::retry;
use crate::runner::executor::{self, LoadedRun, RunData};
use crate::runner::planning;
use crate::runner::run_store::{self, Billing, FailedPost, LedgerRow, StoredRun};
use crate::runner::{self, RunContext, RunEvent, RunSummary};

/// Room left under Google's inline limit for the job's envelope.
const INLINE_BUDGET_BYTES: usize = gemini::MAX_INLINE_BATCH_BYTES - 1024 * 1024;

/// How often batch jobs are checked: `first`, doubling up to `longest`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BatchPolling {
    pub first: Duration,
    pub longest: Duration,
}

impl Default for BatchPolling {
    fn default() -> Self {
        BatchPolling {
            first: Duration::from_secs(5),
            longest: Duration::from_secs(300),
        }
    }
}

impl BatchPolling {
    /// `COMMENT_FINDER_BATCH_POLL_MS` sets the first wait (tests and impatient users).
    pub fn from_env() -> Self {
        let mut polling = BatchPolling::default();
        if let Some(ms) = std::env::var("COMMENT_FINDER_BATCH_POLL_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
        {
            polling.first = Duration::from_millis(ms);
            polling.longest = polling.longest.max(polling.first);
        }
        polling
    }

    fn wait(&self, step: u32) -> Duration {
        self.first
            .saturating_mul(1u32 << step.min(16))
            .min(self.longest)
    }
}

/// Where a batch run is, for the Runs list and the progress line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum BatchPhase {
    /// Jobs are being created at Google.
    Submitting,
    /// Google has the jobs but has not started them.
    QueuedAtGoogle,
    Running,
    /// Every job has ended and its answers are stored.
    Done,
}

/// A batch run's jobs, as last checked.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct BatchStatus {
    pub run_id: i64,
    pub phase: BatchPhase,
    pub jobs: u32,
    pub jobs_done: u32,
    /// Requests sent in jobs, and answers stored so far (each request carries several posts).
    pub requests: u64,
    pub answered: u64,
    pub failed: u64,
    /// Seconds until the next check, while waiting.
    #[cfg_attr(feature = "specta", specta(type = Option<crate::FiniteNumber>))]
    pub next_check_s: Option<f64>,
    /// "Queued at Google: 2 jobs, 14 requests": where the jobs are, without the countdown
    /// (for lists, and for saying only what changed).
    pub headline: String,
    /// "Queued at Google: 2 jobs, 14 requests. Next check in 10 s."
    pub sentence: String,
}

impl BatchStatus {
    fn describe(&mut self) {
        let jobs = if self.jobs == 1 {
            "1 job".to_owned()
        } else {
            format!("{} jobs", self.jobs)
        };
        let head = match self.phase {
            BatchPhase::Submitting => format!("Sending {jobs} to Google"),
            BatchPhase::QueuedAtGoogle => {
                format!("Queued at Google: {jobs}, {} requests", self.requests)
            }
            BatchPhase::Running => format!(
                "Google is working on it: {} of {} jobs done, {} of {} requests answered",
                self.jobs_done, self.jobs, self.answered, self.requests
            ),
            BatchPhase::Done => format!(
                "Done at Google: {} of {} requests answered",
                self.answered, self.requests
            ),
        };
        self.sentence = match self.next_check_s {
            Some(s) if self.phase != BatchPhase::Done => {
                format!("{head}. Next check in {}.", runner::duration_words(s))
            }
            _ => format!("{head}."),
        };
        self.headline = head;
    }
}

/// The batch state of a stored run, or `None` for a run without jobs.
pub async fn status(store: &crate::store::Store, run_id: i64) -> Result<Option<BatchStatus>> {
    Ok(statuses(store, &[run_id]).await?.remove(&run_id))
}

/// The batch state of several runs in one query (runs without jobs are left out).
pub async fn statuses(
    store: &crate::store::Store,
    run_ids: &[i64],
) -> Result<std::collections::HashMap<i64, BatchStatus>> {
    let ids = serde_json::to_string(run_ids).unwrap_or_else(|_| "[]".into());
    let rows = sqlx::query_as!(
        JobRow,
        "SELECT run_id, state, settled, answered, failed, requests FROM batch_jobs
         WHERE run_id IN (SELECT value FROM json_each(?))",
        ids,
    )
    .fetch_all(store.pool())
    .await?;
    let mut jobs: std::collections::HashMap<i64, Vec<JobRow>> = Default::default();
    for r in rows {
        jobs.entry(r.run_id).or_default().push(r);
    }
    Ok(jobs
        .into_iter()
        .map(|(run_id, rows)| (run_id, status_of(run_id, &rows)))
        .collect())
}

/// A stored job's progress, as [`statuses`] reads it.
struct JobRow {
    run_id: i64,
    state: String,
    settled: i64,
    answered: i64,
    failed: i64,
    requests: i64,
}

fn status_of(run_id: i64, rows: &[JobRow]) -> BatchStatus {
    let mut status = BatchStatus {
        run_id,
        phase: BatchPhase::Done,
        jobs: rows.len() as u32,
        jobs_done: 0,
        requests: 0,
        answered: 0,
        failed: 0,
        next_check_s: None,
        headline: String::new(),
        sentence: String::new(),
    };
    let mut any_running = false;
    let mut any_pending = false;
    let mut any_unsubmitted = false;
    for r in rows {
        status.requests += r.requests as u64;
        status.answered += r.answered as u64;
        status.failed += r.failed as u64;
        if r.settled == 1 {
            status.jobs_done += 1;
            continue;
        }
        match r.state.as_str() {
            "unsubmitted" => any_unsubmitted = true,
            "pending" => any_pending = true,
            _ => any_running = true,
        }
    }
    status.phase = if status.jobs_done == status.jobs {
        BatchPhase::Done
    } else if any_running || status.jobs_done > 0 {
        BatchPhase::Running
    } else if any_unsubmitted && !any_pending {
        BatchPhase::Submitting
    } else {
        BatchPhase::QueuedAtGoogle
    };
    status.describe();
    status
}

/// Runs with batch jobs at Google whose answers are not stored yet: what the app picks up
/// again when it starts.
pub async fn runs_with_open_jobs(store: &crate::store::Store) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar!(
        "SELECT DISTINCT j.run_id FROM batch_jobs j JOIN runs r ON r.id = j.run_id
         WHERE j.settled = 0 AND r.status IN ('running', 'interrupted') ORDER BY j.run_id",
    )
    .fetch_all(store.pool())
    .await?)
}

/// A stored job not yet settled.
#[derive(Debug, Clone)]
struct OpenJob {
    id: i64,
    display_name: String,
    name: Option<String>,
    state: BatchState,
}

/// One request of a job: its key and the posts it carries.
#[derive(Debug, Clone)]
struct StoredRequest {
    key: String,
    post_ids: Vec<String>,
    applied: bool,
}

/// How the run ends, decided along the way.
#[derive(Debug, Default)]
struct Ending {
    cancelled: bool,
    fatal: Option<String>,
    budget: Option<budget::BudgetReached>,
    /// Jobs that failed or expired at Google (their posts are queued again).
    lost_jobs: Vec<String>,
}

pub(crate) async fn execute(ctx: &RunContext, run: &StoredRun) -> Result<RunSummary> {
    let run_id = run.run_id;
    let started_at = tokio::time::Instant::now();
    let LoadedRun {
        data,
        queued,
        counts,
    } = executor::load_run(ctx, run).await?;
    let _ = ctx.events.send(RunEvent::Started {
        run_id,
        total: data.total,
        already_done: counts.done + counts.failed,
    });
    let heartbeat = executor::spawn_heartbeat(ctx, run_id);
    let mut ending = Ending::default();
    let result = work(ctx, &data, queued, &mut ending).await;
    heartbeat.abort();
    let elapsed_ms = started_at.elapsed().as_millis() as i64;
    let left = run_store::item_counts(&ctx.store, run_id).await?.queued;
    let (status, stop_reason, error) = match (&result, &ending) {
        (Err(e), _) => ("failed", None, Some(e.to_string())),
        (Ok(()), Ending { fatal: Some(m), .. }) => ("failed", None, Some(m.clone())),
        (
            Ok(()),
            Ending {
                cancelled: true, ..
            },
        ) => ("cancelled", None, None),
        (
            Ok(()),
            Ending {
                budget: Some(b), ..
            },
        ) => ("interrupted", Some("budget"), Some(b.sentence())),
        (Ok(()), e) if !e.lost_jobs.is_empty() => (
            "interrupted",
            Some("batch_lost"),
            Some(format!(
                "{} Its {left} posts are back in the queue: resume to send them again.",
                e.lost_jobs.join(" ")
            )),
        ),
        (Ok(()), _) if left > 0 => (
            "interrupted",
            Some("follow_up"),
            Some(format!(
                "{left} posts got no usable reply yet. Try them again, at half price or now."
            )),
        ),
        (Ok(()), _) => ("finished", None, None),
    };
    let end = run_store::RunEnd {
        status,
        stop_reason,
        resume_at: None,
        error,
        finished_at: (ctx.wall_clock)(),
        elapsed_ms,
    };
    run_store::record_end(&ctx.store, run_id, &end).await?;
    result?;
    executor::finished(ctx, run_id).await
}

async fn work(
    ctx: &RunContext,
    data: &Arc<RunData>,
    queued: Vec<String>,
    ending: &mut Ending,
) -> Result<()> {
    let run_id = data.run_id;
    // 1. Jobs from an earlier process: find the ones whose creation answer was lost.
    let mut open = open_jobs(ctx, run_id).await?;
    for job in open.iter_mut().filter(|j| j.name.is_none()) {
        if let Some(found) = find_at_google(ctx, &job.display_name).await? {
            record_submitted(ctx, job.id, &found).await?;
            job.name = Some(found.name.clone());
            job.state = found.state;
        } else {
            // Never reached Google: send it now, as stored.
            let requests = stored_requests(ctx, job.id).await?;
            let packs: Vec<Vec<String>> = requests.into_iter().map(|r| r.post_ids).collect();
            match create_at_google(ctx, data, job, &packs).await? {
                Created::Job(created) => {
                    job.name = Some(created.name);
                    job.state = created.state;
                }
                Created::Refused(sentence) => {
                    // Refused for good: forget the job, its posts stay queued.
                    forget_job(ctx, job.id).await?;
                    ending.fatal = Some(sentence);
                    return Ok(());
                }
                // The job stays stored: a resume finds it at Google or sends it.
                Created::Cancelled => {}
            }
        }
    }
    open.retain(|j| j.name.is_some());

    // 2. Queued posts not in any open job: pack, reserve, store, submit.
    let in_jobs = posts_in_open_jobs(ctx, run_id).await?;
    let fresh: Vec<String> = queued
        .into_iter()
        .filter(|id| !in_jobs.contains(id))
        .collect();
    if !fresh.is_empty() && !ctx.cancel.is_cancelled() {
        submit(ctx, data, fresh, &mut open, ending).await?;
    }
    if ending.fatal.is_some() {
        // Jobs already at Google still answer: wait for them before stopping.
        if open.is_empty() {
            return Ok(());
        }
    }

    // 3. Check the jobs with growing waits until every one has ended; apply answers.
    let mut step = 0u32;
    let mut cancel_sent = false;
    while !open.is_empty() {
        if ctx.cancel.is_cancelled() && !cancel_sent {
            cancel_sent = true;
            ending.cancelled = true;
            for job in &open {
                if let Some(name) = &job.name {
                    if let Err(e) = ctx.client.cancel_batch(name).await {
                        tracing::warn!(run_id, "cancelling batch job {name} failed: {e}");
                    }
                }
            }
            step = 0;
        }
        let mut still_open = Vec::with_capacity(open.len());
        for job in open {
            let Some(name) = job.name.clone() else {
                continue;
            };
            match ctx.client.get_batch(&name, true).await {
                Ok(read) => {
                    update_job(ctx, job.id, &read).await?;
                    if read.state.is_final() {
                        settle_job(ctx, data, &job, read, ending).await?;
                    } else {
                        still_open.push(job);
                    }
                }
                Err(GeminiError::NotFound { .. }) => {
                    // Deleted at Google: nothing will come; its posts go back in the queue.
                    let gone = BatchJob {
                        name,
                        display_name: Some(job.display_name.clone()),
                        state: BatchState::Failed,
                        stats: Default::default(),
                        output: None,
                        error: Some("Google no longer knows this job.".into()),
                    };
                    settle_job(ctx, data, &job, gone, ending).await?;
                }
                Err(e) if e.is_permanent() => {
                    ending.fatal = Some(executor::permanent_sentence(&e));
                    // The job stays open at Google; a resume picks it up.
                    return Ok(());
                }
                Err(e) => {
                    tracing::warn!(run_id, "checking batch job {name} failed, will retry: {e}");
                    still_open.push(job);
                }
            }
        }
        open = still_open;
        if open.is_empty() {
            break;
        }
        let wait = if cancel_sent {
            ctx.batch.polling.first
        } else {
            ctx.batch.polling.wait(step)
        };
        step += 1;
        if let Some(mut status) = status(&ctx.store, run_id).await? {
            status.next_check_s = Some(wait.as_secs_f64());
            status.describe();
            let _ = ctx.events.send(RunEvent::Batch(status));
        }
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = ctx.batch.check_now.notified() => { step = 0; }
            _ = ctx.cancel.notified(), if !cancel_sent => {}
        }
    }
    if let Some(status) = status(&ctx.store, run_id).await? {
        let _ = ctx.events.send(RunEvent::Batch(status));
    }
    Ok(())
}

async fn open_jobs(ctx: &RunContext, run_id: i64) -> Result<Vec<OpenJob>> {
    let rows = sqlx::query!(
        r#"SELECT id AS "id!: i64", display_name, name, state FROM batch_jobs
           WHERE run_id = ? AND settled = 0 ORDER BY id"#,
        run_id,
    )
    .fetch_all(ctx.store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OpenJob {
            id: r.id,
            display_name: r.display_name,
            name: r.name,
            state: BatchState::from_stored(&r.state),
        })
        .collect())
}

async fn stored_requests(ctx: &RunContext, job_id: i64) -> Result<Vec<StoredRequest>> {
    let rows = sqlx::query!(
        "SELECT key, post_ids, applied_at FROM batch_requests WHERE job_id = ? ORDER BY position",
        job_id,
    )
    .fetch_all(ctx.store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            Ok(StoredRequest {
                key: r.key,
                post_ids: serde_json::from_str(&r.post_ids).map_err(|e| {
                    FinderError::InvalidInput(format!("A stored batch request is unreadable: {e}"))
                })?,
                applied: r.applied_at.is_some(),
            })
        })
        .collect()
}

async fn posts_in_open_jobs(ctx: &RunContext, run_id: i64) -> Result<HashSet<String>> {
    let rows: Vec<String> = sqlx::query_scalar!(
        "SELECT r.post_ids FROM batch_requests r JOIN batch_jobs j ON j.id = r.job_id
         WHERE j.run_id = ? AND j.settled = 0 AND r.applied_at IS NULL",
        run_id,
    )
    .fetch_all(ctx.store.pool())
    .await?;
    let mut ids = HashSet::new();
    for row in rows {
        if let Ok(list) = serde_json::from_str::<Vec<String>>(&row) {
            ids.extend(list);
        }
    }
    Ok(ids)
}

/// Looks for a job by its display name in Google's list (a few pages, newest first).
async fn find_at_google(ctx: &RunContext, display_name: &str) -> Result<Option<BatchJob>> {
    let mut token: Option<String> = None;
    for _ in 0..20 {
        let page = match ctx.client.list_batches(token.as_deref()).await {
            Ok(page) => page,
            Err(e) => return Err(FinderError::Gemini(e)),
        };
        if let Some(job) = page
            .jobs
            .into_iter()
            .find(|j| j.display_name.as_deref() == Some(display_name))
        {
            return Ok(Some(job));
        }
        match page.next_page_token {
            Some(next) => token = Some(next),
            None => return Ok(None),
        }
    }
    Ok(None)
}

async fn record_submitted(ctx: &RunContext, job_id: i64, job: &BatchJob) -> Result<()> {
    let (state, now) = (job.state.as_str(), (ctx.wall_clock)());
    sqlx::query!(
        "UPDATE batch_jobs SET name = ?, state = ?, submitted_at = coalesce(submitted_at, ?) WHERE id = ?",
        job.name,
        state,
        now,
        job_id,
    )
    .execute(ctx.store.pool())
    .await?;
    Ok(())
}

async fn update_job(ctx: &RunContext, job_id: i64, job: &BatchJob) -> Result<()> {
    let (state, now) = (job.state.as_str(), (ctx.wall_clock)());
    sqlx::query!(
        "UPDATE batch_jobs SET state = ?, checked_at = ? WHERE id = ?",
        state,
        now,
        job_id,
    )
    .execute(ctx.store.pool())
    .await?;
    Ok(())
}

async fn forget_job(ctx: &RunContext, job_id: i64) -> Result<()> {
    sqlx::query!("DELETE FROM batch_jobs WHERE id = ?", job_id)
        .execute(ctx.store.pool())
        .await?;
    Ok(())
}

/// Packs the posts as a normal run would, holds each pack's worst case at the batch price
/// against the budgets, and submits the packs that fit as jobs under the inline limit.
async fn submit(
    ctx: &RunContext,
    data: &Arc<RunData>,
    posts: Vec<String>,
    open: &mut Vec<OpenJob>,
    ending: &mut Ending,
) -> Result<()> {
    let batch_price = data.price.at_batch_rate();
    let mut missing = Vec::new();
    let mut packs: Vec<(Vec<String>, usize, i64)> = Vec::new(); // posts, bytes, worst case
    let mut holds = Vec::new();
    for chunk in posts.chunks(data.per_request.max(1)) {
        let ids: Vec<String> = chunk
            .iter()
            .filter(|id| data.posts.contains_key(*id))
            .cloned()
            .collect();
        missing.extend(
            chunk
                .iter()
                .filter(|id| !data.posts.contains_key(*id))
                .cloned(),
        );
        if ids.is_empty() {
            continue;
        }
        let Some(prompt_posts) = executor::prompt_posts_for(data, &ids) else {
            continue;
        };
        let (request, max_output) = executor::request_for(data, &prompt_posts);
        let worst = budget::worst_case_picos(
            &batch_price,
            planning::estimate_input_tokens(&request),
            max_output as u64,
        );
        match data.budget.reserve(worst).await? {
            Ok((hold, reserved)) => {
                for alert in reserved.alerts {
                    let _ = ctx.events.send(RunEvent::BudgetAlert(alert));
                }
                holds.push(hold);
            }
            Err(refused) => {
                for alert in refused.alerts {
                    let _ = ctx.events.send(RunEvent::BudgetAlert(alert));
                }
                let _ = ctx.events.send(RunEvent::BudgetReached {
                    sentence: refused.reached.sentence(),
                    reached: refused.reached.clone(),
                });
                ending.budget = Some(refused.reached);
                break;
            }
        }
        let bytes = gemini::inline_request_bytes("r000000", &request);
        packs.push((ids, bytes, worst));
    }
    if !missing.is_empty() {
        run_store::fail_posts(
            ctx,
            data.run_id,
            &missing,
            "post_missing",
            "The post is no longer stored.",
        )
        .await?;
    }
    // Jobs under the inline limit.
    let mut jobs: Vec<Vec<(Vec<String>, i64)>> = Vec::new();
    let mut size = 0usize;
    for (ids, bytes, worst) in packs {
        if jobs.is_empty() || size + bytes > INLINE_BUDGET_BYTES {
            jobs.push(Vec::new());
            size = 0;
        }
        size += bytes;
        jobs.last_mut()
            .expect("a job was pushed")
            .push((ids, worst));
    }
    for job in jobs {
        submit_job(ctx, data, job, open, ending).await?;
        if ending.fatal.is_some() || ctx.cancel.is_cancelled() {
            break;
        }
    }
    // The jobs' holds are in the database now (or the jobs were not sent).
    drop(holds);
    Ok(())
}

/// Stores a job, then creates it at Google; halves it if Google finds it too large.
fn submit_job<'a>(
    ctx: &'a RunContext,
    data: &'a Arc<RunData>,
    packs: Vec<(Vec<String>, i64)>,
    open: &'a mut Vec<OpenJob>,
    ending: &'a mut Ending,
) -> futures::future::BoxFuture<'a, Result<()>> {
    Box::pin(async move {
        let job = store_job(ctx, data, &packs).await?;
        let ids: Vec<Vec<String>> = packs.iter().map(|(ids, _)| ids.clone()).collect();
        let mut stored = job;
        match create_at_google(ctx, data, &mut stored, &ids).await {
            Ok(Created::Job(created)) => {
                stored.name = Some(created.name);
                stored.state = created.state;
                open.push(stored);
                Ok(())
            }
            Ok(Created::Refused(sentence)) => {
                forget_job(ctx, stored.id).await?;
                ending.fatal = Some(sentence);
                Ok(())
            }
            // Cancelled while retrying: the job may exist at Google (an answer lost on the
            // way), so it stays stored for a resume to find or send.
            Ok(Created::Cancelled) => Ok(()),
            Err(FinderError::Gemini(GeminiError::BadRequest { message }))
                if packs.len() > 1 && too_large(&message) =>
            {
                forget_job(ctx, stored.id).await?;
                let mut first = packs;
                let second = first.split_off(first.len() / 2);
                submit_job(ctx, data, first, open, ending).await?;
                if ending.fatal.is_none() {
                    submit_job(ctx, data, second, open, ending).await?;
                }
                Ok(())
            }
            Err(FinderError::Gemini(e)) => {
                forget_job(ctx, stored.id).await?;
                ending.fatal = Some(format!("Google refused the batch job: {e}"));
                Ok(())
            }
            Err(e) => Err(e),
        }
    })
}

fn too_large(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("size") || m.contains("too large") || m.contains("exceeds")
}

async fn store_job(
    ctx: &RunContext,
    data: &RunData,
    packs: &[(Vec<String>, i64)],
) -> Result<OpenJob> {
    let now = (ctx.wall_clock)();
    // Unique across databases that share a key: a second database's run with the same id must
    // never adopt this job.
    let tag: u64 = ctx.seed.rotate_left(17) ^ rand::random::<u64>();
    let display_name = format!("comment-finder-run{}-{tag:016x}", data.run_id);
    let reserved: i64 = packs.iter().map(|(_, w)| *w).sum();
    let mut tx = ctx.store.write_tx().await?;
    let requests = packs.len() as i64;
    let id: i64 = sqlx::query_scalar!(
        r#"INSERT INTO batch_jobs (run_id, display_name, model, requests, reserved_picos, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        data.run_id,
        display_name,
        data.settings.model,
        requests,
        reserved,
        now,
    )
    .fetch_one(&mut *tx)
    .await?;
    for (position, (ids, _)) in packs.iter().enumerate() {
        let key = format!("r{position}");
        let position = position as i64;
        let post_ids = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
        sqlx::query!(
            "INSERT INTO batch_requests (job_id, key, position, post_ids) VALUES (?, ?, ?, ?)",
            id,
            key,
            position,
            post_ids,
        )
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(OpenJob {
        id,
        display_name,
        name: None,
        state: BatchState::Unspecified,
    })
}

/// How creating a job at Google ended.
enum Created {
    Job(BatchJob),
    /// Refused for good, with the sentence the run stops with.
    Refused(String),
    /// Cancelled while waiting to try again.
    Cancelled,
}

/// Creates the job at Google, retrying transient failures.
async fn create_at_google(
    ctx: &RunContext,
    data: &RunData,
    job: &mut OpenJob,
    packs: &[Vec<String>],
) -> Result<Created> {
    let _ = ctx.events.send(RunEvent::Batch({
        let mut s = BatchStatus {
            run_id: data.run_id,
            phase: BatchPhase::Submitting,
            jobs: 1,
            jobs_done: 0,
            requests: packs.len() as u64,
            answered: 0,
            failed: 0,
            next_check_s: None,
            headline: String::new(),
            sentence: String::new(),
        };
        s.describe();
        s
    }));
    let mut requests = Vec::with_capacity(packs.len());
    for (position, ids) in packs.iter().enumerate() {
        let Some(prompt_posts) = executor::prompt_posts_for(data, ids) else {
            continue;
        };
        let (request, _) = executor::request_for(data, &prompt_posts);
        requests.push((format!("r{position}"), request));
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(ctx.seed ^ job.id as u64);
    let mut step = 0u32;
    loop {
        match ctx
            .client
            .create_batch(&data.settings.model, &job.display_name, &requests)
            .await
        {
            Ok(created) => {
                record_submitted(ctx, job.id, &created).await?;
                return Ok(Created::Job(created));
            }
            // The answer may have been lost on the way back: the job may exist.
            Err(e) if e.is_transient() && step < retry::TRANSIENT_LIMIT => {
                if let Ok(Some(found)) = find_at_google(ctx, &job.display_name).await {
                    record_submitted(ctx, job.id, &found).await?;
                    return Ok(Created::Job(found));
                }
                step += 1;
                let wait = e
                    .retry_after()
                    .unwrap_or_else(|| retry::backoff(step, &mut rng))
                    .min(retry::MAX_WAIT);
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = ctx.cancel.notified() => return Ok(Created::Cancelled),
                }
            }
            Err(e) if e.is_permanent() => {
                return Ok(Created::Refused(executor::permanent_sentence(&e)))
            }
            Err(e) => return Err(FinderError::Gemini(e)),
        }
    }
}

/// Stores a final job's answers (each once), puts the posts of unanswered requests back in
/// the queue, and releases the job's hold on the budgets.
async fn settle_job(
    ctx: &RunContext,
    data: &Arc<RunData>,
    job: &OpenJob,
    read: BatchJob,
    ending: &mut Ending,
) -> Result<()> {
    let run_id = data.run_id;
    let answers: Vec<BatchAnswer> = match &read.output {
        Some(BatchOutput::Inline(answers)) => answers.clone(),
        Some(BatchOutput::File(file)) => {
            match ctx.client.batch_responses_file(file, true).await {
                Ok(answers) => answers,
                Err(e) if e.is_transient() => {
                    // Try again at the next check: the job stays open.
                    tracing::warn!(run_id, "reading batch answers failed, will retry: {e}");
                    return Ok(());
                }
                Err(e) => return Err(FinderError::Gemini(e)),
            }
        }
        None => Vec::new(),
    };
    let requests = stored_requests(ctx, job.id).await?;
    let batch_price = data.price.at_batch_rate();
    let called_at = (ctx.wall_clock)();
    let mut answered = 0i64;
    let mut failed = 0i64;
    // The job's posts' tries in one query: its requests carry disjoint posts.
    let open_posts: Vec<String> = requests
        .iter()
        .filter(|r| !r.applied)
        .flat_map(|r| r.post_ids.iter().cloned())
        .collect();
    let tries = run_store::attempts_of(&ctx.store, data.run_id, &open_posts).await?;
    for (request, answer, inferred) in assign(&requests, &answers) {
        let request = &requests[request];
        let answer = &answers[answer];
        if request.applied {
            continue;
        }
        if apply_answer(
            ctx,
            data,
            job.id,
            request,
            answer,
            inferred,
            &tries,
            batch_price,
            called_at,
        )
        .await?
        {
            answered += 1;
        }
        if answer.result.is_err() {
            failed += 1;
        }
    }
    let lost = match read.state {
        BatchState::Expired => {
            Some("Google did not finish a batch job within 48 hours and let it expire.".to_owned())
        }
        BatchState::Failed => Some(format!(
            "Google could not run a batch job{}.",
            read.error
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default()
        )),
        _ => None,
    };
    if let Some(sentence) = lost {
        if answers.is_empty() {
            ending.lost_jobs.push(sentence);
        }
    }
    // Requests without an answer: their posts simply stay queued (and leave the job).
    sqlx::query!(
        "UPDATE batch_requests SET applied_at = ? WHERE job_id = ? AND applied_at IS NULL",
        called_at,
        job.id,
    )
    .execute(ctx.store.pool())
    .await?;
    let state = read.state.as_str();
    sqlx::query!(
        "UPDATE batch_jobs SET state = ?, settled = 1, finished_at = ?, error = ?,
                answered = answered + ?, failed = failed + ? WHERE id = ?",
        state,
        called_at,
        read.error,
        answered,
        failed,
        job.id,
    )
    .execute(ctx.store.pool())
    .await?;
    Ok(())
}

/// The post ids a packed answer's results name (empty when it is not readable JSON).
fn ids_in(answer: &BatchAnswer) -> HashSet<String> {
    let Ok(generated) = &answer.result else {
        return HashSet::new();
    };
    let text = generated
        .text
        .trim()
        .trim_start_matches("```json")
        .trim_start_matches("```")
        .trim_end_matches("```");
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return HashSet::new();
    };
    let results = value.get("results").unwrap_or(&value);
    results
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|r| r.get("post_id").and_then(|v| v.as_str()))
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Pairs answers with the requests they answer: `(request, answer, inferred)`.
///
/// Google's keys cannot be trusted alone: inline answers may come without their
/// `metadata.key`, out of order, or with another request's key (googleapis/python-genai
/// #2008, #1909). A packed answer names its posts, so it goes to the request whose posts it
/// names (its key confirms it, or is overruled). What is left (errors and unreadable answers
/// without a key) is paired with the requests left, in order, and marked `inferred`: such an
/// answer is still recorded (it may be billed), but fails no post.
fn assign(requests: &[StoredRequest], answers: &[BatchAnswer]) -> Vec<(usize, usize, bool)> {
    let mut taken_request = vec![false; requests.len()];
    let mut taken_answer = vec![false; answers.len()];
    let mut out = Vec::with_capacity(answers.len());
    let overlap = |r: &StoredRequest, ids: &HashSet<String>| {
        r.post_ids.iter().filter(|id| ids.contains(*id)).count()
    };
    let ids: Vec<HashSet<String>> = answers.iter().map(ids_in).collect();
    // 1. By content: the request whose posts the answer names (the most of them).
    for (a, named) in ids.iter().enumerate() {
        if named.is_empty() {
            continue;
        }
        let best = (0..requests.len())
            .filter(|r| !taken_request[*r])
            .map(|r| (overlap(&requests[r], named), r))
            .filter(|(n, _)| *n > 0)
            .max_by_key(|(n, r)| (*n, std::cmp::Reverse(*r)));
        if let Some((_, r)) = best {
            taken_request[r] = true;
            taken_answer[a] = true;
            out.push((r, a, false));
        }
    }
    // 2. By key, for answers that name no posts (errors, unreadable text).
    for (a, answer) in answers.iter().enumerate() {
        if taken_answer[a] {
            continue;
        }
        let keyed = answer
            .key
            .as_deref()
            .and_then(|k| requests.iter().position(|r| r.key == k))
            .filter(|r| !taken_request[*r]);
        if let Some(r) = keyed {
            taken_request[r] = true;
            taken_answer[a] = true;
            out.push((r, a, false));
        }
    }
    // 3. The rest, in order.
    let mut free = (0..requests.len()).filter(|r| !taken_request[*r]);
    for (a, _) in taken_answer
        .iter()
        .enumerate()
        .filter(|(_, taken)| !**taken)
    {
        if let Some(r) = free.next() {
            out.push((r, a, true));
        }
    }
    out
}

/// One answer through the same checks and storage as a normal run's; returns whether it was
/// stored now (false: an earlier pass stored it). An `inferred` pairing fails no post.
#[allow(clippy::too_many_arguments)]
async fn apply_answer(
    ctx: &RunContext,
    data: &RunData,
    job_id: i64,
    request: &StoredRequest,
    answer: &BatchAnswer,
    inferred: bool,
    tries: &HashMap<String, u32>,
    price: Price,
    called_at: i64,
) -> Result<bool> {
    let ids = &request.post_ids;
    let billed = !answer.usage.is_zero();
    let max = data.settings.max_attempts.max(1);
    let mut done = Vec::new();
    let mut finals = Vec::new();
    let mut again = Vec::new();
    let mut drafts = Vec::new();
    let outcome: String;
    match &answer.result {
        Ok(generated) => match replies::parse_answer(&generated.text, ids, &data.types) {
            Ok(parsed) => {
                let (kept, kept_for) = executor::drafts_of(data, &parsed);
                drafts = kept;
                for id in ids {
                    let t = tries.get(id).copied().unwrap_or(0) + 1;
                    if kept_for.contains(id) {
                        done.push((id.clone(), t));
                    } else {
                        again.push((id.clone(), t));
                    }
                }
                outcome = "ok".into();
            }
            Err(e) => {
                // An answer only paired by elimination costs its posts no try.
                let bump = u32::from(!inferred);
                for id in ids {
                    again.push((id.clone(), tries.get(id).copied().unwrap_or(0) + bump));
                }
                outcome = GeminiError::UnusableOutput {
                    reason: e.to_string(),
                }
                .code()
                .into();
            }
        },
        Err(error) if inferred => {
            // Not known to be this request's: its posts stay queued as they were.
            outcome = error.code().into();
        }
        Err(error @ GeminiError::BatchRequestFailed { .. }) => {
            for id in ids {
                finals.push(FailedPost {
                    id: id.clone(),
                    tries: tries.get(id).copied().unwrap_or(0),
                    code: "batch_request_failed",
                    message: error.to_string(),
                });
            }
            outcome = error.code().into();
        }
        Err(error) => {
            // Cut off, blocked, unreadable: billed when usage came, of no use for its posts.
            for id in ids {
                let t = tries.get(id).copied().unwrap_or(0) + u32::from(billed);
                again.push((id.clone(), t));
            }
            outcome = error.code().into();
        }
    }
    // Posts out of tries end failed; the others stay queued for a follow-up.
    let (spent, keep): (Vec<_>, Vec<_>) = again.into_iter().partition(|(_, t)| *t >= max);
    for (id, t) in spent {
        finals.push(FailedPost {
            id,
            tries: t,
            code: "no_usable_reply",
            message: format!("No usable reply after {t} tries."),
        });
    }
    let row = LedgerRow {
        run_id: data.run_id,
        project_id: data.project.id,
        called_at,
        attempt: 1,
        outcome,
        http_status: if billed || answer.result.is_ok() {
            Some(200)
        } else {
            None
        },
        latency_ms: 0,
        tokens: BilledTokens::from(&answer.usage),
    };
    let billing = Billing {
        model: &data.settings.model,
        endpoint: "batch",
        price,
        batch_request: Some((job_id, &request.key)),
        tried_again: &keep,
    };
    Ok(
        run_store::write_outcome(ctx, &billing, &row, &done, &finals, &drafts)
            .await?
            .is_some(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polling_waits_grow_to_a_cap() {
        let p = BatchPolling {
            first: Duration::from_secs(5),
            longest: Duration::from_secs(60),
        };
        assert_eq!(p.wait(0), Duration::from_secs(5));
        assert_eq!(p.wait(1), Duration::from_secs(10));
        assert_eq!(p.wait(4), Duration::from_secs(60));
        assert_eq!(p.wait(40), Duration::from_secs(60));
    }

    #[test]
    fn sentences_say_where_the_run_is() {
        let mut s = BatchStatus {
            run_id: 1,
            phase: BatchPhase::Running,
            jobs: 2,
            jobs_done: 1,
            requests: 14,
            answered: 9,
            failed: 0,
            next_check_s: Some(20.0),
            headline: String::new(),
            sentence: String::new(),
        };
        s.describe();
        assert!(s.sentence.starts_with("Google is working on it: 1 of 2 jobs done, 9 of 14 requests answered. Next check in"), "{}", s.sentence);
    }
}
