//! A post's score in its four parts, for the review queue's breakdown: each part's value and
//! its share of the project's weights. The same weighted mean as [`crate::scoring::total`], so
//! the parts always add up to the score shown.

use serde::Serialize;

use crate::project::Weights;

/// One part of a post's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ScorePart {
    /// The weight's name: "velocity", "relevance", "openness" or "author".
    pub key: String,
    /// The part's value, 0–1.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub value: f64,
    /// Its share of the weights, 0–1 (the shares add up to 1, or are all 0).
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub weight: f64,
    /// What it adds to the total: value × share.
    #[cfg_attr(feature = "specta", specta(type = i32))]
    pub contribution: f64,
}

fn clamp01(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The four parts, in the order of the weights.
pub fn score_parts(
    weights: &Weights,
    velocity: f64,
    relevance: f64,
    openness: f64,
    author: f64,
) -> Vec<ScorePart> {
    let sum = weights.sum();
    [
        ("velocity", weights.velocity, velocity),
        ("relevance", weights.relevance, relevance),
        ("openness", weights.openness, openness),
        ("author", weights.author, author),
    ]
    .into_iter()
    .map(|(key, w, v)| {
        let weight = if sum > 0.0 { w / sum } else { 0.0 };
        let value = clamp01(v);
        ScorePart {
            key: key.to_string(),
            value,
            weight,
            contribution: value * weight,
        }
    })
    .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scoring::total;

    #[test]
    fn explains_the_score_with_each_parts_share() {
        let w = Weights::default();
        let parts = score_parts(&w, 0.8, 0.5, 1.4, 0.6);
        let keys: Vec<&str> = parts.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["velocity", "relevance", "openness", "author"]);
        assert_eq!(parts[2].value, 1.0); // clamped
        let shares: f64 = parts.iter().map(|p| p.weight).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        assert!((parts[0].contribution - 0.28).abs() < 1e-9);
        // The parts add up to the score itself.
        let sum: f64 = parts.iter().map(|p| p.contribution).sum();
        assert!((sum - total(&w, 0.8, 0.5, 1.0, 0.6)).abs() < 1e-9);
    }

    #[test]
    fn survives_all_zero_weights() {
        let zero = Weights {
            velocity: 0.0,
            relevance: 0.0,
            openness: 0.0,
            author: 0.0,
        };
        let parts = score_parts(&zero, 1.0, 1.0, 1.0, 1.0);
        assert!(parts.iter().all(|p| p.weight == 0.0));
    }
}
