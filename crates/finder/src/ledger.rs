//! The cost ledger: one row per HTTP call to a paid endpoint, written when the call returns,
//! with its tokens, the prices used and the exact cost. Calls whose answer was unusable are
//! billed by Google and recorded all the same; calls that never got an answer cost nothing
//! but are recorded too (they count against the daily request limit).

use serde::Serialize;
use sqlx::{Executor, Sqlite};

use crate::error::{FinderError, Result};
use crate::prices::{BilledTokens, Price};
use crate::store::Store;

#[derive(Debug, Clone, PartialEq)]
pub struct CallEntry<'a> {
    pub run_id: Option<i64>,
    pub project_id: Option<i64>,
    pub called_at: i64,
    pub model: &'a str,
    /// "generate" or "embed".
    pub endpoint: &'a str,
    pub attempt: u32,
    /// "ok", or the error code.
    pub outcome: &'a str,
    pub http_status: Option<u16>,
    pub latency_ms: u64,
    pub tokens: BilledTokens,
    pub price: Price,
}

/// Writes one ledger row (inside the caller's transaction) and returns its cost in pico-dollars.
pub async fn record<'e, E: Executor<'e, Database = Sqlite>>(
    executor: E,
    e: &CallEntry<'_>,
) -> Result<i64> {
    let cost = e.price.cost_picos(&e.tokens);
    // The row keeps the prices this call was billed at (the long-prompt tier where it applied).
    let applied = e.price.tier_for(e.tokens.prompt);
    let (attempt, http_status, latency_ms) = (
        i64::from(e.attempt),
        e.http_status.map(i64::from),
        e.latency_ms as i64,
    );
    let (prompt, cached, output, thinking) = (
        e.tokens.prompt as i64,
        e.tokens.cached as i64,
        e.tokens.output as i64,
        e.tokens.thinking as i64,
    );
    sqlx::query!(
        "INSERT INTO api_calls (run_id, project_id, called_at, model, endpoint, attempt, outcome, http_status,
             latency_ms, prompt_tokens, cached_tokens, output_tokens, thinking_tokens,
             input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok, cost_picos)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        e.run_id,
        e.project_id,
        e.called_at,
        e.model,
        e.endpoint,
        attempt,
        e.outcome,
        http_status,
        latency_ms,
        prompt,
        cached,
        output,
        thinking,
        applied.input_micros_per_mtok,
        applied.output_micros_per_mtok,
        applied.cached_micros_per_mtok,
        cost,
    )
    .execute(executor)
    .await?;
    Ok(cost)
}

/// Requests the ledger holds for `model` since `since` (unix), for the daily limit.
pub async fn requests_since(store: &Store, model: &str, since: i64) -> Result<u32> {
    // Batch answers count against the Batch API's own limits, not the daily requests.
    let n = sqlx::query_scalar!(
        r#"SELECT COUNT(*) AS "n!: i64" FROM api_calls WHERE model = ? AND called_at >= ? AND endpoint <> 'batch'"#,
        model,
        since,
    )
    .fetch_one(store.pool())
    .await?;
    Ok(n as u32)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Day,
    Project,
    Model,
    Run,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s.trim().to_ascii_lowercase().as_str() {
            "day" => Some(GroupBy::Day),
            "project" => Some(GroupBy::Project),
            "model" => Some(GroupBy::Model),
            "run" => Some(GroupBy::Run),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CostGroup {
    /// The day (YYYY-MM-DD, local time), project name, model or run id.
    pub group: String,
    pub calls: i64,
    pub prompt_tokens: i64,
    pub cached_tokens: i64,
    pub output_tokens: i64,
    pub thinking_tokens: i64,
    pub cost_picos: i64,
    pub cost_usd: f64,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CostFilter {
    pub project_id: Option<i64>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

struct CostRow {
    grp: String,
    calls: i64,
    prompt: i64,
    cached: i64,
    output: i64,
    thinking: i64,
    cost: i64,
}

/// Spend grouped by day (local calendar), project, model or run.
pub async fn costs(store: &Store, by: GroupBy, filter: &CostFilter) -> Result<Vec<CostGroup>> {
    // One fixed query per grouping (each checked at compile time); the optional filters are
    // parameters that are NULL when unset.
    macro_rules! grouped {
        ($group:tt, $order:tt) => {
            sqlx::query_as!(
                CostRow,
                r#"SELECT "# + $group + r#" AS "grp!: String", COUNT(*) AS "calls!: i64",
                        SUM(c.prompt_tokens) AS "prompt!: i64", SUM(c.cached_tokens) AS "cached!: i64",
                        SUM(c.output_tokens) AS "output!: i64", SUM(c.thinking_tokens) AS "thinking!: i64",
                        SUM(c.cost_picos) AS "cost!: i64"
                 FROM api_calls c LEFT JOIN projects p ON p.id = c.project_id
                 WHERE (?1 IS NULL OR c.project_id = ?1) AND (?2 IS NULL OR c.called_at >= ?2)
                   AND (?3 IS NULL OR c.called_at < ?3)
                 GROUP BY 1 ORDER BY "# + $order,
                filter.project_id,
                filter.since,
                filter.until,
            )
            .fetch_all(store.pool())
            .await?
        };
    }
    let rows = match by {
        GroupBy::Day => grouped!("date(c.called_at, 'unixepoch', 'localtime')", "1"),
        GroupBy::Project => grouped!("coalesce(p.name, '(no project)')", "7 DESC"),
        GroupBy::Model => grouped!("c.model", "7 DESC"),
        GroupBy::Run => grouped!(
            "coalesce(CAST(c.run_id AS TEXT), '(no run)')",
            "MIN(c.called_at)"
        ),
    };
    Ok(rows
        .into_iter()
        .map(|r| CostGroup {
            group: r.grp,
            calls: r.calls,
            prompt_tokens: r.prompt,
            cached_tokens: r.cached,
            output_tokens: r.output,
            thinking_tokens: r.thinking,
            cost_picos: r.cost,
            cost_usd: crate::prices::picos_to_usd(r.cost),
        })
        .collect())
}

/// Parses "2026-11-01" (local midnight) or a unix time.
pub fn parse_date(text: &str) -> Result<i64> {
    use chrono::TimeZone;
    let t = text.trim();
    if let Ok(unix) = t.parse::<i64>() {
        return Ok(unix);
    }
    let day = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
        FinderError::InvalidInput(format!("\"{text}\" is not a date like 2026-11-01."))
    })?;
    chrono::Local
        .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap_or_default())
        .earliest()
        .map(|d| d.timestamp())
        .ok_or_else(|| {
            FinderError::InvalidInput(format!("\"{text}\" is not a date like 2026-11-01."))
        })
}
