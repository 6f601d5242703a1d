//! Reading the model's answers back.

use serde_json::Value;
use thiserror::Error;

use crate::{unique, Draft, EXAMPLE_COUNT};

/// The answer's text could not be used at all. Retry the whole request.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ParseError {
    #[error("the answer is empty")]
    Empty,
    #[error("the answer is not valid JSON ({detail})")]
    NotJson { detail: String },
    #[error("the answer does not have the expected shape: {detail}")]
    WrongShape { detail: String },
}

impl ParseError {
    /// Stable snake_case code, for storage and UI branching.
    pub fn code(&self) -> &'static str {
        match self {
            ParseError::Empty => "empty_answer",
            ParseError::NotJson { .. } => "not_json",
            ParseError::WrongShape { .. } => "wrong_shape",
        }
    }

    fn shape(detail: &str) -> Self {
        ParseError::WrongShape {
            detail: detail.to_owned(),
        }
    }
}

/// What [`parse_answer`] found, per expected post.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ParsedAnswer {
    /// `(post id, drafts)` for each expected post with at least one usable draft, in the order
    /// of `expected_ids`; drafts in the order of `reply_types`, at most one per type.
    pub replies: Vec<(String, Vec<Draft>)>,
    /// Expected ids with no result, or only results without a usable draft, in the order of
    /// `expected_ids`: retry these (alone).
    pub missing: Vec<String>,
    /// Results ignored because their `post_id` was missing or not one of `expected_ids`.
    pub unknown_ids: usize,
}

/// Reads a reply-batch answer (see [`crate::response_schema`]).
///
/// Results are matched to posts by `post_id`, never by position, and may come in any order.
/// Results for unknown ids are counted and ignored; for a repeated id the first result with a
/// usable draft wins. Within a result, replies whose type was not requested (compared
/// ignoring ASCII case and surrounding spaces), with empty text, or repeating a type already
/// seen are dropped. The text may be wrapped in a Markdown ```` ```json ```` fence. A bare
/// list of results (without the `{"results": …}` wrapper) is accepted too.
///
/// Drafts are returned trimmed but not quality-checked: use [`crate::check_draft`].
pub fn parse_answer(
    text: &str,
    expected_ids: &[String],
    reply_types: &[&str],
) -> Result<ParsedAnswer, ParseError> {
    let value = parse_json(text)?;
    let results = match &value {
        Value::Object(object) => match object.get("results") {
            Some(Value::Array(results)) => results,
            Some(_) => return Err(ParseError::shape("\"results\" is not a list")),
            None => return Err(ParseError::shape("there is no \"results\" list")),
        },
        Value::Array(results) => results,
        _ => {
            return Err(ParseError::shape(
                "expected an object with a \"results\" list",
            ))
        }
    };

    let expected = unique(expected_ids.iter().map(String::as_str));
    let types = unique(reply_types.iter().copied());
    let mut found: Vec<Option<Vec<Draft>>> = vec![None; expected.len()];
    let mut unknown_ids = 0;
    for result in results {
        let index = result
            .get("post_id")
            .and_then(id_text)
            .and_then(|id| expected.iter().position(|expected| *expected == id));
        let Some(index) = index else {
            unknown_ids += 1;
            continue;
        };
        if found[index].is_some() {
            continue;
        }
        let drafts = drafts(result.get("replies"), &types);
        if !drafts.is_empty() {
            found[index] = Some(drafts);
        }
    }

    let mut answer = ParsedAnswer {
        unknown_ids,
        ..ParsedAnswer::default()
    };
    for (id, drafts) in expected.into_iter().zip(found) {
        match drafts {
            Some(drafts) => answer.replies.push((id.to_owned(), drafts)),
            None => answer.missing.push(id.to_owned()),
        }
    }
    Ok(answer)
}

