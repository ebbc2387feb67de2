package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// The rollup tables (migration 0006) hold per-day sums of a movie's listed
// reviews and per-month sums of the analyzers' results for their current
// content. Review passes recompute the rows of the days and months they
// touch with these statements, whose ?1 is the movie id and ?2 a JSON
// array of "2006-01-02" days. Saved analyses add their difference instead,
// with applyAspectDeltas.
const (
	deleteReviewDays = `DELETE FROM review_days
		WHERE movie_id = ?1 AND day IN (SELECT value FROM json_each(?2))`
	insertReviewDays = `INSERT INTO review_days
		SELECT movie_id, submitted_at, count(*), count(rating), coalesce(sum(rating), 0),
			count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
			count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),
			count(*) FILTER (WHERE rating = 5), count(*) FILTER (WHERE rating = 6),
			count(*) FILTER (WHERE rating = 7), count(*) FILTER (WHERE rating = 8),
			count(*) FILTER (WHERE rating = 9), count(*) FILTER (WHERE rating = 10)
		FROM reviews
		WHERE movie_id = ?1 AND deleted_at IS NULL AND submitted_at IN (SELECT value FROM json_each(?2))
		GROUP BY movie_id, submitted_at`
	// The aspect statements take ?2, a JSON array of the first days of
	// the touched months, and read each month with one index range.
	deleteAspectMonths = `DELETE FROM aspect_months
		WHERE movie_id = ?1 AND month IN (SELECT value FROM json_each(?2))`
	insertAspectMonths = `INSERT INTO aspect_months
		SELECT r.movie_id, a.analyzer, s.aspect, m.value, count(*),
			count(*) FILTER (WHERE s.score = -2), count(*) FILTER (WHERE s.score = -1),
			count(*) FILTER (WHERE s.score = 0), count(*) FILTER (WHERE s.score = 1),
			count(*) FILTER (WHERE s.score = 2)
		FROM json_each(?2) m
		JOIN reviews r ON r.movie_id = ?1 AND r.submitted_at >= m.value AND r.submitted_at < date(m.value, '+1 month')
		JOIN analyses a ON a.review_id = r.id AND a.content_hash = r.content_hash
		JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE r.deleted_at IS NULL
		GROUP BY r.movie_id, a.analyzer, s.aspect, m.value`
)

// refreshDays recomputes both rollups of the movie's days and of their
// months.
func refreshDays(ctx context.Context, tx *sql.Tx, movieID string, days []time.Time) error {
	if len(days) == 0 {
		return nil
	}
	list, err := dateList(days)
	if err != nil {
		return err
	}
	for _, statement := range []string{deleteReviewDays, insertReviewDays} {
		if _, err := tx.ExecContext(ctx, statement, movieID, list); err != nil {
			return fmt.Errorf("refresh the review rollup of %d days: %w", len(days), err)
		}
	}
	return refreshAspectMonths(ctx, tx, movieID, days)
}

// dateList returns the days as a JSON array of "2006-01-02" texts.
func dateList(days []time.Time) (string, error) {
	texts := make([]string, len(days))
	for i, d := range days {
		texts[i] = formatDate(d)
	}
	list, err := json.Marshal(texts)
	if err != nil {
		return "", fmt.Errorf("encode the touched days: %w", err)
	}
	return string(list), nil
}

// refreshAspectMonths recomputes the aspect rollup of the months of the
// movie's days.
func refreshAspectMonths(ctx context.Context, tx *sql.Tx, movieID string, days []time.Time) error {
	list, err := dateList(store.Months(days))
	if err != nil {
		return err
	}
	for _, statement := range []string{deleteAspectMonths, insertAspectMonths} {
		if _, err := tx.ExecContext(ctx, statement, movieID, list); err != nil {
			return fmt.Errorf("refresh the aspect rollup of movie %s: %w", movieID, err)
		}
	}
	return nil
}

