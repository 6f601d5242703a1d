//! Runs in the background, as the engine runs them (`finder::engine`): every `RunEvent` is
//! forwarded to the window as a typed Tauri event (no polling). Budgets, quotas, retries and
//! cancel live in the engine; this module only translates.
//!
//! The emitter is a plain function, so tests collect the events without a window.

use std::sync::Arc;

use finder::budget::CapScope;
use finder::engine;
use finder::runner;
use serde::Serialize;
use specta::Type;

use crate::dto;
use crate::error::{AppError, AppErrorCode, AppResult, ShellErrorCode};

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
    /// The next request would cross a spending cap: the run stops, resumable once raised.
    BudgetReached {
        run_id: i64,
        cost_picos: i64,
        cap_picos: i64,
        /// "Budget reached: $0.04 of $0.05 (this run's budget). Raise it to go on."
        sentence: String,
    },
    /// A monthly budget passed 80% (or all) of its cap.
    BudgetAlert {
        run_id: i64,
        /// "80% of the monthly budget is used ($40.00 of $50.00)."
        sentence: String,
        monthly: bool,
    },
    /// Google's daily allowance is used up; the run stops with its posts queued.
    DailyQuota {
        run_id: i64,
        /// Unix seconds (midnight Pacific time).
        resets_at: i64,
        sentence: String,
    },
    /// A batch run's jobs at Google: queued, running, n of m answered, done.
    Batch {
        run_id: i64,
        status: dto::BatchStatus,
    },
    Finished(Box<dto::RunSummary>),
    /// The run stopped on an error before it could finish (its work so far is saved).
    Failed {
        run_id: Option<i64>,
        code: AppErrorCode,
        message: String,
    },
}

pub type Emit = Arc<dyn Fn(RunEvent) + Send + Sync>;

/// The OS notification an event deserves (title, text): budgets and Google's daily limit
/// stop runs the user may not be watching.
pub fn notification(event: &RunEvent) -> Option<(&'static str, String)> {
    match event {
        RunEvent::BudgetReached { sentence, .. } => {
            Some(("Run stopped at its budget", sentence.clone()))
        }
        RunEvent::BudgetAlert { sentence, .. } => Some(("Monthly budget", sentence.clone())),
        RunEvent::DailyQuota { sentence, .. } => {
            Some(("Google's daily limit reached", sentence.clone()))
        }
        // A half-price run ends hours after it started, likely with the window closed.
        RunEvent::Finished(summary) if summary.mode == dto::RunMode::Batch => {
            Some(("Half-price run finished", summary.sentence.clone()))
        }
        _ => None,
    }
}

/// Runs of the app's database working in this process, as the engine keeps them.
pub struct RunManager {
    store: finder::Store,
}

impl RunManager {
    pub fn new(store: finder::Store) -> Self {
        RunManager { store }
    }

    pub fn active_ids(&self) -> Vec<i64> {
        engine::active_runs(&self.store)
    }

    pub fn is_active(&self, run_id: i64) -> bool {
        self.active_ids().contains(&run_id)
    }

    /// Checks a batch run's jobs at Google now.
    pub fn check_now(&self, run_id: i64) -> AppResult<()> {
        engine::check_batch_now(&self.store, run_id).map_err(|_| {
            AppError::new(
                ShellErrorCode::RunNotActive,
                format!("Run #{run_id} is not running."),
            )
        })
    }

    /// Stops the run: no request leaves after this returns; requests in flight are saved.
    pub fn cancel(&self, run_id: i64) -> AppResult<()> {
        engine::cancel(&self.store, run_id).map_err(|_| {
            AppError::new(
                ShellErrorCode::RunNotActive,
                format!("Run #{run_id} is not running."),
            )
        })
    }
}

/// Forwards the engine's events to the window until the run ends; returns its id.
pub(crate) fn forward(emit: Emit, handle: engine::RunHandle) -> i64 {
    let engine::RunHandle {
        run_id,
        project_id,
        mut events,
        task,
    } = handle;
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let out = match event {
                runner::RunEvent::Started {
                    run_id,
                    total,
                    already_done,
                } => RunEvent::Started {
                    run_id,
                    project_id,
                    total,
                    already_done,
                },
                runner::RunEvent::Progress(p) => RunEvent::Progress(p),
                runner::RunEvent::Paused { seconds } => RunEvent::Paused { run_id, seconds },
                runner::RunEvent::BudgetReached { reached, sentence } => {
                    tracing::info!(run_id, "budget reached; run stopped");
                    RunEvent::BudgetReached {
                        run_id,
                        cost_picos: reached.spent_picos,
                        cap_picos: reached.cap_picos,
                        sentence,
                    }
                }
                runner::RunEvent::BudgetAlert(usage) => RunEvent::BudgetAlert {
                    run_id,
                    sentence: usage.alert.unwrap_or_default(),
                    monthly: usage.scope != CapScope::Run,
                },
                runner::RunEvent::DailyQuota {
                    resets_at,
                    sentence,
                } => RunEvent::DailyQuota {
                    run_id,
                    resets_at,
                    sentence,
                },
                runner::RunEvent::Batch(status) => RunEvent::Batch { run_id, status },
                runner::RunEvent::Finished(summary) => {
                    tracing::info!(run_id = summary.run_id, status = %summary.status, summary = %summary.sentence, "run ended");
                    RunEvent::Finished(Box::new(summary))
                }
            };
            emit(out);
        }
        // The sender is dropped when the run ends: report a failure it never announced.
        let failure = match task.await {
            Ok(Ok(_)) => None,
            Ok(Err(e)) => Some(AppError::from(e)),
            Err(join) => Some(AppError::new(
                ShellErrorCode::Internal,
                format!("The run stopped unexpectedly: {join}. Finished posts are saved; resume it to go on."),
            )),
        };
        if let Some(error) = failure {
            tracing::error!(run_id, code = %error.code, message = %error.message, "run failed");
            emit(RunEvent::Failed {
                run_id: Some(run_id),
                code: error.code,
                message: error.message,
            });
        }
    });
    run_id
}

/// The engine's clock for runs: the wall clock.
pub(crate) fn wall_clock() -> i64 {
    chrono::Utc::now().timestamp()
}
