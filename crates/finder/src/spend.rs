//! What the AI cost, shaped for charts and spreadsheets: spend per local day stacked by model
//! or project, month to date, cost per run, the average cost of a post that got replies, and
//! a CSV of the ledger grouped by day, project, model and run.
//!
//! Everything is read from the cost ledger (`api_calls`), whose rows keep the prices they were
//! billed at, so editing a price never changes these figures. Days are local calendar days, as
//! the user reads them; money stays integer pico-dollars until it is shown.

use std::path::Path;

use chrono::{Datelike, Local, NaiveDate, TimeZone};
use serde::{Deserialize, Serialize};

use crate::error::{FinderError, Result};
use crate::export::{spreadsheet_safe, write_file};
use crate::store::Store;

/// Which calls count: a project (or all) and a half-open time range `[since, until)` in unix
/// seconds (open ends when `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SpendRange {
    pub project_id: Option<i64>,
    pub since: Option<i64>,
    pub until: Option<i64>,
}

impl SpendRange {
    /// From inclusive local dates ("2026-11-01" … "2026-11-30"): since local midnight of the
    /// first day until local midnight after the last.
    pub fn from_local_dates(
        project_id: Option<i64>,
        first: Option<&str>,
        last: Option<&str>,
    ) -> Result<SpendRange> {
        let since = first.map(|d| local_midnight(parse_day(d)?)).transpose()?;
        let until = last
            .map(|d| {
                let day = parse_day(d)?;
                let next = day.succ_opt().ok_or_else(|| bad_date(d))?;
                local_midnight(next)
            })
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until) {
            if u <= s {
                return Err(FinderError::InvalidInput(
                    "The date range ends before it starts.".into(),
                ));
            }
        }
        Ok(SpendRange {
            project_id,
            since,
            until,
        })
    }

    /// The same range over the per-quarter-hour sums (`api_call_quarters q`), as `[lo, hi)` in
    /// quarters. Local midnights are whole quarter hours, so the sums hold exactly the calls of
    /// the range. Open ends are the smallest and largest numbers, so one fixed query (and its
    /// index range) serves every range.
    fn quarters(&self) -> (i64, i64) {
        (
            self.since.map_or(i64::MIN, |s| s.div_euclid(QUARTER_HOUR)),
            self.until.map_or(i64::MAX, |u| u.div_euclid(QUARTER_HOUR)),
        )
    }

    /// `[since, until)` in unix seconds, open ends as the smallest and largest numbers.
    fn seconds(&self) -> (i64, i64) {
        (
            self.since.unwrap_or(i64::MIN),
            self.until.unwrap_or(i64::MAX),
        )
    }
}

fn parse_day(text: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| bad_date(text))
}

fn bad_date(text: &str) -> FinderError {
    FinderError::InvalidInput(format!("\"{text}\" is not a date like 2026-11-01."))
}

fn local_midnight(day: NaiveDate) -> Result<i64> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.timestamp())
        .ok_or_else(|| bad_date(&day.to_string()))
}

/// How the daily bars are stacked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub enum StackBy {
    #[default]
    Model,
    Project,
}

/// Spend on one local day for one model or project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DaySpend {
    /// YYYY-MM-DD, local time.
    pub day: String,
    /// The model or the project name ("(no project)" for calls outside any project).
    pub group: String,
    pub calls: i64,
    pub cost_picos: i64,
}

/// Spend per local day and model (or project), days in order, biggest group first within a day.
/// Days without calls are absent; a chart fills them with zero.
pub async fn by_day(store: &Store, range: &SpendRange, stack: StackBy) -> Result<Vec<DaySpend>> {
    let days = quarter_days(store, range).await?;
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let days = days_json(&days);
    let (lo, hi) = range.quarters();
    // One fixed query per stacking, each checked at compile time.
    macro_rules! by_day {
        ($group:tt) => {
            sqlx::query!(
                r#"WITH d(day, lo, hi) AS (
                     SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
                     FROM json_each(?1))
                   SELECT d.day AS "day!: String", "# + $group + r#" AS "grp!: String",
                          SUM(q.calls) AS "calls!: i64", SUM(q.cost_picos) AS "cost!: i64"
                   FROM d CROSS JOIN api_call_quarters q LEFT JOIN projects p ON p.id = q.project_id
                   WHERE q.quarter >= d.lo AND q.quarter < d.hi
                     AND (?2 IS NULL OR q.project_id = ?2) AND q.quarter >= ?3 AND q.quarter < ?4
                   GROUP BY 1, 2 HAVING SUM(q.calls) > 0"#,
                days,
                range.project_id,
                lo,
                hi,
            )
            .fetch_all(store.pool())
            .await?
            .into_iter()
            .map(|r| DaySpend {
                day: r.day,
                group: r.grp,
                calls: r.calls,
                cost_picos: r.cost,
            })
            .collect::<Vec<_>>()
        };
    }
    // One row per day and group already (the days are distinct, the query groups by both).
    let mut out = match stack {
        StackBy::Model => by_day!("q.model"),
        StackBy::Project => by_day!("coalesce(p.name, '(no project)')"),
    };
    out.sort_by(|a, b| {
        (&a.day, std::cmp::Reverse(a.cost_picos), &a.group).cmp(&(
            &b.day,
            std::cmp::Reverse(b.cost_picos),
            &b.group,
        ))
    });
    Ok(out)
}

