package lexicon

// The decision layer's weights are fitted here, offline, on the labelled
// development reviews, and written to weights.go:
//
//	go test ./internal/analyze/lexicon/ -run TestFitWeights -fit
//
// Without -fit, TestFitWeights checks that weights.go holds what the fit
// gives. TestCrossValidation logs the agreement of models fitted on part of
// the reviews with the rest: 5-fold (fold = line number mod 5) and one
// title against the other. Both are skipped when the labelled reviews are
// not present, and TestCrossValidation also with -short. No review text or
// id goes into weights.go: only the fitted numbers.

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/format"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/analyze/eval"
)

var fitFlag = flag.Bool("fit", false, "fit the decision layer on the labelled reviews and write weights.go")

// L2 penalties of the two models, chosen by 5-fold cross-validation. The
// star one-hot of the overall model has a smaller penalty, so that the
// stars set each level's base rate and the text moves it.
var (
	overallPenalty      = flag.Float64("overall-penalty", 0.1, "L2 penalty of the overall model")
	aspectPenalty       = flag.Float64("aspect-penalty", 0.001, "L2 penalty of the aspect model")
	ratingPenaltyFactor = flag.Float64("rating-penalty-factor", 0.1, "factor of the overall penalty for the star one-hot")
)

// prepared is what the rules find in one labelled review.
type prepared struct {
	example eval.Example
	tone    textTone
	tallies []aspectTally
}

func prepare(examples []eval.Example) []prepared {
	t := loadTables()
	out := make([]prepared, len(examples))
	for i, e := range examples {
		in := e.Input()
		r := t.read(in)
		out[i] = prepared{
			example: e,
			tone:    r.tone(),
			tallies: r.tallyAspects(len(analyze.Aspects), ratingDirection(in.Rating)),
		}
	}
	return out
}

// sample is one feature vector with its labelled level, 0..4 for -2..+2.
type sample struct {
	x []float64
	y int
}

// fitDecision fits both models on the reviews.
func fitDecision(reviews []prepared) decision {
	var overall []sample
	for _, r := range reviews {
		if r.example.Rating == nil || r.example.Labels["overall"] == nil || r.tone.positive+r.tone.negative == 0 {
			continue
		}
		overall = append(overall, sample{overallVector(*r.example.Rating, r.tone), *r.example.Labels["overall"] + 2})
	}
	var d decision
	penalties := make([]float64, overallFeatures)
	for i := range penalties {
		penalties[i] = *overallPenalty
		if i < 10 {
			penalties[i] *= *ratingPenaltyFactor
		}
	}
	d.overall = fitLinear(overall, penalties)

	var aspects []sample
	for _, r := range reviews {
		if r.example.Rating == nil {
			continue
		}
		_, p, _ := d.overallLevel(r.example.Rating, r.tone)
		for i, a := range analyze.Aspects {
			label := r.example.Labels[a.Name]
			if label == nil || !r.tallies[i].mentioned {
				continue
			}
			x := aspectVector(p, *r.example.Rating, i, r.tallies[i], r.tone.balance())
			aspects = append(aspects, sample{x, *label + 2})
		}
	}
	penalties = make([]float64, aspectFeatures)
	for i := range penalties {
		penalties[i] = *aspectPenalty
	}
	d.aspect = fitLinear(aspects, penalties)
	return d
}

