//! Turns one exported item into a post, or into a plain-words reason it was skipped.
//! Apify items (JSON, JSONL and CSV rows rebuilt as JSON) and X API v2 items land here.

use chrono::DateTime;
use serde_json::{Map, Value};

// Counts in messages are grouped like money is; the one grouping lives with the text helpers.
pub use crate::text::group_thousands;

/// X Premium allows long posts up to 25,000 characters; anything longer is not a post.
pub const MAX_TEXT_CHARS: usize = 25_000;

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedAuthor {
    pub handle: String,
    pub name: Option<String>,
    pub x_user_id: Option<String>,
    pub followers: i64,
    pub verified: bool,
    pub blue_verified: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedTweet {
    pub id: String,
    pub text: String,
    pub url: String,
    pub lang: Option<String>,
    pub posted_at: i64,
    pub likes: i64,
    pub replies: i64,
    pub retweets: i64,
    pub quotes: i64,
    pub bookmarks: i64,
    pub views: i64,
    pub is_reply: bool,
    pub is_retweet: bool,
    pub is_quote: bool,
    pub reply_restricted: bool,
    pub author: ImportedAuthor,
    /// Which kind of export it came from ("apify" or "x_api").
    pub source: &'static str,
}

/// Why an item was not imported: `id` when the item had a readable one.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    pub id: Option<String>,
    pub reason: String,
}

impl Rejection {
    fn new(id: Option<&str>, reason: impl Into<String>) -> Self {
        Rejection {
            id: id.map(str::to_string),
            reason: reason.into(),
        }
    }
}

/// Reads an Apify `apidojo/tweet-scraper` item.
pub fn apify_item(item: &Value) -> Result<ImportedTweet, Rejection> {
    let obj = match item {
        Value::Object(obj) => obj,
        other => {
            return Err(Rejection::new(
                None,
                format!("not a post but {}", kind_of(other)),
            ))
        }
    };
    if obj.get("noResults").and_then(Value::as_bool) == Some(true) {
        return Err(Rejection::new(
            None,
            "placeholder saying the search found nothing (noResults)",
        ));
    }
    let item_type = obj.get("type").and_then(Value::as_str).unwrap_or("tweet");
    if item_type == "mock_tweet" {
        let id = id_of(obj, "id").ok().flatten();
        return Err(Rejection::new(
            id.as_deref(),
            "demo placeholder from a free Apify run (mock_tweet)",
        ));
    }
    if item_type != "tweet" {
        return Err(Rejection::new(
            None,
            format!("not a post but an item of type \"{item_type}\""),
        ));
    }
    let id = match id_of(obj, "id") {
        Ok(Some(id)) => id,
        Ok(None) => return Err(Rejection::new(None, "has no id")),
        Err(reason) => return Err(Rejection::new(None, reason)),
    };
    let fail = |reason: String| Rejection::new(Some(&id), reason);

    let text = match (
        opt_str(obj, "fullText").map_err(fail)?,
        opt_str(obj, "text").map_err(fail)?,
    ) {
        (Some(full), _) if !full.trim().is_empty() => full,
        (_, Some(text)) if !text.trim().is_empty() => text,
        _ => return Err(fail("has no text".into())),
    };
    check_text_length(&text).map_err(fail)?;

    let author_obj = match obj.get("author") {
        Some(Value::Object(a)) => a,
        None | Some(Value::Null) => return Err(fail("has no author".into())),
        Some(other) => {
            return Err(fail(format!(
                "author should be an object, found {}",
                kind_of(other)
            )))
        }
    };
    let handle = match opt_str(author_obj, "userName").map_err(|r| fail(format!("author {r}")))? {
        Some(h) if !h.trim().is_empty() => checked_handle(h.trim().trim_start_matches('@'))
            .map_err(|r| fail(format!("author userName {r}")))?,
        _ => return Err(fail("author has no userName".into())),
    };
    let author = ImportedAuthor {
        name: opt_str(author_obj, "name").map_err(|r| fail(format!("author {r}")))?,
        x_user_id: id_of(author_obj, "id").map_err(|r| fail(format!("author {r}")))?,
        followers: count(author_obj, "followers").map_err(|r| fail(format!("author {r}")))?,
        verified: flag(author_obj, "isVerified").map_err(|r| fail(format!("author {r}")))?,
        blue_verified: flag(author_obj, "isBlueVerified")
            .map_err(|r| fail(format!("author {r}")))?,
        handle,
    };

    let posted_at = match obj.get("createdAt") {
        None | Some(Value::Null) => return Err(fail("has no createdAt time".into())),
        Some(v) => parse_time(v).map_err(|r| fail(format!("createdAt {r}")))?,
    };
    // The link is rebuilt from the checked id and handle; the export's own `url` is never
    // kept, so a `javascript:` or look-alike address cannot reach the "open post" button.
    let url = post_url(&author.handle, &id);
    let is_retweet = flag(obj, "isRetweet").map_err(fail)?;
    Ok(ImportedTweet {
        lang: opt_str(obj, "lang")
            .map_err(fail)?
            .filter(|l| !l.is_empty()),
        likes: count(obj, "likeCount").map_err(fail)?,
        replies: count(obj, "replyCount").map_err(fail)?,
        retweets: count(obj, "retweetCount").map_err(fail)?,
        quotes: count(obj, "quoteCount").map_err(fail)?,
        bookmarks: count(obj, "bookmarkCount").map_err(fail)?,
        views: count(obj, "viewCount").map_err(fail)?,
        is_reply: flag(obj, "isReply").map_err(fail)?,
        is_quote: flag(obj, "isQuote").map_err(fail)?,
        reply_restricted: flag(obj, "isConversationControlled").map_err(fail)?,
        is_retweet,
        posted_at,
        url,
        text,
        author,
        id,
        source: "apify",
    })
}

