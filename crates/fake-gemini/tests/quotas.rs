//! Quota windows under a fast time scale.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fake_gemini::{FakeConfig, QuotaLimits};
use serde_json::{json, Value};
use support::{detail, generate, post, start, user_text};

/// Parses `"13s"` / `"0.083s"`.
fn retry_delay(body: &Value) -> Duration {
    let text = detail(body, "RetryInfo")["retryDelay"].as_str().unwrap();
    Duration::from_secs_f64(text.strip_suffix('s').unwrap().parse().unwrap())
}

fn quota_ids(body: &Value) -> Vec<String> {
    detail(body, "QuotaFailure")["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|violation| violation["quotaId"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn rpm_limit_answers_429_with_retry_info_then_frees_up() {
    // time_scale 120: a quota minute lasts 500 ms (roomy enough for a loaded CI machine).
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(2),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 120.0,
        ..FakeConfig::default()
    })
    .await;
    let request = user_text("hello");
    let started = Instant::now();
    for _ in 0..2 {
        assert_eq!(generate(&server, "gemini-2.5-flash", &request).await.0, 200);
    }
    let (status, body) = generate(&server, "gemini-2.5-flash", &request).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
    assert_eq!(body["error"]["code"], 429);
    assert!(detail(&body, "Help")["links"][0]["url"].is_string());
    assert_eq!(
        quota_ids(&body),
        ["GenerateRequestsPerMinutePerProjectPerModel-FreeTier"]
    );
    let violation = &detail(&body, "QuotaFailure")["violations"][0];
    assert_eq!(violation["quotaDimensions"]["model"], "gemini-2.5-flash");
    let delay = retry_delay(&body);
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_millis(500),
        "{delay:?}"
    );
    // The wait lasts until the first request leaves the window.
    assert!(delay + started.elapsed() >= Duration::from_millis(495));

    tokio::time::sleep(delay).await;
    assert_eq!(generate(&server, "gemini-2.5-flash", &request).await.0, 200);
    assert_eq!(server.stats().quota_rejections, 1);
    assert_eq!(server.billing().len(), 3, "the 429 is not billed");
}

#[tokio::test]
async fn token_limit_counts_input_tokens() {
    let server = start(FakeConfig {
        limits: QuotaLimits {
            tpm: Some(50),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 60.0,
        ..FakeConfig::default()
    })
    .await;
    let request = user_text(&"x".repeat(120)); // 30 tokens
    assert_eq!(generate(&server, "gemini-2.5-flash", &request).await.0, 200);
    let (status, body) = generate(&server, "gemini-2.5-flash", &request).await;
    assert_eq!(status, 429);
    assert_eq!(
        quota_ids(&body),
        ["GenerateContentInputTokensPerModelPerMinute-FreeTier"]
    );
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("generate_content_free_tier_input_token_count"));
    // A small request still fits.
    assert_eq!(
        generate(&server, "gemini-2.5-flash", &user_text("hi"))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn daily_limit_uses_the_day_window() {
    // time_scale 86 400: a quota day lasts one second.
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpd: Some(1),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 86_400.0,
        ..FakeConfig::default()
    })
    .await;
    assert_eq!(
        generate(&server, "gemini-2.5-pro", &user_text("a")).await.0,
        200
    );
    let (status, body) = generate(&server, "gemini-2.5-pro", &user_text("b")).await;
    assert_eq!(status, 429);
    assert_eq!(
        quota_ids(&body),
        ["GenerateRequestsPerDayPerProjectPerModel-FreeTier"]
    );
    let delay = retry_delay(&body);
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_secs(1),
        "{delay:?}"
    );
}

#[tokio::test]
async fn quotas_are_per_key_and_model_with_overrides() {
    let server = start(FakeConfig {
        api_keys: vec!["key-one-000000".into(), "key-two-000000".into()],
        limits: QuotaLimits {
            rpm: Some(1),
            ..QuotaLimits::UNLIMITED
        },
        model_limits: HashMap::from([("gemini-2.0-flash".to_owned(), QuotaLimits::UNLIMITED)]),
        ..FakeConfig::default()
    })
    .await;
    let call = |key: &'static str, model: &'static str| {
        let server = &server;
        async move {
            post(
                server,
                &format!("/v1beta/models/{model}:generateContent"),
                Some(key),
                &user_text("hi"),
            )
            .await
            .0
        }
    };
    assert_eq!(call("key-one-000000", "gemini-2.5-flash").await, 200);
    assert_eq!(call("key-one-000000", "gemini-2.5-flash").await, 429);
    assert_eq!(call("key-two-000000", "gemini-2.5-flash").await, 200);
    assert_eq!(call("key-one-000000", "gemini-2.5-pro").await, 200);
    for _ in 0..3 {
        assert_eq!(call("key-one-000000", "gemini-2.0-flash").await, 200);
    }
}

#[tokio::test]
async fn embeddings_have_their_own_quota_ids() {
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(1),
            ..QuotaLimits::UNLIMITED
        },
        ..FakeConfig::default()
    })
    .await;
    let body = json!({"requests": [{"model": "models/gemini-embedding-001",
        "content": {"parts": [{"text": "hello"}]}}]});
    let path = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
    assert_eq!(
        post(&server, path, Some(server.api_key()), &body).await.0,
        200
    );
    let (status, body) = post(&server, path, Some(server.api_key()), &body).await;
    assert_eq!(status, 429);
    assert_eq!(
        quota_ids(&body),
        ["EmbedContentRequestsPerMinutePerProjectPerModel-FreeTier"]
    );
}
