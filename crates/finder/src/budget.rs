//! Spending caps that cannot be overspent: per run, per project per calendar month, and
//! overall per calendar month.
//!
//! Before a request is sent, its worst-case cost (the estimated input plus its whole
//! `maxOutputTokens` at the output price) is *reserved* against every cap that applies; the
//! reservation is released once the call's real cost is in the ledger. A request that cannot
//! be reserved is not sent, so recorded spend never passes a cap, not even through requests
//! in flight. Reservations are shared by every run of this process.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use chrono::{Datelike, TimeZone};
use serde::{Deserialize, Serialize};

use crate::error::{FinderError, Result};
use crate::prices::{BilledTokens, Price};
use crate::store::Store;

/// Settings keys: the overall monthly cap, and a project's (suffixed with its id).
pub const MONTHLY_BUDGET_SETTING: &str = "monthly_budget_picos";
const PROJECT_BUDGET_PREFIX: &str = "project_monthly_budget_picos:";

// The caps as plain values (which cap, how much is used, the one a request would cross) live
// in `caps`, below the error type that carries them.
use crate::caps::cap_use;
pub use crate::caps::{BudgetReached, CapScope, CapUse, ALERT_SHARE};

/// The caps that apply to one run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Caps {
    pub run: Option<i64>,
    pub project_month: Option<i64>,
    pub month: Option<i64>,
}

fn project_key(project_id: i64) -> String {
    format!("{PROJECT_BUDGET_PREFIX}{project_id}")
}

/// The overall monthly cap, if one is set.
pub async fn monthly_budget(store: &Store) -> Result<Option<i64>> {
    Ok(store
        .setting(MONTHLY_BUDGET_SETTING)
        .await?
        .and_then(|v| v.as_i64()))
}

/// A project's monthly cap, if one is set.
pub async fn project_monthly_budget(store: &Store, project_id: i64) -> Result<Option<i64>> {
    Ok(store
        .setting(&project_key(project_id))
        .await?
        .and_then(|v| v.as_i64()))
}

fn checked_cap(cap: Option<i64>) -> Result<Option<i64>> {
    match cap {
        Some(c) if c <= 0 => Err(FinderError::InvalidInput(
            "A budget must be more than $0 (or empty for no cap).".into(),
        )),
        other => Ok(other),
    }
}

/// Sets (or with `None` removes) the overall monthly cap.
pub async fn set_monthly_budget(store: &Store, cap_picos: Option<i64>) -> Result<()> {
    let cap = checked_cap(cap_picos)?;
    store
        .set_setting(MONTHLY_BUDGET_SETTING, &serde_json::json!(cap))
        .await
}

/// Sets (or with `None` removes) a project's monthly cap.
pub async fn set_project_monthly_budget(
    store: &Store,
    project_id: i64,
    cap_picos: Option<i64>,
) -> Result<()> {
    let cap = checked_cap(cap_picos)?;
    store
        .set_setting(&project_key(project_id), &serde_json::json!(cap))
        .await
}

/// The unix time at which the local calendar month containing `now` began.
pub fn month_start(now: i64) -> i64 {
    let local = chrono::Local
        .timestamp_opt(now, 0)
        .single()
        .unwrap_or_default();
    chrono::Local
        .with_ymd_and_hms(local.year(), local.month(), 1, 0, 0, 0)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or(now)
}

async fn spent(
    store: &Store,
    scope: CapScope,
    run_id: Option<i64>,
    project_id: Option<i64>,
    now: i64,
) -> Result<i64> {
    let since = month_start(now);
    let pool = store.pool();
    Ok(match scope {
        CapScope::Run => {
            sqlx::query_scalar!(
                r#"SELECT coalesce(SUM(cost_picos), 0) AS "spent!: i64" FROM api_calls WHERE run_id = ?"#,
                run_id,
            )
            .fetch_one(pool)
            .await?
        }
        CapScope::ProjectMonth => {
            sqlx::query_scalar!(
                r#"SELECT coalesce(SUM(cost_picos), 0) AS "spent!: i64" FROM api_calls
                   WHERE project_id = ? AND called_at >= ?"#,
                project_id,
                since,
            )
            .fetch_one(pool)
            .await?
        }
        CapScope::Month => {
            sqlx::query_scalar!(
                r#"SELECT coalesce(SUM(cost_picos), 0) AS "spent!: i64" FROM api_calls WHERE called_at >= ?"#,
                since,
            )
            .fetch_one(pool)
            .await?
        }
    })
}

