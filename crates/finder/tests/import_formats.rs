mod common;

use common::*;
use finder::import::{import_file, Format};
use finder::FinderError;
use serde_json::json;

fn array(items: &[serde_json::Value]) -> Vec<u8> {
    serde_json::to_vec(items).unwrap()
}

#[tokio::test]
async fn apify_json_array_imports_every_field() {
    let db = db().await;
    let p = project(&db, "p").await;
    let mut item = apify(
        1861234567890123456,
        "How do you warm up a new inbox?",
        "ana",
        5300,
        12,
        30,
    );
    item["isConversationControlled"] = json!(true);
    item["quoteCount"] = json!(4);
    item["bookmarkCount"] = json!(7);
    let path = write(
        &db,
        "a.json",
        &array(&[item, apify(2, "second", "bo", 10, 0, 5)]),
    );
    let r = import_file(&db.store, p.id, &path, NOW).await.unwrap();
    assert_eq!(
        (r.format, r.added, r.updated, r.skipped.len()),
        (Format::ApifyJson, 2, 0, 0)
    );
    let row: (String, i64, i64, i64, i64, bool, String) = sqlx::query_as(
        "SELECT lang, quotes, bookmarks, views, posted_at, reply_restricted, source FROM tweets WHERE id = '1861234567890123456'",
    )
    .fetch_one(db.store.pool())
    .await
    .unwrap();
    assert_eq!(
        row,
        ("en".into(), 4, 7, 480, NOW - 1800, true, "apify".into())
    );
    assert_eq!(
        count(&db, "SELECT followers FROM authors WHERE handle = 'ANA'").await,
        5300
    );
}

#[tokio::test]
async fn jsonl_csv_and_x_api_files_import() {
    let db = db().await;
    let p = project(&db, "p").await;
    let jsonl = format!(
        "{}\n{}\n",
        apify(10, "first", "a", 100, 1, 1),
        apify(11, "second", "b", 100, 1, 1)
    );
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "a.jsonl", jsonl.as_bytes()),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!((r.format, r.added), (Format::Jsonl, 2));

    let csv = "id,text,createdAt,likeCount,replyCount,viewCount,lang,isConversationControlled,author/userName,author/followers,author/isBlueVerified,entities/urls/0/url\n\
               20,\"Line one\nline two, with a comma and \"\"quotes\"\" 🚀\",Fri Nov 28 11:00:00 +0000 2026,15,2,900,en,false,carla,\"12,400\",true,\n\
               21,Plain row,2026-11-28T10:00:00Z,,,,en,TRUE,dan,50,false,\n";
    let r = import_file(&db.store, p.id, &write(&db, "a.csv", csv.as_bytes()), NOW)
        .await
        .unwrap();
    assert_eq!(
        (r.format, r.added, r.skipped.len()),
        (Format::ApifyCsv, 2, 0),
        "{:?}",
        r.skipped
    );
    let text: String = sqlx::query_scalar("SELECT text FROM tweets WHERE id = '20'")
        .fetch_one(db.store.pool())
        .await
        .unwrap();
    assert_eq!(text, "Line one\nline two, with a comma and \"quotes\" 🚀");
    assert_eq!(
        count(&db, "SELECT followers FROM authors WHERE handle = 'carla'").await,
        12400
    );
    assert_eq!(
        count(&db, "SELECT reply_restricted FROM tweets WHERE id = '21'").await,
        1
    );

    let x = json!({
        "data": [{"id": "30", "text": "From the API", "author_id": "7", "created_at": "2026-11-28T11:00:00.000Z",
                  "lang": "en", "reply_settings": "everyone",
                  "referenced_tweets": [{"type": "retweeted", "id": "1"}],
                  "public_metrics": {"like_count": 3, "reply_count": 0, "retweet_count": 0, "quote_count": 0,
                                     "bookmark_count": 0, "impression_count": 44}}],
        "includes": {"users": [{"id": "7", "username": "eve", "name": "Eve", "verified": true,
                                "public_metrics": {"followers_count": 777}}]},
        "meta": {"result_count": 1}
    });
    let pretty = serde_json::to_vec_pretty(&x).unwrap();
    let r = import_file(&db.store, p.id, &write(&db, "x.json", &pretty), NOW)
        .await
        .unwrap();
    assert_eq!((r.format, r.added), (Format::XApiJson, 1));
    assert_eq!(
        count(&db, "SELECT is_retweet FROM tweets WHERE id = '30'").await,
        1
    );
    assert_eq!(
        count(&db, "SELECT views FROM tweets WHERE id = '30'").await,
        44
    );
    // A minified single-line X API page is read too.
    let mut x2 = x.clone();
    x2["data"][0]["id"] = json!("31");
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "x2.json", &serde_json::to_vec(&x2).unwrap()),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!((r.format, r.added), (Format::XApiJson, 1));
}

