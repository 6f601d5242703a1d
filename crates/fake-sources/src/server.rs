//! The axum server: the Apify run API and the X recent search on one port.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Path, Query as QueryParams, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::config::{ApifyFault, SourcesConfig, XFault};
use crate::corpus::{self, iso_time, legacy_time, FakePost, Query, ARCHIVE_DAYS};

/// The actor id the fake runs (the real one's API name).
pub const ACTOR_ID: &str = "apidojo~tweet-scraper";
/// X's recent search sees the last seven days.
const RECENT_DAYS: i64 = 7;

/// Counters of what the fakes served, for tests and `GET /_fake/stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SourcesStats {
    pub apify_runs_started: u64,
    pub apify_items_served: u64,
    pub apify_run_polls: u64,
    pub x_requests: u64,
    pub x_posts_read: u64,
    pub rejected_requests: u64,
}

/// Entry point: `FakeSources::start(config)`.
pub struct FakeSources;

impl FakeSources {
    /// Binds 127.0.0.1:`config.port` and serves until [`SourcesServer::shutdown`] or drop.
    pub async fn start(config: SourcesConfig) -> io::Result<SourcesServer> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)))
                .await?;
        let addr = listener.local_addr()?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let clock = config.post_clock_start.unwrap_or_else(unix_now);
        let shared = Arc::new(Shared {
            apify_faults: Mutex::new(config.apify_faults.iter().copied().collect()),
            x_faults: Mutex::new(config.x_faults.iter().copied().collect()),
            config,
            post_clock: AtomicI64::new(clock),
            runs: Mutex::new(HashMap::new()),
            stats: Mutex::new(SourcesStats::default()),
            sequence: AtomicU64::new(0),
        });
        let app = router(Arc::clone(&shared));
        let mut stop = shutdown_rx;
        let task = tokio::spawn(async move {
            let stopped = async move {
                let _ = stop.wait_for(|stopped| *stopped).await;
            };
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });
        Ok(SourcesServer {
            addr,
            shared,
            shutdown_tx,
            task: Some(task),
        })
    }
}

