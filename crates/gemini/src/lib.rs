//! Async client for the Google Gemini REST API (`v1beta`).
//!
//! Every billable call returns a [`CallOutcome`]: the typed result *and* a [`CallRecord`]
//! with the HTTP status, latency and token [`Usage`]. Google bills some failures (answers cut
//! off at `MAX_TOKENS`, blocked prompts, unusable JSON), so usage is reported whenever the
//! server sent it, whatever the result.
//!
//! The client does not retry or rate-limit; callers schedule that themselves from the error:
//!
//! - [`GeminiError::is_transient`]: retry with backoff, honouring [`GeminiError::retry_after`]
//!   (overload, server errors, timeouts, connection failures, per-minute quotas).
//! - [`GeminiError::is_permanent`]: stop, nothing will work until the user changes the key,
//!   the account, the model or the generation settings.
//! - [`GeminiError::quota_scope`]: which limit a 429 hit. Google lists every exceeded limit in
//!   the 429's `QuotaFailure`; a per-day one ([`QuotaScope::PerDay`]) means nothing more
//!   today, even though Google still sends a short `RetryInfo` delay with it, so a run must
//!   stop rather than retry. Some 429s carry no details at all (even for paid accounts):
//!   their scope is [`QuotaScope::Unspecified`] and they are treated as transient.
//! - Delays from the server are clamped to [`MAX_SERVER_DELAY`] (24 h).
//!
//! [`GeminiError::is_retryable`] (every quota error retryable, as Google's SDKs do) is kept
//! for compatibility.
//!
//! [`model_family`] and [`ModelInfo::family`] tell model generations apart (thinking budgets
//! on 2.5, [`ThinkingConfig::thinking_level`] on 3, no thinking on 2.0).
//!
//! ```no_run
//! # async fn demo() -> Result<(), gemini::GeminiError> {
//! use gemini::{ApiKey, Client, ClientConfig, GenerateContentRequest};
//!
//! let client = Client::new(ClientConfig::new(ApiKey::new("AIza...")))?;
//! let outcome = client
//!     .generate_content("gemini-2.5-flash", &GenerateContentRequest::from_user_text("Hi!"))
//!     .await;
//! println!("billed output tokens: {}", outcome.record.usage.billed_output_tokens());
//! let reply = outcome.result?;
//! println!("{}", reply.text);
//! # Ok(()) }
//! ```

mod batch;
mod client;
mod error;
mod family;
mod key;
mod server;
mod types;

pub use batch::{
    inline_request_bytes, BatchAnswer, BatchJob, BatchOutput, BatchPage, BatchState, BatchStats,
    MAX_INLINE_BATCH_BYTES,
};
pub use client::{Client, ClientConfig, API_VERSION_PATH, DEFAULT_BASE_URL, MAX_EMBED_BATCH};
pub use error::{parse_proto_duration, GeminiError, QuotaScope, MAX_SERVER_DELAY};
pub use family::{model_family, ModelFamily};
pub use key::ApiKey;
pub use server::ServerAddress;
pub use types::{
    CallOutcome, CallRecord, Content, GenerateContentRequest, Generated, GenerationConfig,
    HarmBlockThreshold, HarmCategory, ModelInfo, Part, Role, SafetySetting, TaskType,
    ThinkingConfig, Usage,
};
