package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

const reviewColumns = `id, movie_id, author_name, author_id, title, text, rating, spoiler,
	submitted_at, helpful_up, helpful_down, content_hash, first_seen_at, last_seen_at, edited_at`

// upsertReview inserts a review or rewrites its content. EditedAt is set
// only when the content hash changes, and a review is never moved to
// another movie: the update then changes no row.
const upsertReview = `INSERT INTO reviews (id, movie_id, author_name, author_id, title, text,
	rating, spoiler, submitted_at, helpful_up, helpful_down, content_hash, first_seen_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13)
ON CONFLICT (id) DO UPDATE SET
	author_name = excluded.author_name,
	author_id = excluded.author_id,
	title = excluded.title,
	text = excluded.text,
	rating = excluded.rating,
	spoiler = excluded.spoiler,
	submitted_at = excluded.submitted_at,
	helpful_up = excluded.helpful_up,
	helpful_down = excluded.helpful_down,
	content_hash = excluded.content_hash,
	last_seen_at = excluded.last_seen_at,
	edited_at = CASE WHEN reviews.content_hash <> excluded.content_hash
		THEN excluded.last_seen_at ELSE reviews.edited_at END
WHERE reviews.movie_id = excluded.movie_id`

func scanReview(row pgx.CollectableRow) (store.Review, error) {
	var r store.Review
	err := row.Scan(&r.ID, &r.MovieID, &r.AuthorName, &r.AuthorID, &r.Title, &r.Text, &r.Rating,
		&r.Spoiler, &r.SubmittedAt, &r.HelpfulUp, &r.HelpfulDown, &r.ContentHash,
		&r.FirstSeenAt, &r.LastSeenAt, &r.EditedAt)
	if err != nil {
		return store.Review{}, err
	}

	r.FirstSeenAt = utc(r.FirstSeenAt)
	r.LastSeenAt = utc(r.LastSeenAt)
	r.EditedAt = utcOptional(r.EditedAt)
	return r, nil
}

// ReviewHashes maps each stored review id of the movie to its content hash.
func (s *Store) ReviewHashes(ctx context.Context, movieID string) (map[string]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, content_hash FROM reviews WHERE movie_id = $1`, movieID)
	if err != nil {
		return nil, fmt.Errorf("read review hashes of movie %s: %w", movieID, err)
	}

	hashes := map[string]string{}
	var id, hash string
	_, err = pgx.ForEachRow(rows, []any{&id, &hash}, func() error {
		hashes[id] = hash
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read review hashes of movie %s: %w", movieID, err)
	}
	return hashes, nil
}

// ApplySync stores the pass in one transaction: new and changed reviews,
// the votes and last-seen time of every seen review, the metadata, and the
// movie's scrape times and warning. It never deletes a review.
func (s *Store) ApplySync(ctx context.Context, result store.SyncResult) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := finishScrape(ctx, tx, result); err != nil {
			return err
		}
		if err := writeReviews(ctx, tx, result); err != nil {
			return err
		}
		if result.Metadata == nil {
			return nil
		}

		_, err := tx.Exec(ctx, `UPDATE movies SET `+metadataSet+` WHERE id = $1`,
			metadataArgs(result.MovieID, *result.Metadata)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("apply sync of movie %s: %w", result.MovieID, err)
	}
	return nil
}

func finishScrape(ctx context.Context, tx pgx.Tx, result store.SyncResult) error {
	tag, err := tx.Exec(ctx, `UPDATE movies SET
		scraped_at = $2,
		full_scrape_at = CASE WHEN $3 THEN $2 ELSE full_scrape_at END,
		scrape_warning = $4,
		last_error = '', last_error_at = NULL
		WHERE id = $1`, result.MovieID, result.At, result.Complete, result.Warning)
	return updated(tag, err)
}

// writeReviews sends the upserts and then the vote updates in one batch.
// Seen ids that are not stored for the movie are skipped.
func writeReviews(ctx context.Context, tx pgx.Tx, result store.SyncResult) error {
	batch := &pgx.Batch{}
	for _, r := range result.Upserts {
		if r.MovieID != "" && r.MovieID != result.MovieID {
			return fmt.Errorf("review %s belongs to movie %s", r.ID, r.MovieID)
		}
		batch.Queue(upsertReview, r.ID, result.MovieID, r.AuthorName, r.AuthorID,
			r.Title, r.Text, r.Rating, r.Spoiler, date(r.SubmittedAt),
			r.HelpfulUp, r.HelpfulDown, r.ContentHash, result.At)
	}
	for _, v := range result.Seen {
		batch.Queue(`UPDATE reviews SET helpful_up = $1, helpful_down = $2, last_seen_at = $3
			WHERE id = $4 AND movie_id = $5`,
			v.HelpfulUp, v.HelpfulDown, result.At, v.ReviewID, result.MovieID)
	}
	if batch.Len() == 0 {
		return nil
	}

	results := tx.SendBatch(ctx, batch)
	defer results.Close()

	for _, r := range result.Upserts {
		tag, err := results.Exec()
		if err != nil {
			return fmt.Errorf("store review %s: %w", r.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store review %s: it is stored under another movie", r.ID)
		}
	}
	for _, v := range result.Seen {
		if _, err := results.Exec(); err != nil {
			return fmt.Errorf("update votes of review %s: %w", v.ReviewID, err)
		}
	}
	return results.Close()
}

// ListReviews returns reviews newest first: by submission date, then by
// id, both descending.
func (s *Store) ListReviews(ctx context.Context, q store.ReviewQuery) ([]store.Review, error) {
	var limit *int
	if q.Limit > 0 {
		limit = &q.Limit
	}

	rows, err := s.pool.Query(ctx, `SELECT `+reviewColumns+` FROM reviews
		WHERE $1 = '' OR movie_id = $1
		ORDER BY submitted_at DESC, id DESC
		LIMIT $2 OFFSET $3`, q.MovieID, limit, max(q.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}

	reviews, err := pgx.CollectRows(rows, scanReview)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}
	return emptyIfNil(reviews), nil
}

// PendingAnalysis returns, ordered by id, up to limit reviews (all when
// limit is not positive) that lack an analysis by the analyzer at this
// version of their current content.
func (s *Store) PendingAnalysis(ctx context.Context, movieID, analyzer, version string, limit int) ([]store.Review, error) {
	var bound *int
	if limit > 0 {
		bound = &limit
	}

	rows, err := s.pool.Query(ctx, `SELECT `+reviewColumns+` FROM reviews r
		WHERE movie_id = $1 AND NOT EXISTS (
			SELECT 1 FROM analyses a
			WHERE a.review_id = r.id AND a.analyzer = $2
				AND a.analyzer_version = $3 AND a.content_hash = r.content_hash)
		ORDER BY id
		LIMIT $4`, movieID, analyzer, version, bound)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", movieID, analyzer, version, err)
	}

	reviews, err := pgx.CollectRows(rows, scanReview)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", movieID, analyzer, version, err)
	}
	return emptyIfNil(reviews), nil
}

// emptyIfNil returns an empty slice for nil, so that an empty result
// encodes as [] rather than null.
func emptyIfNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