// fitLinear fits a multinomial logistic regression with an L2 penalty on
// the weights (not the biases) to standardized features, by L-BFGS.
func fitLinear(samples []sample, penalties []float64) linearModel {
	features := len(penalties)
	m := linearModel{center: make([]float64, features), scale: make([]float64, features)}
	n := float64(len(samples))
	for _, s := range samples {
		for i, v := range s.x {
			m.center[i] += v / n
		}
	}
	for _, s := range samples {
		for i, v := range s.x {
			m.scale[i] += (v - m.center[i]) * (v - m.center[i]) / n
		}
	}
	for i, v := range m.scale {
		m.scale[i] = math.Sqrt(v)
		if m.scale[i] < 1e-9 {
			m.scale[i] = 1
		}
	}
	xs := make([][]float64, len(samples))
	for j, s := range samples {
		xs[j] = make([]float64, features+1)
		for i, v := range s.x {
			xs[j][i] = (v - m.center[i]) / m.scale[i]
		}
		xs[j][features] = 1
	}

	width := features + 1
	loss := func(theta, grad []float64) float64 {
		clear(grad)
		total := 0.0
		var z [levels]float64
		for j, x := range xs {
			top := math.Inf(-1)
			for k := range levels {
				w := theta[k*width : (k+1)*width]
				z[k] = 0
				for i, v := range x {
					z[k] += w[i] * v
				}
				top = max(top, z[k])
			}
			sum := 0.0
			for k := range levels {
				sum += math.Exp(z[k] - top)
			}
			y := samples[j].y
			total += top + math.Log(sum) - z[y]
			for k := range levels {
				p := math.Exp(z[k]-top) / sum
				if k == y {
					p--
				}
				g := grad[k*width : (k+1)*width]
				for i, v := range x {
					g[i] += p * v / n
				}
			}
		}
		total /= n
		for k := range levels {
			for i := range features {
				w := theta[k*width+i]
				total += penalties[i] / 2 * w * w
				grad[k*width+i] += penalties[i] * w
			}
		}
		return total
	}

	theta := minimize(loss, make([]float64, levels*width))
	for k := range levels {
		m.weights[k] = theta[k*width : (k+1)*width]
	}
	return m
}

