//! The axum server: routing, authentication, quotas, faults and answers.

use std::collections::{HashMap, VecDeque};
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::billing::{BilledCall, BillingTotals, Endpoint, FakeStats};
use crate::catalog::{self, ModelSpec, MODELS};
use crate::config::{BatchFault, FakeConfig, Fault, RandomFaults};

#[path = "batch_jobs.rs"]
mod batch_jobs;
use crate::embed::{embed, DEFAULT_DIMENSIONS};
use crate::quota::{Demand, QuotaBook, QuotaKind};
use crate::schema::{conforming_value, enum_values, spoil, Imperfections};
use crate::text::{mix, stable_hash, text_between, token_count, SplitMix64};
use crate::thinking::thinking_spend;
use crate::wire::{self, Content, GenerateRequest, UsageCounts};

/// Most requests `batchEmbedContents` takes.
const MAX_EMBED_REQUESTS: usize = 100;
/// Models list page size when the caller sends none (the real default).
const DEFAULT_PAGE_SIZE: usize = 50;
/// Thinking tokens a [`Fault::MaxTokens`] reports when the request sets no output limit.
const FALLBACK_THINKING_LIMIT: u64 = 1024;
/// `quotaValue` of an injected per-minute 429 when no RPM is configured: 2.5 Flash's free RPM
/// after the December 2025 cut.
const UNCONFIGURED_RPM_VALUE: u64 = 5;
/// `quotaValue` of an injected per-day 429 when no RPD is configured: 2.5 Flash's free RPD
/// after the December 2025 cut.
const UNCONFIGURED_RPD_VALUE: u64 = 20;
/// Smallest prompt implicit caching applies to (2.5 Flash's minimum in Google's caching guide).
const MIN_CACHED_PROMPT_TOKENS: u64 = 1024;
/// Salts keep the jitter and fault streams independent of each other.
const FAULT_SALT: u64 = 0x6661_756c_7473;
const JITTER_SALT: u64 = 0x6a69_7474_6572;
const IMPERFECTION_SALT: u64 = 0x0066_6c61_7773;

/// Entry point: `FakeGemini::start(config)`.
pub struct FakeGemini;

impl FakeGemini {
    /// Binds 127.0.0.1:`config.port` and serves in the background until
    /// [`FakeServer::shutdown`] or drop.
    pub async fn start(config: FakeConfig) -> io::Result<FakeServer> {
        let listener =
            tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, config.port)))
                .await?;
        let addr = listener.local_addr()?;
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let config_batch_faults: VecDeque<BatchFault> =
            config.batch_faults.iter().copied().collect();
        let shared = Arc::new(Shared {
            faults: Mutex::new(FaultPlan {
                scripted: config.scripted_faults.iter().copied().collect(),
                random: config.random_faults.clone(),
            }),
            config,
            quotas: Mutex::new(QuotaBook::default()),
            billing: Mutex::new(Vec::new()),
            counters: Counters::default(),
            sequence: AtomicU64::new(0),
            shutdown: shutdown_rx.clone(),
            batches: Mutex::new(Vec::new()),
            batch_faults: Mutex::new(config_batch_faults),
        });
        let app = router(Arc::clone(&shared));
        let mut stop = shutdown_rx;
        let task = tokio::spawn(async move {
            let stopped = async move {
                // Either a `true` or the sender being dropped ends the server.
                let _ = stop.wait_for(|stopped| *stopped).await;
            };
            // An accept-loop error ends the server; tests then fail on connection errors.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(stopped)
                .await;
        });
        Ok(FakeServer {
            addr,
            shared,
            shutdown_tx,
            task: Some(task),
        })
    }
}

/// A running fake. Dropping it stops the server (in the background).
pub struct FakeServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown_tx: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
}

impl FakeServer {
    /// `http://127.0.0.1:PORT`, to use as the client's base URL.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first accepted key, for convenience.
    pub fn api_key(&self) -> &str {
        self.shared
            .config
            .api_keys
            .first()
            .map_or("", String::as_str)
    }

    /// Every billed call so far, in the order they were answered.
    pub fn billing(&self) -> Vec<BilledCall> {
        lock(&self.shared.billing).clone()
    }

    pub fn billing_totals(&self) -> BillingTotals {
        BillingTotals::of(&lock(&self.shared.billing))
    }

