package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/jobs"
)

func TestTrackUnpark(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reelpulse.db")
	a := testAppWith(t, http.NotFoundHandler(), path)
	ctx := context.Background()
	now := time.Now()
	for _, id := range []string{"tt0000001", "tt0000002"} {
		if _, err := a.store.TrackMovie(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.store.ParkMovie(ctx, "tt0000001", "5 review passes failed in a row; last error: blocked", now); err != nil {
		t.Fatal(err)
	}
	isolate(t, map[string]string{"DATABASE_URL": path})

	var list bytes.Buffer
	if err := runTrack(ctx, &environment{stdout: &list, stderr: io.Discard}, []string{"list"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(list.String(), "parked: 5 review passes failed in a row; last error: blocked") {
		t.Errorf("track list does not show the park:\n%s", list.String())
	}

	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr error
	}{
		{"parked movie", []string{"unpark", "tt0000001"}, "unparked tt0000001", nil},
		{"movie that is not parked", []string{"unpark", "https://www.imdb.com/title/tt0000002/"}, "tt0000002 was not parked", nil},
		{"no id", []string{"unpark"}, "", errUsage},
		{"invalid id", []string{"unpark", "movie"}, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runTrack(ctx, &environment{stdout: &stdout, stderr: &stderr}, tt.args)
			if tt.name == "invalid id" {
				if err == nil || !strings.Contains(err.Error(), "reelpulse search") {
					t.Errorf("error = %v, want the id error with the search hint", err)
				}
				return
			}
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v (stderr %s)", err, tt.wantErr, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.want) {
				t.Errorf("output = %q, want %q", stdout.String(), tt.want)
			}
		})
	}

	movie, err := a.store.GetMovie(ctx, "tt0000001")
	if err != nil {
		t.Fatal(err)
	}
	if movie.ParkedAt != nil || movie.ParkedReason != "" {
		t.Errorf("tt0000001 still parked: %v %q", movie.ParkedAt, movie.ParkedReason)
	}
	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := queue.List(ctx, jobs.JobFilter{Kind: "check_movie"})
	if err != nil {
		t.Fatal(err)
	}
	if len(checks) != 2 {
		t.Errorf("%d checks queued, want one per unparked movie: %+v", len(checks), checks)
	}
}
