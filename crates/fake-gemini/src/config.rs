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
    /// 429 `RESOURCE_EXHAUSTED` with QuotaFailure and RetryInfo
    /// ([`FakeConfig::fault_retry_delay`]); not billed.
    Http429,
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
    pub const ALL: [Fault; 8] = [
        Fault::Http503,
        Fault::Http500,
        Fault::Http429,
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
    /// stalls a caller for its whole timeout; add it explicitly when wanted.
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
    /// Seeds jitter and random faults (answers depend only on the request).
    pub seed: u64,
    /// Thinking tokens reported by each successful call on a thinking (2.5) model, unless
    /// the request sets `thinkingBudget: 0`. Capped by a positive budget.
    pub thinking_tokens: u64,
    /// Longest a [`Fault::Hang`] lasts (real time) before it gives up with 504.
    pub hang_limit: Duration,
    /// `retryDelay` of a [`Fault::Http429`] (real time).
    pub fault_retry_delay: Duration,
    /// Largest `pageSize` the models list honours (the real API allows 1000); lower it to
    /// exercise paging.
    pub max_page_size: usize,
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