/// Spend is kept per quarter hour (`api_call_quarters`, summed by triggers as calls are
/// recorded) and the quarter hours are summed per local day here: every time zone's offset
/// (and its daylight-saving change) is a whole number of quarter hours, and reading or
/// formatting a local date for each of a million ledger rows takes most of a second.
const QUARTER_HOUR: i64 = 900;

/// The local calendar day of a time, remembering the last day's bounds (times arrive in
/// runs of the same day).
#[derive(Default)]
struct LocalDays {
    last: Option<(i64, i64, String)>,
}

impl LocalDays {
    /// The local day holding `t`: its first second, the first second of the next day, and
    /// its date (YYYY-MM-DD).
    fn bounds(&mut self, t: i64) -> (i64, i64, String) {
        if let Some((lo, hi, day)) = &self.last {
            if (*lo..*hi).contains(&t) {
                return (*lo, *hi, day.clone());
            }
        }
        let Some(date) = Local.timestamp_opt(t, 0).single().map(|d| d.date_naive()) else {
            return (t, t + 1, String::new());
        };
        let lo = local_midnight(date).unwrap_or(t).min(t);
        let hi = date
            .succ_opt()
            .and_then(|next| local_midnight(next).ok())
            .unwrap_or(t + 1)
            .max(t + 1);
        let day = date.to_string();
        self.last = Some((lo, hi, day.clone()));
        (lo, hi, day)
    }
}

/// The local days `[lo, hi)` covers, each as (date, first second, end), the first and last
/// clipped to the span. At most 10,000 days (3 bound values a day stay far below SQLite's
/// limit of variables).
fn local_days_between(lo: i64, hi: i64) -> Vec<(String, i64, i64)> {
    let mut days = Vec::new();
    let mut local = LocalDays::default();
    let mut t = lo;
    while t < hi && days.len() < 10_000 {
        let (_, end, day) = local.bounds(t);
        days.push((day, t, end.min(hi)));
        t = end;
    }
    days
}

