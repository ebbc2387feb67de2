package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

// The rollup tables (migration 0006) hold per-day sums of a movie's listed
// reviews and per-month sums of the analyzers' results for their current
// content. Review passes recompute the rows of the days and months they
// touch with these statements, whose $1 is the movie id and $2 an array of
// days. Saved analyses add their difference instead, with
// applyAspectDeltas.
const (
	deleteReviewDays = `DELETE FROM review_days WHERE movie_id = $1 AND day = ANY($2::date[])`
	insertReviewDays = `INSERT INTO review_days
		SELECT movie_id, submitted_at, count(*), count(rating), coalesce(sum(rating), 0),
			count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
			count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),
			count(*) FILTER (WHERE rating = 5), count(*) FILTER (WHERE rating = 6),
			count(*) FILTER (WHERE rating = 7), count(*) FILTER (WHERE rating = 8),
			count(*) FILTER (WHERE rating = 9), count(*) FILTER (WHERE rating = 10)
		FROM reviews
		WHERE movie_id = $1 AND deleted_at IS NULL AND submitted_at = ANY($2::date[])
		GROUP BY movie_id, submitted_at`
	// The aspect statements take $2, the first days of the touched
	// months, and read each month with one index range.
	deleteAspectMonths = `DELETE FROM aspect_months WHERE movie_id = $1 AND month = ANY($2::date[])`
	insertAspectMonths = `INSERT INTO aspect_months
		SELECT r.movie_id, a.analyzer, s.aspect, m.month, count(*),
			count(*) FILTER (WHERE s.score = -2), count(*) FILTER (WHERE s.score = -1),
			count(*) FILTER (WHERE s.score = 0), count(*) FILTER (WHERE s.score = 1),
			count(*) FILTER (WHERE s.score = 2)
		FROM unnest($2::date[]) AS m (month)
		JOIN reviews r ON r.movie_id = $1 AND r.submitted_at >= m.month
			AND r.submitted_at < (m.month + interval '1 month')::date
		JOIN analyses a ON a.review_id = r.id AND a.content_hash = r.content_hash
		JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE r.deleted_at IS NULL
		GROUP BY r.movie_id, a.analyzer, s.aspect, m.month`
)

// refreshDays recomputes both rollups of the movie's days and of their
// months.
func refreshDays(ctx context.Context, tx pgx.Tx, movieID string, days []time.Time) error {
	if len(days) == 0 {
		return nil
	}
	for _, statement := range []string{deleteReviewDays, insertReviewDays} {
		if _, err := tx.Exec(ctx, statement, movieID, days); err != nil {
			return fmt.Errorf("refresh the review rollup of %d days: %w", len(days), err)
		}
	}
	return refreshAspectMonths(ctx, tx, movieID, days)
}

// refreshAspectMonths recomputes the aspect rollup of the months of the
// movie's days.
func refreshAspectMonths(ctx context.Context, tx pgx.Tx, movieID string, days []time.Time) error {
	months := store.Months(days)
	for _, statement := range []string{deleteAspectMonths, insertAspectMonths} {
		if _, err := tx.Exec(ctx, statement, movieID, months); err != nil {
			return fmt.Errorf("refresh the aspect rollup of movie %s: %w", movieID, err)
		}
	}
	return nil
}

// analysisDeltas reads the reviews of the analyses and their stored
// results by the same analyzers, and returns the changes that saving the
// analyses makes to the aspect rollup.
func analysisDeltas(ctx context.Context, tx pgx.Tx, analyses []store.Analysis) (map[store.AspectKey]store.AspectCounts, error) {
	ids := make([]string, len(analyses))
	analyzers := map[string]bool{}
	for i, a := range analyses {
		ids[i] = a.ReviewID
		analyzers[a.Analyzer] = true
	}
	rows, err := tx.Query(ctx, `SELECT r.id, r.movie_id, r.submitted_at, r.deleted_at IS NULL, r.content_hash,
			a.analyzer, a.content_hash, s.aspect, s.score
		FROM reviews r
		LEFT JOIN analyses a ON a.review_id = r.id
		LEFT JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE r.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read the stored results of %d reviews: %w", len(ids), err)
	}

	reviews := map[string]store.AnalyzedReview{}
	stored := map[store.AnalysisKey]store.Analysis{}
	var (
		id                             string
		r                              store.AnalyzedReview
		analyzer, analyzedHash, aspect *string
		score                          *int
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &r.MovieID, &r.SubmittedAt, &r.Listed, &r.ContentHash, &analyzer, &analyzedHash, &aspect, &score}, func() error {
		r.SubmittedAt = utc(r.SubmittedAt)
		reviews[id] = r
		if analyzer == nil || !analyzers[*analyzer] {
			return nil
		}
		key := store.AnalysisKey{ReviewID: id, Analyzer: *analyzer}
		a := stored[key]
		a.ReviewID, a.Analyzer, a.ContentHash = id, *analyzer, *analyzedHash
		if aspect != nil {
			var value *int
			if score != nil {
				value = new(*score)
			}
			a.Aspects = append(a.Aspects, store.AspectScore{Aspect: *aspect, Score: value})
		}
		stored[key] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the stored results of %d reviews: %w", len(ids), err)
	}
	return store.AspectDeltas(reviews, stored, analyses), nil
}

// applyAspectDeltas adds the changes to the aspect rollup in one batch,
// and removes the rows left without results.
func applyAspectDeltas(ctx context.Context, tx pgx.Tx, deltas map[store.AspectKey]store.AspectCounts) error {
	if len(deltas) == 0 {
		return nil
	}
	batch := &pgx.Batch{}
	for key, c := range deltas {
		batch.Queue(`INSERT INTO aspect_months AS m
			(movie_id, analyzer, aspect, month, analyzed, score_m2, score_m1, score_0, score_p1, score_p2)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (movie_id, analyzer, aspect, month) DO UPDATE SET
				analyzed = m.analyzed + excluded.analyzed,
				score_m2 = m.score_m2 + excluded.score_m2, score_m1 = m.score_m1 + excluded.score_m1,
				score_0 = m.score_0 + excluded.score_0,
				score_p1 = m.score_p1 + excluded.score_p1, score_p2 = m.score_p2 + excluded.score_p2`,
			key.MovieID, key.Analyzer, key.Aspect, key.Month, c.Analyzed,
			c.Scores[0], c.Scores[1], c.Scores[2], c.Scores[3], c.Scores[4])
		batch.Queue(`DELETE FROM aspect_months
			WHERE movie_id = $1 AND analyzer = $2 AND aspect = $3 AND month = $4 AND analyzed = 0`,
			key.MovieID, key.Analyzer, key.Aspect, key.Month)
	}
	if err := tx.SendBatch(ctx, batch).Close(); err != nil {
		return fmt.Errorf("update the aspect rollup: %w", err)
	}
	return nil
}
