//! Choosing a project's posts (filters first, then the limit — the predecessor limited first,
//! so its follower filter threw away good posts), scoring them, and keeping the scores.

use std::collections::BTreeMap;

use futures::TryStreamExt;
use serde::Serialize;

use crate::error::Result;
use crate::projects::Project;
use crate::scoring::{self, Label, LexicalRelevance, PostInput, RelevanceMethod, Score};
use crate::store::Store;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct PostFilter {
    /// Only posts at or after this unix time.
    pub posted_since: Option<i64>,
    pub min_followers: i64,
    pub min_likes: i64,
    /// The freshest N posts that pass the filters above.
    pub limit: Option<u32>,
}

/// A post as stored, with its author's public numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredPost {
    pub id: String,
    pub text: String,
    pub url: String,
    pub lang: Option<String>,
    pub handle: String,
    pub followers: i64,
    pub likes: i64,
    pub replies: i64,
    pub retweets: i64,
    pub views: i64,
    pub posted_at: i64,
    pub is_retweet: bool,
    pub reply_restricted: bool,
}

impl StoredPost {
    pub fn as_input(&self) -> PostInput<'_> {
        PostInput {
            text: &self.text,
            lang: self.lang.as_deref(),
            handle: &self.handle,
            followers: self.followers,
            likes: self.likes,
            replies: self.replies,
            retweets: self.retweets,
            posted_at: self.posted_at,
            is_retweet: self.is_retweet,
            reply_restricted: self.reply_restricted,
        }
    }
}

pub async fn select(
    store: &Store,
    project_id: i64,
    filter: &PostFilter,
) -> Result<Vec<StoredPost>> {
    // One fixed query: an unset filter is a bound that lets every post through (no limit is
    // SQLite's LIMIT -1).
    let since = filter.posted_since.unwrap_or(i64::MIN);
    let limit = filter.limit.map_or(-1, i64::from);
    // Rows are converted as they stream in: holding every raw row first (`fetch_all`) doubled
    // the memory of scoring a large project.
    let mut rows = sqlx::query_as!(
        StoredPost,
        r#"SELECT t.id AS "id!", t.text, t.url, t.lang, a.handle, a.followers, t.likes, t.replies,
                  t.retweets, t.views, t.posted_at, t.is_retweet AS "is_retweet: bool",
                  t.reply_restricted AS "reply_restricted: bool"
           FROM project_tweets pt
           JOIN tweets t ON t.id = pt.tweet_id
           JOIN authors a ON a.id = t.author_id
           WHERE pt.project_id = ?1 AND t.posted_at >= ?2
             AND (?3 <= 0 OR a.followers >= ?3) AND (?4 <= 0 OR t.likes >= ?4)
           ORDER BY t.posted_at DESC, t.id DESC
           LIMIT ?5"#,
        project_id,
        since,
        filter.min_followers,
        filter.min_likes,
        limit,
    )
    .fetch(store.pool());
    let mut posts = Vec::new();
    while let Some(post) = rows.try_next().await? {
        posts.push(post);
    }
    Ok(posts)
}

/// Scores posts with lexical relevance (embeddings replace it once a project has them).
pub fn score(project: &Project, posts: &[StoredPost], now: i64) -> Vec<Score> {
    let matches =
        LexicalRelevance::match_all(&project.settings, posts.iter().map(|p| p.text.as_str()));
    let inputs: Vec<PostInput> = posts.iter().map(StoredPost::as_input).collect();
    scoring::score_posts(
        &project.settings,
        &inputs,
        &matches,
        RelevanceMethod::Lexical,
        now,
    )
}

/// Keeps each post's latest score on its project membership row.
///
/// Rows travel as one JSON array per chunk, unpacked by SQLite's `json_each`: binding 14
/// values per row one by one made saving take three times as long as scoring itself.
pub async fn save_scores(
    store: &Store,
    project_id: i64,
    posts: &[StoredPost],
    scores: &[Score],
    now: i64,
) -> Result<()> {
    let saver = ScoreSaver::start(store, project_id, now).await?;
    for (post_chunk, score_chunk) in posts.chunks(SAVE_CHUNK).zip(scores.chunks(SAVE_CHUNK)) {
        saver.send(post_chunk, score_chunk).await?;
    }
    saver.finish().await
}

const SAVE_CHUNK: usize = 20_000;

/// Saves chunks of scores in one transaction on a task of its own, so SQLite writes one
/// chunk (on its own thread) while the caller prepares or scores the next.
struct ScoreSaver {
    chunks: tokio::sync::mpsc::Sender<String>,
    task: tokio::task::JoinHandle<Result<()>>,
}

