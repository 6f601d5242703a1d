//! The HTTP client.

use std::fmt;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderValue, RETRY_AFTER};
use serde::de::IgnoredAny;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{error_from_status, GeminiError, MAX_SERVER_DELAY};
use crate::key::ApiKey;
use crate::types::{
    CallOutcome, CallRecord, Content, GenerateContentRequest, Generated, ModelInfo, TaskType, Usage,
};

/// Production endpoint; tests point [`ClientConfig::base_url`] at a fake server instead.
pub const DEFAULT_BASE_URL: &str = "https://generativelanguage.googleapis.com";
/// API version path appended to the base URL.
pub const API_VERSION_PATH: &str = "/v1beta";
/// Most texts `batchEmbedContents` accepts in one call.
pub const MAX_EMBED_BATCH: usize = 100;
/// Header the official SDKs use for the key; it keeps the key out of URLs and logs.
const API_KEY_HEADER: &str = "x-goog-api-key";
/// Largest page the models list serves.
const MODELS_PAGE_SIZE: &str = "1000";
/// Guards against a server that keeps handing out page tokens.
const MAX_MODEL_PAGES: usize = 100;

/// Settings for [`Client::new`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Scheme and host, without the version path, e.g. [`DEFAULT_BASE_URL`].
    pub base_url: String,
    pub api_key: ApiKey,
    /// Limit for a whole call, from sending to reading the last body byte.
    pub request_timeout: Duration,
}

impl ClientConfig {
    /// Production URL and a 60-second timeout.
    pub fn new(api_key: ApiKey) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            api_key,
            request_timeout: Duration::from_secs(60),
        }
    }
}

/// Async Gemini REST client. Cheap to clone: clones share one connection pool.
///
/// The client never retries; [`GeminiError::is_transient`], [`GeminiError::is_permanent`],
/// [`GeminiError::quota_scope`] and [`GeminiError::retry_after`] give the caller what it needs
/// to schedule retries against its own rate limits, or to stop.
#[derive(Clone)]
pub struct Client {
    pub(crate) http: reqwest::Client,
    /// Base URL plus [`API_VERSION_PATH`], without a trailing slash.
    pub(crate) api_root: String,
    /// Base URL without the version path (file downloads live beside it).
    pub(crate) base_url: String,
    api_key: ApiKey,
    key_header: HeaderValue,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_root", &self.api_root)
            .field("api_key", &self.api_key)
            .finish_non_exhaustive()
    }
}

/// A response whose headers and body arrived.
struct RawResponse {
    status: u16,
    body: Vec<u8>,
    retry_after_header: Option<Duration>,
}

/// A failed exchange, with the status if headers had arrived before the failure.
struct FailedExchange {
    http_status: Option<u16>,
    error: GeminiError,
}

impl Client {
    /// Builds a client. Fails on an empty key, a key that is not a valid header value, or a
    /// server address [`crate::ServerAddress::parse`] refuses (plain http beyond this computer).
    pub fn new(config: ClientConfig) -> Result<Self, GeminiError> {
        let invalid = |message: &str| GeminiError::InvalidConfig {
            message: message.to_owned(),
        };
        if config.api_key.is_empty() {
            return Err(invalid("the API key is empty"));
        }
        let mut key_header = HeaderValue::from_str(config.api_key.expose())
            .map_err(|_| invalid("the API key contains characters not allowed in a header"))?;
        // Keeps the value out of the http crate's Debug output.
        key_header.set_sensitive(true);

        // The key goes only where a parsed address allows: https anywhere, http to loopback.
        let address = crate::ServerAddress::parse(&config.base_url)
            .map_err(|reason| invalid(&format!("the server address is refused: {reason}")))?;
        let base_url = address.as_str();

        let http = reqwest::Client::builder()
            .timeout(config.request_timeout)
            .connect_timeout(config.request_timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("comment-finder-gemini/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| GeminiError::InvalidConfig {
                message: innermost_cause(&error),
            })?;

        Ok(Self {
            http,
            api_root: format!("{base_url}{API_VERSION_PATH}"),
            base_url: base_url.to_owned(),
            api_key: config.api_key,
            key_header,
        })
    }