/// Reads an examples answer (see [`crate::examples_request`]): a JSON list of strings, or an
/// object with an `"examples"` list, optionally in a ```` ```json ```` fence. Entries are
/// trimmed; blank, non-text and repeated (ignoring case) entries are dropped; at most
/// [`EXAMPLE_COUNT`] are kept. An answer with no usable entry is an error.
pub fn parse_examples(text: &str) -> Result<Vec<String>, ParseError> {
    let value = parse_json(text)?;
    let items = match &value {
        Value::Array(items) => items,
        Value::Object(object) => match object.get("examples") {
            Some(Value::Array(items)) => items,
            _ => return Err(ParseError::shape("expected a list of example posts")),
        },
        _ => return Err(ParseError::shape("expected a list of example posts")),
    };
    let mut examples: Vec<String> = Vec::new();
    for item in items {
        let Some(example) = item.as_str().map(str::trim) else {
            continue;
        };
        if example.is_empty()
            || examples
                .iter()
                .any(|kept| kept.to_lowercase() == example.to_lowercase())
        {
            continue;
        }
        examples.push(example.to_owned());
        if examples.len() == EXAMPLE_COUNT {
            break;
        }
    }
    if examples.is_empty() {
        return Err(ParseError::shape("the list has no example posts"));
    }
    Ok(examples)
}

/// Parses `text` as JSON, or failing that the inside of its first Markdown code fence.
fn parse_json(text: &str) -> Result<Value, ParseError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ParseError::Empty);
    }
    match serde_json::from_str(trimmed) {
        Ok(value) => Ok(value),
        Err(error) => match fenced(trimmed) {
            Some(inner) => serde_json::from_str(inner).map_err(|error| ParseError::NotJson {
                detail: error.to_string(),
            }),
            None => Err(ParseError::NotJson {
                detail: error.to_string(),
            }),
        },
    }
}

/// The body of the first ```` ``` ```` fence in `text` (language tag skipped), if any.
fn fenced(text: &str) -> Option<&str> {
    let start = text.find("```")?;
    let after = text[start + 3..].trim_start_matches('`');
    // A language tag such as `json` runs up to the end of the opening line.
    let tag_len = after
        .find(|c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '_')
        .unwrap_or(after.len());
    let body = &after[tag_len..];
    let end = body.find("```").unwrap_or(body.len());
    Some(body[..end].trim())
}

/// A post id as text: a string (trimmed) or, leniently, an integer.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(id) => Some(id.trim().to_owned()),
        Value::Number(id) if id.is_u64() || id.is_i64() => Some(id.to_string()),
        _ => None,
    }
}

