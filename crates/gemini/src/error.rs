//! Error type and the parsing of Google's error envelope.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// Everything that can go wrong with a Gemini call.
///
/// Display messages are plain English and never contain the API key: messages that come from
/// the server or the HTTP stack are scrubbed of it before they are stored here.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeminiError {
    /// The key is unknown or malformed (400 with reason `API_KEY_INVALID`).
    #[error("the API key is not valid")]
    InvalidKey,
    /// 403: the key lacks access (API disabled, project suspended, no key sent).
    #[error("permission denied: {message}")]
    PermissionDenied { message: String },
    /// 404: e.g. an unknown model, or one that does not support the method.
    #[error("not found: {message}")]
    NotFound { message: String },
    /// 429 (or 402) `RESOURCE_EXHAUSTED`: a rate limit or quota was hit. Display shows the
    /// first line of Google's (multi-line) message; `message` keeps all of it.
    #[error("quota or rate limit exceeded{}: {}", retry_hint(.retry_after), first_line(.message))]
    Quota {
        /// From `google.rpc.RetryInfo.retryDelay` (or a `Retry-After` header).
        retry_after: Option<Duration>,
        /// From `google.rpc.QuotaFailure`, e.g. `GenerateRequestsPerMinutePerProjectPerModel-FreeTier`.
        quota_id: Option<String>,
        message: String,
    },
    /// 503: the model is overloaded or temporarily down.
    #[error("the model is overloaded, try again later")]
    Overloaded,
    /// 500, 502 or 504.
    #[error("the Gemini server failed (HTTP {status})")]
    Server { status: u16 },
    /// The client-side request timeout elapsed before the answer was complete.
    #[error("the request timed out")]
    Timeout,
    /// The request could not be sent or the answer not read (DNS, connect, reset, TLS).
    #[error("could not reach the Gemini API: {message}")]
    Connection { message: String },
    /// Any other 400, or a request this client refuses to send.
    #[error("bad request: {message}")]
    BadRequest { message: String },
    /// The prompt itself was blocked (`promptFeedback.blockReason`); no candidates.
    #[error("the prompt was blocked ({reason})")]
    PromptBlocked { reason: String },
    /// Generation hit `maxOutputTokens` (`finishReason: MAX_TOKENS`).
    #[error("the answer was cut off at the output token limit{}", if *.thinking_exhausted { " (thinking used up the budget before any text)" } else { "" })]
    Truncated {
        /// No text at all and thinking tokens were spent: raise `maxOutputTokens` or lower
        /// the thinking budget.
        thinking_exhausted: bool,
    },
    /// Generation stopped for another reason (`SAFETY`, `RECITATION`, ...) without usable text.
    #[error("the model stopped without a usable answer ({reason})")]
    Stopped { reason: String },
    /// A 200 answer that cannot be used: body not JSON, no candidates, empty text, or text
    /// that is not valid JSON although JSON was requested.
    #[error("the answer could not be used: {reason}")]
    UnusableOutput { reason: String },
    /// An HTTP status this client has no better variant for (401, 408, 409, 499, ...).
    #[error("unexpected HTTP {status} from the Gemini API: {message}")]
    Http { status: u16, message: String },
    /// The [`crate::ClientConfig`] cannot be used (bad base URL, key not a valid header).
    #[error("invalid client configuration: {message}")]
    InvalidConfig { message: String },
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(delay) if delay.subsec_nanos() == 0 => format!(" (retry in {}s)", delay.as_secs()),
        Some(delay) => format!(" (retry in {:.3}s)", delay.as_secs_f64()),
        None => String::new(),
    }
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or_default().trim()
}

