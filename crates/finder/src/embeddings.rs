//! AI relevance and semantic dedup with Gemini embeddings.
//!
//! - Every text (post or topic) is embedded once per model and size: vectors are cached in
//!   the `embeddings` table under sha256(task type + "\n" + text), so a re-run or a resumed
//!   plan costs nothing for texts seen before. (The predecessor re-embedded every post on
//!   every run.)
//! - Misses go to `batchEmbedContents` in batches of at most 100. Every HTTP call is written to
//!   the cost ledger, billed or not. The Developer API reports no usage for embeddings, so the
//!   billed input tokens are counted beforehand with the free `countTokens` endpoint, one
//!   content per text (which is how embeddings are billed: each text on its own).
//! - Relevance is the cosine of a post to each topic (the predecessor's rule on top:
//!   [`TopicMatch::relevance`]); dedup skips a post whose cosine to an answered or already
//!   chosen post is at least [`DEDUP_THRESHOLD`], with an in-memory flat matrix instead of
//!   the predecessor's O(N·M) Python loops.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use gemini::{Client, Content, GeminiError, TaskType};
use sha2::{Digest, Sha256};

use crate::error::{FinderError, Result};
use crate::ledger::{self, CallEntry};
use crate::limiter::{LimitError, Limiter};
use crate::posts::StoredPost;
use crate::prices::{self, BilledTokens};
use crate::project::Topic;
use crate::projects::Project;
use crate::scoring::{self, PostInput, RelevanceMethod, Score, TopicMatch};
use crate::store::Store;

pub const DEFAULT_MODEL: &str = "gemini-embedding-001";
/// 768 of gemini-embedding-001's 3072: one of Google's recommended sizes, a quarter of the
/// storage and dot-product work, and plenty for "is this post about that topic".
pub const DEFAULT_DIMENSIONS: u32 = 768;
/// Cosine at or above which two posts count as the same post (the predecessor's value).
pub const DEDUP_THRESHOLD: f32 = 0.95;

/// The one task type used for posts and topics alike. `SEMANTIC_SIMILARITY` is symmetric:
/// the same post vector then serves both relevance (post ↔ topic) and dedup (post ↔ post),
/// so each post is embedded and paid for once. `RETRIEVAL_DOCUMENT` is meant to be paired
/// with `RETRIEVAL_QUERY` vectors on the other side; using it for both sides of a comparison
/// is off-label. Mixing types would make cached vectors incomparable, which is why the task
/// type is part of the cache key.
pub const TASK: TaskType = TaskType::SemanticSimilarity;

/// HTTP attempts per batch for transient failures (overload, 5xx, timeouts, 429).
const MAX_ATTEMPTS: u32 = 4;
/// Cache keys looked up per query (well under SQLite's bound-parameter limit).
const CACHE_CHUNK: usize = 500;
/// Examples of a topic that go into its text.
const TOPIC_EXAMPLES: usize = 3;

type Hash = [u8; 32];

/// Embeds texts through the cache, records every call in the ledger.
pub struct Embedder {
    pub store: Store,
    pub client: Arc<Client>,
    pub model: String,
    pub dimensions: u32,
    /// When given, each embed call is admitted by it first (it must be the limiter of the
    /// embedding model, not of the generation model).
    pub limiter: Option<Arc<Limiter>>,
    /// Ledger attribution of the calls.
    pub run_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Unix seconds now (passed in so tests control time).
    pub wall_clock: fn() -> i64,
    /// Spending caps the calls count against.
    pub budget: Option<crate::budget::Budget>,
    /// Serve from the cache only and fail on a miss (for forecasts: nothing may be paid).
    pub cache_only: bool,
}

/// What became of one embed batch.
enum Sent {
    Vectors(Vec<Vec<f32>>),
    /// Larger than the limiter's token allowance: try it in halves.
    Split,
}

impl Embedder {
    /// The default model and size, no limiter, calls attributed to no run or project.
    pub fn new(store: Store, client: Arc<Client>, wall_clock: fn() -> i64) -> Self {
        Embedder {
            store,
            client,
            model: DEFAULT_MODEL.to_string(),
            dimensions: DEFAULT_DIMENSIONS,
            limiter: None,
            run_id: None,
            project_id: None,
            wall_clock,
            budget: None,
            cache_only: false,
        }
    }

