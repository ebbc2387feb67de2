package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/store"
)

// SaveAnalyses stores the analyses in one transaction, each replacing the
// earlier result, aspects included, of the same analyzer for its review,
// and adds the difference they make to the aspect rollup.
func (s *Store) SaveAnalyses(ctx context.Context, analyses []store.Analysis) error {
	if len(analyses) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		return saveAnalyses(ctx, tx, analyses)
	})
}

// saveAnalyses is SaveAnalyses within tx.
func saveAnalyses(ctx context.Context, tx *sql.Tx, analyses []store.Analysis) error {
	deltas, err := analysisDeltas(ctx, tx, analyses)
	if err != nil {
		return err
	}
	var statements analysisStatements
	for _, p := range []struct {
		dest **sql.Stmt
		text string
	}{
		{&statements.upsert, upsertAnalysis},
		{&statements.clearFailure, `DELETE FROM analysis_failures WHERE review_id = ? AND analyzer = ?`},
		{&statements.clearAspects, `DELETE FROM analysis_aspects WHERE analysis_id = ?`},
		{&statements.addAspect, `INSERT INTO analysis_aspects (analysis_id, aspect, score, evidence) VALUES (?, ?, ?, ?)`},
	} {
		statement, err := tx.PrepareContext(ctx, p.text)
		if err != nil {
			return err
		}
		defer statement.Close()
		*p.dest = statement
	}

	for _, a := range analyses {
		if err := statements.save(ctx, a); err != nil {
			return fmt.Errorf("save %s analysis of review %s: %w", a.Analyzer, a.ReviewID, err)
		}
	}
	return applyAspectDeltas(ctx, tx, deltas)
}

// analysisStatements are the statements that save one analysis, prepared
// once per transaction.
type analysisStatements struct {
	upsert, clearFailure, clearAspects, addAspect *sql.Stmt
}

// upsertAnalysis stores an analysis and returns its id.
const upsertAnalysis = `INSERT INTO analyses
	(review_id, analyzer, analyzer_version, content_hash, analyzed_at, trimmed)
	VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (review_id, analyzer) DO UPDATE SET
		analyzer_version = excluded.analyzer_version,
		content_hash = excluded.content_hash,
		analyzed_at = excluded.analyzed_at,
		trimmed = excluded.trimmed
	RETURNING id`

// save stores one analysis with its aspects and clears its failure.
func (s *analysisStatements) save(ctx context.Context, a store.Analysis) error {
	var id int64
	err := s.upsert.QueryRowContext(ctx,
		a.ReviewID, a.Analyzer, a.AnalyzerVersion, a.ContentHash, formatTime(a.AnalyzedAt), a.Trimmed).Scan(&id)
	if err != nil {
		return err
	}
	if _, err := s.clearFailure.ExecContext(ctx, a.ReviewID, a.Analyzer); err != nil {
		return err
	}
	if _, err := s.clearAspects.ExecContext(ctx, id); err != nil {
		return err
	}
	for _, aspect := range a.Aspects {
		if _, err := s.addAspect.ExecContext(ctx, id, aspect.Aspect, aspect.Score, aspect.Evidence); err != nil {
			return fmt.Errorf("aspect %s: %w", aspect.Aspect, err)
		}
	}
	return nil
}

