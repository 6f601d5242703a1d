//! One retry policy for every call a run makes, planning included: transient failures
//! (per-minute 429s, 500, 503, 504, timeouts, dropped connections) are waited out with
//! growing, jittered delays and never end a run; a per-day quota and permanent errors are
//! returned at once for the caller to stop on.

use std::time::Duration;

use gemini::{GeminiError, QuotaScope};
use rand::Rng;

use crate::limiter::Limiter;

/// Transient failures in a row a call survives; at 10% of calls failing, eight in a row is
/// a one-in-a-hundred-million event, so reaching it means the service is really down.
pub const TRANSIENT_LIMIT: u32 = 8;
/// The longest any single wait lasts, whatever the server asks for.
pub const MAX_WAIT: Duration = Duration::from_secs(120);

/// ~1 s, 2 s, 4 s … capped at 60 s, times a random factor in [0.5, 1.5).
pub fn backoff(step: u32, rng: &mut impl Rng) -> Duration {
    let base = 2f64.powi(step.saturating_sub(1).min(16) as i32).min(60.0);
    Duration::from_secs_f64(base * rng.random_range(0.5..1.5))
}

/// What to do after a failed call: wait this long and try again, or give up with the error.
pub fn next_wait(
    error: &GeminiError,
    failures_in_a_row: u32,
    limiter: Option<&Limiter>,
    rng: &mut impl Rng,
) -> Option<Duration> {
    if !error.is_transient() || failures_in_a_row >= TRANSIENT_LIMIT {
        return None;
    }
    let wait = match error {
        GeminiError::Quota {
            scope: QuotaScope::RequestsPerMinute | QuotaScope::TokensPerMinute,
            retry_after: Some(delay),
            ..
        } => *delay,
        _ => backoff(failures_in_a_row, rng),
    }
    .min(MAX_WAIT);
    if let (GeminiError::Quota { .. }, Some(limiter)) = (error, limiter) {
        // Everyone using this limiter waits, not just this call.
        limiter.pause_for(wait);
        return Some(Duration::ZERO);
    }
    Some(wait)
}
