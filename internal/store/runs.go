package store

import (
	"context"
	"errors"
	"fmt"
)

// LatestRun returns the movie's latest review pass, or nil before its
// first one.
func LatestRun(ctx context.Context, st Store, movieID string) (*SyncRun, error) {
	run, err := st.LastRun(ctx, movieID)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load last run of movie %s: %w", movieID, err)
	}
	return &run, nil
}
