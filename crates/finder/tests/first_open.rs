//! Two processes (here: two threads with runtimes and connection pools of their own, as two
//! processes would have) opening the same database at the same instant: a new file is created
//! and migrated once, the sample project is added once, and two upgrades of an older file both
//! succeed with one whole backup copy.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Barrier};

use finder::{projects, sample, Store};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

const NOW: i64 = 1_795_867_200;

/// Opens `path` from `n` threads released together; each adds the sample project when its
/// open reports a new database (as the app and the CLI do). Returns how many did.
fn open_together(path: &Path, n: usize) -> usize {
    let barrier = Arc::new(Barrier::new(n));
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let barrier = barrier.clone();
            let path: PathBuf = path.to_path_buf();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    barrier.wait();
                    let (store, report) = Store::open(&path).await.expect("both opens succeed");
                    if report.created {
                        sample::load(&store, NOW)
                            .await
                            .expect("the sample is added once");
                    }
                    store.close().await;
                    report.created
                })
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .filter(|created| *created)
        .count()
}

#[test]
fn two_first_opens_at_once_both_succeed_and_add_the_sample_once() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..6 {
        let path = dir.path().join(format!("fresh-{round}/comment-finder.db"));
        assert_eq!(open_together(&path, 2), 1, "round {round}");
        let rt = tokio::runtime::Runtime::new().unwrap();
        let projects = rt.block_on(async {
            let (store, report) = Store::open(&path).await.unwrap();
            assert!(!report.created);
            projects::list(&store).await.unwrap()
        });
        assert_eq!(projects.len(), 1, "one sample project: {projects:?}");
    }
}

#[test]
fn two_upgrades_at_once_share_one_whole_backup() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..4 {
        let path = dir.path().join(format!("old-{round}.db"));
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            // An older database: a table of the user's, none of our migrations applied.
            let pool = SqlitePool::connect_with(
                SqliteConnectOptions::from_str("sqlite://")
                    .unwrap()
                    .filename(&path)
                    .create_if_missing(true),
            )
            .await
            .unwrap();
            sqlx::query("CREATE TABLE keepme (x TEXT)")
                .execute(&pool)
                .await
                .unwrap();
            sqlx::query("INSERT INTO keepme VALUES ('precious')")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
        assert_eq!(open_together(&path, 2), 0, "an old file is not new");
        let backup = path.with_extension("before-migration-0.db");
        let kept: String = rt.block_on(async {
            let pool = SqlitePool::connect_with(
                SqliteConnectOptions::from_str("sqlite://")
                    .unwrap()
                    .filename(&backup),
            )
            .await
            .unwrap();
            sqlx::query_scalar("SELECT x FROM keepme")
                .fetch_one(&pool)
                .await
                .unwrap()
        });
        assert_eq!(kept, "precious");
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| n.ends_with(".partial"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
}