/// Monthly caps and their use, for the app's banner and the CLI's warnings.
pub async fn monthly_use(store: &Store, project_id: Option<i64>, now: i64) -> Result<Vec<CapUse>> {
    let mut out = Vec::new();
    if let Some(cap) = monthly_budget(store).await? {
        let s = spent(store, CapScope::Month, None, None, now).await?;
        out.push(cap_use(CapScope::Month, s, cap));
    }
    if let Some(project_id) = project_id {
        if let Some(cap) = project_monthly_budget(store, project_id).await? {
            let s = spent(store, CapScope::ProjectMonth, None, Some(project_id), now).await?;
            out.push(cap_use(CapScope::ProjectMonth, s, cap));
        }
    }
    Ok(out)
}

/// The most a request can cost: its estimated input, all of it uncached, and its whole
/// output allowance, at the prices of the tier its prompt falls in.
pub fn worst_case_picos(price: &Price, input_tokens: u64, max_output_tokens: u64) -> i64 {
    // Estimates of input are ≈ 4 characters a token; real counts run a little higher for
    // short words and emoji, so a quarter more is reserved.
    let input = input_tokens + input_tokens / 4 + 16;
    price.cost_picos(&BilledTokens {
        prompt: input,
        cached: 0,
        output: max_output_tokens,
        thinking: 0,
    })
}

/// What a reservation is held against: a scope of one database (a process may open several).
#[derive(Clone, PartialEq, Eq, Hash)]
enum BookKey {
    Run(std::path::PathBuf, i64),
    Project(std::path::PathBuf, i64),
    All(std::path::PathBuf),
}

/// Reservations in flight in this process, and the alerts already given this month.
#[derive(Default)]
struct Book {
    reserved: HashMap<BookKey, i64>,
    alerted: HashMap<(BookKey, i64), u8>,
}

fn book() -> &'static Mutex<Book> {
    static BOOK: OnceLock<Mutex<Book>> = OnceLock::new();
    BOOK.get_or_init(Default::default)
}

/// Serialises reservations so two requests cannot both fit under a cap that holds one.
fn gate() -> &'static tokio::sync::Mutex<()> {
    static GATE: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();
    GATE.get_or_init(Default::default)
}

/// The spending caps of one run (or of planning calls made for a project).
#[derive(Clone)]
pub struct Budget {
    store: Store,
    run_id: Option<i64>,
    project_id: Option<i64>,
    caps: Caps,
    wall_clock: fn() -> i64,
}

/// Money held for one request until its real cost is in the ledger; released on drop.
#[must_use]
pub struct Reservation {
    held: Vec<(BookKey, i64)>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let mut book = book().lock().unwrap_or_else(|p| p.into_inner());
        for (key, amount) in &self.held {
            if let Some(r) = book.reserved.get_mut(key) {
                *r -= amount;
            }
        }
    }
}

/// What a reservation found besides room: a monthly cap passing the alert share.
#[derive(Debug, Clone, PartialEq)]
pub struct Reserved {
    pub alerts: Vec<CapUse>,
}

/// A request that does not fit, with the alerts found on the way.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    pub reached: BudgetReached,
    pub alerts: Vec<CapUse>,
}

impl Budget {
    /// The caps of a run: its own cap plus the project's and the overall monthly caps as
    /// they are set now.
    pub async fn load(
        store: &Store,
        run_id: Option<i64>,
        project_id: Option<i64>,
        run_cap: Option<i64>,
        wall_clock: fn() -> i64,
    ) -> Result<Budget> {
        let project_month = match project_id {
            Some(id) => project_monthly_budget(store, id).await?,
            None => None,
        };
        Ok(Budget {
            store: store.clone(),
            run_id,
            project_id,
            caps: Caps {
                run: run_cap,
                project_month,
                month: monthly_budget(store).await?,
            },
            wall_clock,
        })
    }

    /// The caps of a stored run (its own cap from its settings).
    pub async fn for_run(
        store: &Store,
        run_id: i64,
        project_id: i64,
        run_cap: Option<i64>,
        wall_clock: fn() -> i64,
    ) -> Result<Budget> {
        Budget::load(store, Some(run_id), Some(project_id), run_cap, wall_clock).await
    }

