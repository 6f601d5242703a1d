//! Search-term analysis (the predecessor's V1.7, with the scores kept): for each term of a
//! search, how many posts it brought, the green / yellow / red shares, the share from the last
//! 48 hours, the top topics, a verdict, and what replying to its greens would cost.
//!
//! Verdicts, as the predecessor's: Excellent ≥ 15% green and ≥ 30% fresh; Good ≥ 8% green with
//! ≥ 30% fresh (high confidence) or ≥ 20% fresh (medium); Okay ≥ 5% green; else Poor.

use serde::Serialize;

use crate::error::Result;
use crate::prices::{self, BilledTokens};
use crate::projects;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum Verdict {
    Excellent,
    Good,
    Okay,
    Poor,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Excellent => "Excellent",
            Verdict::Good => "Good",
            Verdict::Okay => "Okay",
            Verdict::Poor => "Poor",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TopicCount {
    pub topic: String,
    pub posts: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TermAnalysis {
    pub term: String,
    pub found: u64,
    pub green: u64,
    pub yellow: u64,
    pub red: u64,
    /// Gated: never sent to the AI (spam, reposts, replies not allowed …).
    pub held_back: u64,
    /// Shares of `found`, 0 to 1.
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub green_share: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub yellow_share: f64,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub red_share: f64,
    /// Share of posts from the last 48 hours.
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub fresh_share: f64,
    pub top_topics: Vec<TopicCount>,
    pub verdict: Verdict,
    /// The verdict as a word to show: "Excellent", "Good", "Okay" or "Poor".
    pub verdict_word: String,
    /// "Good (high confidence): 9% green, 64% from the last 48 hours."
    pub verdict_sentence: String,
    /// Estimated cost of drafting replies for the green posts.
    pub reply_cost_picos: i64,
    pub reply_cost: String,
}

/// The predecessor's rules.
pub fn verdict(green_share: f64, fresh_share: f64) -> (Verdict, Option<&'static str>) {
    if green_share >= 0.15 && fresh_share >= 0.30 {
        (Verdict::Excellent, None)
    } else if green_share >= 0.08 && fresh_share >= 0.30 {
        (Verdict::Good, Some("high confidence"))
    } else if green_share >= 0.08 && fresh_share >= 0.20 {
        (Verdict::Good, Some("medium confidence"))
    } else if green_share >= 0.05 {
        (Verdict::Okay, None)
    } else {
        (Verdict::Poor, None)
    }
}

/// Typical tokens of one post's drafts, used before a project has drafted anything: a packed
/// prompt's share per post, and five short drafts.
const TYPICAL_PROMPT_TOKENS: u64 = 900;
const TYPICAL_OUTPUT_TOKENS: u64 = 350;

/// What drafting replies for one post costs in this project: the average of its past runs,
/// else a typical post at the project's model's price.
pub async fn reply_cost_per_post(store: &Store, project_id: i64) -> Result<i64> {
    let row = sqlx::query!(
        r#"SELECT (SELECT SUM(c.cost_picos) FROM api_calls c JOIN runs r ON r.id = c.run_id
                   WHERE r.project_id = ?1 AND c.endpoint = 'generate') AS "cost?: i64",
                  (SELECT COUNT(*) FROM run_items i JOIN runs r ON r.id = i.run_id
                   WHERE r.project_id = ?1 AND i.state = 'done') AS "posts!: i64""#,
        project_id,
    )
    .fetch_one(store.pool())
    .await?;
    let (cost, posts) = (row.cost, row.posts);
    if let (Some(cost), true) = (cost, posts > 0) {
        return Ok(cost / posts);
    }
    let project = projects::get(store, project_id).await?;
    let price = prices::require(store, &project.settings.generation.model).await?;
    Ok(price.cost_picos(&BilledTokens {
        prompt: TYPICAL_PROMPT_TOKENS,
        output: TYPICAL_OUTPUT_TOKENS,
        ..BilledTokens::default()
    }))
}

/// The analysis of every term of a finished (or stopped) search, from its saved scores.
pub async fn analyze_search(store: &Store, search_id: i64, now: i64) -> Result<Vec<TermAnalysis>> {
    let project_id: i64 =
        sqlx::query_scalar!("SELECT project_id FROM searches WHERE id = ?", search_id)
            .fetch_optional(store.pool())
            .await?
            .ok_or_else(|| {
                crate::FinderError::InvalidInput(format!("There is no search #{search_id}."))
            })?;
    let per_post = reply_cost_per_post(store, project_id).await?;
    let order: Vec<String> = {
        let json: String =
            sqlx::query_scalar!("SELECT request_json FROM searches WHERE id = ?", search_id)
                .fetch_one(store.pool())
                .await?;
        serde_json::from_str::<super::SearchRequest>(&json)
            .map(|r| r.terms)
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for term in order {
        out.push(analyze_term(store, project_id, search_id, &term, per_post, now).await?);
    }
    Ok(out)
}

async fn analyze_term(
    store: &Store,
    project_id: i64,
    search_id: i64,
    term: &str,
    per_post: i64,
    now: i64,
) -> Result<TermAnalysis> {
    let fresh_since = now - 48 * 3600;
    let r = sqlx::query!(
        r#"SELECT COUNT(*) AS "found!: i64",
                COALESCE(SUM(pt.gate_reason IS NULL AND pt.label = 'green'), 0) AS "green!: i64",
                COALESCE(SUM(pt.gate_reason IS NULL AND pt.label = 'yellow'), 0) AS "yellow!: i64",
                COALESCE(SUM(pt.gate_reason IS NULL AND pt.label = 'red'), 0) AS "red!: i64",
                COALESCE(SUM(pt.gate_reason IS NOT NULL), 0) AS "held!: i64",
                COALESCE(SUM(t.posted_at >= ?), 0) AS "fresh!: i64"
         FROM search_hits h
         JOIN tweets t ON t.id = h.tweet_id
         LEFT JOIN project_tweets pt ON pt.tweet_id = h.tweet_id AND pt.project_id = ?
         WHERE h.search_id = ? AND h.term = ?"#,
        fresh_since,
        project_id,
        search_id,
        term,
    )
    .fetch_one(store.pool())
    .await?;
    let n = |x: i64| x.max(0) as u64;
    let found = n(r.found);
    let share = |x: u64| {
        if found == 0 {
            0.0
        } else {
            x as f64 / found as f64
        }
    };
    let (green, yellow, red, held_back) = (n(r.green), n(r.yellow), n(r.red), n(r.held));
    let fresh_share = share(n(r.fresh));
    let topics = sqlx::query!(
        r#"SELECT pt.topic AS "topic!", COUNT(*) AS "posts!: i64" FROM search_hits h
           JOIN project_tweets pt ON pt.tweet_id = h.tweet_id AND pt.project_id = ?
           WHERE h.search_id = ? AND h.term = ? AND pt.topic IS NOT NULL AND pt.gate_reason IS NULL
           GROUP BY pt.topic ORDER BY 2 DESC, pt.topic LIMIT 3"#,
        project_id,
        search_id,
        term,
    )
    .fetch_all(store.pool())
    .await?
    .into_iter()
    .map(|t| TopicCount {
        topic: t.topic,
        posts: t.posts as u64,
    })
    .collect();
    let green_share = share(green);
    let (verdict, confidence) = verdict(green_share, fresh_share);
    let percent = |x: f64| format!("{:.0}%", x * 100.0);
    let verdict_sentence = format!(
        "{}{}: {} green, {} from the last 48 hours.",
        verdict.as_str(),
        confidence.map(|c| format!(" ({c})")).unwrap_or_default(),
        percent(green_share),
        percent(fresh_share)
    );
    let reply_cost_picos = per_post.saturating_mul(green as i64);
    Ok(TermAnalysis {
        term: term.to_owned(),
        found,
        green,
        yellow,
        red,
        held_back,
        green_share,
        yellow_share: share(yellow),
        red_share: share(red),
        fresh_share,
        top_topics: topics,
        verdict,
        verdict_word: verdict.as_str().to_owned(),
        verdict_sentence,
        reply_cost_picos,
        reply_cost: prices::format_usd(reply_cost_picos),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_predecessors_rules() {
        assert_eq!(verdict(0.15, 0.30).0, Verdict::Excellent);
        assert_eq!(
            verdict(0.15, 0.29),
            (Verdict::Good, Some("medium confidence"))
        );
        assert_eq!(
            verdict(0.08, 0.30),
            (Verdict::Good, Some("high confidence"))
        );
        assert_eq!(verdict(0.08, 0.19).0, Verdict::Okay);
        assert_eq!(verdict(0.05, 0.0).0, Verdict::Okay);
        assert_eq!(verdict(0.049, 1.0).0, Verdict::Poor);
    }
}
