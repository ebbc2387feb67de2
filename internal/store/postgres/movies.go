package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/reelpulse/reelpulse/internal/store"
)

const movieColumns = `id, title, original_title, year, release_date, poster_url,
	aggregate_rating, rating_count, declared_review_count, tracked, added_at,
	checked_at, scraped_at, full_scrape_at, last_error, last_error_at, scrape_warning,
	parked_at, parked_reason, unparked_at, pinned`

// metadataSet assigns the non-zero fields of a MovieMetadata bound as
// parameters $2 to $9, keeping the stored value of the zero ones.
const metadataSet = `title = coalesce(nullif($2::text, ''), title),
	original_title = coalesce(nullif($3::text, ''), original_title),
	year = coalesce($4::integer, year),
	release_date = coalesce($5::date, release_date),
	poster_url = coalesce(nullif($6::text, ''), poster_url),
	aggregate_rating = coalesce($7::double precision, aggregate_rating),
	rating_count = coalesce($8::bigint, rating_count),
	declared_review_count = coalesce($9::integer, declared_review_count)`

// metadataArgs returns the movie id and the metadata as parameters $1 to $9.
func metadataArgs(id string, meta store.MovieMetadata) []any {
	return []any{
		id,
		meta.Title,
		meta.OriginalTitle,
		nullIfZero(meta.Year),
		dateOptional(meta.ReleaseDate),
		meta.PosterURL,
		meta.AggregateRating,
		meta.RatingCount,
		meta.DeclaredReviewCount,
	}
}

func scanMovie(row pgx.Row) (store.Movie, error) {
	var (
		m    store.Movie
		year *int
	)
	err := row.Scan(&m.ID, &m.Title, &m.OriginalTitle, &year, &m.ReleaseDate, &m.PosterURL,
		&m.AggregateRating, &m.RatingCount, &m.DeclaredReviewCount, &m.Tracked, &m.AddedAt,
		&m.CheckedAt, &m.ScrapedAt, &m.FullScrapeAt, &m.LastError, &m.LastErrorAt, &m.ScrapeWarning,
		&m.ParkedAt, &m.ParkedReason, &m.UnparkedAt, &m.Pinned)
	if err != nil {
		return store.Movie{}, err
	}

	if year != nil {
		m.Year = *year
	}
	m.AddedAt = utc(m.AddedAt)
	m.CheckedAt = utcOptional(m.CheckedAt)
	m.ScrapedAt = utcOptional(m.ScrapedAt)
	m.FullScrapeAt = utcOptional(m.FullScrapeAt)
	m.LastErrorAt = utcOptional(m.LastErrorAt)
	m.ParkedAt = utcOptional(m.ParkedAt)
	m.UnparkedAt = utcOptional(m.UnparkedAt)
	return m, nil
}

// TrackMovie adds the movie, or marks an existing one tracked again while
// keeping its AddedAt.
func (s *Store) TrackMovie(ctx context.Context, id string, at time.Time) (bool, error) {
	created, err := trackMovie(ctx, s.pool, id, at)
	if err != nil {
		return false, fmt.Errorf("track movie %s: %w", id, err)
	}
	return created, nil
}

// trackMovie is TrackMovie on q, the pool or a transaction.
func trackMovie(ctx context.Context, q querier, id string, at time.Time) (bool, error) {
	// xmax is 0 only in a row version that this statement inserted.
	var created bool
	err := q.QueryRow(ctx, `INSERT INTO movies (id, added_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET tracked = true
		RETURNING xmax = 0`, id, at).Scan(&created)
	return created, err
}

// PinMovie tracks the movie as TrackMovie does and pins it.
func (s *Store) PinMovie(ctx context.Context, id string, at time.Time) (bool, error) {
	created, err := pinMovie(ctx, s.pool, id, at)
	if err != nil {
		return false, fmt.Errorf("pin movie %s: %w", id, err)
	}
	return created, nil
}

// pinMovie is PinMovie on q, the pool or a transaction.
func pinMovie(ctx context.Context, q querier, id string, at time.Time) (bool, error) {
	var created bool
	err := q.QueryRow(ctx, `INSERT INTO movies (id, added_at, pinned) VALUES ($1, $2, true)
		ON CONFLICT (id) DO UPDATE SET tracked = true, pinned = true
		RETURNING xmax = 0`, id, at).Scan(&created)
	return created, err
}