/// Is this JSON object one page of an X API v2 search response?
pub fn is_x_api_page(value: &Value) -> bool {
    value.get("data").is_some_and(Value::is_array)
        && (value.get("includes").is_some()
            || value.get("meta").is_some()
            || value.get("text").is_none())
}

/// Reads every post of one X API v2 page, joining authors from `includes.users`.
pub fn x_api_page(page: &Value) -> Vec<Result<ImportedTweet, Rejection>> {
    let users: Vec<&Map<String, Value>> = page
        .pointer("/includes/users")
        .and_then(Value::as_array)
        .map(|users| users.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let items = page
        .get("data")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    items.iter().map(|item| x_api_item(item, &users)).collect()
}

fn x_api_item(item: &Value, users: &[&Map<String, Value>]) -> Result<ImportedTweet, Rejection> {
    let obj = match item {
        Value::Object(obj) => obj,
        other => {
            return Err(Rejection::new(
                None,
                format!("not a post but {}", kind_of(other)),
            ))
        }
    };
    let id = match id_of(obj, "id") {
        Ok(Some(id)) => id,
        Ok(None) => return Err(Rejection::new(None, "has no id")),
        Err(reason) => return Err(Rejection::new(None, reason)),
    };
    let fail = |reason: String| Rejection::new(Some(&id), reason);
    // Long posts carry their whole text in note_tweet; `text` is then cut short.
    let note = item
        .pointer("/note_tweet/text")
        .and_then(Value::as_str)
        .map(str::to_string);
    let text = match (note, opt_str(obj, "text").map_err(fail)?) {
        (Some(n), _) if !n.trim().is_empty() => n,
        (_, Some(t)) if !t.trim().is_empty() => t,
        _ => return Err(fail("has no text".into())),
    };
    check_text_length(&text).map_err(fail)?;
    let author_id = id_of(obj, "author_id")
        .map_err(fail)?
        .ok_or_else(|| fail("has no author_id".into()))?;
    let user = users
        .iter()
        .find(|u| u.get("id").and_then(Value::as_str) == Some(author_id.as_str()))
        .ok_or_else(|| {
            fail(format!(
                "its author {author_id} is missing from includes.users"
            ))
        })?;
    let handle = opt_str(user, "username")
        .map_err(|r| fail(format!("author {r}")))?
        .filter(|h| !h.is_empty())
        .ok_or_else(|| fail("author has no username".into()))?;
    let handle = checked_handle(&handle).map_err(|r| fail(format!("author username {r}")))?;
    let empty = Map::new();
    let user_metrics = user
        .get("public_metrics")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let author = ImportedAuthor {
        name: opt_str(user, "name").map_err(|r| fail(format!("author {r}")))?,
        x_user_id: Some(author_id.clone()),
        followers: count(user_metrics, "followers_count")
            .map_err(|r| fail(format!("author {r}")))?,
        verified: flag(user, "verified").map_err(|r| fail(format!("author {r}")))?,
        blue_verified: opt_str(user, "verified_type").ok().flatten().as_deref() == Some("blue"),
        handle,
    };
    let metrics = obj
        .get("public_metrics")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let referenced: Vec<&str> = obj
        .get("referenced_tweets")
        .and_then(Value::as_array)
        .map(|refs| {
            refs.iter()
                .filter_map(|r| r.get("type").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let posted_at = match obj.get("created_at") {
        None | Some(Value::Null) => return Err(fail("has no created_at time".into())),
        Some(v) => parse_time(v).map_err(|r| fail(format!("created_at {r}")))?,
    };
    let reply_settings = opt_str(obj, "reply_settings").map_err(fail)?;
    Ok(ImportedTweet {
        url: post_url(&author.handle, &id),
        lang: opt_str(obj, "lang")
            .map_err(fail)?
            .filter(|l| !l.is_empty()),
        likes: count(metrics, "like_count").map_err(fail)?,
        replies: count(metrics, "reply_count").map_err(fail)?,
        retweets: count(metrics, "retweet_count").map_err(fail)?,
        quotes: count(metrics, "quote_count").map_err(fail)?,
        bookmarks: count(metrics, "bookmark_count").map_err(fail)?,
        views: count(metrics, "impression_count").map_err(fail)?,
        is_reply: referenced.contains(&"replied_to"),
        is_retweet: referenced.contains(&"retweeted"),
        is_quote: referenced.contains(&"quoted"),
        reply_restricted: reply_settings.is_some_and(|s| s != "everyone"),
        posted_at,
        text,
        author,
        id,
        source: "x_api",
    })
}

/// The "open post" link, only ever built from a checked handle and a digits-only id. A handle
/// outside X's current rule (1–15 letters, digits or _; some old accounts and test data are
/// longer) gets X's handle-free form, which opens the same post.
pub fn post_url(handle: &str, id: &str) -> String {
    if is_valid_handle(handle) {
        format!("https://x.com/{handle}/status/{id}")
    } else {
        format!("https://x.com/i/status/{id}")
    }
}

/// X's rule for handles: 1–15 letters, digits or underscores.
pub fn is_valid_handle(handle: &str) -> bool {
    (1..=15).contains(&handle.len()) && is_handle_text(handle)
}

fn is_handle_text(handle: &str) -> bool {
    handle
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Longest handle accepted on import: X's limit is 15, but older accounts and some exports
/// carry longer ones; those import and link through `x.com/i/status/…`.
const MAX_HANDLE_CHARS: usize = 50;

/// Anything but letters, digits and _ is not from X (and would end up inside links, the CSV
/// and prompts), so the row is skipped.
fn checked_handle(handle: &str) -> Result<String, String> {
    if handle.len() <= MAX_HANDLE_CHARS && is_handle_text(handle) {
        Ok(handle.to_string())
    } else {
        Err(format!(
            "\"{}\" is not an X handle (only letters, digits and _)",
            shorten(handle, 30)
        ))
    }
}

fn check_text_length(text: &str) -> Result<(), String> {
    // Count lazily: stop as soon as the limit is passed, so a 1 GB "text" costs nothing extra.
    if text.len() > MAX_TEXT_CHARS && text.chars().nth(MAX_TEXT_CHARS).is_some() {
        let chars = text.chars().count();
        return Err(format!(
            "its text is {} characters long; X posts have at most {}",
            group_thousands(chars as i64),
            group_thousands(MAX_TEXT_CHARS as i64)
        ));
    }
    Ok(())
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// X ids are digit strings; exports write them as strings or (lossy in JS) numbers.
fn id_of(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else if s.len() <= 25 && s.bytes().all(|b| b.is_ascii_digit()) {
                Ok(Some(s.to_string()))
            } else {
                Err(format!(
                    "{field} \"{}\" is not an X id (digits only)",
                    shorten(s, 40)
                ))
            }
        }
        Some(Value::Number(n)) if n.is_u64() => Ok(Some(n.to_string())),
        Some(other) => Err(format!(
            "{field} should be digits, found {}",
            kind_of(other)
        )),
    }
}

fn opt_str(obj: &Map<String, Value>, field: &str) -> Result<Option<String>, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(format!("{field} should be text, found {}", kind_of(other))),
    }
}

/// Counts accept numbers and numeric text (CSV exports are all text); missing means 0.
fn count(obj: &Map<String, Value>, field: &str) -> Result<i64, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))
            .map(|v| v.max(0))
            .ok_or_else(|| format!("{field} is not a usable number ({n})")),
        Some(Value::String(s)) => {
            let t = s.trim().replace(',', "");
            if t.is_empty() {
                return Ok(0);
            }
            t.parse::<i64>()
                .ok()
                .or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .map(|f| f as i64)
                })
                .map(|v| v.max(0))
                .ok_or_else(|| format!("{field} should be a number, found \"{}\"", shorten(s, 30)))
        }
        Some(other) => Err(format!(
            "{field} should be a number, found {}",
            kind_of(other)
        )),
    }
}

