//! The bundled sample project and its ~200 posts, so the product is never empty on first run.
//! Post times are moved forward on load so the sample is always "fresh".

use crate::error::{FinderError, Result};
use crate::import::{self, ImportReport, ImportedTweet};
use crate::project::ProjectSettings;
use crate::projects::{self, Project};
use crate::store::Store;

pub const PROJECT_TOML: &str = include_str!("../../../sample/project.toml");
pub const POSTS_JSON: &str = include_str!("../../../sample/posts.json");

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
    Ok((project, report))
}
