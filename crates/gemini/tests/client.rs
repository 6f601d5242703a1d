//! The client against the fake server over real HTTP on 127.0.0.1.

use std::time::Duration;

use fake_gemini::{Endpoint, FakeConfig, FakeGemini, FakeServer, Fault, QuotaLimits};
use gemini::{
    ApiKey, Client, ClientConfig, Content, GeminiError, GenerateContentRequest, GenerationConfig,
    ModelFamily, ModelInfo, QuotaScope, TaskType, ThinkingConfig, MAX_EMBED_BATCH,
};
use serde_json::{json, Value};

const KEY: &str = "AIzaTestSecretKey-1234567890wxyz";
const FLASH: &str = "gemini-2.5-flash";

async fn fake(config: FakeConfig) -> FakeServer {
    FakeGemini::start(FakeConfig {
        api_keys: vec![KEY.to_owned()],
        ..config
    })
    .await
    .expect("fake starts")
}

fn config_for(server: &FakeServer, key: &str) -> ClientConfig {
    ClientConfig {
        base_url: server.base_url(),
        api_key: ApiKey::new(key),
        request_timeout: Duration::from_secs(5),
    }
}

fn client_for(server: &FakeServer) -> Client {
    Client::new(config_for(server, KEY)).expect("client builds")
}

fn json_request(prompt: &str, schema: Value) -> GenerateContentRequest {
    GenerateContentRequest {
        contents: vec![Content::user(prompt)],
        system_instruction: Some(Content::system("Answer as JSON.")),
        generation_config: Some(GenerationConfig {
            response_mime_type: Some("application/json".into()),
            response_json_schema: Some(schema),
            max_output_tokens: Some(512),
            ..GenerationConfig::default()
        }),
        ..GenerateContentRequest::default()
    }
}

/// Checks no rendering of the error mentions the key, and returns it for further checks.
fn assert_keyless(error: &GeminiError) {
    for rendered in [
        error.to_string(),
        format!("{error:?}"),
        format!("{error:#?}"),
    ] {
        assert!(!rendered.contains(KEY), "key leaked in {rendered:?}");
        assert!(
            !rendered.contains("wxyz"),
            "key tail leaked in {rendered:?}"
        );
    }
}

#[tokio::test]
async fn success_returns_text_and_usage_matching_the_fake_bill() {
    let server = fake(FakeConfig {
        thinking_tokens: 25,
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(&server);
    let schema = json!({"type": "object", "properties": {
        "replies": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string", "enum": ["a", "b", "c"]},
            "text": {"type": "string", "maxLength": 100}}, "required": ["id", "text"]}}},
        "required": ["replies"]});
    let outcome = client
        .generate_content(FLASH, &json_request("Reply to three tweets", schema))
        .await;
    assert_eq!(outcome.record.http_status, Some(200));
    assert!(outcome.record.latency > Duration::ZERO);
    let generated = outcome.result.expect("success");
    let value: Value = serde_json::from_str(&generated.text).unwrap();
    let ids: Vec<&str> = value["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|reply| reply["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
    assert_eq!(generated.finish_reason.as_deref(), Some("STOP"));
    assert_eq!(generated.model_version.as_deref(), Some(FLASH));
    assert!(generated.response_id.is_some());

    let usage = outcome.record.usage;
    let billed = &server.billing()[0];
    assert_eq!(usage.prompt_tokens, billed.prompt_tokens);
    assert_eq!(usage.output_tokens, billed.output_tokens);
    assert_eq!(usage.thinking_tokens, 25);
    assert_eq!(usage.cached_tokens, 0);
    assert_eq!(
        usage.total_tokens,
        usage.prompt_tokens + usage.output_tokens + usage.thinking_tokens
    );
    // "Reply to three tweets" (21) + "Answer as JSON." (15) = 36 chars = 9 tokens.
    assert_eq!(usage.prompt_tokens, 9);
    assert_eq!(usage.billed_output_tokens(), usage.output_tokens + 25);
}

