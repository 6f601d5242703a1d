//! The rate-limited concurrent batch: asks Gemini for reply drafts for a run's posts.
//!
//! - "Batch size" is how many requests are in flight at once; the shared [`Limiter`] decides
//!   when each may be sent, so more concurrency fills the pipe but never breaks the limits.
//! - Several posts may share a request ("posts per request"); answers are matched by post id
//!   and posts missing from an answer are retried alone.
//! - Every outcome is written the moment it arrives, in one transaction with its ledger row:
//!   a run killed at any instant resumes with nothing finished lost and nothing stored twice.
//! - Retryable failures back off exponentially with jitter; a 429 pauses the whole limiter for
//!   the server's RetryInfo delay; fatal ones (invalid key…) stop the run with one clear error.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gemini::{Client, GeminiError, GenerateContentRequest};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tokio::sync::{mpsc, Notify};

use crate::embeddings::{self, DedupIndex, Embedder};
use crate::error::{FinderError, Result};
use crate::ledger::{self, CallEntry};
use crate::limiter::{LimitError, Limiter, Limits};
use crate::posts::{self, PostFilter, StoredPost};
use crate::prices::{self, BilledTokens, Price};
use crate::projects::{self, Project};
use crate::scoring::Label;
use crate::store::Store;

/// What a run was asked to do; stored with the run so a resume does the same.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSettings {
    pub hours_back: f64,
    pub min_followers: i64,
    pub min_likes: i64,
    pub max_candidates: u32,
    /// Labels that get replies (green and yellow by default).
    pub labels: Vec<Label>,
    /// Hold back posts that should never cost a call (spam, reposts, …).
    pub gate: bool,
    /// Requests in flight at once.
    pub batch_size: u32,
    /// Posts per request.
    pub per_request: u32,
    pub model: String,
    pub limits: Limits,
    /// Attempts per post before it counts as failed (429s are not counted against this).
    pub max_attempts: u32,
    /// Score relevance with Gemini embeddings and skip near-duplicates of answered posts
    /// (see [`plan_with_embeddings`]). Off for runs stored before this setting existed.
    #[serde(default)]
    pub embeddings: bool,
}

impl RunSettings {
    /// The predecessor's defaults: 6 h, 1000 followers, 150 posts, batch 5, green + yellow.
    pub fn defaults(model: &str, limits: Limits) -> Self {
        RunSettings {
            hours_back: 6.0,
            min_followers: 1000,
            min_likes: 0,
            max_candidates: 150,
            labels: vec![Label::Green, Label::Yellow],
            gate: true,
            batch_size: 5,
            per_request: 1,
            model: model.to_string(),
            limits,
            max_attempts: 4,
            embeddings: true,
        }
    }
}

/// Which posts a run would send, and why the others are left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub send: Vec<StoredPost>,
    pub gated: Vec<(String, String)>,
    pub deduped: Vec<String>,
    /// Posts that passed the filters but whose label is not asked for.
    pub other_labels: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub posts: usize,
    pub gated_out: usize,
    pub deduped: usize,
    pub requests: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_picos: i64,
    pub cost_usd: f64,
    pub duration_s: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RunSummary {
    pub run_id: i64,
    pub status: String,
    pub candidates: i64,
    pub gated_out: i64,
    pub deduped: i64,
    pub succeeded: i64,
    pub failed: i64,
    pub suggestions: i64,
    pub requests: i64,
    pub retries: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub thinking_tokens: i64,
    pub cost_picos: i64,
    pub cost_usd: f64,
    pub elapsed_s: f64,
    pub error: Option<String>,
}

impl RunSummary {
    /// "426 succeeded, 0 failed · $0.0341 (avg $0.00008 per post) · 2 m 51 s"
    pub fn sentence(&self) -> String {
        let avg = if self.succeeded > 0 {
            format!(
                " (avg {} per post)",
                prices::format_usd(self.cost_picos / self.succeeded)
            )
        } else {
            String::new()
        };
        format!(
            "{} succeeded, {} failed · {}{} · {}",
            self.succeeded,
            self.failed,
            prices::format_usd(self.cost_picos),
            avg,
            duration_words(self.elapsed_s)
        )
    }
}

/// How often a working run says it is alive, and how old that may get before a 'running' run
/// is taken to have been killed.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(10);
const HEARTBEAT_STALE_S: i64 = 60;

/// The status to show: a run stored as running whose heartbeat stopped was killed mid-way
/// (crash, power cut, kill -9) and can be resumed.
pub fn effective_status(stored: &str, heartbeat_at: Option<i64>, now: i64) -> String {
    match (stored, heartbeat_at) {
        ("running", Some(beat)) if now - beat > HEARTBEAT_STALE_S => "interrupted".into(),
        ("running", None) => "interrupted".into(),
        _ => stored.into(),
    }
}

