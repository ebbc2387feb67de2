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
// earlier result, aspects included, of the same analyzer for its review,
// and adds the difference they make to the aspect rollup. The analyses go
// in one batch and the rollup changes in another, so that the round trips
// to the server do not grow with the number of analyses.
func (s *Store) SaveAnalyses(ctx context.Context, analyses []store.Analysis) error {
	if len(analyses) == 0 {
		return nil
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		return saveAnalyses(ctx, tx, analyses)
	})
}

// saveAnalyses is SaveAnalyses within tx.
func saveAnalyses(ctx context.Context, tx pgx.Tx, analyses []store.Analysis) error {
	if err := lockAnalyzedMovies(ctx, tx, analyses); err != nil {
		return err
	}
	deltas, err := analysisDeltas(ctx, tx, analyses)
	if err != nil {
		return err
	}
	batch := &pgx.Batch{}
	for _, a := range analyses {
		queueAnalysis(batch, a)
	}
	results := tx.SendBatch(ctx, batch)
	for _, a := range analyses {
		for range analysisStatements {
			if _, err := results.Exec(); err != nil {
				results.Close()
				return fmt.Errorf("save %s analysis of review %s: %w", a.Analyzer, a.ReviewID, err)
			}
		}
	}
	if err := results.Close(); err != nil {
		return err
	}
	return applyAspectDeltas(ctx, tx, deltas)
}

// lockAnalyzedMovies locks the rows of the movies whose reviews the
// analyses are of, in id order. The rollup deltas are computed from the
// stored results, so two transactions that computed them at once would
// both add their change. A review pass takes the same lock by updating the
// movie row first, so it does not recompute a month in between either.
func lockAnalyzedMovies(ctx context.Context, tx pgx.Tx, analyses []store.Analysis) error {
	ids := make([]string, len(analyses))
	for i, a := range analyses {
		ids[i] = a.ReviewID
	}
	_, err := tx.Exec(ctx, `SELECT id FROM movies
		WHERE id IN (SELECT movie_id FROM reviews WHERE id = ANY($1))
		ORDER BY id FOR NO KEY UPDATE`, ids)
	if err != nil {
		return fmt.Errorf("lock the movies of %d analyses: %w", len(analyses), err)
	}
	return nil
}

// analysisStatements is the number of statements queueAnalysis queues.
const analysisStatements = 4

// queueAnalysis queues the statements that store one analysis. The
// aspects find the analysis by its unique (review_id, analyzer) key, so
// that no statement waits for the id that the upsert returns.
func queueAnalysis(batch *pgx.Batch, a store.Analysis) {
	batch.Queue(`INSERT INTO analyses
		(review_id, analyzer, analyzer_version, content_hash, analyzed_at, trimmed)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (review_id, analyzer) DO UPDATE SET
			analyzer_version = excluded.analyzer_version,
			content_hash = excluded.content_hash,
			analyzed_at = excluded.analyzed_at,
			trimmed = excluded.trimmed`,
		a.ReviewID, a.Analyzer, a.AnalyzerVersion, a.ContentHash, a.AnalyzedAt, a.Trimmed)
	batch.Queue(`DELETE FROM analysis_failures WHERE review_id = $1 AND analyzer = $2`, a.ReviewID, a.Analyzer)
	batch.Queue(`DELETE FROM analysis_aspects
		WHERE analysis_id = (SELECT id FROM analyses WHERE review_id = $1 AND analyzer = $2)`, a.ReviewID, a.Analyzer)

	names := make([]string, len(a.Aspects))
	scores := make([]*int16, len(a.Aspects))
	evidence := make([]string, len(a.Aspects))
	for i, aspect := range a.Aspects {
		names[i], evidence[i] = aspect.Aspect, aspect.Evidence
		if aspect.Score != nil {
			scores[i] = new(int16(*aspect.Score))
		}
	}
	batch.Queue(`INSERT INTO analysis_aspects (analysis_id, aspect, score, evidence)
		SELECT (SELECT id FROM analyses WHERE review_id = $1 AND analyzer = $2), aspect, score, evidence
		FROM unnest($3::text[], $4::smallint[], $5::text[]) AS aspects (aspect, score, evidence)`,
		a.ReviewID, a.Analyzer, names, scores, evidence)
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
	var (
		exists    bool
		ratingSum int
	)
	dest := []any{&exists, &stats.ScrapedReviewCount, &stats.RatedReviewCount, &ratingSum}
	for i := range stats.RatingHistogram {
		dest = append(dest, &stats.RatingHistogram[i])
	}

	err := tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM movies WHERE id = $1),
			coalesce(sum(reviews), 0), coalesce(sum(rated), 0), coalesce(sum(rating_sum), 0),
			coalesce(sum(rated_1), 0), coalesce(sum(rated_2), 0), coalesce(sum(rated_3), 0),
			coalesce(sum(rated_4), 0), coalesce(sum(rated_5), 0), coalesce(sum(rated_6), 0),
			coalesce(sum(rated_7), 0), coalesce(sum(rated_8), 0), coalesce(sum(rated_9), 0),
			coalesce(sum(rated_10), 0)
		FROM review_days WHERE movie_id = $1`, stats.MovieID).Scan(dest...)
	if err != nil {
		return err
	}
	if !exists {
		return store.ErrNotFound
	}
	stats.AverageRating = mean(ratingSum, stats.RatedReviewCount)
	return nil
}

func monthStats(ctx context.Context, tx pgx.Tx, stats *store.MovieStats) error {
	rows, err := tx.Query(ctx, `SELECT to_char(day, 'YYYY-MM') AS month, sum(reviews), sum(rated), sum(rating_sum)
		FROM review_days WHERE movie_id = $1
		GROUP BY month ORDER BY month`, stats.MovieID)
	if err != nil {
		return err
	}

	months, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.MonthCount, error) {
		var (
			m         store.MonthCount
			ratingSum int
		)
		err := row.Scan(&m.Month, &m.Reviews, &m.RatedReviews, &ratingSum)
		m.AverageRating = mean(ratingSum, m.RatedReviews)
		return m, err
	})
	if err != nil {
		return err
	}
	stats.ReviewsByMonth = emptyIfNil(months)
	return nil
}

func aspectStats(ctx context.Context, tx pgx.Tx, analyzer string, stats *store.MovieStats) error {
	rows, err := tx.Query(ctx, `SELECT aspect, sum(analyzed),
			sum(score_m2), sum(score_m1), sum(score_0), sum(score_p1), sum(score_p2)
		FROM aspect_months WHERE movie_id = $1 AND analyzer = $2
		GROUP BY aspect ORDER BY aspect`, stats.MovieID, analyzer)
	if err != nil {
		return err
	}

	aspects, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AspectStats, error) {
		var a store.AspectStats
		dest := []any{&a.Aspect, &a.Analyzed}
		for i := range a.Histogram {
			dest = append(dest, &a.Histogram[i])
		}
		err := row.Scan(dest...)
		a.Mentioned, a.Average = store.HistogramMean(a.Histogram)
		return a, err
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
