package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reelpulse/reelpulse/internal/store"
)

var _ store.Accounts = (*Store)(nil)

// constraintError maps a unique violation to store.ErrExists and a foreign
// key violation to store.ErrNotFound, and returns other errors unchanged.
func constraintError(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case "23505": // unique_violation
		return fmt.Errorf("%w: %w", store.ErrExists, err)
	case "23503": // foreign_key_violation
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return err
}

const userColumns = `users.id, users.name, users.role, users.password_hash, users.created_at,
	users.password_changed_at, users.disabled_at`

func userDest(u *store.User) []any {
	return []any{&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.CreatedAt, &u.PasswordChangedAt, &u.DisabledAt}
}

// utcUser converts the times that pgx returned in the local zone to UTC.
func utcUser(u *store.User) {
	u.CreatedAt = utc(u.CreatedAt)
	u.PasswordChangedAt = utc(u.PasswordChangedAt)
	u.DisabledAt = utcOptional(u.DisabledAt)
}

func scanUser(row pgx.Row) (store.User, error) {
	var u store.User
	if err := row.Scan(userDest(&u)...); err != nil {
		return store.User{}, err
	}
	utcUser(&u)
	return u, nil
}

// userNameLock is the transaction-level advisory lock that CreateUser
// holds, so that two transactions cannot both find a name free.
const userNameLock = 0x7270757365726e6d // "rpusernm"

// CreateUser stores the user and returns it with its id, or a
// *store.NameTakenError when a user has the same name ignoring case. The
// check and the insert run in one transaction under userNameLock. Names
// hold ASCII letters only (auth.CheckUserName), which lower() folds the
// same way as SQLite's.
func (s *Store) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	var conflict *store.NameTakenError
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(userNameLock)); err != nil {
			return fmt.Errorf("lock user names: %w", err)
		}
		var existing string
		err := tx.QueryRow(ctx, `SELECT name FROM users WHERE lower(name) = lower($1) ORDER BY id LIMIT 1`, u.Name).Scan(&existing)
		if err == nil {
			conflict = &store.NameTakenError{Name: u.Name, Existing: existing}
			return nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("look for a user of the same name: %w", err)
		}
		return tx.QueryRow(ctx, `INSERT INTO users
			(name, role, password_hash, created_at, password_changed_at, disabled_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			u.Name, u.Role, u.PasswordHash, u.CreatedAt, u.PasswordChangedAt, u.DisabledAt).Scan(&u.ID)
	})
	if conflict != nil {
		return store.User{}, fmt.Errorf("create user %q: %w", u.Name, conflict)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("create user %q: %w", u.Name, constraintError(err))
	}
	return u, nil
}

// GetUser returns the user or an error wrapping store.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// GetUserByName returns the user or an error wrapping store.ErrNotFound.
func (s *Store) GetUserByName(ctx context.Context, name string) (store.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

// ListUsers returns every user ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY name COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.User, error) { return scanUser(row) })
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// CountUsers returns the number of users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetPassword replaces the user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET password_hash = $1, password_changed_at = $2 WHERE id = $3`,
		hash, at, userID)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}

// SetUserRole changes the user's role.
func (s *Store) SetUserRole(ctx context.Context, userID int64, role string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET role = $1 WHERE id = $2`, role, userID)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("set role of user %d to %q: %w", userID, role, err)
	}
	return nil
}

// SetUserDisabled disables the user at *at, or enables them when at is nil.
func (s *Store) SetUserDisabled(ctx context.Context, userID int64, at *time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2`, at, userID)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("set disabled time of user %d: %w", userID, err)
	}
	return nil
}

// DeleteUser removes the user; the foreign keys remove their sessions,
// tokens and list and clear their id in the audit log. Movies that were
// only on their list, and are not pinned, stop being tracked.
func (s *Store) DeleteUser(ctx context.Context, userID int64) error {
	return s.deleteUser(ctx, userID, false)
}

// DeleteUserKeepingAdmin is DeleteUser, refused for the last enabled admin.
func (s *Store) DeleteUserKeepingAdmin(ctx context.Context, userID int64) error {
	return s.deleteUser(ctx, userID, true)
}

// DisableUserKeepingAdmin disables the user unless they are the last
// enabled admin.
func (s *Store) DisableUserKeepingAdmin(ctx context.Context, userID int64, at time.Time) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := keepAdmin(ctx, tx, userID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `UPDATE users SET disabled_at = $1 WHERE id = $2`, at, userID)
		return updated(tag, err)
	})
	if err != nil {
		return fmt.Errorf("disable user %d: %w", userID, err)
	}
	return nil
}

// keepAdmin returns an error wrapping store.ErrLastAdmin when userID is the
// only enabled admin. It locks the enabled admins' rows, so a concurrent
// call waits for this transaction and then reads its change.
func keepAdmin(ctx context.Context, tx pgx.Tx, userID int64) error {
	rows, err := tx.Query(ctx, `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`)
	if err != nil {
		return err
	}
	admins, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if len(admins) == 1 && admins[0] == userID {
		return store.ErrLastAdmin
	}
	return nil
}

