package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// SaveAnalysisFailures stores the failures in one transaction, each
// replacing the earlier failure of the same analyzer for its review.
func (s *Store) SaveAnalysisFailures(ctx context.Context, failures []store.AnalysisFailure) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, f := range failures {
			_, err := tx.ExecContext(ctx, `INSERT INTO analysis_failures
				(review_id, analyzer, analyzer_version, content_hash, reason, failed_at)
				VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (review_id, analyzer) DO UPDATE SET
					analyzer_version = excluded.analyzer_version,
					content_hash = excluded.content_hash,
					reason = excluded.reason,
					failed_at = excluded.failed_at`,
				f.ReviewID, f.Analyzer, f.AnalyzerVersion, f.ContentHash, f.Reason, formatTime(f.FailedAt))
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
	if limit <= 0 {
		limit = -1
	}
	// CROSS JOIN makes SQLite read the failures, usually few, and look up
	// each review, instead of probing the failures of every review.
	rows, err := s.reader.QueryContext(ctx, `SELECT f.review_id, f.analyzer_version, f.content_hash, f.reason, f.failed_at
		FROM analysis_failures f CROSS JOIN reviews r ON r.id = f.review_id
		WHERE r.movie_id = ? AND f.analyzer = ? AND f.content_hash = r.content_hash AND r.deleted_at IS NULL
		ORDER BY f.failed_at DESC, f.review_id
		LIMIT ?`, movieID, analyzer, limit)
	if err != nil {
		return nil, fmt.Errorf("list %s failures of movie %s: %w", analyzer, movieID, err)
	}
	defer rows.Close()

	failures := []store.AnalysisFailure{}
	for rows.Next() {
		f := store.AnalysisFailure{Analyzer: analyzer}
		var failedAt string
		if err := rows.Scan(&f.ReviewID, &f.AnalyzerVersion, &f.ContentHash, &f.Reason, &failedAt); err != nil {
			return nil, fmt.Errorf("list %s failures of movie %s: %w", analyzer, movieID, err)
		}
		var p parser
		f.FailedAt = p.time(failedAt)
		if p.err != nil {
			return nil, fmt.Errorf("list %s failures of movie %s: %w", analyzer, movieID, p.err)
		}
		failures = append(failures, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s failures of movie %s: %w", analyzer, movieID, err)
	}
	return failures, nil
}

// RecordLLMCall stores the record of one language model request.
func (s *Store) RecordLLMCall(ctx context.Context, c store.LLMCall) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO llm_calls
			(called_at, analyzer, model, movie_id, reviews, prompt_tokens, completion_tokens, cost_usd, outcome)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			formatTime(c.At), c.Analyzer, c.Model, c.MovieID, c.Reviews,
			c.PromptTokens, c.CompletionTokens, c.CostUSD, c.Outcome)
		if err != nil {
			return fmt.Errorf("record %s call to %s: %w", c.Analyzer, c.Model, err)
		}
		return nil
	})
}

// LLMUsage sums the calls made at or after since by UTC day, analyzer,
// model and movie. Stored times are UTC text, so the day is their first ten
// characters.
func (s *Store) LLMUsage(ctx context.Context, since time.Time) ([]store.LLMUsage, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT substr(called_at, 1, 10) AS day, analyzer, model, movie_id,
			count(*), sum(reviews), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd)
		FROM llm_calls
		WHERE called_at >= ?
		GROUP BY day, analyzer, model, movie_id
		ORDER BY day DESC, analyzer, model, movie_id`, formatTime(since))
	if err != nil {
		return nil, fmt.Errorf("sum language model usage: %w", err)
	}
	defer rows.Close()

	usage := []store.LLMUsage{}
	for rows.Next() {
		var u store.LLMUsage
		err := rows.Scan(&u.Day, &u.Analyzer, &u.Model, &u.MovieID,
			&u.Calls, &u.Reviews, &u.PromptTokens, &u.CompletionTokens, &u.CostUSD)
		if err != nil {
			return nil, fmt.Errorf("sum language model usage: %w", err)
		}
		usage = append(usage, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sum language model usage: %w", err)
	}
	return usage, nil
}

// LLMSpend returns the cost of the calls made at or after since.
func (s *Store) LLMSpend(ctx context.Context, since time.Time) (float64, error) {
	var spend float64
	err := s.reader.QueryRowContext(ctx, `SELECT coalesce(sum(cost_usd), 0) FROM llm_calls WHERE called_at >= ?`,
		formatTime(since)).Scan(&spend)
	if err != nil {
		return 0, fmt.Errorf("sum language model spend since %s: %w", since.Format(time.RFC3339), err)
	}
	return spend, nil
}
