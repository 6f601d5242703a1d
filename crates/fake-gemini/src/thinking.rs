//! Thinking rules: which `thinkingConfig` a model accepts and how many thinking tokens a call
//! spends, after Google's thinking guide and the errors the real API returns.

use serde_json::Value;

use crate::catalog::{ModelSpec, Thinking};
use crate::wire::ThinkingConfig;

/// Gemini 3's `low` spend when [`crate::FakeConfig::thinking_tokens`] is 0: Gemini 3 cannot
/// be made to think for free, so a default of nothing would hide the cost.
const DEFAULT_LOW_LEVEL_TOKENS: u64 = 256;
/// Most tokens `minimal` spends: it may still think a little.
const MINIMAL_LEVEL_CAP: u64 = 64;

/// The real message for turning thinking off on a model that always thinks.
pub const ONLY_THINKING_MESSAGE: &str =
    "Budget 0 is invalid. This model only works in thinking mode.";

/// Thinking tokens a successful call spends, or the message of the 400 `INVALID_ARGUMENT` the
/// real API answers for a `thinkingConfig` the model rejects. `configured` is
/// [`crate::FakeConfig::thinking_tokens`].
pub fn thinking_spend(
    model: &ModelSpec,
    config: Option<&ThinkingConfig>,
    configured: u64,
) -> Result<u64, String> {
    let budget = config.and_then(|thinking| thinking.thinking_budget);
    let level = config.and_then(|thinking| thinking.thinking_level.as_ref());
    if budget.is_some() && level.is_some() {
        return Err(
            "Thinking budget and thinking level cannot be set in the same request.".to_owned(),
        );
    }
    match model.thinking {
        Thinking::Never if config.is_some() => {
            Err("Thinking is not supported for this model.".to_owned())
        }
        Thinking::Never => Ok(0),
        Thinking::Budget { min, max, always } => {
            if level.is_some() {
                return Err("Thinking level is not supported for this model.".to_owned());
            }
            match budget {
                None | Some(-1) => Ok(configured),
                Some(0) if always => Err(ONLY_THINKING_MESSAGE.to_owned()),
                Some(0) => Ok(0),
                Some(budget) if (min..=max).contains(&budget) => {
                    Ok(configured.min(budget.unsigned_abs()))
                }
                Some(budget) => Err(invalid_budget(budget, min, max)),
            }
        }
        Thinking::Level { levels, always } => {
            let low = if configured > 0 {
                configured
            } else {
                DEFAULT_LOW_LEVEL_TOKENS
            };
            if let Some(level) = level {
                let name = level.as_str().map(str::to_ascii_lowercase);
                return match name {
                    Some(name) if levels.contains(&name.as_str()) => Ok(level_spend(&name, low)),
                    _ => Err(format!(
                        "Thinking level {} is not supported for this model. Supported levels: {}.",
                        display(level),
                        levels.join(", ")
                    )),
                };
            }
            match budget {
                // Gemini 3 thinks at `high` unless told otherwise.
                None | Some(-1) => Ok(level_spend("high", low)),
                Some(0) if always => Err(ONLY_THINKING_MESSAGE.to_owned()),
                Some(0) => Ok(level_spend("minimal", low)),
                Some(budget) if budget > 0 => {
                    Ok(level_spend("high", low).min(budget.unsigned_abs()))
                }
                Some(budget) => Err(invalid_budget(budget, 0, i64::from(i32::MAX))),
            }
        }
    }
}

/// Tokens spent at `level`, scaled from the `low` spend.
fn level_spend(level: &str, low: u64) -> u64 {
    match level {
        "minimal" => (low / 4).min(MINIMAL_LEVEL_CAP),
        "low" => low,
        "medium" => low.saturating_mul(2),
        _ => low.saturating_mul(4),
    }
}

fn invalid_budget(budget: i64, min: i64, max: i64) -> String {
    format!(
        "The thinking budget {budget} is invalid. Please choose a value between {min} and {max}."
    )
}

/// A level as the message quotes it: strings without JSON quotes.
fn display(level: &Value) -> String {
    match level {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}
