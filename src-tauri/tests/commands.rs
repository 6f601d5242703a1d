//! The app's command bodies on a real temporary database, without a window: the state opens
//! like the CLI's, projects and files round-trip, imports score, settings are stored the way
//! the CLI reads them, and runs against the fake Gemini server send typed events from start
//! to finish (with cancel, budget cap and resume).
//!
//! The tests that need the Gemini key use the real OS keychain under a throwaway service name;
//! like the keychain crate's tests they skip without a Secret Service unless `CI` or
//! `COMMENT_FINDER_REQUIRE_KEYCHAIN=1` is set (`make test` provides one).

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use comment_finder_app::dto::*;
use comment_finder_app::runs::{self, Emit, RunEvent};
use comment_finder_app::state::{AppPaths, AppState};
use fake_gemini::{FakeConfig, FakeGemini, FakeServer};
use keychain::{Keychain, KeychainError, Secret};

const KEY: &str = "app-test-fake-gemini-key-9b2c";

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

struct Env {
    state: AppState,
    dir: tempfile::TempDir,
}

async fn open() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let paths = AppPaths {
        db_path: dir.path().join("data/comment-finder.db"),
        log_dir: dir.path().join("logs"),
    };
    let mut state = AppState::open(paths, now()).await.unwrap();
    // Never the user's keychain entries.
    state.keychain = Keychain::with_service(unique_service("none"));
    Env { state, dir }
}

fn unique_service(test: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!(
        "app.commentfinder.apptest-{}-{nanos}-{test}",
        std::process::id()
    )
}

fn keychain_required() -> bool {
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && v != "false");
    ci || std::env::var("COMMENT_FINDER_REQUIRE_KEYCHAIN").is_ok_and(|v| v == "1")
}

/// Gives the state a throwaway keychain service, or `false` (after saying so) when there is
/// no Secret Service and none is required.
fn with_keychain(env: &mut Env, test: &str) -> bool {
    env.state.keychain = Keychain::with_service(unique_service(test));
    let problem = if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        Some("DBUS_SESSION_BUS_ADDRESS is not set".to_string())
    } else {
        match env.state.keychain.status(Secret::Gemini) {
            Err(KeychainError::Unavailable { message }) => Some(message),
            _ => None,
        }
    };
    match problem {
        None => true,
        Some(p) if keychain_required() => panic!("these tests need a Secret Service: {p}"),
        Some(p) => {
            eprintln!("skipping: no Secret Service ({p})");
            false
        }
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for secret in Secret::ALL {
            let _ = self.state.keychain.delete(secret);
        }
    }
}

async fn fake(latency_ms: u64) -> FakeServer {
    FakeGemini::start(FakeConfig {
        api_keys: vec![KEY.to_string()],
        latency: Duration::from_millis(latency_ms),
        ..FakeConfig::default()
    })
    .await
    .unwrap()
}

/// A fresh app state with its own keychain, talking to a fake Gemini server; `None` (skip)
/// when no Secret Service is reachable or a real key in the environment would win.
async fn with_fake_gemini(test: &str, latency_ms: u64) -> Option<(Env, FakeServer)> {
    let mut env = open().await;
    if !with_keychain(&mut env, test) || std::env::var_os("GEMINI_API_KEY").is_some() {
        return None;
    }
    let server = fake(latency_ms).await;
    env.state
        .set_gemini_base_url(Some(server.base_url()))
        .await
        .unwrap();
    Some((env, server))
}

/// An emitter that keeps every event, and a way to wait for the run's end.
fn collector() -> (Emit, Arc<Mutex<Vec<RunEvent>>>) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (
        Arc::new(move |e: RunEvent| sink.lock().unwrap().push(e)),
        events,
    )
}

