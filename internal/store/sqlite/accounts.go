package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"github.com/reelpulse/reelpulse/internal/store"
)

var _ store.Accounts = (*Store)(nil)

// constraintError maps a unique violation to store.ErrExists and a foreign
// key violation to store.ErrNotFound, and returns other errors unchanged.
func constraintError(err error) error {
	var e interface{ Code() int }
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", store.ErrExists, err)
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w: %w", store.ErrNotFound, err)
	}
	return err
}

func formatOptionalTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return formatTime(*t)
}

const userColumns = `users.id, users.name, users.role, users.password_hash, users.created_at,
	users.password_changed_at, users.disabled_at`

// userDest returns the scan targets of userColumns and a function that
// converts the scanned text into u.
func userDest(u *store.User) ([]any, func(p *parser)) {
	var createdAt, changedAt string
	var disabledAt sql.NullString
	dest := []any{&u.ID, &u.Name, &u.Role, &u.PasswordHash, &createdAt, &changedAt, &disabledAt}
	return dest, func(p *parser) {
		u.CreatedAt = p.time(createdAt)
		u.PasswordChangedAt = p.time(changedAt)
		u.DisabledAt = p.optionalTime(disabledAt)
	}
}

func scanUser(row rowScanner) (store.User, error) {
	var u store.User
	dest, convert := userDest(&u)
	if err := row.Scan(dest...); err != nil {
		return store.User{}, err
	}
	var p parser
	convert(&p)
	return u, p.err
}

// CreateUser stores the user and returns it with its id, or a
// *store.NameTakenError when a user has the same name ignoring case. One
// statement checks and inserts, and SQLite runs one writer at a time.
// lower() folds ASCII letters only, which are the only letters that
// auth.CheckUserName allows.
func (s *Store) CreateUser(ctx context.Context, u store.User) (store.User, error) {
	err := s.writer.QueryRowContext(ctx, `INSERT INTO users
		(name, role, password_hash, created_at, password_changed_at, disabled_at)
		SELECT ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM users WHERE lower(name) = lower(?))
		RETURNING id`,
		u.Name, u.Role, u.PasswordHash, formatTime(u.CreatedAt), formatTime(u.PasswordChangedAt),
		formatOptionalTime(u.DisabledAt), u.Name).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		conflict := &store.NameTakenError{Name: u.Name}
		if err := s.writer.QueryRowContext(ctx, `SELECT name FROM users WHERE lower(name) = lower(?) ORDER BY id LIMIT 1`,
			u.Name).Scan(&conflict.Existing); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return store.User{}, fmt.Errorf("create user %q: read the user of the same name: %w", u.Name, err)
		}
		return store.User{}, fmt.Errorf("create user %q: %w", u.Name, conflict)
	}
	if err != nil {
		return store.User{}, fmt.Errorf("create user %q: %w", u.Name, constraintError(err))
	}
	return u, nil
}

// GetUser returns the user or an error wrapping store.ErrNotFound.
func (s *Store) GetUser(ctx context.Context, id int64) (store.User, error) {
	u, err := scanUser(s.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("get user %d: %w", id, err)
	}
	return u, nil
}

// GetUserByName returns the user or an error wrapping store.ErrNotFound.
func (s *Store) GetUserByName(ctx context.Context, name string) (store.User, error) {
	u, err := scanUser(s.reader.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE name = ?`, name))
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.User{}, fmt.Errorf("get user %q: %w", name, err)
	}
	return u, nil
}

// ListUsers returns every user ordered by name.
func (s *Store) ListUsers(ctx context.Context) ([]store.User, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()

	users := []store.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	return users, nil
}

// CountUsers returns the number of users.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count users: %w", err)
	}
	return n, nil
}

// SetPassword replaces the user's password hash.
func (s *Store) SetPassword(ctx context.Context, userID int64, hash string, at time.Time) error {
	result, err := s.writer.ExecContext(ctx,
		`UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?`,
		hash, formatTime(at), userID)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("set password of user %d: %w", userID, err)
	}
	return nil
}

// SetUserRole changes the user's role.
func (s *Store) SetUserRole(ctx context.Context, userID int64, role string) error {
	result, err := s.writer.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, role, userID)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("set role of user %d to %q: %w", userID, role, err)
	}
	return nil
}

// SetUserDisabled disables the user at *at, or enables them when at is nil.
func (s *Store) SetUserDisabled(ctx context.Context, userID int64, at *time.Time) error {
	result, err := s.writer.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`,
		formatOptionalTime(at), userID)
	if err := updated(result, err); err != nil {
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := keepAdmin(ctx, tx, userID); err != nil {
			return err
		}
		result, err := tx.ExecContext(ctx, `UPDATE users SET disabled_at = ? WHERE id = ?`, formatTime(at), userID)
		return updated(result, err)
	})
	if err != nil {
		return fmt.Errorf("disable user %d: %w", userID, err)
	}
	return nil
}

