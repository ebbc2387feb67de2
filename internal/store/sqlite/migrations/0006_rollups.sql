-- Rollups of each movie's listed reviews per submission day (review_days)
-- and of each analyzer's results for their current content per month
-- (aspect_months), so that the statistics, timelines and counts read a
-- few rows per day or month instead of every review. A row exists only for
-- a day with at least one listed review, or a month with at least one
-- analyzed one. In the same transaction as the write, a review pass that
-- changes a review's day, rating, deletion or content hash recomputes the
-- rows of the days and months it touches from the base tables, and saved
-- analyses add the difference they make to aspect_months.

CREATE TABLE review_days (
    movie_id   TEXT NOT NULL REFERENCES movies (id),
    day        TEXT NOT NULL,
    reviews    INTEGER NOT NULL CHECK (reviews > 0),
    rated      INTEGER NOT NULL CHECK (rated >= 0),
    rating_sum INTEGER NOT NULL CHECK (rating_sum >= 0),
    rated_1    INTEGER NOT NULL,
    rated_2    INTEGER NOT NULL,
    rated_3    INTEGER NOT NULL,
    rated_4    INTEGER NOT NULL,
    rated_5    INTEGER NOT NULL,
    rated_6    INTEGER NOT NULL,
    rated_7    INTEGER NOT NULL,
    rated_8    INTEGER NOT NULL,
    rated_9    INTEGER NOT NULL,
    rated_10   INTEGER NOT NULL,
    PRIMARY KEY (movie_id, day)
) STRICT, WITHOUT ROWID;

-- analyzed counts the results with a row for the aspect, scored or not;
-- score_m2 .. score_p2 count the scores -2 .. +2. Saved analyses add their
-- difference to the counts, and a row whose count falls to 0 is removed.
CREATE TABLE aspect_months (
    movie_id TEXT NOT NULL REFERENCES movies (id),
    analyzer TEXT NOT NULL,
    aspect   TEXT NOT NULL,
    month    TEXT NOT NULL, -- first day of the month
    analyzed INTEGER NOT NULL,
    score_m2 INTEGER NOT NULL,
    score_m1 INTEGER NOT NULL,
    score_0  INTEGER NOT NULL,
    score_p1 INTEGER NOT NULL,
    score_p2 INTEGER NOT NULL,
    PRIMARY KEY (movie_id, analyzer, aspect, month)
) STRICT, WITHOUT ROWID;

CREATE INDEX aspect_months_movie_month ON aspect_months (movie_id, month);

INSERT INTO review_days
SELECT movie_id, submitted_at, count(*), count(rating), coalesce(sum(rating), 0),
    count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
    count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),
    count(*) FILTER (WHERE rating = 5), count(*) FILTER (WHERE rating = 6),
    count(*) FILTER (WHERE rating = 7), count(*) FILTER (WHERE rating = 8),
    count(*) FILTER (WHERE rating = 9), count(*) FILTER (WHERE rating = 10)
FROM reviews WHERE deleted_at IS NULL
GROUP BY movie_id, submitted_at;

INSERT INTO aspect_months
SELECT r.movie_id, a.analyzer, s.aspect, substr(r.submitted_at, 1, 7) || '-01', count(*),
    count(*) FILTER (WHERE s.score = -2), count(*) FILTER (WHERE s.score = -1),
    count(*) FILTER (WHERE s.score = 0), count(*) FILTER (WHERE s.score = 1),
    count(*) FILTER (WHERE s.score = 2)
FROM reviews r
JOIN analyses a ON a.review_id = r.id AND a.content_hash = r.content_hash
JOIN analysis_aspects s ON s.analysis_id = a.id
WHERE r.deleted_at IS NULL
GROUP BY 1, 2, 3, 4;

