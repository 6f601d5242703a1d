//! What the fake would have charged, and request statistics.

use serde::{Deserialize, Serialize};

/// A billable endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Endpoint {
    GenerateContent,
    BatchEmbedContents,
    /// One answered request of a batch job (billed at the batch rate by the real API).
    BatchGenerateContent,
}

/// One call the real API would bill: every HTTP 200 from `generateContent` (including
/// `MAX_TOKENS`, blocked prompts and broken JSON) and `batchEmbedContents`. Error responses,
/// hangs and `countTokens` are free and not recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BilledCall {
    /// Model id without `models/`.
    pub model: String,
    pub endpoint: Endpoint,
    pub prompt_tokens: u64,
    pub cached_tokens: u64,
    pub output_tokens: u64,
    pub thinking_tokens: u64,
}

/// Sums over [`BilledCall`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BillingTotals {
    pub calls: u64,
    pub prompt_tokens: u64,
    pub cached_tokens: u64,
    pub output_tokens: u64,
    pub thinking_tokens: u64,
}

impl BillingTotals {
    pub fn of(calls: &[BilledCall]) -> Self {
        calls.iter().fold(Self::default(), |mut totals, call| {
            totals.calls += 1;
            totals.prompt_tokens += call.prompt_tokens;
            totals.cached_tokens += call.cached_tokens;
            totals.output_tokens += call.output_tokens;
            totals.thinking_tokens += call.thinking_tokens;
            totals
        })
    }
}

/// Counters since start, also served at `GET /_fake/stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FakeStats {
    /// Every request under `/v1beta`.
    pub requests: u64,
    pub generate_requests: u64,
    pub embed_requests: u64,
    pub count_tokens_requests: u64,
    /// 429s caused by the quota windows (not by injected faults).
    pub quota_rejections: u64,
    /// Scripted and random faults injected.
    pub faults_injected: u64,
    /// Requests that hung.
    pub hangs: u64,
    /// Batch jobs created.
    #[serde(default)]
    pub batch_jobs: u64,
}
