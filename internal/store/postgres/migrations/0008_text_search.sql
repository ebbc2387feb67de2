-- The review explorer's text filter, (title ILIKE p OR text ILIKE p) with
-- p = '%text%', reads these trigram indexes of pg_trgm through a BitmapOr
-- of both, instead of every review of the movie. Each index holds the
-- three-character sequences of the words of a column, lowercased; the
-- bitmap heap scan then checks ILIKE on the rows it finds. A text with no
-- trigram (fewer than three letters or digits in a row) cannot narrow the
-- search, and the planner reads the movie's reviews instead.
--
-- pg_trgm ships with PostgreSQL (Debian's postgresql package includes it).
-- It is a trusted extension since PostgreSQL 13, so the owner of the
-- database may create it without being a superuser.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX reviews_title_trgm ON reviews USING gin (title gin_trgm_ops);

CREATE INDEX reviews_text_trgm ON reviews USING gin (text gin_trgm_ops);
