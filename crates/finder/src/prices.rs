//! The price table and exact cost arithmetic.
//!
//! Prices are integer micro-dollars per million tokens, which is numerically pico-dollars per
//! token, so `cost = tokens × price` in pico-dollars is exact: no division, no rounding, no
//! floats. Prices are append-only and every ledger row copies the prices it used, so editing a
//! price never rewrites past costs.

use crate::error::{FinderError, Result};
use crate::store::Store;
use serde::Serialize;

// Money as text and numbers lives on its own, so plain values (budgets, errors) can show it.
pub use crate::money::{
    format_usd, micros_to_usd, parse_usd_picos, picos_to_usd, read_budget, suggest_raised_budget,
    usd_input_text, BudgetInput, MoneyText,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Price {
    pub input_micros_per_mtok: i64,
    pub output_micros_per_mtok: i64,
    pub cached_micros_per_mtok: i64,
    /// Prices for long prompts, where the model has them (2.5 Pro, Gemini 3 Pro).
    pub long: Option<LongPromptPrice>,
    /// Batch API prices; `None` means half the standard ones (Google's published rule).
    pub batch: Option<BatchRates>,
}

/// The Batch API's prices for a model (USD per 1M tokens as micro-dollars).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct BatchRates {
    pub input_micros_per_mtok: i64,
    pub output_micros_per_mtok: i64,
    pub cached_micros_per_mtok: i64,
}

/// Above `threshold_tokens` of prompt, the whole call is billed at these prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct LongPromptPrice {
    pub threshold_tokens: u64,
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

impl From<&gemini::Usage> for BilledTokens {
    /// The tokens of a call as Google reported them.
    fn from(u: &gemini::Usage) -> Self {
        BilledTokens {
            prompt: u.prompt_tokens,
            cached: u.cached_tokens,
            output: u.output_tokens,
            thinking: u.thinking_tokens,
        }
    }
}

impl Price {
    /// The flat prices that apply to a call with `prompt_tokens` of prompt.
    pub fn tier_for(&self, prompt_tokens: u64) -> Price {
        match self.long {
            Some(long) if prompt_tokens > long.threshold_tokens => Price {
                input_micros_per_mtok: long.input_micros_per_mtok,
                output_micros_per_mtok: long.output_micros_per_mtok,
                cached_micros_per_mtok: long.cached_micros_per_mtok,
                long: None,
                batch: None,
            },
            _ => Price {
                long: None,
                batch: None,
                ..*self
            },
        }
    }

    /// The prices a Batch API request is billed at: the batch columns, with the long-prompt
    /// tier scaled by the same share (half, where no batch price is stored).
    pub fn at_batch_rate(&self) -> Price {
        let rates = self.batch.unwrap_or(BatchRates {
            input_micros_per_mtok: self.input_micros_per_mtok / 2,
            output_micros_per_mtok: self.output_micros_per_mtok / 2,
            cached_micros_per_mtok: self.cached_micros_per_mtok / 2,
        });
        let scale = |long: i64, standard: i64, batch: i64| {
            if standard > 0 {
                ((long as i128 * batch as i128) / standard as i128) as i64
            } else {
                long / 2
            }
        };
        Price {
            input_micros_per_mtok: rates.input_micros_per_mtok,
            output_micros_per_mtok: rates.output_micros_per_mtok,
            cached_micros_per_mtok: rates.cached_micros_per_mtok,
            long: self.long.map(|long| LongPromptPrice {
                threshold_tokens: long.threshold_tokens,
                input_micros_per_mtok: scale(
                    long.input_micros_per_mtok,
                    self.input_micros_per_mtok,
                    rates.input_micros_per_mtok,
                ),
                output_micros_per_mtok: scale(
                    long.output_micros_per_mtok,
                    self.output_micros_per_mtok,
                    rates.output_micros_per_mtok,
                ),
                cached_micros_per_mtok: scale(
                    long.cached_micros_per_mtok,
                    self.cached_micros_per_mtok,
                    rates.cached_micros_per_mtok,
                ),
            }),
            batch: None,
        }
    }

