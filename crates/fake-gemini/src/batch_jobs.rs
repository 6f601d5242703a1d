//! Batch jobs (`models/{model}:batchGenerateContent`, `batches/...`) with Google's shapes:
//! an Operation wrapping a `GenerateContentBatch`, `BATCH_STATE_*` states, string counts,
//! answers inline (`inlinedResponses.inlinedResponses[]` with `metadata.key`) or in a
//! responses file (`GET /download/v1beta/files/...:download?alt=media`, one JSON line each),
//! per-request errors as `google.rpc.Status`, and jobs that fail or expire.
//!
//! A job's state follows from the time since it was created: pending for
//! [`FakeConfig::batch_pending`], running for [`FakeConfig::batch_running`], then final. The
//! answers are made (and billed, once) when the job is first seen final.

use super::*;

use crate::config::BatchFault;

/// One job as the fake keeps it.
pub(super) struct FakeBatch {
    name: String,
    display_name: String,
    model: &'static ModelSpec,
    created: Instant,
    create_time: String,
    requests: Vec<(Option<String>, Value)>,
    fault: Option<BatchFault>,
    cancelled: bool,
    /// The answers, made when the job is first seen final.
    answers: Option<Vec<Value>>,
}

impl FakeBatch {
    fn state(&self, config: &FakeConfig) -> &'static str {
        let elapsed = self.created.elapsed();
        let ends = config.batch_pending + config.batch_running;
        if self.cancelled {
            return "BATCH_STATE_CANCELLED";
        }
        if elapsed < config.batch_pending {
            return "BATCH_STATE_PENDING";
        }
        if elapsed < ends {
            return "BATCH_STATE_RUNNING";
        }
        match self.fault {
            Some(BatchFault::Expire) => "BATCH_STATE_EXPIRED",
            Some(BatchFault::Fail) => "BATCH_STATE_FAILED",
            _ => "BATCH_STATE_SUCCEEDED",
        }
    }
}

