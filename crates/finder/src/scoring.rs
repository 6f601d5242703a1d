//! Scoring: four components in [0, 1], a weighted total, a label and a plain-words "why".
//! Pure functions; the time is passed in.
//!
//! Fixed from the predecessor: velocity starts at 0 for a post nobody engaged with (it used
//! a plain logistic that never went below 0.5, so totals bunched together).

use std::collections::HashMap;

use serde::Serialize;

// A post as the gate and scoring read it; defined with the gate, which reads it first.
pub use crate::gate::PostInput;
use crate::gate::{Gate, GateReason};
use crate::import::group_thousands;
use crate::project::{ProjectSettings, Sources, Thresholds, Weights};
use crate::text;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, PartialOrd, Ord, Hash,
)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Label {
    Green,
    Yellow,
    Red,
}

impl Label {
    /// Every label, best first (the order the screens list them in).
    pub const ALL: [Label; 3] = [Label::Green, Label::Yellow, Label::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Green => "green",
            Label::Yellow => "yellow",
            Label::Red => "red",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        match s.trim().to_ascii_lowercase().as_str() {
            "green" => Some(Label::Green),
            "yellow" => Some(Label::Yellow),
            "red" => Some(Label::Red),
            _ => None,
        }
    }

    pub fn from_total(total: f64, thresholds: &Thresholds) -> Label {
        if total >= thresholds.green {
            Label::Green
        } else if total >= thresholds.yellow {
            Label::Yellow
        } else {
            Label::Red
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RelevanceMethod {
    /// Word overlap with the topic texts (TF-IDF); used until a project has embeddings.
    Lexical,
    /// Cosine similarity of Gemini embeddings.
    Embedding,
}

impl RelevanceMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            RelevanceMethod::Lexical => "lexical",
            RelevanceMethod::Embedding => "embedding",
        }
    }
}

/// How close one post is to the project's topics: the best and second-best similarity in
/// [0, 1] and which topic was best.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TopicMatch {
    pub best: f64,
    pub second: f64,
    pub topic: Option<usize>,
}

