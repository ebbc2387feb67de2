package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

const runColumns = `id, movie_id, started_at, finished_at, state, error, pages, fetched, declared,
	shortfall, new, edited, deleted, skipped, helpful_up_total, helpful_down_total`

// querier is satisfied by *pgxpool.Pool and pgx.Tx.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func insertRun(ctx context.Context, q querier, run store.SyncRun) (int64, error) {
	if err := store.ValidateRun(run); err != nil {
		return 0, err
	}

	var id int64
	err := q.QueryRow(ctx, `INSERT INTO sync_runs (movie_id, started_at, finished_at, state,
			error, pages, fetched, declared, shortfall, new, edited, deleted, skipped,
			helpful_up_total, helpful_down_total)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
		RETURNING id`,
		run.MovieID, run.StartedAt, run.FinishedAt, run.State, run.Error,
		run.Pages, run.Fetched, run.Declared, run.Shortfall, run.New, run.Edited, run.Deleted,
		run.Skipped, run.HelpfulUpTotal, run.HelpfulDownTotal).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store %s run: %w", run.State, err)
	}
	return id, nil
}

// RecordRun stores the run of a pass that stored nothing else.
func (s *Store) RecordRun(ctx context.Context, run store.SyncRun) (int64, error) {
	id, err := insertRun(ctx, s.pool, run)
	if err != nil {
		return 0, fmt.Errorf("record run of movie %s: %w", run.MovieID, err)
	}
	return id, nil
}

func scanRun(row pgx.Row) (store.SyncRun, error) {
	var run store.SyncRun
	err := row.Scan(&run.ID, &run.MovieID, &run.StartedAt, &run.FinishedAt, &run.State, &run.Error,
		&run.Pages, &run.Fetched, &run.Declared, &run.Shortfall, &run.New, &run.Edited,
		&run.Deleted, &run.Skipped, &run.HelpfulUpTotal, &run.HelpfulDownTotal)
	if err != nil {
		return store.SyncRun{}, err
	}

	run.StartedAt = utc(run.StartedAt)
	run.FinishedAt = utc(run.FinishedAt)
	return run, nil
}

// LastRun returns the movie's run that finished last, or an error wrapping
// store.ErrNotFound when it has none.
func (s *Store) LastRun(ctx context.Context, movieID string) (store.SyncRun, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE movie_id = $1 ORDER BY finished_at DESC, id DESC LIMIT 1`, movieID)
	run, err := scanRun(row)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.SyncRun{}, fmt.Errorf("read last run of movie %s: %w", movieID, err)
	}
	return run, nil
}

// ListRuns returns up to limit runs of the movie (all when limit is not
// positive), the last finished first.
func (s *Store) ListRuns(ctx context.Context, movieID string, limit int) ([]store.SyncRun, error) {
	var bound *int
	if limit > 0 {
		bound = &limit
	}

	rows, err := s.pool.Query(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE movie_id = $1 ORDER BY finished_at DESC, id DESC LIMIT $2`, movieID, bound)
	if err != nil {
		return nil, fmt.Errorf("list runs of movie %s: %w", movieID, err)
	}

	runs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.SyncRun, error) {
		return scanRun(row)
	})
	if err != nil {
		return nil, fmt.Errorf("list runs of movie %s: %w", movieID, err)
	}
	return emptyIfNil(runs), nil
}

// SavePoster stores the poster, replacing the movie's earlier one.
func (s *Store) SavePoster(ctx context.Context, p store.Poster) error {
	data := p.Data
	if data == nil {
		data = []byte{}
	}

	_, err := s.pool.Exec(ctx, `INSERT INTO posters
		(movie_id, source_url, content_type, data, fetched_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (movie_id) DO UPDATE SET
			source_url = excluded.source_url,
			content_type = excluded.content_type,
			data = excluded.data,
			fetched_at = excluded.fetched_at`,
		p.MovieID, p.SourceURL, p.ContentType, data, p.FetchedAt)
	if err != nil {
		return fmt.Errorf("save poster of movie %s: %w", p.MovieID, err)
	}
	return nil
}

// GetPoster returns the movie's poster, or an error wrapping
// store.ErrNotFound when none is stored.
func (s *Store) GetPoster(ctx context.Context, movieID string) (store.Poster, error) {
	p := store.Poster{MovieID: movieID}
	err := s.pool.QueryRow(ctx, `SELECT source_url, content_type, data, fetched_at
		FROM posters WHERE movie_id = $1`, movieID).Scan(&p.SourceURL, &p.ContentType, &p.Data, &p.FetchedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Poster{}, fmt.Errorf("get poster of movie %s: %w", movieID, err)
	}

	p.FetchedAt = utc(p.FetchedAt)
	return p, nil
}
