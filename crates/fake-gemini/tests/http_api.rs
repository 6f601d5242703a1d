//! Routes, keys, models, countTokens, embeddings, faults, billing and the binary.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fake_gemini::{BilledCall, Endpoint, FakeConfig, Fault, RandomFaults, DEFAULT_API_KEY};
use serde_json::{json, Value};
use support::{answer, ceil_div4, detail, generate, get, post, start, user_text};

const GENERATE: &str = "/v1beta/models/gemini-2.5-flash:generateContent";

#[tokio::test]
async fn keys_by_header_or_query_and_google_error_envelopes() {
    let server = start(FakeConfig {
        disabled_keys: vec!["disabled-key-0000".into()],
        ..FakeConfig::default()
    })
    .await;
    let body = user_text("hi");
    assert_eq!(
        post(&server, GENERATE, Some(DEFAULT_API_KEY), &body)
            .await
            .0,
        200
    );
    let by_query = format!("{GENERATE}?key={DEFAULT_API_KEY}");
    assert_eq!(post(&server, &by_query, None, &body).await.0, 200);

    let (status, missing) = post(&server, GENERATE, None, &body).await;
    assert_eq!(status, 403);
    assert_eq!(missing["error"]["status"], "PERMISSION_DENIED");

    let (status, invalid) = post(&server, GENERATE, Some("AIzaWrongKey"), &body).await;
    assert_eq!(status, 400);
    assert_eq!(
        invalid,
        json!({"error": {
            "code": 400,
            "message": "API key not valid. Please pass a valid API key.",
            "status": "INVALID_ARGUMENT",
            "details": [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com",
                 "metadata": {"service": "generativelanguage.googleapis.com"}},
                {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
                 "message": "API key not valid. Please pass a valid API key."}
            ]
        }})
    );

    let (status, disabled) = post(&server, GENERATE, Some("disabled-key-0000"), &body).await;
    assert_eq!(status, 403);
    assert_eq!(detail(&disabled, "ErrorInfo")["reason"], "SERVICE_DISABLED");
    assert_eq!(get(&server, "/v1beta/models", Some("nope")).await.0, 400);
    assert_eq!(
        server.billing().len(),
        2,
        "only the accepted calls are billed"
    );
}

#[tokio::test]
async fn unknown_models_methods_and_fields_are_rejected() {
    let server = start(FakeConfig::default()).await;
    let key = Some(DEFAULT_API_KEY);
    let (status, body) = generate(&server, "gemini-9-ultra", &user_text("hi")).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["status"], "NOT_FOUND");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("models/gemini-9-ultra is not found for API version v1beta"));
    // The embedding model does not generate, and flash does not embed.
    assert_eq!(
        generate(&server, "gemini-embedding-001", &user_text("hi"))
            .await
            .0,
        404
    );
    let embed = json!({"requests": [{"model": "models/gemini-2.5-flash", "content": {"parts": [{"text": "x"}]}}]});
    let path = "/v1beta/models/gemini-2.5-flash:batchEmbedContents";
    assert_eq!(post(&server, path, key, &embed).await.0, 404);
    assert_eq!(
        post(
            &server,
            "/v1beta/models/gemini-2.5-flash:fly",
            key,
            &json!({})
        )
        .await
        .0,
        404
    );

    let (status, body) = generate(
        &server,
        "gemini-2.5-flash",
        &json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"maxTokens": 5}}),
    )
    .await;
    assert_eq!(status, 400);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("maxTokens"));
    assert_eq!(
        generate(&server, "gemini-2.5-flash", &json!({"contents": []}))
            .await
            .0,
        400
    );
    let both = json!({"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {
        "responseMimeType": "application/json", "responseSchema": {"type": "STRING"},
        "responseJsonSchema": {"type": "string"}}});
    assert_eq!(generate(&server, "gemini-2.5-flash", &both).await.0, 400);
    assert!(server.billing().is_empty());
}

