//! Generates JSON values that conform to a response schema.
//!
//! Accepts both dialects Gemini takes: `responseJsonSchema` (JSON Schema: lower-case types,
//! `$ref`/`$defs`, type arrays such as `["string", "null"]`) and `responseSchema` (OpenAPI
//! subset: upper-case types, `nullable`, integer bounds sometimes sent as strings).
//!
//! Convention for batched prompts: when an array's item schema has a property whose schema is
//! an `enum`, the array gets exactly one item per enum value, in enum order, with that
//! property set to the value. A caller that asks about several ids in one request therefore
//! gets one result per id. `minItems`/`maxItems` are ignored for such arrays.
//!
//! Real models fall short of that, so [`spoil`] can then make a packed answer imperfect the way
//! they do: posts left out (items of the outermost enum-keyed array, which breaks its
//! `minItems` on purpose), drafts returned empty, and drafts opening with a generic phrase.
//! "Drafts" are the free-text string properties (no `enum`, `const` or `format`) of an
//! enum-keyed array's items, such as a reply's `text`.
//!
//! Not supported (ignored): `pattern`, `multipleOf`, `uniqueItems`, `not`, `if/then/else`.

use serde_json::{Map, Value};

use crate::text::{fit_to_length, mix, stable_hash, text_between, SplitMix64, SENTENCE_CHARS};

/// Openers real models like to start a reply with. Each contains a phrase the engine's quality
/// check rejects as generic, so a draft with one is a draft the engine must throw away.
pub const GENERIC_OPENERS: &[&str] = &[
    "Great point! ",
    "Love this! ",
    "So true! ",
    "Well said! ",
    "Spot on! ",
    "This is gold. ",
    "Couldn't agree more! ",
    "Great thread! ",
];

/// Salts keep the three decisions about one item or draft independent.
const OMIT_SALT: u64 = 0x6f6d_6974;
const EMPTY_SALT: u64 = 0x0065_6d70_7479;
const OPENER_SALT: u64 = 0x6f70_656e_6572;

/// How far a packed answer falls short; all rates are probabilities in `[0, 1]` and 0 by
/// default. See [`crate::FakeConfig::omit_rate`] and its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Imperfections {
    /// Chance that an item of the outermost enum-keyed array (a post) is left out.
    pub omit_rate: f64,
    /// Chance that a draft is `""` (never where the schema sets a positive `minLength`).
    pub empty_draft_rate: f64,
    /// Chance that a non-empty draft starts with one of [`GENERIC_OPENERS`].
    pub generic_opener_rate: f64,
    /// Seeds every decision together with the item's enum value (post id) and the draft's
    /// place, so the same request is spoiled the same way every time.
    pub seed: u64,
}

impl Imperfections {
    fn is_none(&self) -> bool {
        [
            self.omit_rate,
            self.empty_draft_rate,
            self.generic_opener_rate,
        ]
        .iter()
        .all(|rate| rate.is_nan() || *rate <= 0.0)
    }
}

/// Applies `imperfections` to `value`, an answer conforming to `schema` (as
/// [`conforming_value`] makes it).
pub fn spoil(schema: &Value, value: &mut Value, imperfections: &Imperfections) {
    if imperfections.is_none() {
        return;
    }
    Filler { root: schema }.spoil(schema, value, imperfections.seed, false, imperfections, 0);
}

/// True with probability `rate`, decided by `place` and `salt` alone.
fn chance(place: u64, salt: u64, rate: f64) -> bool {
    rate > 0.0 && SplitMix64::new(mix(place, salt)).unit() < rate
}

/// Items in an array whose schema does not fix a count.
const DEFAULT_ARRAY_LEN: u64 = 3;
/// Stops runaway recursion through self-referencing `$ref`s.
const MAX_DEPTH: usize = 24;

/// A value conforming to `schema`, determined by `seed`.
pub fn conforming_value(schema: &Value, seed: u64) -> Value {
    Filler { root: schema }.value(schema, seed, "", 0)
}

/// The enum values of `schema` (after resolving `$ref`), if it is an enum.
pub fn enum_values(schema: &Value) -> Option<Vec<Value>> {
    Filler { root: schema }
        .enum_of(schema)
        .map(<[Value]>::to_vec)
}

struct Filler<'a> {
    root: &'a Value,
}

