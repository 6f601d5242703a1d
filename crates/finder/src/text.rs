//! Word-level text handling shared by the gate (keyword matching) and lexical relevance, and
//! how numbers are written for people.

/// Lower-cased words of a post: URLs and @mentions dropped, '#' stripped from hashtags, split
/// on anything that is not a letter or digit (so "Trump's" gives "trump" and "s", and
/// "trumpet" stays one word).
pub fn words(lowercase_text: &str) -> impl Iterator<Item = &str> {
    lowercase_text
        .split_whitespace()
        .filter(|chunk| !is_url(chunk) && !chunk.starts_with('@'))
        .flat_map(|chunk| chunk.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty())
}

pub fn is_url(chunk: &str) -> bool {
    let c = chunk.trim_start_matches(['(', '[', '"', '\'']);
    c.starts_with("http://")
        || c.starts_with("https://")
        || c.starts_with("www.")
        || c.starts_with("t.co/")
}

/// Does the word sequence contain the phrase (already split into lower-case words)?
pub fn contains_phrase(text_words: &[&str], phrase: &[String]) -> bool {
    if phrase.is_empty() || phrase.len() > text_words.len() {
        return false;
    }
    text_words
        .windows(phrase.len())
        .any(|window| window.iter().zip(phrase).all(|(a, b)| *a == b))
}

/// The text a reader sees once links, @mentions and #hashtags are removed, with spaces folded.
pub fn real_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for chunk in text.split_whitespace() {
        if is_url(chunk) || chunk.starts_with('@') || chunk.starts_with('#') {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(chunk);
    }
    out
}

pub fn has_link(text: &str) -> bool {
    text.split_whitespace().any(is_url)
}

/// 1234567 → "1,234,567", -1000 → "-1,000": counts and dollars as people read them.
pub fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_skip_links_and_mentions() {
        let lower = "rt @bob: read https://t.co/x1 #facebookads now! trump's trumpet".to_string();
        let w: Vec<&str> = words(&lower).collect();
        assert_eq!(
            w,
            ["rt", "read", "facebookads", "now", "trump", "s", "trumpet"]
        );
    }

    #[test]
    fn phrases_match_whole_words_only() {
        let lower = "the trumpet player won a giveaway prize".to_string();
        let w: Vec<&str> = words(&lower).collect();
        assert!(!contains_phrase(&w, &["trump".to_string()]));
        assert!(contains_phrase(
            &w,
            &["giveaway".to_string(), "prize".to_string()]
        ));
        assert!(!contains_phrase(
            &w,
            &["prize".to_string(), "giveaway".to_string()]
        ));
    }

    #[test]
    fn real_text_drops_links_tags_and_mentions() {
        assert_eq!(
            real_text("Check this  https://t.co/abc @you #growth out"),
            "Check this out"
        );
        assert!(has_link("see www.example.com"));
        assert!(!has_link("no links here"));
    }
}
