-- The Costs screen over a large ledger (a million calls answers in well under a second).
--
-- 1. Spend per quarter hour, project, model and endpoint, kept up to date by triggers, so the
--    charts and totals sum a few rows per quarter hour instead of every call. Quarter hours:
--    every time zone's local midnight falls on one, so local days are whole quarters.
CREATE TABLE api_call_quarters (
    quarter    INTEGER NOT NULL,   -- called_at / 900
    model      TEXT    NOT NULL,
    project_id INTEGER NOT NULL,   -- 0 outside any project (or once the project is deleted)
    endpoint   TEXT    NOT NULL,
    in_run     INTEGER NOT NULL,   -- 1 when a run made the call
    calls      INTEGER NOT NULL,
    cost_picos INTEGER NOT NULL,
    PRIMARY KEY (quarter, model, project_id, endpoint, in_run)
) WITHOUT ROWID;

INSERT INTO api_call_quarters
SELECT called_at / 900, model, coalesce(project_id, 0), endpoint, run_id IS NOT NULL,
       COUNT(*), SUM(cost_picos)
FROM api_calls
GROUP BY 1, 2, 3, 4, 5;

CREATE TRIGGER api_calls_quarters_insert AFTER INSERT ON api_calls BEGIN
    INSERT INTO api_call_quarters
    VALUES (new.called_at / 900, new.model, coalesce(new.project_id, 0), new.endpoint,
            new.run_id IS NOT NULL, 1, new.cost_picos)
    ON CONFLICT DO UPDATE SET calls = calls + 1, cost_picos = cost_picos + excluded.cost_picos;
END;

CREATE TRIGGER api_calls_quarters_delete AFTER DELETE ON api_calls BEGIN
    UPDATE api_call_quarters SET calls = calls - 1, cost_picos = cost_picos - old.cost_picos
    WHERE quarter = old.called_at / 900 AND model = old.model
      AND project_id = coalesce(old.project_id, 0) AND endpoint = old.endpoint
      AND in_run = (old.run_id IS NOT NULL);
END;

-- Also fired by the foreign keys' ON DELETE SET NULL (a deleted project or run).
CREATE TRIGGER api_calls_quarters_update
AFTER UPDATE OF called_at, model, project_id, endpoint, run_id, cost_picos ON api_calls BEGIN
    UPDATE api_call_quarters SET calls = calls - 1, cost_picos = cost_picos - old.cost_picos
    WHERE quarter = old.called_at / 900 AND model = old.model
      AND project_id = coalesce(old.project_id, 0) AND endpoint = old.endpoint
      AND in_run = (old.run_id IS NOT NULL);
    INSERT INTO api_call_quarters
    VALUES (new.called_at / 900, new.model, coalesce(new.project_id, 0), new.endpoint,
            new.run_id IS NOT NULL, 1, new.cost_picos)
    ON CONFLICT DO UPDATE SET calls = calls + 1, cost_picos = cost_picos + excluded.cost_picos;
END;

-- 2. A run's calls and cost from one index; posts answered in a range by finish time.
DROP INDEX api_calls_run;
CREATE INDEX api_calls_run_cost ON api_calls(run_id, cost_picos);
CREATE INDEX run_items_done ON run_items(state, finished_at);
-- A run's done and failed posts counted from a small index, not its whole rows.
CREATE INDEX run_items_run_state ON run_items(run_id, state);