impl<'a> Filler<'a> {
    /// Follows `$ref` chains such as `#/$defs/Reply` within the root schema.
    fn resolve(&self, mut schema: &'a Value) -> &'a Value {
        for _ in 0..MAX_DEPTH {
            let Some(reference) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            match reference
                .strip_prefix('#')
                .and_then(|pointer| self.root.pointer(pointer))
            {
                Some(target) => schema = target,
                None => break,
            }
        }
        schema
    }

    fn enum_of(&self, schema: &'a Value) -> Option<&'a [Value]> {
        self.resolve(schema)
            .get("enum")
            .and_then(Value::as_array)
            .filter(|values| !values.is_empty())
            .map(Vec::as_slice)
    }

    fn value(&self, schema: &'a Value, seed: u64, name: &str, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        let schema = self.resolve(schema);
        if let Some(constant) = schema.get("const") {
            return constant.clone();
        }
        if let Some(values) = self.enum_of(schema) {
            return values[(seed % values.len() as u64) as usize].clone();
        }
        for keyword in ["anyOf", "oneOf"] {
            if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
                // Prefer a non-null alternative: a null answer is legal but useless.
                let option = options
                    .iter()
                    .find(|option| self.type_of(option).as_deref() != Some("null"))
                    .or(options.first());
                if let Some(option) = option {
                    return self.value(option, seed, name, depth + 1);
                }
            }
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            return self.value(&self.merged(parts), seed, name, depth + 1);
        }
        match self.type_of(schema).as_deref() {
            Some("object") => self.object(schema, seed, depth),
            Some("array") => self.array(schema, seed, name, depth),
            Some("integer") => integer(schema, seed),
            Some("number") => number(schema, seed),
            Some("boolean") => Value::Bool(seed & 1 == 1),
            Some("null") => Value::Null,
            _ => string(schema, mix(seed, stable_hash(name.as_bytes()))),
        }
    }

    /// Lower-cased type name; infers `object`/`array` from keywords when `type` is absent.
    fn type_of(&self, schema: &'a Value) -> Option<String> {
        let schema = self.resolve(schema);
        match schema.get("type") {
            Some(Value::String(kind)) => return Some(kind.to_ascii_lowercase()),
            Some(Value::Array(kinds)) => {
                let kinds: Vec<String> = kinds
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_ascii_lowercase)
                    .collect();
                return kinds
                    .iter()
                    .find(|kind| *kind != "null")
                    .or(kinds.first())
                    .cloned();
            }
            _ => {}
        }
        if schema.get("properties").is_some() {
            Some("object".to_owned())
        } else if schema.get("items").is_some() || schema.get("prefixItems").is_some() {
            Some("array".to_owned())
        } else {
            None
        }
    }

