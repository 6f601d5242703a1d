//! Async client for the Google Gemini REST API (`v1beta`).
//!
//! Every billable call returns a [`CallOutcome`]: the typed result *and* a [`CallRecord`]
//! with the HTTP status, latency and token [`Usage`]. Google bills some failures (answers cut
//! off at `MAX_TOKENS`, blocked prompts, unusable JSON), so usage is reported whenever the
//! server sent it, whatever the result.
//!
//! The client does not retry or rate-limit; callers use [`GeminiError::is_retryable`] and
//! [`GeminiError::retry_after`] to schedule that themselves.
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

mod client;
mod error;
mod family;
mod key;
mod types;

pub use client::{Client, ClientConfig, API_VERSION_PATH, DEFAULT_BASE_URL, MAX_EMBED_BATCH};
pub use error::{parse_proto_duration, GeminiError, QuotaScope, MAX_SERVER_DELAY};
pub use family::{model_family, ModelFamily};
pub use key::ApiKey;
pub use types::{
    CallOutcome, CallRecord, Content, GenerateContentRequest, Generated, GenerationConfig,
    HarmBlockThreshold, HarmCategory, ModelInfo, Part, Role, SafetySetting, TaskType,
    ThinkingConfig, Usage,
};
