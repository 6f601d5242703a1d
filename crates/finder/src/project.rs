//! Project settings: what a marketer configures once per niche. The TOML file form round-trips
//! exactly (`project export` then `project create --from` gives the same project), and the
//! predecessor's `finder.yml` is accepted so its users can migrate.

use serde::{Deserialize, Serialize};

use crate::error::{FinderError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ReplyType {
    AddValue,
    AskQuestion,
    Funny,
    Debate,
    Relate,
}

impl ReplyType {
    pub const ALL: [ReplyType; 5] = [
        ReplyType::AddValue,
        ReplyType::AskQuestion,
        ReplyType::Funny,
        ReplyType::Debate,
        ReplyType::Relate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReplyType::AddValue => "add_value",
            ReplyType::AskQuestion => "ask_question",
            ReplyType::Funny => "funny",
            ReplyType::Debate => "debate",
            ReplyType::Relate => "relate",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct Topic {
    pub label: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct Voice {
    pub persona: String,
    pub rules: Vec<String>,
    pub good_examples: Vec<String>,
    pub bad_examples: Vec<String>,
}

impl Default for Voice {
    fn default() -> Self {
        Voice {
            persona: "helpful and informative".into(),
            rules: Vec::new(),
            good_examples: Vec::new(),
            bad_examples: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct Sources {
    /// Handles whose posts score higher (the predecessor's "whitelist").
    pub favour_authors: Vec<String>,
    /// Handles whose posts never cost a Gemini call.
    pub avoid_authors: Vec<String>,
    /// Whole words or phrases; a post containing one never costs a Gemini call.
    pub avoid_keywords: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct Weights {
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub velocity: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub relevance: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub openness: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub author: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            velocity: 0.35,
            relevance: 0.35,
            openness: 0.20,
            author: 0.10,
        }
    }
}

impl Weights {
    pub fn sum(&self) -> f64 {
        self.velocity + self.relevance + self.openness + self.author
    }
}

/// Label cut-offs on the 0–1 total. The predecessor shipped 0.72/0.55, but its velocity never
/// went below 0.5, which inflated totals; its users tuned down to 0.50/0.40. With velocity fixed
/// (a dead post scores ~0), 0.60/0.45 gives a similar share of greens on real-looking data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct Thresholds {
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub green: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub yellow: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            green: 0.60,
            yellow: 0.45,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct Generation {
    pub model: String,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub temperature: f64,
}

impl Default for Generation {
    fn default() -> Self {
        Generation {
            model: "gemini-2.5-flash".into(),
            temperature: 0.2,
        }
    }
}

/// Everything about a project. Field order is the order of the TOML file: plain keys first,
/// because TOML requires them before any table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
// serde's defaults are for reading project files; the window always gets and sends every
// field, so its TypeScript type has them all (`skip_attr`: specta ignores the serde attributes).
#[cfg_attr(feature = "specta", derive(specta::Type), specta(skip_attr = "serde"))]
pub struct ProjectSettings {
    #[serde(default)]
    pub name: String,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    #[serde(default = "default_reply_types")]
    pub reply_types: Vec<ReplyType>,
    #[serde(default)]
    pub topics: Vec<Topic>,
    #[serde(default)]
    pub voice: Voice,
    #[serde(default)]
    pub sources: Sources,
    #[serde(default)]
    pub weights: Weights,
    #[serde(default)]
    pub thresholds: Thresholds,
    #[serde(default)]
    pub generation: Generation,
}

fn default_languages() -> Vec<String> {
    vec!["en".into()]
}

fn default_reply_types() -> Vec<ReplyType> {
    ReplyType::ALL.to_vec()
}

/// A project file is a page of settings; anything larger was chosen by mistake.
pub const PROJECT_FILE_MAX_BYTES: u64 = 1024 * 1024;

/// Reads a project file (TOML or finder.yml) as text: at most [`PROJECT_FILE_MAX_BYTES`] are
/// ever read into memory, a byte-order mark is dropped, and anything but UTF-8 is refused.
pub fn read_project_file(path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let unreadable = |message: String| FinderError::FileUnreadable {
        path: path.to_path_buf(),
        message,
    };
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(PROJECT_FILE_MAX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > PROJECT_FILE_MAX_BYTES {
        return Err(FinderError::FileTooLarge {
            path: path.to_path_buf(),
            what: "a project file (a page of settings)",
            limit_kb: PROJECT_FILE_MAX_BYTES / 1024,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    String::from_utf8(bytes.to_vec()).map_err(|_| unreadable("it is not UTF-8 text".into()))
}

impl ProjectSettings {
    pub fn with_defaults(name: &str) -> Self {
        ProjectSettings {
            name: name.to_string(),
            languages: default_languages(),
            reply_types: default_reply_types(),
            topics: Vec::new(),
            voice: Voice::default(),
            sources: Sources::default(),
            weights: Weights::default(),
            thresholds: Thresholds::default(),
            generation: Generation::default(),
        }
    }

    /// Parses the TOML project file. Errors name the field and the line.
    pub fn from_toml(text: &str) -> Result<Self> {
        let mut settings: ProjectSettings = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|span| format!(" (line {})", line_of_offset(text, span.start)))
                .unwrap_or_default();
            FinderError::InvalidProject(format!(
                "The project file has a problem{place}: {}",
                e.message()
            ))
        })?;
        settings.normalise();
        settings.validate().map_err(|problem| {
            let place = problem
                .field_path
                .and_then(|path| line_of_toml_key(text, path))
                .map(|line| format!(" (line {line})"))
                .unwrap_or_default();
            FinderError::InvalidProject(format!(
                "The project file has a problem{place}: {}",
                problem.message
            ))
        })?;
        Ok(settings)
    }

    pub fn to_toml(&self) -> String {
        // Serialising plain data to TOML cannot fail for this shape (no maps with non-string
        // keys, no NaN once validated); fall back to an explanatory comment just in case.
        toml::to_string_pretty(self)
            .unwrap_or_else(|e| format!("# this project could not be written as TOML: {e}\n"))
    }

    /// Reads the predecessor's `finder.yml` (taxonomy/voice/sources/weights/thresholds/
    /// generation). Missing keys fall back to defaults, as they did there.
    pub fn from_predecessor_yaml(text: &str, name: &str) -> Result<Self> {
        let legacy: legacy::FinderYml = serde_yaml::from_str(text).map_err(|e| {
            let place = e
                .location()
                .map(|l| format!(" (line {})", l.line()))
                .unwrap_or_default();
            FinderError::InvalidProject(format!("The finder.yml file has a problem{place}: {e}"))
        })?;
        let mut settings = legacy.into_settings(name);
        settings.normalise();
        settings.validate().map_err(|problem| {
            FinderError::InvalidProject(format!(
                "The finder.yml file has a problem: {}",
                problem.message
            ))
        })?;
        Ok(settings)
    }

    /// Reads a project file, choosing the format by its content: TOML, or the predecessor's YAML.
    pub fn from_file_text(text: &str, file_name: &str, name: &str) -> Result<Self> {
        let looks_yaml = file_name.ends_with(".yml")
            || file_name.ends_with(".yaml")
            || text.lines().any(|l| l.starts_with("taxonomy:"));
        let mut settings = if looks_yaml {
            Self::from_predecessor_yaml(text, name)?
        } else {
            Self::from_toml(text)?
        };
        if !name.is_empty() {
            settings.name = name.to_string();
        }
        Ok(settings)
    }

    /// Canonical forms: handles without '@' in lower case, trimmed keywords, no duplicates.
    pub fn normalise(&mut self) {
        self.name = self.name.trim().to_string();
        for topic in self.topics.iter_mut() {
            topic.label = topic.label.trim().to_string();
        }
        for list in [
            &mut self.sources.favour_authors,
            &mut self.sources.avoid_authors,
        ] {
            for handle in list.iter_mut() {
                *handle = handle.trim().trim_start_matches('@').to_lowercase();
            }
            list.retain(|h| !h.is_empty());
            dedup_keep_order(list);
        }
        for keyword in self.sources.avoid_keywords.iter_mut() {
            *keyword = keyword.trim().to_lowercase();
        }
        self.sources.avoid_keywords.retain(|k| !k.is_empty());
        dedup_keep_order(&mut self.sources.avoid_keywords);
        for lang in self.languages.iter_mut() {
            *lang = lang.trim().to_lowercase();
        }
        self.languages.retain(|l| !l.is_empty());
        dedup_keep_order(&mut self.languages);
        let mut seen = Vec::new();
        self.reply_types.retain(|t| {
            let fresh = !seen.contains(t);
            seen.push(*t);
            fresh
        });
        if let Some(rest) = self.generation.model.strip_prefix("models/") {
            self.generation.model = rest.to_string();
        }
    }

    pub fn validate(&self) -> std::result::Result<(), Problem> {
        let w = &self.weights;
        for (field, value) in [
            ("weights.velocity", w.velocity),
            ("weights.relevance", w.relevance),
            ("weights.openness", w.openness),
            ("weights.author", w.author),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(Problem::at(
                    field,
                    format!("{field} must be between 0 and 1, not {value}"),
                ));
            }
        }
        if w.sum() <= 0.0 {
            return Err(Problem::at(
                "weights.velocity",
                "at least one weight must be above 0".into(),
            ));
        }
        let t = &self.thresholds;
        for (field, value) in [
            ("thresholds.green", t.green),
            ("thresholds.yellow", t.yellow),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return Err(Problem::at(
                    field,
                    format!("{field} must be between 0 and 1, not {value}"),
                ));
            }
        }
        if t.yellow > t.green {
            return Err(Problem::at(
                "thresholds.yellow",
                format!(
                    "thresholds.yellow ({}) must not be above thresholds.green ({})",
                    t.yellow, t.green
                ),
            ));
        }
        if !(0.0..=2.0).contains(&self.generation.temperature) {
            return Err(Problem::at(
                "generation.temperature",
                format!(
                    "generation.temperature must be between 0 and 2, not {}",
                    self.generation.temperature
                ),
            ));
        }
        if self.generation.model.trim().is_empty() {
            return Err(Problem::at(
                "generation.model",
                "generation.model must name a model".into(),
            ));
        }
        if self.reply_types.is_empty() {
            return Err(Problem::at(
                "reply_types",
                "reply_types must list at least one reply type".into(),
            ));
        }
        let mut labels: Vec<String> = Vec::new();
        for (i, topic) in self.topics.iter().enumerate() {
            let label = topic.label.trim();
            if label.is_empty() {
                return Err(Problem::at(
                    "topics",
                    format!("topic number {} has no label", i + 1),
                ));
            }
            if labels.contains(&topic_key(label)) {
                return Err(Problem::at(
                    "topics",
                    format!("the topic \"{label}\" is listed twice"),
                ));
            }
            labels.push(topic_key(label));
        }
        Ok(())
    }
}

/// One thing to fix in a project's settings, for the editor: which part of the form
/// ("name", "topics.0.label", "weights", "thresholds", "reply_types", "generation") and what
/// to do, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SettingsProblem {
    pub field: String,
    pub message: String,
}

impl ProjectSettings {
    /// Everything that would stop these settings from being saved, in the editor's words and
    /// in the order of the form (empty when they can be saved). `validate` says the first
    /// problem for files and the CLI; this lists all of them while the person types.
    pub fn problems(&self) -> Vec<SettingsProblem> {
        let mut problems = Vec::new();
        let mut add =
            |field: String, message: String| problems.push(SettingsProblem { field, message });
        if self.name.trim().is_empty() {
            add("name".into(), "Give the project a name.".into());
        }
        let mut labels: Vec<String> = Vec::new();
        for (i, topic) in self.topics.iter().enumerate() {
            let label = topic_key(&topic.label);
            if label.is_empty() {
                add(
                    format!("topics.{i}.label"),
                    format!("Topic {} needs a name.", i + 1),
                );
            } else if labels.contains(&label) {
                add(
                    format!("topics.{i}.label"),
                    format!("There are two topics called \"{}\".", topic.label.trim()),
                );
            }
            labels.push(label);
        }
        let w = &self.weights;
        let weights = [w.velocity, w.relevance, w.openness, w.author];
        if weights.iter().any(|x| !x.is_finite() || *x < 0.0) {
            add("weights".into(), "Weights can't be negative.".into());
        } else if weights.iter().all(|x| *x == 0.0) {
            add(
                "weights".into(),
                "At least one weight must be above zero.".into(),
            );
        } else if weights.iter().any(|x| *x > 1.0) {
            add("weights".into(), "Weights can't be above 1.".into());
        }
        let t = &self.thresholds;
        if ![t.green, t.yellow]
            .iter()
            .all(|x| x.is_finite() && (0.0..=1.0).contains(x))
        {
            add(
                "thresholds".into(),
                "Thresholds must be between 0 and 1.".into(),
            );
        } else if t.yellow > t.green {
            add(
                "thresholds".into(),
                "The yellow threshold can't be above the green one.".into(),
            );
        }
        if self.reply_types.is_empty() {
            add("reply_types".into(), "Pick at least one reply type.".into());
        }
        let temperature = self.generation.temperature;
        if !(temperature.is_finite() && (0.0..=2.0).contains(&temperature)) {
            add(
                "generation".into(),
                "Creativity must be between 0 and 2.".into(),
            );
        } else if self.generation.model.trim().is_empty() {
            add("generation".into(), "Choose a model.".into());
        }
        problems
    }
}

/// Two topics are the same when their labels match ignoring case and surrounding spaces (one
/// rule for `validate` and `problems`).
fn topic_key(label: &str) -> String {
    label.trim().to_lowercase()
}

/// A validation failure with the dotted path of the field it concerns, used to find its line.
#[derive(Debug)]
pub struct Problem {
    pub field_path: Option<&'static str>,
    pub message: String,
}

impl Problem {
    fn at(field_path: &'static str, message: String) -> Self {
        Problem {
            field_path: Some(field_path),
            message,
        }
    }
}

fn dedup_keep_order(list: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    list.retain(|item| seen.insert(item.clone()));
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Finds the line of `table.key` (or of a top-level `key`) in a TOML text, for error messages.
fn line_of_toml_key(text: &str, path: &str) -> Option<usize> {
    let (table, key) = match path.split_once('.') {
        Some((table, key)) => (Some(table), key),
        None => (None, path),
    };
    let mut current_table: Option<String> = None;
    for (index, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            current_table = Some(
                line.trim_matches(|c| c == '[' || c == ']')
                    .trim()
                    .to_string(),
            );
            if table.is_none() && current_table.as_deref() == Some(key) {
                return Some(index + 1);
            }
            continue;
        }
        let Some((lhs, _)) = line.split_once('=') else {
            continue;
        };
        if lhs.trim() == key && current_table.as_deref() == table {
            return Some(index + 1);
        }
    }
    None
}

/// The predecessor's `finder.yml` shape, kept separate so the new format owes it nothing.
mod legacy {
    use super::*;

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    pub struct FinderYml {
        taxonomy: Vec<LegacyTopic>,
        voice: Option<LegacyVoice>,
        sources: Option<LegacySources>,
        weights: Option<LegacyWeights>,
        thresholds: Option<LegacyThresholds>,
        generation: Option<LegacyGeneration>,
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    struct LegacyTopic {
        label: String,
        description: String,
        exemplars: Vec<String>,
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    struct LegacyVoice {
        persona: Option<String>,
        constraints: Vec<String>,
        examples: LegacyExamples,
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    struct LegacyExamples {
        good: Vec<String>,
        bad: Vec<String>,
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    struct LegacySources {
        whitelist_handles: Vec<String>,
        blacklist_handles: Vec<String>,
        blacklist_keywords: Vec<String>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(default)]
    struct LegacyWeights {
        velocity: f64,
        relevance: f64,
        openness: f64,
        author_quality: f64,
    }

    impl Default for LegacyWeights {
        fn default() -> Self {
            let w = Weights::default();
            LegacyWeights {
                velocity: w.velocity,
                relevance: w.relevance,
                openness: w.openness,
                author_quality: w.author,
            }
        }
    }

    #[derive(Debug, Deserialize)]
    #[serde(default)]
    struct LegacyThresholds {
        green_min: f64,
        yellow_min: f64,
    }

    impl Default for LegacyThresholds {
        fn default() -> Self {
            // A file that never chose thresholds gets today's defaults: the old 0.72/0.55
            // were tuned for the old, inflated velocity and made almost nothing green.
            let t = Thresholds::default();
            LegacyThresholds {
                green_min: t.green,
                yellow_min: t.yellow,
            }
        }
    }

    #[derive(Debug, Deserialize, Default)]
    #[serde(default)]
    struct LegacyGeneration {
        temperature: Option<f64>,
        model: Option<String>,
        // max_tokens is read and dropped: 80 was too small once thinking tokens count.
        #[allow(dead_code)]
        max_tokens: Option<u64>,
    }

    impl FinderYml {
        pub fn into_settings(self, name: &str) -> ProjectSettings {
            let mut s = ProjectSettings::with_defaults(name);
            s.topics = self
                .taxonomy
                .into_iter()
                .map(|t| Topic {
                    label: t.label,
                    description: t.description,
                    examples: t.exemplars,
                })
                .collect();
            if let Some(v) = self.voice {
                if let Some(persona) = v.persona {
                    s.voice.persona = persona;
                }
                s.voice.rules = v.constraints;
                s.voice.good_examples = v.examples.good;
                s.voice.bad_examples = v.examples.bad;
            }
            if let Some(src) = self.sources {
                s.sources.favour_authors = src.whitelist_handles;
                s.sources.avoid_authors = src.blacklist_handles;
                s.sources.avoid_keywords = src.blacklist_keywords;
            }
            if let Some(w) = self.weights {
                s.weights = Weights {
                    velocity: w.velocity,
                    relevance: w.relevance,
                    openness: w.openness,
                    author: w.author_quality,
                };
            }
            if let Some(t) = self.thresholds {
                s.thresholds = Thresholds {
                    green: t.green_min,
                    yellow: t.yellow_min,
                };
            }
            if let Some(g) = self.generation {
                if let Some(t) = g.temperature {
                    s.generation.temperature = t;
                }
                if let Some(m) = g.model {
                    s.generation.model = m;
                }
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(label: &str) -> Topic {
        Topic {
            label: label.into(),
            description: String::new(),
            examples: vec![],
        }
    }

    fn fields(s: &ProjectSettings) -> Vec<String> {
        s.problems().into_iter().map(|p| p.field).collect()
    }

    #[test]
    fn new_settings_have_the_defaults_and_no_problems() {
        let s = ProjectSettings::with_defaults("Acme");
        assert_eq!(
            (
                s.weights.velocity,
                s.weights.relevance,
                s.weights.openness,
                s.weights.author
            ),
            (0.35, 0.35, 0.2, 0.1)
        );
        assert_eq!((s.thresholds.green, s.thresholds.yellow), (0.6, 0.45));
        assert_eq!(s.reply_types.len(), 5);
        assert_eq!(s.problems(), vec![]);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn problems_list_what_the_engine_would_refuse_in_plain_words() {
        let mut s = ProjectSettings::with_defaults("  ");
        s.topics = vec![topic("Cold email"), topic("cold email "), topic("")];
        s.thresholds.green = 0.4;
        s.thresholds.yellow = 0.5;
        s.weights = Weights {
            velocity: 0.0,
            relevance: 0.0,
            openness: 0.0,
            author: 0.0,
        };
        s.reply_types.clear();
        assert_eq!(
            fields(&s),
            vec![
                "name",
                "topics.1.label",
                "topics.2.label",
                "weights",
                "thresholds",
                "reply_types"
            ]
        );
        let thresholds = s.problems().into_iter().find(|p| p.field == "thresholds");
        assert_eq!(
            thresholds.unwrap().message,
            "The yellow threshold can't be above the green one."
        );
        assert!(s.validate().is_err());
    }

    #[test]
    fn problems_catch_negative_weights_and_thresholds_outside_0_to_1() {
        let mut s = ProjectSettings::with_defaults("x");
        s.weights.author = -1.0;
        s.thresholds.green = 1.5;
        assert_eq!(fields(&s), vec!["weights", "thresholds"]);
        // Whatever `validate` refuses, `problems` names too.
        let mut t = ProjectSettings::with_defaults("x");
        t.generation.temperature = 3.0;
        assert!(t.validate().is_err());
        assert_eq!(fields(&t), vec!["generation"]);
    }

    #[test]
    fn defaults_round_trip_through_toml() {
        let mut s = ProjectSettings::with_defaults("Acme");
        s.topics.push(Topic {
            label: "cold email".into(),
            description: "Outbound \"deliverability\"\nand sequences".into(),
            examples: vec!["Reply rates fell 40% after we dropped the PS line".into()],
        });
        s.sources.avoid_keywords = vec!["giveaway".into()];
        s.thresholds.green = 0.7;
        let text = s.to_toml();
        let back = ProjectSettings::from_toml(&text).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn missing_sections_take_defaults() {
        let s = ProjectSettings::from_toml("name = \"x\"\n").unwrap();
        assert_eq!(s.weights, Weights::default());
        assert_eq!(s.reply_types.len(), 5);
        assert_eq!(s.languages, vec!["en".to_string()]);
    }

    #[test]
    fn wrong_type_names_field_and_line() {
        let text = "name = \"x\"\n\n[weights]\nvelocity = \"high\"\n";
        let err = ProjectSettings::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("line 4"), "{err}");
        assert!(
            err.contains("velocity") || err.contains("f64") || err.contains("float"),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_is_reported() {
        let text = "name = \"x\"\n[thresholds]\ngreen = 0.7\nbrown = 0.1\n";
        let err = ProjectSettings::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("brown") && err.contains("line 4"), "{err}");
    }

    #[test]
    fn out_of_range_value_names_field_and_line() {
        let text = "name = \"x\"\n[thresholds]\ngreen = 0.5\nyellow = 0.8\n";
        let err = ProjectSettings::from_toml(text).unwrap_err().to_string();
        assert!(
            err.contains("thresholds.yellow") && err.contains("line 4"),
            "{err}"
        );
    }

    #[test]
    fn predecessor_yaml_maps_every_section() {
        let yml = r#"
taxonomy:
  - label: "facebook ads"
    description: "Paid acquisition on Meta"
    exemplars: []
voice:
  persona: "direct, practical"
  constraints: ["no profanity"]
  examples:
    good: ["CPM isn't your bottleneck"]
    bad: ["Wow amazing insight!"]
sources:
  whitelist_handles: ["@SomeOne"]
  blacklist_keywords: ["Giveaway"]
weights: {velocity: 0.4, relevance: 0.3, openness: 0.2, author_quality: 0.1}
thresholds: {green_min: 0.5, yellow_min: 0.4}
generation: {temperature: 0.3, max_tokens: 80, model: "models/gemini-flash-latest"}
"#;
        let s = ProjectSettings::from_predecessor_yaml(yml, "Old").unwrap();
        assert_eq!(s.name, "Old");
        assert_eq!(s.topics[0].label, "facebook ads");
        assert_eq!(s.voice.rules, vec!["no profanity"]);
        assert_eq!(s.sources.favour_authors, vec!["someone"]);
        assert!(
            s.sources.avoid_authors.is_empty(),
            "whitelist must not become the blacklist"
        );
        assert_eq!(s.sources.avoid_keywords, vec!["giveaway"]);
        assert_eq!(s.weights.velocity, 0.4);
        assert_eq!(
            s.thresholds,
            Thresholds {
                green: 0.5,
                yellow: 0.4
            }
        );
        assert_eq!(s.generation.model, "gemini-flash-latest");
        assert_eq!(s.generation.temperature, 0.3);
    }

    #[test]
    fn predecessor_yaml_without_thresholds_gets_todays_defaults() {
        let s = ProjectSettings::from_predecessor_yaml("taxonomy: []\n", "Old").unwrap();
        assert_eq!(s.thresholds, Thresholds::default());
        let s = ProjectSettings::from_predecessor_yaml("thresholds: {green_min: 0.8}\n", "Old")
            .unwrap();
        assert_eq!(s.thresholds.green, 0.8);
        assert_eq!(s.thresholds.yellow, Thresholds::default().yellow);
    }

    #[test]
    fn broken_yaml_names_line() {
        let err = ProjectSettings::from_predecessor_yaml("taxonomy:\n  - label: [unclosed\n", "x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("line"), "{err}");
    }
}
