//! Cuts a byte stream into JSON values without parsing them: a small state machine that only
//! tracks strings and bracket depth. Each value is then parsed on its own, so memory holds one
//! item at a time (never the whole file), and a pretty-printed file costs no more than a
//! compact one. Values over a size cap are skipped without being stored.

use std::io::{self, BufRead};

/// What reading one value found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Framed {
    /// A whole value is in the buffer.
    Value,
    /// A whole value was read but it was larger than the cap; the buffer is empty.
    TooLarge,
    /// The input ended inside the value (a cut-off file).
    CutOff,
}

pub(crate) struct Framer<R> {
    reader: R,
    /// 1-based line of the next unread byte, for messages.
    line: u64,
}

impl<R: BufRead> Framer<R> {
    pub fn new(reader: R) -> Self {
        Framer { reader, line: 1 }
    }

    pub fn line(&self) -> u64 {
        self.line
    }

    /// Skips whitespace; returns the next byte without consuming it (None at the end).
    pub fn peek_non_space(&mut self) -> io::Result<Option<u8>> {
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(None);
            }
            match chunk.iter().position(|b| !b.is_ascii_whitespace()) {
                Some(i) => {
                    let next = chunk[i];
                    self.line += count_lines(&chunk[..i]);
                    self.reader.consume(i);
                    return Ok(Some(next));
                }
                None => {
                    let n = chunk.len();
                    self.line += count_lines(chunk);
                    self.reader.consume(n);
                }
            }
        }
    }

    /// Consumes one byte (one already seen with `peek_non_space`).
    pub fn skip_byte(&mut self) {
        self.reader.consume(1);
    }

    /// Reads the value that starts at the next byte (call `peek_non_space` first) into `buf`,
    /// which is cleared first. Bytes past `cap` are scanned but not kept.
    pub fn read_value(&mut self, buf: &mut Vec<u8>, cap: usize) -> io::Result<Framed> {
        buf.clear();
        let mut depth: u32 = 0;
        let mut in_string = false;
        let mut escaped = false;
        let mut too_large = false;
        let mut started = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                // A bare number or literal may end with the input itself.
                let complete = started && depth == 0 && !in_string;
                if too_large {
                    buf.clear();
                }
                return Ok(match (complete, too_large) {
                    (true, false) => Framed::Value,
                    (true, true) => Framed::TooLarge,
                    _ => Framed::CutOff,
                });
            }
            let mut end = None;
            for (i, &b) in chunk.iter().enumerate() {
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if b == b'\\' {
                        escaped = true;
                    } else if b == b'"' {
                        in_string = false;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    } else if b == b'\n' {
                        self.line += 1;
                    }
                    continue;
                }
                match b {
                    b'"' => in_string = true,
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' if depth == 0 => {
                        // Ends a bare scalar; the bracket belongs to the enclosing list.
                        end = Some(i);
                        break;
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            end = Some(i + 1);
                            break;
                        }
                    }
                    b',' if depth == 0 => {
                        end = Some(i);
                        break;
                    }
                    b' ' | b'\t' | b'\r' | b'\n' if depth == 0 && started => {
                        end = Some(i);
                        break;
                    }
                    b'\n' => self.line += 1,
                    _ => {}
                }
                started = true;
            }
            let take = end.unwrap_or(chunk.len());
            if !too_large {
                if buf.len() + take > cap {
                    too_large = true;
                    buf.clear();
                    buf.shrink_to(64 * 1024);
                } else {
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.reader.consume(take);
            if end.is_some() {
                return Ok(if too_large {
                    Framed::TooLarge
                } else {
                    Framed::Value
                });
            }
        }
    }

    /// Reads up to and including the next line break into `buf` (cleared first), keeping at
    /// most `cap` bytes. Returns None at the end of the input, else whether the line fit.
    pub fn read_line(&mut self, buf: &mut Vec<u8>, cap: usize) -> io::Result<Option<bool>> {
        buf.clear();
        let mut fits = true;
        let mut any = false;
        loop {
            let chunk = self.reader.fill_buf()?;
            if chunk.is_empty() {
                return Ok(any.then_some(fits));
            }
            any = true;
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if fits {
                if buf.len() + take > cap {
                    fits = false;
                    buf.clear();
                    buf.shrink_to(64 * 1024);
                } else {
                    buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.reader.consume(take);
            if done {
                self.line += 1;
                return Ok(Some(fits));
            }
        }
    }
}

fn count_lines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str, cap: usize) -> Vec<(Framed, String)> {
        // A tiny buffer makes values straddle reads.
        let mut f = Framer::new(io::BufReader::with_capacity(3, text.as_bytes()));
        let mut out = Vec::new();
        let mut buf = Vec::new();
        assert_eq!(f.peek_non_space().unwrap(), Some(b'['));
        f.skip_byte();
        loop {
            match f.peek_non_space().unwrap() {
                Some(b']') | None => break,
                Some(b',') => f.skip_byte(),
                Some(_) => {
                    let framed = f.read_value(&mut buf, cap).unwrap();
                    let cut = framed == Framed::CutOff;
                    out.push((framed, String::from_utf8(buf.clone()).unwrap()));
                    if cut {
                        break;
                    }
                }
            }
        }
        out
    }

    #[test]
    fn splits_lists_of_any_layout() {
        let text =
            "[\n {\"a\": \"x]}\\\"\", \"b\": [1, {\"c\": null}]},\n 12 , \"s,]\", null,[true]\n]";
        let got = values(text, 1000);
        let texts: Vec<&str> = got.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(
            texts,
            [
                "{\"a\": \"x]}\\\"\", \"b\": [1, {\"c\": null}]}",
                "12",
                "\"s,]\"",
                "null",
                "[true]"
            ]
        );
        assert!(got.iter().all(|(f, _)| *f == Framed::Value));
    }

    #[test]
    fn oversized_values_are_skipped_and_cut_values_reported() {
        let got = values("[{\"a\": \"0123456789\"}, {\"b\": 1}, {\"c\": ", 12);
        assert_eq!(got[0], (Framed::TooLarge, String::new()));
        assert_eq!(got[1], (Framed::Value, "{\"b\": 1}".into()));
        assert_eq!(got[2].0, Framed::CutOff);
    }

    #[test]
    fn lines_are_capped_and_counted() {
        let mut f = Framer::new(io::BufReader::with_capacity(4, &b"ab\nlong line\nlast"[..]));
        let mut buf = Vec::new();
        assert_eq!(f.read_line(&mut buf, 5).unwrap(), Some(true));
        assert_eq!(buf, b"ab\n");
        assert_eq!(f.read_line(&mut buf, 5).unwrap(), Some(false));
        assert!(buf.is_empty());
        assert_eq!(f.line(), 3);
        assert_eq!(f.read_line(&mut buf, 5).unwrap(), Some(true));
        assert_eq!(buf, b"last");
        assert_eq!(f.read_line(&mut buf, 5).unwrap(), None);
    }
}
