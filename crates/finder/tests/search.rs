//! Finding posts against the fake Apify and X servers (real HTTP on 127.0.0.1, real SQLite):
//! search → import → score for both sources, paging, failed and timed-out runs, rate limits,
//! bad tokens, partial results on failure and Cancel, saved searches asking only for newer
//! posts, term analysis, and a scheduled refresh driven by a fake clock.

mod common;

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake_sources::{ApifyFault, FakeSources, SourcesConfig, SourcesServer, XFault};
use finder::projects::{self, Project};
use finder::search::analysis::{self, Verdict};
use finder::search::schedule::{self, Clock};
use finder::search::{
    self, saved, PollPolicy, SearchCancel, SearchFilters, SearchOptions, SearchOutcome,
    SearchProgress, SearchRequest, SearchStage, SearchStatus, Source, SourceAccess,
};
use gemini::ApiKey;

use common::{count, db, TestDb};

/// Actor runs of 5 simulated seconds that last 50 ms.
fn quick() -> SourcesConfig {
    SourcesConfig {
        time_scale: 100.0,
        apify_run_secs: 5.0,
        ..SourcesConfig::default()
    }
}

async fn fake(config: SourcesConfig) -> SourcesServer {
    FakeSources::start(config).await.unwrap()
}

fn access(server: &SourcesServer, source: Source) -> SourceAccess {
    SourceAccess {
        source,
        base_url: server.base_url(),
        token: ApiKey::new(match source {
            Source::Apify => server.apify_token(),
            Source::X => server.x_token(),
        }),
    }
}

async fn sample_project(db: &TestDb) -> Project {
    projects::create(&db.store, &finder::sample::settings(), common::NOW)
        .await
        .unwrap()
}

fn request(source: Source, terms: &[&str], count: u32) -> SearchRequest {
    SearchRequest {
        source,
        terms: terms.iter().map(|t| t.to_string()).collect(),
        filters: SearchFilters::default(),
        count,
    }
}

fn clock() -> i64 {
    chrono::Utc::now().timestamp()
}

fn quiet(_: SearchProgress) {}

