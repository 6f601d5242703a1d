//! The length of a post as X counts it ("weighted length"), following twitter-text's v3
//! configuration, the one X uses today:
//!
//! - code points in 0–4351 (Latin, Greek, Cyrillic, Hebrew, Arabic, Indic scripts, …) and a few
//!   punctuation ranges (U+2000–U+200D, U+2010–U+201F, U+2032–U+2037) count 1, everything
//!   else (CJK, most symbols, anything outside the Basic Multilingual Plane) counts 2;
//! - every URL counts 23, whatever its length, as X shortens it to a t.co link;
//! - every emoji sequence (a ZWJ family, a flag, a skin-toned hand, a keycap) counts 2;
//! - the text is NFC-normalised first.
//!
//! A post may weigh at most [`MAX_WEIGHTED_LENGTH`]. The official conformance cases for this
//! configuration (`tests/data/twitter-text-validate.yml`) all pass.
//!
//! What counts as a URL or an emoji follows the reference JavaScript twitter-text (3.1): its URL
//! regex is re-implemented by hand, quirks included, and emoji follow twemoji's rules with a
//! current emoji list from the `emojis` crate. Deliberate differences from twitter-text 3.1:
//! emoji newer than its list (Emoji 12+, such as skin-toned couples) count 2 as one emoji
//! rather than as their parts; blank text is empty and invalid (twitter-text's Java rule; the
//! JavaScript one counts the spaces); and a valid range that twitter-text would end at -1
//! ends at 0.
//!
//! ```
//! let parsed = tweet_text::parse("Hi http://example.com/some/long/path 👨‍👩‍👧");
//! assert_eq!(parsed.weighted_length, 3 + 23 + 1 + 2);
//! assert!(parsed.valid);
//! ```

mod emoji;
mod punycode;
mod tld;
mod url;

use unicode_normalization::{is_nfc, UnicodeNormalization};

/// Most weighted characters a post may have.
pub const MAX_WEIGHTED_LENGTH: usize = 280;

/// Weights are kept multiplied by this so that a light character is 100, as in twitter-text.
const SCALE: usize = 100;
const LIGHT_WEIGHT: usize = 100;
const HEAVY_WEIGHT: usize = 200;
/// Weight of a whole URL (23 characters, the length of a t.co link).
const URL_WEIGHT: usize = 23 * SCALE;
/// Weight of a whole emoji sequence.
const EMOJI_WEIGHT: usize = HEAVY_WEIGHT;

/// What [`parse`] finds out about a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParsedText {
    /// Length as X counts it (see the crate documentation).
    pub weighted_length: usize,
    /// Whether X would accept the text as a post: not blank, at most
    /// [`MAX_WEIGHTED_LENGTH`], and free of the invalid characters U+FFFE, U+FEFF and U+FFFF.
    /// (Directional formatting characters such as U+202A–U+202E are allowed; the conformance
    /// suite requires it.)
    pub valid: bool,
    /// `weighted_length` relative to the limit, in thousandths (1000 = exactly full).
    pub permillage: usize,
    /// First and last (inclusive) UTF-16 index of the text, as given (before normalisation).
    pub display_range: (usize, usize),
    /// First and last (inclusive) UTF-16 index of the part that fits: up to the last character
    /// within the limit and before any invalid character.
    pub valid_range: (usize, usize),
}

impl ParsedText {
    /// What twitter-text answers for empty or blank text.
    const EMPTY: ParsedText = ParsedText {
        weighted_length: 0,
        valid: false,
        permillage: 0,
        display_range: (0, 0),
        valid_range: (0, 0),
    };
}

/// Weighs `text` with X's current (twitter-text v3) rules.
///
/// Text that is empty or holds only whitespace and control characters (twitter-text's Java
/// `trim()` rule: everything up to U+0020) gets weighted length 0 and is not valid.
pub fn parse(text: &str) -> ParsedText {
    if text.chars().all(|c| c <= ' ') {
        return ParsedText::EMPTY;
    }
    let normalized: Vec<char> = if is_nfc(text) {
        text.chars().collect()
    } else {
        text.nfc().collect()
    };
    // twitter-text walks the text in UTF-16 code units (and reports ranges in them); doing the
    // same keeps its behaviour where an entity ends inside a surrogate pair.
    let mut offsets = Vec::with_capacity(normalized.len() + 1);
    let mut units = Vec::with_capacity(normalized.len());
    offsets.push(0);
    let mut buf = [0u16; 2];
    for c in &normalized {
        units.extend_from_slice(c.encode_utf16(&mut buf));
        offsets.push(units.len());
    }
    let n = units.len();
    let original_len: usize = text.chars().map(char::len_utf16).sum();

    // Length of the URL / emoji starting at each unit (0 for none). A URL wins over an emoji
    // starting at the same place, and whatever an entity covers is not weighed again.
    let mut url_len = vec![0; n];
    for u in url::extract_urls(&normalized) {
        url_len[u.start] = u.len;
    }
    let mut emoji_len = vec![0; n];
    for e in emoji::find_emoji(&normalized, |c| char_weight(u32::from(c)) == LIGHT_WEIGHT) {
        emoji_len[offsets[e.start]] = offsets[e.start + e.len] - offsets[e.start];
    }

    let max_weight = MAX_WEIGHTED_LENGTH * SCALE;
    let mut weight = 0;
    let mut valid = true;
    let mut valid_end = 0;
    let mut i = 0;
    while i < n {
        if url_len[i] > 0 {
            weight += URL_WEIGHT;
            i = (i + url_len[i] - 1).min(n - 1);
        } else if emoji_len[i] > 0 {
            weight += EMOJI_WEIGHT;
            i = (i + emoji_len[i] - 1).min(n - 1);
        } else {
            let is_pair = is_high_surrogate(units[i])
                && units.get(i + 1).is_some_and(|&u| is_low_surrogate(u));
            i += usize::from(is_pair);
            // For a pair this weighs the low surrogate, which lands in the heavy default.
            weight += char_weight(u32::from(units[i]));
        }
        // Like twitter-text, only the last unit of an entity is checked; URLs and emoji
        // cannot contain invalid characters anyway.
        valid = valid && !is_invalid_unit(units[i]);
        if valid && weight <= max_weight {
            valid_end = i;
        }
        i += 1;
    }

    let weighted_length = weight / SCALE;
    // The valid range is found in the normalised text but reported against the original one,
    // shifted by how much normalisation changed the length (as twitter-text does).
    let shifted_valid_end = (valid_end + original_len).saturating_sub(n);
    ParsedText {
        weighted_length,
        valid: valid && weighted_length > 0 && weighted_length <= MAX_WEIGHTED_LENGTH,
        permillage: weighted_length * 1000 / MAX_WEIGHTED_LENGTH,
        display_range: (0, original_len.saturating_sub(1)),
        valid_range: (0, shifted_valid_end),
    }
}

