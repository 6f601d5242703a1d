//! The executor: works through a stored run with the settings it was started with, asking
//! Gemini for reply drafts in a rate-limited concurrent batch. It is handed those settings
//! (a start has them in hand; a resume reads them once, at the storage boundary) and never
//! reads them back from the database while it works.
//!
//! - "Batch size" is how many requests are in flight at once; the shared [`Limiter`] decides
//!   when each may be sent, so more concurrency fills the pipe but never breaks the limits.
//! - Several posts may share a request ("posts per request"); answers are matched by post id.
//!   A post the answer left out, or whose drafts all failed the quality check, goes back in
//!   line and is packed with other waiting posts; only a pack that failed as a whole (cut
//!   off, unreadable) is split into single requests. A post gets at most `max_attempts`
//!   billed tries in all, then ends "failed: no usable reply".
//! - Before a request is sent its worst-case cost is reserved against every spending cap
//!   ([`crate::budget`]); a request that does not fit is not sent and the run stops at the
//!   budget, resumable once the cap is raised.
//! - Every outcome is written the moment it arrives, in one transaction with its ledger row
//!   (retried if the write fails): a run killed at any instant resumes with nothing finished
//!   lost and nothing stored twice.
//! - 429s are read for what they mean: a per-day quota stops the run promptly with the posts
//!   left queued until the quota resets; a per-minute one pauses every worker for the
//!   server's (clamped) delay; one without details backs off with growing, jittered waits.
//!   Transient errors (503, 500, timeouts) are retried with backoff and never stop a run;
//!   permanent ones (bad key, billing, region, a refused setting) stop it with one sentence.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gemini::{GeminiError, GenerateContentRequest, QuotaScope};
use rand::SeedableRng;
use tokio::sync::Notify;

use super::planning::{estimate_input_tokens, prompt_inputs, prompt_post, Plan};
use super::run_store::{
    self, add_items, create, Billing, FailedPost, ItemCounts, LedgerRow, RunEnd, StoredDraft,
    StoredRun,
};
use super::{Progress, RunContext, RunEvent, RunMode, RunSettings, RunSummary, HEARTBEAT_EVERY};
use crate::budget::{self, Budget, BudgetReached};
use crate::error::Result;
use crate::limiter::{self, LimitError};
use crate::models::{self, ModelProfile};
use crate::posts::StoredPost;
use crate::prices::{self, BilledTokens, Price};
use crate::projects::{self, Project};
use crate::retry;

/// Creates the run and its items, then works through them with `settings`.
pub async fn start(
    ctx: &RunContext,
    project: &Project,
    settings: &RunSettings,
    plan: &Plan,
) -> Result<RunSummary> {
    let run_id = create(ctx, project, settings, None).await?;
    add_items(&ctx.store, run_id, plan).await?;
    let run = StoredRun {
        run_id,
        project_id: project.id,
        settings: settings.clone(),
    };
    execute_run(ctx, &run).await
}

/// Picks up a run where it stopped: finished posts are skipped, failed ones tried again.
pub async fn resume(ctx: &RunContext, run: &StoredRun) -> Result<RunSummary> {
    run_store::reopen(&ctx.store, run.run_id, (ctx.wall_clock)()).await?;
    execute_run(ctx, run).await
}

/// A post waiting for (another) request.
#[derive(Debug, Clone)]
struct Pending {
    id: String,
    /// Answered (billed) requests that carried this post.
    tries: u32,
    /// Every request that carried it, unanswered ones included.
    calls: u32,
    /// Unbilled transient failures (503, 500, timeouts) in a row.
    transient: u32,
    /// Ask for it in a request of its own: a pack it was in failed as a whole.
    alone: bool,
}

/// Shared state of the workers of one run.
struct Work {
    waiting: Mutex<VecDeque<Pending>>,
    /// Posts not finished yet (waiting, in flight or waiting out a backoff).
    open: AtomicU64,
    wake: Notify,
    stop: Mutex<Option<StopReason>>,
    done: AtomicU64,
    failed: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
    cost_picos: std::sync::atomic::AtomicI64,
    /// 429s without details in a row: each doubles the shared wait.
    bare_429s: AtomicU64,
    started: tokio::time::Instant,
    request_times: Mutex<VecDeque<tokio::time::Instant>>,
    rng: Mutex<rand::rngs::StdRng>,
}

