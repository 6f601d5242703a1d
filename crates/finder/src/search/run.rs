//! One search, end to end: for each term, ask the source (an actor run polled with growing
//! waits, or X's pages), import every page through the file import's path, remember which term
//! brought which post, record the cost, then score what arrived. Everything that arrived is
//! kept when the search fails half-way or is cancelled.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use tokio::sync::watch;

use super::apify::{self, Apify};
use super::x_api::{PageRequest, XSearch};
use super::{
    apify_query, data_prices, x_query, CallError, PollPolicy, RetryAt, SearchRequest, SearchSort,
    Source, SourceAccess,
};
use crate::error::{ErrorCode, FinderError, Result};
use crate::import::{self, SkippedRow, MAX_SKIPPED_LISTED};
use crate::posts::{self, StoredPost};
use crate::projects;
use crate::store::Store;

/// Stops a search from anywhere (a Cancel button, Ctrl-C). Posts that arrived are kept.
#[derive(Clone)]
pub struct SearchCancel(Arc<watch::Sender<bool>>);

impl Default for SearchCancel {
    fn default() -> Self {
        SearchCancel(Arc::new(watch::channel(false).0))
    }
}

impl SearchCancel {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn cancel(&self) {
        self.0.send_replace(true);
    }

    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once cancelled.
    pub async fn cancelled(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|c| *c).await;
    }
}

/// Per term: the newest post a search already brought, so a refresh asks only for newer ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TermCursor {
    pub newest_at: i64,
    pub newest_id: String,
}

#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub poll: PollPolicy,
    /// The saved search this fetch belongs to (kept with the search's record).
    pub saved_search_id: Option<i64>,
    /// Per term: ask only for posts newer than these.
    pub cursors: HashMap<String, TermCursor>,
    /// Leave the new posts unscored (the benchmark times import and scoring apart).
    pub skip_scoring: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SearchStage {
    /// Asking the source to start.
    Starting,
    /// The actor run is going; posts are read as it stores them.
    Running,
    /// Reading pages of posts.
    Reading,
    /// The source asked us to slow down; waiting as it said.
    RateLimited,
    Scoring,
    Done,
}

/// Live progress, sent after every page.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchProgress {
    pub search_id: i64,
    pub term: String,
    /// 1-based.
    pub term_number: usize,
    pub terms: usize,
    pub stage: SearchStage,
    /// Posts that arrived (new + already known).
    pub found: u64,
    /// Posts new to the project.
    pub added: u64,
    pub skipped: u64,
    /// Read but below the likes/reposts/replies minimums (X cannot filter those itself).
    pub filtered: u64,
    pub cost_picos: i64,
    /// A sentence for what is happening now ("Apify is running the search (RUNNING)").
    pub note: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SearchStatus {
    Finished,
    Cancelled,
    /// Stopped by an error; what arrived before it is kept.
    Failed,
}

