-- A lease marks the analysis of a movie by one analyzer as running in one
-- process, so that a second process does not score, and pay for, the same
-- reviews at the same time. A holder renews its lease while it runs, and a
-- lease past expires_at may be taken over, as after a crash.

CREATE TABLE analysis_leases (
    movie_id   TEXT NOT NULL,
    analyzer   TEXT NOT NULL,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (movie_id, analyzer)
);
