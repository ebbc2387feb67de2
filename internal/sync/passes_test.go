package sync

import (
	"context"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
)

func (f *fixture) sync(t *testing.T, pages []imdb.ReviewPage) Result {
	t.Helper()
	f.now = f.now.Add(time.Hour)
	f.source.pages = pages
	res, err := f.syncer.Sync(context.Background(), movieID, nil)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	return res
}

func (f *fixture) allReviews(t *testing.T) map[string]store.Review {
	t.Helper()
	list, err := f.store.ListReviews(context.Background(), store.ReviewQuery{MovieID: movieID, IncludeDeleted: true})
	if err != nil {
		t.Fatalf("list reviews: %v", err)
	}
	byID := make(map[string]store.Review, len(list))
	for _, r := range list {
		byID[r.ID] = r
	}
	return byID
}

func TestSyncIncompleteKeepsEditsAndDeletions(t *testing.T) {
	f := newFixture(t)
	one := review("rw0000001", 9, "Haunting.", 10)
	two := review("rw0000002", 4, "Slow.", 2)
	three := review("rw0000003", 7, "Eerie.", 0)
	f.sync(t, paged(3, 2, one, two, three))
	before := f.allReviews(t)

	// Two complete-looking pages that lack two of five declared reviews:
	// one review edited, one missing, one new, votes changed.
	two.Text = "Truncated"
	one.HelpfulUp = 50
	four := review("rw0000004", 8, "Grim.", 1)
	res := f.sync(t, paged(5, 2, one, two, four))

	want := Result{
		MovieID: movieID, RunID: res.RunID, State: store.RunIncomplete, Pages: 2, Fetched: 3, Declared: 5,
		Shortfall: 2, New: 1, Unchanged: 2, Analyze: 1,
		Warning: "incomplete: 3 of 5 declared reviews scraped",
	}
	if res != want {
		t.Errorf("result = %+v\nwant     %+v", res, want)
	}

	after := f.allReviews(t)
	if after["rw0000002"].Text != before["rw0000002"].Text || after["rw0000002"].EditedAt != nil {
		t.Errorf("incomplete pass stored an edit: %+v", after["rw0000002"])
	}
	if after["rw0000001"].HelpfulUp != 50 {
		t.Errorf("votes of rw0000001 = %d, want 50", after["rw0000001"].HelpfulUp)
	}
	if after["rw0000004"].ID == "" {
		t.Error("incomplete pass did not store the new review")
	}
	if after["rw0000003"].DeletedAt != nil {
		t.Error("incomplete pass counted a review missing")
	}

	movie, err := f.store.GetMovie(context.Background(), movieID)
	if err != nil {
		t.Fatal(err)
	}
	if movie.FullScrapeAt == nil || movie.FullScrapeAt.Equal(f.now) {
		t.Errorf("FullScrapeAt = %v, want the first pass's time", movie.FullScrapeAt)
	}
}

func TestSyncDeletesAfterTwoCompletePasses(t *testing.T) {
	f := newFixture(t)
	one := review("rw0000001", 9, "Haunting.", 10)
	two := review("rw0000002", 4, "Slow.", 2)
	three := review("rw0000003", 7, "Eerie.", 0)
	f.sync(t, paged(3, 25, one, two, three))

	if res := f.sync(t, paged(2, 25, one, two)); res.Deleted != 0 || !res.Complete {
		t.Errorf("first pass without rw0000003: %+v, want complete with nothing deleted", res)
	}
	if res := f.sync(t, paged(3, 25, one, two)); res.Deleted != 0 || res.Complete {
		t.Errorf("incomplete pass without rw0000003: %+v, want incomplete with nothing deleted", res)
	}

	res := f.sync(t, paged(2, 25, one, two))
	if res.Deleted != 1 {
		t.Errorf("second complete pass without rw0000003: %+v, want 1 deleted", res)
	}
	if run := f.lastRun(t); run.Deleted != 1 || run.HelpfulUpTotal != 12 {
		t.Errorf("run = %+v, want 1 deleted and 12 helpful votes", run)
	}
	if _, listed := f.reviews(t)["rw0000003"]; listed {
		t.Error("deleted review still listed")
	}
	if deleted := f.allReviews(t)["rw0000003"]; deleted.DeletedAt == nil || !deleted.DeletedAt.Equal(f.now) {
		t.Errorf("DeletedAt = %v, want %v", deleted.DeletedAt, f.now)
	}

	res = f.sync(t, paged(3, 25, one, two, three))
	if res.New != 0 || res.Unchanged != 3 || res.Deleted != 0 {
		t.Errorf("pass listing rw0000003 again: %+v, want it unchanged, not new", res)
	}
	if restored := f.allReviews(t)["rw0000003"]; restored.DeletedAt != nil {
		t.Errorf("review listed again is still deleted: %+v", restored)
	}
}

func TestSyncCompletenessUsesFirstPageTotal(t *testing.T) {
	reviews := []imdb.Review{
		review("rw0000001", 9, "Haunting.", 10),
		review("rw0000002", 4, "Slow.", 2),
		review("rw0000003", 7, "Eerie.", 0),
	}
	tests := []struct {
		name       string
		first      int // total on the first page
		later      int // total on the later pages
		wantState  string
		wantEdited int
	}{
		{"review posted during the pass", 3, 4, store.RunComplete, 1},
		{"review removed during the pass", 4, 3, store.RunIncomplete, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			f.sync(t, paged(3, 2, reviews...))

			edited := append([]imdb.Review(nil), reviews...)
			edited[0].Text = "Haunting, on a second viewing."
			pages := paged(tt.later, 2, edited...)
			pages[0].Total = tt.first

			res := f.sync(t, pages)
			if res.State != tt.wantState || res.Edited != tt.wantEdited || res.Declared != tt.first {
				t.Errorf("result = %+v, want state %s with %d edits against %d declared", res, tt.wantState, tt.wantEdited, tt.first)
			}
		})
	}
}

func TestCompleteness(t *testing.T) {
	tests := []struct {
		fetched, declared, tolerance int
		state                        string
		shortfall                    int
	}{
		{3, 3, 0, store.RunComplete, 0},
		{4, 3, 0, store.RunComplete, 0},
		{5, 0, 0, store.RunComplete, 0},
		{2, 3, 0, store.RunIncomplete, 1},
		{2450, 2500, 100, store.RunComplete, 50},
		{2399, 2500, 100, store.RunIncomplete, 101},
	}
	for _, tt := range tests {
		state, shortfall := completeness(tt.fetched, tt.declared, tt.tolerance)
		if state != tt.state || shortfall != tt.shortfall {
			t.Errorf("completeness(%d, %d, %d) = %s, %d; want %s, %d",
				tt.fetched, tt.declared, tt.tolerance, state, shortfall, tt.state, tt.shortfall)
		}
	}
}
