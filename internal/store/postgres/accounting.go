package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

// SaveAnalysisFailures stores the failures in one transaction, each
// replacing the earlier failure of the same analyzer for its review.
func (s *Store) SaveAnalysisFailures(ctx context.Context, failures []store.AnalysisFailure) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, f := range failures {
			_, err := tx.Exec(ctx, `INSERT INTO analysis_failures
				(review_id, analyzer, analyzer_version, content_hash, reason, failed_at)
				VALUES ($1, $2, $3, $4, $5, $6)
				ON CONFLICT (review_id, analyzer) DO UPDATE SET
					analyzer_version = excluded.analyzer_version,
					content_hash = excluded.content_hash,
					reason = excluded.reason,
					failed_at = excluded.failed_at`,
				f.ReviewID, f.Analyzer, f.AnalyzerVersion, f.ContentHash, f.Reason, f.FailedAt)
			if err != nil {
				return fmt.Errorf("save %s failure of review %s: %w", f.Analyzer, f.ReviewID, err)
			}
		}
		return nil
	})
}

// AnalysisFailures returns the movie's failures by the analyzer for the
// current content of reviews that are not deleted, newest first.
func (s *Store) AnalysisFailures(ctx context.Context, movieID, analyzer string, limit int) ([]store.AnalysisFailure, error) {
	var bound *int
	if limit > 0 {
		bound = &limit
	}
	rows, err := s.pool.Query(ctx, `SELECT f.review_id, f.analyzer_version, f.content_hash, f.reason, f.failed_at
		FROM analysis_failures f JOIN reviews r ON r.id = f.review_id
		WHERE r.movie_id = $1 AND f.analyzer = $2 AND f.content_hash = r.content_hash AND r.deleted_at IS NULL
		ORDER BY f.failed_at DESC, f.review_id
		LIMIT $3`, movieID, analyzer, bound)
	if err != nil {
		return nil, fmt.Errorf("list %s failures of movie %s: %w", analyzer, movieID, err)
	}

	failures, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.AnalysisFailure, error) {
		f := store.AnalysisFailure{Analyzer: analyzer}
		err := row.Scan(&f.ReviewID, &f.AnalyzerVersion, &f.ContentHash, &f.Reason, &f.FailedAt)
		f.FailedAt = utc(f.FailedAt)
		return f, err
	})
	if err != nil {
		return nil, fmt.Errorf("list %s failures of movie %s: %w", analyzer, movieID, err)
	}
	return emptyIfNil(failures), nil
}

// RecordLLMCall stores the record of one language model request.
func (s *Store) RecordLLMCall(ctx context.Context, c store.LLMCall) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO llm_calls
		(called_at, analyzer, model, movie_id, reviews, prompt_tokens, completion_tokens, cost_usd, outcome)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		c.At, c.Analyzer, c.Model, c.MovieID, c.Reviews,
		c.PromptTokens, c.CompletionTokens, c.CostUSD, c.Outcome)
	if err != nil {
		return fmt.Errorf("record %s call to %s: %w", c.Analyzer, c.Model, err)
	}
	return nil
}

// LLMUsage sums the calls made at or after since by UTC day, analyzer,
// model and movie.
func (s *Store) LLMUsage(ctx context.Context, since time.Time) ([]store.LLMUsage, error) {
	rows, err := s.pool.Query(ctx, `SELECT to_char(called_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
			analyzer, model, movie_id, count(*), sum(reviews),
			sum(prompt_tokens)::bigint, sum(completion_tokens)::bigint, sum(cost_usd)
		FROM llm_calls
		WHERE called_at >= $1
		GROUP BY day, analyzer, model, movie_id
		ORDER BY day DESC, analyzer, model, movie_id`, since)
	if err != nil {
		return nil, fmt.Errorf("sum language model usage: %w", err)
	}

	usage, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.LLMUsage, error) {
		var u store.LLMUsage
		err := row.Scan(&u.Day, &u.Analyzer, &u.Model, &u.MovieID,
			&u.Calls, &u.Reviews, &u.PromptTokens, &u.CompletionTokens, &u.CostUSD)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("sum language model usage: %w", err)
	}
	return emptyIfNil(usage), nil
}

// LLMSpend returns the cost of the calls made at or after since.
func (s *Store) LLMSpend(ctx context.Context, since time.Time) (float64, error) {
	var spend float64
	err := s.pool.QueryRow(ctx, `SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE called_at >= $1`, since).Scan(&spend)
	if err != nil {
		return 0, fmt.Errorf("sum language model spend since %s: %w", since.Format(time.RFC3339), err)
	}
	return spend, nil
}
