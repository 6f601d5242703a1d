//! Reply suggestions for X posts, as pure functions: no I/O, no storage.
//!
//! The flow a caller drives:
//! 1. [`build_request`] turns a batch of posts (K ≥ 1) and a brand [`Voice`] into one Gemini
//!    request whose `responseJsonSchema` ([`response_schema`]) fixes the answer's shape.
//! 2. [`parse_answer`] reads the model's JSON back, matching results to posts **by id**, never
//!    by position, and lists the ids that got nothing usable so the caller can retry them
//!    alone.
//! 3. [`check_draft`] filters each reply (length, X weighted length, generic praise, replies
//!    that only repeat the post, hashtags).
//!
//! [`examples_request`] / [`parse_examples`] ask for example posts for a topic that has none.
//!
//! Posts are untrusted text written by strangers. The prompt keeps each one inside its own
//! `<post …>` block with every angle bracket (and look-alike) escaped, tells the model never
//! to follow instructions inside a post, and the schema leaves no room for any other output.

mod answer;
mod prompt;
mod quality;
mod schema;

use serde::{Deserialize, Serialize};

pub use answer::{parse_answer, parse_examples, ParseError, ParsedAnswer};
pub use prompt::{build_request, escape_post_text, examples_request, EXAMPLES_TEMPERATURE};
pub use quality::{check_draft, check_or_repair, Rejection, GENERIC_PHRASES};
pub use schema::{examples_schema, response_schema};

/// Reply types the product knows, best first (the predecessor's V1.3 ranking).
pub const REPLY_TYPES: [&str; 5] = ["add_value", "ask_question", "funny", "debate", "relate"];

/// Shortest reply kept, in characters.
pub const MIN_REPLY_CHARS: usize = 40;
/// Longest reply kept, in characters.
pub const MAX_REPLY_CHARS: usize = 200;
/// Length the prompt asks the model to aim for, in characters.
pub const TARGET_REPLY_CHARS: (usize, usize) = (80, 150);
/// Good and bad voice examples put into the prompt, at most, each.
pub const MAX_VOICE_EXAMPLES: usize = 3;
/// Example posts asked for per topic.
pub const EXAMPLE_COUNT: usize = 5;
/// Persona used when the voice leaves it blank (the predecessor's default).
pub const DEFAULT_PERSONA: &str = "helpful and informative";

/// What a reply type asks for, as explained to the model; `None` for a type this crate does
/// not know (the prompt then tells the model to follow the type's name).
pub fn describe_reply_type(reply_type: &str) -> Option<&'static str> {
    Some(match reply_type {
        "add_value" => {
            "add a useful insight, practical tip or data point that the post does not already say"
        }
        "ask_question" => {
            "ask one thoughtful follow-up question that invites the author to say more"
        }
        "funny" => "light, good-natured wit about the subject; never mock the author",
        "debate" => "respectfully offer a contrarian or alternative view, with a reason",
        "relate" => "share a short, concrete personal experience that relates to the post",
        _ => return None,
    })
}

/// One post to reply to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromptPost {
    /// The post's id; the answer refers to the post by it.
    pub id: String,
    /// The post's text as written (untrusted).
    pub text: String,
    /// The author's handle, with or without the leading `@`.
    pub author: String,
    /// The project topic the post matched, if any.
    pub topic: Option<TopicContext>,
}

/// A project topic, given to the model as context for a post.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicContext {
    pub label: String,
    pub description: String,
}

/// The brand voice replies are written in.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Voice {
    /// E.g. "direct, practical, contrarian-positive"; blank means [`DEFAULT_PERSONA`].
    pub persona: String,
    /// Extra constraints such as "no profanity".
    pub rules: Vec<String>,
    /// Replies in the voice; the first [`MAX_VOICE_EXAMPLES`] non-blank ones are used.
    pub good_examples: Vec<String>,
    /// Replies to avoid; the first [`MAX_VOICE_EXAMPLES`] non-blank ones are used.
    pub bad_examples: Vec<String>,
}

/// Sampling options of a generation request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GenerationSettings {
    /// 0.0–2.0; default 0.2 (the predecessor's).
    pub temperature: f32,
    /// On thinking models thinking tokens count against it too, so callers size it from the
    /// number of drafts asked for plus the thinking allowance.
    pub max_output_tokens: u32,
    /// Sent as `thinkingConfig` when set. Models differ in what they accept (2.5 Pro cannot
    /// stop thinking, Gemini 3 takes a level, 2.0 rejects any setting), so callers decide
    /// per model family.
    pub thinking: Option<gemini::ThinkingConfig>,
}

impl GenerationSettings {
    pub const DEFAULT_TEMPERATURE: f32 = 0.2;
    pub const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 2048;
}

impl Default for GenerationSettings {
    fn default() -> Self {
        Self {
            temperature: Self::DEFAULT_TEMPERATURE,
            max_output_tokens: Self::DEFAULT_MAX_OUTPUT_TOKENS,
            thinking: Some(gemini::ThinkingConfig {
                thinking_budget: Some(0),
                ..gemini::ThinkingConfig::default()
            }),
        }
    }
}

/// One suggested reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// One of the requested reply types.
    pub reply_type: String,
    /// The reply, trimmed. Not yet checked: run [`check_draft`] on it.
    pub text: String,
}

/// `items` in their order with repeats removed (first occurrence kept).
pub(crate) fn unique<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen: Vec<&str> = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_reply_type_is_described() {
        for reply_type in REPLY_TYPES {
            assert!(describe_reply_type(reply_type).is_some(), "{reply_type}");
        }
        assert_eq!(describe_reply_type("mirror_reframe"), None);
    }

    #[test]
    fn settings_defaults() {
        let settings = GenerationSettings::default();
        assert_eq!(settings.max_output_tokens, 2048);
        assert_eq!(settings.thinking.unwrap().thinking_budget, Some(0));
        assert!((settings.temperature - 0.2).abs() < f32::EPSILON);
    }

    #[test]
    fn unique_keeps_first_occurrence_order() {
        assert_eq!(unique(["b", "a", "b", "c", "a"]), ["b", "a", "c"]);
    }
}
