//! What each Gemini model family needs from a run: thinking settings, how many output tokens
//! a request may use, and how many posts fit in one request.
//!
//! Thinking tokens are billed as output and count against `maxOutputTokens`, so a packed
//! request sized for its drafts alone comes back cut off (and billed) on a thinking model.
//! Each family gets the least thinking it accepts, and the output cap is sized from the
//! drafts asked for plus that family's thinking allowance.

use gemini::{ModelFamily, ThinkingConfig};
use serde::Serialize;

/// Output tokens one reply draft takes, with its share of the JSON around it (a draft is at
/// most 200 characters ≈ 50 tokens; the JSON keys, type names and quoting add the rest).
pub const TOKENS_PER_DRAFT: u32 = 90;
/// The JSON envelope of one post's result (its id and brackets).
pub const TOKENS_PER_POST: u32 = 24;
/// Packing more posts than this into one request makes the model drop posts and repeat
/// itself, whatever the output limit allows.
pub const MAX_POSTS_PER_REQUEST: u32 = 20;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelProfile {
    pub model: String,
    pub family: ModelFamily,
    /// Sent with every request; `None` leaves the model's default (2.0 models reject any).
    pub thinking: Option<ThinkingConfig>,
    /// Output tokens reserved for thinking on top of the drafts.
    pub thinking_allowance: u32,
    /// Thinking tokens a request typically uses, for forecasts before this project has a
    /// history on the model.
    pub typical_thinking: u32,
    /// The model's output limit (from the models endpoint when known).
    pub output_token_limit: u32,
}

/// The profile of `model`; `output_token_limit` from the models endpoint when the caller has it.
pub fn profile(model: &str, output_token_limit: Option<u64>) -> ModelProfile {
    let family = gemini::model_family(model);
    let budget = |b: i32| {
        Some(ThinkingConfig {
            thinking_budget: Some(b),
            ..ThinkingConfig::default()
        })
    };
    let level = |l: &str| {
        Some(ThinkingConfig {
            thinking_level: Some(l.to_owned()),
            ..ThinkingConfig::default()
        })
    };
    // (thinking, allowance, typical, default output limit)
    let (thinking, allowance, typical, limit) = match family {
        ModelFamily::Flash25 | ModelFamily::FlashLite25 => (budget(0), 0, 0, 65_536),
        // 2.5 Pro cannot stop thinking; 128 is the smallest budget it accepts.
        ModelFamily::Pro25 => (budget(128), 512, 200, 65_536),
        // Gemini 3 takes a level, not a budget; Flash goes down to "minimal", Pro to "low".
        ModelFamily::Flash3 => (level("minimal"), 1_024, 150, 65_536),
        ModelFamily::Pro3 => (level("low"), 4_096, 800, 65_536),
        ModelFamily::Gemini2 => (None, 0, 0, 8_192),
        _ => (None, 2_048, 500, 8_192),
    };
    ModelProfile {
        model: model.to_owned(),
        family,
        thinking,
        thinking_allowance: allowance,
        typical_thinking: typical,
        output_token_limit: output_token_limit
            .map(|l| l.min(u32::MAX as u64) as u32)
            .unwrap_or(limit),
    }
}

impl ModelProfile {
    /// `maxOutputTokens` for a request of `posts` posts with `reply_types` drafts each.
    pub fn max_output_tokens(&self, posts: u32, reply_types: u32) -> u32 {
        let drafts = posts.max(1) * (reply_types.max(1) * TOKENS_PER_DRAFT + TOKENS_PER_POST);
        (drafts + 64 + self.thinking_allowance).min(self.output_token_limit)
    }

    /// The most posts one request can carry without its answer being cut off.
    pub fn max_posts_per_request(&self, reply_types: u32) -> u32 {
        let room = self
            .output_token_limit
            .saturating_sub(64 + self.thinking_allowance);
        let per_post = reply_types.max(1) * TOKENS_PER_DRAFT + TOKENS_PER_POST;
        (room / per_post).clamp(1, MAX_POSTS_PER_REQUEST)
    }
}

/// The model's output limit from the (free) models endpoint, asked once per process; `None`
/// when it cannot be had in a few seconds (the family default then applies).
pub async fn output_token_limit(client: &gemini::Client, model: &str) -> Option<u64> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static KNOWN: OnceLock<Mutex<HashMap<String, Option<u64>>>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    if let Some(limit) = known.lock().unwrap_or_else(|p| p.into_inner()).get(model) {
        return *limit;
    }
    let asked =
        tokio::time::timeout(std::time::Duration::from_secs(5), client.get_model(model)).await;
    let limit = match asked {
        Ok(Ok(info)) => info.output_token_limit,
        // Not known yet: ask again next time rather than remember a failure.
        _ => return None,
    };
    known
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(model.to_owned(), limit);
    limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_family_gets_the_least_thinking_it_accepts() {
        let flash = profile("gemini-2.5-flash", None);
        assert_eq!(flash.thinking.as_ref().unwrap().thinking_budget, Some(0));
        let pro = profile("gemini-2.5-pro", None);
        assert_eq!(pro.thinking.as_ref().unwrap().thinking_budget, Some(128));
        let g3 = profile("gemini-3-pro-preview", None);
        assert_eq!(
            g3.thinking.as_ref().unwrap().thinking_level.as_deref(),
            Some("low")
        );
        assert_eq!(g3.thinking.as_ref().unwrap().thinking_budget, None);
        let g3f = profile("gemini-3-flash-preview", None);
        assert_eq!(
            g3f.thinking.as_ref().unwrap().thinking_level.as_deref(),
            Some("minimal")
        );
        assert!(profile("gemini-2.0-flash", None).thinking.is_none());
        let alias = profile("gemini-flash-latest", None);
        assert_eq!(alias.thinking.as_ref().unwrap().thinking_budget, Some(0));
    }

    #[test]
    fn output_cap_grows_with_the_pack_and_leaves_room_to_think() {
        let pro = profile("gemini-3-pro-preview", None);
        let one = pro.max_output_tokens(1, 2);
        let ten = pro.max_output_tokens(10, 2);
        assert!(one > pro.thinking_allowance);
        assert_eq!(ten - one, 9 * (2 * TOKENS_PER_DRAFT + TOKENS_PER_POST));
        // A small output limit bounds the pack.
        let small = profile("gemini-2.0-flash", Some(1_000));
        assert_eq!(small.max_posts_per_request(2), (1_000 - 64) / 204);
        assert!(small.max_output_tokens(small.max_posts_per_request(2), 2) <= 1_000);
        assert_eq!(
            profile("gemini-2.5-flash", None).max_posts_per_request(5),
            MAX_POSTS_PER_REQUEST
        );
    }
}
