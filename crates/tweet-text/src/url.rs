//! Finding the URLs that X shortens to a 23-character t.co link.
//!
//! This follows twitter-text's `extractUrlsWithIndices` (the JavaScript reference, whose
//! behaviour the conformance suite pins down) step by step, with the regular expression
//! replaced by hand-written scanning. Where the regex relies on backtracking, the comments say
//! which alternative it ends up taking, since that decides where a URL starts and stops.
//!
//! Scanning works on the NFC-normalised text as a slice of `char`s; the spans found are
//! reported in UTF-16 code units, because twitter-text measures and skips URLs in those (and a
//! few of its quirks split a surrogate pair, see `Match::split_first`).

use crate::punycode;
use crate::tld::{ASCII_TLDS, UNICODE_CCTLDS, UNICODE_GTLDS};

/// twitter-text rejects URLs longer than this (counting an implied `https://`).
const MAX_URL_LENGTH: usize = 4096;
/// t.co slugs longer than this are not t.co links.
const MAX_TCO_SLUG_LENGTH: usize = 40;
/// DNS limit on one label, applied after Punycode encoding.
const MAX_LABEL_LENGTH: usize = 63;
/// The longest ASCII TLD in the list ("afamilycompany", "travelersinsurance").
const MAX_ASCII_TLD_LENGTH: usize = 18;
const DEFAULT_PROTOCOL_LENGTH: usize = "https://".len();

/// A URL found in the text: `len` UTF-16 units from UTF-16 index `start` are charged as one
/// link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UrlSpan {
    pub start: usize,
    pub len: usize,
}

/// All URLs in `text`, in order.
pub(crate) fn extract_urls(text: &[char]) -> Vec<UrlSpan> {
    let mut urls = Vec::new();
    // Every URL has a dot in its host; most texts have none, so skip the set-up.
    if !text.contains(&'.') {
        return urls;
    }
    let scanner = Scanner::new(text);
    let mut from = 0;
    while let Some(m) = scanner.find_match(from) {
        // Like the global regex, the next search starts after this match even when the match
        // is then rejected: the text of a rejected URL is never searched again.
        from = m.end;
        scanner.accept(&m, &mut urls);
    }
    urls
}

/// One match of twitter-text's `extractUrl` regex.
struct Match {
    /// The char just before the URL (`None` at the start of the text).
    before: Option<char>,
    start: usize,
    end: usize,
    /// Length of `http://` or `https://`, 0 when the URL has no protocol.
    protocol_len: usize,
    /// The regex runs on UTF-16 units, so a "preceding character" can be the high half of an
    /// astral character (an emoji, say) with the URL's host starting at its low half. Then
    /// `start`/`domain_start` point at that character but only its second unit belongs here.
    split_first: bool,
    domain_start: usize,
    domain_end: usize,
    has_path: bool,
}

