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
    /// 2.5 models think; 2.0 models reject a `thinkingConfig`.
    pub thinks: bool,
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

pub const MODELS: &[ModelSpec] = &[
    ModelSpec {
        id: "gemini-2.5-flash",
        display_name: "Gemini 2.5 Flash",
        description: "Stable version of Gemini 2.5 Flash.",
        version: "001",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinks: true,
    },
    ModelSpec {
        id: "gemini-2.5-flash-lite",
        display_name: "Gemini 2.5 Flash-Lite",
        description: "Stable version of Gemini 2.5 Flash-Lite.",
        version: "001",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinks: true,
    },
    ModelSpec {
        id: "gemini-2.5-pro",
        display_name: "Gemini 2.5 Pro",
        description: "Stable release of Gemini 2.5 Pro.",
        version: "2.5",
        input_token_limit: 1_048_576,
        output_token_limit: 65_536,
        methods: GENERATIVE,
        thinks: true,
    },
    ModelSpec {
        id: "gemini-2.0-flash",
        display_name: "Gemini 2.0 Flash",
        description: "Gemini 2.0 Flash",
        version: "2.0",
        input_token_limit: 1_048_576,
        output_token_limit: 8_192,
        methods: GENERATIVE,
        thinks: false,
    },
    ModelSpec {
        id: "gemini-embedding-001",
        display_name: "Gemini Embedding 001",
        description: "Obtain a distributed representation of a text.",
        version: "001",
        input_token_limit: 2_048,
        output_token_limit: 1,
        methods: EMBEDDING,
        thinks: false,
    },
];

pub fn find(id: &str) -> Option<&'static ModelSpec> {
    MODELS.iter().find(|model| model.id == id)
}

impl ModelSpec {
    pub fn supports(&self, method: &str) -> bool {
        self.methods.contains(&method)
    }

    /// The `Model` resource as `GET /v1beta/models` returns it.
    pub fn resource(&self) -> Value {
        let mut model = json!({
            "name": format!("models/{}", self.id),
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
        if self.thinks {
            model["thinking"] = json!(true);
        }
        model
    }
}
