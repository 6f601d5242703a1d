//! Refreshing saved searches every N hours while the app runs. The loop is the engine's, with
//! the clock passed in, so a test drives a day of refreshes in milliseconds; the app supplies
//! what a refresh does (find new posts, maybe draft replies, notify).

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::saved::{self, SavedSearch};
use super::SearchCancel;
use crate::error::Result;
use crate::store::Store;

/// Time for the scheduler: the real clock in the app, a fake one in tests.
pub trait Clock: Send + Sync {
    /// Unix seconds.
    fn now(&self) -> i64;
    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn sleep(&self, wait: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(tokio::time::sleep(wait))
    }
}

/// How often the scheduler looks for saved searches that are due.
pub const TICK: Duration = Duration::from_secs(60);

/// Saved searches whose refresh is due at `now`: scheduled, and never fetched or last fetched
/// at least their interval ago.
pub async fn due(store: &Store, now: i64) -> Result<Vec<SavedSearch>> {
    Ok(saved::list(store, None)
        .await?
        .into_iter()
        .filter(|s| match (s.refresh_hours, s.last_fetched_at) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(h), Some(last)) => now - last >= i64::from(h) * 3600,
        })
        .collect())
}

/// The notification after a refresh, when it found something worth a reply.
pub fn worth_a_reply(new_greens: u64) -> Option<String> {
    match new_greens {
        0 => None,
        1 => Some("1 new post worth a reply".into()),
        n => Some(format!("{n} new posts worth a reply")),
    }
}

/// Runs until `stop`: every `tick`, each due saved search is marked as attempted (so a failing
/// one waits its interval rather than retrying every tick) and handed to `refresh`.
pub async fn run_schedule<F, Fut>(
    store: &Store,
    clock: &dyn Clock,
    tick: Duration,
    stop: &SearchCancel,
    mut refresh: F,
) -> Result<()>
where
    F: FnMut(SavedSearch) -> Fut,
    Fut: Future<Output = ()>,
{
    while !stop.is_cancelled() {
        let now = clock.now();
        for search in due(store, now).await? {
            if stop.is_cancelled() {
                return Ok(());
            }
            sqlx::query!(
                "UPDATE saved_searches SET last_fetched_at = ? WHERE id = ?",
                now,
                search.id,
            )
            .execute(store.pool())
            .await?;
            refresh(search).await;
        }
        tokio::select! {
            _ = clock.sleep(tick) => {}
            _ = stop.cancelled() => {}
        }
    }
    Ok(())
}