impl TopicMatch {
    /// The predecessor's rule: mostly the best match, plus a bonus for a clear winner.
    pub fn relevance(&self) -> f64 {
        (0.8 * self.best + 0.2 * (self.best - self.second).max(0.0)).clamp(0.0, 1.0)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Score {
    pub velocity: f64,
    pub relevance: f64,
    pub openness: f64,
    pub author: f64,
    pub total: f64,
    pub label: Label,
    pub topic: Option<String>,
    pub relevance_method: RelevanceMethod,
    pub why: String,
    pub gate: Option<GateReason>,
}

/// Engagement per minute, relative to the audience size, mapped to [0, 1): 0 for a post
/// nobody touched, rising fast for posts taking off. `tanh(3x)` is the predecessor's
/// logistic `1/(1+e^(-6x))` stretched from [0.5, 1) to [0, 1).
pub fn velocity(
    likes: i64,
    replies: i64,
    retweets: i64,
    followers: i64,
    minutes_since_posted: f64,
) -> f64 {
    let weighted = likes.max(0) as f64 + 2.0 * replies.max(0) as f64 + 1.5 * retweets.max(0) as f64;
    let per_minute = weighted / minutes_since_posted.max(1.0);
    let audience = (followers.max(100) as f64).log10();
    (3.0 * per_minute / audience).tanh()
}

const OPEN_STARTS: [&str; 8] = [
    "what", "why", "how", "when", "where", "who", "which", "whose",
];
const HEDGES: [&str; 14] = [
    "maybe", "perhaps", "possibly", "might", "could", "seem", "seems", "appear", "appears",
    "probably", "wonder", "think", "feel", "believe",
];

/// How much a post invites a reply: questions and hedged opinions do.
pub fn openness(text: &str, lowercase_words: &[&str]) -> f64 {
    let mut score: f64 = 0.05;
    let trimmed = text.trim_end();
    // A question mark before a trailing link or hashtag still ends the question.
    let last_sentence_end = text::real_text(trimmed);
    if trimmed.ends_with('?') || last_sentence_end.trim_end().ends_with('?') {
        score += 0.25;
    }
    if lowercase_words
        .first()
        .is_some_and(|w| OPEN_STARTS.contains(w))
    {
        score += 0.25;
    }
    if lowercase_words.iter().any(|w| HEDGES.contains(w)) {
        score += 0.15;
    }
    score.min(1.0)
}

/// Authors to avoid score 0, favoured ones 0.9, everyone else 0.6.
pub fn author_quality(handle: &str, sources: &Sources) -> f64 {
    let handle = handle.trim_start_matches('@');
    if sources
        .avoid_authors
        .iter()
        .any(|h| h.eq_ignore_ascii_case(handle))
    {
        0.0
    } else if sources
        .favour_authors
        .iter()
        .any(|h| h.eq_ignore_ascii_case(handle))
    {
        0.9
    } else {
        0.6
    }
}

/// Weighted mean of the components; weights need not add up to 1.
pub fn total(weights: &Weights, velocity: f64, relevance: f64, openness: f64, author: f64) -> f64 {
    let sum = weights.sum();
    if sum <= 0.0 {
        return 0.0;
    }
    ((weights.velocity * velocity
        + weights.relevance * relevance
        + weights.openness * openness
        + weights.author * author)
        / sum)
        .clamp(0.0, 1.0)
}

/// Scores a set of posts for a project. `matches[i]` is post i's topic match.
pub fn score_posts(
    settings: &ProjectSettings,
    posts: &[PostInput],
    matches: &[TopicMatch],
    method: RelevanceMethod,
    now: i64,
) -> Vec<Score> {
    let gate = Gate::new(settings);
    posts
        .iter()
        .zip(matches)
        .map(|(post, m)| {
            let lower = post.text.to_lowercase();
            let words: Vec<&str> = text::words(&lower).collect();
            let minutes = (now - post.posted_at).max(0) as f64 / 60.0;
            let v = velocity(
                post.likes,
                post.replies,
                post.retweets,
                post.followers,
                minutes,
            );
            let r = m.relevance();
            let o = openness(post.text, &words);
            let a = author_quality(post.handle, &settings.sources);
            let t = total(&settings.weights, v, r, o, a);
            let topic = m
                .topic
                .and_then(|i| settings.topics.get(i))
                .map(|t| t.label.clone());
            let why = why(post, minutes, v, m, topic.as_deref(), o, a);
            Score {
                velocity: v,
                relevance: r,
                openness: o,
                author: a,
                total: t,
                label: Label::from_total(t, &settings.thresholds),
                topic,
                relevance_method: method,
                why,
                gate: gate.check(post, &words),
            }
        })
        .collect()
}

/// The plain-words reason a post ranks where it does, short enough for a table cell.
fn why(
    post: &PostInput,
    minutes: f64,
    velocity: f64,
    m: &TopicMatch,
    topic: Option<&str>,
    openness: f64,
    author: f64,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    let hours = (minutes / 60.0).max(1.0 / 60.0);
    let likes_per_hour = post.likes.max(0) as f64 / hours;
    if post.likes <= 0 && post.replies <= 0 {
        parts.push("no likes or replies yet".into());
    } else if likes_per_hour >= 1.0 {
        parts.push(format!(
            "{} likes/hour",
            compact(likes_per_hour.round() as i64)
        ));
    } else {
        parts.push(format!("{} likes in {}", post.likes, age(minutes)));
    }
    parts.push(format!("{} followers", compact(post.followers)));
    if let Some(topic) = topic {
        if m.best >= 0.5 {
            parts.push(format!("on {topic} ({:.0}%)", m.best * 100.0));
        }
    }
    if velocity > 0.7 {
        parts.push("taking off".into());
    }
    if openness > 0.5 {
        parts.push("asks a question".into());
    } else if openness >= 0.2 {
        parts.push("open to replies".into());
    }
    if author >= 0.9 {
        parts.push("an author you favour".into());
    }
    parts.join(" · ")
}

fn age(minutes: f64) -> String {
    if minutes < 90.0 {
        format!("{} min", minutes.round().max(1.0))
    } else if minutes < 48.0 * 60.0 {
        format!("{} h", (minutes / 60.0).round())
    } else {
        format!("{} days", (minutes / 1440.0).round())
    }
}

/// 950, 12.3k, 1.2M — how marketers read audience sizes.
pub fn compact(n: i64) -> String {
    let f = n as f64;
    if n.abs() >= 1_000_000 {
        trim_zero(format!("{:.1}", f / 1_000_000.0)) + "M"
    } else if n.abs() >= 10_000 {
        format!("{:.0}k", f / 1000.0)
    } else if n.abs() >= 1000 {
        trim_zero(format!("{:.1}", f / 1000.0)) + "k"
    } else {
        group_thousands(n)
    }
}

fn trim_zero(s: String) -> String {
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// Lexical relevance: TF-IDF cosine between a post and each topic's text (label, description
/// and examples), with document frequencies taken over the posts being scored. Cosines of
/// short texts are small, so they are mapped with `1 - e^(-cos/0.15)` onto the same 0–1 feel
/// as embedding similarity (cos 0.25 → 0.81, 0.10 → 0.49, 0 → 0).
pub struct LexicalRelevance {
    topics: Vec<Vec<(u32, f32)>>,
    idf: Vec<f32>,
    vocabulary_size: usize,
}

const STOP_WORDS: [&str; 64] = [
    "a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "for", "with", "at", "by",
    "from", "is", "are", "was", "were", "be", "been", "it", "its", "this", "that", "these",
    "those", "i", "you", "we", "they", "he", "she", "my", "your", "our", "their", "me", "us",
    "them", "so", "just", "not", "no", "do", "does", "did", "have", "has", "had", "as", "about",
    "what", "how", "why", "when", "who", "all", "can", "will", "more", "than", "s",
];

fn stem(word: &str) -> &str {
    // Enough to join "ads"/"ad", "emails"/"email"; a full stemmer buys little on tweets.
    if word.len() > 3 && word.ends_with('s') && !word.ends_with("ss") {
        &word[..word.len() - 1]
    } else {
        word
    }
}

/// Term ids and document frequencies, filled as texts are read.
#[derive(Default)]
struct Vocabulary {
    ids: HashMap<String, u32>,
    df: Vec<u32>,
}

impl Vocabulary {
    /// The sorted term ids of a text (repeats kept, for term frequency); counts each distinct
    /// term once towards its document frequency.
    fn read(&mut self, text: &str) -> Vec<u32> {
        let lower = text.to_lowercase();
        let mut ids: Vec<u32> = text::words(&lower)
            .filter(|w| w.len() > 1 && !STOP_WORDS.contains(w))
            .map(|w| {
                let term = stem(w);
                // Look up by &str first: most terms are already known, so no allocation.
                match self.ids.get(term) {
                    Some(&id) => id,
                    None => {
                        let id = self.df.len() as u32;
                        self.ids.insert(term.to_string(), id);
                        self.df.push(0);
                        id
                    }
                }
            })
            .collect();
        ids.sort_unstable();
        let mut previous = None;
        for &id in &ids {
            if previous != Some(id) {
                self.df[id as usize] += 1;
                previous = Some(id);
            }
        }
        ids
    }
}

impl LexicalRelevance {
    /// Builds the model from the project's topics and the texts of the posts to score.
    pub fn build<'t>(
        settings: &ProjectSettings,
        post_texts: impl Iterator<Item = &'t str>,
    ) -> (Self, Vec<Vec<u32>>) {
        let mut vocabulary = Vocabulary::default();
        let docs: Vec<Vec<u32>> = post_texts.map(|text| vocabulary.read(text)).collect();
        let topic_terms: Vec<Vec<u32>> = settings
            .topics
            .iter()
            .map(|t| {
                vocabulary.read(&format!(
                    "{} {} {}",
                    t.label,
                    t.description,
                    t.examples.join(" ")
                ))
            })
            .collect();
        let n = (docs.len() + topic_terms.len()) as f32;
        let idf: Vec<f32> = vocabulary
            .df
            .iter()
            .map(|&d| ((n + 1.0) / (d as f32 + 1.0)).ln() + 1.0)
            .collect();
        let mut model = LexicalRelevance {
            topics: Vec::new(),
            idf,
            vocabulary_size: vocabulary.ids.len(),
        };
        model.topics = topic_terms.iter().map(|ids| model.vector(ids)).collect();
        (model, docs)
    }

    /// Sparse unit vector from sorted term ids: sublinear tf times idf.
    fn vector(&self, sorted_ids: &[u32]) -> Vec<(u32, f32)> {
        let mut out: Vec<(u32, f32)> = Vec::new();
        for &id in sorted_ids {
            match out.last_mut() {
                Some((last, count)) if *last == id => *count += 1.0,
                _ => out.push((id, 1.0)),
            }
        }
        for (id, w) in out.iter_mut() {
            *w = (1.0 + w.ln()) * self.idf[*id as usize];
        }
        let norm = out.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        out
    }

    fn cosine(a: &[(u32, f32)], b: &[(u32, f32)]) -> f32 {
        let (mut i, mut j, mut dot) = (0, 0, 0.0);
        while i < a.len() && j < b.len() {
            match a[i].0.cmp(&b[j].0) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    dot += a[i].1 * b[j].1;
                    i += 1;
                    j += 1;
                }
            }
        }
        dot
    }

