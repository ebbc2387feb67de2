package storetest

import (
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// testAnalysisLeases takes, renews, takes over and releases the lease on a
// movie's analysis by two holders.
func testAnalysisLeases(t *testing.T, s store.Store) {
	ctx := t.Context()
	start := time.Date(2026, 12, 5, 10, 0, 0, 0, time.UTC)
	lease := func(holder string, now time.Time) store.AnalysisLease {
		return store.AnalysisLease{MovieID: "tt0000001", Analyzer: "openai", Holder: holder, Now: now, ExpiresAt: now.Add(time.Minute)}
	}
	acquire := func(step string, l store.AnalysisLease, want bool) {
		t.Helper()
		got, err := s.AcquireAnalysisLease(ctx, l)
		if err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		if got != want {
			t.Errorf("%s: acquired %t, want %t", step, got, want)
		}
	}

	acquire("first holder", lease("a", start), true)
	acquire("second holder while the first runs", lease("b", start.Add(30*time.Second)), false)
	acquire("first holder renews", lease("a", start.Add(50*time.Second)), true)
	acquire("second holder before the renewed lease ends", lease("b", start.Add(100*time.Second)), false)

	other := lease("b", start)
	other.Analyzer = "lexicon"
	acquire("another analyzer of the movie", other, true)

	acquire("second holder after the lease ended", lease("b", start.Add(111*time.Second)), true)
	acquire("first holder after losing the lease", lease("a", start.Add(112*time.Second)), false)

	if err := s.ReleaseAnalysisLease(ctx, lease("a", start)); err != nil {
		t.Fatal(err)
	}
	acquire("release by a holder that lost it keeps the lease", lease("a", start.Add(113*time.Second)), false)
	if err := s.ReleaseAnalysisLease(ctx, lease("b", start)); err != nil {
		t.Fatal(err)
	}
	acquire("first holder after the release", lease("a", start.Add(114*time.Second)), true)
}
