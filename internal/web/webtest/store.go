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
	missing   map[string]int // review id to consecutive complete passes without it
	runs      []store.SyncRun
	posters   map[string]store.Poster
	failures  map[string]map[string]store.AnalysisFailure // analyzer, then review id
	llmCalls  []store.LLMCall

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
		missing:   map[string]int{},
		posters:   map[string]store.Poster{},
		failures:  map[string]map[string]store.AnalysisFailure{},
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

// SchedulableMovieIDs returns up to limit ids of tracked, unparked movies
// after the given id, in id order.
func (s *Store) SchedulableMovieIDs(_ context.Context, after string, limit int) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	ids := []string{}
	for id, m := range s.movies {
		if m.Tracked && m.ParkedAt == nil && id > after {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
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
// ParkMovie implements store.Store.
func (s *Store) ParkMovie(_ context.Context, id, reason string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[id]
	if !ok {
		return fmt.Errorf("movie %s: %w", id, store.ErrNotFound)
	}
	if m.ParkedAt == nil {
		m.ParkedAt = &at
	}
	m.ParkedReason = reason
	s.movies[id] = m
	return nil
}

// UnparkMovie implements store.Store.
func (s *Store) UnparkMovie(_ context.Context, id string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[id]
	if !ok {
		return fmt.Errorf("movie %s: %w", id, store.ErrNotFound)
	}
	m.ParkedAt, m.ParkedReason, m.UnparkedAt = nil, "", &at
	s.movies[id] = m
	return nil
}

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

// ApplySync stores a pass as the real stores do, following store.PlanSync:
// upserts, votes, missing and deleted marks, metadata and the run record.
// It keeps no vote history, which no Store method returns.
func (s *Store) ApplySync(_ context.Context, result store.SyncResult) (store.SyncOutcome, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	m, ok := s.movies[result.MovieID]
	if !ok {
		return store.SyncOutcome{}, fmt.Errorf("movie %s: %w", result.MovieID, store.ErrNotFound)
	}
	// Reviews stored under another movie are left out, as the SQL stores
	// do.
	owners := map[string]string{}
	for _, r := range result.Upserts {
		if old, ok := s.reviews[r.ID]; ok && old.MovieID != result.MovieID {
			owners[r.ID] = old.MovieID
		}
	}
	plan, err := store.PlanSyncOwned(result, s.storedReviews(result.MovieID), owners)
	if err != nil {
		return store.SyncOutcome{}, err
	}

	s.writeReviews(plan.Writes, result.At)
	s.updateSeen(plan.Seen, result.At)
	s.markMissing(plan.Missing, result.At)
	s.finishScrape(m, result)

	run := plan.Run
	run.HelpfulUpTotal, run.HelpfulDownTotal = s.voteTotals(result.MovieID)
	run.ID = s.addRun(run)
	return store.SyncOutcome{Deleted: plan.Deleted, Restored: plan.Restored, RunID: run.ID, Conflicts: plan.Conflicts}, nil
}

// storedReviews returns the state of the movie's reviews. The caller holds
// s.mu.
func (s *Store) storedReviews(movieID string) map[string]store.StoredReview {
	stored := map[string]store.StoredReview{}
	for _, r := range s.reviews {
		if r.MovieID == movieID {
			stored[r.ID] = store.StoredReview{
				HelpfulUp: r.HelpfulUp, HelpfulDown: r.HelpfulDown,
				Deleted: r.DeletedAt != nil, MissingRuns: s.missing[r.ID],
			}
		}
	}
	return stored
}

// writeReviews stores new and rewritten reviews. The caller holds s.mu.
func (s *Store) writeReviews(reviews []store.Review, at time.Time) {
	for _, r := range reviews {
		r.FirstSeenAt, r.LastSeenAt, r.EditedAt, r.DeletedAt = at, at, nil, nil
		if old, ok := s.reviews[r.ID]; ok {
			r.FirstSeenAt, r.EditedAt, r.DeletedAt = old.FirstSeenAt, old.EditedAt, old.DeletedAt
			if old.ContentHash != r.ContentHash {
				r.EditedAt = &at
			}
		}
		s.reviews[r.ID] = r
	}
}

// updateSeen refreshes the votes of the seen reviews and restores deleted
// ones. The caller holds s.mu.
func (s *Store) updateSeen(seen []store.ReviewVotes, at time.Time) {
	for _, v := range seen {
		r := s.reviews[v.ReviewID]
		r.HelpfulUp, r.HelpfulDown, r.VotesInexact = v.HelpfulUp, v.HelpfulDown, v.VotesInexact
		r.LastSeenAt, r.DeletedAt = at, nil
		s.reviews[v.ReviewID] = r
		delete(s.missing, v.ReviewID)
	}
}

// markMissing counts the reviews missing from a complete pass. The caller
// holds s.mu.
func (s *Store) markMissing(missing []store.MissingReview, at time.Time) {
	for _, m := range missing {
		s.missing[m.ID] = m.MissingRuns
		if m.Delete {
			r := s.reviews[m.ID]
			r.DeletedAt = &at
			s.reviews[m.ID] = r
		}
	}
}

// finishScrape stores the movie fields of a pass. The caller holds s.mu.
func (s *Store) finishScrape(m store.Movie, result store.SyncResult) {
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
}

// voteTotals sums the votes of the movie's reviews that are not deleted. The
// caller holds s.mu.
func (s *Store) voteTotals(movieID string) (up, down int) {
	for _, r := range s.movieReviews(movieID, false) {
		up += r.HelpfulUp
		down += r.HelpfulDown
	}
	return up, down
}

// addRun stores the run and returns its id. The caller holds s.mu.
func (s *Store) addRun(run store.SyncRun) int64 {
	run.ID = int64(len(s.runs) + 1)
	s.runs = append(s.runs, run)
	return run.ID
}

// RecordRun stores the run of a pass that stored nothing else.
func (s *Store) RecordRun(_ context.Context, run store.SyncRun) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	if err := store.ValidateRun(run); err != nil {
		return 0, err
	}
	if _, ok := s.movies[run.MovieID]; !ok {
		return 0, fmt.Errorf("record run of movie %s: %w", run.MovieID, store.ErrNotFound)
	}
	return s.addRun(run), nil
}

// LastRun returns the movie's run that finished last.
func (s *Store) LastRun(ctx context.Context, movieID string) (store.SyncRun, error) {
	runs, _ := s.ListRuns(ctx, movieID, 1)
	if len(runs) == 0 {
		return store.SyncRun{}, fmt.Errorf("last run of movie %s: %w", movieID, store.ErrNotFound)
	}
	return runs[0], nil
}

// ListRuns returns up to limit runs of the movie (all when limit is not
// positive), the last finished first.
func (s *Store) ListRuns(_ context.Context, movieID string, limit int) ([]store.SyncRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	runs := []store.SyncRun{}
	for _, run := range s.runs {
		if run.MovieID == movieID {
			runs = append(runs, run)
		}
	}
	slices.SortFunc(runs, func(a, b store.SyncRun) int {
		return cmp.Or(b.FinishedAt.Compare(a.FinishedAt), cmp.Compare(b.ID, a.ID))
	})
	if limit > 0 && limit < len(runs) {
		runs = runs[:limit]
	}
	return runs, nil
}

// SavePoster stores or replaces the movie's poster.
func (s *Store) SavePoster(_ context.Context, p store.Poster) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	if _, ok := s.movies[p.MovieID]; !ok {
		return fmt.Errorf("save poster of movie %s: %w", p.MovieID, store.ErrNotFound)
	}
	p.Data = slices.Clone(p.Data)
	s.posters[p.MovieID] = p
	return nil
}

