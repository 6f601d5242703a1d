//! Parses an Apify item keeping only the fields the import reads. A real item is ~2 KB, most
//! of it the author's profile (pictures, banner, bio, counters, entities); building all of
//! that as a `Value` and dropping it again was most of the import's time. Skipped fields are
//! still checked as JSON by the parser, so an item reads exactly as before, just cheaper.

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The fields kept, by name; a nested `Pick` trims an object field the same way.
pub(crate) struct Pick(&'static [(&'static str, Option<&'static Pick>)]);

static AUTHOR: Pick = Pick(&[
    ("userName", None),
    ("name", None),
    ("id", None),
    ("followers", None),
    ("isVerified", None),
    ("isBlueVerified", None),
]);

/// An Apify item, or one X API page written as a JSON Lines line (`data`, `includes`, `meta`,
/// `errors` are kept whole for that).
pub(crate) static ITEM: Pick = Pick(&[
    ("type", None),
    ("id", None),
    ("noResults", None),
    ("text", None),
    ("fullText", None),
    ("createdAt", None),
    ("lang", None),
    ("likeCount", None),
    ("replyCount", None),
    ("retweetCount", None),
    ("quoteCount", None),
    ("bookmarkCount", None),
    ("viewCount", None),
    ("isReply", None),
    ("isRetweet", None),
    ("isQuote", None),
    ("isConversationControlled", None),
    ("author", Some(&AUTHOR)),
    ("data", None),
    ("includes", None),
    ("meta", None),
    ("errors", None),
]);

/// Parses one whole JSON value from `bytes`, trimmed to `pick`'s fields.
pub(crate) fn parse(bytes: &[u8], pick: &'static Pick) -> serde_json::Result<Value> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = pick.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

impl<'de> DeserializeSeed<'de> for &'static Pick {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(PickVisitor(self))
    }
}

struct PickVisitor(&'static Pick);

impl<'de> Visitor<'de> for PickVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Value>()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(slot) = map.next_key_seed(KeySlot(self.0))? {
            match slot.map(|i| self.0 .0[i]) {
                Some((name, Some(nested))) => {
                    out.insert(name.to_string(), map.next_value_seed(nested)?);
                }
                Some((name, None)) => {
                    out.insert(name.to_string(), map.next_value::<Value>()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Value::Object(out))
    }
}

/// Reads a key as the index of a kept field (None for the rest), without allocating it.
struct KeySlot(&'static Pick);

impl<'de> DeserializeSeed<'de> for KeySlot {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySlot {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0 .0.iter().position(|(name, _)| *name == v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_only_the_read_fields_and_every_kind_of_value() {
        let text = r#"{"type":"tweet","id":"1","text":"hi \"x\"","likeCount":3.5,"viewCount":-2,
            "entities":{"urls":[1,2]},"author":{"userName":"a","description":"long bio","followers":7,
            "pinnedTweetIds":["9"]},"isQuote":null,"data":[{"id":"5"}]}"#;
        let v = parse(text.as_bytes(), &ITEM).unwrap();
        assert_eq!(
            v,
            json!({"type":"tweet","id":"1","text":"hi \"x\"","likeCount":3.5,"viewCount":-2,
                   "author":{"userName":"a","followers":7},"isQuote":null,"data":[{"id":"5"}]})
        );
        assert_eq!(parse(b"null", &ITEM).unwrap(), Value::Null);
        assert_eq!(parse(b"[1, \"a\"]", &ITEM).unwrap(), json!([1, "a"]));
        assert_eq!(
            parse(br#"{"author":"ana"}"#, &ITEM).unwrap(),
            json!({"author":"ana"})
        );
    }

    #[test]
    fn skipped_fields_must_still_be_valid_json() {
        assert!(parse(br#"{"id":"1","entities":{"urls":[1,}}"#, &ITEM).is_err());
        assert!(parse(br#"{"id":"1"} trailing"#, &ITEM).is_err());
    }
}