// keepAdmin returns an error wrapping store.ErrLastAdmin when userID is the
// only enabled admin. Writes go through one connection, so the check and
// the change that follows it in tx cannot interleave with another's.
func keepAdmin(ctx context.Context, tx *sql.Tx, userID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var admins []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		admins = append(admins, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(admins) == 1 && admins[0] == userID {
		return store.ErrLastAdmin
	}
	return nil
}

func (s *Store) deleteUser(ctx context.Context, userID int64, keep bool) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if keep {
			if err := keepAdmin(ctx, tx, userID); err != nil {
				return err
			}
		}
		movieIDs, err := userMovieIDs(ctx, tx, userID)
		if err != nil {
			return err
		}

		result, err := tx.ExecContext(ctx, `DELETE FROM users WHERE id = ?`, userID)
		if err := updated(result, err); err != nil {
			return err
		}

		for _, id := range movieIDs {
			_, err := tx.ExecContext(ctx, `UPDATE movies SET tracked = 0 WHERE id = ? AND pinned = 0
				AND NOT EXISTS (SELECT 1 FROM user_movies WHERE movie_id = ?)`, id, id)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete user %d: %w", userID, err)
	}
	return nil
}

// CreateSession stores the session.
func (s *Store) CreateSession(ctx context.Context, sess store.Session) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO sessions
		(hash, user_id, created_at, last_seen_at, expires_at, address, user_agent)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		sess.Hash, sess.UserID, formatTime(sess.CreatedAt), formatTime(sess.LastSeenAt),
		formatTime(sess.ExpiresAt), sess.Address, sess.UserAgent)
	if err != nil {
		return fmt.Errorf("create session of user %d: %w", sess.UserID, constraintError(err))
	}
	return nil
}

// SessionUser returns the session with this hash and its user.
func (s *Store) SessionUser(ctx context.Context, hash string) (store.Session, store.User, error) {
	var (
		sess                             string
		sn                               store.Session
		u                                store.User
		createdAt, lastSeenAt, expiresAt string
	)
	userDest, convertUser := userDest(&u)
	dest := append([]any{&sess, &sn.UserID, &createdAt, &lastSeenAt, &expiresAt, &sn.Address, &sn.UserAgent}, userDest...)
	err := s.reader.QueryRowContext(ctx, `SELECT sessions.hash, sessions.user_id, sessions.created_at,
		sessions.last_seen_at, sessions.expires_at, sessions.address, sessions.user_agent, `+userColumns+`
		FROM sessions JOIN users ON users.id = sessions.user_id
		WHERE sessions.hash = ?`, hash).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Session{}, store.User{}, fmt.Errorf("get session: %w", err)
	}

	var p parser
	sn.Hash = sess
	sn.CreatedAt = p.time(createdAt)
	sn.LastSeenAt = p.time(lastSeenAt)
	sn.ExpiresAt = p.time(expiresAt)
	convertUser(&p)
	if p.err != nil {
		return store.Session{}, store.User{}, fmt.Errorf("get session: %w", p.err)
	}
	return sn, u, nil
}

