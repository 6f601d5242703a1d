//! Request and result types of the public API.
//!
//! Request types serialize to the v1beta JSON wire format (lowerCamelCase, `None` fields
//! omitted), so they can also be stored and replayed.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::GeminiError;
use crate::family::{model_family, ModelFamily};

/// Who wrote a turn of the conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Model,
}

/// One text part of a [`Content`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub text: String,
}

/// One turn (or the system instruction): a role and its text parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Content {
    /// `None` for the system instruction, which carries no role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Role>,
    pub parts: Vec<Part>,
}

impl Content {
    /// A user turn with a single text part.
    pub fn user(text: impl Into<String>) -> Self {
        Self::with_role(Some(Role::User), text)
    }

    /// A model turn with a single text part (for few-shot examples or chat history).
    pub fn model(text: impl Into<String>) -> Self {
        Self::with_role(Some(Role::Model), text)
    }

    /// A role-less content, as used for [`GenerateContentRequest::system_instruction`].
    pub fn system(text: impl Into<String>) -> Self {
        Self::with_role(None, text)
    }

    fn with_role(role: Option<Role>, text: impl Into<String>) -> Self {
        Self {
            role,
            parts: vec![Part { text: text.into() }],
        }
    }
}

/// Harm categories accepted in [`SafetySetting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HarmCategory {
    #[serde(rename = "HARM_CATEGORY_HARASSMENT")]
    Harassment,
    #[serde(rename = "HARM_CATEGORY_HATE_SPEECH")]
    HateSpeech,
    #[serde(rename = "HARM_CATEGORY_SEXUALLY_EXPLICIT")]
    SexuallyExplicit,
    #[serde(rename = "HARM_CATEGORY_DANGEROUS_CONTENT")]
    DangerousContent,
    #[serde(rename = "HARM_CATEGORY_CIVIC_INTEGRITY")]
    CivicIntegrity,
}

/// Blocking thresholds accepted in [`SafetySetting`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HarmBlockThreshold {
    BlockLowAndAbove,
    BlockMediumAndAbove,
    BlockOnlyHigh,
    BlockNone,
    Off,
}

/// Per-category safety threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SafetySetting {
    pub category: HarmCategory,
    pub threshold: HarmBlockThreshold,
}

/// Thinking controls. Setting this on a model that cannot think is an error
/// ([`GeminiError::UnsupportedSetting`]).
///
/// Gemini 2.5 models take a `thinking_budget`; Gemini 3 models take a `thinking_level`
/// (see [`crate::ModelFamily::uses_thinking_level`]).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThinkingConfig {
    /// Token budget for thinking (2.5 models): `0` turns it off (Flash, Flash-Lite; 2.5 Pro
    /// cannot turn it off), `-1` is dynamic.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_budget: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_thoughts: Option<bool>,
    /// Gemini 3 models: `"minimal"`, `"low"`, `"medium"` or `"high"` (sent as
    /// `thinkingLevel`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_level: Option<String>,
}

/// Sampling and output-format options. Every field is optional; `None` means the model default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerationConfig {
    /// 0.0–2.0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// On 2.5 models thinking tokens count against this limit too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u32>,
    /// `text/plain` (default), `application/json` or `text/x.enum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_mime_type: Option<String>,
    /// A real JSON Schema. Cannot be combined with `response_schema`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_json_schema: Option<Value>,
    /// An OpenAPI-subset schema (upper-case types such as `"OBJECT"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_schema: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_config: Option<ThinkingConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub candidate_count: Option<u32>,
}

/// Body of `models/{model}:generateContent`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GenerateContentRequest {
    pub contents: Vec<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_instruction: Option<Content>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation_config: Option<GenerationConfig>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub safety_settings: Vec<SafetySetting>,
}

impl GenerateContentRequest {
    /// A request with a single user turn and nothing else set.
    pub fn from_user_text(text: impl Into<String>) -> Self {
        Self {
            contents: vec![Content::user(text)],
            ..Self::default()
        }
    }

    /// True when the caller asked for JSON output, so the client checks the answer parses.
    pub(crate) fn wants_json(&self) -> bool {
        self.generation_config
            .as_ref()
            .and_then(|config| config.response_mime_type.as_deref())
            .is_some_and(|mime| mime.eq_ignore_ascii_case("application/json"))
    }
}

