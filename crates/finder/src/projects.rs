//! Projects in the store: the settings live as JSON on the project row, topics in their own
//! table (so they can be listed, filtered and later embedded one by one).

use serde::Serialize;
use sqlx::Row;

use crate::error::{FinderError, Result};
use crate::project::{ProjectSettings, Topic};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq)]
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
    let exists: bool = sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM projects WHERE name = ?)")
        .bind(&settings.name)
        .fetch_one(&mut *tx)
        .await?;
    if exists {
        return Err(FinderError::ProjectExists(settings.name));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO projects (name, settings_json, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(&settings.name)
    .bind(settings_json(&settings))
    .bind(now)
    .bind(now)
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
    let clash: bool =
        sqlx::query_scalar("SELECT EXISTS(SELECT 1 FROM projects WHERE name = ? AND id != ?)")
            .bind(&settings.name)
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    if clash {
        return Err(FinderError::ProjectExists(settings.name));
    }
    let created_at: Option<i64> = sqlx::query_scalar(
        "UPDATE projects SET name = ?, settings_json = ?, updated_at = ? WHERE id = ? RETURNING created_at",
    )
    .bind(&settings.name)
    .bind(settings_json(&settings))
    .bind(now)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let created_at = created_at.ok_or_else(|| FinderError::ProjectNotFound(format!("#{id}")))?;
    sqlx::query("DELETE FROM topics WHERE project_id = ?")
        .bind(id)
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
    let row = sqlx::query(
        "SELECT id, name, settings_json, created_at, updated_at FROM projects WHERE name = ?",
    )
    .bind(name.trim())
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| FinderError::ProjectNotFound(name.to_string()))?;
    load(store, row).await
}

pub async fn get(store: &Store, id: i64) -> Result<Project> {
    let row = sqlx::query(
        "SELECT id, name, settings_json, created_at, updated_at FROM projects WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| FinderError::ProjectNotFound(format!("#{id}")))?;
    load(store, row).await
}

pub async fn list(store: &Store) -> Result<Vec<ProjectSummary>> {
    let rows = sqlx::query(
        "SELECT p.id, p.name, p.updated_at,
                (SELECT COUNT(*) FROM topics t WHERE t.project_id = p.id) AS topics,
                (SELECT COUNT(*) FROM project_tweets pt WHERE pt.project_id = p.id) AS posts
         FROM projects p ORDER BY p.name COLLATE NOCASE",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ProjectSummary {
            id: r.get("id"),
            name: r.get("name"),
            topics: r.get("topics"),
            posts: r.get("posts"),
            updated_at: r.get("updated_at"),
        })
        .collect())
}

/// Deletes a project with its posts, runs and costs — never while one of its runs is working
/// (here or in another process): that run would lose its rows mid-way.
pub async fn delete(store: &Store, id: i64, now: i64) -> Result<()> {
    let mut tx = store.write_tx().await?;
    let name: Option<String> = sqlx::query_scalar("SELECT name FROM projects WHERE id = ?")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(name) = name else {
        return Err(FinderError::ProjectNotFound(format!("#{id}")));
    };
    let runs: Vec<(i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, status, heartbeat_at FROM runs WHERE project_id = ? AND status = 'running'",
    )
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    if let Some((run_id, _, _)) = runs.iter().find(|(_, status, beat)| {
        crate::runner::heartbeat::effective_status(status, *beat, now) == "running"
    }) {
        return Err(FinderError::ProjectHasActiveRun {
            name,
            run_id: *run_id,
        });
    }
    sqlx::query("DELETE FROM projects WHERE id = ?")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

async fn load(store: &Store, row: sqlx::sqlite::SqliteRow) -> Result<Project> {
    let id: i64 = row.get("id");
    let json: String = row.get("settings_json");
    let mut settings: ProjectSettings = serde_json::from_str(&json).map_err(|e| {
        FinderError::InvalidProject(format!(
            "The stored settings of project #{id} are unreadable: {e}"
        ))
    })?;
    settings.name = row.get("name");
    let topic_rows = sqlx::query(
        "SELECT label, description, examples_json FROM topics WHERE project_id = ? ORDER BY position",
    )
    .bind(id)
    .fetch_all(store.pool())
    .await?;
    settings.topics = topic_rows
        .into_iter()
        .map(|r| Topic {
            label: r.get("label"),
            description: r.get("description"),
            examples: serde_json::from_str(r.get::<&str, _>("examples_json")).unwrap_or_default(),
        })
        .collect();
    Ok(Project {
        id,
        settings,
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
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
        sqlx::query(
            "INSERT INTO topics (project_id, position, label, description, examples_json) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(project_id)
        .bind(position as i64)
        .bind(topic.label.trim())
        .bind(&topic.description)
        .bind(serde_json::to_string(&topic.examples).unwrap_or_else(|_| "[]".into()))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
