//! The Tauri commands: one-line wrappers over `ops.rs`, typed for the UI by tauri-specta.
//! Every command returns `Result<T, AppError>`, so the UI gets `{status: "error", error:
//! {code, message}}` and branches on the code.

use std::sync::Arc;

use tauri::{AppHandle, State};
use tauri_specta::Event;

use crate::dto::*;
use crate::error::AppResult;
use crate::ops::now;
use crate::runs::{self, Emit, RunEvent};
use crate::state::AppState;

type S<'a> = State<'a, AppState>;

fn emitter(app: AppHandle) -> Emit {
    Arc::new(move |event: RunEvent| {
        if let Some((title, body)) = runs::notification(&event) {
            notify(&app, title, body);
        }
        if let Err(e) = event.emit(&app) {
            tracing::warn!(error = %e, "could not send a run event to the window");
        }
    })
}

/// An OS notification, for what the user must hear about even with the window hidden. Off
/// the async threads: the desktop's notification service may be slow (or absent).
fn notify(app: &AppHandle, title: &'static str, body: String) {
    use tauri_plugin_notification::NotificationExt;
    let app = app.clone();
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = app.notification().builder().title(title).body(body).show() {
            tracing::warn!(error = %e, "could not show a notification");
        }
    });
}

#[tauri::command]
#[specta::specta]
pub fn app_info(state: S<'_>) -> AppResult<AppInfo> {
    Ok(state.app_info())
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
) -> AppResult<Forecast> {
    state.forecast_run(project_id, settings).await
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
    runs::start(
        &state,
        emitter(app),
        project_id,
        settings.into(),
        budget_picos,
        now(),
    )
    .await
}

#[tauri::command]
#[specta::specta]
pub async fn resume_run(
    app: AppHandle,
    state: S<'_>,
    run_id: i64,
    budget_picos: Option<i64>,
) -> AppResult<i64> {
    runs::resume(&state, emitter(app), run_id, budget_picos).await
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
        crate::error::AppError::new("io", format!("Could not open the data folder: {e}"))
    })
}

/// Shows the log folder in the system's file manager.
#[tauri::command]
#[specta::specta]
pub fn reveal_log_folder(state: S<'_>) -> AppResult<()> {
    let target = crate::logging::newest_file(&state.paths.log_dir)
        .unwrap_or_else(|| state.paths.log_dir.clone());
    tauri_plugin_opener::reveal_item_in_dir(&target).map_err(|e| {
        crate::error::AppError::new("io", format!("Could not open the log folder: {e}"))
    })
}

/// Every command and event, for the invoke handler and for the bindings export.
pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            app_info,
            key_status,
            set_key,
            delete_key,
            check_key,
            limit_settings,
            set_limits,
            set_monthly_budget,
            set_gemini_base_url,
            models,
            list_projects,
            get_project,
            default_project_settings,
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
        ])
        .events(tauri_specta::collect_events![RunEvent])
        .dangerously_cast_bigints_to_number()
        // Every shape is the same in both directions: one TypeScript type per Rust type.
        .disable_serde_phases()
}
