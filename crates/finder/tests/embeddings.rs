//! Embedding relevance and semantic dedup against the fake Gemini server over real HTTP:
//! the cache, the ledger against the server's billing, batching, topic matching, and dedup
//! wired into run plans.

mod common;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use fake_gemini::{Endpoint, FakeConfig, FakeGemini, FakeServer, Fault, QuotaLimits};
use finder::embeddings::{self, Embedder, DEFAULT_DIMENSIONS, DEFAULT_MODEL, TASK};
use finder::import::import_file;
use finder::limiter::{Limiter, Limits};
use finder::posts::{self, PostFilter};
use finder::projects::Project;
use finder::runner::{self, CancelToken, RunContext, RunSettings};
use finder::scoring::Label;
use finder::Store;
use serde_json::Value;

/// Embedding-001's price: $0.15 per 1M input tokens.
const EMBED_MICROS_PER_MTOK: i64 = 150_000;

fn fixed_now() -> i64 {
    NOW
}

fn client(server: &FakeServer) -> Arc<gemini::Client> {
    Arc::new(
        gemini::Client::new(gemini::ClientConfig {
            base_url: server.base_url(),
            api_key: gemini::ApiKey::new(fake_gemini::DEFAULT_API_KEY),
            request_timeout: Duration::from_secs(5),
        })
        .unwrap(),
    )
}

fn embedder(db: &TestDb, server: &FakeServer) -> Embedder {
    Embedder::new(db.store.clone(), client(server), fixed_now)
}

fn unlimited() -> Limits {
    Limits {
        rpm: 60_000,
        tpm: None,
        rpd: None,
    }
}

fn context(db: &TestDb, server: &FakeServer) -> RunContext {
    let (events, _) = tokio::sync::mpsc::unbounded_channel();
    RunContext {
        store: db.store.clone(),
        client: client(server),
        limiter: Arc::new(Limiter::new(unlimited(), 0, fixed_now, 42)),
        events,
        cancel: CancelToken::default(),
        wall_clock: fixed_now,
        seed: 7,
        batch: Default::default(),
    }
}

fn run_settings() -> RunSettings {
    let mut s = RunSettings::defaults("gemini-2.5-flash", unlimited());
    assert!(s.embeddings, "embeddings are on by default");
    s.min_followers = 0;
    s.hours_back = 48.0;
    s.labels = vec![Label::Green, Label::Yellow, Label::Red];
    s.batch_size = 1;
    // One post a request, so a scripted fault hits exactly one post.
    s.per_request = 1;
    s
}

async fn import(db: &TestDb, project: &Project, name: &str, items: &[Value]) {
    let path = write(db, name, &serde_json::to_vec(items).unwrap());
    import_file(&db.store, project.id, &path, NOW)
        .await
        .unwrap();
}

/// What the fake returns for a text, normalised as the embedder stores it.
fn fake_vector(text: &str) -> Vec<f32> {
    let v = fake_gemini::embed(text, DEFAULT_DIMENSIONS as usize);
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    v.into_iter().map(|x| x / norm).collect()
}

fn cosine(a: &str, b: &str) -> f32 {
    embeddings::dot(&fake_vector(a), &fake_vector(b))
}

/// The ledger's embed rows must be the server's embed billing, call by call, at $0.15/Mtok,
/// and calls that got no 200 cost nothing.
async fn assert_embed_ledger_matches_billing(store: &Store, server: &FakeServer) {
    let billed: Vec<i64> = server
        .billing()
        .iter()
        .filter(|c| c.endpoint == Endpoint::BatchEmbedContents)
        .map(|c| c.prompt_tokens as i64)
        .collect();
    assert!(!billed.is_empty());
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT prompt_tokens, cost_picos, input_micros_per_mtok FROM api_calls
         WHERE endpoint = 'embed' AND http_status = 200 ORDER BY id",
    )
    .fetch_all(store.pool())
    .await
    .unwrap();
    let tokens: Vec<i64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(tokens, billed, "tokens per call");
    for (tokens, cost, price) in &rows {
        assert_eq!(*price, EMBED_MICROS_PER_MTOK);
        assert_eq!(
            *cost,
            tokens * EMBED_MICROS_PER_MTOK,
            "cost in pico-dollars"
        );
    }
    let unbilled: i64 = sqlx::query_scalar(
        "SELECT coalesce(SUM(cost_picos), 0) FROM api_calls
         WHERE endpoint = 'embed' AND (http_status IS NULL OR http_status != 200)",
    )
    .fetch_one(store.pool())
    .await
    .unwrap();
    assert_eq!(unbilled, 0);
}

