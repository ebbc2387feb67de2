package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/postgres"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/sync"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// testDatabase opens a new, migrated store and returns it with a function
// that builds a job queue over the same database.
type testDatabase struct {
	name string
	open func(t *testing.T, logger *slog.Logger) (store.Store, func(ctx context.Context, cfg Config, deps Deps, mode Mode) (*Queue, error))
}

func testDatabases() []testDatabase {
	return []testDatabase{
		{"sqlite", func(t *testing.T, logger *slog.Logger) (store.Store, func(context.Context, Config, Deps, Mode) (*Queue, error)) {
			st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "jobs.db"), logger)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			return st, func(ctx context.Context, cfg Config, deps Deps, mode Mode) (*Queue, error) {
				return NewSQLite(ctx, st.WriterDB(), cfg, deps, mode)
			}
		}},
		{"postgres", func(t *testing.T, logger *slog.Logger) (store.Store, func(context.Context, Config, Deps, Mode) (*Queue, error)) {
			st, err := postgres.Open(t.Context(), testutil.PostgresURL(t), logger)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			return st, func(ctx context.Context, cfg Config, deps Deps, mode Mode) (*Queue, error) {
				return NewPostgres(ctx, st.Pool(), cfg, deps, mode)
			}
		}},
	}
}

// stubAnalyzer scores nothing, so that a pass that succeeds can queue its
// analysis without a real analyzer.
type stubAnalyzer struct{}

func (stubAnalyzer) Name() string    { return "stub" }
func (stubAnalyzer) Version() string { return "1" }
func (stubAnalyzer) Analyze(_ context.Context, reviews []analyze.Input, save func([]analyze.Result) error) error {
	results := make([]analyze.Result, 0, len(reviews))
	for _, r := range reviews {
		results = append(results, analyze.Result{ReviewID: r.ReviewID, Failure: "stub"})
	}
	return save(results)
}

