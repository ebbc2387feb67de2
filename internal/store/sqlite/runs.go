package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/store"
)

const runColumns = `id, movie_id, started_at, finished_at, state, error, pages, fetched, declared,
	shortfall, new, edited, deleted, skipped, helpful_up_total, helpful_down_total`

// querier is satisfied by *sql.DB and *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func insertRun(ctx context.Context, q querier, run store.SyncRun) (int64, error) {
	if err := store.ValidateRun(run); err != nil {
		return 0, err
	}

	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO sync_runs (movie_id, started_at, finished_at, state,
			error, pages, fetched, declared, shortfall, new, edited, deleted, skipped,
			helpful_up_total, helpful_down_total)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`,
		run.MovieID, formatTime(run.StartedAt), formatTime(run.FinishedAt), run.State, run.Error,
		run.Pages, run.Fetched, run.Declared, run.Shortfall, run.New, run.Edited, run.Deleted,
		run.Skipped, run.HelpfulUpTotal, run.HelpfulDownTotal).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store %s run: %w", run.State, err)
	}
	return id, nil
}

// RecordRun stores the run of a pass that stored nothing else.
func (s *Store) RecordRun(ctx context.Context, run store.SyncRun) (int64, error) {
	id, err := insertRun(ctx, s.writer, run)
	if err != nil {
		return 0, fmt.Errorf("record run of movie %s: %w", run.MovieID, err)
	}
	return id, nil
}

func scanRun(row rowScanner) (store.SyncRun, error) {
	var (
		run                   store.SyncRun
		startedAt, finishedAt string
	)
	err := row.Scan(&run.ID, &run.MovieID, &startedAt, &finishedAt, &run.State, &run.Error,
		&run.Pages, &run.Fetched, &run.Declared, &run.Shortfall, &run.New, &run.Edited,
		&run.Deleted, &run.Skipped, &run.HelpfulUpTotal, &run.HelpfulDownTotal)
	if err != nil {
		return store.SyncRun{}, err
	}

	var p parser
	run.StartedAt = p.time(startedAt)
	run.FinishedAt = p.time(finishedAt)
	return run, p.err
}

// LastRun returns the movie's run that finished last, or an error wrapping
// store.ErrNotFound when it has none.
func (s *Store) LastRun(ctx context.Context, movieID string) (store.SyncRun, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE movie_id = ? ORDER BY finished_at DESC, id DESC LIMIT 1`, movieID)
	run, err := scanRun(row)
	if errors.Is(err, sql.ErrNoRows) {
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
	if limit <= 0 {
		limit = -1
	}

	rows, err := s.reader.QueryContext(ctx, `SELECT `+runColumns+` FROM sync_runs
		WHERE movie_id = ? ORDER BY finished_at DESC, id DESC LIMIT ?`, movieID, limit)
	if err != nil {
		return nil, fmt.Errorf("list runs of movie %s: %w", movieID, err)
	}
	defer rows.Close()

	runs := []store.SyncRun{}
	for rows.Next() {
		run, err := scanRun(rows)
		if err != nil {
			return nil, fmt.Errorf("list runs of movie %s: %w", movieID, err)
		}
		runs = append(runs, run)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list runs of movie %s: %w", movieID, err)
	}
	return runs, nil
}

// SavePoster stores the poster, replacing the movie's earlier one.
func (s *Store) SavePoster(ctx context.Context, p store.Poster) error {
	_, err := s.writer.ExecContext(ctx, `INSERT INTO posters
		(movie_id, source_url, content_type, data, fetched_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (movie_id) DO UPDATE SET
			source_url = excluded.source_url,
			content_type = excluded.content_type,
			data = excluded.data,
			fetched_at = excluded.fetched_at`,
		p.MovieID, p.SourceURL, p.ContentType, nonNilBytes(p.Data), formatTime(p.FetchedAt))
	if err != nil {
		return fmt.Errorf("save poster of movie %s: %w", p.MovieID, err)
	}
	return nil
}

// GetPoster returns the movie's poster, or an error wrapping
// store.ErrNotFound when none is stored.
func (s *Store) GetPoster(ctx context.Context, movieID string) (store.Poster, error) {
	p := store.Poster{MovieID: movieID}
	var fetchedAt string
	err := s.reader.QueryRowContext(ctx, `SELECT source_url, content_type, data, fetched_at
		FROM posters WHERE movie_id = ?`, movieID).Scan(&p.SourceURL, &p.ContentType, &p.Data, &fetchedAt)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Poster{}, fmt.Errorf("get poster of movie %s: %w", movieID, err)
	}

	var parse parser
	p.FetchedAt = parse.time(fetchedAt)
	if parse.err != nil {
		return store.Poster{}, fmt.Errorf("get poster of movie %s: %w", movieID, parse.err)
	}
	return p, nil
}

// nonNilBytes binds a nil slice as an empty blob, because the column is
// NOT NULL and an empty image is still a stored poster.
func nonNilBytes(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}