fn timestamp(seconds_ago: f64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
        - seconds_ago;
    let secs = now.max(0.0) as i64;
    // RFC 3339 in UTC without pulling in a date crate: days from the civil calendar.
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn not_found() -> Response {
    respond(
        StatusCode::NOT_FOUND,
        wire::error_body(
            404,
            "NOT_FOUND",
            "Requested entity was not found.",
            Vec::new(),
        ),
    )
}

/// `POST models/{model}:batchGenerateContent`.
pub(super) fn create(shared: &Shared, model: &'static ModelSpec, body: &[u8]) -> Response {
    Counters::bump(&shared.counters.batch_jobs);
    if body.len() >= shared.config.batch_inline_limit_bytes {
        return respond(
            StatusCode::BAD_REQUEST,
            wire::bad_request_body(&format!(
                "Request payload size exceeds the limit: {} bytes.",
                shared.config.batch_inline_limit_bytes
            )),
        );
    }
    let value: Value = match parse_body(body) {
        Ok(value) => value,
        Err(rejection) => return rejection.into_response(),
    };
    let batch = value.get("batch").unwrap_or(&value);
    let Some(list) = batch
        .pointer("/inputConfig/requests/requests")
        .and_then(Value::as_array)
    else {
        return respond(
            StatusCode::BAD_REQUEST,
            wire::bad_request_body(
                "* BatchGenerateContentRequest.batch.input_config: input_config is not specified",
            ),
        );
    };
    if list.is_empty() {
        return respond(
            StatusCode::BAD_REQUEST,
            wire::bad_request_body("* BatchGenerateContentRequest.batch.input_config.requests: requests must not be empty"),
        );
    }
    // Every request must be a valid generate request, as Google checks them on creation.
    let mut requests = Vec::with_capacity(list.len());
    for (index, item) in list.iter().enumerate() {
        let Some(request) = item.get("request") else {
            return respond(
                StatusCode::BAD_REQUEST,
                wire::bad_request_body(&format!("* requests[{index}].request is not specified")),
            );
        };
        let parsed: GenerateRequest = match serde_json::from_value(request.clone()) {
            Ok(parsed) => parsed,
            Err(error) => {
                return respond(
                    StatusCode::BAD_REQUEST,
                    wire::bad_request_body(&format!(
                        "Invalid JSON payload received. requests[{index}]: {error}"
                    )),
                )
            }
        };
        if let Err(message) = validate_generate(&parsed) {
            return respond(StatusCode::BAD_REQUEST, wire::bad_request_body(&message));
        }
        let key = item
            .pointer("/metadata/key")
            .and_then(Value::as_str)
            .map(str::to_owned);
        requests.push((key, request.clone()));
    }
    let sequence = shared.sequence.fetch_add(1, Ordering::Relaxed);
    let name = format!("batches/fake{:012x}", mix(shared.config.seed, sequence));
    let fault = lock(&shared.batch_faults).pop_front();
    let job = FakeBatch {
        name: name.clone(),
        display_name: batch
            .get("displayName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        model,
        created: Instant::now(),
        create_time: timestamp(0.0),
        requests,
        fault,
        cancelled: false,
        answers: None,
    };
    let body = operation(shared, &job);
    let lost = job.fault == Some(BatchFault::LoseCreateAnswer);
    lock(&shared.batches).push(job);
    if lost {
        return respond(StatusCode::SERVICE_UNAVAILABLE, wire::overloaded_body());
    }
    respond(StatusCode::OK, body)
}

/// Makes (and bills) a final job's answers once.
fn settle(shared: &Shared, job: &mut FakeBatch) {
    if job.answers.is_some() || job.state(&shared.config) != "BATCH_STATE_SUCCEEDED" {
        return;
    }
    let every = shared.config.batch_request_error_every;
    let mut answers = Vec::with_capacity(job.requests.len());
    for (index, (key, request)) in job.requests.iter().enumerate() {
        let mut metadata = json!({});
        // A job scripted to drop keys answers in order without them, as some real jobs do.
        if job.fault != Some(BatchFault::DropKeys) {
            if let Some(key) = key {
                metadata["key"] = json!(key);
            }
        }
        let failing = every.is_some_and(|n| n > 0 && (index as u32 + 1) % n == 0);
        let parsed: Option<GenerateRequest> = serde_json::from_value(request.clone()).ok();
        let thinking = parsed.as_ref().map(|request| {
            thinking_spend(
                job.model,
                request.config().thinking_config.as_ref(),
                shared.config.thinking_tokens,
            )
        });
        let answer = match (failing, parsed, thinking) {
            (false, Some(request), Some(Ok(thinking))) => {
                let sequence = shared.sequence.fetch_add(1, Ordering::Relaxed);
                let (response, usage) =
                    normal_answer(shared, job.model, &request, thinking, sequence);
                shared.bill(BilledCall {
                    model: job.model.id.to_owned(),
                    endpoint: Endpoint::BatchGenerateContent,
                    prompt_tokens: usage.prompt,
                    cached_tokens: usage.cached,
                    output_tokens: usage.output,
                    thinking_tokens: usage.thinking,
                });
                json!({"response": response, "metadata": metadata})
            }
            (_, _, Some(Err(message))) => {
                json!({"error": {"code": 3, "message": message}, "metadata": metadata})
            }
            _ => json!({"error": {"code": 13, "message": "Internal error encountered."},
                         "metadata": metadata}),
        };
        answers.push(answer);
    }
    match job.fault {
        Some(BatchFault::DropKeys) => {
            // Out of order too: a fixed shuffle (odd positions first, then even ones reversed).
            let mut odd = Vec::new();
            let mut even = Vec::new();
            for (i, answer) in answers.into_iter().enumerate() {
                if i % 2 == 1 {
                    odd.push(answer);
                } else {
                    even.push(answer);
                }
            }
            even.reverse();
            answers = odd.into_iter().chain(even).collect();
        }
        Some(BatchFault::WrongKeys) if answers.len() > 1 => {
            let keys: Vec<Value> = answers
                .iter()
                .map(|a| a.pointer("/metadata/key").cloned().unwrap_or(Value::Null))
                .collect();
            for (i, answer) in answers.iter_mut().enumerate() {
                answer["metadata"]["key"] = keys[(i + 1) % keys.len()].clone();
            }
        }
        _ => {}
    }
    job.answers = Some(answers);
}

fn file_name(job: &FakeBatch) -> String {
    format!(
        "files/{}-responses",
        job.name.trim_start_matches("batches/")
    )
}

fn as_file(shared: &Shared, job: &FakeBatch) -> bool {
    shared.config.batch_responses_as_file || job.fault == Some(BatchFault::ResponsesFile)
}

/// The Operation Google returns for a job, with its answers once it has them.
fn operation(shared: &Shared, job: &FakeBatch) -> Value {
    let state = job.state(&shared.config);
    let total = job.requests.len() as u64;
    let mut stats = json!({"requestCount": total.to_string()});
    match state {
        "BATCH_STATE_PENDING" | "BATCH_STATE_RUNNING" => {
            stats["pendingRequestCount"] = json!(total.to_string());
        }
        "BATCH_STATE_SUCCEEDED" => {
            let failed = job
                .answers
                .as_ref()
                .map(|a| a.iter().filter(|x| x.get("error").is_some()).count() as u64)
                .unwrap_or(0);
            stats["completedRequestCount"] = json!(total.to_string());
            if total > failed {
                stats["successfulRequestCount"] = json!((total - failed).to_string());
            }
            if failed > 0 {
                stats["failedRequestCount"] = json!(failed.to_string());
            }
        }
        _ => {}
    }
    let mut metadata = json!({
        "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
        "model": format!("models/{}", job.model.id),
        "displayName": job.display_name,
        "createTime": job.create_time,
        "updateTime": timestamp(0.0),
        "batchStats": stats,
        "state": state,
        "name": job.name,
    });
    let mut body = json!({"name": job.name, "metadata": metadata.clone()});
    let done = matches!(
        state,
        "BATCH_STATE_SUCCEEDED"
            | "BATCH_STATE_FAILED"
            | "BATCH_STATE_CANCELLED"
            | "BATCH_STATE_EXPIRED"
    );
    if done {
        body["done"] = json!(true);
        metadata["endTime"] = json!(timestamp(0.0));
    }
    if state == "BATCH_STATE_FAILED" {
        body["error"] = json!({"code": 13, "message": "The batch job failed: internal error."});
    }
    if let (true, Some(answers)) = (state == "BATCH_STATE_SUCCEEDED", &job.answers) {
        let output = if as_file(shared, job) {
            json!({"responsesFile": file_name(job)})
        } else {
            json!({"inlinedResponses": {"inlinedResponses": answers}})
        };
        metadata["output"] = output.clone();
        let mut response = output;
        response["@type"] = json!(
            "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput"
        );
        body["response"] = response;
    }
    body["metadata"] = metadata;
    body
}

/// Counts the call and checks its key, as every endpoint here does first.
fn caller_checked(
    shared: &Shared,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Result<(), Rejection> {
    Counters::bump(&shared.counters.requests);
    shared.authenticate(headers, params).map(|_| ())
}

/// `GET /v1beta/batches`.
pub(super) async fn list(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    if let Err(refused) = caller_checked(&shared, &headers, &params) {
        return refused.into_response();
    }
    let mut jobs = lock(&shared.batches);
    let operations: Vec<Value> = jobs
        .iter_mut()
        .map(|job| {
            settle(&shared, job);
            let mut op = operation(&shared, job);
            // Lists carry no answers.
            if let Some(o) = op.as_object_mut() {
                o.remove("response");
            }
            if let Some(m) = op.get_mut("metadata").and_then(Value::as_object_mut) {
                m.remove("output");
            }
            op
        })
        .collect();
    respond(StatusCode::OK, json!({"operations": operations}))
}

/// `GET /v1beta/batches/{id}` and `POST /v1beta/batches/{id}:cancel`.
pub(super) async fn get_one(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    if let Err(refused) = caller_checked(&shared, &headers, &params) {
        return refused.into_response();
    }
    let name = format!("batches/{rest}");
    let mut jobs = lock(&shared.batches);
    let Some(job) = jobs.iter_mut().find(|job| job.name == name) else {
        return not_found();
    };
    settle(&shared, job);
    respond(StatusCode::OK, operation(&shared, job))
}

pub(super) async fn cancel(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    if let Err(refused) = caller_checked(&shared, &headers, &params) {
        return refused.into_response();
    }
    let Some(id) = rest.strip_suffix(":cancel") else {
        return not_found();
    };
    let name = format!("batches/{id}");
    let mut jobs = lock(&shared.batches);
    let Some(job) = jobs.iter_mut().find(|job| job.name == name) else {
        return not_found();
    };
    settle(&shared, job);
    let state = job.state(&shared.config);
    if state == "BATCH_STATE_PENDING" || state == "BATCH_STATE_RUNNING" {
        job.cancelled = true;
    }
    respond(StatusCode::OK, json!({}))
}

/// `GET /download/v1beta/files/{name}:download?alt=media`: the responses file, one JSON line
/// per answer.
pub(super) async fn download(
    State(shared): State<Arc<Shared>>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    Query(params): Params,
) -> Response {
    if let Err(refused) = caller_checked(&shared, &headers, &params) {
        return refused.into_response();
    }
    let Some(file) = rest.strip_suffix(":download") else {
        return not_found();
    };
    let file = format!("files/{file}");
    let jobs = lock(&shared.batches);
    let Some(answers) = jobs
        .iter()
        .find(|job| file_name(job) == file && as_file(&shared, job))
        .and_then(|job| job.answers.as_ref())
    else {
        return not_found();
    };
    let mut text = String::new();
    for answer in answers {
        // Lines carry the key at the top level, as Google's responses files do.
        let mut line = answer.clone();
        if let Some(key) = answer.pointer("/metadata/key").cloned() {
            line["key"] = key;
        }
        if let Some(o) = line.as_object_mut() {
            o.remove("metadata");
        }
        text.push_str(&line.to_string());
        text.push('\n');
    }
    (StatusCode::OK, text).into_response()
}