// testDeps returns worker dependencies that fetch from a replay server of
// site on 127.0.0.1.
func testDeps(t *testing.T, st store.Store, site *replay.Site, opts replay.Options, logger *slog.Logger) Deps {
	server := httptest.NewServer(replay.NewServer(site, opts))
	t.Cleanup(server.Close)
	cfg := fetch.DefaultConfig()
	cfg.RequestsPerSecond = 1000
	cfg.MaxRetries = 0
	cfg.AllowedPrivateHosts = []string{"127.0.0.1"}
	client := imdb.NewClient(fetch.New(cfg, logger), imdb.Config{BaseURL: server.URL, GraphQLURL: server.URL + replay.GraphQLPath})
	return Deps{
		Store:    st,
		Syncer:   sync.New(client, st, logger, time.Now),
		Analyzer: stubAnalyzer{},
		Logger:   logger,
		Now:      time.Now,
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fastRetries schedules every retry 10 ms after the failure, so that a
// test runs all attempts in seconds.
type fastRetries struct{}

func (fastRetries) NextRetry(*rivertype.JobRow) time.Time {
	return time.Now().Add(10 * time.Millisecond)
}

func waitUntil(t *testing.T, ctx context.Context, what string, done func() bool) {
	t.Helper()
	for !done() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func jobsOf(t *testing.T, q *Queue, kind string) []JobInfo {
	t.Helper()
	list, err := q.List(context.Background(), JobFilter{Kind: kind, Limit: 100})
	if err != nil {
		t.Fatalf("list %s jobs: %v", kind, err)
	}
	return list
}

// TestSyncParksAfterFailures lets River work a review pass of a movie whose
// pages the replay server serves as a bot challenge. The pass is retried
// until it has failed ParkAfterFailures times. Then the movie is parked with
// the error and the job cancelled. The schedule leaves the parked movie out,
// and unparking it queues a check and restarts the count.
func TestSyncParksAfterFailures(t *testing.T) {
	for _, db := range testDatabases() {
		t.Run(db.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
			defer cancel()
			logger := discardLogger()
			st, newQueue := db.open(t, logger)
			site := replay.NewSite()
			site.AddMovie(replay.ExampleMovie(3))
			site.SetChallenged(replay.ExampleTitleID, true)
			deps := testDeps(t, st, site, replay.Options{}, logger)
			if _, err := st.TrackMovie(ctx, replay.ExampleTitleID, time.Now()); err != nil {
				t.Fatal(err)
			}

			const parkAfter = 3
			cfg := Config{CheckInterval: time.Hour, SyncWorkers: 1, ParkAfterFailures: parkAfter, retryPolicy: fastRetries{}}
			queue, err := newQueue(ctx, cfg, deps, Work)
			if err != nil {
				t.Fatal(err)
			}
			if err := queue.Insert(ctx, SyncMovieArgs{MovieID: replay.ExampleTitleID, Reason: "test"}, nil); err != nil {
				t.Fatal(err)
			}
			if err := queue.Start(ctx); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, ctx, "the movie to be parked", func() bool {
				m, err := st.GetMovie(ctx, replay.ExampleTitleID)
				return err == nil && m.ParkedAt != nil
			})
			waitUntil(t, ctx, "the sync job to be cancelled", func() bool {
				list := jobsOf(t, queue, SyncMovieArgs{}.Kind())
				return len(list) == 1 && list[0].State == string(rivertype.JobStateCancelled)
			})
			// The schedule queues a check when the queue starts. Wait for it
			// to end, because uniqueness would merge the unpark's check into it.
			finished := []string{string(rivertype.JobStateCompleted), string(rivertype.JobStateCancelled), string(rivertype.JobStateDiscarded)}
			waitUntil(t, ctx, "the scheduled check to end", func() bool {
				for _, job := range jobsOf(t, queue, CheckMovieArgs{}.Kind()) {
					if !slices.Contains(finished, job.State) {
						return false
					}
				}
				return true
			})
			stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			if err := queue.Stop(stopCtx); err != nil {
				t.Fatalf("stop: %v", err)
			}

			movie, err := st.GetMovie(ctx, replay.ExampleTitleID)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(movie.ParkedReason, "3 review passes failed in a row") || !strings.Contains(movie.ParkedReason, "challenge") {
				t.Errorf("parked reason = %q, want the count and the challenge error", movie.ParkedReason)
			}
			runs, err := st.ListRuns(ctx, replay.ExampleTitleID, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(runs) != parkAfter {
				t.Errorf("%d passes ran, want %d: parking stops the retries", len(runs), parkAfter)
			}
			job := jobsOf(t, queue, SyncMovieArgs{}.Kind())[0]
			if job.Attempt != parkAfter || job.LastError == "" {
				t.Errorf("sync job attempt %d, last error %q; want attempt %d with the error", job.Attempt, job.LastError, parkAfter)
			}

			// The schedule leaves the parked movie out.
			rec := &recordingInserter{}
			schedule := &scheduleWorker{deps: deps, cfg: Config{CheckInterval: time.Hour}, inserter: rec}
			if err := schedule.Work(ctx, &river.Job[ScheduleChecksArgs]{}); err != nil {
				t.Fatal(err)
			}
			if len(rec.inserts) != 0 {
				t.Errorf("schedule queued %d checks, want none for a parked movie", len(rec.inserts))
			}

			// Unparking through the tracker queues a check and restarts
			// the count of failed passes.
			webQueue, err := newQueue(ctx, cfg, deps, InsertOnly)
			if err != nil {
				t.Fatal(err)
			}
			if err := NewTracker(st, webQueue, logger, time.Now).Unpark(ctx, replay.ExampleTitleID); err != nil {
				t.Fatalf("unpark: %v", err)
			}
			movie, err = st.GetMovie(ctx, replay.ExampleTitleID)
			if err != nil {
				t.Fatal(err)
			}
			if movie.ParkedAt != nil || movie.ParkedReason != "" || movie.UnparkedAt == nil {
				t.Errorf("after unpark: parked at %v, reason %q, unparked at %v", movie.ParkedAt, movie.ParkedReason, movie.UnparkedAt)
			}
			if n, err := failedPasses(ctx, st, replay.ExampleTitleID, parkAfter); err != nil || n != 0 {
				t.Errorf("failed passes after unpark = %d, %v; want 0", n, err)
			}
			// A job inserted for now may show as scheduled for a moment when
			// the clocks of the process and PostgreSQL differ slightly.
			var checks []JobInfo
			for _, job := range jobsOf(t, webQueue, CheckMovieArgs{}.Kind()) {
				if !slices.Contains(finished, job.State) {
					checks = append(checks, job)
				}
			}
			waiting := []string{string(rivertype.JobStateAvailable), string(rivertype.JobStateScheduled)}
			if len(checks) != 1 || checks[0].MovieID != replay.ExampleTitleID || !slices.Contains(waiting, checks[0].State) || checks[0].Attempt != 0 {
				t.Errorf("unfinished check jobs after unpark = %+v, want one waiting check of %s", checks, replay.ExampleTitleID)
			}
		})
	}
}

// TestMovedTitleParked tracks an id that IMDb redirects to another title.
// The check parks the movie with the id to track instead and stores none of
// the other title's reviews under it.
func TestMovedTitleParked(t *testing.T) {
	for _, db := range testDatabases() {
		t.Run(db.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
			defer cancel()
			logger := discardLogger()
			st, newQueue := db.open(t, logger)
			site := replay.NewSite()
			site.AddMovie(replay.ExampleMovie(3))
			const merged = "tt0000099"
			site.SetMoved(merged, replay.ExampleTitleID)
			deps := testDeps(t, st, site, replay.Options{}, logger)
			if _, err := st.TrackMovie(ctx, merged, time.Now()); err != nil {
				t.Fatal(err)
			}

			queue, err := newQueue(ctx, Config{CheckInterval: time.Hour, SyncWorkers: 1, ParkAfterFailures: 3, retryPolicy: fastRetries{}}, deps, Work)
			if err != nil {
				t.Fatal(err)
			}
			if err := queue.Start(ctx); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, ctx, "the movie to be parked", func() bool {
				m, err := st.GetMovie(ctx, merged)
				return err == nil && m.ParkedAt != nil
			})
			waitUntil(t, ctx, "the check to be cancelled", func() bool {
				list := jobsOf(t, queue, CheckMovieArgs{}.Kind())
				return len(list) == 1 && list[0].State == string(rivertype.JobStateCancelled)
			})
			stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
			defer stop()
			if err := queue.Stop(stopCtx); err != nil {
				t.Fatalf("stop: %v", err)
			}

			movie, err := st.GetMovie(ctx, merged)
			if err != nil {
				t.Fatal(err)
			}
			if want := "track " + replay.ExampleTitleID + " instead"; !strings.Contains(movie.ParkedReason, want) {
				t.Errorf("parked reason = %q, want it to contain %q", movie.ParkedReason, want)
			}
			if syncs := jobsOf(t, queue, SyncMovieArgs{}.Kind()); len(syncs) != 0 {
				t.Errorf("%d review passes queued, want none for a moved title", len(syncs))
			}
			if hashes, err := st.ReviewHashes(ctx, merged); err != nil || len(hashes) != 0 {
				t.Errorf("stored reviews of %s = %d, %v; want none", merged, len(hashes), err)
			}
		})
	}
}

