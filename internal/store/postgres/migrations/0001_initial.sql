CREATE TABLE movies (
    id                    text PRIMARY KEY CHECK (id <> ''),
    title                 text NOT NULL DEFAULT '',
    original_title        text NOT NULL DEFAULT '',
    year                  integer CHECK (year > 0),
    release_date          date,
    poster_url            text NOT NULL DEFAULT '',
    aggregate_rating      double precision CHECK (aggregate_rating BETWEEN 1 AND 10),
    rating_count          bigint CHECK (rating_count >= 0),
    declared_review_count integer CHECK (declared_review_count >= 0),
    tracked               boolean NOT NULL DEFAULT true,
    added_at              timestamptz NOT NULL,
    checked_at            timestamptz,
    scraped_at            timestamptz,
    full_scrape_at        timestamptz,
    last_error            text NOT NULL DEFAULT '',
    last_error_at         timestamptz,
    scrape_warning        text NOT NULL DEFAULT ''
);

CREATE TABLE reviews (
    id            text PRIMARY KEY CHECK (id <> ''),
    movie_id      text NOT NULL REFERENCES movies (id),
    author_name   text NOT NULL DEFAULT '',
    author_id     text NOT NULL DEFAULT '',
    title         text NOT NULL DEFAULT '',
    text          text NOT NULL DEFAULT '',
    rating        smallint CHECK (rating BETWEEN 1 AND 10),
    spoiler       boolean NOT NULL DEFAULT false,
    submitted_at  date NOT NULL,
    helpful_up    integer NOT NULL DEFAULT 0 CHECK (helpful_up >= 0),
    helpful_down  integer NOT NULL DEFAULT 0 CHECK (helpful_down >= 0),
    content_hash  text NOT NULL,
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    edited_at     timestamptz
);

CREATE INDEX reviews_movie_submitted ON reviews (movie_id, submitted_at);

CREATE TABLE analyses (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    review_id        text NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    analyzer         text NOT NULL,
    analyzer_version text NOT NULL,
    content_hash     text NOT NULL,
    analyzed_at      timestamptz NOT NULL,
    UNIQUE (review_id, analyzer)
);

CREATE TABLE analysis_aspects (
    analysis_id bigint NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
    aspect      text NOT NULL,
    score       smallint CHECK (score BETWEEN -2 AND 2),
    evidence    text NOT NULL DEFAULT '',
    PRIMARY KEY (analysis_id, aspect)
);

CREATE TABLE movie_snapshots (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    movie_id              text NOT NULL REFERENCES movies (id),
    taken_at              timestamptz NOT NULL,
    declared_review_count integer CHECK (declared_review_count >= 0),
    scraped_review_count  integer NOT NULL CHECK (scraped_review_count >= 0),
    average_rating        double precision,
    aspect_averages       jsonb
);

CREATE INDEX movie_snapshots_movie_taken ON movie_snapshots (movie_id, taken_at);