    /// Shallow merge of `allOf` members: properties and required lists are combined.
    fn merged(&self, parts: &'a [Value]) -> Value {
        let mut properties = Map::new();
        let mut required = Vec::new();
        let mut merged = Map::new();
        for part in parts {
            let Some(part) = self.resolve(part).as_object() else {
                continue;
            };
            for (key, value) in part {
                match key.as_str() {
                    "properties" => {
                        if let Some(props) = value.as_object() {
                            properties.extend(props.clone());
                        }
                    }
                    "required" => required.extend(value.as_array().cloned().unwrap_or_default()),
                    _ => {
                        merged.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        if !properties.is_empty() {
            merged.insert("type".to_owned(), Value::from("object"));
            merged.insert("properties".to_owned(), Value::Object(properties));
        }
        merged.insert("required".to_owned(), Value::Array(required));
        Value::Object(merged)
    }

    /// Property names in a stable, caller-meaningful order: `required`, then
    /// `propertyOrdering`, then the rest.
    fn property_names(&self, schema: &'a Value) -> Vec<&'a str> {
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Vec::new();
        };
        let listed = |key: &str| -> Vec<&'a str> {
            schema
                .get(key)
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default()
        };
        let mut names: Vec<&'a str> = Vec::new();
        let candidates = listed("required")
            .into_iter()
            .chain(listed("propertyOrdering"))
            .chain(properties.keys().map(String::as_str));
        for name in candidates {
            if properties.contains_key(name) && !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }

    fn object(&self, schema: &'a Value, seed: u64, depth: usize) -> Value {
        let mut object = Map::new();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
            return Value::Object(object);
        };
        for name in self.property_names(schema) {
            let property_seed = mix(seed, stable_hash(name.as_bytes()));
            let value = self.value(&properties[name], property_seed, name, depth + 1);
            object.insert(name.to_owned(), value);
        }
        Value::Object(object)
    }

    /// The first property (in [`Self::property_names`] order) of an object item schema whose
    /// schema is an enum, with its values.
    fn enum_key(&self, item_schema: &'a Value) -> Option<(&'a str, &'a [Value])> {
        let item_schema = self.resolve(item_schema);
        let properties = item_schema.get("properties")?.as_object()?;
        self.property_names(item_schema)
            .into_iter()
            .find_map(|name| self.enum_of(&properties[name]).map(|values| (name, values)))
    }

    /// Walks `value` along `schema`, applying `imperfections` to every enum-keyed array;
    /// `nested` is false until the first such array, whose items alone may be omitted.
    fn spoil(
        &self,
        schema: &'a Value,
        value: &mut Value,
        place: u64,
        nested: bool,
        imperfections: &Imperfections,
        depth: usize,
    ) {
        if depth > MAX_DEPTH {
            return;
        }
        let schema = self.resolve(schema);
        for keyword in ["anyOf", "oneOf"] {
            if let Some(options) = schema.get(keyword).and_then(Value::as_array) {
                // The same alternative `value` picked.
                let option = options
                    .iter()
                    .find(|option| self.type_of(option).as_deref() != Some("null"))
                    .or(options.first());
                if let Some(option) = option {
                    self.spoil(option, value, place, nested, imperfections, depth + 1);
                }
                return;
            }
        }
        match value {
            Value::Object(object) => {
                let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
                    return;
                };
                for (name, property) in properties {
                    if let Some(child) = object.get_mut(name) {
                        let child_place = mix(place, stable_hash(name.as_bytes()));
                        self.spoil(
                            property,
                            child,
                            child_place,
                            nested,
                            imperfections,
                            depth + 1,
                        );
                    }
                }
            }
            Value::Array(items) => {
                let Some(item_schema) = schema.get("items").filter(|items| items.is_object())
                else {
                    return;
                };
                let Some((key, _)) = self.enum_key(item_schema) else {
                    for (index, item) in items.iter_mut().enumerate() {
                        let item_place = mix(place, index as u64);
                        self.spoil(
                            item_schema,
                            item,
                            item_place,
                            nested,
                            imperfections,
                            depth + 1,
                        );
                    }
                    return;
                };
                // Keyed by the enum value (the post id), not the position, so dropping one
                // item does not change what happens to the others.
                let item_place = |item: &Value| {
                    let id = item.get(key).map(Value::to_string).unwrap_or_default();
                    mix(place, stable_hash(id.as_bytes()))
                };
                if !nested {
                    items.retain(|item| {
                        !chance(item_place(item), OMIT_SALT, imperfections.omit_rate)
                    });
                }
                for item in items.iter_mut() {
                    let place = item_place(item);
                    self.spoil_drafts(item_schema, item, place, imperfections);
                    self.spoil(item_schema, item, place, true, imperfections, depth + 1);
                }
            }
            _ => {}
        }
    }

    /// Empties or prefixes the drafts (free-text string properties) of one enum-keyed item.
    fn spoil_drafts(
        &self,
        item_schema: &'a Value,
        item: &mut Value,
        place: u64,
        imperfections: &Imperfections,
    ) {
        let item_schema = self.resolve(item_schema);
        let (Some(properties), Some(object)) = (
            item_schema.get("properties").and_then(Value::as_object),
            item.as_object_mut(),
        ) else {
            return;
        };
        for (name, property) in properties {
            let property = self.resolve(property);
            if !self.is_free_text(property) {
                continue;
            }
            let Some(Value::String(text)) = object.get_mut(name) else {
                continue;
            };
            let draft_place = mix(place, stable_hash(name.as_bytes()));
            let min = bound(property, "minLength").map_or(0, |min| min.max(0.0) as usize);
            if min == 0 && chance(draft_place, EMPTY_SALT, imperfections.empty_draft_rate) {
                text.clear();
                continue;
            }
            if text.is_empty()
                || !chance(draft_place, OPENER_SALT, imperfections.generic_opener_rate)
            {
                continue;
            }
            let mut rng = SplitMix64::new(mix(draft_place, OPENER_SALT.rotate_left(7)));
            let mut opened = format!("{}{text}", rng.pick(GENERIC_OPENERS));
            if let Some(max) = bound(property, "maxLength") {
                opened = fit_to_length(&opened, max.max(0.0) as usize);
            }
            if opened.chars().count() >= min {
                *text = opened;
            }
        }
    }

    /// A plain string a model writes freely, as opposed to an id, enum or formatted value.
    fn is_free_text(&self, schema: &'a Value) -> bool {
        let constrained = ["enum", "const", "format", "anyOf", "oneOf", "allOf"]
            .iter()
            .any(|keyword| schema.get(keyword).is_some());
        !constrained && self.type_of(schema).as_deref() == Some("string")
    }

    fn array(&self, schema: &'a Value, seed: u64, name: &str, depth: usize) -> Value {
        let items = schema.get("items").filter(|items| items.is_object());
        if let Some((key, values)) = items.and_then(|items| self.enum_key(items)) {
            let items = items.unwrap_or(&Value::Null);
            return Value::Array(
                values
                    .iter()
                    .map(|value| {
                        let item_seed = mix(seed, stable_hash(value.to_string().as_bytes()));
                        let mut item = self.value(items, item_seed, name, depth + 1);
                        if let Some(object) = item.as_object_mut() {
                            object.insert(key.to_owned(), value.clone());
                        }
                        item
                    })
                    .collect(),
            );
        }

        let min = bound(schema, "minItems").map_or(0, |min| min.max(0.0) as u64);
        let max = bound(schema, "maxItems").map(|max| max.max(0.0) as u64);
        let len = DEFAULT_ARRAY_LEN
            .max(min)
            .min(max.unwrap_or(u64::MAX))
            .max(min);
        let prefix = schema
            .get("prefixItems")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let items_allowed = schema.get("items") != Some(&Value::Bool(false));
        let fallback = Value::Object(Map::new());
        let mut array = Vec::new();
        for index in 0..len {
            let item_seed = mix(seed, index.wrapping_add(1));
            let item_schema = match prefix.get(index as usize) {
                Some(prefix_schema) => prefix_schema,
                None if items_allowed => items.unwrap_or(&fallback),
                None => break,
            };
            array.push(self.value(item_schema, item_seed, name, depth + 1));
        }
        Value::Array(array)
    }
}

/// A numeric keyword, accepting the OpenAPI habit of sending int64 values as strings.
fn bound(schema: &Value, key: &str) -> Option<f64> {
    match schema.get(key)? {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

/// One side of a numeric range.
#[derive(Debug, Clone, Copy)]
struct Limit {
    value: f64,
    exclusive: bool,
}

impl Limit {
    fn allows_above(self, n: f64) -> bool {
        if self.exclusive {
            n > self.value
        } else {
            n >= self.value
        }
    }

    fn allows_below(self, n: f64) -> bool {
        if self.exclusive {
            n < self.value
        } else {
            n <= self.value
        }
    }
}

/// Lower and upper limits. `exclusiveMinimum`/`exclusiveMaximum` are numbers in JSON Schema
/// 2020-12 and booleans in older drafts; both are handled.
fn limits(schema: &Value) -> (Option<Limit>, Option<Limit>) {
    let side = |inclusive: &str, exclusive: &str| match (
        bound(schema, inclusive),
        schema.get(exclusive),
    ) {
        (_, Some(Value::Number(limit))) => limit.as_f64().map(|value| Limit {
            value,
            exclusive: true,
        }),
        (Some(value), Some(Value::Bool(true))) => Some(Limit {
            value,
            exclusive: true,
        }),
        (Some(value), _) => Some(Limit {
            value,
            exclusive: false,
        }),
        (None, _) => None,
    };
    (
        side("minimum", "exclusiveMinimum"),
        side("maximum", "exclusiveMaximum"),
    )
}

fn integer(schema: &Value, seed: u64) -> Value {
    let (min, max) = limits(schema);
    let low = min.map(
        |Limit {
             value: limit,
             exclusive,
         }| {
            let low = limit.ceil() as i64;
            if exclusive && low as f64 == limit {
                low + 1
            } else {
                low
            }
        },
    );
    let high = max.map(
        |Limit {
             value: limit,
             exclusive,
         }| {
            let high = limit.floor() as i64;
            if exclusive && high as f64 == limit {
                high - 1
            } else {
                high
            }
        },
    );
    let (low, high) = match (low, high) {
        (Some(low), Some(high)) => (low, high.max(low)),
        (Some(low), None) => (low, low.saturating_add(100)),
        (None, Some(high)) => (
            if high >= 0 {
                0
            } else {
                high.saturating_sub(100)
            },
            high,
        ),
        (None, None) => (0, 100),
    };
    let span = (i128::from(high) - i128::from(low) + 1) as u128;
    let offset = (u128::from(seed) % span) as i128;
    Value::from((i128::from(low) + offset) as i64)
}

fn number(schema: &Value, seed: u64) -> Value {
    let (min, max) = limits(schema);
    let low = min.map_or(0.0, |limit| limit.value);
    let high = max.map_or(low + 100.0, |limit| limit.value).max(low);
    let mut rng = SplitMix64::new(seed);
    let raw = low + rng.unit() * (high - low);
    // Two decimals read naturally; fall back to the raw value if rounding breaks a bound.
    let rounded = (raw * 100.0).round() / 100.0;
    let in_bounds = |value: f64| {
        min.is_none_or(|limit| limit.allows_above(value))
            && max.is_none_or(|limit| limit.allows_below(value))
    };
    let value = if in_bounds(rounded) {
        rounded
    } else if in_bounds(raw) {
        raw
    } else {
        (low + high) / 2.0
    };
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn string(schema: &Value, seed: u64) -> Value {
    let mut rng = SplitMix64::new(seed);
    let formatted = match schema.get("format").and_then(Value::as_str) {
        Some("date-time") => Some(format!(
            "2025-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            1 + rng.below(12),
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60)
        )),
        Some("date") => Some(format!(
            "2025-{:02}-{:02}",
            1 + rng.below(12),
            1 + rng.below(28)
        )),
        Some("time") => Some(format!(
            "{:02}:{:02}:{:02}",
            rng.below(24),
            rng.below(60),
            rng.below(60)
        )),
        Some("email") => Some(format!("user{}@example.com", rng.below(10_000))),
        Some("uri") | Some("url") => {
            Some(format!("https://example.com/item/{}", rng.below(100_000)))
        }
        Some("uuid") => {
            let (a, b) = (rng.next_u64(), rng.next_u64());
            Some(format!(
                "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xffff,
                a & 0xfff,
                b >> 52,
                b & 0xffff_ffff_ffff
            ))
        }
        _ => None,
    };
    if let Some(text) = formatted {
        return Value::String(text);
    }
    let min = bound(schema, "minLength").map_or(0, |min| min.max(0.0) as usize);
    let max = bound(schema, "maxLength").map_or(*SENTENCE_CHARS.end(), |max| max.max(0.0) as usize);
    Value::String(text_between(rng.next_u64(), min, max.max(min)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integer_bounds_are_honoured() {
        for seed in 0..200 {
            let value = integer(
                &json!({"type": "integer", "minimum": 3, "maximum": 5}),
                seed,
            );
            assert!((3..=5).contains(&value.as_i64().unwrap()));
            let value = integer(&json!({"exclusiveMinimum": 0, "exclusiveMaximum": 2}), seed);
            assert_eq!(value.as_i64(), Some(1));
            let value = integer(&json!({"maximum": -5}), seed).as_i64().unwrap();
            assert!(value <= -5);
        }
    }

    #[test]
    fn number_bounds_are_honoured() {
        for seed in 0..200 {
            let value = number(&json!({"minimum": 0.1, "maximum": 0.105}), seed);
            let value = value.as_f64().unwrap();
            assert!((0.1..=0.105).contains(&value), "{value}");
        }
    }

    #[test]
    fn refs_and_nullable_types_resolve() {
        let schema = json!({
            "$defs": {"Tag": {"type": "string", "maxLength": 20}},
            "type": "object",
            "properties": {"tag": {"$ref": "#/$defs/Tag"}, "note": {"type": ["null", "string"]}}
        });
        let value = conforming_value(&schema, 1);
        assert!(value["tag"].as_str().unwrap().chars().count() <= 20);
        assert!(value["note"].is_string());
    }

    #[test]
    fn self_reference_terminates() {
        let schema = json!({"$ref": "#"});
        let _ = conforming_value(&schema, 1);
        let tree = json!({"type": "object", "properties": {"child": {"$ref": "#"}}});
        let _ = conforming_value(&tree, 1);
    }
}
