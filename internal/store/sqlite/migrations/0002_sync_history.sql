-- Review passes keep what they learn: reviews missing from complete passes
-- are counted and finally marked deleted, helpful votes keep their history,
-- every pass leaves a record, and posters are stored for the dashboard.

ALTER TABLE reviews ADD COLUMN text_html TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN votes_inexact INTEGER NOT NULL DEFAULT 0 CHECK (votes_inexact IN (0, 1));
ALTER TABLE reviews ADD COLUMN deleted_at TEXT;
ALTER TABLE reviews ADD COLUMN missing_runs INTEGER NOT NULL DEFAULT 0 CHECK (missing_runs >= 0);

-- A row is added when a review is first stored and whenever its votes
-- change, so the latest row of a review always holds its stored votes.
CREATE TABLE review_votes (
    id           INTEGER PRIMARY KEY,
    review_id    TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    observed_at  TEXT NOT NULL,
    helpful_up   INTEGER NOT NULL CHECK (helpful_up >= 0),
    helpful_down INTEGER NOT NULL CHECK (helpful_down >= 0)
) STRICT;

CREATE INDEX review_votes_review_observed ON review_votes (review_id, observed_at);

INSERT INTO review_votes (review_id, observed_at, helpful_up, helpful_down)
SELECT id, last_seen_at, helpful_up, helpful_down FROM reviews;

CREATE TABLE sync_runs (
    id                 INTEGER PRIMARY KEY,
    movie_id           TEXT NOT NULL REFERENCES movies (id),
    started_at         TEXT NOT NULL,
    finished_at        TEXT NOT NULL,
    state              TEXT NOT NULL
        CHECK (state IN ('complete', 'incomplete', 'blocked', 'challenged', 'failed')),
    error              TEXT NOT NULL DEFAULT '',
    pages              INTEGER NOT NULL DEFAULT 0 CHECK (pages >= 0),
    fetched            INTEGER NOT NULL DEFAULT 0 CHECK (fetched >= 0),
    declared           INTEGER NOT NULL DEFAULT 0 CHECK (declared >= 0),
    shortfall          INTEGER NOT NULL DEFAULT 0 CHECK (shortfall >= 0),
    new                INTEGER NOT NULL DEFAULT 0 CHECK (new >= 0),
    edited             INTEGER NOT NULL DEFAULT 0 CHECK (edited >= 0),
    deleted            INTEGER NOT NULL DEFAULT 0 CHECK (deleted >= 0),
    skipped            INTEGER NOT NULL DEFAULT 0 CHECK (skipped >= 0),
    helpful_up_total   INTEGER NOT NULL DEFAULT 0 CHECK (helpful_up_total >= 0),
    helpful_down_total INTEGER NOT NULL DEFAULT 0 CHECK (helpful_down_total >= 0)
) STRICT;

CREATE INDEX sync_runs_movie_finished ON sync_runs (movie_id, finished_at);

CREATE TABLE posters (
    movie_id     TEXT PRIMARY KEY REFERENCES movies (id),
    source_url   TEXT NOT NULL DEFAULT '',
    content_type TEXT NOT NULL DEFAULT '',
    data         BLOB NOT NULL,
    fetched_at   TEXT NOT NULL
) STRICT;
