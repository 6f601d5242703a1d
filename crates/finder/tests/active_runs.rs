//! What a run in progress protects: its project cannot be deleted, and a second run started on
//! the same project (another window or command) does not take the posts it has queued.

mod common;

use std::sync::Arc;

use common::*;
use finder::limiter::{Limiter, Limits};
use finder::runner::{self, CancelToken, RunContext, RunSettings};
use finder::{projects, sample};

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn context(db: &TestDb) -> RunContext {
    let limits = Limits {
        rpm: 60,
        tpm: None,
        rpd: None,
    };
    RunContext {
        store: db.store.clone(),
        // Never called: these runs are created, not worked.
        client: Arc::new(
            gemini::Client::new(gemini::ClientConfig {
                base_url: "http://127.0.0.1:9".into(),
                api_key: gemini::ApiKey::new("unused-key-0000"),
                request_timeout: std::time::Duration::from_secs(1),
            })
            .unwrap(),
        ),
        limiter: Arc::new(Limiter::new(limits, 0, now, 1)),
        events: tokio::sync::mpsc::unbounded_channel().0,
        cancel: CancelToken::default(),
        wall_clock: now,
        seed: 1,
        batch: Default::default(),
    }
}

async fn queued(db: &TestDb, run_id: i64) -> Vec<String> {
    sqlx::query_scalar("SELECT tweet_id FROM run_items WHERE run_id = ? AND state = 'queued'")
        .bind(run_id)
        .fetch_all(db.store.pool())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_live_run_keeps_its_posts_and_its_project() {
    let db = db().await;
    let (project, _) = sample::load(&db.store, now()).await.unwrap();
    let mut settings = RunSettings::defaults(
        "gemini-2.5-flash",
        Limits {
            rpm: 60,
            tpm: None,
            rpd: None,
        },
    );
    settings.min_followers = 0;
    settings.hours_back = 48.0;
    let ctx = context(&db);
    let plan = runner::plan(&db.store, &project, &settings, now())
        .await
        .unwrap();
    assert!(plan.send.len() > 3, "the sample has posts to send");

    // Two runs planned at the same moment pick the same posts; the second gets none of them.
    let first = runner::create(&ctx, &project, &settings, None)
        .await
        .unwrap();
    let second = runner::create(&ctx, &project, &settings, None)
        .await
        .unwrap();
    runner::add_items(&db.store, first, &plan).await.unwrap();
    runner::add_items(&db.store, second, &plan).await.unwrap();
    let a = queued(&db, first).await;
    let b = queued(&db, second).await;
    assert_eq!(a.len(), plan.send.len());
    assert!(b.iter().all(|id| !a.contains(id)), "shared posts: {b:?}");

    // The project cannot be deleted while a run works on it.
    let e = projects::delete(&db.store, project.id, now())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "project_has_active_run");
    assert!(e.to_string().contains("run in progress"), "{e}");
    assert!(projects::get(&db.store, project.id).await.is_ok());

    // Once the runs stopped (or their process died: no heartbeat for minutes), it can.
    let later = now() + 3600;
    projects::delete(&db.store, project.id, later)
        .await
        .unwrap();
    assert!(projects::get(&db.store, project.id).await.is_err());
}
