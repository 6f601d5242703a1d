//! The quality filter for drafted replies.
//!
//! Checks, in this order (the first failure is reported): empty, too short, too long, over
//! X's weighted limit, characters X refuses, hashtags, generic praise, and "circular" replies
//! whose words mostly come from the post itself.

use std::collections::HashSet;

use thiserror::Error;

use crate::{MAX_REPLY_CHARS, MIN_REPLY_CHARS};

/// Phrases that make a reply generic praise. Matched case-insensitively as whole words
/// anywhere in the reply (so "love this" matches "I love this!" but not "I love thistles").
pub const GENERIC_PHRASES: &[&str] = &[
    "great post",
    "thanks for sharing",
    "thank you for sharing",
    "love this",
    "so true",
    "well said",
    "well put",
    "great point",
    "great points",
    "this is gold",
    "couldn't agree more",
    "could not agree more",
    "100% agree",
    "100% this",
    "spot on",
    "nailed it",
    "great thread",
    "amazing insight",
    "great insight",
    "great insights",
    "great share",
    "great read",
    "great content",
    "amazing post",
    "awesome post",
    "so much this",
    "couldn't have said it better",
    "this is fire",
    "mind blown",
];

/// More than this share (in percent) of a reply's content words found in the post makes it
/// circular.
const CIRCULAR_PERCENT: usize = 50;

/// Words ignored by the circular check (only words of 3+ letters matter, so shorter stop
/// words are not listed).
const STOP_WORDS: &[&str] = &[
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "also",
    "and",
    "any",
    "are",
    "aren't",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "can",
    "can't",
    "cannot",
    "could",
    "couldn't",
    "did",
    "didn't",
    "does",
    "doesn't",
    "doing",
    "don't",
    "down",
    "during",
    "each",
    "even",
    "ever",
    "every",
    "few",
    "for",
    "from",
    "further",
    "get",
    "gets",
    "got",
    "had",
    "hadn't",
    "has",
    "hasn't",
    "have",
    "haven't",
    "having",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i'd",
    "i'll",
    "i'm",
    "i've",
    "into",
    "isn't",
    "it's",
    "its",
    "itself",
    "just",
    "let's",
    "like",
    "more",
    "most",
    "much",
    "must",
    "myself",
    "never",
    "nor",
    "not",
    "now",
    "off",
    "once",
    "one",
    "only",
    "other",
    "ought",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "really",
    "same",
    "she",
    "should",
    "shouldn't",
    "since",
    "some",
    "still",
    "such",
    "than",
    "that",
    "that's",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "there's",
    "these",
    "they",
    "they're",
    "this",
    "those",
    "through",
    "too",
    "under",
    "until",
    "very",
    "was",
    "wasn't",
    "way",
    "we're",
    "we've",
    "were",
    "weren't",
    "what",
    "what's",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "won't",
    "would",
    "wouldn't",
    "yet",
    "you",
    "you'd",
    "you'll",
    "you're",
    "you've",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Why a draft was rejected. `Display` is a short plain-English reason; [`Rejection::code`]
/// is a stable machine code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    #[error("the reply is empty")]
    Empty,
    #[error("too short: {chars} characters (at least {MIN_REPLY_CHARS})")]
    TooShort { chars: usize },
    #[error("too long: {chars} characters (at most {MAX_REPLY_CHARS})")]
    TooLong { chars: usize },
    #[error("too long for X: counts as {weighted} of {max} characters", max = tweet_text::MAX_WEIGHTED_LENGTH)]
    OverXLimit { weighted: usize },
    #[error("contains characters X does not accept")]
    InvalidCharacters,
    #[error("contains a hashtag")]
    Hashtags,
    #[error("generic praise (\"{phrase}\")")]
    Generic { phrase: String },
    #[error("mostly repeats the post ({overlap_percent}% of its words come from it)")]
    Circular { overlap_percent: usize },
}

impl Rejection {
    /// Stable snake_case code, for storage and UI branching.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Empty => "empty",
            Rejection::TooShort { .. } => "too_short",
            Rejection::TooLong { .. } => "too_long",
            Rejection::OverXLimit { .. } => "over_x_limit",
            Rejection::InvalidCharacters => "invalid_characters",
            Rejection::Hashtags => "hashtags",
            Rejection::Generic { .. } => "generic",
            Rejection::Circular { .. } => "circular",
        }
    }
}

