package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/store"
)

var _ store.Importer = (*Store)(nil)

// ImportMovies applies the writes of every movie in one write transaction.
func (s *Store) ImportMovies(ctx context.Context, movies []store.MovieImport) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, m := range movies {
			if err := importMovie(ctx, tx, m); err != nil {
				return fmt.Errorf("import movie %s: %w", m.MovieID, err)
			}
		}
		return nil
	})
}

func importMovie(ctx context.Context, tx *sql.Tx, m store.MovieImport) error {
	if m.Track {
		if _, err := pinMovie(ctx, tx, m.MovieID, m.TrackAt); err != nil {
			return fmt.Errorf("track: %w", err)
		}
	}
	if m.Check != nil {
		if err := recordCheck(ctx, tx, m.MovieID, *m.Check, m.CheckAt); err != nil {
			return fmt.Errorf("store metadata: %w", err)
		}
	}
	if m.Sync != nil {
		outcome, err := applySync(ctx, tx, *m.Sync)
		if err != nil {
			return fmt.Errorf("store reviews: %w", err)
		}
		if err := store.ImportConflict(outcome.Conflicts); err != nil {
			return err
		}
	}
	if len(m.Analyses) > 0 {
		if err := saveAnalyses(ctx, tx, m.Analyses); err != nil {
			return fmt.Errorf("store scores: %w", err)
		}
	}
	return nil
}

// ReviewOwners maps each stored review id of reviewIDs to its movie id.
func (s *Store) ReviewOwners(ctx context.Context, reviewIDs []string) (map[string]string, error) {
	var owners map[string]string
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		owners, err = reviewOwners(ctx, tx, reviewIDs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find the movies of %d reviews: %w", len(reviewIDs), err)
	}
	return owners, nil
}
