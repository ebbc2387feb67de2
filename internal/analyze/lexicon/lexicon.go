// Package lexicon is the offline aspect analyzer: a rule-based sentiment
// scorer over embedded word lists that needs no network and no model.
//
// Each review is cut into sentences and clauses. Opinion words carry a
// valence that negators, intensifiers and contrast words adjust, and each
// opinion counts for the aspects named nearest to it in its clause. Summed
// valences map to the -2..+2 scale of store.AspectScore. The overall score
// starts from the star rating when there is one and moves with strong text
// sentiment.
package lexicon

import (
	"context"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Version identifies the rules and word lists. Stored results are keyed by
// it, so it changes whenever either changes.
const Version = "0.2.0"

// Analyzer scores reviews with the embedded word lists. It holds no mutable
// state, so one Analyzer is safe for concurrent use.
type Analyzer struct {
	tables *tables
}

var _ analyze.Analyzer = (*Analyzer)(nil)

// New returns an Analyzer. The word lists are parsed on the first call.
func New() *Analyzer {
	return &Analyzer{tables: loadTables()}
}

// Name returns "lexicon".
func (a *Analyzer) Name() string { return "lexicon" }

// Version returns Version.
func (a *Analyzer) Version() string { return Version }

// Analyze scores each review for every name in analyze.AspectNames, in that
// order. It stops with the context's error when ctx ends between reviews.
func (a *Analyzer) Analyze(ctx context.Context, reviews []analyze.Input) ([][]store.AspectScore, error) {
	results := make([][]store.AspectScore, 0, len(reviews))
	for _, r := range reviews {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("analyze review %s: %w", r.ReviewID, err)
		}
		results = append(results, a.score(r))
	}
	return results, nil
}