/// A successful `generateContent` answer: the text of the first candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// Concatenated text of the first candidate's non-thought parts. For JSON requests the
    /// client has already checked that this parses as JSON.
    pub text: String,
    /// Wire value such as `STOP`; `None` if the server sent none.
    pub finish_reason: Option<String>,
    pub model_version: Option<String>,
    pub response_id: Option<String>,
}

/// Intended downstream use of an embedding, which tunes the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskType {
    RetrievalQuery,
    RetrievalDocument,
    SemanticSimilarity,
    Classification,
    Clustering,
    QuestionAnswering,
    FactVerification,
    CodeRetrievalQuery,
}

/// One entry of `GET /v1beta/models`.
///
/// Aliases such as `gemini-flash-latest` name their real model in `baseModelId`: use
/// [`ModelInfo::base_model`] and [`ModelInfo::family`] rather than the id to know what
/// answers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ModelInfo {
    /// Full resource name, e.g. `models/gemini-2.5-flash`.
    pub name: String,
    pub base_model_id: Option<String>,
    pub version: Option<String>,
    pub display_name: Option<String>,
    pub description: Option<String>,
    pub input_token_limit: Option<u64>,
    /// The largest `maxOutputTokens`; on thinking models thinking counts against it.
    pub output_token_limit: Option<u64>,
    /// E.g. `generateContent`, `countTokens`, `batchEmbedContents`.
    pub supported_generation_methods: Vec<String>,
    /// The endpoint's `thinking` field: whether the model thinks (and so accepts a
    /// `thinkingConfig`). `None` when the server did not say.
    pub thinking: Option<bool>,
}

impl ModelInfo {
    /// The model id without the `models/` prefix, as accepted by the [`crate::Client`] calls.
    pub fn id(&self) -> &str {
        self.name.strip_prefix("models/").unwrap_or(&self.name)
    }

    /// The model this entry really is: `baseModelId` when the server gave one (so an alias
    /// such as `gemini-flash-latest` resolves), else [`ModelInfo::id`].
    pub fn base_model(&self) -> &str {
        self.base_model_id
            .as_deref()
            .map(|base| base.strip_prefix("models/").unwrap_or(base).trim())
            .filter(|base| !base.is_empty())
            .unwrap_or_else(|| self.id())
    }

    /// The [`ModelFamily`] of [`ModelInfo::base_model`], falling back to the id's family when
    /// the base model is not recognised.
    pub fn family(&self) -> ModelFamily {
        match model_family(self.base_model()) {
            ModelFamily::Other => model_family(self.id()),
            family => family,
        }
    }

    /// True when the model lists `method` (e.g. `"generateContent"`) as supported.
    pub fn supports(&self, method: &str) -> bool {
        self.supported_generation_methods
            .iter()
            .any(|m| m == method)
    }
}

/// Token counters of one call, from the response's `usageMetadata`. Missing counters are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Usage {
    /// `promptTokenCount`; includes `cached_tokens`.
    pub prompt_tokens: u64,
    /// `cachedContentTokenCount`: the part of the prompt billed at the cache rate.
    pub cached_tokens: u64,
    /// `candidatesTokenCount`; excludes thinking.
    pub output_tokens: u64,
    /// `thoughtsTokenCount`.
    pub thinking_tokens: u64,
    /// `totalTokenCount` as reported.
    pub total_tokens: u64,
}

impl Usage {
    /// Prompt tokens billed at the full input rate.
    pub fn uncached_prompt_tokens(&self) -> u64 {
        self.prompt_tokens.saturating_sub(self.cached_tokens)
    }

    /// Tokens billed at the output rate: Google bills thinking as output.
    pub fn billed_output_tokens(&self) -> u64 {
        self.output_tokens + self.thinking_tokens
    }

    /// True when nothing was counted (e.g. the call failed before the model ran).
    pub fn is_zero(&self) -> bool {
        *self == Self::default()
    }
}

/// What a single HTTP call cost and how it went, whatever its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CallRecord {
    /// `None` when no HTTP response arrived (timeout, connection failure, rejected locally).
    pub http_status: Option<u16>,
    /// From sending the request to reading the whole body.
    pub latency: Duration,
    /// Zero unless the server reported usage.
    pub usage: Usage,
}

/// The result of a billable call together with its [`CallRecord`].
///
/// A call whose answer is unusable (cut off, blocked, invalid JSON) may still have been billed,
/// so `record.usage` is filled even when `result` is an error.
#[derive(Debug, Clone, PartialEq)]
pub struct CallOutcome<T> {
    pub record: CallRecord,
    pub result: Result<T, GeminiError>,
}

