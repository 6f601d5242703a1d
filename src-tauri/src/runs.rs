//! Runs in the background: `runner::start`/`resume` on a tokio task, every `RunEvent` of the
//! engine forwarded to the window as a typed Tauri event (no polling), a cancel switch per
//! run, and an optional budget cap that stops taking new work once the run's cost reaches it
//! (requests already in flight land, so the cap may be passed by their cost).
//!
//! The emitter is a plain function, so tests collect the events without a window.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use finder::limiter;
use finder::runner::{self, CancelToken, RunContext, RunSettings};
use finder::{ledger, prices, projects};
use serde::Serialize;
use specta::Type;
use tokio::sync::{mpsc, oneshot};

use crate::dto;
use crate::error::{AppError, AppResult};
use crate::state::{check_key, AppState};

/// What the window hears about a run while it works.
#[derive(Debug, Clone, PartialEq, Serialize, Type, tauri_specta::Event)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RunEvent {
    Started {
        run_id: i64,
        project_id: i64,
        total: u64,
        already_done: u64,
    },
    Progress(dto::RunProgress),
    /// Gemini asked us to slow down; every request waits this long.
    Paused {
        run_id: i64,
        #[specta(type = crate::dto::JsNumber)]
        seconds: f64,
    },
    /// The budget cap was reached: no new requests are sent.
    BudgetReached {
        run_id: i64,
        cost_picos: i64,
    },
    Finished(dto::RunSummary),
    /// The run stopped on an error before it could finish (its work so far is saved).
    Failed {
        run_id: Option<i64>,
        code: String,
        message: String,
    },
}

pub type Emit = Arc<dyn Fn(RunEvent) + Send + Sync>;

#[derive(Default)]
pub struct RunManager {
    active: Mutex<HashMap<i64, CancelToken>>,
}