/// Checks a drafted reply to `post_text`. The draft is trimmed first; lengths count Unicode
/// characters (code points), and X's own weighted length must stay within 280.
pub fn check_draft(draft: &str, post_text: &str) -> Result<(), Rejection> {
    let draft = draft.trim();
    if draft.is_empty() {
        return Err(Rejection::Empty);
    }
    let chars = draft.chars().count();
    if chars < MIN_REPLY_CHARS {
        return Err(Rejection::TooShort { chars });
    }
    if chars > MAX_REPLY_CHARS {
        return Err(Rejection::TooLong { chars });
    }
    let parsed = tweet_text::parse(draft);
    if parsed.weighted_length > tweet_text::MAX_WEIGHTED_LENGTH {
        return Err(Rejection::OverXLimit {
            weighted: parsed.weighted_length,
        });
    }
    if !parsed.valid {
        return Err(Rejection::InvalidCharacters);
    }
    if has_hashtag(draft) {
        return Err(Rejection::Hashtags);
    }
    if let Some(phrase) = generic_phrase(draft) {
        return Err(Rejection::Generic {
            phrase: phrase.to_owned(),
        });
    }
    if let Some(overlap_percent) = circular_overlap(draft, post_text) {
        return Err(Rejection::Circular { overlap_percent });
    }
    Ok(())
}

/// Checks a draft and, when its only fault is a generic opener ("Great point! …", "Love
/// this. …"), drops the opener and checks again. Returns the text to keep: re-asking the
/// model would be billed, while the rest of such a draft is usually a good reply.
pub fn check_or_repair(draft: &str, post_text: &str) -> Result<String, Rejection> {
    match check_draft(draft, post_text) {
        Ok(()) => Ok(draft.trim().to_owned()),
        Err(rejection @ Rejection::Generic { .. }) => {
            let Some(rest) = without_generic_opener(draft.trim()) else {
                return Err(rejection);
            };
            check_draft(&rest, post_text).map(|()| rest)
        }
        Err(other) => Err(other),
    }
}

/// `text` without a leading generic phrase and the punctuation after it, the next letter
/// capitalised; `None` when it does not start with one, or the phrase is not followed by a
/// sentence break (then it is part of a sentence and cannot be cut out cleanly).
fn without_generic_opener(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    let phrase = GENERIC_PHRASES
        .iter()
        .filter(|p| lower.starts_with(*p))
        .max_by_key(|p| p.len())?;
    // Lower-casing can change byte lengths only outside ASCII; the phrases are ASCII.
    let after = text.get(phrase.len()..)?;
    let breaks = ['!', '.', ',', '—', '–', '-', ':', ';'];
    let trimmed = after.trim_start_matches(' ');
    if !trimmed.starts_with(breaks) {
        return None;
    }
    let rest = trimmed.trim_start_matches(|c: char| breaks.contains(&c) || c.is_whitespace());
    let mut chars = rest.chars();
    let first = chars.next()?;
    Some(first.to_uppercase().chain(chars).collect())
}

/// A `#` that starts a word and is followed by a tag containing a letter (`#growth`,
/// `#B2B`), as X links them. `#1`, `C#` and `&#39;` are not hashtags.
fn has_hashtag(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        if c != '#' && c != '＃' {
            return false;
        }
        let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '&');
        let tag: Vec<char> = chars[i + 1..]
            .iter()
            .copied()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        starts_word && tag.iter().any(|c| c.is_alphabetic())
    })
}

/// Lower-cased words: runs of letters, digits, `'` and `%`, with typographic apostrophes
/// made straight and apostrophes at either end removed. URLs, @mentions and hashtags are
/// skipped.
fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for token in text.split_whitespace() {
        let lower = token.to_lowercase();
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("www.")
            || lower.starts_with('@')
            || lower.starts_with('#')
        {
            continue;
        }
        let lower = lower.replace(['\u{2019}', '\u{2018}', '\u{02BC}'], "'");
        for word in lower.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '%')) {
            let word = word.trim_matches('\'');
            if !word.is_empty() {
                out.push(word.to_owned());
            }
        }
    }
    out
}

/// The first generic phrase found in `text` as a whole-word sequence.
fn generic_phrase(text: &str) -> Option<&'static str> {
    let text_words = words(text);
    GENERIC_PHRASES.iter().copied().find(|phrase| {
        let phrase_words = words(phrase);
        !phrase_words.is_empty()
            && text_words
                .windows(phrase_words.len())
                .any(|window| window == phrase_words.as_slice())
    })
}