func (s *Store) deleteUser(ctx context.Context, userID int64, keep bool) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if keep {
			if err := keepAdmin(ctx, tx, userID); err != nil {
				return err
			}
		}
		// Lock the movies on the list, as UntrackMovieForUser does.
		rows, err := tx.Query(ctx, `SELECT id FROM movies
			WHERE id IN (SELECT movie_id FROM user_movies WHERE user_id = $1)
			ORDER BY id FOR UPDATE`, userID)
		if err != nil {
			return err
		}
		movieIDs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}

		tag, err := tx.Exec(ctx, `DELETE FROM users WHERE id = $1`, userID)
		if err := updated(tag, err); err != nil {
			return err
		}

		_, err = tx.Exec(ctx, `UPDATE movies SET tracked = false WHERE id = ANY($1) AND NOT pinned
			AND NOT EXISTS (SELECT 1 FROM user_movies WHERE user_movies.movie_id = movies.id)`, movieIDs)
		return err
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", userID, err)
	}
	return nil
}

// CreateSession stores the session.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions
		(hash, user_id, created_at, last_seen_at, expires_at, address, user_agent)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		sess.Hash, sess.UserID, sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt, sess.Address, sess.UserAgent)
	if err != nil {
		return fmt.Errorf("create session of user %d: %w", sess.UserID, constraintError(err))
	}
	return nil
}

// SessionUser returns the session with this hash and its user.
func (s *Store) SessionUser(ctx context.Context, hash string) (store.Session, store.User, error) {
	var (
		sn store.Session
		u  store.User
	)
	dest := append([]any{&sn.Hash, &sn.UserID, &sn.CreatedAt, &sn.LastSeenAt, &sn.ExpiresAt, &sn.Address, &sn.UserAgent},
		userDest(&u)...)
	err := s.pool.QueryRow(ctx, `SELECT sessions.hash, sessions.user_id, sessions.created_at,
		sessions.last_seen_at, sessions.expires_at, sessions.address, sessions.user_agent, `+userColumns+`
		FROM sessions JOIN users ON users.id = sessions.user_id
		WHERE sessions.hash = $1`, hash).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Session{}, store.User{}, fmt.Errorf("get session: %w", err)
	}

	sn.CreatedAt = utc(sn.CreatedAt)
	sn.LastSeenAt = utc(sn.LastSeenAt)
	sn.ExpiresAt = utc(sn.ExpiresAt)
	utcUser(&u)
	return sn, u, nil
}

// TouchSession sets the session's last-seen time.
func (s *Store) TouchSession(ctx context.Context, hash string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE hash = $2`, at, hash)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession removes the session; an unknown hash is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE hash = $1`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions removes every session of the user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return int(tag.RowsAffected()), nil
}

// DeleteExpiredSessions removes idle and expired sessions.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, absoluteBefore time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE last_seen_at < $1 OR expires_at <= $2`,
		idleBefore, absoluteBefore)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

const tokenColumns = `api_tokens.id, api_tokens.user_id, api_tokens.name, api_tokens.hash, api_tokens.prefix,
	api_tokens.created_at, api_tokens.expires_at, api_tokens.last_used_at, api_tokens.revoked_at`

func tokenDest(t *store.APIToken) []any {
	return []any{&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Prefix, &t.CreatedAt, &t.ExpiresAt, &t.LastUsedAt, &t.RevokedAt}
}

func utcToken(t *store.APIToken) {
	t.CreatedAt = utc(t.CreatedAt)
	t.ExpiresAt = utcOptional(t.ExpiresAt)
	t.LastUsedAt = utcOptional(t.LastUsedAt)
	t.RevokedAt = utcOptional(t.RevokedAt)
}

// CreateToken stores the token and returns it with its id.
func (s *Store) CreateToken(ctx context.Context, t store.APIToken) (store.APIToken, error) {
	err := s.pool.QueryRow(ctx, `INSERT INTO api_tokens
		(user_id, name, hash, prefix, created_at, expires_at, last_used_at, revoked_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.Prefix, t.CreatedAt, t.ExpiresAt, t.LastUsedAt, t.RevokedAt).Scan(&t.ID)
	if err != nil {
		return store.APIToken{}, fmt.Errorf("create token for user %d: %w", t.UserID, constraintError(err))
	}
	return t, nil
}

// ListTokens returns the user's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]store.APIToken, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE user_id = $1 ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens of user %d: %w", userID, err)
	}
	tokens, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.APIToken, error) {
		var t store.APIToken
		if err := row.Scan(tokenDest(&t)...); err != nil {
			return store.APIToken{}, err
		}
		utcToken(&t)
		return t, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tokens of user %d: %w", userID, err)
	}
	return tokens, nil
}

// RevokeToken revokes the user's token; another user's token is not found.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, $1)
		WHERE id = $2 AND user_id = $3`, at, tokenID, userID)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("revoke token %d of user %d: %w", tokenID, userID, err)
	}
	return nil
}