    /// How many of `texts` are not cached yet, and about how many tokens embedding them
    /// takes (for a forecast made before anything is paid).
    pub async fn uncached(&self, texts: &[String], task: TaskType) -> Result<(usize, u64)> {
        let mut unique: HashMap<Hash, &str> = HashMap::with_capacity(texts.len());
        for text in texts {
            unique.entry(content_hash(task, text)).or_insert(text);
        }
        let keys: Vec<Hash> = unique.keys().copied().collect();
        let mut found: std::collections::HashSet<Hash> = Default::default();
        for chunk in keys.chunks(CACHE_CHUNK) {
            for (hash, _) in self.cached(chunk.iter()).await? {
                found.insert(hash);
            }
        }
        let (mut n, mut tokens) = (0, 0u64);
        for (hash, text) in &unique {
            if !found.contains(hash) {
                n += 1;
                tokens += (text.chars().count() as u64).div_ceil(4);
            }
        }
        Ok((n, tokens))
    }

    /// Texts a plan of these posts would embed (the project's topics and the posts).
    pub fn plan_texts(project: &Project, posts: &[StoredPost]) -> Vec<String> {
        project
            .settings
            .topics
            .iter()
            .map(topic_text)
            .chain(posts.iter().map(|p| p.text.clone()))
            .collect()
    }

    /// Unit-length vectors for `texts`, in order: from the cache where possible, otherwise
    /// from Gemini (and then cached). Repeated texts are embedded once.
    pub async fn vectors(&self, texts: &[String], task: TaskType) -> Result<Vec<Vec<f32>>> {
        let hashes: Vec<Hash> = texts.iter().map(|t| content_hash(task, t)).collect();
        // Unique keys in first-seen order, with the text to embed on a miss.
        let mut found: HashMap<Hash, Option<Vec<f32>>> = HashMap::with_capacity(texts.len());
        let mut unique: Vec<(Hash, &str)> = Vec::new();
        for (hash, text) in hashes.iter().zip(texts) {
            if found.insert(*hash, None).is_none() {
                unique.push((*hash, text));
            }
        }
        for chunk in unique.chunks(CACHE_CHUNK) {
            for (hash, vector) in self.cached(chunk.iter().map(|(h, _)| h)).await? {
                found.insert(hash, Some(vector));
            }
        }
        let misses: Vec<(Hash, String)> = unique
            .iter()
            .filter(|(hash, _)| found.get(hash).is_some_and(Option::is_none))
            .map(|(hash, text)| (*hash, text.to_string()))
            .collect();
        if self.cache_only && !misses.is_empty() {
            return Err(FinderError::InvalidInput(format!(
                "{} texts have no stored embedding yet.",
                misses.len()
            )));
        }
        for batch in misses.chunks(gemini::MAX_EMBED_BATCH) {
            let vectors = self.embed_in_batches(batch, task).await?;
            for ((hash, _), vector) in batch.iter().zip(vectors) {
                found.insert(*hash, Some(vector));
            }
        }
        Ok(hashes
            .iter()
            .map(|hash| found.get(hash).cloned().flatten().unwrap_or_default())
            .collect())
    }

