// Package storetest is the conformance suite that every store.Store back
// end must pass.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// VoteHistory counts a review's rows in the vote-history table, which no
// store.Store method returns. The stores that open returns must implement
// it, so that the suite can check when history rows are added.
type VoteHistory interface {
	VoteRows(ctx context.Context, reviewID string) (int, error)
}

// Run runs the suite. open must return a new, empty store that implements
// VoteHistory for each call and close it when the test ends. Run migrates
// the store itself.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		test func(t *testing.T, s store.Store)
	}{
		{"MigrateTwice", testMigrateTwice},
		{"CheckKeepsPassError", testCheckKeepsPassError},
		{"TrackMovie", testTrackMovie},
		{"UntrackMovie", testUntrackMovie},
		{"GetMovieNotFound", testGetMovieNotFound},
		{"ListMovies", testListMovies},
		{"RecordCheck", testRecordCheck},
		{"RecordError", testRecordError},
		{"ParkMovie", testParkMovie},
		{"SchedulableMovieIDs", testSchedulableMovieIDs},
		{"ApplySyncCancelled", testApplySyncCancelled},
		{"ApplySyncInserts", testApplySyncInserts},
		{"ApplySyncVotesWithoutEdit", testApplySyncVotesWithoutEdit},
		{"ApplySyncEdit", testApplySyncEdit},
		{"ApplySyncMovieFields", testApplySyncMovieFields},
		{"ApplySyncRollback", testApplySyncRollback},
		{"ApplySyncUnknownMovie", testApplySyncUnknownMovie},
		{"ApplySyncOtherMovieReview", testApplySyncOtherMovieReview},
		{"ApplySyncAdoptsReviews", testApplySyncAdoptsReviews},
		{"ApplySyncEditsNeedApplyEdits", testApplySyncEditsNeedApplyEdits},
		{"ApplySyncMissingAndDeleted", testApplySyncMissingAndDeleted},
		{"ApplySyncVoteHistory", testApplySyncVoteHistory},
		{"ApplySyncRun", testApplySyncRun},
		{"RecordRunStates", testRecordRunStates},
		{"ListRunsOrder", testListRunsOrder},
		{"Posters", testPosters},
		{"ListReviews", testListReviews},
		{"QueryReviews", testQueryReviews},
		{"QueryReviewsCursor", testQueryReviewsCursor},
		{"QueryReviewsCountLimit", testQueryReviewsCountLimit},
		{"QueryReviewsCursorStable", testQueryReviewsCursorStable},
		{"PendingAnalysis", testPendingAnalysis},
		{"SaveAnalysesReplaces", testSaveAnalysesReplaces},
		{"AnalysisFailures", testAnalysisFailures},
		{"PendingAnalysisSince", testPendingAnalysisSince},
		{"LLMUsage", testLLMUsage},
		{"ReviewAnalyses", testReviewAnalyses},
		{"Stats", testStats},
		{"StatsNotFound", testStatsNotFound},
		{"Snapshots", testSnapshots},
		{"Aggregates", testAggregates},
		{"DailyReviewCounts", testDailyReviewCounts},
		{"Rollups", testRollups},
		{"RollupsConcurrent", testRollupsConcurrent},
		{"AnalysisLeases", testAnalysisLeases},
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

// base is a time with microseconds, the precision that every back end keeps.
var base = time.Date(2026, 3, 1, 12, 30, 45, 123456000, time.UTC)

func at(hours int) time.Time {
	return base.Add(time.Duration(hours) * time.Hour)
}

func ptr[T any](v T) *T {
	return &v
}

func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 0, 0, 0, 0, time.UTC)
}

// review returns a complete review of movie tt0000001.
func review(id string, rating *int, submitted time.Time) store.Review {
	return store.Review{
		ID:          id,
		MovieID:     "tt0000001",
		AuthorName:  "Author " + id,
		AuthorID:    "ur" + id,
		Title:       "Title " + id,
		Text:        "Text of " + id,
		TextHTML:    "<div>Text of " + id + "</div>",
		Rating:      rating,
		SubmittedAt: submitted,
		HelpfulUp:   3,
		HelpfulDown: 1,
		ContentHash: "hash-" + id,
	}
}

func track(t *testing.T, s store.Store, id string) {
	t.Helper()
	if _, err := s.TrackMovie(t.Context(), id, at(0)); err != nil {
		t.Fatalf("track %s: %v", id, err)
	}
}

func applySync(t *testing.T, s store.Store, result store.SyncResult) store.SyncOutcome {
	t.Helper()
	if result.MovieID == "" {
		result.MovieID = "tt0000001"
	}
	outcome, err := s.ApplySync(t.Context(), result)
	if err != nil {
		t.Fatalf("apply sync: %v", err)
	}
	return outcome
}

func getMovie(t *testing.T, s store.Store, id string) store.Movie {
	t.Helper()
	m, err := s.GetMovie(t.Context(), id)
	if err != nil {
		t.Fatalf("get movie: %v", err)
	}
	return m
}

