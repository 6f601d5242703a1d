//! The X API v2 recent search: one page per call, authors joined from `includes.users` by the
//! importer. The bearer token travels in the Authorization header.

use reqwest::StatusCode;
use serde_json::Value;

use super::{error_detail, http_client, CallError, RetryAt, SourceAccess};
use crate::error::Result;

const TWEET_FIELDS: &str =
    "created_at,public_metrics,author_id,conversation_id,lang,reply_settings,referenced_tweets,entities";
const USER_FIELDS: &str = "public_metrics,verified,verified_type,description";

pub(super) struct XSearch {
    http: reqwest::Client,
    base: String,
    access: SourceAccess,
}

/// One page's request.
pub(super) struct PageRequest<'a> {
    pub query: &'a str,
    pub max_results: u32,
    pub next_token: Option<&'a str>,
    pub since_id: Option<&'a str>,
    /// RFC 3339.
    pub start_time: Option<String>,
}

impl XSearch {
    pub fn new(access: &SourceAccess) -> Result<XSearch> {
        Ok(XSearch {
            http: http_client()?,
            base: access.base_url.trim_end_matches('/').to_owned(),
            access: access.clone(),
        })
    }

    pub async fn page(&self, r: &PageRequest<'_>) -> Result<Value, CallError> {
        let mut params: Vec<(&str, String)> = vec![
            ("query", r.query.to_owned()),
            ("max_results", r.max_results.clamp(10, 100).to_string()),
            ("tweet.fields", TWEET_FIELDS.into()),
            ("expansions", "author_id".into()),
            ("user.fields", USER_FIELDS.into()),
        ];
        if let Some(t) = r.next_token {
            params.push(("next_token", t.to_owned()));
        }
        if let Some(id) = r.since_id {
            params.push(("since_id", id.to_owned()));
        }
        if let Some(start) = &r.start_time {
            params.push(("start_time", start.clone()));
        }
        let response = self
            .http
            .get(format!("{}/2/tweets/search/recent", self.base))
            .bearer_auth(self.access.token.expose())
            .query(&params)
            .send()
            .await
            .map_err(CallError::from_http)?;
        let status = response.status();
        let reset = response
            .headers()
            .get("x-rate-limit-reset")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<i64>().ok());
        let body = response.text().await.map_err(CallError::from_http)?;
        if status.is_success() {
            return serde_json::from_str(&body)
                .map_err(|e| CallError::BadAnswer(format!("search page: {e}")));
        }
        Err(match status {
            StatusCode::UNAUTHORIZED => CallError::BadToken,
            StatusCode::PAYMENT_REQUIRED => CallError::OutOfCredit(error_detail(&body)),
            StatusCode::TOO_MANY_REQUESTS => CallError::RateLimited(match reset {
                Some(at) => RetryAt::At(at),
                None => RetryAt::After(std::time::Duration::from_secs(60)),
            }),
            s if s.is_server_error() => CallError::Transient(format!("HTTP {}", s.as_u16())),
            s => CallError::Refused(s.as_u16(), error_detail(&body)),
        })
    }
}
