package eval

import (
	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

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

// mentionCounts is the confusion count of mention detection for one aspect.
type mentionCounts struct {
	truePositive, falsePositive, falseNegative int
}

func (m *mentionCounts) add(predicted, labelled *int) {
	switch {
	case predicted != nil && labelled != nil:
		m.truePositive++
	case predicted != nil:
		m.falsePositive++
	case labelled != nil:
		m.falseNegative++
	}
}

func (m mentionCounts) f1() float64 {
	return ratio(2*m.truePositive, 2*m.truePositive+m.falsePositive+m.falseNegative)
}

// tally accumulates the counts behind a Report.
type tally struct {
	reviews   int
	failed    int // reviews the analyzer could not score
	overall   agreement
	confusion [6][6]int
	mentions  map[string]*mentionCounts
	polarity  map[string]*agreement // only where both mention the aspect
}

func newTally() *tally {
	t := &tally{mentions: map[string]*mentionCounts{}, polarity: map[string]*agreement{}}
	for _, a := range analyze.Aspects {
		t.mentions[a.Name], t.polarity[a.Name] = &mentionCounts{}, &agreement{}
	}
	return t
}

func (t *tally) add(predicted, labelled map[string]*int) {
	t.reviews++
	t.overall.add(predicted[store.Overall], labelled[store.Overall])
	t.confusion[level(labelled[store.Overall])][level(predicted[store.Overall])]++

	for _, a := range analyze.Aspects {
		p, l := predicted[a.Name], labelled[a.Name]
		t.mentions[a.Name].add(p, l)
		if p != nil && l != nil {
			t.polarity[a.Name].add(p, l)
		}
	}
}

func (t *tally) report() Report {
	r := Report{
		Reviews:                  t.reviews,
		Failed:                   t.failed,
		OverallPolarityAgreement: ratio(t.overall.polarity, t.overall.total),
		OverallExactAgreement:    ratio(t.overall.exact, t.overall.total),
		PerAspect:                make(map[string]AspectReport, len(analyze.Aspects)),
		OverallConfusion:         t.confusion,
	}

	var mentions mentionCounts
	var both agreement
	for _, a := range analyze.Aspects {
		m, p := t.mentions[a.Name], t.polarity[a.Name]
		r.PerAspect[a.Name] = aspectReport(*m, *p)
		mentions.truePositive += m.truePositive
		mentions.falsePositive += m.falsePositive
		mentions.falseNegative += m.falseNegative
		both.polarity += p.polarity
		both.exact += p.exact
		both.total += p.total
	}
	r.AspectMentionMicroF1 = mentions.f1()
	r.AspectPolarityAgreement = ratio(both.polarity, both.total)
	r.AspectExactAgreement = ratio(both.exact, both.total)
	return r
}

func aspectReport(m mentionCounts, p agreement) AspectReport {
	return AspectReport{
		Precision:         ratio(m.truePositive, m.truePositive+m.falsePositive),
		Recall:            ratio(m.truePositive, m.truePositive+m.falseNegative),
		F1:                m.f1(),
		PolarityAgreement: ratio(p.polarity, p.total),
		ExactAgreement:    ratio(p.exact, p.total),
		TruePositives:     m.truePositive,
		FalsePositives:    m.falsePositive,
		FalseNegatives:    m.falseNegative,
	}
}

// level returns the index of a score in ConfusionLevels.
func level(score *int) int {
	if score == nil {
		return len(ConfusionLevels) - 1
	}
	return *score + 2
}

func sign(n int) int {
	switch {
	case n < 0:
		return -1
	case n > 0:
		return 1
	}
	return 0
}

// ratio returns n/d, or 0 when d is 0.
func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}