/// The weighted length of `text`; see [`parse`].
pub fn weighted_length(text: &str) -> usize {
    parse(text).weighted_length
}

/// Weight of one code point (or UTF-16 unit) outside URLs and emoji.
fn char_weight(code: u32) -> usize {
    match code {
        0..=4351 | 8192..=8205 | 8208..=8223 | 8242..=8247 => LIGHT_WEIGHT,
        _ => HEAVY_WEIGHT,
    }
}

fn is_high_surrogate(u: u16) -> bool {
    (0xD800..0xDC00).contains(&u)
}

fn is_low_surrogate(u: u16) -> bool {
    (0xDC00..0xE000).contains(&u)
}

/// U+FFFE, U+FEFF and U+FFFF: twitter-text rejects posts containing them.
fn is_invalid_unit(u: u16) -> bool {
    matches!(u, 0xFFFE | 0xFEFF | 0xFFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_counts_one_per_char() {
        let parsed = parse("Hello, world!");
        assert_eq!(parsed.weighted_length, 13);
        assert!(parsed.valid);
        assert_eq!(parsed.permillage, 46);
        assert_eq!(parsed.display_range, (0, 12));
        assert_eq!(parsed.valid_range, (0, 12));
    }

    #[test]
    fn cjk_counts_two() {
        assert_eq!(weighted_length("日本語"), 6);
        assert_eq!(weighted_length("한국어"), 6);
        assert_eq!(weighted_length("a中b"), 4);
    }

    #[test]
    fn emoji_zwj_family_counts_two() {
        // man, ZWJ, woman, ZWJ, girl, ZWJ, boy: 7 code points, 11 UTF-16 units.
        let family = "\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466}";
        assert_eq!(weighted_length(family), 2);
        let parsed = parse(&format!("ok {family}"));
        assert_eq!(parsed.weighted_length, 5);
        assert_eq!(parsed.display_range, (0, 13));
        // A single emoji and a flag also count two.
        assert_eq!(weighted_length("\u{1f600}"), 2);
        assert_eq!(weighted_length("\u{1f1ef}\u{1f1f5}"), 2);
    }

    #[test]
    fn url_counts_twenty_three() {
        let long = format!("https://example.com/{}", "x".repeat(200));
        assert_eq!(weighted_length(&long), 23);
        assert_eq!(weighted_length("a.co"), 23);
        assert_eq!(weighted_length("see example.com."), 4 + 23 + 1);
    }

    #[test]
    fn exactly_280_is_valid_and_281_is_not() {
        let at_limit = "a".repeat(280);
        let parsed = parse(&at_limit);
        assert_eq!(parsed.weighted_length, 280);
        assert!(parsed.valid);
        assert_eq!(parsed.permillage, 1000);
        assert_eq!(parsed.valid_range, (0, 279));

        let over = "a".repeat(281);
        let parsed = parse(&over);
        assert_eq!(parsed.weighted_length, 281);
        assert!(!parsed.valid);
        assert_eq!(parsed.display_range, (0, 280));
        assert_eq!(parsed.valid_range, (0, 279));

        // 140 CJK characters fill the post exactly.
        assert!(parse(&"字".repeat(140)).valid);
        assert!(!parse(&"字".repeat(141)).valid);
    }

    #[test]
    fn blank_and_invalid_texts() {
        assert_eq!(parse(""), ParsedText::EMPTY);
        assert_eq!(parse(" \n\t "), ParsedText::EMPTY);
        assert!(!parse("ok\u{feff}").valid);
        assert!(parse("\u{202a}ok\u{202c}").valid);
    }

    #[test]
    fn normalises_to_nfc_first() {
        // "e" + combining acute is one character once composed.
        let parsed = parse("cafe\u{301}");
        assert_eq!(parsed.weighted_length, 4);
        assert_eq!(parsed.display_range, (0, 4));
        assert_eq!(parsed.valid_range, (0, 4));
    }
}