/// The days a query sums over, as one JSON array of `[day, lo, hi]` (read by `json_each`, so
/// the query text stays fixed whatever the number of days).
fn days_json(days: &[(String, i64, i64)]) -> String {
    serde_json::Value::from(
        days.iter()
            .map(|(day, lo, hi)| serde_json::json!([day, lo, hi]))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

/// The local days of the range that hold spend, as quarter-hour bounds (`[lo, hi)` in
/// quarters). A range open at either end is closed by the first or last spend.
async fn quarter_days(store: &Store, range: &SpendRange) -> Result<Vec<(String, i64, i64)>> {
    // Two subqueries: each is one step down the index (MIN and MAX together scan it).
    let r = sqlx::query!(
        r#"SELECT (SELECT MIN(quarter) FROM api_call_quarters) AS "first?: i64",
                  (SELECT MAX(quarter) FROM api_call_quarters) AS "last?: i64""#,
    )
    .fetch_one(store.pool())
    .await?;
    let (first, last) = (r.first, r.last);
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(Vec::new());
    };
    let lo = range
        .since
        .map_or(first * QUARTER_HOUR, |s| s.max(first * QUARTER_HOUR));
    let hi = range.until.map_or((last + 1) * QUARTER_HOUR, |u| {
        u.min((last + 1) * QUARTER_HOUR)
    });
    Ok(local_days_between(lo, hi)
        .into_iter()
        .map(|(day, lo, hi)| {
            (
                day,
                lo.div_euclid(QUARTER_HOUR),
                (hi + QUARTER_HOUR - 1).div_euclid(QUARTER_HOUR),
            )
        })
        .collect())
}

/// Posts answered per local day in the range: one counted index range per day, so a year
/// of items is never sorted.
async fn posts_per_day(store: &Store, range: &SpendRange) -> Result<Vec<(String, i64)>> {
    let r = sqlx::query!(
        r#"SELECT (SELECT MIN(finished_at) FROM run_items WHERE state = 'done') AS "first?: i64",
                  (SELECT MAX(finished_at) FROM run_items WHERE state = 'done') AS "last?: i64""#,
    )
    .fetch_one(store.pool())
    .await?;
    let (first, last) = (r.first, r.last);
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(Vec::new());
    };
    let lo = range.since.map_or(first, |s| s.max(first));
    let hi = range.until.map_or(last + 1, |u| u.min(last + 1));
    let days = local_days_between(lo, hi);
    if days.is_empty() {
        return Ok(Vec::new());
    }
    let days = days_json(&days);
    // Run items are joined to their runs only when a project is asked for (the join costs a
    // lookup per item: a third of a second over a million items).
    let rows = match range.project_id {
        None => sqlx::query!(
            r#"WITH d(day, lo, hi) AS (
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
                 FROM json_each(?1))
               SELECT d.day AS "day!: String",
                      (SELECT COUNT(*) FROM run_items i
                       WHERE i.state = 'done' AND i.finished_at >= d.lo AND i.finished_at < d.hi) AS "posts!: i64"
               FROM d"#,
            days,
        )
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|r| (r.day, r.posts))
        .collect::<Vec<_>>(),
        Some(project) => sqlx::query!(
            r#"WITH d(day, lo, hi) AS (
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
                 FROM json_each(?1))
               SELECT d.day AS "day!: String",
                      (SELECT COUNT(*) FROM run_items i JOIN runs r ON r.id = i.run_id
                       WHERE i.state = 'done' AND i.finished_at >= d.lo AND i.finished_at < d.hi
                         AND r.project_id = ?2) AS "posts!: i64"
               FROM d"#,
            days,
            project,
        )
        .fetch_all(store.pool())
        .await?
        .into_iter()
        .map(|r| (r.day, r.posts))
        .collect(),
    };
    Ok(rows.into_iter().filter(|(_, n)| *n > 0).collect())
}

/// The headline numbers of the Costs screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpendOverview {
    /// Since the first of this local month (all projects, or the range's project).
    pub month_to_date_picos: i64,
    pub range_total_picos: i64,
    pub range_calls: i64,
    /// Posts that got reply drafts in the range.
    pub range_posts_answered: i64,
    /// `range_total_picos / range_posts_answered`, when any post was answered.
    pub avg_picos_per_post: Option<i64>,
}

pub async fn overview(store: &Store, range: &SpendRange, now: i64) -> Result<SpendOverview> {
    let month = SpendRange {
        project_id: range.project_id,
        since: Some(month_start(now)?),
        until: None,
    };
    let month_to_date_picos = total(store, &month).await?.1;
    let (range_calls, range_total_picos) = total(store, range).await?;
    let range_posts_answered = posts_answered(store, range).await?;
    Ok(SpendOverview {
        month_to_date_picos,
        range_total_picos,
        range_calls,
        range_posts_answered,
        avg_picos_per_post: (range_posts_answered > 0)
            .then(|| range_total_picos / range_posts_answered),
    })
}

/// Local midnight on the first day of the month containing `now`.
pub fn month_start(now: i64) -> Result<i64> {
    let today = Local
        .timestamp_opt(now, 0)
        .single()
        .map(|t| t.date_naive())
        .ok_or_else(|| FinderError::InvalidInput(format!("{now} is not a time.")))?;
    local_midnight(today.with_day(1).unwrap_or(today))
}

async fn total(store: &Store, range: &SpendRange) -> Result<(i64, i64)> {
    let (lo, hi) = range.quarters();
    let r = sqlx::query!(
        r#"SELECT coalesce(SUM(q.calls), 0) AS "calls!: i64", coalesce(SUM(q.cost_picos), 0) AS "cost!: i64"
           FROM api_call_quarters q
           WHERE (?1 IS NULL OR q.project_id = ?1) AND q.quarter >= ?2 AND q.quarter < ?3"#,
        range.project_id,
        lo,
        hi,
    )
    .fetch_one(store.pool())
    .await?;
    Ok((r.calls, r.cost))
}

