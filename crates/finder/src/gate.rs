//! The gate: posts that never cost a Gemini call, each with the reason in plain words.
//! Fixes from the predecessor: the language check is real, keywords match whole words
//! ("trump" does not hit "trumpet"), and the avoided-authors list is the avoided one.

use std::collections::HashSet;
use std::fmt;

use serde::Serialize;

use crate::project::ProjectSettings;
use crate::text;

/// What the gate and scoring need to know about one post.
#[derive(Debug, Clone, Default)]
pub struct PostInput<'a> {
    pub text: &'a str,
    pub lang: Option<&'a str>,
    pub handle: &'a str,
    pub followers: i64,
    pub likes: i64,
    pub replies: i64,
    pub retweets: i64,
    pub posted_at: i64,
    pub is_retweet: bool,
    pub reply_restricted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GateReason {
    Retweet,
    RepliesRestricted,
    Language { lang: String },
    AvoidedAuthor { handle: String },
    AvoidedKeyword { keyword: String },
    LinkSpam,
}

impl GateReason {
    pub fn code(&self) -> &'static str {
        match self {
            GateReason::Retweet => "retweet",
            GateReason::RepliesRestricted => "replies_restricted",
            GateReason::Language { .. } => "language",
            GateReason::AvoidedAuthor { .. } => "avoided_author",
            GateReason::AvoidedKeyword { .. } => "avoided_keyword",
            GateReason::LinkSpam => "link_spam",
        }
    }
}

impl fmt::Display for GateReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GateReason::Retweet => f.write_str("a repost of someone else's post"),
            GateReason::RepliesRestricted => f.write_str("the author limits who can reply"),
            GateReason::Language { lang } => write!(f, "written in another language ({lang})"),
            GateReason::AvoidedAuthor { handle } => write!(f, "by @{handle}, an author you avoid"),
            GateReason::AvoidedKeyword { keyword } => {
                write!(f, "mentions \"{keyword}\", a word you avoid")
            }
            GateReason::LinkSpam => f.write_str("mostly a link with little to reply to"),
        }
    }
}

/// Language tags X uses for "unknown", "only media", "only hashtags" and the like: the post
/// cannot be judged by language, so it passes.
const UNDETERMINED_LANGS: [&str; 8] = ["und", "zxx", "qme", "qam", "qct", "qht", "qst", "art"];

/// Fewer readable characters than this, a link, and no replies: a link drop, not a conversation.
const LINK_SPAM_MIN_CHARS: usize = 50;

pub struct Gate {
    languages: Vec<String>,
    avoid_authors: HashSet<String>,
    avoid_keywords: Vec<(String, Vec<String>)>,
}

impl Gate {
    pub fn new(settings: &ProjectSettings) -> Self {
        Gate {
            languages: settings
                .languages
                .iter()
                .map(|l| l.to_lowercase())
                .collect(),
            avoid_authors: settings
                .sources
                .avoid_authors
                .iter()
                .map(|h| h.trim_start_matches('@').to_lowercase())
                .collect(),
            avoid_keywords: settings
                .sources
                .avoid_keywords
                .iter()
                .map(|k| {
                    let lower = k.to_lowercase();
                    let phrase = text::words(&lower).map(str::to_string).collect();
                    (k.clone(), phrase)
                })
                .collect(),
        }
    }