#[derive(Debug, Clone, PartialEq)]
enum StopReason {
    Cancelled,
    Budget(BudgetReached),
    DailyQuota { resets_at: i64, message: String },
    Fatal(String),
}

pub(crate) struct RunData {
    pub run_id: i64,
    pub project: Project,
    pub settings: RunSettings,
    pub price: Price,
    pub posts: HashMap<String, (StoredPost, Option<String>)>,
    pub voice: replies::Voice,
    pub types: Vec<&'static str>,
    pub profile: ModelProfile,
    pub temperature: f32,
    pub per_request: usize,
    pub budget: Budget,
    pub total: u64,
}

impl Work {
    fn stop_with(&self, reason: StopReason) {
        self.stop
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_or_insert(reason);
        self.wake.notify_waiters();
    }

    fn stopped_except_budget(&self) -> bool {
        matches!(
            *self.stop.lock().unwrap_or_else(|p| p.into_inner()),
            Some(StopReason::Cancelled | StopReason::DailyQuota { .. } | StopReason::Fatal(_))
        )
    }

    fn stopped(&self) -> bool {
        self.stop
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    fn requeue(&self, posts: impl IntoIterator<Item = Pending>) {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        for p in posts {
            waiting.push_back(p);
        }
        drop(waiting);
        self.wake.notify_waiters();
    }

    fn requeue_after(self: &Arc<Self>, delay: Duration, posts: Vec<Pending>) {
        if delay.is_zero() {
            self.requeue(posts);
            return;
        }
        let work = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            work.requeue(posts);
        });
    }

    /// The next request's posts: one that must go alone, or up to `k` others, oldest first.
    fn take_pack(&self, k: usize) -> Vec<Pending> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        match waiting.front() {
            None => Vec::new(),
            Some(first) if first.alone => waiting.pop_front().into_iter().collect(),
            Some(_) => {
                let mut pack = Vec::with_capacity(k);
                let mut rest = VecDeque::with_capacity(waiting.len());
                while let Some(p) = waiting.pop_front() {
                    if pack.len() < k && !p.alone {
                        pack.push(p);
                    } else {
                        rest.push_back(p);
                    }
                }
                *waiting = rest;
                pack
            }
        }
    }

    fn finished(&self, done: u64, failed: u64) {
        self.done.fetch_add(done, Ordering::SeqCst);
        self.failed.fetch_add(failed, Ordering::SeqCst);
        self.open.fetch_sub(done + failed, Ordering::SeqCst);
        self.wake.notify_waiters();
    }

    /// The shared retry policy's wait, with this run's seeded jitter.
    fn backoff(&self, step: u32) -> Duration {
        retry::backoff(
            step,
            &mut *self.rng.lock().unwrap_or_else(|p| p.into_inner()),
        )
    }
}

/// Marks the run alive every few seconds until aborted. It beats on a task of its own:
/// awaiting its write between polls of the workers would stall a worker that holds the write
/// lock, and the heartbeat with it.
pub(crate) fn spawn_heartbeat(ctx: &RunContext, run_id: i64) -> tokio::task::JoinHandle<()> {
    let store = ctx.store.clone();
    let wall_clock = ctx.wall_clock;
    tokio::spawn(async move {
        let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
        loop {
            beat.tick().await;
            // A failed heartbeat only makes the run look interrupted; never stop for it.
            let _ = run_store::mark_alive(&store, run_id, wall_clock()).await;
        }
    })
}

/// A stored run loaded for working on: its settings, prices, posts and counts so far.
pub(crate) struct LoadedRun {
    pub data: Arc<RunData>,
    /// Queued posts, most-tried first.
    pub queued: Vec<String>,
    pub counts: ItemCounts,
}