/// The usable drafts of one result, ordered as `types`.
fn drafts(replies: Option<&Value>, types: &[&str]) -> Vec<Draft> {
    let mut by_type: Vec<Option<String>> = vec![None; types.len()];
    for reply in replies.and_then(Value::as_array).into_iter().flatten() {
        let reply_type = reply.get("type").and_then(Value::as_str).map(str::trim);
        let text = reply.get("text").and_then(Value::as_str).map(str::trim);
        let (Some(reply_type), Some(text)) = (reply_type, text) else {
            continue;
        };
        if text.is_empty() {
            continue;
        }
        let Some(index) = types
            .iter()
            .position(|wanted| wanted.eq_ignore_ascii_case(reply_type))
        else {
            continue;
        };
        if by_type[index].is_none() {
            by_type[index] = Some(text.to_owned());
        }
    }
    types
        .iter()
        .zip(by_type)
        .filter_map(|(reply_type, text)| {
            text.map(|text| Draft {
                reply_type: (*reply_type).to_owned(),
                text,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::REPLY_TYPES;
    use serde_json::json;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|id| (*id).to_owned()).collect()
    }

    fn result(id: &str, types: &[&str]) -> Value {
        json!({
            "post_id": id,
            "replies": types
                .iter()
                .map(|t| json!({"type": t, "text": format!("{t} reply to {id}")}))
                .collect::<Vec<_>>()
        })
    }

    fn draft(reply_type: &str, text: &str) -> Draft {
        Draft {
            reply_type: reply_type.to_owned(),
            text: text.to_owned(),
        }
    }

    #[test]
    fn complete_answer_in_order() {
        let answer = json!({"results": [result("1", &REPLY_TYPES), result("2", &REPLY_TYPES)]});
        let parsed = parse_answer(&answer.to_string(), &ids(&["1", "2"]), &REPLY_TYPES).unwrap();
        assert!(parsed.missing.is_empty());
        assert_eq!(parsed.unknown_ids, 0);
        assert_eq!(parsed.replies.len(), 2);
        assert_eq!(parsed.replies[0].0, "1");
        let types: Vec<&str> = parsed.replies[0]
            .1
            .iter()
            .map(|d| d.reply_type.as_str())
            .collect();
        assert_eq!(types, REPLY_TYPES);
        assert_eq!(
            parsed.replies[1].1[0],
            draft("add_value", "add_value reply to 2")
        );
    }

    #[test]
    fn shuffled_results_match_by_id_not_position() {
        let types = ["funny", "debate"];
        // Results and replies in reverse order.
        let answer = json!({"results": [
            result("c", &["debate", "funny"]),
            result("a", &["debate", "funny"]),
            result("b", &["funny", "debate"]),
        ]});
        let parsed = parse_answer(&answer.to_string(), &ids(&["a", "b", "c"]), &types).unwrap();
        let order: Vec<&str> = parsed.replies.iter().map(|(id, _)| id.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
        for (id, drafts) in &parsed.replies {
            assert_eq!(
                drafts,
                &vec![
                    draft("funny", &format!("funny reply to {id}")),
                    draft("debate", &format!("debate reply to {id}")),
                ]
            );
        }
    }

    #[test]
    fn missing_unknown_and_duplicate_ids() {
        let answer = json!({"results": [
            result("2", &["funny"]),
            {"post_id": "999", "replies": [{"type": "funny", "text": "injected"}]},
            {"post_id": "2", "replies": [{"type": "funny", "text": "second copy"}]},
            {"replies": [{"type": "funny", "text": "no id"}]},
            result("4", &["funny"]),
        ]});
        let parsed =
            parse_answer(&answer.to_string(), &ids(&["1", "2", "3", "4"]), &["funny"]).unwrap();
        assert_eq!(
            parsed.replies,
            vec![
                ("2".to_owned(), vec![draft("funny", "funny reply to 2")]),
                ("4".to_owned(), vec![draft("funny", "funny reply to 4")]),
            ]
        );
        assert_eq!(parsed.missing, ids(&["1", "3"]));
        assert_eq!(parsed.unknown_ids, 2);
    }

    #[test]
    fn result_without_usable_replies_is_missing_unless_a_later_copy_has_some() {
        let answer = json!({"results": [
            {"post_id": "1", "replies": [{"type": "relate", "text": "not requested"}]},
            {"post_id": "2", "replies": []},
            {"post_id": "3", "replies": [{"type": "funny", "text": "   "}]},
            {"post_id": "4"},
            {"post_id": "1", "replies": [{"type": "funny", "text": "later copy"}]},
        ]});
        let parsed =
            parse_answer(&answer.to_string(), &ids(&["1", "2", "3", "4"]), &["funny"]).unwrap();
        assert_eq!(
            parsed.replies,
            vec![("1".to_owned(), vec![draft("funny", "later copy")])]
        );
        assert_eq!(parsed.missing, ids(&["2", "3", "4"]));
        assert_eq!(parsed.unknown_ids, 0);
    }

    #[test]
    fn unrequested_malformed_and_repeated_reply_types_are_dropped() {
        let answer = json!({"results": [{"post_id": " 7 ", "replies": [
            {"type": "relate", "text": "not requested"},
            {"type": " ADD_VALUE ", "text": "  first add_value  "},
            {"type": "add_value", "text": "second add_value"},
            {"type": "debate"},
            {"text": "no type"},
            "just a string",
            {"type": "debate", "text": 42},
        ]}]});
        let parsed =
            parse_answer(&answer.to_string(), &ids(&["7"]), &["add_value", "debate"]).unwrap();
        assert_eq!(
            parsed.replies,
            vec![("7".to_owned(), vec![draft("add_value", "first add_value")])]
        );
        assert!(parsed.missing.is_empty());
    }

    #[test]
    fn fenced_and_bare_list_answers() {
        let body = json!({"results": [result("1", &["funny"])]}).to_string();
        for text in [
            format!("```json\n{body}\n```"),
            format!("```\n{body}\n```"),
            format!("Here you go:\n```JSON\n{body}\n```\nanything else"),
            format!("```json{body}```"),
        ] {
            let parsed = parse_answer(&text, &ids(&["1"]), &["funny"]).unwrap();
            assert_eq!(parsed.replies.len(), 1, "{text}");
        }
        let bare = json!([result("1", &["funny"])]).to_string();
        let parsed = parse_answer(&bare, &ids(&["1"]), &["funny"]).unwrap();
        assert_eq!(parsed.replies.len(), 1);
        // Numeric ids are accepted leniently.
        let numeric =
            r#"{"results": [{"post_id": 17, "replies": [{"type": "funny", "text": "x"}]}]}"#;
        let parsed = parse_answer(numeric, &ids(&["17"]), &["funny"]).unwrap();
        assert_eq!(parsed.replies[0].0, "17");
    }

    #[test]
    fn reply_text_with_backticks_is_not_mistaken_for_a_fence() {
        let answer = json!({"results": [{"post_id": "1", "replies": [
            {"type": "funny", "text": "Use ```code``` blocks"}
        ]}]});
        let parsed = parse_answer(&answer.to_string(), &ids(&["1"]), &["funny"]).unwrap();
        assert_eq!(parsed.replies[0].1[0].text, "Use ```code``` blocks");
    }

    #[test]
    fn empty_expected_ids_makes_everything_unknown() {
        let answer = json!({"results": [result("1", &["funny"])]});
        let parsed = parse_answer(&answer.to_string(), &[], &["funny"]).unwrap();
        assert!(parsed.replies.is_empty() && parsed.missing.is_empty());
        assert_eq!(parsed.unknown_ids, 1);
    }

    #[test]
    fn errors_in_plain_words() {
        let expected = ids(&["1"]);
        let error = parse_answer("", &expected, &["funny"]).unwrap_err();
        assert_eq!(error, ParseError::Empty);
        assert_eq!(error.to_string(), "the answer is empty");

        let error =
            parse_answer("Sorry, I can't help with that.", &expected, &["funny"]).unwrap_err();
        assert_eq!(error.code(), "not_json");
        assert!(error
            .to_string()
            .starts_with("the answer is not valid JSON ("));

        let error =
            parse_answer("```json\n{\"results\": [\n```", &expected, &["funny"]).unwrap_err();
        assert_eq!(error.code(), "not_json");

        for (text, detail) in [
            ("{\"answers\": []}", "there is no \"results\" list"),
            ("{\"results\": {}}", "\"results\" is not a list"),
            (
                "\"just text\"",
                "expected an object with a \"results\" list",
            ),
        ] {
            let error = parse_answer(text, &expected, &["funny"]).unwrap_err();
            assert_eq!(error.code(), "wrong_shape");
            assert_eq!(
                error.to_string(),
                format!("the answer does not have the expected shape: {detail}")
            );
        }
    }

    #[test]
    fn examples_are_parsed_trimmed_and_deduplicated() {
        let text = json!([
            "  Our CPMs doubled overnight after the iOS update, anyone else seeing this on Meta right now?  ",
            "Broad targeting plus strong creative beats interest stacking for most DTC brands we run ads for.",
            "broad targeting plus strong creative beats interest stacking for most DTC brands we run ads for.",
            "",
            7,
            "Advantage+ shopping campaigns finally worked for us once we fed them at least fifty conversions a week.",
        ])
        .to_string();
        let examples = parse_examples(&text).unwrap();
        assert_eq!(examples.len(), 3);
        assert!(examples[0].starts_with("Our CPMs doubled"));
        assert!(!examples[0].ends_with(' '));

        let wrapped = format!("```json\n{}\n```", json!({"examples": ["one", "two"]}));
        assert_eq!(parse_examples(&wrapped).unwrap(), ["one", "two"]);

        let many: Vec<String> = (0..8).map(|i| format!("example {i}")).collect();
        assert_eq!(
            parse_examples(&json!(many).to_string()).unwrap().len(),
            EXAMPLE_COUNT
        );
    }

    #[test]
    fn example_errors() {
        assert_eq!(parse_examples("  ").unwrap_err(), ParseError::Empty);
        assert_eq!(parse_examples("nope").unwrap_err().code(), "not_json");
        assert_eq!(
            parse_examples("{\"items\": []}").unwrap_err().to_string(),
            "the answer does not have the expected shape: expected a list of example posts"
        );
        assert_eq!(
            parse_examples("[\"\", 3]").unwrap_err().to_string(),
            "the answer does not have the expected shape: the list has no example posts"
        );
    }
}
