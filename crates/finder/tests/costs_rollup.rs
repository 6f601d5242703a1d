//! The Costs screen reads spend from per-quarter-hour sums kept by triggers; they must always
//! agree with the ledger itself: after inserts, a deleted project (its calls become "no
//! project"), a deleted run and an edited row, for every range and grouping.

mod common;

use std::collections::BTreeMap;

use common::*;
use finder::spend::{self, SpendRange, StackBy};

const DAY: i64 = 86_400;

async fn naive_by_day(
    db: &TestDb,
    group: &str,
    range: &SpendRange,
) -> BTreeMap<(String, String), (i64, i64)> {
    let mut sql = format!(
        "SELECT date(c.called_at, 'unixepoch', 'localtime'), {group}, COUNT(*), SUM(c.cost_picos)
         FROM api_calls c LEFT JOIN projects p ON p.id = c.project_id WHERE 1 = 1"
    );
    if let Some(p) = range.project_id {
        sql.push_str(&format!(" AND c.project_id = {p}"));
    }
    if let Some(s) = range.since {
        sql.push_str(&format!(" AND c.called_at >= {s}"));
    }
    if let Some(u) = range.until {
        sql.push_str(&format!(" AND c.called_at < {u}"));
    }
    sql.push_str(" GROUP BY 1, 2");
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(&sql)
        .fetch_all(db.store.pool())
        .await
        .unwrap();
    rows.into_iter()
        .map(|(d, g, n, c)| ((d, g), (n, c)))
        .collect()
}

async fn check(db: &TestDb, ranges: &[SpendRange]) {
    for range in ranges {
        for (stack, group) in [
            (StackBy::Model, "c.model"),
            (StackBy::Project, "coalesce(p.name, '(no project)')"),
        ] {
            let fast: BTreeMap<_, _> = spend::by_day(&db.store, range, stack)
                .await
                .unwrap()
                .into_iter()
                .map(|d| ((d.day, d.group), (d.calls, d.cost_picos)))
                .collect();
            assert_eq!(
                fast,
                naive_by_day(db, group, range).await,
                "{range:?} {stack:?}"
            );
        }
        let o = spend::overview(&db.store, range, NOW).await.unwrap();
        let naive: i64 = naive_by_day(db, "c.model", range)
            .await
            .values()
            .map(|v| v.1)
            .sum();
        assert_eq!(o.range_total_picos, naive, "{range:?}");
    }
}

#[tokio::test]
async fn quarter_sums_match_the_ledger() {
    let db = db().await;
    let a = project(&db, "Alpha").await;
    let b = project(&db, "Beta").await;
    let run: i64 = sqlx::query_scalar(
        "INSERT INTO runs (project_id, status, settings_json, created_at) VALUES (?, 'finished', '{}', ?) RETURNING id",
    )
    .bind(a.id)
    .bind(NOW - 5 * DAY)
    .fetch_one(db.store.pool())
    .await
    .unwrap();
    // Calls every 7 minutes over ten days, across projects, models, endpoints and a run.
    for i in 0..2_000_i64 {
        let project = match i % 3 {
            0 => Some(a.id),
            1 => Some(b.id),
            _ => None,
        };
        sqlx::query(
            "INSERT INTO api_calls (run_id, project_id, called_at, model, endpoint, attempt, outcome, http_status,
                 latency_ms, input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok, cost_picos)
             VALUES (?, ?, ?, ?, ?, 1, 'ok', 200, 10, 1, 1, 1, ?)",
        )
        .bind((i % 4 == 0).then_some(run))
        .bind(project)
        .bind(NOW - 10 * DAY + i * 7 * 60 + (i % 13))
        .bind(if i % 5 == 0 { "gemini-2.5-pro" } else { "gemini-2.5-flash" })
        .bind(if i % 6 == 0 { "embed" } else { "generate" })
        .bind(1_000 + i)
        .execute(db.store.pool())
        .await
        .unwrap();
    }
    let ranges = [
        SpendRange::default(),
        SpendRange::from_local_dates(None, Some("2026-11-20"), Some("2026-11-24")).unwrap(),
        SpendRange::from_local_dates(Some(b.id), Some("2026-11-19"), None).unwrap(),
    ];
    check(&db, &ranges).await;

    // Edits the ledger can see: a deleted project, a deleted run, a corrected row.
    finder::projects::delete(&db.store, b.id, NOW)
        .await
        .unwrap();
    sqlx::query("DELETE FROM runs WHERE id = ?")
        .bind(run)
        .execute(db.store.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE api_calls SET cost_picos = cost_picos * 2, called_at = called_at + 3600 WHERE id % 10 = 0")
        .execute(db.store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM api_calls WHERE id % 17 = 0")
        .execute(db.store.pool())
        .await
        .unwrap();
    check(&db, &ranges).await;
}