pub(crate) async fn load_run(ctx: &RunContext, run: &StoredRun) -> Result<LoadedRun> {
    let run_id = run.run_id;
    let project = projects::get(&ctx.store, run.project_id).await?;
    let settings = run.settings.clone();
    let price = prices::require(&ctx.store, &settings.model).await?;

    let queued = run_store::queued_items(&ctx.store, run_id).await?;
    let counts = run_store::item_counts(&ctx.store, run_id).await?;
    let total = counts.queued + counts.done + counts.failed;
    let posts = run_store::load_posts(&ctx.store, project.id, &queued).await?;
    let (voice, types) = prompt_inputs(&project);
    let output_limit = models::output_token_limit(&ctx.client, &settings.model).await;
    let profile = models::profile(&settings.model, output_limit);
    let per_request = settings
        .per_request
        .clamp(1, profile.max_posts_per_request(types.len() as u32)) as usize;
    let budget = Budget::for_run(
        &ctx.store,
        run_id,
        project.id,
        settings.budget_picos,
        ctx.wall_clock,
    )
    .await?;
    let temperature = project.settings.generation.temperature as f32;
    let data = Arc::new(RunData {
        run_id,
        project,
        settings,
        price,
        posts,
        voice,
        types,
        profile,
        temperature,
        per_request,
        budget,
        total,
    });
    Ok(LoadedRun {
        data,
        queued,
        counts,
    })
}

/// Works through a stored run's queued posts (its items must be stored).
pub async fn execute_run(ctx: &RunContext, run: &StoredRun) -> Result<RunSummary> {
    if run.settings.mode == RunMode::Batch {
        return crate::batch::execute(ctx, run).await;
    }
    let run_id = run.run_id;
    let started_at = tokio::time::Instant::now();
    let LoadedRun {
        data,
        queued,
        counts,
    } = load_run(ctx, run).await?;

    let waiting: VecDeque<Pending> = queued
        .into_iter()
        .map(|id| Pending {
            id,
            tries: 0,
            calls: 0,
            transient: 0,
            alone: false,
        })
        .collect();
    let prior_cost = run_store::spent_so_far(&ctx.store, run_id).await?;
    let work = Arc::new(Work {
        open: AtomicU64::new(waiting.len() as u64),
        waiting: Mutex::new(waiting),
        wake: Notify::new(),
        stop: Mutex::new(None),
        done: AtomicU64::new(counts.done),
        failed: AtomicU64::new(counts.failed),
        requests: AtomicU64::new(0),
        retries: AtomicU64::new(0),
        cost_picos: std::sync::atomic::AtomicI64::new(prior_cost),
        bare_429s: AtomicU64::new(0),
        started: tokio::time::Instant::now(),
        request_times: Mutex::new(VecDeque::new()),
        rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(ctx.seed ^ run_id as u64)),
    });
    let _ = ctx.events.send(RunEvent::Started {
        run_id,
        total: data.total,
        already_done: counts.done + counts.failed,
    });

    let workers = data.settings.batch_size.max(1) as usize;
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        handles.push(worker(ctx, data.clone(), work.clone()));
    }
    let heartbeat = spawn_heartbeat(ctx, run_id);
    // Workers share this task (they borrow the context); their waiting is all I/O.
    let results = futures::future::join_all(handles).await;
    heartbeat.abort();
    let mut storage_error = None;
    for r in results {
        if let Err(e) = r {
            storage_error.get_or_insert(e);
        }
    }

    let elapsed_ms = started_at.elapsed().as_millis() as i64;
    let stop = work.stop.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (status, stop_reason, resume_at, error) = match (&storage_error, stop) {
        (Some(e), _) => ("failed", None, None, Some(e.to_string())),
        (None, Some(StopReason::Fatal(m))) => ("failed", None, None, Some(m)),
        (None, Some(StopReason::DailyQuota { resets_at, message })) => (
            "interrupted",
            Some("daily_quota"),
            Some(resets_at),
            Some(message),
        ),
        (None, Some(StopReason::Budget(reached))) => (
            "interrupted",
            Some("budget"),
            None,
            Some(reached.sentence()),
        ),
        (None, Some(StopReason::Cancelled)) => ("cancelled", None, None, None),
        (None, None) => ("finished", None, None, None),
    };
    let end = RunEnd {
        status,
        stop_reason,
        resume_at,
        error,
        finished_at: (ctx.wall_clock)(),
        elapsed_ms,
    };
    run_store::record_end(&ctx.store, run_id, &end).await?;
    if let Some(e) = storage_error {
        return Err(e);
    }
    finished(ctx, run_id).await
}

