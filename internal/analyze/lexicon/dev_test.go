package lexicon

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/testutil"
)

// labelledReview is one line of the labelled evaluation set.
type labelledReview struct {
	ReviewID string          `json:"review_id"`
	Title    string          `json:"title"`
	Text     string          `json:"text"`
	Rating   *int            `json:"rating"`
	Labels   map[string]*int `json:"labels"`
}

func readLabelled(t *testing.T) []labelledReview {
	t.Helper()
	path := filepath.Join(testutil.SharedDir(t, "eval"), "dev.jsonl")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("labelled reviews not readable: %v", err)
	}
	defer f.Close()

	var reviews []labelledReview
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		var r labelledReview
		if err := json.Unmarshal(scanner.Bytes(), &r); err != nil {
			t.Fatalf("parse %s: %v", path, err)
		}
		reviews = append(reviews, r)
	}
	if err := scanner.Err(); err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	return reviews
}

// agreement counts matches of predicted against labelled scores.
type agreement struct {
	polarity, exact, total int
}

func (a *agreement) add(predicted, labelled *int) {
	a.total++
	if predicted == nil || labelled == nil {
		return
	}
	if sign(*predicted) == sign(*labelled) {
		a.polarity++
	}
	if *predicted == *labelled {
		a.exact++
	}
}

func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

// mentionCounts is a confusion count of aspect mention detection.
type mentionCounts struct {
	truePositive, falsePositive, falseNegative int
}

func (m mentionCounts) f1() float64 {
	return ratio(2*m.truePositive, 2*m.truePositive+m.falsePositive+m.falseNegative)
}

func TestDevSetAgreement(t *testing.T) {
	reviews := readLabelled(t)

	inputs := make([]analyze.Input, len(reviews))
	for i, r := range reviews {
		inputs[i] = analyze.Input{ReviewID: r.ReviewID, Title: r.Title, Text: r.Text, Rating: r.Rating}
	}
	results, err := New().Analyze(context.Background(), inputs)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	var overall, aspects agreement
	var mentions mentionCounts
	perAspect := map[string]*mentionCounts{}
	perPolarity := map[string]*agreement{}
	for i, r := range reviews {
		for _, s := range results[i] {
			label := r.Labels[s.Aspect]
			if s.Aspect == store.Overall {
				overall.add(s.Score, label)
				continue
			}

			if perAspect[s.Aspect] == nil {
				perAspect[s.Aspect], perPolarity[s.Aspect] = &mentionCounts{}, &agreement{}
			}
			countMention(&mentions, s.Score, label)
			countMention(perAspect[s.Aspect], s.Score, label)
			if s.Score != nil && label != nil {
				aspects.add(s.Score, label)
				perPolarity[s.Aspect].add(s.Score, label)
			}
		}
	}

	polarity := ratio(overall.polarity, overall.total)
	exact := ratio(overall.exact, overall.total)
	aspectPolarity := ratio(aspects.polarity, aspects.total)
	t.Logf("%d reviews", len(reviews))
	t.Logf("overall polarity agreement %.1f%%, exact %.1f%%", 100*polarity, 100*exact)
	t.Logf("aspect mention micro-F1 %.3f", mentions.f1())
	t.Logf("aspect polarity agreement where both mention %.1f%% of %d, exact %.1f%%", 100*aspectPolarity, aspects.total, 100*ratio(aspects.exact, aspects.total))
	for _, a := range analyze.Aspects {
		m, p := perAspect[a.Name], perPolarity[a.Name]
		t.Logf("  %-12s mention F1 %.3f (tp %d fp %d fn %d), polarity %.1f%% of %d",
			a.Name, m.f1(), m.truePositive, m.falsePositive, m.falseNegative, 100*ratio(p.polarity, p.total), p.total)
	}

	if polarity < 0.94 {
		t.Errorf("overall polarity agreement %.3f, want at least 0.94", polarity)
	}
	if exact < 0.75 {
		t.Errorf("overall exact agreement %.3f, want at least 0.75", exact)
	}
	if f1 := mentions.f1(); f1 < 0.88 {
		t.Errorf("aspect mention micro-F1 %.3f, want at least 0.88", f1)
	}
	if aspectPolarity < 0.875 {
		t.Errorf("aspect polarity agreement %.3f, want at least 0.875", aspectPolarity)
	}
}

func countMention(m *mentionCounts, predicted, labelled *int) {
	switch {
	case predicted != nil && labelled != nil:
		m.truePositive++
	case predicted != nil:
		m.falsePositive++
	case labelled != nil:
		m.falseNegative++
	}
}
