//! The Tauri commands: one-line wrappers over `ops.rs`, typed for the UI by tauri-specta.
//! Every command returns `Result<T, AppError>`, so the UI gets `{status: "error", error:
//! {code, message}}` and branches on the code.

use std::sync::Arc;

use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::dto::*;
use crate::error::{AppError, AppResult, ShellErrorCode};
use crate::find::{
    self, FindState, SavedSearch, SearchEstimate, SearchJob, SearchRequest, TermAnalysis,
};
use crate::ops::now;
use crate::runs::{self, Emit, RunEvent};
use crate::state::AppState;

type S<'a> = State<'a, AppState>;

fn emitter(app: AppHandle) -> Emit {
    Arc::new(move |event: RunEvent| {
        if let Some((title, body)) = runs::notification(&event) {
            crate::tray::notify(&app, title, body);
        }
        if let Err(e) = event.emit(&app) {
            tracing::warn!(error = %e, "could not send a run event to the window");
        }
    })
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: S<'_>) -> AppResult<AppInfo> {
    Ok(state.app_info())
}

// ---------- files ----------

/// The system's file window, parented to the main window, with the given title and types.
fn file_dialog(
    app: &AppHandle,
    title: String,
    filters: &[FileFilter],
) -> tauri_plugin_dialog::FileDialogBuilder<tauri::Wry> {
    use tauri::Manager;
    use tauri_plugin_dialog::DialogExt;
    let mut dialog = app.dialog().file().set_title(title);
    for filter in filters {
        let extensions: Vec<&str> = filter.extensions.iter().map(String::as_str).collect();
        dialog = dialog.add_filter(&filter.name, &extensions);
    }
    if let Some(window) = app.get_webview_window("main") {
        dialog = dialog.set_parent(&window);
    }
    dialog
}

/// Asks the person for a file to open. The answer is remembered, so the import and
/// project-file commands may read that file (and only files chosen this way, dropped on the
/// window, or in the app's own folders). `None` when they cancel.
#[tauri::command]
#[specta::specta]
pub async fn pick_open_file(
    app: AppHandle,
    state: S<'_>,
    title: String,
    filters: Vec<FileFilter>,
) -> AppResult<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    file_dialog(&app, title, &filters).pick_file(move |picked| {
        let _ = tx.send(picked);
    });
    let Some(path) = rx.await.ok().flatten().and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    state.grants.grant_read(&path);
    Ok(Some(path.display().to_string()))
}

/// Asks the person where to save a file; the answer is remembered for the export commands.
#[tauri::command]
#[specta::specta]
pub async fn pick_save_file(
    app: AppHandle,
    state: S<'_>,
    title: String,
    default_name: String,
    filters: Vec<FileFilter>,
) -> AppResult<Option<String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    file_dialog(&app, title, &filters)
        .set_file_name(default_name)
        .save_file(move |picked| {
            let _ = tx.send(picked);
        });
    let Some(path) = rx.await.ok().flatten().and_then(|p| p.into_path().ok()) else {
        return Ok(None);
    };
    state.grants.grant_write(&path);
    Ok(Some(path.display().to_string()))
}

// ---------- keys ----------

#[tauri::command]
#[specta::specta]
pub fn key_status(state: S<'_>) -> AppResult<Vec<KeyStatus>> {
    state.key_statuses()
}

/// Saves a key in the OS keychain. The Gemini key is checked with Google first.
#[tauri::command]
#[specta::specta]
pub async fn set_key(state: S<'_>, secret: SecretName, value: String) -> AppResult<KeyStatus> {
    state.set_key(secret, &value).await
}

#[tauri::command]
#[specta::specta]
pub fn delete_key(state: S<'_>, secret: SecretName) -> AppResult<KeyStatus> {
    state.delete_key(secret)
}

/// Checks the Gemini key in use with the (free) models endpoint.
#[tauri::command]
#[specta::specta]
pub async fn check_key(state: S<'_>) -> AppResult<KeyCheck> {
    state.check_saved_key().await
}

// ---------- limits and settings ----------

#[tauri::command]
#[specta::specta]
pub async fn limit_settings(state: S<'_>) -> AppResult<LimitSettings> {
    state.limit_settings().await
}

