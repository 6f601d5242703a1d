//! Sliding-window quota accounting per (key, model).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use crate::config::QuotaLimits;

/// Which limit a request broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuotaKind {
    RequestsPerMinute,
    InputTokensPerMinute,
    RequestsPerDay,
}

/// A broken limit and how long until the request would fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Violation {
    pub kind: QuotaKind,
    pub limit: u64,
    pub retry_after: Duration,
}

#[derive(Debug, Default)]
struct Windows {
    minute_requests: VecDeque<Instant>,
    minute_tokens: VecDeque<(Instant, u64)>,
    minute_token_sum: u64,
    day_requests: VecDeque<Instant>,
}

impl Windows {
    fn expire(&mut self, now: Instant, minute: Duration, day: Duration) {
        let expired = |at: Instant, window: Duration| at + window <= now;
        while self
            .minute_requests
            .front()
            .is_some_and(|at| expired(*at, minute))
        {
            self.minute_requests.pop_front();
        }
        while let Some((at, tokens)) = self.minute_tokens.front().copied() {
            if !expired(at, minute) {
                break;
            }
            self.minute_token_sum -= tokens;
            self.minute_tokens.pop_front();
        }
        while self
            .day_requests
            .front()
            .is_some_and(|at| expired(*at, day))
        {
            self.day_requests.pop_front();
        }
    }
}

/// Time until enough of `requests` expire that `added` more fit under `limit`.
fn request_wait(
    requests: &VecDeque<Instant>,
    added: u64,
    limit: u64,
    window: Duration,
    now: Instant,
) -> Option<Duration> {
    let count = requests.len() as u64;
    if count + added <= limit {
        return None;
    }
    // The (count + added - limit)th oldest must leave the window. When `added` alone is over
    // the limit nothing ever fits; report a whole window, as for an oversized prompt.
    let wait = match requests.get((count + added - limit - 1) as usize) {
        Some(at) if added <= limit => (*at + window).saturating_duration_since(now),
        _ => window,
    };
    Some(wait)
}

/// What one call charges: `batchEmbedContents` counts one request per item, as Google counts
/// it, and all its items' tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    pub requests: u64,
    pub tokens: u64,
}

/// The quota state of every (key, model) pair seen.
#[derive(Debug, Default)]
pub struct QuotaBook {
    windows: HashMap<(String, String), Windows>,
}

