package webtest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// bucketStart returns the first day of the bucket that holds day.
func bucketStart(b store.Bucket, day time.Time) time.Time {
	day = day.UTC().Truncate(24 * time.Hour)
	switch b {
	case store.BucketDay:
		return day
	case store.BucketWeek:
		return day.AddDate(0, 0, -((int(day.Weekday()) + 6) % 7))
	default:
		return time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
}

// Aggregates computes the movie's aggregates as the store.Store
// documentation describes.
func (s *Store) Aggregates(_ context.Context, q store.AggregateQuery) (store.Aggregates, error) {
	if q.Bucket == "" {
		q.Bucket = store.BucketMonth
	}
	if _, err := store.ParseBucket(string(q.Bucket)); err != nil {
		return store.Aggregates{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.movies[q.MovieID]; !ok {
		return store.Aggregates{}, fmt.Errorf("movie %s: %w", q.MovieID, store.ErrNotFound)
	}

	reviews := s.movieReviews(q.MovieID, false)
	slices.Reverse(reviews)
	agg := store.Aggregates{MovieID: q.MovieID, Bucket: q.Bucket}
	agg.Timeline = timeline(reviews, q.Bucket)
	agg.AspectMonths = s.aspectMonths(reviews, q.Analyzer)

	dayStart := bucketStart(store.BucketDay, q.Now.Add(-24*time.Hour))
	weekStart := bucketStart(store.BucketDay, q.Now.Add(-7*24*time.Hour))
	for _, r := range reviews {
		if !r.SubmittedAt.Before(dayStart) {
			agg.NewLastDay++
		}
		if !r.SubmittedAt.Before(weekStart) {
			agg.NewLastWeek++
		}
	}
	agg.MostHelpfulPositive = s.mostHelpful(reviews, q.Analyzer, 1)
	agg.MostHelpfulNegative = s.mostHelpful(reviews, q.Analyzer, -1)
	return agg, nil
}

// timeline groups reviews, oldest first, by bucket.
func timeline(reviews []store.Review, b store.Bucket) []store.TimelineBucket {
	buckets := []store.TimelineBucket{}
	sums := []int{}
	for _, r := range reviews {
		start := bucketStart(b, r.SubmittedAt)
		if n := len(buckets); n == 0 || !buckets[n-1].Start.Equal(start) {
			buckets = append(buckets, store.TimelineBucket{Start: start})
			sums = append(sums, 0)
		}
		last := &buckets[len(buckets)-1]
		last.Reviews++
		if r.Rating != nil {
			last.RatedReviews++
			sums[len(sums)-1] += *r.Rating
		}
	}

	cumRated, cumSum := 0, 0
	for i := range buckets {
		cumRated += buckets[i].RatedReviews
		cumSum += sums[i]
		buckets[i].AverageRating = mean(sums[i], buckets[i].RatedReviews)
		buckets[i].CumulativeRated = cumRated
		buckets[i].CumulativeAverage = mean(cumSum, cumRated)
	}
	return buckets
}

func mean(sum, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(sum) / float64(n)
	return &v
}

// currentAnalysis returns the analyzer's result for the review's current
// content. The caller holds s.mu.
func (s *Store) currentAnalysis(r store.Review, analyzer string) (store.Analysis, bool) {
	a, ok := s.analyses[analyzer][r.ID]
	return a, ok && a.ContentHash == r.ContentHash
}

func (s *Store) aspectMonths(reviews []store.Review, analyzer string) []store.AspectMonth {
	type key struct {
		aspect string
		month  time.Time
	}
	sums := map[key][2]int{}
	for _, r := range reviews {
		a, ok := s.currentAnalysis(r, analyzer)
		if !ok {
			continue
		}
		for _, score := range a.Aspects {
			if score.Score == nil {
				continue
			}
			k := key{score.Aspect, bucketStart(store.BucketMonth, r.SubmittedAt)}
			v := sums[k]
			sums[k] = [2]int{v[0] + *score.Score, v[1] + 1}
		}
	}

	months := []store.AspectMonth{}
	for k, v := range sums {
		months = append(months, store.AspectMonth{Aspect: k.aspect, Month: k.month, Mentioned: v[1], Average: float64(v[0]) / float64(v[1])})
	}
	slices.SortFunc(months, func(a, b store.AspectMonth) int {
		return cmp.Or(cmp.Compare(a.Aspect, b.Aspect), a.Month.Compare(b.Month))
	})
	return months
}

// mostHelpful returns the review with the most helpful votes whose overall
// score has the sign of sign. The caller holds s.mu.
func (s *Store) mostHelpful(reviews []store.Review, analyzer string, sign int) *store.HelpfulReview {
	var best *store.HelpfulReview
	for _, r := range reviews {
		a, ok := s.currentAnalysis(r, analyzer)
		if !ok {
			continue
		}
		for _, score := range a.Aspects {
			if score.Aspect != store.Overall || score.Score == nil || *score.Score*sign <= 0 {
				continue
			}
			candidate := &store.HelpfulReview{Review: r, Overall: *score.Score, Evidence: score.Evidence}
			if best == nil || helpfulOrder(candidate.Review, best.Review) < 0 {
				best = candidate
			}
		}
	}
	return best
}

// helpfulOrder sorts by helpful votes, then id, both descending, the order
// of the reviews_movie_helpful index read backwards.
func helpfulOrder(a, b store.Review) int {
	return cmp.Or(cmp.Compare(b.HelpfulUp, a.HelpfulUp), cmp.Compare(b.ID, a.ID))
}

// DailyReviewCounts counts the reviews of each listed movie by day of
// publication from since on.
func (s *Store) DailyReviewCounts(_ context.Context, movieIDs []string, since time.Time) (map[string][]store.DayCount, error) {
	s.mu.Lock()
	defer s.mu.Unlock()

	counts := map[string][]store.DayCount{}
	first := bucketStart(store.BucketDay, since)
	for _, id := range movieIDs {
		reviews := s.movieReviews(id, false)
		slices.Reverse(reviews)
		for _, r := range reviews {
			if r.SubmittedAt.Before(first) {
				continue
			}
			days := counts[id]
			if n := len(days); n > 0 && days[n-1].Day.Equal(r.SubmittedAt) {
				days[n-1].Reviews++
				continue
			}
			counts[id] = append(days, store.DayCount{Day: r.SubmittedAt.UTC(), Reviews: 1})
		}
	}
	return counts, nil
}
