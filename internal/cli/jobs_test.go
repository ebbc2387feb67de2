package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/replay"
)

// TestJobsCommand lets a review pass fail against a challenged replay site
// and lists the jobs with `reelpulse jobs` in its forms.
func TestJobsCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reelpulse.db")
	site := exampleSite(3)
	site.SetChallenged(replay.ExampleTitleID, true)
	a := testApp(t, site, path)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := a.store.TrackMovie(ctx, replay.ExampleTitleID, time.Now()); err != nil {
		t.Fatal(err)
	}

	// One attempt only, so that the failed pass ends discarded at once.
	queue, err := a.queue(ctx, jobs.Work)
	if err != nil {
		t.Fatal(err)
	}
	opts := jobs.SyncMovieArgs{}.InsertOpts()
	opts.MaxAttempts = 1
	if err := queue.Insert(ctx, jobs.SyncMovieArgs{MovieID: replay.ExampleTitleID, Reason: "test"}, &opts); err != nil {
		t.Fatal(err)
	}
	if err := queue.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the pass to be discarded", func() bool {
		list, err := queue.List(ctx, jobs.JobFilter{State: "discarded"})
		return err == nil && len(list) == 1
	})
	if err := queue.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	// A check queued after the workers stopped stays available.
	if err := queue.Insert(ctx, jobs.CheckMovieArgs{MovieID: "tt0000002"}, &river.InsertOpts{Queue: jobs.QueueCheck}); err != nil {
		t.Fatal(err)
	}

	isolate(t, map[string]string{"DATABASE_URL": path})
	tests := []struct {
		name    string
		args    []string
		want    []string // substrings of stdout
		notWant []string
		wantErr error
	}{
		{"all", nil, []string{"ID  ", "KIND", "LAST ERROR", "sync_movie", "tt0013442", "discarded", "1/1", "challenge", "check_movie", "tt0000002", "available", "0/3"}, nil, nil},
		{"failed", []string{"--state", "failed"}, []string{"sync_movie", "discarded"}, []string{"check_movie"}, nil},
		{"kind", []string{"--kind", "check_movie"}, []string{"check_movie"}, []string{"sync_movie"}, nil},
		{"limit", []string{"--limit", "1"}, []string{"check_movie"}, []string{"sync_movie"}, nil},
		{"none", []string{"--state", "running"}, []string{"no jobs match"}, nil, nil},
		{"backup kind", []string{"--kind", "backup"}, []string{"no jobs match"}, nil, nil},
		{"bad state", []string{"--state", "broken"}, nil, nil, errUsage},
		{"bad kind", []string{"--kind", "backup_everything"}, nil, nil, errUsage},
		{"bad limit", []string{"--limit", "0"}, nil, nil, errUsage},
		{"extra argument", []string{"failed"}, nil, nil, errUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runJobs(ctx, &environment{stdout: &stdout, stderr: &stderr}, tt.args)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("runJobs(%q) error = %v, want %v (stderr %s)", tt.args, err, tt.wantErr, stderr.String())
			}
			if tt.wantErr != nil {
				if stderr.Len() == 0 {
					t.Error("a rejected invocation printed no reason")
				}
				return
			}
			t.Logf("reelpulse jobs %s:\n%s", strings.Join(tt.args, " "), stdout.String())
			if strings.Contains(stderr.String(), "migrations") {
				t.Errorf("the job queue's migrator logged at start:\n%s", stderr.String())
			}
			for _, s := range tt.want {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("output lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range tt.notWant {
				if strings.Contains(stdout.String(), s) {
					t.Errorf("output has %q:\n%s", s, stdout.String())
				}
			}
		})
	}

	t.Run("json", func(t *testing.T) {
		var stdout bytes.Buffer
		if err := runJobs(ctx, &environment{stdout: &stdout, stderr: io.Discard}, []string{"--json", "--kind", "sync_movie"}); err != nil {
			t.Fatal(err)
		}
		var list []struct {
			ID          int64   `json:"id"`
			Kind        string  `json:"kind"`
			MovieID     string  `json:"movie_id"`
			State       string  `json:"state"`
			Attempt     int     `json:"attempt"`
			MaxAttempts int     `json:"max_attempts"`
			LastError   string  `json:"last_error"`
			CreatedAt   string  `json:"created_at"`
			FinishedAt  *string `json:"finished_at"`
			Duration    int64   `json:"duration_ns"`
		}
		if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
			t.Fatalf("decode: %v\n%s", err, stdout.String())
		}
		if len(list) != 1 {
			t.Fatalf("%d jobs, want 1:\n%s", len(list), stdout.String())
		}
		j := list[0]
		if j.Kind != "sync_movie" || j.MovieID != replay.ExampleTitleID || j.State != "discarded" || j.Attempt != 1 ||
			j.MaxAttempts != 1 || !strings.Contains(j.LastError, "challenge") || j.FinishedAt == nil || j.Duration <= 0 {
			t.Errorf("job = %+v, want the discarded pass with its error, finish time and duration", j)
		}
	})
}
