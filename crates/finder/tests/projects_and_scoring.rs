mod common;

use common::*;
use finder::import::import_file;
use finder::posts::{self, PostFilter};
use finder::project::ProjectSettings;
use finder::{projects, sample};

#[tokio::test]
async fn project_round_trips_through_the_store_and_its_file() {
    let db = db().await;
    let mut settings = settings("Acme growth");
    settings.voice.rules = vec!["no hype".into(), "max one question".into()];
    settings.sources.favour_authors = vec!["@Friend".into()];
    let created = projects::create(&db.store, &settings, NOW).await.unwrap();
    let loaded = projects::get_by_name(&db.store, "acme GROWTH")
        .await
        .unwrap();
    assert_eq!(loaded.settings, created.settings);
    assert_eq!(loaded.settings.sources.favour_authors, vec!["friend"]);

    // Export the file, create a second project from it: same settings but the name.
    let file = loaded.settings.to_toml();
    let copy = ProjectSettings::from_file_text(&file, "acme.toml", "Acme copy").unwrap();
    let second = projects::create(&db.store, &copy, NOW).await.unwrap();
    let mut expected = loaded.settings.clone();
    expected.name = "Acme copy".into();
    assert_eq!(second.settings, expected);

    let err = projects::create(&db.store, &settings, NOW)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "project_exists");
    let list = projects::list(&db.store).await.unwrap();
    assert_eq!(
        list.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["Acme copy", "Acme growth"]
    );
    assert_eq!(list[1].topics, 2);

    let mut changed = loaded.settings.clone();
    changed.topics.pop();
    changed.thresholds.green = 0.8;
    projects::update(&db.store, loaded.id, &changed, NOW + 5)
        .await
        .unwrap();
    let reloaded = projects::get(&db.store, loaded.id).await.unwrap();
    assert_eq!(reloaded.settings.topics.len(), 1);
    assert_eq!(reloaded.settings.thresholds.green, 0.8);
    assert_eq!(
        projects::get_by_name(&db.store, "nope")
            .await
            .unwrap_err()
            .code(),
        "project_not_found"
    );
}

#[tokio::test]
async fn bundled_sample_loads_fresh_and_scores_with_every_gate_reason() {
    let db = db().await;
    let now = NOW + 86_400 * 30; // a month after the sample was written
    let (project, report) = sample::load(&db.store, now).await.unwrap();
    assert!(report.added >= 190, "{report:?}");
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    let newest: i64 = sqlx::query_scalar("SELECT MAX(posted_at) FROM tweets")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert!(now - newest < 3600, "sample posts are re-dated to now");

    let fresh = PostFilter {
        posted_since: Some(now - 6 * 3600),
        ..PostFilter::default()
    };
    let scored = posts::score_project(&db.store, &project, &fresh, 5, now)
        .await
        .unwrap();
    assert!(
        scored.scored > 100 && scored.scored < report.added as usize,
        "{}",
        scored.scored
    );
    let all = posts::score_project(&db.store, &project, &PostFilter::default(), 5, now)
        .await
        .unwrap();
    let reasons: Vec<&String> = all.held_back.keys().collect();
    for expected in [
        "a repost",
        "limits who can reply",
        "another language",
        "an author you avoid",
        "\"giveaway\"",
        "mostly a link",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(expected)),
            "{expected} not in {reasons:?}"
        );
    }
    assert!(all.green > 0 && all.yellow > 0 && all.red > 0, "{all:?}");
    // "trump" is avoided, yet posts about a trumpet are not held back.
    let trumpets: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_tweets pt JOIN tweets t ON t.id = pt.tweet_id
         WHERE lower(t.text) LIKE '%trumpet%' AND pt.gate_reason IS NULL",
    )
    .fetch_one(db.store.pool())
    .await
    .unwrap();
    assert!(trumpets >= 1);
    // Reloading the sample adds nothing twice.
    let (_, again) = sample::load(&db.store, now).await.unwrap();
    assert_eq!(again.added, 0);
}

#[tokio::test]
async fn filters_apply_before_the_limit() {
    // The predecessor took the newest N posts first and filtered followers after, so a
    // burst of small accounts hid every post worth answering.
    let db = db().await;
    let p = project(&db, "p").await;
    let mut items = Vec::new();
    for i in 0..20 {
        items.push(apify(
            100 + i,
            "tiny account post",
            &format!("small{i}"),
            50,
            1,
            1 + i as i64,
        ));
    }
    for i in 0..3 {
        items.push(apify(
            200 + i,
            "big account post",
            &format!("big{i}"),
            50_000,
            30,
            60 + i as i64,
        ));
    }
    let path = write(&db, "a.json", &serde_json::to_vec(&items).unwrap());
    import_file(&db.store, p.id, &path, NOW).await.unwrap();
    let filter = PostFilter {
        min_followers: 1000,
        limit: Some(2),
        ..PostFilter::default()
    };
    let chosen = posts::select(&db.store, p.id, &filter).await.unwrap();
    assert_eq!(
        chosen.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        ["200", "201"]
    );
    let filter = PostFilter {
        posted_since: Some(NOW - 10 * 60),
        min_likes: 1,
        ..PostFilter::default()
    };
    assert_eq!(
        posts::select(&db.store, p.id, &filter).await.unwrap().len(),
        10
    );
}

