//! The review queue and the cost charts on a real SQLite store: the sample project run through
//! the fake Gemini server, then listed, filtered, sorted, paged and acted on; and cost series,
//! month to date, per run, per post and the costs CSV checked against the ledger.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use fake_gemini::{FakeConfig, FakeGemini};
use finder::export::Status;
use finder::limiter::{Limiter, Limits};
use finder::review::{self, OpportunityQuery, QueueView, Review, ReviewSort};
use finder::runner::{self, CancelToken, RunContext, RunSettings, RunSummary};
use finder::scoring::Label;
use finder::spend::{self, SpendRange, StackBy};
use finder::{import, projects::Project, sample};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The sample project after one finished run against the fake server.
async fn answered_sample() -> (TestDb, Project, RunSummary) {
    let db = db().await;
    let (project, _) = sample::load(&db.store, now()).await.unwrap();
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let limits = Limits {
        rpm: 60_000,
        tpm: None,
        rpd: None,
    };
    let mut settings = RunSettings::defaults("gemini-2.5-flash", limits);
    settings.min_followers = 0;
    settings.hours_back = 48.0;
    settings.embeddings = false;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let ctx = RunContext {
        store: db.store.clone(),
        client: Arc::new(
            gemini::Client::new(gemini::ClientConfig {
                base_url: server.base_url(),
                api_key: gemini::ApiKey::new(fake_gemini::DEFAULT_API_KEY),
                request_timeout: Duration::from_secs(5),
            })
            .unwrap(),
        ),
        limiter: Arc::new(Limiter::new(limits, 0, now, 1)),
        events: tx,
        cancel: CancelToken::default(),
        wall_clock: now,
        seed: 3,
        batch: Default::default(),
    };
    let plan = runner::plan(&db.store, &project, &settings, now())
        .await
        .unwrap();
    let summary = runner::start(&ctx, &project, &settings, &plan)
        .await
        .unwrap();
    assert_eq!(summary.status, "finished");
    assert!(summary.succeeded > 10, "{summary:?}");
    server.shutdown().await;
    (db, project, summary)
}

fn query(project: &Project) -> OpportunityQuery {
    OpportunityQuery {
        project_id: project.id,
        limit: 1000,
        ..OpportunityQuery::default()
    }
}

#[tokio::test]
async fn the_queue_lists_scored_posts_with_breakdown_why_and_latest_drafts() {
    let (db, project, summary) = answered_sample().await;
    let page = review::list(&db.store, &query(&project), now())
        .await
        .unwrap();
    let held_back: i64 = count(
        &db,
        "SELECT COUNT(*) FROM project_tweets WHERE gate_reason IS NOT NULL",
    )
    .await;
    let scored: i64 = count(
        &db,
        "SELECT COUNT(*) FROM project_tweets WHERE scored_at IS NOT NULL",
    )
    .await;
    assert!(held_back > 0);
    assert_eq!(page.total, scored - held_back, "held-back posts never show");
    assert_eq!(page.items.len() as i64, page.total);
    // Best first.
    for pair in page.items.windows(2) {
        assert!(pair[0].total >= pair[1].total);
    }
    let with_drafts: Vec<_> = page.items.iter().filter(|o| !o.drafts.is_empty()).collect();
    assert_eq!(with_drafts.len() as i64, summary.succeeded);
    let first = with_drafts[0];
    assert_eq!(first.run_id, Some(summary.run_id));
    assert!(!first.why.is_empty());
    assert!(first.age_s > 0);
    assert!(first.velocity >= 0.0 && first.relevance >= 0.0 && first.openness > 0.0);
    assert_eq!(first.status, Status::Pending);
    assert!(first.drafts.iter().all(|d| d.review == Review::Draft));
    let ranks: Vec<i64> = first.drafts.iter().map(|d| d.rank).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(ranks, sorted, "drafts in the project's reply-type order");
    assert!(first.url.starts_with("https://"));

    // Only posts with drafts, and only one run's.
    let mut q = query(&project);
    q.run_id = Some(summary.run_id);
    let run_page = review::list(&db.store, &q, now()).await.unwrap();
    assert_eq!(run_page.total, summary.succeeded);
    q.run_id = None;
    q.with_drafts = true;
    assert_eq!(
        review::list(&db.store, &q, now()).await.unwrap().total,
        summary.succeeded
    );
}