#[tokio::test]
async fn models_list_pages_and_single_model() {
    let server = start(FakeConfig {
        max_page_size: 2,
        ..FakeConfig::default()
    })
    .await;
    let key = Some(DEFAULT_API_KEY);
    let mut names = Vec::new();
    let mut path = "/v1beta/models?pageSize=1000".to_owned();
    for _ in 0..20 {
        let (status, page) = get(&server, &path, key).await;
        assert_eq!(status, 200);
        let models = page["models"].as_array().unwrap();
        assert!(models.len() <= 2);
        names.extend(
            models
                .iter()
                .map(|model| model["name"].as_str().unwrap().to_owned()),
        );
        match page["nextPageToken"].as_str() {
            Some(token) => path = format!("/v1beta/models?pageSize=1000&pageToken={token}"),
            None => break,
        }
    }
    assert_eq!(
        names,
        [
            "models/gemini-2.5-flash",
            "models/gemini-2.5-flash-lite",
            "models/gemini-2.5-pro",
            "models/gemini-2.0-flash",
            "models/gemini-3-pro-preview",
            "models/gemini-3-flash-preview",
            "models/gemini-flash-latest",
            "models/gemini-pro-latest",
            "models/gemini-embedding-001"
        ]
    );
    let (status, model) = get(&server, "/v1beta/models/gemini-embedding-001", key).await;
    assert_eq!(status, 200);
    assert!(model["supportedGenerationMethods"]
        .as_array()
        .unwrap()
        .contains(&json!("embedContent")));
    assert_eq!(get(&server, "/v1beta/models/nope", key).await.0, 404);
    assert_eq!(
        get(&server, "/v1beta/models?pageToken=bogus", key).await.0,
        400
    );
}

#[tokio::test]
async fn count_tokens_uses_the_same_rule_and_is_free() {
    let server = start(FakeConfig::default()).await;
    let key = Some(DEFAULT_API_KEY);
    let path = "/v1beta/models/gemini-2.5-flash:countTokens";
    let (status, body) = post(&server, path, key, &user_text("twelve chars")).await;
    assert_eq!(status, 200);
    assert_eq!(body["totalTokens"], 3);
    let wrapped = json!({"generateContentRequest": {"model": "models/gemini-2.5-flash",
        "contents": [{"parts": [{"text": "abcde"}]}],
        "systemInstruction": {"parts": [{"text": "abcd"}]}}});
    assert_eq!(post(&server, path, key, &wrapped).await.1["totalTokens"], 3);
    let (_, generated) = post(&server, GENERATE, key, &wrapped["generateContentRequest"]).await;
    assert_eq!(generated["usageMetadata"]["promptTokenCount"], 3);
    assert_eq!(server.billing().len(), 1, "countTokens is not billed");
    assert_eq!(server.stats().count_tokens_requests, 2);
}

#[tokio::test]
async fn count_tokens_sums_contents_like_embedding_billing() {
    let server = start(FakeConfig::default()).await;
    let key = Some(DEFAULT_API_KEY);
    // 5 chars → 2 tokens and 3 chars → 1: counted together they would be 2, not 3.
    let texts = ["abcde", "abc"];
    let contents: Vec<Value> = texts
        .iter()
        .map(|text| json!({"role": "user", "parts": [{"text": text}]}))
        .collect();
    let count = "/v1beta/models/gemini-embedding-001:countTokens";
    let (status, body) = post(&server, count, key, &json!({ "contents": contents })).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalTokens"], 3);
    let embed = json!({"requests": texts.iter().map(|text| json!({
        "model": "models/gemini-embedding-001", "content": {"parts": [{"text": text}]}
    })).collect::<Vec<_>>()});
    let path = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
    assert_eq!(post(&server, path, key, &embed).await.0, 200);
    assert_eq!(server.billing()[0].prompt_tokens, 3);
}