#[tokio::test]
async fn each_text_is_embedded_once_then_served_from_the_cache() {
    let db = db().await;
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let mut e = embedder(&db, &server);
    let limiter = Arc::new(Limiter::new(unlimited(), 0, fixed_now, 1));
    e.limiter = Some(limiter.clone());
    let texts: Vec<String> = [
        "Cold email reply rates are down",
        "Facebook ads are expensive",
        "Cold email reply rates are down",
    ]
    .map(String::from)
    .to_vec();
    let first = e.vectors(&texts, TASK).await.unwrap();
    assert_eq!(first.len(), 3);
    assert_eq!(first[0], first[2], "a repeated text is embedded once");
    for v in &first {
        assert_eq!(v.len(), DEFAULT_DIMENSIONS as usize);
        let norm: f32 = embeddings::dot(v, v).sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
    }
    assert_eq!(first[1], fake_vector(&texts[1]));
    let stats = server.stats();
    assert_eq!(stats.embed_requests, 1);
    assert_eq!(stats.count_tokens_requests, 1);
    assert_eq!(limiter.stats().admitted, 1, "the limiter admits each call");
    let stored = count(&db, "SELECT COUNT(*) FROM embeddings").await;
    assert_eq!(stored, 2);

    // Again, and from a fresh embedder: no HTTP call at all.
    let again = embedder(&db, &server).vectors(&texts, TASK).await.unwrap();
    assert_eq!(again, first);
    assert_eq!(server.stats().embed_requests, 1);
    assert_eq!(server.stats().count_tokens_requests, 1);

    // One new text among cached ones: only it is sent.
    let mut more = texts.clone();
    more.push("Inbox warmup takes two weeks".into());
    e.vectors(&more, TASK).await.unwrap();
    assert_eq!(server.stats().embed_requests, 2);
    assert_eq!(server.billing().last().unwrap().prompt_tokens, 7);

    // Another task type is another cache entry.
    e.vectors(&texts[..1], gemini::TaskType::RetrievalDocument)
        .await
        .unwrap();
    assert_eq!(server.stats().embed_requests, 3);

    // Another size too.
    e.dimensions = 64;
    let small = e.vectors(&texts[..1], TASK).await.unwrap();
    assert_eq!(small[0].len(), 64);
    assert_eq!(server.stats().embed_requests, 4);
    assert_embed_ledger_matches_billing(&db.store, &server).await;
}

#[tokio::test]
async fn more_than_a_hundred_texts_go_in_batches_and_keep_their_order() {
    let db = db().await;
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let mut e = embedder(&db, &server);
    e.project_id = None;
    let texts: Vec<String> = (0..250)
        .map(|i| format!("post {i} about subject {} with word{}", i % 7, i * 31))
        .collect();
    let vectors = e.vectors(&texts, TASK).await.unwrap();
    assert_eq!(vectors.len(), 250);
    for (text, v) in texts.iter().zip(&vectors) {
        let expected = fake_vector(text);
        assert!(embeddings::dot(v, &expected) > 0.9999, "{text}");
    }
    let stats = server.stats();
    assert_eq!(stats.embed_requests, 3);
    assert_eq!(stats.count_tokens_requests, 3, "one free count per batch");
    let billed: Vec<u64> = server.billing().iter().map(|c| c.prompt_tokens).collect();
    let expected: Vec<u64> = texts
        .chunks(100)
        .map(|chunk| chunk.iter().map(|t| fake_gemini::token_count(t)).sum())
        .collect();
    assert_eq!(billed, expected);
    assert_embed_ledger_matches_billing(&db.store, &server).await;
    let attributed = count(
        &db,
        "SELECT COUNT(*) FROM api_calls WHERE endpoint = 'embed' AND model = 'gemini-embedding-001'
         AND run_id IS NULL AND project_id IS NULL AND outcome = 'ok' AND attempt = 1",
    )
    .await;
    assert_eq!(attributed, 3);
}