func reviews(t *testing.T, s store.Store, movieID string) map[string]store.Review {
	t.Helper()
	list, err := s.ListReviews(t.Context(), store.ReviewQuery{MovieID: movieID})
	if err != nil {
		t.Fatalf("list reviews: %v", err)
	}

	byID := map[string]store.Review{}
	for _, r := range list {
		byID[r.ID] = r
	}
	return byID
}

// equal fails the test when got and want differ, showing both as JSON so
// that pointers print as values.
func equal[T any](t *testing.T, label string, got, want T) {
	t.Helper()
	if reflect.DeepEqual(got, want) {
		return
	}
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	t.Errorf("%s:\ngot  %s\nwant %s", label, g, w)
}

func notFound(t *testing.T, label string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: error %v, want store.ErrNotFound", label, err)
	}
}

func testMigrateTwice(t *testing.T, s store.Store) {
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	track(t, s, "tt0000001")
}

func testTrackMovie(t *testing.T, s store.Store) {
	ctx := t.Context()
	created, err := s.TrackMovie(ctx, "tt0000001", at(0))
	if err != nil || !created {
		t.Fatalf("first track: created %v, error %v; want true, nil", created, err)
	}

	want := store.Movie{ID: "tt0000001", Tracked: true, AddedAt: at(0)}
	equal(t, "new movie", getMovie(t, s, "tt0000001"), want)

	created, err = s.TrackMovie(ctx, "tt0000001", at(1))
	if err != nil || created {
		t.Fatalf("second track: created %v, error %v; want false, nil", created, err)
	}

	if err := s.UntrackMovie(ctx, "tt0000001"); err != nil {
		t.Fatalf("untrack: %v", err)
	}
	created, err = s.TrackMovie(ctx, "tt0000001", at(2))
	if err != nil || created {
		t.Fatalf("track again: created %v, error %v; want false, nil", created, err)
	}
	equal(t, "re-tracked movie", getMovie(t, s, "tt0000001"), want)
}

func testUntrackMovie(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(7), day(2025, 1, 2))}, At: at(1)})

	if err := s.UntrackMovie(ctx, "tt0000001"); err != nil {
		t.Fatalf("untrack: %v", err)
	}
	if m := getMovie(t, s, "tt0000001"); m.Tracked {
		t.Errorf("movie still tracked after untrack")
	}
	if got := len(reviews(t, s, "tt0000001")); got != 1 {
		t.Errorf("untracked movie has %d reviews, want 1", got)
	}

	tracked, err := s.ListMovies(ctx, true)
	if err != nil || len(tracked) != 0 {
		t.Errorf("tracked movies: %d, error %v; want none", len(tracked), err)
	}
	all, err := s.ListMovies(ctx, false)
	if err != nil || len(all) != 1 {
		t.Errorf("all movies: %d, error %v; want 1", len(all), err)
	}

	notFound(t, "untrack unknown movie", s.UntrackMovie(ctx, "tt9999999"))
}

func testGetMovieNotFound(t *testing.T, s store.Store) {
	_, err := s.GetMovie(t.Context(), "tt9999999")
	notFound(t, "get unknown movie", err)
}

func testListMovies(t *testing.T, s store.Store) {
	ctx := t.Context()
	titles := map[string]string{
		"tt0000001": "Nosferatu",
		"tt0000002": "",
		"tt0000003": "Metropolis",
		"tt0000004": "Metropolis",
		"tt0000005": "Zéro de conduite",
	}
	for id, title := range titles {
		track(t, s, id)
		if title != "" {
			if err := s.RecordCheck(ctx, id, store.MovieMetadata{Title: title}, at(1)); err != nil {
				t.Fatalf("record check: %v", err)
			}
		}
	}
	if err := s.UntrackMovie(ctx, "tt0000001"); err != nil {
		t.Fatalf("untrack: %v", err)
	}

	tests := []struct {
		trackedOnly bool
		want        []string
	}{
		{false, []string{"tt0000003", "tt0000004", "tt0000001", "tt0000005", "tt0000002"}},
		{true, []string{"tt0000003", "tt0000004", "tt0000005", "tt0000002"}},
	}
	for _, tt := range tests {
		movies, err := s.ListMovies(ctx, tt.trackedOnly)
		if err != nil {
			t.Fatalf("list movies: %v", err)
		}
		ids := []string{}
		for _, m := range movies {
			ids = append(ids, m.ID)
		}
		equal(t, "movie order", ids, tt.want)
	}
}