#[tokio::test]
async fn reimport_updates_metrics_without_rolling_back() {
    let db = db().await;
    let p = project(&db, "p").await;
    let path = write(
        &db,
        "a.json",
        &array(&[apify(1, "hello", "ana", 1000, 50, 10)]),
    );
    import_file(&db.store, p.id, &path, NOW).await.unwrap();
    let newer = write(
        &db,
        "b.json",
        &array(&[
            apify(1, "hello", "ana", 1500, 80, 10),
            apify(2, "new", "ana", 1500, 1, 1),
        ]),
    );
    let r = import_file(&db.store, p.id, &newer, NOW + 60)
        .await
        .unwrap();
    assert_eq!((r.added, r.updated), (1, 1));
    assert_eq!(
        count(&db, "SELECT likes FROM tweets WHERE id = '1'").await,
        80
    );
    assert_eq!(
        count(&db, "SELECT followers FROM authors WHERE handle = 'ana'").await,
        1500
    );
    // An older export (fewer likes) does not undo the newer numbers.
    import_file(&db.store, p.id, &path, NOW + 120)
        .await
        .unwrap();
    assert_eq!(
        count(&db, "SELECT likes FROM tweets WHERE id = '1'").await,
        80
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tweets").await, 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM authors").await, 1);
}

#[tokio::test]
async fn junk_and_wrong_types_are_skipped_with_reasons_and_good_rows_kept() {
    let db = db().await;
    let p = project(&db, "p").await;
    let mut wrong_likes = apify(3, "bad likes", "c", 10, 0, 1);
    wrong_likes["likeCount"] = json!({"n": 1});
    let mut wrong_text = apify(4, "x", "c", 10, 0, 1);
    wrong_text["text"] = json!(["not", "text"]);
    let mut huge = apify(5, "x", "c", 10, 0, 1);
    huge["text"] = json!("word ".repeat(200_000)); // a 1 MB text
    let mut bad_time = apify(6, "x", "c", 10, 0, 1);
    bad_time["createdAt"] = json!("last tuesday");
    let items = vec![
        apify(1, "good one", "a", 10, 1, 1),
        json!({"noResults": true}),
        json!({"type": "mock_tweet", "id": "-1", "text": "demo"}),
        serde_json::Value::Null,
        wrong_likes,
        wrong_text,
        huge,
        bad_time,
        json!({"type": "tweet", "text": "no id", "author": {"userName": "z"}}),
        apify(2, "good two", "b", 10, 1, 1),
    ];
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "mixed.json", &array(&items)),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(r.added, 2);
    let reasons: Vec<String> = r
        .skipped
        .iter()
        .map(|s| format!("{}: {}", s.place, s.reason))
        .collect();
    assert_eq!(reasons.len(), 8, "{reasons:#?}");
    for expected in [
        "item 2: placeholder saying the search found nothing",
        "item 3: demo placeholder",
        "item 4: not a post but null",
        "item 5: likeCount should be a number",
        "item 6: text should be text",
        "item 7: its text is 1,000,000 characters long",
        "item 8: createdAt \"last tuesday\" is not a date",
        "item 9: has no id",
    ] {
        assert!(
            reasons.iter().any(|r| r.starts_with(expected)),
            "missing {expected:?} in {reasons:#?}"
        );
    }
    assert_eq!(
        r.skipped[3].id.as_deref(),
        Some("3"),
        "the id is reported when it was readable"
    );
}

#[tokio::test]
async fn truncated_file_keeps_the_complete_posts_and_says_so() {
    let db = db().await;
    let p = project(&db, "p").await;
    let full = array(&[
        apify(1, "one", "a", 1, 1, 1),
        apify(2, "two", "a", 1, 1, 1),
        apify(3, "three", "a", 1, 1, 1),
    ]);
    let cut = &full[..full.len() - 40];
    let r = import_file(&db.store, p.id, &write(&db, "cut.json", cut), NOW)
        .await
        .unwrap();
    assert_eq!(r.added, 2);
    assert!(
        r.stopped_early.as_deref().unwrap().contains("ends early"),
        "{:?}",
        r.stopped_early
    );
}