#[tauri::command]
#[specta::specta]
pub async fn set_limits(
    state: S<'_>,
    tier: Tier,
    model: String,
    custom: Option<Limits>,
) -> AppResult<LimitSettings> {
    state.set_limits(tier, &model, custom).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_monthly_budget(state: S<'_>, picos: Option<i64>) -> AppResult<LimitSettings> {
    state.set_monthly_budget(picos).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_gemini_base_url(state: S<'_>, url: Option<String>) -> AppResult<LimitSettings> {
    state.set_gemini_base_url(url).await
}

/// The user confirmed that the saved Gemini key may go to the server address shown.
#[tauri::command]
#[specta::specta]
pub async fn confirm_gemini_server(state: S<'_>) -> AppResult<LimitSettings> {
    state.confirm_gemini_server().await
}

#[tauri::command]
#[specta::specta]
pub async fn models(state: S<'_>) -> AppResult<Vec<String>> {
    state.models().await
}

// ---------- projects ----------

#[tauri::command]
#[specta::specta]
pub async fn list_projects(state: S<'_>) -> AppResult<Vec<ProjectSummary>> {
    state.list_projects().await
}

#[tauri::command]
#[specta::specta]
pub async fn get_project(state: S<'_>, id: i64) -> AppResult<Project> {
    state.get_project(id).await
}

/// A new project's settings with every default ("reset to defaults").
#[tauri::command]
#[specta::specta]
pub fn default_project_settings(state: S<'_>, name: String) -> AppResult<ProjectSettings> {
    Ok(state.default_project_settings(&name))
}

/// Everything to fix before the settings can be saved, per field, in plain words.
#[tauri::command]
#[specta::specta]
pub fn project_settings_problems(
    state: S<'_>,
    settings: ProjectSettings,
) -> AppResult<Vec<finder::project::SettingsProblem>> {
    Ok(state.project_settings_problems(settings))
}

#[tauri::command]
#[specta::specta]
pub async fn create_project(state: S<'_>, settings: ProjectSettings) -> AppResult<Project> {
    state.create_project(settings).await
}

#[tauri::command]
#[specta::specta]
pub async fn update_project(
    state: S<'_>,
    id: i64,
    settings: ProjectSettings,
) -> AppResult<Project> {
    state.update_project(id, settings).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_project(state: S<'_>, id: i64) -> AppResult<()> {
    state.delete_project(id).await
}

#[tauri::command]
#[specta::specta]
pub async fn import_project_file(
    state: S<'_>,
    path: String,
    name: Option<String>,
) -> AppResult<Project> {
    state.import_project_file(&path, name).await
}

#[tauri::command]
#[specta::specta]
pub async fn export_project_file(state: S<'_>, id: i64, path: String) -> AppResult<String> {
    state.export_project_file(id, &path).await
}

#[tauri::command]
#[specta::specta]
pub async fn suggest_topic_examples(
    state: S<'_>,
    project_id: i64,
    label: String,
    description: String,
) -> AppResult<Vec<String>> {
    state
        .suggest_topic_examples(project_id, &label, &description)
        .await
}

// ---------- posts ----------

#[tauri::command]
#[specta::specta]
pub async fn import_posts(
    state: S<'_>,
    project_id: i64,
    source: ImportSource,
) -> AppResult<ImportReport> {
    state.import_posts(project_id, source).await
}

// ---------- runs ----------

#[tauri::command]
#[specta::specta]
pub async fn default_run_settings(state: S<'_>, project_id: i64) -> AppResult<RunSettings> {
    state.default_run_settings(project_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn forecast_run(
    state: S<'_>,
    project_id: i64,
    settings: RunSettings,
    budget_picos: Option<i64>,
) -> AppResult<Forecast> {
    state.forecast_run(project_id, settings, budget_picos).await
}

/// Starts a run in the background and returns its id; progress arrives as `RunEvent`s.
#[tauri::command]
#[specta::specta]
pub async fn start_run(
    app: AppHandle,
    state: S<'_>,
    project_id: i64,
    settings: RunSettings,
    budget_picos: Option<i64>,
) -> AppResult<i64> {
    state
        .start_run(emitter(app), project_id, settings, budget_picos, now())
        .await
}

#[tauri::command]
#[specta::specta]
pub async fn resume_run(
    app: AppHandle,
    state: S<'_>,
    run_id: i64,
    budget_picos: Option<i64>,
    mode: Option<crate::dto::RunMode>,
) -> AppResult<i64> {
    state
        .resume_run(emitter(app), run_id, budget_picos, mode)
        .await
}

/// Checks a batch run's jobs at Google now instead of at the next scheduled check.
#[tauri::command]
#[specta::specta]
pub fn check_batch_now(state: S<'_>, run_id: i64) -> AppResult<()> {
    state.runs.check_now(run_id)
}

/// Picks up batch runs whose jobs are at Google (called once the window is ready, so it
/// hears their events).
#[tauri::command]
#[specta::specta]
pub async fn pick_up_batch_runs(app: AppHandle, state: S<'_>) -> AppResult<()> {
    state.pick_up_batch_runs(emitter(app)).await;
    Ok(())
}

#[tauri::command]
#[specta::specta]
pub fn cancel_run(state: S<'_>, run_id: i64) -> AppResult<()> {
    state.runs.cancel(run_id)
}

/// Runs working right now (after a window reload, to pick up their events again).
#[tauri::command]
#[specta::specta]
pub fn active_runs(state: S<'_>) -> AppResult<Vec<i64>> {
    Ok(state.runs.active_ids())
}

#[tauri::command]
#[specta::specta]
pub async fn list_runs(state: S<'_>, project_id: Option<i64>) -> AppResult<Vec<RunListing>> {
    state.list_runs(project_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn run_summary(state: S<'_>, run_id: i64) -> AppResult<RunSummary> {
    state.run_summary(run_id).await
}

// ---------- review ----------

#[tauri::command]
#[specta::specta]
pub async fn list_opportunities(
    state: S<'_>,
    query: OpportunityQuery,
) -> AppResult<OpportunityPage> {
    state.list_opportunities(query).await
}

/// Marks posts pending, posted or skipped; returns what changed, for undo.
#[tauri::command]
#[specta::specta]
pub async fn set_post_status(
    state: S<'_>,
    project_id: i64,
    tweet_ids: Vec<String>,
    status: PostStatus,
) -> AppResult<StatusChange> {
    state.set_post_status(project_id, tweet_ids, status).await
}

/// Undoes a status change: each post gets back the status it had.
#[tauri::command]
#[specta::specta]
pub async fn undo_post_status(state: S<'_>, change: StatusChange) -> AppResult<u64> {
    state.undo_post_status(change).await
}

#[tauri::command]
#[specta::specta]
pub async fn set_draft_review(
    state: S<'_>,
    draft_id: i64,
    review: DraftReview,
) -> AppResult<Draft> {
    state.set_draft_review(draft_id, review).await
}

#[tauri::command]
#[specta::specta]
pub async fn edit_draft(state: S<'_>, draft_id: i64, text: String) -> AppResult<Draft> {
    state.edit_draft(draft_id, &text).await
}

/// A post's score in its four parts with the project's weights (the review breakdown).
#[tauri::command]
#[specta::specta]
pub fn score_parts(
    weights: Weights,
    velocity: f64,
    relevance: f64,
    openness: f64,
    author: f64,
) -> AppResult<Vec<finder::score_parts::ScorePart>> {
    Ok(crate::ops::score_parts(
        weights,
        [velocity, relevance, openness, author],
    ))
}

#[tauri::command]
#[specta::specta]
pub async fn topics_in_use(state: S<'_>, project_id: i64) -> AppResult<Vec<String>> {
    state.topics_in_use(project_id).await
}

// ---------- costs ----------

#[tauri::command]
#[specta::specta]
pub async fn costs_by_day(
    state: S<'_>,
    query: CostQuery,
    by: CostGroupBy,
) -> AppResult<Vec<CostDayRow>> {
    state.costs_by_day(query, by).await
}

#[tauri::command]
#[specta::specta]
pub async fn cost_overview(state: S<'_>, query: CostQuery) -> AppResult<CostOverview> {
    state.cost_overview(query).await
}

#[tauri::command]
#[specta::specta]
pub async fn costs_per_run(state: S<'_>, query: CostQuery) -> AppResult<Vec<RunCost>> {
    state.costs_per_run(query).await
}

#[tauri::command]
#[specta::specta]
pub async fn average_cost_per_post(state: S<'_>, query: CostQuery) -> AppResult<Vec<DayAverage>> {
    state.average_cost_per_post(query).await
}

#[tauri::command]
#[specta::specta]
pub async fn export_costs_csv(
    state: S<'_>,
    query: CostQuery,
    path: String,
) -> AppResult<CsvReport> {
    state.export_costs_csv(query, &path).await
}

// ---------- export ----------

#[tauri::command]
#[specta::specta]
pub async fn export_opportunities_csv(
    state: S<'_>,
    options: OpportunityExport,
) -> AppResult<CsvReport> {
    state.export_opportunities_csv(options).await
}

// ---------- prices, logs, folders ----------

#[tauri::command]
#[specta::specta]
pub async fn list_prices(state: S<'_>) -> AppResult<Vec<PriceRow>> {
    state.list_prices().await
}

#[tauri::command]
#[specta::specta]
pub async fn set_price(state: S<'_>, price: PriceInput) -> AppResult<PriceRow> {
    state.set_price(price).await
}

#[tauri::command]
#[specta::specta]
pub fn log_tail(state: S<'_>, lines: u32) -> AppResult<LogTail> {
    state.log_tail(lines)
}

/// Shows the database file in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn reveal_data_folder(state: S<'_>) -> AppResult<()> {
    tauri_plugin_opener::reveal_item_in_dir(&state.paths.db_path).map_err(|e| {
        AppError::new(
            ShellErrorCode::Io,
            format!("Could not open the data folder: {e}"),
        )
    })
}

/// Shows the log folder in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn reveal_log_folder(state: S<'_>) -> AppResult<()> {
    let target = crate::logging::newest_file(&state.paths.log_dir)
        .unwrap_or_else(|| state.paths.log_dir.clone());
    tauri_plugin_opener::reveal_item_in_dir(&target).map_err(|e| {
        AppError::new(
            ShellErrorCode::Io,
            format!("Could not open the log folder: {e}"),
        )
    })
}

// ---------- finding posts (Apify, X API) ----------

/// What a search may cost at most, before it starts.
#[tauri::command]
#[specta::specta]
pub async fn estimate_search(state: S<'_>, request: SearchRequest) -> AppResult<SearchEstimate> {
    find::estimate(&state, request).await
}

/// Starts a search; progress and the outcome arrive as `FindEvent`s.
#[tauri::command]
#[specta::specta]
pub async fn start_search(
    app: AppHandle,
    state: S<'_>,
    searches: State<'_, FindState>,
    project_id: i64,
    request: SearchRequest,
    save_as: Option<String>,
) -> AppResult<()> {
    let job = SearchJob::New {
        project_id,
        request,
        save_as,
    };
    find::start(&state, &searches, find::emitter(app), job).await
}

/// "Find new posts": a saved search again, asking only for posts newer than the last fetch.
#[tauri::command]
#[specta::specta]
pub async fn find_new_posts(
    app: AppHandle,
    state: S<'_>,
    searches: State<'_, FindState>,
    saved_search_id: i64,
) -> AppResult<()> {
    find::start(
        &state,
        &searches,
        find::emitter(app),
        SearchJob::FindNew { saved_search_id },
    )
    .await
}

/// Cancels the search in progress (what arrived is kept); false when none was running.
#[tauri::command]
#[specta::specta]
pub fn cancel_search(searches: State<'_, FindState>) -> AppResult<bool> {
    Ok(find::cancel(&searches))
}

#[tauri::command]
#[specta::specta]
pub async fn list_saved_searches(state: S<'_>, project_id: i64) -> AppResult<Vec<SavedSearch>> {
    find::list_saved(&state, project_id).await
}

/// Saves a search; with `from_search`, that search's posts count as already fetched.
#[tauri::command]
#[specta::specta]
pub async fn save_search(
    state: S<'_>,
    project_id: i64,
    name: String,
    request: SearchRequest,
    from_search: Option<i64>,
) -> AppResult<SavedSearch> {
    find::save(&state, project_id, &name, request, from_search).await
}

/// Refresh a saved search every N hours while the app runs (`None`: only when asked), and
/// optionally draft replies for the new green posts after each refresh.
#[tauri::command]
#[specta::specta]
pub async fn set_search_schedule(
    state: S<'_>,
    id: i64,
    hours: Option<u32>,
    draft_new_greens: bool,
) -> AppResult<SavedSearch> {
    find::set_schedule(&state, id, hours, draft_new_greens).await
}

#[tauri::command]
#[specta::specta]
pub async fn delete_saved_search(state: S<'_>, id: i64) -> AppResult<()> {
    find::delete_saved(&state, id).await
}

/// The Find posts form read into a request, or the first thing to fix in it.
#[tauri::command]
#[specta::specta]
pub fn read_search_form(form: find::SearchForm) -> AppResult<find::SearchFormReading> {
    Ok(find::read_form(form))
}

/// Term analysis of a search: shares, freshness, verdict and reply cost per term.
#[tauri::command]
#[specta::specta]
pub async fn analyze_terms(state: S<'_>, search_id: i64) -> AppResult<Vec<TermAnalysis>> {
    find::analyze(&state, search_id).await
}

// ---------- money ----------

/// Amounts as the window shows them ("$0.0341") and as they fill an input ("0.0341").
#[tauri::command]
#[specta::specta]
pub fn money_texts(picos: Vec<i64>) -> AppResult<Vec<finder::prices::MoneyText>> {
    Ok(crate::ops::money_texts(picos))
}

/// A budget typed by the person, read and checked (above $0 and above what was spent).
#[tauri::command]
#[specta::specta]
pub fn read_budget(
    text: String,
    spent_picos: Option<i64>,
) -> AppResult<finder::prices::BudgetInput> {
    Ok(crate::ops::read_budget(&text, spent_picos))
}

/// A starting value for raising a run's budget, as dollars for the input ("0.10").
#[tauri::command]
#[specta::specta]
pub fn suggest_raised_budget(cap_picos: Option<i64>, spent_picos: i64) -> AppResult<String> {
    Ok(finder::prices::suggest_raised_budget(
        cap_picos,
        spent_picos,
    ))
}

/// Every command and event, for the invoke handler and for the bindings export.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            app_info,
            pick_open_file,
            pick_save_file,
            key_status,
            set_key,
            delete_key,
            check_key,
            limit_settings,
            set_limits,
            set_monthly_budget,
            set_gemini_base_url,
            confirm_gemini_server,
            models,
            list_projects,
            get_project,
            default_project_settings,
            project_settings_problems,
            create_project,
            update_project,
            delete_project,
            import_project_file,
            export_project_file,
            suggest_topic_examples,
            import_posts,
            default_run_settings,
            forecast_run,
            start_run,
            resume_run,
            cancel_run,
            check_batch_now,
            pick_up_batch_runs,
            active_runs,
            list_runs,
            run_summary,
            list_opportunities,
            set_post_status,
            undo_post_status,
            set_draft_review,
            edit_draft,
            topics_in_use,
            costs_by_day,
            cost_overview,
            costs_per_run,
            average_cost_per_post,
            export_costs_csv,
            export_opportunities_csv,
            list_prices,
            set_price,
            log_tail,
            reveal_data_folder,
            reveal_log_folder,
            estimate_search,
            start_search,
            find_new_posts,
            cancel_search,
            list_saved_searches,
            save_search,
            set_search_schedule,
            delete_saved_search,
            analyze_terms,
            money_texts,
            read_budget,
            read_search_form,
            score_parts,
            suggest_raised_budget,
        ])
        .events(tauri_specta::collect_events![RunEvent, find::FindEvent])
        // The engine's lists, so the screens never keep their own copies.
        .constant("LABELS", finder::scoring::Label::ALL)
        .constant("REPLY_TYPES", finder::project::ReplyType::ALL)
        // Every error code at run time too, so a UI test can check each one has a sentence.
        .constant("APP_ERROR_CODES", crate::error::AppErrorCode::all())
        // The CSV's columns, in order, as the engine writes them (shown on the Export screen).
        .constant("CSV_COLUMNS", finder::export::COLUMNS)
        .dangerously_cast_bigints_to_number()
        // Every shape is the same in both directions: one TypeScript type per Rust type.
        .disable_serde_phases()
}