// TokenUser returns the token with this hash and its user, usable or not.
func (s *Store) TokenUser(ctx context.Context, hash string) (store.APIToken, store.User, error) {
	var (
		t store.APIToken
		u store.User
	)
	err := s.pool.QueryRow(ctx, `SELECT `+tokenColumns+`, `+userColumns+`
		FROM api_tokens JOIN users ON users.id = api_tokens.user_id
		WHERE api_tokens.hash = $1`, hash).Scan(append(tokenDest(&t), userDest(&u)...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.APIToken{}, store.User{}, fmt.Errorf("get token: %w", err)
	}
	utcToken(&t)
	utcUser(&u)
	return t, u, nil
}

// TouchToken sets the token's last-used time.
func (s *Store) TouchToken(ctx context.Context, tokenID int64, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, at, tokenID)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("touch token %d: %w", tokenID, err)
	}
	return nil
}

// TrackMovieForUser adds the movie to the user's list and tracks it.
func (s *Store) TrackMovieForUser(ctx context.Context, userID int64, movieID string, at time.Time) (bool, error) {
	var created bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// xmax is 0 only in a row version that this statement inserted.
		err := tx.QueryRow(ctx, `INSERT INTO movies (id, added_at) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET tracked = true
			RETURNING xmax = 0`, movieID, at).Scan(&created)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO user_movies (user_id, movie_id, added_at) VALUES ($1, $2, $3)
			ON CONFLICT (user_id, movie_id) DO NOTHING`, userID, movieID, at)
		return constraintError(err)
	})
	if err != nil {
		return false, fmt.Errorf("track movie %s for user %d: %w", movieID, userID, err)
	}
	return created, nil
}

// UntrackMovieForUser removes the movie from the user's list and stops
// tracking it when no list holds it and it is not pinned.
func (s *Store) UntrackMovieForUser(ctx context.Context, userID int64, movieID string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// Lock the movie row first. A concurrent TrackMovieForUser then
		// either commits its list row before the check below reads
		// user_movies, or waits until this transaction ends.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM movies WHERE id = $1 FOR UPDATE`, movieID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM user_movies WHERE user_id = $1 AND movie_id = $2`, userID, movieID)
		if err := updated(tag, err); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE movies SET tracked = false WHERE id = $1 AND NOT pinned
			AND NOT EXISTS (SELECT 1 FROM user_movies WHERE movie_id = $1)`, movieID)
		return err
	})
	if err != nil {
		return fmt.Errorf("untrack movie %s for user %d: %w", movieID, userID, err)
	}
	return nil
}

// UserMovieIDs returns the ids on the user's list, ordered.
func (s *Store) UserMovieIDs(ctx context.Context, userID int64) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT movie_id FROM user_movies WHERE user_id = $1 ORDER BY movie_id COLLATE "C"`, userID)
	if err != nil {
		return nil, fmt.Errorf("list movies of user %d: %w", userID, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list movies of user %d: %w", userID, err)
	}
	return ids, nil
}

// MovieTrackers returns the number of users whose list holds the movie.
func (s *Store) MovieTrackers(ctx context.Context, movieID string) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM user_movies WHERE movie_id = $1`, movieID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count trackers of movie %s: %w", movieID, err)
	}
	return n, nil
}

// RecordAudit stores the event and returns its id.
func (s *Store) RecordAudit(ctx context.Context, e store.AuditEvent) (int64, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `INSERT INTO audit_events
		(at, actor_id, actor_name, action, target, address, detail)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.At, e.ActorID, e.ActorName, e.Action, e.Target, e.Address, e.Detail).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record audit event %s: %w", e.Action, constraintError(err))
	}
	return id, nil
}

// ListAudit returns up to limit events, newest first, below before.
func (s *Store) ListAudit(ctx context.Context, limit int, before int64) ([]store.AuditEvent, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor_id, actor_name, action, target, address, detail
		FROM audit_events WHERE $1 <= 0 OR id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	events, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AuditEvent, error) {
		var e store.AuditEvent
		err := row.Scan(&e.ID, &e.At, &e.ActorID, &e.ActorName, &e.Action, &e.Target, &e.Address, &e.Detail)
		e.At = utc(e.At)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return events, nil
}

// DeleteAuditBefore deletes the events that happened before at.
func (s *Store) DeleteAuditBefore(ctx context.Context, at time.Time) (int, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM audit_events WHERE at < $1`, at)
	if err != nil {
		return 0, fmt.Errorf("delete audit events before %s: %w", at.Format(time.RFC3339), err)
	}
	return int(tag.RowsAffected()), nil
}

// CountAudit counts the events that q selects.
func (s *Store) CountAudit(ctx context.Context, q store.AuditCount) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM audit_events
		WHERE action = $1 AND at >= $2 AND ($3 = '' OR target = $3) AND ($4 = '' OR address = $4)`,
		q.Action, q.Since, q.Target, q.Address).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count audit events %s: %w", q.Action, err)
	}
	return n, nil
}