func testRecordCheck(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	if err := s.RecordError(ctx, "tt0000001", "title page: 503", at(1)); err != nil {
		t.Fatalf("record error: %v", err)
	}

	full := store.MovieMetadata{
		Title:               "Nosferatu",
		OriginalTitle:       "Nosferatu, eine Symphonie des Grauens",
		Year:                1922,
		ReleaseDate:         ptr(day(1922, 3, 4)),
		PosterURL:           "https://example.com/poster.jpg",
		AggregateRating:     ptr(7.8),
		RatingCount:         ptr(int64(123456)),
		DeclaredReviewCount: ptr(789),
	}
	if err := s.RecordCheck(ctx, "tt0000001", full, at(2)); err != nil {
		t.Fatalf("record check: %v", err)
	}
	want := store.Movie{
		ID: "tt0000001", Title: full.Title, OriginalTitle: full.OriginalTitle, Year: 1922,
		ReleaseDate: full.ReleaseDate, PosterURL: full.PosterURL, AggregateRating: full.AggregateRating,
		RatingCount: full.RatingCount, DeclaredReviewCount: full.DeclaredReviewCount,
		Tracked: true, AddedAt: at(0), CheckedAt: ptr(at(2)),
	}
	equal(t, "after full check", getMovie(t, s, "tt0000001"), want)

	partial := store.MovieMetadata{Title: "Nosferatu (1922)", DeclaredReviewCount: ptr(790)}
	if err := s.RecordCheck(ctx, "tt0000001", partial, at(3)); err != nil {
		t.Fatalf("record partial check: %v", err)
	}
	want.Title = partial.Title
	want.DeclaredReviewCount = partial.DeclaredReviewCount
	want.CheckedAt = ptr(at(3))
	equal(t, "after partial check", getMovie(t, s, "tt0000001"), want)

	notFound(t, "check unknown movie", s.RecordCheck(ctx, "tt9999999", full, at(3)))
}

func testRecordError(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	if err := s.RecordCheck(ctx, "tt0000001", store.MovieMetadata{Title: "Nosferatu", Year: 1922}, at(1)); err != nil {
		t.Fatalf("record check: %v", err)
	}
	before := getMovie(t, s, "tt0000001")

	if err := s.RecordError(ctx, "tt0000001", "reviews page: timeout", at(2)); err != nil {
		t.Fatalf("record error: %v", err)
	}
	want := before
	want.LastError = "reviews page: timeout"
	want.LastErrorAt = ptr(at(2))
	equal(t, "after error", getMovie(t, s, "tt0000001"), want)

	notFound(t, "record error of unknown movie", s.RecordError(ctx, "tt9999999", "x", at(2)))
}

func testParkMovie(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	before := getMovie(t, s, "tt0000001")
	if before.ParkedAt != nil || before.ParkedReason != "" || before.UnparkedAt != nil {
		t.Fatalf("new movie is parked: %+v", before)
	}

	steps := []struct {
		name string
		do   func() error
		want func(m store.Movie) store.Movie
	}{
		{
			name: "park",
			do:   func() error { return s.ParkMovie(ctx, "tt0000001", "sync tt0000001: blocked (HTTP 403)", at(1)) },
			want: func(m store.Movie) store.Movie {
				m.ParkedAt, m.ParkedReason = ptr(at(1)), "sync tt0000001: blocked (HTTP 403)"
				return m
			},
		},
		{
			name: "park again keeps the time and replaces the reason",
			do:   func() error { return s.ParkMovie(ctx, "tt0000001", "later error", at(2)) },
			want: func(m store.Movie) store.Movie {
				m.ParkedAt, m.ParkedReason = ptr(at(1)), "later error"
				return m
			},
		},
		{
			name: "unpark",
			do:   func() error { return s.UnparkMovie(ctx, "tt0000001", at(3)) },
			want: func(m store.Movie) store.Movie {
				m.UnparkedAt = ptr(at(3))
				return m
			},
		},
		{
			name: "unpark an unparked movie moves UnparkedAt",
			do:   func() error { return s.UnparkMovie(ctx, "tt0000001", at(4)) },
			want: func(m store.Movie) store.Movie {
				m.UnparkedAt = ptr(at(4))
				return m
			},
		},
	}
	for _, step := range steps {
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		equal(t, step.name, getMovie(t, s, "tt0000001"), step.want(before))
	}

	if err := s.ParkMovie(ctx, "tt0000002", "failed", at(5)); err != nil {
		t.Fatalf("park tt0000002: %v", err)
	}
	movies, err := s.ListMovies(ctx, true)
	if err != nil {
		t.Fatalf("list movies: %v", err)
	}
	parked := map[string]bool{}
	for _, m := range movies {
		parked[m.ID] = m.ParkedAt != nil
	}
	equal(t, "parked flags in ListMovies", parked, map[string]bool{"tt0000001": false, "tt0000002": true})

	notFound(t, "park unknown movie", s.ParkMovie(ctx, "tt9999999", "x", at(2)))
	notFound(t, "unpark unknown movie", s.UnparkMovie(ctx, "tt9999999", at(2)))
}