impl RunManager {
    pub fn active_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.lock().keys().copied().collect();
        ids.sort();
        ids
    }

    pub fn is_active(&self, run_id: i64) -> bool {
        self.lock().contains_key(&run_id)
    }

    /// Stops the run taking new work; requests in flight finish and are saved.
    pub fn cancel(&self, run_id: i64) -> AppResult<()> {
        match self.lock().get(&run_id) {
            Some(token) => {
                token.cancel();
                tracing::info!(run_id, "run cancel requested");
                Ok(())
            }
            None => Err(AppError::new(
                "run_not_active",
                format!("Run #{run_id} is not running."),
            )),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, CancelToken>> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What to run: a new run from a plan, or an existing run picked up again.
enum Work {
    Start(Box<NewRun>),
    Resume { run_id: i64 },
}

struct NewRun {
    project: projects::Project,
    settings: RunSettings,
    plan: runner::Plan,
}

/// Plans and starts a run; returns its id once the engine has created it.
pub async fn start(
    state: &AppState,
    emit: Emit,
    project_id: i64,
    settings: RunSettings,
    budget_picos: Option<i64>,
    now: i64,
) -> AppResult<i64> {
    validate(&settings, budget_picos)?;
    let project = projects::get(&state.store, project_id).await?;
    prices::require(&state.store, &settings.model).await?;
    let (client, fingerprint, last4) = state.gemini_client_and_last4().await?;
    check_key(&client, &last4).await?;
    let (ctx, events) = context(state, client, fingerprint, &settings, now).await?;
    let plan = runner::plan_with_embeddings(&ctx, &project, &settings, now).await?;
    if plan.send.is_empty() {
        return Err(AppError::new(
            "nothing_to_do",
            format!(
                "No posts need replies right now ({} held back, {} already answered). Import fresh posts or widen the filters.",
                plan.gated.len(),
                plan.deduped.len()
            ),
        ));
    }
    tracing::info!(
        project = project.name(),
        posts = plan.send.len(),
        model = %settings.model,
        batch = settings.batch_size,
        per_request = settings.per_request,
        "starting run"
    );
    launch(
        state,
        emit,
        ctx,
        events,
        Work::Start(Box::new(NewRun {
            project,
            settings,
            plan,
        })),
        budget_picos,
    )
    .await
}

/// Continues a stopped, interrupted or crashed run: finished posts are skipped.
pub async fn resume(state: &AppState, emit: Emit, run_id: i64, now: i64) -> AppResult<i64> {
    if state.runs.is_active(run_id) {
        return Err(AppError::new(
            "run_active",
            format!("Run #{run_id} is already running."),
        ));
    }
    let summary = runner::summary(&state.store, run_id, now).await?;
    if summary.status == "finished" && summary.failed == 0 {
        return Err(AppError::new(
            "run_finished",
            format!("Run #{run_id} is already finished: {}", summary.sentence()),
        ));
    }
    let settings = runner::settings_of(&state.store, run_id).await?;
    let (client, fingerprint, last4) = state.gemini_client_and_last4().await?;
    check_key(&client, &last4).await?;
    let (ctx, events) = context(state, client, fingerprint, &settings, now).await?;
    tracing::info!(run_id, "resuming run");
    launch(state, emit, ctx, events, Work::Resume { run_id }, None).await
}

fn validate(settings: &RunSettings, budget_picos: Option<i64>) -> AppResult<()> {
    if settings.batch_size == 0 || settings.per_request == 0 {
        return Err(AppError::invalid(
            "Requests at once and posts per request must be at least 1.",
        ));
    }
    if settings.limits.rpm == 0 {
        return Err(AppError::invalid("Requests per minute must be at least 1."));
    }
    if settings.max_attempts == 0 {
        return Err(AppError::invalid("Attempts per post must be at least 1."));
    }
    if settings.labels.is_empty() {
        return Err(AppError::invalid(
            "Choose at least one label (green, yellow or red) to reply to.",
        ));
    }
    if matches!(budget_picos, Some(b) if b <= 0) {
        return Err(AppError::invalid(
            "A budget must be more than $0 (or leave it empty for no cap).",
        ));
    }
    Ok(())
}

async fn context(
    state: &AppState,
    client: Arc<gemini::Client>,
    fingerprint: u64,
    settings: &RunSettings,
    now: i64,
) -> AppResult<(RunContext, mpsc::UnboundedReceiver<runner::RunEvent>)> {
    let today = ledger::requests_since(
        &state.store,
        &settings.model,
        limiter::pacific_midnight(now),
    )
    .await?;
    let limiter = limiter::shared(fingerprint, &settings.model, settings.limits, today);
    let (tx, rx) = mpsc::unbounded_channel();
    Ok((
        RunContext {
            store: state.store.clone(),
            client,
            limiter,
            events: tx,
            cancel: CancelToken::default(),
            wall_clock: || chrono::Utc::now().timestamp(),
            seed: now as u64,
        },
        rx,
    ))
}

/// Spawns the run and its event forwarder; resolves with the run id when the engine reports
/// the run started, or with the error that kept it from starting.
async fn launch(
    state: &AppState,
    emit: Emit,
    ctx: RunContext,
    mut events: mpsc::UnboundedReceiver<runner::RunEvent>,
    work: Work,
    budget_picos: Option<i64>,
) -> AppResult<i64> {
    let cancel = ctx.cancel.clone();
    let manager = state.runs.clone();
    let (started_tx, started_rx) = oneshot::channel::<AppResult<i64>>();
    let project_id = match &work {
        Work::Start(new) => new.project.id,
        Work::Resume { run_id } => project_of_run(state, *run_id).await?,
    };

    let runner_task = tokio::spawn(async move {
        let result = match &work {
            Work::Start(new) => runner::start(&ctx, &new.project, &new.settings, &new.plan).await,
            Work::Resume { run_id } => runner::resume(&ctx, *run_id).await,
        };
        drop(ctx);
        result
    });

    let forward_emit = emit.clone();
    let forward_manager = manager.clone();
    let forward_cancel = cancel.clone();
    tokio::spawn(async move {
        let mut started = Some(started_tx);
        let mut run_id: Option<i64> = None;
        let mut budget_hit = false;
        while let Some(event) = events.recv().await {
            let out = match event {
                runner::RunEvent::Started {
                    run_id: id,
                    total,
                    already_done,
                } => {
                    run_id = Some(id);
                    forward_manager.lock().insert(id, forward_cancel.clone());
                    if let Some(tx) = started.take() {
                        let _ = tx.send(Ok(id));
                    }
                    RunEvent::Started {
                        run_id: id,
                        project_id,
                        total,
                        already_done,
                    }
                }
                runner::RunEvent::Progress(p) => {
                    if let Some(budget) = budget_picos {
                        if !budget_hit && p.cost_picos >= budget {
                            budget_hit = true;
                            forward_cancel.cancel();
                            tracing::info!(
                                run_id = p.run_id,
                                budget,
                                "budget reached; stopping run"
                            );
                            forward_emit(RunEvent::BudgetReached {
                                run_id: p.run_id,
                                cost_picos: p.cost_picos,
                            });
                        }
                    }
                    RunEvent::Progress(p.into())
                }
                runner::RunEvent::Paused { seconds } => RunEvent::Paused {
                    run_id: run_id.unwrap_or_default(),
                    seconds,
                },
                runner::RunEvent::Finished(summary) => {
                    tracing::info!(run_id = summary.run_id, status = %summary.status, summary = %summary.sentence(), "run ended");
                    RunEvent::Finished(summary.into())
                }
            };
            forward_emit(out);
        }
        // The sender is dropped when the runner returns: collect its outcome.
        let outcome = runner_task.await;
        if let Some(id) = run_id {
            forward_manager.lock().remove(&id);
        }
        let failure = match outcome {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(AppError::from(e)),
            Err(join) => Some(AppError::new(
                "internal",
                format!("The run stopped unexpectedly: {join}. Finished posts are saved; resume it to go on."),
            )),
        };
        if let Some(error) = failure {
            tracing::error!(run_id, code = %error.code, message = %error.message, "run failed");
            match started.take() {
                Some(tx) => {
                    let _ = tx.send(Err(error));
                }
                None => forward_emit(RunEvent::Failed {
                    run_id,
                    code: error.code,
                    message: error.message,
                }),
            }
        } else if let Some(tx) = started.take() {
            // Finished without ever starting (cannot happen with the engine as it is).
            let _ = tx.send(Err(AppError::new("internal", "The run did not start.")));
        }
    });

    started_rx
        .await
        .unwrap_or_else(|_| Err(AppError::new("internal", "The run did not start.")))
}

async fn project_of_run(state: &AppState, run_id: i64) -> AppResult<i64> {
    let project: Option<i64> = sqlx::query_scalar("SELECT project_id FROM runs WHERE id = ?")
        .bind(run_id)
        .fetch_optional(state.store.pool())
        .await
        .map_err(finder::FinderError::from)?;
    project.ok_or_else(|| AppError::invalid(format!("There is no run #{run_id}.")))
}
