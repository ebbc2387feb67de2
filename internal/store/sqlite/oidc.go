package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

const oidcColumns = `oidc_identities.issuer, oidc_identities.subject, oidc_identities.user_id,
	oidc_identities.created_at, oidc_identities.last_used_at`

// oidcDest returns the scan targets of oidcColumns and a function that
// converts the scanned text into id.
func oidcDest(id *store.OIDCIdentity) ([]any, func(p *parser)) {
	var createdAt, lastUsedAt string
	dest := []any{&id.Issuer, &id.Subject, &id.UserID, &createdAt, &lastUsedAt}
	return dest, func(p *parser) {
		id.CreatedAt = p.time(createdAt)
		id.LastUsedAt = p.time(lastUsedAt)
	}
}

// SetUserRoleKeepingAdmin changes the user's role, unless that takes the
// admin role from the last enabled admin.
func (s *Store) SetUserRoleKeepingAdmin(ctx context.Context, userID int64, role string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if role != store.RoleAdmin {
			if err := keepAdmin(ctx, tx, userID); err != nil {
				return err
			}
		}
		result, err := tx.ExecContext(ctx, `UPDATE users SET role = ? WHERE id = ?`, role, userID)
		return updated(result, err)
	})
	if err != nil {
		return fmt.Errorf("set role of user %d to %q: %w", userID, role, err)
	}
	return nil
}

// CreateOIDCIdentity links a provider account to its user.
func (s *Store) CreateOIDCIdentity(ctx context.Context, id store.OIDCIdentity) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO oidc_identities
		(issuer, subject, user_id, created_at, last_used_at) VALUES (?, ?, ?, ?, ?)`,
		id.Issuer, id.Subject, id.UserID, formatTime(id.CreatedAt), formatTime(id.LastUsedAt))
	if err != nil {
		return fmt.Errorf("link subject %q of %s to user %d: %w", id.Subject, id.Issuer, id.UserID, constraintError(err))
	}
	return nil
}

// OIDCIdentityUser returns the link of the issuer's subject and its user.
func (s *Store) OIDCIdentityUser(ctx context.Context, issuer, subject string) (store.OIDCIdentity, store.User, error) {
	var (
		id store.OIDCIdentity
		u  store.User
	)
	idDest, convertID := oidcDest(&id)
	userDest, convertUser := userDest(&u)
	err := s.reader.QueryRowContext(ctx, `SELECT `+oidcColumns+`, `+userColumns+`
		FROM oidc_identities JOIN users ON users.id = oidc_identities.user_id
		WHERE oidc_identities.issuer = ? AND oidc_identities.subject = ?`, issuer, subject).
		Scan(append(idDest, userDest...)...)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.OIDCIdentity{}, store.User{}, fmt.Errorf("get the user of subject %q of %s: %w", subject, issuer, err)
	}
	var p parser
	convertID(&p)
	convertUser(&p)
	if p.err != nil {
		return store.OIDCIdentity{}, store.User{}, fmt.Errorf("get the user of subject %q of %s: %w", subject, issuer, p.err)
	}
	return id, u, nil
}

// TouchOIDCIdentity sets the link's last-used time.
func (s *Store) TouchOIDCIdentity(ctx context.Context, issuer, subject string, at time.Time) error {
	result, err := s.writer.ExecContext(ctx,
		`UPDATE oidc_identities SET last_used_at = ? WHERE issuer = ? AND subject = ?`,
		formatTime(at), issuer, subject)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("touch subject %q of %s: %w", subject, issuer, err)
	}
	return nil
}

// ListOIDCIdentities returns every link ordered by user, issuer and
// subject.
func (s *Store) ListOIDCIdentities(ctx context.Context) ([]store.OIDCIdentity, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+oidcColumns+` FROM oidc_identities
		ORDER BY user_id, issuer, subject`)
	if err != nil {
		return nil, fmt.Errorf("list provider accounts: %w", err)
	}
	defer rows.Close()
	identities := []store.OIDCIdentity{}
	var p parser
	for rows.Next() {
		var id store.OIDCIdentity
		dest, convert := oidcDest(&id)
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("list provider accounts: %w", err)
		}
		convert(&p)
		identities = append(identities, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list provider accounts: %w", err)
	}
	if p.err != nil {
		return nil, fmt.Errorf("list provider accounts: %w", p.err)
	}
	return identities, nil
}
