//! `run`, `runs`, `costs` and `prices` through the real binary, against the fake Gemini
//! server: a run killed with SIGKILL mid-way resumes with no loss and no duplicates.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use fake_gemini::{FakeConfig, FakeGemini, FakeServer};
use serde_json::Value;

const SAMPLE: &str = "Sample: B2B SaaS growth";

fn cf(db: &Path, server: &FakeServer, key: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_comment-finder"));
    c.arg("--db")
        .arg(db)
        .env("GEMINI_BASE_URL", server.base_url())
        .env("GEMINI_API_KEY", key)
        .env_remove("COMMENT_FINDER_DB")
        .stdin(Stdio::null());
    c
}

fn json_of(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

const RUN: [&str; 14] = [
    "--json",
    "run",
    "--project",
    SAMPLE,
    "--yes",
    "--min-followers",
    "0",
    "--hours-back",
    "48",
    "--rpm",
    "6000",
    // A paid account's embedding allowance (each embedded post counts as a request).
    "--embed-rpm",
    "3000",
    "--batch-size",
];

/// The `costs --by run` group of one run.
fn cost_of_run(db: &Path, server: &FakeServer, run: &str) -> Value {
    let costs = json_of(
        &cf(db, server, fake_gemini::DEFAULT_API_KEY)
            .args(["--json", "costs", "--by", "run"])
            .output()
            .unwrap(),
    );
    costs["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == run)
        .unwrap_or_else(|| panic!("no cost group for run {run}: {costs}"))
        .clone()
}

/// Starts a slow run (every label, two requests at a time) in a child process on a new
/// database, and returns once `done` posts are finished.
async fn run_in_background(
    db: &Path,
    server: &FakeServer,
    json: bool,
    done: i64,
) -> std::process::Child {
    let key = fake_gemini::DEFAULT_API_KEY;
    // Create the database first, so the poller below never races the run to create it.
    json_of(
        &cf(db, server, key)
            .args(["--json", "project", "list"])
            .output()
            .unwrap(),
    );
    let args = if json { &RUN[..] } else { &RUN[1..] };
    let mut child = cf(db, server, key)
        .args(args)
        .args(["2", "--all-labels"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never progressed"
        );
        let out = cf(db, server, key)
            .args(["--json", "runs", "show", "1"])
            .output()
            .unwrap();
        if out.status.success() {
            let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
            if summary["succeeded"].as_i64().unwrap_or(0) >= done {
                return child;
            }
        }
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "the run ended too early: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_killed_mid_way_resumes_without_loss_or_duplicates() {
    let server = FakeGemini::start(FakeConfig {
        latency: Duration::from_millis(100),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let key = fake_gemini::DEFAULT_API_KEY;
    // Some posts done, then pull the plug.
    let mut child = run_in_background(&db, &server, true, 3).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let killed = json_of(
        &cf(&db, &server, key)
            .args(["--json", "runs", "show", "1"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        killed["status"], "running",
        "a killed run is left as it was"
    );
    let done_before = killed["succeeded"].as_i64().unwrap();
    let to_send = killed["candidates"].as_i64().unwrap()
        - killed["gated_out"].as_i64().unwrap()
        - killed["deduped"].as_i64().unwrap();
    assert!(done_before < to_send, "killed mid-way: {killed}");

    let resumed = json_of(
        &cf(&db, &server, key)
            .args(["--json", "runs", "resume", "1"])
            .output()
            .unwrap(),
    );
    assert_eq!(resumed["status"], "finished", "{resumed}");
    assert_eq!(
        resumed["succeeded"].as_i64().unwrap(),
        to_send,
        "no post lost: {resumed}"
    );
    assert_eq!(resumed["failed"], 0);
    // Calls in flight at the kill were answered by the server but never recorded: at most the
    // batch size. Everything else the server saw is in the ledger exactly once.
    let served = server.stats().generate_requests as i64;
    let recorded = resumed["requests"].as_i64().unwrap();
    assert!(
        served - recorded <= 2 && served >= recorded,
        "served {served}, recorded {recorded}"
    );
    assert!(
        recorded < to_send + 2,
        "finished posts were not asked again: {recorded} requests for {to_send} posts"
    );
    // No reply stored twice: every post has at most one draft per type.
    let out = dir.path().join("all.csv");
    let export = json_of(
        &cf(&db, &server, key)
            .args([
                "--json",
                "export",
                "--project",
                SAMPLE,
                "--status",
                "all",
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap(),
    );
    assert!(export["rows"].as_i64().unwrap() >= to_send);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    for record in reader.records() {
        let r = record.unwrap();
        let types: Vec<&str> = [15, 17, 19, 21, 23]
            .iter()
            .map(|&i| &r[i])
            .filter(|t| !t.is_empty())
            .collect();
        let mut unique = types.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            types.len(),
            unique.len(),
            "a reply type repeated for post {}",
            &r[3]
        );
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn run_prints_one_summary_and_costs_add_up() {
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let key = fake_gemini::DEFAULT_API_KEY;
    let dry = json_of(
        &cf(&db, &server, key)
            .args(RUN)
            .args(["5", "--dry-run"])
            .output()
            .unwrap(),
    );
    assert!(dry["forecast"]["posts"].as_i64().unwrap() > 0);
    assert_eq!(
        server.stats().generate_requests,
        0,
        "a dry run spends nothing"
    );

    let summary = json_of(
        &cf(&db, &server, key)
            .args(RUN)
            .args(["5", "--per-request", "3"])
            .output()
            .unwrap(),
    );
    for field in [
        "run_id",
        "status",
        "candidates",
        "gated_out",
        "deduped",
        "succeeded",
        "failed",
        "suggestions",
        "requests",
        "retries",
        "input_tokens",
        "output_tokens",
        "thinking_tokens",
        "cost_usd",
        "elapsed_s",
    ] {
        assert!(
            summary.get(field).is_some(),
            "{field} missing from {summary}"
        );
    }
    assert_eq!(summary["status"], "finished");
    assert!(summary["succeeded"].as_i64().unwrap() > 0);

    let run_group = cost_of_run(&db, &server, "1");
    let run_cost = run_group["cost_usd"].as_f64().unwrap();
    assert!(
        (run_cost - summary["cost_usd"].as_f64().unwrap()).abs() < 1e-12,
        "{run_group} vs {summary}"
    );
    let by_model = json_of(
        &cf(&db, &server, key)
            .args(["--json", "costs", "--by", "model"])
            .output()
            .unwrap(),
    );
    let models: Vec<&str> = by_model["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert!(
        models.contains(&"gemini-2.5-flash") && models.contains(&"gemini-embedding-001"),
        "{models:?}"
    );
    let listed = json_of(
        &cf(&db, &server, key)
            .args(["--json", "runs", "list"])
            .output()
            .unwrap(),
    );
    assert_eq!(listed["runs"][0]["status"], "finished");

    // A new price applies from now on; the past keeps its cost.
    json_of(
        &cf(&db, &server, key)
            .args([
                "--json",
                "prices",
                "set",
                "gemini-2.5-flash",
                "--input",
                "1.00",
                "--output",
                "5",
            ])
            .output()
            .unwrap(),
    );
    let prices = json_of(
        &cf(&db, &server, key)
            .args(["--json", "prices", "list"])
            .output()
            .unwrap(),
    );
    let flash = prices["prices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["model"] == "gemini-2.5-flash")
        .unwrap();
    assert_eq!(flash["input_usd_per_mtok"], "1.00");
    let again_group = cost_of_run(&db, &server, "1");
    assert_eq!(again_group["cost_picos"], run_group["cost_picos"]);
    let bad = cf(&db, &server, key)
        .args(["prices", "set", "x", "--input", "cheap", "--output", "1"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is not a price in dollars"));
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bad_key_is_one_clear_error_and_no_run() {
    let server = FakeGemini::start(FakeConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let out = cf(&db, &server, "wrong-key")
        .args(&RUN[1..])
        .arg("5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Gemini API key is not valid"), "{stderr}");
    assert!(!stderr.contains("wrong-key"), "the key is never echoed");
    let runs = json_of(
        &cf(&db, &server, "wrong-key")
            .args(["--json", "runs", "list"])
            .output()
            .unwrap(),
    );
    assert_eq!(runs["runs"].as_array().unwrap().len(), 0);
    assert_eq!(server.stats().generate_requests, 0);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_stops_cleanly_and_says_how_to_resume() {
    let server = FakeGemini::start(FakeConfig {
        latency: Duration::from_millis(100),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let key = fake_gemini::DEFAULT_API_KEY;
    let child = run_in_background(&db, &server, false, 2).await;
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(interrupted.success());
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("Stopping: no new requests"), "{stderr}");
    assert!(
        stdout.contains("Stopped. Continue with `comment-finder runs resume 1`"),
        "{stdout}"
    );
    let shown = json_of(
        &cf(&db, &server, key)
            .args(["--json", "runs", "show", "1"])
            .output()
            .unwrap(),
    );
    assert_eq!(shown["status"], "cancelled");
    let served = server.stats().generate_requests as i64;
    assert_eq!(
        shown["requests"].as_i64().unwrap(),
        served,
        "requests in flight landed and were recorded"
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn budgets_and_the_daily_quota_stop_runs_with_their_own_exit_codes() {
    // Three drafting requests a day (the embedding model keeps its own allowance).
    let server = FakeGemini::start(FakeConfig {
        model_limits: [(
            "gemini-2.5-flash".to_string(),
            fake_gemini::QuotaLimits {
                rpd: Some(3),
                ..fake_gemini::QuotaLimits::UNLIMITED
            },
        )]
        .into(),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let key = fake_gemini::DEFAULT_API_KEY;
    // A monthly budget, shown with this month's use.
    let set = json_of(
        &cf(&db, &server, key)
            .args(["--json", "budget", "set", "5"])
            .output()
            .unwrap(),
    );
    assert_eq!(set["cap_picos"], 5_000_000_000_000i64);
    let shown = json_of(
        &cf(&db, &server, key)
            .args(["--json", "budget", "show"])
            .output()
            .unwrap(),
    );
    assert_eq!(shown["budgets"][0]["spent_picos"], 0);

    // A run capped at a tenth of a cent stops at the cap: exit code 3.
    let capped = cf(&db, &server, key)
        .args(RUN)
        .args(["2", "--per-request", "1", "--budget", "0.001"])
        .output()
        .unwrap();
    assert_eq!(
        capped.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&capped.stderr)
    );
    let summary: Value = serde_json::from_slice(&capped.stdout).unwrap();
    assert_eq!(summary["status"], "budget_reached");
    assert!(summary["cost_usd"].as_f64().unwrap() <= 0.001);

    // The fake allows 3 requests a day: the next run meets Google's per-day 429: exit code 4,
    // posts left queued, the reset time given.
    let daily = cf(&db, &server, key)
        .args(RUN)
        .args(["2", "--per-request", "1"])
        .output()
        .unwrap();
    assert_eq!(
        daily.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&daily.stderr)
    );
    let summary: Value = serde_json::from_slice(&daily.stdout).unwrap();
    assert_eq!(summary["status"], "waiting_for_quota");
    assert!(summary["resume_at"].as_i64().unwrap() > chrono::Utc::now().timestamp());
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_detached_batch_run_is_collected_by_a_later_resume_without_a_second_job() {
    let server = FakeGemini::start(FakeConfig {
        batch_pending: Duration::from_millis(300),
        batch_running: Duration::from_millis(300),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let key = fake_gemini::DEFAULT_API_KEY;
    let dry = json_of(
        &cf(&db, &server, key)
            .args(RUN)
            .args(["5", "--dry-run"])
            .output()
            .unwrap(),
    );
    let forecast = &dry["forecast"];
    assert!(
        forecast["batch_cost_picos"].as_i64().unwrap() * 2
            <= forecast["cost_picos"].as_i64().unwrap() + 4
    );

    let submitted = json_of(
        &cf(&db, &server, key)
            .env("COMMENT_FINDER_BATCH_POLL_MS", "50")
            .args(RUN)
            .args(["5", "--batch", "--detach"])
            .output()
            .unwrap(),
    );
    assert_eq!(submitted["status"], "submitted", "{submitted}");
    let run_id = submitted["run_id"].as_i64().unwrap().to_string();
    assert_eq!(server.stats().batch_jobs, 1);
    assert_eq!(
        server.stats().generate_requests,
        0,
        "nothing sent one by one"
    );

    let list = json_of(
        &cf(&db, &server, key)
            .args(["--json", "runs", "list"])
            .output()
            .unwrap(),
    );
    assert!(list["runs"][0]["batch"]["sentence"].is_string(), "{list}");

    let done = json_of(
        &cf(&db, &server, key)
            .env("COMMENT_FINDER_BATCH_POLL_MS", "50")
            .args(["--json", "runs", "resume", &run_id])
            .output()
            .unwrap(),
    );
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["mode"], "batch");
    assert!(done["succeeded"].as_i64().unwrap() > 0);
    assert_eq!(server.stats().batch_jobs, 1, "the resume adopted the job");
    // Every answer billed by Google is in the ledger once.
    let billed = server
        .billing()
        .iter()
        .filter(|c| c.endpoint == fake_gemini::Endpoint::BatchGenerateContent)
        .count() as i64;
    assert_eq!(done["requests"].as_i64().unwrap(), billed);
}
