package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	promtest "github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/reelpulse/reelpulse/internal/metrics"
	"github.com/reelpulse/reelpulse/internal/store/sqlite"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// eventTestArgs is a job that ends as Outcome selects: "fail", "cancel",
// "snooze", or anything else to complete.
type eventTestArgs struct {
	Outcome string `json:"outcome"`
}

func (eventTestArgs) Kind() string { return "event_test" }

type eventTestWorker struct {
	river.WorkerDefaults[eventTestArgs]
}

func (w *eventTestWorker) Work(_ context.Context, job *river.Job[eventTestArgs]) error {
	switch job.Args.Outcome {
	case "fail":
		return errors.New("the test job failed")
	case "cancel":
		return river.JobCancel(errors.New("the test job cannot succeed"))
	case "snooze":
		return river.JobSnooze(time.Hour)
	}
	return nil
}

// NextRetry keeps a failed test job from running again during the test.
func (w *eventTestWorker) NextRetry(*river.Job[eventTestArgs]) time.Time {
	return time.Now().Add(time.Hour)
}

// eventTestBundle is a Queue over a River client on a fresh database, and
// the function that closes that database.
type eventTestBundle struct {
	queue   *Queue
	closeDB func()
}

// eventTestDrivers open a fresh database of each kind for a test.
var eventTestDrivers = []struct {
	name string
	open func(t *testing.T, working bool) eventTestBundle
}{
	{"sqlite", newSQLiteEventQueue},
	{"postgres", newPostgresEventQueue},
}

// newSQLiteEventQueue opens a SQLite store and a River client on its
// writer handle. With working set, the client runs the test worker on the
// check queue.
func newSQLiteEventQueue(t *testing.T, working bool) eventTestBundle {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "events.db"), logger)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	q := newEventQueue(t, riversqlite.New(st.WriterDB()), working)
	return eventTestBundle{queue: q, closeDB: func() { st.Close() }}
}

// newPostgresEventQueue is newSQLiteEventQueue on a fresh PostgreSQL
// database.
func newPostgresEventQueue(t *testing.T, working bool) eventTestBundle {
	t.Helper()
	pool, err := pgxpool.New(t.Context(), testutil.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	q := newEventQueue(t, riverpgxv5.New(pool), working)
	return eventTestBundle{queue: q, closeDB: pool.Close}
}

// newEventQueue migrates River's tables and returns a Queue over a client
// on driver, attached as newQueue attaches its own.
func newEventQueue[TTx any](t *testing.T, driver riverdriver.Driver[TTx], working bool) *Queue {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrator.Migrate(t.Context(), rivermigrate.DirectionUp, nil); err != nil {
		t.Fatal(err)
	}
	cfg := &river.Config{Logger: logger}
	if working {
		workers := river.NewWorkers()
		river.AddWorker(workers, &eventTestWorker{})
		cfg.Workers = workers
		cfg.Queues = map[string]river.QueueConfig{QueueCheck: {MaxWorkers: 2}}
		cfg.FetchCooldown = 10 * time.Millisecond
		cfg.FetchPollInterval = 20 * time.Millisecond
	}
	client, err := river.NewClient(driver, cfg)
	if err != nil {
		t.Fatal(err)
	}

	q := &Queue{list: client.JobList, start: client.Start, stop: client.Stop, cancel: client.StopAndCancel, logger: logger}
	q.insert = func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
		_, err := client.Insert(ctx, args, opts)
		return err
	}
	attachClient(q, client, working)
	return q
}

func TestWatchJobsCountsOutcomes(t *testing.T) {
	b := newSQLiteEventQueue(t, true)
	m := metrics.New()
	events, unsubscribe, err := b.queue.Subscribe(metrics.JobEventKinds...)
	if err != nil {
		t.Fatalf("Subscribe: %v", err)
	}
	defer unsubscribe()
	watchCtx, stopWatching := context.WithCancel(t.Context())
	defer stopWatching()
	go m.WatchJobs(watchCtx, events)

	startQueue(t, b.queue)
	jobs := []struct {
		outcome     string
		maxAttempts int
	}{
		{"complete", 1},
		{"fail", 1}, // no attempt left: discarded
		{"fail", 3}, // retried later: failed
		{"cancel", 3},
		{"snooze", 3},
	}
	for _, j := range jobs {
		opts := &river.InsertOpts{Queue: QueueCheck, MaxAttempts: j.maxAttempts}
		if err := b.queue.Insert(t.Context(), eventTestArgs{Outcome: j.outcome}, opts); err != nil {
			t.Fatalf("insert %s job: %v", j.outcome, err)
		}
	}
	waitForMetric(t, m, "reelpulse_job_duration_seconds", len(jobs))

	want := `
# HELP reelpulse_jobs_total Job attempts that this process finished, by job kind and outcome (completed, failed, cancelled, snoozed, discarded).
# TYPE reelpulse_jobs_total counter
reelpulse_jobs_total{kind="event_test",outcome="cancelled"} 1
reelpulse_jobs_total{kind="event_test",outcome="completed"} 1
reelpulse_jobs_total{kind="event_test",outcome="discarded"} 1
reelpulse_jobs_total{kind="event_test",outcome="failed"} 1
reelpulse_jobs_total{kind="event_test",outcome="snoozed"} 1
# HELP reelpulse_job_failures_total Job attempts that ended in an error, by job kind: failed (retried later), discarded (out of attempts) and cancelled (an error that a retry cannot fix).
# TYPE reelpulse_job_failures_total counter
reelpulse_job_failures_total{kind="event_test"} 3
`
	if err := promtest.GatherAndCompare(m.Registry(), strings.NewReader(want), "reelpulse_jobs_total", "reelpulse_job_failures_total"); err != nil {
		t.Error(err)
	}
}