async fn search(
    db: &TestDb,
    project: &Project,
    server: &SourcesServer,
    request: &SearchRequest,
) -> SearchOutcome {
    search::run(
        &db.store,
        project.id,
        request,
        &access(server, request.source),
        &SearchOptions {
            poll: PollPolicy::quick(),
            ..SearchOptions::default()
        },
        &clock,
        &quiet,
        &SearchCancel::new(),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn apify_search_imports_pages_scores_and_records_the_runs_cost() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(quick()).await;
    let outcome = search(
        &db,
        &project,
        &server,
        &request(Source::Apify, &["onboarding", "cold email"], 700),
    )
    .await;
    assert_eq!(
        outcome.status,
        SearchStatus::Finished,
        "{:?}",
        outcome.error
    );
    // 700 per term: more than one dataset page (500) each.
    assert_eq!(outcome.found, 1_400);
    assert_eq!(outcome.added, 1_400);
    assert_eq!(
        outcome.terms.iter().map(|t| t.found).collect::<Vec<_>>(),
        [700, 700]
    );
    assert_eq!(
        count(&db, &format!("SELECT COUNT(*) FROM project_tweets WHERE project_id = {} AND scored_at IS NOT NULL", project.id)).await,
        1_400,
        "every post that arrived is scored"
    );
    assert_eq!(
        outcome.green + outcome.yellow + outcome.red + outcome.held_back,
        1_400
    );
    assert!(
        outcome.green > 0,
        "sample texts about the project's topics score green"
    );
    // Apify reports $0.40 per 1,000 posts; that is what the ledger holds, as its own provider.
    let cost: i64 = count(
        &db,
        "SELECT SUM(cost_picos) FROM api_calls WHERE model = 'apify-tweet-scraper'",
    )
    .await;
    assert_eq!(cost, 1_400 * 400_000_000);
    assert_eq!(outcome.cost_picos, cost);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM api_calls WHERE model = 'apify-tweet-scraper' AND endpoint = 'actor-run'").await, 2);
    let by_model = finder::ledger::costs(
        &db.store,
        finder::ledger::GroupBy::Model,
        &Default::default(),
    )
    .await
    .unwrap();
    assert!(by_model
        .iter()
        .any(|g| g.group == "apify-tweet-scraper" && g.cost_picos == cost));
    // Searching again finds the same posts: nothing new, all updated.
    let again = search(
        &db,
        &project,
        &server,
        &request(Source::Apify, &["onboarding"], 50),
    )
    .await;
    assert_eq!((again.found, again.added, again.updated), (50, 0, 50));
}

#[tokio::test]
async fn x_search_pages_with_next_token_charges_per_post_and_applies_minimums() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(quick()).await;
    let mut req = request(Source::X, &["pricing page"], 250);
    req.filters.min_likes = 3;
    req.filters.days_back = Some(7);
    let outcome = search(&db, &project, &server, &req).await;
    assert_eq!(
        outcome.status,
        SearchStatus::Finished,
        "{:?}",
        outcome.error
    );
    assert_eq!(server.stats().x_requests, 3, "100 + 100 + 50");
    assert_eq!(server.stats().x_posts_read, 250);
    assert_eq!(outcome.found + outcome.filtered, 250);
    assert!(outcome.filtered > 0 && outcome.found > 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM tweets WHERE likes < 3").await,
        0,
        "posts under the minimum are not added"
    );
    // Every post read is billed ($0.005 each), including those under the minimum.
    assert_eq!(
        count(
            &db,
            "SELECT SUM(cost_picos) FROM api_calls WHERE model = 'x-api-recent-search'"
        )
        .await,
        250 * 5_000_000_000
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM tweets WHERE source = 'x_api'").await as u64,
        outcome.found
    );
    assert!(
        count(
            &db,
            "SELECT COUNT(*) FROM tweets WHERE reply_restricted = 1"
        )
        .await
            > 0,
        "reply_settings kept"
    );
}

#[tokio::test]
async fn failed_and_timed_out_actor_runs_keep_what_they_found() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(SourcesConfig {
        apify_faults: vec![ApifyFault::RunFailed, ApifyFault::RunTimedOut],
        ..quick()
    })
    .await;
    let failed = search(
        &db,
        &project,
        &server,
        &request(Source::Apify, &["onboarding", "pricing"], 200),
    )
    .await;
    assert_eq!(failed.status, SearchStatus::Failed);
    let error = failed.error.clone().unwrap();
    assert_eq!(error.code, "apify_run_failed");
    assert!(
        error.message.contains("100 posts it found"),
        "{}",
        error.message
    );
    assert_eq!(
        failed.found, 100,
        "half the items were stored before the failure"
    );
    assert_eq!(failed.terms.len(), 1, "the next term is not started");
    assert!(!failed.terms[0].complete);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM project_tweets WHERE scored_at IS NOT NULL"
        )
        .await,
        100
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM api_calls WHERE outcome = 'failed'"
        )
        .await,
        1,
        "a failed run's cost is recorded"
    );
    let stored: String = sqlx::query_scalar("SELECT status FROM searches WHERE id = ?")
        .bind(failed.search_id)
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, "failed");

    let timed_out = search(
        &db,
        &project,
        &server,
        &request(Source::Apify, &["cold email"], 60),
    )
    .await;
    assert_eq!(timed_out.error.unwrap().code, "apify_run_timed_out");
    assert_eq!(timed_out.found, 30);
}