    /// Requests received under `/v1beta` (answered or not).
    pub fn request_count(&self) -> u64 {
        self.shared.counters.requests.load(Ordering::Relaxed)
    }

    pub fn stats(&self) -> FakeStats {
        self.shared.counters.snapshot()
    }

    /// Replaces the scripted faults: the next `generateContent` calls get these, in order.
    pub fn set_faults(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.shared.faults).scripted = faults.into_iter().collect();
    }

    /// Appends one scripted fault.
    pub fn push_fault(&self, fault: Fault) {
        lock(&self.shared.faults).scripted.push_back(fault);
    }

    /// Scripts what the next batch job created will do.
    pub fn push_batch_fault(&self, fault: BatchFault) {
        lock(&self.shared.batch_faults).push_back(fault);
    }

    /// Replaces the random fault rate and mix.
    pub fn set_random_faults(&self, random: RandomFaults) {
        lock(&self.shared.faults).random = random;
    }

    /// Stops accepting connections, ends hanging requests and waits for the server to exit.
    pub async fn shutdown(mut self) {
        let _ = self.shutdown_tx.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        let _ = self.shutdown_tx.send(true);
    }
}

#[derive(Debug, Default)]
struct Counters {
    requests: AtomicU64,
    generate_requests: AtomicU64,
    embed_requests: AtomicU64,
    count_tokens_requests: AtomicU64,
    quota_rejections: AtomicU64,
    faults_injected: AtomicU64,
    hangs: AtomicU64,
    batch_jobs: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> FakeStats {
        let read = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        FakeStats {
            requests: read(&self.requests),
            generate_requests: read(&self.generate_requests),
            embed_requests: read(&self.embed_requests),
            count_tokens_requests: read(&self.count_tokens_requests),
            quota_rejections: read(&self.quota_rejections),
            faults_injected: read(&self.faults_injected),
            hangs: read(&self.hangs),
            batch_jobs: read(&self.batch_jobs),
        }
    }
}

struct FaultPlan {
    scripted: VecDeque<Fault>,
    random: RandomFaults,
}

struct Shared {
    config: FakeConfig,
    quotas: Mutex<QuotaBook>,
    faults: Mutex<FaultPlan>,
    billing: Mutex<Vec<BilledCall>>,
    counters: Counters,
    /// Numbers model calls so jitter and random faults are reproducible per arrival order.
    sequence: AtomicU64,
    shutdown: watch::Receiver<bool>,
    batches: Mutex<Vec<batch_jobs::FakeBatch>>,
    /// What the next batch jobs will do (one per job created, in order).
    batch_faults: Mutex<VecDeque<BatchFault>>,
}

/// Locks, ignoring poisoning: a panicked handler must not take the fake down with it.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn respond(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

/// An error answer decided before the handler's main work; small enough to pass around in a
/// `Result`, unlike a built [`Response`].
struct Rejection {
    status: StatusCode,
    body: Value,
}

impl Rejection {
    fn new(status: StatusCode, body: Value) -> Self {
        Self { status, body }
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        respond(self.status, self.body)
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/v1beta/models", get(list_models))
        .route("/v1beta/models/{*rest}", get(get_model).post(model_method))
        .route("/v1beta/batches", get(batch_jobs::list))
        .route(
            "/v1beta/batches/{*rest}",
            get(batch_jobs::get_one).post(batch_jobs::cancel),
        )
        .route("/download/v1beta/files/{*rest}", get(batch_jobs::download))
        .route("/_fake/billing", get(billing_report))
        .route("/_fake/stats", get(stats_report))
        .route("/_fake/faults", axum::routing::post(script_faults))
        .fallback(|| async {
            respond(
                StatusCode::NOT_FOUND,
                wire::error_body(
                    404,
                    "NOT_FOUND",
                    "Requested entity was not found.",
                    Vec::new(),
                ),
            )
        })
        .with_state(shared)
}

type Params = Query<HashMap<String, String>>;

impl Shared {
    /// The caller's key, or the error response Google sends for a missing or bad key.
    fn authenticate(
        &self,
        headers: &HeaderMap,
        params: &HashMap<String, String>,
    ) -> Result<String, Rejection> {
        let key = headers
            .get("x-goog-api-key")
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
            .or_else(|| params.get("key").cloned())
            .filter(|key| !key.trim().is_empty());
        let Some(key) = key else {
            return Err(Rejection::new(
                StatusCode::FORBIDDEN,
                wire::missing_key_body(),
            ));
        };
        if self.config.disabled_keys.contains(&key) {
            return Err(Rejection::new(
                StatusCode::FORBIDDEN,
                wire::disabled_key_body(),
            ));
        }
        if !self.config.api_keys.contains(&key) {
            return Err(Rejection::new(
                StatusCode::BAD_REQUEST,
                wire::invalid_key_body(),
            ));
        }
        Ok(key)
    }