// GetPoster returns the movie's poster.
func (s *Store) GetPoster(_ context.Context, movieID string) (store.Poster, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	p, ok := s.posters[movieID]
	if !ok {
		return store.Poster{}, fmt.Errorf("poster of movie %s: %w", movieID, store.ErrNotFound)
	}
	p.Data = slices.Clone(p.Data)
	return p, nil
}

// ListReviews returns reviews newest first (submission date, then id).
func (s *Store) ListReviews(_ context.Context, q store.ReviewQuery) ([]store.Review, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	reviews := s.movieReviews(q.MovieID, q.IncludeDeleted)
	if q.Offset >= len(reviews) {
		return nil, nil
	}
	reviews = reviews[q.Offset:]
	if q.Limit > 0 && q.Limit < len(reviews) {
		reviews = reviews[:q.Limit]
	}
	return reviews, nil
}

// movieReviews returns the movie's reviews newest first, deleted ones only
// when includeDeleted is set. The caller holds s.mu.
func (s *Store) movieReviews(movieID string, includeDeleted bool) []store.Review {
	var reviews []store.Review
	for _, r := range s.reviews {
		if r.DeletedAt != nil && !includeDeleted {
			continue
		}
		if movieID == "" || r.MovieID == movieID {
			reviews = append(reviews, r)
		}
	}
	slices.SortFunc(reviews, func(a, b store.Review) int {
		return cmp.Or(b.SubmittedAt.Compare(a.SubmittedAt), cmp.Compare(b.ID, a.ID))
	})
	return reviews
}

