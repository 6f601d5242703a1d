//! The rate-limited concurrent batch: asks Gemini for reply drafts for a run's posts.
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
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gemini::{Client, GeminiError, GenerateContentRequest, QuotaScope};
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use tokio::sync::{mpsc, Notify};

use crate::budget::{self, Budget, BudgetReached, CapUse};
use crate::embeddings::{self, DedupIndex, Embedder};
use crate::error::{FinderError, Result};
use crate::ledger::{self, CallEntry};
use crate::limiter::{self, LimitError, Limiter, Limits};
use crate::models::{self, ModelProfile};
use crate::posts::{self, PostFilter, StoredPost};
use crate::prices::{self, BilledTokens, Price};
use crate::projects::{self, Project};
use crate::retry;
use crate::scoring::Label;
use crate::store::Store;

/// Posts per request by default. Measured with `bench-run` on the predecessor's job: ten
/// posts a request need about a tenth of the requests of one a request (the shared system
/// prompt is paid once per request), answer as many posts, and stay far below every
/// model's output limit with thinking kept low (see the README's figures).
pub const DEFAULT_PER_REQUEST: u32 = 10;

/// How a run's requests reach Google.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMode {
    /// One request at a time under the rate limits: answers in minutes, standard price.
    #[default]
    Standard,
    /// Google's Batch API: the same requests at half price, answered within hours.
    Batch,
}

impl RunMode {
    /// "Now (standard price)" / "Cheaper, slower (half price, usually within a few hours)".
    pub fn words(self) -> &'static str {
        match self {
            RunMode::Standard => "Now (standard price)",
            RunMode::Batch => "Cheaper, slower (half price, usually within a few hours)",
        }
    }
}

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
    /// The most this run may spend, in pico-dollars; stored with the run so a resume keeps it.
    #[serde(default)]
    pub budget_picos: Option<i64>,
    /// Limits of the embedding model (each text of a batch counts as a request); `None`:
    /// the saved tier's published ones.
    #[serde(default)]
    pub embedding_limits: Option<Limits>,
    /// Standard, or Google's Batch API at half price (runs stored before it: standard).
    #[serde(default)]
    pub mode: RunMode,
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
            per_request: DEFAULT_PER_REQUEST,
            model: model.to_string(),
            limits,
            max_attempts: 4,
            embeddings: true,
            budget_picos: None,
            embedding_limits: None,
            mode: RunMode::Standard,
        }
    }

    /// The one check of a run's settings, for every caller.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: &str| Err(FinderError::InvalidInput(m.to_owned()));
        if self.batch_size == 0 || self.per_request == 0 {
            return bad("Replies in progress at once and posts per AI call must be at least 1.");
        }
        if self.batch_size > 64 {
            return bad("At most 64 replies can be in progress at once.");
        }
        if self.per_request > models::MAX_POSTS_PER_REQUEST {
            return Err(FinderError::InvalidInput(format!(
                "At most {} posts fit in one AI call.",
                models::MAX_POSTS_PER_REQUEST
            )));
        }
        if self.max_candidates == 0 {
            return bad("Look at 1 post or more.");
        }
        if self.min_followers < 0 || self.min_likes < 0 {
            return bad("Minimum followers and likes can't be negative.");
        }
        if self.limits.rpm == 0 {
            return bad("Requests per minute must be at least 1.");
        }
        if self.max_attempts == 0 {
            return bad("Tries per post must be at least 1.");
        }
        if self.labels.is_empty() {
            return bad("Choose at least one label (green, yellow or red) to reply to.");
        }
        if !(self.hours_back.is_finite() && self.hours_back > 0.0) {
            return bad("Look back a positive number of hours.");
        }
        if matches!(self.budget_picos, Some(b) if b <= 0) {
            return bad("A budget must be more than $0 (or empty for no cap).");
        }
        if self.model.trim().is_empty() {
            return bad("Choose a model.");
        }
        Ok(())
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
    /// Posts the run will ask replies for.
    pub posts: usize,
    pub gated_out: usize,
    pub deduped: usize,
    /// Requests, re-asks included.
    pub requests: usize,
    pub input_tokens: u64,
    pub output_tokens: u64,
    /// Thinking tokens expected (billed as output).
    pub thinking_tokens: u64,
    /// Cost of the calls made while planning (embeddings, example posts), included in `cost_picos`.
    pub planning_cost_picos: i64,
    pub cost_picos: i64,
    pub cost_usd: f64,
    pub duration_s: f64,
    /// Posts per request the run will use (the setting, bounded by the model's output limit).
    pub per_request: u32,
    /// Requests the run makes for every pack, from this project's past runs (1.0 = no re-asks).
    pub requests_per_pack: f64,
    /// Requests left today under the daily limit, when there is one.
    pub requests_left_today: Option<u32>,
    /// Why the run will do fewer posts than planned, or spend differently, in plain words.
    pub notes: Vec<String>,
    /// The same run in batch mode (half price, within hours; Google's daily request
    /// allowance does not apply): posts it would answer and its cost.
    pub batch_posts: usize,
    pub batch_cost_picos: i64,
    pub batch_cost_usd: f64,
}

