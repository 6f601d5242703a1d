//! Importing tweet exports: Apify JSON arrays, JSONL, Apify CSV and X API v2 search JSON,
//! detected from the content. Files are streamed: a parser thread reads items while the
//! database writes batches, so memory stays flat however large the file is.
//!
//! A bad item never aborts the good ones: it is skipped with a reason. A file with no post in
//! it at all is refused with one clear error and changes nothing (no post means no write).
//!
//! Memory is bounded by caps, each with a plain message: one item or line (1 MB), one JSON
//! document read whole (16 MB, e.g. an X API page), the whole file (5 GB, checked before
//! reading), and the skipped rows kept for the report (the first 100; the rest are counted).
//! Posts are committed in chunks, so a long import never holds the write lock for long.

mod fields;
mod frame;
mod pick;
mod write;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

pub use fields::{
    group_thousands, is_valid_handle, post_url, ImportedAuthor, ImportedTweet, Rejection,
    MAX_TEXT_CHARS,
};

use crate::error::{FinderError, Result};
use crate::store::Store;
use frame::{Framed, Framer};

/// One array item or one JSON Lines line. A realistic post with its author's profile is about
/// 2 KB and the longest post text (25,000 characters) stays well under this.
pub const MAX_ITEM_BYTES: usize = 1024 * 1024;
const MAX_ITEM_LABEL: &str = "1 MB";
/// One JSON document that has to be read whole (an X API page, a single object).
pub const MAX_DOCUMENT_BYTES: usize = 16 * 1024 * 1024;
const MAX_DOCUMENT_LABEL: &str = "16 MB";
/// The largest file accepted (about 2.5 million realistic posts). Anything bigger is refused
/// before reading, so a wrong file (a disk image, a video) fails at once.
pub const MAX_FILE_BYTES: u64 = 5 * 1024 * 1024 * 1024;
/// Skipped rows listed in the report; the rest are only counted.
pub const MAX_SKIPPED_LISTED: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Format {
    ApifyJson,
    Jsonl,
    ApifyCsv,
    XApiJson,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::ApifyJson => "Apify JSON",
            Format::Jsonl => "JSON Lines",
            Format::ApifyCsv => "Apify CSV",
            Format::XApiJson => "X API JSON",
        }
    }
}

/// One skipped item: where it was in the file, its id when readable, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct SkippedRow {
    pub place: String,
    pub id: Option<String>,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    pub format: Format,
    pub added: u64,
    pub updated: u64,
    /// The first [`MAX_SKIPPED_LISTED`] skipped rows, with reasons.
    pub skipped: Vec<SkippedRow>,
    /// Every skipped row, including those not listed in `skipped`.
    pub skipped_total: u64,
    /// A problem that stopped reading early (e.g. a file cut off mid-way); items before it count.
    pub stopped_early: Option<String>,
}

impl ImportReport {
    pub fn skipped_count(&self) -> u64 {
        self.skipped_total
    }
}

/// What the reader hands to the writer.
#[derive(Debug)]
pub(crate) enum Parsed {
    Post(Box<ImportedTweet>),
    Skipped(SkippedRow),
}

const PEEK_BYTES: usize = 256 * 1024;
const BATCH: usize = 500;

/// Imports a file into a project. `now` is the fetch time recorded with the metrics.
pub async fn import_file(
    store: &Store,
    project_id: i64,
    path: &Path,
    now: i64,
) -> Result<ImportReport> {
    let file = std::fs::File::open(path).map_err(|e| FinderError::FileUnreadable {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let meta = file.metadata().ok();
    if meta.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(FinderError::FileUnreadable {
            path: path.to_path_buf(),
            message: "it is a folder, not a file".into(),
        });
    }
    if let Some(len) = meta.map(|m| m.len()).filter(|&len| len > MAX_FILE_BYTES) {
        return Err(FinderError::NotATweetExport(format!(
            "This file is {:.1} GB; Comment Finder imports files up to {} GB at a time. \
             Split the export into smaller parts (Apify exports in pages with offset and limit) \
             and import each part. Nothing was imported.",
            len as f64 / 1e9,
            MAX_FILE_BYTES / (1024 * 1024 * 1024)
        )));
    }
    import_reader(store, project_id, file, now).await
}

/// Imports from any byte source (a file, the bundled sample, a drag-and-drop buffer).
pub async fn import_reader<R: Read + Send + 'static>(
    store: &Store,
    project_id: i64,
    reader: R,
    now: i64,
) -> Result<ImportReport> {
    import_with(store, project_id, reader, now, |t| t).await
}

