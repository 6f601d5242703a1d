//! The review queue: a project's scored posts that passed the gate, best first, each with its
//! score breakdown, its plain-words "why" and its reply drafts from the latest run; and the
//! marketer's actions on them (mark posted or skipped, approve or reject a draft, edit a
//! draft's text while the model's original is kept).
//!
//! Sorting and paging happen in SQLite, so a 100k-post project pages as fast as a small one.
//! "Balanced" orders by score² × views, which ranks exactly like the export's score × √views
//! (both factors are non-negative) without needing SQLite's optional math functions.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{FinderError, Result};
use crate::export::Status;
use crate::scoring::Label;
use crate::store::Store;

/// The order of the review queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum ReviewSort {
    /// Highest total score first.
    #[default]
    Score,
    /// Most viewed first.
    Views,
    /// Good posts that many people will see: score × √views.
    Balanced,
    /// Most recently posted first.
    Newest,
}

/// What the user thinks of a reply draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Review {
    #[default]
    Draft,
    Approved,
    Rejected,
}

impl Review {
    pub fn as_str(self) -> &'static str {
        match self {
            Review::Draft => "draft",
            Review::Approved => "approved",
            Review::Rejected => "rejected",
        }
    }

    fn from_db(s: &str) -> Review {
        match s {
            "approved" => Review::Approved,
            "rejected" => Review::Rejected,
            _ => Review::Draft,
        }
    }
}

/// The queue's views, one per thing a marketer may want to see again. "Approved" and
/// "Rejected" are about drafts (a post with a draft you approved / rejected), the others about
/// the post's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum QueueView {
    /// Not yet posted, skipped or exported-as-done.
    #[default]
    ToReview,
    /// Still to post, with a draft you approved.
    Approved,
    Posted,
    Skipped,
    /// Has a draft you rejected.
    Rejected,
    /// Marked done by an export ("mark exported posts as done").
    Exported,
    All,
}

/// Which posts the queue shows. Empty or `None` filters let everything through.
#[derive(Debug, Clone, PartialEq, Default, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OpportunityQuery {
    pub project_id: i64,
    pub labels: Vec<Label>,
    /// `None` means every status.
    pub status: Option<Status>,
    /// A view narrows further (with `status` left `None`, it alone decides).
    #[serde(default)]
    pub view: Option<QueueView>,
    /// Exact topic label.
    pub topic: Option<String>,
    /// Only posts that got drafts in this run; their drafts are that run's.
    pub run_id: Option<i64>,
    /// Words in the post's text or the author's handle (case-insensitive for ASCII).
    pub search: String,
    pub sort: ReviewSort,
    /// Only posts that have at least one usable draft.
    pub with_drafts: bool,
    #[serde(default)]
    pub offset: u32,
    /// At most this many posts (0 means 50).
    pub limit: u32,
}

/// One reply draft as the user sees it: the model's text, and the user's edit when there is one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Draft {
    pub id: i64,
    pub run_id: Option<i64>,
    pub reply_type: String,
    pub rank: i64,
    /// The model's text, exactly as it came.
    pub text: String,
    /// The user's edit; `None` when unedited.
    pub edited_text: Option<String>,
    pub review: Review,
    /// Written by hand for the sample project (not by the AI, never billed).
    pub sample: bool,
    /// X's reply box for the post with this draft filled in (empty when the post id is not
    /// a plain number, so no link can be built safely).
    pub reply_url: String,
}

impl Draft {
    /// What would be posted: the edit if there is one, else the model's text.
    pub fn final_text(&self) -> &str {
        self.edited_text.as_deref().unwrap_or(&self.text)
    }
}

/// X's "compose a reply" link for a post, with the text filled in:
/// `https://x.com/intent/post?in_reply_to=<id>&text=<text>`. Built from the numeric post id
/// only (never from a stored or imported address), the text percent-encoded as UTF-8.
/// `None` when the id is not a plain number.
pub fn reply_link(tweet_id: &str, text: &str) -> Option<String> {
    if tweet_id.is_empty() || tweet_id.len() > 20 || !tweet_id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "https://x.com/intent/post?in_reply_to={tweet_id}&text={}",
        percent_encode(text)
    ))
}

