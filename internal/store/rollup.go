package store

import "time"

// AnalyzedReview is the state of a review that decides whether its
// analyses count in the aspect rollup: only the results for the current
// content of a listed review do.
type AnalyzedReview struct {
	MovieID     string
	SubmittedAt time.Time
	Listed      bool // not deleted
	ContentHash string
}

// AspectKey identifies a row of the aspect rollup: an analyzer's results
// for one aspect over the reviews of a movie submitted in one month.
type AspectKey struct {
	MovieID  string
	Analyzer string
	Aspect   string
	Month    time.Time // UTC midnight of the month's first day
}

// AspectCounts are the counts of a row of the aspect rollup, or a change
// to them.
type AspectCounts struct {
	Analyzed int    // results with a row for the aspect, scored or not
	Scores   [5]int // Scores[i] counts the scores equal to i-2
}

// AnalysisKey identifies the one stored result of an analyzer for a review.
type AnalysisKey struct {
	ReviewID string
	Analyzer string
}

// AspectDeltas returns the changes to the aspect rollup that saving the
// analyses, in order, makes: each analysis replaces the stored result of
// its analyzer for its review. reviews must hold every analyzed review,
// and stored the results stored before the save, whatever their content
// hash. AspectDeltas updates stored as it goes, and leaves out keys whose
// counts do not change.
func AspectDeltas(reviews map[string]AnalyzedReview, stored map[AnalysisKey]Analysis, analyses []Analysis) map[AspectKey]AspectCounts {
	deltas := map[AspectKey]AspectCounts{}
	add := func(a Analysis, sign int) {
		r, ok := reviews[a.ReviewID]
		if !ok || !r.Listed || a.ContentHash != r.ContentHash {
			return
		}
		month := Months([]time.Time{r.SubmittedAt})[0]
		for _, s := range a.Aspects {
			key := AspectKey{MovieID: r.MovieID, Analyzer: a.Analyzer, Aspect: s.Aspect, Month: month}
			c := deltas[key]
			c.Analyzed += sign
			if s.Score != nil && *s.Score >= -2 && *s.Score <= 2 {
				c.Scores[*s.Score+2] += sign
			}
			deltas[key] = c
		}
	}
	for _, a := range analyses {
		key := AnalysisKey{ReviewID: a.ReviewID, Analyzer: a.Analyzer}
		if old, ok := stored[key]; ok {
			add(old, -1)
		}
		add(a, 1)
		stored[key] = a
	}
	for key, c := range deltas {
		if c == (AspectCounts{}) {
			delete(deltas, key)
		}
	}
	return deltas
}