#[tokio::test]
async fn scores_are_stored_with_why_and_gate_reason() {
    let db = db().await;
    let p = project(&db, "p").await;
    let items = vec![
        apify(
            1,
            "Why do cold email reply rates drop after the third email in a sequence?",
            "ana",
            8000,
            120,
            30,
        ),
        apify(
            2,
            "Enter our giveaway to win a free audit",
            "bo",
            8000,
            120,
            30,
        ),
        apify(3, "Nice weather today", "cy", 8000, 0, 30),
    ];
    import_file(
        &db.store,
        p.id,
        &write(&db, "a.json", &serde_json::to_vec(&items).unwrap()),
        NOW,
    )
    .await
    .unwrap();
    let report = posts::score_project(&db.store, &p, &PostFilter::default(), 10, NOW)
        .await
        .unwrap();
    assert_eq!(report.top[0].id, "1");
    assert_eq!(report.top[0].topic.as_deref(), Some("cold email"));
    type StoredScore = (String, Option<String>, Option<String>, f64, String);
    let rows: Vec<StoredScore> = sqlx::query_as(
        "SELECT tweet_id, gate_reason, why, score_total, relevance_method FROM project_tweets ORDER BY tweet_id",
    )
    .fetch_all(db.store.pool())
    .await
    .unwrap();
    assert!(rows[0].1.is_none());
    assert!(rows[0].2.as_deref().unwrap().contains("asks a question"));
    assert!(rows[1].1.as_deref().unwrap().contains("giveaway"));
    assert!(rows[2].3 < rows[0].3);
    assert!(rows[2]
        .2
        .as_deref()
        .unwrap()
        .starts_with("no likes or replies yet"));
    assert_eq!(rows[0].4, "lexical");
}

#[tokio::test]
async fn the_sample_ships_with_good_sample_drafts_that_open_x_reply_links() {
    let db = db().await;
    let now = NOW + 86_400 * 3;
    let (project, _) = sample::load(&db.store, now).await.unwrap();
    posts::score_project(&db.store, &project, &PostFilter::default(), 0, now)
        .await
        .unwrap();
    let bundled = sample::drafts();
    assert!(bundled.len() >= 20, "{}", bundled.len());
    // Every bundled draft is for a sample post and passes the same check as the AI's drafts.
    for d in &bundled {
        let text: String = sqlx::query_scalar("SELECT text FROM tweets WHERE id = ?")
            .bind(&d.tweet_id)
            .fetch_one(db.store.pool())
            .await
            .unwrap_or_else(|_| panic!("{} is not a sample post", d.tweet_id));
        replies::check_draft(&d.text, &text)
            .unwrap_or_else(|r| panic!("{:?} fails the quality check: {r:?}", d.text));
    }
    let page = finder::review::list(
        &db.store,
        &finder::review::OpportunityQuery {
            project_id: project.id,
            with_drafts: true,
            limit: 1000,
            ..Default::default()
        },
        now,
    )
    .await
    .unwrap();
    // Every green post has drafts on first start, all marked as samples, none from a run.
    let greens: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM project_tweets WHERE project_id = ? AND label = 'green' AND gate_reason IS NULL",
    )
    .bind(project.id)
    .fetch_one(db.store.pool())
    .await
    .unwrap();
    let green_with_drafts = page
        .items
        .iter()
        .filter(|o| o.label == finder::scoring::Label::Green)
        .count() as i64;
    assert_eq!(green_with_drafts, greens);
    for o in &page.items {
        for d in &o.drafts {
            assert!(d.sample && d.run_id.is_none());
            assert!(
                d.reply_url.starts_with(&format!(
                    "https://x.com/intent/post?in_reply_to={}&text=",
                    o.tweet_id
                )),
                "{}",
                d.reply_url
            );
        }
    }
    // Not billed: nothing in the cost ledger. Loading again adds no copies.
    let ledger: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_calls")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(ledger, 0);
    sample::load(&db.store, now).await.unwrap();
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM suggestions WHERE sample = 1")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(stored, bundled.len() as i64);
    // Sample drafts do not count as answered: a run still plans those posts.
    let mut settings = finder::runner::RunSettings::defaults(
        "gemini-2.5-flash",
        finder::limiter::Limits {
            rpm: 60,
            tpm: None,
            rpd: None,
        },
    );
    settings.min_followers = 0;
    settings.hours_back = 48.0;
    settings.embeddings = false;
    let plan = finder::runner::plan(&db.store, &project, &settings, now)
        .await
        .unwrap();
    assert!(plan.deduped.is_empty(), "{:?}", plan.deduped);
    assert!(plan
        .send
        .iter()
        .any(|p| bundled.iter().any(|d| d.tweet_id == p.id)));
}