/// Percent-encodes everything but RFC 3986's unreserved characters, so the result is safe in a
/// query value whatever the text holds (`&`, `#`, `+`, line breaks, emoji).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A stored draft's columns.
struct DraftRow {
    id: i64,
    tweet_id: String,
    run_id: Option<i64>,
    reply_type: String,
    rank: i64,
    text: String,
    edited_text: Option<String>,
    review: String,
    sample: i64,
}

fn draft_from_row(r: DraftRow) -> Draft {
    let reply_url =
        reply_link(&r.tweet_id, r.edited_text.as_deref().unwrap_or(&r.text)).unwrap_or_default();
    Draft {
        id: r.id,
        run_id: r.run_id,
        reply_type: r.reply_type,
        rank: r.rank,
        text: r.text,
        edited_text: r.edited_text,
        review: Review::from_db(&r.review),
        sample: r.sample != 0,
        reply_url,
    }
}

/// One post in the review queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Opportunity {
    pub project_id: i64,
    pub tweet_id: String,
    pub url: String,
    pub handle: String,
    pub author_name: Option<String>,
    pub followers: i64,
    pub text: String,
    pub posted_at: i64,
    /// Seconds between posting and the `now` the queue was read at.
    pub age_s: i64,
    pub likes: i64,
    pub replies: i64,
    pub retweets: i64,
    pub views: i64,
    pub status: Status,
    pub label: Label,
    pub topic: Option<String>,
    pub why: String,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub total: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub velocity: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub relevance: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub openness: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub author_score: f64,
    /// "lexical" or "embedding".
    pub relevance_method: Option<String>,
    /// The run the drafts below come from.
    pub run_id: Option<i64>,
    pub drafts: Vec<Draft>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct OpportunityPage {
    pub items: Vec<Opportunity>,
    /// Posts matching the filters, all pages together.
    pub total: i64,
}

const DEFAULT_LIMIT: u32 = 50;
const MAX_LIMIT: u32 = 1000;

