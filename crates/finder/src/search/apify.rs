//! The Apify run API for the tweet scraper: start a run, read its status, page its dataset,
//! abort it. The token travels as `Authorization: Bearer`, never in the query string.

use std::time::Duration;

use reqwest::{Response, StatusCode};
use serde_json::Value;

use super::{error_detail, http_client, CallError, RetryAt, SourceAccess};
use crate::error::Result;

pub(super) const ACTOR: &str = "apidojo~tweet-scraper";
/// Dataset items per request.
pub(super) const PAGE: usize = 500;

pub(super) struct Apify {
    http: reqwest::Client,
    base: String,
    access: SourceAccess,
}

/// The parts of an actor run the search needs.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ActorRun {
    pub id: String,
    pub status: String,
    pub dataset_id: String,
    pub usage_usd: f64,
    pub message: Option<String>,
}

impl ActorRun {
    pub fn finished(&self) -> bool {
        matches!(
            self.status.as_str(),
            "SUCCEEDED" | "FAILED" | "TIMED-OUT" | "ABORTED"
        )
    }
}

impl Apify {
    pub fn new(access: &SourceAccess) -> Result<Apify> {
        Ok(Apify {
            http: http_client()?,
            base: access.base_url.trim_end_matches('/').to_owned(),
            access: access.clone(),
        })
    }

    pub async fn start(&self, input: &Value) -> Result<ActorRun, CallError> {
        let url = format!("{}/v2/acts/{ACTOR}/runs", self.base);
        let response = self
            .http
            .post(url)
            .bearer_auth(self.access.token.expose())
            .json(input)
            .send()
            .await
            .map_err(CallError::from_http)?;
        run_from(response).await
    }

    pub async fn run(&self, id: &str) -> Result<ActorRun, CallError> {
        let url = format!("{}/v2/actor-runs/{id}", self.base);
        let response = self
            .http
            .get(url)
            .bearer_auth(self.access.token.expose())
            .send()
            .await
            .map_err(CallError::from_http)?;
        run_from(response).await
    }

    /// Stops a run (on Cancel or when it takes too long); what it stored stays readable.
    pub async fn abort(&self, id: &str) -> Result<ActorRun, CallError> {
        let url = format!("{}/v2/actor-runs/{id}/abort", self.base);
        let response = self
            .http
            .post(url)
            .bearer_auth(self.access.token.expose())
            .send()
            .await
            .map_err(CallError::from_http)?;
        run_from(response).await
    }

    /// Up to `PAGE` items from `offset` (format=json, clean: no empty or hidden fields).
    pub async fn items(&self, dataset: &str, offset: usize) -> Result<Vec<Value>, CallError> {
        let url = format!("{}/v2/datasets/{dataset}/items", self.base);
        let response = self
            .http
            .get(url)
            .bearer_auth(self.access.token.expose())
            .query(&[
                ("format", "json".to_owned()),
                ("clean", "true".to_owned()),
                ("offset", offset.to_string()),
                ("limit", PAGE.to_string()),
            ])
            .send()
            .await
            .map_err(CallError::from_http)?;
        let body = checked(response).await?;
        serde_json::from_str::<Vec<Value>>(&body)
            .map_err(|e| CallError::BadAnswer(format!("dataset items: {e}")))
    }
}

async fn run_from(response: Response) -> Result<ActorRun, CallError> {
    let body = checked(response).await?;
    let v: Value =
        serde_json::from_str(&body).map_err(|e| CallError::BadAnswer(format!("actor run: {e}")))?;
    let data = &v["data"];
    let text = |k: &str| data[k].as_str().map(str::to_owned);
    match (text("id"), text("status"), text("defaultDatasetId")) {
        (Some(id), Some(status), Some(dataset_id)) => Ok(ActorRun {
            id,
            status,
            dataset_id,
            usage_usd: data["usageTotalUsd"].as_f64().unwrap_or(0.0),
            message: text("statusMessage"),
        }),
        _ => Err(CallError::BadAnswer(
            "the actor run has no id, status or dataset".into(),
        )),
    }
}

/// The body of a 2xx answer, or what went wrong.
pub(super) async fn checked(response: Response) -> Result<String, CallError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body = response.text().await.map_err(CallError::from_http)?;
    if status.is_success() {
        return Ok(body);
    }
    Err(match status {
        StatusCode::UNAUTHORIZED => CallError::BadToken,
        StatusCode::PAYMENT_REQUIRED => CallError::OutOfCredit(error_detail(&body)),
        StatusCode::TOO_MANY_REQUESTS => CallError::RateLimited(RetryAt::After(
            Duration::from_secs(retry_after.unwrap_or(10)),
        )),
        s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => {
            CallError::Transient(format!("HTTP {}", s.as_u16()))
        }
        s => CallError::Refused(s.as_u16(), error_detail(&body)),
    })
}