/// What past runs and the planning step add to a forecast.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ForecastInputs {
    /// Average thinking tokens per generate call of this model in this project, if any.
    pub thinking_per_request: Option<f64>,
    /// Past requests per pack for this project and model (1.0 when unknown).
    pub requests_per_pack: Option<f64>,
    /// Output tokens (drafts, thinking excluded) per answered post in this project's past
    /// runs on the model.
    pub output_per_post: Option<f64>,
    /// Cost of the planning calls still to make (embeddings of uncached texts, examples).
    pub planning_cost_picos: i64,
    /// Requests left today under the daily limit.
    pub requests_left_today: Option<u32>,
    /// Money left under the tightest cap.
    pub budget_left_picos: Option<i64>,
    /// The model's output limit, when the models endpoint told us.
    pub output_token_limit: Option<u64>,
    /// Why the posts may differ once planning calls are made (new posts to embed).
    pub planning_note: Option<String>,
}

/// Where a run stands. Stored as `runs.status` plus `runs.stop_reason` for the two kinds of
/// interrupted run the user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    #[default]
    Running,
    Finished,
    Cancelled,
    /// Killed mid-way (crash, kill -9) or stopped for a reason not listed below.
    Interrupted,
    /// Stopped at a spending cap; resumes once the cap is raised.
    BudgetReached,
    /// Google's daily allowance ran out; resumes after midnight Pacific time.
    WaitingForQuota,
    Failed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Finished => "finished",
            RunStatus::Cancelled => "cancelled",
            RunStatus::Interrupted => "interrupted",
            RunStatus::BudgetReached => "budget_reached",
            RunStatus::WaitingForQuota => "waiting_for_quota",
            RunStatus::Failed => "failed",
        }
    }

    /// The status to show for what is stored. A run stored as running whose heartbeat stopped
    /// was killed mid-way and can be resumed.
    pub fn from_stored(
        stored: &str,
        stop_reason: Option<&str>,
        heartbeat_at: Option<i64>,
        now: i64,
    ) -> RunStatus {
        match (
            effective_status(stored, heartbeat_at, now).as_str(),
            stop_reason,
        ) {
            ("running", _) => RunStatus::Running,
            ("finished", _) => RunStatus::Finished,
            ("cancelled", _) => RunStatus::Cancelled,
            ("interrupted", Some("budget")) => RunStatus::BudgetReached,
            ("interrupted", Some("daily_quota")) => RunStatus::WaitingForQuota,
            ("interrupted", _) => RunStatus::Interrupted,
            _ => RunStatus::Failed,
        }
    }

    /// Whether `runs resume` / the Resume button can pick the run up.
    pub fn can_resume(self) -> bool {
        !matches!(self, RunStatus::Running)
    }
}