// minimize runs L-BFGS with a backtracking line search from x until the
// gradient vanishes.
func minimize(f func(x, grad []float64) float64, x []float64) []float64 {
	const memory, iterations, tolerance = 10, 2000, 1e-9
	n := len(x)
	grad := make([]float64, n)
	value := f(x, grad)
	var ss, ys [][]float64
	var rhos []float64
	next, nextGrad := make([]float64, n), make([]float64, n)
	dot := func(a, b []float64) float64 {
		s := 0.0
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	for range iterations {
		if math.Sqrt(dot(grad, grad)) < tolerance {
			break
		}
		// Two-loop recursion for the search direction.
		d := make([]float64, n)
		for i := range d {
			d[i] = -grad[i]
		}
		alphas := make([]float64, len(ss))
		for i := len(ss) - 1; i >= 0; i-- {
			alphas[i] = rhos[i] * dot(ss[i], d)
			for j := range d {
				d[j] -= alphas[i] * ys[i][j]
			}
		}
		if k := len(ss) - 1; k >= 0 {
			gamma := dot(ss[k], ys[k]) / dot(ys[k], ys[k])
			for j := range d {
				d[j] *= gamma
			}
		}
		for i := range ss {
			beta := rhos[i] * dot(ys[i], d)
			for j := range d {
				d[j] += ss[i][j] * (alphas[i] - beta)
			}
		}
		slope := dot(grad, d)
		if slope >= 0 {
			for i := range d {
				d[i] = -grad[i]
			}
			slope = dot(grad, d)
			ss, ys, rhos = nil, nil, nil
		}

		step := 1.0
		var nextValue float64
		for range 60 {
			for i := range x {
				next[i] = x[i] + step*d[i]
			}
			nextValue = f(next, nextGrad)
			if nextValue <= value+1e-4*step*slope {
				break
			}
			step /= 2
		}
		if nextValue > value {
			break
		}
		s, y := make([]float64, n), make([]float64, n)
		for i := range x {
			s[i], y[i] = next[i]-x[i], nextGrad[i]-grad[i]
		}
		if sy := dot(s, y); sy > 1e-12 {
			ss, ys, rhos = append(ss, s), append(ys, y), append(rhos, 1/sy)
			if len(ss) > memory {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
		}
		copy(x, next)
		copy(grad, nextGrad)
		if value-nextValue < 1e-15*math.Abs(value) {
			break
		}
		value = nextValue
	}
	return x
}

// figures are the four summary measures of a report, pooled over parts.
type figures struct {
	reviews, overallPolarity, overallExact int
	tp, fp, fn, aspectPolarity             int
}

func (f *figures) add(r eval.Report) {
	n := r.Reviews - r.Failed
	f.reviews += n
	f.overallPolarity += int(math.Round(r.OverallPolarityAgreement * float64(n)))
	f.overallExact += int(math.Round(r.OverallExactAgreement * float64(n)))
	pairs := 0
	for _, a := range r.PerAspect {
		f.tp += a.TruePositives
		f.fp += a.FalsePositives
		f.fn += a.FalseNegatives
		pairs += a.TruePositives
	}
	f.aspectPolarity += int(math.Round(r.AspectPolarityAgreement * float64(pairs)))
}

func (f figures) polarity() float64 { return float64(f.overallPolarity) / float64(f.reviews) }
func (f figures) exact() float64    { return float64(f.overallExact) / float64(f.reviews) }
func (f figures) f1() float64       { return 2 * float64(f.tp) / float64(2*f.tp+f.fp+f.fn) }
func (f figures) aspect() float64   { return float64(f.aspectPolarity) / float64(f.tp) }

func (f figures) String() string {
	return fmt.Sprintf("%4d reviews  %.1f %% / %.1f %% / %.3f / %.1f %%",
		f.reviews, 100*f.polarity(), 100*f.exact(), f.f1(), 100*f.aspect())
}

// evaluateWith scores the examples with the decision layer d.
func evaluateWith(t *testing.T, d decision, examples []eval.Example) eval.Report {
	t.Helper()
	a := New()
	a.model = &d
	report, err := eval.Evaluate(context.Background(), a, examples)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return report
}

// split returns the reviews and examples for which keep is true, and the
// others.
func split(reviews []prepared, keep func(i int, r prepared) bool) (in []prepared, out []eval.Example) {
	for i, r := range reviews {
		if keep(i, r) {
			in = append(in, r)
		} else {
			out = append(out, r.example)
		}
	}
	return in, out
}

// crossValidate returns the pooled figures of 5-fold cross-validation, the
// folds being line numbers mod 5, and of each title scored by a model fitted
// on the other.
func crossValidate(t *testing.T, reviews []prepared) (folds figures, titles map[string]figures) {
	t.Helper()
	for fold := range 5 {
		train, test := split(reviews, func(i int, _ prepared) bool { return i%5 != fold })
		folds.add(evaluateWith(t, fitDecision(train), test))
	}
	titles = map[string]figures{}
	for _, title := range movieIDs(reviews) {
		// Fitted on the other title, scored on this one.
		train, test := split(reviews, func(_ int, r prepared) bool { return r.example.MovieID != title })
		var f figures
		f.add(evaluateWith(t, fitDecision(train), test))
		titles[title] = f
	}
	return folds, titles
}

// movieIDs returns the titles of the reviews, sorted.
func movieIDs(reviews []prepared) []string {
	var ids []string
	for _, r := range reviews {
		ids = append(ids, r.example.MovieID)
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

func TestCrossValidation(t *testing.T) {
	examples := readDevSet(t)
	if testing.Short() {
		t.Skip("cross-validation fits seven models")
	}
	reviews := prepare(examples)
	folds, titles := crossValidate(t, reviews)
	shipped := fitDecision(reviews)
	var all figures
	all.add(evaluateWith(t, shipped, examples))
	t.Logf("overall polarity / overall exact / mention F1 / aspect polarity")
	t.Logf("in-sample         %v", all)
	t.Logf("5-fold CV         %v", folds)
	for _, title := range movieIDs(reviews) {
		_, test := split(reviews, func(_ int, r prepared) bool { return r.example.MovieID != title })
		var in figures
		in.add(evaluateWith(t, shipped, test))
		t.Logf("%s  in-sample %v", title, in)
		t.Logf("%s  held out  %v", title, titles[title])
	}

	// The figures of the shipped configuration, less half a point: a
	// change that makes the cross-validated figures worse fails here. The
	// targets (96 % / 78 % / 0.85 / 90 %) are not reached; see
	// docs/analysis.md.
	if folds.polarity() < 0.935 || folds.exact() < 0.767 || folds.f1() < 0.885 || folds.aspect() < 0.889 {
		t.Errorf("5-fold figures %v, want at least 93.5 %% / 76.7 %% / 0.885 / 88.9 %%", folds)
	}
	// A model that scores its own training reviews much better than
	// unseen ones has learned them by heart.
	if all.polarity()-folds.polarity() > 0.012 || all.exact()-folds.exact() > 0.025 || all.aspect()-folds.aspect() > 0.012 {
		t.Errorf("in-sample figures %v exceed the 5-fold ones %v by more than 1.2 points (2.5 for exact agreement)", all, folds)
	}
}

func TestFitWeights(t *testing.T) {
	examples := readDevSet(t)
	d := fitDecision(prepare(examples))
	source := weightsSource(d)
	if *fitFlag {
		if err := os.WriteFile("weights.go", source, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !closeModels(d.overall, fitted.overall) || !closeModels(d.aspect, fitted.aspect) {
		t.Errorf("weights.go differs from the fit; run go test ./internal/analyze/lexicon/ -run TestFitWeights -fit")
	}
}

// closeModels reports whether two models agree to the precision that
// weights.go keeps.
func closeModels(a, b linearModel) bool {
	close := func(x, y []float64) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if math.Abs(x[i]-y[i]) > 1e-4*(1+math.Abs(y[i])) {
				return false
			}
		}
		return true
	}
	for k := range levels {
		if !close(a.weights[k], b.weights[k]) {
			return false
		}
	}
	return close(a.center, b.center) && close(a.scale, b.scale)
}

func weightsSource(d decision) []byte {
	var b bytes.Buffer
	b.WriteString(`// Code generated by "go test ./internal/analyze/lexicon/ -run TestFitWeights -fit"; DO NOT EDIT.

// The decision layer fitted on the labelled development reviews, with L2
// penalties ` + strconv.FormatFloat(*overallPenalty, 'g', -1, 64) + ` (overall, times ` + strconv.FormatFloat(*ratingPenaltyFactor, 'g', -1, 64) + ` for the stars) and ` + strconv.FormatFloat(*aspectPenalty, 'g', -1, 64) + ` (aspects).
// See fit_test.go and decide.go.

package lexicon

var fitted = decision{
`)
	writeModel(&b, "overall", d.overall)
	writeModel(&b, "aspect", d.aspect)
	b.WriteString("}\n")
	source, err := format.Source(b.Bytes())
	if err != nil {
		panic(err)
	}
	return source
}

func writeModel(b *bytes.Buffer, name string, m linearModel) {
	list := func(values []float64) string {
		s := make([]string, len(values))
		for i, v := range values {
			s[i] = strconv.FormatFloat(v, 'g', 7, 64)
		}
		return "{" + strings.Join(s, ", ") + "}"
	}
	fmt.Fprintf(b, "%s: linearModel{\n", name)
	fmt.Fprintf(b, "center: []float64%s,\n", list(m.center))
	fmt.Fprintf(b, "scale: []float64%s,\n", list(m.scale))
	b.WriteString("weights: [levels][]float64{\n")
	for k := range levels {
		fmt.Fprintf(b, "%s, // %+d\n", list(m.weights[k]), k-2)
	}
	b.WriteString("},\n},\n")
}
