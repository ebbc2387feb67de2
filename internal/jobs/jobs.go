// Package jobs runs reelpulse's background work on River: hourly checks of
// every tracked movie, review passes when a check finds them due, and the
// analysis of new or edited reviews. The same code runs over SQLite (one
// process) and PostgreSQL (any number of worker processes).
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/fetch"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/metrics"
	"github.com/reelpulse/reelpulse/internal/poster"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/sync"
)

// Queue names. Syncs get their own queue so that their concurrency cap does
// not hold back checks and analyses.
const (
	QueueCheck   = "check"
	QueueSync    = "sync"
	QueueAnalyze = "analyze"
)

// Config holds the scheduling settings. Zero values select the defaults
// named beside each field.
type Config struct {
	CheckInterval    time.Duration // how often every tracked movie is checked
	FullSyncInterval time.Duration // maximum age of the last complete pass
	SyncWorkers      int           // movies synced at the same time (5)
	CheckWorkers     int           // checks run at the same time (8)
	AnalyzeWorkers   int           // movies analyzed at the same time (2)
	// ParkAfterFailures is the number of consecutive failed review passes
	// after which a movie is parked (5).
	ParkAfterFailures int
	// RescueStuckAfter is how long a job may stay running before River
	// takes it for lost and retries it (DefaultRescueStuckAfter). It must
	// exceed the longest job timeout, SyncTimeout.
	RescueStuckAfter time.Duration
	// BackupInterval is the time between two backup jobs (1h), when
	// Deps.Backup is set.
	BackupInterval time.Duration

	// retryPolicy replaces River's exponential back-off in tests.
	retryPolicy river.ClientRetryPolicy
}

// Job timeouts. A job that runs longer has its context cancelled and is
// retried.
const (
	CheckTimeout   = 5 * time.Minute
	SyncTimeout    = time.Hour
	AnalyzeTimeout = time.Hour
)

// DefaultRescueStuckAfter is the default of Config.RescueStuckAfter: the
// longest job timeout plus ten minutes, so that a job that is still running
// is never rescued.
const DefaultRescueStuckAfter = SyncTimeout + 10*time.Minute

// withDefaults fills in the zero fields.
func (c Config) withDefaults() Config {
	if c.CheckInterval <= 0 {
		c.CheckInterval = time.Hour
	}
	if c.FullSyncInterval <= 0 {
		c.FullSyncInterval = 24 * time.Hour
	}
	if c.BackupInterval <= 0 {
		c.BackupInterval = time.Hour
	}
	if c.SyncWorkers <= 0 {
		c.SyncWorkers = 5
	}
	if c.CheckWorkers <= 0 {
		c.CheckWorkers = 8
	}
	if c.AnalyzeWorkers <= 0 {
		c.AnalyzeWorkers = 2
	}
	if c.ParkAfterFailures <= 0 {
		c.ParkAfterFailures = 5
	}
	if c.RescueStuckAfter <= 0 {
		c.RescueStuckAfter = DefaultRescueStuckAfter
	}
	return c
}

// Deps are the components that the workers use.
type Deps struct {
	Store    store.Store
	Syncer   *sync.Syncer
	Posters  *poster.Refresher // nil skips poster downloads
	Analyzer analyze.Analyzer
	Logger   *slog.Logger
	Now      func() time.Time
	// Metrics counts the reviews that passes and analyses handle; nil
	// counts nothing.
	Metrics metrics.Recorder
	// Backup takes a backup and prunes the old ones. When it is set, the
	// backup job runs every Config.BackupInterval.
	Backup func(ctx context.Context) error
}

// recorder returns Metrics, or a Recorder that counts nothing.
func (d Deps) recorder() metrics.Recorder {
	if d.Metrics == nil {
		return metrics.Nop{}
	}
	return d.Metrics
}

// oncePerArgs makes a job unique among the jobs of its kind and arguments
// that are waiting or running. River's default also counts completed jobs
// until they are cleaned out (24 hours), which would swallow the next hourly
// check or daily pass.
var oncePerArgs = river.UniqueOpts{
	ByArgs: true,
	ByState: []rivertype.JobState{
		rivertype.JobStateAvailable,
		rivertype.JobStatePending,
		rivertype.JobStateRetryable,
		rivertype.JobStateRunning,
		rivertype.JobStateScheduled,
	},
}

