//! What reading posts costs: integer pico-dollars per post, dated and append-only like the
//! AI price table (a change adds a row from now on; ledger rows keep the price they used).

use serde::Serialize;

use crate::error::{ErrorCode, FinderError, Result};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataPrice {
    pub provider: String,
    pub picos_per_post: i64,
    /// "$0.40" per 1,000 posts, for people.
    pub usd_per_1000_posts: String,
    pub effective_from: i64,
    pub source: String,
}

/// The price in force for `provider` at `now`.
pub async fn current(store: &Store, provider: &str, now: i64) -> Result<i64> {
    let price: Option<i64> = sqlx::query_scalar!(
        "SELECT picos_per_post FROM data_prices WHERE provider = ? AND effective_from <= ?
         ORDER BY effective_from DESC, id DESC LIMIT 1",
        provider,
        now,
    )
    .fetch_optional(store.pool())
    .await?;
    price.ok_or_else(|| FinderError::Source {
        code: ErrorCode::DataPriceMissing,
        message: format!("No price per post is known for {provider}."),
    })
}

/// Every provider's current price.
pub async fn list(store: &Store) -> Result<Vec<DataPrice>> {
    let rows = sqlx::query!(
        "SELECT p.provider, p.picos_per_post, p.effective_from, p.source FROM data_prices p
         WHERE p.id = (SELECT q.id FROM data_prices q WHERE q.provider = p.provider
                       ORDER BY q.effective_from DESC, q.id DESC LIMIT 1)
         ORDER BY p.provider",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let picos: i64 = r.picos_per_post;
            DataPrice {
                provider: r.provider,
                picos_per_post: picos,
                usd_per_1000_posts: crate::prices::format_usd(picos.saturating_mul(1000)),
                effective_from: r.effective_from,
                source: r.source,
            }
        })
        .collect())
}

/// Adds a price from `now` on, given in USD per 1,000 posts ("0.40").
pub async fn set(store: &Store, provider: &str, usd_per_1000: &str, now: i64) -> Result<DataPrice> {
    let known = [super::APIFY_PROVIDER, super::X_PROVIDER];
    if !known.contains(&provider) {
        return Err(FinderError::InvalidInput(format!(
            "\"{provider}\" is not a data source; use {} or {}.",
            known[0], known[1]
        )));
    }
    let picos = parse_usd_per_1000(usd_per_1000)?;
    sqlx::query!(
        "INSERT INTO data_prices (provider, picos_per_post, effective_from, source, created_at)
         VALUES (?, ?, ?, 'edited', ?)",
        provider,
        picos,
        now,
        now,
    )
    .execute(store.pool())
    .await?;
    list(store)
        .await?
        .into_iter()
        .find(|p| p.provider == provider)
        .ok_or_else(|| {
            FinderError::InvalidInput("The price was saved but could not be read back.".into())
        })
}

/// "0.40" USD per 1,000 posts → pico-dollars per post, exactly (decimal digits, no floats).
fn parse_usd_per_1000(text: &str) -> Result<i64> {
    let t = text.trim().trim_start_matches('$');
    let bad = || {
        FinderError::InvalidInput(format!(
            "\"{text}\" is not a price; write dollars per 1,000 posts such as 0.40."
        ))
    };
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || !fraction.chars().all(|c| c.is_ascii_digit())
        || fraction.len() > 9
    {
        return Err(bad());
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let fraction_picos: i64 = format!("{fraction:0<9}").parse().map_err(|_| bad())?;
    // USD per 1,000 posts = 1e12 / 1e3 pico-dollars per post per dollar = 1e9.
    whole
        .checked_mul(1_000_000_000)
        .and_then(|w| w.checked_add(fraction_picos))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_per_thousand_are_exact() {
        assert_eq!(parse_usd_per_1000("0.40").unwrap(), 400_000_000);
        assert_eq!(parse_usd_per_1000("$5").unwrap(), 5_000_000_000);
        assert_eq!(parse_usd_per_1000(".001").unwrap(), 1_000_000);
        assert!(parse_usd_per_1000("abc").is_err());
        assert!(parse_usd_per_1000("-1").is_err());
    }
}