    /// Charges `demand` against the quota of (`key`, `model`).
    fn admit(
        &self,
        key: &str,
        model: &str,
        demand: Demand,
        embedding: bool,
    ) -> Result<(), Rejection> {
        let limits = self.config.limits_for(model);
        let windows = (self.config.minute(), self.config.day());
        let admitted =
            lock(&self.quotas).admit(key, model, demand, limits, Instant::now(), windows);
        admitted.map_err(|violations| {
            Counters::bump(&self.counters.quota_rejections);
            Rejection::new(
                StatusCode::TOO_MANY_REQUESTS,
                wire::quota_body(&violations, model, embedding, self.config.quota_error_style),
            )
        })
    }

    /// The scripted fault if any, else maybe a random one.
    fn next_fault(&self, sequence: u64) -> Option<Fault> {
        let mut plan = lock(&self.faults);
        let fault = plan.scripted.pop_front().or_else(|| {
            let random = &plan.random;
            let total: u64 = random
                .mix
                .iter()
                .map(|(_, weight)| u64::from(*weight))
                .sum();
            if random.rate <= 0.0 || total == 0 {
                return None;
            }
            let mut rng = SplitMix64::new(mix(self.config.seed ^ FAULT_SALT, sequence));
            if rng.unit() >= random.rate {
                return None;
            }
            let mut ticket = rng.below(total);
            random.mix.iter().find_map(|(fault, weight)| {
                let weight = u64::from(*weight);
                if ticket < weight {
                    Some(*fault)
                } else {
                    ticket -= weight;
                    None
                }
            })
        });
        if fault.is_some() {
            Counters::bump(&self.counters.faults_injected);
        }
        fault
    }

    /// Sleeps `duration` unless the server shuts down first; returns false on shutdown.
    async fn pause(&self, duration: Duration) -> bool {
        if duration.is_zero() {
            return true;
        }
        let mut shutdown = self.shutdown.clone();
        tokio::select! {
            () = tokio::time::sleep(duration) => true,
            _ = shutdown.wait_for(|stopped| *stopped) => false,
        }
    }

    /// Configured latency plus seeded jitter.
    fn latency(&self, sequence: u64) -> Duration {
        let jitter = self.config.latency_jitter;
        if jitter.is_zero() {
            return self.config.latency;
        }
        let mut rng = SplitMix64::new(mix(self.config.seed ^ JITTER_SALT, sequence));
        self.config.latency + jitter.mul_f64(rng.unit())
    }

    fn bill(&self, call: BilledCall) {
        lock(&self.billing).push(call);
    }
}

async fn list_models(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    Counters::bump(&shared.counters.requests);
    if let Err(rejection) = shared.authenticate(&headers, &params) {
        return rejection.into_response();
    }
    let page_size = match params.get("pageSize").map(|size| size.parse::<usize>()) {
        None | Some(Ok(0)) => DEFAULT_PAGE_SIZE,
        Some(Ok(size)) => size,
        Some(Err(_)) => {
            return respond(
                StatusCode::BAD_REQUEST,
                wire::bad_request_body("Invalid value for pageSize."),
            )
        }
    }
    .min(shared.config.max_page_size.max(1));
    let offset = match params.get("pageToken").filter(|token| !token.is_empty()) {
        None => 0,
        Some(token) => match token
            .strip_prefix("fake-page-")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(offset) if offset < MODELS.len() => offset,
            _ => {
                return respond(
                    StatusCode::BAD_REQUEST,
                    wire::bad_request_body("Invalid page token."),
                )
            }
        },
    };
    let end = (offset + page_size).min(MODELS.len());
    let mut body = json!({
        "models": MODELS[offset..end].iter().map(ModelSpec::resource).collect::<Vec<_>>()
    });
    if end < MODELS.len() {
        body["nextPageToken"] = json!(format!("fake-page-{end}"));
    }
    respond(StatusCode::OK, body)
}