impl<T> CallOutcome<T> {
    /// Splits off the record, keeping the usage for billing and the result for the caller.
    pub fn into_parts(self) -> (CallRecord, Result<T, GeminiError>) {
        (self.record, self.result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn request_serializes_camel_case_and_skips_none() {
        let request = GenerateContentRequest {
            contents: vec![Content::user("hi")],
            system_instruction: Some(Content::system("be brief")),
            generation_config: Some(GenerationConfig {
                max_output_tokens: Some(64),
                response_mime_type: Some("application/json".into()),
                thinking_config: Some(ThinkingConfig {
                    thinking_budget: Some(0),
                    ..ThinkingConfig::default()
                }),
                ..GenerationConfig::default()
            }),
            safety_settings: vec![SafetySetting {
                category: HarmCategory::HateSpeech,
                threshold: HarmBlockThreshold::BlockOnlyHigh,
            }],
        };
        assert_eq!(
            serde_json::to_value(&request).unwrap(),
            json!({
                "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
                "systemInstruction": {"parts": [{"text": "be brief"}]},
                "generationConfig": {
                    "maxOutputTokens": 64,
                    "responseMimeType": "application/json",
                    "thinkingConfig": {"thinkingBudget": 0}
                },
                "safetySettings": [
                    {"category": "HARM_CATEGORY_HATE_SPEECH", "threshold": "BLOCK_ONLY_HIGH"}
                ]
            })
        );
    }

    #[test]
    fn usage_billing_helpers() {
        let usage = Usage {
            prompt_tokens: 100,
            cached_tokens: 40,
            output_tokens: 10,
            thinking_tokens: 5,
            total_tokens: 115,
        };
        assert_eq!(usage.uncached_prompt_tokens(), 60);
        assert_eq!(usage.billed_output_tokens(), 15);
        assert!(Usage::default().is_zero());
    }

    #[test]
    fn thinking_level_is_sent_as_camel_case_only_when_set() {
        let level = ThinkingConfig {
            thinking_level: Some("low".into()),
            ..ThinkingConfig::default()
        };
        assert_eq!(
            serde_json::to_value(&level).unwrap(),
            json!({"thinkingLevel": "low"})
        );
        assert_eq!(
            serde_json::to_value(ThinkingConfig::default()).unwrap(),
            json!({})
        );
    }

    #[test]
    fn model_info_reads_thinking_and_resolves_aliases() {
        let alias: ModelInfo = serde_json::from_value(json!({
            "name": "models/gemini-flash-latest",
            "baseModelId": "gemini-2.5-flash-preview-09-2025",
            "version": "2.5-preview-09-2025",
            "inputTokenLimit": 1048576,
            "outputTokenLimit": 65536,
            "supportedGenerationMethods": ["generateContent", "countTokens"],
            "temperature": 1,
            "thinking": true
        }))
        .unwrap();
        assert_eq!(alias.id(), "gemini-flash-latest");
        assert_eq!(alias.base_model(), "gemini-2.5-flash-preview-09-2025");
        assert_eq!(alias.thinking, Some(true));
        assert_eq!(alias.output_token_limit, Some(65536));
        assert_eq!(alias.family(), ModelFamily::Flash25);

        let pro_latest = ModelInfo {
            name: "models/gemini-pro-latest".into(),
            base_model_id: Some("models/gemini-2.5-pro".into()),
            ..ModelInfo::default()
        };
        assert_eq!(pro_latest.base_model(), "gemini-2.5-pro");
        assert_eq!(pro_latest.family(), ModelFamily::Pro25);

        let plain = ModelInfo {
            name: "models/gemini-2.0-flash".into(),
            base_model_id: Some(String::new()),
            ..ModelInfo::default()
        };
        assert_eq!(plain.base_model(), "gemini-2.0-flash");
        assert_eq!(plain.thinking, None);
        assert_eq!(plain.family(), ModelFamily::Gemini2);

        // An unknown base model falls back to what the id says.
        let odd = ModelInfo {
            name: "models/gemini-pro-latest".into(),
            base_model_id: Some("something-new".into()),
            ..ModelInfo::default()
        };
        assert_eq!(odd.family(), ModelFamily::Pro3);
    }
}
