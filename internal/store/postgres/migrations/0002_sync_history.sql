-- Review passes keep what they learn: reviews missing from complete passes
-- are counted and finally marked deleted, helpful votes keep their history,
-- every pass leaves a record, and posters are stored for the dashboard.

ALTER TABLE reviews
    ADD COLUMN text_html     text NOT NULL DEFAULT '',
    ADD COLUMN votes_inexact boolean NOT NULL DEFAULT false,
    ADD COLUMN deleted_at    timestamptz,
    ADD COLUMN missing_runs  integer NOT NULL DEFAULT 0 CHECK (missing_runs >= 0);

-- A row is added when a review is first stored and whenever its votes
-- change, so the latest row of a review always holds its stored votes.
CREATE TABLE review_votes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id    text NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    observed_at  timestamptz NOT NULL,
    helpful_up   integer NOT NULL CHECK (helpful_up >= 0),
    helpful_down integer NOT NULL CHECK (helpful_down >= 0)
);

CREATE INDEX review_votes_review_observed ON review_votes (review_id, observed_at);

INSERT INTO review_votes (review_id, observed_at, helpful_up, helpful_down)
SELECT id, last_seen_at, helpful_up, helpful_down FROM reviews;

CREATE TABLE sync_runs (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    movie_id           text NOT NULL REFERENCES movies (id),
    started_at         timestamptz NOT NULL,
    finished_at        timestamptz NOT NULL,
    state              text NOT NULL
        CHECK (state IN ('complete', 'incomplete', 'blocked', 'challenged', 'failed')),
    error              text NOT NULL DEFAULT '',
    pages              integer NOT NULL DEFAULT 0 CHECK (pages >= 0),
    fetched            integer NOT NULL DEFAULT 0 CHECK (fetched >= 0),
    declared           integer NOT NULL DEFAULT 0 CHECK (declared >= 0),
    shortfall          integer NOT NULL DEFAULT 0 CHECK (shortfall >= 0),
    new                integer NOT NULL DEFAULT 0 CHECK (new >= 0),
    edited             integer NOT NULL DEFAULT 0 CHECK (edited >= 0),
    deleted            integer NOT NULL DEFAULT 0 CHECK (deleted >= 0),
    skipped            integer NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    helpful_up_total   bigint NOT NULL DEFAULT 0 CHECK (helpful_up_total >= 0),
    helpful_down_total bigint NOT NULL DEFAULT 0 CHECK (helpful_down_total >= 0)
);

CREATE INDEX sync_runs_movie_finished ON sync_runs (movie_id, finished_at);

CREATE TABLE posters (
    movie_id     text PRIMARY KEY REFERENCES movies (id),
    source_url   text NOT NULL DEFAULT '',
    content_type text NOT NULL DEFAULT '',
    data         bytea NOT NULL,
    fetched_at   timestamptz NOT NULL
);
