//! Configuration of the fake server: keys, quotas, time scale, latency and faults.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The key [`FakeConfig::default`] accepts.
pub const DEFAULT_API_KEY: &str = "fake-gemini-test-key-0000";

/// Rate limits applied per (API key, model). `None` means unlimited.
///
/// The minute windows (RPM, input TPM) and the day window (RPD) are sliding windows, scaled by
/// [`FakeConfig::time_scale`]. (Google resets RPD at midnight Pacific time; a sliding day is
/// close enough for a test double.) Rejected requests do not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct QuotaLimits {
    pub rpm: Option<u32>,
    /// Input (prompt) tokens per minute.
    pub tpm: Option<u64>,
    pub rpd: Option<u32>,
}

impl QuotaLimits {
    pub const UNLIMITED: Self = Self {
        rpm: None,
        tpm: None,
        rpd: None,
    };
}

/// A scripted or random misbehaviour of one `generateContent` call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Fault {
    /// 503 `UNAVAILABLE` "The model is overloaded."; not billed.
    Http503,
    /// 500 `INTERNAL`; not billed.
    Http500,
    /// 429 `RESOURCE_EXHAUSTED` with a per-minute QuotaFailure violation and RetryInfo
    /// ([`FakeConfig::fault_retry_delay`]), shaped by [`FakeConfig::quota_error_style`]; not
    /// billed.
    Http429,
    /// 429 `RESOURCE_EXHAUSTED` with a per-day violation (`GenerateRequestsPerDay...`) whatever
    /// the counts, and a RetryInfo of one whole (scaled) day; shaped by
    /// [`FakeConfig::quota_error_style`]; not billed.
    Http429Daily,
    /// 429 `RESOURCE_EXHAUSTED` without any details, as sent even to paid accounts under
    /// their quota (googleapis/python-genai#1427); not billed.
    Http429Bare,
    /// 400 `FAILED_PRECONDITION`: the free tier is not available and billing must be
    /// enabled; permanent for the key; not billed.
    BillingRequired,
    /// 400 `FAILED_PRECONDITION` "User location is not supported for the API use."; permanent
    /// for the caller; not billed.
    RegionUnsupported,
    /// 402 `RESOURCE_EXHAUSTED`: prepaid credits are used up; permanent until topped up; not
    /// billed.
    OutOfCredit,
    /// 200, `finishReason: MAX_TOKENS`, content without parts, thinking tokens spent; billed.
    MaxTokens,
    /// 200, `promptFeedback.blockReason: SAFETY`, no candidates; prompt tokens billed.
    Safety,
    /// 200, `finishReason: RECITATION`, no text; billed.
    Recitation,
    /// 200, `finishReason: STOP`, text cut off so it is not valid JSON; billed.
    InvalidJson,
    /// Never answers until the client gives up (bounded by [`FakeConfig::hang_limit`], then
    /// 504); not billed.
    Hang,
}

impl Fault {
    /// Every fault, in declaration order.
    pub const ALL: [Fault; 13] = [
        Fault::Http503,
        Fault::Http500,
        Fault::Http429,
        Fault::Http429Daily,
        Fault::Http429Bare,
        Fault::BillingRequired,
        Fault::RegionUnsupported,
        Fault::OutOfCredit,
        Fault::MaxTokens,
        Fault::Safety,
        Fault::Recitation,
        Fault::InvalidJson,
        Fault::Hang,
    ];

    /// Short name used on the command line and in stats: `503`, `max-tokens`, `hang`, ...
    pub fn name(self) -> &'static str {
        match self {
            Fault::Http503 => "503",
            Fault::Http500 => "500",
            Fault::Http429 => "429",
            Fault::Http429Daily => "429-daily",
            Fault::Http429Bare => "429-bare",
            Fault::BillingRequired => "billing-required",
            Fault::RegionUnsupported => "region-unsupported",
            Fault::OutOfCredit => "out-of-credit",
            Fault::MaxTokens => "max-tokens",
            Fault::Safety => "safety",
            Fault::Recitation => "recitation",
            Fault::InvalidJson => "invalid-json",
            Fault::Hang => "hang",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Fault::ALL
            .into_iter()
            .find(|fault| fault.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = Fault::ALL.iter().map(|fault| fault.name()).collect();
                format!(
                    "unknown fault {text:?}; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Which details a 429 carries. Google is not consistent: the same quota error comes with
/// all three details, with only the Help link (gke-labs/gemini-for-kubernetes-development#1215)
/// or with none at all (googleapis/python-genai#1427, #2065), so a client must cope with each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum QuotaErrorStyle {
    /// `google.rpc.Help`, `google.rpc.QuotaFailure` and `google.rpc.RetryInfo`.
    #[default]
    Full,
    /// Only the `google.rpc.Help` detail: no quota ids, no retry delay.
    HelpOnly,
    /// No `details` at all.
    Bare,
}

impl QuotaErrorStyle {
    pub const ALL: [QuotaErrorStyle; 3] = [
        QuotaErrorStyle::Full,
        QuotaErrorStyle::HelpOnly,
        QuotaErrorStyle::Bare,
    ];

    /// Name on the command line: `full`, `help-only`, `bare`.
    pub fn name(self) -> &'static str {
        match self {
            QuotaErrorStyle::Full => "full",
            QuotaErrorStyle::HelpOnly => "help-only",
            QuotaErrorStyle::Bare => "bare",
        }
    }
}

impl fmt::Display for QuotaErrorStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for QuotaErrorStyle {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        QuotaErrorStyle::ALL
            .into_iter()
            .find(|style| style.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                format!("unknown quota error style {text:?}; expected full, help-only or bare")
            })
    }
}

