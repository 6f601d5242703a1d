//! The database side of an import: batched upserts of authors, posts and project membership,
//! committed in chunks so other writers get turns during a long import.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use sqlx::{Sqlite, Transaction};
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::mpsc::Receiver;

use super::{ImportedTweet, Parsed, SkippedRow, MAX_SKIPPED_LISTED};
use crate::error::{FinderError, Result};
use crate::store::Store;

pub(crate) struct Tally {
    pub added: u64,
    pub updated: u64,
    /// The first `MAX_SKIPPED_LISTED` skipped rows; `skipped_total` counts them all.
    pub skipped: Vec<SkippedRow>,
    pub skipped_total: u64,
}

/// SQLite has no queue for the write lock: a waiting writer (a run saving drafts, the other
/// window) polls, sleeping up to 100 ms between tries, and gives up after its busy timeout
/// (10 s). So the import commits what it has after holding the lock for `MAX_HOLD`, then
/// leaves it free for `TURN_GAP` (longer than one poll interval) before going on: a waiter
/// gets its turn within about a second, however long the import.
///
/// Chunks are cut by time, not by a count of posts: committing every few thousand posts
/// rewrote the same index pages at every commit and made a 2 GB import half as slow again,
/// without giving other writers any more turns (the import took the lock straight back).
pub(crate) const MAX_HOLD: Duration = Duration::from_millis(1_000);
const TURN_GAP: Duration = Duration::from_millis(150);
/// When the reader falls behind, a chunk older than this is committed rather than holding
/// the lock while waiting for the file.
const IDLE_COMMIT: Duration = Duration::from_millis(200);

/// Writes batches as they arrive, in chunks of at most about `MAX_HOLD` of writing. A chunk
/// that fails rolls back alone; the chunks before it stay stored.
pub(crate) async fn write_batches(
    store: &Store,
    project_id: i64,
    mut batches: Receiver<Vec<Parsed>>,
    now: i64,
) -> Result<Tally> {
    let project_exists = sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM projects WHERE id = ?) AS "exists!: bool""#,
        project_id,
    )
    .fetch_one(store.pool())
    .await?;
    if !project_exists {
        return Err(FinderError::ProjectNotFound(format!("#{project_id}")));
    }
    let mut tally = Tally {
        added: 0,
        updated: 0,
        skipped: Vec::new(),
        skipped_total: 0,
    };
    // The open chunk: its transaction and when it began.
    let mut open: Option<(Transaction<'static, Sqlite>, Instant)> = None;
    // When the lock was last taken after a free spell of at least TURN_GAP.
    let mut holding_since: Option<Instant> = None;
    loop {
        // Take what is ready without waiting; wait for the reader only with the lock free.
        let batch = match batches.try_recv() {
            Ok(batch) => batch,
            Err(TryRecvError::Empty) => {
                // The reader is behind. A young chunk waits for it (committing every few
                // hundred posts costs more than the writing); an old one is committed first.
                if open.as_ref().is_some_and(|o| o.1.elapsed() >= IDLE_COMMIT) {
                    if let Some((tx, _)) = open.take() {
                        tx.commit().await?;
                        give_way(&mut holding_since).await;
                    }
                }
                let waited = Instant::now();
                let next = batches.recv().await;
                if waited.elapsed() >= TURN_GAP {
                    holding_since = None;
                }
                match next {
                    Some(batch) => batch,
                    None => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        let mut posts: Vec<ImportedTweet> = Vec::with_capacity(batch.len());
        for item in batch {
            match item {
                Parsed::Post(t) => posts.push(*t),
                Parsed::Skipped(s) => {
                    tally.skipped_total += 1;
                    if tally.skipped.len() < MAX_SKIPPED_LISTED {
                        tally.skipped.push(s);
                    }
                }
            }
        }
        if posts.is_empty() {
            continue;
        }
        let before = posts.len() as u64;
        let posts = last_of_each_id(posts);
        let repeats = before - posts.len() as u64;
        let (mut tx, began) = match open.take() {
            Some(open) => open,
            None => {
                let tx = store.write_tx().await?;
                holding_since.get_or_insert_with(Instant::now);
                (tx, Instant::now())
            }
        };
        let author_ids = upsert_authors(&mut tx, &posts, now).await?;
        upsert_tweets(&mut tx, &posts, &author_ids, now).await?;
        let added = add_to_project(&mut tx, project_id, &posts, now).await?;
        tally.added += added;
        tally.updated += posts.len() as u64 - added + repeats;
        if holding_since.is_some_and(|t| t.elapsed() < MAX_HOLD) {
            open = Some((tx, began));
            continue;
        }
        tx.commit().await?;
        give_way(&mut holding_since).await;
    }
    if let Some((tx, _)) = open {
        tx.commit().await?;
    }
    Ok(tally)
}

/// After a commit: once the lock has been busy for `MAX_HOLD`, leave it free for a while.
async fn give_way(holding_since: &mut Option<Instant>) {
    if holding_since.is_some_and(|t| t.elapsed() >= MAX_HOLD) {
        tokio::time::sleep(TURN_GAP).await;
        *holding_since = None;
    }
}

/// The same post twice in one batch: the later copy (newer metrics, usually) wins.
fn last_of_each_id(posts: Vec<ImportedTweet>) -> Vec<ImportedTweet> {
    let mut index: HashMap<String, usize> = HashMap::with_capacity(posts.len());
    let mut unique: Vec<ImportedTweet> = Vec::with_capacity(posts.len());
    for post in posts {
        match index.get(&post.id) {
            Some(&i) => unique[i] = post,
            None => {
                index.insert(post.id.clone(), unique.len());
                unique.push(post);
            }
        }
    }
    unique
}

async fn upsert_authors(
    tx: &mut Transaction<'static, Sqlite>,
    posts: &[ImportedTweet],
    now: i64,
) -> Result<HashMap<String, i64>> {
    let mut latest: HashMap<String, &ImportedTweet> = HashMap::new();
    for post in posts {
        latest.insert(post.author.handle.to_lowercase(), post);
    }
    // Rows travel as one JSON array unpacked by SQLite's `json_each` (like the scores in
    // `posts::save_scores`): one fixed, checked query text whatever the number of rows.
    let rows = serde_json::Value::from(
        latest
            .values()
            .map(|post| {
                let a = &post.author;
                serde_json::json!([
                    a.handle,
                    a.x_user_id,
                    a.name,
                    a.followers,
                    a.verified,
                    a.blue_verified
                ])
            })
            .collect::<Vec<_>>(),
    )
    .to_string();
    // Followers are refreshed from the newest import; names and ids only fill gaps.
    let rows = sqlx::query!(
        r#"INSERT INTO authors (handle, x_user_id, name, followers, verified, blue_verified, updated_at)
           SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4,
                  r.value ->> 5, ?2
           FROM json_each(?1) AS r WHERE true
           ON CONFLICT(handle) DO UPDATE SET
            x_user_id = coalesce(excluded.x_user_id, authors.x_user_id),
            name = coalesce(excluded.name, authors.name),
            followers = excluded.followers,
            verified = excluded.verified,
            blue_verified = excluded.blue_verified,
            updated_at = excluded.updated_at
          RETURNING id AS "id!: i64", handle"#,
        rows,
        now,
    )
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.handle.to_lowercase(), r.id))
        .collect())
}

