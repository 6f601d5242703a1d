//! The price table and exact cost arithmetic.
//!
//! Prices are integer micro-dollars per million tokens, which is numerically pico-dollars per
//! token, so `cost = tokens × price` in pico-dollars is exact: no division, no rounding, no
//! floats. Prices are append-only and every ledger row copies the prices it used, so editing a
//! price never rewrites past costs.

use serde::Serialize;
use sqlx::Row;

use crate::error::{FinderError, Result};
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Price {
    pub input_micros_per_mtok: i64,
    pub output_micros_per_mtok: i64,
    pub cached_micros_per_mtok: i64,
}

/// Token counts as billed. `prompt` includes `cached` (as Gemini reports it); thinking is
/// billed as output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct BilledTokens {
    pub prompt: u64,
    pub cached: u64,
    pub output: u64,
    pub thinking: u64,
}

impl Price {
    /// Cost in pico-dollars (1e-12 USD).
    pub fn cost_picos(&self, t: &BilledTokens) -> i64 {
        let cached = t.cached.min(t.prompt);
        let fresh = t.prompt - cached;
        fresh as i64 * self.input_micros_per_mtok
            + cached as i64 * self.cached_micros_per_mtok
            + (t.output + t.thinking) as i64 * self.output_micros_per_mtok
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PriceRow {
    pub model: String,
    pub input_usd_per_mtok: String,
    pub output_usd_per_mtok: String,
    pub cached_usd_per_mtok: String,
    pub source: String,
    pub effective_from: i64,
    #[serde(skip)]
    pub price: Price,
}

/// The price in force for `model` now: the latest row by effective time.
pub async fn current(store: &Store, model: &str) -> Result<Option<Price>> {
    let row = sqlx::query(
        "SELECT input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok FROM prices
         WHERE model = ? ORDER BY effective_from DESC, id DESC LIMIT 1",
    )
    .bind(bare_model(model))
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(|r| Price {
        input_micros_per_mtok: r.get(0),
        output_micros_per_mtok: r.get(1),
        cached_micros_per_mtok: r.get(2),
    }))
}

/// Like `current`, with a plain-words error naming the fix when no price is known.
pub async fn require(store: &Store, model: &str) -> Result<Price> {
    current(store, model).await?.ok_or_else(|| {
        FinderError::InvalidInput(format!(
            "No price is known for the model \"{model}\", so its cost could not be recorded. Set one with \
             `comment-finder prices set {model} --input USD --output USD` (USD per 1M tokens)."
        ))
    })
}

/// Every model's current price.
pub async fn list(store: &Store) -> Result<Vec<PriceRow>> {
    let rows = sqlx::query(
        "SELECT p.model, p.input_micros_per_mtok, p.output_micros_per_mtok, p.cached_micros_per_mtok,
                p.source, p.effective_from
         FROM prices p
         WHERE p.id = (SELECT q.id FROM prices q WHERE q.model = p.model
                       ORDER BY q.effective_from DESC, q.id DESC LIMIT 1)
         ORDER BY p.model",
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let price = Price {
                input_micros_per_mtok: r.get(1),
                output_micros_per_mtok: r.get(2),
                cached_micros_per_mtok: r.get(3),
            };
            PriceRow {
                model: r.get(0),
                input_usd_per_mtok: micros_to_usd(price.input_micros_per_mtok),
                output_usd_per_mtok: micros_to_usd(price.output_micros_per_mtok),
                cached_usd_per_mtok: micros_to_usd(price.cached_micros_per_mtok),
                source: r.get(4),
                effective_from: r.get(5),
                price,
            }
        })
        .collect())
}

/// Adds a price for `model`, in force from `now`. Without a cached price, cached input costs
/// the same as input.
pub async fn set(
    store: &Store,
    model: &str,
    input: &str,
    output: &str,
    cached: Option<&str>,
    now: i64,
) -> Result<Price> {
    let model = bare_model(model);
    if model.is_empty() {
        return Err(FinderError::InvalidInput(
            "Name the model the price is for.".into(),
        ));
    }
    let price = Price {
        input_micros_per_mtok: parse_usd(input, "--input")?,
        output_micros_per_mtok: parse_usd(output, "--output")?,
        cached_micros_per_mtok: match cached {
            Some(c) => parse_usd(c, "--cached")?,
            None => parse_usd(input, "--input")?,
        },
    };
    sqlx::query(
        "INSERT INTO prices (model, input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok,
                             effective_from, source, created_at)
         VALUES (?, ?, ?, ?, ?, 'edited', ?)",
    )
    .bind(model)
    .bind(price.input_micros_per_mtok)
    .bind(price.output_micros_per_mtok)
    .bind(price.cached_micros_per_mtok)
    .bind(now)
    .bind(now)
    .execute(store.pool())
    .await?;
    Ok(price)
}

