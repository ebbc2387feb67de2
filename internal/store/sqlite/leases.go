package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/store"
)

// AcquireAnalysisLease takes the lease when no other holder has one that
// runs past l.Now, and renews the holder's own.
func (s *Store) AcquireAnalysisLease(ctx context.Context, l store.AnalysisLease) (bool, error) {
	acquired := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO analysis_leases (movie_id, analyzer, holder, expires_at)
			VALUES (?1, ?2, ?3, ?4)
			ON CONFLICT (movie_id, analyzer) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE analysis_leases.holder = excluded.holder OR analysis_leases.expires_at <= ?5`,
			l.MovieID, l.Analyzer, l.Holder, formatTime(l.ExpiresAt), formatTime(l.Now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		acquired = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("take the %s analysis lease of movie %s: %w", l.Analyzer, l.MovieID, err)
	}
	return acquired, nil
}

// ReleaseAnalysisLease deletes the holder's lease.
func (s *Store) ReleaseAnalysisLease(ctx context.Context, l store.AnalysisLease) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM analysis_leases WHERE movie_id = ?1 AND analyzer = ?2 AND holder = ?3`,
			l.MovieID, l.Analyzer, l.Holder)
		return err
	})
	if err != nil {
		return fmt.Errorf("release the %s analysis lease of movie %s: %w", l.Analyzer, l.MovieID, err)
	}
	return nil
}