/// The run's summary once a pass has recorded its end (its time includes every pass), sent
/// as `Finished`.
pub(crate) async fn finished(ctx: &RunContext, run_id: i64) -> Result<RunSummary> {
    let summary = run_store::summary(&ctx.store, run_id, (ctx.wall_clock)()).await?;
    let _ = ctx.events.send(RunEvent::Finished(summary.clone()));
    Ok(summary)
}

async fn worker(ctx: &RunContext, data: Arc<RunData>, work: Arc<Work>) -> Result<()> {
    loop {
        let pack = loop {
            if work.stopped() {
                return Ok(());
            }
            if ctx.cancel.is_cancelled() {
                work.stop_with(StopReason::Cancelled);
                return Ok(());
            }
            let pack = work.take_pack(data.per_request);
            if !pack.is_empty() {
                break pack;
            }
            if work.open.load(Ordering::SeqCst) == 0 {
                work.wake.notify_waiters();
                return Ok(());
            }
            // Some post is waiting out a backoff or in flight; wait for it, or for a cancel.
            tokio::select! {
                _ = work.wake.notified() => {}
                _ = ctx.cancel.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        };
        if let Err(e) = attempt(ctx, &data, &work, pack).await {
            work.stop_with(StopReason::Fatal(e.to_string()));
            return Err(e);
        }
        send_progress(ctx, &data, &work);
    }
}

fn send_progress(ctx: &RunContext, data: &RunData, work: &Work) {
    let now = tokio::time::Instant::now();
    let recent = {
        let mut times = work.request_times.lock().unwrap_or_else(|p| p.into_inner());
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(60))
        {
            times.pop_front();
        }
        times.len()
    };
    let elapsed = work.started.elapsed().as_secs_f64();
    let rpm = if elapsed >= 60.0 {
        recent as f64
    } else if elapsed > 0.0 {
        recent as f64 * 60.0 / elapsed.max(1.0)
    } else {
        0.0
    };
    let done = work.done.load(Ordering::SeqCst);
    let failed = work.failed.load(Ordering::SeqCst);
    let remaining = data.total.saturating_sub(done + failed);
    let k = data.per_request as f64;
    let rate = rpm.max(0.0).min(data.settings.limits.rpm as f64);
    let eta = if remaining == 0 {
        Some(0.0)
    } else if rate > 0.0 {
        Some((remaining as f64 / k).ceil() * 60.0 / rate)
    } else {
        None
    };
    let cost = work.cost_picos.load(Ordering::SeqCst);
    let _ = ctx.events.send(RunEvent::Progress(Progress {
        run_id: data.run_id,
        total: data.total,
        done,
        failed,
        requests: work.requests.load(Ordering::SeqCst),
        retries: work.retries.load(Ordering::SeqCst),
        requests_per_minute: rpm,
        cost_picos: cost,
        eta_s: eta,
    }));
}

/// What became of each post of an answered or failed request.
enum Fate {
    Done,
    /// Ask again (with other waiting posts, or alone).
    Again {
        alone: bool,
        delay: Duration,
    },
    Failed {
        code: &'static str,
        message: String,
    },
    /// Back in line as it was: the request never reached the model (429, stop).
    Requeue,
}

