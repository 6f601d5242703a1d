//! The posts both fakes serve: an endless, deterministic stream per search term, one post every
//! few minutes of the fake's post clock, newest first. The same term always yields the same
//! posts (ids, authors, counts), and moving the post clock forward publishes newer ones, so
//! "only posts newer than the last fetch" can be tested exactly.
//!
//! Texts come from the bundled sample posts that mention the term (so a project's topics score
//! them as they would real posts), else from templates that contain the term.

use std::sync::OnceLock;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

/// X's snowflake epoch (2010-11-04), in milliseconds.
const SNOWFLAKE_EPOCH_MS: i64 = 1_288_834_974_657;
/// How far back a term's stream goes (Apify's archive; X's recent search sees only 7 days).
pub const ARCHIVE_DAYS: i64 = 30;

/// One generated post with its author.
#[derive(Debug, Clone, PartialEq)]
pub struct FakePost {
    pub id: u64,
    pub text: String,
    pub created_at: i64,
    pub lang: &'static str,
    pub likes: u64,
    pub replies: u64,
    pub retweets: u64,
    pub quotes: u64,
    pub bookmarks: u64,
    pub views: u64,
    pub has_image: bool,
    pub has_video: bool,
    pub is_quote: bool,
    pub is_retweet: bool,
    /// Replies limited to people the author follows or mentions.
    pub reply_restricted: bool,
    pub author: FakeAuthor,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FakeAuthor {
    pub id: u64,
    pub handle: String,
    pub name: String,
    pub followers: u64,
    pub verified: bool,
    pub blue_verified: bool,
}

/// A search as both APIs understand it: the term's words plus X advanced-search operators.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// The term (operators removed), lower-case, words separated by one space.
    pub term: String,
    pub min_likes: u64,
    pub min_retweets: u64,
    pub min_replies: u64,
    /// Unix seconds: only posts at or after.
    pub since: Option<i64>,
    pub until: Option<i64>,
    pub since_id: Option<u64>,
    pub lang: Option<String>,
    pub verified: bool,
    pub blue_verified: bool,
    pub images: bool,
    pub videos: bool,
    pub quotes: bool,
    pub no_retweets: bool,
}

impl Query {
    /// Reads a query in X advanced-search syntax (`since:`, `since_time:`, `min_faves:`,
    /// `filter:verified`, `-filter:retweets`, …) or X API v2 syntax (`is:verified`,
    /// `has:images`, `-is:retweet`, `lang:`). Unknown operators are ignored, as both services
    /// ignore ones they do not support here.
    pub fn parse(text: &str) -> Query {
        let mut q = Query::default();
        let mut words = Vec::new();
        for raw in text.split_whitespace() {
            let token = raw.trim_matches('"').to_ascii_lowercase();
            let (name, value) = token.split_once(':').unwrap_or((token.as_str(), ""));
            let number = || value.parse::<u64>().ok();
            match name {
                "min_faves" => q.min_likes = number().unwrap_or(0),
                "min_retweets" => q.min_retweets = number().unwrap_or(0),
                "min_replies" => q.min_replies = number().unwrap_or(0),
                "since" => q.since = day_start(value),
                "until" => q.until = day_start(value),
                "since_time" => q.since = value.parse().ok(),
                "until_time" => q.until = value.parse().ok(),
                "since_id" => q.since_id = number(),
                "lang" => q.lang = Some(value.to_owned()),
                "filter" | "is" | "has" => match value {
                    "verified" => q.verified = true,
                    "blue_verified" => q.blue_verified = true,
                    "images" | "media" => q.images = true,
                    "videos" | "native_video" => q.videos = true,
                    "quote" => q.quotes = true,
                    _ => {}
                },
                "-filter" | "-is" if value == "retweets" || value == "retweet" => {
                    q.no_retweets = true
                }
                _ if value.is_empty() && !name.starts_with('-') && name != "or" => {
                    words.push(name.to_owned())
                }
                _ => {}
            }
        }
        q.term = words.join(" ");
        q
    }

