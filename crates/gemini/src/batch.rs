//! The Batch API: the same `generateContent` requests answered asynchronously at half price.
//!
//! A job is created with its requests inline (`models/{model}:batchGenerateContent`), polled
//! (`batches/{id}`) until it reaches a final state, and its answers read either inline or from a
//! responses file. Google's bodies come in two shapes (an Operation wrapping the batch in
//! `metadata`, or the batch itself) and counts are strings; both are read here. Answers are
//! matched to requests by `metadata.key`; where a response carries no key, by its position.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::client::{interpret_generate_value, parse_json, Client};
use crate::error::GeminiError;
use crate::types::{GenerateContentRequest, Generated, Usage};

/// Google refuses inline batches of 20 MB or more.
pub const MAX_INLINE_BATCH_BYTES: usize = 20 * 1024 * 1024;

/// A batch job's state as Google reports it (`BATCH_STATE_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BatchState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    Expired,
    /// A state this client does not know (treated as still working).
    Unspecified,
}

impl BatchState {
    /// Reads `BATCH_STATE_PENDING` (and the SDKs' `JOB_STATE_PENDING`).
    pub fn from_wire(text: &str) -> BatchState {
        let bare = text
            .trim()
            .trim_start_matches("BATCH_STATE_")
            .trim_start_matches("JOB_STATE_");
        match bare {
            "PENDING" | "QUEUED" => BatchState::Pending,
            "RUNNING" => BatchState::Running,
            "SUCCEEDED" => BatchState::Succeeded,
            "FAILED" => BatchState::Failed,
            "CANCELLED" => BatchState::Cancelled,
            "EXPIRED" => BatchState::Expired,
            _ => BatchState::Unspecified,
        }
    }

    /// Stored form: `pending`, `running`, `succeeded`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            BatchState::Pending => "pending",
            BatchState::Running => "running",
            BatchState::Succeeded => "succeeded",
            BatchState::Failed => "failed",
            BatchState::Cancelled => "cancelled",
            BatchState::Expired => "expired",
            BatchState::Unspecified => "unspecified",
        }
    }

    pub fn from_stored(text: &str) -> BatchState {
        match text {
            "pending" => BatchState::Pending,
            "running" => BatchState::Running,
            "succeeded" => BatchState::Succeeded,
            "failed" => BatchState::Failed,
            "cancelled" => BatchState::Cancelled,
            "expired" => BatchState::Expired,
            _ => BatchState::Unspecified,
        }
    }

    /// No further change will come.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            BatchState::Succeeded
                | BatchState::Failed
                | BatchState::Cancelled
                | BatchState::Expired
        )
    }
}

/// Request counts of a job (Google sends them as strings; missing ones are 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchStats {
    pub requests: u64,
    pub pending: u64,
    pub succeeded: u64,
    pub failed: u64,
}

/// Where a finished job's answers are.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchOutput {
    Inline(Vec<BatchAnswer>),
    /// A file to download (`files/...`).
    File(String),
}

/// One request's answer in a finished job.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchAnswer {
    /// The key the request was sent with; `None` when Google left it out.
    pub key: Option<String>,
    /// Its place among the answers (for matching when the key is missing).
    pub position: usize,
    /// Tokens billed (at the batch rate) for this request.
    pub usage: Usage,
    pub result: Result<Generated, GeminiError>,
}

/// A batch job as last read from Google.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchJob {
    /// `batches/...`.
    pub name: String,
    pub display_name: Option<String>,
    pub state: BatchState,
    pub stats: BatchStats,
    /// Set once the job is final and has answers.
    pub output: Option<BatchOutput>,
    /// Why the whole job failed, when it did.
    pub error: Option<String>,
}

/// One page of the job list.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchPage {
    pub jobs: Vec<BatchJob>,
    pub next_page_token: Option<String>,
}

#[derive(Serialize)]
struct InlineRequest<'a> {
    request: &'a GenerateContentRequest,
    metadata: KeyMetadata<'a>,
}

#[derive(Serialize)]
struct KeyMetadata<'a> {
    key: &'a str,
}

