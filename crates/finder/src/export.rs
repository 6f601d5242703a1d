//! CSV export of a project's opportunities, one row per post, with the predecessor's columns.
//! Safe in spreadsheets: cells that a spreadsheet would run as a formula are neutralised,
//! quoting follows RFC 4180, and the file is written aside then renamed so a crash never
//! leaves half a file. Exporting changes no post's status unless asked to: with `mark_exported`,
//! the pending posts in the file are marked exported (done).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{FinderError, Result};
use crate::projects::Project;
use crate::scoring::Label;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Status {
    Pending,
    Exported,
    Posted,
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Exported => "exported",
            Status::Posted => "posted",
            Status::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s.trim().to_ascii_lowercase().as_str() {
            "pending" => Some(Status::Pending),
            "exported" => Some(Status::Exported),
            "posted" => Some(Status::Posted),
            "skipped" => Some(Status::Skipped),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Sort {
    #[default]
    Score,
    Views,
    /// score × √views: good posts that many people will see.
    Balanced,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        match s.trim().to_ascii_lowercase().as_str() {
            "score" => Some(Sort::Score),
            "views" => Some(Sort::Views),
            "balanced" => Some(Sort::Balanced),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// Empty means every label.
    pub labels: Vec<Label>,
    /// None means every status.
    pub status: Option<Status>,
    pub sort: Sort,
    /// How many posts (not replies) at most.
    pub limit: Option<u32>,
    /// Start the file with a byte-order mark so older Excel reads it as UTF-8.
    pub bom: bool,
    /// Mark the pending posts in the file as exported (done), so they leave the "To review"
    /// queue and the next export of pending posts. Off by default: an export for a client
    /// must not hide work.
    pub mark_exported: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            labels: Vec::new(),
            status: Some(Status::Pending),
            sort: Sort::Score,
            limit: None,
            bom: false,
            mark_exported: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExportReport {
    pub path: PathBuf,
    pub rows: usize,
    pub marked_exported: u64,
}

pub const COLUMNS: [&str; 24] = [
    "rank",
    "priority_score",
    "project",
    "tweet_id",
    "url",
    "author",
    "followers",
    "views",
    "tweet_text",
    "posted_at",
    "score_total",
    "label",
    "topic",
    "why",
    "suggested_response",
    "suggested_type",
    "alternative_1",
    "alt_1_type",
    "alternative_2",
    "alt_2_type",
    "alternative_3",
    "alt_3_type",
    "alternative_4",
    "alt_4_type",
];

/// Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
/// A leading apostrophe makes Excel and Google Sheets show the text as typed.
///
/// Spreadsheets also trim leading spaces and line breaks before looking for a formula, and
/// some accept the full-width signs (＝ ＋ － ＠) typed with East Asian keyboards, so those
/// count too. A cell starting with a tab or carriage return is always neutralised.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if matches!(cell.chars().next(), Some('\t' | '\r')) {
        return format!("'{cell}").into();
    }
    let first = cell
        .trim_start_matches([' ', '\t', '\r', '\n'])
        .chars()
        .next();
    match first {
        Some('=' | '+' | '-' | '@' | '\u{FF1D}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF20}') => {
            format!("'{cell}").into()
        }
        _ => cell.into(),
    }
}

/// The "open post" link, rebuilt from the stored id and handle rather than any stored
/// address: databases from older versions may hold the address an export file supplied.
pub fn post_link(tweet_id: &str, handle: &str) -> String {
    if tweet_id.is_empty() || !tweet_id.bytes().all(|b| b.is_ascii_digit()) {
        return String::new();
    }
    crate::import::post_url(handle, tweet_id)
}

struct ExportRow {
    tweet_id: String,
    text: String,
    posted_at: i64,
    views: i64,
    handle: String,
    followers: i64,
    score: f64,
    label: String,
    topic: Option<String>,
    why: Option<String>,
    status: String,
    priority: f64,
}

pub async fn export_csv(
    store: &Store,
    project: &Project,
    options: &ExportOptions,
    out: &Path,
) -> Result<ExportReport> {
    let mut rows = select_rows(store, project.id, options).await?;
    for row in rows.iter_mut() {
        row.priority = match options.sort {
            Sort::Score => row.score,
            Sort::Views => row.views as f64,
            Sort::Balanced => row.score * (row.views.max(0) as f64).sqrt(),
        };
    }
    rows.sort_by(|a, b| {
        b.priority
            .total_cmp(&a.priority)
            .then(b.score.total_cmp(&a.score))
            .then_with(|| a.tweet_id.cmp(&b.tweet_id))
    });
    if let Some(limit) = options.limit {
        rows.truncate(limit as usize);
    }
    let replies = latest_replies(store, project.id).await?;
    write_file(out, options.bom, |w| {
        w.write_record(COLUMNS)?;
        for (i, row) in rows.iter().enumerate() {
            let drafts: &[(String, String)] =
                replies.get(&row.tweet_id).map(Vec::as_slice).unwrap_or(&[]);
            let mut record: Vec<String> = vec![
                (i + 1).to_string(),
                format!("{:.4}", row.priority),
                spreadsheet_safe(project.name()).into_owned(),
                row.tweet_id.clone(),
                spreadsheet_safe(&post_link(&row.tweet_id, &row.handle)).into_owned(),
                spreadsheet_safe(&row.handle).into_owned(),
                row.followers.to_string(),
                row.views.to_string(),
                spreadsheet_safe(&row.text).into_owned(),
                iso_time(row.posted_at),
                format!("{:.3}", row.score),
                row.label.clone(),
                spreadsheet_safe(row.topic.as_deref().unwrap_or("")).into_owned(),
                spreadsheet_safe(row.why.as_deref().unwrap_or("")).into_owned(),
            ];
            for slot in 0..5 {
                match drafts.get(slot) {
                    Some((kind, text)) => {
                        record.push(spreadsheet_safe(text).into_owned());
                        record.push(kind.clone());
                    }
                    None => {
                        record.push(String::new());
                        record.push(String::new());
                    }
                }
            }
            w.write_record(&record)?;
        }
        Ok(())
    })?;
    let pending: Vec<&str> = rows
        .iter()
        .filter(|r| r.status == Status::Pending.as_str())
        .map(|r| r.tweet_id.as_str())
        .collect();
    let marked = if options.mark_exported {
        mark_exported(store, project.id, &pending).await?
    } else {
        0
    };
    Ok(ExportReport {
        path: out.to_path_buf(),
        rows: rows.len(),
        marked_exported: marked,
    })
}

async fn select_rows(
    store: &Store,
    project_id: i64,
    options: &ExportOptions,
) -> Result<Vec<ExportRow>> {
    let labels = serde_json::to_string(
        &options
            .labels
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let status = options.status.map(|s| s.as_str());
    let rows = sqlx::query!(
        "SELECT pt.tweet_id, t.text, t.posted_at, t.views, a.handle, a.followers, pt.score_total,
                pt.label, pt.topic, pt.why, pt.status
         FROM project_tweets pt
         JOIN tweets t ON t.id = pt.tweet_id
         JOIN authors a ON a.id = t.author_id
         WHERE pt.scored_at IS NOT NULL AND pt.gate_reason IS NULL AND pt.project_id = ?1
           AND (json_array_length(?2) = 0 OR pt.label IN (SELECT value FROM json_each(?2)))
           AND (?3 IS NULL OR pt.status = ?3)",
        project_id,
        labels,
        status,
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ExportRow {
            tweet_id: r.tweet_id,
            text: r.text,
            posted_at: r.posted_at,
            views: r.views,
            handle: r.handle,
            followers: r.followers,
            score: r.score_total.unwrap_or(0.0),
            label: r.label.unwrap_or_default(),
            topic: r.topic,
            why: r.why,
            status: r.status,
            priority: 0.0,
        })
        .collect())
}

/// Each post's reply drafts from its most recent run: approved first, then by rank; the
/// user's edit replaces the model's text; drafts our quality filter or the user rejected
/// are left out.
async fn latest_replies(
    store: &Store,
    project_id: i64,
) -> Result<HashMap<String, Vec<(String, String)>>> {
    let rows = sqlx::query!(
        r#"SELECT tweet_id, reply_type, coalesce(edited_text, text) AS "body!: String",
                  coalesce(run_id, 0) AS "run!: i64"
           FROM suggestions
           WHERE project_id = ? AND rejected_reason IS NULL AND review != 'rejected'
           ORDER BY tweet_id, 4 DESC, review = 'approved' DESC, rank"#,
        project_id,
    )
    .fetch_all(store.pool())
    .await?;
    let mut out: HashMap<String, (i64, Vec<(String, String)>)> = HashMap::new();
    for r in rows {
        let run = r.run;
        let entry = out.entry(r.tweet_id).or_insert((run, Vec::new()));
        if entry.0 == run && entry.1.len() < 5 {
            entry.1.push((r.reply_type, r.body));
        }
    }
    Ok(out.into_iter().map(|(k, (_, v))| (k, v)).collect())
}

async fn mark_exported(store: &Store, project_id: i64, tweet_ids: &[&str]) -> Result<u64> {
    let mut tx = store.write_tx().await?;
    let mut marked = 0;
    for chunk in tweet_ids.chunks(500) {
        let ids = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
        marked += sqlx::query!(
            "UPDATE project_tweets SET status = 'exported'
             WHERE status = 'pending' AND project_id = ? AND tweet_id IN (SELECT value FROM json_each(?))",
            project_id,
            ids,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(marked)
}

pub fn iso_time(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Writes a CSV to a temporary file beside `out`, then renames it into place.
pub fn write_file(
    out: &Path,
    bom: bool,
    fill: impl FnOnce(&mut csv::Writer<&mut std::fs::File>) -> csv::Result<()>,
) -> Result<()> {
    let unwritable = |message: String| FinderError::FileUnwritable {
        path: out.to_path_buf(),
        message,
    };
    let dir = out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = out
        .file_name()
        .ok_or_else(|| unwritable("the path names no file".into()))?;
    let temp = dir.join(format!(".{}.partial", file_name.to_string_lossy()));
    let result = (|| -> std::result::Result<(), String> {
        let mut file = std::fs::File::create(&temp).map_err(|e| e.to_string())?;
        if bom {
            file.write_all(b"\xEF\xBB\xBF").map_err(|e| e.to_string())?;
        }
        {
            let mut writer = csv::WriterBuilder::new()
                .terminator(csv::Terminator::CRLF)
                .from_writer(&mut file);
            fill(&mut writer).map_err(|e| e.to_string())?;
            writer.flush().map_err(|e| e.to_string())?;
        }
        file.sync_all().map_err(|e| e.to_string())?;
        std::fs::rename(&temp, out).map_err(|e| e.to_string())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.map_err(unwritable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert!(spreadsheet_safe(bad).starts_with('\''), "{bad:?}");
        }
        for fine in ["hello", "1 = 1", "x@y", "🚀 launch", "مرحبا"] {
            assert_eq!(spreadsheet_safe(fine), fine);
        }
    }

    #[test]
    fn hidden_and_full_width_formula_starts_are_neutralised() {
        for bad in [
            " =1+1",
            "  +1",
            "\t-2",
            "\r\n@SUM(A1)",
            "\n=HYPERLINK(\"x\")",
            " \t \n -3",
            "\u{FF1D}HYPERLINK(\"x\")",
            "\u{FF0B}1",
            "\u{FF0D}1",
            "\u{FF20}SUM(A1)",
            " \u{FF1D}1",
        ] {
            assert!(spreadsheet_safe(bad).starts_with('\''), "{bad:?}");
        }
        for fine in [" hello", "\nline", "  1 = 1", "x\u{FF1D}y", ""] {
            assert_eq!(spreadsheet_safe(fine), fine, "{fine:?}");
        }
    }

    #[test]
    fn links_are_rebuilt_from_id_and_handle() {
        assert_eq!(post_link("123", "ana_1"), "https://x.com/ana_1/status/123");
        assert_eq!(
            post_link("123", "evil.example/x"),
            "https://x.com/i/status/123"
        );
        assert_eq!(post_link("javascript:alert(1)", "ana"), "");
    }

    #[test]
    fn parses_filters() {
        assert_eq!(Sort::parse("Balanced"), Some(Sort::Balanced));
        assert_eq!(Status::parse("posted"), Some(Status::Posted));
        assert_eq!(Status::parse("done"), None);
    }
}
