//! The global rate limiter: one per (API key, model) in the process, shared by every run.
//!
//! The predecessor counted a call only after it finished and kept one limiter per run, so
//! it ran at ~15 calls/min whatever the batch size. Here a request is *admitted before it is
//! sent*, against:
//! - requests per minute and input tokens per minute (governor's GCRA, tuned so that no
//!   60-second window ever holds more than the limit — that is how Google counts);
//! - requests per day, counted from the ledger at start and reset at midnight Pacific;
//! - a shared pause: a 429 stops every worker for the server's RetryInfo delay plus jitter,
//!   instead of each worker hammering on its own.
//!
//! Time comes from tokio's clock, so tests run hours of traffic in milliseconds with
//! `tokio::time::pause`.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{NaiveDate, TimeZone};
use futures::future::BoxFuture;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// Provider limits for one model on one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Limits {
    pub rpm: u32,
    /// Input tokens per minute.
    pub tpm: Option<u64>,
    pub rpd: Option<u32>,
}

/// Requests are spaced this much wider than the limit allows. Network latency varies, so two
/// requests sent exactly 60/RPM seconds apart can arrive closer together and trip a strict
/// server; 2% keeps 429s rare while staying within the ≥95% utilisation target.
pub(crate) const HEADROOM: f64 = 0.02;

#[derive(Clone, Copy, Debug, Default)]
struct TokioClock;

impl Clock for TokioClock {
    type Instant = std::time::Instant;
    fn now(&self) -> Self::Instant {
        tokio::time::Instant::now().into_std()
    }
}

type Gcra = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<std::time::Instant>>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    #[error("The daily request limit ({limit}) for this model is used up; it resets at midnight Pacific time.")]
    DailyLimitReached { limit: u32 },
    #[error("This request needs about {needed} input tokens, more than the {limit} tokens per minute allowed.")]
    TooLarge { needed: u64, limit: u64 },
}

impl LimitError {
    pub fn code(&self) -> &'static str {
        match self {
            LimitError::DailyLimitReached { .. } => "daily_limit_reached",
            LimitError::TooLarge { .. } => "request_too_large",
        }
    }
}

/// Where "today" is counted: the Pacific calendar day of a unix time.
pub fn pacific_day(unix: i64) -> NaiveDate {
    chrono_tz::America::Los_Angeles
        .timestamp_opt(unix, 0)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

/// The unix time at which the Pacific day containing `unix` began.
pub fn pacific_midnight(unix: i64) -> i64 {
    let day = pacific_day(unix);
    chrono_tz::America::Los_Angeles
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or(unix)
}

/// Midnight Pacific time after `unix`: when Google's daily allowances reset.
pub fn next_pacific_midnight(unix: i64) -> i64 {
    let start = pacific_midnight(unix);
    // A day is 23–25 hours around daylight-saving changes: take the start of the day that
    // contains a time safely inside tomorrow.
    let tomorrow = pacific_midnight(start + 26 * 3600);
    if tomorrow > unix {
        tomorrow
    } else {
        pacific_midnight(unix + 26 * 3600)
    }
}

struct DayCount {
    day: NaiveDate,
    requests: u32,
    /// Google said the day's allowance is spent, whatever our count says.
    exhausted: bool,
}

/// Counters for reports and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LimiterStats {
    /// Calls admitted.
    pub admitted: u64,
    /// Requests as Google counts them (each item of an embedding batch is one).
    pub requests: u64,
    pub pauses: u64,
}

pub struct Limiter {
    limits: Limits,
    requests: Gcra,
    tokens: Option<(Gcra, u32)>,
    paused_until: Mutex<Option<tokio::time::Instant>>,
    day: Mutex<DayCount>,
    wall_clock: fn() -> i64,
    jitter: Mutex<rand::rngs::StdRng>,
    stats: Mutex<LimiterStats>,
    /// First and latest admission, for measuring how fully the limit is used.
    span: Mutex<Option<(tokio::time::Instant, tokio::time::Instant)>>,
    /// Requests a day, as set or as learned from Google's 429s.
    daily_limit: Mutex<Option<u32>>,
    /// Real input tokens over our estimate, learned from `usageMetadata` (1.0 until then).
    token_ratio: Mutex<f64>,
    /// Which key this limiter serves, as stored for learned limits (a salted hash prefix).
    key_tag: Option<String>,
    /// Admissions shared with other processes (through the database).
    shared: Option<Box<dyn SharedWindow>>,
}