// testApplySyncCancelled checks that a pass whose context is cancelled, as
// at shutdown, stores nothing.
func testApplySyncCancelled(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))}, At: at(1)})
	movieBefore := getMovie(t, s, "tt0000001")
	reviewsBefore := reviews(t, s, "tt0000001")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := s.ApplySync(ctx, store.SyncResult{
		MovieID:  "tt0000001",
		Upserts:  []store.Review{review("rw2", ptr(8), day(2025, 1, 3))},
		Seen:     []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 99}},
		Metadata: &store.MovieMetadata{Title: "Changed"},
		Complete: true,
		At:       at(2),
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("apply sync with a cancelled context: error %v, want context.Canceled", err)
	}
	equal(t, "movie after cancelled sync", getMovie(t, s, "tt0000001"), movieBefore)
	equal(t, "reviews after cancelled sync", reviews(t, s, "tt0000001"), reviewsBefore)
	runs, err := s.ListRuns(t.Context(), "tt0000001", 0)
	if err != nil {
		t.Fatalf("list runs: %v", err)
	}
	equal(t, "runs after cancelled sync", len(runs), 1)
}

func testApplySyncInserts(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	unrated := review("rw2", nil, day(2025, 2, 3))
	unrated.Title = "Ünïcödé — 映画 🎬"
	unrated.Text = "Line one\nLine «two» with e\u0301 and 𝄞; quotes ' \" and a NUL-free tab\t."
	unrated.Spoiler = true
	unrated.AuthorID = ""
	unrated.TextHTML = ""
	unrated.VotesInexact = true
	applySync(t, s, store.SyncResult{
		Upserts: []store.Review{review("rw1", ptr(10), day(2025, 1, 2)), unrated},
		Seen: []store.ReviewVotes{
			{ReviewID: "rw1", HelpfulUp: 3, HelpfulDown: 1},
			{ReviewID: "rw2", HelpfulUp: 3, HelpfulDown: 1, VotesInexact: true},
		},
		At: at(1),
	})

	got := reviews(t, s, "tt0000001")
	for _, want := range []store.Review{review("rw1", ptr(10), day(2025, 1, 2)), unrated} {
		want.FirstSeenAt = at(1)
		want.LastSeenAt = at(1)
		equal(t, "stored review "+want.ID, got[want.ID], want)
	}

	hashes, err := s.ReviewHashes(t.Context(), "tt0000001")
	if err != nil {
		t.Fatalf("review hashes: %v", err)
	}
	equal(t, "hashes", hashes, map[string]string{"rw1": "hash-rw1", "rw2": "hash-rw2"})
}

func testApplySyncVotesWithoutEdit(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	first := review("rw1", ptr(6), day(2025, 1, 2))
	applySync(t, s, store.SyncResult{Upserts: []store.Review{first}, At: at(1)})

	applySync(t, s, store.SyncResult{
		Seen: []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 40, HelpfulDown: 2}, {ReviewID: "rw404", HelpfulUp: 1}},
		At:   at(2),
	})

	want := first
	want.HelpfulUp, want.HelpfulDown = 40, 2
	want.FirstSeenAt, want.LastSeenAt = at(1), at(2)
	equal(t, "review after votes", reviews(t, s, "tt0000001")["rw1"], want)

	// A pass that does not see the review keeps it unchanged.
	applySync(t, s, store.SyncResult{At: at(3)})
	equal(t, "review after a pass without it", reviews(t, s, "tt0000001")["rw1"], want)
}

func testApplySyncEdit(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	first := review("rw1", ptr(6), day(2025, 1, 2))
	applySync(t, s, store.SyncResult{Upserts: []store.Review{first}, At: at(1)})

	// An upsert with an unchanged hash is not an edit.
	applySync(t, s, store.SyncResult{Upserts: []store.Review{first}, At: at(2)})
	if got := reviews(t, s, "tt0000001")["rw1"]; got.EditedAt != nil {
		t.Errorf("edited at %v after an upsert with the same hash, want nil", got.EditedAt)
	}

	edited := first
	edited.Text = "Rewritten text"
	edited.TextHTML = "<div>Rewritten text</div>"
	edited.Rating = nil
	edited.ContentHash = "hash-rw1-v2"
	applySync(t, s, store.SyncResult{
		Upserts:    []store.Review{edited},
		Seen:       []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 5, HelpfulDown: 0}},
		ApplyEdits: true,
		At:         at(3),
	})

	want := edited
	want.HelpfulUp, want.HelpfulDown = 5, 0
	want.FirstSeenAt, want.LastSeenAt, want.EditedAt = at(1), at(3), ptr(at(3))
	equal(t, "edited review", reviews(t, s, "tt0000001")["rw1"], want)
}

