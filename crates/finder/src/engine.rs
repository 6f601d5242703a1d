//! The run engine: one API that the desktop app and the command line both call to start,
//! resume, cancel and watch runs. It opens the Gemini client for a key, resolves the
//! account's limits (saved settings, then what Google taught us), checks the settings,
//! forecasts before any billed call, plans inside the run (example posts, embeddings) under
//! the run's budget and retry policy, and streams the run's events. The app and the CLI only
//! turn these into windows, notifications, progress bars and exit codes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use gemini::{ApiKey, Client, ClientConfig};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::account_limits::{self, SharedAdmissions};
use crate::batch::BatchPolling;
use crate::budget::{self, Budget};
use crate::embeddings::{self, Embedder};
use crate::error::{FinderError, Result};
use crate::examples::ExampleRequester;
use crate::ledger;
use crate::limiter::{self, Limiter, Limits};
use crate::prices;
use crate::projects::{self, Project};
use crate::runner::planning::{self, Forecast, ForecastInputs, Plan};
use crate::runner::run_store::{self, StoredRun};
use crate::runner::{
    self, executor, BatchControl, CancelToken, RunContext, RunEvent, RunSettings, RunStatus,
    RunSummary,
};
use crate::store::Store;

/// Setting key of the Gemini server address (shared by the app and the CLI).
pub const BASE_URL_SETTING: &str = "gemini_base_url";
/// Environment variable that points Gemini calls at another server (tests, power users).
pub const BASE_URL_ENV: &str = "GEMINI_BASE_URL";

/// A Gemini client for one key, and how the key is known to the limiters.
#[derive(Clone)]
pub struct GeminiAccess {
    pub client: Arc<Client>,
    fingerprint: u64,
    key_tag: String,
}

impl std::fmt::Debug for GeminiAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeminiAccess")
            .field("key_tag", &self.key_tag)
            .finish_non_exhaustive()
    }
}

impl GeminiAccess {
    pub fn key_tag(&self) -> &str {
        &self.key_tag
    }
}

/// Setting key of the tags that record which keys the user confirmed for which servers.
pub const SERVER_CONFIRMATIONS_SETTING: &str = "gemini_server_confirmations";
/// How many confirmations are kept (the newest).
const MAX_CONFIRMATIONS: usize = 32;

/// Where the Gemini server address came from, which decides what it must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerSource {
    /// Nothing set: Google's own endpoint.
    Google,
    /// `GEMINI_BASE_URL` in this process's environment (the user's own, like `GEMINI_API_KEY`).
    Environment,
    /// The address stored in the database. A database file can come from anyone, so a key is
    /// sent there only once the user confirmed that key for that server (see
    /// [`confirm_server`]).
    Settings,
}

/// The Gemini server in use, parsed and checked.
#[derive(Debug, Clone)]
pub struct GeminiServer {
    pub address: gemini::ServerAddress,
    pub source: ServerSource,
}

impl GeminiServer {
    /// Whether a key needs the user's confirmation before it may go to this server.
    pub fn needs_confirmation(&self) -> bool {
        self.source == ServerSource::Settings && !self.address.is_google()
    }
}

/// Checks an address the user typed (the app's Settings): the same rule as the client's.
pub fn parse_server_address(text: &str) -> Result<gemini::ServerAddress> {
    gemini::ServerAddress::parse(text).map_err(|reason| FinderError::UnsafeServerAddress {
        address: text.trim().to_owned(),
        reason,
    })
}

/// `GEMINI_BASE_URL` wins, then the stored setting, then Google. An address that fails the
/// rule (plain http beyond this computer, a user name in it, …) is an error, never a
/// fallback, so a planted setting cannot quietly redirect the key.
pub async fn gemini_server(store: &Store) -> Result<GeminiServer> {
    if let Some(server) = server_from_env()? {
        return Ok(server);
    }
    let stored = store
        .setting(BASE_URL_SETTING)
        .await?
        .and_then(|v| v.as_str().map(str::to_owned))
        .filter(|s| !s.trim().is_empty());
    Ok(match stored {
        Some(url) => GeminiServer {
            address: parse_server_address(&url)?,
            source: ServerSource::Settings,
        },
        None => GeminiServer {
            address: gemini::ServerAddress::google(),
            source: ServerSource::Google,
        },
    })
}