pub fn duration_words(seconds: f64) -> String {
    let s = seconds.max(0.0).round() as i64;
    if s < 60 {
        format!("{s} s")
    } else if s < 3600 {
        format!("{} m {} s", s / 60, s % 60)
    } else {
        format!("{} h {} m", s / 3600, (s % 3600) / 60)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Progress {
    pub run_id: i64,
    pub total: u64,
    pub done: u64,
    pub failed: u64,
    pub requests: u64,
    pub retries: u64,
    pub requests_per_minute: f64,
    pub cost_picos: i64,
    pub cost_usd: f64,
    pub eta_s: Option<f64>,
}

/// What a run reports while it works. The CLI draws a progress bar from these; the desktop
/// app forwards them to the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunEvent {
    Started {
        run_id: i64,
        total: u64,
        already_done: u64,
    },
    Progress(Progress),
    /// The provider asked us to slow down; every worker waits this long.
    Paused {
        seconds: f64,
    },
    Finished(RunSummary),
}

/// Stops a run from taking new work; requests already sent are allowed to land.
#[derive(Clone, Default)]
pub struct CancelToken(Arc<(AtomicBool, Notify)>);

impl CancelToken {
    pub fn cancel(&self) {
        self.0 .0.store(true, Ordering::SeqCst);
        self.0 .1.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0 .0.load(Ordering::SeqCst)
    }
}

/// Everything a run needs from the outside world.
pub struct RunContext {
    pub store: Store,
    pub client: Arc<Client>,
    pub limiter: Arc<Limiter>,
    pub events: mpsc::UnboundedSender<RunEvent>,
    pub cancel: CancelToken,
    /// Unix seconds now (passed in so tests control time).
    pub wall_clock: fn() -> i64,
    pub seed: u64,
}

/// Chooses the posts: filters, then score and gate, then label, then skip posts already
/// answered in this project (failed ones stay eligible). Relevance is lexical here whatever
/// `settings.embeddings` says: this is the plan for callers without a Gemini client.
pub async fn plan(
    store: &Store,
    project: &Project,
    settings: &RunSettings,
    now: i64,
) -> Result<Plan> {
    plan_using(store, project, settings, now, None).await
}

/// Like [`plan`], with embeddings when `settings.embeddings` is on: relevance by embedding
/// cosine, and semantic dedup against posts already answered in the project and posts
/// chosen earlier in this plan. The embedding calls are recorded for the project (no run
/// exists yet) with the default embedding model and size, outside the generation limiter.
pub async fn plan_with_embeddings(
    ctx: &RunContext,
    project: &Project,
    settings: &RunSettings,
    now: i64,
) -> Result<Plan> {
    if !settings.embeddings {
        return plan(&ctx.store, project, settings, now).await;
    }
    let mut embedder = Embedder::new(ctx.store.clone(), ctx.client.clone(), ctx.wall_clock);
    embedder.project_id = Some(project.id);
    plan_using(&ctx.store, project, settings, now, Some(&embedder)).await
}

/// The plan, with embedding relevance and semantic dedup when an embedder is given.
pub async fn plan_using(
    store: &Store,
    project: &Project,
    settings: &RunSettings,
    now: i64,
    embedder: Option<&Embedder>,
) -> Result<Plan> {
    let filter = PostFilter {
        posted_since: Some(now - (settings.hours_back * 3600.0) as i64),
        min_followers: settings.min_followers,
        min_likes: settings.min_likes,
        limit: Some(settings.max_candidates),
    };
    let candidates = posts::select(store, project.id, &filter).await?;
    let (scores, vectors) = match embedder {
        Some(embedder) => {
            let (scores, vectors) = embedder
                .score_with_vectors(project, &candidates, now)
                .await?;
            (scores, Some(vectors))
        }
        None => (posts::score(project, &candidates, now), None),
    };
    posts::save_scores(store, project.id, &candidates, &scores, now).await?;
    let answered: std::collections::HashSet<String> = sqlx::query_scalar(
        "SELECT DISTINCT tweet_id FROM suggestions
         WHERE project_id = ? AND rejected_reason IS NULL AND review != 'rejected'",
    )
    .bind(project.id)
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .collect();
    let mut plan = Plan {
        send: Vec::new(),
        gated: Vec::new(),
        deduped: Vec::new(),
        other_labels: 0,
    };
    let mut ranked: Vec<(StoredPost, f64, usize)> = Vec::new();
    for (i, (post, score)) in candidates.into_iter().zip(scores).enumerate() {
        if settings.gate {
            if let Some(reason) = score.gate {
                plan.gated.push((post.id, reason.to_string()));
                continue;
            }
        }
        if !settings.labels.contains(&score.label) {
            plan.other_labels += 1;
            continue;
        }
        if answered.contains(&post.id) {
            plan.deduped.push(post.id);
            continue;
        }
        ranked.push((post, score.total, i));
    }
    // Best first, so a run stopped early has spent its budget on the best posts.
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (Some(embedder), Some(vectors)) = (embedder, vectors) else {
        plan.send = ranked.into_iter().map(|(p, _, _)| p).collect();
        return Ok(plan);
    };
    // Semantic dedup: the answered posts' vectors (cached after their first plan), then
    // each chosen post in turn, so of near-duplicates only the best-scored one is sent.
    let answered_texts: Vec<String> = sqlx::query_scalar(
        "SELECT t.text FROM tweets t WHERE t.id IN (
             SELECT tweet_id FROM suggestions
             WHERE project_id = ? AND rejected_reason IS NULL AND review != 'rejected')",
    )
    .bind(project.id)
    .fetch_all(store.pool())
    .await?;
    let mut index = DedupIndex::new(embeddings::DEDUP_THRESHOLD);
    for vector in embedder.vectors(&answered_texts, embeddings::TASK).await? {
        index.add(&vector);
    }
    for (post, _, i) in ranked {
        if index.is_duplicate(&vectors[i]) {
            plan.deduped.push(post.id);
        } else {
            index.add(&vectors[i]);
            plan.send.push(post);
        }
    }
    Ok(plan)
}

