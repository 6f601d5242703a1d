//! Error type and the parsing of Google's error envelope.
//!
//! Google's errors are read as they really arrive, not as the status code alone suggests:
//!
//! - A 429 can list several `QuotaFailure` violations at once (per-minute requests, per-minute
//!   input tokens, per-day requests). All of them are read and the most severe one decides the
//!   [`QuotaScope`]: a per-day violation means nothing more will be served today, whatever
//!   short `RetryInfo` delay comes with it, so it must stop a run rather than be retried.
//! - Some 429s carry only a `Help` detail, or no details at all (even for paid accounts under
//!   their quota): they are [`QuotaScope::Unspecified`] and treated as transient.
//! - Server-supplied delays (`RetryInfo.retryDelay`, `Retry-After`) are clamped to
//!   [`MAX_SERVER_DELAY`], so a hostile or buggy value can never overflow an `Instant`.
//! - Account problems that no retry can fix get their own variants: a region or billing
//!   precondition ([`GeminiError::AccountNotEligible`]), used-up prepaid credit
//!   ([`GeminiError::OutOfCredit`]), and a generation setting the model rejects
//!   ([`GeminiError::UnsupportedSetting`]), which would fail every request of a run alike.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest wait this crate accepts from the server (24 hours). Longer `retryDelay` or
/// `Retry-After` values are clamped to it.
pub const MAX_SERVER_DELAY: Duration = Duration::from_secs(24 * 60 * 60);

/// Which limit a [`GeminiError::Quota`] refers to, read from the 429's `QuotaFailure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaScope {
    /// A per-day limit (e.g. `GenerateRequestsPerDayPerProjectPerModel-FreeTier`): nothing
    /// more today. Resets at midnight Pacific time. Wins over any per-minute violation.
    PerDay,
    /// Requests per minute (e.g. `GenerateRequestsPerMinutePerProjectPerModel-FreeTier`).
    RequestsPerMinute,
    /// Input tokens per minute (e.g. `GenerateContentInputTokensPerModelPerMinute-FreeTier`).
    TokensPerMinute,
    /// The 429 named no limit this client recognises (only a `Help` detail, or none).
    Unspecified,
}

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
    /// 429 `RESOURCE_EXHAUSTED`: a rate limit or quota was hit. Display shows the first line
    /// of Google's (multi-line) message; `message` keeps all of it.
    ///
    /// `scope` says which limit: [`QuotaScope::PerDay`] is not worth retrying today (see
    /// [`GeminiError::is_transient`]); the others clear within a minute or so.
    #[error("{}: {}", quota_headline(*.scope, .retry_after), first_line(.message))]
    Quota {
        /// From `google.rpc.RetryInfo.retryDelay` (or a `Retry-After` header), at most
        /// [`MAX_SERVER_DELAY`]. Google sends a short delay even for per-day limits.
        retry_after: Option<Duration>,
        /// The deciding `QuotaFailure` violation's `quotaId`, e.g.
        /// `GenerateRequestsPerMinutePerProjectPerModel-FreeTier` (paid keys: no `-FreeTier`).
        quota_id: Option<String>,
        message: String,
        /// The most severe limit among all violations.
        scope: QuotaScope,
        /// The deciding violation's `quotaValue` (the limit, e.g. `20` requests per day).
        quota_value: Option<u64>,
    },
    /// 400 `FAILED_PRECONDITION`: Google will not serve this account (the free tier is not
    /// available in the user's region, or billing must be enabled first).
    #[error("Google will not serve this account yet: {}", first_line(.message))]
    AccountNotEligible { message: String },
    /// 402: the prepaid credit of the account is used up.
    #[error("the prepaid Gemini credit is used up: {}", first_line(.message))]
    OutOfCredit { message: String },
    /// 400 `INVALID_ARGUMENT` about a generation setting the model rejects (thinking budget or
    /// level, response schema, another `generationConfig` field): every request with the same
    /// settings fails the same way.
    #[error("the model does not accept a generation setting: {}", first_line(.message))]
    UnsupportedSetting { message: String },
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
    /// One request of a batch job failed at Google (its `error` in the job's answers).
    #[error("Google could not answer this request of the batch (code {code}): {message}")]
    BatchRequestFailed { code: u64, message: String },
}