// ScheduleChecksArgs queues a check of every tracked movie, spread over the
// check interval.
type ScheduleChecksArgs struct{}

// Kind implements river.JobArgs.
func (ScheduleChecksArgs) Kind() string { return "schedule_checks" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (ScheduleChecksArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCheck, UniqueOpts: oncePerArgs}
}

// CheckMovieArgs reads a movie's metadata and declared review count and
// queues a review pass when one is due.
type CheckMovieArgs struct {
	MovieID string `json:"movie_id"`
}

// Kind implements river.JobArgs.
func (CheckMovieArgs) Kind() string { return "check_movie" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (CheckMovieArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueCheck, MaxAttempts: 3, UniqueOpts: oncePerArgs}
}

// SyncMovieArgs runs a full review pass over a movie. Unique by movie, so
// one pass per movie is in flight at a time.
type SyncMovieArgs struct {
	MovieID string `json:"movie_id" river:"unique"`
	Reason  string `json:"reason,omitempty"`
}

// Kind implements river.JobArgs.
func (SyncMovieArgs) Kind() string { return "sync_movie" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (SyncMovieArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueSync, MaxAttempts: 5, UniqueOpts: oncePerArgs}
}

// AnalyzeMovieArgs analyzes the reviews of a movie that have no result for
// their current content.
type AnalyzeMovieArgs struct {
	MovieID string `json:"movie_id"`
}

// Kind implements river.JobArgs.
func (AnalyzeMovieArgs) Kind() string { return "analyze_movie" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (AnalyzeMovieArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueAnalyze, MaxAttempts: 5, UniqueOpts: oncePerArgs}
}

// inserter is the part of a River client that workers use to queue
// follow-up jobs, whatever the driver's transaction type.
type inserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

type scheduleWorker struct {
	river.WorkerDefaults[ScheduleChecksArgs]
	deps     Deps
	cfg      Config
	inserter inserter
}

// schedulePage is the number of movie ids the schedule reads at a time,
// which keeps its memory flat in the number of tracked movies.
const schedulePage = 1000