/// Reply types and voice as the prompt builder wants them.
fn prompt_inputs(project: &Project) -> (replies::Voice, Vec<&'static str>) {
    let v = &project.settings.voice;
    let voice = replies::Voice {
        persona: v.persona.clone(),
        rules: v.rules.clone(),
        good_examples: v.good_examples.clone(),
        bad_examples: v.bad_examples.clone(),
    };
    (
        voice,
        project
            .settings
            .reply_types
            .iter()
            .map(|t| t.as_str())
            .collect(),
    )
}

pub(crate) fn generation_settings(project: &Project, model: &str) -> replies::GenerationSettings {
    replies::GenerationSettings {
        temperature: project.settings.generation.temperature as f32,
        max_output_tokens: replies::GenerationSettings::DEFAULT_MAX_OUTPUT_TOKENS,
        // 2.5 Pro cannot stop thinking and 2.0 models reject the setting altogether.
        disable_thinking: model.starts_with("gemini-2.5") && !model.contains("pro"),
    }
}

fn prompt_post(project: &Project, post: &StoredPost, topic: Option<&str>) -> replies::PromptPost {
    let topic = topic
        .and_then(|label| project.settings.topics.iter().find(|t| t.label == label))
        .map(|t| replies::TopicContext {
            label: t.label.clone(),
            description: t.description.clone(),
        });
    replies::PromptPost {
        id: post.id.clone(),
        text: post.text.clone(),
        author: post.handle.clone(),
        topic,
    }
}

/// Input tokens of a request, estimated the way Gemini counts English (≈ 4 characters each).
pub fn estimate_input_tokens(request: &GenerateContentRequest) -> u64 {
    let chars: usize = request
        .contents
        .iter()
        .chain(request.system_instruction.iter())
        .flat_map(|c| c.parts.iter())
        .map(|p| p.text.chars().count())
        .sum();
    (chars as u64).div_ceil(4)
}

/// Requests, tokens, cost and time a plan would take at the current limits.
pub fn forecast(project: &Project, plan: &Plan, settings: &RunSettings, price: Price) -> Forecast {
    let (voice, types) = prompt_inputs(project);
    let gen = generation_settings(project, &settings.model);
    let k = settings.per_request.max(1) as usize;
    let mut input_tokens = 0u64;
    let mut requests = 0usize;
    for chunk in plan.send.chunks(k) {
        let posts: Vec<replies::PromptPost> = chunk
            .iter()
            .map(|p| prompt_post(project, p, None))
            .collect();
        input_tokens +=
            estimate_input_tokens(&replies::build_request(&posts, &voice, &types, &gen));
        requests += 1;
    }
    // About 30 tokens per reply plus the JSON around it.
    let output_tokens = (plan.send.len() * types.len() * 40) as u64;
    let cost = price.cost_picos(&BilledTokens {
        prompt: input_tokens,
        cached: 0,
        output: output_tokens,
        thinking: 0,
    });
    let per_minute = settings.limits.rpm.max(1) as f64;
    Forecast {
        posts: plan.send.len(),
        gated_out: plan.gated.len(),
        deduped: plan.deduped.len(),
        requests,
        input_tokens,
        output_tokens,
        cost_picos: cost,
        cost_usd: prices::picos_to_usd(cost),
        duration_s: if requests == 0 {
            0.0
        } else {
            (requests as f64 - 1.0).max(0.0) * 60.0 / per_minute + 2.0
        },
    }
}

/// Creates the run and its items, then works through them.
pub async fn start(
    ctx: &RunContext,
    project: &Project,
    settings: &RunSettings,
    plan: &Plan,
) -> Result<RunSummary> {
    let now = (ctx.wall_clock)();
    let mut tx = ctx.store.write_tx().await?;
    let run_id: i64 = sqlx::query_scalar(
        "INSERT INTO runs (project_id, status, settings_json, created_at, heartbeat_at) VALUES (?1, 'running', ?2, ?3, ?3) RETURNING id",
    )
    .bind(project.id)
    .bind(serde_json::to_string(settings).unwrap_or_default())
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    let items = plan
        .send
        .iter()
        .map(|p| (p.id.as_str(), "queued", None))
        .chain(
            plan.gated
                .iter()
                .map(|(id, why)| (id.as_str(), "gated", Some(why.as_str()))),
        )
        .chain(plan.deduped.iter().map(|id| (id.as_str(), "deduped", None)));
    for (position, (id, state, why)) in items.enumerate() {
        sqlx::query("INSERT INTO run_items (run_id, tweet_id, state, error_message, attempts) VALUES (?, ?, ?, ?, ?)")
            .bind(run_id)
            .bind(id)
            .bind(state)
            .bind(why)
            // `attempts` doubles as the queue order until the first attempt.
            .bind(-(position as i64) - 1)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    execute(ctx, run_id).await
}

/// The settings a run was started with.
pub async fn settings_of(store: &Store, run_id: i64) -> Result<RunSettings> {
    let json: Option<String> = sqlx::query_scalar("SELECT settings_json FROM runs WHERE id = ?")
        .bind(run_id)
        .fetch_optional(store.pool())
        .await?;
    let json = json.ok_or_else(|| {
        FinderError::InvalidInput(format!(
            "There is no run #{run_id}. See `comment-finder runs list`."
        ))
    })?;
    serde_json::from_str(&json).map_err(|e| {
        FinderError::InvalidInput(format!("Run #{run_id} has unreadable settings: {e}"))
    })
}

/// Picks up a run where it stopped: finished posts are skipped, failed ones tried again.
pub async fn resume(ctx: &RunContext, run_id: i64) -> Result<RunSummary> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM runs WHERE id = ?")
        .bind(run_id)
        .fetch_optional(ctx.store.pool())
        .await?;
    if status.is_none() {
        return Err(FinderError::InvalidInput(format!(
            "There is no run #{run_id}. See `comment-finder runs list`."
        )));
    }
    sqlx::query(
        "UPDATE run_items SET state = 'queued', attempts = 0 WHERE run_id = ? AND state = 'failed'",
    )
    .bind(run_id)
    .execute(ctx.store.pool())
    .await?;
    sqlx::query(
        "UPDATE runs SET status = 'running', error = NULL, finished_at = NULL WHERE id = ?",
    )
    .bind(run_id)
    .execute(ctx.store.pool())
    .await?;
    execute(ctx, run_id).await
}