/// The server `GEMINI_BASE_URL` names, checked; `None` when it is not set.
pub fn server_from_env() -> Result<Option<GeminiServer>> {
    match std::env::var(BASE_URL_ENV) {
        Ok(url) if !url.trim().is_empty() => Ok(Some(GeminiServer {
            address: parse_server_address(&url)?,
            source: ServerSource::Environment,
        })),
        _ => Ok(None),
    }
}

/// The checked server address (see [`gemini_server`]).
pub async fn base_url(store: &Store) -> Result<String> {
    Ok(gemini_server(store).await?.address.as_str().to_owned())
}

/// What is stored to remember "this key may go to this server": a one-way tag of both, so
/// the database never holds the key and a planted database cannot forge one without it.
fn confirmation_tag(key: &ApiKey, origin: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!(
        "comment-finder server confirmation\0{}\0{origin}",
        key.expose()
    ));
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

async fn confirmations(store: &Store) -> Result<Vec<String>> {
    Ok(store
        .setting(SERVER_CONFIRMATIONS_SETTING)
        .await?
        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
        .unwrap_or_default())
}

/// Whether `key` may be sent to `server` without asking: Google, the environment's address,
/// or a stored address the user confirmed this key for.
pub async fn key_allowed_for(store: &Store, server: &GeminiServer, key: &ApiKey) -> Result<bool> {
    if !server.needs_confirmation() {
        return Ok(true);
    }
    let tag = confirmation_tag(key, &server.address.origin());
    Ok(confirmations(store).await?.contains(&tag))
}

/// Records that the user confirmed `key` for the server in use (they entered the key while
/// the address was shown, or pressed "send my key there").
pub async fn confirm_server(store: &Store, key: &ApiKey) -> Result<()> {
    let server = gemini_server(store).await?;
    if !server.needs_confirmation() {
        return Ok(());
    }
    let tag = confirmation_tag(key, &server.address.origin());
    let mut tags = confirmations(store).await?;
    tags.retain(|t| t != &tag);
    tags.push(tag);
    let excess = tags.len().saturating_sub(MAX_CONFIRMATIONS);
    tags.drain(..excess);
    store
        .set_setting(SERVER_CONFIRMATIONS_SETTING, &serde_json::json!(tags))
        .await
}

/// Opens a client for `key` on the configured server, refusing a stored server the key was
/// not confirmed for.
pub async fn open_gemini(store: &Store, key: ApiKey) -> Result<GeminiAccess> {
    let server = gemini_server(store).await?;
    open_gemini_on(store, &server, key, false).await
}

/// Like [`open_gemini`]; `confirming` is true when the user is entering this key right now
/// with the server's address in front of them (saving a key), which is the confirmation.
pub async fn open_gemini_on(
    store: &Store,
    server: &GeminiServer,
    key: ApiKey,
    confirming: bool,
) -> Result<GeminiAccess> {
    if !confirming && !key_allowed_for(store, server, &key).await? {
        return Err(FinderError::ServerNotConfirmed {
            host: server.address.host(),
        });
    }
    let fingerprint = limiter::key_fingerprint(key.expose());
    let key_tag = limiter::key_tag(key.expose());
    let client = Client::new(ClientConfig {
        base_url: server.address.as_str().to_owned(),
        api_key: key,
        request_timeout: Duration::from_secs(120),
    })?;
    Ok(GeminiAccess {
        client: Arc::new(client),
        fingerprint,
        key_tag,
    })
}

/// The free models-list call: a bad key is one clear error before anything is created.
pub async fn check_key(access: &GeminiAccess) -> Result<()> {
    access.client.list_models().await?;
    Ok(())
}

/// The account's limits for `model`: saved custom numbers or the tier's preset, with a daily
/// limit Google reported for this key taking over when it is lower.
pub async fn limits_for(
    store: &Store,
    access: Option<&GeminiAccess>,
    model: &str,
) -> Result<Option<Limits>> {
    let Some(mut limits) = account_limits::configured(store, model).await? else {
        return Ok(None);
    };
    if let Some(access) = access {
        if let Some(learned) =
            account_limits::learned_daily_limit(store, &access.key_tag, model).await?
        {
            let rpd = learned.requests_per_day;
            limits.rpd = Some(limits.rpd.map_or(rpd, |set| set.min(rpd)));
        }
    }
    Ok(Some(limits))
}