// PendingAnalysis returns reviews without a current result or failure by
// the analyzer and version made at or after q.Since.
func (s *Store) PendingAnalysis(_ context.Context, q store.PendingQuery) ([]store.Review, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var pending []store.Review
	for _, r := range s.movieReviews(q.MovieID, false) {
		a, ok := s.analyses[q.Analyzer][r.ID]
		if ok && a.AnalyzerVersion == q.AnalyzerVersion && a.ContentHash == r.ContentHash && !a.AnalyzedAt.Before(q.Since) {
			continue
		}
		f, ok := s.failures[q.Analyzer][r.ID]
		if ok && f.AnalyzerVersion == q.AnalyzerVersion && f.ContentHash == r.ContentHash && !f.FailedAt.Before(q.Since) {
			continue
		}
		pending = append(pending, r)
	}
	slices.SortFunc(pending, func(a, b store.Review) int { return cmp.Compare(a.ID, b.ID) })
	if q.Limit > 0 && len(pending) > q.Limit {
		pending = pending[:q.Limit]
	}
	return pending, nil
}

// SaveAnalysisFailures stores failures, replacing earlier ones by the same
// analyzer.
func (s *Store) SaveAnalysisFailures(_ context.Context, failures []store.AnalysisFailure) error {
	s.mu.Lock()
	defer s.mu.Unlock()

	for _, f := range failures {
		if s.failures[f.Analyzer] == nil {
			s.failures[f.Analyzer] = map[string]store.AnalysisFailure{}
		}
		s.failures[f.Analyzer][f.ReviewID] = f
	}
	return nil
}

// AnalysisFailures returns the movie's failures by the analyzer for the
// current content of its reviews, newest first.
func (s *Store) AnalysisFailures(_ context.Context, movieID, analyzer string, limit int) ([]store.AnalysisFailure, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	failures := []store.AnalysisFailure{}
	for _, r := range s.movieReviews(movieID, false) {
		if f, ok := s.failures[analyzer][r.ID]; ok && f.ContentHash == r.ContentHash {
			failures = append(failures, f)
		}
	}
	slices.SortFunc(failures, func(a, b store.AnalysisFailure) int {
		return cmp.Or(b.FailedAt.Compare(a.FailedAt), cmp.Compare(a.ReviewID, b.ReviewID))
	})
	if limit > 0 && len(failures) > limit {
		failures = failures[:limit]
	}
	return failures, nil
}

// RecordLLMCall keeps the call.
func (s *Store) RecordLLMCall(_ context.Context, call store.LLMCall) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.llmCalls = append(s.llmCalls, call)
	return nil
}

// LLMUsage sums the calls made at or after since by UTC day, analyzer,
// model and movie, newest day first.
func (s *Store) LLMUsage(_ context.Context, since time.Time) ([]store.LLMUsage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	type key struct{ day, analyzer, model, movie string }
	sums := map[key]*store.LLMUsage{}
	for _, c := range s.llmCalls {
		if c.At.Before(since) {
			continue
		}
		k := key{c.At.UTC().Format(time.DateOnly), c.Analyzer, c.Model, c.MovieID}
		u := sums[k]
		if u == nil {
			u = &store.LLMUsage{Day: k.day, Analyzer: k.analyzer, Model: k.model, MovieID: k.movie}
			sums[k] = u
		}
		u.Calls++
		u.Reviews += c.Reviews
		u.PromptTokens += c.PromptTokens
		u.CompletionTokens += c.CompletionTokens
		u.CostUSD += c.CostUSD
	}
	usage := make([]store.LLMUsage, 0, len(sums))
	for _, u := range sums {
		usage = append(usage, *u)
	}
	slices.SortFunc(usage, func(a, b store.LLMUsage) int {
		return cmp.Or(cmp.Compare(b.Day, a.Day), cmp.Compare(a.Analyzer, b.Analyzer),
			cmp.Compare(a.Model, b.Model), cmp.Compare(a.MovieID, b.MovieID))
	})
	return usage, nil
}

// LLMSpend returns the cost of the calls made at or after since.
func (s *Store) LLMSpend(_ context.Context, since time.Time) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	var spend float64
	for _, c := range s.llmCalls {
		if !c.At.Before(since) {
			spend += c.CostUSD
		}
	}
	return spend, nil
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
		delete(s.failures[a.Analyzer], a.ReviewID)
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

	reviews := s.movieReviews(movieID, false)
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