#[derive(Debug, Clone)]
struct Job {
    posts: Vec<String>,
    /// Attempts so far for these posts (429 waits excluded).
    attempt: u32,
    /// Calls made for this work, 429s included: every one after the first is a retry.
    calls: u32,
}

/// Shared state of the workers of one run.
struct Work {
    queue: Mutex<VecDeque<Job>>,
    /// Jobs queued or being worked on (including ones waiting out a backoff).
    open: AtomicU64,
    wake: Notify,
    stop: Mutex<Option<StopReason>>,
    done: AtomicU64,
    failed: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
    cost_picos: std::sync::atomic::AtomicI64,
    started: tokio::time::Instant,
    request_times: Mutex<VecDeque<tokio::time::Instant>>,
    rng: Mutex<rand::rngs::StdRng>,
}

#[derive(Debug, Clone, PartialEq)]
enum StopReason {
    Cancelled,
    DailyLimit(String),
    Fatal(String),
}

struct RunData {
    run_id: i64,
    project: Project,
    settings: RunSettings,
    price: Price,
    posts: HashMap<String, (StoredPost, Option<String>)>,
    voice: replies::Voice,
    types: Vec<&'static str>,
    gen: replies::GenerationSettings,
    total: u64,
}

async fn execute(ctx: &RunContext, run_id: i64) -> Result<RunSummary> {
    let started_at = tokio::time::Instant::now();
    let row = sqlx::query("SELECT project_id, settings_json, elapsed_ms FROM runs WHERE id = ?")
        .bind(run_id)
        .fetch_one(ctx.store.pool())
        .await?;
    let project = projects::get(&ctx.store, row.get("project_id")).await?;
    let settings: RunSettings =
        serde_json::from_str(row.get::<&str, _>("settings_json")).map_err(|e| {
            FinderError::InvalidInput(format!("Run #{run_id} has unreadable settings: {e}"))
        })?;
    let earlier_ms: i64 = row.get("elapsed_ms");
    let price = prices::require(&ctx.store, &settings.model).await?;

    let queued: Vec<String> = sqlx::query_scalar(
        "SELECT tweet_id FROM run_items WHERE run_id = ? AND state = 'queued' ORDER BY attempts DESC",
    )
    .bind(run_id)
    .fetch_all(ctx.store.pool())
    .await?;
    let counts = item_counts(&ctx.store, run_id).await?;
    let total = counts.queued + counts.done + counts.failed;
    let posts = load_posts(&ctx.store, project.id, &queued).await?;
    let (voice, types) = prompt_inputs(&project);
    let gen = generation_settings(&project, &settings.model);
    let data = Arc::new(RunData {
        run_id,
        project,
        settings,
        price,
        posts,
        voice,
        types,
        gen,
        total,
    });

    let k = data.settings.per_request.max(1) as usize;
    let jobs: VecDeque<Job> = queued
        .chunks(k)
        .map(|c| Job {
            posts: c.to_vec(),
            attempt: 0,
            calls: 0,
        })
        .collect();
    let prior_cost: i64 =
        sqlx::query_scalar("SELECT coalesce(SUM(cost_picos), 0) FROM api_calls WHERE run_id = ?")
            .bind(run_id)
            .fetch_one(ctx.store.pool())
            .await?;
    let work = Arc::new(Work {
        open: AtomicU64::new(jobs.len() as u64),
        queue: Mutex::new(jobs),
        wake: Notify::new(),
        stop: Mutex::new(None),
        done: AtomicU64::new(counts.done),
        failed: AtomicU64::new(counts.failed),
        requests: AtomicU64::new(0),
        retries: AtomicU64::new(0),
        cost_picos: std::sync::atomic::AtomicI64::new(prior_cost),
        started: tokio::time::Instant::now(),
        request_times: Mutex::new(VecDeque::new()),
        rng: Mutex::new(rand::rngs::StdRng::seed_from_u64(ctx.seed ^ run_id as u64)),
    });
    let _ = ctx.events.send(RunEvent::Started {
        run_id,
        total,
        already_done: counts.done + counts.failed,
    });

    let workers = data.settings.batch_size.max(1) as usize;
    let mut handles = Vec::with_capacity(workers);
    for _ in 0..workers {
        handles.push(worker(ctx, data.clone(), work.clone()));
    }
    // Workers share this task (they borrow the context); their waiting is all I/O.
    let results = {
        let workers = futures::future::join_all(handles);
        tokio::pin!(workers);
        let mut beat = tokio::time::interval(HEARTBEAT_EVERY);
        loop {
            tokio::select! {
                results = &mut workers => break results,
                _ = beat.tick() => {
                    // A failed heartbeat only makes the run look interrupted; never stop for it.
                    let _ = sqlx::query("UPDATE runs SET heartbeat_at = ? WHERE id = ?")
                        .bind((ctx.wall_clock)())
                        .bind(run_id)
                        .execute(ctx.store.pool())
                        .await;
                }
            }
        }
    };
    let mut storage_error = None;
    for r in results {
        if let Err(e) = r {
            storage_error.get_or_insert(e);
        }
    }

    let elapsed_ms = started_at.elapsed().as_millis() as i64;
    let stop = work.stop.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let (status, error) = match (&storage_error, stop) {
        (Some(e), _) => ("failed", Some(e.to_string())),
        (None, Some(StopReason::Fatal(m))) => ("failed", Some(m)),
        (None, Some(StopReason::DailyLimit(m))) => ("interrupted", Some(m)),
        (None, Some(StopReason::Cancelled)) => ("cancelled", None),
        (None, None) => ("finished", None),
    };
    sqlx::query("UPDATE runs SET status = ?, error = ?, finished_at = ?, elapsed_ms = elapsed_ms + ? WHERE id = ?")
        .bind(status)
        .bind(&error)
        .bind((ctx.wall_clock)())
        .bind(elapsed_ms)
        .bind(run_id)
        .execute(ctx.store.pool())
        .await?;
    if let Some(e) = storage_error {
        return Err(e);
    }
    let mut summary = summary(&ctx.store, run_id, (ctx.wall_clock)()).await?;
    summary.elapsed_s = (earlier_ms + elapsed_ms) as f64 / 1000.0;
    let _ = ctx.events.send(RunEvent::Finished(summary.clone()));
    Ok(summary)
}

