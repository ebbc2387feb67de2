package web_test

import (
	"log/slog"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

// TestMemoryAggregatesMatchSQL checks that the in-memory store that the
// page tests use computes the same aggregates as the SQL back ends, whose
// queries the store conformance suite checks.
func TestMemoryAggregatesMatchSQL(t *testing.T) {
	ctx := t.Context()
	now := time.Date(2024, 6, 29, 9, 0, 0, 0, time.UTC)
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "reelpulse.db"), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("open sqlite store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite store: %v", err)
	}
	memory := webtest.NewStore()
	for _, st := range []store.Store{db, memory} {
		if _, err := webtest.Seed(ctx, st, now); err != nil {
			t.Fatalf("seed: %v", err)
		}
	}

	for _, bucket := range []store.Bucket{store.BucketDay, store.BucketWeek, store.BucketMonth} {
		q := store.AggregateQuery{MovieID: webtest.MovieID, Analyzer: webtest.Analyzer, Bucket: bucket, Now: now}
		want, err := db.Aggregates(ctx, q)
		if err != nil {
			t.Fatalf("sqlite aggregates by %s: %v", bucket, err)
		}
		got, err := memory.Aggregates(ctx, q)
		if err != nil {
			t.Fatalf("memory aggregates by %s: %v", bucket, err)
		}
		// The SQL stores fill in times the in-memory store leaves as given.
		for _, h := range []*store.HelpfulReview{want.MostHelpfulPositive, want.MostHelpfulNegative, got.MostHelpfulPositive, got.MostHelpfulNegative} {
			if h != nil {
				h.Review = store.Review{ID: h.Review.ID, HelpfulUp: h.Review.HelpfulUp}
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("aggregates by %s:\nmemory %+v\nsqlite %+v", bucket, got, want)
		}
		if want.NewLastDay != 1 || want.NewLastWeek != 1 {
			t.Errorf("new reviews by %s = %d and %d, want 1 and 1 (28 June)", bucket, want.NewLastDay, want.NewLastWeek)
		}
	}

	ids := []string{webtest.MovieID, webtest.PendingMovieID}
	since := now.AddDate(0, 0, -29)
	want, err := db.DailyReviewCounts(ctx, ids, since)
	if err != nil {
		t.Fatalf("sqlite daily review counts: %v", err)
	}
	got, err := memory.DailyReviewCounts(ctx, ids, since)
	if err != nil {
		t.Fatalf("memory daily review counts: %v", err)
	}
	if !reflect.DeepEqual(got, want) || len(want[webtest.MovieID]) != 3 {
		t.Errorf("daily review counts:\nmemory %+v\nsqlite %+v, want 3 days of %s", got, want, webtest.MovieID)
	}
}
