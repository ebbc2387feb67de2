package eval

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

func score(n int) *int { return &n }

// fakeAnalyzer returns fixed scores by review id, with a slot for every
// aspect name and nil where the map has no entry.
type fakeAnalyzer struct {
	scores map[string]map[string]*int
	failed map[string]string // review id to failure reason
	err    error
}

func (f fakeAnalyzer) Name() string    { return "fake" }
func (f fakeAnalyzer) Version() string { return "1" }

func (f fakeAnalyzer) Analyze(_ context.Context, reviews []analyze.Input, save func([]analyze.Result) error) error {
	if f.err != nil {
		return f.err
	}
	results := make([]analyze.Result, len(reviews))
	for i, r := range reviews {
		results[i].ReviewID = r.ReviewID
		id, _, _ := strings.Cut(r.ReviewID, "/") // copies of a review share its scores
		if reason, ok := f.failed[id]; ok {
			results[i].Failure = reason
			continue
		}
		for _, name := range analyze.AspectNames() {
			results[i].Aspects = append(results[i].Aspects, store.AspectScore{Aspect: name, Score: f.scores[id][name]})
		}
	}
	return save(results)
}

// handLabelled is a four-review set whose figures are worked out by hand
// in TestEvaluateHandLabelled. Aspects absent from both sides are left out.
func handLabelled() ([]Example, fakeAnalyzer) {
	examples := []Example{
		{ReviewID: "r1", Labels: map[string]*int{"overall": score(2), "storytelling": score(1)}},
		{ReviewID: "r2", Labels: map[string]*int{"overall": score(-2), "storytelling": score(-2), "acting": score(-1)}},
		{ReviewID: "r3", Labels: map[string]*int{"overall": score(0), "acting": score(2)}},
		{ReviewID: "r4", Labels: map[string]*int{"overall": score(-1), "storytelling": score(1), "sound": score(0)}},
	}
	analyzer := fakeAnalyzer{scores: map[string]map[string]*int{
		"r1": {"overall": score(1), "storytelling": score(2), "acting": score(-1)},
		"r2": {"overall": score(-2), "storytelling": score(-1)},
		"r3": {"overall": score(1), "acting": score(2)},
		"r4": {"storytelling": score(-1), "sound": score(0)},
	}}
	return examples, analyzer
}

func assertFraction(t *testing.T, name string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Errorf("%s = %.4f, want %.4f", name, got, want)
	}
}

func TestEvaluateHandLabelled(t *testing.T) {
	examples, analyzer := handLabelled()
	r, err := Evaluate(context.Background(), analyzer, examples)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}

	if r.Reviews != 4 {
		t.Errorf("Reviews = %d, want 4", r.Reviews)
	}
	// Overall: r1 +1 for +2 and r2 -2 for -2 share the sign, r3 +1 for 0
	// does not, and r4 has no prediction. Only r2 is exact.
	assertFraction(t, "OverallPolarityAgreement", r.OverallPolarityAgreement, 2.0/4)
	assertFraction(t, "OverallExactAgreement", r.OverallExactAgreement, 1.0/4)
	// Mentions: storytelling 3 TP, acting 1 TP 1 FP 1 FN, sound 1 TP, so
	// micro-F1 = 2*5 / (2*5 + 1 + 1).
	assertFraction(t, "AspectMentionMicroF1", r.AspectMentionMicroF1, 10.0/12)
	// Both mention 5 times: storytelling agrees on r1 and r2 in sign but
	// never exactly, acting r3 and sound r4 agree exactly.
	assertFraction(t, "AspectPolarityAgreement", r.AspectPolarityAgreement, 4.0/5)
	assertFraction(t, "AspectExactAgreement", r.AspectExactAgreement, 2.0/5)
}