impl GeminiError {
    /// A stable snake_case identifier, for logs, metrics and persisted records.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidKey => "invalid_key",
            Self::PermissionDenied { .. } => "permission_denied",
            Self::NotFound { .. } => "not_found",
            Self::Quota { .. } => "quota",
            Self::Overloaded => "overloaded",
            Self::Server { .. } => "server_error",
            Self::Timeout => "timeout",
            Self::Connection { .. } => "connection",
            Self::BadRequest { .. } => "bad_request",
            Self::PromptBlocked { .. } => "prompt_blocked",
            Self::Truncated { .. } => "truncated",
            Self::Stopped { .. } => "stopped",
            Self::UnusableOutput { .. } => "unusable_output",
            Self::Http { .. } => "http_error",
            Self::InvalidConfig { .. } => "invalid_config",
        }
    }

    /// Whether sending the same request again may succeed (transient failures, as retried by
    /// Google's own SDKs: 408, 429, 500, 502, 503, 504 and transport errors).
    ///
    /// Content outcomes (`Truncated`, `Stopped`, `UnusableOutput`, `PromptBlocked`) are not
    /// retryable here: repeating an identical request tends to repeat them, and each try is
    /// billed. The caller decides whether to retry with a changed request.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Quota { .. }
            | Self::Overloaded
            | Self::Server { .. }
            | Self::Timeout
            | Self::Connection { .. } => true,
            Self::Http { status, .. } => *status == 408,
            _ => false,
        }
    }

    /// The server's suggested wait before retrying, if it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Quota { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// `{"error": {...}}` as sent by Google APIs.