/// Bytes one request adds to an inline job's body (for splitting jobs under the limit).
pub fn inline_request_bytes(key: &str, request: &GenerateContentRequest) -> usize {
    serde_json::to_vec(&InlineRequest {
        request,
        metadata: KeyMetadata { key },
    })
    .map(|bytes| bytes.len() + 1)
    .unwrap_or(usize::MAX)
}

fn count(value: Option<&Value>) -> u64 {
    match value {
        Some(Value::String(text)) => text.trim().parse().unwrap_or(0),
        Some(Value::Number(n)) => n.as_u64().unwrap_or(0),
        _ => 0,
    }
}

/// Reads a job from an Operation (`{name, metadata: batch, done, response, error}`) or from a
/// bare batch resource.
fn job_from_value(value: &Value, wants_json: bool) -> Result<BatchJob, GeminiError> {
    let batch = value
        .get("metadata")
        .filter(|m| m.is_object())
        .unwrap_or(value);
    let name = batch
        .get("name")
        .or_else(|| value.get("name"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if name.is_empty() {
        return Err(GeminiError::UnusableOutput {
            reason: "the batch job has no name".to_owned(),
        });
    }
    let state = batch
        .get("state")
        .and_then(Value::as_str)
        .map(BatchState::from_wire)
        .unwrap_or(BatchState::Unspecified);
    let stats = batch.get("batchStats");
    let stats = BatchStats {
        requests: count(stats.and_then(|s| s.get("requestCount"))),
        pending: count(stats.and_then(|s| s.get("pendingRequestCount"))),
        succeeded: count(stats.and_then(|s| s.get("successfulRequestCount"))),
        failed: count(stats.and_then(|s| s.get("failedRequestCount"))),
    };
    // The answers are in the batch's `output`, or in the operation's `response`.
    let output_value = batch
        .get("output")
        .or_else(|| value.get("response"))
        .or_else(|| batch.get("dest"));
    let output = output_value.and_then(|o| output_from_value(o, wants_json));
    let error = value
        .get("error")
        .or_else(|| batch.get("error"))
        .and_then(|e| e.get("message"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(BatchJob {
        name,
        display_name: batch
            .get("displayName")
            .and_then(Value::as_str)
            .map(str::to_owned),
        state,
        stats,
        output,
        error,
    })
}

fn output_from_value(output: &Value, wants_json: bool) -> Option<BatchOutput> {
    if let Some(file) = output
        .get("responsesFile")
        .or_else(|| output.get("fileName"))
        .and_then(Value::as_str)
    {
        return Some(BatchOutput::File(file.to_owned()));
    }
    let inlined = output
        .get("inlinedResponses")
        .or_else(|| output.get("inlined_responses"))?;
    // `{"inlinedResponses": {"inlinedResponses": [...]}}` on the wire; a flat list elsewhere.
    let list = inlined
        .get("inlinedResponses")
        .unwrap_or(inlined)
        .as_array()?;
    Some(BatchOutput::Inline(
        list.iter()
            .enumerate()
            .map(|(position, item)| answer_from_value(item, position, wants_json))
            .collect(),
    ))
}

fn answer_from_value(item: &Value, position: usize, wants_json: bool) -> BatchAnswer {
    let key = item
        .get("metadata")
        .and_then(|m| m.get("key"))
        .or_else(|| item.get("key"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    if let Some(response) = item.get("response") {
        let (usage, result) = interpret_generate_value(response, wants_json);
        return BatchAnswer {
            key,
            position,
            usage,
            result,
        };
    }
    let (code, message) = match item.get("error") {
        Some(error) => (
            error.get("code").and_then(Value::as_u64).unwrap_or(0),
            error
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("no message")
                .to_owned(),
        ),
        None => (
            0,
            "the answer has neither a response nor an error".to_owned(),
        ),
    };
    BatchAnswer {
        key,
        position,
        usage: Usage::default(),
        result: Err(GeminiError::BatchRequestFailed { code, message }),
    }
}

impl Client {
    /// `POST models/{model}:batchGenerateContent` with the requests inline, each with its key.
    /// Returns the job (usually pending). Bodies of [`MAX_INLINE_BATCH_BYTES`] or more are
    /// refused before sending.
    pub async fn create_batch(
        &self,
        model: &str,
        display_name: &str,
        requests: &[(String, GenerateContentRequest)],
    ) -> Result<BatchJob, GeminiError> {
        let url = self.model_url(model, "batchGenerateContent")?;
        let inline: Vec<InlineRequest<'_>> = requests
            .iter()
            .map(|(key, request)| InlineRequest {
                request,
                metadata: KeyMetadata { key },
            })
            .collect();
        let body = json!({"batch": {
            "displayName": display_name,
            "inputConfig": {"requests": {"requests": inline}},
        }});
        let bytes = serde_json::to_vec(&body).map_err(|e| GeminiError::BadRequest {
            message: e.to_string(),
        })?;
        if bytes.len() >= MAX_INLINE_BATCH_BYTES {
            return Err(GeminiError::BadRequest {
                message: format!(
                    "the batch is {} bytes; inline batches must stay under {MAX_INLINE_BATCH_BYTES}",
                    bytes.len()
                ),
            });
        }
        let answer = self
            .free_call(
                self.http
                    .post(url)
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(bytes),
            )
            .await?;
        let value: Value = parse_json(&answer)?;
        job_from_value(&value, wants_json(requests))
    }

    /// `GET batches/{id}`. `wants_json` says whether the job's requests asked for JSON (so
    /// answers that are not JSON are reported as unusable).
    pub async fn get_batch(&self, name: &str, wants_json: bool) -> Result<BatchJob, GeminiError> {
        let url = format!("{}/{}", self.api_root, batch_name(name)?);
        let body = self.free_call(self.http.get(url)).await?;
        let value: Value = parse_json(&body)?;
        let mut job = job_from_value(&value, wants_json)?;
        job.output = match job.output.take() {
            Some(BatchOutput::Inline(answers)) => {
                Some(BatchOutput::Inline(self.scrub_answers(answers)))
            }
            other => other,
        };
        Ok(job)
    }

    /// Keeps the key out of per-request error messages, in case a server echoes it.
    fn scrub_answers(&self, answers: Vec<BatchAnswer>) -> Vec<BatchAnswer> {
        answers
            .into_iter()
            .map(|a| BatchAnswer {
                result: a.result.map_err(|e| self.scrub(e)),
                ..a
            })
            .collect()
    }

    /// `GET batches` (one page; answers are not read from list entries).
    pub async fn list_batches(&self, page_token: Option<&str>) -> Result<BatchPage, GeminiError> {
        let mut url = reqwest::Url::parse(&format!("{}/batches", self.api_root)).map_err(|_| {
            GeminiError::InvalidConfig {
                message: "the base URL is not a valid URL".to_owned(),
            }
        })?;
        url.query_pairs_mut().append_pair("pageSize", "100");
        if let Some(token) = page_token {
            url.query_pairs_mut().append_pair("pageToken", token);
        }
        let body = self.free_call(self.http.get(url)).await?;
        let value: Value = parse_json(&body)?;
        let jobs = value
            .get("operations")
            .or_else(|| value.get("batches"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|v| job_from_value(v, true).ok())
                    .collect()
            })
            .unwrap_or_default();
        Ok(BatchPage {
            jobs,
            next_page_token: value
                .get("nextPageToken")
                .and_then(Value::as_str)
                .filter(|t| !t.is_empty())
                .map(str::to_owned),
        })
    }

    /// `POST batches/{id}:cancel`. Google stops the job; answers already made may still be
    /// billed and returned.
    pub async fn cancel_batch(&self, name: &str) -> Result<(), GeminiError> {
        let url = format!("{}/{}:cancel", self.api_root, batch_name(name)?);
        self.free_call(
            self.http
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body("{}"),
        )
        .await?;
        Ok(())
    }

    /// Downloads a responses file (`files/...`): one JSON line per answer.
    pub async fn batch_responses_file(
        &self,
        file: &str,
        wants_json: bool,
    ) -> Result<Vec<BatchAnswer>, GeminiError> {
        let file = file.trim();
        if !file.starts_with("files/") || file.contains("..") || file.contains('?') {
            return Err(GeminiError::UnusableOutput {
                reason: format!("the responses file name {file:?} is not a file name"),
            });
        }
        let url = format!(
            "{}/download/v1beta/{file}:download?alt=media",
            self.base_url
        );
        let body = self.free_call(self.http.get(url)).await?;
        let text = String::from_utf8_lossy(&body);
        let answers = text
            .lines()
            .filter(|line| !line.trim().is_empty())
            .enumerate()
            .map(
                |(position, line)| match serde_json::from_str::<Value>(line) {
                    Ok(item) => answer_from_value(&item, position, wants_json),
                    Err(e) => BatchAnswer {
                        key: None,
                        position,
                        usage: Usage::default(),
                        result: Err(GeminiError::UnusableOutput {
                            reason: format!("a line of the responses file is not JSON: {e}"),
                        }),
                    },
                },
            )
            .collect();
        Ok(self.scrub_answers(answers))
    }
}

fn wants_json(requests: &[(String, GenerateContentRequest)]) -> bool {
    requests.iter().any(|(_, r)| r.wants_json())
}

/// `batches/abc` (or just `abc`), checked so it cannot point elsewhere on the server.
fn batch_name(name: &str) -> Result<String, GeminiError> {
    let id = name.trim().trim_start_matches("batches/");
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(GeminiError::InvalidConfig {
            message: format!("{name:?} is not a batch job name"),
        });
    }
    Ok(format!("batches/{id}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_operation_with_string_counts_and_nested_inline_answers() {
        let value = json!({
            "name": "batches/xyz",
            "metadata": {
                "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
                "model": "models/gemini-2.5-flash", "displayName": "run-1-job-1",
                "state": "BATCH_STATE_SUCCEEDED", "name": "batches/xyz",
                "batchStats": {"requestCount": "2", "successfulRequestCount": "1", "failedRequestCount": "1"}
            },
            "done": true,
            "response": {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput",
                "inlinedResponses": {"inlinedResponses": [
                    {"metadata": {"key": "r2"}, "error": {"code": 400, "message": "bad"}},
                    {"response": {"candidates": [{"content": {"parts": [{"text": "{\"a\":1}"}]}, "finishReason": "STOP"}],
                        "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 5}}}
                ]}}
        });
        let job = job_from_value(&value, true).unwrap();
        assert_eq!(job.name, "batches/xyz");
        assert_eq!(job.state, BatchState::Succeeded);
        assert_eq!(job.stats.requests, 2);
        assert_eq!(job.stats.failed, 1);
        let Some(BatchOutput::Inline(answers)) = job.output else {
            panic!("inline answers expected")
        };
        assert_eq!(answers[0].key.as_deref(), Some("r2"));
        assert!(matches!(
            answers[0].result,
            Err(GeminiError::BatchRequestFailed { code: 400, .. })
        ));
        // No key: matched by position by the caller.
        assert_eq!(answers[1].key, None);
        assert_eq!(answers[1].position, 1);
        assert_eq!(answers[1].usage.prompt_tokens, 10);
        assert_eq!(answers[1].result.as_ref().unwrap().text, "{\"a\":1}");
    }

    #[test]
    fn reads_a_bare_batch_with_a_responses_file() {
        let value = json!({"name": "batches/b1", "state": "JOB_STATE_SUCCEEDED",
            "output": {"responsesFile": "files/batch-b1"}});
        let job = job_from_value(&value, true).unwrap();
        assert_eq!(job.output, Some(BatchOutput::File("files/batch-b1".into())));
    }

    #[test]
    fn states_and_names() {
        assert_eq!(
            BatchState::from_wire("BATCH_STATE_EXPIRED"),
            BatchState::Expired
        );
        assert_eq!(
            BatchState::from_wire("BATCH_STATE_NEW_THING"),
            BatchState::Unspecified
        );
        assert!(!BatchState::Unspecified.is_final());
        assert!(batch_name("batches/../../models").is_err());
        assert_eq!(batch_name("abc-1").unwrap(), "batches/abc-1");
    }
}
