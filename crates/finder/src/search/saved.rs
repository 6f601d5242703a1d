//! A project's saved searches. "Find new posts" runs one again and asks each term only for
//! posts newer than the newest it already brought (X: `since_id`; Apify: `since_time:`), so a
//! refresh pays only for what is new.

use std::collections::HashMap;

use serde::Serialize;

use super::run::{self, term_cursors};
use super::{
    PollPolicy, SearchCancel, SearchOptions, SearchOutcome, SearchProgress, SearchRequest,
    SearchStatus, SourceAccess, TermCursor,
};
use crate::error::{FinderError, Result};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SavedSearch {
    pub id: i64,
    pub project_id: i64,
    pub name: String,
    pub request: SearchRequest,
    /// Where each term's last fetch stopped (the window has no use for it).
    #[cfg_attr(feature = "specta", specta(skip))]
    pub cursors: HashMap<String, TermCursor>,
    /// Refresh every N hours while the app runs; `None`: only when asked.
    pub refresh_hours: Option<u32>,
    /// After a refresh, draft replies for the new green posts (within the budgets).
    pub draft_new_greens: bool,
    pub last_fetched_at: Option<i64>,
    pub created_at: i64,
}

impl SavedSearch {
    /// Where the posts a refresh of this search may bring start (unix seconds): its last fetch,
    /// or a day before `now` for a search never fetched. Replies drafted after a refresh look
    /// this far back.
    pub fn refresh_window_start(&self, now: i64) -> i64 {
        self.last_fetched_at.unwrap_or(now - 24 * 3600)
    }
}

/// A saved search's columns, as stored.
struct SavedSearchRow {
    id: i64,
    project_id: i64,
    name: String,
    request_json: String,
    cursors_json: String,
    refresh_hours: Option<i64>,
    draft_new_greens: bool,
    last_fetched_at: Option<i64>,
    created_at: i64,
}

fn from_row(r: SavedSearchRow) -> Result<SavedSearch> {
    let bad = |e: serde_json::Error| {
        FinderError::InvalidInput(format!("A saved search could not be read: {e}"))
    };
    Ok(SavedSearch {
        id: r.id,
        project_id: r.project_id,
        name: r.name,
        request: serde_json::from_str(&r.request_json).map_err(bad)?,
        cursors: serde_json::from_str(&r.cursors_json).map_err(bad)?,
        refresh_hours: r.refresh_hours.map(|h| h as u32),
        draft_new_greens: r.draft_new_greens,
        last_fetched_at: r.last_fetched_at,
        created_at: r.created_at,
    })
}

/// Saves a search under a name. With `from_search`, the posts that search brought count as
/// already fetched, so the first "Find new posts" asks only for newer ones.
pub async fn save(
    store: &Store,
    project_id: i64,
    name: &str,
    request: &SearchRequest,
    from_search: Option<i64>,
    now: i64,
) -> Result<SavedSearch> {
    let request = request.clone().normalised();
    request.validate()?;
    let name = name.trim();
    if name.is_empty() {
        return Err(FinderError::InvalidInput(
            "Give the saved search a name.".into(),
        ));
    }
    let (cursors, fetched) = match from_search {
        Some(search_id) => (term_cursors(store, search_id).await?, Some(now)),
        None => (HashMap::new(), None),
    };
    let (request_json, cursors_json) = (to_json(&request), to_json(&cursors));
    let id: i64 = sqlx::query_scalar!(
        r#"INSERT INTO saved_searches (project_id, name, request_json, cursors_json, last_fetched_at, created_at)
           VALUES (?, ?, ?, ?, ?, ?) RETURNING id AS "id!: i64""#,
        project_id,
        name,
        request_json,
        cursors_json,
        fetched,
        now,
    )
    .fetch_one(store.pool())
    .await
    .map_err(|e| match e.as_database_error() {
        Some(d) if d.is_unique_violation() => FinderError::InvalidInput(format!(
            "This project already has a saved search called \"{name}\". Pick another name."
        )),
        _ => e.into(),
    })?;
    get(store, id).await
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "{}".into())
}