/// The embedding model's limits for this account: the saved tier's published ones. Custom
/// limits are what paid accounts enter, so they get the paid tier's (the free tier's 100 texts
/// a minute would hold such an account back for nothing).
pub async fn embedding_limits(store: &Store) -> Result<Limits> {
    let custom = store
        .setting(account_limits::CUSTOM_LIMITS_SETTING)
        .await?
        .is_some_and(|v| !v.is_null());
    let tier = if custom {
        account_limits::Tier::Tier1
    } else {
        account_limits::saved_tier(store).await?
    };
    Ok(account_limits::embedding_preset(tier))
}

/// The limiter every caller in this process shares for a key and model, counting this
/// Pacific day's requests from the ledger and other processes' requests through the
/// database.
pub async fn limiter_for(
    store: &Store,
    access: &GeminiAccess,
    model: &str,
    limits: Limits,
    now: i64,
) -> Result<Arc<Limiter>> {
    type Registry = Mutex<HashMap<(u64, String), Arc<Limiter>>>;
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    let today = ledger::requests_since(store, model, limiter::pacific_midnight(now)).await?;
    let mut registry = REGISTRY
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    let key = (access.fingerprint, model.to_owned());
    if let Some(existing) = registry.get(&key) {
        if existing.limits() == limits {
            return Ok(existing.clone());
        }
    }
    let limiter = Arc::new(
        Limiter::new(
            limits,
            today,
            || chrono::Utc::now().timestamp(),
            access.fingerprint,
        )
        .with_shared_admissions(SharedAdmissions {
            store: store.clone(),
            key_tag: access.key_tag.clone(),
            model: model.to_owned(),
        }),
    );
    registry.insert(key, limiter.clone());
    Ok(limiter)
}

/// A run ready to start: what it will send, and what it will cost.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub project: Project,
    pub settings: RunSettings,
    pub plan: Plan,
    pub forecast: Forecast,
}

/// Checks the settings, chooses the posts (relevance by words: nothing is paid yet) and
/// forecasts the run with this project's history, the embedding calls planning will make,
/// the day's remaining allowance and the budgets.
pub async fn prepare(
    store: &Store,
    access: Option<&GeminiAccess>,
    project_id: i64,
    settings: RunSettings,
    now: i64,
) -> Result<Prepared> {
    settings.validate()?;
    let mut settings = settings;
    if let Some(access) = access {
        // A daily limit Google reported for this key is the real one when it is lower.
        let learned =
            account_limits::learned_daily_limit(store, &access.key_tag, &settings.model).await?;
        if let Some(learned) = learned {
            let rpd = learned.requests_per_day;
            settings.limits.rpd = Some(settings.limits.rpd.map_or(rpd, |set| set.min(rpd)));
        }
    }
    let project = projects::get(store, project_id).await?;
    let price = prices::require(store, &settings.model).await?;
    let past = run_store::history(store, project.id, &settings.model).await?;
    let mut inputs = ForecastInputs {
        thinking_per_request: past.thinking_per_request,
        requests_per_pack: past.requests_per_pack,
        output_per_post: past.output_per_post,
        ..ForecastInputs::default()
    };
    let mut exact = None;
    if let (true, Some(access)) = (settings.embeddings, access) {
        let mut embedder = Embedder::new(store.clone(), access.client.clone(), || {
            chrono::Utc::now().timestamp()
        });
        // Nothing may be paid before the user says yes: stored vectors only.
        embedder.cache_only = true;
        match planning::plan_using(store, &project, &settings, now, Some(&embedder)).await {
            // Every vector is stored: the forecast plans exactly as the run will, for free.
            Ok(plan) => exact = Some(plan),
            Err(_) => {
                let candidates = planning::candidates(store, &project, &settings, now).await?;
                let texts = Embedder::plan_texts(&project, &candidates);
                let (missing, tokens) = embedder.uncached(&texts, embeddings::TASK).await?;
                let embed_price = prices::require(store, embeddings::DEFAULT_MODEL).await?;
                inputs.planning_cost_picos = embed_price.cost_picos(&prices::BilledTokens {
                    prompt: tokens,
                    ..Default::default()
                });
                inputs.planning_note = Some(format!(
                    "The AI relevance check reads {missing} posts not seen before first: it re-scores how close each is to your topics and holds back near-duplicates of posts you answered, so the run can reply to fewer posts than this."
                ));
            }
        }
    }
    let plan = match exact {
        Some(plan) => plan,
        None => planning::plan(store, &project, &settings, now).await?,
    };
    if let Some(access) = access {
        let limiter = limiter_for(store, access, &settings.model, settings.limits, now).await?;
        inputs.requests_left_today = limiter.requests_left_today();
    } else if let Some(rpd) = settings.limits.rpd {
        let today =
            ledger::requests_since(store, &settings.model, limiter::pacific_midnight(now)).await?;
        inputs.requests_left_today = Some(rpd.saturating_sub(today));
    }
    inputs.budget_left_picos = budget_left(store, settings.budget_picos, project.id, now).await?;
    let mut forecast = planning::forecast_with(&project, &plan, &settings, price, &inputs);
    forecast.text = crate::run_text::forecast_text(&forecast, settings.budget_picos);
    Ok(Prepared {
        project,
        settings,
        plan,
        forecast,
    })
}

