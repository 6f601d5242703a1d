//! The v1beta JSON wire format as the fake reads and writes it.
//!
//! Request types reject unknown field names, as the real API does ("Invalid JSON payload
//! received. Unknown name ..."), so a client that misspells a field fails here too. Both
//! lowerCamelCase and snake_case names are accepted, like Google's proto JSON parser.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::QuotaErrorStyle;
use crate::quota::{QuotaKind, Violation};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Part {
    pub text: Option<String>,
    // Other part kinds (inlineData, functionCall, ...) are accepted and ignored.
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Content {
    pub role: Option<String>,
    pub parts: Vec<Part>,
}

impl Content {
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|part| part.text.as_deref())
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ThinkingConfig {
    #[serde(alias = "thinking_budget")]
    pub thinking_budget: Option<i64>,
    #[serde(alias = "include_thoughts")]
    pub include_thoughts: Option<bool>,
    #[serde(alias = "thinking_level")]
    pub thinking_level: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerationConfig {
    pub temperature: Option<f64>,
    #[serde(alias = "top_p")]
    pub top_p: Option<f64>,
    #[serde(alias = "top_k")]
    pub top_k: Option<f64>,
    #[serde(alias = "candidate_count")]
    pub candidate_count: Option<u32>,
    #[serde(alias = "max_output_tokens")]
    pub max_output_tokens: Option<u64>,
    #[serde(alias = "stop_sequences")]
    pub stop_sequences: Option<Vec<String>>,
    pub seed: Option<i64>,
    #[serde(alias = "response_mime_type")]
    pub response_mime_type: Option<String>,
    #[serde(alias = "response_schema")]
    pub response_schema: Option<Value>,
    #[serde(alias = "response_json_schema", alias = "_responseJsonSchema")]
    pub response_json_schema: Option<Value>,
    #[serde(alias = "thinking_config")]
    pub thinking_config: Option<ThinkingConfig>,
    #[serde(alias = "presence_penalty")]
    pub presence_penalty: Option<f64>,
    #[serde(alias = "frequency_penalty")]
    pub frequency_penalty: Option<f64>,
    #[serde(alias = "response_logprobs")]
    pub response_logprobs: Option<bool>,
    pub logprobs: Option<i64>,
    #[serde(alias = "response_modalities")]
    pub response_modalities: Option<Value>,
    #[serde(alias = "media_resolution")]
    pub media_resolution: Option<Value>,
    #[serde(alias = "speech_config")]
    pub speech_config: Option<Value>,
    #[serde(alias = "enable_enhanced_civic_answers")]
    pub enable_enhanced_civic_answers: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateRequest {
    /// Present in the `countTokens` `generateContentRequest` form.
    pub model: Option<String>,
    pub contents: Vec<Content>,
    #[serde(alias = "system_instruction")]
    pub system_instruction: Option<Content>,
    #[serde(alias = "generation_config")]
    pub generation_config: Option<GenerationConfig>,
    #[serde(alias = "safety_settings")]
    pub safety_settings: Option<Value>,
    pub tools: Option<Value>,
    #[serde(alias = "tool_config")]
    pub tool_config: Option<Value>,
    #[serde(alias = "cached_content")]
    pub cached_content: Option<Value>,
}

impl GenerateRequest {
    /// All prompt text: the system instruction, then every turn.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.system_instruction
            .iter()
            .chain(&self.contents)
            .flat_map(Content::texts)
    }

    pub fn config(&self) -> &GenerationConfig {
        static EMPTY: GenerationConfig = GenerationConfig {
            temperature: None,
            top_p: None,
            top_k: None,
            candidate_count: None,
            max_output_tokens: None,
            stop_sequences: None,
            seed: None,
            response_mime_type: None,
            response_schema: None,
            response_json_schema: None,
            thinking_config: None,
            presence_penalty: None,
            frequency_penalty: None,
            response_logprobs: None,
            logprobs: None,
            response_modalities: None,
            media_resolution: None,
            speech_config: None,
            enable_enhanced_civic_answers: None,
        };
        self.generation_config.as_ref().unwrap_or(&EMPTY)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct CountTokensRequest {
    pub contents: Option<Vec<Content>>,
    #[serde(alias = "generate_content_request")]
    pub generate_content_request: Option<GenerateRequest>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct EmbedRequest {
    pub model: String,
    pub content: Content,
    #[serde(alias = "task_type")]
    pub task_type: Option<String>,
    pub title: Option<String>,
    #[serde(alias = "output_dimensionality")]
    pub output_dimensionality: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchEmbedRequest {
    pub requests: Vec<EmbedRequest>,
}

/// `{"error": {...}}` with Google's field order and optional `details`.
pub fn error_body(code: u16, status: &str, message: &str, details: Vec<Value>) -> Value {
    let mut error = json!({"code": code, "message": message, "status": status});
    if !details.is_empty() {
        error["details"] = Value::Array(details);
    }
    json!({ "error": error })
}

/// 400 for an unknown key, exactly as Google sends it.
pub fn invalid_key_body() -> Value {
    const MESSAGE: &str = "API key not valid. Please pass a valid API key.";
    error_body(
        400,
        "INVALID_ARGUMENT",
        MESSAGE,
        vec![
            json!({
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID",
                "domain": "googleapis.com",
                "metadata": {"service": "generativelanguage.googleapis.com"}
            }),
            json!({
                "@type": "type.googleapis.com/google.rpc.LocalizedMessage",
                "locale": "en-US",
                "message": MESSAGE
            }),
        ],
    )
}

/// 403 for a request without any key.
pub fn missing_key_body() -> Value {
    error_body(
        403,
        "PERMISSION_DENIED",
        "Method doesn't allow unregistered callers (callers without established identity). \
         Please use API Key or other form of API consumer identity to call this API.",
        Vec::new(),
    )
}

/// 403 for a key whose project has the API disabled.
pub fn disabled_key_body() -> Value {
    error_body(
        403,
        "PERMISSION_DENIED",
        "Generative Language API has not been used in this project before or it is disabled. \
         Enable it by visiting the API console, then retry.",
        vec![json!({
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "SERVICE_DISABLED",
            "domain": "googleapis.com",
            "metadata": {"service": "generativelanguage.googleapis.com"}
        })],
    )
}

/// 404 for a model that does not exist or does not support `method`.
pub fn model_not_found_body(model: &str, method: &str) -> Value {
    error_body(
        404,
        "NOT_FOUND",
        &format!(
            "models/{model} is not found for API version v1beta, or is not supported for \
             {method}. Call ListModels to see the list of available models and their \
             supported methods."
        ),
        Vec::new(),
    )
}

pub fn bad_request_body(message: &str) -> Value {
    error_body(400, "INVALID_ARGUMENT", message, Vec::new())
}

pub fn overloaded_body() -> Value {
    error_body(
        503,
        "UNAVAILABLE",
        "The model is overloaded. Please try again later.",
        Vec::new(),
    )
}

pub fn internal_body() -> Value {
    error_body(
        500,
        "INTERNAL",
        "An internal error has occurred. Please retry or report in \
         https://developers.generativeai.google/guide/troubleshooting",
        Vec::new(),
    )
}

pub fn deadline_body() -> Value {
    error_body(
        504,
        "DEADLINE_EXCEEDED",
        "The request timed out. Please try again.",
        Vec::new(),
    )
}

/// Formats a protobuf `Duration` the way Google does: whole seconds as `"13s"`, otherwise
/// milliseconds precision (`"1.250s"`). Rounded up so waiting that long is always enough.
pub fn proto_duration(duration: Duration) -> String {
    let millis = duration.as_nanos().div_ceil(1_000_000).max(1);
    let (secs, rest) = (millis / 1000, millis % 1000);
    if rest == 0 {
        format!("{secs}s")
    } else {
        format!("{secs}.{rest:03}s")
    }
}

/// The 429 body for broken limits: Help, QuotaFailure (one violation per broken limit, all
/// listed together as in google-gemini/gemini-cli#8437) and RetryInfo with the longest wait,
/// trimmed to `style`.
pub fn quota_body(
    violations: &[Violation],
    model: &str,
    embedding: bool,
    style: QuotaErrorStyle,
) -> Value {
    let retry_after = violations
        .iter()
        .map(|violation| violation.retry_after)
        .max()
        .unwrap_or(Duration::from_secs(1));
    let mut lines = Vec::new();
    let quota_violations: Vec<Value> = violations
        .iter()
        .map(|violation| {
            let (value, metric) =
                quota_violation(violation.kind, violation.limit, model, embedding);
            lines.push(format!(
                "* Quota exceeded for metric: {metric}, limit: {}, model: {model}",
                violation.limit
            ));
            value
        })
        .collect();
    let message = format!(
        "{QUOTA_MESSAGE} For more information on this error, head to: \
         https://ai.google.dev/gemini-api/docs/rate-limits.\n{}\nPlease retry in {:.3}s.",
        lines.join("\n"),
        retry_after.as_secs_f64()
    );
    quota_error(&message, quota_violations, retry_after, style)
}

/// A quota-style 429 for an injected fault: one violation of `kind` with `limit` as its
/// `quotaValue`.
pub fn injected_quota_body(
    model: &str,
    kind: QuotaKind,
    limit: u64,
    retry_after: Duration,
    style: QuotaErrorStyle,
) -> Value {
    let (violation, _) = quota_violation(kind, limit, model, false);
    quota_error(QUOTA_MESSAGE, vec![violation], retry_after, style)
}

/// A 429 with no details whatever the style, as Google sometimes sends.
pub fn bare_quota_body() -> Value {
    error_body(
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted (e.g. check quota).",
        Vec::new(),
    )
}

/// 400 `FAILED_PRECONDITION` when the key's project must enable billing.
pub fn billing_required_body() -> Value {
    error_body(
        400,
        "FAILED_PRECONDITION",
        "Gemini API free tier is not available in your country. Please enable billing on your \
         project in Google AI Studio.",
        Vec::new(),
    )
}

/// 400 `FAILED_PRECONDITION` for a caller in an unsupported region.
pub fn region_unsupported_body() -> Value {
    error_body(
        400,
        "FAILED_PRECONDITION",
        "User location is not supported for the API use.",
        Vec::new(),
    )
}

/// 402 when prepaid credits are used up.
pub fn out_of_credit_body() -> Value {
    error_body(
        402,
        "RESOURCE_EXHAUSTED",
        "Your prepayment credits are depleted. Please go to AI Studio at \
         https://ai.studio/projects to manage your project and billing.",
        Vec::new(),
    )
}

const QUOTA_MESSAGE: &str =
    "You exceeded your current quota, please check your plan and billing details.";

/// One QuotaFailure violation, and its metric name for the message.
fn quota_violation(kind: QuotaKind, limit: u64, model: &str, embedding: bool) -> (Value, String) {
    let prefix = if embedding {
        "EmbedContent"
    } else {
        "GenerateContent"
    };
    let metric_prefix = if embedding {
        "embed_content"
    } else {
        "generate_content"
    };
    let (metric, quota_id) = match kind {
        QuotaKind::RequestsPerMinute => (
            format!("{metric_prefix}_free_tier_requests"),
            format!(
                "{}RequestsPerMinutePerProjectPerModel-FreeTier",
                short(prefix)
            ),
        ),
        QuotaKind::InputTokensPerMinute => (
            format!("{metric_prefix}_free_tier_input_token_count"),
            format!("{prefix}InputTokensPerModelPerMinute-FreeTier"),
        ),
        QuotaKind::RequestsPerDay => (
            format!("{metric_prefix}_free_tier_requests"),
            format!("{}RequestsPerDayPerProjectPerModel-FreeTier", short(prefix)),
        ),
    };
    let metric = format!("generativelanguage.googleapis.com/{metric}");
    let violation = json!({
        "quotaMetric": metric,
        "quotaId": quota_id,
        "quotaDimensions": {"location": "global", "model": model},
        "quotaValue": limit.to_string()
    });
    (violation, metric)
}

fn quota_error(
    message: &str,
    violations: Vec<Value>,
    retry_after: Duration,
    style: QuotaErrorStyle,
) -> Value {
    let help = json!({
        "@type": "type.googleapis.com/google.rpc.Help",
        "links": [{"description": "Learn more about Gemini API quotas",
                   "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]
    });
    let details = match style {
        QuotaErrorStyle::Full => vec![
            help,
            json!({
                "@type": "type.googleapis.com/google.rpc.QuotaFailure",
                "violations": violations
            }),
            json!({
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": proto_duration(retry_after)
            }),
        ],
        QuotaErrorStyle::HelpOnly => vec![help],
        QuotaErrorStyle::Bare => Vec::new(),
    };
    error_body(429, "RESOURCE_EXHAUSTED", message, details)
}

/// Real request-count quota ids say `Generate`/`EmbedContent`, token ids `GenerateContent`.
fn short(prefix: &str) -> &str {
    if prefix == "GenerateContent" {
        "Generate"
    } else {
        prefix
    }
}

/// Token counters of one response.
#[derive(Debug, Clone, Copy, Default)]
pub struct UsageCounts {
    /// Includes `cached`, as Google's `promptTokenCount` does.
    pub prompt: u64,
    /// The part of `prompt` served from the (implicit) cache.
    pub cached: u64,
    pub output: u64,
    pub thinking: u64,
}

impl UsageCounts {
    /// `usageMetadata`. Like proto3 JSON, zero counters other than prompt and total are
    /// left out, so clients must treat missing counters as 0.
    pub fn to_json(self) -> Value {
        let mut usage = json!({
            "promptTokenCount": self.prompt,
            "totalTokenCount": self.prompt + self.output + self.thinking,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": self.prompt}]
        });
        if self.cached > 0 {
            usage["cachedContentTokenCount"] = json!(self.cached);
            usage["cacheTokensDetails"] = json!([{"modality": "TEXT", "tokenCount": self.cached}]);
        }
        if self.output > 0 {
            usage["candidatesTokenCount"] = json!(self.output);
        }
        if self.thinking > 0 {
            usage["thoughtsTokenCount"] = json!(self.thinking);
        }
        usage
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_format_like_google() {
        assert_eq!(proto_duration(Duration::from_secs(13)), "13s");
        assert_eq!(proto_duration(Duration::from_millis(1250)), "1.250s");
        assert_eq!(proto_duration(Duration::from_micros(1)), "0.001s");
        assert_eq!(
            proto_duration(Duration::from_nanos(2_000_000_001)),
            "2.001s"
        );
    }

    #[test]
    fn unknown_fields_are_rejected_and_snake_case_accepted() {
        let snake: GenerateRequest = serde_json::from_value(json!({
            "contents": [], "system_instruction": {"parts": [{"text": "x"}]},
            "generation_config": {"max_output_tokens": 5, "response_mime_type": "application/json"}
        }))
        .unwrap();
        assert_eq!(snake.config().max_output_tokens, Some(5));
        let typo = serde_json::from_value::<GenerateRequest>(json!({
            "contents": [], "generationConfig": {"maxTokens": 5}
        }));
        assert!(typo.unwrap_err().to_string().contains("maxTokens"));
    }
}