fn flag(obj: &Map<String, Value>, field: &str) -> Result<bool, String> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "" | "false" | "0" | "no" => Ok(false),
            "true" | "1" | "yes" => Ok(true),
            _ => Err(format!(
                "{field} should be true or false, found \"{}\"",
                shorten(s, 30)
            )),
        },
        Some(Value::Number(n)) => Ok(n.as_f64() != Some(0.0)),
        Some(other) => Err(format!(
            "{field} should be true or false, found {}",
            kind_of(other)
        )),
    }
}

/// Apify writes X's legacy format ("Fri Nov 24 17:49:36 +0000 2023"); the X API and most
/// tools write RFC 3339. Unix seconds or milliseconds are accepted too.
pub fn parse_time(v: &Value) -> Result<i64, String> {
    match v {
        Value::String(s) => {
            let s = s.trim();
            DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y")
                // A weekday that does not match the date should not cost the post.
                .or_else(|_| {
                    DateTime::parse_from_str(s.get(4..).unwrap_or(""), "%b %d %H:%M:%S %z %Y")
                })
                .or_else(|_| DateTime::parse_from_rfc3339(s))
                .map(|t| t.timestamp())
                .or_else(|_| s.parse::<i64>().map(epoch_guess))
                .map_err(|_| format!("\"{}\" is not a date and time", shorten(s, 40)))
        }
        Value::Number(n) => n
            .as_i64()
            .map(epoch_guess)
            .ok_or_else(|| format!("{n} is not a time")),
        other => Err(format!(
            "should be a date and time, found {}",
            kind_of(other)
        )),
    }
}

