-- Batch mode: the same requests answered by Google's Batch API at half price, within hours.

-- Batch prices per model (USD per 1M tokens as integer micro-dollars, like the standard ones),
-- dated by `batch_source`. NULL means "half the standard price" (Google's published rule).
ALTER TABLE prices ADD COLUMN batch_input_micros_per_mtok INTEGER;
ALTER TABLE prices ADD COLUMN batch_output_micros_per_mtok INTEGER;
ALTER TABLE prices ADD COLUMN batch_cached_micros_per_mtok INTEGER;
ALTER TABLE prices ADD COLUMN batch_source TEXT;
UPDATE prices SET
    batch_input_micros_per_mtok = input_micros_per_mtok / 2,
    batch_output_micros_per_mtok = output_micros_per_mtok / 2,
    batch_cached_micros_per_mtok = cached_micros_per_mtok / 2,
    batch_source = 'published 2026-12-02: Batch API at 50% of the standard price';

-- One row per batch job a run submitted (or is about to submit). A row is written with its
-- display name *before* the job is created, so a process killed between creating the job and
-- storing its name finds the job again by that name instead of submitting it twice.
CREATE TABLE batch_jobs (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    display_name   TEXT    NOT NULL UNIQUE,
    model          TEXT    NOT NULL,
    -- Google's name (batches/...), NULL until the creation answer is stored.
    name           TEXT,
    -- unsubmitted, pending, running, succeeded, failed, cancelled, expired
    state          TEXT    NOT NULL DEFAULT 'unsubmitted',
    requests       INTEGER NOT NULL,
    answered       INTEGER NOT NULL DEFAULT 0,
    failed         INTEGER NOT NULL DEFAULT 0,
    -- Worst-case cost held against the budgets until the job's answers are in the ledger.
    reserved_picos INTEGER NOT NULL DEFAULT 0,
    -- 1 once every answer of a final job is stored (or the job ended without answers).
    settled        INTEGER NOT NULL DEFAULT 0,
    error          TEXT,
    created_at     INTEGER NOT NULL,
    submitted_at   INTEGER,
    checked_at     INTEGER,
    finished_at    INTEGER
);
CREATE INDEX batch_jobs_run ON batch_jobs(run_id);
CREATE INDEX batch_jobs_open ON batch_jobs(settled);

-- The requests of a job: which posts each carried, and whether its answer is stored (set in
-- the same transaction as the answer's ledger row and drafts, so nothing is stored twice).
CREATE TABLE batch_requests (
    job_id     INTEGER NOT NULL REFERENCES batch_jobs(id) ON DELETE CASCADE,
    key        TEXT    NOT NULL,
    position   INTEGER NOT NULL,
    post_ids   TEXT    NOT NULL,   -- JSON array of post ids
    applied_at INTEGER,
    PRIMARY KEY (job_id, key)
) WITHOUT ROWID;
