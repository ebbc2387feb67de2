-- The review explorer's text filter finds the reviews whose title or text
-- contains the text through reviews_fts, a full-text index with FTS5's
-- trigram tokenizer: it holds every three-character sequence of each title
-- and text, and no copy of them (external content). It indexes them with
-- their ASCII letters lowercased, as SQLite's lower() does, and keeps the
-- case of other letters, so that a phrase of three or more characters,
-- lowercased the same way, matches exactly the reviews that LIKE would:
-- LIKE too ignores the case of ASCII letters only. Shorter texts have no
-- trigram, and their filter reads every review of the movie with LIKE.
--
-- reviews_fts_text is the content that the index reads when it is rebuilt
-- (INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild')). The
-- triggers keep the index current in the transaction of each write. A
-- review pass rewrites the title and text of every review it upserts, so
-- the update trigger reindexes a review only when one of them changed.
-- NOTE: the index refers to reviews by their implicit rowid, which VACUUM
-- keeps. A migration that copies the reviews into a new table must
-- rebuild the index.

CREATE VIEW reviews_fts_text AS
SELECT rowid AS review_rowid, lower(title) AS title, lower(text) AS text FROM reviews;

CREATE VIRTUAL TABLE reviews_fts USING fts5 (
    title, text,
    content = 'reviews_fts_text', content_rowid = 'review_rowid',
    tokenize = 'trigram case_sensitive 1'
);

INSERT INTO reviews_fts (reviews_fts) VALUES ('rebuild');

CREATE TRIGGER reviews_fts_insert AFTER INSERT ON reviews
BEGIN
    INSERT INTO reviews_fts (rowid, title, text) VALUES (NEW.rowid, lower(NEW.title), lower(NEW.text));
END;

CREATE TRIGGER reviews_fts_delete AFTER DELETE ON reviews
BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, title, text)
    VALUES ('delete', OLD.rowid, lower(OLD.title), lower(OLD.text));
END;

CREATE TRIGGER reviews_fts_update AFTER UPDATE OF title, text ON reviews
WHEN OLD.title IS NOT NEW.title OR OLD.text IS NOT NEW.text
BEGIN
    INSERT INTO reviews_fts (reviews_fts, rowid, title, text)
    VALUES ('delete', OLD.rowid, lower(OLD.title), lower(OLD.text));
    INSERT INTO reviews_fts (rowid, title, text) VALUES (NEW.rowid, lower(NEW.title), lower(NEW.text));
END;
