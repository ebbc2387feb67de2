// Package webtest holds test doubles and sample data for the web and api
// packages: an in-memory store.Store, a recording Tracker and Seed.
package webtest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Store is an in-memory store.Store. It keeps every record in maps behind one
// mutex and computes statistics as the store.Store documentation describes.
// It is not meant for production. Create one with NewStore.
type Store struct {
	mu        sync.Mutex
	movies    map[string]store.Movie
	reviews   map[string]store.Review
	analyses  map[string]map[string]store.Analysis // analyzer, then review id
	snapshots map[string][]store.Snapshot

	// PingError is returned by Ping when set, so tests can simulate an
	// unreachable database.
	PingError error
}

var _ store.Store = (*Store)(nil)

// NewStore returns an empty Store.
func NewStore() *Store {
	return &Store{
		movies:    map[string]store.Movie{},
		reviews:   map[string]store.Review{},
		analyses:  map[string]map[string]store.Analysis{},
		snapshots: map[string][]store.Snapshot{},
	}
}

// Migrate does nothing because the maps need no schema.
func (s *Store) Migrate(context.Context) error { return nil }

// Ping returns PingError.
func (s *Store) Ping(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.PingError
}

// SetPingError sets the error that Ping returns. A nil error makes Ping succeed.
func (s *Store) SetPingError(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.PingError = err
}

// Close does nothing.
func (s *Store) Close() error { return nil }

// TrackMovie adds a movie or re-tracks an untracked one.
func (s *Store) TrackMovie(_ context.Context, id string, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if m, ok := s.movies[id]; ok {
		m.Tracked = true
		s.movies[id] = m
		return false, nil
	}
	s.movies[id] = store.Movie{ID: id, Tracked: true, AddedAt: at}
	return true, nil
}

// UntrackMovie clears the movie's Tracked flag.
func (s *Store) UntrackMovie(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[id]
	if !ok {
		return fmt.Errorf("movie %s: %w", id, store.ErrNotFound)
	}
	m.Tracked = false
	s.movies[id] = m
	return nil
}

// GetMovie returns the movie or an error wrapping store.ErrNotFound.
func (s *Store) GetMovie(_ context.Context, id string) (store.Movie, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[id]
	if !ok {
		return store.Movie{}, fmt.Errorf("movie %s: %w", id, store.ErrNotFound)
	}
	return m, nil
}

// PutMovie stores m as it is, replacing any movie with the same id. Tests use
// it to set fields that no Store method writes directly.
func (s *Store) PutMovie(m store.Movie) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.movies[m.ID] = m
}

// ListMovies returns movies ordered by title then id.
func (s *Store) ListMovies(_ context.Context, trackedOnly bool) ([]store.Movie, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var movies []store.Movie
	for _, m := range s.movies {
		if trackedOnly && !m.Tracked {
			continue
		}
		movies = append(movies, m)
	}
	slices.SortFunc(movies, func(a, b store.Movie) int {
		return cmp.Or(cmp.Compare(a.Title, b.Title), cmp.Compare(a.ID, b.ID))
	})
	return movies, nil
}

// RecordCheck stores the non-zero metadata fields and clears LastError.
func (s *Store) RecordCheck(_ context.Context, id string, meta store.MovieMetadata, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[id]
	if !ok {
		return fmt.Errorf("movie %s: %w", id, store.ErrNotFound)
	}
	applyMetadata(&m, meta)
	m.CheckedAt = &at
	m.LastError = ""
	m.LastErrorAt = nil
	s.movies[id] = m
	return nil
}

func applyMetadata(m *store.Movie, meta store.MovieMetadata) {
	if meta.Title != "" {
		m.Title = meta.Title
	}
	if meta.OriginalTitle != "" {
		m.OriginalTitle = meta.OriginalTitle
	}
	if meta.Year != 0 {
		m.Year = meta.Year
	}
	if meta.ReleaseDate != nil {
		m.ReleaseDate = meta.ReleaseDate
	}
	if meta.PosterURL != "" {
		m.PosterURL = meta.PosterURL
	}
	if meta.AggregateRating != nil {
		m.AggregateRating = meta.AggregateRating
	}
	if meta.RatingCount != nil {
		m.RatingCount = meta.RatingCount
	}
	if meta.DeclaredReviewCount != nil {
		m.DeclaredReviewCount = meta.DeclaredReviewCount
	}
}

