-- Comment Finder store, first version.
-- Times are unix seconds (UTC). Money is integer pico-dollars (1e-12 USD); prices are integer
-- micro-dollars per million tokens, which is the same unit per token, so
-- cost = tokens * price is exact with no division and no rounding.

CREATE TABLE projects (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    -- every project setting except topics, as the JSON form of ProjectSettings
    settings_json TEXT    NOT NULL,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE topics (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    label         TEXT    NOT NULL,
    description   TEXT    NOT NULL DEFAULT '',
    examples_json TEXT    NOT NULL DEFAULT '[]',
    UNIQUE (project_id, label)
);

CREATE TABLE authors (
    id            INTEGER PRIMARY KEY,
    handle        TEXT    NOT NULL UNIQUE COLLATE NOCASE,
    x_user_id     TEXT,
    name          TEXT,
    followers     INTEGER NOT NULL DEFAULT 0,
    verified      INTEGER NOT NULL DEFAULT 0,
    blue_verified INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL
);

CREATE TABLE tweets (
    id               TEXT    PRIMARY KEY,   -- X's id; too large for JavaScript numbers
    author_id        INTEGER NOT NULL REFERENCES authors(id),
    text             TEXT    NOT NULL,
    url              TEXT    NOT NULL,
    lang             TEXT,
    posted_at        INTEGER NOT NULL,
    likes            INTEGER NOT NULL DEFAULT 0,
    replies          INTEGER NOT NULL DEFAULT 0,
    retweets         INTEGER NOT NULL DEFAULT 0,
    quotes           INTEGER NOT NULL DEFAULT 0,
    bookmarks        INTEGER NOT NULL DEFAULT 0,
    views            INTEGER NOT NULL DEFAULT 0,
    is_reply         INTEGER NOT NULL DEFAULT 0,
    is_retweet       INTEGER NOT NULL DEFAULT 0,
    is_quote         INTEGER NOT NULL DEFAULT 0,
    reply_restricted INTEGER NOT NULL DEFAULT 0,
    source           TEXT    NOT NULL,      -- which export format it came from
    fetched_at       INTEGER NOT NULL       -- when the metrics above were read
);
CREATE INDEX tweets_posted_at ON tweets(posted_at);

-- A post belongs to a project once imported for it; its latest score and review status live here.
CREATE TABLE project_tweets (
    project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    tweet_id         TEXT    NOT NULL REFERENCES tweets(id) ON DELETE CASCADE,
    added_at         INTEGER NOT NULL,
    status           TEXT    NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'exported', 'posted', 'skipped')),
    scored_at        INTEGER,
    score_total      REAL,
    velocity         REAL,
    relevance        REAL,
    openness         REAL,
    author_quality   REAL,
    relevance_method TEXT CHECK (relevance_method IN ('lexical', 'embedding')),
    label            TEXT CHECK (label IN ('green', 'yellow', 'red')),
    topic            TEXT,
    why              TEXT,
    gate_reason      TEXT,   -- NULL when the post passed; otherwise why no Gemini call is spent on it
    PRIMARY KEY (project_id, tweet_id)
) WITHOUT ROWID;
CREATE INDEX project_tweets_label ON project_tweets(project_id, label, score_total);

-- Embeddings are cached by content so each text is embedded once per model and size.
CREATE TABLE embeddings (
    model        TEXT    NOT NULL,
    dimensions   INTEGER NOT NULL,
    content_hash BLOB    NOT NULL,   -- sha256 of the embedded text
    vector       BLOB    NOT NULL,   -- little-endian f32 values
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (model, dimensions, content_hash)
) WITHOUT ROWID;

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    status        TEXT    NOT NULL
                  CHECK (status IN ('running', 'cancelled', 'interrupted', 'finished', 'failed')),
    settings_json TEXT    NOT NULL,   -- filters, batch size, posts per request, model, limits
    created_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    error         TEXT
);

-- One row per post a run considered; written as each outcome arrives so a killed run resumes.
CREATE TABLE run_items (
    run_id        INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    tweet_id      TEXT    NOT NULL REFERENCES tweets(id) ON DELETE CASCADE,
    state         TEXT    NOT NULL
                  CHECK (state IN ('queued', 'done', 'failed', 'gated', 'deduped')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    error_code    TEXT,
    error_message TEXT,
    finished_at   INTEGER,
    PRIMARY KEY (run_id, tweet_id)
) WITHOUT ROWID;

CREATE TABLE suggestions (
    id              INTEGER PRIMARY KEY,
    project_id      INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    tweet_id        TEXT    NOT NULL REFERENCES tweets(id) ON DELETE CASCADE,
    run_id          INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    reply_type      TEXT    NOT NULL,
    rank            INTEGER NOT NULL,
    text            TEXT    NOT NULL,
    edited_text     TEXT,            -- the user's edit; the model's text is kept as it came
    review          TEXT    NOT NULL DEFAULT 'draft'
                    CHECK (review IN ('draft', 'approved', 'rejected')),
    rejected_reason TEXT,            -- set when our quality filter refused the draft
    created_at      INTEGER NOT NULL,
    UNIQUE (project_id, tweet_id, run_id, reply_type)
);
CREATE INDEX suggestions_tweet ON suggestions(project_id, tweet_id);

-- Prices are append-only: a change adds a row, and ledger rows copy the prices they used.
CREATE TABLE prices (
    id                     INTEGER PRIMARY KEY,
    model                  TEXT    NOT NULL,
    input_micros_per_mtok  INTEGER NOT NULL,
    output_micros_per_mtok INTEGER NOT NULL,
    cached_micros_per_mtok INTEGER NOT NULL,
    effective_from         INTEGER NOT NULL,
    source                 TEXT    NOT NULL,   -- e.g. 'published 2026-09-20' or 'edited'
    created_at             INTEGER NOT NULL
);
CREATE INDEX prices_model ON prices(model, effective_from);

-- The cost ledger: one row per HTTP call to a paid endpoint, billed or not.
CREATE TABLE api_calls (
    id                     INTEGER PRIMARY KEY,
    run_id                 INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    project_id             INTEGER REFERENCES projects(id) ON DELETE SET NULL,
    called_at              INTEGER NOT NULL,
    model                  TEXT    NOT NULL,
    endpoint               TEXT    NOT NULL,   -- generate | embed
    attempt                INTEGER NOT NULL,
    outcome                TEXT    NOT NULL,   -- ok, or an error code
    http_status            INTEGER,
    latency_ms             INTEGER NOT NULL,
    prompt_tokens          INTEGER NOT NULL DEFAULT 0,
    cached_tokens          INTEGER NOT NULL DEFAULT 0,
    output_tokens          INTEGER NOT NULL DEFAULT 0,
    thinking_tokens        INTEGER NOT NULL DEFAULT 0,
    input_micros_per_mtok  INTEGER NOT NULL,
    output_micros_per_mtok INTEGER NOT NULL,
    cached_micros_per_mtok INTEGER NOT NULL,
    cost_picos             INTEGER NOT NULL
);
CREATE INDEX api_calls_time ON api_calls(called_at);
CREATE INDEX api_calls_run ON api_calls(run_id);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value_json TEXT NOT NULL
) WITHOUT ROWID;
