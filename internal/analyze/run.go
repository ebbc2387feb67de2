package analyze

import (
	"context"
	"errors"
	"fmt"
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
// it finished and the next run starts after it.
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
