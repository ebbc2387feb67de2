package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// reviewPageJSON is the body of GET /api/v1/movies/{id}/reviews.
type reviewPageJSON struct {
	MovieID  string `json:"movie_id"`
	Analyzer string `json:"analyzer"`
	// Total counts the reviews that the filter matches. It is null on
	// pages reached by cursor, because counting reads every match.
	Total   *int         `json:"total"`
	Limit   int          `json:"limit"`
	Offset  int          `json:"offset"`
	Reviews []reviewJSON `json:"reviews"`
	// NextCursor resumes the list after this page. It is null on the last
	// page.
	NextCursor *string `json:"next_cursor"`
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
	query := r.URL.Query()
	filter, err := s.reviewFilter(query, id, append(slices.Clone(filterParameters), pageParameters...))
	if err == nil {
		err = parsePage(query, &filter)
	}
	if writeParameterError(w, err) {
		return
	}
	if !s.movieExists(w, r, id) {
		return
	}

	filter.CountTotal = filter.After == nil
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

	page := reviewPageJSON{MovieID: id, Analyzer: s.analyzer, Total: result.Total, Limit: filter.Limit,
		Offset: filter.Offset, Reviews: make([]reviewJSON, 0, len(result.Reviews))}
	if result.Next != nil {
		page.NextCursor = new(result.Next.String())
	}
	for _, review := range result.Reviews {
		page.Reviews = append(page.Reviews, newReviewJSON(review, analyses, analyze.Names(s.aspects)))
	}
	s.write(w, r, http.StatusOK, page)
}

// reviewFilter checks the query's parameter names against known and reads
// the review filter.
func (s *server) reviewFilter(query url.Values, movieID string, known []string) (store.ReviewFilter, error) {
	if err := checkParameters(query, known); err != nil {
		return store.ReviewFilter{}, err
	}
	return s.parseFilter(query, movieID, analyze.Names(s.aspects))
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
