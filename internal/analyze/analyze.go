// Package analyze defines the aspect table and the Analyzer interface that
// turns a review into per-aspect scores.
package analyze

import (
	"context"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Aspect is one dimension of a film that reviews judge.
type Aspect struct {
	Name        string
	Description string // used in prompts and in the dashboard
}

// Aspects lists the built-in aspects in display order. Overall is scored in
// addition to these under store.Overall.
var Aspects = []Aspect{
	{"storytelling", "characters, plot, twists, screenplay, dialogue, pacing"},
	{"acting", "performances, voice, singing, dance, stunts"},
	{"visuals", "cinematography, colour, lighting, sets, costumes, make-up, effects, overall look"},
	{"sound", "soundtrack, score, songs, sound design"},
	{"themes", "message, moral or political content, emotional resonance, cultural impact"},
}

// AspectNames returns the built-in aspect names followed by store.Overall.
func AspectNames() []string {
	names := make([]string, 0, len(Aspects)+1)
	for _, a := range Aspects {
		names = append(names, a.Name)
	}
	return append(names, store.Overall)
}

// Input is the part of a review that an analyzer reads.
type Input struct {
	ReviewID string
	Title    string
	Text     string
	Rating   *int // 1..10; nil when absent
}

// Analyzer scores reviews. Implementations return one result per input, in
// input order, each with a score slot for every name in AspectNames.
type Analyzer interface {
	Name() string
	Version() string
	Analyze(ctx context.Context, reviews []Input) ([][]store.AspectScore, error)
}