/// Posts whose run item finished "done" (replies drafted) inside the range. Run items are
/// joined to their runs only when a project is asked for (the join costs a lookup per item: a
/// third of a second over a million items).
async fn posts_answered(store: &Store, range: &SpendRange) -> Result<i64> {
    let (since, until) = range.seconds();
    Ok(match range.project_id {
        None => {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM run_items i
                   WHERE i.state = 'done' AND i.finished_at >= ?1 AND i.finished_at < ?2"#,
                since,
                until,
            )
            .fetch_one(store.pool())
            .await?
        }
        Some(project) => {
            sqlx::query_scalar!(
                r#"SELECT COUNT(*) AS "n!: i64" FROM run_items i JOIN runs r ON r.id = i.run_id
                   WHERE i.state = 'done' AND r.project_id = ?1
                     AND i.finished_at >= ?2 AND i.finished_at < ?3"#,
                project,
                since,
                until,
            )
            .fetch_one(store.pool())
            .await?
        }
    })
}

/// One run's cost, for the runs table and the per-run chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct RunSpend {
    pub run_id: i64,
    pub project: String,
    pub status: String,
    pub created_at: i64,
    pub model: String,
    pub succeeded: i64,
    pub failed: i64,
    pub calls: i64,
    pub cost_picos: i64,
    pub avg_picos_per_post: Option<i64>,
    #[cfg_attr(feature = "specta", specta(type = crate::FiniteNumber))]
    pub elapsed_s: f64,
}

/// Runs started in the range (newest first) with what each cost.
pub async fn per_run(store: &Store, range: &SpendRange) -> Result<Vec<RunSpend>> {
    let (since, until) = range.seconds();
    let rows = sqlx::query!(
        r#"SELECT r.id AS "id!: i64", p.name, r.status, r.created_at, r.elapsed_ms,
                coalesce(json_extract(r.settings_json, '$.model'), '') AS "model!: String",
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'done') AS "done!: i64",
                (SELECT COUNT(*) FROM run_items i WHERE i.run_id = r.id AND i.state = 'failed') AS "failed!: i64",
                -- Calls and cost in one pass over the run's ledger rows (one index range).
                (SELECT json_array(COUNT(*), coalesce(SUM(c.cost_picos), 0))
                   FROM api_calls c WHERE c.run_id = r.id) AS "calls_cost!: String"
         FROM runs r JOIN projects p ON p.id = r.project_id
         WHERE (?1 IS NULL OR r.project_id = ?1) AND r.created_at >= ?2 AND r.created_at < ?3
         ORDER BY r.id DESC"#,
        range.project_id,
        since,
        until,
    )
    .fetch_all(store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let done = r.done;
            let (calls, cost) = serde_json::from_str::<(i64, i64)>(&r.calls_cost).unwrap_or((0, 0));
            RunSpend {
                run_id: r.id,
                project: r.name,
                status: r.status,
                created_at: r.created_at,
                model: r.model,
                succeeded: done,
                failed: r.failed,
                calls,
                cost_picos: cost,
                avg_picos_per_post: (done > 0).then(|| cost / done),
                elapsed_s: r.elapsed_ms as f64 / 1000.0,
            }
        })
        .collect())
}

/// The average cost of a post that got replies, per local day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DayAverage {
    pub day: String,
    /// Posts whose replies were drafted that day.
    pub posts: i64,
    /// Spend that day on reply drafting (generation calls made by runs).
    pub cost_picos: i64,
    /// `cost_picos / posts`; `None` on a day with spend but no post finished.
    pub avg_picos_per_post: Option<i64>,
}

/// Average cost per succeeded post, per local day. Only generation calls made by runs count
/// (embeddings and example suggestions are not per-post work).
pub async fn average_per_post(store: &Store, range: &SpendRange) -> Result<Vec<DayAverage>> {
    let mut days: std::collections::BTreeMap<String, (i64, i64)> = Default::default();
    let bounds = quarter_days(store, range).await?;
    if !bounds.is_empty() {
        let (lo, hi) = range.quarters();
        let bounds = days_json(&bounds);
        let rows = sqlx::query!(
            r#"WITH d(day, lo, hi) AS (
                 SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]')
                 FROM json_each(?1))
               SELECT d.day AS "day!: String", SUM(q.cost_picos) AS "cost!: i64"
               FROM d CROSS JOIN api_call_quarters q
               WHERE q.quarter >= d.lo AND q.quarter < d.hi
                 AND (?2 IS NULL OR q.project_id = ?2) AND q.quarter >= ?3 AND q.quarter < ?4
                 AND q.in_run = 1 AND q.endpoint = 'generate'
               GROUP BY d.day"#,
            bounds,
            range.project_id,
            lo,
            hi,
        )
        .fetch_all(store.pool())
        .await?;
        for r in rows {
            days.entry(r.day).or_default().1 += r.cost;
        }
    }
    for (day, posts) in posts_per_day(store, range).await? {
        days.entry(day).or_default().0 += posts;
    }
    Ok(days
        .into_iter()
        .map(|(day, (posts, cost_picos))| DayAverage {
            day,
            posts,
            cost_picos,
            avg_picos_per_post: (posts > 0).then(|| cost_picos / posts),
        })
        .collect())
}