// TouchSession sets the session's last-seen time.
func (s *Store) TouchSession(ctx context.Context, hash string, at time.Time) error {
	result, err := s.writer.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE hash = ?`, formatTime(at), hash)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("touch session: %w", err)
	}
	return nil
}

// DeleteSession removes the session; an unknown hash is not an error.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	if _, err := s.writer.ExecContext(ctx, `DELETE FROM sessions WHERE hash = ?`, hash); err != nil {
		return fmt.Errorf("delete session: %w", err)
	}
	return nil
}

// DeleteUserSessions removes every session of the user.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) (int, error) {
	result, err := s.writer.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	n, err := affected(result, err)
	if err != nil {
		return 0, fmt.Errorf("delete sessions of user %d: %w", userID, err)
	}
	return n, nil
}

// DeleteAuditBefore deletes the events that happened before at.
func (s *Store) DeleteAuditBefore(ctx context.Context, at time.Time) (int, error) {
	result, err := s.writer.ExecContext(ctx, `DELETE FROM audit_events WHERE at < ?`, formatTime(at))
	n, err := affected(result, err)
	if err != nil {
		return 0, fmt.Errorf("delete audit events before %s: %w", at.Format(time.RFC3339), err)
	}
	return n, nil
}

// DeleteExpiredSessions removes idle and expired sessions.
func (s *Store) DeleteExpiredSessions(ctx context.Context, idleBefore, absoluteBefore time.Time) (int, error) {
	result, err := s.writer.ExecContext(ctx, `DELETE FROM sessions WHERE last_seen_at < ? OR expires_at <= ?`,
		formatTime(idleBefore), formatTime(absoluteBefore))
	n, err := affected(result, err)
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return n, nil
}

func affected(result sql.Result, err error) (int, error) {
	if err != nil {
		return 0, err
	}
	n, err := result.RowsAffected()
	return int(n), err
}

const tokenColumns = `api_tokens.id, api_tokens.user_id, api_tokens.name, api_tokens.hash, api_tokens.prefix,
	api_tokens.created_at, api_tokens.expires_at, api_tokens.last_used_at, api_tokens.revoked_at`

func tokenDest(t *store.APIToken) ([]any, func(p *parser)) {
	var createdAt string
	var expiresAt, lastUsedAt, revokedAt sql.NullString
	dest := []any{&t.ID, &t.UserID, &t.Name, &t.Hash, &t.Prefix, &createdAt, &expiresAt, &lastUsedAt, &revokedAt}
	return dest, func(p *parser) {
		t.CreatedAt = p.time(createdAt)
		t.ExpiresAt = p.optionalTime(expiresAt)
		t.LastUsedAt = p.optionalTime(lastUsedAt)
		t.RevokedAt = p.optionalTime(revokedAt)
	}
}

// CreateToken stores the token and returns it with its id.
func (s *Store) CreateToken(ctx context.Context, t store.APIToken) (store.APIToken, error) {
	err := s.writer.QueryRowContext(ctx, `INSERT INTO api_tokens
		(user_id, name, hash, prefix, created_at, expires_at, last_used_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		t.UserID, t.Name, t.Hash, t.Prefix, formatTime(t.CreatedAt), formatOptionalTime(t.ExpiresAt),
		formatOptionalTime(t.LastUsedAt), formatOptionalTime(t.RevokedAt)).Scan(&t.ID)
	if err != nil {
		return store.APIToken{}, fmt.Errorf("create token for user %d: %w", t.UserID, constraintError(err))
	}
	return t, nil
}

// ListTokens returns the user's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64) ([]store.APIToken, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens
		WHERE user_id = ? ORDER BY created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("list tokens of user %d: %w", userID, err)
	}
	defer rows.Close()

	tokens := []store.APIToken{}
	for rows.Next() {
		var t store.APIToken
		dest, convert := tokenDest(&t)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("list tokens of user %d: %w", userID, err)
		}
		var p parser
		convert(&p)
		if p.err != nil {
			return nil, fmt.Errorf("list tokens of user %d: %w", userID, p.err)
		}
		tokens = append(tokens, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list tokens of user %d: %w", userID, err)
	}
	return tokens, nil
}