async fn worker(ctx: &RunContext, data: Arc<RunData>, work: Arc<Work>) -> Result<()> {
    loop {
        let job = loop {
            if work
                .stop
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .is_some()
            {
                return Ok(());
            }
            if ctx.cancel.is_cancelled() {
                work.stop
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(StopReason::Cancelled);
                work.wake.notify_waiters();
                return Ok(());
            }
            let next = work
                .queue
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop_front();
            if let Some(job) = next {
                break job;
            }
            if work.open.load(Ordering::SeqCst) == 0 {
                work.wake.notify_waiters();
                return Ok(());
            }
            // Some job is waiting out a backoff or being split; wait for it, or for a cancel.
            tokio::select! {
                _ = work.wake.notified() => {}
                _ = ctx.cancel.0 .1.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            }
        };
        let follow_up = attempt(ctx, &data, &work, job).await;
        match follow_up {
            Ok(next_jobs) => {
                let added = next_jobs.len() as u64;
                if added > 0 {
                    work.open.fetch_add(added, Ordering::SeqCst);
                    let mut queue = work.queue.lock().unwrap_or_else(|p| p.into_inner());
                    for (delay, job) in next_jobs {
                        if delay.is_zero() {
                            queue.push_back(job);
                        } else {
                            let work = work.clone();
                            tokio::spawn(async move {
                                tokio::time::sleep(delay).await;
                                work.queue
                                    .lock()
                                    .unwrap_or_else(|p| p.into_inner())
                                    .push_back(job);
                                work.wake.notify_waiters();
                            });
                        }
                    }
                }
                work.open.fetch_sub(1, Ordering::SeqCst);
                work.wake.notify_waiters();
                send_progress(ctx, &data, &work);
            }
            Err(e) => {
                work.stop
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .get_or_insert(StopReason::Fatal(e.to_string()));
                work.wake.notify_waiters();
                return Err(e);
            }
        }
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
    let k = data.settings.per_request.max(1) as f64;
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
        cost_usd: prices::picos_to_usd(cost),
        eta_s: eta,
    }));
}

