-- Published list prices (USD per 1M tokens, standard rate, text), read from Google's pricing
-- page as transcribed on 2026-09-20. Stored as integer micro-dollars per million tokens.
-- gemini-2.0-flash's cached rate is unconfirmed (0.025 assumed); 2.0-flash-lite has no
-- cache discount. Users can add newer rows with `comment-finder prices set`.
INSERT INTO prices (model, input_micros_per_mtok, output_micros_per_mtok, cached_micros_per_mtok, effective_from, source, created_at) VALUES
    ('gemini-2.5-pro',        1250000, 10000000, 125000, 0, 'published 2026-09-20', 0),
    ('gemini-2.5-flash',       300000,  2500000,  30000, 0, 'published 2026-09-20', 0),
    ('gemini-2.5-flash-lite',  100000,   400000,  10000, 0, 'published 2026-09-20', 0),
    ('gemini-2.0-flash',       100000,   400000,  25000, 0, 'published 2026-09-20', 0),
    ('gemini-2.0-flash-lite',   75000,   300000,  75000, 0, 'published 2026-09-20', 0),
    ('gemini-embedding-001',   150000,        0, 150000, 0, 'published 2026-09-20', 0);

-- Wall time spent working on a run, summed over every start and resume.
ALTER TABLE runs ADD COLUMN elapsed_ms INTEGER NOT NULL DEFAULT 0;