fn quota_headline(scope: QuotaScope, retry_after: &Option<Duration>) -> String {
    match scope {
        // The RetryInfo delay that comes with a per-day 429 is misleading: do not show it.
        QuotaScope::PerDay => "the daily quota is used up".to_owned(),
        _ => format!("quota or rate limit exceeded{}", retry_hint(retry_after)),
    }
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
            Self::AccountNotEligible { .. } => "account_not_eligible",
            Self::OutOfCredit { .. } => "out_of_credit",
            Self::UnsupportedSetting { .. } => "unsupported_setting",
            Self::BatchRequestFailed { .. } => "batch_request_failed",
        }
    }

    /// Nothing will work until the user changes something (key, account, model or settings):
    /// a run should stop instead of retrying or moving on to the next item.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            Self::InvalidKey
                | Self::PermissionDenied { .. }
                | Self::NotFound { .. }
                | Self::InvalidConfig { .. }
                | Self::AccountNotEligible { .. }
                | Self::OutOfCredit { .. }
                | Self::UnsupportedSetting { .. }
        )
    }

    /// A failure that clears by itself: a run should retry it with backoff (honouring
    /// [`GeminiError::retry_after`]). Unlike [`GeminiError::is_retryable`], a per-day quota
    /// is not transient: it lasts until the daily reset.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Quota { scope, .. } => *scope != QuotaScope::PerDay,
            Self::Overloaded | Self::Server { .. } | Self::Timeout | Self::Connection { .. } => {
                true
            }
            // 408 Request Timeout; 499 CANCELLED (closed somewhere on the way).
            Self::Http { status, .. } => matches!(status, 408 | 499),
            _ => false,
        }
    }

    /// The scope of a [`GeminiError::Quota`]; `None` for every other error.
    pub fn quota_scope(&self) -> Option<QuotaScope> {
        match self {
            Self::Quota { scope, .. } => Some(*scope),
            _ => None,
        }
    }

    /// Whether sending the same request again may succeed (transient failures, as retried by
    /// Google's own SDKs: 408, 429, 500, 502, 503, 504 and transport errors).
    ///
    /// Kept for compatibility: it is true for every [`GeminiError::Quota`], including
    /// per-day ones. Runs should prefer [`GeminiError::is_transient`] and
    /// [`GeminiError::is_permanent`].
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

    /// The server's suggested wait before retrying, if it gave one (at most
    /// [`MAX_SERVER_DELAY`]).
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
    /// Every violation of every `google.rpc.QuotaFailure` detail, in order.
    violations: Vec<QuotaViolation>,
    reason: Option<String>,
}

/// One `google.rpc.QuotaFailure` violation.
#[derive(Debug, Clone, Default)]
struct QuotaViolation {
    quota_id: Option<String>,
    quota_metric: Option<String>,
    quota_value: Option<u64>,
}

impl QuotaViolation {
    fn from_value(value: &Value) -> Self {
        let text = |field: &str| value.get(field).and_then(Value::as_str).map(str::to_owned);
        // `quotaValue` is an int64, which proto3 JSON writes as a string.
        let quota_value = value.get("quotaValue").and_then(|limit| match limit {
            Value::String(text) => text.trim().parse().ok(),
            other => other.as_u64(),
        });
        Self {
            quota_id: text("quotaId"),
            quota_metric: text("quotaMetric"),
            quota_value,
        }
    }