/// One request for a pack of posts.
async fn attempt(
    ctx: &RunContext,
    data: &RunData,
    work: &Arc<Work>,
    pack: Vec<Pending>,
) -> Result<()> {
    let prompt_posts: Vec<replies::PromptPost> = pack
        .iter()
        .filter_map(|p| {
            data.posts
                .get(&p.id)
                .map(|(post, topic)| prompt_post(&data.project, post, topic.as_deref()))
        })
        .collect();
    if prompt_posts.len() < pack.len() {
        // A post deleted since the run was planned: nothing to ask for.
        let missing: Vec<String> = pack
            .iter()
            .filter(|p| !data.posts.contains_key(&p.id))
            .map(|p| p.id.clone())
            .collect();
        finish_failed(
            ctx,
            data,
            work,
            &missing,
            "post_missing",
            "The post is no longer stored.",
        )
        .await?;
        let rest: Vec<Pending> = pack
            .into_iter()
            .filter(|p| data.posts.contains_key(&p.id))
            .collect();
        work.requeue(rest);
        return Ok(());
    }
    let ids: Vec<String> = pack.iter().map(|p| p.id.clone()).collect();
    let (request, max_output) = request_for(data, &prompt_posts);
    let input_estimate = ctx
        .limiter
        .calibrated_tokens(estimate_input_tokens(&request));

    // Money first: a request whose worst case does not fit under every cap is not sent.
    let reservation = match data
        .budget
        .reserve(budget::worst_case_picos(
            &data.price,
            input_estimate,
            max_output as u64,
        ))
        .await?
    {
        Ok((reservation, reserved)) => {
            for alert in reserved.alerts {
                let _ = ctx.events.send(RunEvent::BudgetAlert(alert));
            }
            reservation
        }
        Err(refused) => {
            for alert in refused.alerts {
                let _ = ctx.events.send(RunEvent::BudgetAlert(alert));
            }
            let reached = refused.reached;
            if !work.stopped() {
                let _ = ctx.events.send(RunEvent::BudgetReached {
                    sentence: reached.sentence(),
                    reached: reached.clone(),
                });
            }
            work.stop_with(StopReason::Budget(reached));
            work.requeue(pack);
            return Ok(());
        }
    };
    let admitted = tokio::select! {
        admitted = ctx.limiter.admit(input_estimate) => admitted,
        _ = ctx.cancel.notified() => {
            work.requeue(pack);
            return Ok(());
        }
    };
    match admitted {
        Ok(()) => {}
        Err(LimitError::DailyLimitReached { .. }) => {
            stop_for_daily_quota(ctx, work, None);
            work.requeue(pack);
            return Ok(());
        }
        Err(too_large @ LimitError::TooLarge { .. }) => {
            if pack.len() > 1 {
                work.requeue(pack.into_iter().map(|p| Pending { alone: true, ..p }));
            } else {
                finish_failed(
                    ctx,
                    data,
                    work,
                    &ids,
                    too_large.code(),
                    &too_large.to_string(),
                )
                .await?;
            }
            return Ok(());
        }
    }
    // Cancel (or another worker's stop) may have come while this one waited its turn:
    // nothing leaves after that — except a request whose money is already reserved when
    // the stop was only for the budget (it fits by construction).
    if ctx.cancel.is_cancelled() || work.stopped_except_budget() {
        work.requeue(pack);
        return Ok(());
    }
    let calls_before = pack.iter().map(|p| p.calls).max().unwrap_or(0);
    if calls_before > 0 {
        work.retries.fetch_add(1, Ordering::SeqCst);
    }
    work.requests.fetch_add(1, Ordering::SeqCst);
    work.request_times
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push_back(tokio::time::Instant::now());
    let called_at = (ctx.wall_clock)();
    let outcome = ctx
        .client
        .generate_content(&data.settings.model, &request)
        .await;
    let (record, result) = outcome.into_parts();
    if record.usage.prompt_tokens > 0 {
        ctx.limiter
            .learn_tokens(input_estimate, record.usage.prompt_tokens);
    }
    let entry = |outcome: &str| LedgerRow {
        run_id: data.run_id,
        project_id: data.project.id,
        called_at,
        attempt: calls_before + 1,
        outcome: outcome.to_owned(),
        http_status: record.http_status,
        latency_ms: record.latency.as_millis() as u64,
        tokens: BilledTokens::from(&record.usage),
    };

    let (fates, drafts, ledger_row): (Vec<(Pending, Fate)>, Vec<StoredDraft>, LedgerRow) =
        match result {
            Ok(generated) => match replies::parse_answer(&generated.text, &ids, &data.types) {
                Ok(answer) => {
                    work.bare_429s.store(0, Ordering::SeqCst);
                    let (drafts, kept_for) = drafts_of(data, &answer);
                    let fates = pack
                        .into_iter()
                        .map(|p| {
                            let fate = if kept_for.contains(&p.id) {
                                Fate::Done
                            } else {
                                // Left out, or every draft failed the check: ask again in a pack.
                                Fate::Again {
                                    alone: false,
                                    delay: Duration::ZERO,
                                }
                            };
                            (p, fate)
                        })
                        .collect();
                    (fates, drafts, entry("ok"))
                }
                Err(parse_error) => {
                    let error = GeminiError::UnusableOutput {
                        reason: parse_error.to_string(),
                    };
                    let code = error.code();
                    (whole_pack_failed(pack), Vec::new(), entry(code))
                }
            },
            Err(error) => {
                let code = error.code();
                remember_daily_limit(ctx, data, &error).await;
                let fates = fates_for_error(ctx, data, work, pack, &error);
                (fates, Vec::new(), entry(code))
            }
        };
    let cost = store_outcome(ctx, data, work, &ledger_row, &fates, &drafts).await?;
    drop(reservation);
    work.cost_picos.fetch_add(cost, Ordering::SeqCst);
    Ok(())
}

