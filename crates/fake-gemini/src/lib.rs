//! A fake of the Gemini REST API (`v1beta`) for tests and benchmarks.
//!
//! It speaks the real wire format over real HTTP on 127.0.0.1, so the production client is
//! tested end to end:
//!
//! - `POST /v1beta/models/{model}:generateContent`, `:countTokens`, `:batchEmbedContents`,
//!   `GET /v1beta/models` (paged) and `GET /v1beta/models/{model}`; every model reports
//!   `baseModelId` and `outputTokenLimit`, thinking models `"thinking": true` (like proto3
//!   JSON, a false flag is left out). The catalog has Gemini 2.0, 2.5 and
//!   3 (`gemini-3-pro-preview`, `gemini-3-flash-preview`), the aliases `gemini-flash-latest`
//!   and `gemini-pro-latest` (which answer, count quota and bill as 2.5 Flash and 3 Pro), and
//!   `gemini-embedding-001`;
//! - keys from the `x-goog-api-key` header or `?key=`, with Google's 400/403 envelopes;
//! - per (key, model) RPM, input-TPM and RPD limits answered with 429 `RESOURCE_EXHAUSTED`,
//!   on a configurable time scale so a 15-RPM quota can be exercised in seconds. One 429
//!   lists every broken limit in its `QuotaFailure` (with `quotaValue`), and `RetryInfo` is
//!   the longest wait: a broken day window means waiting for the day, not the minute.
//!   [`QuotaErrorStyle`] trims the details to the Help link or to nothing, as real 429s
//!   sometimes are. Each item of a `batchEmbedContents` call counts as one request;
//! - thinking as Google documents it: 2.5 models take `thinkingBudget` within their range
//!   (2.5 Pro cannot turn thinking off), Gemini 3 thinks at `high` by default and takes
//!   `thinkingLevel`; anything else is a 400. Thinking counts against `maxOutputTokens`, so it
//!   can leave a `MAX_TOKENS` answer without text;
//! - latency with seeded jitter, and scripted or random [`Fault`]s: transient ones (503, 500,
//!   429 with or without details, per-day 429, hangs, broken answers) and permanent account
//!   errors (billing required, unsupported region, prepaid credit used up);
//! - JSON answers that conform to the request's `responseJsonSchema`/`responseSchema`
//!   (see [`schema`] for the one-item-per-enum-value convention), optionally imperfect the way
//!   real packed answers are: posts left out, empty drafts, drafts opening with a generic
//!   phrase ([`FakeConfig::omit_rate`], [`FakeConfig::empty_draft_rate`],
//!   [`FakeConfig::generic_opener_rate`]), seeded per request text and post id;
//! - `usageMetadata` by a fixed rule (one token per started four characters), with implicitly
//!   cached prompt tokens when asked for ([`FakeConfig::cached_prompt_share`]), and a record of
//!   every call the real API would bill ([`FakeServer::billing`], `GET /_fake/billing`).
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_gemini::{FakeConfig, FakeGemini, QuotaLimits};
//!
//! let server = FakeGemini::start(FakeConfig {
//!     limits: QuotaLimits { rpm: Some(15), ..QuotaLimits::UNLIMITED },
//!     time_scale: 60.0, // a quota minute lasts one second
//!     ..FakeConfig::default()
//! })
//! .await?;
//! println!("point the client at {}", server.base_url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

mod billing;
mod catalog;
mod config;
mod embed;
mod quota;
pub mod schema;
mod server;
mod text;
mod thinking;
mod wire;

pub use billing::{BilledCall, BillingTotals, Endpoint, FakeStats};
pub use config::{
    BatchFault, FakeConfig, Fault, QuotaErrorStyle, QuotaLimits, RandomFaults, DEFAULT_API_KEY,
};
pub use embed::{embed, DEFAULT_DIMENSIONS};
pub use server::{FakeGemini, FakeServer};
pub use text::token_count;