// startQueue starts q and stops it when the test ends.
func startQueue(t *testing.T, q *Queue) {
	t.Helper()
	if err := q.Start(t.Context()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

// waitForMetric waits until the named histogram or counter family holds
// want observations in all.
func waitForMetric(t *testing.T, m *metrics.Metrics, name string, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got := 0
		families, err := m.Registry().Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range families {
			if f.GetName() != name {
				continue
			}
			for _, metric := range f.GetMetric() {
				got += int(metric.GetHistogram().GetSampleCount()) + int(metric.GetCounter().GetValue())
			}
		}
		if got >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s holds %d observations after 15 s, want %d", name, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSubscribeNeedsAWorkingClient(t *testing.T) {
	tests := []struct {
		name    string
		queue   func(t *testing.T) *Queue
		wantErr string
	}{
		{
			name:    "insert only",
			queue:   func(t *testing.T) *Queue { return newSQLiteEventQueue(t, false).queue },
			wantErr: "only inserts jobs",
		},
		{
			name:    "client not attached",
			queue:   func(t *testing.T) *Queue { return &Queue{} },
			wantErr: "attachClient",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := tt.queue(t).Subscribe(metrics.JobEventKinds...)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Subscribe error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestQueueReady(t *testing.T) {
	tests := []struct {
		name    string
		working bool
		prepare func(t *testing.T, b eventTestBundle)
		wantErr string // "" when ready
	}{
		{name: "insert only", working: false},
		{name: "working and started", working: true, prepare: func(t *testing.T, b eventTestBundle) { startQueue(t, b.queue) }},
		{name: "working but not started", working: true, wantErr: "not started"},
		{
			name:    "working and stopped",
			working: true,
			prepare: func(t *testing.T, b eventTestBundle) {
				if err := b.queue.Start(t.Context()); err != nil {
					t.Fatal(err)
				}
				if err := b.queue.Stop(t.Context()); err != nil {
					t.Fatal(err)
				}
			},
			wantErr: "stopped",
		},
		{
			name:    "database closed",
			working: false,
			prepare: func(t *testing.T, b eventTestBundle) {
				b.closeDB()
			},
			wantErr: "read the job table",
		},
	}
	for _, driver := range eventTestDrivers {
		for _, tt := range tests {
			t.Run(driver.name+"/"+tt.name, func(t *testing.T) {
				b := driver.open(t, tt.working)
				if tt.prepare != nil {
					tt.prepare(t, b)
				}

				err := b.queue.Ready(t.Context())

				switch {
				case tt.wantErr == "" && err != nil:
					t.Errorf("Ready = %v, want nil", err)
				case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
					t.Errorf("Ready = %v, want an error containing %q", err, tt.wantErr)
				}
			})
		}
	}
}

func TestCountByQueueAndState(t *testing.T) {
	for _, driver := range eventTestDrivers {
		t.Run(driver.name, func(t *testing.T) {
			testCountByQueueAndState(t, driver.open(t, false).queue)
		})
	}
}

func testCountByQueueAndState(t *testing.T, q *Queue) {
	ctx := t.Context()
	later := time.Now().Add(time.Hour)
	inserts := []river.InsertOpts{
		{Queue: QueueCheck, ScheduledAt: later},
		{Queue: QueueCheck, ScheduledAt: later},
		{Queue: QueueSync},
		{Queue: QueueAnalyze},
		{Queue: QueueAnalyze, Pending: true},
	}
	for i, opts := range inserts {
		if err := q.Insert(ctx, eventTestArgs{}, &opts); err != nil {
			t.Fatalf("insert %d: %v", i, err)
		}
	}

	counts, err := q.CountByQueueAndState(ctx)
	if err != nil {
		t.Fatalf("CountByQueueAndState: %v", err)
	}

	want := map[[2]string]int{
		{QueueCheck, "scheduled"}:   2,
		{QueueSync, "available"}:    1,
		{QueueAnalyze, "available"}: 1,
		{QueueAnalyze, "pending"}:   1,
	}
	if len(counts) != len(depthQueues)*len(depthStates) {
		t.Errorf("got %d queue and state pairs, want %d: %v", len(counts), len(depthQueues)*len(depthStates), counts)
	}
	for pair, n := range counts {
		if n != want[pair] {
			t.Errorf("count of %v = %d, want %d", pair, n, want[pair])
		}
	}
}

func TestQueueReadyDuringOutage(t *testing.T) {
	server := testutil.StartPostgresServer(t)
	pool, err := pgxpool.New(t.Context(), server.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	q := newEventQueue(t, riverpgxv5.New(pool), false)
	if err := q.Ready(t.Context()); err != nil {
		t.Fatalf("Ready before the outage = %v, want nil", err)
	}

	server.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	err = q.Ready(ctx)
	cancel()
	if err == nil {
		t.Error("Ready while PostgreSQL is stopped = nil, want an error")
	}

	server.Start()
	deadline := time.Now().Add(10 * time.Second)
	for err := q.Ready(t.Context()); err != nil; err = q.Ready(t.Context()) {
		if time.Now().After(deadline) {
			t.Fatalf("Ready 10 s after PostgreSQL restarted = %v, want nil", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
