package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// bucketStart is the SQL expression of the first day of the bucket that
// holds the day column of review_days, a "2006-01-02" text. Weeks start on
// Monday.
func bucketStart(b store.Bucket) string {
	switch b {
	case store.BucketDay:
		return `day`
	case store.BucketWeek:
		return `date(day, '-' || ((CAST(strftime('%w', day) AS INTEGER) + 6) % 7) || ' days')`
	default:
		return `substr(day, 1, 7) || '-01'`
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
	err := s.read(ctx, func(tx *sql.Tx) error {
		var exists bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM movies WHERE id = ?)`, q.MovieID).Scan(&exists); err != nil {
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

func timeline(ctx context.Context, tx *sql.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	query := `SELECT day, reviews, rated, rating_sum FROM review_days WHERE movie_id = ? ORDER BY day`
	if q.Bucket != store.BucketDay {
		query = `SELECT ` + bucketStart(q.Bucket) + ` AS bucket, sum(reviews), sum(rated), sum(rating_sum)
			FROM review_days WHERE movie_id = ? GROUP BY bucket ORDER BY bucket`
	}
	rows, err := tx.QueryContext(ctx, query, q.MovieID)
	if err != nil {
		return err
	}
	defer rows.Close()

	agg.Timeline = []store.TimelineBucket{}
	cumSum := 0
	for rows.Next() {
		var (
			b         store.TimelineBucket
			start     string
			ratingSum int
		)
		if err := rows.Scan(&start, &b.Reviews, &b.RatedReviews, &ratingSum); err != nil {
			return err
		}
		var p parser
		b.Start = p.date(start)
		if p.err != nil {
			return p.err
		}
		b.AverageRating = mean(ratingSum, b.RatedReviews)
		b.CumulativeRated = b.RatedReviews
		if n := len(agg.Timeline); n > 0 {
			b.CumulativeRated += agg.Timeline[n-1].CumulativeRated
		}
		cumSum += ratingSum
		b.CumulativeAverage = mean(cumSum, b.CumulativeRated)
		agg.Timeline = append(agg.Timeline, b)
	}
	return rows.Err()
}

func mean(sum, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(sum) / float64(n)
	return &v
}

func aspectMonths(ctx context.Context, tx *sql.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	rows, err := tx.QueryContext(ctx, `SELECT aspect, month, score_m2, score_m1, score_0, score_p1, score_p2
		FROM aspect_months WHERE movie_id = ? AND analyzer = ?
		ORDER BY aspect, month`, q.MovieID, q.Analyzer)
	if err != nil {
		return err
	}
	defer rows.Close()

	agg.AspectMonths = []store.AspectMonth{}
	for rows.Next() {
		var (
			m     store.AspectMonth
			month string
			h     [5]int
		)
		if err := rows.Scan(&m.Aspect, &month, &h[0], &h[1], &h[2], &h[3], &h[4]); err != nil {
			return err
		}
		mentioned, average := store.HistogramMean(h)
		if average == nil {
			continue // analyzed, but no review of the month mentions the aspect
		}
		m.Mentioned, m.Average = mentioned, *average
		var p parser
		m.Month = p.date(month)
		if p.err != nil {
			return p.err
		}
		agg.AspectMonths = append(agg.AspectMonths, m)
	}
	return rows.Err()
}

func recentCounts(ctx context.Context, tx *sql.Tx, q store.AggregateQuery, agg *store.Aggregates) error {
	return tx.QueryRowContext(ctx, `SELECT
			coalesce(sum(reviews) FILTER (WHERE day >= ?2), 0),
			coalesce(sum(reviews), 0)
		FROM review_days WHERE movie_id = ?1 AND day >= ?3`,
		q.MovieID, formatDate(q.Now.Add(-24*time.Hour)), formatDate(q.Now.Add(-7*24*time.Hour))).
		Scan(&agg.NewLastDay, &agg.NewLastWeek)
}

// mostHelpful reads the review with the most helpful votes whose overall
// score compares to zero with op, "<" or ">". SQLite walks the movie's
// reviews from the most helpful down and stops at the first that
// qualifies. The aspect rollup shows first whether any review qualifies,
// since the walk would otherwise read them all.
// NOTE: when few reviews qualify, the walk still reads many of the others.
func mostHelpful(ctx context.Context, tx *sql.Tx, q store.AggregateQuery, op string, dest **store.HelpfulReview) error {
	scores := `score_p1 + score_p2`
	if op == "<" {
		scores = `score_m2 + score_m1`
	}
	var qualifying int
	err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(`+scores+`), 0) FROM aspect_months
		WHERE movie_id = ? AND analyzer = ? AND aspect = ?`, q.MovieID, q.Analyzer, store.Overall).Scan(&qualifying)
	if err != nil || qualifying == 0 {
		return err
	}

	row := tx.QueryRowContext(ctx, `SELECT `+reviewColumns+`, overall, evidence FROM (
			SELECT r.*, s.score AS overall, s.evidence AS evidence
			FROM reviews r
			JOIN analyses a ON a.review_id = r.id AND a.content_hash = r.content_hash
			JOIN analysis_aspects s ON s.analysis_id = a.id
			WHERE r.movie_id = ? AND r.deleted_at IS NULL AND a.analyzer = ?
				AND s.aspect = ? AND s.score `+op+` 0)
		ORDER BY helpful_up DESC, id DESC LIMIT 1`, q.MovieID, q.Analyzer, store.Overall)

	h := store.HelpfulReview{}
	review, err := scanReview(extraScanner{row, []any{&h.Overall, &h.Evidence}})
	if errors.Is(err, sql.ErrNoRows) {
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
	row   rowScanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error {
	return e.row.Scan(append(dest, e.extra...)...)
}

// DailyReviewCounts counts the reviews of each listed movie by day of
// publication from since on.
func (s *Store) DailyReviewCounts(ctx context.Context, movieIDs []string, since time.Time) (map[string][]store.DayCount, error) {
	counts := map[string][]store.DayCount{}
	if len(movieIDs) == 0 {
		return counts, nil
	}
	ids, err := json.Marshal(movieIDs)
	if err != nil {
		return nil, fmt.Errorf("encode movie ids: %w", err)
	}

	rows, err := s.reader.QueryContext(ctx, `SELECT movie_id, day, reviews
		FROM review_days
		WHERE movie_id IN (SELECT value FROM json_each(?)) AND day >= ?
		ORDER BY movie_id, day`, string(ids), formatDate(since))
	if err != nil {
		return nil, fmt.Errorf("count daily reviews of %d movies: %w", len(movieIDs), err)
	}
	defer rows.Close()

	for rows.Next() {
		var (
			movieID, day string
			c            store.DayCount
		)
		if err := rows.Scan(&movieID, &day, &c.Reviews); err != nil {
			return nil, fmt.Errorf("count daily reviews of %d movies: %w", len(movieIDs), err)
		}
		var p parser
		c.Day = p.date(day)
		if p.err != nil {
			return nil, fmt.Errorf("count daily reviews of %d movies: %w", len(movieIDs), p.err)
		}
		counts[movieID] = append(counts[movieID], c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count daily reviews of %d movies: %w", len(movieIDs), err)
	}
	return counts, nil
}