impl SearchStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SearchStatus::Finished => "finished",
            SearchStatus::Cancelled => "cancelled",
            SearchStatus::Failed => "failed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TermTally {
    pub term: String,
    pub found: u64,
    pub added: u64,
    /// The term was searched to the end (its cursor may move on).
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&FinderError> for SearchError {
    fn from(e: &FinderError) -> Self {
        SearchError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchOutcome {
    pub search_id: i64,
    pub project_id: i64,
    pub source: Source,
    pub status: SearchStatus,
    pub found: u64,
    pub added: u64,
    pub updated: u64,
    pub skipped_total: u64,
    /// The first skipped items, with reasons (as a file import lists them).
    pub skipped: Vec<SkippedRow>,
    pub filtered: u64,
    pub terms: Vec<TermTally>,
    pub cost_picos: i64,
    /// "$0.0400".
    pub cost: String,
    /// Labels of the posts this search brought (held back: gated, never sent to the AI).
    pub green: u64,
    pub yellow: u64,
    pub red: u64,
    pub held_back: u64,
    /// Green posts new to the project: the ones worth a reply now.
    pub new_greens: u64,
    pub error: Option<SearchError>,
    pub started_at: i64,
    pub finished_at: i64,
    /// One sentence: "Found 180 posts (120 new, 3 skipped) for $0.07."
    pub summary: String,
    /// The saved search this search ran for or was saved as.
    pub saved_search_id: Option<i64>,
}

/// Why a term stopped early.
enum Halt {
    Cancelled,
    Failed(FinderError),
}

impl From<FinderError> for Halt {
    fn from(e: FinderError) -> Self {
        Halt::Failed(e)
    }
}

type Clock<'a> = &'a (dyn Fn() -> i64 + Send + Sync);
type Progress<'a> = &'a (dyn Fn(SearchProgress) + Send + Sync);

struct Search<'a> {
    store: &'a Store,
    project_id: i64,
    request: &'a SearchRequest,
    options: &'a SearchOptions,
    clock: Clock<'a>,
    progress: Progress<'a>,
    cancel: &'a SearchCancel,
    search_id: i64,
    tally: Tally,
    term: String,
    term_number: usize,
}

#[derive(Default)]
struct Tally {
    found: u64,
    added: u64,
    updated: u64,
    skipped_total: u64,
    skipped: Vec<SkippedRow>,
    filtered: u64,
    cost_picos: i64,
    terms: Vec<TermTally>,
}

/// Runs one search for a project. Errors before anything is asked (a bad request, an unknown
/// project) come back as `Err`; once the search has started, its outcome always comes back,
/// with `status` and `error` saying how it ended and everything that arrived kept.
#[allow(clippy::too_many_arguments)]
pub async fn run(
    store: &Store,
    project_id: i64,
    request: &SearchRequest,
    access: &SourceAccess,
    options: &SearchOptions,
    clock: Clock<'_>,
    progress: Progress<'_>,
    cancel: &SearchCancel,
) -> Result<SearchOutcome> {
    let request = request.clone().normalised();
    request.validate()?;
    if access.source != request.source {
        return Err(FinderError::InvalidInput(format!(
            "The search is for {} but the token given is for {}.",
            request.source.describe(),
            access.source.describe()
        )));
    }
    let project = projects::get(store, project_id).await?;
    let started_at = clock();
    check_monthly_budgets(store, project_id, &request, started_at).await?;
    let request_json = serde_json::to_string(&request)
        .map_err(|e| FinderError::InvalidInput(format!("The search could not be saved: {e}")))?;
    let source = request.source.as_str();
    let search_id: i64 = sqlx::query_scalar!(
        r#"INSERT INTO searches (project_id, saved_search_id, source, request_json, status, started_at)
           VALUES (?, ?, ?, ?, 'running', ?) RETURNING id AS "id!: i64""#,
        project_id,
        options.saved_search_id,
        source,
        request_json,
        started_at,
    )
    .fetch_one(store.pool())
    .await?;
    tracing::info!(
        search_id,
        source = request.source.as_str(),
        terms = request.terms.len(),
        "search started"
    );
    let mut search = Search {
        store,
        project_id,
        request: &request,
        options,
        clock,
        progress,
        cancel,
        search_id,
        tally: Tally::default(),
        term: String::new(),
        term_number: 0,
    };
    let mut status = SearchStatus::Finished;
    let mut error: Option<FinderError> = None;
    let apify = match request.source {
        Source::Apify => Some(Apify::new(access)?),
        Source::X => None,
    };
    let x = match request.source {
        Source::X => Some(XSearch::new(access)?),
        Source::Apify => None,
    };
    for (i, term) in request.terms.iter().enumerate() {
        if cancel.is_cancelled() {
            status = SearchStatus::Cancelled;
            break;
        }
        search.term = term.clone();
        search.term_number = i + 1;
        search.tally.terms.push(TermTally {
            term: term.clone(),
            found: 0,
            added: 0,
            complete: false,
        });
        let result = match (&apify, &x) {
            (Some(client), _) => search.apify_term(client).await,
            (_, Some(client)) => search.x_term(client).await,
            _ => Ok(()),
        };
        match result {
            Ok(()) => {
                if let Some(t) = search.tally.terms.last_mut() {
                    t.complete = true;
                }
            }
            Err(Halt::Cancelled) => {
                status = SearchStatus::Cancelled;
                break;
            }
            Err(Halt::Failed(e)) => {
                tracing::warn!(search_id, code = %e.code(), "search stopped: {e}");
                status = SearchStatus::Failed;
                error = Some(e);
                break;
            }
        }
    }
    if !options.skip_scoring && search.tally.found > 0 {
        search.emit(
            SearchStage::Scoring,
            "Scoring the posts that arrived".into(),
        );
        score_hits(store, &project, search_id, clock()).await?;
    }
    let finished_at = clock();
    let labels = labels_of(store, project_id, search_id, started_at).await?;
    let t = &search.tally;
    let status_text = status.as_str();
    let (found, added, updated, skipped, filtered) = (
        t.found as i64,
        t.added as i64,
        t.updated as i64,
        t.skipped_total as i64,
        t.filtered as i64,
    );
    let (error_code, error_message) = (
        error.as_ref().map(|e| e.code().as_str()),
        error.as_ref().map(|e| e.to_string()),
    );
    sqlx::query!(
        "UPDATE searches SET status = ?, finished_at = ?, found = ?, added = ?, updated = ?, skipped = ?,
             filtered = ?, cost_picos = ?, error_code = ?, error_message = ? WHERE id = ?",
        status_text,
        finished_at,
        found,
        added,
        updated,
        skipped,
        filtered,
        t.cost_picos,
        error_code,
        error_message,
        search_id,
    )
    .execute(store.pool())
    .await?;
    search.emit(SearchStage::Done, String::new());
    let tally = search.tally;
    let summary = summary_sentence(status, &tally, error.as_ref());
    Ok(SearchOutcome {
        search_id,
        project_id,
        source: request.source,
        status,
        found: tally.found,
        added: tally.added,
        updated: tally.updated,
        skipped_total: tally.skipped_total,
        skipped: tally.skipped,
        filtered: tally.filtered,
        terms: tally.terms,
        cost_picos: tally.cost_picos,
        cost: crate::prices::format_usd(tally.cost_picos),
        green: labels.green,
        yellow: labels.yellow,
        red: labels.red,
        held_back: labels.held_back,
        new_greens: labels.new_greens,
        error: error.as_ref().map(SearchError::from),
        started_at,
        finished_at,
        summary,
        saved_search_id: None,
    })
}

/// Posts cost money too, and the monthly budgets cover every cost in the ledger: a search
/// whose most possible cost does not fit in what is left of a budget is refused before it
/// starts (an Apify run bills what it used, which stays near the estimate's price per post).
async fn check_monthly_budgets(
    store: &Store,
    project_id: i64,
    request: &SearchRequest,
    now: i64,
) -> Result<()> {
    let estimate = super::estimate(store, request, now).await?;
    for cap in crate::budget::monthly_use(store, Some(project_id), now).await? {
        let left = (cap.cap_picos - cap.spent_picos).max(0);
        if estimate.max_cost_picos > left {
            let which = match cap.scope {
                crate::budget::CapScope::ProjectMonth => "this project's monthly budget",
                _ => "the monthly budget",
            };
            return Err(FinderError::Source {
                code: ErrorCode::SearchOverBudget,
                message: format!(
                    "This search may cost up to {}, but only {} is left of {which} ({}). Ask for fewer posts per term or raise the budget in Settings.",
                    estimate.max_cost,
                    crate::prices::format_usd(left),
                    crate::prices::format_usd(cap.cap_picos)
                ),
            });
        }
    }
    Ok(())
}

fn summary_sentence(status: SearchStatus, t: &Tally, error: Option<&FinderError>) -> String {
    let mut s = format!(
        "Found {} post{} ({} new",
        t.found,
        if t.found == 1 { "" } else { "s" },
        t.added
    );
    if t.skipped_total > 0 {
        s.push_str(&format!(", {} skipped", t.skipped_total));
    }
    if t.filtered > 0 {
        s.push_str(&format!(", {} below your minimums", t.filtered));
    }
    s.push_str(&format!(
        ") for {}.",
        crate::prices::format_usd(t.cost_picos)
    ));
    match status {
        SearchStatus::Finished => {}
        SearchStatus::Cancelled => s.push_str(" Cancelled: the posts that arrived are kept."),
        SearchStatus::Failed => {
            if let Some(e) = error {
                s.push(' ');
                s.push_str(&e.to_string());
            }
        }
    }
    s
}

impl Search<'_> {
    fn emit(&self, stage: SearchStage, note: String) {
        (self.progress)(SearchProgress {
            search_id: self.search_id,
            term: self.term.clone(),
            term_number: self.term_number,
            terms: self.request.terms.len(),
            stage,
            found: self.tally.found,
            added: self.tally.added,
            skipped: self.tally.skipped_total,
            filtered: self.tally.filtered,
            cost_picos: self.tally.cost_picos,
            note,
        });
    }

    /// Sleeps, or stops early when cancelled (`false`).
    async fn pause(&self, wait: Duration) -> bool {
        tokio::select! {
            _ = tokio::time::sleep(wait) => true,
            _ = self.cancel.cancelled() => false,
        }
    }

    /// One call with the source's retry rules: rate limits waited out as the source says (up
    /// to the policy's longest wait), dropped connections and 5xx tried again with growing
    /// waits, everything else returned as a plain sentence.
    async fn call<T, F, Fut>(&self, mut op: F, cancellable: bool) -> Result<T, Halt>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, CallError>>,
    {
        let poll = &self.options.poll;
        let mut transient = 0u32;
        loop {
            if cancellable && self.cancel.is_cancelled() {
                return Err(Halt::Cancelled);
            }
            let error = match op().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            let wait = match &error {
                CallError::RateLimited(at) => {
                    let wait = match *at {
                        RetryAt::After(d) => d,
                        RetryAt::At(unix) => {
                            Duration::from_secs((unix - (self.clock)()).max(1) as u64)
                        }
                    };
                    if wait > poll.max_rate_limit_wait {
                        return Err(Halt::Failed(error.into_error(self.request.source)));
                    }
                    self.emit(
                        SearchStage::RateLimited,
                        format!(
                            "{} asked to slow down; waiting {} s as it said",
                            super::capitalise(self.request.source.describe()),
                            wait.as_secs().max(1)
                        ),
                    );
                    wait
                }
                CallError::Transient(_) if transient + 1 < poll.transient_tries => {
                    transient += 1;
                    poll.first * 2u32.pow(transient)
                }
                _ => return Err(Halt::Failed(error.into_error(self.request.source))),
            };
            if !self.pause(wait).await && cancellable {
                return Err(Halt::Cancelled);
            }
        }
    }

    /// Imports one page as a file import would, and remembers which posts this term brought.
    async fn absorb(&mut self, page: &Value, ids: Vec<String>, page_number: usize) -> Result<()> {
        let bytes = serde_json::to_vec(page)
            .map_err(|e| FinderError::InvalidInput(format!("A page could not be read: {e}")))?;
        let report =
            import::import_page(self.store, self.project_id, bytes, (self.clock)()).await?;
        let t = &mut self.tally;
        let arrived = report.added + report.updated;
        t.found += arrived;
        t.added += report.added;
        t.updated += report.updated;
        t.skipped_total += report.skipped_total;
        for row in report.skipped {
            if t.skipped.len() < MAX_SKIPPED_LISTED {
                t.skipped.push(SkippedRow {
                    place: format!("\"{}\", page {page_number}, {}", self.term, row.place),
                    ..row
                });
            }
        }
        if let Some(term) = t.terms.last_mut() {
            term.found += arrived;
            term.added += report.added;
        }
        let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into());
        sqlx::query!(
            "INSERT OR IGNORE INTO search_hits (search_id, term, tweet_id)
             SELECT ?, ?, t.id FROM tweets t
             JOIN project_tweets pt ON pt.tweet_id = t.id AND pt.project_id = ?
             WHERE t.id IN (SELECT value FROM json_each(?))",
            self.search_id,
            self.term,
            self.project_id,
            ids,
        )
        .execute(self.store.pool())
        .await?;
        // Counts as they grow, so a killed process still leaves an honest record.
        let (found, added, updated, skipped, filtered) = (
            t.found as i64,
            t.added as i64,
            t.updated as i64,
            t.skipped_total as i64,
            t.filtered as i64,
        );
        sqlx::query!(
            "UPDATE searches SET found = ?, added = ?, updated = ?, skipped = ?, filtered = ?, cost_picos = ? WHERE id = ?",
            found,
            added,
            updated,
            skipped,
            filtered,
            t.cost_picos,
            self.search_id,
        )
        .execute(self.store.pool())
        .await?;
        Ok(())
    }

    /// A ledger row for data bought: `posts` at `price`, or a cost the provider reported.
    #[allow(clippy::too_many_arguments)]
    async fn record_cost(
        &mut self,
        endpoint: &str,
        outcome: &str,
        posts: u64,
        price_per_post: i64,
        cost_picos: i64,
        latency: Duration,
    ) -> Result<()> {
        let called_at = (self.clock)();
        let provider = self.request.source.provider();
        let (latency_ms, posts) = (latency.as_millis() as i64, posts as i64);
        sqlx::query!(
            "INSERT INTO api_calls (run_id, project_id, called_at, model, endpoint, attempt, outcome, http_status,
                 latency_ms, prompt_tokens, cached_tokens, output_tokens, thinking_tokens,
                 input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok, cost_picos)
             VALUES (NULL, ?, ?, ?, ?, 1, ?, 200, ?, ?, 0, 0, 0, ?, 0, 0, ?)",
            self.project_id,
            called_at,
            provider,
            endpoint,
            outcome,
            latency_ms,
            posts,
            price_per_post,
            cost_picos,
        )
        .execute(self.store.pool())
        .await?;
        self.tally.cost_picos += cost_picos;
        Ok(())
    }

    async fn apify_term(&mut self, client: &Apify) -> Result<(), Halt> {
        let f = &self.request.filters;
        let newer = self.options.cursors.get(&self.term).map(|c| c.newest_at);
        let mut input = json!({
            "searchTerms": [apify_query(&self.term, f, newer, (self.clock)())],
            "maxItems": self.request.count,
            "sort": match f.sort { SearchSort::Latest => "Latest", SearchSort::Top => "Top" },
            "onlyVerifiedUsers": f.only_verified,
            "onlyImage": f.only_image,
            "onlyVideo": f.only_video,
            "onlyQuote": f.only_quote,
            "includeSearchTerms": false,
        });
        if let Some(lang) = &f.language {
            input["tweetLanguage"] = json!(lang);
        }
        self.emit(SearchStage::Starting, "Starting the Apify run".into());
        let started = Instant::now();
        let run = self.call(|| client.start(&input), true).await?;
        let mut offset = 0usize;
        let mut pages = 0usize;
        let mut wait = self.options.poll.first;
        let poll = self.options.poll;
        let outcome: Result<apify::ActorRun, Halt> = loop {
            let state = match self.call(|| client.run(&run.id), true).await {
                Ok(state) => state,
                Err(halt) => break Err(halt),
            };
            // Posts are read as the run stores them, so progress is live and a run that
            // breaks later still leaves what it found.
            if let Err(halt) = self
                .drain(client, &state.dataset_id, &mut offset, &mut pages, true)
                .await
            {
                break Err(halt);
            }
            if state.finished() {
                break Ok(state);
            }
            if started.elapsed() > poll.run_timeout {
                break Err(Halt::Failed(FinderError::Source {
                    code: ErrorCode::ApifyRunTooLong,
                    message: format!(
                        "The Apify run took longer than {} minutes, so it was stopped. The posts it found are kept; try fewer posts per term.",
                        (poll.run_timeout.as_secs() / 60).max(1)
                    ),
                }));
            }
            self.emit(
                SearchStage::Running,
                format!("Apify is searching ({})", state.status.to_lowercase()),
            );
            if !self.pause(wait).await {
                break Err(Halt::Cancelled);
            }
            wait = wait.mul_f64(poll.factor).min(poll.max);
        };
        // However it ended: stop a run still going, keep what it stored, record its cost.
        let finished = match outcome {
            Ok(state) => Ok(state),
            Err(halt) => {
                let state = match client.abort(&run.id).await {
                    Ok(s) => Some(s),
                    Err(_) => client.run(&run.id).await.ok(),
                };
                if let Some(state) = &state {
                    let _ = self
                        .drain(client, &state.dataset_id, &mut offset, &mut pages, false)
                        .await;
                }
                Err((halt, state))
            }
        };
        let (state, halt) = match finished {
            Ok(state) => (Some(state), None),
            Err((halt, state)) => (state, Some(halt)),
        };
        if let Some(state) = &state {
            let price =
                data_prices::current(self.store, super::APIFY_PROVIDER, (self.clock)()).await?;
            let cost = (state.usage_usd.max(0.0) * 1e12).round() as i64;
            self.record_cost(
                "actor-run",
                &state.status.to_lowercase(),
                offset as u64,
                price,
                cost,
                started.elapsed(),
            )
            .await?;
        }
        if let Some(halt) = halt {
            return Err(halt);
        }
        let state = state.unwrap_or(run);
        let kept = self.tally.terms.last().map_or(0, |t| t.found);
        let detail = state.message.unwrap_or_default();
        let (code, what) = match state.status.as_str() {
            "SUCCEEDED" => return Ok(()),
            "FAILED" => (ErrorCode::ApifyRunFailed, "failed"),
            "TIMED-OUT" => (ErrorCode::ApifyRunTimedOut, "ran out of time on Apify"),
            _ => (ErrorCode::ApifyRunAborted, "was stopped on Apify"),
        };
        Err(Halt::Failed(FinderError::Source {
            code,
            message: format!(
                "The Apify run for \"{}\" {what}{}. The {kept} post{} it found before that are kept.",
                self.term,
                if detail.is_empty() { String::new() } else { format!(" ({})", detail.trim_end_matches('.')) },
                if kept == 1 { "" } else { "s" },
            ),
        }))
    }

    /// Reads the dataset from `offset` to its current end.
    async fn drain(
        &mut self,
        client: &Apify,
        dataset: &str,
        offset: &mut usize,
        pages: &mut usize,
        cancellable: bool,
    ) -> Result<(), Halt> {
        loop {
            let at = *offset;
            let items = self.call(|| client.items(dataset, at), cancellable).await?;
            if items.is_empty() {
                return Ok(());
            }
            *offset += items.len();
            *pages += 1;
            let ids = items
                .iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect();
            let full = items.len() >= apify::PAGE;
            self.absorb(&Value::Array(items), ids, *pages).await?;
            self.emit(SearchStage::Reading, "Reading the posts Apify found".into());
            if !full {
                return Ok(());
            }
        }
    }

    async fn x_term(&mut self, client: &XSearch) -> Result<(), Halt> {
        let f = self.request.filters.clone();
        let query = x_query(&self.term, &f);
        let now = (self.clock)();
        // X refuses a `since_id` older than its seven-day window: past that, everything it
        // can return is newer anyway.
        let cursor = self
            .options
            .cursors
            .get(&self.term)
            .filter(|c| c.newest_at > now - i64::from(super::X_MAX_DAYS_BACK) * 86_400 + 120)
            .cloned();
        let start_time = match (&cursor, f.days_back) {
            (None, Some(days)) => Some(super::iso_time(now - i64::from(days) * 86_400 + 60)),
            _ => None,
        };
        let price = data_prices::current(self.store, super::X_PROVIDER, now).await?;
        let mut read = 0u32;
        let mut token: Option<String> = None;
        let mut pages = 0usize;
        loop {
            if self.cancel.is_cancelled() {
                return Err(Halt::Cancelled);
            }
            let want = (self.request.count - read).clamp(10, 100);
            self.emit(SearchStage::Reading, "Reading posts from X".into());
            let started = Instant::now();
            let request = PageRequest {
                query: &query,
                max_results: want,
                next_token: token.as_deref(),
                since_id: cursor.as_ref().map(|c| c.newest_id.as_str()),
                start_time: start_time.clone(),
            };
            let mut page = self.call(|| client.page(&request), true).await?;
            let data: Vec<Value> = page["data"].as_array().cloned().unwrap_or_default();
            read += data.len() as u32;
            pages += 1;
            self.record_cost(
                "search",
                "ok",
                data.len() as u64,
                price,
                (data.len() as i64).saturating_mul(price),
                started.elapsed(),
            )
            .await?;
            // Recent search has no minimum-likes operator: the minimums apply here.
            let metric = |t: &Value, k: &str| t["public_metrics"][k].as_u64().unwrap_or(0);
            let kept: Vec<Value> = data
                .into_iter()
                .filter(|t| {
                    metric(t, "like_count") >= u64::from(f.min_likes)
                        && metric(t, "retweet_count") >= u64::from(f.min_reposts)
                        && metric(t, "reply_count") >= u64::from(f.min_replies)
                })
                .collect();
            let read_here = page["meta"]["result_count"]
                .as_u64()
                .unwrap_or(kept.len() as u64);
            self.tally.filtered += read_here.saturating_sub(kept.len() as u64);
            token = page["meta"]["next_token"].as_str().map(str::to_owned);
            if !kept.is_empty() {
                let ids = kept
                    .iter()
                    .filter_map(|t| t["id"].as_str().map(str::to_owned))
                    .collect();
                page["data"] = Value::Array(kept);
                self.absorb(&page, ids, pages).await?;
            }
            self.emit(SearchStage::Reading, "Reading posts from X".into());
            if token.is_none() || read >= self.request.count {
                return Ok(());
            }
        }
    }
}