    pub fn admits(&self, post: &FakePost) -> bool {
        post.likes >= self.min_likes
            && post.retweets >= self.min_retweets
            && post.replies >= self.min_replies
            && self.since.is_none_or(|s| post.created_at >= s)
            && self.until.is_none_or(|u| post.created_at < u)
            && self.since_id.is_none_or(|id| post.id > id)
            && self.lang.as_deref().is_none_or(|l| post.lang == l)
            && (!self.verified || post.author.verified)
            && (!self.blue_verified || post.author.blue_verified)
            && (!self.images || post.has_image)
            && (!self.videos || post.has_video)
            && (!self.quotes || post.is_quote)
            && (!self.no_retweets || !post.is_retweet)
    }
}

fn day_start(text: &str) -> Option<i64> {
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// Posts for `query`, newest first, at most `limit`, none after `now` or older than `oldest`.
pub fn search(query: &Query, now: i64, oldest: i64, limit: usize) -> Vec<FakePost> {
    let mut found = Vec::new();
    if query.term.is_empty() {
        return found;
    }
    let spacing = spacing_for(&query.term);
    let phase = (stable_hash(query.term.as_bytes()) % spacing as u64) as i64;
    // Post j is published at j * spacing + phase; the newest one not after `now` comes first.
    let mut j = (now - phase).div_euclid(spacing);
    while found.len() < limit {
        let at = j * spacing + phase;
        if at < oldest || query.since.is_some_and(|s| at < s) {
            break;
        }
        let post = post(&query.term, j, at);
        if query.since_id.is_some_and(|id| post.id <= id) {
            break;
        }
        if query.admits(&post) {
            found.push(post);
        }
        j -= 1;
    }
    found
}

/// Seconds between a term's posts: 2 to 6 minutes, fixed per term, so terms differ in volume.
fn spacing_for(term: &str) -> i64 {
    120 + (stable_hash(term.as_bytes()) % 241) as i64
}

fn post(term: &str, j: i64, at: i64) -> FakePost {
    let seed = mix(stable_hash(term.as_bytes()) ^ (j as u64).wrapping_mul(0x9E37_79B9));
    let mut rng = SplitMix64(seed);
    let roll = |rng: &mut SplitMix64, percent: u64| rng.next_u64() % 100 < percent;
    // Engagement is heavy-tailed: most posts get a little, a few a lot.
    let spread = |rng: &mut SplitMix64, scale: f64| {
        let u = (rng.next_u64() % 10_000) as f64 / 10_000.0;
        (scale * u.powi(3)).round() as u64
    };
    let likes = spread(&mut rng, 400.0);
    let replies = spread(&mut rng, 60.0);
    let retweets = spread(&mut rng, 80.0);
    let quotes = spread(&mut rng, 15.0);
    let bookmarks = spread(&mut rng, 40.0);
    let views = likes * 40 + spread(&mut rng, 5_000.0);
    let author = author(rng.next_u64());
    let lang = match rng.next_u64() % 100 {
        0..=87 => "en",
        88..=93 => "es",
        94..=97 => "de",
        _ => "fr",
    };
    let has_video = roll(&mut rng, 8);
    let has_image = !has_video && roll(&mut rng, 22);
    let is_quote = roll(&mut rng, 10);
    let is_retweet = roll(&mut rng, 6);
    let reply_restricted = roll(&mut rng, 7);
    let text = text_for(term, j, rng.next_u64());
    let ms = at * 1000 - SNOWFLAKE_EPOCH_MS;
    let id = ((ms.max(0) as u64) << 22) | (seed & 0x3F_FFFF);
    FakePost {
        id,
        text,
        created_at: at,
        lang,
        likes,
        replies,
        retweets,
        quotes,
        bookmarks,
        views,
        has_image,
        has_video,
        is_quote,
        is_retweet,
        reply_restricted,
        author,
    }
}

const FIRST_NAMES: [&str; 16] = [
    "Ana", "Ben", "Chloe", "Dev", "Elif", "Femi", "Greta", "Hiro", "Ines", "Jonas", "Kira", "Luis",
    "Maya", "Nils", "Omar", "Priya",
];
const ROLES: [&str; 8] = [
    "growth", "saas", "founder", "pm", "marketer", "builds", "data", "ops",
];

fn author(seed: u64) -> FakeAuthor {
    let n = seed % 96;
    let first = FIRST_NAMES[(n % 16) as usize];
    let role = ROLES[(n / 16 % 8) as usize];
    let handle = format!("{}_{}{}", first.to_ascii_lowercase(), role, n);
    let mut rng = SplitMix64(mix(n + 7));
    // 50 to ~250k followers, log-spread.
    let followers = (50.0 * 10f64.powf((rng.next_u64() % 3_700) as f64 / 1_000.0)) as u64;
    FakeAuthor {
        id: 1_000_000 + n * 7919,
        name: format!("{first} ({role})"),
        handle,
        followers,
        verified: rng.next_u64() % 100 < 12,
        blue_verified: rng.next_u64() % 100 < 30,
    }
}

const OPENERS: [&str; 8] = [
    "",
    "Honest question: ",
    "Hot take: ",
    "Thread idea: ",
    "Note to self: ",
    "Still thinking about this. ",
    "Unpopular opinion: ",
    "Quick one. ",
];
const TEMPLATES: [&str; 6] = [
    "How are you all handling {term} this quarter? Our numbers moved and I can't tell why.",
    "We spent a month on {term}. Biggest lesson: measure before you change anything.",
    "Is {term} overrated or am I doing it wrong? Would love to hear what worked for you.",
    "Three things I wish I knew about {term} before we started.",
    "Anyone have a good playbook for {term}? Maybe I'm overthinking it.",
    "{term} is not a tactic, it's a habit. Small weekly steps beat big launches.",
];

fn sample_texts() -> &'static Vec<String> {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    TEXTS.get_or_init(|| {
        let raw = include_str!("../../../sample/posts.json");
        serde_json::from_str::<Vec<Value>>(raw)
            .unwrap_or_default()
            .iter()
            .filter_map(|item| item.get("text").and_then(Value::as_str).map(str::to_owned))
            .collect()
    })
}