// RecordError stores message as the movie's LastError.
func (s *Store) RecordError(_ context.Context, id string, message string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[id]
	if !ok {
		return fmt.Errorf("movie %s: %w", id, store.ErrNotFound)
	}
	m.LastError = message
	m.LastErrorAt = &at
	s.movies[id] = m
	return nil
}

// ReviewHashes maps the movie's review ids to their content hashes.
func (s *Store) ReviewHashes(_ context.Context, movieID string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	hashes := map[string]string{}
	for _, r := range s.reviews {
		if r.MovieID == movieID {
			hashes[r.ID] = r.ContentHash
		}
	}
	return hashes, nil
}

// ApplySync stores the reviews, votes and metadata of a pass.
func (s *Store) ApplySync(_ context.Context, result store.SyncResult) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[result.MovieID]
	if !ok {
		return fmt.Errorf("movie %s: %w", result.MovieID, store.ErrNotFound)
	}
	for _, r := range result.Upserts {
		r.MovieID = result.MovieID
		if old, ok := s.reviews[r.ID]; ok {
			r.FirstSeenAt = old.FirstSeenAt
		} else if r.FirstSeenAt.IsZero() {
			r.FirstSeenAt = result.At
		}
		r.LastSeenAt = result.At
		s.reviews[r.ID] = r
	}
	for _, v := range result.Seen {
		if r, ok := s.reviews[v.ReviewID]; ok {
			r.HelpfulUp, r.HelpfulDown, r.LastSeenAt = v.HelpfulUp, v.HelpfulDown, result.At
			s.reviews[v.ReviewID] = r
		}
	}

	if result.Metadata != nil {
		applyMetadata(&m, *result.Metadata)
	}
	at := result.At
	m.ScrapedAt = &at
	if result.Complete {
		m.FullScrapeAt = &at
	}
	m.ScrapeWarning = result.Warning
	m.LastError = ""
	m.LastErrorAt = nil
	s.movies[result.MovieID] = m
	return nil
}

// ListReviews returns reviews newest first (submission date, then id).
func (s *Store) ListReviews(_ context.Context, q store.ReviewQuery) ([]store.Review, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	reviews := s.movieReviews(q.MovieID)
	if q.Offset >= len(reviews) {
		return nil, nil
	}
	reviews = reviews[q.Offset:]
	if q.Limit > 0 && q.Limit < len(reviews) {
		reviews = reviews[:q.Limit]
	}
	return reviews, nil
}

// movieReviews returns the movie's reviews newest first. The caller holds s.mu.
func (s *Store) movieReviews(movieID string) []store.Review {
	var reviews []store.Review
	for _, r := range s.reviews {
		if movieID == "" || r.MovieID == movieID {
			reviews = append(reviews, r)
		}
	}
	slices.SortFunc(reviews, func(a, b store.Review) int {
		return cmp.Or(b.SubmittedAt.Compare(a.SubmittedAt), cmp.Compare(b.ID, a.ID))
	})
	return reviews
}

// PendingAnalysis returns reviews without a current analysis by the analyzer
// and version.
func (s *Store) PendingAnalysis(_ context.Context, movieID, analyzer, version string, limit int) ([]store.Review, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var pending []store.Review
	for _, r := range s.movieReviews(movieID) {
		a, ok := s.analyses[analyzer][r.ID]
		if ok && a.AnalyzerVersion == version && a.ContentHash == r.ContentHash {
			continue
		}
		pending = append(pending, r)
		if limit > 0 && len(pending) == limit {
			break
		}
	}
	return pending, nil
}

// SaveAnalyses stores analyses, replacing earlier ones by the same analyzer.
func (s *Store) SaveAnalyses(_ context.Context, analyses []store.Analysis) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, a := range analyses {
		if s.analyses[a.Analyzer] == nil {
			s.analyses[a.Analyzer] = map[string]store.Analysis{}
		}
		s.analyses[a.Analyzer][a.ReviewID] = a
	}
	return nil
}

