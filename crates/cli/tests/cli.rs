//! The CLI contract: commands, --json documents on stdout, plain errors on stderr.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn cf(db: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_comment-finder"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("COMMENT_FINDER_DB")
        .output()
        .unwrap()
}

fn json_ok(db: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cf(db, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

const SAMPLE: &str = "Sample: B2B SaaS growth";

#[test]
fn first_run_creates_the_sample_project() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let out = cf(&db, &["project", "list"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("sample project"));
    assert!(String::from_utf8_lossy(&out.stdout).contains(SAMPLE));
    let list = json_ok(&db, &["project", "list"]);
    assert_eq!(list["projects"][0]["name"], SAMPLE);
    assert!(list["projects"][0]["posts"].as_i64().unwrap() >= 190);
    // --no-sample on a fresh database leaves it empty.
    let empty = dir.path().join("empty.db");
    let list = json_ok(&empty, &["--no-sample", "project", "list"]);
    assert_eq!(list["projects"].as_array().unwrap().len(), 0);
}

#[test]
fn project_create_show_export_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let exported = dir.path().join("sample.toml");
    json_ok(
        &db,
        &[
            "project",
            "export",
            SAMPLE,
            "--out",
            exported.to_str().unwrap(),
        ],
    );
    let created = json_ok(
        &db,
        &[
            "project",
            "create",
            "Copy",
            "--from",
            exported.to_str().unwrap(),
        ],
    );
    assert_eq!(created["project"]["topics"], 4);
    let a = json_ok(&db, &["project", "show", SAMPLE]);
    let b = json_ok(&db, &["project", "show", "Copy"]);
    let strip = |mut v: Value| {
        v["settings"]["name"] = Value::Null;
        v["settings"].clone()
    };
    assert_eq!(strip(a), strip(b));
    let shown = cf(&db, &["project", "show", "Copy"]);
    assert!(String::from_utf8_lossy(&shown.stdout).contains("[[topics]]"));
    let fresh = json_ok(&db, &["project", "create", "Defaults"]);
    assert_eq!(fresh["project"]["topics"], 0);
}

#[test]
fn predecessor_finder_yml_migrates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let yml = dir.path().join("finder.yml");
    std::fs::write(&yml, "taxonomy:\n  - label: ads\n    description: paid social\n    exemplars: []\nsources:\n  whitelist_handles: [fan]\n").unwrap();
    json_ok(
        &db,
        &[
            "--no-sample",
            "project",
            "create",
            "Old",
            "--from",
            yml.to_str().unwrap(),
        ],
    );
    let shown = json_ok(&db, &["project", "show", "Old"]);
    assert_eq!(shown["settings"]["sources"]["favour_authors"][0], "fan");
    assert_eq!(shown["settings"]["topics"][0]["label"], "ads");
}

#[test]
fn import_score_export_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let posts = dir.path().join("posts.jsonl");
    // Two hours old, so engagement differences show in the score instead of saturating it.
    let now = chrono::Utc::now() - chrono::Duration::hours(2);
    let created = now.format("%a %b %d %H:%M:%S +0000 %Y").to_string();
    let lines: Vec<String> = (0..5)
        .map(|i| {
            serde_json::json!({"type": "tweet", "id": format!("{}", 900 + i), "text": format!("How do cold email reply rates hold up #{i}?"),
                "createdAt": created, "likeCount": 10 * i, "author": {"userName": format!("user{i}"), "followers": 5000}})
            .to_string()
        })
        .chain(["{\"noResults\": true}".to_string()])
        .collect();
    std::fs::write(&posts, lines.join("\n")).unwrap();
    json_ok(&db, &["--no-sample", "project", "create", "Mine"]);
    let imported = json_ok(&db, &["import", posts.to_str().unwrap()]);
    assert_eq!(imported["report"]["added"], 5);
    assert_eq!(imported["report"]["skipped"][0]["place"], "line 6");
    let human = cf(
        &db,
        &["import", posts.to_str().unwrap(), "--project", "Mine"],
    );
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(text.contains("0 added, 5 updated, 1 skipped"), "{text}");
    assert!(
        text.contains("skipped line 6: placeholder saying the search found nothing"),
        "{text}"
    );

    let scored = json_ok(
        &db,
        &[
            "score",
            "--project",
            "Mine",
            "--hours-back",
            "6",
            "--min-followers",
            "1000",
        ],
    );
    assert_eq!(scored["report"]["scored"], 5);
    assert_eq!(scored["report"]["top"][0]["id"], "904");
    let out = dir.path().join("out.csv");
    let exported = json_ok(
        &db,
        &[
            "export",
            "--project",
            "Mine",
            "--out",
            out.to_str().unwrap(),
            "--limit",
            "3",
            "--sort",
            "balanced",
        ],
    );
    assert_eq!(exported["rows"], 3);
    assert_eq!(
        exported["marked_exported"], 0,
        "exporting alone changes no status"
    );
    let csv = std::fs::read_to_string(&out).unwrap();
    assert!(csv
        .starts_with("rank,priority_score,project,tweet_id,url,author,followers,views,tweet_text"));
    assert_eq!(csv.lines().count(), 4);
    // Asked to, the export marks its pending posts done: the next default export skips them.
    let args = |extra: &'static str| {
        let mut a = vec![
            "export",
            "--project",
            "Mine",
            "--out",
            out.to_str().unwrap(),
        ];
        a.extend(["--limit", "3", "--sort", "balanced"]);
        if !extra.is_empty() {
            a.push(extra);
        }
        a
    };
    let marked = json_ok(&db, &args("--mark-exported"));
    assert_eq!(
        (marked["rows"].clone(), marked["marked_exported"].clone()),
        (3.into(), 3.into())
    );
    let next = json_ok(&db, &args(""));
    assert_eq!(next["rows"], 2, "5 scored posts, 3 of them marked done");
}