/// `Some(percent)` when more than [`CIRCULAR_PERCENT`] of the reply's distinct content words
/// (3+ letters, not stop words, possessive `'s` removed) appear in the post.
fn circular_overlap(reply: &str, post: &str) -> Option<usize> {
    let normalise = |word: String| -> String {
        match word.strip_suffix("'s") {
            Some(stem) => stem.to_owned(),
            None => word,
        }
    };
    let post_words: HashSet<String> = words(post).into_iter().map(normalise).collect();
    let content: HashSet<String> = words(reply)
        .into_iter()
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .map(normalise)
        .filter(|word| word.chars().filter(|c| c.is_alphanumeric()).count() >= 3)
        .filter(|word| !STOP_WORDS.contains(&word.as_str()))
        .collect();
    if content.is_empty() {
        return None;
    }
    let shared = content.iter().filter(|w| post_words.contains(*w)).count();
    (shared * 100 > CIRCULAR_PERCENT * content.len()).then(|| shared * 100 / content.len())
}

#[cfg(test)]
mod repair_tests {
    use super::*;

    const POST: &str =
        "Most onboarding emails are ignored because they arrive before the user has done anything.";

    #[test]
    fn a_generic_opener_is_dropped_and_the_rest_kept() {
        let repaired = check_or_repair(
            "Great point! we moved our first email to after the first login and replies doubled.",
            POST,
        );
        assert_eq!(
            repaired.as_deref(),
            Ok("We moved our first email to after the first login and replies doubled.")
        );
        assert!(check_or_repair(
            "Love this — what did you send on day two, a checklist or a story?",
            POST
        )
        .is_ok());
    }

    #[test]
    fn generic_praise_inside_a_sentence_or_alone_is_still_rejected() {
        assert!(matches!(
            check_or_repair(
                "Honestly this is spot on and I have nothing more to add here.",
                POST
            ),
            Err(Rejection::Generic { .. })
        ));
        assert!(matches!(
            check_or_repair("Great point! So true.", POST),
            Err(Rejection::TooShort { .. } | Rejection::Generic { .. })
        ));
    }