// TestFailedPassesCount checks which passes count towards parking.
func TestFailedPassesCount(t *testing.T) {
	failed := store.SyncRun{State: store.RunFailed, Error: "sync: page 2: HTTP 500"}
	blocked := store.SyncRun{State: store.RunBlocked, Error: "blocked"}
	challenged := store.SyncRun{State: store.RunChallenged, Error: "challenged"}
	timedOut := store.SyncRun{State: store.RunFailed, Error: "sync: page 2: context deadline exceeded"}
	complete := store.SyncRun{State: store.RunComplete}
	incomplete := store.SyncRun{State: store.RunIncomplete}
	unpark := store.SyncRun{State: "unpark"} // not a run: unparks the movie at this point

	tests := []struct {
		name  string
		runs  []store.SyncRun // oldest first
		limit int
		want  int
	}{
		{"no passes", nil, 5, 0},
		{"two failures", []store.SyncRun{failed, failed}, 5, 2},
		{"every failed state counts", []store.SyncRun{complete, failed, blocked, challenged}, 5, 3},
		{"a stored pass ends the count", []store.SyncRun{failed, failed, incomplete, failed}, 5, 1},
		{"timeouts count", []store.SyncRun{timedOut, timedOut}, 5, 2},
		{"unpark restarts the count", []store.SyncRun{failed, failed, failed, unpark, failed}, 5, 1},
		{"count stops at the limit", []store.SyncRun{failed, failed, failed, failed}, 3, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"), discardLogger())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			if err := st.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
			if _, err := st.TrackMovie(ctx, "tt0000001", start); err != nil {
				t.Fatal(err)
			}
			for i, run := range tt.runs {
				at := start.Add(time.Duration(i+1) * time.Minute)
				if run.State == "unpark" {
					if err := st.UnparkMovie(ctx, "tt0000001", at); err != nil {
						t.Fatal(err)
					}
					continue
				}
				run.MovieID, run.StartedAt, run.FinishedAt = "tt0000001", at, at.Add(time.Second)
				if _, err := st.RecordRun(ctx, run); err != nil {
					t.Fatal(err)
				}
			}
			got, err := failedPasses(ctx, st, "tt0000001", tt.limit)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("failedPasses = %d, want %d", got, tt.want)
			}
		})
	}
}