    /// `POST models/{model}:generateContent`; the answer is the first candidate's text.
    ///
    /// When `generationConfig.responseMimeType` is `application/json`, text that does not
    /// parse as JSON is reported as [`GeminiError::UnusableOutput`] (with its usage).
    pub async fn generate_content(
        &self,
        model: &str,
        request: &GenerateContentRequest,
    ) -> CallOutcome<Generated> {
        let url = match self.model_url(model, "generateContent") {
            Ok(url) => url,
            Err(error) => return rejected_locally(error),
        };
        let started = Instant::now();
        let exchange = self.exchange(self.http.post(url).json(request)).await;
        let latency = started.elapsed();
        self.billable_outcome(exchange, latency, |body| {
            interpret_generate(body, request.wants_json())
        })
    }

    /// `POST models/{model}:batchEmbedContents`: one vector per text, in order.
    ///
    /// More than [`MAX_EMBED_BATCH`] texts are rejected before sending; no texts return an
    /// empty list without a call. The Developer API reports no `usageMetadata` for
    /// embeddings, so `record.usage` is zero unless the server sends one; estimate the cost
    /// with [`Client::count_tokens`] if it matters.
    pub async fn batch_embed_contents(
        &self,
        model: &str,
        texts: &[String],
        task_type: Option<TaskType>,
        output_dimensionality: Option<u32>,
    ) -> CallOutcome<Vec<Vec<f32>>> {
        if texts.len() > MAX_EMBED_BATCH {
            return rejected_locally(GeminiError::BadRequest {
                message: format!(
                    "{} texts given, but at most {MAX_EMBED_BATCH} can be embedded in one call",
                    texts.len()
                ),
            });
        }
        if texts.is_empty() {
            return CallOutcome {
                record: CallRecord::default(),
                result: Ok(Vec::new()),
            };
        }
        let (url, id) = match self
            .model_url(model, "batchEmbedContents")
            .and_then(|url| model_id(model).map(|id| (url, id)))
        {
            Ok(parts) => parts,
            Err(error) => return rejected_locally(error),
        };
        let resource = format!("models/{id}");
        let body = EmbedBatchRequest {
            requests: texts
                .iter()
                .map(|text| EmbedRequest {
                    model: &resource,
                    content: Content {
                        role: None,
                        parts: vec![crate::types::Part { text: text.clone() }],
                    },
                    task_type,
                    output_dimensionality,
                })
                .collect(),
        };
        let started = Instant::now();
        let exchange = self.exchange(self.http.post(url).json(&body)).await;
        let latency = started.elapsed();
        self.billable_outcome(exchange, latency, |body| {
            interpret_embeddings(body, texts.len())
        })
    }

    /// `POST models/{model}:countTokens` (free): tokens the contents would use as a prompt.
    pub async fn count_tokens(
        &self,
        model: &str,
        contents: &[Content],
    ) -> Result<u64, GeminiError> {
        #[derive(Serialize)]
        struct CountRequest<'a> {
            contents: &'a [Content],
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct CountResponse {
            #[serde(default)]
            total_tokens: u64,
        }
        let url = self.model_url(model, "countTokens")?;
        let body = self
            .free_call(self.http.post(url).json(&CountRequest { contents }))
            .await?;
        parse_json::<CountResponse>(&body).map(|response| response.total_tokens)
    }