/// A running fake. Dropping it stops the server.
pub struct SourcesServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl SourcesServer {
    /// `http://127.0.0.1:PORT`: the base URL of both APIs.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn apify_token(&self) -> &str {
        self.shared
            .config
            .apify_tokens
            .first()
            .map_or("", String::as_str)
    }

    pub fn x_token(&self) -> &str {
        self.shared
            .config
            .x_tokens
            .first()
            .map_or("", String::as_str)
    }

    pub fn stats(&self) -> SourcesStats {
        *lock(&self.shared.stats)
    }

    /// The post clock: posts exist up to this unix time.
    pub fn post_clock(&self) -> i64 {
        self.shared.post_clock.load(Ordering::SeqCst)
    }

    /// Moves the post clock forward, publishing the posts of that span.
    pub fn advance_posts(&self, seconds: i64) {
        self.shared.post_clock.fetch_add(seconds, Ordering::SeqCst);
    }

    pub fn push_apify_fault(&self, fault: ApifyFault) {
        lock(&self.shared.apify_faults).push_back(fault);
    }

    pub fn push_x_fault(&self, fault: XFault) {
        lock(&self.shared.x_faults).push_back(fault);
    }

    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SourcesServer {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

struct Shared {
    config: SourcesConfig,
    post_clock: AtomicI64,
    apify_faults: Mutex<VecDeque<ApifyFault>>,
    x_faults: Mutex<VecDeque<XFault>>,
    runs: Mutex<HashMap<String, ActorRun>>,
    stats: Mutex<SourcesStats>,
    sequence: AtomicU64,
}

impl Shared {
    /// A simulated span as real time.
    fn real(&self, simulated_secs: f64) -> Duration {
        Duration::from_secs_f64((simulated_secs / self.config.time_scale).max(0.0))
    }

    /// A simulated wait as the whole seconds a header carries (at least 1).
    fn header_secs(&self, simulated_secs: u64) -> u64 {
        (simulated_secs as f64 / self.config.time_scale)
            .ceil()
            .max(1.0) as u64
    }

    fn next_id(&self, prefix: &str) -> String {
        let n = self.sequence.fetch_add(1, Ordering::SeqCst) + 1;
        // Apify ids are 17 alphanumerics.
        format!(
            "{prefix}{:0>15}",
            format!("{:X}", corpus::mix(n) % 0xFFFF_FFFF_FFFF)
        )
    }
}

struct ActorRun {
    id: String,
    dataset_id: String,
    started: Instant,
    started_unix: i64,
    ending: RunEnding,
    items: Vec<Value>,
    timeout_secs: u64,
    /// Set by an abort: the items stored by then, and the run is over.
    aborted_with: Option<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum RunEnding {
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl ActorRun {
    /// Status and how many items the dataset holds so far.
    fn progress(&self, shared: &Shared) -> (&'static str, usize) {
        if let Some(stored) = self.aborted_with {
            return ("ABORTED", stored);
        }
        let total = shared.real(shared.config.apify_run_secs);
        let elapsed = self.started.elapsed();
        let (end, cap) = match self.ending {
            RunEnding::Succeeded => (total, self.items.len()),
            // A run that breaks does so half-way, keeping what it had stored.
            _ => (total / 2, self.items.len() / 2),
        };
        if elapsed >= end {
            let status = match self.ending {
                RunEnding::Succeeded => "SUCCEEDED",
                RunEnding::Failed => "FAILED",
                RunEnding::TimedOut => "TIMED-OUT",
                RunEnding::Aborted => "ABORTED",
            };
            return (status, cap);
        }
        if elapsed < end / 10 {
            return ("READY", 0);
        }
        let share = elapsed.as_secs_f64() / end.as_secs_f64().max(1e-9);
        ("RUNNING", ((cap as f64) * share) as usize)
    }

    fn json(&self, shared: &Shared) -> Value {
        let (status, stored) = self.progress(shared);
        let finished = !matches!(status, "READY" | "RUNNING");
        let usage = stored as f64 * shared.config.apify_usd_per_item;
        let message = match status {
            "READY" => "Starting the actor",
            "RUNNING" => "Scraping tweets",
            "SUCCEEDED" => "Finished! Total items scraped: see the dataset",
            "FAILED" => "The Actor process was terminated because an error occurred",
            "TIMED-OUT" => "The Actor run has timed out",
            _ => "The Actor run was aborted",
        };
        json!({"data": {
            "id": self.id,
            "actId": "61RPP7dywgiy0JPD0",
            "userId": "fakeUser0000001",
            "actorTaskId": null,
            "startedAt": iso_time(self.started_unix),
            "finishedAt": if finished { json!(iso_time(self.started_unix + shared.config.apify_run_secs as i64)) } else { Value::Null },
            "status": status,
            "statusMessage": message,
            "isStatusMessageTerminal": finished,
            "meta": {"origin": "API"},
            "stats": {"resurrectCount": 0, "computeUnits": stored as f64 * 0.00005},
            "options": {"build": "latest", "timeoutSecs": self.timeout_secs, "memoryMbytes": 1024, "diskMbytes": 2048},
            "buildId": "fakeBuild000001",
            "defaultKeyValueStoreId": format!("kv{}", &self.dataset_id[2..]),
            "defaultDatasetId": self.dataset_id,
            "defaultRequestQueueId": format!("rq{}", &self.dataset_id[2..]),
            "usageTotalUsd": usage,
            "usageUsd": {"ACTOR_COMPUTE_UNITS": 0.0, "DATASET_WRITES": 0.0, "PAY_PER_RESULT": usage},
        }})
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v2/acts/{actor}/runs", post(start_run))
        .route("/v2/actor-runs/{run}", get(get_run))
        .route("/v2/actor-runs/{run}/abort", post(abort_run))
        .route("/v2/datasets/{dataset}/items", get(dataset_items))
        .route("/2/tweets/search/recent", get(recent_search))
        .route("/_fake/stats", get(stats_report))
        .route("/_fake/advance", post(advance_clock))
        .route("/_fake/faults", post(script_faults))
        .with_state(shared)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get("authorization")?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
}

fn apify_error(status: StatusCode, kind: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"error": {"type": kind, "message": message}})),
    )
        .into_response()
}

