//! Human and JSON rendering for the CLI.

use std::path::Path;

use finder::import::{group_thousands, ImportReport};
use finder::posts::ScoreReport;
use finder::projects::ProjectSummary;
use finder::scoring::compact;
use finder::FinderError;
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

    pub fn error(&self, e: &FinderError) {
        if self.json {
            eprintln!(
                "{}",
                json!({"error": {"code": e.code(), "message": e.to_string()}})
            );
        } else {
            eprintln!("Error: {e}");
        }
    }
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