#[tokio::test]
async fn scripted_faults_have_the_real_shapes_and_billing() {
    let server = start(FakeConfig {
        thinking_tokens: 30,
        ..FakeConfig::default()
    })
    .await;
    server.set_faults([
        Fault::Http503,
        Fault::Http500,
        Fault::Http429,
        Fault::MaxTokens,
        Fault::Safety,
        Fault::Recitation,
        Fault::InvalidJson,
    ]);
    let prompt = "Reply to: what a day!";
    let mut request = user_text(prompt);
    request["generationConfig"] = json!({"responseMimeType": "application/json",
        "responseJsonSchema": {"type": "object", "properties": {"reply": {"type": "string"}}},
        "maxOutputTokens": 256});
    let prompt_tokens = ceil_div4(prompt.len());
    let mut results = Vec::new();
    for _ in 0..8 {
        results.push(generate(&server, "gemini-2.5-flash", &request).await);
    }
    let statuses: Vec<u16> = results.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, [503, 500, 429, 200, 200, 200, 200, 200]);
    assert_eq!(results[0].1["error"]["status"], "UNAVAILABLE");
    assert_eq!(results[1].1["error"]["status"], "INTERNAL");
    assert!(detail(&results[2].1, "RetryInfo")["retryDelay"].is_string());

    let max_tokens = &results[3].1;
    assert_eq!(max_tokens["candidates"][0]["finishReason"], "MAX_TOKENS");
    assert!(max_tokens["candidates"][0]["content"]
        .get("parts")
        .is_none());
    assert_eq!(max_tokens["usageMetadata"]["thoughtsTokenCount"], 256);

    let safety = &results[4].1;
    assert_eq!(safety["promptFeedback"]["blockReason"], "SAFETY");
    assert!(safety.get("candidates").is_none());
    assert_eq!(safety["usageMetadata"]["promptTokenCount"], prompt_tokens);

    assert_eq!(results[5].1["candidates"][0]["finishReason"], "RECITATION");

    let broken = answer(&results[6].1);
    assert!(serde_json::from_str::<Value>(broken).is_err(), "{broken:?}");
    assert_eq!(results[6].1["candidates"][0]["finishReason"], "STOP");
    // After the script runs out, answers are normal again.
    assert!(serde_json::from_str::<Value>(answer(&results[7].1)).is_ok());

    let billed = server.billing();
    assert_eq!(billed.len(), 5, "the three error responses are free");
    assert!(billed.iter().all(|call| call.prompt_tokens == prompt_tokens
        && call.endpoint == Endpoint::GenerateContent
        && call.model == "gemini-2.5-flash"));
    assert_eq!(
        (billed[0].output_tokens, billed[0].thinking_tokens),
        (0, 256)
    );
    assert_eq!((billed[1].output_tokens, billed[1].thinking_tokens), (0, 0));
    assert_eq!(billed[3].output_tokens, ceil_div4(broken.chars().count()));
    assert_eq!(server.stats().faults_injected, 7);

    // The same record over HTTP, for tests in another process.
    let (status, report) = get(&server, "/_fake/billing", None).await;
    assert_eq!(status, 200);
    let calls: Vec<BilledCall> = serde_json::from_value(report["calls"].clone()).unwrap();
    assert_eq!(calls, billed);
    assert_eq!(report["totals"]["calls"], 5);
    assert_eq!(
        report["totals"]["prompt_tokens"],
        server.billing_totals().prompt_tokens
    );
}

#[tokio::test]
async fn random_faults_are_seeded() {
    async fn outcomes(seed: u64) -> Vec<u16> {
        let server = start(FakeConfig {
            random_faults: RandomFaults {
                rate: 0.5,
                mix: vec![(Fault::Http503, 1), (Fault::Http500, 1)],
            },
            seed,
            ..FakeConfig::default()
        })
        .await;
        let mut statuses = Vec::new();
        for _ in 0..40 {
            statuses.push(
                generate(&server, "gemini-2.5-flash", &user_text("x"))
                    .await
                    .0,
            );
        }
        statuses
    }
    let first = outcomes(7).await;
    assert_eq!(first, outcomes(7).await);
    assert_ne!(first, outcomes(8).await);
    let failures = first.iter().filter(|status| **status != 200).count();
    assert!((8..=32).contains(&failures), "{failures} of 40 at rate 0.5");
    assert!(first.contains(&503) && first.contains(&500));

    let server = start(FakeConfig::default()).await;
    server.set_random_faults(RandomFaults::with_rate(1.0));
    for _ in 0..5 {
        let (status, body) = generate(&server, "gemini-2.5-flash", &user_text("y")).await;
        let clean = status == 200
            && body["candidates"][0]["finishReason"] == "STOP"
            && serde_json::from_str::<Value>(answer(&body)).is_ok();
        assert!(!clean, "rate 1.0 faults every call");
    }
}

