// Package lexicon is the offline aspect analyzer: a rule-based sentiment
// scorer over embedded word lists that needs no network and no language
// model.
//
// Each review is cut into sentences and clauses. Opinion words carry a
// valence that negators, intensifiers and contrast words adjust, and each
// opinion counts for the aspects named nearest to it in its clause. For a
// review with stars, a small fitted decision layer (decide.go, weights in
// weights.go) weighs the stars against features of the text, such as the
// sums of praise and criticism, strong words, hedges and contrasts. It
// gives the overall and aspect levels on the -2..+2 scale of
// store.AspectScore. A review without stars is scored from the sums alone.
package lexicon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Version identifies the rules and word lists. Stored results are keyed by
// it, so it changes whenever either changes.
const Version = "0.4.0"

// Analyzer scores reviews with the embedded word lists. It holds no mutable
// state, so one Analyzer is safe for concurrent use.
type Analyzer struct {
	tables  *tables
	aspects []analyze.Aspect // the aspects scored, built-ins first
	version string
	model   *decision
}

var _ analyze.Analyzer = (*Analyzer)(nil)

// New returns an Analyzer for the built-in aspects. The word lists are
// parsed on the first call.
func New() *Analyzer {
	return &Analyzer{tables: loadTables(), aspects: analyze.Aspects, version: Version, model: &fitted}
}

// NewWithAspects returns an Analyzer that scores the extra aspects after the
// built-in ones. An extra aspect is found by its Terms, words or multi-word
// phrases matched as whole words like the terms of data/aspects.txt. An
// aspect without Terms gets no entry in the results, so that an analyzer
// with a model can score it instead. Names must be new: neither a built-in
// aspect nor store.Overall, nor repeated. With no aspect that has Terms, the
// Analyzer is the same as New's.
func NewWithAspects(extra []analyze.Aspect) (*Analyzer, error) {
	base := loadTables()
	a := &Analyzer{tables: base, aspects: analyze.Aspects, version: Version, model: &fitted}

	seen := map[string]bool{store.Overall: true}
	for _, b := range analyze.Aspects {
		seen[b.Name] = true
	}
	var canonical strings.Builder
	aspects := slices.Clone(analyze.Aspects)
	terms := base.aspects
	for _, x := range extra {
		name := x.Name
		key := strings.ToLower(strings.TrimSpace(name))
		switch {
		case key == "":
			return nil, fmt.Errorf("extra aspect with description %q: missing name; give the aspect a name", x.Description)
		case seen[key]:
			return nil, fmt.Errorf("extra aspect %q: invalid name, the same as a built-in aspect, %q or another extra aspect; give it a new name", name, store.Overall)
		}
		seen[key] = true
		if len(x.Terms) == 0 {
			continue
		}

		if len(aspects) == len(analyze.Aspects) {
			terms = terms.clone()
		}
		index := float64(len(aspects))
		words := make([]string, 0, len(x.Terms))
		for _, term := range x.Terms {
			w, err := termWords(term)
			if err != nil {
				return nil, fmt.Errorf("extra aspect %q: %w", name, err)
			}
			terms.add(w, index)
			words = append(words, w)
		}
		slices.Sort(words)
		words = slices.Compact(words)
		fmt.Fprintf(&canonical, "%s\x1e%s\x1d", name, strings.Join(words, "\x1f"))
		aspects = append(aspects, analyze.Aspect{Name: name, Description: x.Description, Terms: slices.Clone(x.Terms)})
	}
	if len(aspects) == len(analyze.Aspects) {
		return a, nil
	}

	t := *base
	t.aspects = terms
	sum := sha256.Sum256([]byte(canonical.String()))
	return &Analyzer{tables: &t, aspects: aspects, version: Version + "+" + hex.EncodeToString(sum[:4]), model: &fitted}, nil
}

// termWords returns a term as the lower-case words it matches, joined by
// single spaces. It rejects a term without letters and a term that contains
// a clause mark such as a comma, because no match can span one.
func termWords(term string) (string, error) {
	if !strings.ContainsFunc(term, unicode.IsLetter) {
		return "", fmt.Errorf("invalid term %q: it has no letters; give a word or a phrase", term)
	}
	tokens := tokenize(term)
	words := make([]string, 0, len(tokens))
	for _, t := range tokens {
		if t.word == "," {
			return "", fmt.Errorf("invalid term %q: it contains a comma or colon, which no match can span; give each phrase as its own term", term)
		}
		words = append(words, t.word)
	}
	return strings.Join(words, " "), nil
}

// Name returns "lexicon".
func (a *Analyzer) Name() string { return "lexicon" }

// Version returns Version for the built-in aspects. With extra aspects it
// returns Version, "+" and 8 hex digits of a SHA-256 hash of their names and
// terms, so that results are stored again when they change.
func (a *Analyzer) Version() string { return a.version }

// Aspects returns the aspects the Analyzer scores, built-ins first. Every
// result lists them in this order, followed by store.Overall.
func (a *Analyzer) Aspects() []analyze.Aspect { return slices.Clone(a.aspects) }

// Analyze scores each review for every aspect of Aspects and then overall,
// in that order, and saves them all at once. It stops with the context's
// error when ctx ends between reviews, and saves nothing then.
func (a *Analyzer) Analyze(ctx context.Context, reviews []analyze.Input, save func([]analyze.Result) error) error {
	results := make([]analyze.Result, 0, len(reviews))
	for _, r := range reviews {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("analyze review %s: %w", r.ReviewID, err)
		}
		results = append(results, analyze.Result{ReviewID: r.ReviewID, Aspects: a.score(r)})
	}
	return save(results)
}
