package lexicon

import "math"

// The decision layer turns what the rules find in a rated review into
// levels. Two small multinomial logistic regressions, fitted offline on
// labelled reviews (see fit_test.go) and shipped as weights.go, give the
// probability of each level -2..+2: one for the overall score and one for
// each mentioned aspect. The level with the highest probability wins. Reviews without
// stars keep the plain rules, as too few labelled reviews lack stars to
// learn from, and so do rated reviews without any opinion word.

// levels is the number of score levels, -2..+2.
const levels = 5

// linearModel is a multinomial logistic regression over a fixed feature
// vector. Features are standardized with center and scale before the
// weights apply.
type linearModel struct {
	center, scale []float64
	weights       [levels][]float64 // per level: one weight per feature, then the bias
}

// probabilities returns the probability of each level -2..+2 for x.
func (m *linearModel) probabilities(x []float64) [levels]float64 {
	var logits [levels]float64
	top := math.Inf(-1)
	for k := range levels {
		w := m.weights[k]
		z := w[len(x)]
		for i, v := range x {
			z += w[i] * (v - m.center[i]) / m.scale[i]
		}
		logits[k] = z
		top = max(top, z)
	}
	var p [levels]float64
	total := 0.0
	for k, z := range logits {
		p[k] = math.Exp(z - top)
		total += p[k]
	}
	for k := range p {
		p[k] /= total
	}
	return p
}

// choose returns the most probable level, the lower one on a tie.
func choose(p [levels]float64) int {
	best := 0
	for k := range p {
		if p[k] > p[best] {
			best = k
		}
	}
	return best - 2
}

// decision holds the fitted models.
type decision struct {
	overall linearModel // features from overallVector
	aspect  linearModel // features from aspectVector
}

// overallLevel returns the overall level of a review and the probability of
// each level. A review with stars and opinion words is scored by the overall
// model. When it has no opinion word, the stars alone decide (1-2 stars give
// -2, 3-4 give -1, 5-6 give 0, 7-8 give +1, 9-10 give +2). A review without
// stars is scored from its text balance, and gets no level (ok false) when
// it has no opinion word. Probabilities not from the model are 1 for the
// level chosen.
func (m *decision) overallLevel(rating *int, t textTone) (level int, p [levels]float64, ok bool) {
	opinionated := t.positive+t.negative > 0
	switch {
	case rating != nil && opinionated:
		p = m.overall.probabilities(overallVector(*rating, t))
		return choose(p), p, true
	case rating != nil:
		level = (min(max(*rating, 1), 10)+1)/2 - 3
	case opinionated:
		level = levelOf(t.balance(), textWeak, textStrong)
	default:
		return 0, p, false
	}
	p[level+2] = 1
	return level, p, true
}

// textTone sums the opinions of a review for its overall score.
type textTone struct {
	positive, negative       float64 // sums of valence sizes
	endPositive, endNegative float64 // the same for the last two sentences of the text
	maxPositive, maxNegative float64 // the largest single valence sizes
	reputation               float64 // signed valence of reputation words
	strongPositive           int     // opinions of strongValence or more
	strongNegative           int     // opinions of -strongValence or less
	words, hedges, contrasts int
	sentences                int
	negatedNegative          int // negated criticism, "not bad"
	negatedPositive          int // negated praise, "not good"
	positiveSentences        int // sentences whose opinions add up positive
	negativeSentences        int // and negative
}

// balance is -1 for text that is all negative, +1 for all positive and near
// 0 for mixed or opinion-free text.
func (t textTone) balance() float64 {
	return (t.positive - t.negative) / (t.positive + t.negative + 1)
}

// strongValence is the size from which an opinion is strongly worded
// ("awful", "a waste of time", "very bad", "masterpiece").
const strongValence = 2.5

// Overall features: the star rating one-hot, then textFeatures once for
// each rating group (1-2, 3-6 and 7-10 stars), zero outside the review's
// group, so that the text can weigh differently at each end of the scale.
const (
	textFeatures    = 22
	ratingGroups    = 3
	overallFeatures = 10 + ratingGroups*textFeatures
)

