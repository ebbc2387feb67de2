package webtest

import (
	"context"

	"github.com/reelpulse/reelpulse/internal/store"
)

// AcquireAnalysisLease always grants the lease: the dashboard tests run
// no analysis that could meet another.
func (s *Store) AcquireAnalysisLease(context.Context, store.AnalysisLease) (bool, error) {
	return true, nil
}

// ReleaseAnalysisLease does nothing.
func (s *Store) ReleaseAnalysisLease(context.Context, store.AnalysisLease) error { return nil }
