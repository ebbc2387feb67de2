package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

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
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15)
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

func scanReview(row rowScanner) (store.Review, error) {
	var (
		r                                    store.Review
		submittedAt, firstSeenAt, lastSeenAt string
		editedAt, deletedAt                  sql.NullString
	)
	err := row.Scan(&r.ID, &r.MovieID, &r.AuthorName, &r.AuthorID, &r.Title, &r.Text, &r.TextHTML,
		&r.Rating, &r.Spoiler, &submittedAt, &r.HelpfulUp, &r.HelpfulDown, &r.VotesInexact,
		&r.ContentHash, &firstSeenAt, &lastSeenAt, &editedAt, &deletedAt)
	if err != nil {
		return store.Review{}, err
	}

	var p parser
	r.SubmittedAt = p.date(submittedAt)
	r.FirstSeenAt = p.time(firstSeenAt)
	r.LastSeenAt = p.time(lastSeenAt)
	r.EditedAt = p.optionalTime(editedAt)
	r.DeletedAt = p.optionalTime(deletedAt)
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

// ReviewHashes maps each stored review id of the movie to its content hash,
// deleted reviews included, so that a review listed again is not new.
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

// ListReviews returns reviews newest first: by submission date, then by
// id, both descending. Deleted reviews are left out unless asked for.
func (s *Store) ListReviews(ctx context.Context, q store.ReviewQuery) ([]store.Review, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}

	rows, err := s.reader.QueryContext(ctx, `SELECT `+reviewColumns+` FROM reviews
		WHERE `+listConditions(q, "?3")+`
		ORDER BY submitted_at DESC, id DESC
		LIMIT ?1 OFFSET ?2`, limit, max(q.Offset, 0), q.MovieID)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}

	reviews, err := scanReviews(rows)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %q: %w", q.MovieID, err)
	}
	return reviews, nil
}

// PendingAnalysis returns, ordered by id, up to q.Limit reviews, or all
// when q.Limit is not positive. A review is pending when it is not deleted
// and its current content has neither a result nor a failure by the
// analyzer at this version made at or after q.Since.
func (s *Store) PendingAnalysis(ctx context.Context, q store.PendingQuery) ([]store.Review, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = -1
	}
	since := ""
	if !q.Since.IsZero() {
		since = formatTime(q.Since)
	}

	rows, err := s.reader.QueryContext(ctx, `SELECT `+reviewColumns+` FROM reviews r
		WHERE movie_id = ?1 AND deleted_at IS NULL
			AND NOT EXISTS (
				SELECT 1 FROM analyses a
				WHERE a.review_id = r.id AND a.analyzer = ?2 AND a.analyzer_version IN (?3, ?6, ?7)
					AND a.content_hash = r.content_hash AND a.analyzed_at >= ?5)
			AND NOT EXISTS (
				SELECT 1 FROM analysis_failures f
				WHERE f.review_id = r.id AND f.analyzer = ?2 AND f.analyzer_version = ?3
					AND f.content_hash = r.content_hash AND f.failed_at >= ?5)
		ORDER BY id
		LIMIT ?4`, q.MovieID, q.Analyzer, q.AnalyzerVersion, limit, since, store.VersionImportedTracker, store.VersionImportedExport)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", q.MovieID, q.Analyzer, q.AnalyzerVersion, err)
	}

	reviews, err := scanReviews(rows)
	if err != nil {
		return nil, fmt.Errorf("list reviews of movie %s pending %s %s: %w", q.MovieID, q.Analyzer, q.AnalyzerVersion, err)
	}
	return reviews, nil
}

// listConditions returns the WHERE conditions of a review list, with
// movieID the placeholder of q.MovieID. Conditions that do not apply are
// left out of the text, so that the planner can walk the
// (movie_id, submitted_at, id) index instead of sorting every review.
func listConditions(q store.ReviewQuery, movieID string) string {
	conditions := []string{"TRUE"}
	if q.MovieID != "" {
		conditions = append(conditions, "movie_id = "+movieID)
	}
	if !q.IncludeDeleted {
		conditions = append(conditions, "deleted_at IS NULL")
	}
	return strings.Join(conditions, " AND ")
}
