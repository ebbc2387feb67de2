package storetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

func voteRows(t *testing.T, s store.Store, reviewID string) int {
	t.Helper()
	history, ok := s.(VoteHistory)
	if !ok {
		t.Fatalf("store %T does not implement storetest.VoteHistory", s)
	}

	n, err := history.VoteRows(t.Context(), reviewID)
	if err != nil {
		t.Fatalf("count vote rows of %s: %v", reviewID, err)
	}
	return n
}

// seen lists reviews as seen with the votes that review gives them.
func seen(ids ...string) []store.ReviewVotes {
	votes := []store.ReviewVotes{}
	for _, id := range ids {
		votes = append(votes, store.ReviewVotes{ReviewID: id, HelpfulUp: 3, HelpfulDown: 1})
	}
	return votes
}

func listIDs(t *testing.T, s store.Store, q store.ReviewQuery) []string {
	t.Helper()
	list, err := s.ListReviews(t.Context(), q)
	if err != nil {
		t.Fatalf("list reviews: %v", err)
	}

	ids := []string{}
	for _, r := range list {
		ids = append(ids, r.ID)
	}
	return ids
}

func testApplySyncEditsNeedApplyEdits(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	first := review("rw1", ptr(6), day(2025, 1, 2))
	applySync(t, s, store.SyncResult{Upserts: []store.Review{first}, Seen: seen("rw1"), At: at(1)})
	save(t, s, analysis("rw1", "hash-rw1", "v1", at(2)))

	edited := first
	edited.Text = "Truncated"
	edited.ContentHash = "hash-rw1-v2"
	applySync(t, s, store.SyncResult{
		Upserts: []store.Review{edited, review("rw2", ptr(8), day(2025, 1, 3))},
		Seen:    []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 9, HelpfulDown: 1}, {ReviewID: "rw2", HelpfulUp: 3, HelpfulDown: 1}},
		At:      at(3),
	})

	want := first
	want.HelpfulUp = 9
	want.FirstSeenAt, want.LastSeenAt = at(1), at(3)
	got := reviews(t, s, "tt0000001")
	equal(t, "review after an edit without ApplyEdits", got["rw1"], want)
	equal(t, "new review of the same pass stored", got["rw2"].ID, "rw2")
	equal(t, "pending after an ignored edit", pendingIDs(t, s, "lexicon", "v1", 0), []string{"rw2"})

	applySync(t, s, store.SyncResult{Upserts: []store.Review{edited}, Seen: seen("rw1"), ApplyEdits: true, At: at(4)})
	want = edited
	want.FirstSeenAt, want.LastSeenAt, want.EditedAt = at(1), at(4), ptr(at(4))
	equal(t, "review after an applied edit", reviews(t, s, "tt0000001")["rw1"], want)
	equal(t, "pending after an applied edit", pendingIDs(t, s, "lexicon", "v1", 0), []string{"rw1", "rw2"})
}

