package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/config"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// testApp builds the program's components against a replay server, with
// the given database ("" for a fresh SQLite file).
func testApp(t *testing.T, site *replay.Site, databaseURL string) *app {
	t.Helper()
	return testAppWith(t, replay.NewServer(site, replay.Options{}), databaseURL)
}

// testAppWith is testApp with any handler in place of IMDb.
func testAppWith(t *testing.T, imdb http.Handler, databaseURL string) *app {
	t.Helper()
	server := httptest.NewServer(imdb)
	t.Cleanup(server.Close)

	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = databaseURL
	if databaseURL == "" {
		cfg.DatabaseURL = filepath.Join(t.TempDir(), "reelpulse.db")
	}
	cfg.IMDbBaseURL = server.URL
	cfg.IMDbGraphQLURL = server.URL + "/graphql"
	cfg.IMDbSuggestURL = server.URL + "/suggestion"
	cfg.RequestsPerSecond = 100
	cfg.MaxRetries = 0
	cfg.Browser = "never" // the browser fallback has its own tests

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := openApp(context.Background(), cfg, logger)
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(a.close)
	return a
}

func exampleSite(reviews int) *replay.Site {
	site := replay.NewSite()
	site.AddMovie(replay.ExampleMovie(reviews))
	return site
}

// getJSON requests path from handler and decodes the JSON reply.
func getJSON(t *testing.T, handler http.Handler, path string, into any) {
	t.Helper()
	rec := httptest.NewRecorder()
	handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", path, rec.Code, rec.Body)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), into); err != nil {
		t.Fatalf("GET %s: decode: %v\n%s", path, err, rec.Body)
	}
}

type movieJSON struct {
	ID                 string                 `json:"id"`
	Title              string                 `json:"title"`
	ReviewCount        *int                   `json:"review_count"`
	ScrapedReviewCount int                    `json:"scraped_review_count"`
	AverageRating      *float64               `json:"average_rating"`
	LastScrapedAt      *time.Time             `json:"last_scraped_at"`
	Aspects            map[string]aspectsJSON `json:"aspects"`
}

type aspectsJSON struct {
	Average   *float64 `json:"average"`
	Mentioned int      `json:"mentioned"`
	Analyzed  int      `json:"analyzed"`
}

// checkExampleMovie asserts what the API shows after the 3-review example
// movie went through the whole pipeline.
func checkExampleMovie(t *testing.T, a *app, handler http.Handler) {
	t.Helper()
	example := replay.ExampleMovie(3)

	var list []movieJSON
	getJSON(t, handler, "/api/v1/movies?all=true", &list) // tracked by the command line, on no list
	if len(list) != 1 || list[0].ID != replay.ExampleTitleID {
		t.Fatalf("movies = %+v, want only %s", list, replay.ExampleTitleID)
	}
	var movie movieJSON
	getJSON(t, handler, "/api/v1/movies/"+replay.ExampleTitleID, &movie)

	if movie.Title != example.Title {
		t.Errorf("title = %q, want %q", movie.Title, example.Title)
	}
	if movie.ScrapedReviewCount != 3 {
		t.Errorf("scraped_review_count = %d, want 3", movie.ScrapedReviewCount)
	}
	if movie.ReviewCount == nil || *movie.ReviewCount != 3 {
		t.Errorf("review_count = %v, want 3", movie.ReviewCount)
	}
	if movie.LastScrapedAt == nil {
		t.Error("last_scraped_at is null after a sync")
	}

	wantAverage := exampleAverage(example)
	if movie.AverageRating == nil || *movie.AverageRating != wantAverage {
		t.Errorf("average_rating = %v, want %v", movie.AverageRating, wantAverage)
	}
	for _, name := range analyze.AspectNames() {
		if _, ok := movie.Aspects[name]; !ok {
			t.Errorf("aspects lack %q", name)
		}
		if got := movie.Aspects[name].Analyzed; got != 3 {
			t.Errorf("aspect %s analyzed %d reviews, want 3", name, got)
		}
	}
	if movie.Aspects[store.Overall].Average == nil {
		t.Error("overall average is null after analysis")
	}
}