async fn wait_for_end(events: &Arc<Mutex<Vec<RunEvent>>>, from: usize) -> RunEvent {
    for _ in 0..600 {
        if let Some(end) = events.lock().unwrap()[from..]
            .iter()
            .find(|e| matches!(e, RunEvent::Finished(_) | RunEvent::Failed { .. }))
        {
            return end.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the run did not end: {:?}", events.lock().unwrap());
}

async fn sample_id(state: &AppState) -> i64 {
    state.list_projects().await.unwrap()[0].id
}

async fn quick_settings(state: &AppState, project_id: i64) -> RunSettings {
    // A paid account: the free tier's embedding allowance (100 texts a minute, each text of a
    // batch counting) would make the first run's relevance check take a minute and a half.
    state
        .store
        .set_setting("tier", &serde_json::json!("tier1"))
        .await
        .unwrap();
    let mut s = state.default_run_settings(project_id).await.unwrap();
    s.hours_back = 48.0;
    s.min_followers = 0;
    s.limits = Limits {
        rpm: 60_000,
        tpm: None,
        rpd: None,
    };
    s
}

#[tokio::test]
async fn opens_like_the_cli_with_the_sample_scored() {
    let env = open().await;
    let projects = env.state.list_projects().await.unwrap();
    assert_eq!(projects.len(), 1);
    assert_eq!(projects[0].name, finder::sample::settings().name);
    let page = env
        .state
        .list_opportunities(OpportunityQuery {
            project_id: projects[0].id,
            labels: vec![],
            status: None,
            view: None,
            topic: None,
            run_id: None,
            search: String::new(),
            sort: SortKey::Score,
            with_drafts: false,
            offset: 0,
            limit: 20,
        })
        .await
        .unwrap();
    assert!(
        page.total > 100,
        "the sample shows in the queue: {}",
        page.total
    );
    assert_eq!(page.items.len(), 20);
    // The best post already has drafts: the sample's own, marked as such, with X reply links.
    let best = &page.items[0];
    assert!(!best.drafts.is_empty(), "{}", best.text);
    assert!(best
        .drafts
        .iter()
        .all(|d| d.sample && d.reply_url.contains(&best.tweet_id)));
    let info = env.state.app_info();
    assert!(info.database_path.ends_with("comment-finder.db"));
    // Reopening does not add the sample twice.
    let paths = env.state.paths.clone();
    env.state.store.clone().close().await;
    let again = AppState::open(paths, now()).await.unwrap();
    assert_eq!(again.list_projects().await.unwrap().len(), 1);
}

#[tokio::test]
async fn projects_and_project_files_round_trip() {
    let env = open().await;
    let mut settings = env.state.default_project_settings("Acme");
    settings.topics.push(Topic {
        label: "cold email".into(),
        description: "Outbound email".into(),
        examples: vec!["Reply rates doubled".into()],
    });
    let created = env.state.create_project(settings.clone()).await.unwrap();
    assert_eq!(created.settings.topics.len(), 1);
    let dup = env
        .state
        .create_project(settings.clone())
        .await
        .unwrap_err();
    assert_eq!(dup.code, "project_exists");

    assert_eq!(
        env.state.project_settings_problems(settings.clone()),
        vec![]
    );
    settings.thresholds.yellow = 0.9; // above green: refused with the engine's message
    let problems = env.state.project_settings_problems(settings.clone());
    assert_eq!(
        problems
            .iter()
            .map(|p| p.field.as_str())
            .collect::<Vec<_>>(),
        vec!["thresholds"]
    );
    let bad = env
        .state
        .update_project(created.id, settings)
        .await
        .unwrap_err();
    assert_eq!(bad.code, "invalid_project");

    // Only files picked in the file window, or in the app's own folders.
    let elsewhere = env.dir.path().join("acme.toml");
    let refused = env
        .state
        .export_project_file(created.id, elsewhere.to_str().unwrap())
        .await
        .unwrap_err();
    assert_eq!(refused.code, "path_not_allowed");
    assert!(!elsewhere.exists());
    env.state.grants.grant_write(&elsewhere);
    env.state
        .export_project_file(created.id, elsewhere.to_str().unwrap())
        .await
        .unwrap();
    assert_eq!(
        env.state
            .import_project_file(elsewhere.to_str().unwrap(), Some("Not picked".into()))
            .await
            .unwrap_err()
            .code,
        "path_not_allowed",
        "saved there is not picked to open"
    );
    let file = env.state.paths.data_dir().join("exports/acme.toml");
    env.state
        .export_project_file(created.id, file.to_str().unwrap())
        .await
        .unwrap();
    let copy = env
        .state
        .import_project_file(file.to_str().unwrap(), Some("Acme copy".into()))
        .await
        .unwrap();
    assert_eq!(copy.settings.name, "Acme copy");
    assert_eq!(copy.settings.topics, created.settings.topics);
    env.state.delete_project(copy.id).await.unwrap();
    assert_eq!(
        env.state.get_project(copy.id).await.unwrap_err().code,
        "project_not_found"
    );
    assert_eq!(
        env.state
            .import_project_file("  ", None)
            .await
            .unwrap_err()
            .code,
        "invalid_input"
    );
    // A project file is read with a cap: a huge file picked by mistake is one clear error.
    let huge = env.state.paths.data_dir().join("imports/huge.toml");
    std::fs::write(&huge, "# padding\n".repeat(200_000)).unwrap();
    let e = env
        .state
        .import_project_file(huge.to_str().unwrap(), Some("Huge".into()))
        .await
        .unwrap_err();
    assert_eq!(e.code, "file_too_large");
    assert!(e.message.contains("too large for a project file"), "{e:?}");
}

#[tokio::test]
async fn imports_from_picked_paths_only_and_scores() {
    let env = open().await;
    let project = env
        .state
        .create_project(env.state.default_project_settings("Imports"))
        .await
        .unwrap();
    // Dropped on the window or picked in the file window: granted, then streamed from disk.
    let picked = env.dir.path().join("posts.json");
    std::fs::write(&picked, finder::sample::POSTS_JSON).unwrap();
    let source = ImportSource::Path {
        path: picked.display().to_string(),
    };
    let refused = env
        .state
        .import_posts(project.id, source.clone())
        .await
        .unwrap_err();
    assert_eq!(refused.code, "path_not_allowed");
    env.state.grants.grant_read(&picked);
    let report = env.state.import_posts(project.id, source).await.unwrap();
    assert_eq!(report.format, "Apify JSON");
    assert!(report.added + report.updated > 150);
    assert_eq!(report.scored, report.added + report.updated);

    // The app's imports folder needs no dialog.
    let imports = env.state.paths.data_dir().join("imports");
    assert_eq!(
        env.state.app_info().imports_dir,
        imports.display().to_string()
    );
    for (name, text) in [("junk.json", "{\"hello\": 1}"), ("empty.json", "")] {
        let path = imports.join(name);
        std::fs::write(&path, text).unwrap();
        let err = env
            .state
            .import_posts(
                project.id,
                ImportSource::Path {
                    path: path.display().to_string(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(err.code, "not_a_tweet_export", "{name}");
    }
}

#[tokio::test]
async fn limits_are_stored_the_way_the_cli_reads_them() {
    let env = open().await;
    let s = env.state.limit_settings().await.unwrap();
    assert_eq!(s.tier, Tier::Free);
    // The free tier's allowance since Google's December 2025 cut (account_limits::PRESETS_AS_OF).
    assert_eq!(s.limits.rpm, 5, "free tier, gemini-2.5-flash");

    let s = env
        .state
        .set_limits(Tier::Tier1, "gemini-2.5-flash", None)
        .await
        .unwrap();
    assert_eq!(s.tier, Tier::Tier1);
    assert_eq!(s.limits.rpm, 1_000);
    assert_eq!(
        env.state.store.setting("tier").await.unwrap(),
        Some(serde_json::json!("tier1")),
        "the CLI's key and value"
    );

    let custom = Limits {
        rpm: 42,
        tpm: Some(1_000),
        rpd: None,
    };
    let s = env
        .state
        .set_limits(Tier::Custom, "gemini-2.5-flash", Some(custom))
        .await
        .unwrap();
    assert_eq!(
        (s.tier, s.limits, s.custom),
        (Tier::Custom, custom, Some(custom))
    );
    assert_eq!(
        env.state.store.setting("tier").await.unwrap(),
        Some(serde_json::json!("tier1")),
        "custom limits leave the CLI's tier alone"
    );
    let run = env
        .state
        .default_run_settings(sample_id(&env.state).await)
        .await
        .unwrap();
    assert_eq!(run.limits, custom);

    let zero = env
        .state
        .set_limits(Tier::Custom, "", Some(Limits { rpm: 0, ..custom }))
        .await
        .unwrap_err();
    assert_eq!(zero.code, "invalid_input");
    let s = env
        .state
        .set_monthly_budget(Some(5_000_000_000_000))
        .await
        .unwrap();
    assert_eq!(s.monthly_budget_picos, Some(5_000_000_000_000));
    assert!(env
        .state
        .set_gemini_base_url(Some("ftp://example.com".into()))
        .await
        .is_err());

    // Prices: a new price is in force at once; models list text models only.
    let row = env
        .state
        .set_price(PriceInput {
            model: "gemini-2.5-flash".into(),
            input_usd_per_mtok: "0.35".into(),
            output_usd_per_mtok: "2.75".into(),
            cached_usd_per_mtok: None,
        })
        .await
        .unwrap();
    assert_eq!(
        (row.input_usd_per_mtok.as_str(), row.source.as_str()),
        ("0.35", "edited")
    );
    let models = env.state.models().await.unwrap();
    assert!(models.contains(&"gemini-2.5-flash".to_string()));
    assert!(!models.iter().any(|m| m.contains("embedding")));
}

#[tokio::test]
async fn keys_are_checked_before_they_are_saved() {
    let Some((env, server)) = with_fake_gemini("keys", 0).await else {
        return;
    };
    let bad = env
        .state
        .set_key(SecretName::Gemini, "not-the-right-key-1234")
        .await
        .unwrap_err();
    assert_eq!(bad.code, "invalid_key");
    assert!(!bad.message.contains("not-the-right"), "no key in messages");
    assert!(
        !env.state.key_status(SecretName::Gemini).unwrap().set,
        "nothing saved"
    );

    let ok = env.state.set_key(SecretName::Gemini, KEY).await.unwrap();
    assert!(ok.set);
    assert_eq!(ok.last4.as_deref(), Some("…9b2c"));
    assert!(!env.state.check_saved_key().await.unwrap().models.is_empty());
    // Tokens for the sources are stored unchecked.
    assert!(
        env.state
            .set_key(SecretName::Apify, "apify_api_abcd")
            .await
            .unwrap()
            .set
    );
    let statuses = env.state.key_statuses().unwrap();
    assert_eq!(statuses.len(), 3);
    assert!(!statuses[2].set);
    assert!(!env.state.delete_key(SecretName::Apify).unwrap().set);

    // Another address (another port: another host to the key) holds the saved key back until
    // the user confirms it for that host; entering the key again also confirms it.
    let other = fake(0).await;
    let s = env
        .state
        .set_gemini_base_url(Some(other.base_url()))
        .await
        .unwrap();
    assert!(s.gemini_server_needs_confirmation, "{s:?}");
    assert_eq!(
        s.gemini_server_host,
        other.base_url().trim_start_matches("http://")
    );
    let refused = env.state.check_saved_key().await.unwrap_err();
    assert_eq!(refused.code, "server_not_confirmed");
    assert!(
        refused.message.contains(&s.gemini_server_host),
        "{refused:?}"
    );
    let s = env.state.confirm_gemini_server().await.unwrap();
    assert!(!s.gemini_server_needs_confirmation);
    assert!(env.state.check_saved_key().await.is_ok());
    env.state
        .set_gemini_base_url(Some(server.base_url()))
        .await
        .unwrap();
    assert!(env.state.check_saved_key().await.is_ok(), "still confirmed");
    for unsafe_address in [
        "http://localhost.evil.tld",
        "http://127.0.0.1@evil.tld",
        "http://evil.tld",
    ] {
        let e = env
            .state
            .set_gemini_base_url(Some(unsafe_address.into()))
            .await
            .unwrap_err();
        assert_eq!(e.code, "unsafe_server_address", "{unsafe_address}");
    }
    // A planted setting (written by another program) is refused, and Settings still opens.
    env.state
        .store
        .set_setting("gemini_base_url", &serde_json::json!("http://evil.tld"))
        .await
        .unwrap();
    assert_eq!(
        env.state.check_saved_key().await.unwrap_err().code,
        "unsafe_server_address"
    );
    let s = env.state.limit_settings().await.unwrap();
    assert!(s.gemini_server_problem.is_some(), "{s:?}");
    other.shutdown().await;
    server.shutdown().await;
}

#[tokio::test]
async fn a_run_streams_typed_events_and_lands_in_queue_and_costs() {
    let Some((env, server)) = with_fake_gemini("run", 20).await else {
        return;
    };
    let state = &env.state;
    let project = sample_id(state).await;
    let settings = quick_settings(state, project).await;

    // No key yet: one clear error, nothing started.
    let (emit, events) = collector();
    let err = state
        .start_run(emit.clone(), project, settings.clone(), None, now())
        .await
        .unwrap_err();
    assert_eq!(err.code, "key_missing");
    assert!(events.lock().unwrap().is_empty());

    state
        .keychain
        .set(Secret::Gemini, &gemini::ApiKey::new(KEY))
        .unwrap();
    // Saved outside the app: confirmed for the fake's address as Settings would ask.
    state.confirm_gemini_server().await.unwrap();
    let forecast = state
        .forecast_run(project, settings.clone(), None)
        .await
        .unwrap();
    assert!(forecast.posts > 0 && forecast.cost_picos > 0);
    // The window shows the engine's words and money text, never its own.
    assert_eq!(
        forecast.text.cost_text,
        finder::prices::format_usd(forecast.cost_picos)
    );
    assert!(forecast.text.headline.contains("will get reply drafts"));
    assert_eq!(forecast.text.over_budget, None);
    let capped = state
        .forecast_run(project, settings.clone(), Some(1))
        .await
        .unwrap();
    assert!(capped
        .text
        .over_budget
        .unwrap()
        .contains("above your budget"));
    let run_id = state
        .start_run(emit.clone(), project, settings.clone(), None, now())
        .await
        .unwrap();
    let end = wait_for_end(&events, 0).await;
    let RunEvent::Finished(summary) = end else {
        panic!("{end:?}")
    };
    assert_eq!(
        (summary.run_id, summary.status.as_str()),
        (run_id, "finished")
    );
    assert!(summary.succeeded > 0 && summary.failed == 0, "{summary:?}");
    assert!(summary.sentence.contains("succeeded, 0 failed"));
    let seen = events.lock().unwrap().clone();
    assert!(
        matches!(seen[0], RunEvent::Started { run_id: id, project_id, .. } if id == run_id && project_id == project)
    );
    let last_progress = seen
        .iter()
        .rev()
        .find_map(|e| match e {
            RunEvent::Progress(p) => Some(p.clone()),
            _ => None,
        })
        .expect("progress events");
    assert_eq!(last_progress.done as i64, summary.succeeded);
    // The events serialise as the UI's tagged union.
    let json = serde_json::to_value(&seen[0]).unwrap();
    assert_eq!(json["kind"], "started");
    assert_eq!(
        serde_json::to_value(seen.last().unwrap()).unwrap()["kind"],
        "finished"
    );
    for _ in 0..100 {
        if state.runs.active_ids().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(state.runs.active_ids().is_empty());
    assert_eq!(
        state.runs.cancel(run_id).unwrap_err().code,
        "run_not_active"
    );

    // The queue and the costs see the run.
    let page = state
        .list_opportunities(OpportunityQuery {
            project_id: project,
            labels: vec![],
            status: None,
            view: None,
            topic: None,
            run_id: Some(run_id),
            search: String::new(),
            sort: SortKey::Score,
            with_drafts: true,
            offset: 0,
            limit: 500,
        })
        .await
        .unwrap();
    assert_eq!(page.total, summary.succeeded);
    let draft = page.items[0].drafts[0].clone();
    let edited = state.edit_draft(draft.id, "Mine instead").await.unwrap();
    assert_eq!(
        (edited.text, edited.edited_text.as_deref()),
        (draft.text, Some("Mine instead"))
    );
    let change = state
        .set_post_status(
            project,
            vec![page.items[0].tweet_id.clone()],
            PostStatus::Posted,
        )
        .await
        .unwrap();
    assert_eq!(change.changed, 1);
    assert_eq!(change.previous[0].1, PostStatus::Pending);
    // Undo crosses IPC as the change itself and puts the post back.
    assert_eq!(state.undo_post_status(change.clone()).await.unwrap(), 1);
    state
        .set_post_status(
            project,
            vec![page.items[0].tweet_id.clone()],
            PostStatus::Posted,
        )
        .await
        .unwrap();
    // The reply link is the engine's, from the numeric post id.
    assert!(draft.reply_url.starts_with(&format!(
        "https://x.com/intent/post?in_reply_to={}&text=",
        page.items[0].tweet_id
    )));
    let all_time = CostQuery {
        since: None,
        until: None,
        project_id: None,
    };
    let overview = state.cost_overview(all_time.clone()).await.unwrap();
    assert!(overview.range_total_picos >= summary.cost_picos);
    assert_eq!(overview.range_posts_answered, summary.succeeded);
    let runs_cost = state.costs_per_run(all_time.clone()).await.unwrap();
    assert_eq!(runs_cost[0].cost_picos, summary.cost_picos);
    let days = state
        .costs_by_day(all_time.clone(), CostGroupBy::Model)
        .await
        .unwrap();
    assert!(days.iter().any(|d| d.group == "gemini-2.5-flash"));
    let csv = env.state.paths.data_dir().join("exports/costs.csv");
    let report = state
        .export_costs_csv(all_time, csv.to_str().unwrap())
        .await
        .unwrap();
    assert!(report.rows > 0 && csv.exists());
    let out = env.dir.path().join("opportunities.csv");
    env.state.grants.grant_write(&out);
    let exported = state
        .export_opportunities_csv(OpportunityExport {
            project_id: project,
            path: out.display().to_string(),
            labels: vec![],
            status: None,
            sort: ExportSort::Balanced,
            limit: Some(10),
            bom: true,
            mark_exported: false,
        })
        .await
        .unwrap();
    assert_eq!(exported.rows, 10);

    // Everything answered: the next run has nothing to do, and says so.
    let err = state
        .start_run(emit, project, settings, None, now())
        .await
        .unwrap_err();
    assert_eq!(err.code, "nothing_to_do");
    assert!(state.log_tail(10).is_ok());
    server.shutdown().await;
}

#[tokio::test]
async fn a_budget_cap_stops_the_run_and_resume_finishes_it() {
    let Some((env, server)) = with_fake_gemini("budget", 30).await else {
        return;
    };
    let state = &env.state;
    state
        .keychain
        .set(Secret::Gemini, &gemini::ApiKey::new(KEY))
        .unwrap();
    // Saved outside the app: confirmed for the fake's address as Settings would ask.
    state.confirm_gemini_server().await.unwrap();
    let project = sample_id(state).await;
    let mut settings = quick_settings(state, project).await;
    settings.batch_size = 1;
    settings.embeddings = false;
    let (emit, events) = collector();
    assert_eq!(
        state
            .start_run(emit.clone(), project, settings.clone(), Some(0), now())
            .await
            .unwrap_err()
            .code,
        "invalid_input"
    );
    let run_id = state
        .start_run(emit.clone(), project, settings, Some(1), now())
        .await
        .unwrap();
    let end = wait_for_end(&events, 0).await;
    let RunEvent::Finished(stopped) = end else {
        panic!("{end:?}")
    };
    // The run stops at the cap (resumable), it is not cancelled.
    assert_eq!(stopped.status, "budget_reached");
    assert!(events
        .lock()
        .unwrap()
        .iter()
        .any(|e| matches!(e, RunEvent::BudgetReached { run_id: id, .. } if *id == run_id)));
    // The user hears about it even with the window hidden.
    assert!(events
        .lock()
        .unwrap()
        .iter()
        .any(|e| runs::notification(e)
            .is_some_and(|(_, body)| body.starts_with("Budget reached: $"))));
    let listed = state.list_runs(Some(project)).await.unwrap();
    assert_eq!(listed[0].run_id, run_id);

    let from = events.lock().unwrap().len();
    // Resuming keeps the stored cap: it stops again at once.
    assert_eq!(
        state
            .resume_run(emit.clone(), run_id, None, None)
            .await
            .unwrap(),
        run_id
    );
    let RunEvent::Finished(again) = wait_for_end(&events, from).await else {
        panic!("no end")
    };
    assert_eq!(again.status, "budget_reached");
    // Raised to $10, it finishes.
    let from = events.lock().unwrap().len();
    assert_eq!(
        state
            .resume_run(emit, run_id, Some(10_000_000_000_000), None)
            .await
            .unwrap(),
        run_id
    );
    let end = wait_for_end(&events, from).await;
    let RunEvent::Finished(done) = end else {
        panic!("{end:?}")
    };
    assert_eq!(done.status, "finished");
    assert!(done.succeeded > stopped.succeeded);
    assert_eq!(
        state.run_summary(run_id).await.unwrap().succeeded,
        done.succeeded
    );
    server.shutdown().await;
}

#[tokio::test]
async fn topic_examples_are_suggested_by_gemini_and_billed() {
    let Some((env, server)) = with_fake_gemini("examples", 0).await else {
        return;
    };
    let state = &env.state;
    state
        .keychain
        .set(Secret::Gemini, &gemini::ApiKey::new(KEY))
        .unwrap();
    // Saved outside the app: confirmed for the fake's address as Settings would ask.
    state.confirm_gemini_server().await.unwrap();
    let project = sample_id(state).await;
    // A topic being written in the editor, not saved yet.
    let examples = state
        .suggest_topic_examples(
            project,
            "churn",
            "Why SaaS customers cancel: onboarding gaps, pricing, missing features",
        )
        .await
        .unwrap();
    assert!(!examples.is_empty());
    assert!(examples.iter().all(|e| !e.trim().is_empty()));
    let spent = state
        .cost_overview(CostQuery {
            since: None,
            until: None,
            project_id: Some(project),
        })
        .await
        .unwrap();
    assert_eq!(spent.range_calls, 1, "the call is in the cost ledger");
    assert_eq!(
        state
            .suggest_topic_examples(project, "  ", "")
            .await
            .unwrap_err()
            .code,
        "invalid_input"
    );
    server.shutdown().await;
}

#[tokio::test]
async fn a_half_price_run_reports_its_jobs_notifies_and_is_picked_up_after_a_restart() {
    std::env::set_var("COMMENT_FINDER_BATCH_POLL_MS", "40");
    let Some((env, server)) = with_fake_gemini("batch", 0).await else {
        return;
    };
    let state = &env.state;
    state
        .keychain
        .set(Secret::Gemini, &gemini::ApiKey::new(KEY))
        .unwrap();
    state.confirm_gemini_server().await.unwrap();
    let project = sample_id(state).await;
    let mut settings = quick_settings(state, project).await;
    settings.embeddings = false;
    settings.mode = comment_finder_app::dto::RunMode::Batch;
    let forecast = state
        .forecast_run(project, settings.clone(), None)
        .await
        .unwrap();
    assert!(
        forecast.batch_cost_picos > 0 && forecast.batch_cost_picos * 2 <= forecast.cost_picos + 4
    );

    let (emit, events) = collector();
    let run_id = state
        .start_run(emit.clone(), project, settings, None, now())
        .await
        .unwrap();
    // Once the job is at Google, the user stops the run: the job is cancelled there.
    for _ in 0..400 {
        if events.lock().unwrap().iter().any(
            |e| matches!(e, RunEvent::Batch { status, .. } if status.phase == BatchPhase::QueuedAtGoogle),
        ) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    state.runs.cancel(run_id).ok();
    let end = wait_for_end(&events, 0).await;
    let RunEvent::Finished(cancelled) = end else {
        panic!("{end:?}")
    };
    assert_eq!(cancelled.status, "cancelled");
    assert_eq!(cancelled.mode, comment_finder_app::dto::RunMode::Batch);

    // A second half-price run, left at Google when the app stops (its task is gone)…
    let mut again = quick_settings(state, project).await;
    again.embeddings = false;
    again.mode = comment_finder_app::dto::RunMode::Batch;
    let (access, _) = state.gemini_access().await.unwrap();
    let prepared = finder::engine::prepare(&state.store, Some(&access), project, again, now())
        .await
        .unwrap();
    let mut handle = finder::engine::start(&state.store, &access, prepared, now)
        .await
        .unwrap();
    while let Some(e) = handle.events.recv().await {
        if matches!(&e, finder::runner::RunEvent::Batch(s) if s.phase == finder::batch::BatchPhase::QueuedAtGoogle)
        {
            break;
        }
    }
    handle.task.abort();
    let _ = handle.task.await;
    let jobs_before = server.stats().batch_jobs;
    let (emit, events) = collector();
    // …is picked up when the window opens again, and its replies collected.
    let from = events.lock().unwrap().len();
    state.pick_up_batch_runs(emit.clone()).await;
    let end = wait_for_end(&events, from).await;
    let RunEvent::Finished(done) = end else {
        panic!("{end:?}")
    };
    assert_eq!(done.status, "finished", "{done:?}");
    assert_eq!(done.run_id, handle.run_id);
    assert_eq!(
        server.stats().batch_jobs,
        jobs_before,
        "the job was collected, not sent again"
    );
    assert!(done.sentence.contains("half price"));
    assert_eq!(done.batch.as_ref().map(|b| b.phase), Some(BatchPhase::Done));
    // The user hears about it even with the window hidden.
    assert!(runs::notification(&RunEvent::Finished(done.clone()))
        .is_some_and(|(title, _)| title.contains("Half-price")));
    let listed = state.list_runs(Some(project)).await.unwrap();
    assert!(listed[0].batch.is_some());
    server.shutdown().await;
}
