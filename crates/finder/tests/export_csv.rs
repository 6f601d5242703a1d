mod common;

use common::*;
use finder::export::{export_csv, ExportOptions, Sort, Status, COLUMNS};
use finder::import::import_file;
use finder::posts::{self, PostFilter};
use finder::scoring::Label;
use serde_json::json;

async fn scored_project(db: &TestDb) -> finder::projects::Project {
    let p = project(db, "Exports").await;
    let mut items = vec![
        apify(
            1,
            "=HYPERLINK(\"http://evil.example\",\"click\") how do cold email sequences work?",
            "ana",
            9000,
            90,
            20,
        ),
        apify(
            2,
            "-5% reply rates this week on cold email, why?",
            "bo",
            9000,
            40,
            20,
        ),
        apify(
            3,
            "مرحبا — 你好 — emoji 🚀👩‍👩‍👧 and a\nnewline, \"quotes\", commas",
            "cy",
            9000,
            10,
            20,
        ),
        apify(
            4,
            "@everyone what is your Facebook ads CPM?",
            "di",
            9000,
            5,
            20,
        ),
        apify(5, "+1 on creatives over audiences", "ed", 100, 0, 400),
    ];
    items[4]["viewCount"] = json!(1_000_000);
    let path = write(db, "posts.json", &serde_json::to_vec(&items).unwrap());
    import_file(&db.store, p.id, &path, NOW).await.unwrap();
    posts::score_project(&db.store, &p, &PostFilter::default(), 0, NOW)
        .await
        .unwrap();
    p
}

fn read(path: &std::path::Path) -> Vec<csv::StringRecord> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        COLUMNS
    );
    reader.records().map(Result::unwrap).collect()
}

