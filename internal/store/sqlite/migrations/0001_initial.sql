-- Times are TEXT in the fixed-width UTC form 2006-01-02T15:04:05.000000Z,
-- dates are TEXT 2006-01-02, so that text order is time order.

CREATE TABLE movies (
    id                    TEXT PRIMARY KEY CHECK (id <> ''),
    title                 TEXT NOT NULL DEFAULT '',
    original_title        TEXT NOT NULL DEFAULT '',
    year                  INTEGER CHECK (year > 0),
    release_date          TEXT,
    poster_url            TEXT NOT NULL DEFAULT '',
    aggregate_rating      REAL CHECK (aggregate_rating BETWEEN 1 AND 10),
    rating_count          INTEGER CHECK (rating_count >= 0),
    declared_review_count INTEGER CHECK (declared_review_count >= 0),
    tracked               INTEGER NOT NULL DEFAULT 1 CHECK (tracked IN (0, 1)),
    added_at              TEXT NOT NULL,
    checked_at            TEXT,
    scraped_at            TEXT,
    full_scrape_at        TEXT,
    last_error            TEXT NOT NULL DEFAULT '',
    last_error_at         TEXT,
    scrape_warning        TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE reviews (
    id            TEXT PRIMARY KEY CHECK (id <> ''),
    movie_id      TEXT NOT NULL REFERENCES movies (id),
    author_name   TEXT NOT NULL DEFAULT '',
    author_id     TEXT NOT NULL DEFAULT '',
    title         TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',
    rating        INTEGER CHECK (rating BETWEEN 1 AND 10),
    spoiler       INTEGER NOT NULL DEFAULT 0 CHECK (spoiler IN (0, 1)),
    submitted_at  TEXT NOT NULL,
    helpful_up    INTEGER NOT NULL DEFAULT 0 CHECK (helpful_up >= 0),
    helpful_down  INTEGER NOT NULL DEFAULT 0 CHECK (helpful_down >= 0),
    content_hash  TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    edited_at     TEXT
) STRICT;

CREATE INDEX reviews_movie_submitted ON reviews (movie_id, submitted_at);

CREATE TABLE analyses (
    id               INTEGER PRIMARY KEY,
    review_id        TEXT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    analyzer         TEXT NOT NULL,
    analyzer_version TEXT NOT NULL,
    content_hash     TEXT NOT NULL,
    analyzed_at      TEXT NOT NULL,
    UNIQUE (review_id, analyzer)
) STRICT;

CREATE TABLE analysis_aspects (
    analysis_id INTEGER NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    aspect      TEXT NOT NULL,
    score       INTEGER CHECK (score BETWEEN -2 AND 2),
    evidence    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (analysis_id, aspect)
) STRICT;

CREATE TABLE movie_snapshots (
    id                    INTEGER PRIMARY KEY,
    movie_id              TEXT NOT NULL REFERENCES movies (id),
    taken_at              TEXT NOT NULL,
    declared_review_count INTEGER CHECK (declared_review_count >= 0),
    scraped_review_count  INTEGER NOT NULL CHECK (scraped_review_count >= 0),
    average_rating        REAL,
    aspect_averages       TEXT CHECK (aspect_averages IS NULL OR json_valid(aspect_averages))
) STRICT;

CREATE INDEX movie_snapshots_movie_taken ON movie_snapshots (movie_id, taken_at);