    /// `GET models`, following `nextPageToken` to the end. A cheap way to check a key.
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>, GeminiError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct ModelsPage {
            #[serde(default)]
            models: Vec<ModelInfo>,
            #[serde(default)]
            next_page_token: Option<String>,
        }
        let url = format!("{}/models", self.api_root);
        let mut models = Vec::new();
        let mut page_token: Option<String> = None;
        for _ in 0..MAX_MODEL_PAGES {
            let mut page_url =
                reqwest::Url::parse(&url).map_err(|_| GeminiError::InvalidConfig {
                    message: "the base URL is not a valid URL".to_owned(),
                })?;
            page_url
                .query_pairs_mut()
                .append_pair("pageSize", MODELS_PAGE_SIZE);
            if let Some(token) = page_token.as_deref() {
                page_url.query_pairs_mut().append_pair("pageToken", token);
            }
            let body = self.free_call(self.http.get(page_url)).await?;
            let page: ModelsPage = parse_json(&body)?;
            models.extend(page.models);
            match page.next_page_token.filter(|token| !token.is_empty()) {
                Some(token) => page_token = Some(token),
                None => return Ok(models),
            }
        }
        Err(GeminiError::UnusableOutput {
            reason: format!("the models list did not end after {MAX_MODEL_PAGES} pages"),
        })
    }

    /// `GET models/{model}`: one model's metadata (404 [`GeminiError::NotFound`] if unknown).
    pub async fn get_model(&self, model: &str) -> Result<ModelInfo, GeminiError> {
        let url = format!("{}/models/{}", self.api_root, model_id(model)?);
        let body = self.free_call(self.http.get(url)).await?;
        parse_json(&body)
    }

    pub(crate) fn model_url(&self, model: &str, method: &str) -> Result<String, GeminiError> {
        Ok(format!(
            "{}/models/{}:{method}",
            self.api_root,
            model_id(model)?
        ))
    }

    /// Sends a request with the key and reads the whole body.
    async fn exchange(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<RawResponse, FailedExchange> {
        let response = request
            .header(API_KEY_HEADER, self.key_header.clone())
            .send()
            .await
            .map_err(|error| FailedExchange {
                http_status: None,
                error: self.transport_error(error),
            })?;
        let status = response.status().as_u16();
        let retry_after_header = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok())
            .and_then(parse_retry_after);
        let body = response.bytes().await.map_err(|error| FailedExchange {
            http_status: Some(status),
            error: self.transport_error(error),
        })?;
        Ok(RawResponse {
            status,
            body: body.to_vec(),
            retry_after_header,
        })
    }

    /// Turns an exchange into a [`CallOutcome`], letting `interpret` read usage from a 2xx body.
    fn billable_outcome<T>(
        &self,
        exchange: Result<RawResponse, FailedExchange>,
        latency: Duration,
        interpret: impl FnOnce(&[u8]) -> (Usage, Result<T, GeminiError>),
    ) -> CallOutcome<T> {
        let raw = match exchange {
            Ok(raw) => raw,
            Err(failed) => {
                return CallOutcome {
                    record: CallRecord {
                        http_status: failed.http_status,
                        latency,
                        usage: Usage::default(),
                    },
                    result: Err(failed.error),
                }
            }
        };
        let (usage, result) = if (200..300).contains(&raw.status) {
            interpret(&raw.body)
        } else {
            // Error responses carry no usage and are not billed.
            (Usage::default(), Err(self.status_error(&raw)))
        };
        CallOutcome {
            record: CallRecord {
                http_status: Some(raw.status),
                latency,
                usage,
            },
            result: result.map_err(|error| self.scrub(error)),
        }
    }

    /// For free endpoints: the 2xx body, or the error.
    pub(crate) async fn free_call(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<Vec<u8>, GeminiError> {
        let raw = self
            .exchange(request)
            .await
            .map_err(|failed| failed.error)?;
        if (200..300).contains(&raw.status) {
            Ok(raw.body)
        } else {
            Err(self.status_error(&raw))
        }
    }

    fn status_error(&self, raw: &RawResponse) -> GeminiError {
        self.scrub(error_from_status(
            raw.status,
            &raw.body,
            raw.retry_after_header,
        ))
    }

    fn transport_error(&self, error: reqwest::Error) -> GeminiError {
        let error = error.without_url();
        let mapped = if error.is_timeout() {
            GeminiError::Timeout
        } else if error.is_builder() {
            GeminiError::BadRequest {
                message: innermost_cause(&error),
            }
        } else {
            GeminiError::Connection {
                message: innermost_cause(&error),
            }
        };
        self.scrub(mapped)
    }

    /// Removes the key from any message that came from outside this crate, in case a server
    /// or proxy echoes it back.
    pub(crate) fn scrub(&self, error: GeminiError) -> GeminiError {
        let key = self.api_key.expose();
        let clean = |text: String| text.replace(key, "<redacted>");
        match error {
            GeminiError::PermissionDenied { message } => GeminiError::PermissionDenied {
                message: clean(message),
            },
            GeminiError::NotFound { message } => GeminiError::NotFound {
                message: clean(message),
            },
            GeminiError::Quota {
                retry_after,
                quota_id,
                message,
                scope,
                quota_value,
            } => GeminiError::Quota {
                retry_after,
                quota_id: quota_id.map(clean),
                message: clean(message),
                scope,
                quota_value,
            },
            GeminiError::AccountNotEligible { message } => GeminiError::AccountNotEligible {
                message: clean(message),
            },
            GeminiError::OutOfCredit { message } => GeminiError::OutOfCredit {
                message: clean(message),
            },
            GeminiError::UnsupportedSetting { message } => GeminiError::UnsupportedSetting {
                message: clean(message),
            },
            GeminiError::Connection { message } => GeminiError::Connection {
                message: clean(message),
            },
            GeminiError::BadRequest { message } => GeminiError::BadRequest {
                message: clean(message),
            },
            GeminiError::PromptBlocked { reason } => GeminiError::PromptBlocked {
                reason: clean(reason),
            },
            GeminiError::Stopped { reason } => GeminiError::Stopped {
                reason: clean(reason),
            },
            GeminiError::UnusableOutput { reason } => GeminiError::UnusableOutput {
                reason: clean(reason),
            },
            GeminiError::Http { status, message } => GeminiError::Http {
                status,
                message: clean(message),
            },
            GeminiError::InvalidConfig { message } => GeminiError::InvalidConfig {
                message: clean(message),
            },
            GeminiError::BatchRequestFailed { code, message } => GeminiError::BatchRequestFailed {
                code,
                message: clean(message),
            },
            other @ (GeminiError::InvalidKey
            | GeminiError::Overloaded
            | GeminiError::Server { .. }
            | GeminiError::Timeout
            | GeminiError::Truncated { .. }) => other,
        }
    }
}