#[test]
fn errors_are_plain_words_on_stderr_with_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["score", "--project", "Nope"],
            "No project is called \"Nope\"",
        ),
        (
            vec!["import", "/definitely/missing.json", "--project", SAMPLE],
            "Could not read /definitely/missing.json",
        ),
        (
            vec![
                "export",
                "--project",
                SAMPLE,
                "--out",
                "x.csv",
                "--label",
                "purple",
            ],
            "\"purple\" is not a label",
        ),
        (
            vec![
                "export",
                "--project",
                SAMPLE,
                "--out",
                "x.csv",
                "--sort",
                "random",
            ],
            "not a sort order",
        ),
        (vec!["project", "create", SAMPLE], "already exists"),
    ];
    for (args, expected) in cases {
        let out = cf(&db, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(
            !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
            "{stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = cf(&db, &["--json", "score", "--project", "Nope"]);
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "project_not_found");
    // The engine's sentence names no command; the CLI adds its own next step, by code.
    assert_eq!(err["error"]["message"], "No project is called \"Nope\".");
    assert_eq!(
        err["error"]["hint"],
        "See the list with `comment-finder project list`."
    );
    let out = cf(&db, &["score", "--project", "Nope"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim_end(),
        "Error: No project is called \"Nope\".\nSee the list with `comment-finder project list`."
    );
    let out = cf(&db, &["--json", "project", "list"]);
    assert!(out.status.success());
    let out = cf(&db, &["--json", "project", "create", SAMPLE]);
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["code"], "project_exists");
    assert!(err["error"].get("hint").is_none(), "{err}");
    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, "not a database at all, just text ".repeat(300)).unwrap();
    let out = cf(&garbage, &["project", "list"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a Comment Finder database"));
}

/// A planted server address (in the database or the environment) never gets the key: `run`
/// stops with one plain sentence before any call, and a stored address waits for the key to
/// be confirmed for its host.
#[test]
fn run_refuses_an_unsafe_or_unconfirmed_gemini_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let run = |base_url: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_comment-finder"));
        command
            .arg("--db")
            .arg(&db)
            .args(["--json", "run", "--project", SAMPLE, "--yes"])
            .env_remove("COMMENT_FINDER_DB")
            .env("GEMINI_API_KEY", "cli-server-test-key-0000");
        match base_url {
            Some(url) => command.env("GEMINI_BASE_URL", url),
            None => command.env_remove("GEMINI_BASE_URL"),
        };
        let out = command.output().unwrap();
        assert!(!out.status.success());
        // With --json the error is one JSON object, the last line on stderr.
        let stderr = String::from_utf8_lossy(&out.stderr);
        let doc: Value = serde_json::from_str(stderr.lines().last().unwrap_or_default())
            .unwrap_or_else(|e| panic!("{e}: {stderr}"));
        doc["error"].clone()
    };
    for planted in [
        "http://localhost.evil.tld",
        "http://127.0.0.1@evil.tld",
        "http://evil.tld",
    ] {
        let e = run(Some(planted));
        assert_eq!(e["code"], "unsafe_server_address", "{planted}: {e}");
    }
    // The same address stored in the database (as another program could write it).
    json_ok(&db, &["project", "list"]);
    let set = |url: &str| {
        let pool = format!("sqlite://{}", db.display());
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let pool = sqlx::SqlitePool::connect(&pool).await.unwrap();
            sqlx::query(
                "INSERT OR REPLACE INTO settings (key, value_json) VALUES ('gemini_base_url', ?)",
            )
            .bind(serde_json::json!(url).to_string())
            .execute(&pool)
            .await
            .unwrap();
            pool.close().await;
        });
    };
    set("http://evil.tld");
    assert_eq!(run(None)["code"], "unsafe_server_address");
    set("https://proxy.example.com");
    let e = run(None);
    assert_eq!(e["code"], "server_not_confirmed", "{e}");
    assert!(
        e["message"].as_str().unwrap().contains("proxy.example.com"),
        "{e}"
    );
    assert!(
        !e["message"].as_str().unwrap().contains("comment-finder"),
        "{e}"
    );
    assert!(
        e["hint"]
            .as_str()
            .unwrap()
            .contains("`comment-finder key set gemini`"),
        "{e}"
    );
}

/// A project file is read with a cap: a huge file given by mistake is one plain error, not a
/// gigabyte in memory.
#[test]
fn a_huge_project_file_is_refused_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let huge = dir.path().join("huge.toml");
    std::fs::write(&huge, "# padding\n".repeat(200_000)).unwrap();
    let out = cf(
        &db,
        &[
            "project",
            "create",
            "Huge",
            "--from",
            huge.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("too large for a project file"), "{stderr}");
}

/// The shipped CLI (default features) links no fake server: the benchmark commands, which run
/// against the fakes, exist only when it is built with `--features bench` (as `make test` does).
#[test]
fn benchmark_commands_come_only_with_the_bench_feature() {
    let out = Command::new(env!("CARGO_BIN_EXE_comment-finder"))
        .arg("--help")
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["bench", "bench-run", "bench-scenarios", "bench-find"] {
        let listed = help
            .lines()
            .any(|l| l.split_whitespace().next() == Some(command));
        assert_eq!(listed, cfg!(feature = "bench"), "{command}: {help}");
    }
    assert!(help
        .lines()
        .any(|l| l.split_whitespace().next() == Some("run")));
}