#[tokio::test]
async fn export_is_safe_in_spreadsheets_and_keeps_unicode() {
    let db = db().await;
    let p = scored_project(&db).await;
    let out = db.dir.path().join("out.csv");
    let report = export_csv(&db.store, &p, &ExportOptions::default(), &out)
        .await
        .unwrap();
    assert_eq!((report.rows, report.marked_exported), (5, 0));
    let rows = read(&out);
    let text_of = |id: &str| rows.iter().find(|r| &r[3] == id).unwrap()[8].to_string();
    assert!(text_of("1").starts_with("'=HYPERLINK"));
    assert!(text_of("2").starts_with("'-5%"));
    assert!(text_of("4").starts_with("'@everyone"));
    assert!(text_of("5").starts_with("'+1"));
    assert_eq!(
        text_of("3"),
        "مرحبا — 你好 — emoji 🚀👩‍👩‍👧 and a\nnewline, \"quotes\", commas"
    );
    // Ranks follow the score, and each row carries the score columns.
    assert_eq!(&rows[0][0], "1");
    let scores: Vec<f64> = rows.iter().map(|r| r[10].parse().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    assert_eq!(&rows[0][2], "Exports");
    assert!(rows[0][9].ends_with('Z'));
    let raw = std::fs::read(&out).unwrap();
    assert!(raw.windows(2).any(|w| w == b"\r\n"), "RFC 4180 line ends");
    assert!(!raw.starts_with(b"\xEF\xBB\xBF"));
}

#[tokio::test]
async fn exporting_changes_no_status_by_default() {
    let db = db().await;
    let p = scored_project(&db).await;
    for name in ["1.csv", "2.csv"] {
        let report = export_csv(
            &db.store,
            &p,
            &ExportOptions::default(),
            &db.dir.path().join(name),
        )
        .await
        .unwrap();
        assert_eq!((report.rows, report.marked_exported), (5, 0));
    }
    let pending: i64 = count(
        &db,
        "SELECT COUNT(*) FROM project_tweets WHERE status = 'pending'",
    )
    .await;
    assert_eq!(pending, 5, "the queue keeps every exported post");
}

#[tokio::test]
async fn exporting_pending_with_mark_exported_so_the_next_export_is_empty() {
    let db = db().await;
    let p = scored_project(&db).await;
    let mark = ExportOptions {
        mark_exported: true,
        ..ExportOptions::default()
    };
    let first = export_csv(&db.store, &p, &mark, &db.dir.path().join("1.csv"))
        .await
        .unwrap();
    assert_eq!((first.rows, first.marked_exported), (5, 5));
    let second = export_csv(&db.store, &p, &mark, &db.dir.path().join("2.csv"))
        .await
        .unwrap();
    assert_eq!((second.rows, second.marked_exported), (0, 0));
    let exported = ExportOptions {
        status: Some(Status::Exported),
        ..ExportOptions::default()
    };
    let again = export_csv(&db.store, &p, &exported, &db.dir.path().join("3.csv"))
        .await
        .unwrap();
    assert_eq!((again.rows, again.marked_exported), (5, 0));
    let posted: i64 = count(
        &db,
        "SELECT COUNT(*) FROM project_tweets WHERE status = 'exported'",
    )
    .await;
    assert_eq!(posted, 5);
}

#[tokio::test]
async fn limit_counts_posts_and_sort_orders_by_views_or_balance() {
    let db = db().await;
    let p = scored_project(&db).await;
    let out = db.dir.path().join("views.csv");
    let options = ExportOptions {
        sort: Sort::Views,
        limit: Some(2),
        status: None,
        bom: true,
        ..ExportOptions::default()
    };
    let report = export_csv(&db.store, &p, &options, &out).await.unwrap();
    assert_eq!(report.rows, 2);
    assert!(std::fs::read(&out).unwrap().starts_with(b"\xEF\xBB\xBF"));
    let bytes = std::fs::read(&out).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(&bytes[3..]);
    let first: csv::StringRecord = reader.records().next().unwrap().unwrap();
    assert_eq!(&first[3], "5", "the post with a million views comes first");
    assert_eq!(&first[1], "1000000.0000");
    let balanced = ExportOptions {
        sort: Sort::Balanced,
        status: None,
        ..ExportOptions::default()
    };
    let out = db.dir.path().join("balanced.csv");
    export_csv(&db.store, &p, &balanced, &out).await.unwrap();
    let rows = read(&out);
    let priorities: Vec<f64> = rows.iter().map(|r| r[1].parse().unwrap()).collect();
    assert!(priorities.windows(2).all(|w| w[0] >= w[1]));
    let greens = ExportOptions {
        labels: vec![Label::Green],
        status: None,
        ..ExportOptions::default()
    };
    let out = db.dir.path().join("green.csv");
    let r = export_csv(&db.store, &p, &greens, &out).await.unwrap();
    assert!(read(&out).iter().all(|row| &row[11] == "green"));
    assert!(r.rows < 5);
}

#[tokio::test]
async fn reply_drafts_fill_the_suggestion_columns() {
    let db = db().await;
    let p = scored_project(&db).await;
    let insert = |tweet: &'static str,
                  run: i64,
                  kind: &'static str,
                  rank: i64,
                  text: &'static str,
                  edited: Option<&'static str>,
                  review: &'static str,
                  rejected: Option<&'static str>| {
        let pool = db.store.pool().clone();
        let project_id = p.id;
        async move {
            sqlx::query("INSERT OR IGNORE INTO runs (id, project_id, status, settings_json, created_at) VALUES (?, ?, 'finished', '{}', 0)")
                .bind(run).bind(project_id).execute(&pool).await.unwrap();
            sqlx::query("INSERT INTO suggestions (project_id, tweet_id, run_id, reply_type, rank, text, edited_text, review, rejected_reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)")
                .bind(project_id).bind(tweet).bind(run).bind(kind).bind(rank).bind(text).bind(edited).bind(review).bind(rejected)
                .execute(&pool).await.unwrap();
        }
    };
    insert("1", 1, "add_value", 1, "old run text", None, "draft", None).await;
    insert(
        "1",
        2,
        "add_value",
        1,
        "Sequences decay because",
        None,
        "draft",
        None,
    )
    .await;
    insert(
        "1",
        2,
        "ask_question",
        2,
        "What did step 3 say?",
        Some("What did your third email say?"),
        "draft",
        None,
    )
    .await;
    insert(
        "1",
        2,
        "funny",
        3,
        "Great post!",
        None,
        "draft",
        Some("generic phrase"),
    )
    .await;
    insert(
        "1",
        2,
        "debate",
        4,
        "Hot take: fewer steps",
        None,
        "rejected",
        None,
    )
    .await;
    insert(
        "1",
        2,
        "relate",
        5,
        "=1+1 we saw the same",
        None,
        "approved",
        None,
    )
    .await;
    let out = db.dir.path().join("drafts.csv");
    export_csv(&db.store, &p, &ExportOptions::default(), &out)
        .await
        .unwrap();
    let rows = read(&out);
    let row = rows.iter().find(|r| &r[3] == "1").unwrap();
    assert_eq!(
        (&row[14], &row[15]),
        ("'=1+1 we saw the same", "relate"),
        "approved first, neutralised"
    );
    assert_eq!(
        (&row[16], &row[17]),
        ("Sequences decay because", "add_value")
    );
    assert_eq!(
        (&row[18], &row[19]),
        ("What did your third email say?", "ask_question"),
        "the edit wins"
    );
    assert_eq!(
        (&row[20], &row[21]),
        ("", ""),
        "rejected drafts are left out; the old run too"
    );
    let other = rows.iter().find(|r| &r[3] == "2").unwrap();
    assert_eq!(&other[14], "");
}