#[tokio::test]
async fn filters_sorts_and_pages() {
    let (db, project, _) = answered_sample().await;
    let all = review::list(&db.store, &query(&project), now())
        .await
        .unwrap();

    let mut q = query(&project);
    q.labels = vec![Label::Green];
    let greens = review::list(&db.store, &q, now()).await.unwrap();
    assert!(greens.total > 0);
    assert!(greens.items.iter().all(|o| o.label == Label::Green));
    assert_eq!(
        greens.total,
        all.items.iter().filter(|o| o.label == Label::Green).count() as i64
    );

    let topic = all
        .items
        .iter()
        .find_map(|o| o.topic.clone())
        .expect("sample posts match topics");
    let mut q = query(&project);
    q.topic = Some(topic.clone());
    let on_topic = review::list(&db.store, &q, now()).await.unwrap();
    assert!(on_topic.total > 0);
    assert!(on_topic
        .items
        .iter()
        .all(|o| o.topic.as_deref() == Some(&topic)));
    assert!(review::topics_in_use(&db.store, project.id)
        .await
        .unwrap()
        .contains(&topic));

    // Text search: words anywhere in the text or the handle, case-insensitive.
    let handle = all.items[3].handle.clone();
    let mut q = query(&project);
    q.search = format!("@{}", handle.to_uppercase());
    let by_handle = review::list(&db.store, &q, now()).await.unwrap();
    assert!(by_handle.items.iter().any(|o| o.handle == handle));
    let word = all.items[0]
        .text
        .split_whitespace()
        .find(|w| w.len() > 6 && w.chars().all(char::is_alphanumeric))
        .unwrap()
        .to_lowercase();
    q.search = word.clone();
    let by_word = review::list(&db.store, &q, now()).await.unwrap();
    assert!(by_word.total >= 1);
    assert!(by_word
        .items
        .iter()
        .all(|o| o.text.to_lowercase().contains(&word) || o.handle.to_lowercase().contains(&word)));
    q.search = "%".into();
    assert_eq!(
        review::list(&db.store, &q, now()).await.unwrap().total,
        all.items.iter().filter(|o| o.text.contains('%')).count() as i64,
        "% is a literal, not a wildcard"
    );

    // Sorts.
    let sorted = |sort| {
        let mut q = query(&project);
        q.sort = sort;
        q
    };
    let by_views = review::list(&db.store, &sorted(ReviewSort::Views), now())
        .await
        .unwrap();
    assert!(by_views.items.windows(2).all(|p| p[0].views >= p[1].views));
    let newest = review::list(&db.store, &sorted(ReviewSort::Newest), now())
        .await
        .unwrap();
    assert!(newest
        .items
        .windows(2)
        .all(|p| p[0].posted_at >= p[1].posted_at));
    let balanced = review::list(&db.store, &sorted(ReviewSort::Balanced), now())
        .await
        .unwrap();
    let key = |o: &review::Opportunity| o.total * (o.views.max(0) as f64).sqrt();
    assert!(balanced
        .items
        .windows(2)
        .all(|p| key(&p[0]) >= key(&p[1]) - 1e-9));

    // Pages cover the list exactly once.
    let mut seen = Vec::new();
    let mut q = query(&project);
    q.limit = 7;
    loop {
        let page = review::list(&db.store, &q, now()).await.unwrap();
        assert_eq!(page.total, all.total);
        if page.items.is_empty() {
            break;
        }
        seen.extend(page.items.into_iter().map(|o| o.tweet_id));
        q.offset += 7;
    }
    let expected: Vec<String> = all.items.iter().map(|o| o.tweet_id.clone()).collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn every_status_change_can_be_undone_and_every_status_has_a_view() {
    let (db, project, summary) = answered_sample().await;
    let mut q = query(&project);
    q.with_drafts = true;
    let page = review::list(&db.store, &q, now()).await.unwrap();
    let ids: Vec<String> = page.items[..3].iter().map(|o| o.tweet_id.clone()).collect();
    let count = |view: QueueView| {
        let mut v = query(&project);
        v.view = Some(view);
        let store = db.store.clone();
        async move { review::list(&store, &v, now()).await.unwrap().total }
    };
    let to_review = count(QueueView::ToReview).await;

    let posted = review::set_status(&db.store, project.id, &ids, Status::Posted)
        .await
        .unwrap();
    let skipped = review::set_status(&db.store, project.id, &ids[2..], Status::Skipped)
        .await
        .unwrap();
    assert_eq!(skipped.previous, vec![(ids[2].clone(), Status::Posted)]);
    assert_eq!(
        (
            count(QueueView::Posted).await,
            count(QueueView::Skipped).await
        ),
        (2, 1)
    );
    assert_eq!(count(QueueView::ToReview).await, to_review - 3);

    // Undo the skip: the post is "posted" again, not "pending".
    assert_eq!(review::undo_status(&db.store, &skipped).await.unwrap(), 1);
    assert_eq!(
        (
            count(QueueView::Posted).await,
            count(QueueView::Skipped).await
        ),
        (3, 0)
    );
    // Undo the "posted": all three are back in the queue.
    assert_eq!(review::undo_status(&db.store, &posted).await.unwrap(), 3);
    assert_eq!(count(QueueView::ToReview).await, to_review);
    assert_eq!(count(QueueView::Posted).await, 0);

    // Approved and rejected views follow the drafts' reviews; undoing a review is setting
    // it back to "draft".
    let first = page.items[0].drafts[0].clone();
    let second = page.items[1].drafts[0].clone();
    review::set_review(&db.store, first.id, Review::Approved)
        .await
        .unwrap();
    review::set_review(&db.store, second.id, Review::Rejected)
        .await
        .unwrap();
    assert_eq!(
        (
            count(QueueView::Approved).await,
            count(QueueView::Rejected).await
        ),
        (1, 1)
    );
    review::set_review(&db.store, first.id, Review::Draft)
        .await
        .unwrap();
    assert_eq!(count(QueueView::Approved).await, 0);
    assert!(count(QueueView::All).await >= summary.succeeded);
}

#[tokio::test]
async fn status_review_and_edit_actions() {
    let (db, project, summary) = answered_sample().await;
    let mut q = query(&project);
    q.with_drafts = true;
    let page = review::list(&db.store, &q, now()).await.unwrap();
    let ids: Vec<String> = page.items[..3].iter().map(|o| o.tweet_id.clone()).collect();

    // Bulk status; setting the same status again changes nothing.
    let posted_change = review::set_status(&db.store, project.id, &ids, Status::Posted)
        .await
        .unwrap();
    assert_eq!(posted_change.changed, 3);
    assert_eq!(
        review::set_status(&db.store, project.id, &ids[..1], Status::Posted)
            .await
            .unwrap()
            .changed,
        0
    );
    let skip_change = review::set_status(&db.store, project.id, &ids[2..], Status::Skipped)
        .await
        .unwrap();
    assert_eq!(skip_change.changed, 1);
    assert_eq!(skip_change.previous, vec![(ids[2].clone(), Status::Posted)]);
    let err = review::set_status(&db.store, project.id, &ids, Status::Exported)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    q.status = Some(Status::Posted);
    let posted = review::list(&db.store, &q, now()).await.unwrap();
    assert_eq!(posted.total, 2);
    // The views say the same.
    let mut v = query(&project);
    v.view = Some(QueueView::Posted);
    assert_eq!(review::list(&db.store, &v, now()).await.unwrap().total, 2);
    v.view = Some(QueueView::Skipped);
    assert_eq!(review::list(&db.store, &v, now()).await.unwrap().total, 1);
    q.status = Some(Status::Pending);
    assert_eq!(
        review::list(&db.store, &q, now()).await.unwrap().total,
        summary.succeeded - 3
    );
    // Another project's posts are untouched by this project's ids.
    let other = project_with_post(&db).await;
    assert_eq!(
        review::set_status(&db.store, other, &ids, Status::Skipped)
            .await
            .unwrap()
            .changed,
        0
    );

    // Approve, reject, back to draft.
    let draft = page.items[0].drafts[0].clone();
    let approved = review::set_review(&db.store, draft.id, Review::Approved)
        .await
        .unwrap();
    assert_eq!(approved.review, Review::Approved);
    let rejected = review::set_review(&db.store, draft.id, Review::Rejected)
        .await
        .unwrap();
    assert_eq!(rejected.review, Review::Rejected);
    assert_eq!(
        review::set_review(&db.store, 999_999, Review::Approved)
            .await
            .unwrap_err()
            .code(),
        "invalid_input"
    );

    // Edit keeps the model's text; giving the original back removes the edit.
    let edited = review::edit_draft(&db.store, draft.id, "  My own better reply  ")
        .await
        .unwrap();
    assert_eq!(edited.edited_text.as_deref(), Some("My own better reply"));
    assert_eq!(edited.text, draft.text);
    assert_eq!(edited.final_text(), "My own better reply");
    let reverted = review::edit_draft(&db.store, draft.id, &format!(" {} ", draft.text))
        .await
        .unwrap();
    assert_eq!(reverted.edited_text, None);
    assert!(review::edit_draft(&db.store, draft.id, "   ")
        .await
        .is_err());

    // The queue shows the edit and the review.
    review::edit_draft(&db.store, draft.id, "Edited")
        .await
        .unwrap();
    q.status = Some(Status::Posted);
    let again = review::list(&db.store, &q, now()).await.unwrap();
    let shown = again
        .items
        .iter()
        .flat_map(|o| o.drafts.iter())
        .find(|d| d.id == draft.id)
        .unwrap();
    assert_eq!(shown.edited_text.as_deref(), Some("Edited"));
    assert_eq!(shown.review, Review::Rejected);
}

/// Another project with one scored post, to check that actions stay inside their project.
async fn project_with_post(db: &TestDb) -> i64 {
    let p = project(db, "Other").await;
    let file = write(
        db,
        "other.json",
        serde_json::to_string(&[apify(1, "Cold email reply rates", "someone", 5000, 10, 30)])
            .unwrap()
            .as_bytes(),
    );
    import::import_file(&db.store, p.id, &file, NOW)
        .await
        .unwrap();
    p.id
}

/// Writes a ledger row as the runner would.
async fn call(
    db: &TestDb,
    project: Option<i64>,
    run: Option<i64>,
    at: i64,
    model: &str,
    picos: i64,
) {
    sqlx::query(
        "INSERT INTO api_calls (run_id, project_id, called_at, model, endpoint, attempt, outcome, http_status,
             latency_ms, prompt_tokens, output_tokens, input_micros_per_mtok, output_micros_per_mtok,
             cached_micros_per_mtok, cost_picos)
         VALUES (?, ?, ?, ?, 'generate', 1, 'ok', 200, 100, 1000, 200, 300000, 2500000, 30000, ?)",
    )
    .bind(run)
    .bind(project)
    .bind(at)
    .bind(model)
    .bind(picos)
    .execute(db.store.pool())
    .await
    .unwrap();
}

