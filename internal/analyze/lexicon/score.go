package lexicon

// Weights of the sentence rules. Negation and the contrast weights follow the
// VADER sentiment model.
const (
	negationFactor   = -0.74 // a negated opinion flips and weakens
	negationWindow   = 3     // words before an opinion word that a negator reaches
	intensifierReach = 2     // intensifiers chained before an opinion word
	beforeButWeight  = 0.5   // clauses before "but", "however"
	afterButWeight   = 1.5   // the clause after "but", "however"
	concessionWeight = 0.5   // a clause led by "although", "despite"
	shoutFactor      = 1.2   // an opinion word in capitals within mixed case
	scareFactor      = -0.5  // praise in scare quotes is ironic
	exclaimStep      = 0.08  // added per exclamation mark, up to exclaimLimit
	exclaimLimit     = 4
)

// opinion is one opinion word or phrase of a sentence with its final
// valence and the aspects it is attributed to.
type opinion struct {
	start, end int // token range
	valence    float64
	aspects    []int // indexes into the analyzer's aspects, empty when unattributed
	gap        int   // words between the opinion and its nearest aspect term
	kind       opinionKind
}

// span is a matched list entry in a sentence.
type span struct {
	start, end int
	value      float64
	kind       opinionKind
}

// clause is a token range of a sentence with the weight that contrast gives
// it.
type clause struct {
	start, end int
	weight     float64
}

// sentenceScore is the aspect terms and opinions found in one sentence.
type sentenceScore struct {
	words     int // tokens that are words, not clause marks
	hedges    int // words that qualify a verdict, such as "though", "somewhat"
	opinions  []opinion
	mentions  []span // aspect terms; value is the aspect index
	contrasts int    // clauses cut off by contrast words
	// negatedNegative and negatedPositive count negated criticism ("not
	// bad") and negated praise ("not good").
	negatedNegative, negatedPositive int
}

// scoreSentence finds the aspect terms and opinions of a sentence, applies
// negation, intensifiers and contrast, and attributes each opinion to the
// aspects named nearest to it in its clause.
func (t *tables) scoreSentence(s sentence) sentenceScore {
	tokens := s.tokens
	mentions := scanAll(tokens, t.aspects)
	opinions := scan(tokens, t.sentiment)
	negators := outside(scan(tokens, t.negators), opinions)
	intensifiers := outside(scan(tokens, t.intensifiers), opinions)
	clauses := t.splitClauses(tokens)

	opinions = dropMaskedByAspects(opinions, mentions)
	opinions = dropNegatorOpinions(opinions, negators, tokens)

	shouting := isShouting(tokens)
	exclaim := 1 + exclaimStep*float64(min(s.exclaim, exclaimLimit))

	var result sentenceScore
	result.mentions = mentions
	for _, tok := range tokens {
		if tok.word != "," {
			result.words++
		}
	}
	result.hedges = len(scan(tokens, t.hedges))
	result.contrasts = len(clauses) - 1
	for _, o := range opinions {
		if o.value == 0 {
			continue
		}

		c := clauseOf(clauses, o.start)
		v := o.value * intensity(intensifiers, o.start, tokens)
		if isNegated(negators, o.start, c, tokens) {
			v *= negationFactor
			if o.value < 0 {
				result.negatedNegative++
			} else {
				result.negatedPositive++
			}
		}
		if !shouting && tokens[o.start].shout {
			v *= shoutFactor
		}
		if v > 0 && tokens[o.start].scare {
			v *= scareFactor
		}
		v *= c.weight * exclaim

		var aspects []int
		gap := 0
		if o.kind != reputation {
			aspects, gap = attribute(mentions, o, clauseFor(clauses, c, o, mentions), tokens)
		}
		result.opinions = append(result.opinions, opinion{
			start:   o.start,
			end:     o.end,
			valence: v,
			aspects: aspects,
			gap:     gap,
			kind:    o.kind,
		})
	}
	return result
}

