//! Deterministic building blocks: hashing, a small PRNG, token counting and filler sentences.
//!
//! Everything here is hand-rolled on purpose: std's hashers and `rand` may change their
//! output between versions, and fixtures must stay stable.

/// FNV-1a, 64-bit: stable across Rust versions and platforms.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

/// Combines two hashes into one (order matters).
pub fn mix(a: u64, b: u64) -> u64 {
    SplitMix64::new(a ^ b.rotate_left(29)).next_u64()
}

/// SplitMix64: tiny, seedable, good enough for picking words and jitter.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (`bound` > 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        self.next_u64() % bound
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// The fake's token rule: one token per started group of four characters.
pub fn token_count(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

const OPENERS: &[&str] = &[
    "Honestly,",
    "Great point:",
    "I think",
    "Love this, and",
    "Fair take, but",
    "Interesting, because",
    "Agreed, and",
    "Curious whether",
    "Good thread;",
    "From experience,",
    "Quick thought:",
    "Well said, since",
];
const SUBJECTS: &[&str] = &[
    "this approach",
    "the new release",
    "your argument",
    "the team",
    "that chart",
    "small teams",
    "the community",
    "this kind of tooling",
    "open source",
    "the data here",
    "the first version",
    "a good onboarding flow",
];
const VERBS: &[&str] = &[
    "really shows",
    "could use",
    "makes a strong case for",
    "reminds me of",
    "deserves",
    "highlights",
    "depends on",
    "pushes back on",
    "lines up with",
    "raises questions about",
    "benefits from",
    "quietly rewards",
];
const OBJECTS: &[&str] = &[
    "clear documentation",
    "better defaults",
    "patient iteration",
    "honest benchmarks",
    "careful testing",
    "a simpler design",
    "long-term maintenance",
    "real user feedback",
    "thoughtful tradeoffs",
    "steady progress",
    "smaller pull requests",
    "boring, reliable infrastructure",
];
const TAILS: &[&str] = &[
    "",
    " over the long run",
    " in practice",
    " more than people admit",
    " for most teams",
    " when it matters",
    " this year",
    " at any scale",
];
const ENDINGS: &[&str] = &[
    ".",
    "!",
    ", thanks for sharing.",
    ", and I'd love to hear more.",
    ".",
    "?",
];

/// Shortest and longest filler text [`sentence`] produces.
pub const SENTENCE_CHARS: std::ops::RangeInclusive<usize> = 60..=180;

/// A plausible English sentence of 60–180 characters, fully determined by `seed`.
pub fn sentence(seed: u64) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut text = clause(&mut rng, true);
    while text.chars().count() < *SENTENCE_CHARS.start() {
        text.push(' ');
        text.push_str(&clause(&mut rng, false));
    }
    fit_to_length(&text, *SENTENCE_CHARS.end())
}

/// Text of at least `min` and at most `max` characters built from sentences.
pub fn text_between(seed: u64, min: usize, max: usize) -> String {
    let mut rng = SplitMix64::new(seed);
    let mut text = sentence(rng.next_u64());
    while text.chars().count() < min {
        text.push(' ');
        text.push_str(&sentence(rng.next_u64()));
    }
    fit_to_length(&text, max)
}

fn clause(rng: &mut SplitMix64, with_opener: bool) -> String {
    let subject = rng.pick(SUBJECTS);
    let body = format!(
        "{subject} {} {}{}{}",
        rng.pick(VERBS),
        rng.pick(OBJECTS),
        rng.pick(TAILS),
        rng.pick(ENDINGS)
    );
    if with_opener {
        format!("{} {body}", rng.pick(OPENERS))
    } else {
        capitalize(&body)
    }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Cuts `text` to at most `max` characters, preferring a word boundary and ending cleanly.
pub fn fit_to_length(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    if max < 12 {
        return cut;
    }
    // Leave room for the final period.
    let head: String = cut.chars().take(max - 1).collect();
    let head = match head.rfind(' ') {
        Some(space) if space > max / 2 => &head[..space],
        _ => head.as_str(),
    };
    let head = head.trim_end_matches([',', ';', ':', ' ', '.', '!', '?']);
    format!("{head}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_are_deterministic_varied_and_sized() {
        assert_eq!(sentence(42), sentence(42));
        let distinct: std::collections::HashSet<String> = (0..50).map(sentence).collect();
        assert!(distinct.len() > 45);
        for seed in 0..500 {
            let text = sentence(seed);
            assert!(SENTENCE_CHARS.contains(&text.chars().count()), "{text:?}");
            assert!(text.chars().next().unwrap().is_uppercase());
        }
    }

    #[test]
    fn text_between_respects_bounds() {
        for (min, max) in [(0, 10), (200, 400), (5, 61), (1, 1)] {
            let text = text_between(7, min, max);
            let len = text.chars().count();
            assert!(len >= min.min(max) && len <= max, "{min}..{max}: {text:?}");
        }
    }

    #[test]
    fn token_rule_rounds_up() {
        assert_eq!(token_count(""), 0);
        assert_eq!(token_count("abcd"), 1);
        assert_eq!(token_count("abcde"), 2);
        assert_eq!(token_count("ééé"), 1);
    }
}