func TestEvaluatePerAspect(t *testing.T) {
	examples, analyzer := handLabelled()
	r, err := Evaluate(context.Background(), analyzer, examples)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}

	story := r.PerAspect["storytelling"]
	assertFraction(t, "storytelling precision", story.Precision, 1)
	assertFraction(t, "storytelling recall", story.Recall, 1)
	assertFraction(t, "storytelling F1", story.F1, 1)
	assertFraction(t, "storytelling polarity agreement", story.PolarityAgreement, 2.0/3)
	assertFraction(t, "storytelling exact agreement", story.ExactAgreement, 0)

	acting := r.PerAspect["acting"]
	assertFraction(t, "acting precision", acting.Precision, 0.5)
	assertFraction(t, "acting recall", acting.Recall, 0.5)
	assertFraction(t, "acting F1", acting.F1, 0.5)
	assertFraction(t, "acting polarity agreement", acting.PolarityAgreement, 1)
	if acting.TruePositives != 1 || acting.FalsePositives != 1 || acting.FalseNegatives != 1 {
		t.Errorf("acting tp/fp/fn = %d/%d/%d, want 1/1/1", acting.TruePositives, acting.FalsePositives, acting.FalseNegatives)
	}

	visuals := r.PerAspect["visuals"]
	assertFraction(t, "visuals F1 without mentions", visuals.F1, 0)
	if _, ok := r.PerAspect[store.Overall]; ok {
		t.Error("PerAspect has an overall entry, want aspects only")
	}
}

func TestEvaluateOverallConfusion(t *testing.T) {
	examples, analyzer := handLabelled()
	r, err := Evaluate(context.Background(), analyzer, examples)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}

	// Rows are labelled levels -2..+2 then none, columns predicted levels.
	var want [6][6]int
	want[4][3] = 1 // r1: labelled +2, predicted +1
	want[0][0] = 1 // r2: -2, -2
	want[2][3] = 1 // r3: 0, +1
	want[1][5] = 1 // r4: -1, none
	if r.OverallConfusion != want {
		t.Errorf("OverallConfusion = %v, want %v", r.OverallConfusion, want)
	}
}

func TestEvaluateManyBatches(t *testing.T) {
	examples, analyzer := handLabelled()
	var many []Example
	for copy := range batchSize {
		for _, e := range examples {
			e.ReviewID += "/" + strconv.Itoa(copy)
			many = append(many, e)
		}
	}
	r, err := Evaluate(context.Background(), analyzer, many)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if r.Reviews != len(many) {
		t.Errorf("Reviews = %d, want %d", r.Reviews, len(many))
	}
	assertFraction(t, "AspectMentionMicroF1", r.AspectMentionMicroF1, 10.0/12)
}

func TestEvaluateAnalyzerError(t *testing.T) {
	examples, _ := handLabelled()
	_, err := Evaluate(context.Background(), fakeAnalyzer{err: errors.New("model offline")}, examples)
	if err == nil || !strings.Contains(err.Error(), "model offline") {
		t.Errorf("Evaluate error = %v, want the analyzer's error", err)
	}
}

func TestEvaluateScoreOutOfRange(t *testing.T) {
	examples, analyzer := handLabelled()
	analyzer.scores["r2"]["acting"] = score(3)
	_, err := Evaluate(context.Background(), analyzer, examples)
	if err == nil || !strings.Contains(err.Error(), "acting score 3") {
		t.Errorf("Evaluate error = %v, want one naming acting score 3", err)
	}
}

func TestWriteTable(t *testing.T) {
	examples, analyzer := handLabelled()
	r, err := Evaluate(context.Background(), analyzer, examples)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	var out strings.Builder
	if err := r.WriteTable(&out); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	for _, want := range []string{"fake 1 on 4 labelled reviews", "50.0 %", "0.833", "themes", "none"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

func TestEvaluateLeavesFailedReviewsOut(t *testing.T) {
	examples, analyzer := handLabelled()
	analyzer.failed = map[string]string{"r3": "refused by the safety filter"}
	r, err := Evaluate(context.Background(), analyzer, examples)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	if r.Reviews != 3 || r.Failed != 1 {
		t.Errorf("Reviews, Failed = %d, %d, want 3, 1", r.Reviews, r.Failed)
	}
	// Without r3 (+1 for 0), r1 and r2 agree in polarity and r4 has no
	// overall prediction.
	assertFraction(t, "OverallPolarityAgreement", r.OverallPolarityAgreement, 2.0/3)
}