impl QuotaBook {
    /// Admits and records a call's demand, or lists every limit it breaks.
    pub fn admit(
        &mut self,
        key: &str,
        model: &str,
        Demand { requests, tokens }: Demand,
        limits: QuotaLimits,
        now: Instant,
        (minute, day): (Duration, Duration),
    ) -> Result<(), Vec<Violation>> {
        if limits == QuotaLimits::UNLIMITED {
            return Ok(());
        }
        let windows = self
            .windows
            .entry((key.to_owned(), model.to_owned()))
            .or_default();
        windows.expire(now, minute, day);

        let mut violations = Vec::new();
        if let Some(rpm) = limits.rpm {
            if let Some(retry_after) = request_wait(
                &windows.minute_requests,
                requests,
                u64::from(rpm),
                minute,
                now,
            ) {
                violations.push(Violation {
                    kind: QuotaKind::RequestsPerMinute,
                    limit: u64::from(rpm),
                    retry_after,
                });
            }
        }
        if let Some(tpm) = limits.tpm {
            if windows.minute_token_sum + tokens > tpm {
                let retry_after = if tokens > tpm {
                    // Can never fit; tell the caller to wait a whole window anyway, as the
                    // real API does not special-case oversized prompts either.
                    minute
                } else {
                    let mut remaining = windows.minute_token_sum;
                    windows
                        .minute_tokens
                        .iter()
                        .find_map(|(at, spent)| {
                            remaining -= spent;
                            (remaining + tokens <= tpm)
                                .then(|| (*at + minute).saturating_duration_since(now))
                        })
                        .unwrap_or(minute)
                };
                violations.push(Violation {
                    kind: QuotaKind::InputTokensPerMinute,
                    limit: tpm,
                    retry_after,
                });
            }
        }
        if let Some(rpd) = limits.rpd {
            if let Some(retry_after) =
                request_wait(&windows.day_requests, requests, u64::from(rpd), day, now)
            {
                violations.push(Violation {
                    kind: QuotaKind::RequestsPerDay,
                    limit: u64::from(rpd),
                    retry_after,
                });
            }
        }
        if !violations.is_empty() {
            return Err(violations);
        }
        for _ in 0..requests {
            windows.minute_requests.push_back(now);
            windows.day_requests.push_back(now);
        }
        windows.minute_tokens.push_back((now, tokens));
        windows.minute_token_sum += tokens;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOWS: (Duration, Duration) = (Duration::from_secs(60), Duration::from_secs(86_400));

    fn demand(requests: u64, tokens: u64) -> Demand {
        Demand { requests, tokens }
    }

    #[test]
    fn rpm_window_slides() {
        let mut book = QuotaBook::default();
        let limits = QuotaLimits {
            rpm: Some(2),
            ..QuotaLimits::UNLIMITED
        };
        let start = Instant::now();
        assert!(book
            .admit("k", "m", demand(1, 1), limits, start, WINDOWS)
            .is_ok());
        let later = start + Duration::from_secs(20);
        assert!(book
            .admit("k", "m", demand(1, 1), limits, later, WINDOWS)
            .is_ok());
        let third = start + Duration::from_secs(30);
        let violations = book
            .admit("k", "m", demand(1, 1), limits, third, WINDOWS)
            .unwrap_err();
        assert_eq!(violations[0].kind, QuotaKind::RequestsPerMinute);
        assert_eq!(violations[0].retry_after, Duration::from_secs(30));
        // Other keys and models have their own windows.
        assert!(book
            .admit("k2", "m", demand(1, 1), limits, third, WINDOWS)
            .is_ok());
        assert!(book
            .admit("k", "m2", demand(1, 1), limits, third, WINDOWS)
            .is_ok());
        // Once the first request leaves the window, one more fits.
        let after = start + Duration::from_secs(60);
        assert!(book
            .admit("k", "m", demand(1, 1), limits, after, WINDOWS)
            .is_ok());
    }

    #[test]
    fn tpm_waits_for_enough_tokens_to_expire() {
        let mut book = QuotaBook::default();
        let limits = QuotaLimits {
            tpm: Some(100),
            ..QuotaLimits::UNLIMITED
        };
        let start = Instant::now();
        book.admit("k", "m", demand(1, 40), limits, start, WINDOWS)
            .unwrap();
        book.admit(
            "k",
            "m",
            demand(1, 40),
            limits,
            start + Duration::from_secs(10),
            WINDOWS,
        )
        .unwrap();
        let violations = book
            .admit(
                "k",
                "m",
                demand(1, 70),
                limits,
                start + Duration::from_secs(15),
                WINDOWS,
            )
            .unwrap_err();
        assert_eq!(violations[0].kind, QuotaKind::InputTokensPerMinute);
        // 40 + 40 + 70 > 100 and 40 + 70 > 100: both earlier requests must expire.
        assert_eq!(violations[0].retry_after, Duration::from_secs(55));
    }

    #[test]
    fn daily_limit_reports_all_violations() {
        let mut book = QuotaBook::default();
        let limits = QuotaLimits {
            rpm: Some(1),
            tpm: None,
            rpd: Some(1),
        };
        let start = Instant::now();
        book.admit("k", "m", demand(1, 1), limits, start, WINDOWS)
            .unwrap();
        let kinds: Vec<QuotaKind> = book
            .admit("k", "m", demand(1, 1), limits, start, WINDOWS)
            .unwrap_err()
            .iter()
            .map(|violation| violation.kind)
            .collect();
        assert_eq!(
            kinds,
            [QuotaKind::RequestsPerMinute, QuotaKind::RequestsPerDay]
        );
    }

    #[test]
    fn a_batch_counts_one_request_per_item() {
        let mut book = QuotaBook::default();
        let limits = QuotaLimits {
            rpm: Some(15),
            ..QuotaLimits::UNLIMITED
        };
        let start = Instant::now();
        book.admit("k", "m", demand(10, 10), limits, start, WINDOWS)
            .unwrap();
        let later = start + Duration::from_secs(5);
        book.admit("k", "m", demand(1, 1), limits, later, WINDOWS)
            .unwrap();
        // 11 used: 4 more fit, 5 do not until the batch of 10 leaves the window.
        book.admit("k", "m", demand(4, 4), limits, later, WINDOWS)
            .unwrap();
        let violations = book
            .admit("k", "m", demand(1, 1), limits, later, WINDOWS)
            .unwrap_err();
        assert_eq!(violations[0].retry_after, Duration::from_secs(55));
        // More items than the limit can never fit: a whole window.
        let violations = book
            .admit("k2", "m", demand(16, 16), limits, start, WINDOWS)
            .unwrap_err();
        assert_eq!(violations[0].kind, QuotaKind::RequestsPerMinute);
        assert_eq!(violations[0].retry_after, Duration::from_secs(60));
    }
}