struct Scanner<'a> {
    text: &'a [char],
    /// UTF-16 offset of each char (and of the end).
    offsets: Vec<usize>,
    /// For each index, the end of the host starting there, if one does (see `domain_at`).
    host_end: Vec<Option<usize>>,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a [char]) -> Self {
        let n = text.len();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        for &c in text {
            offsets.push(offsets[offsets.len() - 1] + c.len_utf16());
        }
        Scanner {
            text,
            offsets,
            host_end: host_ends(text),
        }
    }

    fn at(&self, i: usize) -> Option<char> {
        self.text.get(i).copied()
    }

    /// The first regex match that starts at or after `from`.
    fn find_match(&self, from: usize) -> Option<Match> {
        for p in from..self.text.len() {
            let c = self.text[p];
            // The regex consumes one "preceding" char before the URL...
            if precedes_url(c) {
                // ...which for an astral char is only its high half (see `split_first`).
                if c.len_utf16() == 2 {
                    if let Some(m) = self.url_at(p, Some(c), true) {
                        return Some(m);
                    }
                }
                if let Some(m) = self.url_at(p + 1, Some(c), false) {
                    return Some(m);
                }
            }
            // ...and only when that fails at the very start does it try `^` instead.
            if p == 0 {
                if let Some(m) = self.url_at(0, None, false) {
                    return Some(m);
                }
            }
        }
        None
    }

    /// The URL starting exactly at `s`: optional protocol, host, then optional port, path and
    /// query. With `split_first`, the URL starts at the low half of the astral char at `s`,
    /// where no protocol can be.
    fn url_at(&self, s: usize, before: Option<char>, split_first: bool) -> Option<Match> {
        let protocol_len = if split_first {
            0
        } else {
            protocol_len(self.text, s)
        };
        let domain_start = s + protocol_len;
        // With a protocol there is no fallback: without it the host would have to start with
        // "http:", and ':' cannot be in a host.
        let domain_end = self.domain_at(domain_start)?;
        let mut end = domain_end;

        if self.at(end) == Some(':') && self.at(end + 1).is_some_and(|c| c.is_ascii_digit()) {
            end += 1;
            while self.at(end).is_some_and(|c| c.is_ascii_digit()) {
                end += 1;
            }
        }
        let has_path = self.at(end) == Some('/');
        if has_path {
            end = path_end(self.text, end + 1);
        }
        if self.at(end) == Some('?') {
            if let Some(q) = query_end(self.text, end + 1, self.text.len()) {
                end = q;
            }
        }
        Some(Match {
            before,
            start: s,
            end,
            protocol_len,
            split_first,
            domain_start,
            domain_end,
            has_path,
        })
    }

    /// End of the host starting at `s`.
    fn domain_at(&self, s: usize) -> Option<usize> {
        self.host_end.get(s).copied().flatten()
    }

    /// Applies twitter-text's checks to a regex match and records the URLs it yields.
    fn accept(&self, m: &Match, urls: &mut Vec<UrlSpan>) {
        let text = self.text;
        let off = &self.offsets;
        let domain = &text[m.domain_start..m.domain_end];
        let start16 = off[m.start] + usize::from(m.split_first);
        let protocol_len = if m.protocol_len > 0 {
            m.protocol_len
        } else {
            DEFAULT_PROTOCOL_LENGTH
        };
        if !is_valid_host_and_length(domain, off[m.end] - start16, protocol_len) {
            return;
        }
        if m.protocol_len == 0 {
            // "foo-bar.com" after '-', "a_b.com" and the like are parts of something else.
            if matches!(m.before, Some('-' | '_' | '.' | '/')) {
                return;
            }
            // Without a protocol only the ASCII-looking domains inside the host are links.
            let found = ascii_domains(domain);
            // twitter-text places each domain with `domain.indexOf(text, previousEnd)`, which
            // finds an earlier copy when there is one ("t.comx…t.co" puts "t.co" at 0).
            let mut search_from = 0;
            let mut spans: Vec<UrlSpan> = found
                .iter()
                .map(|&(a, b)| {
                    let at = find_from(domain, search_from, &domain[a..b]).unwrap_or(a);
                    search_from = at + (b - a);
                    let (a, b) = (m.domain_start + at, m.domain_start + at + (b - a));
                    UrlSpan {
                        start: off[a],
                        len: off[b] - off[a],
                    }
                })
                .collect();
            let Some(mut last) = spans.pop() else {
                return;
            };
            urls.extend(spans);
            // The path (with port and query) only goes with the last domain; twitter-text
            // measures it as the URL with the host swapped for that domain, which can end
            // inside a surrogate pair; the parser copes with that as twitter-text does.
            if m.has_path {
                last.len += off[m.end] - off[m.domain_end];
            }
            urls.push(last);
        } else {
            let url = &text[m.start..m.end];
            let mut end = m.end;
            if let Some((slug_len, tco_len)) = tco_match(url) {
                if slug_len > MAX_TCO_SLUG_LENGTH {
                    return;
                }
                // A t.co link is just its slug (and query); anything after is plain text.
                end = m.start + tco_len;
            }
            urls.push(UrlSpan {
                start: start16,
                len: off[end] - start16,
            });
        }
    }
}

