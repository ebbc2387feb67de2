package analyze

import (
	"context"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// DefaultBatchSize is the number of reviews read, analyzed and stored
// together.
const DefaultBatchSize = 100

// RunPending analyzes every review of a movie whose current content has no
// result from a yet, batch by batch, and returns how many it analyzed. Each
// stored batch stays stored if a later one fails.
func RunPending(ctx context.Context, st store.Store, a Analyzer, movieID string, batchSize int, now func() time.Time) (int, error) {
	if batchSize <= 0 {
		batchSize = DefaultBatchSize
	}
	if now == nil {
		now = time.Now
	}

	done := 0
	for {
		pending, err := st.PendingAnalysis(ctx, movieID, a.Name(), a.Version(), batchSize)
		if err != nil {
			return done, fmt.Errorf("list reviews of %s to analyze: %w", movieID, err)
		}
		if len(pending) == 0 {
			return done, nil
		}

		inputs := make([]Input, len(pending))
		for i, r := range pending {
			inputs[i] = Input{ReviewID: r.ID, Title: r.Title, Text: r.Text, Rating: r.Rating}
		}
		scores, err := a.Analyze(ctx, inputs)
		if err != nil {
			return done, fmt.Errorf("analyze reviews of %s with %s %s: %w", movieID, a.Name(), a.Version(), err)
		}
		if len(scores) != len(pending) {
			return done, fmt.Errorf("analyzer %s returned %d results for %d reviews of %s", a.Name(), len(scores), len(pending), movieID)
		}

		at := now()
		results := make([]store.Analysis, len(pending))
		for i, r := range pending {
			results[i] = store.Analysis{
				ReviewID:        r.ID,
				Analyzer:        a.Name(),
				AnalyzerVersion: a.Version(),
				ContentHash:     r.ContentHash,
				AnalyzedAt:      at,
				Aspects:         scores[i],
			}
		}
		if err := st.SaveAnalyses(ctx, results); err != nil {
			return done, fmt.Errorf("store analyses of %s: %w", movieID, err)
		}
		done += len(pending)
	}
}
