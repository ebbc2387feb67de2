package postgres

import (
	"context"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/store"
)

// AcquireAnalysisLease takes the lease when no other holder has one that
// runs past l.Now, and renews the holder's own.
func (s *Store) AcquireAnalysisLease(ctx context.Context, l store.AnalysisLease) (bool, error) {
	tag, err := s.pool.Exec(ctx, `INSERT INTO analysis_leases AS l (movie_id, analyzer, holder, expires_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (movie_id, analyzer) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE l.holder = excluded.holder OR l.expires_at <= $5`,
		l.MovieID, l.Analyzer, l.Holder, l.ExpiresAt, l.Now)
	if err != nil {
		return false, fmt.Errorf("take the %s analysis lease of movie %s: %w", l.Analyzer, l.MovieID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseAnalysisLease deletes the holder's lease.
func (s *Store) ReleaseAnalysisLease(ctx context.Context, l store.AnalysisLease) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM analysis_leases WHERE movie_id = $1 AND analyzer = $2 AND holder = $3`,
		l.MovieID, l.Analyzer, l.Holder)
	if err != nil {
		return fmt.Errorf("release the %s analysis lease of movie %s: %w", l.Analyzer, l.MovieID, err)
	}
	return nil
}
