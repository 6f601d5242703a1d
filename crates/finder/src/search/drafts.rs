//! After a refresh: reply drafts for the green posts it brought, through the run engine, so
//! every rule of a run applies (the rate limiter, the gate, dedup of answered posts, the run's
//! and the monthly budgets).

use crate::engine::{self, GeminiAccess};
use crate::error::{FinderError, Result};
use crate::projects;
use crate::runner::{RunSettings, RunSummary};
use crate::scoring::Label;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DraftOptions {
    /// This run's cap on top of the monthly budgets.
    pub budget_picos: Option<i64>,
    /// Re-score relevance with embeddings first, as a run from the Run screen does.
    pub embeddings: bool,
}

impl Default for DraftOptions {
    fn default() -> Self {
        DraftOptions {
            budget_picos: None,
            embeddings: true,
        }
    }
}

/// Drafts replies for the project's green posts published since `since` (unix; the start of
/// the window the refresh asked for). `None` when no such post needs replies.
pub async fn draft_new_greens(
    store: &Store,
    access: &GeminiAccess,
    project_id: i64,
    since: i64,
    options: DraftOptions,
    wall_clock: fn() -> i64,
) -> Result<Option<RunSummary>> {
    let project = projects::get(store, project_id).await?;
    let model = project.settings.generation.model.clone();
    let limits = engine::limits_for(store, Some(access), &model)
        .await?
        .ok_or_else(|| {
            FinderError::InvalidInput(format!(
                "No limits are known for the model \"{model}\"; set custom limits first."
            ))
        })?;
    let now = wall_clock();
    let mut settings = RunSettings::defaults(&model, limits);
    settings.labels = vec![Label::Green];
    // The posts the refresh could have brought, whoever wrote them: the search already chose.
    settings.hours_back = ((now - since).max(3600) as f64 / 3600.0).ceil();
    settings.min_followers = 0;
    settings.budget_picos = options.budget_picos;
    settings.embeddings = options.embeddings;
    let engine::RunHandle {
        mut events, task, ..
    } = match engine::start_run(store, access, project_id, settings, now, wall_clock).await {
        Ok(handle) => handle,
        Err(FinderError::NothingToDo { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    // The summary is what matters here; the events only need draining.
    while events.recv().await.is_some() {}
    let summary = task.await.map_err(|e| {
        FinderError::InvalidInput(format!("The reply run stopped unexpectedly: {e}"))
    })??;
    Ok(Some(summary))
}
