package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

const movieColumns = `id, title, original_title, year, release_date, poster_url,
	aggregate_rating, rating_count, declared_review_count, tracked, added_at,
	checked_at, scraped_at, full_scrape_at, last_error, last_error_at, scrape_warning,
	parked_at, parked_reason, unparked_at, pinned`

// metadataSet assigns the non-zero fields of a MovieMetadata bound as
// parameters ?2 to ?9, keeping the stored value of the zero ones.
const metadataSet = `title = coalesce(nullif(?2, ''), title),
	original_title = coalesce(nullif(?3, ''), original_title),
	year = coalesce(?4, year),
	release_date = coalesce(?5, release_date),
	poster_url = coalesce(nullif(?6, ''), poster_url),
	aggregate_rating = coalesce(?7, aggregate_rating),
	rating_count = coalesce(?8, rating_count),
	declared_review_count = coalesce(?9, declared_review_count)`

// metadataArgs returns the movie id and the metadata as parameters ?1 to ?9.
func metadataArgs(id string, meta store.MovieMetadata) []any {
	return []any{
		id,
		meta.Title,
		meta.OriginalTitle,
		nullIfZero(meta.Year),
		formatOptionalDate(meta.ReleaseDate),
		meta.PosterURL,
		meta.AggregateRating,
		meta.RatingCount,
		meta.DeclaredReviewCount,
	}
}

func scanMovie(row rowScanner) (store.Movie, error) {
	var (
		m                                                        store.Movie
		year                                                     sql.NullInt64
		addedAt                                                  string
		releaseDate, checkedAt, scrapedAt, fullScrapeAt, errorAt sql.NullString
		parkedAt, unparkedAt                                     sql.NullString
	)
	err := row.Scan(&m.ID, &m.Title, &m.OriginalTitle, &year, &releaseDate, &m.PosterURL,
		&m.AggregateRating, &m.RatingCount, &m.DeclaredReviewCount, &m.Tracked, &addedAt,
		&checkedAt, &scrapedAt, &fullScrapeAt, &m.LastError, &errorAt, &m.ScrapeWarning,
		&parkedAt, &m.ParkedReason, &unparkedAt, &m.Pinned)
	if err != nil {
		return store.Movie{}, err
	}

	var p parser
	m.Year = int(year.Int64)
	m.ReleaseDate = p.optionalDate(releaseDate)
	m.AddedAt = p.time(addedAt)
	m.CheckedAt = p.optionalTime(checkedAt)
	m.ScrapedAt = p.optionalTime(scrapedAt)
	m.FullScrapeAt = p.optionalTime(fullScrapeAt)
	m.LastErrorAt = p.optionalTime(errorAt)
	m.ParkedAt = p.optionalTime(parkedAt)
	m.UnparkedAt = p.optionalTime(unparkedAt)
	return m, p.err
}

// TrackMovie adds the movie, or marks an existing one tracked again while
// keeping its AddedAt.
func (s *Store) TrackMovie(ctx context.Context, id string, at time.Time) (bool, error) {
	created := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		created, err = trackMovie(ctx, tx, id, at)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("track movie %s: %w", id, err)
	}
	return created, nil
}

// trackMovie is TrackMovie within tx.
func trackMovie(ctx context.Context, tx *sql.Tx, id string, at time.Time) (bool, error) {
	result, err := tx.ExecContext(ctx,
		`INSERT INTO movies (id, added_at) VALUES (?, ?) ON CONFLICT (id) DO NOTHING`,
		id, formatTime(at))
	if err != nil {
		return false, err
	}

	inserted, err := result.RowsAffected()
	if err != nil || inserted == 1 {
		return inserted == 1, err
	}

	_, err = tx.ExecContext(ctx, `UPDATE movies SET tracked = 1 WHERE id = ?`, id)
	return false, err
}

// PinMovie tracks the movie as TrackMovie does and pins it.
func (s *Store) PinMovie(ctx context.Context, id string, at time.Time) (bool, error) {
	created := false
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		created, err = pinMovie(ctx, tx, id, at)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("pin movie %s: %w", id, err)
	}
	return created, nil
}

// pinMovie is PinMovie within tx.
func pinMovie(ctx context.Context, tx *sql.Tx, id string, at time.Time) (bool, error) {
	created, err := trackMovie(ctx, tx, id, at)
	if err != nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `UPDATE movies SET pinned = 1 WHERE id = ?`, id)
	return created, err
}

// UntrackMovie marks the movie untracked and unpinned.
func (s *Store) UntrackMovie(ctx context.Context, id string) error {
	result, err := s.writer.ExecContext(ctx, `UPDATE movies SET tracked = 0, pinned = 0 WHERE id = ?`, id)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("untrack movie %s: %w", id, err)
	}
	return nil
}