/// twitter-text's `isValidUrl`: every host label fits DNS once Punycode-encoded, and the whole
/// URL fits the backend's limit.
fn is_valid_host_and_length(domain: &[char], url_len_utf16: usize, protocol_len: usize) -> bool {
    if starts_with_exact(domain, "xn--") && ascii_domains(domain).is_empty() {
        return false;
    }
    let labels_ok = domain.split(|&c| c == '.').all(|label| {
        encoded_label_len(label).is_some_and(|len| (1..=MAX_LABEL_LENGTH).contains(&len))
    });
    labels_ok && protocol_len + url_len_utf16 <= MAX_URL_LENGTH
}

/// Length of `punycode.toASCII(label)` as punycode.js computes it, which also splits on the
/// ideographic full stops.
fn encoded_label_len(label: &[char]) -> Option<usize> {
    let mut total = 0;
    for (i, part) in label
        .split(|&c| matches!(c, '\u{3002}' | '\u{ff0e}' | '\u{ff61}'))
        .enumerate()
    {
        total += usize::from(i > 0);
        // punycode.js treats DEL as non-ASCII too.
        if part.iter().any(|&c| c > '\u{7e}') {
            total += "xn--".len() + punycode::encode(part)?.len();
        } else {
            total += part.len();
        }
    }
    Some(total)
}

/// For each index of `text`, the end of the host (twitter-text's `validDomain`) starting
/// there: `label.` repeated, then a TLD.
///
/// The regex takes as many labels as it can and backtracks, so the rightmost label followed by
/// a TLD wins; labels before that one may contain '_', it may not. Trying that from every start
/// is quadratic on texts like "x.x.x.x…", so it is computed right to left instead: the host
/// from a label is the host from the next label if there is one, else this label plus the TLD
/// after its dot.
fn host_ends(text: &[char]) -> Vec<Option<usize>> {
    let n = text.len();
    let mut ends = vec![None; n + 1];
    // End of the label-character run containing the current index, and whether the run has a
    // '_' from the current index on.
    let mut run_end = n;
    let mut underscore_in_run = false;
    // TLD after the dot at `run_end`, shared by every start inside the run.
    let mut tld_after_run = None;
    for p in (0..n).rev() {
        let c = text[p];
        if !is_label_char(c) {
            run_end = p;
            underscore_in_run = false;
            tld_after_run = None;
            continue;
        }
        underscore_in_run |= c == '_';
        let r = run_end;
        let is_label =
            r > p && text.get(r) == Some(&'.') && is_domain_char(c) && is_domain_char(text[r - 1]);
        if !is_label {
            continue;
        }
        let tld = *tld_after_run.get_or_insert_with(|| tld_end(text, r + 1));
        let own = if underscore_in_run { None } else { tld };
        ends[p] = ends[r + 1].or(own);
    }
    ends
}

/// Every match of twitter-text's `validAsciiDomain` in `domain`, as (start, end) indices:
/// `(?:[-a-z0-9<latin accents>]+\.)+` then a TLD, found left to right like a global regex.
fn ascii_domains(domain: &[char]) -> Vec<(usize, usize)> {
    let n = domain.len();
    // Match end for each start, right to left as in `host_ends`.
    let mut ends = vec![None; n + 1];
    let mut run_end = n;
    let mut tld_after_run = None;
    for p in (0..n).rev() {
        if !is_ascii_label_char(domain[p]) {
            run_end = p;
            tld_after_run = None;
            continue;
        }
        let r = run_end;
        if domain.get(r) != Some(&'.') {
            continue;
        }
        let tld = *tld_after_run.get_or_insert_with(|| tld_end(domain, r + 1));
        ends[p] = ends[r + 1].or(tld);
    }
    let mut found = Vec::new();
    let mut pos = 0;
    while pos < n {
        match ends[pos] {
            Some(end) => {
                found.push((pos, end));
                pos = end;
            }
            None => pos += 1,
        }
    }
    found
}