pub async fn get(store: &Store, id: i64) -> Result<SavedSearch> {
    let row = sqlx::query_as!(
        SavedSearchRow,
        r#"SELECT id AS "id!: i64", project_id, name, request_json, cursors_json, refresh_hours,
                  draft_new_greens AS "draft_new_greens: bool", last_fetched_at, created_at
           FROM saved_searches WHERE id = ?"#,
        id,
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| FinderError::InvalidInput(format!("There is no saved search #{id}.")))?;
    from_row(row)
}

/// A project's saved searches (every project's with `None`), oldest first.
pub async fn list(store: &Store, project_id: Option<i64>) -> Result<Vec<SavedSearch>> {
    let rows = sqlx::query_as!(
        SavedSearchRow,
        r#"SELECT id AS "id!: i64", project_id, name, request_json, cursors_json, refresh_hours,
                  draft_new_greens AS "draft_new_greens: bool", last_fetched_at, created_at
           FROM saved_searches WHERE ?1 IS NULL OR project_id = ?1 ORDER BY created_at, id"#,
        project_id,
    )
    .fetch_all(store.pool())
    .await?;
    rows.into_iter().map(from_row).collect()
}

pub async fn delete(store: &Store, id: i64) -> Result<()> {
    sqlx::query!("DELETE FROM saved_searches WHERE id = ?", id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// Refresh every `hours` (1 to 168) while the app runs, or never (`None`).
pub async fn set_schedule(
    store: &Store,
    id: i64,
    hours: Option<u32>,
    draft_new_greens: bool,
) -> Result<SavedSearch> {
    if let Some(h) = hours {
        if !(1..=168).contains(&h) {
            return Err(FinderError::InvalidInput(
                "Refresh every 1 to 168 hours (a week).".into(),
            ));
        }
    }
    let hours = hours.map(i64::from);
    sqlx::query!(
        "UPDATE saved_searches SET refresh_hours = ?, draft_new_greens = ? WHERE id = ?",
        hours,
        draft_new_greens,
        id,
    )
    .execute(store.pool())
    .await?;
    get(store, id).await
}

/// "Find new posts": the saved search again, each term asking only for posts newer than the
/// newest it brought before. Terms that finished move their cursor on; a term cut short keeps
/// its old one, so a gap is asked for again next time rather than lost.
pub async fn find_new_posts(
    store: &Store,
    id: i64,
    access: &SourceAccess,
    poll: PollPolicy,
    clock: &(dyn Fn() -> i64 + Send + Sync),
    progress: &(dyn Fn(SearchProgress) + Send + Sync),
    cancel: &SearchCancel,
) -> Result<SearchOutcome> {
    let saved = get(store, id).await?;
    let options = SearchOptions {
        poll,
        saved_search_id: Some(saved.id),
        cursors: saved.cursors.clone(),
        skip_scoring: false,
    };
    let mut outcome = run::run(
        store,
        saved.project_id,
        &saved.request,
        access,
        &options,
        clock,
        progress,
        cancel,
    )
    .await?;
    let mut cursors = saved.cursors;
    let fresh = term_cursors(store, outcome.search_id).await?;
    for tally in outcome.terms.iter().filter(|t| t.complete) {
        if let Some(new) = fresh.get(&tally.term) {
            let keep_old = cursors
                .get(&tally.term)
                .is_some_and(|old| old.newest_at > new.newest_at);
            if !keep_old {
                cursors.insert(tally.term.clone(), new.clone());
            }
        }
    }
    let fetched = (outcome.status != SearchStatus::Failed || outcome.found > 0)
        .then_some(outcome.started_at)
        .or(saved.last_fetched_at);
    let cursors_json = to_json(&cursors);
    sqlx::query!(
        "UPDATE saved_searches SET cursors_json = ?, last_fetched_at = ? WHERE id = ?",
        cursors_json,
        fetched,
        id,
    )
    .execute(store.pool())
    .await?;
    outcome.saved_search_id = Some(id);
    Ok(outcome)
}
