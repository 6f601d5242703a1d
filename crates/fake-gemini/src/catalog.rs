//! The models the fake serves.

use serde_json::{json, Value};

/// Static description of one model.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec {
    pub id: &'static str,
    pub display_name: &'static str,
    pub description: &'static str,
    pub version: &'static str,
    pub input_token_limit: u64,
    pub output_token_limit: u64,
    pub methods: &'static [&'static str],
    pub thinking: Thinking,
    /// For an alias such as `gemini-flash-latest`: the model it stands for, whose behaviour,
    /// quota and billing it shares.
    pub alias_of: Option<&'static str>,
}

/// How a model thinks and which `thinkingConfig` it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thinking {
    /// Does not think; a `thinkingConfig` is rejected (2.0 and embedding models).
    Never,
    /// Gemini 2.5: `thinkingBudget` in `min..=max` or `-1` (dynamic); `0` turns thinking off
    /// unless the model `always` thinks (2.5 Pro).
    Budget { min: i64, max: i64, always: bool },
    /// Gemini 3: thinks at `high` unless `thinkingLevel` picks one of `levels`; a legacy
    /// `thinkingBudget` is still accepted, but `0` only where the model does not `always` think.
    Level {
        levels: &'static [&'static str],
        always: bool,
    },
}

const GENERATIVE: &[&str] = &[
    "generateContent",
    "countTokens",
    "createCachedContent",
    "batchGenerateContent",
];
const EMBEDDING: &[&str] = &[
    "embedContent",
    "countTextTokens",
    "countTokens",
    "asyncBatchEmbedContent",
];

/// Gemini 3 Flash's thinking levels, cheapest first.
const FLASH_LEVELS: &[&str] = &["minimal", "low", "medium", "high"];
/// Gemini 3 Pro only takes these two.
const PRO_LEVELS: &[&str] = &["low", "high"];

pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "gemini-2.5-flash",
        display_name: "Gemini 2.5 Flash",
        description: "Stable version of Gemini 2.5 Flash.",
        version: "001",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinking: Thinking::Budget {
            min: 1,
            max: 24_576,
            always: false,
        },
        alias_of: None,
    },
    ModelSpec {
        id: "gemini-2.5-flash-lite",
        display_name: "Gemini 2.5 Flash-Lite",
        description: "Stable version of Gemini 2.5 Flash-Lite.",
        version: "001",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinking: Thinking::Budget {
            min: 512,
            max: 24_576,
            always: false,
        },
        alias_of: None,
    },
    ModelSpec {
        id: "gemini-2.5-pro",
        display_name: "Gemini 2.5 Pro",
        description: "Stable release of Gemini 2.5 Pro.",
        version: "2.5",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinking: Thinking::Budget {
            min: 128,
            max: 32_768,
            always: true,
        },
        alias_of: None,
    },
    ModelSpec {
        id: "gemini-2.0-flash",
        display_name: "Gemini 2.0 Flash",
        description: "Gemini 2.0 Flash",
        version: "2.0",
        input_token_limit: 1_048_576,
        output_token_limit: 8_192,
        methods: GENERATIVE,
        thinking: Thinking::Never,
        alias_of: None,
    },
    ModelSpec {
        id: "gemini-3-pro-preview",
        display_name: "Gemini 3 Pro Preview",
        description: "Gemini 3 Pro Preview",
        version: "3-pro-preview-11-2025",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinking: Thinking::Level {
            levels: PRO_LEVELS,
            always: true,
        },
        alias_of: None,
    },
    ModelSpec {
        id: "gemini-3-flash-preview",
        display_name: "Gemini 3 Flash Preview",
        description: "Gemini 3 Flash Preview",
        version: "3-flash-preview-12-2025",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinking: Thinking::Level {
            levels: FLASH_LEVELS,
            always: false,
        },
        alias_of: None,
    },
    ModelSpec {
        id: "gemini-flash-latest",
        display_name: "Gemini Flash Latest",
        description: "Latest release of Gemini Flash",
        version: "001",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinking: Thinking::Budget {
            min: 1,
            max: 24_576,
            always: false,
        },
        alias_of: Some("gemini-2.5-flash"),
    },
    ModelSpec {
        id: "gemini-pro-latest",
        display_name: "Gemini Pro Latest",
        description: "Latest release of Gemini Pro",
        version: "3-pro-preview-11-2025",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinking: Thinking::Level {
            levels: PRO_LEVELS,
            always: true,
        },
        alias_of: Some("gemini-3-pro-preview"),
    },
    ModelSpec {
        id: "gemini-embedding-001",
        display_name: "Gemini Embedding 001",
        description: "Obtain a distributed representation of a text.",
        version: "001",
        input_token_limit: 2_048,
        output_token_limit: 1,
        methods: EMBEDDING,
        thinking: Thinking::Never,
        alias_of: None,
    },
];

pub fn find(id: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|model| model.id == id)
}

impl ModelSpec {
    pub fn thinks(&self) -> bool {
        self.thinking != Thinking::Never
    }

    /// Whether repeated prompt prefixes are cached without being asked (implicit caching).
    /// That came with the 2.5 generation, which in this catalog is exactly the thinking models.
    pub fn caches_implicitly(&self) -> bool {
        self.thinks()
    }

    /// The model that actually answers: the alias's target, or the model itself.
    pub fn target(&'static self) -> &'static ModelSpec {
        self.alias_of.and_then(find).unwrap_or(self)
    }

    pub fn supports(&self, method: &str) -> bool {
        self.methods.contains(&method)
    }

    /// The `Model` resource as `GET /v1beta/models` returns it.
    pub fn resource(&self) -> Value {
        let mut model = json!({
            "name": format!("models/{}", self.id),
            "baseModelId": self.alias_of.unwrap_or(self.id),
            "version": self.version,
            "displayName": self.display_name,
            "description": self.description,
            "inputTokenLimit": self.input_token_limit,
            "outputTokenLimit": self.output_token_limit,
            "supportedGenerationMethods": self.methods,
        });
        if self.supports("generateContent") {
            model["temperature"] = json!(1.0);
            model["topP"] = json!(0.95);
            model["topK"] = json!(64);
            model["maxTemperature"] = json!(2.0);
        }
        // Proto3 JSON leaves false booleans out, so Google only ever sends `"thinking": true`;
        // a model without the field does not think.
        if self.thinks() {
            model["thinking"] = json!(true);
        }
        model
    }
}
