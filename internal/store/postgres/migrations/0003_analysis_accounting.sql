-- Analyses note when only the start of a long text was read, reviews that
-- an analyzer could not score are remembered so that no run pays for them
-- twice, and every language model call is kept for cost accounting.

ALTER TABLE analyses ADD COLUMN trimmed boolean NOT NULL DEFAULT false;

CREATE TABLE analysis_failures (
    review_id        text NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    analyzer         text NOT NULL,
    analyzer_version text NOT NULL,
    content_hash     text NOT NULL,
    reason           text NOT NULL,
    failed_at        timestamptz NOT NULL,
    PRIMARY KEY (review_id, analyzer)
);

-- movie_id is not a foreign key: evaluation runs call models for reviews
-- that are not stored.
CREATE TABLE llm_calls (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    called_at         timestamptz NOT NULL,
    analyzer          text NOT NULL,
    model             text NOT NULL,
    movie_id          text NOT NULL DEFAULT '',
    reviews           integer NOT NULL CHECK (reviews >= 0),
    prompt_tokens     bigint NOT NULL CHECK (prompt_tokens >= 0),
    completion_tokens bigint NOT NULL CHECK (completion_tokens >= 0),
    cost_usd          double precision NOT NULL CHECK (cost_usd >= 0),
    outcome           text NOT NULL
);

CREATE INDEX llm_calls_called_at ON llm_calls (called_at);