func testApplySyncMovieFields(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	if err := s.RecordCheck(ctx, "tt0000001", store.MovieMetadata{Title: "Nosferatu", Year: 1922}, at(1)); err != nil {
		t.Fatalf("record check: %v", err)
	}
	if err := s.RecordError(ctx, "tt0000001", "boom", at(2)); err != nil {
		t.Fatalf("record error: %v", err)
	}

	applySync(t, s, store.SyncResult{
		Metadata: &store.MovieMetadata{DeclaredReviewCount: ptr(12)},
		Warning:  "stopped at page 3",
		At:       at(3),
	})
	m := getMovie(t, s, "tt0000001")
	want := store.Movie{
		ID: "tt0000001", Title: "Nosferatu", Year: 1922, DeclaredReviewCount: ptr(12),
		Tracked: true, AddedAt: at(0), CheckedAt: ptr(at(1)), ScrapedAt: ptr(at(3)),
		ScrapeWarning: "stopped at page 3",
	}
	equal(t, "movie after incomplete pass", m, want)

	applySync(t, s, store.SyncResult{Complete: true, At: at(4)})
	want.ScrapedAt, want.FullScrapeAt, want.ScrapeWarning = ptr(at(4)), ptr(at(4)), ""
	equal(t, "movie after complete pass", getMovie(t, s, "tt0000001"), want)

	applySync(t, s, store.SyncResult{At: at(5)})
	want.ScrapedAt = ptr(at(5))
	equal(t, "movie after second incomplete pass", getMovie(t, s, "tt0000001"), want)
}

func testApplySyncRollback(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))}, At: at(1)})
	movieBefore := getMovie(t, s, "tt0000001")
	reviewsBefore := reviews(t, s, "tt0000001")

	changed := review("rw1", ptr(2), day(2025, 1, 2))
	changed.ContentHash = "changed"
	_, err := s.ApplySync(ctx, store.SyncResult{
		MovieID: "tt0000001",
		Upserts: []store.Review{
			review("rw2", ptr(8), day(2025, 1, 3)),
			changed,
			review("rw3", ptr(11), day(2025, 1, 4)),
		},
		Seen:     []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 99}},
		Metadata: &store.MovieMetadata{Title: "Changed"},
		Complete: true,
		Warning:  "changed",
		At:       at(2),
	})
	if err == nil {
		t.Fatalf("apply sync with rating 11 succeeded")
	}

	equal(t, "movie after failed sync", getMovie(t, s, "tt0000001"), movieBefore)
	equal(t, "reviews after failed sync", reviews(t, s, "tt0000001"), reviewsBefore)
	equal(t, "vote rows after failed sync", voteRows(t, s, "rw1"), 1)
	equal(t, "vote rows of a review that was not stored", voteRows(t, s, "rw2"), 0)
	runs, err := s.ListRuns(ctx, "tt0000001", 0)
	if err != nil {
		t.Fatalf("list runs: %v", err)
	}
	equal(t, "runs after failed sync", len(runs), 1)
}

func testApplySyncUnknownMovie(t *testing.T, s store.Store) {
	_, err := s.ApplySync(t.Context(), store.SyncResult{
		MovieID: "tt9999999",
		Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))},
		At:      at(1),
	})
	notFound(t, "sync of unknown movie", err)
}

func testApplySyncOtherMovieReview(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))}, At: at(1)})

	// A title that lists a review another tracked movie owns (IMDb merged
	// the two) stores its own reviews; the foreign one keeps its owner,
	// text and votes, and the outcome and the run report it.
	moved := review("rw1", ptr(6), day(2025, 1, 2))
	moved.MovieID = ""
	moved.Text = "Text as listed under tt0000002"
	own := review("rw2", ptr(7), day(2025, 1, 3))
	own.MovieID = ""
	outcome, err := s.ApplySync(t.Context(), store.SyncResult{
		MovieID: "tt0000002", Upserts: []store.Review{moved, own}, At: at(2), ApplyEdits: true,
		Seen: []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 50, HelpfulDown: 9}, {ReviewID: "rw2", HelpfulUp: 3, HelpfulDown: 1}},
		Run:  store.SyncRun{State: store.RunIncomplete, Fetched: 2, New: 2, Skipped: 1},
	})
	if err != nil {
		t.Fatalf("sync listing another movie's review: %v", err)
	}
	equal(t, "conflicts", outcome.Conflicts, []store.ReviewConflict{{ReviewID: "rw1", MovieID: "tt0000002", OwnerID: "tt0000001"}})
	if got := reviews(t, s, "tt0000002"); len(got) != 1 || got["rw2"].ID != "rw2" {
		t.Errorf("movie tt0000002 has %v, want only rw2", got)
	}
	owned := reviews(t, s, "tt0000001")
	if len(owned) != 1 || owned["rw1"].Text != "Text of rw1" || owned["rw1"].HelpfulUp != 3 {
		t.Errorf("movie tt0000001 has %+v, want rw1 kept with its text and 3 helpful votes", owned)
	}
	if n := voteRows(t, s, "rw1"); n != 1 {
		t.Errorf("rw1 has %d vote-history rows, want the 1 of its own movie's pass", n)
	}
	run, err := s.LastRun(t.Context(), "tt0000002")
	if err != nil {
		t.Fatal(err)
	}
	if run.New != 1 || run.Skipped != 2 {
		t.Errorf("run of tt0000002: new %d, skipped %d; want 1 new and 2 skipped (1 malformed, 1 of another movie)", run.New, run.Skipped)
	}

	// A pass of the owner itself is no conflict.
	outcome = applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))}, At: at(3), ApplyEdits: true})
	if len(outcome.Conflicts) != 0 {
		t.Errorf("the owner's own pass reported conflicts %v", outcome.Conflicts)
	}
}