// testApplySyncMissingAndDeleted follows four reviews through complete and
// incomplete passes: a review is deleted only after two consecutive complete
// passes without it, incomplete passes do not count, and a review seen
// again is restored.
func testApplySyncMissingAndDeleted(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	all := []store.Review{
		review("rw1", ptr(2), day(2025, 1, 1)), review("rw2", ptr(4), day(2025, 1, 2)),
		review("rw3", ptr(6), day(2025, 1, 3)), review("rw4", ptr(8), day(2025, 1, 4)),
	}
	outcome := applySync(t, s, store.SyncResult{Upserts: all, Seen: seen("rw1", "rw2", "rw3", "rw4"), Complete: true, At: at(1)})
	equal(t, "first pass", outcome.Deleted+outcome.Restored, 0)

	outcome = applySync(t, s, store.SyncResult{Seen: seen("rw1", "rw2"), Complete: true, At: at(2)})
	equal(t, "deleted after one missing complete pass", outcome.Deleted, 0)
	equal(t, "listed after one missing pass", listIDs(t, s, store.ReviewQuery{MovieID: "tt0000001"}), []string{"rw4", "rw3", "rw2", "rw1"})

	outcome = applySync(t, s, store.SyncResult{Seen: seen("rw1", "rw4"), At: at(3)})
	equal(t, "deleted by an incomplete pass", outcome.Deleted, 0)

	outcome = applySync(t, s, store.SyncResult{Seen: seen("rw1", "rw2"), Complete: true, At: at(4)})
	equal(t, "deleted after the second missing complete pass", outcome.Deleted, 1)
	equal(t, "listed without deleted", listIDs(t, s, store.ReviewQuery{MovieID: "tt0000001"}), []string{"rw4", "rw2", "rw1"})
	equal(t, "listed with deleted", listIDs(t, s, store.ReviewQuery{MovieID: "tt0000001", IncludeDeleted: true}), []string{"rw4", "rw3", "rw2", "rw1"})

	deleted, err := s.ListReviews(ctx, store.ReviewQuery{MovieID: "tt0000001", IncludeDeleted: true, Limit: 1, Offset: 1})
	if err != nil || len(deleted) != 1 {
		t.Fatalf("list deleted review: %d reviews, error %v", len(deleted), err)
	}
	equal(t, "deleted at", deleted[0].DeletedAt, ptr(at(4)))
	equal(t, "pending without deleted", pendingIDs(t, s, "lexicon", "v1", 0), []string{"rw1", "rw2", "rw4"})

	hashes, err := s.ReviewHashes(ctx, "tt0000001")
	if err != nil {
		t.Fatalf("review hashes: %v", err)
	}
	equal(t, "hashes keep deleted reviews", len(hashes), 4)

	stats, err := s.Stats(ctx, "tt0000001", "lexicon")
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	equal(t, "stats count", stats.ScrapedReviewCount, 3)
	equal(t, "stats histogram", stats.RatingHistogram, [10]int{1: 1, 3: 1, 7: 1})

	outcome = applySync(t, s, store.SyncResult{Seen: seen("rw1", "rw2", "rw3"), Complete: true, At: at(5)})
	equal(t, "outcome of the pass that lists rw3 again", outcome, store.SyncOutcome{Deleted: 1, Restored: 1, RunID: outcome.RunID})
	restored := reviews(t, s, "tt0000001")["rw3"]
	equal(t, "restored review", restored.DeletedAt, (*time.Time)(nil))
	equal(t, "listed after restore", listIDs(t, s, store.ReviewQuery{MovieID: "tt0000001"}), []string{"rw3", "rw2", "rw1"})
}

func testApplySyncVoteHistory(t *testing.T, s store.Store) {
	track(t, s, "tt0000001")
	applySync(t, s, store.SyncResult{
		Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))},
		Seen:    seen("rw1"),
		At:      at(1),
	})
	equal(t, "rows after the first store", voteRows(t, s, "rw1"), 1)

	applySync(t, s, store.SyncResult{Seen: seen("rw1"), At: at(2)})
	equal(t, "rows after unchanged votes", voteRows(t, s, "rw1"), 1)

	applySync(t, s, store.SyncResult{Seen: []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 3, HelpfulDown: 2}}, At: at(3)})
	equal(t, "rows after a changed down vote", voteRows(t, s, "rw1"), 2)

	applySync(t, s, store.SyncResult{
		Upserts: []store.Review{review("rw2", nil, day(2025, 1, 3))},
		Seen:    []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 4, HelpfulDown: 2}, {ReviewID: "rw2", HelpfulUp: 3, HelpfulDown: 1}, {ReviewID: "rw404", HelpfulUp: 1}},
		At:      at(4),
	})
	equal(t, "rows after a changed up vote", voteRows(t, s, "rw1"), 3)
	equal(t, "rows of a new review", voteRows(t, s, "rw2"), 1)
	equal(t, "rows of an unknown review", voteRows(t, s, "rw404"), 0)

	applySync(t, s, store.SyncResult{Seen: seen("rw2"), Complete: true, At: at(5)})
	applySync(t, s, store.SyncResult{Seen: seen("rw2"), Complete: true, At: at(6)})
	equal(t, "rows after rw1 was deleted", voteRows(t, s, "rw1"), 3)
}

