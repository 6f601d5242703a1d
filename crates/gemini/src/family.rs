//! Which kind of Gemini model a name refers to, for the settings that differ between
//! generations (thinking budget on 2.5, thinking level on 3, no thinking on 2.0).

use serde::{Deserialize, Serialize};

/// The generation and size class of a Gemini model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelFamily {
    /// `gemini-2.5-flash` and its previews; `gemini-flash-latest`.
    Flash25,
    /// `gemini-2.5-flash-lite` and its previews; `gemini-flash-lite-latest`.
    FlashLite25,
    /// `gemini-2.5-pro` and its previews.
    Pro25,
    /// `gemini-3-flash-preview` and other Gemini 3.x Flash models (Flash-Lite included).
    Flash3,
    /// `gemini-3-pro-preview`, `gemini-3.1-pro-preview`; `gemini-pro-latest`.
    Pro3,
    /// `gemini-2.0-flash`, `gemini-2.0-flash-lite` and other 2.0 models (no thinking).
    Gemini2,
    /// Anything else (older or newer generations, embeddings, Gemma, unknown names).
    Other,
}

impl ModelFamily {
    /// Gemini 3 models take `thinkingConfig.thinkingLevel` rather than a token budget.
    pub fn uses_thinking_level(self) -> bool {
        matches!(self, Self::Flash3 | Self::Pro3)
    }
}

/// The family of a model name such as `gemini-2.5-flash`, `models/gemini-3-pro-preview` or
/// the alias `gemini-flash-latest`.
///
/// A pure guess from the name. The `-latest` aliases move over time: `gemini-pro-latest` is
/// taken to be Gemini 3 Pro; when a [`crate::ModelInfo`] is at hand, prefer
/// [`crate::ModelInfo::family`], which reads the alias's `baseModelId`.
pub fn model_family(model: &str) -> ModelFamily {
    let name = model.trim().to_ascii_lowercase();
    let name = name.strip_prefix("models/").unwrap_or(&name);
    match name {
        "gemini-flash-latest" => return ModelFamily::Flash25,
        "gemini-flash-lite-latest" => return ModelFamily::FlashLite25,
        "gemini-pro-latest" => return ModelFamily::Pro3,
        _ => {}
    }
    let Some(rest) = name.strip_prefix("gemini-") else {
        return ModelFamily::Other;
    };
    let (version, variant) = rest.split_once('-').unwrap_or((rest, ""));
    let major = version.split('.').next().unwrap_or_default();
    let size = if variant.starts_with("flash-lite") {
        Size::FlashLite
    } else if variant.starts_with("flash") {
        Size::Flash
    } else if variant.starts_with("pro") {
        Size::Pro
    } else {
        Size::Unknown
    };
    match (version, major, size) {
        ("2.5", _, Size::Flash) => ModelFamily::Flash25,
        ("2.5", _, Size::FlashLite) => ModelFamily::FlashLite25,
        ("2.5", _, Size::Pro) => ModelFamily::Pro25,
        ("2.0" | "2", _, Size::Flash | Size::FlashLite | Size::Pro) => ModelFamily::Gemini2,
        (_, "3", Size::Flash | Size::FlashLite) => ModelFamily::Flash3,
        (_, "3", Size::Pro) => ModelFamily::Pro3,
        _ => ModelFamily::Other,
    }
}

#[derive(Clone, Copy)]
enum Size {
    Flash,
    FlashLite,
    Pro,
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_known_names_and_aliases() {
        let cases = [
            ("gemini-2.5-flash", ModelFamily::Flash25),
            ("models/gemini-2.5-flash", ModelFamily::Flash25),
            ("gemini-2.5-flash-preview-09-2025", ModelFamily::Flash25),
            ("gemini-2.5-flash-lite", ModelFamily::FlashLite25),
            (
                "gemini-2.5-flash-lite-preview-09-2025",
                ModelFamily::FlashLite25,
            ),
            ("gemini-2.5-pro", ModelFamily::Pro25),
            ("gemini-2.5-pro-preview-06-05", ModelFamily::Pro25),
            ("gemini-3-pro-preview", ModelFamily::Pro3),
            ("gemini-3-flash-preview", ModelFamily::Flash3),
            ("gemini-3.1-pro-preview", ModelFamily::Pro3),
            ("gemini-2.0-flash", ModelFamily::Gemini2),
            ("gemini-2.0-flash-lite", ModelFamily::Gemini2),
            ("gemini-2.0-flash-001", ModelFamily::Gemini2),
            ("gemini-flash-latest", ModelFamily::Flash25),
            ("gemini-flash-lite-latest", ModelFamily::FlashLite25),
            ("gemini-pro-latest", ModelFamily::Pro3),
            ("models/Gemini-Pro-Latest", ModelFamily::Pro3),
            ("gemini-1.5-flash", ModelFamily::Other),
            ("gemini-embedding-001", ModelFamily::Other),
            ("gemma-3-27b-it", ModelFamily::Other),
            (
                "gemini-2.5-computer-use-preview-10-2025",
                ModelFamily::Other,
            ),
            ("gemini-4-pro", ModelFamily::Other),
            ("", ModelFamily::Other),
        ];
        for (name, family) in cases {
            assert_eq!(model_family(name), family, "{name}");
        }
    }

    #[test]
    fn only_gemini_3_uses_thinking_levels() {
        assert!(ModelFamily::Pro3.uses_thinking_level());
        assert!(ModelFamily::Flash3.uses_thinking_level());
        assert!(!ModelFamily::Flash25.uses_thinking_level());
        assert!(!ModelFamily::Gemini2.uses_thinking_level());
    }
}