/// Reads every item and writes the posts; the report, whatever it holds.
async fn read_and_write<R, F>(
    store: &Store,
    project_id: i64,
    reader: R,
    now: i64,
    adjust: F,
) -> Result<ImportReport>
where
    R: Read + Send + 'static,
    F: Fn(ImportedTweet) -> ImportedTweet + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Vec<Parsed>>(4);
    let reading = tokio::task::spawn_blocking(move || {
        let mut batch = Vec::with_capacity(BATCH);
        let outcome = read_export(reader, &mut |item| {
            let item = match item {
                Parsed::Post(t) => Parsed::Post(Box::new(adjust(*t))),
                skipped => skipped,
            };
            batch.push(item);
            if batch.len() >= BATCH {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(BATCH));
                // A closed channel means the writer failed; its error is the one reported.
                return tx.blocking_send(full).is_ok();
            }
            true
        });
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        outcome
    });
    let written = write::write_batches(store, project_id, rx, now).await;
    let read = reading.await.map_err(|e| {
        FinderError::InvalidInput(format!("Reading the file stopped unexpectedly: {e}"))
    })?;
    let (format, stopped_early) = read?;
    let tally = written?;
    Ok(ImportReport {
        format,
        added: tally.added,
        updated: tally.updated,
        skipped: tally.skipped,
        skipped_total: tally.skipped_total,
        stopped_early,
    })
}

/// One page of search results (an Apify dataset page or an X API answer), through the same
/// validation as a file. Unlike a file, a page with no post in it is a normal answer (only
/// Apify's `noResults` item, say): its report is returned, not an error.
pub(crate) async fn import_page(
    store: &Store,
    project_id: i64,
    page: Vec<u8>,
    now: i64,
) -> Result<ImportReport> {
    read_and_write(store, project_id, std::io::Cursor::new(page), now, |t| t).await
}

/// Like `import_reader`, with a change applied to each post before it is stored.
pub(crate) async fn import_with<R, F>(
    store: &Store,
    project_id: i64,
    reader: R,
    now: i64,
    adjust: F,
) -> Result<ImportReport>
where
    R: Read + Send + 'static,
    F: Fn(ImportedTweet) -> ImportedTweet + Send + 'static,
{
    let report = read_and_write(store, project_id, reader, now, adjust).await?;
    if report.added + report.updated == 0 {
        // Nothing was written: the writer only opens a transaction for posts.
        return Err(no_posts_error(&report));
    }
    Ok(report)
}

fn no_posts_error(report: &ImportReport) -> FinderError {
    let mut message = format!(
        "No posts could be imported from this {} file, so nothing was changed.",
        report.format.describe()
    );
    if let Some(stop) = &report.stopped_early {
        message.push_str(&format!(" {stop}."));
    }
    let examples: Vec<String> = report
        .skipped
        .iter()
        .take(3)
        .map(|s| format!("{}: {}", s.place, s.reason))
        .collect();
    if !examples.is_empty() {
        message.push_str(&format!(
            " {} item(s) were skipped, for example — {}.",
            group_thousands(report.skipped_total as i64),
            examples.join("; ")
        ));
    }
    FinderError::NotATweetExport(message)
}