async fn get_model(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    Counters::bump(&shared.counters.requests);
    if let Err(rejection) = shared.authenticate(&headers, &params) {
        return rejection.into_response();
    }
    match catalog::find(&rest) {
        Some(model) => respond(StatusCode::OK, model.resource()),
        None => respond(
            StatusCode::NOT_FOUND,
            wire::error_body(
                404,
                "NOT_FOUND",
                &format!("models/{rest} is not found for API version v1beta."),
                Vec::new(),
            ),
        ),
    }
}

/// `POST /v1beta/models/{model}:{method}`. axum cannot route on the colon, so the wildcard
/// tail is split here.
async fn model_method(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    Query(params): Params,
    body: Bytes,
) -> Response {
    Counters::bump(&shared.counters.requests);
    let key = match shared.authenticate(&headers, &params) {
        Ok(key) => key,
        Err(rejection) => return rejection.into_response(),
    };
    let Some((model_id, method)) = rest.split_once(':') else {
        return respond(
            StatusCode::NOT_FOUND,
            wire::error_body(
                404,
                "NOT_FOUND",
                "Requested entity was not found.",
                Vec::new(),
            ),
        );
    };
    let required_method = match method {
        "generateContent" => "generateContent",
        "countTokens" => "countTokens",
        "batchEmbedContents" => "embedContent",
        "batchGenerateContent" => "batchGenerateContent",
        _ => {
            return respond(
                StatusCode::NOT_FOUND,
                wire::error_body(
                    404,
                    "NOT_FOUND",
                    &format!("Method {method} is not found."),
                    Vec::new(),
                ),
            )
        }
    };
    let Some(model) = catalog::find(model_id).filter(|model| model.supports(required_method))
    else {
        return respond(
            StatusCode::NOT_FOUND,
            wire::model_not_found_body(model_id, method),
        );
    };
    // An alias answers, counts quota and bills as the model it stands for.
    let model = model.target();
    match method {
        "generateContent" => generate_content(&shared, &key, model, &body).await,
        "countTokens" => count_tokens(&shared, &body),
        "batchGenerateContent" => batch_jobs::create(&shared, model, &body),
        _ => batch_embed_contents(&shared, &key, model, &body).await,
    }
}

/// Parses a JSON body into `T`, answering 400 the way Google does for malformed payloads.
fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Rejection> {
    serde_json::from_slice(body).map_err(|error| {
        Rejection::new(
            StatusCode::BAD_REQUEST,
            wire::bad_request_body(&format!("Invalid JSON payload received. {error}")),
        )
    })
}

fn prompt_tokens<'a>(texts: impl Iterator<Item = &'a str>) -> u64 {
    let chars: usize = texts.map(|text| text.chars().count()).sum();
    (chars as u64).div_ceil(4)
}

/// Tokens of one content on its own (its parts' characters together, by the usual rule).
fn content_tokens(content: &Content) -> u64 {
    prompt_tokens(content.texts())
}

/// Checks the parts of a generate request the real API rejects.
fn validate_generate(request: &GenerateRequest) -> Result<(), String> {
    if request.contents.is_empty() {
        return Err("* GenerateContentRequest.contents: contents is not specified".to_owned());
    }
    if request
        .contents
        .iter()
        .any(|content| content.parts.is_empty())
    {
        return Err(
            "* GenerateContentRequest.contents[].parts: contents.parts must not be empty."
                .to_owned(),
        );
    }
    let config = request.config();
    if config.response_schema.is_some() && config.response_json_schema.is_some() {
        return Err("responseSchema and responseJsonSchema cannot both be set.".to_owned());
    }
    let mime = config.response_mime_type.as_deref().unwrap_or("text/plain");
    if !matches!(mime, "text/plain" | "application/json" | "text/x.enum") {
        return Err(format!(
            "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are \
             `text/plain`, `application/json`, and `text/x.enum`, but got {mime}."
        ));
    }
    let has_schema = config.response_schema.is_some() || config.response_json_schema.is_some();
    if has_schema && mime == "text/plain" {
        return Err(
            "* GenerateContentRequest.generation_config.response_mime_type: must be \
                    application/json or text/x.enum when a response schema is set."
                .to_owned(),
        );
    }
    if let Some(temperature) = config.temperature {
        if !(0.0..=2.0).contains(&temperature) {
            return Err(format!("* GenerateContentRequest.generation_config.temperature: {temperature} is out of range [0, 2]."));
        }
    }
    Ok(())
}

