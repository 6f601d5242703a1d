-- The Costs screen over a large ledger (a million calls): the day, group and cost of every
-- call in a date range come from one index without touching the table; a run's calls and
-- cost likewise; posts answered in a range from the done items by finish time.
CREATE INDEX api_calls_day ON api_calls(called_at, model, project_id, endpoint, run_id, cost_picos);
DROP INDEX api_calls_run;
CREATE INDEX api_calls_run_cost ON api_calls(run_id, cost_picos);
CREATE INDEX run_items_done ON run_items(state, finished_at);