#[tokio::test]
async fn bom_prefixed_files_import() {
    let db = db().await;
    let p = project(&db, "p").await;
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(b"id,text,createdAt,author/userName\r\n1,hello,2026-11-28T10:00:00Z,ana\r\n");
    let r = import_file(&db.store, p.id, &write(&db, "bom.csv", &bytes), NOW)
        .await
        .unwrap();
    assert_eq!((r.format, r.added), (Format::ApifyCsv, 1));
}

#[tokio::test]
async fn files_that_are_not_exports_change_nothing() {
    let db = db().await;
    let p = project(&db, "p").await;
    import_file(
        &db.store,
        p.id,
        &write(&db, "ok.json", &array(&[apify(1, "keep me", "a", 1, 1, 1)])),
        NOW,
    )
    .await
    .unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.json", vec![], "empty"),
        (
            "photo.png",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01".to_vec(),
            "binary",
        ),
        (
            "notes.txt",
            b"Shopping list: eggs, milk".to_vec(),
            "not a tweet export",
        ),
        (
            "people.json",
            br#"[{"name": "Bo", "age": 3}, {"name": "Al"}]"#.to_vec(),
            "No posts could be imported",
        ),
        (
            "only-junk.json",
            br#"[{"noResults": true}]"#.to_vec(),
            "No posts could be imported",
        ),
        (
            "broken.json",
            b"{\n  \"data\": [ {\"id\": \"1\"\n".to_vec(),
            "not valid JSON",
        ),
    ];
    for (name, bytes, expected) in cases {
        let err = import_file(&db.store, p.id, &write(&db, name, &bytes), NOW)
            .await
            .unwrap_err();
        assert!(
            matches!(err, FinderError::NotATweetExport(_)),
            "{name}: {err:?}"
        );
        assert!(err.to_string().contains(expected), "{name}: {err}");
    }
    let missing = import_file(&db.store, p.id, &db.dir.path().join("nope.json"), NOW)
        .await
        .unwrap_err();
    assert_eq!(missing.code(), "file_unreadable");
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM tweets").await,
        1,
        "nothing else was stored"
    );
    assert_eq!(count(&db, "SELECT COUNT(*) FROM project_tweets").await, 1);
}

#[tokio::test]
async fn importing_into_a_missing_project_fails_cleanly() {
    let db = db().await;
    let path = write(&db, "a.json", &array(&[apify(1, "x", "a", 1, 1, 1)]));
    let err = import_file(&db.store, 999, &path, NOW).await.unwrap_err();
    assert_eq!(err.code(), "project_not_found");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tweets").await, 0);
}

#[tokio::test]
async fn large_files_stream_in_batches() {
    let db = db().await;
    let p = project(&db, "p").await;
    let items: Vec<_> = (0..2_345)
        .map(|i| apify(1000 + i, "batch post", &format!("u{}", i % 97), 10, 1, 1))
        .collect();
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "big.json", &array(&items)),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!((r.added, r.updated), (2_345, 0));
    assert_eq!(count(&db, "SELECT COUNT(*) FROM authors").await, 97);
}

#[tokio::test]
async fn pretty_printed_lists_and_objects_stream_item_by_item() {
    let db = db().await;
    let p = project(&db, "p").await;
    let items: Vec<_> = (0..300)
        .map(|i| apify(5000 + i, "pretty post", "ana", 10, 1, 1))
        .collect();
    let pretty = serde_json::to_vec_pretty(&items).unwrap();
    let r = import_file(&db.store, p.id, &write(&db, "pretty.json", &pretty), NOW)
        .await
        .unwrap();
    assert_eq!((r.format, r.added), (Format::ApifyJson, 300));
    // Apify items written one after another, each pretty-printed (no list around them).
    let mut concatenated = Vec::new();
    for item in &items[..3] {
        concatenated.extend(serde_json::to_vec_pretty(item).unwrap());
        concatenated.push(b'\n');
    }
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "objs.json", &concatenated),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!((r.added, r.updated), (0, 3));
}