/// Faults injected at random into `generateContent` calls.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomFaults {
    /// Probability in `[0, 1]` that a call gets a fault.
    pub rate: f64,
    /// Relative weights of the faults picked when one is injected.
    pub mix: Vec<(Fault, u32)>,
}

impl RandomFaults {
    /// No random faults.
    pub const NONE: Self = Self {
        rate: 0.0,
        mix: Vec::new(),
    };

    /// `rate` with the [default mix](Self::default_mix).
    pub fn with_rate(rate: f64) -> Self {
        Self {
            rate,
            mix: Self::default_mix(),
        }
    }

    /// Roughly how often each failure shows up in practice. `Hang` is left out because it
    /// stalls a caller for its whole timeout, and the per-day and account faults
    /// (`Http429Daily`, `BillingRequired`, `RegionUnsupported`, `OutOfCredit`) because they end
    /// a caller's day; add them explicitly when wanted.
    pub fn default_mix() -> Vec<(Fault, u32)> {
        vec![
            (Fault::Http503, 4),
            (Fault::Http500, 1),
            (Fault::Http429, 3),
            (Fault::MaxTokens, 1),
            (Fault::Safety, 1),
            (Fault::Recitation, 1),
            (Fault::InvalidJson, 1),
        ]
    }
}

impl Default for RandomFaults {
    fn default() -> Self {
        Self::NONE
    }
}

/// Settings for [`crate::FakeGemini::start`].
#[derive(Debug, Clone)]
pub struct FakeConfig {
    /// Port on 127.0.0.1; `0` picks a free one.
    pub port: u16,
    /// Keys that are accepted; any other key gets 400 `API_KEY_INVALID`.
    pub api_keys: Vec<String>,
    /// Keys that get 403 `PERMISSION_DENIED` (reason `SERVICE_DISABLED`), as when the API is
    /// not enabled for the key's project.
    pub disabled_keys: Vec<String>,
    /// Limits for every model without an entry in `model_limits`.
    pub limits: QuotaLimits,
    /// Per-model overrides, keyed by model id (`gemini-2.5-flash`).
    pub model_limits: HashMap<String, QuotaLimits>,
    /// How many times faster than real time quota windows run: with `60.0` a "minute" lasts
    /// one real second, and `retryDelay` is reported in real (scaled-down) seconds.
    pub time_scale: f64,
    /// Base latency of every model call (real time, not scaled).
    pub latency: Duration,
    /// Extra latency, uniform in `[0, latency_jitter]`, seeded.
    pub latency_jitter: Duration,
    /// Faults for the next calls, in order, before random ones are considered.
    pub scripted_faults: Vec<Fault>,
    pub random_faults: RandomFaults,
    /// Seeds jitter, random faults and answer imperfections (answers otherwise depend only on
    /// the request).
    pub seed: u64,
    /// Thinking tokens reported by each successful call on a 2.5 model, unless the request
    /// sets `thinkingBudget: 0`; capped by a positive budget. Gemini 3 models always think:
    /// this is their `thinkingLevel: low` spend (256 when left at 0), `high` (their default)
    /// spends four times as much.
    pub thinking_tokens: u64,
    /// Longest a [`Fault::Hang`] lasts (real time) before it gives up with 504.
    pub hang_limit: Duration,
    /// `retryDelay` of a [`Fault::Http429`] (real time).
    pub fault_retry_delay: Duration,
    /// Details every 429 carries (except [`Fault::Http429Bare`], which never has any).
    pub quota_error_style: QuotaErrorStyle,
    /// Probability that a packed answer leaves out a post: each item of the outermost
    /// enum-keyed array (see [`crate::schema`]) is dropped with this chance, decided per
    /// (request text, post id, seed), so retrying the same request omits the same posts.
    pub omit_rate: f64,
    /// Probability that a draft (a free-text string property of an enum-keyed array item, such
    /// as a reply's `text`) comes back as `""`. Skipped where the schema sets `minLength`.
    pub empty_draft_rate: f64,
    /// Probability that a non-empty draft starts with a generic opener such as "Great point! ",
    /// as real models often write.
    pub generic_opener_rate: f64,
    /// Share of the prompt reported as `cachedContentTokenCount` (implicit caching) on 2.5
    /// and 3 models, for prompts of at least 1024 tokens. Included in `promptTokenCount`.
    pub cached_prompt_share: f64,
    /// Largest `pageSize` the models list honours (the real API allows 1000); lower it to
    /// exercise paging.
    pub max_page_size: usize,
    /// How long a batch job stays `BATCH_STATE_PENDING`, then `RUNNING` (Google takes
    /// minutes to hours; tests take seconds).
    pub batch_pending: Duration,
    pub batch_running: Duration,
    /// Inline batch bodies of this size or more are refused with a 400 (Google: 20 MB).
    pub batch_inline_limit_bytes: usize,
    /// Every n-th request of a job fails with a per-request error (`google.rpc.Status`).
    pub batch_request_error_every: Option<u32>,
    /// Finished jobs point to a responses file instead of answering inline.
    pub batch_responses_as_file: bool,
    /// What the first batch jobs do, one per job in order (then they succeed).
    pub batch_faults: Vec<BatchFault>,
}