// ReviewAnalyses returns the analyzer's result for each listed review that
// has one, with aspects ordered by name.
func (s *Store) ReviewAnalyses(ctx context.Context, analyzer string, reviewIDs []string) (map[string]store.Analysis, error) {
	analyses := map[string]store.Analysis{}
	if len(reviewIDs) == 0 {
		return analyses, nil
	}

	ids, err := json.Marshal(reviewIDs)
	if err != nil {
		return nil, fmt.Errorf("encode review ids: %w", err)
	}

	rows, err := s.reader.QueryContext(ctx, `SELECT a.review_id, a.analyzer_version, a.content_hash,
			a.analyzed_at, a.trimmed, s.aspect, s.score, s.evidence
		FROM analyses a LEFT JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE a.analyzer = ? AND a.review_id IN (SELECT value FROM json_each(?))
		ORDER BY a.review_id, s.aspect`, analyzer, string(ids))
	if err != nil {
		return nil, fmt.Errorf("read %s analyses of %d reviews: %w", analyzer, len(reviewIDs), err)
	}
	defer rows.Close()

	for rows.Next() {
		if err := addAnalysisRow(rows, analyzer, analyses); err != nil {
			return nil, fmt.Errorf("read %s analyses of %d reviews: %w", analyzer, len(reviewIDs), err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s analyses of %d reviews: %w", analyzer, len(reviewIDs), err)
	}
	return analyses, nil
}

// addAnalysisRow adds one row of an analysis joined with one of its aspects.
// The aspect columns are NULL for an analysis without aspects.
func addAnalysisRow(rows *sql.Rows, analyzer string, analyses map[string]store.Analysis) error {
	var (
		a                store.Analysis
		analyzedAt       string
		aspect, evidence sql.NullString
		score            *int
	)
	err := rows.Scan(&a.ReviewID, &a.AnalyzerVersion, &a.ContentHash, &analyzedAt, &a.Trimmed, &aspect, &score, &evidence)
	if err != nil {
		return err
	}

	if existing, ok := analyses[a.ReviewID]; ok {
		a = existing
	} else {
		var p parser
		a.Analyzer = analyzer
		a.AnalyzedAt = p.time(analyzedAt)
		a.Aspects = []store.AspectScore{}
		if p.err != nil {
			return p.err
		}
	}

	if aspect.Valid {
		a.Aspects = append(a.Aspects, store.AspectScore{Aspect: aspect.String, Score: score, Evidence: evidence.String})
	}
	analyses[a.ReviewID] = a
	return nil
}

// Stats aggregates the movie's reviews that are not deleted, and the
// analyzer's results whose content hash is the review's current one, from
// one snapshot of the database.
func (s *Store) Stats(ctx context.Context, movieID, analyzer string) (store.MovieStats, error) {
	stats := store.MovieStats{MovieID: movieID}
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := ratingStats(ctx, tx, &stats); err != nil {
			return err
		}
		if err := monthStats(ctx, tx, &stats); err != nil {
			return err
		}
		return aspectStats(ctx, tx, analyzer, &stats)
	})
	if err != nil {
		return store.MovieStats{}, fmt.Errorf("compute stats of movie %s with %s: %w", movieID, analyzer, err)
	}
	return stats, nil
}

func ratingStats(ctx context.Context, tx *sql.Tx, stats *store.MovieStats) error {
	var (
		exists    bool
		ratingSum int
	)
	dest := []any{&exists, &stats.ScrapedReviewCount, &stats.RatedReviewCount, &ratingSum}
	for i := range stats.RatingHistogram {
		dest = append(dest, &stats.RatingHistogram[i])
	}

	err := tx.QueryRowContext(ctx, `SELECT
			EXISTS (SELECT 1 FROM movies WHERE id = ?1),
			coalesce(sum(reviews), 0), coalesce(sum(rated), 0), coalesce(sum(rating_sum), 0),
			coalesce(sum(rated_1), 0), coalesce(sum(rated_2), 0), coalesce(sum(rated_3), 0),
			coalesce(sum(rated_4), 0), coalesce(sum(rated_5), 0), coalesce(sum(rated_6), 0),
			coalesce(sum(rated_7), 0), coalesce(sum(rated_8), 0), coalesce(sum(rated_9), 0),
			coalesce(sum(rated_10), 0)
		FROM review_days WHERE movie_id = ?1`, stats.MovieID).Scan(dest...)
	if err != nil {
		return err
	}
	if !exists {
		return store.ErrNotFound
	}
	stats.AverageRating = mean(ratingSum, stats.RatedReviewCount)
	return nil
}

func monthStats(ctx context.Context, tx *sql.Tx, stats *store.MovieStats) error {
	rows, err := tx.QueryContext(ctx, `SELECT substr(day, 1, 7) AS month, sum(reviews), sum(rated), sum(rating_sum)
		FROM review_days WHERE movie_id = ?
		GROUP BY month ORDER BY month`, stats.MovieID)
	if err != nil {
		return err
	}
	defer rows.Close()

	stats.ReviewsByMonth = []store.MonthCount{}
	for rows.Next() {
		var (
			m         store.MonthCount
			ratingSum int
		)
		if err := rows.Scan(&m.Month, &m.Reviews, &m.RatedReviews, &ratingSum); err != nil {
			return err
		}
		m.AverageRating = mean(ratingSum, m.RatedReviews)
		stats.ReviewsByMonth = append(stats.ReviewsByMonth, m)
	}
	return rows.Err()
}