    #[test]
    fn a_good_draft_is_kept_as_it_is() {
        let text =
            "We send nothing until the first project exists; the welcome email waits for it.";
        assert_eq!(check_or_repair(text, POST).as_deref(), Ok(text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST: &str = "Most brands waste their Facebook ad budget on broad audiences. \
                        Test creatives first, then scale what works.";
    const GOOD: &str = "Creative fatigue hits faster than people expect; we rotate new \
                        hooks every ten days and CPM stays flat.";

    #[test]
    fn a_good_reply_passes() {
        assert_eq!(check_draft(GOOD, POST), Ok(()));
        assert_eq!(check_draft(&format!("  \n{GOOD}\t "), POST), Ok(()));
    }

    #[test]
    fn empty() {
        assert_eq!(check_draft("   \n ", POST), Err(Rejection::Empty));
    }

    #[test]
    fn length_bounds() {
        let short = "Totally different angle on creatives.";
        let chars = short.chars().count();
        assert!(chars < 40);
        assert_eq!(check_draft(short, POST), Err(Rejection::TooShort { chars }));

        let exactly_40 = "Rotate hooks every ten days, not weekly.";
        assert_eq!(exactly_40.chars().count(), 40);
        assert_eq!(check_draft(exactly_40, POST), Ok(()));

        let long = format!("{GOOD} {GOOD}");
        let chars = long.chars().count();
        assert!(chars > 200);
        assert_eq!(check_draft(&long, POST), Err(Rejection::TooLong { chars }));
    }

    #[test]
    fn characters_not_bytes() {
        // 58 characters, more bytes.
        let accented = "Créatives légères, coûts réduits: ça marche très bien ici.";
        assert!(accented.len() > accented.chars().count());
        assert_eq!(check_draft(accented, POST), Ok(()));
    }

    #[test]
    fn over_x_weighted_limit() {
        // 150 CJK characters weigh 2 each: within 200 characters but 300 weighted.
        let cjk = "広告".repeat(75);
        assert_eq!(cjk.chars().count(), 150);
        assert_eq!(
            check_draft(&cjk, POST),
            Err(Rejection::OverXLimit { weighted: 300 })
        );
    }

    #[test]
    fn invalid_characters() {
        let text = format!("{GOOD}\u{FFFE}");
        assert_eq!(check_draft(&text, POST), Err(Rejection::InvalidCharacters));
    }

    #[test]
    fn hashtags() {
        let text = "Creative fatigue hits faster than people expect #marketing tips";
        assert_eq!(check_draft(text, POST), Err(Rejection::Hashtags));
        assert!(has_hashtag("#growth at the start"));
        assert!(has_hashtag("B2B is hard (#B2B)"));
        assert!(has_hashtag("fullwidth ＃tag"));
        assert!(!has_hashtag("We were #1 on the list"));
        assert!(!has_hashtag("written in C# mostly"));
        assert!(!has_hashtag("issue#42 and &#39;quotes"));
        assert!(!has_hashtag("a lone # sign"));
    }

    #[test]
    fn generic_phrases_are_whole_words_any_case() {
        let cases = [
            (
                "Great post! Creative fatigue is the real cost driver here.",
                "great post",
            ),
            (
                "Honestly, I LOVE THIS. Creative fatigue is the real cost driver.",
                "love this",
            ),
            (
                "Couldn’t agree more, creative fatigue is the real cost driver.",
                "couldn't agree more",
            ),
            (
                "100% agree: creative fatigue is the real cost driver for us.",
                "100% agree",
            ),
            (
                "Spot on. Creative fatigue is the real cost driver for most of us.",
                "spot on",
            ),
            (
                "Thanks for sharing, creative fatigue is the real cost driver.",
                "thanks for sharing",
            ),
        ];
        for (text, phrase) in cases {
            assert_eq!(
                check_draft(text, POST),
                Err(Rejection::Generic {
                    phrase: phrase.to_owned()
                }),
                "{text}"
            );
        }
        // Substrings of longer words do not count.
        let fine = "I love thistles and so trueblue fans: creative fatigue is what costs us.";
        assert_eq!(check_draft(fine, POST), Ok(()));
    }

    #[test]
    fn every_generic_phrase_is_detected() {
        for phrase in GENERIC_PHRASES {
            let text = format!("{phrase}, and creative fatigue is the real cost driver now");
            assert_eq!(
                generic_phrase(&text),
                Some(*phrase),
                "{phrase} should be caught"
            );
        }
    }

    #[test]
    fn circular_replies() {
        let echo = "Brands waste Facebook budget on broad audiences; test creatives, then scale.";
        match check_draft(echo, POST) {
            Err(Rejection::Circular { overlap_percent }) => assert!(overlap_percent > 50),
            other => panic!("expected circular, got {other:?}"),
        }
        // Exactly half is not "more than 50%": 2 of 4 content words come from the post.
        assert_eq!(
            circular_overlap("Facebook creatives versus podcasts", POST),
            None
        );
        assert_eq!(
            circular_overlap("Facebook creatives or podcasts", POST),
            Some(66)
        );
        // Stop words and short words do not count either way.
        assert_eq!(circular_overlap("it is what it is, and so on", POST), None);
        // Possessives and case are normalised.
        assert_eq!(
            circular_overlap("Facebook's CREATIVES matter", POST),
            Some(66)
        );
    }

    #[test]
    fn displays_are_plain_and_codes_stable() {
        let all = [
            (Rejection::Empty, "empty", "the reply is empty"),
            (
                Rejection::TooShort { chars: 12 },
                "too_short",
                "too short: 12 characters (at least 40)",
            ),
            (
                Rejection::TooLong { chars: 230 },
                "too_long",
                "too long: 230 characters (at most 200)",
            ),
            (
                Rejection::OverXLimit { weighted: 300 },
                "over_x_limit",
                "too long for X: counts as 300 of 280 characters",
            ),
            (
                Rejection::InvalidCharacters,
                "invalid_characters",
                "contains characters X does not accept",
            ),
            (Rejection::Hashtags, "hashtags", "contains a hashtag"),
            (
                Rejection::Generic {
                    phrase: "great post".to_owned(),
                },
                "generic",
                "generic praise (\"great post\")",
            ),
            (
                Rejection::Circular {
                    overlap_percent: 75,
                },
                "circular",
                "mostly repeats the post (75% of its words come from it)",
            ),
        ];
        for (rejection, code, display) in all {
            assert_eq!(rejection.code(), code);
            assert_eq!(rejection.to_string(), display);
        }
    }
}