    /// Cached vectors among `keys`, in one query.
    async fn cached(&self, keys: impl Iterator<Item = &Hash>) -> Result<Vec<(Hash, Vec<f32>)>> {
        // The hashes travel as one JSON array of hex strings (a fixed query text whatever
        // their number), turned back into blobs by SQLite.
        let hex: Vec<String> = keys
            .map(|key| key.iter().map(|b| format!("{b:02x}")).collect())
            .collect();
        if hex.is_empty() {
            return Ok(Vec::new());
        }
        let hex = serde_json::to_string(&hex).unwrap_or_else(|_| "[]".into());
        let dimensions = self.dimensions as i64;
        let rows = sqlx::query!(
            "SELECT content_hash, vector FROM embeddings
             WHERE model = ? AND dimensions = ? AND content_hash IN (SELECT unhex(value) FROM json_each(?))",
            self.model,
            dimensions,
            hex,
        )
        .fetch_all(self.store.pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let hash: Vec<u8> = r.content_hash;
                let blob: Vec<u8> = r.vector;
                let hash: Hash = hash.try_into().ok()?;
                // A vector of another size is treated as missing and embedded again.
                (blob.len() == self.dimensions as usize * 4).then(|| (hash, from_blob(&blob)))
            })
            .collect())
    }

    /// Embeds up to [`gemini::MAX_EMBED_BATCH`] texts, splitting the batch if the limiter
    /// finds it too large for its token allowance.
    async fn embed_in_batches(
        &self,
        batch: &[(Hash, String)],
        task: TaskType,
    ) -> Result<Vec<Vec<f32>>> {
        let mut out = Vec::with_capacity(batch.len());
        let mut pending: VecDeque<&[(Hash, String)]> = VecDeque::from([batch]);
        while let Some(part) = pending.pop_front() {
            match self.embed_batch(part, task).await? {
                Sent::Vectors(vectors) => out.extend(vectors),
                Sent::Split => {
                    let (first, second) = part.split_at(part.len() / 2);
                    pending.push_front(second);
                    pending.push_front(first);
                }
            }
        }
        Ok(out)
    }

    /// One batch: count its tokens (free), then embed with retries, recording every call
    /// and storing the vectors with the ledger row of the call that produced them.
    async fn embed_batch(&self, batch: &[(Hash, String)], task: TaskType) -> Result<Sent> {
        let texts: Vec<String> = batch.iter().map(|(_, t)| t.clone()).collect();
        let tokens = self.count_tokens(&texts).await;
        let price = prices::require(&self.store, &self.model).await?;
        let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(tokens);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let _reservation = match &self.budget {
                Some(budget) => match budget
                    .reserve(crate::budget::worst_case_picos(&price, tokens, 0))
                    .await?
                {
                    Ok((reservation, _)) => Some(reservation),
                    Err(refused) => return Err(FinderError::Budget(refused.reached)),
                },
                None => None,
            };
            if let Some(limiter) = &self.limiter {
                // Google counts every text of a batch as a request against the minute limit.
                match limiter.admit_many(batch.len() as u32, tokens).await {
                    Ok(()) => {}
                    Err(LimitError::TooLarge { .. }) if batch.len() > 1 => return Ok(Sent::Split),
                    Err(e) => return Err(e.into()),
                }
            }
            let called_at = (self.wall_clock)();
            let (record, result) = self
                .client
                .batch_embed_contents(&self.model, &texts, Some(task), Some(self.dimensions))
                .await
                .into_parts();
            let answered = record.http_status.is_some_and(|s| (200..300).contains(&s));
            // Google bills every answered embed call by its input; error answers are free.
            let billed = if record.usage.prompt_tokens > 0 {
                record.usage.prompt_tokens
            } else if answered {
                tokens
            } else {
                0
            };
            let result = result.and_then(|vectors| self.checked(vectors));
            let entry = CallEntry {
                run_id: self.run_id,
                project_id: self.project_id,
                called_at,
                model: &self.model,
                endpoint: "embed",
                attempt,
                outcome: match &result {
                    Ok(_) => "ok",
                    Err(e) => e.code(),
                },
                http_status: record.http_status,
                latency_ms: record.latency.as_millis() as u64,
                tokens: BilledTokens {
                    prompt: billed,
                    ..BilledTokens::default()
                },
                price,
            };
            match result {
                Ok(vectors) => {
                    let mut tx = self.store.write_tx().await?;
                    ledger::record(&mut *tx, &entry).await?;
                    let now = (self.wall_clock)();
                    let dimensions = self.dimensions as i64;
                    for ((hash, _), vector) in batch.iter().zip(&vectors) {
                        let (hash, vector) = (hash.to_vec(), to_blob(vector));
                        sqlx::query!(
                            "INSERT OR REPLACE INTO embeddings (model, dimensions, content_hash, vector, created_at)
                             VALUES (?, ?, ?, ?, ?)",
                            self.model,
                            dimensions,
                            hash,
                            vector,
                            now,
                        )
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await?;
                    return Ok(Sent::Vectors(vectors));
                }
                Err(error) => {
                    ledger::record(self.store.pool(), &entry).await?;
                    // The same policy as a run's own calls: transient failures are waited
                    // out, a per-day quota or a permanent error is returned.
                    let wait = if attempt < MAX_ATTEMPTS || error.is_transient() {
                        crate::retry::next_wait(&error, attempt, self.limiter.as_deref(), &mut rng)
                    } else {
                        None
                    };
                    let Some(wait) = wait else {
                        return Err(FinderError::Gemini(error));
                    };
                    tracing::warn!(attempt, ?wait, "embedding call failed, retrying: {error}");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// Input tokens the batch is billed for: `countTokens` with one content per text, which
    /// counts each text on its own as embedding billing does. If counting fails the usual
    /// estimate (a token per started four characters of each text) stands in.
    async fn count_tokens(&self, texts: &[String]) -> u64 {
        let contents: Vec<Content> = texts.iter().map(Content::user).collect();
        match self.client.count_tokens(&self.model, &contents).await {
            Ok(n) => n,
            Err(error) => {
                tracing::warn!("counting embedding tokens failed, estimating instead: {error}");
                texts
                    .iter()
                    .map(|t| (t.chars().count() as u64).div_ceil(4))
                    .sum()
            }
        }
    }

    /// Checks the sizes and normalises to unit length.
    fn checked(&self, vectors: Vec<Vec<f32>>) -> std::result::Result<Vec<Vec<f32>>, GeminiError> {
        vectors
            .into_iter()
            .map(|mut v| {
                if v.len() != self.dimensions as usize {
                    return Err(GeminiError::UnusableOutput {
                        reason: format!(
                            "an embedding has {} values, {} were asked for",
                            v.len(),
                            self.dimensions
                        ),
                    });
                }
                normalise(&mut v);
                Ok(v)
            })
            .collect()
    }

    /// Vectors of the project's topics and of the posts, in one pass through the cache and
    /// as few calls as possible.
    async fn topic_and_post_vectors(
        &self,
        project: &Project,
        posts: &[StoredPost],
    ) -> Result<(Vec<Vec<f32>>, Vec<Vec<f32>>)> {
        let texts = Self::plan_texts(project, posts);
        let mut vectors = self.vectors(&texts, TASK).await?;
        let post_vectors = vectors.split_off(project.settings.topics.len());
        Ok((vectors, post_vectors))
    }

    /// How close each post is to the project's topics, by embedding cosine.
    pub async fn topic_matches(
        &self,
        project: &Project,
        posts: &[StoredPost],
    ) -> Result<Vec<TopicMatch>> {
        if project.settings.topics.is_empty() {
            return Ok(vec![TopicMatch::default(); posts.len()]);
        }
        let (topics, posts) = self.topic_and_post_vectors(project, posts).await?;
        Ok(match_topics(&posts, &topics))
    }

    /// Scores posts with embedding relevance, and returns each post's vector for dedup.
    pub async fn score_with_vectors(
        &self,
        project: &Project,
        posts: &[StoredPost],
        now: i64,
    ) -> Result<(Vec<Score>, Vec<Vec<f32>>)> {
        let (topics, vectors) = self.topic_and_post_vectors(project, posts).await?;
        let matches = match_topics(&vectors, &topics);
        let inputs: Vec<PostInput> = posts.iter().map(StoredPost::as_input).collect();
        let scores = scoring::score_posts(
            &project.settings,
            &inputs,
            &matches,
            RelevanceMethod::Embedding,
            now,
        );
        Ok((scores, vectors))
    }

    /// Scores posts with embedding relevance.
    pub async fn score(
        &self,
        project: &Project,
        posts: &[StoredPost],
        now: i64,
    ) -> Result<Vec<Score>> {
        Ok(self.score_with_vectors(project, posts, now).await?.0)
    }
}

/// The text a topic is embedded as: label, description and its first three examples.
pub fn topic_text(topic: &Topic) -> String {
    let mut text = topic.label.trim().to_string();
    let description = topic.description.trim();
    if !description.is_empty() {
        text.push_str(": ");
        text.push_str(description);
    }
    for example in topic.examples.iter().take(TOPIC_EXAMPLES) {
        text.push('\n');
        text.push_str(example.trim());
    }
    text
}

/// The cache key: sha256 of the task type's wire name, a newline and the text.
pub fn content_hash(task: TaskType, text: &str) -> [u8; 32] {
    let mut hasher = Sha256::new();
    hasher.update(task_name(task).as_bytes());
    hasher.update(b"\n");
    hasher.update(text.as_bytes());
    hasher.finalize().into()
}

fn task_name(task: TaskType) -> &'static str {
    match task {
        TaskType::RetrievalQuery => "RETRIEVAL_QUERY",
        TaskType::RetrievalDocument => "RETRIEVAL_DOCUMENT",
        TaskType::SemanticSimilarity => "SEMANTIC_SIMILARITY",
        TaskType::Classification => "CLASSIFICATION",
        TaskType::Clustering => "CLUSTERING",
        TaskType::QuestionAnswering => "QUESTION_ANSWERING",
        TaskType::FactVerification => "FACT_VERIFICATION",
        TaskType::CodeRetrievalQuery => "CODE_RETRIEVAL_QUERY",
    }
}

/// Best and second-best cosine (clamped to [0, 1]) of each post to the topics. Vectors are
/// unit length, so the cosine is the dot product.
pub fn match_topics(posts: &[Vec<f32>], topics: &[Vec<f32>]) -> Vec<TopicMatch> {
    posts
        .iter()
        .map(|post| {
            let mut best = TopicMatch::default();
            for (i, topic) in topics.iter().enumerate() {
                let sim = if post.len() == topic.len() {
                    (dot(post, topic) as f64).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                if best.topic.is_none() || sim > best.best {
                    best.second = best.best;
                    best.best = sim;
                    best.topic = Some(i);
                } else if sim > best.second {
                    best.second = sim;
                }
            }
            if best.best <= 0.0 {
                best.topic = None;
            }
            best
        })
        .collect()
}

/// Near-duplicate detection in memory: unit vectors in one flat row-major matrix, so a check
/// against thousands of answered posts is one tight pass over contiguous memory.
#[derive(Debug, Clone)]
pub struct DedupIndex {
    threshold: f32,
    dimensions: usize,
    rows: Vec<f32>,
}

impl DedupIndex {
    pub fn new(threshold: f32) -> Self {
        DedupIndex {
            threshold,
            dimensions: 0,
            rows: Vec::new(),
        }
    }

    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    pub fn len(&self) -> usize {
        self.rows.len().checked_div(self.dimensions).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds a vector (normalised here). The first vector fixes the size; an empty vector or
    /// one of another size is ignored.
    pub fn add(&mut self, vector: &[f32]) {
        if vector.is_empty() || (self.dimensions != 0 && vector.len() != self.dimensions) {
            return;
        }
        self.dimensions = vector.len();
        let start = self.rows.len();
        self.rows.extend_from_slice(vector);
        normalise(&mut self.rows[start..]);
    }

    /// The highest cosine of `vector` to any vector in the index; `None` when the index is
    /// empty or holds vectors of another size.
    pub fn most_similar(&self, vector: &[f32]) -> Option<f32> {
        if self.is_empty() || vector.len() != self.dimensions {
            return None;
        }
        let norm = dot(vector, vector).sqrt();
        if norm == 0.0 {
            return Some(0.0);
        }
        let best = self
            .rows
            .chunks_exact(self.dimensions)
            .map(|row| dot(row, vector))
            .fold(f32::NEG_INFINITY, f32::max);
        Some(best / norm)
    }

    /// True when `vector` is at least `threshold` similar to something in the index.
    pub fn is_duplicate(&self, vector: &[f32]) -> bool {
        self.most_similar(vector)
            .is_some_and(|sim| sim >= self.threshold)
    }
}

/// Dot product with eight independent accumulators, which the compiler turns into SIMD.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| x * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
            *s += x * y;
        }
    }
    acc.iter().sum::<f32>() + tail
}

fn normalise(v: &mut [f32]) {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

fn to_blob(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn from_blob(blob: &[u8]) -> Vec<f32> {
    blob.chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dot_matches_the_naive_sum_for_any_length() {
        for n in [0, 1, 7, 8, 9, 768, 771] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - naive).abs() < 1e-3, "{n}");
        }
    }

    #[test]
    fn blobs_round_trip_little_endian() {
        let v = vec![1.0f32, -0.5, 3.25e-7];
        let blob = to_blob(&v);
        assert_eq!(&blob[..4], &1.0f32.to_le_bytes());
        assert_eq!(from_blob(&blob), v);
    }

    #[test]
    fn the_task_type_is_part_of_the_key() {
        let a = content_hash(TaskType::SemanticSimilarity, "hello");
        assert_eq!(a, content_hash(TaskType::SemanticSimilarity, "hello"));
        assert_ne!(a, content_hash(TaskType::RetrievalDocument, "hello"));
        assert_ne!(a, content_hash(TaskType::SemanticSimilarity, "hello "));
        let expected: [u8; 32] = Sha256::digest(b"SEMANTIC_SIMILARITY\nhello").into();
        assert_eq!(a, expected);
    }

    #[test]
    fn dedup_index_finds_near_duplicates() {
        let mut index = DedupIndex::new(DEDUP_THRESHOLD);
        assert!(index.is_empty());
        assert_eq!(index.most_similar(&[1.0, 0.0]), None);
        index.add(&[3.0, 0.0, 0.0]);
        index.add(&[0.0, 2.0, 0.0]);
        index.add(&[1.0, 2.0]); // wrong size: ignored
        assert_eq!(index.len(), 2);
        assert!((index.most_similar(&[5.0, 0.1, 0.0]).unwrap() - 0.9998).abs() < 1e-3);
        assert!(index.is_duplicate(&[5.0, 0.1, 0.0]));
        assert!(!index.is_duplicate(&[1.0, 1.0, 0.0]));
        assert!(!index.is_duplicate(&[0.0, 0.0, 1.0]));
        assert_eq!(index.most_similar(&[0.0, 0.0, 0.0]), Some(0.0));
    }

    #[test]
    fn dedup_index_is_fast_enough_for_thousands() {
        // 2000 answered posts × 50 candidates × 768 values. (An optimised build checks 150
        // candidates against 5000 answered posts in about 40 ms.)
        let mut index = DedupIndex::new(DEDUP_THRESHOLD);
        let mut seed = 1u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5
        };
        for _ in 0..2000 {
            let v: Vec<f32> = (0..768).map(|_| next()).collect();
            index.add(&v);
        }
        let queries: Vec<Vec<f32>> = (0..50)
            .map(|_| (0..768).map(|_| next()).collect())
            .collect();
        let started = std::time::Instant::now();
        let duplicates = queries.iter().filter(|q| index.is_duplicate(q)).count();
        assert_eq!(duplicates, 0, "random vectors are nearly orthogonal");
        // Generous: unoptimised test builds are far slower than release.
        assert!(started.elapsed() < Duration::from_secs(20));
    }

    #[test]
    fn topic_matches_take_best_and_second() {
        let topics = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let m = match_topics(&[vec![0.0, 1.0], vec![s, s], vec![-1.0, 0.0]], &topics);
        assert_eq!(m[0].topic, Some(1));
        assert!((m[0].best - 1.0).abs() < 1e-6 && m[0].second == 0.0);
        assert!((m[1].best - m[1].second).abs() < 1e-6);
        assert_eq!(m[2].topic, None, "negative cosines clamp to 0: no topic");
        assert_eq!(m[2].relevance(), 0.0);
    }

    #[test]
    fn topic_text_uses_three_examples() {
        let t = Topic {
            label: "cold email".into(),
            description: "Outbound".into(),
            examples: vec!["a".into(), "b".into(), "c".into(), "d".into()],
        };
        assert_eq!(topic_text(&t), "cold email: Outbound\na\nb\nc");
    }
}