// scan returns the entries of ix found in tokens, taking the longest match at
// each position and continuing after it.
func scan(tokens []token, ix phraseIndex) []span {
	var spans []span
	for i := 0; i < len(tokens); i++ {
		p, ok := ix.match(tokens, i)
		if !ok {
			continue
		}
		spans = append(spans, span{start: i, end: i + len(p.words), value: p.value, kind: p.kind})
		i += len(p.words) - 1
	}
	return spans
}

// scanAll is scan that returns every entry of the longest length at a
// position, so that a term of two aspects counts for both.
func scanAll(tokens []token, ix phraseIndex) []span {
	var spans []span
	for i := 0; i < len(tokens); i++ {
		p, ok := ix.match(tokens, i)
		if !ok {
			continue
		}
		for _, q := range ix[tokens[i].word] {
			if len(q.words) == len(p.words) && matchesAt(tokens, i, q.words) {
				spans = append(spans, span{start: i, end: i + len(q.words), value: q.value, kind: q.kind})
			}
		}
		i += len(p.words) - 1
	}
	return spans
}

// outside drops the modifiers that sit inside a longer opinion phrase, such
// as "not" in "not bad" or "so" in "so so".
func outside(modifiers, opinions []span) []span {
	var kept []span
	for _, m := range modifiers {
		inside := false
		for _, o := range opinions {
			if o.start <= m.start && m.end <= o.end && o.end-o.start > m.end-m.start {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, m)
		}
	}
	return kept
}

// dropMaskedByAspects drops opinions inside a multi-word aspect term, such as
// "special" in "special effects".
func dropMaskedByAspects(opinions, mentions []span) []span {
	var kept []span
	for _, o := range opinions {
		masked := false
		for _, m := range mentions {
			if m.end-m.start > 1 && m.start <= o.start && o.end <= m.end && m.end-m.start > o.end-o.start {
				masked = true
				break
			}
		}
		if !masked {
			kept = append(kept, o)
		}
	}
	return kept
}

// dropNegatorOpinions drops the own valence of a word that is both an
// opinion and a negator ("lacks", "fails to") when it negates a later
// opinion, so that "lacks charm" counts once.
func dropNegatorOpinions(opinions, negators []span, tokens []token) []span {
	var kept []span
	for _, o := range opinions {
		negates := false
		for _, n := range negators {
			if n.start != o.start {
				continue
			}
			for _, later := range opinions {
				if later.start >= n.end && later.start-n.end < negationWindow && !hasComma(tokens, n.end, later.start) {
					negates = true
				}
			}
		}
		if !negates {
			kept = append(kept, o)
		}
	}
	return kept
}

// splitClauses cuts a sentence at contrast words. Clauses before "but" weigh
// less and the clause after it more. A clause led by "although" weighs less
// and ends at the next comma.
func (t *tables) splitClauses(tokens []token) []clause {
	clauses := []clause{{start: 0, weight: 1}}
	for i := 0; i < len(tokens); i++ {
		if p, ok := t.contrastAfter.match(tokens, i); ok {
			for j := range clauses {
				clauses[j].weight *= beforeButWeight
			}
			clauses = cut(clauses, i, afterButWeight)
			i += len(p.words) - 1
			continue
		}
		if p, ok := t.contrastBefore.match(tokens, i); ok {
			clauses = cut(clauses, i, concessionWeight)
			i += len(p.words) - 1
			if end := nextComma(tokens, i); end < len(tokens) {
				clauses = cut(clauses, end, 1)
				i = end
			}
		}
	}
	clauses[len(clauses)-1].end = len(tokens)
	return clauses
}

func cut(clauses []clause, at int, weight float64) []clause {
	last := &clauses[len(clauses)-1]
	if at == last.start {
		last.weight = weight
		return clauses
	}
	last.end = at
	return append(clauses, clause{start: at, weight: weight})
}

func nextComma(tokens []token, i int) int {
	for ; i < len(tokens); i++ {
		if tokens[i].word == "," {
			return i
		}
	}
	return len(tokens)
}

