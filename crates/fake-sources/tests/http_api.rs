//! The fakes over real HTTP: shapes, paging, lifecycle and faults.

use std::time::Duration;

use fake_sources::{ApifyFault, FakeSources, SourcesConfig, XFault};
use serde_json::{json, Value};

async fn server() -> fake_sources::SourcesServer {
    FakeSources::start(SourcesConfig {
        time_scale: 100.0,
        post_clock_start: Some(2_000_000_000),
        ..SourcesConfig::default()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn x_search_pages_with_next_token_and_joins_authors() {
    let fake = server().await;
    let http = reqwest::Client::new();
    let url = format!("{}/2/tweets/search/recent", fake.base_url());
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..3 {
        let mut params = vec![
            ("query", "onboarding -is:retweet".to_owned()),
            ("max_results", "100".to_owned()),
        ];
        if let Some(t) = &token {
            params.push(("next_token", t.clone()));
        }
        let page: Value = http
            .get(&url)
            .bearer_auth(fake.x_token())
            .query(&params)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let users = page["includes"]["users"].as_array().unwrap();
        for tweet in page["data"].as_array().unwrap() {
            assert!(
                users.iter().any(|u| u["id"] == tweet["author_id"]),
                "author joined"
            );
            assert!(tweet["reply_settings"].is_string());
            assert!(tweet["public_metrics"]["like_count"].is_u64());
            seen.push(tweet["id"].as_str().unwrap().to_owned());
        }
        token = page["meta"]["next_token"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 300);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), 300, "pages do not overlap");
    let bad = http
        .get(&url)
        .bearer_auth(fake.x_token())
        .query(&[("query", "x"), ("max_results", "101")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    fake.push_x_fault(XFault::RateLimited);
    let limited = http
        .get(&url)
        .bearer_auth(fake.x_token())
        .query(&[("query", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("x-rate-limit-reset"));
    let wrong = http
        .get(&url)
        .bearer_auth("nope")
        .query(&[("query", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert_eq!(fake.stats().x_posts_read, 300);
}

#[tokio::test]
async fn an_actor_run_goes_from_ready_to_succeeded_and_its_dataset_pages() {
    let fake = server().await;
    let http = reqwest::Client::new();
    let base = fake.base_url();
    let started: Value = http
        .post(format!("{base}/v2/acts/apidojo~tweet-scraper/runs"))
        .bearer_auth(fake.apify_token())
        .json(&json!({"searchTerms": ["pricing", "zzqqxx nothing"], "maxItems": 150, "sort": "Latest"}))
        .send().await.unwrap().json().await.unwrap();
    let run_id = started["data"]["id"].as_str().unwrap().to_owned();
    let dataset = started["data"]["defaultDatasetId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(matches!(
        started["data"]["status"].as_str(),
        Some("READY" | "RUNNING")
    ));
    let run = loop {
        let run: Value = http
            .get(format!("{base}/v2/actor-runs/{run_id}"))
            .bearer_auth(fake.apify_token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if run["data"]["status"] == "SUCCEEDED" {
            break run;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert!((run["data"]["usageTotalUsd"].as_f64().unwrap() - 150.0 * 0.0004).abs() < 1e-9);
    let page = http
        .get(format!("{base}/v2/datasets/{dataset}/items"))
        .bearer_auth(fake.apify_token())
        .query(&[("offset", "100"), ("limit", "100")])
        .send()
        .await
        .unwrap();
    assert_eq!(page.headers()["x-apify-pagination-total"], "150");
    let items: Vec<Value> = page.json().await.unwrap();
    assert_eq!(items.len(), 50);
    assert!(items[0]["author"]["userName"].is_string());
    assert!(items[0]["createdAt"]
        .as_str()
        .unwrap()
        .ends_with("+0000 2033"));

    fake.push_apify_fault(ApifyFault::OutOfCredit);
    let refused = http
        .post(format!("{base}/v2/acts/apidojo~tweet-scraper/runs"))
        .bearer_auth(fake.apify_token())
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 402);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["type"], "not-enough-usage-to-run-paid-actor");
}