#[tokio::test]
async fn unwritable_destination_is_a_clear_error_and_marks_nothing() {
    let db = db().await;
    let p = scored_project(&db).await;
    let out = db.dir.path().join("no/such/folder/out.csv");
    let err = export_csv(&db.store, &p, &ExportOptions::default(), &out)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "file_unwritable");
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM project_tweets WHERE status = 'exported'"
        )
        .await,
        0
    );
}

/// Spreadsheets skip leading spaces and line breaks before looking for a formula, and some
/// read the full-width signs as formulas too.
#[tokio::test]
async fn hidden_and_full_width_formula_starts_are_neutralised_in_the_file() {
    let db = db().await;
    let p = project(&db, "Hidden").await;
    let texts = [
        " =HYPERLINK(\"http://evil.example\") cold email reply rates?",
        "\n+1 cold email reply rates",
        "\t-2 cold email reply rates",
        "\r\n@SUM(A1) cold email reply rates",
        "\u{FF1D}HYPERLINK(\"http://evil.example\") cold email reply rates",
        "\u{FF0B}1 cold email reply rates",
        "\u{FF0D}1 cold email reply rates",
        "\u{FF20}SUM(A1) cold email reply rates",
    ];
    let items: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| apify(100 + i as u64, t, "ana", 9000, 50, 20))
        .collect();
    let path = write(&db, "hidden.json", &serde_json::to_vec(&items).unwrap());
    import_file(&db.store, p.id, &path, NOW).await.unwrap();
    posts::score_project(&db.store, &p, &PostFilter::default(), 0, NOW)
        .await
        .unwrap();
    let out = db.dir.path().join("hidden.csv");
    let report = export_csv(&db.store, &p, &ExportOptions::default(), &out)
        .await
        .unwrap();
    assert_eq!(report.rows, texts.len());
    for row in read(&out) {
        assert!(row[8].starts_with('\''), "{:?}", &row[8]);
    }
}

/// The "open post" link is rebuilt from the post id and the handle: an export file's `url`
/// (or one stored by an older version) never reaches the CSV.
#[tokio::test]
async fn imported_urls_never_reach_the_export() {
    let db = db().await;
    let p = project(&db, "Links").await;
    let mut evil_js = apify(1, "how do cold email sequences work?", "ana", 9000, 90, 20);
    evil_js["url"] = json!("javascript:alert(document.cookie)");
    evil_js["twitterUrl"] = json!("javascript:alert(1)");
    let mut evil_host = apify(
        2,
        "cold email reply rates are down, why?",
        "bo",
        9000,
        40,
        20,
    );
    evil_host["url"] = json!("https://evil.example/bo/status/2");
    let mut bad_handle = apify(3, "cold email reply rates?", "x", 9000, 40, 20);
    bad_handle["author"]["userName"] = json!("evil.example/x");
    let path = write(
        &db,
        "links.json",
        &serde_json::to_vec(&[evil_js, evil_host, bad_handle]).unwrap(),
    );
    let report = import_file(&db.store, p.id, &path, NOW).await.unwrap();
    assert_eq!(report.added, 2);
    assert!(
        report.skipped[0].reason.contains("is not an X handle"),
        "{:?}",
        report.skipped
    );
    let stored: Vec<String> = sqlx::query_scalar("SELECT url FROM tweets ORDER BY id")
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    assert_eq!(
        stored,
        ["https://x.com/ana/status/1", "https://x.com/bo/status/2"]
    );
    // A database written by an older version may still hold an export's address.
    sqlx::query("UPDATE tweets SET url = 'javascript:alert(1)' WHERE id = '1'")
        .execute(db.store.pool())
        .await
        .unwrap();
    posts::score_project(&db.store, &p, &PostFilter::default(), 0, NOW)
        .await
        .unwrap();
    let out = db.dir.path().join("links.csv");
    export_csv(&db.store, &p, &ExportOptions::default(), &out)
        .await
        .unwrap();
    let rows = read(&out);
    let url_of = |id: &str| rows.iter().find(|r| &r[3] == id).unwrap()[4].to_string();
    assert_eq!(url_of("1"), "https://x.com/ana/status/1");
    assert_eq!(url_of("2"), "https://x.com/bo/status/2");
    let raw = std::fs::read_to_string(&out).unwrap();
    assert!(!raw.contains("javascript:") && !raw.contains("evil.example"));
}
