package cli

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/replay"
)

// TestInvalidCommandLinesExitTwo checks that every invalid flag value and
// unexpected argument exits with status 2, the status of a flag that does
// not parse, names the bad value and opens no database.
func TestInvalidCommandLinesExitTwo(t *testing.T) {
	tests := []struct {
		args   []string
		stderr string // a part of the message
	}{
		{[]string{"users", "add", "ada", "--role", "god", "--password-stdin"}, `invalid --role "god": use admin or analyst`},
		{[]string{"users", "add", "--role", "admin", "--password-stdin"}, "give the user name, e.g. reelpulse users add ada --role admin --password-stdin"},
		{[]string{"users", "add", "ada", "--role", "admin"}, "missing --password-stdin"},
		{[]string{"users", "set-password"}, "give the user name, e.g. reelpulse users set-password ada"},
		{[]string{"users", "disable"}, "give the user name, e.g. reelpulse users disable ada"},
		{[]string{"users", "remove"}, "give the user name, e.g. reelpulse users remove ada"},
		{[]string{"users", "add", "ada", "bob", "--role", "admin"}, `want 1 argument, got 2: ["ada" "bob"]`},
		{[]string{"export", "--format", "xml"}, `invalid --format "xml"`},
		{[]string{"export", "tt0013442"}, `unexpected argument "tt0013442"`},
		{[]string{"export", "--analyzer", "magic"}, `unknown --analyzer "magic"`},
		{[]string{"jobs", "--state", "bogus"}, "bogus"},
		{[]string{"serve", "--role", "bogus"}, "bogus"},
		{[]string{"import", "--format", "xlsx", "movies.csv"}, `unknown format "xlsx"`},
		{[]string{"import", "--analyzer", " ", "movies.csv"}, "--analyzer is empty"},
		{[]string{"import", "--movie", "nosferatu", "movies.csv"}, `--movie: invalid IMDb id "nosferatu"`},
		{[]string{"usage", "--days", "0"}, "invalid --days 0"},
		{[]string{"usage", "extra"}, `unexpected arguments ["extra"]`},
		{[]string{"backup", "list", "--from", "file:///nonexistent", "extra"}, `unexpected arguments ["extra"]`},
		{[]string{"replay", "extra"}, `unexpected arguments ["extra"]`},
		{[]string{"track", "add", "notanid"}, `invalid IMDb id "notanid"`},
		{[]string{"sync", "notanid"}, `invalid IMDb id "notanid"`},
		{[]string{"analyze", "notanid"}, `invalid IMDb id "notanid"`},
		{[]string{"analyze", "--movie", "notanid"}, `invalid IMDb id "notanid"`},
		{[]string{"replay", "--synthetic", "-1"}, "invalid --synthetic -1"},
		{[]string{"tokens", "create", "--user", "ada", "--expires", "forever"}, `invalid --expires "forever"`},
		{[]string{"tokens", "create", "--user", "ada", "--name", strings.Repeat("x", 101)}, "--name has 101 characters"},
		{[]string{"tokens", "revoke", "--user", "ada", "first"}, `invalid token id "first"`},
		{[]string{"tokens", "revoke", "--user", "ada"}, "give the token id"},
		{[]string{"analyze", "--analyzer", "magic"}, `unknown analyzer "magic"`},
		{[]string{"eval", "--labels", "labels.jsonl", "--analyzer", "magic"}, `unknown analyzer "magic"`},
		{[]string{"backup", "now"}, `unexpected argument "now"`},
		{[]string{"restore", "--id", "a", "--at", "2026-12-05"}, "--id and --at both select a backup"},
		{[]string{"restore", "--at", "yesterday"}, "yesterday"},
		{[]string{"migrate", "now"}, `unexpected arguments ["now"]: reelpulse migrate takes no arguments`},
		{[]string{"version", "--", "extra"}, `unexpected arguments ["extra"]: reelpulse version takes no arguments`},
		{[]string{"config", "all"}, `unexpected arguments ["all"]: reelpulse config takes no arguments`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			database := filepath.Join(t.TempDir(), "reelpulse.db")
			isolate(t, map[string]string{"DATABASE_URL": database})
			var stdout, stderr bytes.Buffer
			code := Run(tt.args, strings.NewReader("a long enough password\n"), &stdout, &stderr)
			if code != 2 {
				t.Errorf("exit status %d, want 2; stderr:\n%s", code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.stderr, stderr.String())
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout = %q, want nothing", stdout.String())
			}
			if matches, _ := filepath.Glob(database + "*"); len(matches) > 0 {
				t.Errorf("an invalid command line created %v", matches)
			}
		})
	}
}

// failingAnalyzer scores nothing: every review fails.
type failingAnalyzer struct{}

func (failingAnalyzer) Name() string    { return "failing" }
func (failingAnalyzer) Version() string { return "1" }
func (failingAnalyzer) Analyze(_ context.Context, reviews []analyze.Input, save func([]analyze.Result) error) error {
	results := make([]analyze.Result, 0, len(reviews))
	for _, r := range reviews {
		results = append(results, analyze.Result{ReviewID: r.ReviewID, Failure: "reply cut off by the token limit"})
	}
	return save(results)
}

// TestAnalyzeFailsWhenReviewsFail checks that an analysis that leaves
// reviews unscored is an error, which exits with status 1, naming the
// movie, the count and the next step, while a full one is not.
func TestAnalyzeFailsWhenReviewsFail(t *testing.T) {
	ctx := context.Background()
	a := testApp(t, exampleSite(3), "")
	if _, err := jobs.NewTracker(a.store, nil, a.logger, time.Now).Track(ctx, replay.ExampleTitleID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.syncer.Sync(ctx, replay.ExampleTitleID, nil); err != nil {
		t.Fatal(err)
	}
	env := &environment{stdout: io.Discard, stderr: io.Discard}

	err := a.analyzeMovies(ctx, env, failingAnalyzer{}, nil, false)
	if err == nil {
		t.Fatal("analyze with 3 failed reviews returned no error")
	}
	for _, want := range []string{replay.ExampleTitleID, "3 of 3 reviews failed", "--reanalyze"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}

	if err := a.analyzeMovies(ctx, env, a.analyzer, nil, false); err != nil {
		t.Errorf("analyze that scored every review: %v", err)
	}
}
