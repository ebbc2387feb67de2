// Package analyze defines the aspect table and the Analyzer interface that
// turns a review into per-aspect scores.
package analyze

import (
	"context"
	"errors"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Aspect is one dimension of a film that reviews judge.
type Aspect struct {
	Name        string   `json:"name"`
	Description string   `json:"description"` // used in prompts and in the dashboard
	Terms       []string `json:"terms,omitempty"`
}

// Aspects lists the built-in aspects in display order. Overall is scored in
// addition to these under store.Overall. Their offline terms live with the
// offline analyzer, so Terms is empty here.
var Aspects = []Aspect{
	{Name: "storytelling", Description: "characters, plot, twists, screenplay, dialogue, pacing"},
	{Name: "acting", Description: "performances, voice, singing, dance, stunts"},
	{Name: "visuals", Description: "cinematography, colour, lighting, sets, costumes, make-up, effects, overall look"},
	{Name: "sound", Description: "soundtrack, score, songs, sound design"},
	{Name: "themes", Description: "message, moral or political content, emotional resonance, cultural impact"},
}

// OverallDescription describes store.Overall, which no aspect table lists.
const OverallDescription = "the review's verdict on the film as a whole"

// Sentiment names the side of a -2..+2 average score: "positive" from +0.5
// up, "negative" from -0.5 down, "mixed" between, and "no data" when there
// is no average.
func Sentiment(average *float64) string {
	switch {
	case average == nil:
		return "no data"
	case *average >= 0.5:
		return "positive"
	case *average <= -0.5:
		return "negative"
	default:
		return "mixed"
	}
}

// AspectNames returns the built-in aspect names followed by store.Overall.
func AspectNames() []string {
	return Names(Aspects)
}

// Names returns the names of aspects followed by store.Overall.
func Names(aspects []Aspect) []string {
	names := make([]string, 0, len(aspects)+1)
	for _, a := range aspects {
		names = append(names, a.Name)
	}
	return append(names, store.Overall)
}

// ErrBudgetReached is returned, wrapped, by analyzers that stop calling a
// paid model because the day's spending limit is reached. Analysis resumes
// on the next UTC day.
var ErrBudgetReached = errors.New("daily language model budget reached")

// Input is the part of a review that an analyzer reads.
type Input struct {
	ReviewID string
	MovieID  string
	Title    string
	Text     string
	Rating   *int // 1..10; nil when absent
}

// Result is an analyzer's verdict on one review: either scores or the
// reason it could not score the review.
type Result struct {
	ReviewID string
	// Aspects contains one entry per aspect the analyzer scores, Overall
	// last. It is nil when Failure is set.
	Aspects []store.AspectScore
	// Failure is the reason the review has no valid result, for example
	// "reply cut off by the token limit". A failed review is not sent again
	// for the same content, unless a reanalysis is requested.
	Failure string
	// Trimmed is set when only the start of a long text was analyzed.
	Trimmed bool
}

// Analyzer scores reviews.
type Analyzer interface {
	// Name identifies the analyzer family, such as "lexicon" or "openai".
	Name() string
	// Version identifies everything that changes results: rules, model,
	// prompt. Stored results are keyed by Name and Version.
	Version() string
	// Analyze scores reviews and passes each group of results to save as
	// soon as it is complete, so that work done before an error or a
	// cancellation is kept. Unless it returns an error, the calls of save
	// must cover every input exactly once. RunPending rejects results for
	// reviews it did not send. An error from save stops Analyze.
	Analyze(ctx context.Context, reviews []Input, save func([]Result) error) error
}