    /// The limit this violation names, judged by its id and metric; `Unspecified` if neither
    /// says. Google's ids are CamelCase (`...PerDay...`), its metrics snake_case.
    fn scope(&self) -> QuotaScope {
        let names = [self.quota_id.as_deref(), self.quota_metric.as_deref()]
            .into_iter()
            .flatten()
            .map(str::to_ascii_lowercase)
            .collect::<Vec<_>>();
        let mentions = |needles: &[&str]| {
            names
                .iter()
                .any(|name| needles.iter().any(|needle| name.contains(needle)))
        };
        if mentions(&["perday", "per_day"]) {
            QuotaScope::PerDay
        } else if mentions(&["inputtokens", "tokensperminute", "token_count"]) {
            QuotaScope::TokensPerMinute
        } else if mentions(&["requestsperminute", "perminute", "per_minute"]) {
            QuotaScope::RequestsPerMinute
        } else {
            QuotaScope::Unspecified
        }
    }
}

/// How severe a scope is when several violations come in one 429: per-day wins.
fn severity(scope: QuotaScope) -> u8 {
    match scope {
        QuotaScope::PerDay => 3,
        QuotaScope::TokensPerMinute => 2,
        QuotaScope::RequestsPerMinute => 1,
        QuotaScope::Unspecified => 0,
    }
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
                    .and_then(parse_server_delay);
            } else if kind.ends_with("google.rpc.QuotaFailure") {
                if let Some(violations) = detail.get("violations").and_then(Value::as_array) {
                    parsed
                        .violations
                        .extend(violations.iter().map(QuotaViolation::from_value));
                }
            } else if kind.ends_with("google.rpc.ErrorInfo") {
                parsed.reason = detail
                    .get("reason")
                    .and_then(Value::as_str)
                    .map(str::to_owned);
            }
        }
        parsed
    }

    /// The scope of the most severe violation, and that violation (the first of its scope).
    /// `Unspecified` with the first violation when none is recognised, and with none when
    /// the 429 had no `QuotaFailure` at all.
    fn deciding_violation(&self) -> (QuotaScope, Option<&QuotaViolation>) {
        let mut best: Option<(QuotaScope, &QuotaViolation)> = None;
        for violation in &self.violations {
            let scope = violation.scope();
            if best.is_none_or(|(current, _)| severity(scope) > severity(current)) {
                best = Some((scope, violation));
            }
        }
        match best {
            Some((scope, violation)) => (scope, Some(violation)),
            None => (QuotaScope::Unspecified, None),
        }
    }
}

/// A `RetryInfo.retryDelay` as a clamped [`Duration`]. A well-formed delay too large even for
/// a `u64` of seconds is clamped too rather than ignored.
fn parse_server_delay(text: &str) -> Option<Duration> {
    if let Some(delay) = parse_proto_duration(text) {
        return Some(clamp_server_delay(delay));
    }
    let number = text.trim().strip_suffix('s')?;
    let whole = number.split_once('.').map_or(number, |(whole, _)| whole);
    let overflowing = !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && whole.parse::<u64>().is_err();
    overflowing.then_some(MAX_SERVER_DELAY)
}