#[tokio::test]
async fn rate_limits_are_waited_out_as_the_headers_say() {
    let db = db().await;
    let project = sample_project(&db).await;
    // A 60 s wait at time scale 60 is one real second.
    let server = fake(SourcesConfig {
        time_scale: 60.0,
        apify_run_secs: 3.0,
        x_faults: vec![XFault::RateLimited],
        apify_faults: vec![ApifyFault::RateLimited],
        ..quick()
    })
    .await;
    let notes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&notes);
    let progress = move |p: SearchProgress| {
        if p.stage == SearchStage::RateLimited {
            seen.lock().unwrap().push(p.note);
        }
    };
    for source in [Source::X, Source::Apify] {
        let outcome = search::run(
            &db.store,
            project.id,
            &request(source, &["onboarding"], 20),
            &access(&server, source),
            &SearchOptions {
                poll: PollPolicy::quick(),
                ..SearchOptions::default()
            },
            &clock,
            &progress,
            &SearchCancel::new(),
        )
        .await
        .unwrap();
        assert_eq!(
            outcome.status,
            SearchStatus::Finished,
            "{source:?}: {:?}",
            outcome.error
        );
        assert_eq!(outcome.found, 20);
    }
    let notes = notes.lock().unwrap().clone();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0].starts_with("The X API asked to slow down; waiting"),
        "{}",
        notes[0]
    );
    assert_eq!(server.stats().rejected_requests, 2);

    // A wait longer than the search sits through stops it in plain words.
    server.push_x_fault(XFault::RateLimited);
    let mut poll = PollPolicy::quick();
    poll.max_rate_limit_wait = Duration::from_millis(10);
    let stopped = search::run(
        &db.store,
        project.id,
        &request(Source::X, &["onboarding"], 20),
        &access(&server, Source::X),
        &SearchOptions {
            poll,
            ..SearchOptions::default()
        },
        &clock,
        &quiet,
        &SearchCancel::new(),
    )
    .await
    .unwrap();
    assert_eq!(stopped.error.unwrap().code, "source_rate_limited");
}

#[tokio::test]
async fn bad_tokens_and_empty_credit_are_plain_errors_and_nothing_is_billed() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(SourcesConfig {
        apify_faults: vec![ApifyFault::OutOfCredit],
        x_faults: vec![XFault::OutOfCredit],
        ..quick()
    })
    .await;
    let mut wrong = access(&server, Source::X);
    wrong.token = ApiKey::new("not-the-token");
    let outcome = search::run(
        &db.store,
        project.id,
        &request(Source::X, &["onboarding"], 20),
        &wrong,
        &SearchOptions {
            poll: PollPolicy::quick(),
            ..SearchOptions::default()
        },
        &clock,
        &quiet,
        &SearchCancel::new(),
    )
    .await
    .unwrap();
    let error = outcome.error.unwrap();
    assert_eq!(error.code, "x_bad_token");
    assert!(error.message.contains("Settings"), "{}", error.message);
    assert!(
        !error.message.contains("not-the-token"),
        "the token never appears in messages"
    );
    for (source, code) in [
        (Source::Apify, "apify_out_of_credit"),
        (Source::X, "x_out_of_credit"),
    ] {
        let outcome = search(
            &db,
            &project,
            &server,
            &request(source, &["onboarding"], 20),
        )
        .await;
        assert_eq!(outcome.error.unwrap().code, code);
        assert_eq!(outcome.found, 0);
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM api_calls").await, 0);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM searches WHERE status = 'failed'").await,
        3
    );
}

