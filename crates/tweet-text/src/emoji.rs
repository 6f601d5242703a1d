//! Finding emoji sequences, each of which counts as 2 under the v3 configuration.
//!
//! twitter-text matches emoji with twemoji's regex: at each position, the longest sequence
//! from the Unicode emoji list. Here the list comes from the `emojis` crate, whose lookup also
//! accepts the forms written without U+FE0F.

/// More code points than any emoji in the list has (a kiss with two skin tones has 10).
pub(crate) const MAX_EMOJI_CHARS: usize = 10;

/// An emoji sequence: `len` chars starting at `start` (char indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EmojiSpan {
    pub start: usize,
    pub len: usize,
}

/// All emoji sequences in `text`, left to right, without overlaps.
///
/// `is_light` tells whether a char weighs 1 as plain text: such a char alone (© or ®) is only
/// an emoji when followed by U+FE0F, as in twemoji, so a bare © still counts 1.
pub(crate) fn find_emoji(text: &[char], is_light: impl Fn(char) -> bool) -> Vec<EmojiSpan> {
    let mut found = Vec::new();
    let mut buf = String::new();
    let mut ends = Vec::with_capacity(MAX_EMOJI_CHARS);
    let mut i = 0;
    while i < text.len() {
        if !may_start_emoji(text[i]) {
            i += 1;
            continue;
        }
        buf.clear();
        ends.clear();
        for &c in text[i..].iter().take(MAX_EMOJI_CHARS) {
            buf.push(c);
            ends.push(buf.len());
        }
        let first = text[i];
        let longest = (1..=ends.len()).rev().find(|&n| {
            let candidate = &buf[..ends[n - 1]];
            // The lookup also knows "3\u{fe0f}" and a bare "©", which twemoji leaves as text.
            let text_style = if is_keycap_base(first) {
                !candidate.contains('\u{20e3}')
            } else {
                n == 1 && is_light(first)
            };
            !text_style && emojis::get(candidate).is_some()
        });
        match longest {
            Some(len) => {
                found.push(EmojiSpan { start: i, len });
                i += len;
            }
            None => i += 1,
        }
    }
    found
}

fn is_keycap_base(c: char) -> bool {
    matches!(c, '#' | '*' | '0'..='9')
}

/// Cheap filter: emoji sequences start with a keycap base (#, *, 0-9), ©, ® or something
/// from U+203C (‼) up.
fn may_start_emoji(c: char) -> bool {
    matches!(c, '#' | '*' | '0'..='9' | '\u{a9}' | '\u{ae}') || c >= '\u{203c}'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(s: &str) -> Vec<(usize, usize)> {
        let chars: Vec<char> = s.chars().collect();
        find_emoji(&chars, |c| (c as u32) < 0x1100)
            .iter()
            .map(|e| (e.start, e.len))
            .collect()
    }

    #[test]
    fn max_emoji_chars_covers_the_list() {
        let longest = emojis::iter()
            .flat_map(|e| std::iter::once(e).chain(e.skin_tones().into_iter().flatten()))
            .map(|e| e.as_str().chars().count())
            .max();
        assert!(longest <= Some(MAX_EMOJI_CHARS), "{longest:?}");
        for e in emojis::iter() {
            let first = e.as_str().chars().next().unwrap_or_default();
            assert!(may_start_emoji(first), "{:?}", e.as_str());
        }
    }

    #[test]
    fn sequences() {
        // Family (ZWJ sequence of 7 code points) is one emoji.
        assert_eq!(
            spans("a\u{1f468}\u{200d}\u{1f469}\u{200d}\u{1f467}"),
            [(1, 5)]
        );
        // Skin tone modifier and flag pairs.
        assert_eq!(
            spans("\u{1f64b}\u{1f3fd}\u{1f1fa}\u{1f1f8}"),
            [(0, 2), (2, 2)]
        );
        // Keycap without U+FE0F.
        assert_eq!(spans("1\u{20e3}"), [(0, 2)]);
        // Bare digits and bare © are text; © with U+FE0F is an emoji.
        assert_eq!(spans("12 \u{a9} \u{a9}\u{fe0f}"), [(5, 2)]);
        assert_eq!(spans("3\u{fe0f} #\u{fe0f}\u{20e3}"), [(3, 3)]);
    }
}