#[tokio::test]
async fn key_problems() {
    let server = FakeGemini::start(FakeConfig {
        api_keys: vec![KEY.to_owned()],
        disabled_keys: vec!["AIzaDisabledProjectKey-0000".to_owned()],
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let wrong = Client::new(config_for(&server, "AIzaSomeOtherKey-000000")).unwrap();
    let error = wrong.list_models().await.unwrap_err();
    assert_eq!(error, GeminiError::InvalidKey);
    assert_eq!(error.code(), "invalid_key");
    assert!(!error.is_retryable());

    let outcome = wrong
        .generate_content(FLASH, &GenerateContentRequest::from_user_text("hi"))
        .await;
    assert_eq!(outcome.record.http_status, Some(400));
    assert!(outcome.record.usage.is_zero());
    assert_eq!(outcome.result.unwrap_err(), GeminiError::InvalidKey);

    let disabled = Client::new(config_for(&server, "AIzaDisabledProjectKey-0000")).unwrap();
    let error = disabled.list_models().await.unwrap_err();
    assert_eq!(error.code(), "permission_denied");
    assert!(error.to_string().contains("disabled"), "{error}");

    let empty = Client::new(config_for(&server, "  ")).unwrap_err();
    assert_eq!(empty.code(), "invalid_config");
    let bad_url = Client::new(ClientConfig {
        base_url: "ftp://example".into(),
        ..config_for(&server, KEY)
    })
    .unwrap_err();
    assert_eq!(bad_url.code(), "invalid_config");
}

#[tokio::test]
async fn list_models_follows_pages_and_checks_the_key() {
    let server = fake(FakeConfig {
        max_page_size: 2,
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(&server);
    let models = client.list_models().await.unwrap();
    let ids: Vec<&str> = models.iter().map(|model| model.id()).collect();
    assert_eq!(
        ids,
        [
            "gemini-2.5-flash",
            "gemini-2.5-flash-lite",
            "gemini-2.5-pro",
            "gemini-2.0-flash",
            "gemini-3-pro-preview",
            "gemini-3-flash-preview",
            "gemini-flash-latest",
            "gemini-pro-latest",
            "gemini-embedding-001"
        ]
    );
    assert_eq!(server.request_count(), 5, "five pages of up to two");
    assert!(models[0].supports("generateContent"));
    assert_eq!(models[0].display_name.as_deref(), Some("Gemini 2.5 Flash"));
    assert!(models[4].input_token_limit.is_some());
    assert_eq!(models[0].thinking, Some(true));
    assert_eq!(models[3].thinking, None, "2.0 Flash does not think");
    assert!(models[0].output_token_limit.is_some());
    let families: Vec<ModelFamily> = models.iter().map(ModelInfo::family).collect();
    assert_eq!(
        families,
        [
            ModelFamily::Flash25,
            ModelFamily::FlashLite25,
            ModelFamily::Pro25,
            ModelFamily::Gemini2,
            ModelFamily::Pro3,
            ModelFamily::Flash3,
            ModelFamily::Flash25,
            ModelFamily::Pro3,
            ModelFamily::Other
        ]
    );

    let model = client.get_model("models/gemini-2.5-pro").await.unwrap();
    assert_eq!(model.id(), "gemini-2.5-pro");
    assert_eq!(model.base_model(), "gemini-2.5-pro");
    assert_eq!(model.thinking, Some(true));
    assert_eq!(
        client.get_model("gemini-nope").await.unwrap_err().code(),
        "not_found"
    );
}

#[tokio::test]
async fn unknown_model_and_bad_request() {
    let server = fake(FakeConfig::default()).await;
    let client = client_for(&server);
    let outcome = client
        .generate_content(
            "gemini-9-ultra",
            &GenerateContentRequest::from_user_text("hi"),
        )
        .await;
    assert_eq!(outcome.record.http_status, Some(404));
    let error = outcome.result.unwrap_err();
    assert!(
        matches!(&error, GeminiError::NotFound { message } if message.contains("gemini-9-ultra"))
    );

    // No contents: the server rejects the request.
    let outcome = client
        .generate_content(FLASH, &GenerateContentRequest::default())
        .await;
    assert_eq!(outcome.record.http_status, Some(400));
    assert_eq!(outcome.result.unwrap_err().code(), "bad_request");

    // Thinking settings on a model that cannot think: every request with them would fail.
    let request = GenerateContentRequest {
        generation_config: Some(GenerationConfig {
            thinking_config: Some(ThinkingConfig {
                thinking_budget: Some(0),
                ..ThinkingConfig::default()
            }),
            ..GenerationConfig::default()
        }),
        ..GenerateContentRequest::from_user_text("hi")
    };
    assert_eq!(
        client
            .generate_content("gemini-2.0-flash", &request)
            .await
            .result
            .unwrap_err()
            .code(),
        "unsupported_setting"
    );
    assert!(client
        .generate_content(FLASH, &request)
        .await
        .result
        .is_ok());

    // Names that would change the URL are refused before sending.
    let outcome = client
        .generate_content("../admin", &GenerateContentRequest::from_user_text("hi"))
        .await;
    assert_eq!(outcome.record.http_status, None);
    assert_eq!(outcome.result.unwrap_err().code(), "bad_request");
    assert_eq!(server.request_count(), 4);
}

#[tokio::test]
async fn server_faults_map_to_error_kinds_and_billable_ones_keep_usage() {
    let server = fake(FakeConfig {
        thinking_tokens: 10,
        fault_retry_delay: Duration::from_millis(1500),
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(&server);
    server.set_faults([
        Fault::Http503,
        Fault::Http500,
        Fault::Http429,
        Fault::MaxTokens,
        Fault::Safety,
        Fault::Recitation,
        Fault::InvalidJson,
    ]);
    let request = json_request(
        "Reply please",
        json!({"type": "object",
        "properties": {"reply": {"type": "string"}}}),
    );
    let mut outcomes = Vec::new();
    for _ in 0..7 {
        outcomes.push(client.generate_content(FLASH, &request).await);
    }
    let errors: Vec<GeminiError> = outcomes
        .iter()
        .map(|outcome| outcome.result.clone().unwrap_err())
        .collect();
    for error in &errors {
        assert_keyless(error);
    }

    assert_eq!(errors[0], GeminiError::Overloaded);
    assert_eq!(errors[1], GeminiError::Server { status: 500 });
    match &errors[2] {
        GeminiError::Quota {
            retry_after,
            quota_id,
            ..
        } => {
            assert_eq!(*retry_after, Some(Duration::from_millis(1500)));
            assert_eq!(
                quota_id.as_deref(),
                Some("GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
            );
        }
        other => panic!("expected Quota, got {other:?}"),
    }
    assert!(errors[..3].iter().all(GeminiError::is_retryable));
    for outcome in &outcomes[..3] {
        assert!(
            outcome.record.usage.is_zero(),
            "error responses carry no usage"
        );
    }

    assert_eq!(
        errors[3],
        GeminiError::Truncated {
            thinking_exhausted: true
        }
    );
    assert_eq!(outcomes[3].record.usage.thinking_tokens, 512);
    assert_eq!(
        errors[4],
        GeminiError::PromptBlocked {
            reason: "SAFETY".into()
        }
    );
    assert!(outcomes[4].record.usage.prompt_tokens > 0);
    assert_eq!(
        errors[5],
        GeminiError::Stopped {
            reason: "RECITATION".into()
        }
    );
    assert_eq!(errors[6].code(), "unusable_output");
    assert!(outcomes[6].record.usage.output_tokens > 0);
    assert!(errors[3..].iter().all(|error| !error.is_retryable()));

    // Every outcome the fake billed is visible to the caller with the same numbers.
    let billed = server.billing();
    assert_eq!(billed.len(), 4);
    for (call, outcome) in billed.iter().zip(&outcomes[3..]) {
        let usage = outcome.record.usage;
        assert_eq!(outcome.record.http_status, Some(200));
        assert_eq!(
            (call.prompt_tokens, call.output_tokens, call.thinking_tokens),
            (
                usage.prompt_tokens,
                usage.output_tokens,
                usage.thinking_tokens
            )
        );
    }
}

#[tokio::test]
async fn per_day_quota_is_not_transient() {
    let server = fake(FakeConfig {
        limits: QuotaLimits {
            rpd: Some(2),
            ..QuotaLimits::UNLIMITED
        },
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(&server);
    let request = GenerateContentRequest::from_user_text("hello");
    for _ in 0..2 {
        assert!(client
            .generate_content(FLASH, &request)
            .await
            .result
            .is_ok());
    }
    let outcome = client.generate_content(FLASH, &request).await;
    assert_eq!(outcome.record.http_status, Some(429));
    let error = outcome.result.unwrap_err();
    assert_eq!(error.quota_scope(), Some(QuotaScope::PerDay), "{error:?}");
    assert!(
        matches!(&error, GeminiError::Quota { quota_id: Some(id), quota_value: Some(2), .. }
        if id.contains("PerDay"))
    );
    assert!(!error.is_transient());
    assert!(!error.is_permanent());
    assert!(error.to_string().starts_with("the daily quota is used up"));
}

#[tokio::test]
async fn quota_429_from_the_rate_window_parses_retry_info() {
    // A 15-RPM quota where a minute lasts 500 ms.
    let server = fake(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(15),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 120.0,
        ..FakeConfig::default()
    })
    .await;
    let client = client_for(&server);
    let request = GenerateContentRequest::from_user_text("hello");
    let mut refused = None;
    // Normally the 16th call is refused; a slow machine may need a few more.
    for _ in 0..200 {
        let outcome = client.generate_content(FLASH, &request).await;
        if let Err(error) = outcome.result {
            assert_eq!(outcome.record.http_status, Some(429));
            assert!(outcome.record.usage.is_zero());
            refused = Some(error);
            break;
        }
    }
    let error = refused.expect("a request beyond 15 per scaled minute is refused");
    assert_eq!(server.stats().quota_rejections, 1);
    assert_eq!(error.code(), "quota");
    assert!(error.is_retryable());
    assert!(
        matches!(&error, GeminiError::Quota { quota_id: Some(id), quota_value: Some(15), .. }
        if id == "GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
    );
    assert_eq!(error.quota_scope(), Some(QuotaScope::RequestsPerMinute));
    assert!(error.is_transient());
    let retry_after = error.retry_after().expect("RetryInfo parsed");
    assert!(retry_after > Duration::ZERO && retry_after <= Duration::from_millis(500));
    assert!(error.to_string().contains("retry in"));
    tokio::time::sleep(retry_after).await;
    assert!(client
        .generate_content(FLASH, &request)
        .await
        .result
        .is_ok());
}

#[tokio::test]
async fn hanging_request_times_out_without_status_or_usage() {
    let server = fake(FakeConfig::default()).await;
    server.push_fault(Fault::Hang);
    let client = Client::new(ClientConfig {
        request_timeout: Duration::from_millis(300),
        ..config_for(&server, KEY)
    })
    .unwrap();
    let outcome = client
        .generate_content(FLASH, &GenerateContentRequest::from_user_text("hi"))
        .await;
    assert_eq!(outcome.result, Err(GeminiError::Timeout));
    assert_eq!(outcome.record.http_status, None);
    assert!(outcome.record.usage.is_zero());
    assert!(outcome.record.latency >= Duration::from_millis(300));
    assert!(outcome.record.latency < Duration::from_secs(3));
    assert!(GeminiError::Timeout.is_retryable());
    assert!(server.billing().is_empty());
}

#[tokio::test]
async fn connection_refused_is_a_retryable_connection_error() {
    // Bind and drop to get a port nothing listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = Client::new(ClientConfig {
        base_url: format!("http://127.0.0.1:{port}"),
        api_key: ApiKey::new(KEY),
        request_timeout: Duration::from_secs(2),
    })
    .unwrap();
    let outcome = client
        .generate_content(FLASH, &GenerateContentRequest::from_user_text("hi"))
        .await;
    assert_eq!(outcome.record.http_status, None);
    let error = outcome.result.unwrap_err();
    assert_eq!(error.code(), "connection", "{error:?}");
    assert!(error.is_retryable());
    assert_keyless(&error);
    assert_eq!(client.list_models().await.unwrap_err().code(), "connection");
}

#[tokio::test]
async fn embeddings_and_token_counts() {
    let server = fake(FakeConfig::default()).await;
    let client = client_for(&server);
    let texts: Vec<String> = [
        "Shipping the new release today",
        "shipping the new release tomorrow",
        "Completely unrelated cooking tips",
    ]
    .map(String::from)
    .to_vec();
    let outcome = client
        .batch_embed_contents(
            "gemini-embedding-001",
            &texts,
            Some(TaskType::SemanticSimilarity),
            Some(256),
        )
        .await;
    assert_eq!(outcome.record.http_status, Some(200));
    let vectors = outcome.result.unwrap();
    assert_eq!(vectors.len(), 3);
    assert!(vectors.iter().all(|vector| vector.len() == 256));
    let cosine = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
    assert!(cosine(&vectors[0], &vectors[1]) > cosine(&vectors[0], &vectors[2]));
    let billed = server.billing();
    assert_eq!(billed[0].endpoint, Endpoint::BatchEmbedContents);
    // The Developer API sends no usage for embeddings; count tokens instead (free).
    assert!(outcome.record.usage.is_zero());
    let contents: Vec<Content> = texts.iter().map(Content::user).collect();
    let mut counted = 0;
    for content in &contents {
        counted += client
            .count_tokens("gemini-embedding-001", std::slice::from_ref(content))
            .await
            .unwrap();
    }
    assert_eq!(counted, billed[0].prompt_tokens);
    assert_eq!(server.billing().len(), 1, "countTokens is free");

    let nothing = client
        .batch_embed_contents("gemini-embedding-001", &[], None, None)
        .await;
    assert_eq!(nothing.result.unwrap(), Vec::<Vec<f32>>::new());
    assert_eq!(nothing.record.http_status, None);
}

#[tokio::test]
async fn more_than_100_texts_are_rejected_before_sending() {
    let server = fake(FakeConfig::default()).await;
    let client = client_for(&server);
    let texts = vec!["hello".to_owned(); MAX_EMBED_BATCH + 1];
    let outcome = client
        .batch_embed_contents("gemini-embedding-001", &texts, None, None)
        .await;
    assert_eq!(outcome.record.http_status, None);
    assert!(outcome.record.usage.is_zero());
    assert!(matches!(
        outcome.result,
        Err(GeminiError::BadRequest { .. })
    ));
    assert_eq!(server.request_count(), 0, "nothing was sent");

    let exactly = vec!["hello".to_owned(); MAX_EMBED_BATCH];
    let outcome = client
        .batch_embed_contents("gemini-embedding-001", &exactly, None, None)
        .await;
    assert_eq!(outcome.result.unwrap().len(), MAX_EMBED_BATCH);
}

#[tokio::test]
async fn the_key_never_appears_in_config_client_or_error_output() {
    let server = fake(FakeConfig::default()).await;
    let config = config_for(&server, KEY);
    let client = Client::new(config.clone()).unwrap();
    for rendered in [
        format!("{config:?}"),
        format!("{config:#?}"),
        format!("{client:?}"),
        format!("{:?}", config.api_key),
    ] {
        assert!(!rendered.contains(KEY), "{rendered}");
        assert!(rendered.contains("<redacted>"), "{rendered}");
    }
    assert_eq!(config.api_key.last4(), "…wxyz");

    let every_kind = [
        GeminiError::InvalidKey,
        GeminiError::PermissionDenied {
            message: "m".into(),
        },
        GeminiError::NotFound {
            message: "m".into(),
        },
        GeminiError::Quota {
            retry_after: Some(Duration::from_secs(47)),
            quota_id: Some("q".into()),
            message: "m".into(),
            scope: QuotaScope::PerDay,
            quota_value: Some(20),
        },
        GeminiError::AccountNotEligible {
            message: "m".into(),
        },
        GeminiError::OutOfCredit {
            message: "m".into(),
        },
        GeminiError::UnsupportedSetting {
            message: "m".into(),
        },
        GeminiError::Overloaded,
        GeminiError::Server { status: 502 },
        GeminiError::Timeout,
        GeminiError::Connection {
            message: "m".into(),
        },
        GeminiError::BadRequest {
            message: "m".into(),
        },
        GeminiError::PromptBlocked {
            reason: "SAFETY".into(),
        },
        GeminiError::Truncated {
            thinking_exhausted: true,
        },
        GeminiError::Stopped {
            reason: "RECITATION".into(),
        },
        GeminiError::UnusableOutput { reason: "r".into() },
        GeminiError::Http {
            status: 408,
            message: "m".into(),
        },
        GeminiError::InvalidConfig {
            message: "m".into(),
        },
    ];
    let mut codes = std::collections::HashSet::new();
    for error in &every_kind {
        assert_keyless(error);
        assert!(!error.to_string().is_empty());
        assert!(codes.insert(error.code()), "codes are distinct");
    }

    // Errors produced by real exchanges with a wrong key do not echo it either.
    let wrong_key = "AIzaLeakCheck-0000000wxyz";
    let wrong = Client::new(config_for(&server, wrong_key)).unwrap();
    let error = wrong.list_models().await.unwrap_err();
    let outcome = wrong
        .generate_content(FLASH, &GenerateContentRequest::from_user_text("hi"))
        .await;
    for rendered in [
        error.to_string(),
        format!("{error:?}"),
        format!("{outcome:?}"),
        format!("{wrong:?}"),
    ] {
        assert!(!rendered.contains(wrong_key), "{rendered}");
    }
}

mod batch {
    use super::*;
    use fake_gemini::BatchFault;
    use gemini::{BatchOutput, BatchState};

    fn requests(n: usize) -> Vec<(String, GenerateContentRequest)> {
        (0..n)
            .map(|i| {
                (
                    format!("r{i}"),
                    json_request(
                        &format!("post number {i}"),
                        json!({"type": "object", "properties": {"reply": {"type": "string"}}, "required": ["reply"]}),
                    ),
                )
            })
            .collect()
    }

    async fn until_final(client: &Client, name: &str) -> gemini::BatchJob {
        for _ in 0..200 {
            let job = client.get_batch(name, true).await.expect("job reads");
            if job.state.is_final() {
                return job;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("the job did not finish");
    }

    fn quick() -> FakeConfig {
        FakeConfig {
            batch_pending: Duration::from_millis(50),
            batch_running: Duration::from_millis(100),
            ..FakeConfig::default()
        }
    }

    #[tokio::test]
    async fn a_job_goes_pending_to_succeeded_with_keyed_answers_billed_once() {
        let server = fake(FakeConfig {
            batch_request_error_every: Some(3),
            ..quick()
        })
        .await;
        let client = client_for(&server);
        let job = client
            .create_batch(FLASH, "run-1-job-1", &requests(5))
            .await
            .unwrap();
        assert_eq!(job.state, BatchState::Pending);
        assert_eq!(job.stats.requests, 5);
        assert_eq!(job.display_name.as_deref(), Some("run-1-job-1"));
        let done = until_final(&client, &job.name).await;
        assert_eq!(done.state, BatchState::Succeeded);
        let Some(BatchOutput::Inline(answers)) = done.output else {
            panic!("inline answers expected")
        };
        assert_eq!(answers.len(), 5);
        let failed: Vec<_> = answers.iter().filter(|a| a.result.is_err()).collect();
        assert_eq!(failed.len(), 1, "the third request fails");
        assert_eq!(failed[0].key.as_deref(), Some("r2"));
        assert!(answers
            .iter()
            .filter(|a| a.result.is_ok())
            .all(|a| a.usage.prompt_tokens > 0));
        // Polling again does not bill again.
        client.get_batch(&job.name, true).await.unwrap();
        let billed = server
            .billing()
            .iter()
            .filter(|c| c.endpoint == Endpoint::BatchGenerateContent)
            .count();
        assert_eq!(billed, 4);
        // The job is listed by its display name (how a restarted run finds a job whose
        // creation answer was lost).
        let page = client.list_batches(None).await.unwrap();
        assert!(page
            .jobs
            .iter()
            .any(|j| j.display_name.as_deref() == Some("run-1-job-1") && j.name == job.name));
    }

    #[tokio::test]
    async fn responses_files_missing_keys_cancel_failure_expiry_and_size_limit() {
        let server = fake(FakeConfig {
            batch_faults: vec![
                BatchFault::ResponsesFile,
                BatchFault::DropKeys,
                BatchFault::Fail,
                BatchFault::Expire,
            ],
            batch_inline_limit_bytes: 4_000,
            ..quick()
        })
        .await;
        let client = client_for(&server);
        let file_job = client.create_batch(FLASH, "a", &requests(3)).await.unwrap();
        let done = until_final(&client, &file_job.name).await;
        let Some(BatchOutput::File(file)) = done.output else {
            panic!("a responses file expected: {:?}", done.state)
        };
        let answers = client.batch_responses_file(&file, true).await.unwrap();
        assert_eq!(answers.len(), 3);
        assert_eq!(answers[1].key.as_deref(), Some("r1"));

        let keyless = client.create_batch(FLASH, "b", &requests(2)).await.unwrap();
        let done = until_final(&client, &keyless.name).await;
        let Some(BatchOutput::Inline(answers)) = done.output else {
            panic!("inline answers expected")
        };
        assert!(answers.iter().all(|a| a.key.is_none()));
        assert_eq!(answers[1].position, 1);

        let failing = client.create_batch(FLASH, "c", &requests(1)).await.unwrap();
        let done = until_final(&client, &failing.name).await;
        assert_eq!(done.state, BatchState::Failed);
        assert!(done.error.is_some() && done.output.is_none());

        let expiring = client.create_batch(FLASH, "d", &requests(1)).await.unwrap();
        assert_eq!(
            until_final(&client, &expiring.name).await.state,
            BatchState::Expired
        );

        let cancelled = client.create_batch(FLASH, "e", &requests(1)).await.unwrap();
        client.cancel_batch(&cancelled.name).await.unwrap();
        assert_eq!(
            until_final(&client, &cancelled.name).await.state,
            BatchState::Cancelled
        );

        // Over the inline limit: Google's 400, read as a bad request.
        let too_big = client.create_batch(FLASH, "f", &requests(40)).await;
        assert!(
            matches!(too_big, Err(GeminiError::BadRequest { .. })),
            "{too_big:?}"
        );
    }
}