/// The request for a pack of posts, with its output allowance: built the same way for a
/// normal run and a batch job.
pub(crate) fn request_for(
    data: &RunData,
    prompt_posts: &[replies::PromptPost],
) -> (GenerateContentRequest, u32) {
    let max_output = data
        .profile
        .max_output_tokens(prompt_posts.len() as u32, data.types.len() as u32);
    let gen = replies::GenerationSettings {
        temperature: data.temperature,
        max_output_tokens: max_output,
        thinking: data.profile.thinking.clone(),
    };
    (
        replies::build_request(prompt_posts, &data.voice, &data.types, &gen),
        max_output,
    )
}

/// The prompt posts of a pack, or `None` when one of them is no longer stored.
pub(crate) fn prompt_posts_for(data: &RunData, ids: &[String]) -> Option<Vec<replies::PromptPost>> {
    ids.iter()
        .map(|id| {
            data.posts
                .get(id)
                .map(|(post, topic)| prompt_post(&data.project, post, topic.as_deref()))
        })
        .collect()
}

/// An answer's drafts after the quality check (generic openers repaired), and the posts that
/// got at least one usable draft.
pub(crate) fn drafts_of(
    data: &RunData,
    answer: &replies::ParsedAnswer,
) -> (Vec<StoredDraft>, std::collections::HashSet<String>) {
    let mut drafts = Vec::new();
    let mut kept_for: std::collections::HashSet<String> = Default::default();
    for (post_id, post_drafts) in &answer.replies {
        let post_text = data
            .posts
            .get(post_id)
            .map(|(p, _)| p.text.as_str())
            .unwrap_or("");
        for draft in post_drafts {
            let rank = data
                .types
                .iter()
                .position(|t| *t == draft.reply_type)
                .unwrap_or(data.types.len()) as i64
                + 1;
            let (text, rejected) = match replies::check_or_repair(&draft.text, post_text) {
                Ok(text) => {
                    kept_for.insert(post_id.clone());
                    (text, None)
                }
                Err(r) => (draft.text.clone(), Some(r.to_string())),
            };
            drafts.push(StoredDraft {
                post_id: post_id.clone(),
                reply_type: draft.reply_type.clone(),
                rank,
                text,
                rejected,
            });
        }
    }
    (drafts, kept_for)
}

/// A billed answer that is of no use for any post of its pack (cut off, unreadable):
/// each post is tried again on its own.
fn whole_pack_failed(pack: Vec<Pending>) -> Vec<(Pending, Fate)> {
    let alone = pack.len() > 1;
    pack.into_iter()
        .map(|p| {
            (
                p,
                Fate::Again {
                    alone,
                    delay: Duration::ZERO,
                },
            )
        })
        .collect()
}

