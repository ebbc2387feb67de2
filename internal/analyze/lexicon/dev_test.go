package lexicon

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/eval"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// readDevSet reads the labelled development reviews, and skips when they
// are not present.
func readDevSet(tb testing.TB) []eval.Example {
	tb.Helper()
	path := filepath.Join(testutil.SharedDir(tb, "eval"), "dev.jsonl")
	f, err := os.Open(path)
	if err != nil {
		tb.Skipf("labelled reviews not readable: %v", err)
	}
	defer f.Close()

	examples, err := eval.ReadLabels(f)
	if err != nil {
		tb.Fatalf("read %s: %v", path, err)
	}
	return examples
}

func TestDevSetAgreement(t *testing.T) {
	examples := readDevSet(t)
	report, err := eval.Evaluate(context.Background(), New(), examples)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	var table strings.Builder
	if err := report.WriteTable(&table); err != nil {
		t.Fatalf("WriteTable: %v", err)
	}
	t.Logf("\n%s", table.String())

	if report.OverallPolarityAgreement < 0.948 {
		t.Errorf("overall polarity agreement %.3f, want at least 0.948", report.OverallPolarityAgreement)
	}
	if report.OverallExactAgreement < 0.79 {
		t.Errorf("overall exact agreement %.3f, want at least 0.79", report.OverallExactAgreement)
	}
	if report.AspectMentionMicroF1 < 0.888 {
		t.Errorf("aspect mention micro-F1 %.3f, want at least 0.888", report.AspectMentionMicroF1)
	}
	if report.AspectPolarityAgreement < 0.896 {
		t.Errorf("aspect polarity agreement %.3f, want at least 0.896", report.AspectPolarityAgreement)
	}
}

// BenchmarkAnalyzeDevSet scores every labelled development review in one
// call per iteration and reports the throughput in reviews per second.
func BenchmarkAnalyzeDevSet(b *testing.B) {
	examples := readDevSet(b)
	inputs := make([]analyze.Input, len(examples))
	size := 0
	for i, e := range examples {
		inputs[i] = e.Input()
		size += len(e.Title) + len(e.Text)
	}
	analyzer := New()
	b.SetBytes(int64(size))

	iterations := 0
	for b.Loop() {
		if err := analyzer.Analyze(context.Background(), inputs, discard); err != nil {
			b.Fatal(err)
		}
		iterations++
	}
	b.ReportMetric(float64(iterations*len(inputs))/b.Elapsed().Seconds(), "reviews/s")
}