/// One runaway item or line (a missing line break, a pasted blob) costs one skipped row with
/// a plain reason, never the memory of the whole thing or the rest of the file.
#[tokio::test]
async fn items_and_lines_over_a_megabyte_are_skipped_with_a_reason() {
    let db = db().await;
    let p = project(&db, "p").await;
    let mut big = apify(2, "x", "a", 1, 1, 1);
    big["entities"] = json!({"blob": "z".repeat(1_200_000)});
    let items = [
        apify(1, "one", "a", 1, 1, 1),
        big.clone(),
        apify(3, "three", "a", 1, 1, 1),
    ];
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "big.json", &array(&items)),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(r.added, 2);
    assert_eq!(r.skipped[0].place, "item 2");
    assert!(
        r.skipped[0]
            .reason
            .contains("larger than 1 MB, so it was skipped"),
        "{:?}",
        r.skipped
    );

    let jsonl = format!(
        "{}\n{}\n{}\n",
        apify(11, "one", "a", 1, 1, 1),
        big,
        apify(13, "three", "a", 1, 1, 1)
    );
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "big.jsonl", jsonl.as_bytes()),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!((r.format, r.added), (Format::Jsonl, 2));
    assert_eq!(
        format!("{}: {}", r.skipped[0].place, r.skipped[0].reason),
        "line 2: the line is longer than 1 MB and was skipped"
    );

    // A CSV with a quote that never closes would otherwise pull the rest of the file into
    // one cell.
    let mut csv = b"id,text,createdAt,author/userName\n21,hello,2026-11-28T10:00:00Z,ana\n22,\"oops,2026-11-28T10:00:00Z,ana\n".to_vec();
    csv.extend(std::iter::repeat_n(b'q', 2_000_000));
    let r = import_file(&db.store, p.id, &write(&db, "quote.csv", &csv), NOW)
        .await
        .unwrap();
    assert_eq!(r.added, 1);
    assert!(
        r.stopped_early
            .as_deref()
            .unwrap_or("")
            .contains("longer than 1 MB (a closing quote may be missing)"),
        "{:?}",
        r.stopped_early
    );
}

#[tokio::test]
async fn a_document_too_large_to_read_whole_is_refused_plainly() {
    let db = db().await;
    let p = project(&db, "p").await;
    // An X API page is read whole (its users come after its posts); real pages hold at most
    // 100 posts, so a 17 MB one is not a page.
    let page = json!({
        "data": [{"id": "5", "text": "x".repeat(17 * 1024 * 1024), "author_id": "1"}],
        "includes": {"users": [{"id": "1", "username": "u"}]}
    });
    let bytes = serde_json::to_vec_pretty(&page).unwrap();
    let err = import_file(&db.store, p.id, &write(&db, "page.json", &bytes), NOW)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "not_a_tweet_export");
    assert!(err.to_string().contains("larger than 16 MB"), "{err}");
    assert_eq!(count(&db, "SELECT COUNT(*) FROM tweets").await, 0);
}

#[tokio::test]
async fn a_file_over_the_size_cap_is_refused_before_reading() {
    let db = db().await;
    let p = project(&db, "p").await;
    let path = db.dir.path().join("huge.json");
    // Sparse: takes no disk space, and would take minutes to read.
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(finder::import::MAX_FILE_BYTES + 1).unwrap();
    let started = std::time::Instant::now();
    let err = import_file(&db.store, p.id, &path, NOW).await.unwrap_err();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    assert_eq!(err.code(), "not_a_tweet_export");
    assert!(
        err.to_string()
            .contains("imports files up to 5 GB at a time"),
        "{err}"
    );
}

/// A file of junk must not keep every reason in memory: the report lists the first 100 and
/// counts the rest.
#[tokio::test]
async fn skipped_rows_are_counted_but_only_the_first_hundred_kept() {
    let db = db().await;
    let p = project(&db, "p").await;
    let mut items: Vec<_> = (0..2_500).map(|_| json!({"noResults": true})).collect();
    items.push(apify(1, "the one post", "a", 1, 1, 1));
    let r = import_file(
        &db.store,
        p.id,
        &write(&db, "junk.json", &array(&items)),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(r.added, 1);
    assert_eq!(r.skipped_total, 2_500);
    assert_eq!(r.skipped_count(), 2_500);
    assert_eq!(r.skipped.len(), finder::import::MAX_SKIPPED_LISTED);
    assert_eq!(r.skipped[0].place, "item 1");
}
