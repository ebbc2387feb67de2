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
// holds submitted_at. Weeks start on Monday. Timestamps without time zone
// keep the session's time zone out of the result.
func bucketStart(b store.Bucket) string {
	switch b {
	case store.BucketDay:
		return `submitted_at`
	case store.BucketWeek:
		return `(submitted_at - (extract(isodow FROM submitted_at)::integer - 1))`
	default:
		return `date_trunc('month', submitted_at::timestamp)::date`
	}
}

// Aggregates computes the movie's aggregates from one snapshot of the
// database.
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
	rows, err := tx.Query(ctx, `SELECT bucket, reviews, rated, rating_sum,
			(sum(rated) OVER w)::bigint, (sum(rating_sum) OVER w)::bigint
		FROM (SELECT `+bucketStart(q.Bucket)+` AS bucket, count(*) AS reviews,
				count(rating) AS rated, coalesce(sum(rating), 0)::bigint AS rating_sum
			FROM reviews WHERE movie_id = $1 AND deleted_at IS NULL
			GROUP BY bucket) AS buckets
		WINDOW w AS (ORDER BY bucket ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
		ORDER BY bucket`, q.MovieID)
	if err != nil {
		return err
	}

	buckets, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.TimelineBucket, error) {
		var (
			b                 store.TimelineBucket
			ratingSum, cumSum int
		)
		err := row.Scan(&b.Start, &b.Reviews, &b.RatedReviews, &ratingSum, &b.CumulativeRated, &cumSum)
		b.Start = utc(b.Start)
		b.AverageRating = mean(ratingSum, b.RatedReviews)
		b.CumulativeAverage = mean(cumSum, b.CumulativeRated)
		return b, err
	})
	if err != nil {
		return err
	}
	agg.Timeline = emptyIfNil(buckets)
	return nil
}

func mean(sum, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(sum) / float64(n)
	return &v
}

func aspectMonths(ctx context.Context, tx pgx.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	rows, err := tx.Query(ctx, `SELECT s.aspect, date_trunc('month', r.submitted_at::timestamp)::date AS month,
			count(*), avg(s.score)::double precision
		FROM reviews r
		JOIN analyses a ON a.review_id = r.id AND a.content_hash = r.content_hash
		JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE r.movie_id = $1 AND r.deleted_at IS NULL AND a.analyzer = $2 AND s.score IS NOT NULL
		GROUP BY s.aspect, month ORDER BY s.aspect, month`, q.MovieID, q.Analyzer)
	if err != nil {
		return err
	}

	months, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AspectMonth, error) {
		var m store.AspectMonth
		err := row.Scan(&m.Aspect, &m.Month, &m.Mentioned, &m.Average)
		m.Month = utc(m.Month)
		return m, err
	})
	if err != nil {
		return err
	}
	agg.AspectMonths = emptyIfNil(months)
	return nil
}

func recentCounts(ctx context.Context, tx pgx.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	return tx.QueryRow(ctx, `SELECT
			count(*) FILTER (WHERE submitted_at >= $2),
			count(*) FILTER (WHERE submitted_at >= $3)
		FROM reviews WHERE movie_id = $1 AND deleted_at IS NULL AND submitted_at >= $3`,
		q.MovieID, date(q.Now.Add(-24*time.Hour)), date(q.Now.Add(-7*24*time.Hour))).
		Scan(&agg.NewLastDay, &agg.NewLastWeek)
}

// mostHelpful reads the review with the most helpful votes whose overall
// score compares to zero with op, "<" or ">".
func mostHelpful(ctx context.Context, tx pgx.Tx, q store.AggregateQuery, op string, dest **store.HelpfulReview) error {
	rows, err := tx.Query(ctx, `SELECT `+reviewColumns+`, overall, evidence FROM (
			SELECT r.*, s.score AS overall, s.evidence AS evidence
			FROM reviews r
			JOIN analyses a ON a.review_id = r.id AND a.content_hash = r.content_hash
			JOIN analysis_aspects s ON s.analysis_id = a.id
			WHERE r.movie_id = $1 AND r.deleted_at IS NULL AND a.analyzer = $2
				AND s.aspect = $3 AND s.score `+op+` 0) AS scored
		ORDER BY helpful_up DESC, id DESC LIMIT 1`, q.MovieID, q.Analyzer, store.Overall)
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

	rows, err := s.pool.Query(ctx, `SELECT movie_id, submitted_at, count(*)
		FROM reviews
		WHERE movie_id = ANY($1) AND deleted_at IS NULL AND submitted_at >= $2
		GROUP BY movie_id, submitted_at ORDER BY movie_id, submitted_at`, movieIDs, date(since))
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