// testApplySyncAdoptsReviews lists reviews that an untracked and a parked
// movie hold, as after IMDb merged those titles into this one. The reviews
// move with their analyses, and the rollups of all three movies equal a
// recount. A tracked owner keeps its reviews (testApplySyncOtherMovieReview).
func testApplySyncAdoptsReviews(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := day(2025, 1, 27)
	for _, id := range []string{"tt0000001", "tt0000002", "tt0000003"} {
		track(t, s, id)
	}
	byMovie := map[string][]store.Review{"tt0000001": nil, "tt0000002": nil}
	for i, movieID := range []string{"tt0000001", "tt0000001", "tt0000002"} {
		r := review("rw"+strconv.Itoa(i+1), ptr(5+i), first.AddDate(0, 0, i*20))
		r.MovieID = movieID
		byMovie[movieID] = append(byMovie[movieID], r)
	}
	for movieID, list := range byMovie {
		applySync(t, s, store.SyncResult{MovieID: movieID, Upserts: list, At: at(1), Complete: true})
	}
	save(t, s, analysis("rw1", "hash-rw1", "v1", at(2), store.AspectScore{Aspect: store.Overall, Score: ptr(2)}))
	if err := s.UntrackMovie(ctx, "tt0000001"); err != nil {
		t.Fatal(err)
	}
	if err := s.ParkMovie(ctx, "tt0000002", "IMDb serves title tt0000003 for tt0000002", at(3)); err != nil {
		t.Fatal(err)
	}

	var listed []store.Review
	for _, list := range byMovie {
		for _, r := range list {
			r.MovieID = ""
			listed = append(listed, r)
		}
	}
	outcome := applySync(t, s, store.SyncResult{MovieID: "tt0000003", Upserts: listed, At: at(4), Complete: true})
	if outcome.Adopted != 3 || len(outcome.Conflicts) != 0 {
		t.Errorf("outcome = %+v, want 3 reviews adopted and no conflict", outcome)
	}
	if got := reviews(t, s, "tt0000003"); len(got) != 3 {
		t.Errorf("movie tt0000003 has %d reviews, want the 3 of the merged titles", len(got))
	}
	for _, movieID := range []string{"tt0000001", "tt0000002", "tt0000003"} {
		checkRollups(t, s, "after the merge, movie "+movieID, movieID, "lexicon", first)
	}
}

func testListReviews(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	other := review("rw9", nil, day(2025, 6, 1))
	other.MovieID = "tt0000002"
	applySync(t, s, store.SyncResult{Upserts: []store.Review{
		review("rw1", ptr(6), day(2025, 1, 2)),
		review("rw2", ptr(6), day(2025, 3, 1)),
		review("rw3", ptr(6), day(2025, 3, 1)),
		review("rw4", ptr(6), day(2024, 12, 31)),
	}, At: at(1)})
	applySync(t, s, store.SyncResult{MovieID: "tt0000002", Upserts: []store.Review{other}, At: at(1)})

	tests := []struct {
		query store.ReviewQuery
		want  []string
	}{
		{store.ReviewQuery{MovieID: "tt0000001"}, []string{"rw3", "rw2", "rw1", "rw4"}},
		{store.ReviewQuery{MovieID: "tt0000001", Limit: 2}, []string{"rw3", "rw2"}},
		{store.ReviewQuery{MovieID: "tt0000001", Limit: 2, Offset: 2}, []string{"rw1", "rw4"}},
		{store.ReviewQuery{MovieID: "tt0000001", Offset: 3}, []string{"rw4"}},
		{store.ReviewQuery{}, []string{"rw9", "rw3", "rw2", "rw1", "rw4"}},
		{store.ReviewQuery{MovieID: "tt9999999"}, []string{}},
	}
	for _, tt := range tests {
		list, err := s.ListReviews(ctx, tt.query)
		if err != nil {
			t.Fatalf("list reviews %+v: %v", tt.query, err)
		}
		ids := []string{}
		for _, r := range list {
			ids = append(ids, r.ID)
		}
		equal(t, "reviews of query", ids, tt.want)
	}
}

