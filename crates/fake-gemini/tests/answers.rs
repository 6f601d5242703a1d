//! generateContent answers: schema conformance, determinism and usage accounting.

mod support;

use fake_gemini::schema::GENERIC_OPENERS;
use fake_gemini::{FakeConfig, FakeServer};
use serde_json::{json, Map, Value};
use support::{answer, ceil_div4, generate, start, user_text};

/// A small validator for the schema keywords the fake claims to honour, in both dialects.
fn check(schema: &Value, value: &Value, root: &Value, path: &str) {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => root.pointer(reference.trim_start_matches('#')).unwrap(),
        None => schema,
    };
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        assert!(values.contains(value), "{path}: {value} not in enum");
        return;
    }
    let number = |key: &str| match schema.get(key) {
        Some(Value::String(text)) => text.parse::<f64>().ok(),
        Some(other) => other.as_f64(),
        None => None,
    };
    let kind = match schema.get("type") {
        Some(Value::String(kind)) => kind.to_ascii_lowercase(),
        Some(Value::Array(kinds)) => kinds[0].as_str().unwrap().to_ascii_lowercase(),
        _ => "string".to_owned(),
    };
    match kind.as_str() {
        "object" => {
            let object = value
                .as_object()
                .unwrap_or_else(|| panic!("{path}: not an object"));
            let properties = schema["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (name, property) in &properties {
                let field = object
                    .get(name)
                    .unwrap_or_else(|| panic!("{path}.{name} missing"));
                check(property, field, root, &format!("{path}.{name}"));
            }
            assert!(
                object.keys().all(|key| properties.contains_key(key)),
                "{path}: extra keys"
            );
        }
        "array" => {
            let array = value
                .as_array()
                .unwrap_or_else(|| panic!("{path}: not an array"));
            if let Some(min) = number("minItems") {
                assert!(array.len() as f64 >= min, "{path}: too few items");
            }
            if let Some(max) = number("maxItems") {
                assert!(array.len() as f64 <= max, "{path}: too many items");
            }
            for (index, item) in array.iter().enumerate() {
                check(&schema["items"], item, root, &format!("{path}[{index}]"));
            }
        }
        "string" => {
            let text = value
                .as_str()
                .unwrap_or_else(|| panic!("{path}: not a string"));
            let len = text.chars().count() as f64;
            assert!(
                number("maxLength").is_none_or(|max| len <= max),
                "{path}: too long"
            );
            assert!(
                number("minLength").is_none_or(|min| len >= min),
                "{path}: too short"
            );
        }
        "integer" | "number" => {
            let n = value
                .as_f64()
                .unwrap_or_else(|| panic!("{path}: not a number"));
            if kind == "integer" {
                assert!(value.is_i64(), "{path}: not an integer");
            }
            assert!(
                number("minimum").is_none_or(|min| n >= min),
                "{path}: below minimum"
            );
            assert!(
                number("maximum").is_none_or(|max| n <= max),
                "{path}: above maximum"
            );
        }
        "boolean" => assert!(value.is_boolean(), "{path}: not a boolean"),
        other => panic!("{path}: unexpected type {other}"),
    }
}

fn json_request(prompt: &str, key: &str, schema: Value) -> Value {
    let mut request = user_text(prompt);
    request["generationConfig"] = json!({"responseMimeType": "application/json", key: schema});
    request
}

fn reply_schema(ids: &[&str]) -> Value {
    json!({
        "type": "object",
        "properties": {
            "replies": {
                "type": "array",
                "items": {"$ref": "#/$defs/Reply"}
            }
        },
        "required": ["replies"],
        "$defs": {
            "Reply": {
                "type": "object",
                "properties": {
                    "tone": {"type": "string", "enum": ["friendly", "witty", "curious"]},
                    "tweet_id": {"type": "string", "enum": ids},
                    "reply": {"type": "string", "maxLength": 140},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "hashtags": {"type": "array", "items": {"type": "string", "maxLength": 20},
                                 "minItems": 1, "maxItems": 2}
                },
                "required": ["tweet_id", "tone", "reply", "confidence", "hashtags"]
            }
        }
    })
}

