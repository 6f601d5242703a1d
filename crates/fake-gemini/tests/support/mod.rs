//! Shared helpers for the fake's HTTP tests: raw requests, so the wire format itself is
//! what gets checked.

#![allow(dead_code)] // Each test binary uses a different subset.

use fake_gemini::{FakeConfig, FakeGemini, FakeServer};
use serde_json::{json, Value};

pub async fn start(config: FakeConfig) -> FakeServer {
    FakeGemini::start(config).await.expect("fake server starts")
}

/// POSTs `body` to `path` (under the server root) with the key in the header.
pub async fn post(
    server: &FakeServer,
    path: &str,
    key: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}{path}", server.base_url()))
        .json(body);
    if let Some(key) = key {
        request = request.header("x-goog-api-key", key);
    }
    read(request.send().await.expect("request is answered")).await
}

pub async fn get(server: &FakeServer, path: &str, key: Option<&str>) -> (u16, Value) {
    let mut request = reqwest::Client::new().get(format!("{}{path}", server.base_url()));
    if let Some(key) = key {
        request = request.header("x-goog-api-key", key);
    }
    read(request.send().await.expect("request is answered")).await
}

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json::<Value>().await.expect("JSON body");
    (status, body)
}

/// `generateContent` on `model` with the server's key.
pub async fn generate(server: &FakeServer, model: &str, body: &Value) -> (u16, Value) {
    post(
        server,
        &format!("/v1beta/models/{model}:generateContent"),
        Some(server.api_key()),
        body,
    )
    .await
}

pub fn user_text(text: &str) -> Value {
    json!({"contents": [{"role": "user", "parts": [{"text": text}]}]})
}

/// The first candidate's text.
pub fn answer(body: &Value) -> &str {
    body["candidates"][0]["content"]["parts"][0]["text"]
        .as_str()
        .expect("candidate text")
}

/// The `@type`-suffixed detail of an error envelope.
pub fn detail<'a>(body: &'a Value, kind: &str) -> &'a Value {
    body["error"]["details"]
        .as_array()
        .and_then(|details| {
            details
                .iter()
                .find(|detail| detail["@type"] == format!("type.googleapis.com/google.rpc.{kind}"))
        })
        .unwrap_or_else(|| panic!("no {kind} detail in {body}"))
}

pub fn ceil_div4(chars: usize) -> u64 {
    (chars as u64).div_ceil(4)
}
