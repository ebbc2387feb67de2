package lexicon

import (
	"math"
	"slices"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Review-level weights and thresholds of the rules.
const (
	titleWeight = 1.5

	// Reviews without stars are scored by rules: an aspect or overall sum
	// of valences (overall: the text balance) at or beyond weak and strong
	// in size maps to ±1 and ±2.
	aspectWeak   = 0.5
	aspectStrong = 3.0
	textWeak     = 0.2
	textStrong   = 0.7

	// An opinion at most explicitGap words from its aspect term ("the story
	// falls apart", "rough storytelling") is explicit. The decision layer
	// weighs explicit opinions apart from the others.
	explicitGap = 1
)

// storytelling is the index of the storytelling aspect in analyze.Aspects.
var storytelling = slices.IndexFunc(analyze.Aspects, func(a analyze.Aspect) bool { return a.Name == "storytelling" })

// aspectTally is the evidence a review gives about one aspect.
type aspectTally struct {
	mentioned bool
	opinions  int
	sum       float64
	positive  float64 // sums of valence sizes
	negative  float64
	// explicitPositive and explicitNegative are the parts of positive and
	// negative written right next to an aspect term.
	explicitPositive, explicitNegative float64
	bySentence                         map[int]float64
	firstMention                       int // the sentence most about the aspect; see tallyAspects
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

// score returns the aspect scores of one review in the order of a.aspects,
// then overall.
func (a *Analyzer) score(in analyze.Input) []store.AspectScore {
	r := a.tables.read(in)
	tallies := r.tallyAspects(len(a.aspects), ratingDirection(in.Rating))
	tone := r.tone()
	overall, overallEvidence, probabilities := r.overall(in.Rating, tone, a.model)

	scores := make([]store.AspectScore, 0, len(a.aspects)+1)
	for i, aspect := range a.aspects {
		var level *int
		if tallies[i].mentioned && in.Rating != nil {
			x := aspectVector(probabilities, *in.Rating, i, tallies[i], tone.balance())
			l := choose(a.model.aspect.probabilities(x))
			level = &l
		}
		scores = append(scores, r.aspectScore(aspect.Name, tallies[i], overall, level))
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

func (r review) tallyAspects(aspects, direction int) []aspectTally {
	tallies := make([]aspectTally, aspects)
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
				explicit := o.gap <= explicitGap && o.kind == plainOpinion
				switch {
				case v > 0:
					t.positive += v
					if explicit {
						t.explicitPositive += v
					}
				default:
					t.negative -= v
					if explicit {
						t.explicitNegative -= v
					}
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

// aspectScore returns an aspect's score and evidence. Level is the decision
// layer's level for a rated review, nil otherwise. Without stars, an aspect
// with opinions gets the level of their sum. One named without any opinion
// in its clauses takes the sign of the overall score at strength 1, and no
// score when the review has no overall score either.
func (r review) aspectScore(name string, t aspectTally, overall, level *int) store.AspectScore {
	if !t.mentioned {
		return store.AspectScore{Aspect: name}
	}
	if level == nil {
		switch {
		case t.opinions > 0 && t.sum != 0:
			l := levelOf(t.sum, aspectWeak, aspectStrong)
			level = &l
		case overall != nil:
			l := sign(*overall)
			level = &l
		default:
			return store.AspectScore{Aspect: name}
		}
	}
	evidence := t.firstMention
	if len(t.bySentence) > 0 {
		evidence = strongest(t.bySentence, float64(*level))
	}
	return store.AspectScore{Aspect: name, Score: level, Evidence: r.sentences[evidence].text}
}

// tone sums the opinions of the review for its overall score. Dark-content
// words count for nothing here, as their direction depends on the genre.
func (r review) tone() textTone {
	var text textTone
	last := len(r.scores) - 2 // the last two sentences, when they are text
	for si, s := range r.scores {
		w := 1.0
		if si < r.titleEnd {
			w = titleWeight
		}
		text.words += s.words
		text.hedges += s.hedges
		text.contrasts += s.contrasts
		text.sentences++
		text.negatedNegative += s.negatedNegative
		text.negatedPositive += s.negatedPositive
		net := 0.0
		for _, o := range s.opinions {
			if o.kind == darkContent {
				continue
			}
			v := o.valence * w
			net += v
			if o.kind == reputation {
				text.reputation += v
			}
			size := math.Abs(v)
			switch {
			case v > 0:
				text.positive += v
				text.maxPositive = max(text.maxPositive, size)
			case v < 0:
				text.negative += size
				text.maxNegative = max(text.maxNegative, size)
			}
			switch {
			case v >= strongValence:
				text.strongPositive++
			case v <= -strongValence:
				text.strongNegative++
			}
			switch {
			case si < last || si < r.titleEnd:
			case v > 0:
				text.endPositive += v
			default:
				text.endNegative += size
			}
		}
		switch {
		case net > 0:
			text.positiveSentences++
		case net < 0:
			text.negativeSentences++
		}
	}
	return text
}

// overall returns the overall score, its evidence sentence and the
// probability of each level; see decision.overallLevel.
func (r review) overall(rating *int, text textTone, m *decision) (*int, string, [levels]float64) {
	level, p, ok := m.overallLevel(rating, text)
	if !ok {
		return nil, "", p
	}

	bySentence := map[int]float64{}
	for si, s := range r.scores {
		w := 1.0
		if si < r.titleEnd {
			w = titleWeight
		}
		for _, o := range s.opinions {
			if o.kind != darkContent {
				bySentence[si] += o.valence * w
			}
		}
	}
	switch {
	case len(bySentence) > 0:
		return &level, r.sentences[strongest(bySentence, float64(level))].text, p
	case len(r.sentences) > 0:
		// With stars but no opinion words, the first sentence (the title
		// when there is one) is the best evidence the review gives.
		return &level, r.sentences[0].text, p
	}
	return &level, "", p
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