impl ScoreSaver {
    async fn start(store: &Store, project_id: i64, now: i64) -> Result<Self> {
        let mut tx = store.write_tx().await?;
        let (chunks, mut rx) = tokio::sync::mpsc::channel::<String>(1);
        let task = tokio::spawn(async move {
            while let Some(rows) = rx.recv().await {
                sqlx::query!(
                    "INSERT INTO project_tweets (project_id, tweet_id, added_at, scored_at, score_total, velocity,
         relevance, openness, author_quality, relevance_method, label, topic, why, gate_reason)
     SELECT ?1, r.value ->> 0, ?2, ?2, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4,
            r.value ->> 5, r.value ->> 6, r.value ->> 7, r.value ->> 8, r.value ->> 9, r.value ->> 10
     FROM json_each(?3) AS r WHERE true
     ON CONFLICT(project_id, tweet_id) DO UPDATE SET
        scored_at = excluded.scored_at, score_total = excluded.score_total,
        velocity = excluded.velocity, relevance = excluded.relevance,
        openness = excluded.openness, author_quality = excluded.author_quality,
        relevance_method = excluded.relevance_method, label = excluded.label,
        topic = excluded.topic, why = excluded.why, gate_reason = excluded.gate_reason",
                    project_id,
                    now,
                    rows,
                )
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        });
        Ok(ScoreSaver { chunks, task })
    }

    /// Queues one chunk. Rows go in id order, the table's own order: SQLite then walks its
    /// pages once instead of jumping about (a fifth faster on 100,000 posts).
    async fn send(&self, posts: &[StoredPost], scores: &[Score]) -> Result<()> {
        let mut rows: Vec<_> = posts
            .iter()
            .zip(scores)
            .map(|(post, s)| {
                (
                    post.id.as_str(),
                    s.total,
                    s.velocity,
                    s.relevance,
                    s.openness,
                    s.author,
                    s.relevance_method.as_str(),
                    s.label.as_str(),
                    s.topic.as_deref(),
                    s.why.as_str(),
                    s.gate.as_ref().map(|g| g.to_string()),
                )
            })
            .collect();
        rows.sort_unstable_by(|a, b| a.0.cmp(b.0));
        // Serialised straight from borrowed tuples: a `Value` per row cost a dozen allocations.
        let json = serde_json::to_string(&rows).map_err(|e| {
            crate::FinderError::InvalidInput(format!("The scores could not be saved: {e}"))
        })?;
        if self.chunks.send(json).await.is_err() {
            // The task stopped on an error; `finish` reports it.
            return Ok(());
        }
        Ok(())
    }

    async fn finish(self) -> Result<()> {
        drop(self.chunks);
        self.task.await.map_err(|e| {
            crate::FinderError::InvalidInput(format!("Saving the scores stopped unexpectedly: {e}"))
        })?
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RankedPost {
    pub id: String,
    pub url: String,
    pub handle: String,
    pub followers: i64,
    pub text: String,
    pub total: f64,
    pub label: Label,
    pub topic: Option<String>,
    pub why: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ScoreReport {
    pub scored: usize,
    pub relevance_method: RelevanceMethod,
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    /// Posts that will never cost a Gemini call, counted by plain-words reason.
    pub held_back: BTreeMap<String, usize>,
    pub top: Vec<RankedPost>,
}

/// Selects, scores and stores; returns counts and the best `top_n` posts that passed the gate.
pub async fn score_project(
    store: &Store,
    project: &Project,
    filter: &PostFilter,
    top_n: usize,
    now: i64,
) -> Result<ScoreReport> {
    let posts = select(store, project.id, filter).await?;
    // Same results as `score` then `save_scores`, overlapped: each chunk is saved while the
    // next one is scored.
    let matches =
        LexicalRelevance::match_all(&project.settings, posts.iter().map(|p| p.text.as_str()));
    let inputs: Vec<PostInput> = posts.iter().map(StoredPost::as_input).collect();
    let saver = ScoreSaver::start(store, project.id, now).await?;
    let mut scores = Vec::with_capacity(posts.len());
    for start in (0..posts.len()).step_by(SAVE_CHUNK) {
        let end = (start + SAVE_CHUNK).min(posts.len());
        let chunk = scoring::score_posts(
            &project.settings,
            &inputs[start..end],
            &matches[start..end],
            RelevanceMethod::Lexical,
            now,
        );
        saver.send(&posts[start..end], &chunk).await?;
        scores.extend(chunk);
    }
    saver.finish().await?;
    Ok(summarise(&posts, &scores, top_n))
}

pub fn summarise(posts: &[StoredPost], scores: &[Score], top_n: usize) -> ScoreReport {
    let mut report = ScoreReport {
        scored: posts.len(),
        relevance_method: RelevanceMethod::Lexical,
        green: 0,
        yellow: 0,
        red: 0,
        held_back: BTreeMap::new(),
        top: Vec::new(),
    };
    let mut passing: Vec<(&StoredPost, &Score)> = Vec::new();
    for (post, s) in posts.iter().zip(scores) {
        report.relevance_method = s.relevance_method;
        if let Some(reason) = &s.gate {
            *report.held_back.entry(reason.to_string()).or_default() += 1;
            continue;
        }
        match s.label {
            Label::Green => report.green += 1,
            Label::Yellow => report.yellow += 1,
            Label::Red => report.red += 1,
        }
        passing.push((post, s));
    }
    passing.sort_by(|a, b| {
        b.1.total
            .total_cmp(&a.1.total)
            .then_with(|| a.0.id.cmp(&b.0.id))
    });
    report.top = passing
        .into_iter()
        .take(top_n)
        .map(|(p, s)| RankedPost {
            id: p.id.clone(),
            url: p.url.clone(),
            handle: p.handle.clone(),
            followers: p.followers,
            text: p.text.clone(),
            total: s.total,
            label: s.label,
            topic: s.topic.clone(),
            why: s.why.clone(),
        })
        .collect();
    report
}