/// Apify takes the token from the header or `?token=`.
fn apify_authorised(
    shared: &Shared,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> bool {
    let token = bearer(headers).or(params.get("token").map(String::as_str));
    token.is_some_and(|t| shared.config.apify_tokens.iter().any(|k| k == t))
}

fn reject(shared: &Shared) {
    lock(&shared.stats).rejected_requests += 1;
}

fn unauthorised_apify(shared: &Shared) -> Response {
    reject(shared);
    apify_error(
        StatusCode::UNAUTHORIZED,
        "user-or-token-not-found",
        "User was not found or authentication token is not valid",
    )
}

async fn start_run(
    State(shared): State<Arc<Shared>>,
    Path(actor): Path<String>,
    QueryParams(params): QueryParams<HashMap<String, String>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    if !apify_authorised(&shared, &headers, &params) {
        return unauthorised_apify(&shared);
    }
    if actor != ACTOR_ID && actor != "apidojo/tweet-scraper" {
        return apify_error(
            StatusCode::NOT_FOUND,
            "record-not-found",
            "Actor was not found",
        );
    }
    let fault = lock(&shared.apify_faults).pop_front();
    let ending = match fault {
        Some(ApifyFault::BadToken) => return unauthorised_apify(&shared),
        Some(ApifyFault::OutOfCredit) => {
            reject(&shared);
            return apify_error(
                StatusCode::PAYMENT_REQUIRED,
                "not-enough-usage-to-run-paid-actor",
                "By launching this job you will exceed the memory limit or your monthly usage limit. Upgrade your plan or wait until the next billing cycle.",
            );
        }
        Some(ApifyFault::RateLimited) => {
            reject(&shared);
            let mut response = apify_error(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limit-exceeded",
                "You have exceeded the rate limit. Please try again later.",
            );
            let wait = shared.header_secs(shared.config.retry_after_secs);
            response
                .headers_mut()
                .insert("retry-after", HeaderValue::from(wait));
            return response;
        }
        Some(ApifyFault::RunFailed) => RunEnding::Failed,
        Some(ApifyFault::RunTimedOut) => RunEnding::TimedOut,
        Some(ApifyFault::RunAborted) => RunEnding::Aborted,
        None => RunEnding::Succeeded,
    };
    let Ok(input) =
        serde_json::from_str::<Value>(if body.trim().is_empty() { "{}" } else { &body })
    else {
        return apify_error(
            StatusCode::BAD_REQUEST,
            "invalid-input",
            "Input is not valid JSON",
        );
    };
    let items = scrape(&shared, &input);
    let id = shared.next_id("ru");
    let dataset_id = shared.next_id("ds");
    let run = ActorRun {
        id: id.clone(),
        dataset_id,
        started: Instant::now(),
        started_unix: unix_now(),
        ending,
        items,
        timeout_secs: params
            .get("timeout")
            .and_then(|t| t.parse().ok())
            .unwrap_or(3600),
        aborted_with: None,
    };
    let body = run.json(&shared);
    lock(&shared.runs).insert(id, run);
    lock(&shared.stats).apify_runs_started += 1;
    (StatusCode::CREATED, Json(body)).into_response()
}

/// What the actor would find for its input: every search term in turn, newest first, up to
/// `maxItems` in all; a term with nothing gives Apify's `{"noResults": true}` item.
fn scrape(shared: &Shared, input: &Value) -> Vec<Value> {
    let max_items = input.get("maxItems").and_then(Value::as_u64).unwrap_or(100) as usize;
    let flag = |name: &str| input.get(name).and_then(Value::as_bool) == Some(true);
    let number = |name: &str| input.get(name).and_then(Value::as_u64).unwrap_or(0);
    let now = shared.post_clock.load(Ordering::SeqCst);
    let oldest = now - ARCHIVE_DAYS * 86_400;
    let mut items = Vec::new();
    let terms: Vec<String> = input
        .get("searchTerms")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for term in terms {
        let mut query = Query::parse(&term);
        query.min_likes = query.min_likes.max(number("minimumFavorites"));
        query.min_retweets = query.min_retweets.max(number("minimumRetweets"));
        query.min_replies = query.min_replies.max(number("minimumReplies"));
        query.verified |= flag("onlyVerifiedUsers");
        query.blue_verified |= flag("onlyTwitterBlue");
        query.images |= flag("onlyImage");
        query.videos |= flag("onlyVideo");
        query.quotes |= flag("onlyQuote");
        if let Some(lang) = input.get("tweetLanguage").and_then(Value::as_str) {
            query.lang = Some(lang.to_owned());
        }
        if let Some(start) = input.get("start").and_then(Value::as_str) {
            let parsed = Query::parse(&format!("since:{start}"));
            query.since = query.since.max(parsed.since);
        }
        let room = max_items.saturating_sub(items.len());
        if room == 0 {
            break;
        }
        let found = corpus::search(&query, now, oldest, room);
        if found.is_empty() {
            items.push(json!({"noResults": true}));
        }
        items.extend(found.iter().map(apify_item));
    }
    items
}

fn apify_item(p: &FakePost) -> Value {
    let url = format!("https://x.com/{}/status/{}", p.author.handle, p.id);
    json!({
        "type": "tweet",
        "id": p.id.to_string(),
        "url": url,
        "twitterUrl": url.replace("https://x.com", "https://twitter.com"),
        "text": p.text,
        "fullText": p.text,
        "source": "Twitter Web App",
        "retweetCount": p.retweets,
        "replyCount": p.replies,
        "likeCount": p.likes,
        "quoteCount": p.quotes,
        "viewCount": p.views,
        "bookmarkCount": p.bookmarks,
        "createdAt": legacy_time(p.created_at),
        "lang": p.lang,
        "isReply": false,
        "isRetweet": p.is_retweet,
        "isQuote": p.is_quote,
        "conversationId": p.id.to_string(),
        "isConversationControlled": p.reply_restricted,
        "possiblySensitive": false,
        "entities": {"hashtags": [], "symbols": [], "urls": [], "user_mentions": []},
        "extendedEntities": if p.has_image || p.has_video {
            json!({"media": [{"type": if p.has_video { "video" } else { "photo" }}]})
        } else { json!({}) },
        "author": {
            "type": "user",
            "userName": p.author.handle,
            "name": p.author.name,
            "id": p.author.id.to_string(),
            "url": format!("https://x.com/{}", p.author.handle),
            "isVerified": p.author.verified,
            "isBlueVerified": p.author.blue_verified,
            "followers": p.author.followers,
            "following": p.author.followers / 7 + 40,
            "description": "Building things in public.",
        },
    })
}

async fn get_run(
    State(shared): State<Arc<Shared>>,
    Path(run): Path<String>,
    QueryParams(params): QueryParams<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !apify_authorised(&shared, &headers, &params) {
        return unauthorised_apify(&shared);
    }
    lock(&shared.stats).apify_run_polls += 1;
    let runs = lock(&shared.runs);
    match runs.get(&run) {
        Some(run) => Json(run.json(&shared)).into_response(),
        None => apify_error(
            StatusCode::NOT_FOUND,
            "record-not-found",
            "Actor run was not found",
        ),
    }
}

/// `POST /v2/actor-runs/{id}/abort`: the run stops now, keeping what it stored.
async fn abort_run(
    State(shared): State<Arc<Shared>>,
    Path(run): Path<String>,
    QueryParams(params): QueryParams<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !apify_authorised(&shared, &headers, &params) {
        return unauthorised_apify(&shared);
    }
    let mut runs = lock(&shared.runs);
    let Some(run) = runs.get_mut(&run) else {
        return apify_error(
            StatusCode::NOT_FOUND,
            "record-not-found",
            "Actor run was not found",
        );
    };
    let (status, stored) = run.progress(&shared);
    if matches!(status, "READY" | "RUNNING") {
        run.aborted_with = Some(stored);
    }
    Json(run.json(&shared)).into_response()
}

async fn dataset_items(
    State(shared): State<Arc<Shared>>,
    Path(dataset): Path<String>,
    QueryParams(params): QueryParams<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    if !apify_authorised(&shared, &headers, &params) {
        return unauthorised_apify(&shared);
    }
    let offset: usize = params
        .get("offset")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let limit: usize = params
        .get("limit")
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let page = {
        let runs = lock(&shared.runs);
        let Some(run) = runs.values().find(|r| r.dataset_id == dataset) else {
            return apify_error(
                StatusCode::NOT_FOUND,
                "record-not-found",
                "Dataset was not found",
            );
        };
        let (_, stored) = run.progress(&shared);
        let items: Vec<Value> = run.items[..stored]
            .iter()
            .skip(offset)
            .take(limit)
            .cloned()
            .collect();
        (items, stored)
    };
    let (items, total) = page;
    lock(&shared.stats).apify_items_served += items.len() as u64;
    let mut response = Json(Value::Array(items.clone())).into_response();
    let h = response.headers_mut();
    h.insert("x-apify-pagination-offset", HeaderValue::from(offset));
    h.insert(
        "x-apify-pagination-limit",
        HeaderValue::from(limit.min(1_000_000)),
    );
    h.insert("x-apify-pagination-count", HeaderValue::from(items.len()));
    h.insert("x-apify-pagination-total", HeaderValue::from(total));
    response
}

fn x_problem(status: StatusCode, title: &str, detail: &str, kind: &str) -> Response {
    (
        status,
        Json(json!({"title": title, "detail": detail, "type": kind, "status": status.as_u16()})),
    )
        .into_response()
}

async fn recent_search(
    State(shared): State<Arc<Shared>>,
    QueryParams(params): QueryParams<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let token_ok = bearer(&headers).is_some_and(|t| shared.config.x_tokens.iter().any(|k| k == t));
    let fault = if token_ok {
        lock(&shared.x_faults).pop_front()
    } else {
        Some(XFault::BadToken)
    };
    let reset = unix_now() + shared.header_secs(shared.config.retry_after_secs) as i64;
    match fault {
        Some(XFault::BadToken) => {
            reject(&shared);
            return x_problem(
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "Unauthorized",
                "about:blank",
            );
        }
        Some(XFault::OutOfCredit) => {
            reject(&shared);
            return x_problem(
                StatusCode::PAYMENT_REQUIRED,
                "CreditsDepleted",
                "Your enrolled account does not have any credits to fulfill this request.",
                "https://api.x.com/2/problems/credits",
            );
        }
        Some(XFault::RateLimited) => {
            reject(&shared);
            let mut response = x_problem(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests",
                "Too Many Requests",
                "about:blank",
            );
            let h = response.headers_mut();
            h.insert("x-rate-limit-limit", HeaderValue::from(450));
            h.insert("x-rate-limit-remaining", HeaderValue::from(0));
            h.insert("x-rate-limit-reset", HeaderValue::from(reset));
            return response;
        }
        None => {}
    }
    let invalid = |message: String| {
        (
            StatusCode::BAD_REQUEST,
            Json(json!({
                "errors": [{"parameters": {}, "message": message}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.x.com/2/problems/invalid-request",
            })),
        )
            .into_response()
    };
    let Some(text) = params.get("query").filter(|q| !q.trim().is_empty()) else {
        return invalid("The `query` query parameter can not be empty".into());
    };
    if text.chars().count() > 512 {
        return invalid("The `query` query parameter can be at most 512 characters".into());
    }
    let max_results: usize = match params.get("max_results").map(|m| m.parse::<usize>()) {
        None => 10,
        Some(Ok(n)) if (10..=100).contains(&n) => n,
        Some(_) => {
            return invalid(
                "The `max_results` query parameter value is not between 10 and 100".into(),
            )
        }
    };
    let mut query = Query::parse(text);
    let now = shared.post_clock.load(Ordering::SeqCst);
    let oldest = now - RECENT_DAYS * 86_400;
    if let Some(start) = params.get("start_time") {
        match chrono::DateTime::parse_from_rfc3339(start) {
            Ok(t) if t.timestamp() >= oldest - 60 => query.since = Some(t.timestamp()),
            _ => {
                return invalid(format!(
                    "Invalid 'start_time':'{start}'. 'start_time' must be on or after {}",
                    iso_time(oldest)
                ))
            }
        }
    }
    if let Some(id) = params.get("since_id") {
        query.since_id = id.parse().ok();
        // Snowflake ids carry their time; X refuses one from before its seven-day window.
        let at = query
            .since_id
            .map(|id| ((id >> 22) as i64 + 1_288_834_974_657) / 1000);
        if at.is_none_or(|t| t < oldest) {
            return invalid(format!(
                "Invalid 'since_id':'{id}'. 'since_id' must be a tweet id created after {}",
                iso_time(oldest)
            ));
        }
    }
    // The token is the offset into the result list, written so nobody is tempted to build one.
    let offset = params
        .get("next_token")
        .and_then(|t| t.strip_prefix("b26v89c19zqg8o3f"))
        .and_then(|t| usize::from_str_radix(t, 36).ok())
        .unwrap_or(0);
    let found = corpus::search(&query, now, oldest, offset + max_results + 1);
    let page: Vec<&FakePost> = found.iter().skip(offset).take(max_results).collect();
    let more = found.len() > offset + max_results;
    let mut stats = lock(&shared.stats);
    stats.x_requests += 1;
    stats.x_posts_read += page.len() as u64;
    drop(stats);
    let mut meta = json!({"result_count": page.len()});
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        meta["newest_id"] = json!(first.id.to_string());
        meta["oldest_id"] = json!(last.id.to_string());
    }
    if more {
        meta["next_token"] = json!(format!(
            "b26v89c19zqg8o3f{}",
            radix36((offset + max_results) as u64)
        ));
    }
    let mut body = json!({"meta": meta});
    if !page.is_empty() {
        let mut users: Vec<Value> = Vec::new();
        for p in &page {
            let id = p.author.id.to_string();
            if !users.iter().any(|u| u["id"] == json!(id)) {
                users.push(json!({
                    "id": id,
                    "name": p.author.name,
                    "username": p.author.handle,
                    "verified": p.author.verified,
                    "verified_type": if p.author.blue_verified { "blue" } else { "none" },
                    "description": "Building things in public.",
                    "public_metrics": {"followers_count": p.author.followers, "following_count": p.author.followers / 7 + 40, "tweet_count": 1200, "listed_count": 3},
                }));
            }
        }
        body["data"] = page.iter().map(|p| x_tweet(p)).collect();
        body["includes"] = json!({"users": users});
    }
    let mut response = Json(body).into_response();
    let h = response.headers_mut();
    h.insert("x-rate-limit-limit", HeaderValue::from(450));
    h.insert("x-rate-limit-remaining", HeaderValue::from(449));
    h.insert("x-rate-limit-reset", HeaderValue::from(reset));
    response
}

fn x_tweet(p: &FakePost) -> Value {
    let mut tweet = json!({
        "id": p.id.to_string(),
        "edit_history_tweet_ids": [p.id.to_string()],
        "text": p.text,
        "author_id": p.author.id.to_string(),
        "created_at": iso_time(p.created_at),
        "conversation_id": p.id.to_string(),
        "lang": p.lang,
        "reply_settings": if p.reply_restricted { "mentionedUsers" } else { "everyone" },
        "public_metrics": {
            "retweet_count": p.retweets, "reply_count": p.replies, "like_count": p.likes,
            "quote_count": p.quotes, "bookmark_count": p.bookmarks, "impression_count": p.views,
        },
    });
    let mut referenced = Vec::new();
    if p.is_quote {
        referenced.push(json!({"type": "quoted", "id": (p.id - 1).to_string()}));
    }
    if p.is_retweet {
        referenced.push(json!({"type": "retweeted", "id": (p.id - 2).to_string()}));
    }
    if !referenced.is_empty() {
        tweet["referenced_tweets"] = Value::Array(referenced);
    }
    tweet
}

fn radix36(mut n: u64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut out = Vec::new();
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

async fn stats_report(State(shared): State<Arc<Shared>>) -> Response {
    let mut body = serde_json::to_value(*lock(&shared.stats)).unwrap_or_default();
    body["post_clock"] = json!(shared.post_clock.load(Ordering::SeqCst));
    Json(body).into_response()
}

/// `POST /_fake/advance?seconds=N`: publishes the next N seconds of posts.
async fn advance_clock(
    State(shared): State<Arc<Shared>>,
    QueryParams(params): QueryParams<HashMap<String, String>>,
) -> Response {
    let seconds: i64 = params
        .get("seconds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let clock = shared.post_clock.fetch_add(seconds, Ordering::SeqCst) + seconds;
    Json(json!({"post_clock": clock})).into_response()
}

/// `POST /_fake/faults?apify=failed,429&x=429`: faults for the next calls, in order.
async fn script_faults(
    State(shared): State<Arc<Shared>>,
    QueryParams(params): QueryParams<HashMap<String, String>>,
) -> Response {
    let mut apify = Vec::new();
    let mut x = Vec::new();
    for part in params
        .get("apify")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.is_empty())
    {
        match part.parse::<ApifyFault>() {
            Ok(f) => apify.push(f),
            Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
        }
    }
    for part in params
        .get("x")
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .filter(|p| !p.is_empty())
    {
        match part.parse::<XFault>() {
            Ok(f) => x.push(f),
            Err(e) => return (StatusCode::BAD_REQUEST, e).into_response(),
        }
    }
    lock(&shared.apify_faults).extend(apify);
    lock(&shared.x_faults).extend(x);
    StatusCode::NO_CONTENT.into_response()
}
