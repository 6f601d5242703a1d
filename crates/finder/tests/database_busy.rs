//! Another program holding the database: plain words and a stable code, not SQLite's
//! "(code: 5) database is locked"; and a long import never starves another writer.

mod common;

use std::str::FromStr;
use std::time::{Duration, Instant};

use common::*;
use finder::import::import_file;
use finder::Store;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Connection, SqliteConnection};

async fn other_connection(path: &std::path::Path, busy: Duration) -> SqliteConnection {
    SqliteConnection::connect_with(
        &SqliteConnectOptions::from_str("sqlite://")
            .unwrap()
            .filename(path)
            .busy_timeout(busy),
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_held_lock_reads_as_database_busy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cf.db");
    let (store, _) = Store::open_with_busy_timeout(&path, Duration::from_millis(200))
        .await
        .unwrap();
    let p = projects_create(&store).await;
    let file = dir.path().join("a.json");
    std::fs::write(
        &file,
        serde_json::to_vec(&[apify(1, "hello", "ana", 10, 1, 1)]).unwrap(),
    )
    .unwrap();

    let mut holder = other_connection(&path, Duration::from_millis(0)).await;
    sqlx::query("BEGIN EXCLUSIVE")
        .execute(&mut holder)
        .await
        .unwrap();

    let err = store
        .set_setting("tier", &serde_json::json!("free"))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "database_busy", "{err:?}");
    assert_eq!(
        err.to_string(),
        "The database is busy — is Comment Finder open elsewhere? Close the other window or command, then try again."
    );
    let err = import_file(&store, p, &file, NOW).await.unwrap_err();
    assert_eq!(err.code(), "database_busy", "{err:?}");

    sqlx::query("COMMIT").execute(&mut holder).await.unwrap();
    let report = import_file(&store, p, &file, NOW).await.unwrap();
    assert_eq!(
        report.added, 1,
        "once the lock is gone the same import works"
    );
}

async fn projects_create(store: &Store) -> i64 {
    finder::projects::create(store, &settings("p"), NOW)
        .await
        .unwrap()
        .id
}

/// A run saves its drafts while an import runs: its short write transactions must get turns.
/// Before imports were committed in chunks, the import held the write lock from its first
/// post to its last, and this writer gave up after its busy timeout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_writer_never_fails_during_a_big_import() {
    let db = db().await;
    let p = project(&db, "p").await;
    let items: Vec<_> = (0..100_000)
        .map(|i| {
            apify(
                10_000 + i,
                "a post of ordinary length about cold email reply rates and how to fix them",
                &format!("u{}", i % 997),
                10,
                1,
                1,
            )
        })
        .collect();
    let file = write(&db, "big.json", &serde_json::to_vec(&items).unwrap());
    let path = db.dir.path().join("test.db");
    let writer_pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            SqliteConnectOptions::from_str("sqlite://")
                .unwrap()
                .filename(&path)
                .busy_timeout(Duration::from_secs(2)),
        )
        .await
        .unwrap();

    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let done = done.clone();
        tokio::spawn(async move {
            let (mut ok, mut failures, mut longest) = (0u32, Vec::new(), Duration::ZERO);
            let mut i = 0;
            while !done.load(std::sync::atomic::Ordering::SeqCst) {
                i += 1;
                let started = Instant::now();
                let result: Result<(), sqlx::Error> = async {
                    let mut conn = writer_pool.acquire().await?;
                    sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
                    sqlx::query(
                        "INSERT INTO settings (key, value_json) VALUES ('probe', ?)
                         ON CONFLICT(key) DO UPDATE SET value_json = excluded.value_json",
                    )
                    .bind(i.to_string())
                    .execute(&mut *conn)
                    .await?;
                    sqlx::query("COMMIT").execute(&mut *conn).await?;
                    Ok(())
                }
                .await;
                longest = longest.max(started.elapsed());
                match result {
                    Ok(()) => ok += 1,
                    Err(e) => failures.push(e.to_string()),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (ok, failures, longest)
        })
    };
    let started = Instant::now();
    let report = import_file(&db.store, p.id, &file, NOW).await.unwrap();
    let import_took = started.elapsed();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let (ok, failures, longest) = writer.await.unwrap();
    assert_eq!(report.added, 100_000);
    assert!(
        failures.is_empty(),
        "{} of {} writes failed during a {import_took:?} import: {:?}",
        failures.len(),
        ok as usize + failures.len(),
        failures.first()
    );
    assert!(ok > 0, "the writer got turns");
    assert!(
        longest < Duration::from_secs(2),
        "longest wait {longest:?} (import took {import_took:?})"
    );
}
