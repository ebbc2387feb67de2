package webtest

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/store"
)

// QueryReviews filters, orders and pages the movie's reviews in memory as
// the store.ReviewFilter documentation describes.
func (s *Store) QueryReviews(_ context.Context, f store.ReviewFilter) (store.ReviewPage, error) {
	f, err := f.Normalized()
	if err != nil {
		return store.ReviewPage{}, err
	}

	s.mu.Lock()
	defer s.mu.Unlock()

	var matched []store.Review
	for _, r := range s.movieReviews(f.MovieID, false) {
		if s.matches(f, r) {
			matched = append(matched, r)
		}
	}
	slices.SortFunc(matched, func(a, b store.Review) int { return compareReviews(f.Sort, a, b) })

	page := store.ReviewPage{Reviews: []store.Review{}}
	if f.CountTotal {
		// The count is always exact: the fake has no rollups to tell which
		// counts the real stores cap at CountLimit.
		page.Total = new(len(matched))
	}
	for _, r := range matched {
		if f.After != nil && compareReviews(f.Sort, r, cursorReview(*f.After)) <= 0 {
			continue
		}
		page.Reviews = append(page.Reviews, r)
	}
	page.Reviews = page.Reviews[min(f.Offset, len(page.Reviews)):]
	if f.Limit > 0 && len(page.Reviews) > f.Limit {
		page.Reviews = page.Reviews[:f.Limit]
		page.Next = store.CursorAfter(f.Sort, page.Reviews[f.Limit-1])
	}
	return page, nil
}

// cursorReview returns a review with the cursor's sort key and id.
func cursorReview(c store.ReviewCursor) store.Review {
	return store.Review{ID: c.ID, SubmittedAt: c.Submitted, HelpfulUp: c.HelpfulUp}
}

// compareReviews orders a before b in the sort's order.
func compareReviews(sort store.ReviewSort, a, b store.Review) int {
	var order int
	if sort.ByDate() {
		order = cmp.Or(a.SubmittedAt.Compare(b.SubmittedAt), cmp.Compare(a.ID, b.ID))
	} else {
		order = cmp.Or(cmp.Compare(a.HelpfulUp, b.HelpfulUp), cmp.Compare(a.ID, b.ID))
	}
	if sort.Descending() {
		return -order
	}
	return order
}

// matches reports whether the filter selects r. The caller holds s.mu.
func (s *Store) matches(f store.ReviewFilter, r store.Review) bool {
	switch {
	case f.MinRating > 0 && (r.Rating == nil || *r.Rating < f.MinRating),
		f.MaxRating > 0 && (r.Rating == nil || *r.Rating > f.MaxRating),
		!f.From.IsZero() && r.SubmittedAt.Before(f.From),
		!f.To.IsZero() && r.SubmittedAt.After(f.To),
		f.Spoiler == store.SpoilerOnly && !r.Spoiler,
		f.Spoiler == store.SpoilerExclude && r.Spoiler,
		f.Text != "" && !containsFold(r.Title, f.Text) && !containsFold(r.Text, f.Text):
		return false
	}
	if f.Aspect == "" {
		return true
	}

	analysis, ok := s.analyses[f.Analyzer][r.ID]
	if !ok || analysis.ContentHash != r.ContentHash {
		return false
	}
	var score *int
	for _, a := range analysis.Aspects {
		if a.Aspect == f.Aspect {
			score = a.Score
		}
	}
	return polarityMatches(f.Polarity, score)
}

func polarityMatches(p store.Polarity, score *int) bool {
	if p == store.PolarityNotMentioned || score == nil {
		return p == store.PolarityNotMentioned && score == nil
	}
	switch p {
	case store.PolarityNegative:
		return *score < 0
	case store.PolarityNeutral:
		return *score == 0
	case store.PolarityPositive:
		return *score > 0
	}
	return true
}

// containsFold reports whether text contains part, ignoring the case of
// ASCII letters as the SQL back ends do.
func containsFold(text, part string) bool {
	return strings.Contains(asciiLower(text), asciiLower(part))
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}, s)
}