/// How a scripted batch job ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BatchFault {
    /// `BATCH_STATE_FAILED` with an error, no answers.
    Fail,
    /// `BATCH_STATE_EXPIRED` (Google gives up after about 48 hours), no answers.
    Expire,
    /// Answers in a responses file rather than inline.
    ResponsesFile,
    /// Answers inline without their `metadata.key` and out of request order, as real jobs
    /// answer (googleapis/python-genai#2008, #1886: no metadata; #1909: not in order).
    DropKeys,
    /// Answers inline with each key moved to the next answer ("the response from one key
    /// wrongly put into another key", googleapis/python-genai#1909).
    WrongKeys,
    /// The job is created, but the creation answer is lost on the way back (a 503): the
    /// client must find the job by its display name rather than create it again.
    LoseCreateAnswer,
}

impl FromStr for BatchFault {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text.trim().to_ascii_lowercase().as_str() {
            "fail" => Ok(BatchFault::Fail),
            "expire" => Ok(BatchFault::Expire),
            "responses-file" => Ok(BatchFault::ResponsesFile),
            "drop-keys" => Ok(BatchFault::DropKeys),
            "wrong-keys" => Ok(BatchFault::WrongKeys),
            "lose-create-answer" => Ok(BatchFault::LoseCreateAnswer),
            other => Err(format!(
                "unknown batch fault {other:?}; expected fail, expire, responses-file or drop-keys"
            )),
        }
    }
}

impl Default for FakeConfig {
    fn default() -> Self {
        Self {
            port: 0,
            api_keys: vec![DEFAULT_API_KEY.to_owned()],
            disabled_keys: Vec::new(),
            limits: QuotaLimits::UNLIMITED,
            model_limits: HashMap::new(),
            time_scale: 1.0,
            latency: Duration::ZERO,
            latency_jitter: Duration::ZERO,
            scripted_faults: Vec::new(),
            random_faults: RandomFaults::NONE,
            seed: 0,
            thinking_tokens: 0,
            hang_limit: Duration::from_secs(600),
            fault_retry_delay: Duration::from_secs(1),
            max_page_size: 1000,
            quota_error_style: QuotaErrorStyle::Full,
            omit_rate: 0.0,
            empty_draft_rate: 0.0,
            generic_opener_rate: 0.0,
            cached_prompt_share: 0.0,
            batch_pending: Duration::from_millis(500),
            batch_running: Duration::from_millis(1500),
            batch_inline_limit_bytes: 20 * 1024 * 1024,
            batch_request_error_every: None,
            batch_responses_as_file: false,
            batch_faults: Vec::new(),
        }
    }
}

impl FakeConfig {
    pub(crate) fn limits_for(&self, model: &str) -> QuotaLimits {
        self.model_limits.get(model).copied().unwrap_or(self.limits)
    }

    /// Real length of the scaled one-minute window.
    pub(crate) fn minute(&self) -> Duration {
        scaled(Duration::from_secs(60), self.time_scale)
    }

    /// Real length of the scaled one-day window.
    pub(crate) fn day(&self) -> Duration {
        scaled(Duration::from_secs(86_400), self.time_scale)
    }
}

fn scaled(duration: Duration, time_scale: f64) -> Duration {
    if time_scale.is_finite() && time_scale > 0.0 {
        duration.div_f64(time_scale)
    } else {
        duration
    }
}
