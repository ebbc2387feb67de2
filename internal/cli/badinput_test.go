package cli

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store"
)

// TestBadRepliesChangeNothing syncs the example movie once and then breaks
// one page of the replay site. The next sync must fail with a message that
// names the movie and the next step, and leave every stored review as it was.
func TestBadRepliesChangeNothing(t *testing.T) {
	tests := []struct {
		name      string
		breakSite func(site *replay.Site, graphQL *atomic.Value)
		want      []string
	}{
		{
			name:      "bot challenge",
			breakSite: func(site *replay.Site, _ *atomic.Value) { site.SetChallenged(replay.ExampleTitleID, true) },
			want:      []string{replay.ExampleTitleID, "challenge", "retry"},
		},
		{
			name: "title page without JSON",
			breakSite: func(site *replay.Site, _ *atomic.Value) {
				site.SetTitlePage(replay.ExampleTitleID, []byte("<html><body>Please enable cookies.</body></html>"))
				site.SetReviewsPage(replay.ExampleTitleID, []byte("<html><body>Please enable cookies.</body></html>"))
			},
			want: []string{replay.ExampleTitleID, "__NEXT_DATA__"},
		},
		{
			name: "GraphQL errors",
			breakSite: func(_ *replay.Site, graphQL *atomic.Value) {
				graphQL.Store(`{"errors":[{"message":"PersistedQueryNotFound"}],"data":null}`)
			},
			want: []string{replay.ExampleTitleID, "PersistedQueryNotFound"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			site := replay.NewSite()
			movie := replay.ExampleMovie(30)
			site.AddMovie(movie)
			// graphQL, once set, replaces every GraphQL reply.
			var graphQL atomic.Value
			pages := replay.NewServer(site, replay.Options{})
			a := testAppWith(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if reply, ok := graphQL.Load().(string); ok && r.URL.Path == replay.GraphQLPath {
					w.Header().Set("Content-Type", "application/json")
					_, _ = io.WriteString(w, reply)
					return
				}
				pages.ServeHTTP(w, r)
			}), "")
			env := &environment{stdout: io.Discard, stderr: io.Discard}
			if _, err := jobs.NewTracker(a.store, nil, a.logger, time.Now).Track(ctx, movie.ID); err != nil {
				t.Fatal(err)
			}
			if err := a.syncOne(ctx, env, movie.ID); err != nil {
				t.Fatalf("first sync: %v", err)
			}
			before, err := a.store.ListReviews(ctx, store.ReviewQuery{MovieID: movie.ID})
			if err != nil {
				t.Fatal(err)
			}

			tt.breakSite(site, &graphQL)
			err = a.syncOne(ctx, env, movie.ID)
			if err == nil {
				t.Fatal("sync succeeded on a broken site")
			}
			t.Logf("error: %v", err)
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}

			after, err := a.store.ListReviews(ctx, store.ReviewQuery{MovieID: movie.ID})
			if err != nil {
				t.Fatal(err)
			}
			if len(after) != len(before) {
				t.Fatalf("%d reviews after the failed sync, %d before", len(after), len(before))
			}
			for i := range before {
				if after[i] != before[i] && !sameReview(after[i], before[i]) {
					t.Errorf("review %s changed: %+v -> %+v", before[i].ID, before[i], after[i])
				}
			}
			stored, err := a.store.GetMovie(ctx, movie.ID)
			if err != nil {
				t.Fatal(err)
			}
			if stored.LastError == "" {
				t.Error("the failure is not recorded on the movie")
			}
		})
	}
}

func sameReview(a, b store.Review) bool {
	return a.ID == b.ID && a.Text == b.Text && a.Title == b.Title && a.ContentHash == b.ContentHash &&
		a.HelpfulUp == b.HelpfulUp && a.HelpfulDown == b.HelpfulDown && a.LastSeenAt.Equal(b.LastSeenAt)
}