/// Money left under the tightest cap that applies to a new run of this project.
async fn budget_left(
    store: &Store,
    run_cap: Option<i64>,
    project_id: i64,
    now: i64,
) -> Result<Option<i64>> {
    let mut left = run_cap;
    for usage in budget::monthly_use(store, Some(project_id), now).await? {
        let l = (usage.cap_picos - usage.spent_picos).max(0);
        left = Some(left.map_or(l, |x| x.min(l)));
    }
    Ok(left)
}

/// A run working in the background.
pub struct RunHandle {
    pub run_id: i64,
    /// The project the run belongs to.
    pub project_id: i64,
    pub events: mpsc::UnboundedReceiver<RunEvent>,
    pub task: JoinHandle<Result<RunSummary>>,
}

/// A run of one database (a process may open several, as the tests do).
type RunKey = (std::path::PathBuf, i64);

/// What the outside world can do to a working run: cancel it, or have its batch jobs checked.
#[derive(Clone)]
struct Control {
    cancel: CancelToken,
    batch: BatchControl,
}

fn active() -> &'static Mutex<HashMap<RunKey, Control>> {
    static ACTIVE: OnceLock<Mutex<HashMap<RunKey, Control>>> = OnceLock::new();
    ACTIVE.get_or_init(Default::default)
}

fn run_key(store: &Store, run_id: i64) -> RunKey {
    (store.path().to_path_buf(), run_id)
}

/// Runs of this database working in this process.
pub fn active_runs(store: &Store) -> Vec<i64> {
    let mut ids: Vec<i64> = active()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .keys()
        .filter(|(db, _)| db == store.path())
        .map(|(_, id)| *id)
        .collect();
    ids.sort();
    ids
}

/// Stops a run: no request leaves after this returns; requests already sent land and are
/// saved; its posts stay queued for a resume.
pub fn cancel(store: &Store, run_id: i64) -> Result<()> {
    match active()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&run_key(store, run_id))
    {
        Some(control) => {
            control.cancel.cancel();
            tracing::info!(run_id, "run cancel requested");
            Ok(())
        }
        None => Err(FinderError::InvalidInput(format!(
            "Run #{run_id} is not running."
        ))),
    }
}

/// Checks a batch run's jobs at Google now instead of at the next scheduled check.
pub fn check_batch_now(store: &Store, run_id: i64) -> Result<()> {
    match active()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&run_key(store, run_id))
    {
        Some(control) => {
            control.batch.check_now.notify_waiters();
            Ok(())
        }
        None => Err(FinderError::InvalidInput(format!(
            "Run #{run_id} is not running."
        ))),
    }
}

/// Changes how a stopped run's remaining posts are sent (a follow-up at half price, or now).
pub async fn set_run_mode(store: &Store, run_id: i64, mode: runner::RunMode) -> Result<()> {
    let mut settings = run_store::settings_of(store, run_id).await?;
    settings.mode = mode;
    run_store::store_settings(store, run_id, &settings).await
}

fn context(
    store: &Store,
    access: &GeminiAccess,
    limiter: Arc<Limiter>,
    wall_clock: fn() -> i64,
) -> (RunContext, mpsc::UnboundedReceiver<RunEvent>) {
    let (tx, rx) = mpsc::unbounded_channel();
    (
        RunContext {
            store: store.clone(),
            client: access.client.clone(),
            limiter,
            events: tx,
            cancel: CancelToken::default(),
            wall_clock,
            seed: wall_clock() as u64,
            batch: BatchControl {
                polling: BatchPolling::from_env(),
                check_now: Default::default(),
            },
        },
        rx,
    )
}