fn stop_for_daily_quota(ctx: &RunContext, work: &Work, learned: Option<u32>) {
    let now = (ctx.wall_clock)();
    let resets_at = limiter::next_pacific_midnight(now);
    let message = match learned {
        Some(n) => format!(
            "Google's daily allowance for this model ({n} requests) is used up. It resets at midnight Pacific time; the remaining posts stay queued."
        ),
        None => "Google's daily allowance for this model is used up. It resets at midnight Pacific time; the remaining posts stay queued.".to_owned(),
    };
    let _ = ctx.events.send(RunEvent::DailyQuota {
        resets_at,
        sentence: message.clone(),
    });
    work.stop_with(StopReason::DailyQuota { resets_at, message });
}

/// Keeps the daily limit a per-day 429 reported (`quotaValue`) for this key and model, so
/// limits and forecasts use it from now on. Losing it only costs that knowledge.
async fn remember_daily_limit(ctx: &RunContext, data: &RunData, error: &GeminiError) {
    if let (
        GeminiError::Quota {
            scope: QuotaScope::PerDay,
            quota_value: Some(limit),
            ..
        },
        Some(tag),
    ) = (error, ctx.limiter.key_tag())
    {
        let limit = (*limit).min(u32::MAX as u64) as u32;
        let now = (ctx.wall_clock)();
        if let Err(e) = crate::account_limits::learn_daily_limit(
            &ctx.store,
            tag,
            &data.settings.model,
            limit,
            now,
        )
        .await
        {
            tracing::warn!("could not remember the daily limit Google reported: {e}");
        }
    }
}

/// What follows a call that failed with `error`.
fn fates_for_error(
    ctx: &RunContext,
    data: &RunData,
    work: &Arc<Work>,
    pack: Vec<Pending>,
    error: &GeminiError,
) -> Vec<(Pending, Fate)> {
    let requeue = |pack: Vec<Pending>| {
        pack.into_iter()
            .map(|p| (p, Fate::Requeue))
            .collect::<Vec<_>>()
    };
    if let GeminiError::Quota {
        scope,
        quota_value,
        retry_after,
        ..
    } = error
    {
        if *scope == QuotaScope::PerDay {
            let learned = quota_value.map(|v| v.min(u32::MAX as u64) as u32);
            ctx.limiter.exhaust_day(learned);
            stop_for_daily_quota(ctx, work, learned);
            return requeue(pack);
        }
        // Every worker waits: the server's delay for a per-minute quota (else one request's
        // spacing); without details, a wait that doubles while they keep coming.
        let delay = if *scope == QuotaScope::Unspecified {
            let n = work.bare_429s.fetch_add(1, Ordering::SeqCst) as u32 + 1;
            retry_after.unwrap_or_else(|| work.backoff(n))
        } else {
            work.bare_429s.store(0, Ordering::SeqCst);
            retry_after.unwrap_or_else(|| {
                Duration::from_secs_f64(60.0 / data.settings.limits.rpm.max(1) as f64)
            })
        }
        .min(retry::MAX_WAIT);
        ctx.limiter.pause_for(delay);
        let _ = ctx.events.send(RunEvent::Paused {
            seconds: delay.as_secs_f64(),
        });
        return requeue(pack);
    }
    if error.is_permanent() {
        // Nothing will work until the user fixes this: stop, leaving the posts queued.
        work.stop_with(StopReason::Fatal(permanent_sentence(error)));
        return requeue(pack);
    }
    if error.is_transient() {
        return pack
            .into_iter()
            .map(|p| {
                let transient = p.transient + 1;
                let fate = if transient > retry::TRANSIENT_LIMIT {
                    Fate::Failed {
                        code: error.code(),
                        message: error.to_string(),
                    }
                } else {
                    Fate::Again {
                        alone: p.alone,
                        delay: work.backoff(transient),
                    }
                };
                (Pending { transient, ..p }, fate)
            })
            .collect();
    }
    match error {
        // Billed, no use for any post of the pack.
        GeminiError::Truncated { .. }
        | GeminiError::Stopped { .. }
        | GeminiError::UnusableOutput { .. } => whole_pack_failed(pack),
        // One post may be the cause: find it by asking for each alone.
        GeminiError::PromptBlocked { .. }
        | GeminiError::BadRequest { .. }
        | GeminiError::Http { .. }
            if pack.len() > 1 =>
        {
            pack.into_iter()
                .map(|p| {
                    (
                        p,
                        Fate::Again {
                            alone: true,
                            delay: Duration::ZERO,
                        },
                    )
                })
                .collect()
        }
        _ => pack
            .into_iter()
            .map(|p| {
                (
                    p,
                    Fate::Failed {
                        code: error.code(),
                        message: error.to_string(),
                    },
                )
            })
            .collect(),
    }
}