#[tokio::test]
async fn json_schema_answers_conform_with_one_item_per_enum_id() {
    let server = start(FakeConfig::default()).await;
    let ids = ["1789", "1790", "1791", "1792", "1793"];
    let schema = reply_schema(&ids);
    let (status, body) = generate(
        &server,
        "gemini-2.5-flash",
        &json_request(
            "Suggest replies to these five tweets ...",
            "responseJsonSchema",
            schema.clone(),
        ),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let value: Value = serde_json::from_str(answer(&body)).expect("answer is JSON");
    check(&schema, &value, &schema, "$");

    let replies = value["replies"].as_array().unwrap();
    let got_ids: Vec<&str> = replies
        .iter()
        .map(|reply| reply["tweet_id"].as_str().unwrap())
        .collect();
    assert_eq!(got_ids, ids, "one item per enum value, in order");
    let texts: std::collections::HashSet<&str> = replies
        .iter()
        .map(|reply| reply["reply"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), ids.len(), "reply texts differ between items");
    for text in texts {
        assert!(
            text.contains(' ') && text.chars().count() >= 30,
            "plausible sentence: {text:?}"
        );
    }
    assert_eq!(body["candidates"][0]["finishReason"], "STOP");
}

#[tokio::test]
async fn openapi_schema_answers_conform() {
    let server = start(FakeConfig::default()).await;
    let schema = json!({
        "type": "OBJECT",
        "properties": {
            "summary": {"type": "STRING"},
            "score": {"type": "INTEGER", "minimum": 1, "maximum": 5},
            "labels": {"type": "ARRAY", "items": {"type": "STRING", "format": "enum",
                        "enum": ["spam", "question", "praise"]}, "minItems": "2", "maxItems": "2"},
            "flagged": {"type": "BOOLEAN", "nullable": true},
            "ideas": {"type": "ARRAY", "items": {"type": "OBJECT", "properties": {
                "text": {"type": "STRING", "maxLength": 50}}}, "minItems": 4}
        },
        "propertyOrdering": ["summary", "score", "labels", "flagged", "ideas"]
    });
    let (status, body) = generate(
        &server,
        "gemini-2.0-flash",
        &json_request("Classify this tweet", "responseSchema", schema.clone()),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let value: Value = serde_json::from_str(answer(&body)).unwrap();
    check(&schema, &value, &schema, "$");
    let summary = value["summary"].as_str().unwrap().chars().count();
    assert!(
        (60..=180).contains(&summary),
        "free strings are 60-180 chars, got {summary}"
    );
    assert_eq!(value["ideas"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn answers_are_deterministic_per_request() {
    let server = start(FakeConfig::default()).await;
    let schema = reply_schema(&["a", "b"]);
    let first = json_request("Prompt one", "responseJsonSchema", schema.clone());
    let (_, a) = generate(&server, "gemini-2.5-flash", &first).await;
    let (_, b) = generate(&server, "gemini-2.5-flash", &first).await;
    assert_eq!(answer(&a), answer(&b));
    let (_, c) = generate(
        &server,
        "gemini-2.5-flash",
        &json_request("Prompt two", "responseJsonSchema", schema),
    )
    .await;
    assert_ne!(answer(&a), answer(&c));
    assert_ne!(a["responseId"], b["responseId"], "response ids are unique");
}

#[tokio::test]
async fn plain_text_and_enum_answers() {
    let server = start(FakeConfig::default()).await;
    let (status, body) = generate(
        &server,
        "gemini-2.5-flash-lite",
        &user_text("Say something"),
    )
    .await;
    assert_eq!(status, 200);
    let text = answer(&body);
    assert!((60..=360).contains(&text.chars().count()));
    assert!(
        serde_json::from_str::<Value>(text).is_err(),
        "plain text is not JSON"
    );

    let mut request = user_text("Pick a tone");
    request["generationConfig"] = json!({"responseMimeType": "text/x.enum",
        "responseSchema": {"type": "STRING", "format": "enum", "enum": ["calm", "bold"]}});
    let (_, body) = generate(&server, "gemini-2.5-flash", &request).await;
    assert!(["calm", "bold"].contains(&answer(&body)));
}

#[tokio::test]
async fn usage_follows_the_character_rule() {
    let server = start(FakeConfig {
        thinking_tokens: 40,
        ..FakeConfig::default()
    })
    .await;
    let system = "You write short, kind replies.";
    let turns = [
        "First tweet text here",
        "An earlier answer",
        "Now reply to this one.",
    ];
    let request = json!({
        "systemInstruction": {"parts": [{"text": system}]},
        "contents": [
            {"role": "user", "parts": [{"text": turns[0]}]},
            {"role": "model", "parts": [{"text": turns[1]}]},
            {"role": "user", "parts": [{"text": turns[2]}]}
        ]
    });
    let (_, body) = generate(&server, "gemini-2.5-flash", &request).await;
    let chars = system.len() + turns.iter().map(|turn| turn.len()).sum::<usize>();
    let usage = &body["usageMetadata"];
    let output = ceil_div4(answer(&body).chars().count());
    assert_eq!(usage["promptTokenCount"], ceil_div4(chars));
    assert_eq!(usage["candidatesTokenCount"], output);
    assert_eq!(usage["thoughtsTokenCount"], 40);
    assert_eq!(usage["totalTokenCount"], ceil_div4(chars) + output + 40);
    assert!(
        usage.get("cachedContentTokenCount").is_none(),
        "zero counters are omitted"
    );
    assert_eq!(body["modelVersion"], "gemini-2.5-flash");

    // thinkingBudget 0 turns thinking off; 2.0 models reject a thinkingConfig.
    let mut no_thinking = request.clone();
    no_thinking["generationConfig"] = json!({"thinkingConfig": {"thinkingBudget": 0}});
    let (_, body) = generate(&server, "gemini-2.5-flash", &no_thinking).await;
    assert!(body["usageMetadata"].get("thoughtsTokenCount").is_none());
    let (status, body) = generate(&server, "gemini-2.0-flash", &no_thinking).await;
    assert_eq!(
        (status, &body["error"]["status"]),
        (400, &json!("INVALID_ARGUMENT"))
    );

    let billed = server.billing();
    assert_eq!(billed.len(), 2, "the 400 is not billed");
    assert_eq!(billed[0].prompt_tokens, ceil_div4(chars));
    assert_eq!(billed[0].output_tokens, output);
    assert_eq!(billed[0].thinking_tokens, 40);
}

#[tokio::test]
async fn thinking_can_exhaust_max_output_tokens() {
    let server = start(FakeConfig {
        thinking_tokens: 500,
        ..FakeConfig::default()
    })
    .await;
    let mut request = user_text("Explain briefly");
    request["generationConfig"] = json!({"maxOutputTokens": 200});
    let (status, body) = generate(&server, "gemini-2.5-flash", &request).await;
    assert_eq!(status, 200);
    let candidate = &body["candidates"][0];
    assert_eq!(candidate["finishReason"], "MAX_TOKENS");
    assert!(candidate["content"].get("parts").is_none());
    assert_eq!(body["usageMetadata"]["thoughtsTokenCount"], 200);

    // With room left after thinking the text is cut to fit.
    request["generationConfig"] = json!({"maxOutputTokens": 505});
    let (_, body) = generate(&server, "gemini-2.5-flash", &request).await;
    assert_eq!(body["candidates"][0]["finishReason"], "MAX_TOKENS");
    assert!(answer(&body).chars().count() <= 20);
}

#[tokio::test]
async fn candidate_count_and_empty_objects() {
    let server = start(FakeConfig::default()).await;
    let mut request = json_request("x", "responseJsonSchema", json!({"type": "object"}));
    request["generationConfig"]["candidateCount"] = json!(2);
    let (_, body) = generate(&server, "gemini-2.5-flash", &request).await;
    assert_eq!(body["candidates"].as_array().unwrap().len(), 2);
    assert_eq!(
        serde_json::from_str::<Value>(answer(&body)).unwrap(),
        Value::Object(Map::new())
    );
}

#[tokio::test]
async fn long_prompts_report_implicitly_cached_tokens() {
    let server = start(FakeConfig {
        cached_prompt_share: 0.75,
        ..FakeConfig::default()
    })
    .await;
    // 4096 characters: exactly 1024 tokens, the smallest cacheable prompt.
    let long = user_text(&"y".repeat(4096));
    let (status, body) = generate(&server, "gemini-2.5-flash", &long).await;
    assert_eq!(status, 200);
    let usage = &body["usageMetadata"];
    assert_eq!(
        usage["promptTokenCount"], 1024,
        "cached tokens stay in the prompt count"
    );
    assert_eq!(usage["cachedContentTokenCount"], 768);
    assert_eq!(usage["cacheTokensDetails"][0]["tokenCount"], 768);
    let output = usage["candidatesTokenCount"].as_u64().unwrap();
    assert_eq!(usage["totalTokenCount"], 1024 + output);

    // One token short of the minimum, and a model without implicit caching: nothing cached.
    let short = user_text(&"y".repeat(4092));
    let (_, body) = generate(&server, "gemini-2.5-flash", &short).await;
    assert!(body["usageMetadata"]
        .get("cachedContentTokenCount")
        .is_none());
    let (_, body) = generate(&server, "gemini-2.0-flash", &long).await;
    assert!(body["usageMetadata"]
        .get("cachedContentTokenCount")
        .is_none());

    let billed = server.billing();
    assert_eq!(
        billed
            .iter()
            .map(|call| (call.prompt_tokens, call.cached_tokens))
            .collect::<Vec<_>>(),
        [(1024, 768), (1023, 0), (1024, 0)]
    );
}

/// The engine's packed shape: one result per post id, each with one reply per type.
fn packed_schema(ids: &[String]) -> Value {
    json!({
        "type": "object",
        "properties": {
            "results": {
                "type": "array",
                "minItems": ids.len(),
                "maxItems": ids.len(),
                "items": {
                    "type": "object",
                    "properties": {
                        "post_id": {"type": "string", "enum": ids},
                        "replies": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "type": {"type": "string", "enum": ["question", "insight"]},
                                    "text": {"type": "string", "maxLength": 280}
                                },
                                "required": ["type", "text"]
                            }
                        }
                    },
                    "required": ["post_id", "replies"]
                }
            }
        },
        "required": ["results"]
    })
}

fn post_ids(count: usize) -> Vec<String> {
    (0..count).map(|index| format!("18{index:04}")).collect()
}

async fn packed_answer(server: &FakeServer, ids: &[String]) -> Value {
    let request = json_request(
        "Draft replies to these posts",
        "responseJsonSchema",
        packed_schema(ids),
    );
    let (status, body) = generate(server, "gemini-2.5-flash", &request).await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(answer(&body)).expect("answer is JSON")
}

fn result_ids(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["post_id"].as_str().unwrap().to_owned())
        .collect()
}

fn drafts(answer: &Value) -> Vec<String> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|result| result["replies"].as_array().unwrap().clone())
        .map(|reply| reply["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn omitted_posts_are_seeded_per_request_and_post() {
    let ids = post_ids(40);
    let config = |seed: u64| FakeConfig {
        omit_rate: 0.3,
        seed,
        ..FakeConfig::default()
    };
    let server = start(config(1)).await;
    let first = packed_answer(&server, &ids).await;
    let kept = result_ids(&first);
    assert!((16..=38).contains(&kept.len()), "{} of 40 kept", kept.len());
    // The survivors keep their order, and each still has every reply type.
    let order: Vec<&String> = ids.iter().filter(|id| kept.contains(id)).collect();
    assert_eq!(kept.iter().collect::<Vec<_>>(), order);
    for result in first["results"].as_array().unwrap() {
        assert_eq!(result["replies"].as_array().unwrap().len(), 2);
    }
    // Same request, same omissions; another seed, other omissions.
    assert_eq!(packed_answer(&server, &ids).await, first);
    let other = start(config(2)).await;
    assert_ne!(result_ids(&packed_answer(&other, &ids).await), kept);
    let all_gone = start(FakeConfig {
        omit_rate: 1.0,
        ..FakeConfig::default()
    })
    .await;
    assert!(result_ids(&packed_answer(&all_gone, &ids).await).is_empty());
    let none_gone = start(FakeConfig::default()).await;
    assert_eq!(result_ids(&packed_answer(&none_gone, &ids).await), ids);
}

#[tokio::test]
async fn empty_drafts_and_generic_openers() {
    let ids = post_ids(10);
    let clean = packed_answer(&start(FakeConfig::default()).await, &ids).await;

    let empty = start(FakeConfig {
        empty_draft_rate: 1.0,
        ..FakeConfig::default()
    })
    .await;
    let answer_with_empties = packed_answer(&empty, &ids).await;
    assert_eq!(result_ids(&answer_with_empties), ids, "ids and types stay");
    assert!(drafts(&answer_with_empties).iter().all(String::is_empty));

    let generic = start(FakeConfig {
        generic_opener_rate: 1.0,
        ..FakeConfig::default()
    })
    .await;
    let opened = drafts(&packed_answer(&generic, &ids).await);
    assert_eq!(opened.len(), 20);
    for (draft, original) in opened.iter().zip(drafts(&clean)) {
        let opener = GENERIC_OPENERS
            .iter()
            .find(|opener| draft.starts_with(**opener))
            .unwrap_or_else(|| panic!("no generic opener: {draft:?}"));
        assert!(draft.chars().count() <= 280);
        assert!(original.starts_with(draft[opener.len()..].trim_end_matches('.')));
    }
    // The openers are the phrases the engine rejects.
    let rejected = [
        "great point",
        "love this",
        "so true",
        "well said",
        "spot on",
    ];
    assert!(GENERIC_OPENERS.iter().any(|opener| rejected
        .iter()
        .any(|phrase| opener.to_lowercase().contains(phrase))));

    // At partial rates the answer mixes both, still deterministically.
    let mixed = start(FakeConfig {
        empty_draft_rate: 0.3,
        generic_opener_rate: 0.3,
        ..FakeConfig::default()
    })
    .await;
    let first = packed_answer(&mixed, &ids).await;
    assert_eq!(packed_answer(&mixed, &ids).await, first);
    let texts = drafts(&first);
    let empties = texts.iter().filter(|text| text.is_empty()).count();
    let openers = texts
        .iter()
        .filter(|text| {
            GENERIC_OPENERS
                .iter()
                .any(|opener| text.starts_with(opener))
        })
        .count();
    assert!((1..=14).contains(&empties), "{empties} empty of 20");
    assert!((1..=14).contains(&openers), "{openers} generic of 20");
}

#[tokio::test]
async fn draft_imperfections_respect_min_length() {
    let server = start(FakeConfig {
        empty_draft_rate: 1.0,
        ..FakeConfig::default()
    })
    .await;
    let mut schema = reply_schema(&["1", "2", "3"]);
    schema["$defs"]["Reply"]["properties"]["reply"]["minLength"] = json!(10);
    let request = json_request("x", "responseJsonSchema", schema.clone());
    let (_, body) = generate(&server, "gemini-2.5-flash", &request).await;
    let value: Value = serde_json::from_str(answer(&body)).unwrap();
    check(&schema, &value, &schema, "$");
}