async fn run_row(db: &TestDb, project: i64, created_at: i64, done_posts: &[(&str, i64)]) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO runs (project_id, status, settings_json, created_at, finished_at, elapsed_ms)
         VALUES (?, 'finished', '{\"model\":\"gemini-2.5-flash\"}', ?, ?, 4200) RETURNING id",
    )
    .bind(project)
    .bind(created_at)
    .bind(created_at + 60)
    .fetch_one(db.store.pool())
    .await
    .unwrap();
    for (tweet, finished) in done_posts {
        sqlx::query(
            "INSERT INTO run_items (run_id, tweet_id, state, attempts, finished_at) VALUES (?, ?, 'done', 1, ?)",
        )
        .bind(id)
        .bind(tweet)
        .bind(finished)
        .execute(db.store.pool())
        .await
        .unwrap();
    }
    id
}

fn day_of(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap()
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d")
        .to_string()
}

#[tokio::test]
async fn cost_series_overview_per_run_and_per_post() {
    let db = db().await;
    let a = project(&db, "Acme").await;
    let b = project(&db, "Beta").await;
    // Three posts to point run items at.
    let file = write(
        &db,
        "posts.json",
        serde_json::to_string(&[
            apify(11, "one", "x1", 10, 1, 10),
            apify(12, "two", "x2", 10, 1, 10),
            apify(13, "three", "x3", 10, 1, 10),
        ])
        .unwrap()
        .as_bytes(),
    );
    import::import_file(&db.store, a.id, &file, NOW)
        .await
        .unwrap();
    let day1 = spend::month_start(NOW).unwrap() + 12 * 3600; // noon on the 1st
    let day2 = day1 + 86_400;
    let r1 = run_row(&db, a.id, day1, &[("11", day1 + 30), ("12", day1 + 40)]).await;
    let r2 = run_row(&db, b.id, day2, &[("13", day2 + 30)]).await;
    call(
        &db,
        Some(a.id),
        Some(r1),
        day1 + 10,
        "gemini-2.5-flash",
        3_000,
    )
    .await;
    call(
        &db,
        Some(a.id),
        Some(r1),
        day1 + 20,
        "gemini-2.5-flash",
        1_000,
    )
    .await;
    call(&db, Some(a.id), None, day1 + 25, "gemini-2.5-pro", 500).await;
    call(
        &db,
        Some(b.id),
        Some(r2),
        day2 + 10,
        "gemini-2.5-flash",
        7_000,
    )
    .await;
    call(&db, None, None, day2 + 20, "gemini-2.5-flash-lite", 9).await;

    let all = SpendRange::default();
    let by_model = spend::by_day(&db.store, &all, StackBy::Model)
        .await
        .unwrap();
    let rows: Vec<(String, String, i64, i64)> = by_model
        .iter()
        .map(|d| (d.day.clone(), d.group.clone(), d.calls, d.cost_picos))
        .collect();
    assert_eq!(
        rows,
        vec![
            (day_of(day1), "gemini-2.5-flash".into(), 2, 4_000),
            (day_of(day1), "gemini-2.5-pro".into(), 1, 500),
            (day_of(day2), "gemini-2.5-flash".into(), 1, 7_000),
            (day_of(day2), "gemini-2.5-flash-lite".into(), 1, 9),
        ]
    );
    let by_project = spend::by_day(&db.store, &all, StackBy::Project)
        .await
        .unwrap();
    let groups: Vec<(&str, i64)> = by_project
        .iter()
        .map(|d| (d.group.as_str(), d.cost_picos))
        .collect();
    assert_eq!(
        groups,
        vec![("Acme", 4_500), ("Beta", 7_000), ("(no project)", 9)]
    );

    // A date range of one local day, and a project.
    let first_day =
        SpendRange::from_local_dates(None, Some(&day_of(day1)), Some(&day_of(day1))).unwrap();
    let one_day = spend::by_day(&db.store, &first_day, StackBy::Model)
        .await
        .unwrap();
    assert!(one_day.iter().all(|d| d.day == day_of(day1)));
    let beta = SpendRange {
        project_id: Some(b.id),
        ..SpendRange::default()
    };
    assert_eq!(
        spend::by_day(&db.store, &beta, StackBy::Model)
            .await
            .unwrap()
            .iter()
            .map(|d| d.cost_picos)
            .sum::<i64>(),
        7_000
    );

    // Month to date (both days are in NOW's month), the range, posts answered, average.
    let o = spend::overview(&db.store, &all, NOW).await.unwrap();
    assert_eq!(o.month_to_date_picos, 11_509);
    assert_eq!(o.range_total_picos, 11_509);
    assert_eq!(o.range_calls, 5);
    assert_eq!(o.range_posts_answered, 3);
    assert_eq!(o.avg_picos_per_post, Some(11_509 / 3));
    let next_month = spend::month_start(NOW).unwrap() + 40 * 86_400;
    assert_eq!(
        spend::overview(&db.store, &all, next_month)
            .await
            .unwrap()
            .month_to_date_picos,
        0
    );

    // Per run: newest first, with the average per succeeded post.
    let runs = spend::per_run(&db.store, &all).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].run_id, r2);
    assert_eq!(runs[0].project, "Beta");
    assert_eq!(runs[0].cost_picos, 7_000);
    assert_eq!(runs[1].cost_picos, 4_000);
    assert_eq!(runs[1].succeeded, 2);
    assert_eq!(runs[1].avg_picos_per_post, Some(2_000));
    assert_eq!(runs[1].model, "gemini-2.5-flash");
    assert!((runs[1].elapsed_s - 4.2).abs() < 1e-9);

    // Per post per day: only run generation calls count.
    let avg = spend::average_per_post(&db.store, &all).await.unwrap();
    assert_eq!(avg.len(), 2);
    assert_eq!((avg[0].posts, avg[0].cost_picos), (2, 4_000));
    assert_eq!(avg[0].avg_picos_per_post, Some(2_000));
    assert_eq!((avg[1].posts, avg[1].cost_picos), (1, 7_000));
}

