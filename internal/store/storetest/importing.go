package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/store"
)

// ImportStore is a back end with imports and accounts, as RunImport needs.
type ImportStore interface {
	store.Store
	store.Accounts
	store.Importer
}

// RunImport runs the import suite. open must return a new, empty store for
// each call and close it when the test ends. RunImport migrates the store
// itself.
func RunImport(t *testing.T, open func(t *testing.T) ImportStore) {
	tests := []struct {
		name string
		test func(t *testing.T, s ImportStore)
	}{
		{"ImportPins", testImportPins},
		{"ImportReviewConflict", testImportReviewConflict},
		{"ReviewOwners", testReviewOwners},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := open(t)
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatalf("migrate: %v", err)
			}
			tt.test(t, s)
		})
	}
}

// importSync returns the import of one review of movieID.
func importSync(movieID, reviewID string) store.MovieImport {
	r := review(reviewID, ptr(8), day(2025, 1, 2))
	r.MovieID = movieID
	return store.MovieImport{MovieID: movieID, Track: true, TrackAt: at(0), Sync: &store.SyncResult{
		MovieID: movieID, Upserts: []store.Review{r}, ApplyEdits: true, At: at(1),
		Run: store.SyncRun{State: store.RunIncomplete, Fetched: 1, New: 1},
	}}
}

func testImportPins(t *testing.T, s ImportStore) {
	if err := s.ImportMovies(t.Context(), []store.MovieImport{importSync("tt0000001", "rw1")}); err != nil {
		t.Fatalf("import: %v", err)
	}
	if m := getMovie(t, s, "tt0000001"); !m.Tracked || !m.Pinned {
		t.Errorf("imported movie: tracked %v, pinned %v; want both, as the deployment tracks it", m.Tracked, m.Pinned)
	}

	// An analyst who adds and removes it leaves it tracked.
	bob := createUser(t, s, "bob", store.RoleAnalyst)
	trackFor(t, s, bob.ID, "tt0000001")
	if err := s.UntrackMovieForUser(t.Context(), bob.ID, "tt0000001"); err != nil {
		t.Fatal(err)
	}
	if m := getMovie(t, s, "tt0000001"); !m.Tracked {
		t.Errorf("imported movie untracked when an analyst removed it from their list")
	}
}

func testImportReviewConflict(t *testing.T, s ImportStore) {
	ctx := t.Context()
	if err := s.ImportMovies(ctx, []store.MovieImport{importSync("tt0000001", "rw1")}); err != nil {
		t.Fatalf("import: %v", err)
	}

	// The second import lists rw1 under tt0000002: it fails whole, naming
	// the review and both movies, and stores nothing.
	err := s.ImportMovies(ctx, []store.MovieImport{importSync("tt0000003", "rw3"), importSync("tt0000002", "rw1")})
	if !errors.Is(err, store.ErrReviewConflict) {
		t.Fatalf("import of another movie's review returned %v, want store.ErrReviewConflict", err)
	}
	for _, want := range []string{"rw1", "tt0000001", "tt0000002"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %s", err, want)
		}
	}
	for _, id := range []string{"tt0000002", "tt0000003"} {
		if _, err := s.GetMovie(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("movie %s after the failed import: %v, want store.ErrNotFound", id, err)
		}
	}
	if got := reviews(t, s, "tt0000001"); len(got) != 1 || got["rw1"].MovieID != "tt0000001" {
		t.Errorf("tt0000001 has %v after the failed import, want rw1 kept", got)
	}
}

func testReviewOwners(t *testing.T, s ImportStore) {
	if err := s.ImportMovies(t.Context(), []store.MovieImport{importSync("tt0000001", "rw1"), importSync("tt0000002", "rw2")}); err != nil {
		t.Fatalf("import: %v", err)
	}
	owners, err := s.ReviewOwners(t.Context(), []string{"rw2", "rw9", "rw1"})
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "owners", owners, map[string]string{"rw1": "tt0000001", "rw2": "tt0000002"})

	owners, err = s.ReviewOwners(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "owners of no review", owners, map[string]string{})
}