func pendingIDs(t *testing.T, s store.Store, analyzer, version string, limit int) []string {
	t.Helper()
	list, err := s.PendingAnalysis(t.Context(), store.PendingQuery{MovieID: "tt0000001", Analyzer: analyzer, AnalyzerVersion: version, Limit: limit})
	if err != nil {
		t.Fatalf("pending analysis: %v", err)
	}

	ids := []string{}
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

func analysis(reviewID, hash, version string, at time.Time, aspects ...store.AspectScore) store.Analysis {
	return store.Analysis{
		ReviewID: reviewID, Analyzer: "lexicon", AnalyzerVersion: version,
		ContentHash: hash, AnalyzedAt: at, Aspects: aspects,
	}
}

func save(t *testing.T, s store.Store, analyses ...store.Analysis) {
	t.Helper()
	if err := s.SaveAnalyses(t.Context(), analyses); err != nil {
		t.Fatalf("save analyses: %v", err)
	}
}

func testPendingAnalysis(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{
		review("rw3", ptr(6), day(2025, 1, 2)),
		review("rw1", ptr(6), day(2025, 1, 3)),
		review("rw2", nil, day(2025, 1, 4)),
	}, At: at(1)})

	equal(t, "pending before analysis", pendingIDs(t, s, "lexicon", "v1", 10), []string{"rw1", "rw2", "rw3"})
	equal(t, "pending with limit", pendingIDs(t, s, "lexicon", "v1", 2), []string{"rw1", "rw2"})

	save(t, s, analysis("rw1", "hash-rw1", "v1", at(2)), analysis("rw2", "stale", "v1", at(2)))
	equal(t, "pending after analysis", pendingIDs(t, s, "lexicon", "v1", 10), []string{"rw2", "rw3"})
	equal(t, "pending for a new version", pendingIDs(t, s, "lexicon", "v2", 10), []string{"rw1", "rw2", "rw3"})
	equal(t, "pending for another analyzer", pendingIDs(t, s, "model", "v1", 10), []string{"rw1", "rw2", "rw3"})

	edited := review("rw1", ptr(6), day(2025, 1, 3))
	edited.ContentHash = "hash-rw1-v2"
	applySync(t, s, store.SyncResult{Upserts: []store.Review{edited}, ApplyEdits: true, At: at(3)})
	equal(t, "pending after edit", pendingIDs(t, s, "lexicon", "v1", 10), []string{"rw1", "rw2", "rw3"})

	// Imported results count as current for every version of the analyzer
	// until the text changes, so that imported scores are not paid for again.
	save(t, s, analysis("rw1", "hash-rw1-v2", store.VersionImportedExport, at(4)),
		analysis("rw3", "hash-rw3", store.VersionImportedTracker, at(4)))
	equal(t, "pending after an import", pendingIDs(t, s, "lexicon", "v2", 10), []string{"rw2"})
	equal(t, "pending for another analyzer after an import", pendingIDs(t, s, "model", "v1", 10), []string{"rw1", "rw2", "rw3"})
}

func testSaveAnalysesReplaces(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))}, At: at(1)})

	save(t, s, analysis("rw1", "old", "v1", at(2),
		store.AspectScore{Aspect: "acting", Score: ptr(2), Evidence: "Superb acting."},
		store.AspectScore{Aspect: store.Overall, Score: ptr(1)},
	))
	replacement := analysis("rw1", "hash-rw1", "v2", at(3),
		store.AspectScore{Aspect: "music", Score: nil},
		store.AspectScore{Aspect: store.Overall, Score: ptr(-2), Evidence: "Dreadful — 最悪."},
	)
	other := analysis("rw1", "hash-rw1", "m1", at(3), store.AspectScore{Aspect: "plot", Score: ptr(0)})
	other.Analyzer = "model"
	save(t, s, replacement, other)

	got, err := s.ReviewAnalyses(t.Context(), "lexicon", []string{"rw1"})
	if err != nil {
		t.Fatalf("review analyses: %v", err)
	}
	equal(t, "replaced analysis", got, map[string]store.Analysis{"rw1": replacement})

	got, err = s.ReviewAnalyses(t.Context(), "model", []string{"rw1"})
	if err != nil {
		t.Fatalf("review analyses: %v", err)
	}
	equal(t, "other analyzer", got, map[string]store.Analysis{"rw1": other})

	err = s.SaveAnalyses(t.Context(), []store.Analysis{
		analysis("rw1", "hash-rw1", "v3", at(4)),
		analysis("rw1", "hash-rw1", "v3", at(4), store.AspectScore{Aspect: "plot", Score: ptr(3)}),
	})
	if err == nil {
		t.Fatalf("saved an aspect score of 3")
	}
	got, _ = s.ReviewAnalyses(t.Context(), "lexicon", []string{"rw1"})
	equal(t, "analysis after a failed save", got, map[string]store.Analysis{"rw1": replacement})
}

func testReviewAnalyses(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{Upserts: []store.Review{
		review("rw1", ptr(6), day(2025, 1, 2)),
		review("rw2", ptr(6), day(2025, 1, 2)),
		review("rw3", ptr(6), day(2025, 1, 2)),
	}, At: at(1)})
	first := analysis("rw1", "hash-rw1", "v1", at(2), store.AspectScore{Aspect: store.Overall, Score: ptr(2)})
	empty := analysis("rw2", "hash-rw2", "v1", at(2))
	empty.Aspects = []store.AspectScore{}
	save(t, s, first, empty)

	tests := []struct {
		ids  []string
		want map[string]store.Analysis
	}{
		{nil, map[string]store.Analysis{}},
		{[]string{}, map[string]store.Analysis{}},
		{[]string{"rw1", "rw2", "rw3", "rw404"}, map[string]store.Analysis{"rw1": first, "rw2": empty}},
		{[]string{"rw2"}, map[string]store.Analysis{"rw2": empty}},
	}
	for _, tt := range tests {
		got, err := s.ReviewAnalyses(ctx, "lexicon", tt.ids)
		if err != nil {
			t.Fatalf("review analyses %v: %v", tt.ids, err)
		}
		equal(t, "analyses", got, tt.want)
	}
}