/// The sentence a run stops with when Google refuses the account, key or settings.
pub(crate) fn permanent_sentence(error: &GeminiError) -> String {
    match error {
        GeminiError::InvalidKey => "Google says the API key is not valid. Enter a working key to go on.".into(),
        GeminiError::PermissionDenied { .. } => format!("Google refused this key: {error}. Check that the Gemini API is enabled for its project."),
        GeminiError::NotFound { .. } => format!("Google does not know this model for this key: {error}. Choose another model."),
        GeminiError::OutOfCredit { .. } => "The Google account's prepaid credit is used up. Add credit in Google AI Studio to go on.".into(),
        GeminiError::AccountNotEligible { .. } => format!("{error}. Enable billing for the key's project, or use a key from a supported region."),
        GeminiError::UnsupportedSetting { .. } => format!("The model refused a setting of this run: {error}. Choose another model."),
        other => other.to_string(),
    }
}

/// Writes the call's ledger row, its drafts and the posts' new states in one transaction —
/// retried, since losing it would lose a billed answer — then requeues what goes again.
/// Returns the call's cost.
async fn store_outcome(
    ctx: &RunContext,
    data: &RunData,
    work: &Arc<Work>,
    row: &LedgerRow,
    fates: &[(Pending, Fate)],
    drafts: &[StoredDraft],
) -> Result<i64> {
    // Decide final states first (they do not depend on the write).
    let max = data.settings.max_attempts.max(1);
    let billed = row.http_status.is_some_and(|s| (200..300).contains(&s));
    let mut finals: Vec<FailedPost> = Vec::new();
    let mut done: Vec<(String, u32)> = Vec::new();
    let mut again: Vec<(Duration, Pending)> = Vec::new();
    for (p, fate) in fates {
        let tries = p.tries + u32::from(billed);
        let calls = p.calls + 1;
        match fate {
            Fate::Done => done.push((p.id.clone(), tries)),
            Fate::Again { alone, delay } => {
                if tries >= max {
                    finals.push(FailedPost {
                        id: p.id.clone(),
                        tries,
                        code: "no_usable_reply",
                        message: format!("No usable reply after {tries} tries."),
                    });
                } else {
                    again.push((
                        *delay,
                        Pending {
                            id: p.id.clone(),
                            tries,
                            calls,
                            transient: p.transient,
                            alone: *alone,
                        },
                    ));
                }
            }
            &Fate::Failed { code, ref message } => {
                finals.push(FailedPost {
                    id: p.id.clone(),
                    tries,
                    code,
                    message: message.clone(),
                });
            }
            Fate::Requeue => again.push((Duration::ZERO, Pending { calls, ..p.clone() })),
        }
    }
    let billing = Billing {
        model: &data.settings.model,
        endpoint: "generate",
        price: data.price,
        batch_request: None,
        tried_again: &[],
    };
    let cost = run_store::write_outcome(ctx, &billing, row, &done, &finals, drafts)
        .await?
        .unwrap_or(0);
    work.finished(done.len() as u64, finals.len() as u64);
    let (now, later): (Vec<_>, Vec<_>) = again.into_iter().partition(|(d, _)| d.is_zero());
    work.requeue(now.into_iter().map(|(_, p)| p));
    for (delay, p) in later {
        work.requeue_after(delay, vec![p]);
    }
    Ok(cost)
}

/// Ends posts as failed with one reason, and counts them as finished.
async fn finish_failed(
    ctx: &RunContext,
    data: &RunData,
    work: &Work,
    ids: &[String],
    code: &str,
    message: &str,
) -> Result<()> {
    run_store::fail_posts(ctx, data.run_id, ids, code, message).await?;
    work.finished(0, ids.len() as u64);
    Ok(())
}
