//! Deterministic bag-of-words embeddings.
//!
//! Each lower-cased word is hashed to a dimension and a sign (signed feature hashing), counts
//! are summed, and the vector is L2-normalised. Texts that share words therefore have a high
//! cosine similarity, identical texts have cosine 1, and unrelated texts are near 0. That is
//! enough for testing deduplication and nearest-neighbour code without a model.

use crate::text::stable_hash;

/// `gemini-embedding-001`'s default size.
pub const DEFAULT_DIMENSIONS: usize = 3072;

/// A unit-length vector of `dimensions` values for `text`.
pub fn embed(text: &str, dimensions: usize) -> Vec<f32> {
    let mut vector = vec![0.0f64; dimensions.max(1)];
    let words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase);
    for word in words {
        let hash = stable_hash(word.as_bytes());
        let index = (hash % vector.len() as u64) as usize;
        // The sign bit comes from the other end of the hash so collisions partly cancel
        // instead of always adding up.
        let sign = if hash >> 63 == 0 { 1.0 } else { -1.0 };
        vector[index] += sign;
    }
    let norm = vector.iter().map(|v| v * v).sum::<f64>().sqrt();
    if norm == 0.0 {
        // No words (empty or punctuation only): a fixed unit vector keeps the norm at 1.
        vector[0] = 1.0;
        return vector.into_iter().map(|v| v as f32).collect();
    }
    vector.into_iter().map(|v| (v / norm) as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn vectors_are_unit_length_and_similarity_tracks_shared_words() {
        let a = embed("Rust makes systems programming safer", 768);
        let b = embed("rust makes systems programming fun", 768);
        let c = embed("Bananas are yellow", 768);
        for vector in [&a, &b, &c, &embed("", 768)] {
            let norm: f32 = vector.iter().map(|v| v * v).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5);
        }
        assert!((cosine(&a, &a) - 1.0).abs() < 1e-5);
        assert!(cosine(&a, &b) > 0.7);
        assert!(cosine(&a, &c).abs() < 0.3);
    }
}
