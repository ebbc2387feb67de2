package analyze

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// DefaultBatchSize is the number of reviews read from the store and handed
// to an analyzer together.
const DefaultBatchSize = 100

// Run selects the reviews of a movie to analyze and sets how.
type Run struct {
	MovieID   string
	BatchSize int // DefaultBatchSize when not positive
	// Reanalyze scores every review again, including those that already
	// have a result or a failure from this analyzer and version. A
	// reanalysis that stops midway resumes when run again with the same
	// Since.
	Reanalyze bool
	Since     time.Time // start of the reanalysis; now when zero
	Now       func() time.Time
	// Report, when set, is called with the running totals after each
	// group of results is stored.
	Report func(Progress)
}

// Progress counts what a run did.
type Progress struct {
	Analyzed int // reviews with a stored result
	Failed   int // reviews marked failed
}

// RunPending analyzes the reviews of a movie that have no result or
// failure from a for their current content, batch by batch. Results are
// stored as the analyzer hands them over, so an interrupted run keeps what
// it finished and the next run starts after it. It returns an error
// wrapping ErrBusy when another process analyzes the movie with a.
func RunPending(ctx context.Context, st store.Store, a Analyzer, run Run) (Progress, error) {
	batchSize := run.BatchSize
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	now := run.Now
	if now == nil {
		now = time.Now
	}
	q := store.PendingQuery{MovieID: run.MovieID, Analyzer: a.Name(), AnalyzerVersion: a.Version(), Limit: batchSize}
	if run.Reanalyze {
		q.Since = run.Since
		if q.Since.IsZero() {
			q.Since = now()
		}
	}

	var progress Progress
	ctx, stop, err := holdLease(ctx, st, store.AnalysisLease{MovieID: run.MovieID, Analyzer: a.Name()}, now)
	if err != nil {
		return progress, err
	}
	defer stop()
	progress, err = runBatches(ctx, st, a, run, q, now)
	if cause := context.Cause(ctx); errors.Is(cause, ErrBusy) {
		return progress, cause
	}
	return progress, err
}

// runBatches analyzes the pending reviews that q selects, batch by batch.
func runBatches(ctx context.Context, st store.Store, a Analyzer, run Run, q store.PendingQuery, now func() time.Time) (Progress, error) {
	var progress Progress
	for {
		pending, err := st.PendingAnalysis(ctx, q)
		if err != nil {
			return progress, fmt.Errorf("list reviews of %s to analyze: %w", run.MovieID, err)
		}
		if len(pending) == 0 {
			return progress, nil
		}

		hashes := make(map[string]string, len(pending))
		inputs := make([]Input, len(pending))
		for i, r := range pending {
			hashes[r.ID] = r.ContentHash
			inputs[i] = Input{ReviewID: r.ID, MovieID: r.MovieID, Title: r.Title, Text: r.Text, Rating: r.Rating}
		}
		before := progress
		save := func(results []Result) error {
			n, failed, err := saveResults(ctx, st, a, hashes, results, now())
			progress.Analyzed += n
			progress.Failed += failed
			if err == nil && run.Report != nil {
				run.Report(progress)
			}
			return err
		}
		if err := a.Analyze(ctx, inputs, save); err != nil {
			return progress, fmt.Errorf("analyze reviews of %s with %s %s: %w", run.MovieID, a.Name(), a.Version(), err)
		}
		if progress == before {
			return progress, fmt.Errorf("analyzer %s %s returned no result for %d reviews of %s", a.Name(), a.Version(), len(pending), run.MovieID)
		}
	}
}

// ErrBusy is returned by RunPending when another process analyzes the
// movie with the same analyzer, so that the reviews are not scored, and
// paid for, twice.
var ErrBusy = errors.New("another process is analyzing the movie with this analyzer")

// LeaseDuration is how long a run's lease lasts when it is not renewed,
// as after a crash. A run renews it every third of that.
const LeaseDuration = 3 * time.Minute

// holdLease takes the lease on the analysis of l.MovieID by l.Analyzer and
// keeps renewing it until stop is called, which also releases it. The
// returned context is cancelled with ErrBusy when a renewal finds the lease
// taken over.
func holdLease(ctx context.Context, st store.Store, l store.AnalysisLease, now func() time.Time) (context.Context, func(), error) {
	token := make([]byte, 12)
	if _, err := rand.Read(token); err != nil {
		return ctx, nil, err
	}
	l.Holder = hex.EncodeToString(token)
	acquire := func(ctx context.Context) (bool, error) {
		l.Now = now()
		l.ExpiresAt = l.Now.Add(LeaseDuration)
		return st.AcquireAnalysisLease(ctx, l)
	}
	ok, err := acquire(ctx)
	if err != nil {
		return ctx, nil, err
	}
	if !ok {
		return ctx, nil, fmt.Errorf("analyze reviews of %s with %s: %w (or a run that stopped without releasing its lease, which runs out within %s); it is skipped now",
			l.MovieID, l.Analyzer, ErrBusy, LeaseDuration)
	}

	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		ticker := time.NewTicker(LeaseDuration / 3)
		defer ticker.Stop()
		for {
			select {
			case <-done:
				return
			case <-ticker.C:
			}
			ok, err := acquire(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				// A failed renewal is tried again at the next tick: the
				// lease lasts three of them.
				continue
			case err == nil && !ok:
				cancel(fmt.Errorf("analyze reviews of %s with %s: the lease ran out and %w", l.MovieID, l.Analyzer, ErrBusy))
				return
			}
		}
	})
	stop := func() {
		close(done)
		wg.Wait()
		cancel(nil)
		// A lease that cannot be released runs out after LeaseDuration.
		_ = st.ReleaseAnalysisLease(context.WithoutCancel(ctx), l)
	}
	return ctx, stop, nil
}

// saveResults stores one group of results and failures. A result for a
// review that was not asked for is an analyzer bug and stores nothing.
func saveResults(ctx context.Context, st store.Store, a Analyzer, hashes map[string]string, results []Result, at time.Time) (analyzed, failed int, err error) {
	var analyses []store.Analysis
	var failures []store.AnalysisFailure
	for _, r := range results {
		hash, ok := hashes[r.ReviewID]
		if !ok {
			return 0, 0, fmt.Errorf("analyzer %s returned a result for review %q, which it was not given", a.Name(), r.ReviewID)
		}
		if r.Failure != "" {
			failures = append(failures, store.AnalysisFailure{
				ReviewID: r.ReviewID, Analyzer: a.Name(), AnalyzerVersion: a.Version(),
				ContentHash: hash, Reason: r.Failure, FailedAt: at,
			})
			continue
		}
		if len(r.Aspects) == 0 {
			return 0, 0, errors.New("analyzer " + a.Name() + " returned neither scores nor a failure for review " + r.ReviewID)
		}
		analyses = append(analyses, store.Analysis{
			ReviewID: r.ReviewID, Analyzer: a.Name(), AnalyzerVersion: a.Version(),
			ContentHash: hash, AnalyzedAt: at, Aspects: r.Aspects, Trimmed: r.Trimmed,
		})
	}
	if len(analyses) > 0 {
		if err := st.SaveAnalyses(ctx, analyses); err != nil {
			return 0, 0, fmt.Errorf("store analyses: %w", err)
		}
	}
	if len(failures) > 0 {
		if err := st.SaveAnalysisFailures(ctx, failures); err != nil {
			return len(analyses), 0, fmt.Errorf("store analysis failures: %w", err)
		}
	}
	return len(analyses), len(failures), nil
}
