//! A run: Gemini writes reply drafts for a project's chosen posts, under the rate limits and
//! the budgets, and every outcome is stored the moment it arrives. In three parts:
//!
//! - [`planning`]: which posts a run sends, how they are packed into requests, and what the
//!   run will cost and take (the forecast). Nothing here is billed.
//! - [`executor`]: works through a stored run with the typed settings it was started with —
//!   the concurrent workers, retries, quotas and budget stops.
//! - [`run_store`]: the `runs` and `run_items` tables: creating a run, its items, writing
//!   each outcome with its ledger row, and reading summaries and listings back.
//!
//! [`heartbeat`] is how a working run says it is alive (and how a killed one is told apart).
//!
//! This module holds what all three (and the engine, the CLI and the app) talk in: the
//! settings, statuses, events and summaries of a run.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use gemini::Client;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, Notify};

use crate::budget::{BudgetReached, CapUse};
use crate::error::{FinderError, Result};
use crate::limiter::{Limiter, Limits};
use crate::models;
use crate::prices;
use crate::scoring::Label;
use crate::store::Store;

pub mod executor;
pub mod heartbeat;
pub mod planning;
pub mod run_store;

pub use executor::{execute_run, resume, start};
pub use heartbeat::effective_status;
pub(crate) use heartbeat::{HEARTBEAT_EVERY, HEARTBEAT_STALE_S};
pub use planning::{
    candidates, estimate_input_tokens, forecast, forecast_with, plan, plan_using,
    plan_with_embeddings, Forecast, ForecastInputs, ForecastText, Plan,
};
pub use run_store::{
    add_items, create, forecast_accuracy, history, list, project_of, set_run_budget, settings_of,
    store_settings, summary, worked_elsewhere, ForecastCheck, History, RunListing,
};

/// Posts per request by default. Measured with `bench-run` on the predecessor's job: ten
/// posts a request need about a tenth of the requests of one a request (the shared system
/// prompt is paid once per request), answer as many posts, and stay far below every
/// model's output limit with thinking kept low (see the README's figures).
pub const DEFAULT_PER_REQUEST: u32 = 10;

/// How a run's requests reach Google.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
// serde's defaults read runs stored before a setting existed; the window always sends every
// setting, so its TypeScript type has them all.
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct RunSettings {
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
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

/// Where a run stands. Stored as `runs.status` plus `runs.stop_reason` for the two kinds of
/// interrupted run the user can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
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
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub cost_usd: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
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
    /// "426 succeeded, 0 failed · $0.0341 (avg $0.00008 per post) · 2 m 51 s", written out
    /// once the summary is complete ([`RunSummary::with_sentence`]) for the CLI's JSON and the
    /// window, which show it as it is.
    pub sentence: String,
}

impl RunSummary {
    /// The summary with its [`sentence`](RunSummary::sentence) written out.
    pub(crate) fn with_sentence(mut self) -> Self {
        self.sentence = self.compose_sentence();
        self
    }

    /// Says where the posts of the estimate went when the run replied to fewer: "The estimate
    /// counted 10 posts and 7 got replies: 2 were held back while the run planned (…); 1 got no
    /// usable reply."
    pub(crate) fn with_forecast_note(mut self, forecast_posts: Option<i64>) -> Self {
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
    pub fn compose_sentence(&self) -> String {
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
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Progress {
    pub run_id: i64,
    pub total: u64,
    pub done: u64,
    pub failed: u64,
    pub requests: u64,
    pub retries: u64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub requests_per_minute: f64,
    pub cost_picos: i64,
    #[cfg_attr(feature = "specta", specta(type = Option<crate::FiniteNumber>))]
    pub eta_s: Option<f64>,
}

/// What a run reports while it works. The CLI draws a progress bar from these; the desktop
/// app forwards them to the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// A run sends one `Finished`; boxing it would save nothing worth the noise at every match.
#[allow(clippy::large_enum_variant)]
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
    fn summary_sentence_reads_like_the_product_says() {
        let s = RunSummary {
            succeeded: 426,
            failed: 0,
            cost_picos: 34_100_000_000,
            elapsed_s: 171.0,
            ..RunSummary::default()
        };
        assert_eq!(
            s.compose_sentence(),
            "426 succeeded, 0 failed · $0.0341 (avg $0.00008 per post) · 2 m 51 s"
        );
    }
}
