//! Comment Finder's engine, free of any UI: projects, tweet import, scoring and the gate,
//! the SQLite store and CSV export. The CLI and the desktop app are thin layers over it.

pub mod account_limits;
pub mod batch;
pub mod budget;
pub mod caps;
pub mod embeddings;
pub mod engine;
pub mod error;
pub mod examples;
pub mod export;
pub mod gate;
pub mod import;
pub mod ledger;
pub mod limiter;
pub mod models;
pub mod money;
pub mod posts;
pub mod prices;
pub mod project;
pub mod projects;
pub mod retry;
pub mod review;
pub mod run_text;
pub mod runner;
pub mod sample;
pub mod score_parts;
pub mod scoring;
pub mod search;
pub mod spend;
pub mod store;
mod text;

pub use error::{ErrorCode, FinderError, Result};

/// How the window's TypeScript types a finite `f64`: `number`. (specta writes `number | null`
/// for every float, since serde turns NaN and infinities into null; these never are.)
#[cfg(feature = "specta")]
pub(crate) type FiniteNumber = i32;
pub use store::Store;
