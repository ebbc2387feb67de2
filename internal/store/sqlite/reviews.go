package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/store"
)

const reviewColumns = `id, movie_id, author_name, author_id, title, text, rating, spoiler,
	submitted_at, helpful_up, helpful_down, content_hash, first_seen_at, last_seen_at, edited_at`

// upsertReview inserts a review or rewrites its content. EditedAt is set
// only when the content hash changes, and a review is never moved to
// another movie: the update then changes no row.
const upsertReview = `INSERT INTO reviews (id, movie_id, author_name, author_id, title, text,
	rating, spoiler, submitted_at, helpful_up, helpful_down, content_hash, first_seen_at, last_seen_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)
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

func scanReview(row rowScanner) (store.Review, error) {
	var (
		r                                    store.Review
		submittedAt, firstSeenAt, lastSeenAt string
		editedAt                             sql.NullString
	)
	err := row.Scan(&r.ID, &r.MovieID, &r.AuthorName, &r.AuthorID, &r.Title, &r.Text, &r.Rating,
		&r.Spoiler, &submittedAt, &r.HelpfulUp, &r.HelpfulDown, &r.ContentHash,
		&firstSeenAt, &lastSeenAt, &editedAt)
	if err != nil {
		return store.Review{}, err
	}

	var p parser
	r.SubmittedAt = p.date(submittedAt)
	r.FirstSeenAt = p.time(firstSeenAt)
	r.LastSeenAt = p.time(lastSeenAt)
	r.EditedAt = p.optionalTime(editedAt)
	return r, p.err
}

func scanReviews(rows *sql.Rows) ([]store.Review, error) {
	defer rows.Close()

	reviews := []store.Review{}
	for rows.Next() {
		r, err := scanReview(rows)
		if err != nil {
			return nil, err
		}
		reviews = append(reviews, r)
	}
	return reviews, rows.Err()
}

// ReviewHashes maps each stored review id of the movie to its content hash.
func (s *Store) ReviewHashes(ctx context.Context, movieID string) (map[string]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT id, content_hash FROM reviews WHERE movie_id = ?`, movieID)
	if err != nil {
		return nil, fmt.Errorf("read review hashes of movie %s: %w", movieID, err)
	}
	defer rows.Close()

	hashes := map[string]string{}
	for rows.Next() {
		var id, hash string
		if err := rows.Scan(&id, &hash); err != nil {
			return nil, fmt.Errorf("read review hashes of movie %s: %w", movieID, err)
		}
		hashes[id] = hash
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read review hashes of movie %s: %w", movieID, err)
	}
	return hashes, nil
}

// ApplySync stores the pass in one transaction: new and changed reviews,
// the votes and last-seen time of every seen review, the metadata, and the
// movie's scrape times and warning. It never deletes a review.
func (s *Store) ApplySync(ctx context.Context, result store.SyncResult) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := finishScrape(ctx, tx, result); err != nil {
			return err
		}
		if err := upsertReviews(ctx, tx, result); err != nil {
			return err
		}
		if err := updateVotes(ctx, tx, result); err != nil {
			return err
		}
		if result.Metadata == nil {
			return nil
		}

		_, err := tx.ExecContext(ctx, `UPDATE movies SET `+metadataSet+` WHERE id = ?1`,
			metadataArgs(result.MovieID, *result.Metadata)...)
		return err
	})
	if err != nil {
		return fmt.Errorf("apply sync of movie %s: %w", result.MovieID, err)
	}
	return nil
}

func finishScrape(ctx context.Context, tx *sql.Tx, result store.SyncResult) error {
	at := formatTime(result.At)
	res, err := tx.ExecContext(ctx, `UPDATE movies SET
		scraped_at = ?2,
		full_scrape_at = CASE WHEN ?3 THEN ?2 ELSE full_scrape_at END,
		scrape_warning = ?4,
		last_error = '', last_error_at = NULL
		WHERE id = ?1`, result.MovieID, at, result.Complete, result.Warning)
	return updated(res, err)
}

func upsertReviews(ctx context.Context, tx *sql.Tx, result store.SyncResult) error {
	if len(result.Upserts) == 0 {
		return nil
	}

	statement, err := tx.PrepareContext(ctx, upsertReview)
	if err != nil {
		return err
	}
	defer statement.Close()

	at := formatTime(result.At)
	for _, r := range result.Upserts {
		if r.MovieID != "" && r.MovieID != result.MovieID {
			return fmt.Errorf("review %s belongs to movie %s", r.ID, r.MovieID)
		}
		res, err := statement.ExecContext(ctx, r.ID, result.MovieID, r.AuthorName, r.AuthorID,
			r.Title, r.Text, r.Rating, r.Spoiler, formatDate(r.SubmittedAt),
			r.HelpfulUp, r.HelpfulDown, r.ContentHash, at)
		if err != nil {
			return fmt.Errorf("store review %s: %w", r.ID, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("store review %s: %w", r.ID, err)
		}
		if n == 0 {
			return fmt.Errorf("store review %s: it is stored under another movie", r.ID)
		}
	}
	return nil
}

// updateVotes refreshes the votes and last-seen time of the seen reviews.
// It skips ids that are not stored for the movie.
func updateVotes(ctx context.Context, tx *sql.Tx, result store.SyncResult) error {
	if len(result.Seen) == 0 {
		return nil
	}

	statement, err := tx.PrepareContext(ctx, `UPDATE reviews
		SET helpful_up = ?, helpful_down = ?, last_seen_at = ?
		WHERE id = ? AND movie_id = ?`)
	if err != nil {
		return err
	}
	defer statement.Close()

	at := formatTime(result.At)
	for _, v := range result.Seen {
		_, err := statement.ExecContext(ctx, v.HelpfulUp, v.HelpfulDown, at, v.ReviewID, result.MovieID)
		if err != nil {
			return fmt.Errorf("update votes of review %s: %w", v.ReviewID, err)
		}
	}
	return nil
}

// ListReviews returns reviews newest first: by submission date, then by
// id, both descending.
func (s *Store) ListReviews(ctx context.Context, q store.ReviewQuery) ([]store.Review, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}

	rows, err := s.reader.QueryContext(ctx, `SELECT `+reviewColumns+` FROM reviews
		WHERE ?1 = '' OR movie_id = ?1
		ORDER BY submitted_at DESC, id DESC
		LIMIT ?2 OFFSET ?3`, q.MovieID, limit, max(q.Offset, 0))
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}

	reviews, err := scanReviews(rows)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}
	return reviews, nil
}

// PendingAnalysis returns, ordered by id, up to limit reviews (all when
// limit is not positive) that lack an analysis by the analyzer at this
// version of their current content.
func (s *Store) PendingAnalysis(ctx context.Context, movieID, analyzer, version string, limit int) ([]store.Review, error) {
	if limit <= 0 {
		limit = -1
	}

	rows, err := s.reader.QueryContext(ctx, `SELECT `+reviewColumns+` FROM reviews r
		WHERE movie_id = ?1 AND NOT EXISTS (
			SELECT 1 FROM analyses a
			WHERE a.review_id = r.id AND a.analyzer = ?2
				AND a.analyzer_version = ?3 AND a.content_hash = r.content_hash)
		ORDER BY id
		LIMIT ?4`, movieID, analyzer, version, limit)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", movieID, analyzer, version, err)
	}

	reviews, err := scanReviews(rows)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", movieID, analyzer, version, err)
	}
	return reviews, nil
}
