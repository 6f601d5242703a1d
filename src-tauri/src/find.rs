//! Finding posts from the app (`finder::search`): one search at a time from the Find posts
//! screen, with live progress as typed events, Cancel, saved searches and term analysis; and
//! the scheduled refresh of saved searches while the app runs, with an OS notification when
//! it found posts worth a reply. The engine owns every rule; this module translates.

use std::sync::{Arc, Mutex};

use finder::search::analysis;
use finder::search::{
    self, saved, schedule, PollPolicy, SearchCancel, SearchOptions, SourceAccess,
};
use finder::{ErrorCode, Store};
use keychain::{Keychain, Secret};
use serde::Serialize;
use specta::Type;

use crate::error::{AppError, AppErrorCode, AppResult, ShellErrorCode};
use crate::state::AppState;

/// Environment variables that win over the keychain's tokens (as in the CLI).
pub use keychain::{APIFY_TOKEN_ENV, X_TOKEN_ENV};

// ---------- shapes ----------
// The engine's search types cross as they are (specta on `finder::search`); these are the
// window's own: the form's reading as a value instead of a Result.

pub use finder::search::analysis::{TermAnalysis, TopicCount, Verdict};
pub use finder::search::form::SearchForm;
pub use finder::search::saved::SavedSearch;
pub use finder::search::{
    SearchError, SearchEstimate, SearchFilters, SearchOutcome, SearchProgress, SearchRequest,
    SearchSort, SearchStage, SearchStatus, Source, TermTally,
};

/// The request the form makes, or the first thing to fix in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
pub struct SearchFormReading {
    pub request: Option<SearchRequest>,
    pub problem: Option<String>,
}

/// Reads the form with the engine's rules.
pub fn read_form(form: SearchForm) -> SearchFormReading {
    match form.read() {
        Ok(request) => SearchFormReading {
            request: Some(request),
            problem: None,
        },
        Err(problem) => SearchFormReading {
            request: None,
            problem: Some(problem),
        },
    }
}

/// What the window hears about searches while they work.
#[derive(Debug, Clone, PartialEq, Serialize, Type, tauri_specta::Event)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FindEvent {
    Progress(SearchProgress),
    /// The search ended (finished, cancelled, or failed with what arrived kept).
    Finished(SearchOutcome),
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

pub async fn estimate(state: &AppState, request: SearchRequest) -> AppResult<SearchEstimate> {
    let request = request.normalised();
    request.validate()?;
    Ok(search::estimate(&state.store, &request, wall_clock()).await?)
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
        let progress = move |p: SearchProgress| progress_emit(FindEvent::Progress(p));
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
                            Ok(s) => Ok(SearchOutcome {
                                saved_search_id: Some(s.id),
                                ..o
                            }),
                            Err(e) => {
                                // The posts are in; only the name could not be kept.
                                let mut o = o;
                                o.error.get_or_insert(SearchError::from(&e));
                                Ok(o)
                            }
                        }
                    }
                    (Ok(o), None) => Ok(o),
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

pub async fn list_saved(state: &AppState, project_id: i64) -> AppResult<Vec<SavedSearch>> {
    Ok(saved::list(&state.store, Some(project_id)).await?)
}

pub async fn save(
    state: &AppState,
    project_id: i64,
    name: &str,
    request: SearchRequest,
    from_search: Option<i64>,
) -> AppResult<SavedSearch> {
    Ok(saved::save(
        &state.store,
        project_id,
        name,
        &request,
        from_search,
        wall_clock(),
    )
    .await?)
}

pub async fn set_schedule(
    state: &AppState,
    id: i64,
    hours: Option<u32>,
    draft_new_greens: bool,
) -> AppResult<SavedSearch> {
    Ok(saved::set_schedule(&state.store, id, hours, draft_new_greens).await?)
}

pub async fn delete_saved(state: &AppState, id: i64) -> AppResult<()> {
    Ok(saved::delete(&state.store, id).await?)
}

pub async fn analyze(state: &AppState, search_id: i64) -> AppResult<Vec<TermAnalysis>> {
    Ok(analysis::analyze_search(&state.store, search_id, wall_clock()).await?)
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
                                let since = due.refresh_window_start(o.started_at);
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
        Arc::new(move |body: String| crate::tray::notify(&handle, "New posts found", body));
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
        // What the window sends is the engine's request, with the same words as before.
        let json = serde_json::json!({
            "source": "x",
            "terms": ["onboarding", "free trial"],
            "filters": {
                "min_likes": 3, "min_reposts": 1, "min_replies": 2, "days_back": 5,
                "language": "en", "only_verified": true, "only_image": false,
                "only_video": true, "only_quote": false, "raw_query": false, "sort": "top"
            },
            "count": 250
        });
        let request: SearchRequest = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(request.source, Source::X);
        assert_eq!(request.filters.sort, SearchSort::Top);
        assert_eq!(serde_json::to_value(&request).unwrap(), json);
        // Saved searches stored before the sort was snake_case still read.
        let old: SearchSort = serde_json::from_str("\"Top\"").unwrap();
        assert_eq!(old, SearchSort::Top);

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
