//! `search`, `refresh` and `analyze-terms` against the fake sources, tokens from the
//! environment, `--json` counts on stdout.

use std::path::Path;
use std::process::{Command, Output};

use fake_sources::{FakeSources, SourcesConfig};
use serde_json::Value;

const SAMPLE: &str = "Sample: B2B SaaS growth";

fn cf(db: &Path, base: &str, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_comment-finder"))
        .arg("--db")
        .arg(db)
        .arg("--json")
        .args(args)
        .env_remove("COMMENT_FINDER_DB")
        .env("APIFY_BASE_URL", base)
        .env("X_API_BASE_URL", base)
        .env("APIFY_TOKEN", token)
        .env("X_BEARER_TOKEN", fake_sources::DEFAULT_X_TOKEN)
        .output()
        .unwrap()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {} / {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn search_save_refresh_and_analyze_from_the_command_line() {
    let server = FakeSources::start(SourcesConfig {
        time_scale: 100.0,
        ..SourcesConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cf.db");
    let base = server.base_url();
    let token = fake_sources::DEFAULT_APIFY_TOKEN;
    let out = tokio::task::block_in_place(|| {
        cf(
            &db,
            &base,
            token,
            &[
                "search",
                "--project",
                SAMPLE,
                "--terms",
                "onboarding",
                "--count",
                "50",
                "--save",
                "Onboarding",
            ],
        )
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["search"]["found"], 50);
    assert_eq!(v["search"]["status"], "finished");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("at most $0.0200"),
        "the estimate comes first"
    );

    server.advance_posts(3600);
    let out =
        tokio::task::block_in_place(|| cf(&db, &base, token, &["refresh", "--project", SAMPLE]));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    let refreshed = &v["refreshed"][0]["search"];
    assert!(refreshed["found"].as_u64().unwrap() > 0);
    assert_eq!(refreshed["found"], refreshed["added"], "only newer posts");

    let out = tokio::task::block_in_place(|| {
        cf(
            &db,
            &base,
            token,
            &[
                "analyze-terms",
                "--project",
                SAMPLE,
                "--terms",
                "cold email,zebra crossings",
                "--source",
                "x",
                "--count",
                "50",
            ],
        )
    });
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = json(&out);
    assert_eq!(v["terms"].as_array().unwrap().len(), 2);
    assert_eq!(v["terms"][1]["verdict"], "poor");

    let out = tokio::task::block_in_place(|| {
        cf(
            &db,
            &base,
            "wrong-token",
            &["search", "--project", SAMPLE, "--terms", "pricing"],
        )
    });
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("Apify refused the token"), "{stderr}");
    assert!(!stderr.contains("wrong-token"));
}