async fn upsert_tweets(
    tx: &mut Transaction<'static, Sqlite>,
    posts: &[ImportedTweet],
    author_ids: &HashMap<String, i64>,
    now: i64,
) -> Result<()> {
    let rows = serde_json::Value::from(
        posts
            .iter()
            .map(|t| {
                let author_id = author_ids
                    .get(&t.author.handle.to_lowercase())
                    .copied()
                    .unwrap_or_default();
                serde_json::json!([
                    t.id,
                    author_id,
                    t.text,
                    t.url,
                    t.lang,
                    t.posted_at,
                    t.likes,
                    t.replies,
                    t.retweets,
                    t.quotes,
                    t.bookmarks,
                    t.views,
                    t.is_reply,
                    t.is_retweet,
                    t.is_quote,
                    t.reply_restricted,
                    t.source
                ])
            })
            .collect::<Vec<_>>(),
    )
    .to_string();
    // Engagement only grows in practice; taking the larger count means re-importing an older
    // export never rolls metrics back.
    sqlx::query!(
        "INSERT INTO tweets (id, author_id, text, url, lang, posted_at, likes, replies, retweets, quotes,
                             bookmarks, views, is_reply, is_retweet, is_quote, reply_restricted, source,
                             fetched_at)
         SELECT r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3, r.value ->> 4,
                r.value ->> 5, r.value ->> 6, r.value ->> 7, r.value ->> 8, r.value ->> 9,
                r.value ->> 10, r.value ->> 11, r.value ->> 12, r.value ->> 13, r.value ->> 14,
                r.value ->> 15, r.value ->> 16, ?2
         FROM json_each(?1) AS r WHERE true
         ON CONFLICT(id) DO UPDATE SET
            author_id = excluded.author_id,
            text = excluded.text,
            url = excluded.url,
            lang = coalesce(excluded.lang, tweets.lang),
            likes = max(tweets.likes, excluded.likes),
            replies = max(tweets.replies, excluded.replies),
            retweets = max(tweets.retweets, excluded.retweets),
            quotes = max(tweets.quotes, excluded.quotes),
            bookmarks = max(tweets.bookmarks, excluded.bookmarks),
            views = max(tweets.views, excluded.views),
            is_reply = excluded.is_reply,
            is_retweet = excluded.is_retweet,
            is_quote = excluded.is_quote,
            reply_restricted = excluded.reply_restricted,
            fetched_at = excluded.fetched_at",
        rows,
        now,
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn add_to_project(
    tx: &mut Transaction<'static, Sqlite>,
    project_id: i64,
    posts: &[ImportedTweet],
    now: i64,
) -> Result<u64> {
    let ids = serde_json::to_string(&posts.iter().map(|t| t.id.as_str()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".into());
    Ok(sqlx::query!(
        "INSERT INTO project_tweets (project_id, tweet_id, added_at)
         SELECT ?1, r.value, ?2 FROM json_each(?3) AS r WHERE true
         ON CONFLICT(project_id, tweet_id) DO NOTHING",
        project_id,
        now,
        ids,
    )
    .execute(&mut **tx)
    .await?
    .rows_affected())
}