#[tokio::test]
async fn costs_csv_is_exact_and_spreadsheet_safe() {
    let db = db().await;
    let p = project(&db, "=HYPERLINK(\"evil\")").await;
    let day = spend::month_start(NOW).unwrap() + 12 * 3600;
    let run = run_row(&db, p.id, day, &[]).await;
    call(
        &db,
        Some(p.id),
        Some(run),
        day,
        "gemini-2.5-flash",
        34_100_000_000,
    )
    .await;
    call(&db, Some(p.id), Some(run), day + 5, "gemini-2.5-flash", 1).await;
    call(
        &db,
        None,
        None,
        day + 86_400,
        "gemini-2.5-pro",
        2_000_000_000_000,
    )
    .await;
    let out = db.dir.path().join("costs.csv");
    let report = spend::export_csv(&db.store, &SpendRange::default(), &out, false)
        .await
        .unwrap();
    assert_eq!(report.rows, 2);
    assert_eq!(report.total_picos, 2_034_100_000_001);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, spend::CSV_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][0], day_of(day));
    assert_eq!(&rows[0][1], "'=HYPERLINK(\"evil\")");
    assert_eq!(&rows[0][4], run.to_string());
    assert_eq!(&rows[0][5], "2");
    assert_eq!(&rows[0][10], "0.034100000001");
    assert_eq!(&rows[0][11], "34100000001");
    assert_eq!(&rows[1][1], "");
    assert_eq!(&rows[1][10], "2.00");
    assert!(text.contains("\r\n"), "CRLF line ends");
    // The range applies to the file too.
    let first = SpendRange::from_local_dates(None, Some(&day_of(day)), Some(&day_of(day))).unwrap();
    let report = spend::export_csv(&db.store, &first, &out, true)
        .await
        .unwrap();
    assert_eq!(report.rows, 1);
    assert!(std::fs::read(&out).unwrap().starts_with(b"\xEF\xBB\xBF"));
}
