//! A fake of the Gemini REST API (`v1beta`) for tests and benchmarks.
//!
//! It speaks the real wire format over real HTTP on 127.0.0.1, so the production client is
//! tested end to end:
//!
//! - `POST /v1beta/models/{model}:generateContent`, `:countTokens`, `:batchEmbedContents`,
//!   `GET /v1beta/models` (paged) and `GET /v1beta/models/{model}`;
//! - keys from the `x-goog-api-key` header or `?key=`, with Google's 400/403 envelopes;
//! - per (key, model) RPM, input-TPM and RPD limits answered with 429 `RESOURCE_EXHAUSTED`,
//!   `QuotaFailure` and `RetryInfo`, on a configurable time scale so a 15-RPM quota can be
//!   exercised in seconds;
//! - latency with seeded jitter, and scripted or random [`Fault`]s;
//! - JSON answers that conform to the request's `responseJsonSchema`/`responseSchema`
//!   (see [`schema`] for the one-item-per-enum-value convention);
//! - `usageMetadata` by a fixed rule (one token per started four characters) and a record of
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
pub use config::{FakeConfig, Fault, QuotaErrorStyle, QuotaLimits, RandomFaults, DEFAULT_API_KEY};
pub use embed::{embed, DEFAULT_DIMENSIONS};
pub use server::{FakeGemini, FakeServer};
pub use text::token_count;
