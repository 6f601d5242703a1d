//! The bundled sample project and its ~200 posts, so the product is never empty on first run.
//! Post times are moved forward on load so the sample is always "fresh".

use crate::error::{FinderError, Result};
use crate::import::{self, ImportReport, ImportedTweet};
use crate::project::ProjectSettings;
use crate::projects::{self, Project};
use crate::store::Store;

pub const PROJECT_TOML: &str = include_str!("../../../sample/project.toml");
pub const POSTS_JSON: &str = include_str!("../../../sample/posts.json");
/// Hand-written reply drafts for the sample's best posts, so the first screen shows the
/// product working before any key is entered. Not from the AI: never billed, no run.
pub const DRAFTS_JSON: &str = include_str!("../../../sample/drafts.json");

#[derive(Debug, Clone, serde::Deserialize)]
pub struct SampleDraft {
    pub tweet_id: String,
    pub reply_type: String,
    pub text: String,
}

#[derive(serde::Deserialize)]
struct SampleDrafts {
    drafts: Vec<SampleDraft>,
}

/// The bundled sample drafts (a test checks the file; a broken one gives none).
pub fn drafts() -> Vec<SampleDraft> {
    serde_json::from_str::<SampleDrafts>(DRAFTS_JSON)
        .map(|d| d.drafts)
        .unwrap_or_default()
}

/// The moment the sample posts were written against: the newest is a few minutes before it.
pub const REFERENCE_TIME: i64 = 1_795_867_200; // 2026-11-28T12:00:00Z

pub fn settings() -> ProjectSettings {
    // The bundled file is checked by a test; a broken one is a build defect, not user input.
    ProjectSettings::from_toml(PROJECT_TOML)
        .unwrap_or_else(|_| ProjectSettings::with_defaults("Sample project"))
}

/// Creates the sample project (if no project has its name) and imports the sample posts with
/// their times shifted so that `now` is the reference time.
pub async fn load(store: &Store, now: i64) -> Result<(Project, ImportReport)> {
    let settings = settings();
    let project = match projects::get_by_name(store, &settings.name).await {
        Ok(existing) => existing,
        // Two processes opening a new database at once (the app and the CLI) may both get
        // here; the loser uses the winner's project.
        Err(_) => match projects::create(store, &settings, now).await {
            Err(FinderError::ProjectExists(_)) => {
                projects::get_by_name(store, &settings.name).await?
            }
            other => other?,
        },
    };
    let shift = now - REFERENCE_TIME;
    let report = import::import_with(
        store,
        project.id,
        std::io::Cursor::new(POSTS_JSON.as_bytes()),
        now,
        move |mut t: ImportedTweet| {
            t.posted_at += shift;
            t
        },
    )
    .await?;
    add_drafts(store, &project, &settings, now).await?;
    Ok((project, report))
}

/// Stores the sample drafts for the sample project's posts, once: a post that already has
/// sample drafts keeps them (loading the sample again adds no copies). Ranked in the
/// project's reply-type order, like the AI's drafts.
async fn add_drafts(
    store: &Store,
    project: &Project,
    settings: &ProjectSettings,
    now: i64,
) -> Result<u64> {
    let mut tx = store.write_tx().await?;
    let mut added = 0;
    for draft in drafts() {
        let rank = settings
            .reply_types
            .iter()
            .position(|t| t.as_str() == draft.reply_type)
            .unwrap_or(settings.reply_types.len()) as i64;
        added += sqlx::query!(
            "INSERT INTO suggestions (project_id, tweet_id, run_id, reply_type, rank, text, sample, created_at)
             SELECT ?1, ?2, NULL, ?3, ?4, ?5, 1, ?6
             WHERE EXISTS (SELECT 1 FROM project_tweets WHERE project_id = ?1 AND tweet_id = ?2)
               AND NOT EXISTS (SELECT 1 FROM suggestions WHERE project_id = ?1 AND tweet_id = ?2
                               AND sample = 1 AND reply_type = ?3)",
            project.id,
            draft.tweet_id,
            draft.reply_type,
            rank,
            draft.text,
            now,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(added)
}
