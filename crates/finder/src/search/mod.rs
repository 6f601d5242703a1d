//! Finding posts from inside the app: the Apify tweet scraper (`apidojo~tweet-scraper`) and the
//! X API v2 recent search, with the predecessor's filters. What arrives goes through the same
//! import path as a file (same validation, same skipped-with-reason report), is scored, and
//! what it cost lands in the cost ledger beside the AI calls.
//!
//! - [`run`]: one search (start, poll with growing waits, page, import, score), cancellable,
//!   keeping whatever arrived when it fails or is cancelled.
//! - [`saved`]: a project's remembered searches; "Find new posts" asks only for newer posts.
//! - [`analysis`]: search-term analysis (green share, freshness, verdict, reply cost).
//! - [`schedule`]: refreshing saved searches every N hours, with an injected clock.
//! - [`data_prices`]: what a post read costs, dated and editable.
//! - [`drafts`]: reply drafts for the new green posts after a refresh, through the run engine.

pub mod analysis;
mod apify;
pub mod data_prices;
pub mod drafts;
pub mod form;
mod run;
pub mod saved;
pub mod schedule;
mod x_api;

use std::time::Duration;

use chrono::{DateTime, Utc};
use gemini::ApiKey;
use serde::{Deserialize, Serialize};

use crate::error::{ErrorCode, FinderError, Result};
use crate::store::Store;

pub use run::{
    run, SearchCancel, SearchError, SearchOptions, SearchOutcome, SearchProgress, SearchStage,
    SearchStatus, TermCursor, TermTally,
};

/// Most terms one search takes (the predecessor's limit).
pub const MAX_TERMS: usize = 5;
/// Posts per term: at least 10 (X's smallest page), at most 1,000.
pub const MIN_COUNT: u32 = 10;
pub const MAX_COUNT: u32 = 1_000;
pub const DEFAULT_COUNT: u32 = 100;
/// X's recent search reaches seven days back.
pub const X_MAX_DAYS_BACK: u32 = 7;
/// Apify's scraper goes further; a month keeps a search a marketer's kind of fresh.
pub const MAX_DAYS_BACK: u32 = 30;

/// Where posts are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Source {
    #[default]
    Apify,
    X,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Apify => "apify",
            Source::X => "x",
        }
    }

    pub fn parse(text: &str) -> Option<Source> {
        match text.trim().to_ascii_lowercase().as_str() {
            "apify" => Some(Source::Apify),
            "x" | "x-api" | "twitter" => Some(Source::X),
            _ => None,
        }
    }

    /// What the user calls it.
    pub fn describe(self) -> &'static str {
        match self {
            Source::Apify => "Apify",
            Source::X => "the X API",
        }
    }

    /// The provider name its costs carry in the ledger and the data price table.
    pub fn provider(self) -> &'static str {
        match self {
            Source::Apify => APIFY_PROVIDER,
            Source::X => X_PROVIDER,
        }
    }
}

pub const APIFY_PROVIDER: &str = "apify-tweet-scraper";
pub const X_PROVIDER: &str = "x-api-recent-search";

/// The order a search asks its source for. Saved searches stored before this was snake_case
/// said "Latest" / "Top": still read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum SearchSort {
    /// Newest first (the default: "Top" returns few posts).
    #[default]
    #[serde(alias = "Latest")]
    Latest,
    #[serde(alias = "Top")]
    Top,
}

/// The predecessor's filters. Counts are minimums; zero means no minimum.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
// serde's defaults read saved searches written before a filter existed; the window sends all.
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct SearchFilters {
    pub min_likes: u32,
    pub min_reposts: u32,
    pub min_replies: u32,
    /// Only posts from the last N days.
    pub days_back: Option<u32>,
    /// A language code such as "en".
    pub language: Option<String>,
    pub only_verified: bool,
    pub only_image: bool,
    pub only_video: bool,
    pub only_quote: bool,
    /// Use each term exactly as typed (X search syntax), adding no filters to it.
    pub raw_query: bool,
    pub sort: SearchSort,
}

