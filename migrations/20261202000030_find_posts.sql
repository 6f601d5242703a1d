-- Finding posts from inside the app (Apify tweet scraper, X API v2 recent search).

-- What reading posts costs, per post, dated and append-only like `prices` (a change adds a row;
-- ledger rows keep the price they used). Integer pico-dollars per post.
--   apify-tweet-scraper  an estimate only: a run's real cost is what Apify reports (usageTotalUsd)
--   x-api-recent-search  X's pay-per-use price for each post read
CREATE TABLE data_prices (
    id              INTEGER PRIMARY KEY,
    provider        TEXT    NOT NULL,
    picos_per_post  INTEGER NOT NULL,
    effective_from  INTEGER NOT NULL,
    source          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL
);
CREATE INDEX data_prices_provider ON data_prices(provider, effective_from);
INSERT INTO data_prices (provider, picos_per_post, effective_from, source, created_at) VALUES
    ('apify-tweet-scraper',   400000000, 0, 'published 2026-12-02 ($0.40 per 1,000 posts)', 0),
    ('x-api-recent-search',  5000000000, 0, 'published 2026-12-02 ($0.005 per post read)', 0);

-- A project's remembered searches: "Find new posts" runs one again and asks only for posts
-- newer than the newest one each term already brought.
CREATE TABLE saved_searches (
    id               INTEGER PRIMARY KEY,
    project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    request_json     TEXT    NOT NULL,   -- source, terms, filters, count per term
    -- per term: the newest post seen (unix time and X id), so a refresh asks only for newer
    cursors_json     TEXT    NOT NULL DEFAULT '{}',
    refresh_hours    INTEGER,            -- refresh every N hours while the app runs; NULL = never
    draft_new_greens INTEGER NOT NULL DEFAULT 0,
    last_fetched_at  INTEGER,
    created_at       INTEGER NOT NULL,
    UNIQUE (project_id, name)
);

-- One row per search (a Find posts click, a refresh, a CLI search), kept with what it brought.
CREATE TABLE searches (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    saved_search_id INTEGER REFERENCES saved_searches(id) ON DELETE SET NULL,
    source          TEXT    NOT NULL CHECK (source IN ('apify', 'x')),
    request_json    TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('running', 'finished', 'cancelled', 'failed')),
    started_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    found           INTEGER NOT NULL DEFAULT 0,
    added           INTEGER NOT NULL DEFAULT 0,
    updated         INTEGER NOT NULL DEFAULT 0,
    skipped         INTEGER NOT NULL DEFAULT 0,
    filtered        INTEGER NOT NULL DEFAULT 0,
    cost_picos      INTEGER NOT NULL DEFAULT 0,
    error_code      TEXT,
    error_message   TEXT
);
CREATE INDEX searches_project ON searches(project_id, started_at);

-- Which term of a search brought which post (for term analysis).
CREATE TABLE search_hits (
    search_id INTEGER NOT NULL REFERENCES searches(id) ON DELETE CASCADE,
    term      TEXT    NOT NULL,
    tweet_id  TEXT    NOT NULL REFERENCES tweets(id) ON DELETE CASCADE,
    PRIMARY KEY (search_id, term, tweet_id)
) WITHOUT ROWID;
