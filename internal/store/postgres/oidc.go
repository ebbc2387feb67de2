package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

const oidcColumns = `oidc_identities.issuer, oidc_identities.subject, oidc_identities.user_id,
	oidc_identities.created_at, oidc_identities.last_used_at`

func oidcDest(id *store.OIDCIdentity) []any {
	return []any{&id.Issuer, &id.Subject, &id.UserID, &id.CreatedAt, &id.LastUsedAt}
}

// utcOIDC converts the times that pgx returned in the local zone to UTC.
func utcOIDC(id *store.OIDCIdentity) {
	id.CreatedAt = utc(id.CreatedAt)
	id.LastUsedAt = utc(id.LastUsedAt)
}

// SetUserRoleKeepingAdmin changes the user's role, unless that takes the
// admin role from the last enabled admin.
func (s *Store) SetUserRoleKeepingAdmin(ctx context.Context, userID int64, role string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if role != store.RoleAdmin {
			if err := keepAdmin(ctx, tx, userID); err != nil {
				return err
			}
		}
		tag, err := tx.Exec(ctx, `UPDATE users SET role = $1 WHERE id = $2`, role, userID)
		return updated(tag, err)
	})
	if err != nil {
		return fmt.Errorf("set role of user %d to %q: %w", userID, role, err)
	}
	return nil
}

// CreateOIDCIdentity links a provider account to its user.
func (s *Store) CreateOIDCIdentity(ctx context.Context, id store.OIDCIdentity) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO oidc_identities
		(issuer, subject, user_id, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5)`,
		id.Issuer, id.Subject, id.UserID, id.CreatedAt, id.LastUsedAt)
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
	err := s.pool.QueryRow(ctx, `SELECT `+oidcColumns+`, `+userColumns+`
		FROM oidc_identities JOIN users ON users.id = oidc_identities.user_id
		WHERE oidc_identities.issuer = $1 AND oidc_identities.subject = $2`, issuer, subject).
		Scan(append(oidcDest(&id), userDest(&u)...)...)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.OIDCIdentity{}, store.User{}, fmt.Errorf("get the user of subject %q of %s: %w", subject, issuer, err)
	}
	utcOIDC(&id)
	utcUser(&u)
	return id, u, nil
}

// TouchOIDCIdentity sets the link's last-used time.
func (s *Store) TouchOIDCIdentity(ctx context.Context, issuer, subject string, at time.Time) error {
	tag, err := s.pool.Exec(ctx,
		`UPDATE oidc_identities SET last_used_at = $1 WHERE issuer = $2 AND subject = $3`, at, issuer, subject)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("touch subject %q of %s: %w", subject, issuer, err)
	}
	return nil
}

// ListOIDCIdentities returns every link ordered by user, issuer and
// subject.
func (s *Store) ListOIDCIdentities(ctx context.Context) ([]store.OIDCIdentity, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+oidcColumns+` FROM oidc_identities
		ORDER BY user_id, issuer, subject`)
	if err != nil {
		return nil, fmt.Errorf("list provider accounts: %w", err)
	}
	identities, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.OIDCIdentity, error) {
		var id store.OIDCIdentity
		err := row.Scan(oidcDest(&id)...)
		utcOIDC(&id)
		return id, err
	})
	if err != nil {
		return nil, fmt.Errorf("list provider accounts: %w", err)
	}
	if identities == nil {
		identities = []store.OIDCIdentity{}
	}
	return identities, nil
}