func exampleAverage(m replay.Movie) float64 {
	sum, n := 0, 0
	for _, r := range m.Reviews {
		if r.Rating != nil {
			sum += *r.Rating
			n++
		}
	}
	return float64(sum) / float64(n)
}

// TestPipelineDirect runs track, check, sync and analysis in order, as
// `reelpulse sync` does, on SQLite and PostgreSQL.
func TestPipelineDirect(t *testing.T) {
	databases := map[string]func(t *testing.T) string{
		"sqlite":   func(*testing.T) string { return "" },
		"postgres": func(t *testing.T) string { return testutil.PostgresURL(t) },
	}
	for name, database := range databases {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			a := testApp(t, exampleSite(3), database(t))
			tracker := jobs.NewTracker(a.store, nil, a.logger, time.Now)
			if _, err := tracker.Track(ctx, "https://www.imdb.com/title/tt0013442/"); err != nil {
				t.Fatalf("Track: %v", err)
			}

			env := &environment{stdout: io.Discard, stderr: io.Discard}
			if err := a.syncOne(ctx, env, replay.ExampleTitleID); err != nil {
				t.Fatalf("sync: %v", err)
			}
			handler := signedInHandler(t, a, tracker, nil)
			checkExampleMovie(t, a, handler)
		})
	}
}

// TestPipelineJobs tracks the example movie through the API and lets the
// River workers check, sync and analyze it.
func TestPipelineJobs(t *testing.T) {
	databases := map[string]func(t *testing.T) string{
		"sqlite":   func(*testing.T) string { return "" },
		"postgres": func(t *testing.T) string { return testutil.PostgresURL(t) },
	}
	for name, database := range databases {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			a := testApp(t, exampleSite(3), database(t))

			queue, err := a.queue(ctx, jobs.Work)
			if err != nil {
				t.Fatal(err)
			}
			if err := queue.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
				defer stop()
				if t.Failed() {
					logJobs(t, stopCtx, queue)
				}
				_ = queue.Stop(stopCtx)
			})

			tracker := jobs.NewTracker(a.store, queue, a.logger, time.Now)
			handler := signedInHandler(t, a, tracker, queue)
			rec := httptest.NewRecorder()
			body := `{"id":"tt0013442"}`
			handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/v1/movies", strings.NewReader(body)))
			if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
				t.Fatalf("POST /api/v1/movies: %d %s", rec.Code, rec.Body)
			}

			waitFor(ctx, t, "the example movie to be analyzed", func() bool {
				stats, err := a.store.Stats(ctx, replay.ExampleTitleID, a.analyzer.Name())
				if err != nil || stats.ScrapedReviewCount != 3 {
					return false
				}
				for _, s := range stats.Aspects {
					if s.Aspect == store.Overall && s.Analyzed == 3 {
						return true
					}
				}
				return false
			})
			checkExampleMovie(t, a, handler)

			snapshots, err := a.store.ListSnapshots(ctx, replay.ExampleTitleID)
			if err != nil {
				t.Fatal(err)
			}
			if len(snapshots) == 0 {
				t.Error("no snapshot taken by the check and analysis jobs")
			}

			// A completed check must not block the next one: the hourly
			// schedule queues the same arguments again.
			before, err := a.store.GetMovie(ctx, replay.ExampleTitleID)
			if err != nil {
				t.Fatal(err)
			}
			if err := queue.QueueCheck(ctx, replay.ExampleTitleID); err != nil {
				t.Fatal(err)
			}
			waitFor(ctx, t, "a second check of the example movie", func() bool {
				m, err := a.store.GetMovie(ctx, replay.ExampleTitleID)
				return err == nil && m.CheckedAt != nil && m.CheckedAt.After(*before.CheckedAt)
			})
		})
	}
}

func waitFor(ctx context.Context, t *testing.T, what string, done func() bool) {
	t.Helper()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for !done() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
		}
	}
}

