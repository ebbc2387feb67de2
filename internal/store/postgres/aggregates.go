package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

// bucketStart is the SQL expression of the first day of the bucket that
// holds the day column of review_days. Weeks start on Monday. Timestamps
// without time zone keep the session's time zone out of the result.
func bucketStart(b store.Bucket) string {
	switch b {
	case store.BucketDay:
		return `day`
	case store.BucketWeek:
		return `(day - (extract(isodow FROM day)::integer - 1))`
	default:
		return `date_trunc('month', day::timestamp)::date`
	}
}

// Aggregates computes the movie's aggregates from one snapshot of the
// database: the timeline, aspect months and recent counts from the
// rollups, and the most helpful reviews from the reviews.
func (s *Store) Aggregates(ctx context.Context, q store.AggregateQuery) (store.Aggregates, error) {
	if q.Bucket == "" {
		q.Bucket = store.BucketMonth
	}
	if _, err := store.ParseBucket(string(q.Bucket)); err != nil {
		return store.Aggregates{}, fmt.Errorf("compute aggregates of movie %s: %w", q.MovieID, err)
	}

	agg := store.Aggregates{MovieID: q.MovieID, Bucket: q.Bucket}
	err := s.read(ctx, func(tx pgx.Tx) error {
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM movies WHERE id = $1)`, q.MovieID).Scan(&exists); err != nil {
			return err
		}
		if !exists {
			return store.ErrNotFound
		}
		if err := timeline(ctx, tx, q, &agg); err != nil {
			return fmt.Errorf("timeline: %w", err)
		}
		if err := aspectMonths(ctx, tx, q, &agg); err != nil {
			return fmt.Errorf("aspect months: %w", err)
		}
		if err := recentCounts(ctx, tx, q, &agg); err != nil {
			return fmt.Errorf("recent counts: %w", err)
		}
		if err := mostHelpful(ctx, tx, q, ">", &agg.MostHelpfulPositive); err != nil {
			return fmt.Errorf("most helpful positive review: %w", err)
		}
		if err := mostHelpful(ctx, tx, q, "<", &agg.MostHelpfulNegative); err != nil {
			return fmt.Errorf("most helpful negative review: %w", err)
		}
		return nil
	})
	if err != nil {
		return store.Aggregates{}, fmt.Errorf("compute aggregates of movie %s by %s with %s: %w", q.MovieID, q.Bucket, q.Analyzer, err)
	}
	return agg, nil
}

func timeline(ctx context.Context, tx pgx.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	query := `SELECT day, reviews::bigint, rated::bigint, rating_sum FROM review_days WHERE movie_id = $1 ORDER BY day`
	if q.Bucket != store.BucketDay {
		query = `SELECT ` + bucketStart(q.Bucket) + ` AS bucket, sum(reviews)::bigint, sum(rated)::bigint,
				sum(rating_sum)::bigint
			FROM review_days WHERE movie_id = $1 GROUP BY bucket ORDER BY bucket`
	}
	rows, err := tx.Query(ctx, query, q.MovieID)
	if err != nil {
		return err
	}

	var (
		b         store.TimelineBucket
		ratingSum int
		cumSum    int
	)
	agg.Timeline = []store.TimelineBucket{}
	_, err = pgx.ForEachRow(rows, []any{&b.Start, &b.Reviews, &b.RatedReviews, &ratingSum}, func() error {
		bucket := store.TimelineBucket{Start: utc(b.Start), Reviews: b.Reviews, RatedReviews: b.RatedReviews,
			AverageRating: mean(ratingSum, b.RatedReviews), CumulativeRated: b.RatedReviews}
		if n := len(agg.Timeline); n > 0 {
			bucket.CumulativeRated += agg.Timeline[n-1].CumulativeRated
		}
		cumSum += ratingSum
		bucket.CumulativeAverage = mean(cumSum, bucket.CumulativeRated)
		agg.Timeline = append(agg.Timeline, bucket)
		return nil
	})
	return err
}

func mean(sum, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(sum) / float64(n)
	return &v
}

func aspectMonths(ctx context.Context, tx pgx.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	rows, err := tx.Query(ctx, `SELECT aspect, month, score_m2, score_m1, score_0, score_p1, score_p2
		FROM aspect_months WHERE movie_id = $1 AND analyzer = $2
		ORDER BY aspect, month`, q.MovieID, q.Analyzer)
	if err != nil {
		return err
	}

	var (
		m store.AspectMonth
		h [5]int
	)
	agg.AspectMonths = []store.AspectMonth{}
	_, err = pgx.ForEachRow(rows, []any{&m.Aspect, &m.Month, &h[0], &h[1], &h[2], &h[3], &h[4]}, func() error {
		mentioned, average := store.HistogramMean(h)
		if average == nil {
			return nil // analyzed, but no review of the month mentions the aspect
		}
		agg.AspectMonths = append(agg.AspectMonths,
			store.AspectMonth{Aspect: m.Aspect, Month: utc(m.Month), Mentioned: mentioned, Average: *average})
		return nil
	})
	return err
}

func recentCounts(ctx context.Context, tx pgx.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	return tx.QueryRow(ctx, `SELECT
			coalesce(sum(reviews) FILTER (WHERE day >= $2), 0),
			coalesce(sum(reviews), 0)
		FROM review_days WHERE movie_id = $1 AND day >= $3`,
		q.MovieID, date(q.Now.Add(-24*time.Hour)), date(q.Now.Add(-7*24*time.Hour))).
		Scan(&agg.NewLastDay, &agg.NewLastWeek)
}

// mostHelpful reads the review with the most helpful votes whose overall
// score compares to zero with op, "<" or ">". It walks the movie's reviews
// from the most helpful down and stops at the first that qualifies; OFFSET
// 0 keeps the planner from turning the lookup of each review's score into
// a join of every review. The aspect rollup shows first whether any
// review qualifies, since the walk would otherwise read them all.
// NOTE: when few reviews qualify, the walk still reads many of the others.
func mostHelpful(ctx context.Context, tx pgx.Tx, q store.AggregateQuery, op string, dest **store.HelpfulReview) error {
	scores := `score_p1 + score_p2`
	if op == "<" {
		scores = `score_m2 + score_m1`
	}
	var qualifying int
	err := tx.QueryRow(ctx, `SELECT coalesce(sum(`+scores+`), 0) FROM aspect_months
		WHERE movie_id = $1 AND analyzer = $2 AND aspect = $3`, q.MovieID, q.Analyzer, store.Overall).Scan(&qualifying)
	if err != nil || qualifying == 0 {
		return err
	}

	rows, err := tx.Query(ctx, `SELECT `+reviewColumns+`, o.score, o.evidence
		FROM reviews r
		CROSS JOIN LATERAL (SELECT s.score, s.evidence FROM analyses a
			JOIN analysis_aspects s ON s.analysis_id = a.id AND s.aspect = $3
			WHERE a.review_id = r.id AND a.analyzer = $2 AND a.content_hash = r.content_hash
			OFFSET 0) AS o
		WHERE r.movie_id = $1 AND r.deleted_at IS NULL AND o.score `+op+` 0
		ORDER BY r.helpful_up DESC, r.id DESC LIMIT 1`, q.MovieID, q.Analyzer, store.Overall)
	if err != nil {
		return err
	}

	h := store.HelpfulReview{}
	review, err := pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (store.Review, error) {
		return scanReview(extraScanner{row, []any{&h.Overall, &h.Evidence}})
	})
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	h.Review = review
	*dest = &h
	return nil
}

// extraScanner scans the columns of a review followed by extra columns.
type extraScanner struct {
	pgx.CollectableRow
	extra []any
}

func (e extraScanner) Scan(dest ...any) error {
	return e.CollectableRow.Scan(append(dest, e.extra...)...)
}

// DailyReviewCounts counts the reviews of each listed movie by day of
// publication from since on.
func (s *Store) DailyReviewCounts(ctx context.Context, movieIDs []string, since time.Time) (map[string][]store.DayCount, error) {
	counts := map[string][]store.DayCount{}
	if len(movieIDs) == 0 {
		return counts, nil
	}

	rows, err := s.pool.Query(ctx, `SELECT movie_id, day, reviews
		FROM review_days
		WHERE movie_id = ANY($1) AND day >= $2
		ORDER BY movie_id, day`, movieIDs, date(since))
	if err != nil {
		return nil, fmt.Errorf("count daily reviews of %d movies: %w", len(movieIDs), err)
	}

	var (
		movieID string
		c       store.DayCount
	)
	_, err = pgx.ForEachRow(rows, []any{&movieID, &c.Day, &c.Reviews}, func() error {
		counts[movieID] = append(counts[movieID], store.DayCount{Day: utc(c.Day), Reviews: c.Reviews})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count daily reviews of %d movies: %w", len(movieIDs), err)
	}
	return counts, nil
}
