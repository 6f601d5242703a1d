//! Human and JSON rendering for the CLI.

use std::path::Path;

use finder::import::{group_thousands, ImportReport};
use finder::posts::ScoreReport;
use finder::projects::ProjectSummary;
use finder::scoring::compact;
use finder::{ErrorCode, FinderError};
use serde_json::{json, Value};

pub struct Out {
    pub json: bool,
}

impl Out {
    /// The command's result: JSON on stdout with --json, otherwise the text.
    pub fn print(&self, value: &Value, text: &str) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into())
            );
        } else {
            println!("{text}");
        }
    }

    /// Side remarks (first-run notices, migrations) go to stderr so stdout stays parseable.
    pub fn note(&self, text: &str) {
        eprintln!("{text}");
    }

    /// The engine's sentence, then the command that fixes it (when there is one).
    pub fn error(&self, e: &FinderError) {
        let hint = hint(e.code());
        if self.json {
            let mut error = json!({"code": e.code(), "message": e.to_string()});
            if let Some(hint) = hint {
                error["hint"] = json!(hint);
            }
            eprintln!("{}", json!({ "error": error }));
        } else {
            eprintln!("Error: {e}");
            if let Some(hint) = hint {
                eprintln!("{hint}");
            }
        }
    }
}

/// The CLI's own next step for an error code. The engine's messages say what happened and
/// name no command (the desktop app shows the same sentences, with buttons instead), so the
/// commands to type are added here.
pub fn hint(code: ErrorCode) -> Option<&'static str> {
    Some(match code {
        ErrorCode::ProjectNotFound => "See the list with `comment-finder project list`.",
        ErrorCode::KeyMissing => {
            "Save one with `comment-finder key set gemini` (or set GEMINI_API_KEY)."
        }
        ErrorCode::ServerNotConfirmed => {
            "Enter the key again with `comment-finder key set gemini` to send it to this server."
        }
        ErrorCode::InvalidKey => "Save a new one with `comment-finder key set gemini`.",
        ErrorCode::KeychainFailed => {
            "See the saved keys with `comment-finder key status`; to replace one, run \
             `comment-finder key delete NAME`, then `comment-finder key set NAME`."
        }
        ErrorCode::DataPriceMissing => {
            "Add one with `comment-finder data-prices set PROVIDER USD_PER_1000_POSTS`."
        }
        _ => return None,
    })
}

pub fn project_list(list: &[ProjectSummary]) -> String {
    if list.is_empty() {
        return "No projects yet. Create one with `comment-finder project create NAME`.".into();
    }
    let mut text = String::new();
    for p in list {
        text.push_str(&format!(
            "{}  ({} topic{}, {} post{})\n",
            p.name,
            p.topics,
            plural(p.topics),
            group_thousands(p.posts),
            plural(p.posts)
        ));
    }
    text.trim_end().to_string()
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

pub fn import_report(file: &Path, project: &str, report: &ImportReport) -> String {
    let mut text = format!(
        "Imported {} ({}) into \"{}\": {} added, {} updated, {} skipped.",
        file.display(),
        report.format.describe(),
        project,
        group_thousands(report.added as i64),
        group_thousands(report.updated as i64),
        group_thousands(report.skipped_count() as i64),
    );
    if let Some(stop) = &report.stopped_early {
        text.push_str(&format!("\nNote: {stop}."));
    }
    const SHOWN: usize = 10;
    for s in report.skipped.iter().take(SHOWN) {
        let id =
            s.id.as_deref()
                .map(|id| format!(" (post {id})"))
                .unwrap_or_default();
        text.push_str(&format!("\n  skipped {}{}: {}", s.place, id, s.reason));
    }
    if report.skipped.len() > SHOWN {
        text.push_str(&format!(
            "\n  … and {} more (use --json to see every one).",
            group_thousands((report.skipped.len() - SHOWN) as i64)
        ));
    }
    text
}

pub fn score_report(report: &ScoreReport) -> String {
    let mut text = format!(
        "Scored {} post{}. Relevance: {}.\n",
        group_thousands(report.scored as i64),
        plural(report.scored as i64),
        match report.relevance_method {
            finder::scoring::RelevanceMethod::Lexical =>
                "word overlap with your topics (AI embeddings not used yet)",
            finder::scoring::RelevanceMethod::Embedding => "AI embeddings",
        }
    );
    text.push_str(&format!(
        "  green {} · yellow {} · red {}\n",
        report.green, report.yellow, report.red
    ));
    let held: usize = report.held_back.values().sum();
    if held > 0 {
        text.push_str(&format!("  held back, never sent to the AI: {held}\n"));
        for (reason, count) in &report.held_back {
            text.push_str(&format!("    {count} × {reason}\n"));
        }
    }
    if report.top.is_empty() {
        text.push_str(
            "No posts to show. Import posts with `comment-finder import FILE --project NAME`.",
        );
        return text;
    }
    text.push_str(&format!("\nBest {}:\n", report.top.len()));
    for (i, p) in report.top.iter().enumerate() {
        let one_line: String = p.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = one_line.chars().take(110).collect();
        let ellipsis = if one_line.chars().count() > 110 {
            "…"
        } else {
            ""
        };
        text.push_str(&format!(
            "{:>2}. {:.2} {:<6} @{} ({} followers)\n    {}{}\n    why: {}\n    {}\n",
            i + 1,
            p.total,
            p.label.as_str(),
            p.handle,
            compact(p.followers),
            short,
            ellipsis,
            p.why,
            p.url
        ));
    }
    text.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The engine's sentences for these codes used to name a command; the CLI now adds it.
    #[test]
    fn codes_whose_fix_is_a_command_get_one() {
        for code in [
            ErrorCode::ProjectNotFound,
            ErrorCode::KeyMissing,
            ErrorCode::ServerNotConfirmed,
            ErrorCode::InvalidKey,
            ErrorCode::KeychainFailed,
            ErrorCode::DataPriceMissing,
        ] {
            let hint = hint(code).unwrap_or_else(|| panic!("{code} has no hint"));
            assert!(hint.contains("`comment-finder "), "{code}: {hint}");
        }
        assert_eq!(hint(ErrorCode::Quota), None);
    }
}