// UntrackMovie marks the movie untracked and unpinned.
func (s *Store) UntrackMovie(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE movies SET tracked = false, pinned = false WHERE id = $1`, id)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("untrack movie %s: %w", id, err)
	}
	return nil
}

// GetMovie returns the movie or an error wrapping store.ErrNotFound.
func (s *Store) GetMovie(ctx context.Context, id string) (store.Movie, error) {
	row := s.pool.QueryRow(ctx, `SELECT `+movieColumns+` FROM movies WHERE id = $1`, id)
	m, err := scanMovie(row)
	if errors.Is(err, pgx.ErrNoRows) {
		err = store.ErrNotFound
	}
	if err != nil {
		return store.Movie{}, fmt.Errorf("get movie %s: %w", id, err)
	}
	return m, nil
}

// ListMovies returns movies ordered by title, untitled ones last, then id.
func (s *Store) ListMovies(ctx context.Context, trackedOnly bool) ([]store.Movie, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+movieColumns+` FROM movies
		WHERE tracked OR NOT $1
		ORDER BY title = '', title, id`, trackedOnly)
	if err != nil {
		return nil, fmt.Errorf("list movies: %w", err)
	}

	movies, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (store.Movie, error) { return scanMovie(row) })
	if err != nil {
		return nil, fmt.Errorf("list movies: %w", err)
	}
	return emptyIfNil(movies), nil
}

// SchedulableMovieIDs returns up to limit ids of tracked, unparked movies
// after the given id, in id order.
func (s *Store) SchedulableMovieIDs(ctx context.Context, after string, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM movies
		WHERE tracked AND parked_at IS NULL AND id > $1
		ORDER BY id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("list movies to schedule after %q: %w", after, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list movies to schedule after %q: %w", after, err)
	}
	return emptyIfNil(ids), nil
}

// RecordCheck stores the non-zero metadata fields, sets CheckedAt and
// clears LastError, unless the movie's latest review pass failed: that
// error stays until a pass succeeds.
func (s *Store) RecordCheck(ctx context.Context, id string, meta store.MovieMetadata, at time.Time) error {
	if err := recordCheck(ctx, s.pool, id, meta, at); err != nil {
		return fmt.Errorf("record check of movie %s: %w", id, err)
	}
	return nil
}

// execer is satisfied by *pgxpool.Pool and pgx.Tx.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// recordCheck is RecordCheck on db, the pool or a transaction.
func recordCheck(ctx context.Context, db execer, id string, meta store.MovieMetadata, at time.Time) error {
	args := append(metadataArgs(id, meta), at)
	tag, err := db.Exec(ctx, `UPDATE movies SET `+metadataSet+`,
		checked_at = $10,
		last_error = CASE WHEN `+latestPassFailed+` THEN last_error ELSE '' END,
		last_error_at = CASE WHEN `+latestPassFailed+` THEN last_error_at ELSE NULL END
		WHERE id = $1`, args...)
	return updated(tag, err)
}

// RecordError stores the message as the movie's LastError.
func (s *Store) RecordError(ctx context.Context, id string, message string, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `UPDATE movies SET last_error = $2, last_error_at = $3 WHERE id = $1`,
		id, message, at)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("record error of movie %s: %w", id, err)
	}
	return nil
}

// ParkMovie parks the movie with the reason, keeping the time of an
// earlier park.
func (s *Store) ParkMovie(ctx context.Context, id, reason string, at time.Time) error {
	tag, err := s.pool.Exec(ctx,
		`UPDATE movies SET parked_at = coalesce(parked_at, $2), parked_reason = $3 WHERE id = $1`,
		id, at, reason)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("park movie %s: %w", id, err)
	}
	return nil
}

// UnparkMovie clears the park and restarts the count of failed passes.
func (s *Store) UnparkMovie(ctx context.Context, id string, at time.Time) error {
	tag, err := s.pool.Exec(ctx,
		`UPDATE movies SET parked_at = NULL, parked_reason = '', unparked_at = $2 WHERE id = $1`,
		id, at)
	if err := updated(tag, err); err != nil {
		return fmt.Errorf("unpark movie %s: %w", id, err)
	}
	return nil
}

// updated returns store.ErrNotFound when a statement that succeeded
// changed no row.
func updated(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// latestPassFailed is true in an UPDATE of movies when the movie's latest
// review pass stored nothing because it failed.
const latestPassFailed = `COALESCE((SELECT state FROM sync_runs WHERE sync_runs.movie_id = movies.id
		ORDER BY finished_at DESC, id DESC LIMIT 1) IN ('blocked', 'challenged', 'failed'), false)`