// analysisDeltas reads the reviews of the analyses and their stored
// results by the same analyzers, and returns the changes that saving the
// analyses makes to the aspect rollup.
func analysisDeltas(ctx context.Context, tx *sql.Tx, analyses []store.Analysis) (map[store.AspectKey]store.AspectCounts, error) {
	ids := make([]string, len(analyses))
	analyzers := map[string]bool{}
	for i, a := range analyses {
		ids[i] = a.ReviewID
		analyzers[a.Analyzer] = true
	}
	list, err := json.Marshal(ids)
	if err != nil {
		return nil, fmt.Errorf("encode review ids: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.movie_id, r.submitted_at, r.deleted_at IS NULL, r.content_hash,
			a.analyzer, a.content_hash, s.aspect, s.score
		FROM reviews r
		LEFT JOIN analyses a ON a.review_id = r.id
		LEFT JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE r.id IN (SELECT DISTINCT value FROM json_each(?))`, string(list))
	if err != nil {
		return nil, fmt.Errorf("read the stored results of %d reviews: %w", len(ids), err)
	}
	defer rows.Close()

	reviews := map[string]store.AnalyzedReview{}
	stored := map[store.AnalysisKey]store.Analysis{}
	for rows.Next() {
		var (
			id, submitted                  string
			r                              store.AnalyzedReview
			analyzer, analyzedHash, aspect sql.NullString
			score                          *int
			p                              parser
		)
		if err := rows.Scan(&id, &r.MovieID, &submitted, &r.Listed, &r.ContentHash, &analyzer, &analyzedHash, &aspect, &score); err != nil {
			return nil, fmt.Errorf("read the stored results of %d reviews: %w", len(ids), err)
		}
		if r.SubmittedAt = p.date(submitted); p.err != nil {
			return nil, p.err
		}
		reviews[id] = r
		if !analyzer.Valid || !analyzers[analyzer.String] {
			continue
		}
		key := store.AnalysisKey{ReviewID: id, Analyzer: analyzer.String}
		a := stored[key]
		a.ReviewID, a.Analyzer, a.ContentHash = id, analyzer.String, analyzedHash.String
		if aspect.Valid {
			a.Aspects = append(a.Aspects, store.AspectScore{Aspect: aspect.String, Score: score})
		}
		stored[key] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the stored results of %d reviews: %w", len(ids), err)
	}
	return store.AspectDeltas(reviews, stored, analyses), nil
}

// applyAspectDeltas adds the changes to the aspect rollup, and removes the
// rows left without results.
func applyAspectDeltas(ctx context.Context, tx *sql.Tx, deltas map[store.AspectKey]store.AspectCounts) error {
	if len(deltas) == 0 {
		return nil
	}
	add, err := tx.PrepareContext(ctx, `INSERT INTO aspect_months
		(movie_id, analyzer, aspect, month, analyzed, score_m2, score_m1, score_0, score_p1, score_p2)
		VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
		ON CONFLICT (movie_id, analyzer, aspect, month) DO UPDATE SET
			analyzed = analyzed + excluded.analyzed,
			score_m2 = score_m2 + excluded.score_m2, score_m1 = score_m1 + excluded.score_m1,
			score_0 = score_0 + excluded.score_0,
			score_p1 = score_p1 + excluded.score_p1, score_p2 = score_p2 + excluded.score_p2
		RETURNING analyzed`)
	if err != nil {
		return err
	}
	defer add.Close()
	remove, err := tx.PrepareContext(ctx, `DELETE FROM aspect_months
		WHERE movie_id = ? AND analyzer = ? AND aspect = ? AND month = ?`)
	if err != nil {
		return err
	}
	defer remove.Close()

	for key, c := range deltas {
		month := formatDate(key.Month)
		var analyzed int
		err := add.QueryRowContext(ctx, key.MovieID, key.Analyzer, key.Aspect, month, c.Analyzed,
			c.Scores[0], c.Scores[1], c.Scores[2], c.Scores[3], c.Scores[4]).Scan(&analyzed)
		if err != nil {
			return fmt.Errorf("update the aspect rollup of movie %s: %w", key.MovieID, err)
		}
		if analyzed > 0 {
			continue
		}
		if _, err := remove.ExecContext(ctx, key.MovieID, key.Analyzer, key.Aspect, month); err != nil {
			return fmt.Errorf("update the aspect rollup of movie %s: %w", key.MovieID, err)
		}
	}
	return nil
}