    /// The topic match for one post, from the term ids `build` returned for it.
    pub fn topic_match(&self, post_terms: &[u32]) -> TopicMatch {
        let v = self.vector(post_terms);
        let mut best = TopicMatch::default();
        for (i, topic) in self.topics.iter().enumerate() {
            let sim = 1.0 - (-(Self::cosine(&v, topic) as f64) / 0.15).exp();
            if best.topic.is_none() || sim > best.best {
                best.second = best.best;
                best.best = sim;
                best.topic = Some(i);
            } else if sim > best.second {
                best.second = sim;
            }
        }
        if best.best <= 0.0 {
            best.topic = None;
        }
        best
    }

    /// Topic matches for many posts, in order.
    pub fn match_all<'t>(
        settings: &ProjectSettings,
        texts: impl Iterator<Item = &'t str>,
    ) -> Vec<TopicMatch> {
        let (model, docs) = Self::build(settings, texts);
        docs.iter().map(|d| model.topic_match(d)).collect()
    }

    pub fn vocabulary_size(&self) -> usize {
        self.vocabulary_size
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Topic;

    #[test]
    fn a_dead_post_has_zero_velocity() {
        // The predecessor scored this 0.5.
        assert_eq!(velocity(0, 0, 0, 50_000, 120.0), 0.0);
        let dead_total = total(
            &Weights::default(),
            velocity(0, 0, 0, 5000, 60.0),
            0.0,
            0.05,
            0.6,
        );
        assert!(dead_total < 0.1, "{dead_total}");
    }

    #[test]
    fn velocity_rises_with_engagement_and_falls_with_age() {
        let fresh = velocity(100, 10, 5, 10_000, 30.0);
        let old = velocity(100, 10, 5, 10_000, 600.0);
        let quiet = velocity(2, 0, 0, 10_000, 30.0);
        assert!(fresh > old && old > quiet && quiet > 0.0);
        assert!(fresh < 1.0);
        // Audience-relative: the same engagement means more from a small account.
        assert!(velocity(20, 2, 0, 500, 60.0) > velocity(20, 2, 0, 2_000_000, 60.0));
    }

    #[test]
    fn openness_components() {
        let score = |t: &str| {
            let lower = t.to_lowercase();
            let w: Vec<&str> = text::words(&lower).collect();
            openness(t, &w)
        };
        assert!((score("Ads are fine.") - 0.05).abs() < 1e-9);
        assert!((score("Ads are fine?") - 0.30).abs() < 1e-9);
        assert!((score("How do ads work?") - 0.55).abs() < 1e-9);
        assert!((score("How do you think ads work?") - 0.70).abs() < 1e-9);
        assert!((score("Is this right? https://t.co/x #ads") - 0.30).abs() < 1e-9);
    }

    #[test]
    fn author_quality_uses_the_right_lists() {
        let sources = Sources {
            favour_authors: vec!["friend".into()],
            avoid_authors: vec!["foe".into()],
            avoid_keywords: vec![],
        };
        assert_eq!(author_quality("@Friend", &sources), 0.9);
        assert_eq!(author_quality("foe", &sources), 0.0);
        assert_eq!(author_quality("stranger", &sources), 0.6);
    }

    #[test]
    fn labels_follow_thresholds() {
        let t = Thresholds {
            green: 0.6,
            yellow: 0.45,
        };
        assert_eq!(Label::from_total(0.6, &t), Label::Green);
        assert_eq!(Label::from_total(0.59, &t), Label::Yellow);
        assert_eq!(Label::from_total(0.2, &t), Label::Red);
    }

    #[test]
    fn total_normalises_weights() {
        let w = Weights {
            velocity: 2.0,
            relevance: 2.0,
            openness: 0.0,
            author: 0.0,
        };
        assert!((total(&w, 1.0, 0.5, 0.0, 0.0) - 0.75).abs() < 1e-9);
    }

    fn project() -> ProjectSettings {
        let mut s = ProjectSettings::with_defaults("p");
        s.topics = vec![
            Topic {
                label: "cold email".into(),
                description:
                    "Outbound cold email: deliverability, sequences, reply rates, inbox warmup"
                        .into(),
                examples: vec![
                    "Our cold email reply rates doubled after we cut the sequence to three emails"
                        .into(),
                ],
            },
            Topic {
                label: "facebook ads".into(),
                description: "Paid acquisition on Meta: ad creatives, CPMs, audiences, Advantage+"
                    .into(),
                examples: vec![
                    "CPMs on Facebook ads jumped 30% this week, creatives fatigue faster".into(),
                ],
            },
        ];
        s
    }

    #[test]
    fn lexical_relevance_picks_the_right_topic() {
        let settings = project();
        let texts = [
            "Why are my cold email reply rates so low? Deliverability looks fine",
            "Facebook ads CPMs are brutal this week, anyone else seeing creatives die in 3 days?",
            "Made lasagna for the whole family tonight",
        ];
        let m = LexicalRelevance::match_all(&settings, texts.iter().copied());
        assert_eq!(m[0].topic, Some(0));
        assert_eq!(m[1].topic, Some(1));
        assert!(m[0].relevance() > 0.5, "{:?}", m[0]);
        assert!(m[1].relevance() > 0.5, "{:?}", m[1]);
        assert!(m[2].relevance() < 0.1, "{:?}", m[2]);
    }

    #[test]
    fn no_topics_means_no_relevance() {
        let settings = ProjectSettings::with_defaults("empty");
        let m = LexicalRelevance::match_all(&settings, ["anything at all"].into_iter());
        assert_eq!(m[0], TopicMatch::default());
    }

    #[test]
    fn why_reads_like_a_sentence() {
        let settings = project();
        let post = PostInput {
            text: "How do you keep cold email reply rates up with deliverability this bad?",
            lang: Some("en"),
            handle: "ana",
            followers: 12_300,
            likes: 120,
            replies: 14,
            retweets: 3,
            posted_at: 0,
            ..PostInput::default()
        };
        let m = LexicalRelevance::match_all(&settings, [post.text].into_iter());
        let scores = score_posts(
            &settings,
            std::slice::from_ref(&post),
            &m,
            RelevanceMethod::Lexical,
            3600,
        );
        let why = &scores[0].why;
        assert!(
            why.starts_with("120 likes/hour · 12k followers · on cold email ("),
            "{why}"
        );
        assert!(why.contains("asks a question"), "{why}");
        assert!(why.chars().count() <= 100, "{why}");
        let dead = PostInput {
            likes: 0,
            replies: 0,
            retweets: 0,
            ..post
        };
        let scores = score_posts(&settings, &[dead], &m, RelevanceMethod::Lexical, 3600);
        assert!(scores[0].why.starts_with("no likes or replies yet"));
    }

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(950), "950");
        assert_eq!(compact(1000), "1k");
        assert_eq!(compact(1234), "1.2k");
        assert_eq!(compact(12_345), "12k");
        assert_eq!(compact(2_500_000), "2.5M");
    }
}