// GetMovie returns the movie or an error wrapping store.ErrNotFound.
func (s *Store) GetMovie(ctx context.Context, id string) (store.Movie, error) {
	row := s.reader.QueryRowContext(ctx, `SELECT `+movieColumns+` FROM movies WHERE id = ?`, id)
	m, err := scanMovie(row)
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Movie{}, fmt.Errorf("get movie %s: %w", id, err)
	}
	return m, nil
}

// ListMovies returns movies ordered by title, untitled ones last, then id.
func (s *Store) ListMovies(ctx context.Context, trackedOnly bool) ([]store.Movie, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT `+movieColumns+` FROM movies
		WHERE tracked = 1 OR NOT ?
		ORDER BY title = '', title, id`, trackedOnly)
	if err != nil {
		return nil, fmt.Errorf("list movies: %w", err)
	}
	defer rows.Close()

	movies := []store.Movie{}
	for rows.Next() {
		m, err := scanMovie(rows)
		if err != nil {
			return nil, fmt.Errorf("list movies: %w", err)
		}
		movies = append(movies, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list movies: %w", err)
	}
	return movies, nil
}

// SchedulableMovieIDs returns up to limit ids of tracked, unparked movies
// after the given id, in id order.
func (s *Store) SchedulableMovieIDs(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT id FROM movies
		WHERE tracked = 1 AND parked_at IS NULL AND id > ?
		ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list movies to schedule after %q: %w", after, err)
	}
	defer rows.Close()

	ids := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list movies to schedule after %q: %w", after, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list movies to schedule after %q: %w", after, err)
	}
	return ids, nil
}

// RecordCheck stores the non-zero metadata fields, sets CheckedAt and
// clears LastError, unless the movie's latest review pass failed: that
// error stays until a pass succeeds.
func (s *Store) RecordCheck(ctx context.Context, id string, meta store.MovieMetadata, at time.Time) error {
	if err := recordCheck(ctx, s.writer, id, meta, at); err != nil {
		return fmt.Errorf("record check of movie %s: %w", id, err)
	}
	return nil
}

// execer is a *sql.DB or a *sql.Tx.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// recordCheck is RecordCheck on db, a database or a transaction.
func recordCheck(ctx context.Context, db execer, id string, meta store.MovieMetadata, at time.Time) error {
	args := append(metadataArgs(id, meta), formatTime(at))
	result, err := db.ExecContext(ctx, `UPDATE movies SET `+metadataSet+`,
		checked_at = ?10,
		last_error = CASE WHEN `+latestPassFailed+` THEN last_error ELSE '' END,
		last_error_at = CASE WHEN `+latestPassFailed+` THEN last_error_at ELSE NULL END
		WHERE id = ?1`, args...)
	return updated(result, err)
}

// RecordError stores the message as the movie's LastError.
func (s *Store) RecordError(ctx context.Context, id string, message string, at time.Time) error {
	result, err := s.writer.ExecContext(ctx,
		`UPDATE movies SET last_error = ?, last_error_at = ? WHERE id = ?`,
		message, formatTime(at), id)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("record error of movie %s: %w", id, err)
	}
	return nil
}

// ParkMovie parks the movie with the reason, keeping the time of an
// earlier park.
func (s *Store) ParkMovie(ctx context.Context, id, reason string, at time.Time) error {
	result, err := s.writer.ExecContext(ctx,
		`UPDATE movies SET parked_at = coalesce(parked_at, ?), parked_reason = ? WHERE id = ?`,
		formatTime(at), reason, id)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("park movie %s: %w", id, err)
	}
	return nil
}

// UnparkMovie clears the park and restarts the count of failed passes.
func (s *Store) UnparkMovie(ctx context.Context, id string, at time.Time) error {
	result, err := s.writer.ExecContext(ctx,
		`UPDATE movies SET parked_at = NULL, parked_reason = '', unparked_at = ? WHERE id = ?`,
		formatTime(at), id)
	if err := updated(result, err); err != nil {
		return fmt.Errorf("unpark movie %s: %w", id, err)
	}
	return nil
}

// updated returns store.ErrNotFound when a statement that succeeded
// changed no row.
func updated(result sql.Result, err error) error {
	if err != nil {
		return err
	}

	n, err := result.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// latestPassFailed is true in an UPDATE of movies when the movie's latest
// review pass stored nothing because it failed.
const latestPassFailed = `(SELECT state FROM sync_runs WHERE sync_runs.movie_id = movies.id
		ORDER BY finished_at DESC, id DESC LIMIT 1) IN ('blocked', 'challenged', 'failed')`
