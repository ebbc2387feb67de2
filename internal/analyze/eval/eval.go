package eval

import (
	"context"
	"fmt"
	"strconv"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Report compares an analyzer's scores with the labels. Agreement and F1
// values are fractions in 0..1. Polarity is the sign of a score: negative,
// neutral (0) or positive.
type Report struct {
	Analyzer string `json:"analyzer"`
	Version  string `json:"version"`
	Reviews  int    `json:"reviews"`
	// Failed counts the reviews the analyzer could not score; they are
	// left out of every figure.
	Failed int `json:"failed"`

	// OverallPolarityAgreement and OverallExactAgreement count over all
	// reviews, so a review whose overall score is nil on either side counts
	// as a disagreement.
	OverallPolarityAgreement float64 `json:"overall_polarity_agreement"`
	OverallExactAgreement    float64 `json:"overall_exact_agreement"`

	// AspectMentionMicroF1 pools mention detection over the aspects of
	// analyze.Aspects, overall excluded.
	AspectMentionMicroF1 float64 `json:"aspect_mention_micro_f1"`
	// AspectPolarityAgreement and AspectExactAgreement count over the
	// aspect scores that both the analyzer and the labels give.
	AspectPolarityAgreement float64 `json:"aspect_polarity_agreement"`
	AspectExactAgreement    float64 `json:"aspect_exact_agreement"`

	PerAspect map[string]AspectReport `json:"per_aspect"`

	// OverallConfusion counts reviews by labelled overall level (row) and
	// predicted overall level (column), both in ConfusionLevels order.
	OverallConfusion [6][6]int `json:"overall_confusion"`
}

// ConfusionLevels names the rows and columns of Report.OverallConfusion.
var ConfusionLevels = [6]string{"-2", "-1", "0", "+1", "+2", "none"}

// AspectReport holds the figures of one aspect. A true positive is a
// review that both the analyzer and the labels score for the aspect, so
// the agreement values count over TruePositives reviews.
type AspectReport struct {
	Precision         float64 `json:"precision"`
	Recall            float64 `json:"recall"`
	F1                float64 `json:"f1"`
	PolarityAgreement float64 `json:"polarity_agreement"`
	ExactAgreement    float64 `json:"exact_agreement"`
	TruePositives     int     `json:"true_positives"`
	FalsePositives    int     `json:"false_positives"`
	FalseNegatives    int     `json:"false_negatives"`
}

// batchSize is the number of reviews passed to one Analyze call, the same
// as when the service analyzes stored reviews.
const batchSize = analyze.DefaultBatchSize

// Evaluate runs analyzer over the examples and compares its scores with
// their labels. It returns an error when the analyzer fails, returns a
// result count other than its input count, or returns a score outside
// -2..+2. An aspect missing from a result counts as not mentioned.
func Evaluate(ctx context.Context, analyzer analyze.Analyzer, examples []Example) (Report, error) {
	t := newTally()
	for start := 0; start < len(examples); start += batchSize {
		batch := examples[start:min(start+batchSize, len(examples))]
		if err := t.addBatch(ctx, analyzer, batch); err != nil {
			return Report{}, err
		}
	}

	report := t.report()
	report.Analyzer, report.Version = analyzer.Name(), analyzer.Version()
	return report, nil
}

func (t *tally) addBatch(ctx context.Context, analyzer analyze.Analyzer, batch []Example) error {
	inputs := make([]analyze.Input, len(batch))
	byID := make(map[string]Example, len(batch))
	for i, e := range batch {
		inputs[i] = e.Input()
		if _, repeated := byID[inputs[i].ReviewID]; repeated || inputs[i].ReviewID == "" {
			// A label file may repeat a review id; the position keeps
			// every result tied to its labels.
			inputs[i].ReviewID = "#" + strconv.Itoa(i)
		}
		byID[inputs[i].ReviewID] = e
	}
	seen := make(map[string]bool, len(batch))
	save := func(results []analyze.Result) error {
		for _, r := range results {
			e, ok := byID[r.ReviewID]
			if !ok || seen[r.ReviewID] {
				return fmt.Errorf("analyzer %s returned an unexpected or repeated result for input %q", analyzer.Name(), r.ReviewID)
			}
			seen[r.ReviewID] = true
			if r.Failure != "" {
				t.failed++
				continue
			}
			predicted, err := scoresByAspect(r.Aspects)
			if err != nil {
				return fmt.Errorf("analyzer %s, review %s: %w", analyzer.Name(), e.ReviewID, err)
			}
			t.add(predicted, e.Labels)
		}
		return nil
	}
	if err := analyzer.Analyze(ctx, inputs, save); err != nil {
		return fmt.Errorf("analyze with %s: %w", analyzer.Name(), err)
	}
	if len(seen) != len(batch) {
		return fmt.Errorf("analyzer %s returned %d results for %d reviews", analyzer.Name(), len(seen), len(batch))
	}
	return nil
}

func scoresByAspect(scores []store.AspectScore) (map[string]*int, error) {
	byAspect := make(map[string]*int, len(scores))
	for _, s := range scores {
		if s.Score != nil && !validScore(*s.Score) {
			return nil, fmt.Errorf("%s score %d is outside -2..+2", s.Aspect, *s.Score)
		}
		byAspect[s.Aspect] = s.Score
	}
	return byAspect, nil
}
