package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

// timeSeriesJSON is the response of GET /api/v1/movies/{id}/timeseries.
type timeSeriesJSON struct {
	MovieID  string `json:"movie_id"`
	Analyzer string `json:"analyzer"`
	Bucket   string `json:"bucket"`
	// NewLastDay and NewLastWeek count reviews published since the UTC day
	// 24 hours and 7 days ago.
	NewLastDay  int                          `json:"new_last_day"`
	NewLastWeek int                          `json:"new_last_week"`
	Buckets     []timeBucketJSON             `json:"buckets"`
	Aspects     map[string][]aspectMonthJSON `json:"aspects"`
}

// timeBucketJSON is one bucket of review counts and ratings.
type timeBucketJSON struct {
	Start             string   `json:"start"` // "2006-01-02", UTC
	Reviews           int      `json:"reviews"`
	RatedReviews      int      `json:"rated_reviews"`
	AverageRating     *float64 `json:"average_rating"`
	CumulativeRated   int      `json:"cumulative_rated_reviews"`
	CumulativeAverage *float64 `json:"cumulative_average_rating"`
}

// aspectMonthJSON is the mean score of one aspect over a month's reviews.
type aspectMonthJSON struct {
	Month     string  `json:"month"` // "2006-01"
	Mentioned int     `json:"mentioned"`
	Average   float64 `json:"average"`
}

// aspectSummaryJSON is one entry of GET /api/v1/movies/{id}/aspects.
type aspectSummaryJSON struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Average     *float64 `json:"average"`
	Sentiment   string   `json:"sentiment"`
	Mentioned   int      `json:"mentioned"`
	Analyzed    int      `json:"analyzed"`
	// Share is Mentioned over Analyzed, null before any analysis.
	Share     *float64 `json:"share"`
	Histogram [5]int   `json:"histogram"`
}

// aspectSummariesJSON is the response of GET /api/v1/movies/{id}/aspects.
type aspectSummariesJSON struct {
	MovieID  string              `json:"movie_id"`
	Analyzer string              `json:"analyzer"`
	Aspects  []aspectSummaryJSON `json:"aspects"`
}

// timeSeries serves a movie's review counts and ratings per day, week or
// month, and each aspect's monthly mean.
func (s *server) timeSeries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	query := r.URL.Query()
	bucket := store.BucketMonth
	if text := query.Get("bucket"); text != "" {
		parsed, err := store.ParseBucket(text)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		bucket = parsed
	}

	agg, err := s.store.Aggregates(r.Context(), store.AggregateQuery{MovieID: id, Analyzer: s.analyzer, Bucket: bucket, Now: s.now()})
	if errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	response := timeSeriesJSON{
		MovieID:     id,
		Analyzer:    s.analyzer,
		Bucket:      string(agg.Bucket),
		NewLastDay:  agg.NewLastDay,
		NewLastWeek: agg.NewLastWeek,
		Buckets:     make([]timeBucketJSON, 0, len(agg.Timeline)),
		Aspects:     map[string][]aspectMonthJSON{},
	}
	for _, b := range agg.Timeline {
		response.Buckets = append(response.Buckets, timeBucketJSON{
			Start:             b.Start.UTC().Format(time.DateOnly),
			Reviews:           b.Reviews,
			RatedReviews:      b.RatedReviews,
			AverageRating:     b.AverageRating,
			CumulativeRated:   b.CumulativeRated,
			CumulativeAverage: b.CumulativeAverage,
		})
	}
	for _, name := range analyze.Names(s.aspects) {
		response.Aspects[name] = []aspectMonthJSON{}
	}
	for _, m := range agg.AspectMonths {
		response.Aspects[m.Aspect] = append(response.Aspects[m.Aspect], aspectMonthJSON{
			Month:     m.Month.UTC().Format("2006-01"),
			Mentioned: m.Mentioned,
			Average:   m.Average,
		})
	}
	s.write(w, r, http.StatusOK, response)
}

// aspectSummaries serves, for every configured aspect and overall, the mean
// score, the share of analyzed reviews that mention it and the histogram of
// its scores.
func (s *server) aspectSummaries(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return
	} else if err != nil {
		s.serverError(w, r, fmt.Errorf("load movie %s: %w", id, err))
		return
	}
	stats, err := s.store.Stats(r.Context(), id, s.analyzer)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load statistics of movie %s: %w", id, err))
		return
	}

	byName := map[string]store.AspectStats{}
	for _, a := range stats.Aspects {
		byName[a.Aspect] = a
	}
	aspects := append(append([]analyze.Aspect{}, s.aspects...), analyze.Aspect{Name: store.Overall, Description: analyze.OverallDescription})
	response := aspectSummariesJSON{MovieID: id, Analyzer: s.analyzer, Aspects: make([]aspectSummaryJSON, 0, len(aspects))}
	for _, aspect := range aspects {
		a := byName[aspect.Name]
		summary := aspectSummaryJSON{
			Name:        aspect.Name,
			Description: aspect.Description,
			Average:     a.Average,
			Sentiment:   analyze.Sentiment(a.Average),
			Mentioned:   a.Mentioned,
			Analyzed:    a.Analyzed,
			Histogram:   a.Histogram,
		}
		if a.Analyzed > 0 {
			share := float64(a.Mentioned) / float64(a.Analyzed)
			summary.Share = &share
		}
		response.Aspects = append(response.Aspects, summary)
	}
	s.write(w, r, http.StatusOK, response)
}
