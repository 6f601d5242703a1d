//! Projects in the store: the settings live as JSON on the project row, topics in their own
//! table (so they can be listed, filtered and later embedded one by one).

use serde::Serialize;

use crate::error::{FinderError, Result};
use crate::project::{ProjectSettings, Topic};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Project {
    pub id: i64,
    pub settings: ProjectSettings,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Project {
    pub fn name(&self) -> &str {
        &self.settings.name
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProjectSummary {
    pub id: i64,
    pub name: String,
    pub topics: i64,
    pub posts: i64,
    pub updated_at: i64,
}

pub async fn create(store: &Store, settings: &ProjectSettings, now: i64) -> Result<Project> {
    let mut settings = settings.clone();
    settings.normalise();
    if settings.name.is_empty() {
        return Err(FinderError::InvalidProject(
            "A project needs a name.".into(),
        ));
    }
    settings
        .validate()
        .map_err(|p| FinderError::InvalidProject(p.message))?;
    let mut tx = store.write_tx().await?;
    let exists = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM projects WHERE name = ?) AS "exists!: bool""#,
        settings.name,
    )
    .fetch_one(&mut *tx)
    .await?;
    if exists {
        return Err(FinderError::ProjectExists(settings.name));
    }
    let json = settings_json(&settings);
    let id = sqlx::query_scalar!(
        r#"INSERT INTO projects (name, settings_json, created_at, updated_at) VALUES (?, ?, ?, ?)
           RETURNING id AS "id!: i64""#,
        settings.name,
        json,
        now,
        now,
    )
    .fetch_one(&mut *tx)
    .await?;
    write_topics(&mut tx, id, &settings.topics).await?;
    tx.commit().await?;
    Ok(Project {
        id,
        settings,
        created_at: now,
        updated_at: now,
    })
}

/// Replaces a project's settings (the name may change too).
pub async fn update(
    store: &Store,
    id: i64,
    settings: &ProjectSettings,
    now: i64,
) -> Result<Project> {
    let mut settings = settings.clone();
    settings.normalise();
    settings
        .validate()
        .map_err(|p| FinderError::InvalidProject(p.message))?;
    let mut tx = store.write_tx().await?;
    let clash = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM projects WHERE name = ? AND id != ?) AS "clash!: bool""#,
        settings.name,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    if clash {
        return Err(FinderError::ProjectExists(settings.name));
    }
    let json = settings_json(&settings);
    let created_at: Option<i64> = sqlx::query_scalar!(
        r#"UPDATE projects SET name = ?, settings_json = ?, updated_at = ? WHERE id = ?
           RETURNING created_at AS "created_at!: i64""#,
        settings.name,
        json,
        now,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let created_at = created_at.ok_or_else(|| FinderError::ProjectNotFound(format!("#{id}")))?;
    sqlx::query!("DELETE FROM topics WHERE project_id = ?", id)
        .execute(&mut *tx)
        .await?;
    write_topics(&mut tx, id, &settings.topics).await?;
    tx.commit().await?;
    Ok(Project {
        id,
        settings,
        created_at,
        updated_at: now,
    })
}

pub async fn get_by_name(store: &Store, name: &str) -> Result<Project> {
    let trimmed = name.trim();
    let row = sqlx::query_as!(
        ProjectRow,
        r#"SELECT id AS "id!: i64", name, settings_json, created_at, updated_at FROM projects WHERE name = ?"#,
        trimmed,
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| FinderError::ProjectNotFound(name.to_string()))?;
    load(store, row).await
}

pub async fn get(store: &Store, id: i64) -> Result<Project> {
    let row = sqlx::query_as!(
        ProjectRow,
        r#"SELECT id AS "id!: i64", name, settings_json, created_at, updated_at FROM projects WHERE id = ?"#,
        id,
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| FinderError::ProjectNotFound(format!("#{id}")))?;
    load(store, row).await
}

pub async fn list(store: &Store) -> Result<Vec<ProjectSummary>> {
    Ok(sqlx::query_as!(
        ProjectSummary,
        r#"SELECT p.id AS "id!: i64", p.name, p.updated_at,
                (SELECT COUNT(*) FROM topics t WHERE t.project_id = p.id) AS "topics!: i64",
                (SELECT COUNT(*) FROM project_tweets pt WHERE pt.project_id = p.id) AS "posts!: i64"
         FROM projects p ORDER BY p.name COLLATE NOCASE"#,
    )
    .fetch_all(store.pool())
    .await?)
}

/// Deletes a project with its posts, runs and costs — never while one of its runs is working
/// (here or in another process): that run would lose its rows mid-way.
pub async fn delete(store: &Store, id: i64, now: i64) -> Result<()> {
    let mut tx = store.write_tx().await?;
    let name: Option<String> = sqlx::query_scalar!("SELECT name FROM projects WHERE id = ?", id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(name) = name else {
        return Err(FinderError::ProjectNotFound(format!("#{id}")));
    };
    let runs: Vec<(i64, String, Option<i64>)> = sqlx::query!(
        r#"SELECT id AS "id!: i64", status, heartbeat_at FROM runs WHERE project_id = ? AND status = 'running'"#,
        id,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.id, r.status, r.heartbeat_at))
    .collect();
    if let Some((run_id, _, _)) = runs.iter().find(|(_, status, beat)| {
        crate::runner::heartbeat::effective_status(status, *beat, now) == "running"
    }) {
        return Err(FinderError::ProjectHasActiveRun {
            name,
            run_id: *run_id,
        });
    }
    sqlx::query!("DELETE FROM projects WHERE id = ?", id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// A stored project's own columns (its topics are rows of their own).
struct ProjectRow {
    id: i64,
    name: String,
    settings_json: String,
    created_at: i64,
    updated_at: i64,
}

async fn load(store: &Store, row: ProjectRow) -> Result<Project> {
    let id = row.id;
    let json = row.settings_json;
    let mut settings: ProjectSettings = serde_json::from_str(&json).map_err(|e| {
        FinderError::InvalidProject(format!(
            "The stored settings of project #{id} are unreadable: {e}"
        ))
    })?;
    settings.name = row.name;
    let topic_rows = sqlx::query!(
        "SELECT label, description, examples_json FROM topics WHERE project_id = ? ORDER BY position",
        id,
    )
    .fetch_all(store.pool())
    .await?;
    settings.topics = topic_rows
        .into_iter()
        .map(|r| Topic {
            label: r.label,
            description: r.description,
            examples: serde_json::from_str(&r.examples_json).unwrap_or_default(),
        })
        .collect();
    Ok(Project {
        id,
        settings,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

fn settings_json(settings: &ProjectSettings) -> String {
    let mut without_topics = settings.clone();
    without_topics.topics.clear();
    serde_json::to_string(&without_topics).unwrap_or_else(|_| "{}".into())
}

async fn write_topics(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    project_id: i64,
    topics: &[Topic],
) -> Result<()> {
    for (position, topic) in topics.iter().enumerate() {
        let examples_json = serde_json::to_string(&topic.examples).unwrap_or_else(|_| "[]".into());
        let (position, label) = (position as i64, topic.label.trim());
        sqlx::query!(
            "INSERT INTO topics (project_id, position, label, description, examples_json) VALUES (?, ?, ?, ?, ?)",
            project_id,
            position,
            label,
            topic.description,
            examples_json,
        )
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