/// Starts a run from its settings: checks them, plans and forecasts it (see [`prepare`]) and
/// starts it (see [`start`]). The one call the app and the command line make to start a run.
pub async fn start_run(
    store: &Store,
    access: &GeminiAccess,
    project_id: i64,
    settings: RunSettings,
    now: i64,
    wall_clock: fn() -> i64,
) -> Result<RunHandle> {
    let prepared = prepare(store, Some(access), project_id, settings, now).await?;
    tracing::info!(
        project = prepared.project.name(),
        posts = prepared.plan.send.len(),
        model = %prepared.settings.model,
        "starting run"
    );
    start(store, access, prepared, wall_clock).await
}

/// Starts a prepared run: stores it with its settings and forecast, then in the background
/// plans inside it (examples for topics without any, embeddings — paid, counted against its
/// budget) and works through its posts with those settings.
pub async fn start(
    store: &Store,
    access: &GeminiAccess,
    prepared: Prepared,
    wall_clock: fn() -> i64,
) -> Result<RunHandle> {
    let Prepared {
        project,
        settings,
        plan,
        forecast,
    } = prepared;
    settings.validate()?;
    if plan.send.is_empty() {
        return Err(FinderError::NothingToDo {
            held_back: plan.gated.len(),
            answered: plan.deduped.len(),
        });
    }
    let now = wall_clock();
    let limiter = limiter_for(store, access, &settings.model, settings.limits, now).await?;
    let (ctx, events) = context(store, access, limiter, wall_clock);
    let run_id = run_store::create(&ctx, &project, &settings, Some(&forecast)).await?;
    let project_id = project.id;
    let access = access.clone();
    let ctx = Arc::new(ctx);
    let work = {
        let ctx = ctx.clone();
        async move {
            let run = StoredRun {
                run_id,
                project_id,
                settings,
            };
            let plan = plan_in_run(&ctx, &access, project, &run.settings, plan, run_id).await?;
            run_store::add_items(&ctx.store, run_id, &plan).await?;
            executor::execute_run(&ctx, &run).await
        }
    };
    Ok(spawn(ctx, run_id, project_id, events, work))
}

/// Picks up a stopped, interrupted or crashed run. Refused while it is running here or in
/// another process (its heartbeat is live).
pub async fn resume(
    store: &Store,
    access: &GeminiAccess,
    run_id: i64,
    wall_clock: fn() -> i64,
) -> Result<RunHandle> {
    let now = wall_clock();
    if active()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .contains_key(&run_key(store, run_id))
    {
        return Err(FinderError::InvalidInput(format!(
            "Run #{run_id} is already running."
        )));
    }
    let summary = run_store::summary(store, run_id, now).await?;
    if run_store::worked_elsewhere(store, run_id, now).await? {
        return Err(FinderError::InvalidInput(format!(
            "Run #{run_id} is running in another window or terminal. Stop it there first."
        )));
    }
    if summary.status == RunStatus::Finished && summary.failed == 0 {
        return Err(FinderError::InvalidInput(format!(
            "Run #{run_id} is already finished: {}",
            summary.sentence
        )));
    }
    // The one read of the run's stored settings: the executor is handed them from here.
    let run = run_store::stored_run(store, run_id).await?;
    let limiter = limiter_for(store, access, &run.settings.model, run.settings.limits, now).await?;
    let (ctx, events) = context(store, access, limiter, wall_clock);
    let planned = summary.candidates > 0;
    let project_id = run.project_id;
    let access = access.clone();
    let ctx = Arc::new(ctx);
    let work = {
        let ctx = ctx.clone();
        async move {
            if !planned {
                // Killed while planning: plan again inside the run.
                let project = projects::get(&ctx.store, run.project_id).await?;
                let plan =
                    planning::plan(&ctx.store, &project, &run.settings, (ctx.wall_clock)()).await?;
                let plan = plan_in_run(&ctx, &access, project, &run.settings, plan, run_id).await?;
                run_store::add_items(&ctx.store, run_id, &plan).await?;
            }
            executor::resume(&ctx, &run).await
        }
    };
    Ok(spawn(ctx, run_id, project_id, events, work))
}

