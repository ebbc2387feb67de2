package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// reviewPageJSON is the body of GET /api/v1/movies/{id}/reviews.
type reviewPageJSON struct {
	MovieID  string `json:"movie_id"`
	Analyzer string `json:"analyzer"`
	// Total counts the reviews that the filter matches. It is null on
	// pages reached by cursor, because counting reads every match.
	Total *int `json:"total"`
	// TotalCapped is true when a filter that the store counts review by
	// review (text, spoilers, not_mentioned) matches more than
	// reviewquery.CountLimit reviews: Total is then that limit, and at
	// least that many match.
	TotalCapped bool         `json:"total_capped"`
	Limit       int          `json:"limit"`
	Offset      int          `json:"offset"`
	Reviews     []reviewJSON `json:"reviews"`
	// NextCursor resumes the list after this page. It is null on the last
	// page.
	NextCursor *string `json:"next_cursor"`
}

// reviewJSON is a review with the analyzer's aspect scores, as the JSONL
// export writes it too.
type reviewJSON = reviewquery.Review

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
	query := r.URL.Query()
	filter, err := s.reviewFilter(query, id, reviewParameters)
	if err == nil {
		err = reviewquery.ParsePage(query, &filter, defaultReviewLimit, maxReviewLimit)
	}
	if writeParameterError(w, err) {
		return
	}
	if !s.movieExists(w, r, id) {
		return
	}

	filter.CountTotal, filter.CountLimit = filter.After == nil, reviewquery.CountLimit
	result, err := s.store.QueryReviews(r.Context(), filter)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("query reviews of movie %s: %w", id, err))
		return
	}
	analyses, err := s.store.ReviewAnalyses(r.Context(), s.analyzer, reviewIDs(result.Reviews))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load %s analyses of movie %s: %w", s.analyzer, id, err))
		return
	}

	page := reviewPageJSON{MovieID: id, Analyzer: s.analyzer, Total: result.Total, TotalCapped: result.TotalCapped, Limit: filter.Limit,
		Offset: filter.Offset, Reviews: make([]reviewJSON, 0, len(result.Reviews))}
	if result.Next != nil {
		page.NextCursor = new(result.Next.String())
	}
	for _, review := range result.Reviews {
		page.Reviews = append(page.Reviews, reviewquery.NewReview(review, analyses, analyze.Names(s.aspects)))
	}
	s.write(w, r, http.StatusOK, page)
}

// movieExists responds 404 (or 400 for a malformed id) and returns false
// when the store has no such movie.
func (s *server) movieExists(w http.ResponseWriter, r *http.Request, id string) bool {
	_, err := s.store.GetMovie(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return false
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load movie %s: %w", id, err))
		return false
	}
	return true
}

func reviewIDs(reviews []store.Review) []string {
	ids := make([]string, len(reviews))
	for i, r := range reviews {
		ids[i] = r.ID
	}
	return ids
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
