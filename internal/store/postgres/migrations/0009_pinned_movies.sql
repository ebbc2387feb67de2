-- A movie that the deployment tracks, with `reelpulse track add`, the demo
-- or an import, is pinned: it stays tracked when it leaves the last user's
-- list, until Store.UntrackMovie stops it for everyone.
--
-- Before this migration, a tracked movie that no list holds can only have
-- been tracked by the deployment, so it is pinned. A tracked movie on a
-- list may have been added either way; it is left unpinned, and
-- `reelpulse track add` pins it.

ALTER TABLE movies ADD COLUMN pinned boolean NOT NULL DEFAULT false;

UPDATE movies SET pinned = true
WHERE tracked AND NOT EXISTS (SELECT 1 FROM user_movies WHERE user_movies.movie_id = movies.id);