// ratingGroup is 0 for 1-2 stars, 1 for 3-6 and 2 for 7-10.
func ratingGroup(stars int) int {
	switch {
	case stars <= 2:
		return 0
	case stars <= 6:
		return 1
	}
	return 2
}

// overallVector returns the overall features of a review of stars 1..10.
func overallVector(stars int, t textTone) []float64 {
	x := make([]float64, overallFeatures)
	x[min(max(stars, 1), 10)-1] = 1
	per100 := func(n int) float64 { return math.Log1p(float64(n) * 100 / float64(max(t.words, 1))) }
	balance := func(p, n float64) float64 { return (p - n) / (p + n + 1) }
	text := [textFeatures]float64{
		t.balance(),
		math.Log1p(t.positive),
		math.Log1p(t.negative),
		balance(t.endPositive, t.endNegative),
		per100(t.strongPositive),
		per100(t.strongNegative),
		per100(t.hedges),
		math.Log1p(float64(t.words)),
		math.Log1p(float64(t.contrasts)),
		t.maxPositive,
		t.maxNegative,
		float64(boolInt(t.negative == 0)),
		math.Tanh(t.reputation / 2),
		per100(t.negatedNegative),
		per100(t.negatedPositive),
		float64(t.positiveSentences) / float64(max(t.sentences, 1)),
		float64(t.negativeSentences) / float64(max(t.sentences, 1)),
		float64(boolInt(t.strongNegative == 0)),
		float64(boolInt(t.strongPositive == 0)),
		math.Log1p(float64(t.strongNegative)),
		math.Log1p(float64(t.strongPositive)),
		float64(boolInt(t.hedges == 0)),
	}
	copy(x[10+ratingGroup(stars)*textFeatures:], text[:])
	return x
}

// aspectFeatures is the length of aspectVector.
const aspectFeatures = levels + ratingGroups + 5 + 12 + 5 + 4

// aspectVector returns the features of an aspect of a rated review:
// overall is the probability of each overall level, aspect the index of the
// aspect, t its tally and balance the text balance of the review.
func aspectVector(overall [levels]float64, stars, aspect int, t aspectTally, balance float64) []float64 {
	x := make([]float64, 0, aspectFeatures)
	x = append(x, overall[:]...)
	var group [ratingGroups]float64
	group[ratingGroup(stars)] = 1
	x = append(x, group[:]...)

	// A built-in aspect has its own bias; an aspect of the user's takes
	// their mean.
	var aspectOneHot [5]float64
	if aspect < len(aspectOneHot) {
		aspectOneHot[aspect] = 1
	} else {
		for i := range aspectOneHot {
			aspectOneHot[i] = 1.0 / float64(len(aspectOneHot))
		}
	}
	x = append(x, aspectOneHot[:]...)

	// direction is the expected overall level, -1..+1.
	direction := (2*overall[4] + overall[3] - overall[1] - 2*overall[0]) / 2
	pos, neg := math.Log1p(t.positive), math.Log1p(t.negative)
	explicitPos, explicitNeg := math.Log1p(t.explicitPositive), math.Log1p(t.explicitNegative)
	for i := range aspectOneHot {
		x = append(x, aspectOneHot[i]*direction)
	}
	var posSentences, negSentences, top, bottom float64
	for _, v := range t.bySentence {
		switch {
		case v > 0:
			posSentences++
		case v < 0:
			negSentences++
		}
		top, bottom = max(top, v), min(bottom, v)
	}
	x = append(x, math.Log1p(posSentences), math.Log1p(negSentences), math.Log1p(top), math.Log1p(-bottom))
	return append(x,
		pos, neg, explicitPos, explicitNeg,
		pos*direction, neg*direction, explicitPos*direction, explicitNeg*direction,
		float64(boolInt(t.opinions == 0)),
		math.Log1p(float64(t.opinions)),
		balance,
		(t.positive-t.negative)/(t.positive+t.negative+1),
	)
}