func hasComma(tokens []token, from, to int) bool {
	for i := from; i < to; i++ {
		if tokens[i].word == "," {
			return true
		}
	}
	return false
}

func clauseOf(clauses []clause, i int) clause {
	for _, c := range clauses {
		if i >= c.start && i < c.end {
			return c
		}
	}
	return clauses[len(clauses)-1]
}

// intensity multiplies the factors of the intensifiers chained right before
// token i ("really very good").
func intensity(intensifiers []span, i int, tokens []token) float64 {
	factor := 1.0
	for range intensifierReach {
		found := false
		for _, m := range intensifiers {
			if m.end == i {
				factor *= m.value
				i = m.start
				found = true
				break
			}
		}
		if !found {
			break
		}
	}
	return factor
}

// isNegated reports whether a negator starts within negationWindow words
// before token i, in the same clause and with no comma between.
func isNegated(negators []span, i int, c clause, tokens []token) bool {
	for _, n := range negators {
		if n.start < c.start || n.end > i || i-n.end >= negationWindow {
			continue
		}
		if !hasComma(tokens, n.end, i) {
			return true
		}
	}
	return false
}

func isShouting(tokens []token) bool {
	words, shouts := 0, 0
	for _, t := range tokens {
		if t.word == "," {
			continue
		}
		words++
		if t.shout {
			shouts++
		}
	}
	return shouts*2 > words
}

// subjectReach is how far into its clause an opinion may start and still be
// read as a predicate of the previous clause's subject ("but dull").
const subjectReach = 3

// clauseFor returns the clause whose aspect terms an opinion in c is about:
// c itself, or the previous clause when c names no aspect and starts with the
// opinion, as in "the songs are nice but far too long".
func clauseFor(clauses []clause, c clause, o span, mentions []span) clause {
	if o.start-c.start > subjectReach || hasMention(mentions, c) {
		return c
	}
	for i := len(clauses) - 1; i > 0; i-- {
		if clauses[i].start == c.start && hasMention(mentions, clauses[i-1]) {
			return clauses[i-1]
		}
	}
	return c
}

func hasMention(mentions []span, c clause) bool {
	for _, m := range mentions {
		if m.start >= c.start && m.start < c.end {
			return true
		}
	}
	return false
}

// attribute returns the aspects that an opinion is about: those named in its
// clause nearest to it, together with the terms coordinated with the nearest
// one ("the acting and the songs were great").
func attribute(mentions []span, o span, c clause, tokens []token) ([]int, int) {
	best, bestDistance := -1, len(tokens)+1
	for i, m := range mentions {
		if m.start < c.start || m.start >= c.end {
			continue
		}
		d := distance(m, o)
		if d < bestDistance {
			best, bestDistance = i, d
		}
	}
	if best < 0 {
		return nil, 0
	}

	aspects := []int{int(mentions[best].value)}
	for i := best; i > 0 && coordinated(tokens, mentions[i-1], mentions[i]); i-- {
		aspects = appendUnique(aspects, int(mentions[i-1].value))
	}
	for i := best; i+1 < len(mentions) && coordinated(tokens, mentions[i], mentions[i+1]); i++ {
		aspects = appendUnique(aspects, int(mentions[i+1].value))
	}
	return aspects, bestDistance
}

func distance(a, b span) int {
	if a.end <= b.start {
		return b.start - a.end
	}
	if b.end <= a.start {
		return a.start - b.end
	}
	return 0
}

// linkWords may stand between two coordinated aspect terms.
var linkWords = map[string]bool{
	",": true, "and": true, "or": true, "the": true, "its": true, "their": true,
	"his": true, "her": true, "both": true, "also": true, "nor": true, "as": true, "well": true,
}

func coordinated(tokens []token, a, b span) bool {
	if b.start-a.end > 4 {
		return false
	}
	for i := a.end; i < b.start; i++ {
		if !linkWords[tokens[i].word] {
			return false
		}
	}
	return true
}

func appendUnique(list []int, v int) []int {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