/// Prompt tokens reported as served from the implicit cache: `share` of the prompt, once the
/// prompt reaches the smallest cacheable size.
fn implicitly_cached(prompt: u64, model: &ModelSpec, share: f64) -> u64 {
    if !model.caches_implicitly() || prompt < MIN_CACHED_PROMPT_TOKENS || share.is_nan() {
        return 0;
    }
    // Truncation is fine here: a fraction of a cached token is not cached.
    ((prompt as f64) * share.clamp(0.0, 1.0)).floor() as u64
}

/// The answer text for one candidate, honouring the requested MIME type and schema.
fn answer_text(request: &GenerateRequest, seed: u64, imperfections: &Imperfections) -> String {
    let config = request.config();
    let schema = config
        .response_json_schema
        .as_ref()
        .or(config.response_schema.as_ref());
    match (config.response_mime_type.as_deref(), schema) {
        (Some("application/json"), Some(schema)) => {
            let mut value = conforming_value(schema, seed);
            spoil(schema, &mut value, imperfections);
            value.to_string()
        }
        (Some("application/json"), None) => Value::String(text_between(seed, 60, 180)).to_string(),
        (Some("text/x.enum"), Some(schema)) => match enum_values(schema) {
            Some(values) => match &values[(seed % values.len() as u64) as usize] {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            },
            None => text_between(seed, 60, 180),
        },
        _ => text_between(seed, 60, 360),
    }
}

/// A candidate's answer after applying `maxOutputTokens`: thinking counts against it, so a
/// large thinking spend can leave no room for text at all (the 2.5 "empty answer" gotcha).
struct Candidate {
    text: Option<String>,
    finish_reason: &'static str,
    output_tokens: u64,
}

fn limit_output(text: String, thinking: u64, max_output: Option<u64>) -> Candidate {
    let tokens = token_count(&text);
    match max_output {
        Some(max) if thinking >= max => Candidate {
            text: None,
            finish_reason: "MAX_TOKENS",
            output_tokens: 0,
        },
        Some(max) if thinking + tokens > max => {
            let room = ((max - thinking) * 4) as usize;
            let cut: String = text.chars().take(room).collect();
            Candidate {
                output_tokens: token_count(&cut),
                text: Some(cut),
                finish_reason: "MAX_TOKENS",
            }
        }
        _ => Candidate {
            output_tokens: tokens,
            text: Some(text),
            finish_reason: "STOP",
        },
    }
}

fn candidate_json(index: usize, candidate: &Candidate) -> Value {
    let mut content = json!({"role": "model"});
    if let Some(text) = &candidate.text {
        content["parts"] = json!([{ "text": text }]);
    }
    json!({"content": content, "finishReason": candidate.finish_reason, "index": index})
}