/// One search: terms, source, filters and how many posts per term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct SearchRequest {
    pub source: Source,
    pub terms: Vec<String>,
    #[serde(default)]
    pub filters: SearchFilters,
    /// Posts per term, at most.
    pub count: u32,
}

/// "a, b ,c" → ["a", "b", "c"] (blank parts dropped).
pub fn parse_terms(text: &str) -> Vec<String> {
    text.split([',', '\n'])
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|t| !t.is_empty())
        .collect()
}

impl SearchRequest {
    /// Plain-words problems with the request, before anything is spent.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(FinderError::InvalidInput(m));
        if self.terms.is_empty() {
            return bad("Type at least one search term, for example \"onboarding\".".into());
        }
        if self.terms.len() > MAX_TERMS {
            return bad(format!(
                "A search takes at most {MAX_TERMS} terms; you gave {}. Split them into two searches.",
                self.terms.len()
            ));
        }
        for term in &self.terms {
            if term.trim().is_empty() {
                return bad("A search term is empty.".into());
            }
            if term.chars().count() > 400 {
                return bad(format!(
                    "The search term \"{}…\" is too long (at most 400 characters).",
                    term.chars().take(30).collect::<String>()
                ));
            }
        }
        if !(MIN_COUNT..=MAX_COUNT).contains(&self.count) {
            return bad(format!(
                "Posts per term must be between {MIN_COUNT} and {MAX_COUNT}; you asked for {}.",
                self.count
            ));
        }
        if let Some(days) = self.filters.days_back {
            if days == 0 {
                return bad("Days back must be at least 1.".into());
            }
            let max = match self.source {
                Source::Apify => MAX_DAYS_BACK,
                Source::X => X_MAX_DAYS_BACK,
            };
            if days > max {
                return bad(format!(
                    "{} reaches at most {max} days back; you asked for {days}.",
                    capitalise(self.source.describe())
                ));
            }
        }
        if let Some(lang) = &self.filters.language {
            let ok = (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_lowercase());
            if !ok {
                return bad(format!(
                    "\"{lang}\" is not a language code; use two letters such as en, es or de."
                ));
            }
        }
        if self.filters.only_image && self.filters.only_video {
            return bad("Pick \"only with images\" or \"only with video\", not both.".into());
        }
        Ok(())
    }

    /// The request with terms trimmed and the language lower-cased (blank = none).
    pub fn normalised(mut self) -> SearchRequest {
        self.terms = self
            .terms
            .iter()
            .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        self.filters.language = self
            .filters
            .language
            .map(|l| l.trim().to_ascii_lowercase())
            .filter(|l| !l.is_empty());
        self
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// RFC 3339 in UTC, as X's `start_time` takes it.
fn iso_time(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn day(unix: i64) -> String {
    DateTime::<Utc>::from_timestamp(unix, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// The X advanced-search query Apify's scraper gets for a term:
/// `term [since:DAY] [since_time:N] [min_faves:N] [min_retweets:N] [min_replies:N] [lang:xx]
/// [filter:…] -filter:retweets`. A raw term is used as typed (plus `since_time` for a refresh).
pub fn apify_query(term: &str, f: &SearchFilters, newer_than: Option<i64>, now: i64) -> String {
    let mut parts = vec![term.to_owned()];
    if !f.raw_query {
        if let Some(days) = f.days_back {
            parts.push(format!("since:{}", day(now - i64::from(days) * 86_400)));
        }
    }
    if let Some(after) = newer_than {
        parts.push(format!("since_time:{}", after + 1));
    }
    if f.raw_query {
        return parts.join(" ");
    }
    for (op, n) in [
        ("min_faves", f.min_likes),
        ("min_retweets", f.min_reposts),
        ("min_replies", f.min_replies),
    ] {
        if n > 0 {
            parts.push(format!("{op}:{n}"));
        }
    }
    if let Some(lang) = &f.language {
        parts.push(format!("lang:{lang}"));
    }
    for (on, op) in [
        (f.only_verified, "filter:verified"),
        (f.only_image, "filter:images"),
        (f.only_video, "filter:videos"),
        (f.only_quote, "filter:quote"),
    ] {
        if on {
            parts.push(op.into());
        }
    }
    parts.push("-filter:retweets".into());
    parts.join(" ")
}

/// The X API v2 query for a term: `term [lang:xx] [is:verified] [has:images] [has:videos]
/// [is:quote] -is:retweet`. Recent search has no minimum-likes operator, so those minimums are
/// applied to what comes back (posts read are billed all the same; the estimate says so).
pub fn x_query(term: &str, f: &SearchFilters) -> String {
    if f.raw_query {
        return term.to_owned();
    }
    let mut parts = vec![term.to_owned()];
    if let Some(lang) = &f.language {
        parts.push(format!("lang:{lang}"));
    }
    for (on, op) in [
        (f.only_verified, "is:verified"),
        (f.only_image, "has:images"),
        (f.only_video, "has:videos"),
        (f.only_quote, "is:quote"),
    ] {
        if on {
            parts.push(op.into());
        }
    }
    parts.push("-is:retweet".into());
    parts.join(" ")
}

/// A source's address and token. The token never reaches logs or Debug output.
#[derive(Clone)]
pub struct SourceAccess {
    pub source: Source,
    pub base_url: String,
    pub token: ApiKey,
}

impl std::fmt::Debug for SourceAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceAccess")
            .field("source", &self.source)
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// Environment variables that point a source elsewhere (tests, power users), like
/// `GEMINI_BASE_URL`.
pub const APIFY_BASE_URL_ENV: &str = "APIFY_BASE_URL";
pub const X_BASE_URL_ENV: &str = "X_API_BASE_URL";
/// Setting keys of the same (shared by the app and the CLI).
pub const APIFY_BASE_URL_SETTING: &str = "apify_base_url";
pub const X_BASE_URL_SETTING: &str = "x_base_url";
pub const APIFY_DEFAULT_BASE_URL: &str = "https://api.apify.com";
pub const X_DEFAULT_BASE_URL: &str = "https://api.x.com";

/// The environment wins, then the stored setting, then the real service. Checked with
/// [`check_base_url`].
pub async fn base_url(store: &Store, source: Source) -> Result<String> {
    let (env, setting, default) = match source {
        Source::Apify => (
            APIFY_BASE_URL_ENV,
            APIFY_BASE_URL_SETTING,
            APIFY_DEFAULT_BASE_URL,
        ),
        Source::X => (X_BASE_URL_ENV, X_BASE_URL_SETTING, X_DEFAULT_BASE_URL),
    };
    let chosen = match std::env::var(env).ok().filter(|u| !u.trim().is_empty()) {
        Some(url) => url,
        None => store
            .setting(setting)
            .await?
            .and_then(|v| v.as_str().map(str::to_owned))
            .filter(|s| !s.trim().is_empty())
            .unwrap_or_else(|| default.to_owned()),
    };
    check_base_url(&chosen)
}

/// Tokens travel only over https, or over plain http to this machine (the fakes in tests),
/// by the same rule as the Gemini key ([`gemini::ServerAddress`]): anything else is refused
/// before a token is sent.
pub fn check_base_url(url: &str) -> Result<String> {
    gemini::ServerAddress::parse(url)
        .map(|address| address.as_str().to_owned())
        .map_err(|reason| {
            FinderError::InvalidInput(format!(
                "\"{}\" cannot be used as a server address: {reason}.",
                url.trim()
            ))
        })
}

/// What a search may cost before it starts: the most posts it can read and their price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SearchEstimate {
    pub max_posts: u64,
    pub max_cost_picos: i64,
    /// "$0.0800" — at most.
    pub max_cost: String,
    /// One sentence for the screen and the terminal.
    pub sentence: String,
}

pub async fn estimate(store: &Store, request: &SearchRequest, now: i64) -> Result<SearchEstimate> {
    let price = data_prices::current(store, request.source.provider(), now).await?;
    let max_posts = request.terms.len() as u64 * u64::from(request.count);
    let max_cost_picos = (max_posts as i64).saturating_mul(price);
    let max_cost = crate::prices::format_usd(max_cost_picos);
    let mut sentence = format!(
        "Up to {} posts ({} × {} per term) from {}: at most {max_cost}.",
        crate::import::group_thousands(max_posts as i64),
        request.terms.len(),
        request.count,
        request.source.describe(),
    );
    match request.source {
        Source::Apify => sentence
            .push_str(" Apify bills what the run actually used; that is what gets recorded."),
        Source::X => {
            let f = &request.filters;
            if f.min_likes + f.min_reposts + f.min_replies > 0 {
                sentence.push_str(
                    " X cannot filter by likes, reposts or replies, so posts below your minimums are read (and billed) but not added.",
                );
            }
        }
    }
    Ok(SearchEstimate {
        max_posts,
        max_cost_picos,
        max_cost,
        sentence,
    })
}

/// How often and how long to wait for an actor run, and for rate limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PollPolicy {
    /// The first wait between status checks; each next one is `factor` times longer.
    pub first: Duration,
    pub factor: f64,
    pub max: Duration,
    /// A run still going after this is stopped (what it stored so far is kept).
    pub run_timeout: Duration,
    /// The longest rate-limit wait the search sits through; a longer one stops it.
    pub max_rate_limit_wait: Duration,
    /// Tries for a call that failed on the way (a dropped connection, a 5xx).
    pub transient_tries: u32,
}

impl Default for PollPolicy {
    /// The predecessor's: 2 s growing ×1.5 to 30 s; runs get ten minutes.
    fn default() -> Self {
        PollPolicy {
            first: Duration::from_secs(2),
            factor: 1.5,
            max: Duration::from_secs(30),
            run_timeout: Duration::from_secs(600),
            max_rate_limit_wait: Duration::from_secs(15 * 60),
            transient_tries: 3,
        }
    }
}

impl PollPolicy {
    /// For tests and benchmarks against the fakes.
    pub fn quick() -> Self {
        PollPolicy {
            first: Duration::from_millis(10),
            factor: 1.5,
            max: Duration::from_millis(100),
            run_timeout: Duration::from_secs(30),
            max_rate_limit_wait: Duration::from_secs(5),
            transient_tries: 3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(source: Source) -> SearchRequest {
        SearchRequest {
            source,
            terms: vec!["onboarding".into()],
            filters: SearchFilters::default(),
            count: 100,
        }
    }

    #[test]
    fn filters_become_the_predecessors_query() {
        let f = SearchFilters {
            min_likes: 5,
            min_replies: 2,
            days_back: Some(3),
            language: Some("en".into()),
            only_verified: true,
            ..SearchFilters::default()
        };
        // 2033-05-18 03:33:20 UTC
        assert_eq!(
            apify_query("saas pricing", &f, None, 2_000_000_000),
            "saas pricing since:2033-05-15 min_faves:5 min_replies:2 lang:en filter:verified -filter:retweets"
        );
        assert_eq!(
            x_query("saas pricing", &f),
            "saas pricing lang:en is:verified -is:retweet"
        );
        let raw = SearchFilters {
            raw_query: true,
            ..f
        };
        assert_eq!(
            apify_query("a OR b", &raw, Some(99), 0),
            "a OR b since_time:100"
        );
        assert_eq!(x_query("a OR b", &raw), "a OR b");
    }

    #[test]
    fn requests_are_checked_in_plain_words() {
        let mut r = request(Source::X);
        r.filters.days_back = Some(8);
        assert!(r.validate().unwrap_err().to_string().contains("7 days"));
        r.source = Source::Apify;
        assert!(r.validate().is_ok());
        r.terms = parse_terms("a, b,, c , d, e, f");
        assert_eq!(r.terms.len(), 6);
        assert!(r.validate().unwrap_err().to_string().contains("at most 5"));
        r.terms = vec!["a".into()];
        r.count = 5;
        assert!(r.validate().is_err());
    }

    #[test]
    fn tokens_go_only_over_https_or_to_this_machine() {
        assert!(check_base_url("https://api.apify.com/").is_ok());
        assert!(check_base_url("http://127.0.0.1:4000").is_ok());
        assert!(check_base_url("http://localhost:4000").is_ok());
        assert!(check_base_url("http://api.x.com").is_err());
        assert!(check_base_url("ftp://127.0.0.1").is_err());
        assert!(check_base_url("not a url").is_err());
    }
}

/// How one HTTP call to a source went wrong, before it becomes a plain sentence.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum CallError {
    BadToken,
    OutOfCredit(String),
    /// Try again after this long, or at this unix time (X's `x-rate-limit-reset`).
    RateLimited(RetryAt),
    /// A dropped connection, a timeout, a 5xx: worth another try.
    Transient(String),
    /// Anything else the service refused, with its own words.
    Refused(u16, String),
    /// An answer we could not read.
    BadAnswer(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RetryAt {
    After(Duration),
    At(i64),
}

impl CallError {
    fn from_http(e: reqwest::Error) -> CallError {
        // Without the URL: Apify accepts the token in it, and errors end up in logs.
        CallError::Transient(e.without_url().to_string())
    }

    /// The sentence the user reads, for `source`.
    pub(crate) fn into_error(self, source: Source) -> FinderError {
        let (code, message) = match (self, source) {
            (CallError::BadToken, Source::Apify) => (
                ErrorCode::ApifyBadToken,
                "Apify refused the token. Check it in Settings (Apify token) and try again; posts that arrived are kept.".to_owned(),
            ),
            (CallError::BadToken, Source::X) => (
                ErrorCode::XBadToken,
                "X refused the bearer token. Check it in Settings (X API bearer token) and try again; posts that arrived are kept.".to_owned(),
            ),
            (CallError::OutOfCredit(detail), s) => (
                if s == Source::Apify { ErrorCode::ApifyOutOfCredit } else { ErrorCode::XOutOfCredit },
                format!(
                    "Your {} account is out of credit ({}). Add credit or wait for the next billing cycle; posts that arrived are kept.",
                    if s == Source::Apify { "Apify" } else { "X API" },
                    detail.trim_end_matches('.')
                ),
            ),
            (CallError::RateLimited(_), s) => (
                ErrorCode::SourceRateLimited,
                format!(
                    "{} is limiting how fast posts can be fetched, for longer than the search waits. Try again later; posts that arrived are kept.",
                    capitalise(s.describe())
                ),
            ),
            (CallError::Transient(detail), s) => (
                ErrorCode::SourceUnreachable,
                format!(
                    "{} could not be reached ({detail}). Check the internet connection and try again; posts that arrived are kept.",
                    capitalise(s.describe())
                ),
            ),
            (CallError::Refused(status, detail), s) => (
                ErrorCode::SourceRefused,
                format!("{} refused the search (HTTP {status}): {detail}", capitalise(s.describe())),
            ),
            (CallError::BadAnswer(detail), s) => (
                ErrorCode::SourceBadAnswer,
                format!("{} sent an answer that could not be read: {detail}", capitalise(s.describe())),
            ),
        };
        FinderError::Source { code, message }
    }
}

/// One shared HTTP client setup for both sources.
fn http_client() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .connect_timeout(Duration::from_secs(20))
        .user_agent(concat!("comment-finder/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| FinderError::InvalidInput(format!("The HTTP client could not start: {e}")))
}

/// The service's own words from an error body: Apify's `error.message`, X's `detail`/`title`.
fn error_detail(body: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let text = v["error"]["message"]
        .as_str()
        .or(v["detail"].as_str())
        .or(v["title"].as_str())
        .or(v["errors"][0]["message"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(200).collect());
    text.trim().to_owned()
}
