//! The account's limits as stored and shared: the tier and custom numbers the user saved,
//! the published presets per tier, daily limits Google reported for a key, and the
//! admissions every process on this machine shares through the database. The rate limiter
//! itself ([`crate::limiter`]) is pure: it is handed limits, and a shared window to wait in.

use std::time::Duration;

use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};

use crate::limiter::{Limits, SharedWindow, HEADROOM};

/// The account's tier at Google, which decides the published limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Free,
    Tier1,
}

/// When the presets below were last checked against Google's published numbers. Google
/// changes free-tier allowances without notice, so runs also learn the real limits from the
/// 429s they get (see [`learn_daily_limit`]).
pub const PRESETS_AS_OF: &str = "2026-12-02";

/// Published (or, where marked, observed) limits per tier. Free tier: as an AI Studio
/// dashboard showed them after the December 2025 cut (2.5 Pro and Gemini 3 Pro have no free
/// tier any more; Gemini 3 Flash's free numbers are assumed to match 2.5 Flash's). Tier 1:
/// the rate-limits page as copied 2025-09-05; Gemini 3 numbers assumed equal to their 2.5
/// counterparts until Google publishes them.
pub fn preset(tier: Tier, model: &str) -> Option<Limits> {
    let l = |rpm, tpm, rpd: Option<u32>| {
        Some(Limits {
            rpm,
            tpm: Some(tpm),
            rpd,
        })
    };
    let priced = crate::prices::priced_as(model).unwrap_or(model);
    match (tier, priced) {
        (Tier::Free, "gemini-2.5-flash") => l(5, 250_000, Some(20)),
        (Tier::Free, "gemini-2.5-flash-lite") => l(10, 250_000, Some(20)),
        (Tier::Free, "gemini-3-flash-preview") => l(5, 250_000, Some(20)),
        (Tier::Free, "gemini-2.0-flash") => l(15, 1_000_000, Some(200)),
        (Tier::Free, "gemini-2.0-flash-lite") => l(30, 1_000_000, Some(200)),
        (Tier::Tier1, "gemini-2.5-pro") => l(150, 2_000_000, Some(10_000)),
        (Tier::Tier1, "gemini-2.5-flash") => l(1_000, 1_000_000, Some(10_000)),
        (Tier::Tier1, "gemini-2.5-flash-lite") => l(4_000, 4_000_000, None),
        (Tier::Tier1, "gemini-3-pro-preview" | "gemini-3.1-pro-preview") => {
            l(150, 2_000_000, Some(10_000))
        }
        (Tier::Tier1, "gemini-3-flash-preview") => l(1_000, 1_000_000, Some(10_000)),
        (Tier::Tier1, "gemini-2.0-flash") => l(2_000, 4_000_000, None),
        (Tier::Tier1, "gemini-2.0-flash-lite") => l(4_000, 4_000_000, None),
        _ => None,
    }
}

/// Limits of the embedding model (counted per item of a batch), by tier.
pub fn embedding_preset(tier: Tier) -> Limits {
    match tier {
        Tier::Free => Limits {
            rpm: 100,
            tpm: Some(30_000),
            rpd: Some(1_000),
        },
        Tier::Tier1 => Limits {
            rpm: 3_000,
            tpm: Some(1_000_000),
            rpd: None,
        },
    }
}

/// Settings keys shared by the CLI and the desktop app.
pub const TIER_SETTING: &str = "tier";
pub const CUSTOM_LIMITS_SETTING: &str = "custom_limits";

/// Reads a tier name as people write it: free (the default), tier1 / tier-1 / paid.
pub fn parse_tier(text: &str) -> Option<Tier> {
    match text.trim().to_ascii_lowercase().as_str() {
        "" | "free" => Some(Tier::Free),
        "tier1" | "tier-1" | "paid" => Some(Tier::Tier1),
        _ => None,
    }
}

/// The account's limits for `model` as saved in settings: the user's custom numbers if they
/// entered some, else the published preset of the saved tier (free by default). `None` when
/// neither knows the model.
pub async fn configured(
    store: &crate::store::Store,
    model: &str,
) -> crate::error::Result<Option<Limits>> {
    if let Some(custom) = store
        .setting(CUSTOM_LIMITS_SETTING)
        .await?
        .and_then(|v| serde_json::from_value::<Limits>(v).ok())
    {
        return Ok(Some(custom));
    }
    Ok(preset(saved_tier(store).await?, model))
}

/// The account tier saved in settings (free unless set).
pub async fn saved_tier(store: &crate::store::Store) -> crate::error::Result<Tier> {
    Ok(store
        .setting(TIER_SETTING)
        .await?
        .and_then(|v| v.as_str().and_then(parse_tier))
        .unwrap_or(Tier::Free))
}

/// The `admissions` table: every process on this machine that admits a request for the same
/// key and model writes it there, and none admits more than the per-minute limit in any
/// 60 seconds counted across all of them.
#[derive(Clone)]
pub struct SharedAdmissions {
    pub store: crate::store::Store,
    pub key_tag: String,
    pub model: String,
}

impl SharedWindow for SharedAdmissions {
    fn key_tag(&self) -> &str {
        &self.key_tag
    }

    fn admit(
        &self,
        requests: u32,
        per_minute: u32,
        tokens: u64,
        tpm: Option<u64>,
    ) -> BoxFuture<'_, ()> {
        Box::pin(self.admit_when_room(requests, per_minute, tokens, tpm))
    }
}

