package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

// SaveAnalyses stores the analyses in one transaction, each replacing the
// earlier result, aspects included, of the same analyzer for its review.
func (s *Store) SaveAnalyses(ctx context.Context, analyses []store.Analysis) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, a := range analyses {
			if err := saveAnalysis(ctx, tx, a); err != nil {
				return fmt.Errorf("save %s analysis of review %s: %w", a.Analyzer, a.ReviewID, err)
			}
		}
		return nil
	})
}

func saveAnalysis(ctx context.Context, tx pgx.Tx, a store.Analysis) error {
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO analyses
		(review_id, analyzer, analyzer_version, content_hash, analyzed_at, trimmed)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (review_id, analyzer) DO UPDATE SET
			analyzer_version = excluded.analyzer_version,
			content_hash = excluded.content_hash,
			analyzed_at = excluded.analyzed_at,
			trimmed = excluded.trimmed
		RETURNING id`,
		a.ReviewID, a.Analyzer, a.AnalyzerVersion, a.ContentHash, a.AnalyzedAt, a.Trimmed).Scan(&id)
	if err != nil {
		return err
	}

	_, err = tx.Exec(ctx, `DELETE FROM analysis_failures WHERE review_id = $1 AND analyzer = $2`, a.ReviewID, a.Analyzer)
	if err != nil {
		return err
	}

	batch := &pgx.Batch{}
	batch.Queue(`DELETE FROM analysis_aspects WHERE analysis_id = $1`, id)
	for _, aspect := range a.Aspects {
		batch.Queue(`INSERT INTO analysis_aspects (analysis_id, aspect, score, evidence) VALUES ($1, $2, $3, $4)`,
			id, aspect.Aspect, aspect.Score, aspect.Evidence)
	}
	return tx.SendBatch(ctx, batch).Close()
}

// ReviewAnalyses returns the analyzer's result for each listed review that
// has one, with aspects ordered by name.
func (s *Store) ReviewAnalyses(ctx context.Context, analyzer string, reviewIDs []string) (map[string]store.Analysis, error) {
	analyses := map[string]store.Analysis{}
	if len(reviewIDs) == 0 {
		return analyses, nil
	}

	rows, err := s.pool.Query(ctx, `SELECT a.review_id, a.analyzer_version, a.content_hash,
			a.analyzed_at, a.trimmed, s.aspect, s.score, s.evidence
		FROM analyses a LEFT JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE a.analyzer = $1 AND a.review_id = ANY($2)
		ORDER BY a.review_id, s.aspect`, analyzer, reviewIDs)
	if err != nil {
		return nil, fmt.Errorf("read %s analyses of %d reviews: %w", analyzer, len(reviewIDs), err)
	}

	var (
		a                analysisRow
		aspect, evidence *string
		score            *int
	)
	_, err = pgx.ForEachRow(rows, []any{&a.ReviewID, &a.AnalyzerVersion, &a.ContentHash, &a.AnalyzedAt, &a.Trimmed, &aspect, &score, &evidence}, func() error {
		addAnalysisRow(analyses, analyzer, a, aspect, score, evidence)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s analyses of %d reviews: %w", analyzer, len(reviewIDs), err)
	}
	return analyses, nil
}

// analysisRow holds the analysis columns of a row joining an analysis with
// one of its aspects.
type analysisRow struct {
	ReviewID        string
	AnalyzerVersion string
	ContentHash     string
	AnalyzedAt      time.Time
	Trimmed         bool
}

// addAnalysisRow adds one row to the analyses. The aspect columns are NULL
// for an analysis without aspects.
func addAnalysisRow(analyses map[string]store.Analysis, analyzer string, row analysisRow, aspect *string, score *int, evidence *string) {
	a, ok := analyses[row.ReviewID]
	if !ok {
		a = store.Analysis{
			ReviewID:        row.ReviewID,
			Analyzer:        analyzer,
			AnalyzerVersion: row.AnalyzerVersion,
			ContentHash:     row.ContentHash,
			AnalyzedAt:      utc(row.AnalyzedAt),
			Trimmed:         row.Trimmed,
			Aspects:         []store.AspectScore{},
		}
	}

	if aspect != nil {
		var value *int
		if score != nil {
			value = new(*score)
		}
		a.Aspects = append(a.Aspects, store.AspectScore{Aspect: *aspect, Score: value, Evidence: *evidence})
	}
	analyses[row.ReviewID] = a
}

// Stats aggregates the movie's reviews that are not deleted, and the
// analyzer's results whose content hash is the review's current one, from
// one snapshot of the database.
func (s *Store) Stats(ctx context.Context, movieID, analyzer string) (store.MovieStats, error) {
	stats := store.MovieStats{MovieID: movieID}
	err := s.read(ctx, func(tx pgx.Tx) error {
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

func ratingStats(ctx context.Context, tx pgx.Tx, stats *store.MovieStats) error {
	var exists bool
	dest := []any{&exists, &stats.ScrapedReviewCount, &stats.RatedReviewCount, &stats.AverageRating}
	for i := range stats.RatingHistogram {
		dest = append(dest, &stats.RatingHistogram[i])
	}

	err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM movies WHERE id = $1),
			count(*), count(rating), avg(rating)::double precision,
			count(*) FILTER (WHERE rating = 1), count(*) FILTER (WHERE rating = 2),
			count(*) FILTER (WHERE rating = 3), count(*) FILTER (WHERE rating = 4),
			count(*) FILTER (WHERE rating = 5), count(*) FILTER (WHERE rating = 6),
			count(*) FILTER (WHERE rating = 7), count(*) FILTER (WHERE rating = 8),
			count(*) FILTER (WHERE rating = 9), count(*) FILTER (WHERE rating = 10)
		FROM reviews WHERE movie_id = $1 AND deleted_at IS NULL`, stats.MovieID).Scan(dest...)
	if err != nil {
		return err
	}
	if !exists {
		return store.ErrNotFound
	}
	return nil
}