impl std::fmt::Display for RunStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for RunStatus {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct RunSummary {
    pub run_id: i64,
    pub status: RunStatus,
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
    /// Why the run stopped, in plain words (errors, budget, daily quota).
    pub error: Option<String>,
    /// For a run waiting for the daily quota: when it may go on (unix seconds).
    pub resume_at: Option<i64>,
    /// Standard or batch (half price).
    pub mode: RunMode,
    /// A batch run's jobs at Google.
    pub batch: Option<crate::batch::BatchStatus>,
    /// Why the run replied to fewer posts than its estimate said, when it did.
    pub forecast_note: Option<String>,
}

impl RunSummary {
    /// Says where the posts of the estimate went when the run replied to fewer: "The estimate
    /// counted 10 posts and 7 got replies: 2 were held back while the run planned (…); 1 got no
    /// usable reply."
    fn with_forecast_note(mut self, forecast_posts: Option<i64>) -> Self {
        let Some(expected) = forecast_posts else {
            return self;
        };
        if self.status == RunStatus::Running || self.succeeded >= expected {
            return self;
        }
        let sent = (self.candidates - self.gated_out - self.deduped).max(0);
        let waiting = (sent - self.succeeded - self.failed).max(0);
        let mut reasons = Vec::new();
        if expected > sent {
            reasons.push(format!(
                "{} were held back while the run planned (near-duplicates of posts already answered, or off-topic once the AI read them)",
                expected - sent
            ));
        }
        if self.failed > 0 {
            reasons.push(format!("{} got no usable reply", self.failed));
        }
        if waiting > 0 {
            reasons.push(format!(
                "{waiting} are still waiting (resume the run to do them)"
            ));
        }
        if reasons.is_empty() {
            return self;
        }
        self.forecast_note = Some(format!(
            "The estimate counted {expected} posts and {} got replies: {}.",
            self.succeeded,
            reasons.join("; ")
        ));
        self
    }

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
        let half = if self.mode == RunMode::Batch {
            " at half price (batch)"
        } else {
            ""
        };
        format!(
            "{} succeeded, {} failed · {}{}{} · {}",
            self.succeeded,
            self.failed,
            prices::format_usd(self.cost_picos),
            half,
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
    /// The next request would cross a spending cap: the run stops, resumable once it is raised.
    BudgetReached {
        reached: BudgetReached,
        sentence: String,
    },
    /// A monthly budget passed 80% (or 100%) of its cap.
    BudgetAlert(CapUse),
    /// Google's daily allowance is used up: the run stops with its posts queued.
    DailyQuota {
        /// Unix seconds: midnight Pacific time.
        resets_at: i64,
        sentence: String,
    },
    /// A batch run's jobs at Google (queued, running, n of m answered).
    Batch(crate::batch::BatchStatus),
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

    /// Resolves once the run is cancelled (at once if it already is).
    pub async fn notified(&self) {
        loop {
            let notified = self.0 .1.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
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
    /// How batch jobs are checked, and the nudge to check them now.
    pub batch: BatchControl,
}

/// A batch run's checking schedule and its "check now" button.
#[derive(Clone, Default)]
pub struct BatchControl {
    pub polling: crate::batch::BatchPolling,
    pub check_now: Arc<Notify>,
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

/// The posts a run considers: its filters, the freshest `max_candidates` first.
pub async fn candidates(
    store: &Store,
    project: &Project,
    settings: &RunSettings,
    now: i64,
) -> Result<Vec<StoredPost>> {
    let filter = PostFilter {
        posted_since: Some(now - (settings.hours_back * 3600.0) as i64),
        min_followers: settings.min_followers,
        min_likes: settings.min_likes,
        limit: Some(settings.max_candidates),
    };
    posts::select(store, project.id, &filter).await
}

/// The plan, with embedding relevance and semantic dedup when an embedder is given.
pub async fn plan_using(
    store: &Store,
    project: &Project,
    settings: &RunSettings,
    now: i64,
    embedder: Option<&Embedder>,
) -> Result<Plan> {
    let candidates = candidates(store, project, settings, now).await?;
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
         WHERE project_id = ? AND rejected_reason IS NULL AND review != 'rejected' AND sample = 0",
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
             WHERE project_id = ? AND rejected_reason IS NULL AND review != 'rejected'
               AND sample = 0)",
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
    let profile = models::profile(model, None);
    let types = project.settings.reply_types.len().max(1) as u32;
    replies::GenerationSettings {
        temperature: project.settings.generation.temperature as f32,
        max_output_tokens: profile.max_output_tokens(1, types),
        thinking: profile.thinking,
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

/// Requests, tokens, cost and time a plan would take at the current limits, with no history.
pub fn forecast(project: &Project, plan: &Plan, settings: &RunSettings, price: Price) -> Forecast {
    forecast_with(project, plan, settings, price, &ForecastInputs::default())
}

/// The forecast with what the project's history, the day's allowance and the budgets add.
pub fn forecast_with(
    project: &Project,
    plan: &Plan,
    settings: &RunSettings,
    price: Price,
    inputs: &ForecastInputs,
) -> Forecast {
    let (voice, types) = prompt_inputs(project);
    let profile = models::profile(&settings.model, inputs.output_token_limit);
    let k = settings
        .per_request
        .clamp(1, profile.max_posts_per_request(types.len() as u32)) as usize;
    let gen = generation_settings(project, &settings.model);
    let per_pack = inputs.requests_per_pack.unwrap_or(1.0).clamp(1.0, 4.0);
    let thinking_each = inputs
        .thinking_per_request
        .unwrap_or(profile.typical_thinking as f64);
    let mut notes = Vec::new();

    // Each pack: its prompt, its drafts, its thinking; re-asks repeat a share of packs.
    let mut packs: Vec<(u64, u64)> = Vec::new(); // (input, output) tokens
    for chunk in plan.send.chunks(k) {
        let posts: Vec<replies::PromptPost> = chunk
            .iter()
            .map(|p| prompt_post(project, p, None))
            .collect();
        let input = estimate_input_tokens(&replies::build_request(&posts, &voice, &types, &gen));
        // From this project's history, else about 30 tokens per reply plus the JSON around it.
        let output = match inputs.output_per_post {
            Some(per_post) => (chunk.len() as f64 * per_post).round() as u64,
            None => (chunk.len() * types.len() * 40) as u64,
        };
        packs.push((input, output));
    }
    let pack_cost = |(input, output): (u64, u64)| {
        price.cost_picos(&BilledTokens {
            prompt: input,
            cached: 0,
            output,
            thinking: thinking_each.round() as u64,
        })
    };
    let planned_posts = plan.send.len();
    // Batch mode: the same packs at the batch price; only the budget limits it.
    let batch_price = price.at_batch_rate();
    let batch_pack_cost = |(input, output): (u64, u64)| {
        batch_price.cost_picos(&BilledTokens {
            prompt: input,
            cached: 0,
            output,
            thinking: thinking_each.round() as u64,
        })
    };
    let mut batch_spent = inputs.planning_cost_picos;
    let mut batch_fit = 0;
    for pack in &packs {
        let c = (batch_pack_cost(*pack) as f64 * per_pack) as i64;
        if inputs
            .budget_left_picos
            .is_some_and(|left| batch_spent + c > left)
        {
            break;
        }
        batch_spent += c;
        batch_fit += 1;
    }
    // Packs the day's allowance and the budget leave room for, best posts first.
    let mut fit = packs.len();
    if let Some(left) = inputs.requests_left_today {
        let packs_today = (left as f64 / per_pack).floor() as usize;
        if packs_today < fit {
            fit = packs_today;
            notes.push(format!(
                "Google allows {left} more requests today for this model, enough for about {} posts at {k} per request; the rest stay queued until the allowance resets at midnight Pacific time.",
                (packs_today * k).min(planned_posts)
            ));
        }
    }
    if let Some(left) = inputs.budget_left_picos {
        let mut spent = inputs.planning_cost_picos;
        let mut affordable = 0;
        for pack in packs.iter().take(fit) {
            let c = (pack_cost(*pack) as f64 * per_pack) as i64;
            if spent + c > left {
                break;
            }
            spent += c;
            affordable += 1;
        }
        if affordable < fit {
            fit = affordable;
            notes.push(format!(
                "The budget left ({}) covers about {} posts; the run stops there.",
                prices::format_usd(left),
                (affordable * k).min(planned_posts)
            ));
        }
    }
    let posts = (fit * k).min(planned_posts);
    let used = &packs[..fit];
    let input_tokens = (used.iter().map(|p| p.0).sum::<u64>() as f64 * per_pack) as u64;
    let output_tokens = (used.iter().map(|p| p.1).sum::<u64>() as f64 * per_pack) as u64;
    let requests = (fit as f64 * per_pack).ceil() as usize;
    let thinking_tokens = (requests as f64 * thinking_each) as u64;
    let cost = price.cost_picos(&BilledTokens {
        prompt: input_tokens,
        cached: 0,
        output: output_tokens,
        thinking: thinking_tokens,
    }) + inputs.planning_cost_picos;
    if let Some(note) = &inputs.planning_note {
        notes.push(note.clone());
    }
    if planned_posts > 0 && inputs.planning_cost_picos > 0 {
        notes.push(format!(
            "Includes {} for the AI relevance check of posts not seen before.",
            prices::format_usd(inputs.planning_cost_picos)
        ));
    }
    if (settings.per_request as usize) > k {
        notes.push(format!(
            "{} posts per request is more than this model can answer at once; {k} are sent.",
            settings.per_request
        ));
    }
    let per_minute = settings.limits.rpm.max(1) as f64;
    Forecast {
        posts,
        gated_out: plan.gated.len(),
        deduped: plan.deduped.len(),
        requests,
        input_tokens,
        output_tokens,
        thinking_tokens,
        planning_cost_picos: inputs.planning_cost_picos,
        cost_picos: cost,
        cost_usd: prices::picos_to_usd(cost),
        duration_s: if requests == 0 {
            0.0
        } else {
            (requests as f64 - 1.0).max(0.0) * 60.0 / per_minute + 2.0
        },
        per_request: k as u32,
        requests_per_pack: per_pack,
        requests_left_today: inputs.requests_left_today,
        notes,
        batch_posts: (batch_fit * k).min(planned_posts),
        batch_cost_picos: batch_spent,
        batch_cost_usd: prices::picos_to_usd(batch_spent),
    }
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
    let thinking: Option<f64> = sqlx::query_scalar(
        "SELECT AVG(thinking_tokens) FROM api_calls
         WHERE project_id = ? AND model = ? AND endpoint = 'generate' AND http_status = 200",
    )
    .bind(project_id)
    .bind(model)
    .fetch_one(store.pool())
    .await?;
    let rows = sqlx::query(
        "SELECT r.settings_json,
                (SELECT COUNT(*) FROM api_calls c WHERE c.run_id = r.id AND c.endpoint = 'generate') AS calls,
                (SELECT coalesce(SUM(c.output_tokens), 0) FROM api_calls c
                  WHERE c.run_id = r.id AND c.endpoint = 'generate') AS output,
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state IN ('done', 'failed')) AS posts,
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'done') AS answered
         FROM runs r WHERE r.project_id = ? ORDER BY r.id DESC LIMIT 20",
    )
    .bind(project_id)
    .fetch_all(store.pool())
    .await?;
    let (mut calls, mut packs, mut output, mut answered) = (0f64, 0f64, 0f64, 0f64);
    for r in rows {
        let Ok(settings) = serde_json::from_str::<RunSettings>(r.get::<&str, _>("settings_json"))
        else {
            continue;
        };
        let posts: i64 = r.get("posts");
        if settings.model != model || posts == 0 {
            continue;
        }
        calls += r.get::<i64, _>("calls") as f64;
        packs += (posts as f64 / settings.per_request.max(1) as f64).ceil();
        output += r.get::<i64, _>("output") as f64;
        answered += r.get::<i64, _>("answered") as f64;
    }
    Ok(History {
        thinking_per_request: thinking,
        requests_per_pack: (packs > 0.0).then(|| (calls / packs).max(1.0)),
        output_per_post: (answered > 0.0).then(|| output / answered),
    })
}

/// Creates the run and its items, then works through them.
pub async fn start(
    ctx: &RunContext,
    project: &Project,
    settings: &RunSettings,
    plan: &Plan,
) -> Result<RunSummary> {
    let run_id = create(ctx, project, settings, None).await?;
    add_items(&ctx.store, run_id, plan).await?;
    execute(ctx, run_id).await
}

/// Stores a new run with its settings (and the forecast shown for it), without items yet.
pub async fn create(
    ctx: &RunContext,
    project: &Project,
    settings: &RunSettings,
    forecast: Option<&Forecast>,
) -> Result<i64> {
    let now = (ctx.wall_clock)();
    let run_id: i64 = sqlx::query_scalar(
        "INSERT INTO runs (project_id, status, settings_json, forecast_json, created_at, heartbeat_at, owner_pid)
         VALUES (?1, 'running', ?2, ?3, ?4, ?4, ?5) RETURNING id",
    )
    .bind(project.id)
    .bind(serde_json::to_string(settings).unwrap_or_default())
    .bind(forecast.and_then(|f| serde_json::to_string(f).ok()))
    .bind(now)
    .bind(std::process::id() as i64)
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
    let taken: std::collections::HashSet<String> = sqlx::query_scalar(
        "SELECT i.tweet_id FROM run_items i JOIN runs r ON r.id = i.run_id
         JOIN runs me ON me.id = ?1
         WHERE r.project_id = me.project_id AND r.id != me.id AND i.state = 'queued'
           AND r.status = 'running' AND r.heartbeat_at >= me.heartbeat_at - ?2",
    )
    .bind(run_id)
    .bind(HEARTBEAT_STALE_S)
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
        sqlx::query("INSERT OR IGNORE INTO run_items (run_id, tweet_id, state, error_message, attempts) VALUES (?, ?, ?, ?, ?)")
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
    Ok(())
}

/// The settings a run was started with.
pub async fn settings_of(store: &Store, run_id: i64) -> Result<RunSettings> {
    let json: Option<String> = sqlx::query_scalar("SELECT settings_json FROM runs WHERE id = ?")
        .bind(run_id)
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
    let row: Option<(String, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT status, heartbeat_at, owner_pid FROM runs WHERE id = ?")
            .bind(run_id)
            .fetch_optional(store.pool())
            .await?;
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
    sqlx::query_scalar("SELECT project_id FROM runs WHERE id = ?")
        .bind(run_id)
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
    sqlx::query("UPDATE runs SET settings_json = ? WHERE id = ?")
        .bind(serde_json::to_string(settings).unwrap_or_default())
        .bind(run_id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Picks up a run where it stopped: finished posts are skipped, failed ones tried again.
pub async fn resume(ctx: &RunContext, run_id: i64) -> Result<RunSummary> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM runs WHERE id = ?")
        .bind(run_id)
        .fetch_optional(ctx.store.pool())
        .await?;
    if status.is_none() {
        return Err(no_such_run(run_id));
    }
    sqlx::query(
        "UPDATE run_items SET state = 'queued', attempts = 0 WHERE run_id = ? AND state = 'failed'",
    )
    .bind(run_id)
    .execute(ctx.store.pool())
    .await?;
    // Posts another run answered while this one was stopped are not paid for twice (posts of
    // this run's batch jobs still at Google are left to their answers).
    sqlx::query(
        "UPDATE run_items SET state = 'deduped', error_code = 'answered_elsewhere',
                error_message = 'Answered by another run while this one was stopped.'
         WHERE run_id = ?1 AND state = 'queued'
           AND tweet_id IN (SELECT s.tweet_id FROM suggestions s JOIN runs me ON me.id = ?1
                            WHERE s.project_id = me.project_id AND s.run_id IS NOT NULL
                              AND s.run_id != ?1 AND s.rejected_reason IS NULL AND s.sample = 0)
           AND tweet_id NOT IN (SELECT p.value FROM batch_requests b
                                JOIN batch_jobs j ON j.id = b.job_id, json_each(b.post_ids) p
                                WHERE j.run_id = ?1 AND j.settled = 0 AND b.applied_at IS NULL)",
    )
    .bind(run_id)
    .execute(ctx.store.pool())
    .await?;
    sqlx::query(
        "UPDATE runs SET status = 'running', error = NULL, stop_reason = NULL, resume_at = NULL,
                finished_at = NULL, heartbeat_at = ?, owner_pid = ? WHERE id = ?",
    )
    .bind((ctx.wall_clock)())
    .bind(std::process::id() as i64)
    .bind(run_id)
    .execute(ctx.store.pool())
    .await?;
    execute(ctx, run_id).await
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
            let _ = sqlx::query("UPDATE runs SET heartbeat_at = ? WHERE id = ?")
                .bind(wall_clock())
                .bind(run_id)
                .execute(store.pool())
                .await;
        }
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
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT tweet_id, attempts FROM run_items
         WHERE run_id = ? AND tweet_id IN (SELECT value FROM json_each(?))",
    )
    .bind(run_id)
    .bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
    .fetch_all(store.pool())
    .await?;
    let mut out: HashMap<String, u32> = ids.iter().map(|id| (id.clone(), 0)).collect();
    for (id, attempts) in rows {
        out.insert(id, attempts.max(0) as u32);
    }
    Ok(out)
}

/// Works through a stored run's queued posts (its items must be stored).
pub async fn execute_run(ctx: &RunContext, run_id: i64) -> Result<RunSummary> {
    execute(ctx, run_id).await
}

/// A stored run loaded for working on: its settings, prices, posts and counts so far.
pub(crate) struct LoadedRun {
    pub data: Arc<RunData>,
    /// Queued posts, most-tried first.
    pub queued: Vec<String>,
    pub counts: ItemCounts,
    pub earlier_ms: i64,
}

pub(crate) async fn load_run(ctx: &RunContext, run_id: i64) -> Result<LoadedRun> {
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
        earlier_ms,
    })
}

async fn execute(ctx: &RunContext, run_id: i64) -> Result<RunSummary> {
    if settings_of(&ctx.store, run_id).await?.mode == RunMode::Batch {
        return crate::batch::execute(ctx, run_id).await;
    }
    let started_at = tokio::time::Instant::now();
    let LoadedRun {
        data,
        queued,
        counts,
        earlier_ms,
    } = load_run(ctx, run_id).await?;

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
    let prior_cost: i64 =
        sqlx::query_scalar("SELECT coalesce(SUM(cost_picos), 0) FROM api_calls WHERE run_id = ?")
            .bind(run_id)
            .fetch_one(ctx.store.pool())
            .await?;
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
    sqlx::query(
        "UPDATE runs SET status = ?, stop_reason = ?, resume_at = ?, error = ?, finished_at = ?,
                elapsed_ms = elapsed_ms + ? WHERE id = ?",
    )
    .bind(status)
    .bind(stop_reason)
    .bind(resume_at)
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
        cost_usd: prices::picos_to_usd(cost),
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
            0,
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
                    0,
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
        if let Err(e) =
            limiter::learn_daily_limit(&ctx.store, tag, &data.settings.model, limit, now).await
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
    pub endpoint: &'a str,
    pub price: Price,
    pub batch_request: Option<(i64, &'a str)>,
    /// Posts that stay queued for another try, with their billed tries so far.
    pub tried_again: &'a [(String, u32)],
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
        endpoint: "generate",
        price: data.price,
        batch_request: None,
        tried_again: &[],
    };
    let cost = write_outcome(ctx, data, &billing, row, &done, &finals, drafts)
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

/// Writes an outcome (see [`write_outcome_once`]), trying again when the write fails: losing
/// it would lose a billed answer. `None`: an earlier pass stored it already.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write_outcome(
    ctx: &RunContext,
    data: &RunData,
    billing: &Billing<'_>,
    row: &LedgerRow,
    done: &[(String, u32)],
    failed: &[FailedPost],
    drafts: &[StoredDraft],
) -> Result<Option<i64>> {
    let mut tries_left = 5u32;
    loop {
        match write_outcome_once(ctx, data, billing, row, done, failed, drafts).await {
            Ok(stored) => return Ok(stored),
            Err(e) if tries_left > 0 => {
                tries_left -= 1;
                tracing::warn!(
                    run_id = data.run_id,
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
    data: &RunData,
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
            model: &data.settings.model,
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
        let marked = sqlx::query(
            "UPDATE batch_requests SET applied_at = ? WHERE job_id = ? AND key = ? AND applied_at IS NULL",
        )
        .bind(now)
        .bind(job_id)
        .bind(key)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            // Already stored (by an earlier pass over the same answers): store nothing twice.
            tx.rollback().await?;
            return Ok(None);
        }
    }
    for (post_id, tries) in billing.tried_again {
        sqlx::query(
            "UPDATE run_items SET attempts = ? WHERE run_id = ? AND tweet_id = ? AND state = 'queued'",
        )
        .bind(*tries as i64)
        .bind(data.run_id)
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
    }
    for d in drafts {
        sqlx::query(
            "INSERT OR IGNORE INTO suggestions (project_id, tweet_id, run_id, reply_type, rank, text, rejected_reason, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(data.project.id)
        .bind(&d.post_id)
        .bind(data.run_id)
        .bind(&d.reply_type)
        .bind(d.rank)
        .bind(&d.text)
        .bind(&d.rejected)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    for (post_id, tries) in done {
        sqlx::query(
            "UPDATE run_items SET state = 'done', attempts = ?, error_code = NULL, error_message = NULL, finished_at = ?
             WHERE run_id = ? AND tweet_id = ?",
        )
        .bind(*tries as i64)
        .bind(now)
        .bind(data.run_id)
        .bind(post_id)
        .execute(&mut *tx)
        .await?;
    }
    for f in failed {
        mark_failed(
            &mut tx,
            data.run_id,
            &f.id,
            f.tries,
            f.code,
            &f.message,
            now,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Some(cost))
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
    work.finished(0, ids.len() as u64);
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
pub(crate) struct ItemCounts {
    pub queued: u64,
    pub done: u64,
    pub failed: u64,
}

pub(crate) async fn item_counts(store: &Store, run_id: i64) -> Result<ItemCounts> {
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
    let run = sqlx::query(
        "SELECT status, stop_reason, resume_at, error, elapsed_ms, heartbeat_at, settings_json, forecast_json FROM runs WHERE id = ?",
    )
    .bind(run_id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| no_such_run(run_id))?;
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
        "SELECT coalesce(SUM(endpoint IN ('generate', 'batch')), 0) AS requests,
                coalesce(SUM(attempt > 1 AND endpoint = 'generate'), 0) AS retries,
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
        status: RunStatus::from_stored(
            run.get("status"),
            run.get("stop_reason"),
            run.get("heartbeat_at"),
            now,
        ),
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
        resume_at: run.get("resume_at"),
        mode: serde_json::from_str::<RunSettings>(run.get::<&str, _>("settings_json"))
            .map(|s| s.mode)
            .unwrap_or_default(),
        batch: crate::batch::status(store, run_id).await?,
        forecast_note: None,
    }
    .with_forecast_note(
        run.get::<Option<&str>, _>("forecast_json")
            .and_then(|f| serde_json::from_str::<serde_json::Value>(f).ok())
            .and_then(|f| f.get("posts").and_then(|p| p.as_i64())),
    ))
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
    let rows = sqlx::query(
        "SELECT r.id, r.forecast_json,
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state IN ('done', 'failed')) AS posts,
                (SELECT COUNT(*) FROM api_calls c WHERE c.run_id = r.id AND c.endpoint = 'generate') AS requests,
                (SELECT coalesce(SUM(cost_picos), 0) FROM api_calls c WHERE c.run_id = r.id) AS cost
         FROM runs r
         WHERE r.forecast_json IS NOT NULL AND r.status != 'running' AND (?1 IS NULL OR r.project_id = ?1)
         ORDER BY r.id DESC LIMIT ?2",
    )
    .bind(project_id)
    .bind(limit as i64)
    .fetch_all(store.pool())
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let Ok(f) = serde_json::from_str::<serde_json::Value>(r.get::<&str, _>("forecast_json"))
        else {
            continue;
        };
        let fc = f["cost_picos"].as_i64().unwrap_or(0);
        let actual: i64 = r.get("cost");
        out.push(ForecastCheck {
            run_id: r.get("id"),
            forecast_posts: f["posts"].as_i64().unwrap_or(0),
            actual_posts: r.get("posts"),
            forecast_requests: f["requests"].as_i64().unwrap_or(0),
            actual_requests: r.get("requests"),
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
pub struct RunListing {
    pub run_id: i64,
    pub project: String,
    pub status: RunStatus,
    pub created_at: i64,
    pub posts: i64,
    pub done: i64,
    pub failed: i64,
    pub cost_picos: i64,
    pub cost_usd: f64,
    /// A batch run's jobs at Google (queued, running, n of m answered, done).
    pub batch: Option<crate::batch::BatchStatus>,
}

pub async fn list(
    store: &Store,
    project_id: Option<i64>,
    limit: u32,
    now: i64,
) -> Result<Vec<RunListing>> {
    let rows = sqlx::query(
        "SELECT r.id, p.name, r.status, r.stop_reason, r.heartbeat_at, r.created_at,
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
    let ids: Vec<i64> = rows.iter().map(|r| r.get("id")).collect();
    let mut batches = crate::batch::statuses(store, &ids).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let run_id: i64 = r.get("id");
        let batch = batches.remove(&run_id);
        out.push({
            let cost: i64 = r.get("cost");
            RunListing {
                batch,
                run_id: r.get("id"),
                project: r.get("name"),
                status: RunStatus::from_stored(
                    r.get("status"),
                    r.get("stop_reason"),
                    r.get("heartbeat_at"),
                    now,
                ),
                created_at: r.get("created_at"),
                posts: r.get("posts"),
                done: r.get("done"),
                failed: r.get("failed"),
                cost_picos: cost,
                cost_usd: prices::picos_to_usd(cost),
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_that_did_fewer_posts_than_estimated_says_why() {
        let s = RunSummary {
            status: RunStatus::Interrupted,
            candidates: 12,
            gated_out: 1,
            deduped: 3,
            succeeded: 5,
            failed: 1,
            ..RunSummary::default()
        };
        let note = s
            .clone()
            .with_forecast_note(Some(10))
            .forecast_note
            .unwrap();
        assert_eq!(
            note,
            "The estimate counted 10 posts and 5 got replies: 2 were held back while the run planned (near-duplicates of posts already answered, or off-topic once the AI read them); 1 got no usable reply; 2 are still waiting (resume the run to do them)."
        );
        // As estimated, or still running: nothing to explain.
        assert!(s
            .clone()
            .with_forecast_note(Some(5))
            .forecast_note
            .is_none());
        assert!(RunSummary {
            status: RunStatus::Running,
            ..s.clone()
        }
        .with_forecast_note(Some(10))
        .forecast_note
        .is_none());
        assert!(s.with_forecast_note(None).forecast_note.is_none());
    }

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
