-- The review explorer pages a movie's reviews by submission day or by
-- helpful votes, each order ending with the review id, so that a cursor
-- resumes it with one index range. The aspect filter reaches the analyses
-- through their unique (review_id, analyzer) key and the aspects through
-- their primary key, which need no new index.

DROP INDEX reviews_movie_submitted;

CREATE INDEX reviews_movie_submitted ON reviews (movie_id, submitted_at, id);

CREATE INDEX reviews_movie_helpful ON reviews (movie_id, helpful_up, id);

-- Counts of a movie's listed reviews, with or without other filters, start
-- from this index.
CREATE INDEX reviews_movie_listed ON reviews (movie_id) WHERE deleted_at IS NULL;
