package lexicon

import (
	"math"
	"slices"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Review-level weights and thresholds, tuned on labelled IMDb reviews.
const (
	titleWeight = 1.5
	// ratingPull is added to an aspect's valence sum in the direction of the
	// overall score when the review has a star rating. Reviewers mostly judge
	// aspects the way they rate the film, so text must be clearly opinionated
	// to score an aspect against the rating; see aspectScore.
	ratingPull = 4.0

	// Aspect sums at or beyond these map to ±1 and ±2.
	aspectWeak   = 0.5
	aspectStrong = 3.0

	// The text balance (positive - negative) / (positive + negative + 1)
	// at or beyond textWeak and textStrong maps to ±1 and ±2 when the review
	// has no rating. The other thresholds adjust a rating; see ratingLevel.
	textWeak      = 0.2
	textStrong    = 0.7
	tenStrong     = 0.8
	nineStrong    = 0.9
	sixPositive   = 0.1
	oneMild       = 0.3
	contradiction = -0.7

	// An opinion at most explicitGap words from its aspect term ("the story
	// falls apart", "rough storytelling") is explicit. Explicit opinions
	// that add up to explicitMin against the rating score the aspect alone,
	// except in reviews of firmLow stars or fewer or firmHigh or more: there
	// the labelled reviews judge nearly every aspect the way they rate.
	explicitGap = 1
	explicitMin = 1.5
	firmLow     = 3
	firmHigh    = 9
)

// storytelling is the index of the storytelling aspect in analyze.Aspects.
var storytelling = slices.IndexFunc(analyze.Aspects, func(a analyze.Aspect) bool { return a.Name == "storytelling" })

// aspectTally is the evidence a review gives about one aspect.
type aspectTally struct {
	mentioned    bool
	opinions     int
	sum          float64
	explicit     float64 // the part of sum written right next to an aspect term
	bySentence   map[int]float64
	firstMention int // the sentence most about the aspect; see tallyAspects
}

// review is one analyzed review: its sentences, the title first when there
// is one, and their scores.
type review struct {
	sentences []sentence
	scores    []sentenceScore
	titleEnd  int // sentences before this index come from the title
}

func (t *tables) read(in analyze.Input) review {
	var r review
	r.sentences = splitSentences(in.Title)
	r.titleEnd = len(r.sentences)
	r.sentences = append(r.sentences, splitSentences(in.Text)...)

	r.scores = make([]sentenceScore, len(r.sentences))
	for i, s := range r.sentences {
		r.scores[i] = t.scoreSentence(s)
	}
	return r
}

// score returns the aspect scores of one review in analyze.AspectNames order.
func (a *Analyzer) score(in analyze.Input) []store.AspectScore {
	r := a.tables.read(in)
	tallies := r.tallyAspects(ratingDirection(in.Rating))
	overall, overallEvidence := r.overall(in.Rating)
	firm := in.Rating != nil && (*in.Rating <= firmLow || *in.Rating >= firmHigh)

	scores := make([]store.AspectScore, 0, len(analyze.Aspects)+1)
	for i, aspect := range analyze.Aspects {
		scores = append(scores, r.aspectScore(aspect.Name, tallies[i], overall, in.Rating != nil, firm))
	}
	return append(scores, store.AspectScore{Aspect: store.Overall, Score: overall, Evidence: overallEvidence})
}

// ratingDirection is +1 for 7 stars or more, -1 for 4 or fewer and 0 for
// a middling or missing rating.
func ratingDirection(rating *int) int {
	switch {
	case rating == nil:
		return 0
	case *rating >= 7:
		return 1
	case *rating <= 4:
		return -1
	}
	return 0
}

func (r review) tallyAspects(direction int) []aspectTally {
	tallies := make([]aspectTally, len(analyze.Aspects))
	for i := range tallies {
		tallies[i].bySentence = map[int]float64{}
		tallies[i].firstMention = -1
	}

	// Evidence without opinions is the first sentence with the most terms of
	// the aspect less terms of others, not one that lists it among many.
	focus := make([]int, len(tallies))
	for si, s := range r.scores {
		counts := make([]int, len(tallies))
		for _, m := range s.mentions {
			counts[int(m.value)]++
		}
		for ai, n := range counts {
			if n == 0 {
				continue
			}
			f := 2*n - len(s.mentions)
			t := &tallies[ai]
			if !t.mentioned || f > focus[ai] {
				t.mentioned, t.firstMention, focus[ai] = true, si, f
			}
		}
		for _, o := range s.opinions {
			v := o.valence
			if o.kind == darkContent {
				v = math.Abs(v) * float64(direction)
			}
			if v == 0 {
				continue
			}
			for _, ai := range o.aspects {
				t := &tallies[ai]
				t.opinions++
				t.sum += v
				t.bySentence[si] += v
				if o.gap <= explicitGap && o.kind == plainOpinion {
					t.explicit += v
				}
			}
		}
	}
	r.impliedStory(tallies)
	return tallies
}

// impliedStory marks storytelling as mentioned in a review that judges the
// film without naming its story: verdicts such as "boring" or "a delight"
// are about the film as a story when no other aspect is named beside them.
func (r review) impliedStory(tallies []aspectTally) {
	story := &tallies[storytelling]
	if story.mentioned {
		return
	}
	for si, s := range r.scores {
		if si < r.titleEnd {
			continue
		}
		for _, o := range s.opinions {
			if len(o.aspects) == 0 {
				story.mentioned, story.firstMention = true, si
				return
			}
		}
	}
}

// aspectScore maps an aspect's tally to a score. An aspect that is named
// without any opinion in its clauses takes the sign of the overall score at
// strength 1, because reviewers rarely judge an aspect against their verdict
// without saying so. It stays nil when the review has no overall score.
// Firm marks an extreme rating, which explicit opinions do not overrule.
func (r review) aspectScore(name string, t aspectTally, overall *int, rated, firm bool) store.AspectScore {
	if !t.mentioned {
		return store.AspectScore{Aspect: name}
	}

	if t.opinions == 0 || t.sum == 0 {
		if overall == nil {
			return store.AspectScore{Aspect: name}
		}
		level := sign(*overall)
		return store.AspectScore{Aspect: name, Score: &level, Evidence: r.sentences[t.firstMention].text}
	}

	sum := t.sum
	if rated {
		// Only explicit opinions score an aspect against the rating: loose
		// ones, further from the aspect term, are as often about something
		// else in the sentence ("a muddy copy with random music on top").
		direction := float64(sign(*overall))
		switch {
		case !firm && sign(t.explicit) == -sign(*overall) && math.Abs(t.explicit) >= explicitMin:
			sum = t.explicit
		case sign(sum+ratingPull*direction) == -sign(*overall):
			sum = direction
		default:
			sum += ratingPull * direction
		}
	}
	level := levelOf(sum, aspectWeak, aspectStrong)
	return store.AspectScore{Aspect: name, Score: &level, Evidence: r.sentences[strongest(t.bySentence, float64(level))].text}
}

// overall returns the overall score and its evidence sentence.
func (r review) overall(rating *int) (*int, string) {
	positive, negative := 0.0, 0.0
	bySentence := map[int]float64{}
	for si, s := range r.scores {
		w := 1.0
		if si < r.titleEnd {
			w = titleWeight
		}
		for _, o := range s.opinions {
			if o.kind == darkContent {
				continue
			}
			v := o.valence * w
			if v > 0 {
				positive += v
			} else {
				negative -= v
			}
			bySentence[si] += v
		}
	}
	balance := (positive - negative) / (positive + negative + 1)

	var level int
	switch {
	case rating != nil:
		level = ratingLevel(*rating, balance, negative == 0 && positive > 0)
	case len(bySentence) == 0:
		return nil, ""
	default:
		level = levelOf(balance, textWeak, textStrong)
	}

	if len(bySentence) == 0 {
		return &level, ""
	}
	return &level, r.sentences[strongest(bySentence, float64(level))].text
}

// ratingLevel maps stars to a level and lets the text balance, -1 (all
// negative) to +1 (all positive), settle the strength. Ten stars give +2
// unless the praise is mixed, nine give +1 unless it is nearly unmixed, and
// one star gives -2 unless the text is mostly positive. Nine or ten stars
// with praise and no criticism at all give +2, however short the praise. The labelled reviews
// rate 9 and 6 more often than the level the stars alone suggest. Text that
// plainly contradicts a high rating wins, as such ratings are often slips.
func ratingLevel(stars int, balance float64, unmixed bool) int {
	switch {
	case stars >= 7 && balance <= contradiction:
		return -2
	case stars >= 9 && unmixed:
		return 2
	case stars == 10:
		return 1 + boolInt(balance >= tenStrong)
	case stars == 9:
		return 1 + boolInt(balance >= nineStrong)
	case stars >= 7:
		return 1
	case stars == 6:
		return boolInt(balance >= sixPositive)
	case stars == 5:
		return 0
	case stars >= 2:
		return -1
	}
	return -2 + boolInt(balance >= oneMild)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// levelOf maps a value to -2..+2: at least weak in size gives ±1 and at least
// strong gives ±2.
func levelOf(v, weak, strong float64) int {
	switch {
	case v >= strong:
		return 2
	case v >= weak:
		return 1
	case v <= -strong:
		return -2
	case v <= -weak:
		return -1
	}
	return 0
}

func sign[T int | float64](v T) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// strongest returns the sentence whose contribution points most strongly in
// the direction of total, the first one on ties. With a zero total it
// returns the sentence of smallest contribution.
func strongest(bySentence map[int]float64, total float64) int {
	best, bestValue := -1, math.Inf(-1)
	for si, v := range bySentence {
		value := v * float64(sign(total))
		if total == 0 {
			value = -math.Abs(v)
		}
		if value > bestValue || value == bestValue && si < best {
			best, bestValue = si, value
		}
	}
	return best
}