/// Detects the format and feeds every item to `emit` (which returns false to stop).
/// Returns the format and, when reading stopped before the end, why.
pub(crate) fn read_export<R: Read>(
    reader: R,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<(Format, Option<String>)> {
    let mut reader = BufReader::with_capacity(PEEK_BYTES, reader);
    let peek = fill_peek(&mut reader)?;
    let mut start = 0;
    if peek.starts_with(&[0xEF, 0xBB, 0xBF]) {
        start = 3;
    }
    if peek.starts_with(&[0xFF, 0xFE]) || peek.starts_with(&[0xFE, 0xFF]) {
        return Err(FinderError::NotATweetExport(
            "This file is saved as UTF-16 text. Save it as UTF-8 (or CSV UTF-8 in Excel) and import it again."
                .into(),
        ));
    }
    if peek.contains(&0) {
        return Err(FinderError::NotATweetExport(
            "This is not a tweet export: it looks like a binary file (an image, a spreadsheet or an archive). \
             Export the posts as JSON, JSONL or CSV and import that."
                .into(),
        ));
    }
    let body = &peek[start..];
    let Some(first) = body.iter().position(|b| !b.is_ascii_whitespace()) else {
        return Err(FinderError::NotATweetExport(
            "The file is empty: there are no posts in it.".into(),
        ));
    };
    let first_byte = body[first];
    let first_line_end = body[first..]
        .iter()
        .position(|&b| b == b'\n')
        .map(|p| first + p);
    let first_line = &body[first..first_line_end.unwrap_or(body.len())];
    reader.consume(start);
    match first_byte {
        b'[' => read_json_array(reader, emit).map(|stop| (Format::ApifyJson, stop)),
        b'{' => {
            let one_line_object = serde_json::from_slice::<Value>(first_line).is_ok();
            // A pretty-printed document spreads over lines; JSONL has one whole object per line.
            // A first line longer than the peek window can only be JSONL (or minified JSON,
            // which the line reader handles the same way).
            if one_line_object || first_line_end.is_none() {
                read_jsonl(reader, emit)
            } else {
                read_json_document(reader, emit)
            }
        }
        _ if looks_like_csv_header(first_line) => read_csv(reader, emit).map(|stop| (Format::ApifyCsv, stop)),
        _ => Err(FinderError::NotATweetExport(
            "This is not a tweet export. Comment Finder reads Apify exports (JSON, JSONL or CSV) and \
             X API search results (JSON)."
                .into(),
        )),
    }
}

/// Looks at the start of the input without consuming it. One fill is enough: files and
/// in-memory buffers return the whole window in one read.
fn fill_peek<R: Read>(reader: &mut BufReader<R>) -> Result<Vec<u8>> {
    reader
        .fill_buf()
        .map(<[u8]>::to_vec)
        .map_err(|e| FinderError::InvalidInput(format!("The file could not be read: {e}")))
}

fn looks_like_csv_header(line: &[u8]) -> bool {
    let text = String::from_utf8_lossy(line);
    let columns: Vec<String> = text
        .trim_end_matches(['\r', '\n'])
        .split([',', ';', '\t'])
        .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
        .collect();
    columns.iter().any(|c| c == "id") && columns.iter().any(|c| c == "text" || c == "fulltext")
}

/// A top-level list (Apify's JSON export), cut into items by the framer: one item in memory
/// at a time, pretty-printed or not.
fn read_json_array<R: BufRead>(
    reader: R,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<Option<String>> {
    let mut framer = Framer::new(reader);
    let mut buf = Vec::new();
    // The caller saw the opening bracket.
    framer.peek_non_space().map_err(read_error)?;
    framer.skip_byte();
    let mut count = 0usize;
    let mut expect_item = true;
    loop {
        let next = framer.peek_non_space().map_err(read_error)?;
        match next {
            None => return Ok(Some(ends_early(count, "item"))),
            Some(b']') => {
                framer.skip_byte();
                let trailing = framer.peek_non_space().map_err(read_error)?;
                return Ok(trailing.map(|_| {
                    format!(
                        "The list of posts ends at line {}, but more text follows it; that text was ignored",
                        framer.line()
                    )
                }));
            }
            Some(b',') if !expect_item => {
                framer.skip_byte();
                expect_item = true;
                continue;
            }
            Some(_) if !expect_item => {
                return Ok(Some(format!(
                    "Reading stopped at line {} after {count} item(s): the file is not valid JSON there (a comma is missing between items)",
                    framer.line()
                )))
            }
            Some(_) => {}
        }
        let line = framer.line();
        let framed = framer
            .read_value(&mut buf, MAX_ITEM_BYTES)
            .map_err(read_error)?;
        expect_item = false;
        let place = format!("item {}", count + 1);
        let parsed = match framed {
            Framed::CutOff => return Ok(Some(ends_early(count, "item"))),
            Framed::TooLarge => Parsed::Skipped(SkippedRow {
                place,
                id: None,
                reason: format!(
                    "the item (from line {line}) is larger than {}, so it was skipped; a post with its author is a few KB",
                    MAX_ITEM_LABEL
                ),
            }),
            Framed::Value => match pick::parse(&buf, &pick::ITEM) {
                Ok(value) => apify_parsed(place, &value),
                Err(e) => Parsed::Skipped(SkippedRow {
                    place,
                    id: None,
                    reason: format!(
                        "the item (from line {line}) is not valid JSON ({})",
                        strip_position(&e.to_string())
                    ),
                }),
            },
        };
        count += 1;
        if !emit(parsed) {
            return Ok(None);
        }
    }
}

fn read_error(e: std::io::Error) -> FinderError {
    FinderError::InvalidInput(format!("The file could not be read: {e}"))
}

fn ends_early(complete: usize, unit: &str) -> String {
    format!("The file ends early (it may have been cut off) after {complete} complete {unit}(s)")
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

fn apify_parsed(place: String, value: &Value) -> Parsed {
    match fields::apify_item(value) {
        Ok(t) => Parsed::Post(Box::new(t)),
        Err(r) => Parsed::Skipped(SkippedRow {
            place,
            id: r.id,
            reason: r.reason,
        }),
    }
}

fn emit_x_page(page: &Value, place_prefix: &str, emit: &mut dyn FnMut(Parsed) -> bool) -> bool {
    for (i, item) in fields::x_api_page(page).into_iter().enumerate() {
        let parsed = match item {
            Ok(t) => Parsed::Post(Box::new(t)),
            Err(r) => Parsed::Skipped(SkippedRow {
                place: format!("{place_prefix}data item {}", i + 1),
                id: r.id,
                reason: r.reason,
            }),
        };
        if !emit(parsed) {
            return false;
        }
    }
    true
}

fn read_jsonl<R: BufRead>(
    reader: R,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<(Format, Option<String>)> {
    let mut format = Format::Jsonl;
    let mut framer = Framer::new(reader);
    let mut line = Vec::new();
    loop {
        let number = framer.line();
        let Some(fits) = framer
            .read_line(&mut line, MAX_ITEM_BYTES)
            .map_err(read_error)?
        else {
            return Ok((format, None));
        };
        let place = format!("line {number}");
        if !fits {
            // Never held in memory: a runaway line (a missing line break, a binary blob)
            // costs one skipped row, not the import.
            let skipped = Parsed::Skipped(SkippedRow {
                place,
                id: None,
                reason: format!("the line is longer than {MAX_ITEM_LABEL} and was skipped"),
            });
            if !emit(skipped) {
                return Ok((format, None));
            }
            continue;
        }
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        let keep_going = match pick::parse(trimmed, &pick::ITEM) {
            Ok(value) if fields::is_x_api_page(&value) => {
                if number == 1 {
                    format = Format::XApiJson;
                }
                emit_x_page(&value, &format!("{place}, "), emit)
            }
            Ok(value) => emit(apify_parsed(place, &value)),
            Err(e) => emit(Parsed::Skipped(SkippedRow {
                place,
                id: None,
                reason: if e.is_eof() {
                    "the line is cut off (incomplete JSON)".into()
                } else {
                    format!(
                        "the line is not valid JSON ({})",
                        strip_position(&e.to_string())
                    )
                },
            })),
        };
        if !keep_going {
            return Ok((format, None));
        }
    }
}

/// A JSON document that is not a list: X API pages (one or several in a row), or Apify
/// items written out one after another. Each top-level value is read whole, so each is capped:
/// an X API page holds at most 100 posts (well under a megabyte).
fn read_json_document<R: BufRead>(
    reader: R,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<(Format, Option<String>)> {
    let mut format = Format::ApifyJson;
    let mut framer = Framer::new(reader);
    let mut buf = Vec::new();
    let mut pages = 0usize;
    let not_json = |line: u64, why: String| {
        FinderError::NotATweetExport(format!(
            "This file is not valid JSON (line {line}): {why}. Nothing was imported."
        ))
    };
    while framer.peek_non_space().map_err(read_error)?.is_some() {
        let line = framer.line();
        let framed = framer
            .read_value(&mut buf, MAX_DOCUMENT_BYTES)
            .map_err(read_error)?;
        let value = match framed {
            Framed::CutOff if pages == 0 => {
                return Err(not_json(line, "it ends before the first object is complete".into()))
            }
            Framed::CutOff => return Ok((format, Some(ends_early(pages, "page")))),
            Framed::TooLarge => {
                return Err(FinderError::NotATweetExport(format!(
                    "The JSON object starting at line {line} is larger than {MAX_DOCUMENT_LABEL}, so it was not read. \
                     X API pages hold at most 100 posts; for many posts use Apify's JSON (a list) or JSON Lines export. {}",
                    if pages == 0 { "Nothing was imported.".to_string() } else { format!("The {pages} object(s) before it were read.") }
                )))
            }
            Framed::Value => match serde_json::from_slice::<Value>(&buf) {
                Ok(v) => v,
                Err(e) if pages == 0 => {
                    return Err(not_json(
                        line + e.line().saturating_sub(1) as u64,
                        strip_position(&e.to_string()),
                    ))
                }
                Err(e) => {
                    return Ok((
                        format,
                        Some(format!(
                            "Reading stopped at line {} after {pages} page(s): the file is not valid JSON there ({})",
                            line + e.line().saturating_sub(1) as u64,
                            strip_position(&e.to_string())
                        )),
                    ))
                }
            },
        };
        pages += 1;
        let keep_going = if fields::is_x_api_page(&value) {
            format = Format::XApiJson;
            emit_x_page(&value, &format!("page {pages}, "), emit)
        } else if let Value::Array(items) = &value {
            items
                .iter()
                .enumerate()
                .all(|(i, item)| emit(apify_parsed(format!("item {}", i + 1), item)))
        } else if value.get("errors").is_some() && value.get("data").is_none() {
            return Err(FinderError::NotATweetExport(
                "This X API response holds only errors, no posts. Check the search and try again."
                    .into(),
            ));
        } else {
            emit(apify_parsed(format!("object {pages}"), &value))
        };
        if !keep_going {
            break;
        }
    }
    Ok((format, None))
}

/// Apify's CSV export flattens nested fields as `author/userName`; rebuild the JSON shape
/// and read it like any other Apify item.
fn read_csv<R: Read>(
    reader: BufReader<R>,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<Option<String>> {
    // The csv crate grows a record until its closing quote: one stray quote would pull the
    // rest of the file into memory. The guard stops reading once a row passes the cap.
    let since_row = std::rc::Rc::new(std::cell::Cell::new(0usize));
    let guarded = RowGuard {
        inner: reader,
        since_row: since_row.clone(),
    };
    let mut csv = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(guarded);
    let headers: Vec<String> = csv
        .headers()
        .map_err(|e| {
            FinderError::NotATweetExport(format!("The CSV header row could not be read: {e}"))
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut record = csv::StringRecord::new();
    loop {
        let line = csv.position().line() + 1;
        since_row.set(0);
        match csv.read_record(&mut record) {
            Ok(false) => return Ok(None),
            Ok(true) => {
                let place = format!(
                    "line {}",
                    record.position().map(|p| p.line()).unwrap_or(line)
                );
                if !emit(apify_parsed(place, &csv_row_to_json(&headers, &record))) {
                    return Ok(None);
                }
            }
            Err(e) => {
                let place = format!("line {line}");
                let too_long = since_row.get() > MAX_CSV_ROW_BYTES;
                if too_long {
                    return Ok(Some(format!(
                        "Reading stopped at line {line}: the row is longer than {MAX_ITEM_LABEL} \
                         (a closing quote may be missing), so it and the rest of the file were skipped"
                    )));
                }
                let reason = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "the row is not valid UTF-8 text".to_string(),
                    _ => format!("the row could not be read ({e})"),
                };
                if !emit(Parsed::Skipped(SkippedRow {
                    place,
                    id: None,
                    reason,
                })) {
                    return Ok(None);
                }
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    return Ok(Some(format!("Reading stopped at line {line}: {e}")));
                }
            }
        }
    }
}

/// Bytes a CSV row may span before reading stops (the item cap plus the reader's buffer).
const MAX_CSV_ROW_BYTES: usize = MAX_ITEM_BYTES + 64 * 1024;

/// Counts the bytes handed to the CSV reader since the current row began, and fails the read
/// once they pass the cap.
struct RowGuard<R> {
    inner: R,
    since_row: std::rc::Rc<std::cell::Cell<usize>>,
}

impl<R: Read> Read for RowGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.since_row.get() > MAX_CSV_ROW_BYTES {
            return Err(std::io::Error::other("a row is too long"));
        }
        let n = self.inner.read(buf)?;
        self.since_row.set(self.since_row.get() + n);
        Ok(n)
    }
}

fn csv_row_to_json(headers: &[String], record: &csv::StringRecord) -> Value {
    let mut root = serde_json::Map::new();
    for (header, cell) in headers.iter().zip(record.iter()) {
        let value = if cell.is_empty() {
            Value::Null
        } else {
            Value::String(cell.to_string())
        };
        // Apify writes arrays as `entities/urls/0/...`; only the first two levels matter here.
        match header.split_once('/') {
            Some((parent, child)) if !child.contains('/') => {
                let entry = root
                    .entry(parent.to_string())
                    .or_insert_with(|| Value::Object(Default::default()));
                if let Value::Object(map) = entry {
                    map.insert(child.to_string(), value);
                }
            }
            Some(_) => {}
            None => {
                root.insert(header.clone(), value);
            }
        }
    }
    Value::Object(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> Result<(Format, Option<String>, Vec<Parsed>)> {
        let mut items = Vec::new();
        let (format, stop) = read_export(std::io::Cursor::new(bytes.to_vec()), &mut |p| {
            items.push(p);
            true
        })?;
        Ok((format, stop, items))
    }

    fn posts(items: &[Parsed]) -> usize {
        items
            .iter()
            .filter(|p| matches!(p, Parsed::Post(_)))
            .count()
    }

    const ITEM: &str = r#"{"type":"tweet","id":"1","text":"hello there","createdAt":"Fri Nov 24 17:49:36 +0000 2023","author":{"userName":"a","followers":10}}"#;

    #[test]
    fn detects_each_format() {
        let (f, _, items) = read(format!("[{ITEM},{ITEM}]").as_bytes()).unwrap();
        assert_eq!((f, posts(&items)), (Format::ApifyJson, 2));
        let (f, _, items) = read(format!("{ITEM}\n{ITEM}\n").as_bytes()).unwrap();
        assert_eq!((f, posts(&items)), (Format::Jsonl, 2));
        let csv = "id,text,createdAt,author/userName,author/followers\n1,\"hi, there\",2026-11-28T10:00:00Z,bo,12\n";
        let (f, _, items) = read(csv.as_bytes()).unwrap();
        assert_eq!((f, posts(&items)), (Format::ApifyCsv, 1));
        let x = "{\n \"data\": [{\"id\":\"5\",\"text\":\"t\",\"author_id\":\"1\",\"created_at\":\"2026-11-28T10:00:00Z\"}],\n \"includes\": {\"users\": [{\"id\":\"1\",\"username\":\"u\"}]}\n}";
        let (f, _, items) = read(x.as_bytes()).unwrap();
        assert_eq!((f, posts(&items)), (Format::XApiJson, 1));
    }

    #[test]
    fn bom_is_ignored() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(format!("[{ITEM}]").as_bytes());
        let (_, _, items) = read(&bytes).unwrap();
        assert_eq!(posts(&items), 1);
    }

    #[test]
    fn truncated_array_keeps_complete_items() {
        let text = format!("[{ITEM},{ITEM},{{\"type\":\"tweet\",\"id\":\"3\",\"te");
        let (_, stop, items) = read(text.as_bytes()).unwrap();
        assert_eq!(posts(&items), 2);
        assert!(stop.unwrap().contains("ends early"));
    }

    #[test]
    fn bad_jsonl_line_does_not_stop_the_rest() {
        let text = format!("{ITEM}\nnot json\n\n{ITEM}\n{{\"id\":\"9\"");
        let (_, _, items) = read(text.as_bytes()).unwrap();
        assert_eq!(posts(&items), 2);
        let reasons: Vec<String> = items
            .iter()
            .filter_map(|p| match p {
                Parsed::Skipped(s) => Some(format!("{}: {}", s.place, s.reason)),
                _ => None,
            })
            .collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(reasons[0].starts_with("line 2: the line is not valid JSON"));
        assert!(reasons[1].starts_with("line 5: the line is cut off"));
    }

    #[test]
    fn non_exports_get_one_clear_error() {
        for (bytes, expected) in [
            (&b""[..], "empty"),
            (&b"   \n\n"[..], "empty"),
            (&b"\x89PNG\r\n\x1a\n\0\0\0IHDR"[..], "binary"),
            (&b"Dear diary, today I..."[..], "not a tweet export"),
            (&b"{\n \"name\": \"oops\",\n"[..], "not valid JSON"),
            (&[0xFF, 0xFE, b'[', 0][..], "UTF-16"),
        ] {
            let err = read(bytes).map(|_| ()).unwrap_err().to_string();
            assert!(err.contains(expected), "{expected}: {err}");
        }
    }
}
