package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/web/webtest"
)

type recordedInsert struct {
	args river.JobArgs
	opts *river.InsertOpts
}

type recordingInserter struct{ inserts []recordedInsert }

func (r *recordingInserter) Insert(_ context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	r.inserts = append(r.inserts, recordedInsert{args, opts})
	return nil
}

func TestScheduleSpreadsChecks(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	for _, id := range []string{"tt0000001", "tt0000002", "tt0000003", "tt0000004"} {
		if _, err := st.TrackMovie(ctx, id, now); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.UntrackMovie(ctx, "tt0000004"); err != nil {
		t.Fatal(err)
	}

	inserter := &recordingInserter{}
	worker := &scheduleWorker{
		deps:     Deps{Store: st, Logger: logger, Now: func() time.Time { return now }},
		cfg:      Config{CheckInterval: time.Hour},
		inserter: inserter,
	}
	if err := worker.Work(ctx, &river.Job[ScheduleChecksArgs]{}); err != nil {
		t.Fatalf("Work: %v", err)
	}

	if len(inserter.inserts) != 3 {
		t.Fatalf("queued %d checks, want 3 (untracked movies are not checked)", len(inserter.inserts))
	}
	wantOffsets := []time.Duration{0, 20 * time.Minute, 40 * time.Minute}
	for i, ins := range inserter.inserts {
		args, ok := ins.args.(CheckMovieArgs)
		if !ok {
			t.Fatalf("insert %d is %T, want CheckMovieArgs", i, ins.args)
		}
		if got := ins.opts.ScheduledAt.Sub(now); got != wantOffsets[i] {
			t.Errorf("check of %s scheduled at +%s, want +%s", args.MovieID, got, wantOffsets[i])
		}
		if ins.opts.Queue != QueueCheck || !ins.opts.UniqueOpts.ByArgs {
			t.Errorf("check of %s has options %+v, want the unique check queue", args.MovieID, ins.opts)
		}
	}
}

func TestSyncUniquePerMovie(t *testing.T) {
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	queue, err := NewSQLite(ctx, st.WriterDB(), Config{CheckInterval: time.Hour, SyncWorkers: 5}, Deps{Store: st, Logger: logger}, InsertOnly)
	if err != nil {
		t.Fatal(err)
	}

	for _, args := range []SyncMovieArgs{
		{MovieID: "tt0000001", Reason: "new movie"},
		{MovieID: "tt0000001", Reason: "declared review count grew"},
		{MovieID: "tt0000002", Reason: "new movie"},
	} {
		if err := queue.Insert(ctx, args, nil); err != nil {
			t.Fatalf("insert %+v: %v", args, err)
		}
	}

	var count int
	row := st.WriterDB().QueryRowContext(ctx, "SELECT count(*) FROM river_job WHERE kind = 'sync_movie'")
	if err := row.Scan(&count); err != nil {
		t.Fatal(err)
	}
	if count != 2 {
		t.Errorf("%d sync jobs queued, want 2: one per movie whatever the reason", count)
	}
}

// The schedule reads movies a page at a time and still spreads every
// check evenly over the interval.
func TestSchedulePagesThroughMovies(t *testing.T) {
	st := webtest.NewStore()
	const movies = 2*schedulePage + 500
	for i := range movies {
		st.PutMovie(store.Movie{ID: fmt.Sprintf("tt%07d", i+1), Tracked: true})
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	inserter := &recordingInserter{}
	worker := &scheduleWorker{
		deps:     Deps{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }},
		cfg:      Config{CheckInterval: time.Hour},
		inserter: inserter,
	}
	if err := worker.Work(t.Context(), &river.Job[ScheduleChecksArgs]{}); err != nil {
		t.Fatalf("Work: %v", err)
	}

	if len(inserter.inserts) != movies {
		t.Fatalf("queued %d checks, want %d", len(inserter.inserts), movies)
	}
	seen := map[string]bool{}
	for i, ins := range inserter.inserts {
		id := ins.args.(CheckMovieArgs).MovieID
		if seen[id] {
			t.Fatalf("movie %s queued twice", id)
		}
		seen[id] = true
		want := now.Add(time.Duration(int64(time.Hour) * int64(i) / movies))
		if !ins.opts.ScheduledAt.Equal(want) {
			t.Fatalf("check %d of %s scheduled at %s, want %s", i, id, ins.opts.ScheduledAt, want)
		}
	}
}