fn epoch_guess(n: i64) -> i64 {
    if n > 100_000_000_000 {
        n / 1000
    } else {
        n
    }
}

fn shorten(s: &str, max_chars: usize) -> String {
    match s.char_indices().nth(max_chars) {
        Some((cut, _)) => format!("{}…", &s[..cut]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn apify() -> Value {
        json!({
            "type": "tweet", "id": "1861234567890123456", "url": "https://x.com/ana/status/1861234567890123456",
            "text": "How do you test creatives?", "createdAt": "Fri Nov 24 17:49:36 +0000 2023",
            "likeCount": 12, "replyCount": 3, "retweetCount": 1, "quoteCount": 0, "viewCount": 900,
            "bookmarkCount": 2, "lang": "en", "isRetweet": false, "isConversationControlled": true,
            "author": {"userName": "ana", "name": "Ana", "id": "42", "followers": 5300, "isBlueVerified": true}
        })
    }

    #[test]
    fn reads_a_full_apify_item() {
        let t = apify_item(&apify()).unwrap();
        assert_eq!(t.id, "1861234567890123456");
        assert_eq!(t.posted_at, 1700848176);
        assert_eq!(
            (t.likes, t.replies, t.retweets, t.views, t.bookmarks),
            (12, 3, 1, 900, 2)
        );
        assert!(t.reply_restricted);
        assert_eq!(t.author.followers, 5300);
        assert!(t.author.blue_verified);
    }

    #[test]
    fn wrong_types_name_the_field() {
        let mut item = apify();
        item["likeCount"] = json!("lots");
        let r = apify_item(&item).unwrap_err();
        assert!(r.reason.contains("likeCount"), "{}", r.reason);
        assert_eq!(r.id.as_deref(), Some("1861234567890123456"));
        let mut item = apify();
        item["text"] = json!(123);
        assert!(apify_item(&item)
            .unwrap_err()
            .reason
            .contains("text should be text"));
        let mut item = apify();
        item["author"] = json!("ana");
        assert!(apify_item(&item)
            .unwrap_err()
            .reason
            .contains("author should be an object"));
    }

    #[test]
    fn junk_items_are_recognised() {
        assert!(apify_item(&json!({"noResults": true}))
            .unwrap_err()
            .reason
            .contains("noResults"));
        assert!(apify_item(&json!({"type": "mock_tweet", "id": "1"}))
            .unwrap_err()
            .reason
            .contains("mock_tweet"));
        assert!(apify_item(&Value::Null)
            .unwrap_err()
            .reason
            .contains("null"));
        assert!(apify_item(&json!({"type": "user"}))
            .unwrap_err()
            .reason
            .contains("user"));
    }

    #[test]
    fn huge_text_is_refused_with_its_size() {
        let mut item = apify();
        item["text"] = json!("a".repeat(1_000_000));
        let r = apify_item(&item).unwrap_err();
        assert!(r.reason.contains("1,000,000 characters"), "{}", r.reason);
    }

    #[test]
    fn times_in_every_format() {
        assert_eq!(
            parse_time(&json!("2023-11-24T17:49:36.000Z")).unwrap(),
            1700848176
        );
        assert_eq!(parse_time(&json!(1700848176000_i64)).unwrap(), 1700848176);
        assert!(parse_time(&json!("yesterday")).is_err());
    }

    #[test]
    fn x_api_page_joins_users_and_flags() {
        let page = json!({
            "data": [
                {"id": "1", "text": "short", "author_id": "7", "created_at": "2026-11-28T10:00:00.000Z",
                 "lang": "en", "reply_settings": "mentionedUsers",
                 "note_tweet": {"text": "the whole long text"},
                 "referenced_tweets": [{"type": "quoted", "id": "9"}],
                 "public_metrics": {"like_count": 5, "reply_count": 1, "retweet_count": 2, "quote_count": 0, "bookmark_count": 0, "impression_count": 77}},
                {"id": "2", "text": "orphan", "author_id": "8", "created_at": "2026-11-28T10:00:00.000Z"}
            ],
            "includes": {"users": [{"id": "7", "username": "bo", "name": "Bo", "public_metrics": {"followers_count": 1200}}]}
        });
        assert!(is_x_api_page(&page));
        let items = x_api_page(&page);
        let first = items[0].as_ref().unwrap();
        assert_eq!(first.text, "the whole long text");
        assert!(first.reply_restricted && first.is_quote && !first.is_retweet);
        assert_eq!((first.views, first.author.followers), (77, 1200));
        assert_eq!(first.url, "https://x.com/bo/status/1");
        assert!(items[1]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("includes.users"));
    }

    #[test]
    fn links_come_from_the_id_and_handle_never_the_export() {
        let mut item = apify();
        item["url"] = json!("javascript:alert(1)");
        item["twitterUrl"] = json!("https://evil.example/ana/status/1");
        let t = apify_item(&item).unwrap();
        assert_eq!(t.url, "https://x.com/ana/status/1861234567890123456");
        for bad in ["ana smith", "ana/../x", "ана", &"a".repeat(51)] {
            let mut item = apify();
            item["author"]["userName"] = json!(bad);
            assert!(apify_item(&item).is_err(), "{bad:?} must be refused");
        }
        let mut item = apify();
        item["author"]["userName"] = json!("evil/\"><script>");
        let r = apify_item(&item).unwrap_err();
        assert!(r.reason.contains("is not an X handle"), "{}", r.reason);
        assert!(is_valid_handle("Ana_2026") && is_valid_handle("x"));
        let mut item = apify();
        item["author"]["userName"] = json!("onboarding_oscar");
        let t = apify_item(&item).unwrap();
        assert_eq!(t.url, "https://x.com/i/status/1861234567890123456");
    }

    #[test]
    fn thousands_grouping() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(group_thousands(-1000), "-1,000");
    }
}
