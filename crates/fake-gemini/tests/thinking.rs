//! Gemini 3, aliases and the thinking rules of each model family.

mod support;

use fake_gemini::FakeConfig;
use serde_json::{json, Value};
use support::{answer, generate, get, start, user_text};

fn with_thinking(thinking: Value) -> Value {
    let mut request = user_text("Think about this post");
    request["generationConfig"] = json!({ "thinkingConfig": thinking });
    request
}

/// `thoughtsTokenCount` of a 200, 0 when absent.
fn thoughts(body: &Value) -> u64 {
    body["usageMetadata"]["thoughtsTokenCount"]
        .as_u64()
        .unwrap_or(0)
}

/// Asserts a 400 `INVALID_ARGUMENT` and returns its message.
fn invalid(result: (u16, Value)) -> String {
    let (status, body) = result;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"]["status"], "INVALID_ARGUMENT", "{body}");
    body["error"]["message"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn models_report_output_limits_thinking_and_aliases() {
    let server = start(FakeConfig::default()).await;
    let (status, page) = get(&server, "/v1beta/models", Some(server.api_key())).await;
    assert_eq!(status, 200);
    let models = page["models"].as_array().unwrap();
    for model in models {
        assert!(model["outputTokenLimit"].as_u64().unwrap() > 0, "{model}");
        // Proto3 JSON: true or absent, never false.
        assert!(
            model["thinking"] == true || model.get("thinking").is_none(),
            "{model}"
        );
        assert!(model["baseModelId"].is_string(), "{model}");
    }
    let find = |name: &str| {
        models
            .iter()
            .find(|model| model["name"] == format!("models/{name}"))
            .unwrap_or_else(|| panic!("{name} listed"))
            .clone()
    };
    for name in ["gemini-3-pro-preview", "gemini-3-flash-preview"] {
        let model = find(name);
        assert_eq!(model["inputTokenLimit"], 1_048_576);
        assert_eq!(model["outputTokenLimit"], 65_536);
        assert_eq!(model["thinking"], true);
    }
    assert_eq!(find("gemini-2.5-flash")["thinking"], true);
    assert_eq!(find("gemini-2.5-pro")["thinking"], true);
    assert!(find("gemini-2.0-flash").get("thinking").is_none());
    assert!(find("gemini-embedding-001").get("thinking").is_none());
    assert_eq!(find("gemini-2.0-flash")["outputTokenLimit"], 8_192);
    assert_eq!(
        find("gemini-flash-latest")["baseModelId"],
        "gemini-2.5-flash"
    );
    assert_eq!(
        find("gemini-pro-latest")["baseModelId"],
        "gemini-3-pro-preview"
    );
    let (status, alias) = get(
        &server,
        "/v1beta/models/gemini-pro-latest",
        Some(server.api_key()),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(alias["thinking"], true);
}

#[tokio::test]
async fn gemini_3_thinks_by_default_and_by_level() {
    let server = start(FakeConfig::default()).await;
    let plain = user_text("Think about this post");
    // No thinkingConfig at all: Gemini 3 still thinks, at `high` (4 x the 256 `low` default).
    let (status, body) = generate(&server, "gemini-3-pro-preview", &plain).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(thoughts(&body), 1024);
    assert_eq!(body["modelVersion"], "gemini-3-pro-preview");

    let level = |name: &str| with_thinking(json!({"thinkingLevel": name}));
    let flash = "gemini-3-flash-preview";
    let mut spends = Vec::new();
    for name in ["minimal", "low", "medium", "high"] {
        let (status, body) = generate(&server, flash, &level(name)).await;
        assert_eq!(status, 200, "{name}: {body}");
        spends.push(thoughts(&body));
    }
    assert_eq!(spends, [64, 256, 512, 1024]);
    // Upper-case enum names are accepted too.
    assert_eq!(
        thoughts(&generate(&server, flash, &level("LOW")).await.1),
        256
    );

    // Pro takes only low and high.
    let pro = "gemini-3-pro-preview";
    assert_eq!(
        thoughts(&generate(&server, pro, &level("low")).await.1),
        256
    );
    let message = invalid(generate(&server, pro, &level("minimal")).await);
    assert!(message.contains("low, high"), "{message}");
    invalid(generate(&server, pro, &level("medium")).await);
    invalid(generate(&server, flash, &level("extreme")).await);
    invalid(generate(&server, flash, &with_thinking(json!({"thinkingLevel": 3}))).await);

    // FakeConfig::thinking_tokens sets the `low` spend.
    let tuned = start(FakeConfig {
        thinking_tokens: 100,
        ..FakeConfig::default()
    })
    .await;
    assert_eq!(
        thoughts(&generate(&tuned, flash, &level("low")).await.1),
        100
    );
    assert_eq!(thoughts(&generate(&tuned, flash, &plain).await.1), 400);
    assert_eq!(
        thoughts(&generate(&tuned, flash, &level("minimal")).await.1),
        25
    );
}

#[tokio::test]
async fn thinking_configs_the_real_api_rejects() {
    let server = start(FakeConfig {
        thinking_tokens: 50,
        ..FakeConfig::default()
    })
    .await;
    let budget = |value: i64| with_thinking(json!({"thinkingBudget": value}));
    for pro in [
        "gemini-2.5-pro",
        "gemini-3-pro-preview",
        "gemini-pro-latest",
    ] {
        assert_eq!(
            invalid(generate(&server, pro, &budget(0)).await),
            "Budget 0 is invalid. This model only works in thinking mode.",
            "{pro}"
        );
    }
    // 2.5 Pro takes 128..=32768 (or -1).
    invalid(generate(&server, "gemini-2.5-pro", &budget(127)).await);
    invalid(generate(&server, "gemini-2.5-pro", &budget(32_769)).await);
    for ok in [128, 32_768, -1] {
        let (status, body) = generate(&server, "gemini-2.5-pro", &budget(ok)).await;
        assert_eq!(status, 200, "{ok}: {body}");
        assert_eq!(thoughts(&body), 50);
    }
    // Both knobs at once, and a level on a 2.5 model.
    let both = with_thinking(json!({"thinkingBudget": 1024, "thinkingLevel": "high"}));
    invalid(generate(&server, "gemini-3-flash-preview", &both).await);
    invalid(generate(&server, "gemini-2.5-flash", &both).await);
    let level = with_thinking(json!({"thinkingLevel": "low"}));
    invalid(generate(&server, "gemini-2.5-flash", &level).await);
    // 2.0 does not think at all.
    invalid(generate(&server, "gemini-2.0-flash", &budget(0)).await);
    assert!(server.billing().len() == 3, "400s are free");
}

#[tokio::test]
async fn flash_thinks_by_default_unless_budget_0_and_aliases_behave_as_their_target() {
    let server = start(FakeConfig {
        thinking_tokens: 300,
        ..FakeConfig::default()
    })
    .await;
    let plain = user_text("Think about this post");
    let off = with_thinking(json!({"thinkingBudget": 0}));
    for model in ["gemini-2.5-flash", "gemini-flash-latest"] {
        let (status, body) = generate(&server, model, &plain).await;
        assert_eq!(status, 200);
        assert_eq!(thoughts(&body), 300, "{model} thinks by default");
        assert_eq!(body["modelVersion"], "gemini-2.5-flash");
        assert_eq!(thoughts(&generate(&server, model, &off).await.1), 0);
        let capped = with_thinking(json!({"thinkingBudget": 200}));
        assert_eq!(thoughts(&generate(&server, model, &capped).await.1), 200);
    }
    // The alias gets the same answer as its target and is billed as the target.
    let (_, alias) = generate(&server, "gemini-flash-latest", &plain).await;
    let (_, target) = generate(&server, "gemini-2.5-flash", &plain).await;
    assert_eq!(answer(&alias), answer(&target));
    assert!(server
        .billing()
        .iter()
        .all(|call| call.model == "gemini-2.5-flash"));
    let (_, pro) = generate(&server, "gemini-pro-latest", &plain).await;
    assert_eq!(pro["modelVersion"], "gemini-3-pro-preview");
    assert_eq!(
        thoughts(&pro),
        1200,
        "Gemini 3 Pro thinks at high by default"
    );
}

#[tokio::test]
async fn gemini_3_thinking_eats_max_output_tokens() {
    let server = start(FakeConfig::default()).await;
    let mut request = user_text("Reply briefly");
    request["generationConfig"] = json!({"maxOutputTokens": 1000});
    let (status, body) = generate(&server, "gemini-3-pro-preview", &request).await;
    assert_eq!(status, 200);
    let candidate = &body["candidates"][0];
    assert_eq!(candidate["finishReason"], "MAX_TOKENS");
    assert!(candidate["content"].get("parts").is_none(), "{body}");
    assert_eq!(thoughts(&body), 1000);
    // At `low` there is room for the answer.
    request["generationConfig"]["thinkingConfig"] = json!({"thinkingLevel": "low"});
    let (_, body) = generate(&server, "gemini-3-pro-preview", &request).await;
    assert_eq!(body["candidates"][0]["finishReason"], "STOP");
    assert!(!answer(&body).is_empty());
}