    /// Holds `worst_picos` against every cap, or says which cap it would cross.
    pub async fn reserve(
        &self,
        worst_picos: i64,
    ) -> Result<std::result::Result<(Reservation, Reserved), Refused>> {
        let worst = worst_picos.max(0);
        let _turn = gate().lock().await;
        let now = (self.wall_clock)();
        let month = month_start(now);
        let mut checks: Vec<(CapScope, BookKey, i64)> = Vec::new();
        let db = self.store.path().to_path_buf();
        if let (Some(cap), Some(run)) = (self.caps.run, self.run_id) {
            checks.push((CapScope::Run, BookKey::Run(db.clone(), run), cap));
        }
        if let (Some(cap), Some(project)) = (self.caps.project_month, self.project_id) {
            checks.push((
                CapScope::ProjectMonth,
                BookKey::Project(db.clone(), project),
                cap,
            ));
        }
        if let Some(cap) = self.caps.month {
            checks.push((CapScope::Month, BookKey::All(db), cap));
        }
        let mut spent_by = Vec::with_capacity(checks.len());
        let mut refused = None;
        // Batch jobs at Google hold their worst case in the database (across restarts and
        // processes) until their answers are in the ledger. Most requests are sent while no
        // job is open: one look then spares a query per cap.
        let jobs_hold = !checks.is_empty() && batch_jobs_open(&self.store).await?;
        for (scope, key, cap) in &checks {
            let recorded = spent(&self.store, *scope, self.run_id, self.project_id, now).await?;
            let held = match scope {
                _ if !jobs_hold => 0,
                CapScope::Run => held_picos(&self.store, self.run_id, None, 0).await?,
                CapScope::ProjectMonth => {
                    held_picos(&self.store, None, self.project_id, month).await?
                }
                CapScope::Month => held_picos(&self.store, None, None, month).await?,
            };
            let in_flight = book()
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .reserved
                .get(key)
                .copied()
                .unwrap_or(0)
                .saturating_add(held);
            // Recorded spend can pass the cap only through prices edited mid-run; then
            // nothing more is sent either.
            if refused.is_none() && recorded.saturating_add(in_flight).saturating_add(worst) > *cap
            {
                refused = Some(BudgetReached {
                    scope: *scope,
                    spent_picos: recorded,
                    cap_picos: *cap,
                });
            }
            spent_by.push(recorded);
        }
        let mut book = book().lock().unwrap_or_else(|p| p.into_inner());
        let mut alerts = Vec::new();
        for ((scope, key, cap), recorded) in checks.iter().zip(&spent_by) {
            if *scope == CapScope::Run {
                continue;
            }
            // Alert once per month and level (80%, then 100%) on what is recorded.
            let usage = cap_use(*scope, *recorded, *cap);
            let level = if usage.share >= 1.0 {
                2
            } else if usage.share >= ALERT_SHARE {
                1
            } else {
                0
            };
            let given = book.alerted.entry((key.clone(), month)).or_default();
            if level > *given {
                *given = level;
                alerts.push(usage);
            }
        }
        if let Some(reached) = refused {
            return Ok(Err(Refused { reached, alerts }));
        }
        let mut held = Vec::with_capacity(checks.len());
        for (_, key, _) in &checks {
            *book.reserved.entry(key.clone()).or_default() += worst;
            held.push((key.clone(), worst));
        }
        Ok(Ok((Reservation { held }, Reserved { alerts })))
    }
}

/// Whether any batch job still holds money (its answers are not all in the ledger yet).
async fn batch_jobs_open(store: &Store) -> Result<bool> {
    Ok(sqlx::query_scalar!(
        r#"SELECT EXISTS(SELECT 1 FROM batch_jobs WHERE settled = 0) AS "open!: bool""#
    )
    .fetch_one(store.pool())
    .await?)
}

/// Money held by batch jobs whose answers are not all in the ledger yet, for a budget scope:
/// a run, a project (this month), or everything (this month).
async fn held_picos(
    store: &Store,
    run_id: Option<i64>,
    project_id: Option<i64>,
    since: i64,
) -> Result<i64> {
    let held: i64 = sqlx::query_scalar!(
        r#"SELECT coalesce(SUM(j.reserved_picos), 0) AS "held!: i64"
           FROM batch_jobs j JOIN runs r ON r.id = j.run_id
           WHERE j.settled = 0 AND j.created_at >= ?3
             AND (?1 IS NULL OR j.run_id = ?1) AND (?2 IS NULL OR r.project_id = ?2)"#,
        run_id,
        project_id,
        since,
    )
    .fetch_one(store.pool())
    .await?;
    Ok(held)
}