// TestShutdownLeavesNoHalfWrittenSync stops the workers in the middle of a
// review pass with a deadline too short for it. The cancelled pass stores
// no review and does not count towards parking. Its job goes back to the
// queue, and the next worker completes it.
func TestShutdownLeavesNoHalfWrittenSync(t *testing.T) {
	for _, db := range testDatabases() {
		t.Run(db.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
			defer cancel()
			logger := discardLogger()
			st, newQueue := db.open(t, logger)
			site := replay.NewSite()
			ids := site.AddCatalog(1000001, 1, 120, 0, 1)
			id := ids[0]
			if _, err := st.TrackMovie(ctx, id, time.Now()); err != nil {
				t.Fatal(err)
			}

			// Every page takes 300 ms, so the pass (6 pages) is still
			// fetching when the shutdown deadline passes.
			slow := testDeps(t, st, site, replay.Options{Latency: 300 * time.Millisecond}, logger)
			cfg := Config{CheckInterval: time.Hour, SyncWorkers: 1}
			queue, err := newQueue(ctx, cfg, slow, Work)
			if err != nil {
				t.Fatal(err)
			}
			if err := queue.Insert(ctx, SyncMovieArgs{MovieID: id, Reason: "test"}, nil); err != nil {
				t.Fatal(err)
			}
			before := site.Requests()
			if err := queue.Start(ctx); err != nil {
				t.Fatal(err)
			}
			waitUntil(t, ctx, "the pass to fetch its second page", func() bool { return site.Requests() >= before+2 })
			stopCtx, stop := context.WithTimeout(context.Background(), 100*time.Millisecond)
			defer stop()
			if err := queue.Stop(stopCtx); err != nil {
				t.Fatalf("stop: %v", err)
			}

			stored, err := st.ListReviews(ctx, store.ReviewQuery{MovieID: id, IncludeDeleted: true})
			if err != nil {
				t.Fatal(err)
			}
			movie, err := st.GetMovie(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 0 || movie.ScrapedAt != nil || movie.ParkedAt != nil {
				t.Fatalf("after the cancelled pass: %d reviews stored, scraped at %v, parked at %v; want nothing stored and not parked",
					len(stored), movie.ScrapedAt, movie.ParkedAt)
			}
			if n, err := failedPasses(ctx, st, id, 5); err != nil || n != 0 {
				t.Errorf("failed passes after the cancelled pass = %d, %v; want 0", n, err)
			}
			// River puts a job interrupted by a shutdown back in the queue
			// at once and does not count the attempt.
			list := jobsOf(t, queue, SyncMovieArgs{}.Kind())
			if len(list) != 1 || list[0].State != string(rivertype.JobStateAvailable) || list[0].Attempt != 0 {
				t.Fatalf("sync jobs after the shutdown = %+v, want one available job with no attempt counted", list)
			}

			// The next worker runs the pass again and stores it whole.
			fast := testDeps(t, st, site, replay.Options{}, logger)
			next, err := newQueue(ctx, Config{CheckInterval: time.Hour, SyncWorkers: 1, retryPolicy: fastRetries{}}, fast, Work)
			if err != nil {
				t.Fatal(err)
			}
			if err := next.Start(ctx); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				stopCtx, stop := context.WithTimeout(context.Background(), 10*time.Second)
				defer stop()
				_ = next.Stop(stopCtx)
			})
			waitUntil(t, ctx, "the retried pass to complete", func() bool {
				list := jobsOf(t, next, SyncMovieArgs{}.Kind())
				return len(list) == 1 && list[0].State == string(rivertype.JobStateCompleted)
			})
			stored, err = st.ListReviews(ctx, store.ReviewQuery{MovieID: id})
			if err != nil {
				t.Fatal(err)
			}
			if len(stored) != 120 {
				t.Errorf("%d reviews stored after the retried pass, want 120", len(stored))
			}
		})
	}
}

