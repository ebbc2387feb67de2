package sync

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
)

// TestSyncLeavesOutOtherMoviesReviews syncs a title whose pages list the
// reviews of another stored movie under the same review ids: the reviews
// keep their owner, and the pass counts and logs them as left out, not as
// new.
func TestSyncLeavesOutOtherMoviesReviews(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	listed := []imdb.Review{
		review("rw0000001", 9, "Haunting.", 10),
		review("rw0000002", 4, "Slow.", 2),
	}
	f.source.pages = paged(2, 25, listed...)
	if _, err := f.syncer.Sync(ctx, movieID, nil); err != nil {
		t.Fatal(err)
	}

	const other = "tt0000666"
	if _, err := f.store.TrackMovie(ctx, other, time.Now()); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	f.syncer.logger = slog.New(slog.NewTextHandler(&logs, nil))
	f.source.pages = paged(3, 25, append(listed, review("rw0000003", 7, "Eerie.", 0))...)
	res, err := f.syncer.Sync(ctx, other, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 1 || res.Analyze != 1 || res.Fetched != 3 || res.LeftOut != 2 {
		t.Errorf("result = %+v, want 1 new and 2 left out of 3 fetched", res)
	}
	run, err := f.store.LastRun(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	if run.New != 1 || run.Skipped != 2 {
		t.Errorf("run = %+v, want 1 new and 2 skipped", run)
	}
	stored, err := f.store.ListReviews(ctx, store.ReviewQuery{MovieID: other})
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) != 1 || stored[0].ID != "rw0000003" {
		t.Errorf("%s has %+v, want only rw0000003", other, stored)
	}
	if got := len(f.reviews(t)); got != 2 {
		t.Errorf("%s has %d reviews, want its 2 kept", movieID, got)
	}
	for _, id := range []string{"rw0000001", "rw0000002"} {
		want := "review_id=" + id + " movie_id=" + other + " owner_movie_id=" + movieID
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks a warning with %s:\n%s", want, logs.String())
		}
	}
}