func testApplySyncRun(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	second := review("rw2", nil, day(2025, 1, 3))
	second.HelpfulUp, second.HelpfulDown = 10, 4
	outcome := applySync(t, s, store.SyncResult{
		Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2)), second},
		Seen:    []store.ReviewVotes{{ReviewID: "rw1", HelpfulUp: 3, HelpfulDown: 1}, {ReviewID: "rw2", HelpfulUp: 10, HelpfulDown: 4}},
		At:      at(2),
		Run: store.SyncRun{
			StartedAt: at(1), FinishedAt: at(2), State: store.RunIncomplete, Pages: 1, Fetched: 2,
			Declared: 3, Shortfall: 1, New: 2, Skipped: 1,
		},
	})

	want := store.SyncRun{
		ID: outcome.RunID, MovieID: "tt0000001", StartedAt: at(1), FinishedAt: at(2), State: store.RunIncomplete,
		Pages: 1, Fetched: 2, Declared: 3, Shortfall: 1, New: 2, Skipped: 1, HelpfulUpTotal: 13, HelpfulDownTotal: 5,
	}
	last, err := s.LastRun(ctx, "tt0000001")
	if err != nil {
		t.Fatalf("last run: %v", err)
	}
	equal(t, "run of an incomplete pass", last, want)

	applySync(t, s, store.SyncResult{Seen: seen("rw1"), Complete: true, At: at(3)})
	outcome = applySync(t, s, store.SyncResult{Seen: seen("rw1"), Complete: true, At: at(4)})
	want = store.SyncRun{
		ID: outcome.RunID, MovieID: "tt0000001", StartedAt: at(4), FinishedAt: at(4), State: store.RunComplete,
		Deleted: 1, HelpfulUpTotal: 3, HelpfulDownTotal: 1,
	}
	if last, err = s.LastRun(ctx, "tt0000001"); err != nil {
		t.Fatalf("last run: %v", err)
	}
	equal(t, "run with defaults and a deletion", last, want)

	_, err = s.ApplySync(ctx, store.SyncResult{MovieID: "tt0000001", At: at(5), Run: store.SyncRun{MovieID: "tt0000002"}})
	if err == nil {
		t.Errorf("apply sync stored a run of another movie")
	}
	_, err = s.ApplySync(ctx, store.SyncResult{MovieID: "tt0000001", At: at(5), Run: store.SyncRun{State: "aborted"}})
	if err == nil {
		t.Errorf("apply sync stored a run in an unknown state")
	}
}

func testRecordRunStates(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	messages := map[string]string{
		store.RunBlocked:    "sync tt0000001: page 40: request blocked (HTTP 403)",
		store.RunChallenged: "sync tt0000001: page 2: bot challenge",
		store.RunFailed:     "sync tt0000001: page 7: layout changed",
	}

	for i, state := range []string{store.RunBlocked, store.RunChallenged, store.RunFailed} {
		run := store.SyncRun{
			MovieID: "tt0000001", StartedAt: at(i), FinishedAt: at(i).Add(time.Minute), State: state,
			Error: messages[state], Pages: 39, Fetched: 975, Declared: 2000,
		}
		id, err := s.RecordRun(ctx, run)
		if err != nil {
			t.Fatalf("record %s run: %v", state, err)
		}

		run.ID = id
		last, err := s.LastRun(ctx, "tt0000001")
		if err != nil {
			t.Fatalf("last run: %v", err)
		}
		equal(t, state+" run", last, run)
	}

	if _, err := s.RecordRun(ctx, store.SyncRun{MovieID: "tt0000001", State: "aborted", StartedAt: at(1), FinishedAt: at(1)}); err == nil {
		t.Errorf("recorded a run in an unknown state")
	}
	if _, err := s.RecordRun(ctx, store.SyncRun{MovieID: "tt9999999", State: store.RunFailed, StartedAt: at(1), FinishedAt: at(1)}); err == nil {
		t.Errorf("recorded a run of an unknown movie")
	}
	_, err := s.LastRun(ctx, "tt9999999")
	notFound(t, "last run of a movie without runs", err)
}