// ReviewAnalyses returns the analyzer's analysis of each listed review.
func (s *Store) ReviewAnalyses(_ context.Context, analyzer string, reviewIDs []string) (map[string]store.Analysis, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	found := map[string]store.Analysis{}
	for _, id := range reviewIDs {
		if a, ok := s.analyses[analyzer][id]; ok {
			found[id] = a
		}
	}
	return found, nil
}

// Stats aggregates the movie's reviews and the analyzer's results for their
// current content hashes.
func (s *Store) Stats(_ context.Context, movieID, analyzer string) (store.MovieStats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	stats := store.MovieStats{MovieID: movieID}
	if _, ok := s.movies[movieID]; !ok {
		return stats, fmt.Errorf("movie %s: %w", movieID, store.ErrNotFound)
	}

	reviews := s.movieReviews(movieID)
	stats.ScrapedReviewCount = len(reviews)
	stats.RatingHistogram, stats.RatedReviewCount, stats.AverageRating = ratingSummary(reviews)
	stats.ReviewsByMonth = monthCounts(reviews)
	stats.Aspects = s.aspectStats(reviews, analyzer)
	return stats, nil
}

func ratingSummary(reviews []store.Review) (histogram [10]int, rated int, average *float64) {
	sum := 0
	for _, r := range reviews {
		if r.Rating == nil {
			continue
		}
		histogram[*r.Rating-1]++
		rated++
		sum += *r.Rating
	}
	if rated > 0 {
		mean := float64(sum) / float64(rated)
		average = &mean
	}
	return histogram, rated, average
}

func monthCounts(reviews []store.Review) []store.MonthCount {
	byMonth := map[string][]store.Review{}
	for _, r := range reviews {
		month := r.SubmittedAt.Format("2006-01")
		byMonth[month] = append(byMonth[month], r)
	}

	var counts []store.MonthCount
	for month, group := range byMonth {
		_, rated, average := ratingSummary(group)
		counts = append(counts, store.MonthCount{Month: month, Reviews: len(group), RatedReviews: rated, AverageRating: average})
	}
	slices.SortFunc(counts, func(a, b store.MonthCount) int { return cmp.Compare(a.Month, b.Month) })
	return counts
}

// aspectStats summarises the analyses of reviews. The caller holds s.mu.
func (s *Store) aspectStats(reviews []store.Review, analyzer string) []store.AspectStats {
	byAspect := map[string]*store.AspectStats{}
	sums := map[string]int{}
	for _, r := range reviews {
		a, ok := s.analyses[analyzer][r.ID]
		if !ok || a.ContentHash != r.ContentHash {
			continue
		}
		for _, score := range a.Aspects {
			st := byAspect[score.Aspect]
			if st == nil {
				st = &store.AspectStats{Aspect: score.Aspect}
				byAspect[score.Aspect] = st
			}
			st.Analyzed++
			if score.Score != nil {
				st.Mentioned++
				st.Histogram[*score.Score+2]++
				sums[score.Aspect] += *score.Score
			}
		}
	}

	var aspects []store.AspectStats
	for name, st := range byAspect {
		if st.Mentioned > 0 {
			mean := float64(sums[name]) / float64(st.Mentioned)
			st.Average = &mean
		}
		aspects = append(aspects, *st)
	}
	slices.SortFunc(aspects, func(a, b store.AspectStats) int { return cmp.Compare(a.Aspect, b.Aspect) })
	return aspects
}

// AddSnapshot appends a snapshot.
func (s *Store) AddSnapshot(_ context.Context, snapshot store.Snapshot) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.snapshots[snapshot.MovieID] = append(s.snapshots[snapshot.MovieID], snapshot)
	return nil
}

// ListSnapshots returns the movie's snapshots oldest first.
func (s *Store) ListSnapshots(_ context.Context, movieID string) ([]store.Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	snapshots := slices.Clone(s.snapshots[movieID])
	slices.SortStableFunc(snapshots, func(a, b store.Snapshot) int { return a.TakenAt.Compare(b.TakenAt) })
	return snapshots, nil
}