#[tokio::test]
async fn rate_limited_calls_are_retried_and_recorded() {
    let db = db().await;
    // One embed call per quota minute, which lasts 250 ms here.
    let server = FakeGemini::start(FakeConfig {
        model_limits: HashMap::from([(
            DEFAULT_MODEL.to_string(),
            QuotaLimits {
                rpm: Some(1),
                ..QuotaLimits::UNLIMITED
            },
        )]),
        time_scale: 240.0,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let e = embedder(&db, &server);
    e.vectors(&["first text".to_string()], TASK).await.unwrap();
    let v = e.vectors(&["second text".to_string()], TASK).await.unwrap();
    assert_eq!(v[0], fake_vector("second text"));
    assert_eq!(server.stats().quota_rejections, 1);
    let outcomes: Vec<(String, i64, Option<i64>)> =
        sqlx::query_as("SELECT outcome, attempt, http_status FROM api_calls ORDER BY id")
            .fetch_all(db.store.pool())
            .await
            .unwrap();
    assert_eq!(
        outcomes,
        vec![
            ("ok".to_string(), 1, Some(200)),
            ("quota".to_string(), 1, Some(429)),
            ("ok".to_string(), 2, Some(200)),
        ]
    );
    assert_embed_ledger_matches_billing(&db.store, &server).await;
}

#[tokio::test]
async fn a_failure_that_persists_is_a_plain_error() {
    let db = db().await;
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let mut e = embedder(&db, &server);
    e.model = "gemini-2.5-flash".into(); // does not embed: 404
    let err = e.vectors(&["x".to_string()], TASK).await.unwrap_err();
    assert_eq!(err.code(), "not_found");
    assert!(err.to_string().starts_with("Gemini: not found"), "{err}");
    let rows = count(
        &db,
        "SELECT COUNT(*) FROM api_calls WHERE outcome = 'not_found' AND cost_picos = 0",
    )
    .await;
    assert_eq!(rows, 1, "not retried, recorded once, free");
}

const COLD_EMAIL: &str =
    "Why are my cold email reply rates so low when deliverability looks fine and the sequence is short";
const FACEBOOK: &str =
    "Facebook ads CPMs jumped again this week and our creatives die in three days on Meta audiences";
const LASAGNA: &str = "Made lasagna for the whole family tonight, kids loved it";

#[tokio::test]
async fn relevance_picks_the_right_topic() {
    let db = db().await;
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let p = project(&db, "p").await;
    import(
        &db,
        &p,
        "a.json",
        &[
            apify(1, COLD_EMAIL, "ana", 5000, 50, 30),
            apify(2, FACEBOOK, "bo", 5000, 50, 30),
            apify(3, LASAGNA, "cy", 5000, 50, 30),
        ],
    )
    .await;
    let stored = posts::select(&db.store, p.id, &PostFilter::default())
        .await
        .unwrap();
    let by_id: HashMap<&str, usize> = stored
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let e = embedder(&db, &server);
    let m = e.topic_matches(&p, &stored).await.unwrap();
    assert_eq!(m[by_id["1"]].topic, Some(0), "{:?}", m[by_id["1"]]);
    assert_eq!(m[by_id["2"]].topic, Some(1), "{:?}", m[by_id["2"]]);
    let on_topic = m[by_id["1"]].relevance().min(m[by_id["2"]].relevance());
    assert!(m[by_id["3"]].relevance() < on_topic / 2.0, "{m:?}");
    // Topics and posts went in one call.
    assert_eq!(server.stats().embed_requests, 1);

    // Through a plan: stored as embedding relevance, best-first.
    let ctx = context(&db, &server);
    let plan = runner::plan_with_embeddings(&ctx, &p, &run_settings(), NOW)
        .await
        .unwrap();
    assert_eq!(plan.send.len(), 3);
    assert_eq!(plan.send[2].id, "3", "the off-topic post ranks last");
    assert_eq!(server.stats().embed_requests, 1, "all cached");
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT tweet_id, relevance_method, topic FROM project_tweets ORDER BY tweet_id",
    )
    .fetch_all(db.store.pool())
    .await
    .unwrap();
    assert_eq!(
        rows[0],
        ("1".into(), "embedding".into(), Some("cold email".into()))
    );
    assert_eq!(
        rows[1],
        ("2".into(), "embedding".into(), Some("facebook ads".into()))
    );
    // Without embeddings the plan stays lexical and calls nothing.
    let mut lexical = run_settings();
    lexical.embeddings = false;
    runner::plan_with_embeddings(&ctx, &p, &lexical, NOW)
        .await
        .unwrap();
    let method: String =
        sqlx::query_scalar("SELECT relevance_method FROM project_tweets WHERE tweet_id = '1'")
            .fetch_one(db.store.pool())
            .await
            .unwrap();
    assert_eq!(method, "lexical");
    assert_eq!(server.stats().requests, 2, "one embed call, one count");
}

#[tokio::test]
async fn dedup_skips_near_copies_of_answered_and_chosen_posts_but_not_failed_ones() {
    let db = db().await;
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let p = project(&db, "p").await;
    let answered =
        "Our cold email reply rates dropped after we added a fourth step to the sequence, \
                    is anyone else seeing this with their outbound campaigns";
    let answered_copy = format!("{answered} lately");
    let failed =
        "What is a good deliverability checklist before launching a new cold email domain \
                  and an inbox warmup plan";
    let pair = "Facebook ads CPMs doubled this week and our creatives burn out in three days, \
                how are you keeping Meta audiences fresh";
    let pair_copy = format!("{pair} right now");
    let related =
        "Paid acquisition on Meta is getting expensive, which audiences still convert for \
                   ecommerce brands";
    assert!(cosine(answered, &answered_copy) >= 0.95);
    assert!(cosine(pair, &pair_copy) >= 0.95);
    assert!(cosine(pair, related) < 0.95);

    // Run 1: the answered post and the failing post (which goes first: far more engagement).
    import(
        &db,
        &p,
        "1.json",
        &[
            apify(1, answered, "ana", 5000, 5, 300),
            apify(2, failed, "bo", 5000, 800, 20),
        ],
    )
    .await;
    let ctx = context(&db, &server);
    let settings = run_settings();
    let plan = runner::plan_with_embeddings(&ctx, &p, &settings, NOW)
        .await
        .unwrap();
    let ids: Vec<&str> = plan.send.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["2", "1"]);
    server.set_faults([Fault::Safety]);
    let first = runner::start(&ctx, &p, &settings, &plan).await.unwrap();
    assert_eq!((first.succeeded, first.failed), (1, 1), "{first:?}");

    // Run 2: a near-copy of the answered post, a near-duplicate pair and a related post.
    import(
        &db,
        &p,
        "2.json",
        &[
            apify(3, &answered_copy, "cy", 5000, 40, 20),
            apify(4, pair, "di", 5000, 300, 20),
            apify(5, &pair_copy, "ed", 5000, 30, 20),
            apify(6, related, "fa", 5000, 60, 20),
        ],
    )
    .await;
    let embed_calls = server.stats().embed_requests;
    let plan = runner::plan_with_embeddings(&ctx, &p, &settings, NOW)
        .await
        .unwrap();
    assert_eq!(
        server.stats().embed_requests,
        embed_calls + 1,
        "only the new posts are embedded"
    );
    let mut sent: Vec<&str> = plan.send.iter().map(|s| s.id.as_str()).collect();
    sent.sort();
    let mut deduped: Vec<&str> = plan.deduped.iter().map(String::as_str).collect();
    deduped.sort();
    // 1: answered; 3: its near-copy; 5: near-copy of 4, chosen earlier in this plan.
    assert_eq!(deduped, ["1", "3", "5"]);
    // 2 failed before, so neither it nor anything like it is held back.
    assert_eq!(sent, ["2", "4", "6"]);

    let second = runner::start(&ctx, &p, &settings, &plan).await.unwrap();
    assert_eq!(second.deduped, 3);
    assert_eq!(second.succeeded, 3, "{second:?}");
    assert_embed_ledger_matches_billing(&db.store, &server).await;
    let unattributed = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM api_calls WHERE endpoint = 'embed'
             AND (run_id IS NOT NULL OR project_id IS NOT {})",
            p.id
        ),
    )
    .await;
    assert_eq!(unattributed, 0, "plan calls belong to the project, no run");
}
