package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// Queue is a River client over either database, without its transaction
// type in the signature.
type Queue struct {
	start  func(ctx context.Context) error
	stop   func(ctx context.Context) error
	cancel func(ctx context.Context) error
	insert func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
	list   func(ctx context.Context, params *river.JobListParams) (*river.JobListResult, error)
	retry  func(ctx context.Context, id int64) (*rivertype.JobRow, error)
	// cancelJob cancels one job, while cancel stops the whole client.
	cancelJob func(ctx context.Context, id int64) (*rivertype.JobRow, error)
	logger    *slog.Logger
	now       func() time.Time
}

// Mode selects whether a Queue works jobs or only inserts them.
type Mode int

const (
	// InsertOnly clients queue jobs for another process to work.
	InsertOnly Mode = iota
	// Work clients run the workers and the periodic schedule.
	Work
)

// NewSQLite returns a Queue on the SQLite handle that the store writes
// through, after applying River's migrations. The handle must allow one open
// connection only.
func NewSQLite(ctx context.Context, db *sql.DB, cfg Config, deps Deps, mode Mode) (*Queue, error) {
	return newQueue(ctx, riversqlite.New(db), cfg, deps, mode)
}

// NewPostgres returns a Queue on a PostgreSQL pool, after applying River's
// migrations.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, cfg Config, deps Deps, mode Mode) (*Queue, error) {
	return newQueue(ctx, riverpgxv5.New(pool), cfg, deps, mode)
}

func newQueue[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], cfg Config, deps Deps, mode Mode) (*Queue, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	cfg = cfg.withDefaults()
	// The migrator reports "no migrations to apply" at info level on every
	// start, which CLI commands would print; only warnings are kept.
	migrator, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: slog.New(&minLevelHandler{min: slog.LevelWarn, Handler: deps.Logger.Handler()})})
	if err != nil {
		return nil, fmt.Errorf("create job queue migrator: %w", err)
	}
	if _, err := migrator.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("migrate job queue tables: %w", err)
	}

	q := &Queue{logger: deps.Logger, now: deps.Now}
	riverCfg := &river.Config{
		Logger:               slog.New(&minLevelHandler{min: slog.LevelWarn, Handler: deps.Logger.Handler()}),
		RescueStuckJobsAfter: cfg.RescueStuckAfter,
		RetryPolicy:          cfg.retryPolicy,
	}
	if mode == Work {
		workers := river.NewWorkers()
		ins := inserterFunc(func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
			return q.insert(ctx, args, opts)
		})
		river.AddWorker(workers, &scheduleWorker{deps: deps, cfg: cfg, inserter: ins})
		river.AddWorker(workers, &checkWorker{deps: deps, cfg: cfg, inserter: ins})
		river.AddWorker(workers, &syncWorker{deps: deps, cfg: cfg, inserter: ins})
		river.AddWorker(workers, &analyzeWorker{deps: deps})
		if deps.Backup != nil {
			river.AddWorker(workers, &backupWorker{deps: deps})
		}

		riverCfg.Workers = workers
		riverCfg.Queues = map[string]river.QueueConfig{
			QueueCheck:   {MaxWorkers: cfg.CheckWorkers},
			QueueSync:    {MaxWorkers: cfg.SyncWorkers},
			QueueAnalyze: {MaxWorkers: cfg.AnalyzeWorkers},
		}
		if deps.Backup != nil {
			riverCfg.Queues[QueueMaintenance] = river.QueueConfig{MaxWorkers: 1}
		}
		// Only the elected leader among the clients that share the database
		// inserts periodic jobs, so any number of worker processes queue
		// each schedule once. The job's uniqueness covers a change of
		// leader.
		riverCfg.PeriodicJobs = []*river.PeriodicJob{
			river.NewPeriodicJob(
				river.PeriodicInterval(cfg.CheckInterval),
				func() (river.JobArgs, *river.InsertOpts) { return ScheduleChecksArgs{}, nil },
				&river.PeriodicJobOpts{ID: "schedule_checks", RunOnStart: true},
			),
		}
		if deps.Backup != nil {
			riverCfg.PeriodicJobs = append(riverCfg.PeriodicJobs, river.NewPeriodicJob(
				river.PeriodicInterval(cfg.BackupInterval),
				func() (river.JobArgs, *river.InsertOpts) { return BackupArgs{}, nil },
				&river.PeriodicJobOpts{ID: "backup"},
			))
		}
	}

	client, err := river.NewClient(driver, riverCfg)
	if err != nil {
		return nil, fmt.Errorf("create job queue client: %w", err)
	}
	attachClient(q, client, mode == Work)
	q.list = client.JobList
	q.retry = client.JobRetry
	q.cancelJob = client.JobCancel
	q.start = client.Start
	q.stop = client.Stop
	q.cancel = client.StopAndCancel
	q.insert = func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
		res, err := client.Insert(ctx, args, opts)
		if err != nil {
			return fmt.Errorf("queue %s job: %w", args.Kind(), err)
		}
		if res.UniqueSkippedAsDuplicate {
			deps.Logger.Debug("Job already queued", "kind", args.Kind(), "job_id", res.Job.ID)
		}
		return nil
	}
	return q, nil
}

type inserterFunc func(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error

func (f inserterFunc) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	return f(ctx, args, opts)
}

// Start begins working jobs and running the periodic schedule.
func (q *Queue) Start(ctx context.Context) error { return q.start(ctx) }

// Stop stops fetching jobs and waits for running ones until ctx is done,
// then cancels those still running.
func (q *Queue) Stop(ctx context.Context) error {
	err := q.stop(ctx)
	if err == nil {
		return nil
	}
	q.logger.Warn("Jobs still running at the stop deadline, cancelling them", "error", err)
	cancelCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return q.cancel(cancelCtx)
}

// Insert queues a job.
func (q *Queue) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	return q.insert(ctx, args, opts)
}

// QueueCheck queues a check of one movie now.
func (q *Queue) QueueCheck(ctx context.Context, movieID string) error {
	return q.insert(ctx, CheckMovieArgs{MovieID: movieID}, nil)
}

// minLevelHandler drops records below min. River logs routine events, such
// as job counts every few seconds, at info level; only its warnings and
// errors reach reelpulse's log.
type minLevelHandler struct {
	min slog.Level
	slog.Handler
}

func (h *minLevelHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return level >= h.min && h.Handler.Enabled(ctx, level)
}

func (h *minLevelHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &minLevelHandler{min: h.min, Handler: h.Handler.WithAttrs(attrs)}
}

func (h *minLevelHandler) WithGroup(name string) slog.Handler {
	return &minLevelHandler{min: h.min, Handler: h.Handler.WithGroup(name)}
}
