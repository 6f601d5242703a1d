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
        let light_first = is_light(text[i]);
        let longest = (1..=ends.len())
            .rev()
            .find(|&n| is_emoji(&buf[..ends[n - 1]], n == 1 && light_first));
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

/// Whether `candidate` is one emoji as twemoji reads it. `light_single` says that it is one
/// character that weighs 1 as text.
fn is_emoji(candidate: &str, light_single: bool) -> bool {
    let Some(first) = candidate.chars().next() else {
        return false;
    };
    // The lookup also knows "3\u{fe0f}" and a bare "©", which twemoji leaves as text.
    if is_keycap_base(first) {
        if !candidate.contains('\u{20e3}') {
            return false;
        }
    } else if light_single {
        return false;
    }
    // twemoji accepts U+FE0F after any character that has an emoji variation sequence, even
    // where the list omits it ("⌚\u{fe0f}", "🕵\u{fe0f}🏽"), and nowhere else: "🌎\u{fe0f}" is
    // the emoji plus a separate U+FE0F.
    let mut prev = None;
    for c in candidate.chars() {
        if c == VS16 && !prev.is_some_and(takes_variation_selector) {
            return false;
        }
        prev = Some(c);
    }
    if candidate.contains(ZWJ) {
        // ZWJ sequences only count in the listed (fully qualified) form: "👱\u{200d}♀" without
        // its U+FE0F is three separate pieces to twemoji.
        return emojis::get(candidate).is_some_and(|e| e.as_str() == candidate);
    }
    let bare: String = candidate.chars().filter(|&c| c != VS16).collect();
    emojis::get(&bare).is_some()
}

const ZWJ: char = '\u{200d}';

const VS16: char = '\u{fe0f}';

/// Emoji-style characters that also have a variation sequence (per twemoji's data), so an
/// optional U+FE0F after them belongs to the emoji.
const EMOJI_STYLE_WITH_VARIATION: [char; 42] = [
    '\u{231a}',
    '\u{231b}',
    '\u{25fd}',
    '\u{25fe}',
    '\u{2614}',
    '\u{2615}',
    '\u{2648}',
    '\u{2649}',
    '\u{264a}',
    '\u{264b}',
    '\u{264c}',
    '\u{264d}',
    '\u{264e}',
    '\u{264f}',
    '\u{2650}',
    '\u{2651}',
    '\u{2652}',
    '\u{2653}',
    '\u{267f}',
    '\u{2693}',
    '\u{26a1}',
    '\u{26aa}',
    '\u{26ab}',
    '\u{26bd}',
    '\u{26be}',
    '\u{26c4}',
    '\u{26c5}',
    '\u{26d4}',
    '\u{26ea}',
    '\u{26f2}',
    '\u{26f3}',
    '\u{26f5}',
    '\u{26fa}',
    '\u{26fd}',
    '\u{2757}',
    '\u{2b1b}',
    '\u{2b1c}',
    '\u{2b50}',
    '\u{2b55}',
    '\u{1f004}',
    '\u{1f21a}',
    '\u{1f22f}',
];

fn takes_variation_selector(c: char) -> bool {
    is_keycap_base(c) || EMOJI_STYLE_WITH_VARIATION.contains(&c) || is_text_style_emoji(c)
}

/// Text-style emoji (©, ☺, 🕵, …) are listed with U+FE0F after them.
fn is_text_style_emoji(c: char) -> bool {
    let mut utf8 = [0; 4];
    emojis::get(c.encode_utf8(&mut utf8)).is_some_and(|e| {
        let mut listed = e.as_str().chars();
        listed.next() == Some(c) && listed.next() == Some(VS16)
    })
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
        // An emoji that is already emoji-style plus U+FE0F: the selector stands alone...
        assert_eq!(spans("\u{1f30e}\u{fe0f}"), [(0, 1)]);
        // ...unless the emoji has a variation sequence.
        assert_eq!(spans("\u{231a}\u{fe0f}"), [(0, 2)]);
        assert_eq!(spans("\u{1f575}\u{fe0f}\u{1f3fd}"), [(0, 3)]);
    }
}