/// End of the TLD starting at `pos`, if one does: a listed TLD not followed by
/// `[0-9a-zA-Z@+-]`, else a Punycode label (`xn--...`).
fn tld_end(text: &[char], pos: usize) -> Option<usize> {
    let lookahead_ok = |end: usize| {
        !text
            .get(end)
            .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, '@' | '+' | '-'))
    };

    // Every ASCII TLD is letters only, so with the lookahead it must be the whole alphanumeric
    // run: look that run up instead of trying 1,400 alternatives.
    let run = text[pos.min(text.len())..]
        .iter()
        .take(MAX_ASCII_TLD_LENGTH + 1)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if (2..=MAX_ASCII_TLD_LENGTH).contains(&run) && lookahead_ok(pos + run) {
        let candidate: String = text[pos..pos + run]
            .iter()
            .map(char::to_ascii_lowercase)
            .collect();
        if ASCII_TLDS.binary_search(&candidate.as_str()).is_ok() {
            return Some(pos + run);
        }
    }

    // The regex tries the generic TLDs before the country codes; within each list a longer
    // TLD comes before any TLD that is its prefix.
    for list in [UNICODE_GTLDS, UNICODE_CCTLDS] {
        let best = list
            .iter()
            .filter_map(|tld| {
                let len = tld.chars().count();
                let matches = text.len() >= pos + len
                    && text[pos..pos + len]
                        .iter()
                        .zip(tld.chars())
                        .all(|(&c, t)| lowercase(c) == t);
                (matches && lookahead_ok(pos + len)).then_some(len)
            })
            .max();
        if let Some(len) = best {
            return Some(pos + len);
        }
    }

    if starts_with_ignore_ascii_case(text, pos, "xn--") {
        let start = pos + 4;
        let end = start
            + text[start..]
                .iter()
                .take_while(|&&c| c.is_ascii_alphanumeric() || c == '-')
                .count();
        if end > start {
            return Some(end);
        }
    }
    None
}

/// End of a URL path that starts at `pos` (just after its first '/').
///
/// The path regex repeats a unit that is either a run of path characters and parenthesised
/// groups ending with a "path ending" character, or a parenthesised group on its own. So
/// trailing punctuation such as "." or "!" is left out, and a group only closes the path when
/// it directly follows the previous unit ("/a(b)" but not "/a.(b)").
fn path_end(text: &[char], pos: usize) -> usize {
    let mut p = pos;
    while let Some(e) = path_run_end(text, p).or_else(|| balanced_parens_end(text, p)) {
        p = e;
    }
    p
}

/// The first kind of path unit from `pos`: it ends after the last path-ending character (not
/// inside a group) of the run of path characters and groups.
fn path_run_end(text: &[char], pos: usize) -> Option<usize> {
    let mut last_end = None;
    let mut p = pos;
    while let Some(&c) = text.get(p) {
        if is_path_char(c) {
            p += 1;
            if is_path_ending_char(c) {
                last_end = Some(p);
            }
        } else if let Some(e) = balanced_parens_end(text, p) {
            p = e;
        } else {
            break;
        }
    }
    last_end
}

/// A parenthesised group in a path at `pos`: `(x)` or one level of nesting, `(a(b)c)`.
fn balanced_parens_end(text: &[char], pos: usize) -> Option<usize> {
    if text.get(pos) != Some(&'(') {
        return None;
    }
    let run = |from: usize| {
        from + text[from.min(text.len())..]
            .iter()
            .take_while(|&&c| is_path_char(c))
            .count()
    };
    let a = run(pos + 1);
    if a > pos + 1 && text.get(a) == Some(&')') {
        return Some(a + 1);
    }
    if text.get(a) != Some(&'(') {
        return None;
    }
    let b = run(a + 1);
    if b == a + 1 || text.get(b) != Some(&')') {
        return None;
    }
    let c = run(b + 1);
    (text.get(c) == Some(&')')).then_some(c + 1)
}