/// Scores the posts a search brought with the project's settings, and keeps the scores.
async fn score_hits(
    store: &Store,
    project: &projects::Project,
    search_id: i64,
    now: i64,
) -> Result<()> {
    let found = sqlx::query_as!(
        StoredPost,
        r#"SELECT t.id AS "id!", t.text, t.url, t.lang, a.handle, a.followers, t.likes, t.replies,
                  t.retweets, t.views, t.posted_at, t.is_retweet AS "is_retweet: bool",
                  t.reply_restricted AS "reply_restricted: bool"
           FROM tweets t JOIN authors a ON a.id = t.author_id
           WHERE t.id IN (SELECT tweet_id FROM search_hits WHERE search_id = ?)"#,
        search_id,
    )
    .fetch_all(store.pool())
    .await?;
    let scores = posts::score(project, &found, now);
    posts::save_scores(store, project.id, &found, &scores, now).await
}

#[derive(Default)]
struct Labels {
    green: u64,
    yellow: u64,
    red: u64,
    held_back: u64,
    new_greens: u64,
}

async fn labels_of(
    store: &Store,
    project_id: i64,
    search_id: i64,
    started_at: i64,
) -> Result<Labels> {
    let rows = sqlx::query!(
        r#"SELECT pt.label AS "label!", pt.gate_reason IS NOT NULL AS "held!: bool",
                  pt.added_at >= ? AS "fresh!: bool", COUNT(*) AS "n!: i64"
           FROM project_tweets pt
           WHERE pt.project_id = ? AND pt.label IS NOT NULL
             AND pt.tweet_id IN (SELECT tweet_id FROM search_hits WHERE search_id = ?)
           GROUP BY 1, 2, 3"#,
        started_at,
        project_id,
        search_id,
    )
    .fetch_all(store.pool())
    .await?;
    let mut l = Labels::default();
    for r in rows {
        let n = r.n as u64;
        if r.held {
            l.held_back += n;
            continue;
        }
        match r.label.as_str() {
            "green" => {
                l.green += n;
                if r.fresh {
                    l.new_greens += n;
                }
            }
            "yellow" => l.yellow += n,
            _ => l.red += n,
        }
    }
    Ok(l)
}

/// The newest post each term of a search brought.
pub(crate) async fn term_cursors(
    store: &Store,
    search_id: i64,
) -> Result<HashMap<String, TermCursor>> {
    let rows = sqlx::query!(
        r#"SELECT h.term, MAX(t.posted_at) AS "newest_at!: i64",
                  MAX(CAST(t.id AS INTEGER)) AS "newest_id!: i64"
           FROM search_hits h JOIN tweets t ON t.id = h.tweet_id
           WHERE h.search_id = ? GROUP BY h.term"#,
        search_id,
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.term,
                TermCursor {
                    newest_at: r.newest_at,
                    newest_id: r.newest_id.to_string(),
                },
            )
        })
        .collect())
}