func testListRunsOrder(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	track(t, s, "tt0000002")
	finished := []int{3, 1, 5, 3}
	ids := make([]int64, len(finished))
	for i, hour := range finished {
		id, err := s.RecordRun(ctx, store.SyncRun{MovieID: "tt0000001", StartedAt: at(0), FinishedAt: at(hour), State: store.RunFailed})
		if err != nil {
			t.Fatalf("record run: %v", err)
		}
		ids[i] = id
	}
	if _, err := s.RecordRun(ctx, store.SyncRun{MovieID: "tt0000002", StartedAt: at(9), FinishedAt: at(9), State: store.RunComplete}); err != nil {
		t.Fatalf("record run: %v", err)
	}

	runIDs := func(limit int) []int64 {
		runs, err := s.ListRuns(ctx, "tt0000001", limit)
		if err != nil {
			t.Fatalf("list runs: %v", err)
		}
		got := []int64{}
		for _, run := range runs {
			got = append(got, run.ID)
		}
		return got
	}
	equal(t, "all runs newest first", runIDs(0), []int64{ids[2], ids[3], ids[0], ids[1]})
	equal(t, "two runs", runIDs(2), []int64{ids[2], ids[3]})

	last, err := s.LastRun(ctx, "tt0000001")
	if err != nil {
		t.Fatalf("last run: %v", err)
	}
	equal(t, "last run", last.ID, ids[2])

	none, err := s.ListRuns(ctx, "tt9999999", 10)
	if err != nil || len(none) != 0 {
		t.Errorf("runs of unknown movie: %d, error %v; want none", len(none), err)
	}
}

func testPosters(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")
	_, err := s.GetPoster(ctx, "tt0000001")
	notFound(t, "poster before save", err)

	first := store.Poster{
		MovieID: "tt0000001", SourceURL: "https://example.com/a.jpg", ContentType: "image/jpeg",
		Data: []byte{0xff, 0xd8, 0x00, 0x01}, FetchedAt: at(1),
	}
	second := store.Poster{
		MovieID: "tt0000001", SourceURL: "https://example.com/b.png", ContentType: "image/png",
		Data: bytes.Repeat([]byte{0x89, 'P', 'N', 'G', 0}, 1000), FetchedAt: at(2),
	}
	for _, want := range []store.Poster{first, second} {
		if err := s.SavePoster(ctx, want); err != nil {
			t.Fatalf("save poster: %v", err)
		}
		got, err := s.GetPoster(ctx, "tt0000001")
		if err != nil {
			t.Fatalf("get poster: %v", err)
		}
		equal(t, "poster", got, want)
	}

	if err := s.SavePoster(ctx, store.Poster{MovieID: "tt9999999", ContentType: "image/png", Data: []byte{1}, FetchedAt: at(1)}); err == nil {
		t.Errorf("saved the poster of an unknown movie")
	}
}

// A successful title check must not hide the error of a failed review pass.
func testCheckKeepsPassError(t *testing.T, s store.Store) {
	ctx := t.Context()
	track(t, s, "tt0000001")

	if err := s.RecordError(ctx, "tt0000001", "page 2: bot challenge", at(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordRun(ctx, store.SyncRun{MovieID: "tt0000001", State: store.RunChallenged, Error: "page 2: bot challenge", StartedAt: at(1), FinishedAt: at(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCheck(ctx, "tt0000001", store.MovieMetadata{Title: "Nosferatu"}, at(2)); err != nil {
		t.Fatal(err)
	}
	movie, err := s.GetMovie(ctx, "tt0000001")
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "error after a check following a failed pass", movie.LastError, "page 2: bot challenge")

	applySync(t, s, store.SyncResult{Upserts: []store.Review{review("rw1", ptr(6), day(2025, 1, 2))}, Complete: true, At: at(3)})
	if err := s.RecordError(ctx, "tt0000001", "title page timed out", at(4)); err != nil {
		t.Fatal(err)
	}
	if err := s.RecordCheck(ctx, "tt0000001", store.MovieMetadata{}, at(5)); err != nil {
		t.Fatal(err)
	}
	if movie, err = s.GetMovie(ctx, "tt0000001"); err != nil {
		t.Fatal(err)
	}
	equal(t, "error after a check following a complete pass", movie.LastError, "")
}