fn bare_model(model: &str) -> &str {
    model.trim().strip_prefix("models/").unwrap_or(model.trim())
}

/// Parses a decimal dollar amount ("0.30", "$0.075", "2") into micro-dollars, exactly: as
/// text, never through a float.
pub fn parse_usd(text: &str, what: &str) -> Result<i64> {
    let bad = || {
        FinderError::InvalidInput(format!(
            "{what} \"{text}\" is not a price in dollars (like 0.30)."
        ))
    };
    let t = text.trim().trim_start_matches('$');
    let (whole, fraction) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && fraction.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    if fraction.len() > 6 {
        return Err(FinderError::InvalidInput(format!(
            "{what} \"{text}\" has more than 6 decimals; prices are kept to the millionth of a dollar."
        )));
    }
    let whole: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| bad())?
    };
    let fraction_micros: i64 = format!("{fraction:0<6}").parse().map_err(|_| bad())?;
    whole
        .checked_mul(1_000_000)
        .and_then(|w| w.checked_add(fraction_micros))
        .ok_or_else(bad)
}

/// 300000 → "0.30", 75000 → "0.075", 1250000 → "1.25".
pub fn micros_to_usd(micros: i64) -> String {
    let whole = micros / 1_000_000;
    let fraction = format!("{:06}", (micros % 1_000_000).abs());
    let fraction = fraction.trim_end_matches('0');
    let fraction = if fraction.len() < 2 {
        format!("{fraction:0<2}")
    } else {
        fraction.to_string()
    };
    format!("{whole}.{fraction}")
}

/// Pico-dollars as dollars for people: "$0.0341", "$12.50", "$0.000081".
pub fn format_usd(picos: i64) -> String {
    let usd = picos as f64 / 1e12;
    if usd == 0.0 {
        "$0.00".into()
    } else if usd.abs() >= 1.0 {
        format!("${usd:.2}")
    } else if usd.abs() >= 0.01 {
        format!("${usd:.4}")
    } else {
        // Small amounts keep two significant digits, so "$0.000081" is not shown as "$0.00".
        let digits = (-usd.abs().log10()).ceil() as usize + 1;
        let text = format!("{usd:.digits$}");
        format!("${}", text.trim_end_matches('0'))
    }
}

/// Pico-dollars as a JSON-friendly USD number (display only; stored money stays integer).
pub fn picos_to_usd(picos: i64) -> f64 {
    picos as f64 / 1e12
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_is_exact_with_thinking_as_output_and_cached_at_its_rate() {
        let flash = Price {
            input_micros_per_mtok: 300_000,
            output_micros_per_mtok: 2_500_000,
            cached_micros_per_mtok: 30_000,
        };
        // The real usage from gemini-api.md: 7477 prompt, 2060 candidates, 1939 thoughts.
        let t = BilledTokens {
            prompt: 7477,
            cached: 0,
            output: 2060,
            thinking: 1939,
        };
        assert_eq!(
            flash.cost_picos(&t),
            7477 * 300_000 + (2060 + 1939) * 2_500_000
        );
        assert_eq!(format_usd(flash.cost_picos(&t)), "$0.0122");
        let cached = BilledTokens {
            prompt: 1000,
            cached: 400,
            output: 0,
            thinking: 0,
        };
        assert_eq!(flash.cost_picos(&cached), 600 * 300_000 + 400 * 30_000);
    }

    #[test]
    fn dollar_text_parses_exactly() {
        assert_eq!(parse_usd("0.30", "x").unwrap(), 300_000);
        assert_eq!(parse_usd("$0.075", "x").unwrap(), 75_000);
        assert_eq!(parse_usd("2", "x").unwrap(), 2_000_000);
        assert_eq!(parse_usd(".5", "x").unwrap(), 500_000);
        assert_eq!(parse_usd("0.0375", "x").unwrap(), 37_500);
        for bad in ["", "abc", "-1", "1.2.3", "0.0000001", "1e3"] {
            assert!(parse_usd(bad, "x").is_err(), "{bad}");
        }
        assert_eq!(micros_to_usd(300_000), "0.30");
        assert_eq!(micros_to_usd(75_000), "0.075");
        assert_eq!(micros_to_usd(10_000_000), "10.00");
    }

    #[test]
    fn dollars_for_people() {
        assert_eq!(format_usd(0), "$0.00");
        assert_eq!(format_usd(34_100_000_000), "$0.0341");
        assert_eq!(format_usd(81_000_000), "$0.000081");
        assert_eq!(format_usd(80_000_000), "$0.00008");
        assert_eq!(format_usd(12_500_000_000_000), "$12.50");
    }
}
