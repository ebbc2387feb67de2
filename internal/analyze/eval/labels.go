// Package eval measures an analyzer against reviews whose aspects were
// labelled by a reference, such as an LLM or a person.
package eval

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/analyze"
)

// Example is one labelled review. Fields of the label file that an
// analyzer does not read, such as the author or the date, are ignored.
type Example struct {
	ReviewID string `json:"review_id"`
	MovieID  string `json:"movie_id"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	Rating   *int   `json:"rating"` // 1..10; nil when absent
	// Labels maps every name of analyze.AspectNames to its labelled score,
	// -2..+2, or nil when the review does not mention the aspect. A missing
	// key counts as not mentioned.
	Labels map[string]*int `json:"labels"`
}

// Input returns the part of the example that an analyzer reads.
func (e Example) Input() analyze.Input {
	return analyze.Input{ReviewID: e.ReviewID, MovieID: e.MovieID, Title: e.Title, Text: e.Text, Rating: e.Rating}
}

// maxLineBytes is the longest line ReadLabels accepts, far above the size
// of any review.
const maxLineBytes = 1 << 24

// ReadLabels reads labelled reviews as JSON Lines, one object per line.
// Blank lines are skipped. A line that is not valid JSON, has no labels, or
// holds a rating, score or aspect name out of range is an error that names
// its line number.
func ReadLabels(r io.Reader) ([]Example, error) {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 64*1024), maxLineBytes)

	var examples []Example
	line := 0
	for scanner.Scan() {
		line++
		if strings.TrimSpace(scanner.Text()) == "" {
			continue
		}
		example, err := parseExample(scanner.Bytes())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		examples = append(examples, example)
	}
	if err := scanner.Err(); err != nil {
		return nil, fmt.Errorf("line %d: %w", line+1, err)
	}
	return examples, nil
}

func parseExample(data []byte) (Example, error) {
	var e Example
	if err := json.Unmarshal(data, &e); err != nil {
		return Example{}, fmt.Errorf("invalid JSON: %w", err)
	}
	if e.Labels == nil {
		return Example{}, errors.New(`missing "labels" object; give every aspect a score or null`)
	}
	if e.Rating != nil && (*e.Rating < 1 || *e.Rating > 10) {
		return Example{}, fmt.Errorf("invalid rating %d; want 1..10 or null", *e.Rating)
	}
	names := analyze.AspectNames()
	for name, score := range e.Labels {
		if !slices.Contains(names, name) {
			return Example{}, fmt.Errorf("unknown aspect %q in labels; want one of %s", name, strings.Join(names, ", "))
		}
		if score != nil && !validScore(*score) {
			return Example{}, fmt.Errorf("invalid %s label %d; want -2..+2 or null", name, *score)
		}
	}
	return e, nil
}

func validScore(score int) bool {
	return score >= -2 && score <= 2
}