/// The posts that pass the query, sorted and paged, with their drafts.
pub async fn list(store: &Store, query: &OpportunityQuery, now: i64) -> Result<OpportunityPage> {
    let limit = match query.limit {
        0 => DEFAULT_LIMIT,
        n => n.min(MAX_LIMIT),
    };
    let labels =
        serde_json::to_string(&query.labels.iter().map(|l| l.as_str()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into());
    let status = query.status.map(|s| s.as_str());
    let view = match query.view {
        None | Some(QueueView::All) => None,
        Some(QueueView::ToReview) => Some("to_review"),
        Some(QueueView::Approved) => Some("approved"),
        Some(QueueView::Rejected) => Some("rejected"),
        Some(QueueView::Posted) => Some("posted"),
        Some(QueueView::Skipped) => Some("skipped"),
        Some(QueueView::Exported) => Some("exported"),
    };
    let topic = query
        .topic
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let words = serde_json::to_string(
        &query
            .search
            .split_whitespace()
            .map(|word| format!("%{}%", escape_like(word)))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_else(|_| "[]".into());
    let (limit, offset) = (limit as i64, query.offset as i64);

    // The filters, shared by the count and the page, as one fixed text: an unset filter is a
    // NULL (or empty JSON list) parameter that lets every row through. ?1 project, ?2 labels,
    // ?3 status, ?4 view, ?5 topic, ?6 run, ?7 only posts with drafts, ?8 search patterns
    // (every one must match the text or the handle).
    macro_rules! opportunities {
        ($($rest:tt)*) => {
            opportunity_query!(
                r#" WHERE pt.scored_at IS NOT NULL AND pt.gate_reason IS NULL AND pt.project_id = ?1
                   AND (json_array_length(?2) = 0 OR pt.label IN (SELECT value FROM json_each(?2)))
                   AND (?3 IS NULL OR pt.status = ?3)
                   AND (?4 IS NULL
                        OR (?4 = 'to_review' AND pt.status = 'pending')
                        OR (?4 IN ('posted', 'skipped', 'exported') AND pt.status = ?4)
                        OR (?4 IN ('approved', 'rejected')
                            AND (?4 = 'rejected' OR pt.status IN ('pending', 'exported'))
                            AND EXISTS (SELECT 1 FROM suggestions s WHERE s.project_id = pt.project_id
                                AND s.tweet_id = pt.tweet_id AND s.rejected_reason IS NULL AND s.review = ?4)))
                   AND (?5 IS NULL OR pt.topic = ?5)
                   AND (?6 IS NULL OR EXISTS (SELECT 1 FROM suggestions s WHERE s.project_id = pt.project_id
                        AND s.tweet_id = pt.tweet_id AND s.rejected_reason IS NULL AND s.run_id = ?6))
                   AND (?6 IS NOT NULL OR NOT ?7 OR EXISTS (SELECT 1 FROM suggestions s
                        WHERE s.project_id = pt.project_id AND s.tweet_id = pt.tweet_id
                          AND s.rejected_reason IS NULL))
                   AND NOT EXISTS (SELECT 1 FROM json_each(?8) w
                        WHERE NOT (t.text LIKE w.value ESCAPE '\' OR a.handle LIKE w.value ESCAPE '\'))"#,
                $($rest)*
            )
        };
    }
    macro_rules! opportunity_query {
        ($filters:tt, count) => {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM project_tweets pt
                   JOIN tweets t ON t.id = pt.tweet_id JOIN authors a ON a.id = t.author_id"# + $filters,
                query.project_id, labels, status, view, topic, query.run_id, query.with_drafts, words,
            )
            .fetch_one(store.pool())
            .await?
        };
        ($filters:tt, page, $order:tt) => {
            sqlx::query_as!(
                OpportunityRow,
                r#"SELECT pt.tweet_id, a.handle, a.name, a.followers, t.text, t.posted_at, t.likes,
                          t.replies, t.retweets, t.views, pt.status, pt.label, pt.topic, pt.why,
                          pt.score_total, pt.velocity, pt.relevance, pt.openness, pt.author_quality,
                          pt.relevance_method
                   FROM project_tweets pt
                   JOIN tweets t ON t.id = pt.tweet_id JOIN authors a ON a.id = t.author_id"# + $filters
                    + $order + ", pt.tweet_id ASC LIMIT ?9 OFFSET ?10",
                query.project_id, labels, status, view, topic, query.run_id, query.with_drafts, words,
                limit, offset,
            )
            .fetch_all(store.pool())
            .await?
        };
    }
    let total = opportunities!(count);
    let rows = match query.sort {
        ReviewSort::Score => opportunities!(page, " ORDER BY pt.score_total DESC"),
        ReviewSort::Views => opportunities!(page, " ORDER BY t.views DESC, pt.score_total DESC"),
        ReviewSort::Balanced => opportunities!(
            page,
            " ORDER BY pt.score_total * pt.score_total * max(t.views, 0) DESC, pt.score_total DESC"
        ),
        ReviewSort::Newest => {
            opportunities!(page, " ORDER BY t.posted_at DESC, pt.score_total DESC")
        }
    };

    let ids: Vec<String> = rows.iter().map(|r| r.tweet_id.clone()).collect();
    let mut drafts = drafts_for(store, query.project_id, &ids, query.run_id).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let tweet_id = r.tweet_id;
            let posted_at = r.posted_at;
            let (run_id, drafts) = drafts.remove(&tweet_id).unwrap_or((None, Vec::new()));
            let handle = r.handle;
            // Rebuilt from the id and handle, like the export's, never the imported address.
            let url = crate::export::post_link(&tweet_id, &handle);
            Opportunity {
                project_id: query.project_id,
                url,
                handle,
                author_name: r.name,
                followers: r.followers,
                text: r.text,
                posted_at,
                age_s: (now - posted_at).max(0),
                likes: r.likes,
                replies: r.replies,
                retweets: r.retweets,
                views: r.views,
                status: Status::parse(&r.status).unwrap_or(Status::Pending),
                label: r
                    .label
                    .as_deref()
                    .and_then(Label::parse)
                    .unwrap_or(Label::Red),
                topic: r.topic,
                why: r.why.unwrap_or_default(),
                total: r.score_total.unwrap_or(0.0),
                velocity: r.velocity.unwrap_or(0.0),
                relevance: r.relevance.unwrap_or(0.0),
                openness: r.openness.unwrap_or(0.0),
                author_score: r.author_quality.unwrap_or(0.0),
                relevance_method: r.relevance_method,
                run_id,
                drafts,
                tweet_id,
            }
        })
        .collect();
    Ok(OpportunityPage { items, total })
}

/// One post of the queue as the page query reads it.
struct OpportunityRow {
    tweet_id: String,
    handle: String,
    name: Option<String>,
    followers: i64,
    text: String,
    posted_at: i64,
    likes: i64,
    replies: i64,
    retweets: i64,
    views: i64,
    status: String,
    label: Option<String>,
    topic: Option<String>,
    why: Option<String>,
    score_total: Option<f64>,
    velocity: Option<f64>,
    relevance: Option<f64>,
    openness: Option<f64>,
    author_quality: Option<f64>,
    relevance_method: Option<String>,
}

fn escape_like(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.trim_start_matches('@').chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

type DraftsByPost = HashMap<String, (Option<i64>, Vec<Draft>)>;

/// Each post's usable drafts (those our quality filter kept) from one run: the given run, or
/// else the post's latest run. Ordered by rank (the project's reply-type order).
async fn drafts_for(
    store: &Store,
    project_id: i64,
    tweet_ids: &[String],
    run_id: Option<i64>,
) -> Result<DraftsByPost> {
    let mut out: DraftsByPost = HashMap::with_capacity(tweet_ids.len());
    for chunk in tweet_ids.chunks(500) {
        let ids = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
        let rows = sqlx::query_as!(
            DraftRow,
            r#"SELECT id AS "id!: i64", tweet_id, run_id, reply_type, rank, text, edited_text, review, sample
               FROM suggestions WHERE rejected_reason IS NULL AND project_id = ?1
                 AND (?2 IS NULL OR run_id = ?2) AND tweet_id IN (SELECT value FROM json_each(?3))
               ORDER BY tweet_id, coalesce(run_id, 0) DESC, rank, id"#,
            project_id,
            run_id,
            ids,
        )
        .fetch_all(store.pool())
        .await?;
        for r in rows {
            let draft_run = r.run_id;
            let tweet_id = r.tweet_id.clone();
            let draft = draft_from_row(r);
            let entry = out
                .entry(tweet_id)
                .or_insert_with(|| (draft_run, Vec::new()));
            // Rows come newest run first: keep only the first run seen.
            if entry.0 != draft_run {
                continue;
            }
            entry.1.push(draft);
        }
    }
    Ok(out)
}

/// What a status change did, so it can be undone: each changed post with the status it had.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct StatusChange {
    pub project_id: i64,
    pub changed: u64,
    pub previous: Vec<(String, Status)>,
}

/// Sets the review status of many posts of a project at once (bulk actions). Only pending,
/// posted and skipped can be chosen by hand; "exported" is set by exporting. Returns what
/// changed and what each post was before, for [`undo_status`].
pub async fn set_status(
    store: &Store,
    project_id: i64,
    tweet_ids: &[String],
    status: Status,
) -> Result<StatusChange> {
    if status == Status::Exported {
        return Err(FinderError::InvalidInput(
            "Posts are marked exported by exporting them; choose pending, posted or skipped."
                .into(),
        ));
    }
    let new_status = status.as_str();
    let mut tx = store.write_tx().await?;
    let mut previous = Vec::new();
    for chunk in tweet_ids.chunks(500) {
        let ids = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
        let rows = sqlx::query!(
            "SELECT tweet_id, status FROM project_tweets
             WHERE project_id = ? AND status != ? AND tweet_id IN (SELECT value FROM json_each(?))",
            project_id,
            new_status,
            ids,
        )
        .fetch_all(&mut *tx)
        .await?;
        for r in rows {
            let was = Status::parse(&r.status).unwrap_or(Status::Pending);
            previous.push((r.tweet_id, was));
        }
    }
    let mut changed = 0;
    for chunk in tweet_ids.chunks(500) {
        let ids = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".into());
        changed += sqlx::query!(
            "UPDATE project_tweets SET status = ?1
             WHERE project_id = ?2 AND status != ?1 AND tweet_id IN (SELECT value FROM json_each(?3))",
            new_status,
            project_id,
            ids,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(StatusChange {
        project_id,
        changed,
        previous,
    })
}

/// Puts posts back to the statuses a [`StatusChange`] recorded (any status, "exported"
/// included, since this only restores what was there). Returns how many posts changed.
pub async fn undo_status(store: &Store, change: &StatusChange) -> Result<u64> {
    let mut tx = store.write_tx().await?;
    let mut changed = 0;
    for (tweet_id, status) in &change.previous {
        let status = status.as_str();
        changed += sqlx::query!(
            "UPDATE project_tweets SET status = ? WHERE project_id = ? AND tweet_id = ?",
            status,
            change.project_id,
            tweet_id,
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
    }
    tx.commit().await?;
    Ok(changed)
}

/// Approves, rejects, or returns a draft to "draft". Rejected drafts are left out of exports
/// and count as not answered, so a later run may draft the post again.
pub async fn set_review(store: &Store, draft_id: i64, review: Review) -> Result<Draft> {
    let review = review.as_str();
    let done = sqlx::query!(
        "UPDATE suggestions SET review = ? WHERE id = ? AND rejected_reason IS NULL",
        review,
        draft_id,
    )
    .execute(store.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(draft_missing(draft_id));
    }
    get_draft(store, draft_id).await
}

/// Replaces what would be posted with the user's text; the model's text is kept. Giving back
/// the model's own text (or only adding spaces around it) removes the edit.
pub async fn edit_draft(store: &Store, draft_id: i64, text: &str) -> Result<Draft> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FinderError::InvalidInput(
            "A reply cannot be empty. Write some text, or reject the draft instead.".into(),
        ));
    }
    let original: Option<String> = sqlx::query_scalar!(
        "SELECT text FROM suggestions WHERE id = ? AND rejected_reason IS NULL",
        draft_id,
    )
    .fetch_optional(store.pool())
    .await?;
    let original = original.ok_or_else(|| draft_missing(draft_id))?;
    let edit = (text != original.trim()).then(|| text.to_string());
    sqlx::query!(
        "UPDATE suggestions SET edited_text = ? WHERE id = ?",
        edit,
        draft_id
    )
    .execute(store.pool())
    .await?;
    get_draft(store, draft_id).await
}

pub async fn get_draft(store: &Store, draft_id: i64) -> Result<Draft> {
    let r = sqlx::query_as!(
        DraftRow,
        r#"SELECT id AS "id!: i64", tweet_id, run_id, reply_type, rank, text, edited_text, review, sample
           FROM suggestions WHERE id = ?"#,
        draft_id,
    )
    .fetch_optional(store.pool())
    .await?
    .ok_or_else(|| draft_missing(draft_id))?;
    Ok(draft_from_row(r))
}

fn draft_missing(draft_id: i64) -> FinderError {
    FinderError::InvalidInput(format!(
        "Reply draft #{draft_id} no longer exists (its project or run may have been deleted)."
    ))
}

/// The topic labels a project's scored posts carry, for the topic filter.
pub async fn topics_in_use(store: &Store, project_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar!(
        r#"SELECT DISTINCT topic AS "topic!" FROM project_tweets
           WHERE project_id = ? AND topic IS NOT NULL AND gate_reason IS NULL ORDER BY topic"#,
        project_id,
    )
    .fetch_all(store.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_links_use_the_numeric_id_and_encode_the_text() {
        assert_eq!(
            reply_link("2126457847809946755", "Support load & churn? 50% #real\nyes 🚀").unwrap(),
            "https://x.com/intent/post?in_reply_to=2126457847809946755&text=Support%20load%20%26%20churn%3F%2050%25%20%23real%0Ayes%20%F0%9F%9A%80"
        );
        assert_eq!(reply_link("123abc", "hi"), None);
        assert_eq!(reply_link("https://evil.example/1", "hi"), None);
        assert_eq!(reply_link("", "hi"), None);
        assert_eq!(reply_link("123456789012345678901", "hi"), None);
    }

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
        assert_eq!(escape_like("@someone"), "someone");
    }
}
