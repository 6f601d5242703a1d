-- Runs that stop on their own for a reason the user can act on: their status stays
-- 'interrupted' (resumable) and this says why, so the app can offer the right action.
--   budget       a spending cap was reached; resume after raising it
--   daily_quota  Google's daily request allowance is used up; resume at `resume_at`
ALTER TABLE runs ADD COLUMN stop_reason TEXT;
-- When a run waiting for the daily quota may go on (unix seconds: midnight Pacific).
ALTER TABLE runs ADD COLUMN resume_at INTEGER;
-- The forecast shown before the run started (JSON), kept to compare with what it cost.
ALTER TABLE runs ADD COLUMN forecast_json TEXT;

-- Long prompts cost more on some models: above `long_threshold_tokens` of prompt, the long
-- prices apply to the whole call. NULL where a model has one price.
ALTER TABLE prices ADD COLUMN long_threshold_tokens INTEGER;
ALTER TABLE prices ADD COLUMN long_input_micros_per_mtok INTEGER;
ALTER TABLE prices ADD COLUMN long_output_micros_per_mtok INTEGER;
ALTER TABLE prices ADD COLUMN long_cached_micros_per_mtok INTEGER;

-- Published list prices for the Gemini 3 models and 2.5 Pro's long-prompt tier (USD per 1M
-- tokens, standard rate, text; thinking is billed as output), as of 2026-12-02.
UPDATE prices SET long_threshold_tokens = 200000, long_input_micros_per_mtok = 2500000,
    long_output_micros_per_mtok = 15000000, long_cached_micros_per_mtok = 250000
    WHERE model = 'gemini-2.5-pro';
INSERT INTO prices (model, input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok,
    effective_from, source, created_at, long_threshold_tokens, long_input_micros_per_mtok,
    long_output_micros_per_mtok, long_cached_micros_per_mtok) VALUES
    ('gemini-3-pro-preview',   2000000, 12000000, 200000, 0, 'published 2026-12-02', 0, 200000, 4000000, 18000000, 400000),
    ('gemini-3.1-pro-preview', 2000000, 12000000, 200000, 0, 'published 2026-12-02', 0, 200000, 4000000, 18000000, 400000),
    ('gemini-3-flash-preview',  500000,  3000000,  50000, 0, 'published 2026-12-02', 0, NULL, NULL, NULL, NULL);

-- Requests admitted by any process on this machine, per API key and model, so the app and
-- the command line together stay within one account's per-minute allowance. Rows older than
-- a minute are deleted as new ones are added. `key_tag` is a salted hash prefix of the key,
-- never the key.
CREATE TABLE admissions (
    key_tag     TEXT    NOT NULL,
    model       TEXT    NOT NULL,
    admitted_ms INTEGER NOT NULL,
    tokens      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX admissions_key_model ON admissions(key_tag, model, admitted_ms);

-- The process working on a run, so a resume can tell a run killed a moment ago (resumable)
-- from one another window or terminal is still running (refused).
ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