pub const CSV_COLUMNS: [&str; 12] = [
    "date",
    "project",
    "model",
    "endpoint",
    "run_id",
    "calls",
    "prompt_tokens",
    "cached_tokens",
    "output_tokens",
    "thinking_tokens",
    "cost_usd",
    "cost_picodollars",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CostsCsvReport {
    pub rows: usize,
    pub total_picos: i64,
}

/// Writes the ledger in the range, one row per local day, project, model, endpoint and run,
/// oldest first. Spreadsheet-safe like the opportunities export; the file is written aside and
/// renamed into place. Dollars are exact decimals (no float rounding).
pub async fn export_csv(
    store: &Store,
    range: &SpendRange,
    out: &Path,
    bom: bool,
) -> Result<CostsCsvReport> {
    let (since, until) = range.seconds();
    let rows = sqlx::query!(
        r#"SELECT date(c.called_at, 'unixepoch', 'localtime') AS "day!: String",
                coalesce(p.name, '') AS "project!: String", c.model, c.endpoint, c.run_id,
                COUNT(*) AS "calls!: i64", SUM(c.prompt_tokens) AS "prompt!: i64",
                SUM(c.cached_tokens) AS "cached!: i64", SUM(c.output_tokens) AS "output!: i64",
                SUM(c.thinking_tokens) AS "thinking!: i64", SUM(c.cost_picos) AS "cost!: i64"
         FROM api_calls c LEFT JOIN projects p ON p.id = c.project_id
         WHERE (?1 IS NULL OR c.project_id = ?1) AND c.called_at >= ?2 AND c.called_at < ?3
         GROUP BY 1, 2, c.model, c.endpoint, c.run_id
         ORDER BY 1, 2, c.model, c.endpoint, coalesce(c.run_id, 0)"#,
        range.project_id,
        since,
        until,
    )
    .fetch_all(store.pool())
    .await?;
    let mut total_picos = 0i64;
    write_file(out, bom, |w| {
        w.write_record(CSV_COLUMNS)?;
        for r in &rows {
            let cost = r.cost;
            total_picos += cost;
            let run: Option<i64> = r.run_id;
            w.write_record([
                r.day.clone(),
                spreadsheet_safe(&r.project).into_owned(),
                spreadsheet_safe(&r.model).into_owned(),
                spreadsheet_safe(&r.endpoint).into_owned(),
                run.map(|id| id.to_string()).unwrap_or_default(),
                r.calls.to_string(),
                r.prompt.to_string(),
                r.cached.to_string(),
                r.output.to_string(),
                r.thinking.to_string(),
                picos_as_dollars(cost),
                cost.to_string(),
            ])?;
        }
        Ok(())
    })?;
    Ok(CostsCsvReport {
        rows: rows.len(),
        total_picos,
    })
}

/// Pico-dollars as an exact decimal dollar amount: 34_100_000_000 → "0.0341".
pub fn picos_as_dollars(picos: i64) -> String {
    let sign = if picos < 0 { "-" } else { "" };
    let abs = picos.unsigned_abs();
    let whole = abs / 1_000_000_000_000;
    let fraction = format!("{:012}", abs % 1_000_000_000_000);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        format!("{sign}{whole}.00")
    } else if fraction.len() == 1 {
        format!("{sign}{whole}.{fraction}0")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_are_exact() {
        assert_eq!(picos_as_dollars(0), "0.00");
        assert_eq!(picos_as_dollars(34_100_000_000), "0.0341");
        assert_eq!(picos_as_dollars(1), "0.000000000001");
        assert_eq!(picos_as_dollars(12_500_000_000_000), "12.50");
        assert_eq!(picos_as_dollars(-5_000_000_000), "-0.005");
    }

    #[test]
    fn date_ranges_are_inclusive_local_days() {
        let r = SpendRange::from_local_dates(None, Some("2026-11-01"), Some("2026-11-01")).unwrap();
        let (since, until) = (r.since.unwrap(), r.until.unwrap());
        assert!(until - since >= 23 * 3600 && until - since <= 25 * 3600);
        assert!(
            SpendRange::from_local_dates(None, Some("2026-11-02"), Some("2026-11-01")).is_err()
        );
        assert!(SpendRange::from_local_dates(None, Some("Nov 1"), None).is_err());
    }
}