/// A minute window shared with other processes that use the same key and model. The limiter
/// only waits its turn there; where the window is kept (the database) is not its business,
/// so it stays free of storage.
pub trait SharedWindow: Send + Sync {
    /// How learned limits are filed for the key (see [`key_tag`]).
    fn key_tag(&self) -> &str;
    /// Waits until `requests` requests (one call; each text of an embedding batch counts)
    /// fit the shared minute window, then records them.
    fn admit(
        &self,
        requests: u32,
        per_minute: u32,
        tokens: u64,
        tpm: Option<u64>,
    ) -> BoxFuture<'_, ()>;
}

/// How learned limits are filed for a key: a salted SHA-256 prefix, so the database never
/// holds the key or anything that leads back to it.
pub fn key_tag(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(format!("comment-finder learned limits\0{key}"));
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

impl Limiter {
    /// `requests_today` is how many requests the ledger already holds for this Pacific day.
    pub fn new(limits: Limits, requests_today: u32, wall_clock: fn() -> i64, seed: u64) -> Self {
        let rpm = limits.rpm.max(1) as f64 * (1.0 - HEADROOM);
        let requests = RateLimiter::direct_with_clock(
            Quota::with_period(Duration::from_secs_f64(60.0 / rpm))
                .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::MIN),
            TokioClock,
        );
        // Tokens: a burst big enough for the largest request, refilled at (limit − burst) per
        // minute, so burst + refill never exceeds the limit within any minute.
        let tokens = limits.tpm.filter(|&t| t > 0).map(|tpm| {
            let burst = (tpm / 4).clamp(1, u32::MAX as u64) as u32;
            let refill_per_minute = ((tpm - burst as u64) as f64 * (1.0 - HEADROOM)).max(1.0);
            let quota = Quota::with_period(Duration::from_secs_f64(60.0 / refill_per_minute))
                .unwrap_or_else(|| Quota::per_minute(NonZeroU32::MIN))
                .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
            (RateLimiter::direct_with_clock(quota, TokioClock), burst)
        });
        Limiter {
            limits,
            requests,
            tokens,
            paused_until: Mutex::new(None),
            day: Mutex::new(DayCount {
                day: pacific_day(wall_clock()),
                requests: requests_today,
                exhausted: false,
            }),
            wall_clock,
            jitter: Mutex::new(rand::rngs::StdRng::seed_from_u64(seed)),
            stats: Mutex::new(LimiterStats::default()),
            span: Mutex::new(None),
            daily_limit: Mutex::new(limits.rpd),
            token_ratio: Mutex::new(1.0),
            key_tag: None,
            shared: None,
        }
    }

    /// This limiter also counts (and waits for) other processes' requests on the same key
    /// and model, in a window kept in the database (the account's shared admissions).
    pub fn with_shared_admissions(mut self, shared: impl SharedWindow + 'static) -> Self {
        self.key_tag = Some(shared.key_tag().to_owned());
        self.shared = Some(Box::new(shared));
        self
    }

    pub fn key_tag(&self) -> Option<&str> {
        self.key_tag.as_deref()
    }

    /// Input tokens a request really counts for, from our estimate and what Google reported
    /// for earlier ones.
    pub fn calibrated_tokens(&self, estimate: u64) -> u64 {
        let ratio = *self.token_ratio.lock().unwrap_or_else(|p| p.into_inner());
        (estimate as f64 * ratio).ceil() as u64
    }

    /// Learns from one answered request: a running ratio of real to estimated input tokens.
    pub fn learn_tokens(&self, estimate: u64, actual: u64) {
        if estimate == 0 || actual == 0 {
            return;
        }
        let observed = (actual as f64 / estimate as f64).clamp(0.25, 4.0);
        let mut ratio = self.token_ratio.lock().unwrap_or_else(|p| p.into_inner());
        *ratio = *ratio * 0.8 + observed * 0.2;
    }

    /// Google said the day's allowance is used up (and perhaps what it is): no request is
    /// admitted again before midnight Pacific time.
    pub fn exhaust_day(&self, learned_limit: Option<u32>) {
        if let Some(limit) = learned_limit {
            *self.daily_limit.lock().unwrap_or_else(|p| p.into_inner()) = Some(limit);
        }
        let mut day = self.day.lock().unwrap_or_else(|p| p.into_inner());
        day.day = pacific_day((self.wall_clock)());
        day.exhausted = true;
    }

    /// Requests left today, when a daily limit is known.
    pub fn requests_left_today(&self) -> Option<u32> {
        let limit = (*self.daily_limit.lock().unwrap_or_else(|p| p.into_inner()))?;
        let day = self.day.lock().unwrap_or_else(|p| p.into_inner());
        if day.day != pacific_day((self.wall_clock)()) {
            return Some(limit);
        }
        Some(if day.exhausted {
            0
        } else {
            limit.saturating_sub(day.requests)
        })
    }

    /// Sets the daily limit (e.g. one learned earlier from Google).
    pub fn set_daily_limit(&self, limit: Option<u32>) {
        *self.daily_limit.lock().unwrap_or_else(|p| p.into_inner()) = limit;
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn stats(&self) -> LimiterStats {
        *self.stats.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until one request of about `input_tokens` may be sent, and counts it.
    pub async fn admit(&self, input_tokens: u64) -> Result<(), LimitError> {
        self.admit_many(1, input_tokens).await
    }

    /// Waits until a call that Google counts as `requests` requests (a batch of embeddings
    /// counts each item) of `input_tokens` in all may be sent, and counts it.
    pub async fn admit_many(&self, requests: u32, input_tokens: u64) -> Result<(), LimitError> {
        let requests = requests.max(1);
        if let Some((_, burst)) = &self.tokens {
            if input_tokens > *burst as u64 {
                return Err(LimitError::TooLarge {
                    needed: input_tokens,
                    limit: self.limits.tpm.unwrap_or(0),
                });
            }
        }
        self.check_day()?;
        loop {
            self.wait_for_pause().await;
            let mut slots = 0;
            while slots < requests {
                match self.requests.check() {
                    Ok(()) => slots += 1,
                    Err(not_until) => {
                        tokio::time::sleep(not_until.wait_time_from(TokioClock.now())).await
                    }
                }
            }
            if let Some((tokens, _)) = &self.tokens {
                let n = NonZeroU32::new(input_tokens.clamp(1, u32::MAX as u64) as u32)
                    .unwrap_or(NonZeroU32::MIN);
                // The request slot is taken; now wait for token capacity (never insufficient:
                // checked against the burst above).
                while let Ok(Err(not_until)) = tokens.check_n(n) {
                    tokio::time::sleep(not_until.wait_time_from(TokioClock.now())).await;
                }
            }
            if let Some(shared) = &self.shared {
                shared
                    .admit(
                        requests,
                        self.limits.rpm.max(1),
                        input_tokens,
                        self.limits.tpm,
                    )
                    .await;
            }
            // A 429 may have arrived while this worker waited: honour it before sending.
            if self.pause_remaining().is_some() {
                continue;
            }
            break;
        }
        for _ in 0..requests {
            self.count_day()?;
        }
        {
            let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
            stats.admitted += 1;
            stats.requests += requests as u64;
        }
        let now = tokio::time::Instant::now();
        let mut span = self.span.lock().unwrap_or_else(|p| p.into_inner());
        *span = Some(span.map_or((now, now), |(first, _)| (first, now)));
        Ok(())
    }

    /// Time from the first admission to the latest one.
    pub fn admission_span(&self) -> Option<Duration> {
        self.span
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(|(first, last)| last - first)
    }

    /// Stops every worker for `delay` plus up to 10% (at least 250 ms) of random jitter, so
    /// they do not all return at the same instant.
    pub fn pause_for(&self, delay: Duration) {
        let jitter_cap = (delay.as_secs_f64() * 0.1).max(0.25);
        let jitter = self
            .jitter
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .random_range(0.0..jitter_cap);
        let until = tokio::time::Instant::now() + delay + Duration::from_secs_f64(jitter);
        let mut paused = self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        if paused.is_none_or(|p| p < until) {
            *paused = Some(until);
        }
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).pauses += 1;
    }

    fn pause_remaining(&self) -> Option<Duration> {
        let paused = *self.paused_until.lock().unwrap_or_else(|p| p.into_inner());
        paused
            .and_then(|until| until.checked_duration_since(tokio::time::Instant::now()))
            .filter(|d| !d.is_zero())
    }

    async fn wait_for_pause(&self) {
        while let Some(remaining) = self.pause_remaining() {
            tokio::time::sleep(remaining).await;
        }
    }

    fn check_day(&self) -> Result<(), LimitError> {
        let limit = *self.daily_limit.lock().unwrap_or_else(|p| p.into_inner());
        let mut day = self.day.lock().unwrap_or_else(|p| p.into_inner());
        let today = pacific_day((self.wall_clock)());
        if day.day != today {
            *day = DayCount {
                day: today,
                requests: 0,
                exhausted: false,
            };
        }
        if day.exhausted {
            return Err(LimitError::DailyLimitReached {
                limit: limit.unwrap_or(day.requests),
            });
        }
        let Some(limit) = limit else {
            return Ok(());
        };
        if day.requests >= limit {
            return Err(LimitError::DailyLimitReached { limit });
        }
        Ok(())
    }

    fn count_day(&self) -> Result<(), LimitError> {
        let mut day = self.day.lock().unwrap_or_else(|p| p.into_inner());
        let today = pacific_day((self.wall_clock)());
        if day.day != today {
            *day = DayCount {
                day: today,
                requests: 0,
                exhausted: false,
            };
        }
        if let Some(limit) = *self.daily_limit.lock().unwrap_or_else(|p| p.into_inner()) {
            if day.requests >= limit {
                return Err(LimitError::DailyLimitReached { limit });
            }
        }
        day.requests += 1;
        Ok(())
    }
}

/// A stable in-memory fingerprint of an API key (never stored or shown).
pub fn key_fingerprint(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicI64, Ordering};
    use std::sync::Arc;

    static WALL: AtomicI64 = AtomicI64::new(1_795_867_200);
    fn wall() -> i64 {
        WALL.load(Ordering::SeqCst)
    }

    fn limits(rpm: u32) -> Limits {
        Limits {
            rpm,
            tpm: None,
            rpd: None,
        }
    }

    /// Admission times (seconds since start) of `n` requests from `workers` concurrent tasks.
    async fn admissions(limiter: Arc<Limiter>, n: usize, workers: usize, tokens: u64) -> Vec<f64> {
        let start = tokio::time::Instant::now();
        let times = Arc::new(Mutex::new(Vec::new()));
        let remaining = Arc::new(std::sync::atomic::AtomicUsize::new(n));
        let mut handles = Vec::new();
        for _ in 0..workers {
            let (limiter, times, remaining) = (limiter.clone(), times.clone(), remaining.clone());
            handles.push(tokio::spawn(async move {
                while remaining
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |r| r.checked_sub(1))
                    .is_ok()
                {
                    limiter.admit(tokens).await.unwrap();
                    times.lock().unwrap().push(start.elapsed().as_secs_f64());
                }
            }));
        }
        for h in handles {
            h.await.unwrap();
        }
        let mut t = times.lock().unwrap().clone();
        t.sort_by(f64::total_cmp);
        t
    }

    fn max_in_any_window(times: &[f64], window: f64) -> usize {
        times
            .iter()
            .enumerate()
            .map(|(i, &t)| times[i..].iter().take_while(|&&u| u < t + window).count())
            .max()
            .unwrap_or(0)
    }

    #[tokio::test(start_paused = true)]
    async fn never_more_than_rpm_in_any_minute_whatever_the_concurrency() {
        for workers in [1, 5, 50] {
            let limiter = Arc::new(Limiter::new(limits(15), 0, wall, 1));
            let times = admissions(limiter, 60, workers, 100).await;
            assert!(
                max_in_any_window(&times, 60.0) <= 15,
                "{workers} workers: {times:?}"
            );
            // ...and the pipe stays full: 60 requests at 15/min take about 4 minutes, not more.
            let span = times.last().unwrap() - times[0];
            let rate = 59.0 / span * 60.0;
            assert!(
                rate >= 0.95 * 15.0,
                "{workers} workers: {rate:.2} per minute"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn input_tokens_per_minute_are_held() {
        let limiter = Arc::new(Limiter::new(
            Limits {
                rpm: 1000,
                tpm: Some(10_000),
                rpd: None,
            },
            0,
            wall,
            1,
        ));
        let times = admissions(limiter.clone(), 40, 8, 1_000).await;
        // 1,000 tokens each: at most 10 requests in any minute.
        assert!(max_in_any_window(&times, 60.0) <= 10, "{times:?}");
        assert_eq!(
            limiter.admit(5_000).await,
            Err(LimitError::TooLarge {
                needed: 5_000,
                limit: 10_000
            })
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_worker() {
        let limiter = Arc::new(Limiter::new(limits(600), 0, wall, 7));
        limiter.admit(1).await.unwrap();
        limiter.pause_for(Duration::from_secs(30));
        let times = admissions(limiter.clone(), 10, 5, 1).await;
        assert!(times[0] >= 30.0 && times[0] < 33.5, "{times:?}");
        assert_eq!(limiter.stats().pauses, 1);
        assert_eq!(limiter.stats().admitted, 11);
    }

    #[tokio::test(start_paused = true)]
    async fn daily_limit_counts_from_the_ledger_and_resets_at_pacific_midnight() {
        WALL.store(1_795_867_200, Ordering::SeqCst); // 04:00 Pacific on 2026-11-28
        let limiter = Limiter::new(
            Limits {
                rpm: 1000,
                tpm: None,
                rpd: Some(5),
            },
            3,
            wall,
            1,
        );
        limiter.admit(1).await.unwrap();
        limiter.admit(1).await.unwrap();
        assert_eq!(
            limiter.admit(1).await,
            Err(LimitError::DailyLimitReached { limit: 5 })
        );
        WALL.store(
            pacific_midnight(1_795_867_200) + 86_400 + 1,
            Ordering::SeqCst,
        );
        limiter.admit(1).await.unwrap();
        WALL.store(1_795_867_200, Ordering::SeqCst);
    }

    #[test]
    fn pacific_midnight_is_local_not_utc() {
        // 2026-11-28T12:00Z is 04:00 PST, so the day began at 08:00Z.
        assert_eq!(pacific_midnight(1_795_867_200), 1_795_867_200 - 4 * 3600);
        assert_eq!(pacific_day(1_795_867_200).to_string(), "2026-11-28");
    }

    #[test]
    fn next_pacific_midnight_is_within_a_day_and_after_now() {
        for now in [
            1_795_867_200,
            1_795_867_200 + 7 * 3600,
            1_772_323_200, /* DST change week */
        ] {
            let next = next_pacific_midnight(now);
            assert!(next > now && next - now <= 25 * 3600, "{now} -> {next}");
            assert_eq!(pacific_midnight(next), next);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_day_google_says_is_spent_admits_nothing_more() {
        let limiter = Limiter::new(limits(600), 0, wall, 1);
        limiter.admit(1).await.unwrap();
        limiter.exhaust_day(Some(20));
        assert_eq!(limiter.requests_left_today(), Some(0));
        assert!(matches!(
            limiter.admit(1).await,
            Err(LimitError::DailyLimitReached { limit: 20 })
        ));
    }

    #[test]
    fn token_estimates_learn_from_real_usage() {
        let limiter = Limiter::new(limits(60), 0, wall, 1);
        assert_eq!(limiter.calibrated_tokens(1_000), 1_000);
        for _ in 0..30 {
            limiter.learn_tokens(1_000, 1_300);
        }
        let learned = limiter.calibrated_tokens(1_000);
        assert!((1_280..=1_300).contains(&learned), "{learned}");
    }
}
