//! Importing tweet exports: Apify JSON arrays, JSONL, Apify CSV and X API v2 search JSON,
//! detected from the content. Files are streamed: a parser thread reads items while the
//! database writes batches, so memory stays flat however large the file is.
//!
//! A bad item never aborts the good ones: it is skipped with a reason. A file with no post in
//! it at all is refused with one clear error and changes nothing (the import is one
//! transaction).

mod fields;
mod write;

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

pub use fields::{group_thousands, ImportedAuthor, ImportedTweet, Rejection, MAX_TEXT_CHARS};

use crate::error::{FinderError, Result};
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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
    pub skipped: Vec<SkippedRow>,
    /// A problem that stopped reading early (e.g. a file cut off mid-way); items before it count.
    pub stopped_early: Option<String>,
}

impl ImportReport {
    pub fn skipped_count(&self) -> u64 {
        self.skipped.len() as u64
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
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(FinderError::FileUnreadable {
            path: path.to_path_buf(),
            message: "it is a folder, not a file".into(),
        });
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
    let mut tally = written?;
    let report = ImportReport {
        format,
        added: tally.added,
        updated: tally.updated,
        skipped: std::mem::take(&mut tally.skipped),
        stopped_early,
    };
    if report.added + report.updated == 0 {
        tally.rollback().await?;
        return Err(no_posts_error(&report));
    }
    tally.commit().await?;
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
            report.skipped.len(),
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

fn read_json_array<R: Read>(
    reader: R,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<Option<String>> {
    use serde::de::{Deserializer, SeqAccess, Visitor};

    struct Items<'e> {
        emit: &'e mut dyn FnMut(Parsed) -> bool,
        count: &'e mut usize,
    }
    impl<'de> Visitor<'de> for Items<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a list of posts")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<(), A::Error> {
            while let Some(value) = seq.next_element::<Value>()? {
                *self.count += 1;
                let place = format!("item {}", *self.count);
                if !(self.emit)(apify_parsed(place, &value)) {
                    break;
                }
            }
            Ok(())
        }
    }

    let mut count = 0usize;
    let mut de = serde_json::Deserializer::from_reader(reader);
    let result = de.deserialize_seq(Items {
        emit,
        count: &mut count,
    });
    match result.and_then(|_| de.end()) {
        Ok(()) => Ok(None),
        Err(e) => Ok(Some(cut_off_message(&e, count, "item"))),
    }
}

fn cut_off_message(e: &serde_json::Error, complete: usize, unit: &str) -> String {
    if e.is_eof() {
        format!(
            "The file ends early (it may have been cut off) after {complete} complete {unit}(s)"
        )
    } else {
        format!(
            "Reading stopped at line {}, column {} after {complete} {unit}(s): the file is not valid JSON there ({})",
            e.line(),
            e.column(),
            strip_position(&e.to_string())
        )
    }
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

fn read_jsonl<R: Read>(
    mut reader: BufReader<R>,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<(Format, Option<String>)> {
    let mut format = Format::Jsonl;
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .map_err(|e| FinderError::InvalidInput(format!("The file could not be read: {e}")))?;
        if read == 0 {
            return Ok((format, None));
        }
        number += 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        let place = format!("line {number}");
        let keep_going = match serde_json::from_slice::<Value>(trimmed) {
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

/// A whole JSON document (pretty-printed): X API pages, one or several in a row, or a single
/// Apify item or list. X API pages are at most 100 posts, so reading it whole is fine.
fn read_json_document<R: Read>(
    reader: BufReader<R>,
    emit: &mut dyn FnMut(Parsed) -> bool,
) -> Result<(Format, Option<String>)> {
    let mut format = Format::ApifyJson;
    let mut values = serde_json::Deserializer::from_reader(reader).into_iter::<Value>();
    let mut pages = 0usize;
    for value in values.by_ref() {
        let value = match value {
            Ok(v) => v,
            Err(e) if pages == 0 => {
                return Err(FinderError::NotATweetExport(format!(
                    "This file is not valid JSON (line {}, column {}): {}. Nothing was imported.",
                    e.line(),
                    e.column(),
                    strip_position(&e.to_string())
                )))
            }
            Err(e) => return Ok((format, Some(cut_off_message(&e, pages, "page")))),
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
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
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