async fn generate_content(shared: &Shared, key: &str, model: &ModelSpec, body: &[u8]) -> Response {
    Counters::bump(&shared.counters.generate_requests);
    let request: GenerateRequest = match parse_body(body) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    if let Err(message) = validate_generate(&request) {
        return respond(StatusCode::BAD_REQUEST, wire::bad_request_body(&message));
    }
    let thinking = match thinking_spend(
        model,
        request.config().thinking_config.as_ref(),
        shared.config.thinking_tokens,
    ) {
        Ok(thinking) => thinking,
        Err(message) => return respond(StatusCode::BAD_REQUEST, wire::bad_request_body(&message)),
    };
    let prompt = prompt_tokens(request.texts());
    if let Err(rejection) = shared.admit(
        key,
        model.id,
        Demand {
            requests: 1,
            tokens: prompt,
        },
        false,
    ) {
        return rejection.into_response();
    }
    let sequence = shared.sequence.fetch_add(1, Ordering::Relaxed);
    let fault = shared.next_fault(sequence);
    if !shared.pause(shared.latency(sequence)).await {
        return respond(StatusCode::SERVICE_UNAVAILABLE, wire::overloaded_body());
    }

    let config = request.config();
    let AnswerSeeds {
        text_seed,
        imperfections,
        response_id,
    } = answer_seeds(shared, &request, sequence);
    let envelope = |candidates: Option<Vec<Value>>, usage: UsageCounts| {
        envelope_json(model, &response_id, candidates, usage)
    };
    let mut usage = UsageCounts {
        prompt,
        cached: implicitly_cached(prompt, model, shared.config.cached_prompt_share),
        output: 0,
        thinking: 0,
    };

    let body = match fault {
        Some(Fault::Hang) => {
            Counters::bump(&shared.counters.hangs);
            // The client normally gives up first; the bound lets the server shut down.
            shared.pause(shared.config.hang_limit).await;
            return respond(StatusCode::GATEWAY_TIMEOUT, wire::deadline_body());
        }
        Some(Fault::Http503) => {
            return respond(StatusCode::SERVICE_UNAVAILABLE, wire::overloaded_body())
        }
        Some(Fault::Http500) => {
            return respond(StatusCode::INTERNAL_SERVER_ERROR, wire::internal_body())
        }
        Some(Fault::Http429) => {
            let limit = shared.config.limits_for(model.id).rpm;
            return respond(
                StatusCode::TOO_MANY_REQUESTS,
                wire::injected_quota_body(
                    model.id,
                    QuotaKind::RequestsPerMinute,
                    limit.map_or(UNCONFIGURED_RPM_VALUE, u64::from),
                    shared.config.fault_retry_delay,
                    shared.config.quota_error_style,
                ),
            );
        }
        Some(Fault::Http429Daily) => {
            let limit = shared.config.limits_for(model.id).rpd;
            // The day is used up whatever the counts say, so the honest wait is a whole day.
            return respond(
                StatusCode::TOO_MANY_REQUESTS,
                wire::injected_quota_body(
                    model.id,
                    QuotaKind::RequestsPerDay,
                    limit.map_or(UNCONFIGURED_RPD_VALUE, u64::from),
                    shared.config.day(),
                    shared.config.quota_error_style,
                ),
            );
        }
        Some(Fault::Http429Bare) => {
            return respond(StatusCode::TOO_MANY_REQUESTS, wire::bare_quota_body())
        }
        Some(Fault::BillingRequired) => {
            return respond(StatusCode::BAD_REQUEST, wire::billing_required_body())
        }
        Some(Fault::RegionUnsupported) => {
            return respond(StatusCode::BAD_REQUEST, wire::region_unsupported_body())
        }
        Some(Fault::OutOfCredit) => {
            return respond(StatusCode::PAYMENT_REQUIRED, wire::out_of_credit_body())
        }
        Some(Fault::MaxTokens) => {
            usage.thinking = config
                .max_output_tokens
                .unwrap_or(shared.config.thinking_tokens.max(FALLBACK_THINKING_LIMIT))
                .max(1);
            let truncated = Candidate {
                text: None,
                finish_reason: "MAX_TOKENS",
                output_tokens: 0,
            };
            envelope(Some(vec![candidate_json(0, &truncated)]), usage)
        }
        Some(Fault::Safety) => {
            let mut body = envelope(None, usage);
            body["promptFeedback"] = json!({
                "blockReason": "SAFETY",
                "safetyRatings": [
                    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH"},
                    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"},
                    {"category": "HARM_CATEGORY_SEXUALLY_EXPLICIT", "probability": "NEGLIGIBLE"},
                    {"category": "HARM_CATEGORY_DANGEROUS_CONTENT", "probability": "NEGLIGIBLE"}
                ]
            });
            body
        }
        Some(Fault::Recitation) => {
            // The text was generated (and is billed) but withheld.
            usage.output = token_count(&answer_text(&request, text_seed, &imperfections));
            usage.thinking = thinking;
            let withheld = json!({"finishReason": "RECITATION", "index": 0,
                "citationMetadata": {"citationSources": [{"startIndex": 0, "endIndex": 40,
                    "uri": "https://example.com/source"}]}});
            envelope(Some(vec![withheld]), usage)
        }
        Some(Fault::InvalidJson) => {
            let full = answer_text(&request, text_seed, &imperfections);
            let half = full.chars().count() / 2;
            let mut cut: String = full.chars().take(half.max(1)).collect();
            if serde_json::from_str::<Value>(&cut).is_ok() {
                cut.push_str(", \"");
            }
            usage.output = token_count(&cut);
            usage.thinking = thinking;
            let candidate = Candidate {
                text: Some(cut),
                finish_reason: "STOP",
                output_tokens: usage.output,
            };
            envelope(Some(vec![candidate_json(0, &candidate)]), usage)
        }
        None => {
            let (body, answered) = normal_answer(shared, model, &request, thinking, sequence);
            usage = answered;
            body
        }
    };
    shared.bill(BilledCall {
        model: model.id.to_owned(),
        endpoint: Endpoint::GenerateContent,
        prompt_tokens: usage.prompt,
        cached_tokens: usage.cached,
        output_tokens: usage.output,
        thinking_tokens: usage.thinking,
    });
    respond(StatusCode::OK, body)
}