#[tokio::test]
async fn hang_holds_the_request_until_the_client_gives_up_and_shutdown_is_prompt() {
    let server = start(FakeConfig::default()).await;
    server.push_fault(Fault::Hang);
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = Instant::now();
    let result = client
        .post(format!("{}{GENERATE}", server.base_url()))
        .header("x-goog-api-key", DEFAULT_API_KEY)
        .json(&user_text("hi"))
        .send()
        .await;
    assert!(result.unwrap_err().is_timeout());
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(server.stats().hangs, 1);
    assert!(server.billing().is_empty());

    // A hang still in flight must not keep the server alive.
    server.push_fault(Fault::Hang);
    let url = format!("{}{GENERATE}", server.base_url());
    let pending = tokio::spawn(async move {
        reqwest::Client::new()
            .post(url)
            .header("x-goog-api-key", DEFAULT_API_KEY)
            .json(&user_text("hi"))
            .send()
            .await
            .map(|response| response.status().as_u16())
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = Instant::now();
    server.shutdown().await;
    assert!(stopping.elapsed() < Duration::from_secs(2));
    let answered = pending.await.unwrap();
    assert!(answered.is_err() || answered.is_ok_and(|status| status >= 500));
}

#[tokio::test]
async fn latency_is_applied() {
    let server = start(FakeConfig {
        latency: Duration::from_millis(60),
        latency_jitter: Duration::from_millis(20),
        ..FakeConfig::default()
    })
    .await;
    let started = Instant::now();
    assert_eq!(
        generate(&server, "gemini-2.5-flash", &user_text("x"))
            .await
            .0,
        200
    );
    let elapsed = started.elapsed();
    assert!(elapsed >= Duration::from_millis(60), "{elapsed:?}");
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn vectors(body: &Value) -> Vec<Vec<f64>> {
    body["embeddings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|embedding| {
            embedding["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|value| value.as_f64().unwrap())
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn embeddings_are_deterministic_and_similarity_follows_shared_words() {
    let server = start(FakeConfig::default()).await;
    let key = Some(DEFAULT_API_KEY);
    let path = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
    let texts = [
        "The new Rust release makes async code easier",
        "the new rust release makes async traits easier",
        "My cat sleeps all afternoon",
        "The new Rust release makes async code easier",
    ];
    let request = |dimensions: Option<u32>| {
        json!({"requests": texts.iter().map(|text| {
            let mut item = json!({"model": "models/gemini-embedding-001",
                "content": {"parts": [{"text": text}]}, "taskType": "SEMANTIC_SIMILARITY"});
            if let Some(dimensions) = dimensions {
                item["outputDimensionality"] = json!(dimensions);
            }
            item
        }).collect::<Vec<_>>()})
    };
    let (status, body) = post(&server, path, key, &request(None)).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("usageMetadata").is_none(),
        "like the Developer API"
    );
    let embeddings = vectors(&body);
    assert_eq!(embeddings.len(), 4);
    assert!(embeddings.iter().all(|vector| vector.len() == 3072));
    assert!((cosine(&embeddings[0], &embeddings[3]) - 1.0).abs() < 1e-4);
    assert!(cosine(&embeddings[0], &embeddings[1]) > 0.6);
    assert!(cosine(&embeddings[0], &embeddings[2]).abs() < 0.3);
    let (_, again) = post(&server, path, key, &request(None)).await;
    assert_eq!(vectors(&again), embeddings);

    let (_, small) = post(&server, path, key, &request(Some(8))).await;
    assert!(vectors(&small).iter().all(|vector| vector.len() == 8));

    let billed = server.billing();
    assert_eq!(billed.len(), 3);
    let tokens: u64 = texts.iter().map(|text| ceil_div4(text.len())).sum();
    assert_eq!(billed[0].prompt_tokens, tokens);
    assert_eq!(billed[0].endpoint, Endpoint::BatchEmbedContents);
}

#[tokio::test]
async fn embedding_requests_are_validated() {
    let server = start(FakeConfig::default()).await;
    let key = Some(DEFAULT_API_KEY);
    let path = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
    let item = |model: &str| json!({"model": model, "content": {"parts": [{"text": "hi"}]}});
    let mismatch = json!({"requests": [item("models/gemini-embedding-001"), item("models/other")]});
    assert_eq!(post(&server, path, key, &mismatch).await.0, 400);
    let too_many = json!({"requests": vec![item("models/gemini-embedding-001"); 101]});
    assert_eq!(post(&server, path, key, &too_many).await.0, 400);
    let hundred = json!({"requests": vec![item("models/gemini-embedding-001"); 100]});
    assert_eq!(post(&server, path, key, &hundred).await.0, 200);
    let mut oversized = item("models/gemini-embedding-001");
    oversized["outputDimensionality"] = json!(4096);
    assert_eq!(
        post(&server, path, key, &json!({"requests": [oversized]}))
            .await
            .0,
        400
    );
    assert_eq!(server.billing().len(), 1);
}

/// Kills the child process even when an assertion fails first.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_prints_its_address_and_serves() {
    let (child, base_url) = spawn_binary(&[
        "--port",
        "0",
        "--rpm",
        "1",
        "--time-scale",
        "60",
        "--key",
        "bin-key-0000",
    ]);
    assert!(base_url.starts_with("http://127.0.0.1:"));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let statuses = runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut statuses = Vec::new();
        for _ in 0..2 {
            let response = client
                .post(format!("{base_url}{GENERATE}"))
                .header("x-goog-api-key", "bin-key-0000")
                .json(&user_text("hi"))
                .send()
                .await
                .unwrap();
            statuses.push(response.status().as_u16());
        }
        let billing: Value = client
            .get(format!("{base_url}/_fake/billing"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        (statuses, billing["totals"]["calls"].clone())
    });
    drop(child);
    assert_eq!(statuses, (vec![200, 429], json!(1)));
}

#[tokio::test]
async fn account_faults_are_permanent_shaped_errors_and_free() {
    let server = start(FakeConfig::default()).await;
    server.set_faults([
        Fault::BillingRequired,
        Fault::RegionUnsupported,
        Fault::OutOfCredit,
    ]);
    let mut results = Vec::new();
    for _ in 0..3 {
        results.push(generate(&server, "gemini-2.5-flash", &user_text("hi")).await);
    }
    let shapes: Vec<(u16, &str)> = results
        .iter()
        .map(|(status, body)| (*status, body["error"]["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        shapes,
        [
            (400, "FAILED_PRECONDITION"),
            (400, "FAILED_PRECONDITION"),
            (402, "RESOURCE_EXHAUSTED")
        ]
    );
    let message = |index: usize| results[index].1["error"]["message"].as_str().unwrap();
    assert!(message(0).contains("enable billing"), "{}", message(0));
    assert_eq!(
        message(1),
        "User location is not supported for the API use."
    );
    assert!(message(2).starts_with("Your prepayment credits are depleted"));
    for (status, body) in &results {
        assert_eq!(body["error"]["code"], *status);
        assert!(body["error"].get("details").is_none());
    }
    assert!(server.billing().is_empty(), "account errors are free");
    assert_eq!(server.stats().faults_injected, 3);

    // Names round-trip for the command line.
    for fault in Fault::ALL {
        assert_eq!(fault.name().parse::<Fault>(), Ok(fault));
    }
    assert_eq!("429-daily".parse::<Fault>(), Ok(Fault::Http429Daily));
    assert_eq!("out-of-credit".parse::<Fault>(), Ok(Fault::OutOfCredit));
}

/// Starts the binary with `args` and returns it with its base URL.
fn spawn_binary(args: &[&str]) -> (KillOnDrop, String) {
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_fake-gemini"))
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .expect("binary starts"),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base_url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base_url)
}

#[test]
fn binary_flags_set_the_new_knobs() {
    let (child, base_url) = spawn_binary(&[
        "--rpm",
        "2",
        "--rpd",
        "100",
        "--quota-style",
        "help-only",
        "--script",
        "region-unsupported,429-daily",
        "--omit-rate",
        "1",
        "--empty-draft-rate",
        "0.5",
        "--generic-opener-rate",
        "0.5",
        "--cached-share",
        "0.5",
    ]);
    assert!(base_url.starts_with("http://127.0.0.1:"));
    let packed = json!({
        "contents": [{"role": "user", "parts": [{"text": "z".repeat(4096)}]}],
        "generationConfig": {"responseMimeType": "application/json", "responseJsonSchema": {
            "type": "object", "properties": {"results": {"type": "array", "items": {
                "type": "object", "properties": {
                    "post_id": {"type": "string", "enum": ["1", "2", "3"]},
                    "text": {"type": "string"}}}}}}}
    });
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let results = runtime.block_on(async {
        let client = reqwest::Client::new();
        let mut results = Vec::new();
        for _ in 0..3 {
            let response = client
                .post(format!("{base_url}{GENERATE}"))
                .header("x-goog-api-key", DEFAULT_API_KEY)
                .json(&packed)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            results.push((status, response.json::<Value>().await.unwrap()));
        }
        results
    });
    drop(child);
    // The scripted region fault, a per-day 429 trimmed to the Help detail (both admitted
    // against the 2 RPM), then a real per-minute 429, also trimmed.
    let statuses: Vec<u16> = results.iter().map(|(status, _)| *status).collect();
    assert_eq!(statuses, [400, 429, 429]);
    assert_eq!(results[0].1["error"]["status"], "FAILED_PRECONDITION");
    for (_, body) in &results[1..] {
        let details = body["error"]["details"].as_array().unwrap();
        assert_eq!(details.len(), 1, "{body}");
        assert_eq!(details[0]["@type"], "type.googleapis.com/google.rpc.Help");
    }

    // Answers: every post omitted, half the 4096-char prompt cached.
    let (child, base_url) = spawn_binary(&["--omit-rate", "1", "--cached-share", "0.5"]);
    let body = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base_url}{GENERATE}"))
            .header("x-goog-api-key", DEFAULT_API_KEY)
            .json(&packed)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    });
    drop(child);
    let answer: Value = serde_json::from_str(answer(&body)).unwrap();
    assert_eq!(answer["results"], json!([]));
    assert_eq!(body["usageMetadata"]["cachedContentTokenCount"], 512);

    // Bad values are refused before listening.
    let status = Command::new(env!("CARGO_BIN_EXE_fake-gemini"))
        .args(["--omit-rate", "1.5"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
    let status = Command::new(env!("CARGO_BIN_EXE_fake-gemini"))
        .args(["--quota-style", "verbose"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
}

#[tokio::test]
async fn faults_can_be_scripted_over_http() {
    let server = start(FakeConfig::default()).await;
    let (status, body) = post(
        &server,
        "/_fake/faults",
        None,
        &json!({"faults": ["429-daily"]}),
    )
    .await;
    assert_eq!((status, body["scripted"].as_i64()), (200, Some(1)));
    let (status, body) = generate(&server, "gemini-2.5-flash", &user_text("hi")).await;
    assert_eq!(status, 429);
    assert!(body.to_string().contains("PerDay"), "{body}");
    let (status, _) = generate(&server, "gemini-2.5-flash", &user_text("hi")).await;
    assert_eq!(status, 200, "a scripted fault is used once");
    let (status, _) = post(&server, "/_fake/faults", None, &json!({"faults": ["nope"]})).await;
    assert_eq!(status, 400);
}