    /// `lowercase_words` are the post's words (see `text::words`), computed once by the caller.
    pub fn check(&self, post: &PostInput, lowercase_words: &[&str]) -> Option<GateReason> {
        if post.is_retweet || post.text.starts_with("RT @") {
            return Some(GateReason::Retweet);
        }
        if post.reply_restricted {
            return Some(GateReason::RepliesRestricted);
        }
        if let Some(lang) = post.lang.map(str::to_lowercase) {
            let known = !lang.is_empty() && !UNDETERMINED_LANGS.contains(&lang.as_str());
            let base = lang.split(['-', '_']).next().unwrap_or(&lang).to_string();
            if known
                && !self.languages.is_empty()
                && !self.languages.iter().any(|l| *l == lang || *l == base)
            {
                return Some(GateReason::Language { lang });
            }
        }
        let handle = post.handle.to_lowercase();
        if self.avoid_authors.contains(&handle) {
            return Some(GateReason::AvoidedAuthor { handle });
        }
        for (keyword, phrase) in &self.avoid_keywords {
            if text::contains_phrase(lowercase_words, phrase) {
                return Some(GateReason::AvoidedKeyword {
                    keyword: keyword.clone(),
                });
            }
        }
        if post.replies == 0
            && text::has_link(post.text)
            && text::real_text(post.text).chars().count() < LINK_SPAM_MIN_CHARS
        {
            return Some(GateReason::LinkSpam);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::ProjectSettings;

    fn post(text: &str) -> PostInput<'_> {
        PostInput {
            text,
            lang: Some("en"),
            handle: "someone",
            replies: 1,
            ..PostInput::default()
        }
    }

    fn check(gate: &Gate, p: &PostInput) -> Option<GateReason> {
        let lower = p.text.to_lowercase();
        let words: Vec<&str> = text::words(&lower).collect();
        gate.check(p, &words)
    }

    fn settings() -> ProjectSettings {
        let mut s = ProjectSettings::with_defaults("t");
        s.sources.avoid_keywords = vec!["trump".into(), "free money".into()];
        s.sources.avoid_authors = vec!["spammer".into()];
        s.sources.favour_authors = vec!["friend".into()];
        s
    }

    #[test]
    fn each_reason_is_recorded() {
        let gate = Gate::new(&settings());
        let mut p = post("RT @x: something worth reading about ads");
        assert_eq!(check(&gate, &p), Some(GateReason::Retweet));
        p = post("A fine question about ads?");
        p.reply_restricted = true;
        assert_eq!(check(&gate, &p), Some(GateReason::RepliesRestricted));
        p = post("¿Qué opinan de los anuncios?");
        p.lang = Some("es");
        assert_eq!(
            check(&gate, &p),
            Some(GateReason::Language { lang: "es".into() })
        );
        p = post("Totally normal post about ads and creatives");
        p.handle = "Spammer";
        assert_eq!(
            check(&gate, &p),
            Some(GateReason::AvoidedAuthor {
                handle: "spammer".into()
            })
        );
        p = post("Get FREE money now, no catch at all, I promise you");
        assert_eq!(
            check(&gate, &p),
            Some(GateReason::AvoidedKeyword {
                keyword: "free money".into()
            })
        );
        p = post("Wow https://t.co/abc123 #ads @you");
        p.replies = 0;
        assert_eq!(check(&gate, &p), Some(GateReason::LinkSpam));
    }

    #[test]
    fn keywords_do_not_match_inside_words() {
        let gate = Gate::new(&settings());
        assert_eq!(
            check(&gate, &post("My trumpet teacher says practice daily")),
            None
        );
        assert!(check(&gate, &post("Trump's new ad campaign")).is_some());
    }

    #[test]
    fn favoured_authors_are_not_blocked() {
        // The predecessor passed the whitelist as the blacklist.
        let gate = Gate::new(&settings());
        let mut p = post("How do you structure a testing budget?");
        p.handle = "friend";
        assert_eq!(check(&gate, &p), None);
    }

    #[test]
    fn unknown_or_regional_languages_pass() {
        let gate = Gate::new(&settings());
        for lang in ["und", "zxx", "en-GB", "EN"] {
            let mut p = post("A post in a language we cannot tell");
            p.lang = Some(lang);
            assert_eq!(check(&gate, &p), None, "{lang}");
        }
        let mut p = post("no lang field");
        p.lang = None;
        assert_eq!(check(&gate, &p), None);
    }

    #[test]
    fn a_link_with_real_text_or_replies_is_not_spam() {
        let gate = Gate::new(&settings());
        let mut p = post(
            "We cut CPMs by 30% moving budget to broad targeting; full breakdown: https://t.co/x",
        );
        p.replies = 0;
        assert_eq!(check(&gate, &p), None);
        let mut p = post("Wow https://t.co/abc123");
        p.replies = 4;
        assert_eq!(check(&gate, &p), None);
    }
}