/// Caps a server-supplied wait at [`MAX_SERVER_DELAY`].
pub(crate) fn clamp_server_delay(delay: Duration) -> Duration {
    delay.min(MAX_SERVER_DELAY)
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
/// `retry_after_header` is the `Retry-After` header, used only when the body has no
/// `RetryInfo` (Google is not known to send the header, but proxies may). Both are clamped to
/// [`MAX_SERVER_DELAY`].
///
/// Order matters: a bad key first (it comes as a 400 too), then 402 (prepaid credit, although
/// its status is `RESOURCE_EXHAUSTED`), then quota, then account and setting problems among
/// the 400s, then the plain status mapping.
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
    if status == 402 {
        return GeminiError::OutOfCredit { message };
    }
    if status == 429 || envelope.status == "RESOURCE_EXHAUSTED" {
        let (scope, violation) = details.deciding_violation();
        return GeminiError::Quota {
            retry_after: details
                .retry_delay
                .or(retry_after_header)
                .map(clamp_server_delay),
            quota_id: violation.and_then(|v| v.quota_id.clone()),
            quota_value: violation.and_then(|v| v.quota_value),
            scope,
            message,
        };
    }
    if status == 400 {
        if envelope.status == "FAILED_PRECONDITION" || is_region_refusal(&message) {
            return GeminiError::AccountNotEligible { message };
        }
        if envelope.status == "INVALID_ARGUMENT" && is_about_a_setting(&message) {
            return GeminiError::UnsupportedSetting { message };
        }
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

/// Google's "User location is not supported for the API use." (sent with
/// `FAILED_PRECONDITION`; matched on its own in case the status differs).
fn is_region_refusal(message: &str) -> bool {
    message
        .to_ascii_lowercase()
        .contains("location is not supported")
}

/// Whether an `INVALID_ARGUMENT` message is about a generation setting rather than about
/// this request's content: such a message repeats for every request with the same settings.
fn is_about_a_setting(message: &str) -> bool {
    const NEEDLES: &[&str] = &[
        "thinking",
        "responseschema",
        "response_schema",
        "responsejsonschema",
        "response_json_schema",
        "generationconfig",
        "generation_config",
        "is not supported",
        "response_mime_type",
        "responsemimetype",
    ];
    let message = message.to_ascii_lowercase();
    NEEDLES.iter().any(|needle| message.contains(needle))
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
                scope: QuotaScope::RequestsPerMinute,
                quota_value: None,
            }
        );
        assert!(error.is_retryable());
        assert!(error.is_transient());
        assert!(!error.is_permanent());
        assert_eq!(error.quota_scope(), Some(QuotaScope::RequestsPerMinute));
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
        assert_eq!(error.quota_scope(), Some(QuotaScope::Unspecified));
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

    /// The 429 of google-gemini/gemini-cli#8437: three violations in one body.
    fn three_violations(day_id: &str) -> Vec<u8> {
        body(
            json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
            "message": "You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 20",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.Help", "links": [
                    {"description": "Learn more about Gemini API quotas",
                     "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
                {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                    {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_input_token_count",
                     "quotaId": "GenerateContentInputTokensPerModelPerMinute-FreeTier",
                     "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
                     "quotaValue": "250000"},
                    {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                     "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
                     "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
                     "quotaValue": "10"},
                    {"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                     "quotaId": day_id,
                     "quotaDimensions": {"location": "global", "model": "gemini-2.5-flash"},
                     "quotaValue": "20"}]},
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "32s"}
            ]}}),
        )
    }

    #[test]
    fn per_day_violation_wins_over_minute_ones() {
        for day_id in [
            "GenerateRequestsPerDayPerProjectPerModel-FreeTier",
            // Paid keys: same ids without -FreeTier (langgenius/dify#19838).
            "GenerateRequestsPerDayPerProjectPerModel",
        ] {
            let error = error_from_status(429, &three_violations(day_id), None);
            let GeminiError::Quota {
                retry_after,
                quota_id,
                scope,
                quota_value,
                ..
            } = &error
            else {
                panic!("expected Quota, got {error:?}");
            };
            assert_eq!(*scope, QuotaScope::PerDay);
            assert_eq!(quota_id.as_deref(), Some(day_id));
            assert_eq!(*quota_value, Some(20));
            assert_eq!(*retry_after, Some(Duration::from_secs(32)));
            assert!(!error.is_transient(), "nothing more today");
            assert!(!error.is_permanent());
            assert!(error.is_retryable(), "unchanged for compatibility");
            assert_eq!(
                error.to_string(),
                "the daily quota is used up: You exceeded your current quota, please check \
                 your plan and billing details."
            );
        }
    }

    #[test]
    fn per_day_is_recognised_by_metric_alone() {
        let error = error_from_status(
            429,
            &body(
                json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "m",
                "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                    {"quotaMetric": "generativelanguage.googleapis.com/requests_per_day", "quotaValue": 5}]}]}}),
            ),
            None,
        );
        assert_eq!(error.quota_scope(), Some(QuotaScope::PerDay));
        assert!(matches!(
            error,
            GeminiError::Quota {
                quota_id: None,
                quota_value: Some(5),
                ..
            }
        ));
    }

    #[test]
    fn tokens_per_minute_wins_over_requests_per_minute() {
        let error = error_from_status(
            429,
            &body(
                json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "m",
                "details": [
                    {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                        {"quotaMetric": "generativelanguage.googleapis.com/generate_content_requests",
                         "quotaId": "GenerateRequestsPerMinutePerProjectPerModel", "quotaValue": "1000"}]},
                    {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                        {"quotaMetric": "generativelanguage.googleapis.com/generate_content_input_token_count",
                         "quotaId": "GenerateContentInputTokensPerModelPerMinute", "quotaValue": "1000000"}]}
                ]}}),
            ),
            None,
        );
        assert_eq!(error.quota_scope(), Some(QuotaScope::TokensPerMinute));
        assert!(matches!(
            &error,
            GeminiError::Quota { quota_id: Some(id), quota_value: Some(1_000_000), .. }
                if id == "GenerateContentInputTokensPerModelPerMinute"
        ));
        assert!(error.is_transient());
        assert!(error
            .to_string()
            .starts_with("quota or rate limit exceeded: "));
    }

    #[test]
    fn quota_without_quota_failure_is_unspecified() {
        // Only a Help detail (gke-labs/gemini-for-kubernetes-development#1215).
        let help_only = body(
            json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
            "message": "Resource has been exhausted (e.g. check quota).",
            "details": [{"@type": "type.googleapis.com/google.rpc.Help", "links": [
                {"description": "Learn more", "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]}]}}),
        );
        // No details at all (googleapis/python-genai#1427).
        let bare = body(
            json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED",
            "message": "Resource has been exhausted (e.g. check quota)."}}),
        );
        for raw in [help_only, bare] {
            let error = error_from_status(429, &raw, None);
            assert_eq!(
                error,
                GeminiError::Quota {
                    retry_after: None,
                    quota_id: None,
                    message: "Resource has been exhausted (e.g. check quota).".into(),
                    scope: QuotaScope::Unspecified,
                    quota_value: None,
                }
            );
            assert!(error.is_transient());
        }
        // A QuotaFailure whose ids say nothing known keeps the first id.
        let unknown = error_from_status(
            429,
            &body(
                json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "m",
                "details": [{"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [
                    {"quotaId": "SomethingNew"}, {"quotaId": "SomethingElse"}]}]}}),
            ),
            None,
        );
        assert!(matches!(
            &unknown,
            GeminiError::Quota { quota_id: Some(id), scope: QuotaScope::Unspecified, .. }
                if id == "SomethingNew"
        ));
    }

    #[test]
    fn server_delays_are_clamped_to_a_day() {
        let huge = |delay: &str| {
            body(
                json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "message": "m",
                "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}]}}),
            )
        };
        for delay in [
            "99999999999999999s",
            "99999999999999999999999999s",
            "86401.5s",
        ] {
            let error = error_from_status(429, &huge(delay), None);
            assert_eq!(error.retry_after(), Some(MAX_SERVER_DELAY), "{delay}");
            // The point of the clamp: adding it to now cannot overflow.
            assert!(std::time::Instant::now()
                .checked_add(error.retry_after().unwrap())
                .is_some());
        }
        assert_eq!(
            error_from_status(429, &huge("86399s"), None).retry_after(),
            Some(Duration::from_secs(86_399))
        );
        // A huge Retry-After header, when the body has no RetryInfo.
        let error = error_from_status(429, b"{}", Some(Duration::from_secs(u64::MAX)));
        assert_eq!(error.retry_after(), Some(MAX_SERVER_DELAY));
        assert_eq!(MAX_SERVER_DELAY, Duration::from_secs(24 * 3600));
    }

    #[test]
    fn prepaid_credit_exhausted_is_out_of_credit() {
        let error = error_from_status(
            402,
            &body(
                json!({"error": {"code": 402, "status": "RESOURCE_EXHAUSTED",
                "message": "Your prepayment credits are depleted. Please go to AI Studio to manage your project and billing."}}),
            ),
            None,
        );
        assert_eq!(error.code(), "out_of_credit");
        assert_eq!(error.quota_scope(), None);
        assert!(error.is_permanent());
        assert!(!error.is_transient());
        assert!(!error.is_retryable());
        assert_eq!(error_from_status(402, b"", None).code(), "out_of_credit");
    }

    #[test]
    fn failed_precondition_is_account_not_eligible() {
        let error = error_from_status(
            400,
            &body(
                json!({"error": {"code": 400, "status": "FAILED_PRECONDITION",
                "message": "User location is not supported for the API use."}}),
            ),
            None,
        );
        assert_eq!(
            error,
            GeminiError::AccountNotEligible {
                message: "User location is not supported for the API use.".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "Google will not serve this account yet: User location is not supported for the API use."
        );
        assert!(error.is_permanent());
        let billing = error_from_status(
            400,
            &body(
                json!({"error": {"code": 400, "status": "FAILED_PRECONDITION",
                "message": "Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.\nMore text."}}),
            ),
            None,
        );
        assert_eq!(billing.code(), "account_not_eligible");
        assert!(!billing.to_string().contains("More text"));
    }

    #[test]
    fn rejected_generation_settings_are_unsupported_settings() {
        for message in [
            "Thinking is not supported for this model.",
            "Budget 0 is invalid. This model only works in thinking mode.",
            "The thinking budget must be between 128 and 32768.",
            "Thinking level is not supported for this model.",
            "* GenerateContentRequest.generation_config.response_schema.properties[\"a\"].type: must be specified",
            "Invalid JSON payload received. Unknown name \"responseJsonSchema\" at 'generation_config': Cannot find field.",
            "JSON mode is not supported for this model.",
            "* GenerateContentRequest.generation_config.temperature: 3 is out of range [0, 2].",
        ] {
            let error = error_from_status(
                400,
                &body(json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": message}})),
                None,
            );
            assert_eq!(error.code(), "unsupported_setting", "{message}");
            assert!(error.is_permanent());
            assert!(!error.is_transient());
        }
        // Errors about this request's content stay BadRequest: other requests may succeed.
        for message in [
            "Request contains an invalid argument.",
            "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).",
            "* GenerateContentRequest.contents: contents is not specified",
        ] {
            let error = error_from_status(
                400,
                &body(json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "message": message}})),
                None,
            );
            assert_eq!(error.code(), "bad_request", "{message}");
            assert!(!error.is_permanent());
        }
    }

    #[test]
    fn permanence_and_transience() {
        let permanent = [
            (403, "PERMISSION_DENIED"),
            (404, "NOT_FOUND"),
            (402, "RESOURCE_EXHAUSTED"),
        ];
        for (status, canonical) in permanent {
            let error = error_from_status(
                status,
                &body(json!({"error": {"code": status, "status": canonical, "message": "m"}})),
                None,
            );
            assert!(error.is_permanent(), "{status}");
            assert!(!error.is_transient(), "{status}");
        }
        assert!(GeminiError::InvalidKey.is_permanent());
        assert!(GeminiError::InvalidConfig {
            message: "m".into()
        }
        .is_permanent());
        for status in [408, 499, 500, 502, 503, 504] {
            let error = error_from_status(status, b"", None);
            assert!(error.is_transient(), "{status}");
            assert!(!error.is_permanent(), "{status}");
        }
        assert!(GeminiError::Timeout.is_transient());
        assert!(GeminiError::Connection {
            message: "m".into()
        }
        .is_transient());
        for neither in [
            error_from_status(400, b"", None),
            error_from_status(401, b"", None),
            GeminiError::Truncated {
                thinking_exhausted: false,
            },
            GeminiError::PromptBlocked {
                reason: "SAFETY".into(),
            },
        ] {
            assert!(!neither.is_permanent(), "{neither:?}");
            assert!(!neither.is_transient(), "{neither:?}");
            assert_eq!(neither.quota_scope(), None);
        }
    }

    #[test]
    fn quota_scope_serializes_snake_case() {
        assert_eq!(
            serde_json::to_value(QuotaScope::TokensPerMinute).unwrap(),
            json!("tokens_per_minute")
        );
        assert_eq!(
            serde_json::from_value::<QuotaScope>(json!("per_day")).unwrap(),
            QuotaScope::PerDay
        );
    }
}
