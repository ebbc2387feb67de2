-- Analyses note when only the start of a long text was read, reviews that
-- an analyzer could not score are remembered so that no run pays for them
-- twice, and every language model call is kept for cost accounting.

ALTER TABLE analyses ADD COLUMN trimmed INTEGER NOT NULL DEFAULT 0 CHECK (trimmed IN (0, 1));

CREATE TABLE analysis_failures (
    review_id        TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    analyzer         TEXT NOT NULL,
    analyzer_version TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    reason           TEXT NOT NULL,
    failed_at        TEXT NOT NULL,
    PRIMARY KEY (review_id, analyzer)
) STRICT;

-- movie_id is not a foreign key: evaluation runs call models for reviews
-- that are not stored.
CREATE TABLE llm_calls (
    id                INTEGER PRIMARY KEY,
    called_at         TEXT NOT NULL,
    analyzer          TEXT NOT NULL,
    model             TEXT NOT NULL,
    movie_id          TEXT NOT NULL DEFAULT '',
    reviews           INTEGER NOT NULL CHECK (reviews >= 0),
    prompt_tokens     INTEGER NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens INTEGER NOT NULL CHECK (completion_tokens >= 0),
    cost_usd          REAL NOT NULL CHECK (cost_usd >= 0),
    outcome           TEXT NOT NULL
) STRICT;

CREATE INDEX llm_calls_called_at ON llm_calls (called_at);