/// Seeds of one answer: they depend on the request only, so identical requests get identical
/// answers.
struct AnswerSeeds {
    text_seed: u64,
    imperfections: Imperfections,
    response_id: String,
}

fn answer_seeds(shared: &Shared, request: &GenerateRequest, sequence: u64) -> AnswerSeeds {
    let config = request.config();
    let joined: Vec<&str> = request.texts().collect();
    let text_seed = mix(
        stable_hash(joined.join("\n").as_bytes()),
        config.seed.unwrap_or(0) as u64,
    );
    // Decided per request text and post id (not per generationConfig.seed or candidate), so
    // a retry of the same request is spoiled the same way, as a model's blind spots are.
    let imperfections = Imperfections {
        omit_rate: shared.config.omit_rate,
        empty_draft_rate: shared.config.empty_draft_rate,
        generic_opener_rate: shared.config.generic_opener_rate,
        seed: mix(
            stable_hash(joined.join("\n").as_bytes()),
            shared.config.seed ^ IMPERFECTION_SALT,
        ),
    };
    AnswerSeeds {
        response_id: format!("fake-{:016x}", mix(text_seed, sequence)),
        text_seed,
        imperfections,
    }
}

fn envelope_json(
    model: &ModelSpec,
    response_id: &str,
    candidates: Option<Vec<Value>>,
    usage: UsageCounts,
) -> Value {
    let mut body = json!({
        "usageMetadata": usage.to_json(),
        "modelVersion": model.id,
        "responseId": response_id,
    });
    if let Some(candidates) = candidates {
        body["candidates"] = Value::Array(candidates);
    }
    body
}

/// A well-behaved answer to a valid request (imperfections aside), and its usage.
fn normal_answer(
    shared: &Shared,
    model: &ModelSpec,
    request: &GenerateRequest,
    thinking: u64,
    sequence: u64,
) -> (Value, UsageCounts) {
    let config = request.config();
    let seeds = answer_seeds(shared, request, sequence);
    let prompt = prompt_tokens(request.texts());
    let mut usage = UsageCounts {
        prompt,
        cached: implicitly_cached(prompt, model, shared.config.cached_prompt_share),
        output: 0,
        thinking: 0,
    };
    let count = config.candidate_count.unwrap_or(1).clamp(1, 8) as usize;
    let candidates: Vec<Candidate> = (0..count)
        .map(|index| {
            let text = answer_text(
                request,
                mix(seeds.text_seed, index as u64),
                &seeds.imperfections,
            );
            limit_output(text, thinking, config.max_output_tokens)
        })
        .collect();
    usage.output = candidates
        .iter()
        .map(|candidate| candidate.output_tokens)
        .sum();
    usage.thinking = thinking.min(config.max_output_tokens.unwrap_or(u64::MAX));
    let json = candidates
        .iter()
        .enumerate()
        .map(|(index, candidate)| candidate_json(index, candidate))
        .collect();
    (
        envelope_json(model, &seeds.response_id, Some(json), usage),
        usage,
    )
}

fn count_tokens(shared: &Shared, body: &[u8]) -> Response {
    Counters::bump(&shared.counters.count_tokens_requests);
    let request: wire::CountTokensRequest = match parse_body(body) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    let total = match (&request.contents, &request.generate_content_request) {
        // Each content counted on its own, then summed: the same per-text rule
        // batchEmbedContents bills by, so one countTokens call with one content per text
        // gives an embed batch's billed tokens exactly.
        (Some(contents), None) => contents.iter().map(content_tokens).sum(),
        (None, Some(inner)) => prompt_tokens(inner.texts()),
        _ => {
            return respond(
                StatusCode::BAD_REQUEST,
                wire::bad_request_body(
                    "Exactly one of contents or generateContentRequest must be set.",
                ),
            )
        }
    };
    respond(
        StatusCode::OK,
        json!({"totalTokens": total, "promptTokensDetails": [{"modality": "TEXT", "tokenCount": total}]}),
    )
}

