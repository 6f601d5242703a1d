//! Finding posts from the app (`finder::search`): one search at a time from the Find posts
//! screen, with live progress as typed events, Cancel, saved searches and term analysis; and
//! the scheduled refresh of saved searches while the app runs, with an OS notification when
//! it found posts worth a reply. The engine owns every rule; this module translates.

use std::sync::{Arc, Mutex};

use finder::search::analysis::{self, TermAnalysis};
use finder::search::{
    self, saved, schedule, PollPolicy, SearchCancel, SearchFilters, SearchOptions, SearchOutcome,
    SearchProgress, SearchRequest, Sort, Source, SourceAccess,
};
use finder::{ErrorCode, Store};
use keychain::{Keychain, Secret};
use serde::{Deserialize, Serialize};
use specta::Type;

use crate::dto::{JsNumber, SkippedRow};
use crate::error::{AppError, AppErrorCode, AppResult, ShellErrorCode};
use crate::state::AppState;

/// Environment variables that win over the keychain's tokens (as in the CLI).
pub use keychain::{APIFY_TOKEN_ENV, X_TOKEN_ENV};

// ---------- shapes ----------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SearchSource {
    Apify,
    X,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum SearchSort {
    Latest,
    Top,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SearchFiltersDto {
    pub min_likes: u32,
    pub min_reposts: u32,
    pub min_replies: u32,
    pub days_back: Option<u32>,
    pub language: Option<String>,
    pub only_verified: bool,
    pub only_image: bool,
    pub only_video: bool,
    pub only_quote: bool,
    pub raw_query: bool,
    pub sort: SearchSort,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SearchRequestDto {
    pub source: SearchSource,
    pub terms: Vec<String>,
    pub filters: SearchFiltersDto,
    /// Posts per term, at most.
    pub count: u32,
}

impl From<SearchRequestDto> for SearchRequest {
    fn from(r: SearchRequestDto) -> Self {
        let f = r.filters;
        SearchRequest {
            source: match r.source {
                SearchSource::Apify => Source::Apify,
                SearchSource::X => Source::X,
            },
            terms: r.terms,
            filters: SearchFilters {
                min_likes: f.min_likes,
                min_reposts: f.min_reposts,
                min_replies: f.min_replies,
                days_back: f.days_back,
                language: f.language,
                only_verified: f.only_verified,
                only_image: f.only_image,
                only_video: f.only_video,
                only_quote: f.only_quote,
                raw_query: f.raw_query,
                sort: match f.sort {
                    SearchSort::Latest => Sort::Latest,
                    SearchSort::Top => Sort::Top,
                },
            },
            count: r.count,
        }
    }
}

impl From<SearchRequest> for SearchRequestDto {
    fn from(r: SearchRequest) -> Self {
        let f = r.filters;
        SearchRequestDto {
            source: match r.source {
                Source::Apify => SearchSource::Apify,
                Source::X => SearchSource::X,
            },
            terms: r.terms,
            filters: SearchFiltersDto {
                min_likes: f.min_likes,
                min_reposts: f.min_reposts,
                min_replies: f.min_replies,
                days_back: f.days_back,
                language: f.language,
                only_verified: f.only_verified,
                only_image: f.only_image,
                only_video: f.only_video,
                only_quote: f.only_quote,
                raw_query: f.raw_query,
                sort: match f.sort {
                    Sort::Latest => SearchSort::Latest,
                    Sort::Top => SearchSort::Top,
                },
            },
            count: r.count,
        }
    }
}

/// The Find posts form as typed (numbers still text), read by the engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
pub struct SearchFormDto {
    pub source: SearchSource,
    pub terms: String,
    pub count: String,
    pub min_likes: String,
    pub min_reposts: String,
    pub min_replies: String,
    pub days_back: String,
    pub language: String,
    pub only_verified: bool,
    pub only_image: bool,
    pub only_video: bool,
    pub only_quote: bool,
    pub raw_query: bool,
    pub sort: SearchSort,
}

/// The request the form makes, or the first thing to fix in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct SearchFormReading {
    pub request: Option<SearchRequestDto>,
    pub problem: Option<String>,
}

/// Reads the form with the engine's rules.
pub fn read_form(form: SearchFormDto) -> SearchFormReading {
    let engine = search::form::SearchForm {
        source: Some(match form.source {
            SearchSource::Apify => Source::Apify,
            SearchSource::X => Source::X,
        }),
        terms: form.terms,
        count: form.count,
        min_likes: form.min_likes,
        min_reposts: form.min_reposts,
        min_replies: form.min_replies,
        days_back: form.days_back,
        language: form.language,
        only_verified: form.only_verified,
        only_image: form.only_image,
        only_video: form.only_video,
        only_quote: form.only_quote,
        raw_query: form.raw_query,
        sort: match form.sort {
            SearchSort::Latest => Sort::Latest,
            SearchSort::Top => Sort::Top,
        },
    };
    match engine.read() {
        Ok(request) => SearchFormReading {
            request: Some(request.into()),
            problem: None,
        },
        Err(problem) => SearchFormReading {
            request: None,
            problem: Some(problem),
        },
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct SearchEstimate {
    pub max_posts: u64,
    pub max_cost_picos: i64,
    pub max_cost: String,
    pub sentence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SearchProgressDto {
    pub search_id: i64,
    pub term: String,
    pub term_number: u32,
    pub terms: u32,
    /// starting, running, reading, rate_limited, scoring, done
    pub stage: String,
    pub found: u64,
    pub added: u64,
    pub skipped: u64,
    pub filtered: u64,
    pub cost_picos: i64,
    pub note: String,
}

impl From<SearchProgress> for SearchProgressDto {
    fn from(p: SearchProgress) -> Self {
        SearchProgressDto {
            search_id: p.search_id,
            term: p.term,
            term_number: p.term_number as u32,
            terms: p.terms as u32,
            stage: serde_json::to_value(p.stage)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            found: p.found,
            added: p.added,
            skipped: p.skipped,
            filtered: p.filtered,
            cost_picos: p.cost_picos,
            note: p.note,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TermTallyDto {
    pub term: String,
    pub found: u64,
    pub added: u64,
    pub complete: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SearchOutcomeDto {
    pub search_id: i64,
    pub project_id: i64,
    pub source: SearchSource,
    /// finished, cancelled or failed (what arrived is kept either way).
    pub status: String,
    pub found: u64,
    pub added: u64,
    pub updated: u64,
    pub skipped_total: u64,
    pub skipped: Vec<SkippedRow>,
    pub filtered: u64,
    pub terms: Vec<TermTallyDto>,
    pub cost_picos: i64,
    pub cost: String,
    pub green: u64,
    pub yellow: u64,
    pub red: u64,
    pub held_back: u64,
    pub new_greens: u64,
    pub error: Option<AppError>,
    pub summary: String,
    /// The saved search this became or belongs to.
    pub saved_search_id: Option<i64>,
}

impl SearchOutcomeDto {
    fn from_engine(o: SearchOutcome, saved_search_id: Option<i64>) -> Self {
        SearchOutcomeDto {
            search_id: o.search_id,
            project_id: o.project_id,
            source: match o.source {
                Source::Apify => SearchSource::Apify,
                Source::X => SearchSource::X,
            },
            status: o.status.as_str().to_owned(),
            found: o.found,
            added: o.added,
            updated: o.updated,
            skipped_total: o.skipped_total,
            skipped: o
                .skipped
                .into_iter()
                .map(|s| SkippedRow {
                    place: s.place,
                    id: s.id,
                    reason: s.reason,
                })
                .collect(),
            filtered: o.filtered,
            terms: o
                .terms
                .into_iter()
                .map(|t| TermTallyDto {
                    term: t.term,
                    found: t.found,
                    added: t.added,
                    complete: t.complete,
                })
                .collect(),
            cost_picos: o.cost_picos,
            cost: o.cost,
            green: o.green,
            yellow: o.yellow,
            red: o.red,
            held_back: o.held_back,
            new_greens: o.new_greens,
            error: o.error.map(|e| AppError::new(e.code, e.message)),
            summary: o.summary,
            saved_search_id,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct SavedSearchDto {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub request: SearchRequestDto,
    pub refresh_hours: Option<u32>,
    /// After a scheduled refresh, draft replies for the new green posts.
    pub draft_new_greens: bool,
    pub last_fetched_at: Option<i64>,
    pub created_at: i64,
}

impl From<saved::SavedSearch> for SavedSearchDto {
    fn from(s: saved::SavedSearch) -> Self {
        SavedSearchDto {
            id: s.id,
            project_id: s.project_id,
            name: s.name,
            request: s.request.into(),
            refresh_hours: s.refresh_hours,
            draft_new_greens: s.draft_new_greens,
            last_fetched_at: s.last_fetched_at,
            created_at: s.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TopicCountDto {
    pub topic: String,
    pub posts: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Type)]
pub struct TermAnalysisDto {
    pub term: String,
    pub found: u64,
    pub green: u64,
    pub yellow: u64,
    pub red: u64,
    pub held_back: u64,
    #[specta(type = JsNumber)]
    pub green_share: f64,
    #[specta(type = JsNumber)]
    pub yellow_share: f64,
    #[specta(type = JsNumber)]
    pub red_share: f64,
    #[specta(type = JsNumber)]
    pub fresh_share: f64,
    pub top_topics: Vec<TopicCountDto>,
    /// Excellent, Good, Okay or Poor.
    pub verdict: String,
    pub verdict_sentence: String,
    pub reply_cost_picos: i64,
    pub reply_cost: String,
}

impl From<TermAnalysis> for TermAnalysisDto {
    fn from(a: TermAnalysis) -> Self {
        TermAnalysisDto {
            term: a.term,
            found: a.found,
            green: a.green,
            yellow: a.yellow,
            red: a.red,
            held_back: a.held_back,
            green_share: a.green_share,
            yellow_share: a.yellow_share,
            red_share: a.red_share,
            fresh_share: a.fresh_share,
            top_topics: a
                .top_topics
                .into_iter()
                .map(|t| TopicCountDto {
                    topic: t.topic,
                    posts: t.posts,
                })
                .collect(),
            verdict: a.verdict.as_str().to_owned(),
            verdict_sentence: a.verdict_sentence,
            reply_cost_picos: a.reply_cost_picos,
            reply_cost: a.reply_cost,
        }
    }
}

/// What the window hears about searches while they work.
#[derive(Debug, Clone, PartialEq, Serialize, Type, tauri_specta::Event)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindEvent {
    Progress(SearchProgressDto),
    /// The search ended (finished, cancelled, or failed with what arrived kept).
    Finished(SearchOutcomeDto),
    /// The search could not start or stopped on an unexpected problem.
    Failed {
        code: AppErrorCode,
        message: String,
    },
    /// A scheduled refresh of a saved search ended.
    Refreshed {
        project_id: i64,
        saved_search_id: i64,
        name: String,
        new_greens: u64,
        /// "12 new posts worth a reply", or what happened.
        sentence: String,
    },
}

pub type FindEmit = Arc<dyn Fn(FindEvent) + Send + Sync>;

/// The app's search in progress (one at a time from the Find posts screen).
#[derive(Default)]
pub struct FindState {
    active: Arc<Mutex<Option<SearchCancel>>>,
    /// Stops the refresh scheduler when the app quits.
    pub scheduler_stop: SearchCancel,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn wall_clock() -> i64 {
    chrono::Utc::now().timestamp()
}

// ---------- operations ----------

/// The source's token (environment first, then the keychain) and address.
pub async fn access(store: &Store, keychain: &Keychain, source: Source) -> AppResult<SourceAccess> {
    let secret = match source {
        Source::Apify => Secret::Apify,
        Source::X => Secret::XBearer,
    };
    let (token, _) = keychain::secret_from_env_or_keychain(keychain, secret)?.ok_or_else(|| {
        AppError::new(
            ErrorCode::SourceTokenMissing,
            format!(
                "No {} is saved. Add it in Settings → Keys (it is kept in your system keychain).",
                secret.describe()
            ),
        )
    })?;
    Ok(SourceAccess {
        source,
        base_url: search::base_url(store, source).await?,
        token,
    })
}

pub async fn estimate(state: &AppState, request: SearchRequestDto) -> AppResult<SearchEstimate> {
    let request = SearchRequest::from(request).normalised();
    request.validate()?;
    let e = search::estimate(&state.store, &request, wall_clock()).await?;
    Ok(SearchEstimate {
        max_posts: e.max_posts,
        max_cost_picos: e.max_cost_picos,
        max_cost: e.max_cost,
        sentence: e.sentence,
    })
}

/// What a background search does: a new search (saved under a name if asked) or a saved
/// search's "Find new posts".
pub enum SearchJob {
    New {
        project_id: i64,
        request: SearchRequest,
        save_as: Option<String>,
    },
    FindNew {
        saved_search_id: i64,
    },
}

/// Starts a search in the background; progress and the outcome arrive as `FindEvent`s.
/// Problems found before anything is asked (a bad request, a missing token, another search
/// running) are returned at once.
pub async fn start(
    state: &AppState,
    find: &FindState,
    emit: FindEmit,
    job: SearchJob,
) -> AppResult<()> {
    let source = match &job {
        SearchJob::New { request, .. } => {
            request.clone().normalised().validate()?;
            request.source
        }
        SearchJob::FindNew { saved_search_id } => {
            saved::get(&state.store, *saved_search_id)
                .await?
                .request
                .source
        }
    };
    let access = access(&state.store, &state.keychain, source).await?;
    let cancel = {
        let mut active = lock(&find.active);
        if active.is_some() {
            return Err(AppError::new(
                ShellErrorCode::SearchRunning,
                "A search is already running. Wait for it or cancel it first.",
            ));
        }
        let cancel = SearchCancel::new();
        *active = Some(cancel.clone());
        cancel
    };
    let store = state.store.clone();
    let finish_emit = Arc::clone(&emit);
    let slot = Arc::clone(&find.active);
    tauri::async_runtime::spawn(async move {
        let progress_emit = Arc::clone(&emit);
        let progress = move |p: SearchProgress| progress_emit(FindEvent::Progress(p.into()));
        let result = match job {
            SearchJob::New {
                project_id,
                request,
                save_as,
            } => {
                let outcome = search::run(
                    &store,
                    project_id,
                    &request,
                    &access,
                    &SearchOptions::default(),
                    &wall_clock,
                    &progress,
                    &cancel,
                )
                .await;
                match (outcome, save_as.filter(|n| !n.trim().is_empty())) {
                    (Ok(o), Some(name)) => {
                        match saved::save(
                            &store,
                            project_id,
                            &name,
                            &request,
                            Some(o.search_id),
                            wall_clock(),
                        )
                        .await
                        {
                            Ok(s) => Ok(SearchOutcomeDto::from_engine(o, Some(s.id))),
                            Err(e) => {
                                // The posts are in; only the name could not be kept.
                                let mut dto = SearchOutcomeDto::from_engine(o, None);
                                dto.error.get_or_insert(AppError::from(e));
                                Ok(dto)
                            }
                        }
                    }
                    (Ok(o), None) => Ok(SearchOutcomeDto::from_engine(o, None)),
                    (Err(e), _) => Err(AppError::from(e)),
                }
            }
            SearchJob::FindNew { saved_search_id } => saved::find_new_posts(
                &store,
                saved_search_id,
                &access,
                PollPolicy::default(),
                &wall_clock,
                &progress,
                &cancel,
            )
            .await
            .map(|o| SearchOutcomeDto::from_engine(o, Some(saved_search_id)))
            .map_err(AppError::from),
        };
        *lock(&slot) = None;
        match result {
            Ok(outcome) => finish_emit(FindEvent::Finished(outcome)),
            Err(e) => finish_emit(FindEvent::Failed {
                code: e.code,
                message: e.message,
            }),
        }
    });
    Ok(())
}

/// Cancels the search in progress; what arrived is kept. False when none is running.
pub fn cancel(find: &FindState) -> bool {
    match lock(&find.active).as_ref() {
        Some(cancel) => {
            cancel.cancel();
            true
        }
        None => false,
    }
}

pub async fn list_saved(state: &AppState, project_id: i64) -> AppResult<Vec<SavedSearchDto>> {
    Ok(saved::list(&state.store, Some(project_id))
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn save(
    state: &AppState,
    project_id: i64,
    name: &str,
    request: SearchRequestDto,
    from_search: Option<i64>,
) -> AppResult<SavedSearchDto> {
    Ok(saved::save(
        &state.store,
        project_id,
        name,
        &request.into(),
        from_search,
        wall_clock(),
    )
    .await?
    .into())
}

pub async fn set_schedule(
    state: &AppState,
    id: i64,
    hours: Option<u32>,
    draft_new_greens: bool,
) -> AppResult<SavedSearchDto> {
    Ok(
        saved::set_schedule(&state.store, id, hours, draft_new_greens)
            .await?
            .into(),
    )
}

pub async fn delete_saved(state: &AppState, id: i64) -> AppResult<()> {
    Ok(saved::delete(&state.store, id).await?)
}

pub async fn analyze(state: &AppState, search_id: i64) -> AppResult<Vec<TermAnalysisDto>> {
    Ok(
        analysis::analyze_search(&state.store, search_id, wall_clock())
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    )
}

/// Refreshes due saved searches every minute's check until `stop`, as the engine schedules
/// them; each refresh is reported to the window, and new greens with an OS notification.
pub async fn run_scheduler(
    store: Store,
    keychain: Keychain,
    emit: FindEmit,
    notify: Arc<dyn Fn(String) + Send + Sync>,
    stop: SearchCancel,
) {
    let result = schedule::run_schedule(&store, &schedule::SystemClock, schedule::TICK, &stop, |due| {
        let store = store.clone();
        let keychain = &keychain;
        let emit = Arc::clone(&emit);
        let notify = Arc::clone(&notify);
        async move {
            let sentence = match access(&store, keychain, due.request.source).await {
                Err(e) => {
                    tracing::warn!(saved_search = due.id, code = %e.code, "scheduled refresh skipped");
                    emit(FindEvent::Refreshed {
                        project_id: due.project_id,
                        saved_search_id: due.id,
                        name: due.name.clone(),
                        new_greens: 0,
                        sentence: e.message,
                    });
                    return;
                }
                Ok(access) => {
                    let outcome = saved::find_new_posts(
                        &store,
                        due.id,
                        &access,
                        PollPolicy::default(),
                        &wall_clock,
                        &|_| {},
                        &SearchCancel::new(),
                    )
                    .await;
                    match outcome {
                        Ok(o) => {
                            tracing::info!(saved_search = due.id, found = o.found, new_greens = o.new_greens, "scheduled refresh");
                            if due.draft_new_greens && o.new_greens > 0 {
                                let since = due.last_fetched_at.unwrap_or(o.started_at - 24 * 3600);
                                draft_replies(&store, keychain, due.project_id, since).await;
                            }
                            let worth = schedule::worth_a_reply(o.new_greens);
                            if let Some(text) = &worth {
                                notify(format!("{text} (\"{}\")", due.name));
                            }
                            emit(FindEvent::Refreshed {
                                project_id: due.project_id,
                                saved_search_id: due.id,
                                name: due.name.clone(),
                                new_greens: o.new_greens,
                                sentence: worth.unwrap_or(o.summary),
                            });
                            return;
                        }
                        Err(e) => e.to_string(),
                    }
                }
            };
            tracing::warn!(saved_search = due.id, "scheduled refresh failed: {sentence}");
        }
    })
    .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "the refresh scheduler stopped");
    }
}

/// Reply drafts for a refresh's new greens, with the saved Gemini key; problems are logged
/// (the refresh itself succeeded, and the Run screen shows the run like any other).
async fn draft_replies(store: &Store, keychain: &Keychain, project_id: i64, since: i64) {
    let key = match keychain::key_from_env_or_keychain(keychain) {
        Ok(Some((key, _))) => key,
        Ok(None) => {
            tracing::warn!("no Gemini key: replies for the new posts were not drafted");
            return;
        }
        Err(e) => {
            tracing::warn!(error = %e, "the keychain could not be read: replies were not drafted");
            return;
        }
    };
    let result = match finder::engine::open_gemini(store, key).await {
        Ok(access) => {
            search::drafts::draft_new_greens(
                store,
                &access,
                project_id,
                since,
                Default::default(),
                wall_clock,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(Some(summary)) => {
            tracing::info!(run_id = summary.run_id, summary = %summary.sentence, "drafted replies after a refresh")
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(
            code = %e.code(),
            "drafting replies after a refresh failed: {e}"
        ),
    }
}

/// Sends search events to the window.
pub fn emitter(app: tauri::AppHandle) -> FindEmit {
    use tauri_specta::Event;
    Arc::new(move |event: FindEvent| {
        if let Err(e) = event.emit(&app) {
            tracing::warn!(error = %e, "could not send a search event to the window");
        }
    })
}

/// Manages the search state and starts the refresh scheduler; called once the app's state
/// is open.
pub fn start_scheduler(app: &tauri::AppHandle) {
    use tauri::Manager;
    app.manage(FindState::default());
    let state = app.state::<AppState>();
    let stop = app.state::<FindState>().scheduler_stop.clone();
    let handle = app.clone();
    let notify: Arc<dyn Fn(String) + Send + Sync> =
        Arc::new(move |body: String| crate::commands::notify(&handle, "New posts found", body));
    tauri::async_runtime::spawn(run_scheduler(
        state.store.clone(),
        state.keychain.clone(),
        emitter(app.clone()),
        notify,
        stop,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_cross_unchanged_and_events_are_tagged() {
        let dto = SearchRequestDto {
            source: SearchSource::X,
            terms: vec!["onboarding".into(), "free trial".into()],
            filters: SearchFiltersDto {
                min_likes: 3,
                min_reposts: 1,
                min_replies: 2,
                days_back: Some(5),
                language: Some("en".into()),
                only_verified: true,
                only_image: false,
                only_video: true,
                only_quote: false,
                raw_query: false,
                sort: SearchSort::Top,
            },
            count: 250,
        };
        let engine = SearchRequest::from(dto.clone());
        assert_eq!(engine.source, Source::X);
        assert_eq!(engine.filters.sort, Sort::Top);
        assert_eq!(SearchRequestDto::from(engine), dto);

        let event = FindEvent::Refreshed {
            project_id: 1,
            saved_search_id: 2,
            name: "Daily".into(),
            new_greens: 12,
            sentence: "12 new posts worth a reply".into(),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["kind"], "refreshed");
        assert_eq!(json["new_greens"], 12);
    }

    #[test]
    fn a_missing_token_is_a_plain_error_naming_settings() {
        // A keychain service nobody uses, and no token in the environment for X.
        if std::env::var_os(X_TOKEN_ENV).is_some() {
            return;
        }
        let keychain = Keychain::with_service("app.commentfinder.test.find.none");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let err = rt.block_on(async {
            let (store, _) = Store::open(&dir.path().join("t.db")).await.unwrap();
            access(&store, &keychain, Source::X).await.unwrap_err()
        });
        // Without a Secret Service the keychain itself reports; with one, the token is missing.
        assert!(
            err.code == "source_token_missing" || err.code.as_str().starts_with("keychain"),
            "{err:?}"
        );
        if err.code == "source_token_missing" {
            assert!(err.message.contains("Settings"), "{}", err.message);
        }
    }
}
