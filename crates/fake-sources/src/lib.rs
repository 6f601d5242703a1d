//! Fakes of the two places Comment Finder finds posts, for tests, benchmarks and the E2E.
//!
//! One server on 127.0.0.1 speaks both wire formats, so one base URL serves both clients:
//!
//! - **Apify** (`apidojo~tweet-scraper`): `POST /v2/acts/{actor}/runs` starts a run
//!   (`201 {data:{id, status, defaultDatasetId, …}}`), `GET /v2/actor-runs/{id}` reports READY →
//!   RUNNING → SUCCEEDED (or FAILED / TIMED-OUT / ABORTED, keeping half the items) with
//!   `usageTotalUsd`, and `GET /v2/datasets/{id}/items?offset&limit` pages the items (the
//!   `X-Apify-Pagination-*` headers; items as `sample/posts.json`, `{"noResults": true}` for a term
//!   with none). Tokens as `Authorization: Bearer` or `?token=`; 401 bad token, 402 out of
//!   credit, 429 with `Retry-After`, in Apify's `{error:{type, message}}` envelope.
//! - **X API v2** `GET /2/tweets/search/recent`: `query` (X operators), `max_results` 10–100,
//!   `next_token`, `since_id`, `start_time` (last 7 days only); `data[]`, `includes.users[]`
//!   joined by `author_id`, `public_metrics`, `reply_settings`, `meta`; 401/402/429 problems
//!   with `x-rate-limit-*` headers.
//!
//! Posts come from a deterministic stream per term (see [`corpus`]); the post clock only moves
//! when told (`advance_posts`, `POST /_fake/advance?seconds=N`), so "newer posts" are exact.
//! `time_scale` shortens actor runs and rate-limit waits so tests take seconds.

mod config;
pub mod corpus;
mod server;

pub use config::{ApifyFault, SourcesConfig, XFault, DEFAULT_APIFY_TOKEN, DEFAULT_X_TOKEN};
pub use server::{FakeSources, SourcesServer, SourcesStats, ACTOR_ID};
