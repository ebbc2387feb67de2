package cli

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/store"
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

func TestTrackListFlagsAfterAction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reelpulse.db")
	a := testAppWith(t, http.NotFoundHandler(), path)
	ctx := context.Background()
	for _, id := range []string{"tt0000001", "tt0000002"} {
		if _, err := a.store.TrackMovie(ctx, id, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.store.UntrackMovie(ctx, "tt0000002"); err != nil {
		t.Fatal(err)
	}
	isolate(t, map[string]string{"DATABASE_URL": path})

	tests := []struct {
		args          []string
		wantUntracked bool
		wantErr       error
		wantStderr    string
	}{
		{[]string{"list"}, false, nil, ""},
		{[]string{"list", "-all"}, true, nil, ""},
		{[]string{"list", "--all"}, true, nil, ""},
		{[]string{"--all", "list"}, true, nil, ""},
		{[]string{"list", "--all=false"}, false, nil, ""},
		{[]string{"list", "tt0000002"}, false, errUsage, `unexpected arguments ["tt0000002"]: list takes no ids; add --all to include untracked movies`},
		{[]string{"list", "--", "--all"}, false, errUsage, `unexpected arguments ["--all"]`},
		{[]string{"list", "--everything"}, false, errUsage, "flag provided but not defined: -everything"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runTrack(ctx, &environment{stdout: &stdout, stderr: &stderr}, tt.args)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil && err != nil) {
				t.Fatalf("error = %v, want %v (stderr %s)", err, tt.wantErr, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want %q", stderr.String(), tt.wantStderr)
			}
			if err != nil {
				return
			}
			if !strings.Contains(stdout.String(), "tt0000001") {
				t.Errorf("output lacks the tracked movie:\n%s", stdout.String())
			}
			if got := strings.Contains(stdout.String(), "tt0000002"); got != tt.wantUntracked {
				t.Errorf("untracked movie listed: %v, want %v:\n%s", got, tt.wantUntracked, stdout.String())
			}
		})
	}
}

// testAnalystToken creates an analyst in a's store and returns an API
// token of theirs.
func testAnalystToken(t *testing.T, a *app, name string) string {
	t.Helper()
	accounts, err := a.accounts()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	user, err := accounts.CreateUser(context.Background(), store.User{Name: name, Role: store.RoleAnalyst,
		PasswordHash: "$argon2id$unused", CreatedAt: now, PasswordChangedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	token := auth.NewAPIToken()
	_, err = accounts.CreateToken(context.Background(), store.APIToken{UserID: user.ID, Hash: auth.HashSecret(token),
		Prefix: auth.TokenDisplayPrefix(token), CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// TestTrackAddSurvivesAnalystRemove tracks a movie with `track add`, lets
// an analyst add it to their list and remove it through the API, and checks
// that it stays tracked, while a movie that only the analyst tracked stops.
func TestTrackAddSurvivesAnalystRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "reelpulse.db")
	a := testAppWith(t, http.NotFoundHandler(), path)
	ctx := context.Background()
	isolate(t, map[string]string{"DATABASE_URL": path})

	var stdout bytes.Buffer
	if err := runTrack(ctx, &environment{stdout: &stdout, stderr: io.Discard}, []string{"add", "tt0013442"}); err != nil {
		t.Fatal(err)
	}

	queue, err := a.queue(ctx, jobs.InsertOnly)
	if err != nil {
		t.Fatal(err)
	}
	handler, err := a.handler(jobs.NewTracker(a.store, queue, a.logger, time.Now), queue, "")
	if err != nil {
		t.Fatal(err)
	}
	token := testAnalystToken(t, a, "ana")
	call := func(method, target, body string) {
		t.Helper()
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			r.Header.Set("Content-Type", "application/json")
		}
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, r)
		if w.Code >= 300 {
			t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body.String())
		}
	}
	for _, id := range []string{"tt0013442", "tt0000002"} {
		call(http.MethodPost, "/api/v1/movies", `{"id":"`+id+`"}`)
		call(http.MethodDelete, "/api/v1/movies/"+id, "")
	}

	for id, want := range map[string]bool{"tt0013442": true, "tt0000002": false} {
		m, err := a.store.GetMovie(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Tracked != want {
			t.Errorf("%s tracked = %v after the analyst removed it, want %v", id, m.Tracked, want)
		}
	}

	stdout.Reset()
	if err := runTrack(ctx, &environment{stdout: &stdout, stderr: io.Discard}, []string{"list", "--all"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"TRACKED BY", "everyone"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("track list lacks %q:\n%s", want, stdout.String())
		}
	}

	// `track remove` stops it for everyone.
	if err := runTrack(ctx, &environment{stdout: io.Discard, stderr: io.Discard}, []string{"remove", "tt0013442"}); err != nil {
		t.Fatal(err)
	}
	if m, err := a.store.GetMovie(ctx, "tt0013442"); err != nil || m.Tracked || m.Pinned {
		t.Errorf("tt0013442 after track remove: %+v, %v; want untracked and unpinned", m, err)
	}
}