#[tokio::test]
async fn cancel_keeps_the_posts_that_arrived() {
    let db = db().await;
    let project = sample_project(&db).await;
    // A run that stores items over ten real seconds.
    let server = fake(SourcesConfig {
        time_scale: 2.0,
        apify_run_secs: 20.0,
        ..quick()
    })
    .await;
    let cancel = SearchCancel::new();
    let trigger = cancel.clone();
    let progress = move |p: SearchProgress| {
        if p.found >= 100 {
            trigger.cancel();
        }
    };
    let outcome = search::run(
        &db.store,
        project.id,
        &request(Source::Apify, &["onboarding", "pricing"], 1_000),
        &access(&server, Source::Apify),
        &SearchOptions {
            poll: PollPolicy::quick(),
            ..SearchOptions::default()
        },
        &clock,
        &progress,
        &cancel,
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, SearchStatus::Cancelled);
    assert!(
        outcome.found >= 100 && outcome.found < 1_000,
        "{}",
        outcome.found
    );
    assert_eq!(outcome.terms.len(), 1);
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM project_tweets WHERE project_id = {}",
                project.id
            )
        )
        .await as u64,
        outcome.found
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM api_calls WHERE outcome = 'aborted'"
        )
        .await,
        1,
        "the run was stopped and its cost recorded"
    );

    // X: Cancel after the first page.
    let cancel = SearchCancel::new();
    let trigger = cancel.clone();
    let progress = move |p: SearchProgress| {
        if p.found > 0 {
            trigger.cancel();
        }
    };
    let outcome = search::run(
        &db.store,
        project.id,
        &request(Source::X, &["cold email"], 500),
        &access(&server, Source::X),
        &SearchOptions {
            poll: PollPolicy::quick(),
            ..SearchOptions::default()
        },
        &clock,
        &progress,
        &cancel,
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, SearchStatus::Cancelled);
    assert_eq!(server.stats().x_requests, 1);
    assert_eq!(outcome.found, 100);
}

#[tokio::test]
async fn saved_searches_ask_only_for_posts_newer_than_the_last_fetch() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(quick()).await;
    for source in [Source::Apify, Source::X] {
        let saved = saved::save(
            &db.store,
            project.id,
            &format!("Onboarding on {}", source.as_str()),
            &request(source, &["onboarding", "cold email"], 100),
            None,
            clock(),
        )
        .await
        .unwrap();
        let find = || async {
            saved::find_new_posts(
                &db.store,
                saved.id,
                &access(&server, source),
                PollPolicy::quick(),
                &clock,
                &quiet,
                &SearchCancel::new(),
            )
            .await
            .unwrap()
        };
        let first = find().await;
        assert_eq!(first.status, SearchStatus::Finished, "{:?}", first.error);
        assert_eq!(first.found, 200);
        // Nothing was published since: nothing is asked for again (and nothing billed).
        let reads_before = server.stats().x_posts_read;
        let nothing = find().await;
        assert_eq!(nothing.found, 0, "{source:?}");
        assert_eq!(server.stats().x_posts_read, reads_before);
        // Two hours of new posts: only they arrive, all new.
        server.advance_posts(2 * 3600);
        let newer = find().await;
        assert!(newer.found > 0, "{source:?}");
        assert_eq!(
            newer.added, newer.found,
            "{source:?}: only posts not seen before"
        );
        assert_eq!(newer.updated, 0);
        let stored = saved::get(&db.store, saved.id).await.unwrap();
        assert!(stored.last_fetched_at.is_some());
        assert_eq!(stored.cursors.len(), 2);
    }
    assert_eq!(
        saved::list(&db.store, Some(project.id))
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn term_analysis_compares_terms_from_saved_scores() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(quick()).await;
    let outcome = search(
        &db,
        &project,
        &server,
        &request(Source::Apify, &["cold email", "zebra crossings"], 200),
    )
    .await;
    let rows = analysis::analyze_search(&db.store, outcome.search_id, clock())
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].term, "cold email");
    assert_eq!(rows[0].found, 200);
    let on_topic = &rows[0];
    let off_topic = &rows[1];
    assert!(
        on_topic.green_share > off_topic.green_share,
        "{on_topic:?} vs {off_topic:?}"
    );
    assert_eq!(off_topic.verdict, Verdict::Poor);
    assert!(
        on_topic.top_topics.iter().any(|t| t.topic == "cold email"),
        "{:?}",
        on_topic.top_topics
    );
    // One post every few minutes, all from the last day: fresh.
    assert!(on_topic.fresh_share > 0.9);
    assert!(on_topic.reply_cost_picos > 0 || on_topic.green == 0);
    let sum = on_topic.green_share + on_topic.yellow_share + on_topic.red_share;
    assert!(sum <= 1.0 + 1e-9);
}

/// A clock whose sleeps pass instantly.
struct FakeClock(AtomicI64);

