//! What a fake server accepts and how it misbehaves.

use std::fmt;
use std::str::FromStr;

/// The token both fakes accept when none is configured.
pub const DEFAULT_APIFY_TOKEN: &str = "apify_api_fake_token_0001";
pub const DEFAULT_X_TOKEN: &str = "AAAAAAAAAAAAAAAAAAAAAFakeBearerToken0001";

#[derive(Debug, Clone)]
pub struct SourcesConfig {
    /// 0 picks a free port.
    pub port: u16,
    pub apify_tokens: Vec<String>,
    pub x_tokens: Vec<String>,
    /// Speed-up of every wait the fake imposes: 100 makes a 20 s actor run last 0.2 s and a
    /// 60 s Retry-After 1 s (headers carry whole seconds, so at least 1).
    pub time_scale: f64,
    /// How long an actor run takes, in simulated seconds.
    pub apify_run_secs: f64,
    /// What a run reports in `usageTotalUsd` per dataset item ($0.40 per 1,000 posts).
    pub apify_usd_per_item: f64,
    /// What a rate-limited answer asks to wait, in simulated seconds.
    pub retry_after_secs: u64,
    /// Unix time of the post clock at start (default: the real clock). Posts exist up to it.
    pub post_clock_start: Option<i64>,
    /// Faults for the next actor-run starts, in order.
    pub apify_faults: Vec<ApifyFault>,
    /// Faults for the next X searches, in order.
    pub x_faults: Vec<XFault>,
}

impl Default for SourcesConfig {
    fn default() -> Self {
        SourcesConfig {
            port: 0,
            apify_tokens: vec![DEFAULT_APIFY_TOKEN.to_owned()],
            x_tokens: vec![DEFAULT_X_TOKEN.to_owned()],
            time_scale: 1.0,
            apify_run_secs: 20.0,
            apify_usd_per_item: 0.0004,
            retry_after_secs: 60,
            post_clock_start: None,
            apify_faults: Vec::new(),
            x_faults: Vec::new(),
        }
    }
}

/// What the next actor run start meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApifyFault {
    /// 401: the token is refused, whatever it is.
    BadToken,
    /// 402: the account's usage limit or credit is used up.
    OutOfCredit,
    /// 429 with `Retry-After`.
    RateLimited,
    /// The run starts, stores half its items and ends FAILED.
    RunFailed,
    /// The run starts, stores half its items and ends TIMED-OUT.
    RunTimedOut,
    /// The run starts, stores half its items and ends ABORTED.
    RunAborted,
}

/// What the next X search request meets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XFault {
    /// 401 Unauthorized.
    BadToken,
    /// 402: the pay-per-use credit is used up.
    OutOfCredit,
    /// 429 with `x-rate-limit-reset`.
    RateLimited,
}

impl FromStr for ApifyFault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "401" | "bad-token" => ApifyFault::BadToken,
            "402" | "out-of-credit" => ApifyFault::OutOfCredit,
            "429" | "rate-limited" => ApifyFault::RateLimited,
            "failed" => ApifyFault::RunFailed,
            "timed-out" => ApifyFault::RunTimedOut,
            "aborted" => ApifyFault::RunAborted,
            other => {
                return Err(format!(
                    "unknown Apify fault \"{other}\" (401, 402, 429, failed, timed-out, aborted)"
                ))
            }
        })
    }
}

impl FromStr for XFault {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "401" | "bad-token" => XFault::BadToken,
            "402" | "out-of-credit" => XFault::OutOfCredit,
            "429" | "rate-limited" => XFault::RateLimited,
            other => return Err(format!("unknown X fault \"{other}\" (401, 402, 429)")),
        })
    }
}

impl fmt::Display for ApifyFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ApifyFault::BadToken => "401",
            ApifyFault::OutOfCredit => "402",
            ApifyFault::RateLimited => "429",
            ApifyFault::RunFailed => "failed",
            ApifyFault::RunTimedOut => "timed-out",
            ApifyFault::RunAborted => "aborted",
        })
    }
}