/// End of a query whose characters start at `pos` (just after '?'), if it has an ending
/// character before `limit`; like the path, trailing punctuation is left out.
fn query_end(text: &[char], pos: usize, limit: usize) -> Option<usize> {
    let mut last_end = None;
    let mut p = pos;
    while p < limit && is_query_char(text[p]) {
        if is_query_ending_char(text[p]) {
            last_end = Some(p + 1);
        }
        p += 1;
    }
    last_end
}

/// `^https?://t\.co/([a-z0-9]+)(?:\?query)?` on a URL: (slug length, matched length).
fn tco_match(url: &[char]) -> Option<(usize, usize)> {
    let protocol = protocol_len(url, 0);
    if protocol == 0 {
        return None;
    }
    let host = protocol;
    if !starts_with_ignore_ascii_case(url, host, "t.co/") {
        return None;
    }
    let slug_start = host + "t.co/".len();
    let slug_len = url[slug_start..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if slug_len == 0 {
        return None;
    }
    let mut end = slug_start + slug_len;
    if url.get(end) == Some(&'?') {
        if let Some(q) = query_end(url, end + 1, url.len()) {
            end = q;
        }
    }
    Some((slug_len, end))
}

/// Length of a case-insensitive `http://` or `https://` at `pos`, else 0.
fn protocol_len(text: &[char], pos: usize) -> usize {
    if starts_with_ignore_ascii_case(text, pos, "https://") {
        8
    } else if starts_with_ignore_ascii_case(text, pos, "http://") {
        7
    } else {
        0
    }
}

fn starts_with_ignore_ascii_case(text: &[char], pos: usize, prefix: &str) -> bool {
    let n = prefix.len();
    text.len() >= pos + n
        && text[pos..pos + n]
            .iter()
            .zip(prefix.chars())
            .all(|(c, p)| c.eq_ignore_ascii_case(&p))
}

/// Index of the first copy of `needle` in `haystack` at or after `from`.
fn find_from(haystack: &[char], from: usize, needle: &[char]) -> Option<usize> {
    if needle.is_empty() || from > haystack.len() {
        return None;
    }
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| from + i)
}

fn starts_with_exact(text: &[char], prefix: &str) -> bool {
    text.len() >= prefix.len() && text.iter().zip(prefix.chars()).all(|(&c, p)| c == p)
}

fn lowercase(c: char) -> char {
    let mut lower = c.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// The char before a URL: not a letter or digit, nor a mention, cashtag or hashtag sign,
/// but a directional mark is fine.
fn precedes_url(c: char) -> bool {
    let excluded =
        c.is_ascii_alphanumeric() || matches!(c, '@' | '\u{ff20}' | '$' | '#' | '\u{ff03}');
    !(excluded || is_invalid_char(c)) || is_directional_mark(c)
}

fn is_invalid_char(c: char) -> bool {
    matches!(c, '\u{fffe}' | '\u{feff}' | '\u{ffff}')
}

fn is_directional_mark(c: char) -> bool {
    matches!(
        c,
        '\u{202a}'..='\u{202e}' | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2066}'..='\u{2069}'
    )
}

fn is_space(c: char) -> bool {
    matches!(
        c,
        '\u{09}'..='\u{0d}'
            | ' '
            | '\u{85}'
            | '\u{a0}'
            | '\u{1680}'
            | '\u{180e}'
            | '\u{2000}'..='\u{200a}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{202f}'
            | '\u{205f}'
            | '\u{3000}'
    )
}