/// A `Retry-After` header in delay-seconds, clamped to [`MAX_SERVER_DELAY`]: a number of
/// seconds too large even for a `u64` is clamped rather than ignored. The HTTP-date form is
/// not read (`None`).
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(
        value
            .parse::<u64>()
            .map_or(MAX_SERVER_DELAY, Duration::from_secs)
            .min(MAX_SERVER_DELAY),
    )
}

/// `gemini-2.5-flash` or `models/gemini-2.5-flash` → `gemini-2.5-flash`, refusing anything
/// that could change the URL path.
fn model_id(model: &str) -> Result<&str, GeminiError> {
    let id = model.strip_prefix("models/").unwrap_or(model);
    let valid = !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        Ok(id)
    } else {
        Err(GeminiError::BadRequest {
            message: format!("{model:?} is not a valid model name"),
        })
    }
}

fn rejected_locally<T>(error: GeminiError) -> CallOutcome<T> {
    CallOutcome {
        record: CallRecord::default(),
        result: Err(error),
    }
}

/// The deepest `source()` message, which names the actual cause (e.g. "Connection refused").
fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(source) = current.source() {
        current = source;
    }
    current.to_string()
}

pub(crate) fn parse_json<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, GeminiError> {
    serde_json::from_slice(body).map_err(|error| GeminiError::UnusableOutput {
        reason: format!("the response body could not be read: {error}"),
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EmbedRequest<'a> {
    model: &'a str,
    content: Content,
    #[serde(skip_serializing_if = "Option::is_none")]
    task_type: Option<TaskType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    output_dimensionality: Option<u32>,
}

#[derive(Serialize)]
struct EmbedBatchRequest<'a> {
    requests: Vec<EmbedRequest<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireUsage {
    prompt_token_count: u64,
    cached_content_token_count: u64,
    candidates_token_count: u64,
    thoughts_token_count: u64,
    total_token_count: u64,
}

impl From<WireUsage> for Usage {
    fn from(wire: WireUsage) -> Self {
        Self {
            prompt_tokens: wire.prompt_token_count,
            cached_tokens: wire.cached_content_token_count,
            output_tokens: wire.candidates_token_count,
            thinking_tokens: wire.thoughts_token_count,
            total_tokens: wire.total_token_count,
        }
    }
}

/// Reads `usageMetadata` on its own, so usage survives a response whose other parts fail
/// to parse.
fn usage_of(response: &Value) -> Usage {
    response
        .get("usageMetadata")
        .and_then(|usage| WireUsage::deserialize(usage).ok())
        .map(Usage::from)
        .unwrap_or_default()
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireGenerateResponse {
    candidates: Vec<WireCandidate>,
    prompt_feedback: Option<WirePromptFeedback>,
    model_version: Option<String>,
    response_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WireCandidate {
    content: Option<WireContent>,
    finish_reason: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireContent {
    parts: Vec<WirePart>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WirePart {
    text: Option<String>,
    /// Thought summaries (with `includeThoughts`) are not part of the answer.
    thought: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WirePromptFeedback {
    block_reason: Option<String>,
}

fn interpret_generate(body: &[u8], wants_json: bool) -> (Usage, Result<Generated, GeminiError>) {
    let unusable = |reason: &str| GeminiError::UnusableOutput {
        reason: reason.to_owned(),
    };
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return (
            Usage::default(),
            Err(unusable("the response body is not valid JSON")),
        );
    };
    interpret_generate_value(&value, wants_json)
}

/// Classifies a 200 `generateContent` answer (a body, or one answer of a batch job). Usage is
/// returned in every case it can be read.
pub(crate) fn interpret_generate_value(
    value: &Value,
    wants_json: bool,
) -> (Usage, Result<Generated, GeminiError>) {
    let unusable = |reason: &str| GeminiError::UnusableOutput {
        reason: reason.to_owned(),
    };
    let usage = usage_of(value);
    let response = match WireGenerateResponse::deserialize(value) {
        Ok(response) => response,
        Err(error) => {
            return (
                usage,
                Err(GeminiError::UnusableOutput {
                    reason: format!("the response has an unexpected shape: {error}"),
                }),
            )
        }
    };

    let Some(candidate) = response.candidates.into_iter().next() else {
        let block_reason = response
            .prompt_feedback
            .and_then(|feedback| feedback.block_reason)
            .filter(|reason| !reason.is_empty());
        let error = match block_reason {
            Some(reason) => GeminiError::PromptBlocked { reason },
            None => unusable("the response has no candidates"),
        };
        return (usage, Err(error));
    };

    let text: String = candidate
        .content
        .map(|content| content.parts)
        .unwrap_or_default()
        .into_iter()
        .filter(|part| part.thought != Some(true))
        .filter_map(|part| part.text)
        .collect();
    let finish_reason = candidate.finish_reason.filter(|reason| !reason.is_empty());

    let result = match finish_reason.as_deref() {
        Some("MAX_TOKENS") => Err(GeminiError::Truncated {
            thinking_exhausted: text.trim().is_empty() && usage.thinking_tokens > 0,
        }),
        None | Some("STOP") => {
            if text.trim().is_empty() {
                Err(unusable("the answer is empty"))
            } else if wants_json && serde_json::from_str::<IgnoredAny>(&text).is_err() {
                Err(unusable("the answer is not valid JSON"))
            } else {
                Ok(Generated {
                    text,
                    finish_reason,
                    model_version: response.model_version,
                    response_id: response.response_id,
                })
            }
        }
        Some(other) => Err(GeminiError::Stopped {
            reason: other.to_owned(),
        }),
    };
    (usage, result)
}

/// Reads a 200 `batchEmbedContents` body, checking one embedding came back per text.
fn interpret_embeddings(
    body: &[u8],
    expected: usize,
) -> (Usage, Result<Vec<Vec<f32>>, GeminiError>) {
    #[derive(Deserialize)]
    struct EmbedResponse {
        #[serde(default)]
        embeddings: Vec<Embedding>,
    }
    #[derive(Deserialize)]
    struct Embedding {
        #[serde(default)]
        values: Vec<f32>,
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return (
            Usage::default(),
            Err(GeminiError::UnusableOutput {
                reason: "the response body is not valid JSON".to_owned(),
            }),
        );
    };
    let usage = usage_of(&value);
    let result = match EmbedResponse::deserialize(&value) {
        Ok(response) if response.embeddings.len() == expected => Ok(response
            .embeddings
            .into_iter()
            .map(|embedding| embedding.values)
            .collect()),
        Ok(response) => Err(GeminiError::UnusableOutput {
            reason: format!(
                "expected {expected} embeddings, got {}",
                response.embeddings.len()
            ),
        }),
        Err(error) => Err(GeminiError::UnusableOutput {
            reason: format!("the response has an unexpected shape: {error}"),
        }),
    };
    (usage, result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn generate(body: Value, wants_json: bool) -> (Usage, Result<Generated, GeminiError>) {
        interpret_generate(&serde_json::to_vec(&body).unwrap(), wants_json)
    }

    #[test]
    fn retry_after_header_is_clamped() {
        assert_eq!(parse_retry_after(" 30 "), Some(Duration::from_secs(30)));
        assert_eq!(
            parse_retry_after("99999999999999999"),
            Some(MAX_SERVER_DELAY)
        );
        assert_eq!(
            parse_retry_after("999999999999999999999999999999"),
            Some(MAX_SERVER_DELAY)
        );
        for ignored in ["", "-5", "1.5", "Wed, 21 Oct 2026 07:28:00 GMT"] {
            assert_eq!(parse_retry_after(ignored), None, "{ignored:?}");
        }
    }

    #[test]
    fn cached_and_thinking_tokens_are_read() {
        // The real usageMetadata of vercel/ai#6082, with an implicit-cache hit added.
        let (usage, result) = generate(
            json!({"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]},
                "finishReason": "STOP"}],
             "usageMetadata": {"promptTokenCount": 7477, "candidatesTokenCount": 2060,
                "thoughtsTokenCount": 1939, "totalTokenCount": 11476,
                "cachedContentTokenCount": 4096,
                "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 7477}],
                "cacheTokensDetails": [{"modality": "TEXT", "tokenCount": 4096}]}}),
            false,
        );
        assert!(result.is_ok());
        assert_eq!(
            usage,
            Usage {
                prompt_tokens: 7477,
                cached_tokens: 4096,
                output_tokens: 2060,
                thinking_tokens: 1939,
                total_tokens: 11476,
            }
        );
        assert_eq!(usage.uncached_prompt_tokens(), 7477 - 4096);
        assert_eq!(usage.billed_output_tokens(), 2060 + 1939);
    }

    #[test]
    fn model_names_are_validated() {
        assert_eq!(
            model_id("models/gemini-2.5-flash").unwrap(),
            "gemini-2.5-flash"
        );
        assert_eq!(model_id("gemini-2.0-flash").unwrap(), "gemini-2.0-flash");
        for bad in ["", "models/", "a/b", "x:generateContent", "x?key=1", "a b"] {
            assert!(model_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn thought_parts_are_excluded_and_usage_read() {
        let (usage, result) = generate(
            json!({"candidates": [{"content": {"role": "model", "parts": [
                    {"text": "thinking...", "thought": true}, {"text": "Hello"}, {"text": " there"}]},
                "finishReason": "STOP"}],
             "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 2,
                "thoughtsTokenCount": 3, "totalTokenCount": 12},
             "modelVersion": "gemini-2.5-flash", "responseId": "abc"}),
            false,
        );
        assert_eq!(result.unwrap().text, "Hello there");
        assert_eq!(
            usage,
            Usage {
                prompt_tokens: 7,
                cached_tokens: 0,
                output_tokens: 2,
                thinking_tokens: 3,
                total_tokens: 12
            }
        );
    }

    #[test]
    fn truncation_distinguishes_thinking_exhaustion() {
        let (usage, result) = generate(
            json!({"candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS"}],
                   "usageMetadata": {"promptTokenCount": 5, "thoughtsTokenCount": 64, "totalTokenCount": 69}}),
            false,
        );
        assert_eq!(
            result,
            Err(GeminiError::Truncated {
                thinking_exhausted: true
            })
        );
        assert_eq!(usage.thinking_tokens, 64);

        let (_, result) = generate(
            json!({"candidates": [{"content": {"parts": [{"text": "Half a sent"}]}, "finishReason": "MAX_TOKENS"}]}),
            false,
        );
        assert_eq!(
            result,
            Err(GeminiError::Truncated {
                thinking_exhausted: false
            })
        );
    }

    #[test]
    fn other_finish_reasons_and_blocks() {
        let (_, result) = generate(
            json!({"candidates": [{"finishReason": "RECITATION"}]}),
            false,
        );
        assert_eq!(result.unwrap_err().code(), "stopped");
        let (usage, result) = generate(
            json!({"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": {"promptTokenCount": 9}}),
            false,
        );
        assert_eq!(
            result,
            Err(GeminiError::PromptBlocked {
                reason: "SAFETY".into()
            })
        );
        assert_eq!(usage.prompt_tokens, 9);
    }

    #[test]
    fn json_requests_reject_non_json_text() {
        let body = json!({"candidates": [{"content": {"parts": [{"text": "{\"a\": [1, 2"}]}, "finishReason": "STOP"}],
                          "usageMetadata": {"promptTokenCount": 3, "candidatesTokenCount": 4}});
        let (usage, result) = generate(body.clone(), true);
        assert_eq!(result.unwrap_err().code(), "unusable_output");
        assert_eq!(usage.output_tokens, 4);
        assert!(generate(body, false).1.is_ok());
    }

    #[test]
    fn non_json_body_is_unusable_with_zero_usage() {
        let (usage, result) = interpret_generate(b"<html>", false);
        assert!(usage.is_zero());
        assert_eq!(result.unwrap_err().code(), "unusable_output");
    }

    #[test]
    fn embedding_count_must_match() {
        let body = serde_json::to_vec(&json!({"embeddings": [{"values": [0.5, 0.5]}]})).unwrap();
        assert_eq!(
            interpret_embeddings(&body, 1).1.unwrap(),
            vec![vec![0.5, 0.5]]
        );
        assert!(interpret_embeddings(&body, 2).1.is_err());
    }
}