/// One request for one job. Returns follow-up jobs (with a delay before they may start).
async fn attempt(
    ctx: &RunContext,
    data: &RunData,
    work: &Work,
    job: Job,
) -> Result<Vec<(Duration, Job)>> {
    let posts: Vec<replies::PromptPost> = job
        .posts
        .iter()
        .filter_map(|id| {
            data.posts
                .get(id)
                .map(|(p, topic)| prompt_post(&data.project, p, topic.as_deref()))
        })
        .collect();
    if posts.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<String> = posts.iter().map(|p| p.id.clone()).collect();
    let request = replies::build_request(&posts, &data.voice, &data.types, &data.gen);
    match ctx.limiter.admit(estimate_input_tokens(&request)).await {
        Ok(()) => {}
        Err(LimitError::DailyLimitReached { .. }) => {
            let message = LimitError::DailyLimitReached {
                limit: data.settings.limits.rpd.unwrap_or(0),
            }
            .to_string();
            work.stop
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(StopReason::DailyLimit(message));
            return Ok(Vec::new());
        }
        Err(too_large @ LimitError::TooLarge { .. }) => {
            if ids.len() > 1 {
                return Ok(singles(&job, 0));
            }
            finish_failed(
                ctx,
                data,
                work,
                &ids,
                job.attempt + 1,
                too_large.code(),
                &too_large.to_string(),
            )
            .await?;
            return Ok(Vec::new());
        }
    }
    if job.calls > 0 {
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
    let attempt_no = job.attempt + 1;
    let entry = |outcome: &'static str| CallEntry {
        run_id: Some(data.run_id),
        project_id: Some(data.project.id),
        called_at,
        model: &data.settings.model,
        endpoint: "generate",
        attempt: job.calls + 1,
        outcome,
        http_status: record.http_status,
        latency_ms: record.latency.as_millis() as u64,
        tokens: BilledTokens {
            prompt: record.usage.prompt_tokens,
            cached: record.usage.cached_tokens,
            output: record.usage.output_tokens,
            thinking: record.usage.thinking_tokens,
        },
        price: data.price,
    };
    let next = Job {
        posts: job.posts.clone(),
        attempt: attempt_no,
        calls: job.calls + 1,
    };

    let generated = match result {
        Ok(generated) => generated,
        Err(error) => {
            let mut tx = ctx.store.write_tx().await?;
            let cost = ledger::record(&mut *tx, &entry(error.code())).await?;
            tx.commit().await?;
            work.cost_picos.fetch_add(cost, Ordering::SeqCst);
            return on_error(ctx, data, work, next, &ids, error).await;
        }
    };

    match replies::parse_answer(&generated.text, &ids, &data.types) {
        Ok(answer) => {
            let mut tx = ctx.store.write_tx().await?;
            let cost = ledger::record(&mut *tx, &entry("ok")).await?;
            let mut retry_alone: Vec<String> = answer.missing.clone();
            let mut failed_now: Vec<(String, String)> = Vec::new();
            let now = (ctx.wall_clock)();
            let mut done_count = 0;
            for (post_id, drafts) in &answer.replies {
                let post_text = data
                    .posts
                    .get(post_id)
                    .map(|(p, _)| p.text.as_str())
                    .unwrap_or("");
                let mut kept = 0;
                for draft in drafts {
                    let rank = data
                        .types
                        .iter()
                        .position(|t| *t == draft.reply_type)
                        .unwrap_or(data.types.len()) as i64
                        + 1;
                    let rejected = replies::check_draft(&draft.text, post_text)
                        .err()
                        .map(|r| r.to_string());
                    if rejected.is_none() {
                        kept += 1;
                    }
                    sqlx::query(
                        "INSERT OR IGNORE INTO suggestions (project_id, tweet_id, run_id, reply_type, rank, text, rejected_reason, created_at)
                         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    )
                    .bind(data.project.id)
                    .bind(post_id)
                    .bind(data.run_id)
                    .bind(&draft.reply_type)
                    .bind(rank)
                    .bind(&draft.text)
                    .bind(rejected)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                }
                if kept > 0 {
                    sqlx::query(
                        "UPDATE run_items SET state = 'done', attempts = ?, error_code = NULL, error_message = NULL, finished_at = ?
                         WHERE run_id = ? AND tweet_id = ?",
                    )
                    .bind(attempt_no as i64)
                    .bind(now)
                    .bind(data.run_id)
                    .bind(post_id)
                    .execute(&mut *tx)
                    .await?;
                    done_count += 1;
                } else if attempt_no < data.settings.max_attempts {
                    retry_alone.push(post_id.clone());
                } else {
                    failed_now.push((
                        post_id.clone(),
                        "every draft failed the quality check".into(),
                    ));
                }
            }
            for (post_id, why) in &failed_now {
                mark_failed(
                    &mut tx,
                    data.run_id,
                    post_id,
                    attempt_no,
                    "all_drafts_rejected",
                    why,
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            work.cost_picos.fetch_add(cost, Ordering::SeqCst);
            work.done.fetch_add(done_count, Ordering::SeqCst);
            work.failed
                .fetch_add(failed_now.len() as u64, Ordering::SeqCst);
            // Posts the answer left out go again, each on its own.
            Ok(retry_alone
                .into_iter()
                .map(|id| {
                    (
                        Duration::ZERO,
                        Job {
                            posts: vec![id],
                            attempt: attempt_no,
                            calls: job.calls + 1,
                        },
                    )
                })
                .collect())
        }
        Err(parse_error) => {
            let mut tx = ctx.store.write_tx().await?;
            let cost = ledger::record(&mut *tx, &entry("unusable_output")).await?;
            tx.commit().await?;
            work.cost_picos.fetch_add(cost, Ordering::SeqCst);
            let error = GeminiError::UnusableOutput {
                reason: parse_error.to_string(),
            };
            on_error(ctx, data, work, next, &ids, error).await
        }
    }
}

fn singles(job: &Job, attempt: u32) -> Vec<(Duration, Job)> {
    job.posts
        .iter()
        .map(|id| {
            (
                Duration::ZERO,
                Job {
                    posts: vec![id.clone()],
                    attempt,
                    calls: job.calls,
                },
            )
        })
        .collect()
}

/// Decides what follows a failed call. `next` already counts this attempt.
async fn on_error(
    ctx: &RunContext,
    data: &RunData,
    work: &Work,
    next: Job,
    ids: &[String],
    error: GeminiError,
) -> Result<Vec<(Duration, Job)>> {
    match &error {
        GeminiError::Quota { retry_after, .. } => {
            // The whole limiter waits; this work goes back in line without spending an attempt.
            let delay = retry_after.unwrap_or_else(|| {
                Duration::from_secs_f64(60.0 / data.settings.limits.rpm.max(1) as f64)
            });
            ctx.limiter.pause_for(delay);
            let _ = ctx.events.send(RunEvent::Paused {
                seconds: delay.as_secs_f64(),
            });
            let job = Job {
                attempt: next.attempt.saturating_sub(1),
                ..next
            };
            if job.calls > data.settings.max_attempts * 5 {
                finish_failed(
                    ctx,
                    data,
                    work,
                    ids,
                    job.attempt,
                    error.code(),
                    &error.to_string(),
                )
                .await?;
                return Ok(Vec::new());
            }
            Ok(vec![(Duration::ZERO, job)])
        }
        GeminiError::InvalidKey
        | GeminiError::PermissionDenied { .. }
        | GeminiError::NotFound { .. }
        | GeminiError::InvalidConfig { .. } => {
            // Nothing will work until the user fixes this; stop taking new work.
            work.stop
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(StopReason::Fatal(error.to_string()));
            work.wake.notify_waiters();
            Ok(Vec::new())
        }
        GeminiError::PromptBlocked { .. } if ids.len() > 1 => {
            Ok(singles(&next, next.attempt.saturating_sub(1)))
        }
        // Repeating these would fail the same way: the posts fail with the reason.
        GeminiError::PromptBlocked { .. } | GeminiError::BadRequest { .. } => {
            give_up(ctx, data, work, ids, next.attempt, &error).await
        }
        GeminiError::Http { status, .. } if *status != 408 => {
            give_up(ctx, data, work, ids, next.attempt, &error).await
        }
        _ if next.attempt >= data.settings.max_attempts => {
            give_up(ctx, data, work, ids, next.attempt, &error).await
        }
        // A cut-off or unusable answer for several posts: try them one by one.
        GeminiError::Truncated { .. }
        | GeminiError::Stopped { .. }
        | GeminiError::UnusableOutput { .. }
            if ids.len() > 1 =>
        {
            Ok(singles(&next, next.attempt))
        }
        _ => {
            // Exponential backoff with jitter: ~1 s, 2 s, 4 s … capped at 60 s.
            let base = 2f64.powi(next.attempt.saturating_sub(1) as i32).min(60.0);
            let factor = work
                .rng
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .random_range(0.5..1.5);
            Ok(vec![(Duration::from_secs_f64(base * factor), next)])
        }
    }
}

async fn give_up(
    ctx: &RunContext,
    data: &RunData,
    work: &Work,
    ids: &[String],
    attempts: u32,
    error: &GeminiError,
) -> Result<Vec<(Duration, Job)>> {
    finish_failed(
        ctx,
        data,
        work,
        ids,
        attempts,
        error.code(),
        &error.to_string(),
    )
    .await?;
    Ok(Vec::new())
}

async fn finish_failed(
    ctx: &RunContext,
    data: &RunData,
    work: &Work,
    ids: &[String],
    attempts: u32,
    code: &str,
    message: &str,
) -> Result<()> {
    let mut tx = ctx.store.write_tx().await?;
    let now = (ctx.wall_clock)();
    for id in ids {
        mark_failed(&mut tx, data.run_id, id, attempts, code, message, now).await?;
    }
    tx.commit().await?;
    work.failed.fetch_add(ids.len() as u64, Ordering::SeqCst);
    Ok(())
}

async fn mark_failed(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    run_id: i64,
    tweet_id: &str,
    attempts: u32,
    code: &str,
    message: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE run_items SET state = 'failed', attempts = ?, error_code = ?, error_message = ?, finished_at = ?
         WHERE run_id = ? AND tweet_id = ? AND state = 'queued'",
    )
    .bind(attempts as i64)
    .bind(code)
    .bind(message)
    .bind(now)
    .bind(run_id)
    .bind(tweet_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn load_posts(
    store: &Store,
    project_id: i64,
    ids: &[String],
) -> Result<HashMap<String, (StoredPost, Option<String>)>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut qb: sqlx::QueryBuilder<sqlx::Sqlite> = sqlx::QueryBuilder::new(format!(
            "SELECT {}, pt.topic
             FROM tweets t JOIN authors a ON a.id = t.author_id
             LEFT JOIN project_tweets pt ON pt.tweet_id = t.id AND pt.project_id = ",
            posts::POST_COLUMNS
        ));
        qb.push_bind(project_id).push(" WHERE t.id IN (");
        let mut list = qb.separated(", ");
        for id in chunk {
            list.push_bind(id);
        }
        qb.push(")");
        for r in qb.build().fetch_all(store.pool()).await? {
            let post = StoredPost::from_row(&r);
            out.insert(post.id.clone(), (post, r.get("topic")));
        }
    }
    Ok(out)
}

#[derive(Debug, Default)]
struct ItemCounts {
    queued: u64,
    done: u64,
    failed: u64,
}

async fn item_counts(store: &Store, run_id: i64) -> Result<ItemCounts> {
    let rows =
        sqlx::query("SELECT state, COUNT(*) AS n FROM run_items WHERE run_id = ? GROUP BY state")
            .bind(run_id)
            .fetch_all(store.pool())
            .await?;
    let mut c = ItemCounts::default();
    for r in rows {
        let n = r.get::<i64, _>("n") as u64;
        match r.get::<&str, _>("state") {
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
    let run = sqlx::query("SELECT status, error, elapsed_ms, heartbeat_at FROM runs WHERE id = ?")
        .bind(run_id)
        .fetch_optional(store.pool())
        .await?
        .ok_or_else(|| FinderError::InvalidInput(format!("There is no run #{run_id}.")))?;
    let items = sqlx::query(
        "SELECT COUNT(*) AS all_items,
                SUM(state = 'gated') AS gated, SUM(state = 'deduped') AS deduped,
                SUM(state = 'done') AS done, SUM(state = 'failed') AS failed
         FROM run_items WHERE run_id = ?",
    )
    .bind(run_id)
    .fetch_one(store.pool())
    .await?;
    let calls = sqlx::query(
        "SELECT COUNT(*) AS requests, coalesce(SUM(attempt > 1), 0) AS retries,
                coalesce(SUM(prompt_tokens), 0) AS input, coalesce(SUM(output_tokens), 0) AS output,
                coalesce(SUM(thinking_tokens), 0) AS thinking, coalesce(SUM(cost_picos), 0) AS cost
         FROM api_calls WHERE run_id = ?",
    )
    .bind(run_id)
    .fetch_one(store.pool())
    .await?;
    let suggestions: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM suggestions WHERE run_id = ? AND rejected_reason IS NULL",
    )
    .bind(run_id)
    .fetch_one(store.pool())
    .await?;
    let cost: i64 = calls.get("cost");
    let opt = |name: &str| items.get::<Option<i64>, _>(name).unwrap_or(0);
    Ok(RunSummary {
        run_id,
        status: effective_status(run.get("status"), run.get("heartbeat_at"), now),
        candidates: items.get("all_items"),
        gated_out: opt("gated"),
        deduped: opt("deduped"),
        succeeded: opt("done"),
        failed: opt("failed"),
        suggestions,
        requests: calls.get("requests"),
        retries: calls.get("retries"),
        input_tokens: calls.get("input"),
        output_tokens: calls.get("output"),
        thinking_tokens: calls.get("thinking"),
        cost_picos: cost,
        cost_usd: prices::picos_to_usd(cost),
        elapsed_s: run.get::<i64, _>("elapsed_ms") as f64 / 1000.0,
        error: run.get("error"),
    })
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunListing {
    pub run_id: i64,
    pub project: String,
    pub status: String,
    pub created_at: i64,
    pub posts: i64,
    pub done: i64,
    pub failed: i64,
    pub cost_picos: i64,
    pub cost_usd: f64,
}

pub async fn list(
    store: &Store,
    project_id: Option<i64>,
    limit: u32,
    now: i64,
) -> Result<Vec<RunListing>> {
    let rows = sqlx::query(
        "SELECT r.id, p.name, r.status, r.heartbeat_at, r.created_at,
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state IN ('queued', 'done', 'failed')) AS posts,
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'done') AS done,
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'failed') AS failed,
                (SELECT coalesce(SUM(cost_picos), 0) FROM api_calls c WHERE c.run_id = r.id) AS cost
         FROM runs r JOIN projects p ON p.id = r.project_id
         WHERE (?1 IS NULL OR r.project_id = ?1)
         ORDER BY r.id DESC LIMIT ?2",
    )
    .bind(project_id)
    .bind(limit as i64)
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let cost: i64 = r.get("cost");
            RunListing {
                run_id: r.get("id"),
                project: r.get("name"),
                status: effective_status(r.get("status"), r.get("heartbeat_at"), now),
                created_at: r.get("created_at"),
                posts: r.get("posts"),
                done: r.get("done"),
                failed: r.get("failed"),
                cost_picos: cost,
                cost_usd: prices::picos_to_usd(cost),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_run_without_a_recent_heartbeat_is_interrupted() {
        assert_eq!(effective_status("running", Some(1_000), 1_030), "running");
        assert_eq!(
            effective_status("running", Some(1_000), 1_000 + HEARTBEAT_STALE_S + 1),
            "interrupted"
        );
        assert_eq!(effective_status("running", None, 5), "interrupted");
        assert_eq!(effective_status("finished", Some(0), 1_000_000), "finished");
    }

    #[test]
    fn summary_sentence_reads_like_the_product_says() {
        let s = RunSummary {
            succeeded: 426,
            failed: 0,
            cost_picos: 34_100_000_000,
            elapsed_s: 171.0,
            ..RunSummary::default()
        };
        assert_eq!(
            s.sentence(),
            "426 succeeded, 0 failed · $0.0341 (avg $0.00008 per post) · 2 m 51 s"
        );
    }
}
