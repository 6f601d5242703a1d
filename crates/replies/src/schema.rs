//! JSON Schemas sent as `responseJsonSchema`.
//!
//! The batch schema makes the post id an `enum` of exactly the requested ids and the reply
//! type an `enum` of exactly the requested types, with array sizes pinned to match. Gemini's
//! constrained decoding then cannot invent ids or types, and the project's fake server (which
//! emits one array item per enum value of an item property) yields one result per post and
//! one reply per type.

use serde_json::{json, Value};

use crate::{unique, EXAMPLE_COUNT, MAX_REPLY_CHARS};

/// Upper bound on a reply's length in the schema: X's limit, looser than the
/// [`MAX_REPLY_CHARS`] the prompt asks for, so a slightly long reply is still returned (and
/// then filtered by [`crate::check_draft`]) rather than cut off mid-word.
const SCHEMA_MAX_TEXT_CHARS: usize = tweet_text::MAX_WEIGHTED_LENGTH;

/// The answer's shape for a batch of posts:
///
/// ```json
/// {"results": [{"post_id": "<one of post_ids>",
///               "replies": [{"type": "<one of reply_types>", "text": "..."}]}]}
/// ```
///
/// `results` holds exactly one entry per distinct post id and `replies` exactly one entry per
/// distinct reply type; every property is required and no other property is allowed.
/// Repeated ids or types are collapsed (an `enum` must not repeat values). With no ids (or no
/// types) the corresponding array is pinned to zero items.
pub fn response_schema(post_ids: &[String], reply_types: &[&str]) -> Value {
    let ids = unique(post_ids.iter().map(String::as_str));
    let types = unique(reply_types.iter().copied());

    let mut post_id = json!({
        "type": "string",
        "description": "The id of the post these replies answer, copied exactly from its <post> tag."
    });
    if !ids.is_empty() {
        post_id["enum"] = json!(ids);
    }
    let mut reply_type = json!({
        "type": "string",
        "description": "The reply type this reply is written for."
    });
    if !types.is_empty() {
        reply_type["enum"] = json!(types);
    }

    let reply = json!({
        "type": "object",
        "properties": {
            "type": reply_type,
            "text": {
                "type": "string",
                "description": format!("The reply itself, {}-{} characters.",
                    crate::MIN_REPLY_CHARS, MAX_REPLY_CHARS),
                // Models asked for several posts at once sometimes answer one with "";
                // a floor in the schema stops that before it is billed.
                "minLength": crate::MIN_REPLY_CHARS,
                "maxLength": SCHEMA_MAX_TEXT_CHARS
            }
        },
        "required": ["type", "text"],
        "additionalProperties": false,
        "propertyOrdering": ["type", "text"]
    });
    let result = json!({
        "type": "object",
        "properties": {
            "post_id": post_id,
            "replies": {
                "type": "array",
                "description": "Exactly one reply per requested reply type.",
                "items": reply,
                "minItems": types.len(),
                "maxItems": types.len()
            }
        },
        "required": ["post_id", "replies"],
        "additionalProperties": false,
        "propertyOrdering": ["post_id", "replies"]
    });
    json!({
        "type": "object",
        "properties": {
            "results": {
                "type": "array",
                "description": "Exactly one entry per post.",
                "items": result,
                "minItems": ids.len(),
                "maxItems": ids.len()
            }
        },
        "required": ["results"],
        "additionalProperties": false,
        "propertyOrdering": ["results"]
    })
}