func aspectStats(ctx context.Context, tx *sql.Tx, analyzer string, stats *store.MovieStats) error {
	rows, err := tx.QueryContext(ctx, `SELECT aspect, sum(analyzed),
			sum(score_m2), sum(score_m1), sum(score_0), sum(score_p1), sum(score_p2)
		FROM aspect_months WHERE movie_id = ? AND analyzer = ?
		GROUP BY aspect ORDER BY aspect`, stats.MovieID, analyzer)
	if err != nil {
		return err
	}
	defer rows.Close()

	stats.Aspects = []store.AspectStats{}
	for rows.Next() {
		var a store.AspectStats
		dest := []any{&a.Aspect, &a.Analyzed}
		for i := range a.Histogram {
			dest = append(dest, &a.Histogram[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		a.Mentioned, a.Average = store.HistogramMean(a.Histogram)
		stats.Aspects = append(stats.Aspects, a)
	}
	return rows.Err()
}

// AddSnapshot stores a point of the movie's time series.
func (s *Store) AddSnapshot(ctx context.Context, snapshot store.Snapshot) error {
	averages, err := encodeAverages(snapshot.AspectAverages)
	if err != nil {
		return fmt.Errorf("add snapshot of movie %s: %w", snapshot.MovieID, err)
	}

	_, err = s.writer.ExecContext(ctx, `INSERT INTO movie_snapshots
		(movie_id, taken_at, declared_review_count, scraped_review_count, average_rating, aspect_averages)
		VALUES (?, ?, ?, ?, ?, ?)`,
		snapshot.MovieID, formatTime(snapshot.TakenAt), snapshot.DeclaredReviewCount,
		snapshot.ScrapedReviewCount, snapshot.AverageRating, averages)
	if err != nil {
		return fmt.Errorf("add snapshot of movie %s: %w", snapshot.MovieID, err)
	}
	return nil
}

// encodeAverages returns the averages as JSON text, or nil for a nil map.
func encodeAverages(averages map[string]float64) (any, error) {
	if averages == nil {
		return nil, nil
	}

	text, err := json.Marshal(averages)
	if err != nil {
		return nil, fmt.Errorf("encode aspect averages: %w", err)
	}
	return string(text), nil
}

// ListSnapshots returns the movie's snapshots oldest first.
func (s *Store) ListSnapshots(ctx context.Context, movieID string) ([]store.Snapshot, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT taken_at, declared_review_count,
			scraped_review_count, average_rating, aspect_averages
		FROM movie_snapshots WHERE movie_id = ? ORDER BY taken_at, id`, movieID)
	if err != nil {
		return nil, fmt.Errorf("list snapshots of movie %s: %w", movieID, err)
	}
	defer rows.Close()

	snapshots := []store.Snapshot{}
	for rows.Next() {
		snapshot, err := scanSnapshot(rows, movieID)
		if err != nil {
			return nil, fmt.Errorf("list snapshots of movie %s: %w", movieID, err)
		}
		snapshots = append(snapshots, snapshot)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list snapshots of movie %s: %w", movieID, err)
	}
	return snapshots, nil
}

func scanSnapshot(rows *sql.Rows, movieID string) (store.Snapshot, error) {
	var (
		snapshot = store.Snapshot{MovieID: movieID}
		takenAt  string
		averages sql.NullString
	)
	err := rows.Scan(&takenAt, &snapshot.DeclaredReviewCount, &snapshot.ScrapedReviewCount,
		&snapshot.AverageRating, &averages)
	if err != nil {
		return store.Snapshot{}, err
	}

	var p parser
	snapshot.TakenAt = p.time(takenAt)
	if p.err != nil {
		return store.Snapshot{}, p.err
	}
	if averages.Valid {
		if err := json.Unmarshal([]byte(averages.String), &snapshot.AspectAverages); err != nil {
			return store.Snapshot{}, fmt.Errorf("decode aspect averages: %w", err)
		}
	}
	return snapshot, nil
}