impl Clock for FakeClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    fn sleep(
        &self,
        wait: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        self.0.fetch_add(wait.as_secs() as i64, Ordering::SeqCst);
        Box::pin(tokio::task::yield_now())
    }
}

#[tokio::test]
async fn a_scheduled_refresh_fires_every_interval_on_a_fake_clock() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(quick()).await;
    let start = clock();
    let fake_clock = FakeClock(AtomicI64::new(start));
    let saved = saved::save(
        &db.store,
        project.id,
        "Daily",
        &request(Source::X, &["onboarding"], 20),
        None,
        start,
    )
    .await
    .unwrap();
    let unscheduled = saved::save(
        &db.store,
        project.id,
        "Manual",
        &request(Source::X, &["pricing"], 20),
        None,
        start,
    )
    .await
    .unwrap();
    saved::set_schedule(&db.store, saved.id, Some(6), false)
        .await
        .unwrap();
    let fired = AtomicUsize::new(0);
    let notes = Mutex::new(Vec::new());
    let stop = SearchCancel::new();
    schedule::run_schedule(&db.store, &fake_clock, schedule::TICK, &stop, |due| {
        let fired = &fired;
        let notes = &notes;
        let stop = &stop;
        let server = &server;
        let db = &db;
        let fake_clock = &fake_clock;
        async move {
            assert_eq!(due.id, saved.id, "only the scheduled search is refreshed");
            let at = fake_clock.now();
            let outcome = saved::find_new_posts(
                &db.store,
                due.id,
                &access(server, Source::X),
                PollPolicy::quick(),
                &move || at,
                &quiet,
                &SearchCancel::new(),
            )
            .await
            .unwrap();
            server.advance_posts(6 * 3600);
            if let Some(note) = schedule::worth_a_reply(outcome.new_greens) {
                notes.lock().unwrap().push(note);
            }
            if fired.fetch_add(1, Ordering::SeqCst) + 1 == 3 {
                stop.cancel();
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(fired.load(Ordering::SeqCst), 3);
    let elapsed = fake_clock.now() - start;
    assert!(
        (12 * 3600..13 * 3600).contains(&elapsed),
        "three refreshes take 12 fake hours, took {elapsed} s"
    );
    let manual = saved::get(&db.store, unscheduled.id).await.unwrap();
    assert_eq!(manual.last_fetched_at, None);
    assert_eq!(
        schedule::worth_a_reply(12).unwrap(),
        "12 new posts worth a reply"
    );
    assert_eq!(schedule::worth_a_reply(0), None);
}

#[tokio::test]
async fn a_refresh_can_draft_replies_for_the_new_greens_through_the_run_engine() {
    let db = db().await;
    let project = sample_project(&db).await;
    let sources = fake(quick()).await;
    let key = "search-drafts-test-key-0001";
    let gemini = fake_gemini::FakeGemini::start(fake_gemini::FakeConfig {
        api_keys: vec![key.to_owned()],
        ..fake_gemini::FakeConfig::default()
    })
    .await
    .unwrap();
    db.store
        .set_setting(
            finder::engine::BASE_URL_SETTING,
            &serde_json::json!(gemini.base_url()),
        )
        .await
        .unwrap();
    db.store
        .set_setting("tier", &serde_json::json!("tier1"))
        .await
        .unwrap();
    // The key goes to a server that is not Google's only once the user has said so.
    finder::engine::confirm_server(&db.store, &ApiKey::new(key))
        .await
        .unwrap();
    let access = finder::engine::open_gemini(&db.store, ApiKey::new(key))
        .await
        .unwrap();
    let saved = saved::save(
        &db.store,
        project.id,
        "Onboarding",
        &request(Source::X, &["onboarding", "cold email"], 100),
        None,
        clock(),
    )
    .await
    .unwrap();
    let outcome = saved::find_new_posts(
        &db.store,
        saved.id,
        &access_for_x(&sources),
        PollPolicy::quick(),
        &clock,
        &quiet,
        &SearchCancel::new(),
    )
    .await
    .unwrap();
    assert!(outcome.new_greens > 0, "{outcome:?}");
    let summary = search::drafts::draft_new_greens(
        &db.store,
        &access,
        project.id,
        outcome.started_at,
        no_embeddings(),
        clock,
    )
    .await
    .unwrap()
    .expect("the new greens need replies");
    assert!(summary.succeeded > 0, "{summary:?}");
    let drafted_hits = count(
        &db,
        &format!(
            "SELECT COUNT(*) FROM run_items i WHERE i.run_id = {} AND i.state = 'done'
               AND i.tweet_id IN (SELECT tweet_id FROM search_hits WHERE search_id = {})",
            summary.run_id, outcome.search_id
        ),
    )
    .await;
    assert_eq!(
        drafted_hits, summary.succeeded,
        "only posts the refresh brought"
    );
    // Drafted once: asking again finds nothing left to do.
    let again = search::drafts::draft_new_greens(
        &db.store,
        &access,
        project.id,
        outcome.started_at,
        no_embeddings(),
        clock,
    )
    .await
    .unwrap();
    assert!(again.is_none(), "{again:?}");
}

fn access_for_x(server: &SourcesServer) -> SourceAccess {
    access(server, Source::X)
}

/// The fake's embeddings are hashes, not meaning: keep the lexical scores the search gave.
fn no_embeddings() -> search::drafts::DraftOptions {
    search::drafts::DraftOptions {
        embeddings: false,
        ..Default::default()
    }
}

#[tokio::test]
async fn a_search_that_could_pass_a_monthly_budget_is_refused_before_anything_is_spent() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(quick()).await;
    // $1 a month; X at $0.005 a post: 300 posts may cost $1.50.
    finder::budget::set_monthly_budget(&db.store, Some(1_000_000_000_000))
        .await
        .unwrap();
    let err = search::run(
        &db.store,
        project.id,
        &request(Source::X, &["onboarding"], 300),
        &access(&server, Source::X),
        &SearchOptions {
            poll: PollPolicy::quick(),
            ..SearchOptions::default()
        },
        &clock,
        &quiet,
        &SearchCancel::new(),
    )
    .await
    .unwrap_err();
    assert_eq!(err.code(), "search_over_budget");
    assert!(err.to_string().contains("$1.50"), "{err}");
    assert_eq!(server.stats().x_requests, 0);
    // 100 posts ($0.50) fit.
    let fits = search(
        &db,
        &project,
        &server,
        &request(Source::X, &["onboarding"], 100),
    )
    .await;
    assert_eq!(fits.status, SearchStatus::Finished);
}

#[tokio::test]
async fn a_saved_x_search_last_fetched_over_a_week_ago_asks_for_the_whole_window() {
    let db = db().await;
    let project = sample_project(&db).await;
    let server = fake(quick()).await;
    let saved = saved::save(
        &db.store,
        project.id,
        "Old",
        &request(Source::X, &["pricing"], 30),
        None,
        clock(),
    )
    .await
    .unwrap();
    // Ten days since the last fetch: X would refuse that post's id as `since_id`.
    let old_at = server.post_clock() - 10 * 86_400;
    let old_id = (((old_at * 1000) - 1_288_834_974_657) as u64) << 22;
    sqlx::query("UPDATE saved_searches SET cursors_json = ? WHERE id = ?")
        .bind(
            serde_json::json!({"pricing": {"newest_at": old_at, "newest_id": old_id.to_string()}})
                .to_string(),
        )
        .bind(saved.id)
        .execute(db.store.pool())
        .await
        .unwrap();
    let outcome = saved::find_new_posts(
        &db.store,
        saved.id,
        &access(&server, Source::X),
        PollPolicy::quick(),
        &clock,
        &quiet,
        &SearchCancel::new(),
    )
    .await
    .unwrap();
    assert_eq!(
        outcome.status,
        SearchStatus::Finished,
        "{:?}",
        outcome.error
    );
    assert_eq!(outcome.found, 30);
}