// RevokeToken revokes the user's token; another user's token is not found.
func (s *Store) RevokeToken(ctx context.Context, userID, tokenID int64, at time.Time) error {
	result, err := s.writer.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?)
		WHERE id = ? AND user_id = ?`, formatTime(at), tokenID, userID)
	if err := updated(result, err); err != nil {
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
	tokenDest, convertToken := tokenDest(&t)
	userDest, convertUser := userDest(&u)
	err := s.reader.QueryRowContext(ctx, `SELECT `+tokenColumns+`, `+userColumns+`
		FROM api_tokens JOIN users ON users.id = api_tokens.user_id
		WHERE api_tokens.hash = ?`, hash).Scan(append(tokenDest, userDest...)...)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.APIToken{}, store.User{}, fmt.Errorf("get token: %w", err)
	}

	var p parser
	convertToken(&p)
	convertUser(&p)
	if p.err != nil {
		return store.APIToken{}, store.User{}, fmt.Errorf("get token: %w", p.err)
	}
	return t, u, nil
}

// TouchToken sets the token's last-used time.
func (s *Store) TouchToken(ctx context.Context, tokenID int64, at time.Time) error {
	result, err := s.writer.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, formatTime(at), tokenID)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("touch token %d: %w", tokenID, err)
	}
	return nil
}

// TrackMovieForUser adds the movie to the user's list and tracks it.
func (s *Store) TrackMovieForUser(ctx context.Context, userID int64, movieID string, at time.Time) (bool, error) {
	created := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		result, err := tx.ExecContext(ctx,
			`INSERT INTO movies (id, added_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
			movieID, formatTime(at))
		if err != nil {
			return err
		}
		inserted, err := result.RowsAffected()
		if err != nil {
			return err
		}
		created = inserted == 1
		if !created {
			if _, err := tx.ExecContext(ctx, `UPDATE movies SET tracked = 1 WHERE id = ?`, movieID); err != nil {
				return err
			}
		}

		_, err = tx.ExecContext(ctx, `INSERT INTO user_movies (user_id, movie_id, added_at) VALUES (?, ?, ?)
			ON CONFLICT (user_id, movie_id) DO NOTHING`, userID, movieID, formatTime(at))
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		result, err := tx.ExecContext(ctx, `DELETE FROM user_movies WHERE user_id = ? AND movie_id = ?`, userID, movieID)
		if err := updated(result, err); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE movies SET tracked = 0 WHERE id = ? AND pinned = 0
			AND NOT EXISTS (SELECT 1 FROM user_movies WHERE movie_id = ?)`, movieID, movieID)
		return err
	})
	if err != nil {
		return fmt.Errorf("untrack movie %s for user %d: %w", movieID, userID, err)
	}
	return nil
}

// UserMovieIDs returns the ids on the user's list, ordered.
func (s *Store) UserMovieIDs(ctx context.Context, userID int64) ([]string, error) {
	var ids []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		ids, err = userMovieIDs(ctx, tx, userID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list movies of user %d: %w", userID, err)
	}
	return ids, nil
}

func userMovieIDs(ctx context.Context, tx *sql.Tx, userID int64) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT movie_id FROM user_movies WHERE user_id = ? ORDER BY movie_id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// MovieTrackers returns the number of users whose list holds the movie.
func (s *Store) MovieTrackers(ctx context.Context, movieID string) (int, error) {
	var n int
	if err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM user_movies WHERE movie_id = ?`, movieID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count trackers of movie %s: %w", movieID, err)
	}
	return n, nil
}

// RecordAudit stores the event and returns its id.
func (s *Store) RecordAudit(ctx context.Context, e store.AuditEvent) (int64, error) {
	var id int64
	err := s.writer.QueryRowContext(ctx, `INSERT INTO audit_events
		(at, actor_id, actor_name, action, target, address, detail)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		formatTime(e.At), e.ActorID, e.ActorName, e.Action, e.Target, e.Address, e.Detail).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("record audit event %s: %w", e.Action, constraintError(err))
	}
	return id, nil
}

// ListAudit returns up to limit events, newest first, below before.
func (s *Store) ListAudit(ctx context.Context, limit int, before int64) ([]store.AuditEvent, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT id, at, actor_id, actor_name, action, target, address, detail
		FROM audit_events WHERE ? <= 0 OR id < ? ORDER BY id DESC LIMIT ?`, before, before, limit)
	if err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	defer rows.Close()

	events := []store.AuditEvent{}
	for rows.Next() {
		var (
			e  store.AuditEvent
			at string
		)
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &e.Action, &e.Target, &e.Address, &e.Detail); err != nil {
			return nil, fmt.Errorf("list audit events: %w", err)
		}
		var p parser
		e.At = p.time(at)
		if p.err != nil {
			return nil, fmt.Errorf("list audit events: %w", p.err)
		}
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list audit events: %w", err)
	}
	return events, nil
}

// CountAudit counts the events that q selects.
func (s *Store) CountAudit(ctx context.Context, q store.AuditCount) (int, error) {
	var n int
	err := s.reader.QueryRowContext(ctx, `SELECT count(*) FROM audit_events
		WHERE action = ? AND at >= ? AND (? = '' OR target = ?) AND (? = '' OR address = ?)`,
		q.Action, formatTime(q.Since), q.Target, q.Target, q.Address, q.Address).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count audit events %s: %w", q.Action, err)
	}
	return n, nil
}