async fn batch_embed_contents(
    shared: &Shared,
    key: &str,
    model: &ModelSpec,
    body: &[u8],
) -> Response {
    Counters::bump(&shared.counters.embed_requests);
    let request: wire::BatchEmbedRequest = match parse_body(body) {
        Ok(request) => request,
        Err(rejection) => return rejection.into_response(),
    };
    let bad = |message: String| respond(StatusCode::BAD_REQUEST, wire::bad_request_body(&message));
    if request.requests.is_empty() {
        return bad("* BatchEmbedContentsRequest.requests: requests is not specified".to_owned());
    }
    if request.requests.len() > MAX_EMBED_REQUESTS {
        return bad(format!(
            "* BatchEmbedContentsRequest.requests: at most {MAX_EMBED_REQUESTS} requests can be in one batch."
        ));
    }
    let mut dimensions = Vec::with_capacity(request.requests.len());
    for (index, item) in request.requests.iter().enumerate() {
        let item_model = item.model.strip_prefix("models/").unwrap_or(&item.model);
        if item_model != model.id {
            return bad(format!(
                "Model name in request {index} ({}) must match the model in the URL (models/{}).",
                item.model, model.id
            ));
        }
        let size = match item.output_dimensionality {
            None => DEFAULT_DIMENSIONS,
            Some(size) if (1..=DEFAULT_DIMENSIONS as i64).contains(&size) => size as usize,
            Some(size) => {
                return bad(format!(
                    "outputDimensionality must be between 1 and {DEFAULT_DIMENSIONS}, got {size}."
                ))
            }
        };
        dimensions.push(size);
    }
    // Billed per text, each counted with the usual rule (as countTokens counts each content).
    let texts: Vec<String> = request
        .requests
        .iter()
        .map(|item| item.content.texts().collect::<Vec<_>>().join(" "))
        .collect();
    let prompt: u64 = request
        .requests
        .iter()
        .map(|item| content_tokens(&item.content))
        .sum();
    // Google counts every item of a batch as one request against RPM and RPD, so a batch of
    // 100 can never pass a 15-RPM quota.
    let demand = Demand {
        requests: request.requests.len() as u64,
        tokens: prompt,
    };
    if let Err(rejection) = shared.admit(key, model.id, demand, true) {
        return rejection.into_response();
    }
    let sequence = shared.sequence.fetch_add(1, Ordering::Relaxed);
    if !shared.pause(shared.latency(sequence)).await {
        return respond(StatusCode::SERVICE_UNAVAILABLE, wire::overloaded_body());
    }
    let embeddings: Vec<Value> = texts
        .iter()
        .zip(dimensions)
        .map(|(text, size)| json!({ "values": embed(text, size) }))
        .collect();
    shared.bill(BilledCall {
        model: model.id.to_owned(),
        endpoint: Endpoint::BatchEmbedContents,
        prompt_tokens: prompt,
        cached_tokens: 0,
        output_tokens: 0,
        thinking_tokens: 0,
    });
    // Like the real Developer API, the response carries no usageMetadata.
    respond(StatusCode::OK, json!({ "embeddings": embeddings }))
}

async fn billing_report(State(shared): State<Arc<Shared>>) -> Response {
    let calls = lock(&shared.billing).clone();
    respond(
        StatusCode::OK,
        json!({"totals": BillingTotals::of(&calls), "calls": calls}),
    )
}

/// `POST /_fake/faults {"faults": ["429-daily", …]}`: scripts faults for the next
/// `generateContent` calls, so a test driving another process (the E2E's app) can make the
/// provider turn harsh mid-way.
async fn script_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let names: Vec<String> = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| serde_json::from_value(v["faults"].clone()).ok())
        .unwrap_or_default();
    let faults: Result<Vec<Fault>, String> = names.iter().map(|n| n.parse()).collect();
    match faults {
        Ok(faults) => {
            lock(&shared.faults).scripted.extend(faults.iter().copied());
            respond(StatusCode::OK, json!({ "scripted": faults.len() }))
        }
        Err(message) => respond(
            StatusCode::BAD_REQUEST,
            wire::error_body(400, "INVALID_ARGUMENT", &message, Vec::new()),
        ),
    }
}

async fn stats_report(State(shared): State<Arc<Shared>>) -> Response {
    respond(StatusCode::OK, json!(shared.counters.snapshot()))
}
