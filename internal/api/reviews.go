package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// reviewPageJSON is the body of GET /api/v1/movies/{id}/reviews.
type reviewPageJSON struct {
	MovieID  string       `json:"movie_id"`
	Analyzer string       `json:"analyzer"`
	Total    int          `json:"total"` // stored reviews of the movie
	Limit    int          `json:"limit"`
	Offset   int          `json:"offset"`
	Reviews  []reviewJSON `json:"reviews"`
}

// reviewJSON is a review with the analyzer's aspect scores. Aspects is null
// when the analyzer has not scored the review's current text. Otherwise it
// has every aspect, with null for an aspect that the review does not mention.
type reviewJSON struct {
	ID          string            `json:"id"`
	AuthorName  string            `json:"author_name"`
	AuthorID    *string           `json:"author_id"`
	Title       string            `json:"title"`
	Text        string            `json:"text"`
	Rating      *int              `json:"rating"`
	Spoiler     bool              `json:"spoiler"`
	SubmittedAt string            `json:"submitted_at"` // "2006-01-02"
	HelpfulUp   int               `json:"helpful_up"`
	HelpfulDown int               `json:"helpful_down"`
	EditedAt    *string           `json:"edited_at"`
	Aspects     map[string]*int   `json:"aspects"`
	Evidence    map[string]string `json:"evidence"` // sentence behind each score
}

// snapshotJSON is one point of GET /api/v1/movies/{id}/snapshots.
type snapshotJSON struct {
	TakenAt            string             `json:"taken_at"`
	ReviewCount        *int               `json:"review_count"` // declared by IMDb
	ScrapedReviewCount int                `json:"scraped_review_count"`
	AverageRating      *float64           `json:"average_rating"`
	AspectAverages     map[string]float64 `json:"aspect_averages"`
}

func (s *server) listReviews(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	limit, err := intParameter(r, "limit", defaultReviewLimit, 1, maxReviewLimit)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	offset, err := intParameter(r, "offset", 0, 0, -1)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}

	stats, err := s.store.Stats(r.Context(), id, s.analyzer)
	if errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load statistics of movie %s: %w", id, err))
		return
	}
	reviews, err := s.store.ListReviews(r.Context(), store.ReviewQuery{MovieID: id, Limit: limit, Offset: offset})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list reviews of movie %s: %w", id, err))
		return
	}
	analyses, err := s.store.ReviewAnalyses(r.Context(), s.analyzer, reviewIDs(reviews))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load %s analyses of movie %s: %w", s.analyzer, id, err))
		return
	}

	page := reviewPageJSON{MovieID: id, Analyzer: s.analyzer, Total: stats.ScrapedReviewCount,
		Limit: limit, Offset: offset, Reviews: make([]reviewJSON, 0, len(reviews))}
	for _, review := range reviews {
		page.Reviews = append(page.Reviews, newReviewJSON(review, analyses, analyze.Names(s.aspects)))
	}
	s.write(w, r, http.StatusOK, page)
}

// intParameter reads an optional integer query parameter within
// [minimum, maximum]. A negative maximum means no upper bound.
func intParameter(r *http.Request, name string, fallback, minimum, maximum int) (int, error) {
	text := r.URL.Query().Get(name)
	if text == "" {
		return fallback, nil
	}
	value, err := strconv.Atoi(text)
	outOfRange := err == nil && (value < minimum || (maximum >= 0 && value > maximum))
	if err != nil || outOfRange {
		if maximum < 0 {
			return 0, fmt.Errorf("invalid %q %q: use a whole number, %d or more", name, text, minimum)
		}
		return 0, fmt.Errorf("invalid %q %q: use a whole number from %d to %d", name, text, minimum, maximum)
	}
	return value, nil
}

func reviewIDs(reviews []store.Review) []string {
	ids := make([]string, len(reviews))
	for i, r := range reviews {
		ids[i] = r.ID
	}
	return ids
}

func newReviewJSON(r store.Review, analyses map[string]store.Analysis, aspects []string) reviewJSON {
	review := reviewJSON{
		ID:          r.ID,
		AuthorName:  r.AuthorName,
		AuthorID:    optionalString(r.AuthorID),
		Title:       r.Title,
		Text:        r.Text,
		Rating:      r.Rating,
		Spoiler:     r.Spoiler,
		SubmittedAt: r.SubmittedAt.UTC().Format(time.DateOnly),
		HelpfulUp:   r.HelpfulUp,
		HelpfulDown: r.HelpfulDown,
		EditedAt:    optionalTime(r.EditedAt),
	}

	analysis, ok := analyses[r.ID]
	if !ok || (analysis.ContentHash != "" && analysis.ContentHash != r.ContentHash) {
		return review
	}
	review.Aspects = map[string]*int{}
	review.Evidence = map[string]string{}
	for _, name := range aspects {
		review.Aspects[name] = nil
	}
	for _, score := range analysis.Aspects {
		review.Aspects[score.Aspect] = score.Score
		if score.Score != nil && score.Evidence != "" {
			review.Evidence[score.Aspect] = score.Evidence
		}
	}
	return review
}

func (s *server) listSnapshots(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return
	} else if err != nil {
		s.serverError(w, r, fmt.Errorf("load movie %s: %w", id, err))
		return
	}

	snapshots, err := s.store.ListSnapshots(r.Context(), id)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list snapshots of movie %s: %w", id, err))
		return
	}
	list := make([]snapshotJSON, 0, len(snapshots))
	for _, snapshot := range snapshots {
		averages := snapshot.AspectAverages
		if averages == nil {
			averages = map[string]float64{}
		}
		list = append(list, snapshotJSON{
			TakenAt:            snapshot.TakenAt.UTC().Format(time.RFC3339),
			ReviewCount:        snapshot.DeclaredReviewCount,
			ScrapedReviewCount: snapshot.ScrapedReviewCount,
			AverageRating:      snapshot.AverageRating,
			AspectAverages:     averages,
		})
	}
	s.write(w, r, http.StatusOK, list)
}