fn text_for(term: &str, j: i64, pick: u64) -> String {
    let words: Vec<&str> = term.split(' ').filter(|w| w.len() >= 3).collect();
    let matching: Vec<&String> = sample_texts()
        .iter()
        .filter(|t| {
            let lower = t.to_lowercase();
            !words.is_empty() && words.iter().all(|w| lower.contains(w))
        })
        .collect();
    let opener = OPENERS[(j.rem_euclid(OPENERS.len() as i64 * 7) / 7) as usize];
    if !matching.is_empty() {
        let base = matching[(pick % matching.len() as u64) as usize];
        return format!("{opener}{base}");
    }
    let template = TEMPLATES[(pick % TEMPLATES.len() as u64) as usize];
    format!("{opener}{}", template.replace("{term}", term))
}

/// RFC 3339 with milliseconds, as the X API writes times.
pub fn iso_time(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Twitter's legacy format, as Apify's `createdAt`: `Fri Nov 24 17:49:36 +0000 2023`.
pub fn legacy_time(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%a %b %d %H:%M:%S +0000 %Y")
        .to_string()
}

pub fn stable_hash(bytes: &[u8]) -> u64 {
    // FNV-1a: stable across runs and platforms (std's hasher is not).
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_term_gives_the_same_posts_newest_first() {
        let q = Query::parse("onboarding -filter:retweets");
        let a = search(&q, 2_000_000_000, 2_000_000_000 - 86_400, 50);
        let b = search(&q, 2_000_000_000, 2_000_000_000 - 86_400, 50);
        assert_eq!(a, b);
        assert_eq!(a.len(), 50);
        assert!(a.windows(2).all(|w| w[0].created_at > w[1].created_at));
        assert!(
            a.windows(2).all(|w| w[0].id > w[1].id),
            "ids grow with time"
        );
        assert!(a.iter().all(|p| !p.is_retweet));
    }

    #[test]
    fn operators_filter_and_since_id_stops_at_the_last_seen_post() {
        let now = 2_000_000_000;
        let all = search(&Query::parse("pricing"), now, now - 86_400, 30);
        let newer = Query {
            since_id: Some(all[9].id),
            ..Query::parse("pricing")
        };
        assert_eq!(search(&newer, now, now - 86_400, 100), all[..9].to_vec());
        let liked = search(&Query::parse("pricing min_faves:50"), now, now - 86_400, 20);
        assert!(liked.iter().all(|p| p.likes >= 50));
        assert_eq!(
            Query::parse("\"pricing\" lang:en is:verified").term,
            "pricing"
        );
    }
}