/// A character that may appear in a host label. Anything goes (CJK, emoji, even '"') except
/// the punctuation twitter-text lists, spaces, invalid characters and directional marks.
fn is_domain_char(c: char) -> bool {
    const PUNCT: &str = "!'#%&()*+,\\-./:;<=>?@[]^_{|}~$";
    !(PUNCT.contains(c) || is_space(c) || is_invalid_char(c) || is_directional_mark(c))
}

fn is_label_char(c: char) -> bool {
    is_domain_char(c) || c == '-' || c == '_'
}

fn is_latin_accent(c: char) -> bool {
    matches!(
        c,
        '\u{c0}'..='\u{d6}'
            | '\u{d8}'..='\u{f6}'
            | '\u{f8}'..='\u{ff}'
            | '\u{100}'..='\u{24f}'
            | '\u{253}'
            | '\u{254}'
            | '\u{256}'
            | '\u{257}'
            | '\u{259}'
            | '\u{25b}'
            | '\u{263}'
            | '\u{268}'
            | '\u{26f}'
            | '\u{272}'
            | '\u{289}'
            | '\u{28b}'
            | '\u{2bb}'
            | '\u{300}'..='\u{36f}'
            | '\u{1e00}'..='\u{1eff}'
    )
}

fn is_ascii_label_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || is_latin_accent(c)
}

fn is_letter_like(c: char) -> bool {
    c.is_ascii_alphanumeric() || ('\u{400}'..='\u{4ff}').contains(&c) || is_latin_accent(c)
}

fn is_path_char(c: char) -> bool {
    is_letter_like(c) || "!*';:=+,.$/%#[]-_~@|&\u{2013}".contains(c)
}

fn is_path_ending_char(c: char) -> bool {
    is_letter_like(c) || "+-=_#/".contains(c)
}

fn is_query_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!?*'@();:&=+$/%#[]-_.,~|".contains(c)
}

fn is_query_ending_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_&=#/".contains(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        let units: Vec<u16> = s.encode_utf16().collect();
        extract_urls(&chars)
            .iter()
            .map(|u| String::from_utf16_lossy(&units[u.start..u.start + u.len]))
            .collect()
    }

    #[test]
    fn finds_urls_with_and_without_protocol() {
        assert_eq!(
            urls("see http://example.com/a/b."),
            ["http://example.com/a/b"]
        );
        assert_eq!(urls("(https://x.co/a_(b)) ok"), ["https://x.co/a_(b)"]);
        assert_eq!(urls("https://x.co/a.(b) ok"), ["https://x.co/a"]);
        assert_eq!(urls("https://x.co/:(b) ok"), ["https://x.co/"]);
        assert_eq!(urls("go to www.twitter.com!"), ["www.twitter.com"]);
        assert_eq!(urls("example.com/?q=1&r=2."), ["example.com/?q=1&r=2"]);
        // Without a protocol a query only counts after a path, as in twitter-text.
        assert_eq!(urls("example.com?q=1"), ["example.com"]);
        assert_eq!(urls("a.com b.org"), ["a.com", "b.org"]);
        assert_eq!(urls("http://あいう.みんな/x"), ["http://あいう.みんな/x"]);
        assert_eq!(urls("例え.example.com"), ["example.com"]);
    }

    #[test]
    fn rejects_non_urls() {
        assert!(urls("foo.invalidtld").is_empty());
        assert!(urls("user@example.com").is_empty());
        assert!(urls("-example.com").is_empty());
        assert!(urls("1.5 or 3.14").is_empty());
        assert!(urls("#hashtag.com").is_empty());
    }

    #[test]
    fn tco_links_stop_after_the_slug() {
        assert_eq!(urls("http://t.co/abc123-tail"), ["http://t.co/abc123"]);
        assert!(urls(&format!("http://t.co/{}", "a".repeat(41))).is_empty());
    }

    #[test]
    fn host_labels_are_limited_to_63_characters() {
        assert_eq!(urls(&format!("{}.com", "a".repeat(63))).len(), 1);
        assert!(urls(&format!("{}.com", "a".repeat(64))).is_empty());
    }
}