impl SharedAdmissions {
    /// Waits until `requests` requests (one call; each text of an embedding batch counts)
    /// fit the shared minute window, then records them in one transaction.
    async fn admit_when_room(&self, requests: u32, per_minute: u32, tokens: u64, tpm: Option<u64>) {
        loop {
            match self.try_admit(requests, per_minute, tokens, tpm).await {
                Ok(None) => return,
                Ok(Some(wait)) => tokio::time::sleep(wait).await,
                // The database is only a coordination aid: if it fails, the local limiter stands.
                Err(e) => {
                    tracing::warn!("shared admissions unavailable: {e}");
                    return;
                }
            }
        }
    }

    async fn try_admit(
        &self,
        requests: u32,
        per_minute: u32,
        tokens: u64,
        tpm: Option<u64>,
    ) -> crate::error::Result<Option<Duration>> {
        let now_ms = chrono::Utc::now().timestamp_millis();
        let window_start = now_ms - 60_000;
        let mut tx = self.store.write_tx().await?;
        let expired = window_start - 60_000;
        sqlx::query!("DELETE FROM admissions WHERE admitted_ms < ?", expired)
            .execute(&mut *tx)
            .await?;
        let window = sqlx::query!(
            r#"SELECT COUNT(*) AS "count!: i64", MIN(admitted_ms) AS "oldest?: i64",
                      coalesce(SUM(tokens), 0) AS "used!: i64"
               FROM admissions WHERE key_tag = ? AND model = ? AND admitted_ms >= ?"#,
            self.key_tag,
            self.model,
            window_start,
        )
        .fetch_one(&mut *tx)
        .await?;
        let (count, oldest, used) = (window.count, window.oldest, window.used);
        // An empty window always takes the call, however large, so a batch bigger than the
        // whole allowance cannot wait forever.
        let full = count > 0
            && ((count + i64::from(requests)) as f64 > per_minute as f64 * (1.0 - HEADROOM)
                || tpm.is_some_and(|t| used as u64 + tokens > t));
        if full {
            tx.commit().await?;
            let wait_ms = oldest.map_or(1_000, |o| (o + 60_000 - now_ms).clamp(10, 60_000));
            return Ok(Some(Duration::from_millis(wait_ms as u64)));
        }
        for i in 0..requests {
            let call_tokens = if i == 0 { tokens as i64 } else { 0 };
            sqlx::query!(
                "INSERT INTO admissions (key_tag, model, admitted_ms, tokens) VALUES (?, ?, ?, ?)",
                self.key_tag,
                self.model,
                now_ms,
                call_tokens,
            )
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(None)
    }
}

/// A limit Google told us through a 429's `quotaValue`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LearnedLimit {
    pub model: String,
    pub requests_per_day: u32,
    /// Unix seconds.
    pub learned_at: i64,
}

impl LearnedLimit {
    /// "Google says this key allows 20 requests a day of gemini-2.5-flash (learned from Google on 2026-12-02)."
    pub fn sentence(&self) -> String {
        let day = chrono::DateTime::from_timestamp(self.learned_at, 0)
            .map(|t| {
                t.with_timezone(&chrono::Local)
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default();
        format!(
            "Google says this key allows {} requests a day of {} (learned from Google on {day}).",
            self.requests_per_day, self.model
        )
    }
}

const LEARNED_PREFIX: &str = "learned_limit:";

/// Remembers the daily request limit Google reported for a key and model.
pub async fn learn_daily_limit(
    store: &crate::store::Store,
    key_tag: &str,
    model: &str,
    requests_per_day: u32,
    now: i64,
) -> crate::error::Result<()> {
    let value = serde_json::to_value(LearnedLimit {
        model: model.to_owned(),
        requests_per_day,
        learned_at: now,
    })
    .unwrap_or_default();
    store
        .set_setting(&format!("{LEARNED_PREFIX}{key_tag}:{model}"), &value)
        .await
}

/// The daily limit learned for a key and model, if Google ever reported one.
pub async fn learned_daily_limit(
    store: &crate::store::Store,
    key_tag: &str,
    model: &str,
) -> crate::error::Result<Option<LearnedLimit>> {
    Ok(store
        .setting(&format!("{LEARNED_PREFIX}{key_tag}:{model}"))
        .await?
        .and_then(|v| serde_json::from_value(v).ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn saved_custom_limits_win_over_the_tier() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = crate::store::Store::open(&dir.path().join("l.db"))
            .await
            .unwrap();
        assert_eq!(
            configured(&store, "gemini-2.5-flash").await.unwrap(),
            preset(Tier::Free, "gemini-2.5-flash")
        );
        store
            .set_setting(TIER_SETTING, &serde_json::json!("paid"))
            .await
            .unwrap();
        assert_eq!(
            configured(&store, "gemini-2.5-flash").await.unwrap(),
            preset(Tier::Tier1, "gemini-2.5-flash")
        );
        let custom = Limits {
            rpm: 7,
            tpm: Some(1000),
            rpd: None,
        };
        store
            .set_setting(
                CUSTOM_LIMITS_SETTING,
                &serde_json::to_value(custom).unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(
            configured(&store, "some-new-model").await.unwrap(),
            Some(custom)
        );
    }

    #[test]
    fn presets_exist_for_common_models() {
        // As of PRESETS_AS_OF: the free tier after Google's December 2025 cut.
        let free_flash = preset(Tier::Free, "gemini-2.5-flash").unwrap();
        assert_eq!((free_flash.rpm, free_flash.rpd), (5, Some(20)));
        assert!(
            preset(Tier::Free, "gemini-2.5-pro").is_none(),
            "no free 2.5 Pro any more"
        );
        assert!(preset(Tier::Tier1, "gemini-3-pro-preview").is_some());
        assert_eq!(preset(Tier::Free, "gemini-flash-latest"), Some(free_flash));
        assert_eq!(
            preset(Tier::Tier1, "gemini-2.5-flash-lite").unwrap().rpd,
            None
        );
        assert!(preset(Tier::Free, "unknown-model").is_none());
    }
}