func testStats(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	other := review("rw9", ptr(1), day(2025, 1, 1))
	other.MovieID = "tt0000002"
	applySync(t, s, store.SyncResult{MovieID: "tt0000002", Upserts: []store.Review{other}, At: at(1)})
	applySync(t, s, store.SyncResult{Upserts: []store.Review{
		review("rw1", ptr(10), day(2025, 1, 2)),
		review("rw2", ptr(7), day(2025, 1, 31)),
		review("rw3", nil, day(2025, 3, 1)),
		review("rw4", ptr(10), day(2024, 12, 31)),
		review("rw5", nil, day(2024, 12, 1)),
	}, At: at(1)})

	aspect := func(name string, score *int) store.AspectScore {
		return store.AspectScore{Aspect: name, Score: score}
	}
	save(t, s,
		analysis("rw1", "hash-rw1", "v1", at(2), aspect(store.Overall, ptr(2)), aspect("acting", ptr(1))),
		analysis("rw2", "hash-rw2", "v1", at(2), aspect(store.Overall, ptr(-1)), aspect("acting", nil)),
		analysis("rw3", "hash-rw3", "v1", at(2), aspect(store.Overall, nil), aspect("acting", ptr(-2))),
		analysis("rw4", "stale", "v1", at(2), aspect(store.Overall, ptr(-2)), aspect("music", ptr(2))),
		analysis("rw9", "hash-rw9", "v1", at(2), aspect(store.Overall, ptr(-2))),
	)
	model := analysis("rw5", "hash-rw5", "m1", at(2), aspect("plot", ptr(1)))
	model.Analyzer = "model"
	save(t, s, model)

	got, err := s.Stats(t.Context(), "tt0000001", "lexicon")
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	want := store.MovieStats{
		MovieID:            "tt0000001",
		ScrapedReviewCount: 5,
		RatedReviewCount:   3,
		AverageRating:      ptr(9.0),
		RatingHistogram:    [10]int{6: 1, 9: 2},
		ReviewsByMonth: []store.MonthCount{
			{Month: "2024-12", Reviews: 2, RatedReviews: 1, AverageRating: ptr(10.0)},
			{Month: "2025-01", Reviews: 2, RatedReviews: 2, AverageRating: ptr(8.5)},
			{Month: "2025-03", Reviews: 1},
		},
		Aspects: []store.AspectStats{
			{Aspect: "acting", Mentioned: 2, Analyzed: 3, Average: ptr(-0.5), Histogram: [5]int{0: 1, 3: 1}},
			{Aspect: store.Overall, Mentioned: 2, Analyzed: 3, Average: ptr(0.5), Histogram: [5]int{1: 1, 4: 1}},
		},
	}
	equal(t, "stats", got, want)

	got, err = s.Stats(t.Context(), "tt0000002", "absent")
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	want = store.MovieStats{
		MovieID: "tt0000002", ScrapedReviewCount: 1, RatedReviewCount: 1, AverageRating: ptr(1.0),
		RatingHistogram: [10]int{0: 1},
		ReviewsByMonth:  []store.MonthCount{{Month: "2025-01", Reviews: 1, RatedReviews: 1, AverageRating: ptr(1.0)}},
		Aspects:         []store.AspectStats{},
	}
	equal(t, "stats without analyses", got, want)
}

func testStatsNotFound(t *testing.T, s store.Store) {
	_, err := s.Stats(t.Context(), "tt9999999", "lexicon")
	notFound(t, "stats of unknown movie", err)
}

func testSnapshots(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	later := store.Snapshot{
		MovieID: "tt0000001", TakenAt: at(5), DeclaredReviewCount: ptr(10), ScrapedReviewCount: 9,
		AverageRating: ptr(7.25), AspectAverages: map[string]float64{"acting": 1.5, store.Overall: -0.25},
	}
	earlier := store.Snapshot{MovieID: "tt0000001", TakenAt: at(1), ScrapedReviewCount: 0}
	empty := store.Snapshot{MovieID: "tt0000001", TakenAt: at(6), AspectAverages: map[string]float64{}}
	for _, snapshot := range []store.Snapshot{later, earlier, empty, {MovieID: "tt0000002", TakenAt: at(2)}} {
		if err := s.AddSnapshot(ctx, snapshot); err != nil {
			t.Fatalf("add snapshot: %v", err)
		}
	}

	got, err := s.ListSnapshots(ctx, "tt0000001")
	if err != nil {
		t.Fatalf("list snapshots: %v", err)
	}
	equal(t, "snapshots", got, []store.Snapshot{earlier, later, empty})

	got, err = s.ListSnapshots(ctx, "tt9999999")
	if err != nil || len(got) != 0 {
		t.Errorf("snapshots of unknown movie: %d, error %v; want none", len(got), err)
	}
}
