-- Accounts: users, their sessions and API tokens, the audit log and each
-- user's list of tracked movies. Sessions and tokens are stored as the
-- hex SHA-256 of their secret, passwords as argon2id PHC strings.

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE CHECK (name <> ''),
    role                TEXT NOT NULL CHECK (role IN ('admin', 'analyst')),
    password_hash       TEXT NOT NULL,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL,
    disabled_at         TEXT
) STRICT;

CREATE TABLE sessions (
    hash         TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    address      TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL DEFAULT '',
    hash         TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;

CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- actor_id is cleared when the user is removed; actor_name stays.
CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    actor_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor_name TEXT NOT NULL DEFAULT '',
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    address    TEXT NOT NULL DEFAULT '',
    detail     TEXT NOT NULL DEFAULT ''
) STRICT;

-- The sign-in throttle counts recent failures per account and per address.
CREATE INDEX audit_events_action_target ON audit_events (action, target, at);
CREATE INDEX audit_events_action_address ON audit_events (action, address, at);
CREATE INDEX audit_events_actor ON audit_events (actor_id);

CREATE TABLE user_movies (
    user_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    movie_id TEXT NOT NULL REFERENCES movies (id),
    added_at TEXT NOT NULL,
    PRIMARY KEY (user_id, movie_id)
) STRICT;

CREATE INDEX user_movies_movie ON user_movies (movie_id);

-- Untracking a movie without a user (Store.UntrackMovie) stops it for
-- everyone, so it leaves every user's list too.
CREATE TRIGGER movies_untracked_leave_lists
AFTER UPDATE OF tracked ON movies
WHEN OLD.tracked = 1 AND NEW.tracked = 0
BEGIN
    DELETE FROM user_movies WHERE movie_id = NEW.id;
END;
