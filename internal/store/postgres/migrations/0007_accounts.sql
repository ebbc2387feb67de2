-- Accounts: users, their sessions and API tokens, the audit log and each
-- user's list of tracked movies. Sessions and tokens are stored as the
-- hex SHA-256 of their secret, passwords as argon2id PHC strings.

CREATE TABLE users (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                text NOT NULL UNIQUE CHECK (name <> ''),
    role                text NOT NULL CHECK (role IN ('admin', 'analyst')),
    password_hash       text NOT NULL,
    created_at          timestamptz NOT NULL,
    password_changed_at timestamptz NOT NULL,
    disabled_at         timestamptz
);

CREATE TABLE sessions (
    hash         text PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    address      text NOT NULL DEFAULT '',
    user_agent   text NOT NULL DEFAULT ''
);

CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL DEFAULT '',
    hash         text NOT NULL UNIQUE,
    prefix       text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- actor_id is cleared when the user is removed; actor_name stays.
CREATE TABLE audit_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL,
    actor_id   bigint REFERENCES users (id) ON DELETE SET NULL,
    actor_name text NOT NULL DEFAULT '',
    action     text NOT NULL,
    target     text NOT NULL DEFAULT '',
    address    text NOT NULL DEFAULT '',
    detail     text NOT NULL DEFAULT ''
);

-- The sign-in throttle counts recent failures per account and per address.
CREATE INDEX audit_events_action_target ON audit_events (action, target, at);
CREATE INDEX audit_events_action_address ON audit_events (action, address, at);
CREATE INDEX audit_events_actor ON audit_events (actor_id);

CREATE TABLE user_movies (
    user_id  bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    movie_id text NOT NULL REFERENCES movies (id),
    added_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, movie_id)
);

CREATE INDEX user_movies_movie ON user_movies (movie_id);

-- Untracking a movie without a user (Store.UntrackMovie) stops it for
-- everyone, so it leaves every user's list too.
CREATE FUNCTION movies_untracked_leave_lists() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_movies WHERE movie_id = NEW.id;
    RETURN NULL;
END;
$$;

CREATE TRIGGER movies_untracked_leave_lists
AFTER UPDATE OF tracked ON movies
FOR EACH ROW
WHEN (OLD.tracked AND NOT NEW.tracked)
EXECUTE FUNCTION movies_untracked_leave_lists();
