//! Quota windows under a fast time scale.

mod support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use fake_gemini::{FakeConfig, Fault, QuotaErrorStyle, QuotaLimits};
use serde_json::{json, Value};
use support::{detail, generate, post, start, user_text};

/// Parses `"13s"` / `"0.083s"`.
fn retry_delay(body: &Value) -> Duration {
    let text = detail(body, "RetryInfo")["retryDelay"].as_str().unwrap();
    Duration::from_secs_f64(text.strip_suffix('s').unwrap().parse().unwrap())
}

/// The QuotaFailure violations, or none when the 429 has no such detail.
fn violations(body: &Value) -> Vec<Value> {
    body["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|detail| detail["@type"] == "type.googleapis.com/google.rpc.QuotaFailure")
        .flat_map(|detail| detail["violations"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// The `@type` suffixes of an error's details, in order.
fn detail_kinds(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|detail| detail["@type"].as_str())
        .map(|kind| {
            kind.trim_start_matches("type.googleapis.com/google.rpc.")
                .to_owned()
        })
        .collect()
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
    let violation = &detail(&body, "QuotaFailure")["violations"][0];
    assert_eq!(
        violation["quotaMetric"],
        "generativelanguage.googleapis.com/generate_content_free_tier_requests"
    );
    assert_eq!(
        violation["quotaDimensions"],
        json!({"location": "global", "model": "gemini-2.5-pro"})
    );
    assert_eq!(violation["quotaValue"], "1");
    let delay = retry_delay(&body);
    assert!(
        delay > Duration::ZERO && delay <= Duration::from_secs(1),
        "{delay:?}"
    );
}

#[tokio::test]
async fn per_day_retry_info_is_the_long_wait_of_the_day_window() {
    // time_scale 1440: a quota day lasts 60 s and a minute 41.7 ms. After two calls the day is
    // full, and the 429 must say "come back in most of a minute", not a per-minute wait.
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(15),
            rpd: Some(2),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 1440.0,
        ..FakeConfig::default()
    })
    .await;
    for _ in 0..2 {
        assert_eq!(
            generate(&server, "gemini-2.5-flash", &user_text("a"))
                .await
                .0,
            200
        );
    }
    // Let the minute window empty so only the day limit is broken.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let (status, body) = generate(&server, "gemini-2.5-flash", &user_text("b")).await;
    assert_eq!(status, 429);
    let broken = violations(&body);
    assert_eq!(broken.len(), 1, "{body}");
    assert_eq!(
        broken[0]["quotaId"],
        "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
    );
    assert_eq!(broken[0]["quotaValue"], "2");
    let delay = retry_delay(&body);
    assert!(
        delay > Duration::from_secs(50) && delay <= Duration::from_secs(60),
        "{delay:?}"
    );
}

#[tokio::test]
async fn several_broken_limits_are_listed_together_with_the_longest_wait() {
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(1),
            tpm: Some(40),
            rpd: None,
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
        [
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "GenerateContentInputTokensPerModelPerMinute-FreeTier"
        ]
    );
    let values: Vec<Value> = violations(&body)
        .iter()
        .map(|violation| violation["quotaValue"].clone())
        .collect();
    assert_eq!(values, [json!("1"), json!("40")]);
    assert_eq!(detail_kinds(&body), ["Help", "QuotaFailure", "RetryInfo"]);

    // RPM and RPD broken together: the day's wait wins.
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(1),
            tpm: None,
            rpd: Some(1),
        },
        time_scale: 1440.0,
        ..FakeConfig::default()
    })
    .await;
    assert_eq!(
        generate(&server, "gemini-2.5-flash", &user_text("a"))
            .await
            .0,
        200
    );
    let (status, body) = generate(&server, "gemini-2.5-flash", &user_text("b")).await;
    assert_eq!(status, 429);
    assert_eq!(
        quota_ids(&body),
        [
            "GenerateRequestsPerMinutePerProjectPerModel-FreeTier",
            "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
        ]
    );
    assert!(retry_delay(&body) > Duration::from_secs(50), "{body}");
}