func (w *scheduleWorker) Work(ctx context.Context, _ *river.Job[ScheduleChecksArgs]) error {
	// Parked movies stay out of the schedule until they are unparked. The
	// first walk counts the movies, so that the second can spread their
	// checks evenly over the interval instead of bursting at the top of
	// the hour.
	total := 0
	if err := w.eachMovie(ctx, func(string) error { total++; return nil }); err != nil {
		return err
	}

	now, i := w.deps.Now(), 0
	err := w.eachMovie(ctx, func(id string) error {
		offset := time.Duration(int64(w.cfg.CheckInterval) * int64(max(min(i, total-1), 0)) / int64(max(total, 1)))
		i++
		opts := CheckMovieArgs{}.InsertOpts()
		opts.ScheduledAt = now.Add(offset)
		if err := w.inserter.Insert(ctx, CheckMovieArgs{MovieID: id}, &opts); err != nil {
			return fmt.Errorf("queue check of %s: %w", id, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.deps.Logger.Info("Checks scheduled", "movies", i, "interval", w.cfg.CheckInterval)
	return nil
}

// eachMovie calls fn with the id of every tracked, unparked movie, reading
// them a page at a time.
func (w *scheduleWorker) eachMovie(ctx context.Context, fn func(id string) error) error {
	after := ""
	for {
		ids, err := w.deps.Store.SchedulableMovieIDs(ctx, after, schedulePage)
		if err != nil {
			return fmt.Errorf("list tracked movies: %w", err)
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < schedulePage {
			return nil
		}
		after = ids[len(ids)-1]
	}
}

type checkWorker struct {
	river.WorkerDefaults[CheckMovieArgs]
	deps     Deps
	cfg      Config
	inserter inserter
}

func (w *checkWorker) Timeout(*river.Job[CheckMovieArgs]) time.Duration { return CheckTimeout }

func (w *checkWorker) Work(ctx context.Context, job *river.Job[CheckMovieArgs]) error {
	id := job.Args.MovieID
	if parked, err := isParked(ctx, w.deps.Store, id); err != nil || parked {
		return permanent(err)
	}
	result, err := w.deps.Syncer.Check(ctx, id, w.cfg.FullSyncInterval)
	if errors.Is(err, fetch.ErrNotFound) || errors.Is(err, imdb.ErrTitleMoved) {
		// Neither the title page nor the reviews page exists, or IMDb
		// serves another title: no retry can help until a user acts.
		park(ctx, w.deps, id, err.Error())
	}
	if err != nil {
		return permanent(err)
	}
	if w.deps.Posters != nil {
		// A poster that cannot be downloaded must not hold up the reviews.
		if err := w.deps.Posters.Refresh(ctx, id, result.Metadata.PosterURL); err != nil {
			w.deps.Logger.Warn("Poster download failed", "movie_id", id, "error", err)
		}
	}
	if err := takeSnapshot(ctx, w.deps, id); err != nil {
		return err
	}
	if err := w.queueLeftoverAnalysis(ctx, id); err != nil {
		return err
	}
	if result.SyncReason == "" {
		return nil
	}

	w.deps.Logger.Info("Review pass queued", "movie_id", id, "job_id", job.ID, "reason", result.SyncReason)
	return w.inserter.Insert(ctx, SyncMovieArgs{MovieID: id, Reason: result.SyncReason}, nil)
}

// queueLeftoverAnalysis queues an analysis when reviews wait for one. A pass
// that ends while an analysis of the same movie is finishing cannot queue
// its own (River keeps one per movie, running ones included), so the hourly
// check picks those reviews up.
func (w *checkWorker) queueLeftoverAnalysis(ctx context.Context, movieID string) error {
	a := w.deps.Analyzer
	pending, err := w.deps.Store.PendingAnalysis(ctx, store.PendingQuery{MovieID: movieID, Analyzer: a.Name(), AnalyzerVersion: a.Version(), Limit: 1})
	if err != nil {
		return fmt.Errorf("list reviews of %s to analyze: %w", movieID, err)
	}
	if len(pending) == 0 {
		return nil
	}
	return w.inserter.Insert(ctx, AnalyzeMovieArgs{MovieID: movieID}, nil)
}

type syncWorker struct {
	river.WorkerDefaults[SyncMovieArgs]
	deps     Deps
	cfg      Config
	inserter inserter
}

func (w *syncWorker) Timeout(*river.Job[SyncMovieArgs]) time.Duration { return SyncTimeout }

// Work runs the pass. River retries a failed pass with its back-off until
// the movie's last cfg.ParkAfterFailures passes, of this job or earlier
// ones, all failed. The worker then parks the movie and cancels the job.
// A pass cancelled at shutdown stores nothing and does not count.
func (w *syncWorker) Work(ctx context.Context, job *river.Job[SyncMovieArgs]) error {
	id := job.Args.MovieID
	if parked, err := isParked(ctx, w.deps.Store, id); err != nil || parked {
		return permanent(err)
	}
	if job.Attempt > 1 {
		done, err := passCompletedSince(ctx, w.deps.Store, id, job.CreatedAt)
		if err != nil {
			return err
		}
		if done {
			// A worker that stopped after storing the pass but before
			// River recorded the job leaves it to be retried.
			w.deps.Logger.Info("Review pass already stored by an earlier attempt; not scraping again",
				"movie_id", id, "job_id", job.ID, "attempt", job.Attempt)
			return w.inserter.Insert(ctx, AnalyzeMovieArgs{MovieID: id}, nil)
		}
	}
	result, err := w.deps.Syncer.Sync(ctx, id, nil)
	if err == nil {
		w.deps.recorder().ReviewsFetched(result.Fetched)
		w.deps.recorder().ReviewsStored(result.New, result.Edited, result.Deleted)
		return w.inserter.Insert(ctx, AnalyzeMovieArgs{MovieID: id}, nil)
	}
	if unfixable(err) {
		park(ctx, w.deps, id, err.Error())
		return permanent(err)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		return err
	}

	failures, countErr := failedPasses(ctx, w.deps.Store, id, w.cfg.ParkAfterFailures)
	if countErr != nil {
		w.deps.Logger.Warn("Reading the movie's runs to decide on parking failed; the job is retried", "movie_id", id, "job_id", job.ID, "error", countErr)
		return err
	}
	if failures < w.cfg.ParkAfterFailures {
		return err
	}
	reason := fmt.Sprintf("%d review passes failed in a row; last error: %v", failures, err)
	park(ctx, w.deps, id, reason)
	return river.JobCancel(err)
}

// busyRetry is how long an analysis waits when another process analyzes
// the same movie.
const busyRetry = 5 * time.Minute

type analyzeWorker struct {
	river.WorkerDefaults[AnalyzeMovieArgs]
	deps Deps
}

func (w *analyzeWorker) Timeout(*river.Job[AnalyzeMovieArgs]) time.Duration { return AnalyzeTimeout }

func (w *analyzeWorker) Work(ctx context.Context, job *river.Job[AnalyzeMovieArgs]) error {
	id := job.Args.MovieID
	a := w.deps.Analyzer
	progress, err := analyze.RunPending(ctx, w.deps.Store, a, analyze.Run{MovieID: id, Now: w.deps.Now})
	w.deps.recorder().ReviewsAnalyzed(a.Name(), progress.Analyzed, progress.Failed)
	if errors.Is(err, analyze.ErrBudgetReached) {
		wait := untilNextUTCDay(w.now())
		w.deps.Logger.Warn("Analysis paused until the daily LLM budget renews",
			"movie_id", id, "job_id", job.ID, "analyzer", a.Name(), "reviews", progress.Analyzed, "resume_in", wait.Round(time.Minute).String(), "error", err)
		return river.JobSnooze(wait)
	}
	if errors.Is(err, analyze.ErrBusy) {
		// Another process, such as `reelpulse analyze`, scores these
		// reviews now; look again once it is likely done.
		w.deps.Logger.Info("Analysis postponed: another process is analyzing the movie",
			"movie_id", id, "job_id", job.ID, "analyzer", a.Name(), "error", err)
		return river.JobSnooze(busyRetry)
	}
	if err != nil {
		return err
	}
	w.deps.Logger.Info("Reviews analyzed", "movie_id", id, "job_id", job.ID, "analyzer", a.Name(),
		"version", a.Version(), "reviews", progress.Analyzed, "failed", progress.Failed)
	return takeSnapshot(ctx, w.deps, id)
}

func (w *analyzeWorker) now() time.Time {
	if w.deps.Now != nil {
		return w.deps.Now()
	}
	return time.Now()
}

// untilNextUTCDay is the time from now to the next midnight UTC, when the
// daily budget starts again, plus a minute of slack.
func untilNextUTCDay(now time.Time) time.Duration {
	midnight := now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	return midnight.Sub(now) + time.Minute
}

// permanent stops River from retrying the errors that unfixable reports.
func permanent(err error) error {
	if unfixable(err) {
		return river.JobCancel(err)
	}
	return err
}

// unfixable reports whether err is one that no retry can fix: a title that
// IMDb does not know or serves under another id, or a movie not stored.
func unfixable(err error) bool {
	return errors.Is(err, fetch.ErrNotFound) || errors.Is(err, imdb.ErrTitleMoved) || errors.Is(err, store.ErrNotFound)
}

// takeSnapshot adds a point to the movie's time series.
func takeSnapshot(ctx context.Context, deps Deps, movieID string) error {
	movie, err := deps.Store.GetMovie(ctx, movieID)
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", movieID, err)
	}
	stats, err := deps.Store.Stats(ctx, movieID, deps.Analyzer.Name())
	if err != nil {
		return fmt.Errorf("snapshot %s: %w", movieID, err)
	}

	snap := store.Snapshot{
		MovieID:             movieID,
		TakenAt:             deps.Now(),
		DeclaredReviewCount: movie.DeclaredReviewCount,
		ScrapedReviewCount:  stats.ScrapedReviewCount,
		AverageRating:       stats.AverageRating,
		AspectAverages:      map[string]float64{},
	}
	for _, a := range stats.Aspects {
		if a.Average != nil {
			snap.AspectAverages[a.Aspect] = *a.Average
		}
	}
	if err := deps.Store.AddSnapshot(ctx, snap); err != nil {
		return fmt.Errorf("snapshot %s: %w", movieID, err)
	}
	return nil
}
