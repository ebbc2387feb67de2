package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

const reviewColumns = `id, movie_id, author_name, author_id, title, text, text_html, rating, spoiler,
	submitted_at, helpful_up, helpful_down, votes_inexact, content_hash, first_seen_at, last_seen_at,
	edited_at, deleted_at`

// upsertReview inserts a review or rewrites its content. EditedAt is set
// only when the content hash changes, and a review is never moved to
// another movie: the update then changes no row.
const upsertReview = `INSERT INTO reviews (id, movie_id, author_name, author_id, title, text,
	rating, spoiler, submitted_at, helpful_up, helpful_down, content_hash, first_seen_at, last_seen_at,
	text_html, votes_inexact)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15)
ON CONFLICT (id) DO UPDATE SET
	author_name = excluded.author_name,
	author_id = excluded.author_id,
	title = excluded.title,
	text = excluded.text,
	text_html = excluded.text_html,
	rating = excluded.rating,
	spoiler = excluded.spoiler,
	submitted_at = excluded.submitted_at,
	helpful_up = excluded.helpful_up,
	helpful_down = excluded.helpful_down,
	votes_inexact = excluded.votes_inexact,
	content_hash = excluded.content_hash,
	last_seen_at = excluded.last_seen_at,
	edited_at = CASE WHEN reviews.content_hash <> excluded.content_hash
		THEN excluded.last_seen_at ELSE reviews.edited_at END
WHERE reviews.movie_id = excluded.movie_id`

func scanReview(row pgx.CollectableRow) (store.Review, error) {
	var r store.Review
	err := row.Scan(&r.ID, &r.MovieID, &r.AuthorName, &r.AuthorID, &r.Title, &r.Text, &r.TextHTML,
		&r.Rating, &r.Spoiler, &r.SubmittedAt, &r.HelpfulUp, &r.HelpfulDown, &r.VotesInexact,
		&r.ContentHash, &r.FirstSeenAt, &r.LastSeenAt, &r.EditedAt, &r.DeletedAt)
	if err != nil {
		return store.Review{}, err
	}

	r.FirstSeenAt = utc(r.FirstSeenAt)
	r.LastSeenAt = utc(r.LastSeenAt)
	r.EditedAt = utcOptional(r.EditedAt)
	r.DeletedAt = utcOptional(r.DeletedAt)
	return r, nil
}

// ReviewHashes maps each stored review id of the movie to its content hash,
// deleted reviews included, so that a review listed again is not new.
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

// ListReviews returns reviews newest first: by submission date, then by
// id, both descending. Deleted reviews are left out unless asked for.
func (s *Store) ListReviews(ctx context.Context, q store.ReviewQuery) ([]store.Review, error) {
	var limit *int
	if q.Limit > 0 {
		limit = &q.Limit
	}

	query := `SELECT ` + reviewColumns + ` FROM reviews
		WHERE ` + listConditions(q) + `
		ORDER BY submitted_at DESC, id DESC
		LIMIT $1 OFFSET $2`
	args := []any{limit, max(q.Offset, 0)}
	if q.MovieID != "" {
		args = append(args, q.MovieID)
	}
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}

	reviews, err := pgx.CollectRows(rows, scanReview)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}
	return emptyIfNil(reviews), nil
}

// PendingAnalysis returns, ordered by id, up to q.Limit reviews, or all
// when q.Limit is not positive. A review is pending when it is not deleted
// and its current content has neither a result nor a failure by the
// analyzer at this version made at or after q.Since.
func (s *Store) PendingAnalysis(ctx context.Context, q store.PendingQuery) ([]store.Review, error) {
	var bound *int
	if q.Limit > 0 {
		bound = &q.Limit
	}
	var since *time.Time
	if !q.Since.IsZero() {
		since = &q.Since
	}

	rows, err := s.pool.Query(ctx, `SELECT `+reviewColumns+` FROM reviews r
		WHERE movie_id = $1 AND deleted_at IS NULL
			AND NOT EXISTS (
				SELECT 1 FROM analyses a
				WHERE a.review_id = r.id AND a.analyzer = $2 AND a.analyzer_version IN ($3, $6, $7)
					AND a.content_hash = r.content_hash
					AND ($5::timestamptz IS NULL OR a.analyzed_at >= $5))
			AND NOT EXISTS (
				SELECT 1 FROM analysis_failures f
				WHERE f.review_id = r.id AND f.analyzer = $2 AND f.analyzer_version = $3::text
					AND f.content_hash = r.content_hash
					AND ($5::timestamptz IS NULL OR f.failed_at >= $5))
		ORDER BY id
		LIMIT $4`, q.MovieID, q.Analyzer, q.AnalyzerVersion, bound, since, store.VersionImportedTracker, store.VersionImportedExport)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", q.MovieID, q.Analyzer, q.AnalyzerVersion, err)
	}

	reviews, err := pgx.CollectRows(rows, scanReview)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", q.MovieID, q.Analyzer, q.AnalyzerVersion, err)
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

// listConditions returns the WHERE conditions of a review list, with $3
// as the placeholder of q.MovieID when it is set. Conditions that do not apply are
// left out of the text, so that the planner can walk the
// (movie_id, submitted_at, id) index instead of sorting every review.
func listConditions(q store.ReviewQuery) string {
	conditions := []string{"TRUE"}
	if q.MovieID != "" {
		conditions = append(conditions, "movie_id = $3")
	}
	if !q.IncludeDeleted {
		conditions = append(conditions, "deleted_at IS NULL")
	}
	return strings.Join(conditions, " AND ")
}