/// The answer's shape for [`crate::examples_request`]: an array of exactly
/// [`EXAMPLE_COUNT`] strings.
pub fn examples_schema() -> Value {
    json!({
        "type": "array",
        "description": format!("Exactly {EXAMPLE_COUNT} example posts."),
        "items": {
            "type": "string",
            "description": "One example post, 15-25 words, no emoji, no hashtags.",
            "maxLength": SCHEMA_MAX_TEXT_CHARS
        },
        "minItems": EXAMPLE_COUNT,
        "maxItems": EXAMPLE_COUNT
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::REPLY_TYPES;

    fn ids(n: usize) -> Vec<String> {
        (1..=n)
            .map(|i| format!("17000000000000000{i:02}"))
            .collect()
    }

    fn results(schema: &Value) -> &Value {
        &schema["properties"]["results"]
    }

    #[test]
    fn single_post_schema() {
        let schema = response_schema(&ids(1), &REPLY_TYPES);
        let results = results(&schema);
        assert_eq!(results["minItems"], 1);
        assert_eq!(results["maxItems"], 1);
        let item = &results["items"];
        assert_eq!(
            item["properties"]["post_id"]["enum"],
            json!(["1700000000000000001"])
        );
        let replies = &item["properties"]["replies"];
        assert_eq!(replies["minItems"], 5);
        assert_eq!(replies["maxItems"], 5);
        assert_eq!(
            replies["items"]["properties"]["type"]["enum"],
            json!(REPLY_TYPES)
        );
        assert_eq!(replies["items"]["properties"]["text"]["maxLength"], 280);
    }

    #[test]
    fn five_post_schema_lists_every_id_once() {
        let post_ids = ids(5);
        let schema = response_schema(&post_ids, &["add_value", "ask_question"]);
        let results = results(&schema);
        assert_eq!(results["minItems"], 5);
        assert_eq!(results["maxItems"], 5);
        assert_eq!(
            results["items"]["properties"]["post_id"]["enum"],
            json!(post_ids)
        );
        let replies = &results["items"]["properties"]["replies"];
        assert_eq!(replies["minItems"], 2);
        assert_eq!(replies["maxItems"], 2);
    }

    #[test]
    fn every_object_is_closed_and_fully_required() {
        fn walk(schema: &Value, objects: &mut usize) {
            if schema["type"] == "object" {
                *objects += 1;
                assert_eq!(schema["additionalProperties"], false, "{schema}");
                let mut properties: Vec<&String> =
                    schema["properties"].as_object().unwrap().keys().collect();
                properties.sort();
                let mut required: Vec<&str> = schema["required"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|v| v.as_str().unwrap())
                    .collect();
                required.sort_unstable();
                assert_eq!(properties, required);
                assert_eq!(
                    schema["propertyOrdering"].as_array().unwrap().len(),
                    required.len()
                );
                for property in schema["properties"].as_object().unwrap().values() {
                    walk(property, objects);
                }
            }
            if let Some(items) = schema.get("items") {
                walk(items, objects);
            }
        }
        let mut objects = 0;
        walk(&response_schema(&ids(3), &REPLY_TYPES), &mut objects);
        assert_eq!(objects, 3);
    }

    #[test]
    fn repeated_ids_and_types_collapse() {
        let post_ids = vec!["a".to_owned(), "b".to_owned(), "a".to_owned()];
        let schema = response_schema(&post_ids, &["funny", "funny", "debate"]);
        let results = results(&schema);
        assert_eq!(results["maxItems"], 2);
        assert_eq!(
            results["items"]["properties"]["post_id"]["enum"],
            json!(["a", "b"])
        );
        let replies = &results["items"]["properties"]["replies"];
        assert_eq!(replies["maxItems"], 2);
        assert_eq!(
            replies["items"]["properties"]["type"]["enum"],
            json!(["funny", "debate"])
        );
    }

    #[test]
    fn no_ids_means_no_results_and_no_empty_enum() {
        let schema = response_schema(&[], &REPLY_TYPES);
        let results = results(&schema);
        assert_eq!(results["maxItems"], 0);
        assert!(results["items"]["properties"]["post_id"]
            .get("enum")
            .is_none());
    }

    #[test]
    fn examples_schema_is_five_strings() {
        let schema = examples_schema();
        assert_eq!(schema["type"], "array");
        assert_eq!(schema["items"]["type"], "string");
        assert_eq!(schema["minItems"], 5);
        assert_eq!(schema["maxItems"], 5);
    }
}