#[derive(Debug, Deserialize)]
struct ErrorEnvelope {
    error: ErrorStatus,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ErrorStatus {
    message: String,
    status: String,
    details: Vec<Value>,
}

/// The parts of an error envelope's `details` this client uses.
#[derive(Debug, Default)]
struct ErrorDetails {
    retry_delay: Option<Duration>,
    quota_id: Option<String>,
    reason: Option<String>,
}

impl ErrorDetails {
    fn from_details(details: &[Value]) -> Self {
        let mut parsed = Self::default();
        for detail in details {
            let kind = detail.get("@type").and_then(Value::as_str).unwrap_or("");
            // Match on the suffix: the prefix is always type.googleapis.com/.
            if kind.ends_with("google.rpc.RetryInfo") {
                parsed.retry_delay = detail
                    .get("retryDelay")
                    .and_then(Value::as_str)
                    .and_then(parse_proto_duration);
            } else if kind.ends_with("google.rpc.QuotaFailure") {
                parsed.quota_id = detail
                    .get("violations")
                    .and_then(Value::as_array)
                    .and_then(|violations| {
                        violations
                            .iter()
                            .find_map(|v| v.get("quotaId").and_then(Value::as_str))
                    })
                    .map(str::to_owned);
            } else if kind.ends_with("google.rpc.ErrorInfo") {
                parsed.reason = detail
                    .get("reason")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
        }
        parsed
    }
}

/// Parses a protobuf JSON `Duration` such as `"47s"`, `"1.5s"` or `"0.250000001s"`.
pub fn parse_proto_duration(text: &str) -> Option<Duration> {
    let number = text.trim().strip_suffix('s')?;
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: u64 = whole.parse().ok()?;
    // Right-pad to nanoseconds: "25" means 250_000_000 ns.
    let nanos: u32 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().ok()?
    };
    Some(Duration::new(secs, nanos))
}

/// Maps a non-2xx response to an error.
///
/// `retry_after_header` is the `Retry-After` header in seconds, used only when the body has
/// no `RetryInfo` (Google is not known to send the header, but proxies may).
pub(crate) fn error_from_status(
    status: u16,
    body: &[u8],
    retry_after_header: Option<Duration>,
) -> GeminiError {
    let envelope = serde_json::from_slice::<ErrorEnvelope>(body)
        .map(|envelope| envelope.error)
        .unwrap_or_default();
    let details = ErrorDetails::from_details(&envelope.details);
    let message = if envelope.message.is_empty() {
        // Not Google's envelope (e.g. a proxy page): keep a short, readable excerpt.
        excerpt(body)
    } else {
        envelope.message
    };

    let key_invalid = details.reason.as_deref() == Some("API_KEY_INVALID")
        || message.contains("API key not valid");
    if key_invalid && matches!(status, 400 | 401 | 403) {
        return GeminiError::InvalidKey;
    }
    if status == 429 || status == 402 || envelope.status == "RESOURCE_EXHAUSTED" {
        return GeminiError::Quota {
            retry_after: details.retry_delay.or(retry_after_header),
            quota_id: details.quota_id,
            message,
        };
    }
    match status {
        400 => GeminiError::BadRequest { message },
        403 => GeminiError::PermissionDenied { message },
        404 => GeminiError::NotFound { message },
        503 => GeminiError::Overloaded,
        500 | 502 | 504 => GeminiError::Server { status },
        _ => GeminiError::Http { status, message },
    }
}

/// At most 200 characters of a non-JSON body, on one line.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.is_empty() {
        return "no error message".to_owned();
    }
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(value: Value) -> Vec<u8> {
        serde_json::to_vec(&value).unwrap()
    }

    #[test]
    fn parses_proto_durations() {
        assert_eq!(parse_proto_duration("47s"), Some(Duration::from_secs(47)));
        assert_eq!(
            parse_proto_duration("1.5s"),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(
            parse_proto_duration("0.250s"),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            parse_proto_duration("3.000000001s"),
            Some(Duration::new(3, 1))
        );
        for bad in [
            "",
            "s",
            "47",
            "-1s",
            "1.2.3s",
            "1.0000000001s",
            "abc s",
            ".5s",
        ] {
            assert_eq!(parse_proto_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn quota_envelope_yields_retry_delay_and_quota_id() {
        let error = error_from_status(
            429,
            &body(
                json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
                "message": "You exceeded your current quota.",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.Help", "links": []},
                    {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                        {"quotaMetric": "m", "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
                    {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "47s"}
                ]}}),
            ),
            Some(Duration::from_secs(5)),
        );
        assert_eq!(
            error,
            GeminiError::Quota {
                retry_after: Some(Duration::from_secs(47)),
                quota_id: Some("GenerateRequestsPerMinutePerProjectPerModel-FreeTier".into()),
                message: "You exceeded your current quota.".into(),
            }
        );
        assert!(error.is_retryable());
        assert_eq!(error.retry_after(), Some(Duration::from_secs(47)));
        assert_eq!(
            error.to_string(),
            "quota or rate limit exceeded (retry in 47s): You exceeded your current quota."
        );
    }

    #[test]
    fn quota_without_retry_info_falls_back_to_header() {
        let error = error_from_status(429, b"{}", Some(Duration::from_secs(5)));
        assert_eq!(error.retry_after(), Some(Duration::from_secs(5)));
        let prepay = error_from_status(402, b"", None);
        assert_eq!(prepay.code(), "quota");
    }

    #[test]
    fn invalid_key_by_reason_or_message() {
        let by_reason = body(
            json!({"error": {"code": 400, "message": "x", "status": "INVALID_ARGUMENT",
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}]}}),
        );
        assert_eq!(
            error_from_status(400, &by_reason, None),
            GeminiError::InvalidKey
        );
        let by_message = body(json!({"error": {"code": 400,
            "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT"}}));
        assert_eq!(
            error_from_status(400, &by_message, None),
            GeminiError::InvalidKey
        );
    }

    #[test]
    fn status_mapping_and_retryability() {
        let cases = [
            (400, "bad_request", false),
            (401, "http_error", false),
            (403, "permission_denied", false),
            (404, "not_found", false),
            (408, "http_error", true),
            (500, "server_error", true),
            (502, "server_error", true),
            (503, "overloaded", true),
            (504, "server_error", true),
        ];
        for (status, code, retryable) in cases {
            let error = error_from_status(status, b"<html>proxy says no</html>", None);
            assert_eq!(error.code(), code, "{status}");
            assert_eq!(error.is_retryable(), retryable, "{status}");
        }
    }

    #[test]
    fn non_json_bodies_become_short_messages() {
        let long = "x ".repeat(500);
        let GeminiError::BadRequest { message } = error_from_status(400, long.as_bytes(), None)
        else {
            panic!("expected BadRequest");
        };
        assert!(message.chars().count() <= 201);
    }
}