fn spawn<F>(
    ctx: Arc<RunContext>,
    run_id: i64,
    project_id: i64,
    events: mpsc::UnboundedReceiver<RunEvent>,
    work: F,
) -> RunHandle
where
    F: std::future::Future<Output = Result<RunSummary>> + Send + 'static,
{
    let key = run_key(&ctx.store, run_id);
    active().lock().unwrap_or_else(|p| p.into_inner()).insert(
        key.clone(),
        Control {
            cancel: ctx.cancel.clone(),
            batch: ctx.batch.clone(),
        },
    );
    /// Takes the run off the active list however its task ends (finished, failed, panicked
    /// or aborted), so a resume is never refused for a run nobody works on.
    struct Registered(RunKey);
    impl Drop for Registered {
        fn drop(&mut self) {
            active()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&self.0);
        }
    }
    let registered = Registered(key);
    let task = tokio::spawn(async move {
        let _registered = registered;
        let result = match work.await {
            Ok(summary) => Ok(summary),
            // Planning stopped for a reason the user can act on: the run ends like a run
            // that stopped while sending, resumable, with the same events.
            Err(error) => end_stopped_planning(&ctx, run_id, error).await,
        };
        drop(ctx);
        result
    });
    RunHandle {
        run_id,
        project_id,
        events,
        task,
    }
}

/// Records how a run ended that could not finish planning. A budget or the daily quota stop
/// it resumably (with the same events as when sending); anything else fails it.
async fn end_stopped_planning(
    ctx: &RunContext,
    run_id: i64,
    error: FinderError,
) -> Result<RunSummary> {
    let now = (ctx.wall_clock)();
    let (status, reason, resume_at, message) = match &error {
        FinderError::Budget(reached) => {
            let _ = ctx.events.send(RunEvent::BudgetReached {
                reached: reached.clone(),
                sentence: reached.sentence(),
            });
            ("interrupted", Some("budget"), None, reached.sentence())
        }
        FinderError::Gemini(gemini::GeminiError::Quota {
            scope: gemini::QuotaScope::PerDay,
            ..
        }) => {
            let resets_at = limiter::next_pacific_midnight(now);
            let sentence = "Google's daily allowance is used up. It resets at midnight Pacific time; the run's posts stay queued.".to_owned();
            let _ = ctx.events.send(RunEvent::DailyQuota {
                resets_at,
                sentence: sentence.clone(),
            });
            (
                "interrupted",
                Some("daily_quota"),
                Some(resets_at),
                sentence,
            )
        }
        other => ("failed", None, None, other.to_string()),
    };
    // Only a run still marked running: the executor records its own ends.
    sqlx::query!(
        "UPDATE runs SET status = ?, stop_reason = ?, resume_at = ?, error = ?, finished_at = ?
         WHERE id = ? AND status = 'running'",
        status,
        reason,
        resume_at,
        message,
        now,
        run_id,
    )
    .execute(ctx.store.pool())
    .await?;
    if status == "failed" {
        return Err(error);
    }
    let summary = run_store::summary(&ctx.store, run_id, now).await?;
    let _ = ctx.events.send(RunEvent::Finished(summary.clone()));
    Ok(summary)
}

/// Examples for topics that have none, then relevance and dedup by embeddings, every call
/// in the run's ledger, under its budget and the shared limits.
async fn plan_in_run(
    ctx: &RunContext,
    access: &GeminiAccess,
    mut project: Project,
    settings: &RunSettings,
    lexical: Plan,
    run_id: i64,
) -> Result<Plan> {
    let now = (ctx.wall_clock)();
    let budget = Budget::for_run(
        &ctx.store,
        run_id,
        project.id,
        settings.budget_picos,
        ctx.wall_clock,
    )
    .await?;
    if !settings.embeddings {
        return Ok(lexical);
    }
    ExampleRequester {
        store: &ctx.store,
        client: &ctx.client,
        limiter: Some(&ctx.limiter),
        model: &settings.model,
        wall_clock: ctx.wall_clock,
        budget: Some(&budget),
        run_id: Some(run_id),
    }
    .fill_missing(&mut project)
    .await?;
    let embed_limits = match settings.embedding_limits {
        Some(limits) => limits,
        None => embedding_limits(&ctx.store).await?,
    };
    let embed_limiter = limiter_for(
        &ctx.store,
        access,
        embeddings::DEFAULT_MODEL,
        embed_limits,
        now,
    )
    .await?;
    let mut embedder = Embedder::new(ctx.store.clone(), ctx.client.clone(), ctx.wall_clock);
    embedder.project_id = Some(project.id);
    embedder.run_id = Some(run_id);
    embedder.limiter = Some(embed_limiter);
    embedder.budget = Some(budget);
    planning::plan_using(&ctx.store, &project, settings, now, Some(&embedder)).await
}