// logJobs writes the queue's jobs with their states and errors to the test
// log, to explain a timeout.
func logJobs(t *testing.T, ctx context.Context, queue *jobs.Queue) {
	t.Helper()
	list, err := queue.List(ctx, jobs.JobFilter{Limit: 50})
	if err != nil {
		t.Logf("list jobs: %v", err)
		return
	}
	for _, job := range list {
		t.Logf("job %d %s movie %s %s attempt %d/%d scheduled %s last error %q",
			job.ID, job.Kind, job.MovieID, job.State, job.Attempt, job.MaxAttempts, job.ScheduledAt.Format(time.RFC3339Nano), job.LastError)
	}
}

func TestAnalyzeAcceptsIMDbURL(t *testing.T) {
	ctx := context.Background()
	a := testApp(t, exampleSite(3), "")
	if _, err := jobs.NewTracker(a.store, nil, a.logger, time.Now).Track(ctx, replay.ExampleTitleID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.syncer.Sync(ctx, replay.ExampleTitleID, nil); err != nil {
		t.Fatal(err)
	}

	var out strings.Builder
	env := &environment{stdout: &out, stderr: io.Discard}
	if err := a.analyzeMovies(ctx, env, a.analyzer, []string{"https://www.imdb.com/title/TT0013442/"}, false); err != nil {
		t.Fatalf("analyze: %v", err)
	}
	if !strings.Contains(out.String(), "tt0013442: 3 reviews analyzed") {
		t.Errorf("output = %q, want 3 reviews of tt0013442 analyzed", out.String())
	}
}

func TestOpenAppWarnsOfIMDbURLsLeft(t *testing.T) {
	cfg, err := config.Load(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	cfg.DatabaseURL = filepath.Join(t.TempDir(), "reelpulse.db")
	cfg.IMDbBaseURL = "http://127.0.0.1:9"
	cfg.IMDbGraphQLURL = "http://127.0.0.1:9/graphql"
	var logs bytes.Buffer
	a, err := openApp(context.Background(), cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("open app: %v", err)
	}
	t.Cleanup(a.close)
	if !strings.Contains(logs.String(), "settings=REELPULSE_IMDB_SUGGEST_URL") {
		t.Errorf("no warning names the search URL left at IMDb:\n%s", logs.String())
	}
}

// TestSyncLeavesBusyAnalysis runs `reelpulse sync` while another process
// holds the movie's analysis lease. The pass succeeds and leaves the
// analysis to that process, and `reelpulse analyze` reports the movie as
// skipped with an error.
func TestSyncLeavesBusyAnalysis(t *testing.T) {
	ctx := context.Background()
	a := testApp(t, exampleSite(3), "")
	if _, err := jobs.NewTracker(a.store, nil, a.logger, time.Now).Track(ctx, replay.ExampleTitleID); err != nil {
		t.Fatal(err)
	}
	other := store.AnalysisLease{MovieID: replay.ExampleTitleID, Analyzer: a.analyzer.Name(), Holder: "worker",
		Now: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}
	if ok, err := a.store.AcquireAnalysisLease(ctx, other); err != nil || !ok {
		t.Fatalf("lease of the other process: %t, %v", ok, err)
	}

	var out strings.Builder
	env := &environment{stdout: &out, stderr: io.Discard}
	if err := a.syncOne(ctx, env, replay.ExampleTitleID); err != nil {
		t.Fatalf("sync while another process analyzes: %v", err)
	}
	if !strings.Contains(out.String(), "analysis left to the process that is analyzing the movie now") {
		t.Errorf("sync output = %q, want the analysis left to the other process", out.String())
	}

	out.Reset()
	err := a.analyzeMovies(ctx, env, a.analyzer, []string{replay.ExampleTitleID}, false)
	if err == nil || !strings.Contains(err.Error(), "1 movie skipped because another process is analyzing it with lexicon (tt0013442)") {
		t.Errorf("analyze while another process analyzes: error %v, want the movie reported as skipped", err)
	}
	if !strings.Contains(out.String(), "tt0013442: skipped") {
		t.Errorf("analyze output = %q, want the movie skipped", out.String())
	}
}