// TestScheduleSkipsParked checks that parked movies get no check and the
// others share the interval.
func TestScheduleSkipsParked(t *testing.T) {
	ctx := t.Context()
	logger := discardLogger()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"tt0000001", "tt0000002", "tt0000003"} {
		if _, err := st.TrackMovie(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.ParkMovie(ctx, "tt0000002", "blocked", now); err != nil {
		t.Fatal(err)
	}

	rec := &recordingInserter{}
	worker := &scheduleWorker{deps: Deps{Store: st, Logger: logger, Now: func() time.Time { return now }}, cfg: Config{CheckInterval: time.Hour}, inserter: rec}
	if err := worker.Work(ctx, &river.Job[ScheduleChecksArgs]{}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ins := range rec.inserts {
		got = append(got, ins.args.(CheckMovieArgs).MovieID+"+"+ins.opts.ScheduledAt.Sub(now).String())
	}
	want := []string{"tt0000001+0s", "tt0000003+30m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("checks queued = %v, want %v", got, want)
	}
}

// TestCheckParksUnknownTitle checks that a movie whose title page and
// reviews page both return 404 is parked at once and its check cancelled,
// and that a parked movie's queued check and pass do nothing.
func TestCheckParksUnknownTitle(t *testing.T) {
	ctx := t.Context()
	logger := discardLogger()
	st, _ := testDatabases()[0].open(t, logger)
	deps := testDeps(t, st, replay.NewSite(), replay.Options{}, logger)
	if _, err := st.TrackMovie(ctx, "tt0000404", time.Now()); err != nil {
		t.Fatal(err)
	}

	rec := &recordingInserter{}
	check := &checkWorker{deps: deps, cfg: Config{FullSyncInterval: 24 * time.Hour}, inserter: rec}
	err := check.Work(ctx, &river.Job[CheckMovieArgs]{Args: CheckMovieArgs{MovieID: "tt0000404"}, JobRow: &rivertype.JobRow{ID: 1}})
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Fatalf("check of an unknown title returned %v, want a cancelled job", err)
	}
	movie, err := st.GetMovie(ctx, "tt0000404")
	if err != nil {
		t.Fatal(err)
	}
	if movie.ParkedAt == nil || !strings.Contains(movie.ParkedReason, "tt0000404") {
		t.Fatalf("unknown title: parked at %v, reason %q; want parked with the error", movie.ParkedAt, movie.ParkedReason)
	}

	deps.Syncer = nil // a parked movie must not reach the syncer
	check.deps = deps
	if err := check.Work(ctx, &river.Job[CheckMovieArgs]{Args: CheckMovieArgs{MovieID: "tt0000404"}, JobRow: &rivertype.JobRow{ID: 2}}); err != nil {
		t.Errorf("check of a parked movie: %v, want nil", err)
	}
	syncer := &syncWorker{deps: deps, cfg: Config{ParkAfterFailures: 5}, inserter: rec}
	if err := syncer.Work(ctx, &river.Job[SyncMovieArgs]{Args: SyncMovieArgs{MovieID: "tt0000404"}, JobRow: &rivertype.JobRow{ID: 3}}); err != nil {
		t.Errorf("pass of a parked movie: %v, want nil", err)
	}
	if len(rec.inserts) != 0 {
		t.Errorf("jobs queued for a parked movie: %+v", rec.inserts)
	}
}

// TestRescuedPassNotRepeated checks that a review pass retried after its
// worker stopped does not scrape again when the earlier attempt stored a
// complete pass, and that it still queues the analysis. A retry without
// such a pass scrapes.
func TestRescuedPassNotRepeated(t *testing.T) {
	ctx := t.Context()
	logger := discardLogger()
	st, _ := testDatabases()[0].open(t, logger)
	site := replay.NewSite()
	site.AddMovie(replay.ExampleMovie(3))
	deps := testDeps(t, st, site, replay.Options{}, logger)
	created := time.Now().Add(-time.Minute)
	if _, err := st.TrackMovie(ctx, replay.ExampleTitleID, created); err != nil {
		t.Fatal(err)
	}
	job := func(attempt int, createdAt time.Time) *river.Job[SyncMovieArgs] {
		return &river.Job[SyncMovieArgs]{Args: SyncMovieArgs{MovieID: replay.ExampleTitleID},
			JobRow: &rivertype.JobRow{ID: int64(attempt), Attempt: attempt, CreatedAt: createdAt}}
	}
	runs := func() int {
		list, err := st.ListRuns(ctx, replay.ExampleTitleID, 10)
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}

	rec := &recordingInserter{}
	worker := &syncWorker{deps: deps, cfg: Config{ParkAfterFailures: 5}, inserter: rec}
	if err := worker.Work(ctx, job(1, created)); err != nil {
		t.Fatalf("first attempt: %v", err)
	}
	if n := runs(); n != 1 {
		t.Fatalf("%d runs after the first attempt, want 1", n)
	}

	if err := worker.Work(ctx, job(2, created)); err != nil {
		t.Fatalf("retry after a stored pass: %v", err)
	}
	if n := runs(); n != 1 {
		t.Errorf("%d runs after a retry of a stored pass, want still 1", n)
	}
	if len(rec.inserts) != 2 {
		t.Errorf("%d analyses queued, want one per attempt", len(rec.inserts))
	}

	if err := worker.Work(ctx, job(2, time.Now())); err != nil {
		t.Fatalf("retry of a newer job: %v", err)
	}
	if n := runs(); n != 2 {
		t.Errorf("%d runs after a retry of a job newer than the pass, want 2", n)
	}
}