func monthStats(ctx context.Context, tx pgx.Tx, stats *store.MovieStats) error {
	rows, err := tx.Query(ctx, `SELECT to_char(submitted_at, 'YYYY-MM') AS month, count(*), count(rating),
			avg(rating)::double precision
		FROM reviews WHERE movie_id = $1 AND deleted_at IS NULL
		GROUP BY month ORDER BY month`, stats.MovieID)
	if err != nil {
		return err
	}

	months, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.MonthCount, error) {
		var m store.MonthCount
		return m, row.Scan(&m.Month, &m.Reviews, &m.RatedReviews, &m.AverageRating)
	})
	if err != nil {
		return err
	}
	stats.ReviewsByMonth = emptyIfNil(months)
	return nil
}

func aspectStats(ctx context.Context, tx pgx.Tx, analyzer string, stats *store.MovieStats) error {
	rows, err := tx.Query(ctx, `SELECT s.aspect, count(*), count(s.score), avg(s.score)::double precision,
			count(*) FILTER (WHERE s.score = -2), count(*) FILTER (WHERE s.score = -1),
			count(*) FILTER (WHERE s.score = 0), count(*) FILTER (WHERE s.score = 1),
			count(*) FILTER (WHERE s.score = 2)
		FROM reviews r
		JOIN analyses a ON a.review_id = r.id AND a.content_hash = r.content_hash
		JOIN analysis_aspects s ON s.analysis_id = a.id
		WHERE r.movie_id = $1 AND r.deleted_at IS NULL AND a.analyzer = $2
		GROUP BY s.aspect ORDER BY s.aspect`, stats.MovieID, analyzer)
	if err != nil {
		return err
	}

	aspects, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AspectStats, error) {
		var a store.AspectStats
		dest := []any{&a.Aspect, &a.Analyzed, &a.Mentioned, &a.Average}
		for i := range a.Histogram {
			dest = append(dest, &a.Histogram[i])
		}
		return a, row.Scan(dest...)
	})
	if err != nil {
		return err
	}
	stats.Aspects = emptyIfNil(aspects)
	return nil
}

// AddSnapshot stores a point of the movie's time series.
func (s *Store) AddSnapshot(ctx context.Context, snapshot store.Snapshot) error {
	var averages []byte
	if snapshot.AspectAverages != nil {
		encoded, err := json.Marshal(snapshot.AspectAverages)
		if err != nil {
			return fmt.Errorf("add snapshot of movie %s: encode aspect averages: %w", snapshot.MovieID, err)
		}
		averages = encoded
	}

	_, err := s.pool.Exec(ctx, `INSERT INTO movie_snapshots
		(movie_id, taken_at, declared_review_count, scraped_review_count, average_rating, aspect_averages)
		VALUES ($1, $2, $3, $4, $5, $6::text::jsonb)`,
		snapshot.MovieID, snapshot.TakenAt, snapshot.DeclaredReviewCount,
		snapshot.ScrapedReviewCount, snapshot.AverageRating, nullableText(averages))
	if err != nil {
		return fmt.Errorf("add snapshot of movie %s: %w", snapshot.MovieID, err)
	}
	return nil
}

// nullableText returns nil for nil, so that it binds as NULL.
func nullableText(b []byte) *string {
	if b == nil {
		return nil
	}
	text := string(b)
	return &text
}

// ListSnapshots returns the movie's snapshots oldest first.
func (s *Store) ListSnapshots(ctx context.Context, movieID string) ([]store.Snapshot, error) {
	rows, err := s.pool.Query(ctx, `SELECT taken_at, declared_review_count,
			scraped_review_count, average_rating, aspect_averages::text
		FROM movie_snapshots WHERE movie_id = $1 ORDER BY taken_at, id`, movieID)
	if err != nil {
		return nil, fmt.Errorf("list snapshots of movie %s: %w", movieID, err)
	}

	snapshots, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Snapshot, error) {
		return scanSnapshot(row, movieID)
	})
	if err != nil {
		return nil, fmt.Errorf("list snapshots of movie %s: %w", movieID, err)
	}
	return emptyIfNil(snapshots), nil
}

func scanSnapshot(row pgx.CollectableRow, movieID string) (store.Snapshot, error) {
	snapshot := store.Snapshot{MovieID: movieID}
	var averages *string
	err := row.Scan(&snapshot.TakenAt, &snapshot.DeclaredReviewCount, &snapshot.ScrapedReviewCount,
		&snapshot.AverageRating, &averages)
	if err != nil {
		return store.Snapshot{}, err
	}

	snapshot.TakenAt = utc(snapshot.TakenAt)
	if averages != nil {
		if err := json.Unmarshal([]byte(*averages), &snapshot.AspectAverages); err != nil {
			return store.Snapshot{}, fmt.Errorf("decode aspect averages: %w", err)
		}
	}
	return snapshot, nil
}