#[tokio::test]
async fn quota_error_style_trims_the_details_of_every_429() {
    for (style, kinds) in [
        (
            QuotaErrorStyle::Full,
            vec!["Help", "QuotaFailure", "RetryInfo"],
        ),
        (QuotaErrorStyle::HelpOnly, vec!["Help"]),
        (QuotaErrorStyle::Bare, vec![]),
    ] {
        let server = start(FakeConfig {
            limits: QuotaLimits {
                rpm: Some(2),
                ..QuotaLimits::UNLIMITED
            },
            quota_error_style: style,
            scripted_faults: vec![Fault::Http429, Fault::Http429Daily],
            ..FakeConfig::default()
        })
        .await;
        // Two injected 429s (each admitted against the quota first), then a real one.
        let mut bodies = Vec::new();
        for _ in 0..3 {
            let (status, body) = generate(&server, "gemini-2.5-flash", &user_text("a")).await;
            assert_eq!(status, 429, "{style}: {body}");
            assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
            assert!(body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("You exceeded your current quota"));
            bodies.push(body);
        }
        for body in &bodies {
            assert_eq!(detail_kinds(body), kinds, "{style}: {body}");
            if style == QuotaErrorStyle::Bare {
                assert!(body["error"].get("details").is_none());
            }
        }
        assert_eq!(server.stats().quota_rejections, 1, "{style}");
        assert!(server.billing().is_empty());
    }
}

#[tokio::test]
async fn injected_quota_faults_have_per_minute_per_day_and_bare_shapes() {
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(15),
            rpd: Some(20),
            ..QuotaLimits::UNLIMITED
        },
        // A day lasts 10 s.
        time_scale: 8640.0,
        fault_retry_delay: Duration::from_millis(1500),
        scripted_faults: vec![Fault::Http429, Fault::Http429Daily, Fault::Http429Bare],
        ..FakeConfig::default()
    })
    .await;
    let (status, minute) = generate(&server, "gemini-2.5-flash", &user_text("a")).await;
    assert_eq!(status, 429);
    let broken = violations(&minute);
    assert_eq!(
        broken[0]["quotaId"],
        "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
    );
    assert_eq!(broken[0]["quotaValue"], "15");
    assert_eq!(retry_delay(&minute), Duration::from_millis(1500));

    let (status, day) = generate(&server, "gemini-2.5-flash", &user_text("a")).await;
    assert_eq!(status, 429);
    let broken = violations(&day);
    assert_eq!(broken.len(), 1);
    assert_eq!(
        broken[0]["quotaId"],
        "GenerateRequestsPerDayPerProjectPerModel-FreeTier"
    );
    assert_eq!(
        broken[0]["quotaMetric"],
        "generativelanguage.googleapis.com/generate_content_free_tier_requests"
    );
    assert_eq!(
        broken[0]["quotaDimensions"],
        json!({"location": "global", "model": "gemini-2.5-flash"})
    );
    assert_eq!(broken[0]["quotaValue"], "20");
    assert_eq!(retry_delay(&day), Duration::from_secs(10), "a whole day");

    let (status, bare) = generate(&server, "gemini-2.5-flash", &user_text("a")).await;
    assert_eq!(status, 429);
    assert_eq!(bare["error"]["status"], "RESOURCE_EXHAUSTED");
    assert!(bare["error"].get("details").is_none(), "{bare}");

    assert!(server.billing().is_empty(), "injected 429s are free");
    assert_eq!(server.stats().faults_injected, 3);
    assert_eq!(server.stats().quota_rejections, 0);
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

/// A `batchEmbedContents` body of `count` texts.
fn embed_batch(count: usize) -> Value {
    let requests: Vec<Value> = (0..count)
        .map(|index| {
            json!({"model": "models/gemini-embedding-001",
                   "content": {"parts": [{"text": format!("text number {index}")}]}})
        })
        .collect();
    json!({ "requests": requests })
}

#[tokio::test]
async fn embedding_batches_count_one_request_per_item() {
    let server = start(FakeConfig {
        limits: QuotaLimits {
            rpm: Some(15),
            ..QuotaLimits::UNLIMITED
        },
        time_scale: 60.0,
        ..FakeConfig::default()
    })
    .await;
    let path = "/v1beta/models/gemini-embedding-001:batchEmbedContents";
    let key = Some(server.api_key());
    // A batch of 100 can never pass a 15-RPM quota.
    let (status, body) = post(&server, path, key, &embed_batch(100)).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(
        quota_ids(&body),
        ["EmbedContentRequestsPerMinutePerProjectPerModel-FreeTier"]
    );
    assert_eq!(violations(&body)[0]["quotaValue"], "15");
    // 10 + 5 fill the minute; one more text does not fit.
    assert_eq!(post(&server, path, key, &embed_batch(10)).await.0, 200);
    assert_eq!(post(&server, path, key, &embed_batch(5)).await.0, 200);
    let (status, body) = post(&server, path, key, &embed_batch(1)).await;
    assert_eq!(status, 429);
    let delay = retry_delay(&body);
    assert!(delay <= Duration::from_secs(1), "{delay:?}");
    assert_eq!(server.billing().len(), 2);
    assert_eq!(server.stats().quota_rejections, 2);
}