    /// Cost in pico-dollars (1e-12 USD). Token counts come from the server, so the
    /// arithmetic saturates instead of overflowing on absurd numbers.
    pub fn cost_picos(&self, t: &BilledTokens) -> i64 {
        let p = self.tier_for(t.prompt);
        let cached = t.cached.min(t.prompt);
        let fresh = t.prompt - cached;
        let times = |tokens: u64, price: i64| {
            i64::try_from(tokens)
                .unwrap_or(i64::MAX)
                .saturating_mul(price)
        };
        times(fresh, p.input_micros_per_mtok)
            .saturating_add(times(cached, p.cached_micros_per_mtok))
            .saturating_add(times(
                t.output.saturating_add(t.thinking),
                p.output_micros_per_mtok,
            ))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct PriceRow {
    pub model: String,
    pub input_usd_per_mtok: String,
    pub output_usd_per_mtok: String,
    pub cached_usd_per_mtok: String,
    /// Batch API prices (USD per 1M tokens) and where they come from.
    pub batch_input_usd_per_mtok: String,
    pub batch_output_usd_per_mtok: String,
    pub batch_source: String,
    pub source: String,
    pub effective_from: i64,
    #[serde(skip)]
    pub price: Price,
}

/// The price in force for `model` now: the latest row by effective time.
pub async fn current(store: &Store, model: &str) -> Result<Option<Price>> {
    let model = bare_model(model);
    let row = sqlx::query_as!(
        PriceColumns,
        "SELECT input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok,
                long_threshold_tokens, long_input_micros_per_mtok, long_output_micros_per_mtok,
                long_cached_micros_per_mtok, batch_input_micros_per_mtok,
                batch_output_micros_per_mtok, batch_cached_micros_per_mtok
         FROM prices WHERE model = ? ORDER BY effective_from DESC, id DESC LIMIT 1",
        model,
    )
    .fetch_optional(store.pool())
    .await?;
    Ok(row.map(PriceColumns::price))
}

/// Like `current`, with a plain-words error when no price is known. An alias such as
/// `gemini-flash-latest` or a dated preview name is priced as the model it stands for.
pub async fn require(store: &Store, model: &str) -> Result<Price> {
    if let Some(price) = current(store, model).await? {
        return Ok(price);
    }
    if let Some(canonical) = priced_as(model) {
        if let Some(price) = current(store, canonical).await? {
            return Ok(price);
        }
    }
    Err(FinderError::InvalidInput(format!(
        "No price is known for the model \"{model}\", so its cost could not be recorded. \
         Add its price (USD per 1M tokens) to the price table first."
    )))
}

/// The published model whose price an alias or a dated preview of it uses.
pub fn priced_as(model: &str) -> Option<&'static str> {
    let m = bare_model(model).to_ascii_lowercase();
    let family = [
        ("gemini-flash-lite-latest", "gemini-2.5-flash-lite"),
        ("gemini-flash-latest", "gemini-2.5-flash"),
        ("gemini-pro-latest", "gemini-3-pro-preview"),
        ("gemini-2.5-flash-lite", "gemini-2.5-flash-lite"),
        ("gemini-2.5-flash", "gemini-2.5-flash"),
        ("gemini-2.5-pro", "gemini-2.5-pro"),
        ("gemini-3-flash", "gemini-3-flash-preview"),
        ("gemini-3-pro", "gemini-3-pro-preview"),
        ("gemini-3.1-pro", "gemini-3.1-pro-preview"),
        ("gemini-2.0-flash-lite", "gemini-2.0-flash-lite"),
        ("gemini-2.0-flash", "gemini-2.0-flash"),
    ];
    family
        .iter()
        .find(|(prefix, _)| m.starts_with(prefix))
        .map(|(_, priced)| *priced)
}

/// Every model's current price.
pub async fn list(store: &Store) -> Result<Vec<PriceRow>> {
    let rows = sqlx::query!(
        "SELECT p.model, p.source, p.effective_from, p.input_micros_per_mtok,
                p.output_micros_per_mtok, p.cached_micros_per_mtok, p.long_threshold_tokens,
                p.long_input_micros_per_mtok, p.long_output_micros_per_mtok,
                p.long_cached_micros_per_mtok, p.batch_input_micros_per_mtok,
                p.batch_output_micros_per_mtok, p.batch_cached_micros_per_mtok, p.batch_source
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
            let price = PriceColumns {
                input_micros_per_mtok: r.input_micros_per_mtok,
                output_micros_per_mtok: r.output_micros_per_mtok,
                cached_micros_per_mtok: r.cached_micros_per_mtok,
                long_threshold_tokens: r.long_threshold_tokens,
                long_input_micros_per_mtok: r.long_input_micros_per_mtok,
                long_output_micros_per_mtok: r.long_output_micros_per_mtok,
                long_cached_micros_per_mtok: r.long_cached_micros_per_mtok,
                batch_input_micros_per_mtok: r.batch_input_micros_per_mtok,
                batch_output_micros_per_mtok: r.batch_output_micros_per_mtok,
                batch_cached_micros_per_mtok: r.batch_cached_micros_per_mtok,
            }
            .price();
            let batch = price.at_batch_rate();
            PriceRow {
                batch_input_usd_per_mtok: micros_to_usd(batch.input_micros_per_mtok),
                batch_output_usd_per_mtok: micros_to_usd(batch.output_micros_per_mtok),
                batch_source: r
                    .batch_source
                    .unwrap_or_else(|| "50% of the standard price".to_owned()),
                model: r.model,
                input_usd_per_mtok: micros_to_usd(price.input_micros_per_mtok),
                output_usd_per_mtok: micros_to_usd(price.output_micros_per_mtok),
                cached_usd_per_mtok: micros_to_usd(price.cached_micros_per_mtok),
                source: r.source,
                effective_from: r.effective_from,
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
        input_micros_per_mtok: parse_usd(input, "The input price")?,
        output_micros_per_mtok: parse_usd(output, "The output price")?,
        cached_micros_per_mtok: match cached {
            Some(c) => parse_usd(c, "The cached-input price")?,
            None => parse_usd(input, "The input price")?,
        },
        long: None,
        // Half of the new price, by Google's rule for the Batch API.
        batch: None,
    };
    sqlx::query!(
        "INSERT INTO prices (model, input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok,
                             effective_from, source, created_at)
         VALUES (?, ?, ?, ?, ?, 'edited', ?)",
        model,
        price.input_micros_per_mtok,
        price.output_micros_per_mtok,
        price.cached_micros_per_mtok,
        now,
        now,
    )
    .execute(store.pool())
    .await?;
    Ok(price)
}

/// A stored price's columns, as one query reads them.
struct PriceColumns {
    input_micros_per_mtok: i64,
    output_micros_per_mtok: i64,
    cached_micros_per_mtok: i64,
    long_threshold_tokens: Option<i64>,
    long_input_micros_per_mtok: Option<i64>,
    long_output_micros_per_mtok: Option<i64>,
    long_cached_micros_per_mtok: Option<i64>,
    batch_input_micros_per_mtok: Option<i64>,
    batch_output_micros_per_mtok: Option<i64>,
    batch_cached_micros_per_mtok: Option<i64>,
}

impl PriceColumns {
    fn price(self) -> Price {
        let long = match (
            self.long_threshold_tokens,
            self.long_input_micros_per_mtok,
            self.long_output_micros_per_mtok,
            self.long_cached_micros_per_mtok,
        ) {
            (Some(threshold), Some(input), Some(output), Some(cached)) => Some(LongPromptPrice {
                threshold_tokens: threshold.max(0) as u64,
                input_micros_per_mtok: input,
                output_micros_per_mtok: output,
                cached_micros_per_mtok: cached,
            }),
            _ => None,
        };
        let batch = match (
            self.batch_input_micros_per_mtok,
            self.batch_output_micros_per_mtok,
            self.batch_cached_micros_per_mtok,
        ) {
            (Some(input), Some(output), Some(cached)) => Some(BatchRates {
                input_micros_per_mtok: input,
                output_micros_per_mtok: output,
                cached_micros_per_mtok: cached,
            }),
            _ => None,
        };
        Price {
            input_micros_per_mtok: self.input_micros_per_mtok,
            output_micros_per_mtok: self.output_micros_per_mtok,
            cached_micros_per_mtok: self.cached_micros_per_mtok,
            long,
            batch,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_prompts_are_billed_at_the_long_tier_and_huge_counts_saturate() {
        let pro = Price {
            input_micros_per_mtok: 2_000_000,
            output_micros_per_mtok: 12_000_000,
            cached_micros_per_mtok: 200_000,
            long: Some(LongPromptPrice {
                threshold_tokens: 200_000,
                input_micros_per_mtok: 4_000_000,
                output_micros_per_mtok: 18_000_000,
                cached_micros_per_mtok: 400_000,
            }),
            batch: None,
        };
        // Batch: half of every rate, long tier included.
        let batch = pro.at_batch_rate();
        assert_eq!(batch.input_micros_per_mtok, 1_000_000);
        assert_eq!(batch.long.unwrap().output_micros_per_mtok, 9_000_000);
        let stored = Price {
            batch: Some(BatchRates {
                input_micros_per_mtok: 500_000,
                output_micros_per_mtok: 6_000_000,
                cached_micros_per_mtok: 50_000,
            }),
            ..pro
        };
        // A stored batch price wins; the long tier scales by the same share.
        assert_eq!(stored.at_batch_rate().input_micros_per_mtok, 500_000);
        assert_eq!(
            stored.at_batch_rate().long.unwrap().input_micros_per_mtok,
            1_000_000
        );
        let short = BilledTokens {
            prompt: 200_000,
            cached: 0,
            output: 10,
            thinking: 0,
        };
        assert_eq!(
            pro.cost_picos(&short),
            200_000 * 2_000_000 + 10 * 12_000_000
        );
        let long = BilledTokens {
            prompt: 200_001,
            ..short
        };
        assert_eq!(pro.cost_picos(&long), 200_001 * 4_000_000 + 10 * 18_000_000);
        let absurd = BilledTokens {
            prompt: u64::MAX,
            cached: 0,
            output: u64::MAX,
            thinking: 5,
        };
        assert_eq!(pro.cost_picos(&absurd), i64::MAX);
        assert_eq!(priced_as("gemini-flash-latest"), Some("gemini-2.5-flash"));
        assert_eq!(
            priced_as("models/gemini-2.5-flash-preview-09-2025"),
            Some("gemini-2.5-flash")
        );
        assert_eq!(
            priced_as("gemini-3-pro-preview"),
            Some("gemini-3-pro-preview")
        );
    }

    #[test]
    fn cost_is_exact_with_thinking_as_output_and_cached_at_its_rate() {
        let flash = Price {
            input_micros_per_mtok: 300_000,
            output_micros_per_mtok: 2_500_000,
            cached_micros_per_mtok: 30_000,
            long: None,
            batch: None,
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
        assert_eq!(format_usd(1_000_000_000_000), "$1.00");
        assert_eq!(format_usd(10_000_000_000), "$0.0100");
        assert_eq!(format_usd(1_234_500_000_000_000), "$1,234.50");
        assert_eq!(format_usd(-500_000_000_000), "-$0.5000");
        assert_eq!(format_usd(1_000_000_000_000_000_000), "$1,000,000.00");
    }

    const USD: i64 = 1_000_000_000_000;

    #[test]
    fn typed_dollars_become_exact_picos_and_back() {
        assert_eq!(parse_usd_picos("0.30"), Some(300_000_000_000));
        assert_eq!(parse_usd_picos("$1,200"), Some(1200 * USD));
        assert_eq!(parse_usd_picos(" 0.000081 "), Some(81_000_000));
        assert_eq!(parse_usd_picos("0.1"), Some(100_000_000_000));
        assert_eq!(parse_usd_picos(""), None);
        assert_eq!(parse_usd_picos("abc"), None);
        assert_eq!(parse_usd_picos("-1"), None);
        assert_eq!(parse_usd_picos("1.2.3"), None);
        // Finer than a pico-dollar.
        assert_eq!(parse_usd_picos("0.0000000000001"), None);
        for text in ["5", "0.5", "12.25", "0.000081"] {
            assert_eq!(usd_input_text(parse_usd_picos(text).unwrap()), text);
        }
        let m = MoneyText::of(USD / 2);
        assert_eq!((m.text.as_str(), m.input.as_str()), ("$0.5000", "0.5"));
    }

    #[test]
    fn suggests_twice_the_old_budget_rounded_up_to_a_cent() {
        assert_eq!(
            suggest_raised_budget(Some(50_000_000_000), 40_000_000_000),
            "0.10"
        );
        assert_eq!(suggest_raised_budget(None, 40_000_000_000), "0.08");
        assert_eq!(suggest_raised_budget(None, 0), "0.01");
        assert_eq!(
            suggest_raised_budget(Some(2_000_000_000_000), 1_999_000_000_000),
            "4.00"
        );
        assert_eq!(suggest_raised_budget(Some(1_234_000_000), 0), "0.01");
    }

    #[test]
    fn a_budget_must_be_an_amount_above_what_is_spent() {
        let ok = |picos| BudgetInput {
            picos: Some(picos),
            problem: None,
        };
        let bad = |m: &str| BudgetInput {
            picos: None,
            problem: Some(m.to_string()),
        };
        assert_eq!(read_budget("0.10", 40_000_000_000), ok(100_000_000_000));
        assert_eq!(read_budget(" $1,200 ", 0), ok(1_200 * USD));
        assert_eq!(
            read_budget("", 0),
            bad("Type the new budget in dollars, like 0.50.")
        );
        assert_eq!(
            read_budget("ten", 0),
            bad("Type an amount in dollars, like 0.50.")
        );
        assert_eq!(
            read_budget("-1", 0),
            bad("Type an amount in dollars, like 0.50.")
        );
        assert_eq!(read_budget("0", 0), bad("The budget must be more than $0."));
        assert_eq!(
            read_budget("0.04", 40_000_000_000),
            bad("This run has already spent $0.0400. Type a budget above that.")
        );
    }
}
