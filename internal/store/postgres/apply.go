package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

// ApplySync stores the pass in one transaction: the movie's scrape times,
// warning and metadata, the reviews and votes that store.PlanSync selects,
// the vote history, the missing and deleted marks, and the run record. It
// never removes a review row.
func (s *Store) ApplySync(ctx context.Context, result store.SyncResult) (store.SyncOutcome, error) {
	var outcome store.SyncOutcome
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		outcome, err = applySync(ctx, tx, result)
		return err
	})
	if err != nil {
		return store.SyncOutcome{}, fmt.Errorf("apply sync of movie %s: %w", result.MovieID, err)
	}
	return outcome, nil
}

// applySync is ApplySync within tx.
func applySync(ctx context.Context, tx pgx.Tx, result store.SyncResult) (store.SyncOutcome, error) {
	if err := finishScrape(ctx, tx, result); err != nil {
		return store.SyncOutcome{}, err
	}

	stored, err := storedReviews(ctx, tx, result.MovieID)
	if err != nil {
		return store.SyncOutcome{}, err
	}
	left, err := adoptReviews(ctx, tx, result, stored)
	if err != nil {
		return store.SyncOutcome{}, err
	}
	owners, err := foreignOwners(ctx, tx, result, stored)
	if err != nil {
		return store.SyncOutcome{}, err
	}
	plan, err := store.PlanSyncOwned(result, stored, owners)
	if err != nil {
		return store.SyncOutcome{}, err
	}

	if err := applyPlan(ctx, tx, plan, result.At); err != nil {
		return store.SyncOutcome{}, err
	}
	if err := refreshDays(ctx, tx, result.MovieID, store.TouchedDays(plan, stored)); err != nil {
		return store.SyncOutcome{}, err
	}
	for _, owner := range left.Owners() {
		if err := refreshDays(ctx, tx, owner, left.Days(owner)); err != nil {
			return store.SyncOutcome{}, err
		}
	}
	if err := updateMetadata(ctx, tx, result); err != nil {
		return store.SyncOutcome{}, err
	}

	runID, err := insertRunWithTotals(ctx, tx, plan.Run)
	outcome := store.SyncOutcome{Deleted: plan.Deleted, Restored: plan.Restored, RunID: runID, Conflicts: plan.Conflicts, Adopted: left.Reviews()}
	return outcome, err
}

// adoptReviews moves to result's movie the new reviews of the pass that
// are stored under a movie that no one follows: an untracked or a parked
// one, such as a duplicate title that IMDb merged into this one. The rows
// of the movies they leave are locked first, as saving analyses does, so
// that their rollups are recomputed from settled results. It returns the
// days that the moved reviews leave.
func adoptReviews(ctx context.Context, tx pgx.Tx, result store.SyncResult, stored map[string]store.StoredReview) (*store.LeftDays, error) {
	left := &store.LeftDays{}
	var ids []string
	for _, r := range result.Upserts {
		if _, known := stored[r.ID]; !known {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return left, nil
	}

	_, err := tx.Exec(ctx, `SELECT m.id FROM movies m
		WHERE m.id <> $1 AND (NOT m.tracked OR m.parked_at IS NOT NULL)
			AND m.id IN (SELECT movie_id FROM reviews WHERE id = ANY($2))
		ORDER BY m.id FOR NO KEY UPDATE`, result.MovieID, ids)
	if err != nil {
		return nil, fmt.Errorf("lock the movies of reviews to move to movie %s: %w", result.MovieID, err)
	}
	rows, err := tx.Query(ctx, `UPDATE reviews r SET movie_id = $1, deleted_at = NULL, missing_runs = 0
		FROM reviews old JOIN movies m ON m.id = old.movie_id
		WHERE old.id = r.id AND r.id = ANY($2) AND old.movie_id <> $1 AND (NOT m.tracked OR m.parked_at IS NOT NULL)
		RETURNING old.movie_id, old.submitted_at`, result.MovieID, ids)
	if err != nil {
		return nil, fmt.Errorf("move reviews to movie %s: %w", result.MovieID, err)
	}
	var (
		owner string
		day   time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&owner, &day}, func() error {
		left.Add(owner, utc(day))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("move reviews to movie %s: %w", result.MovieID, err)
	}
	return left, nil
}

// foreignOwners maps the id of each upsert that is stored under another
// movie than result's to that movie's id.
func foreignOwners(ctx context.Context, q rowsQuerier, result store.SyncResult, stored map[string]store.StoredReview) (map[string]string, error) {
	var ids []string
	for _, r := range result.Upserts {
		if _, known := stored[r.ID]; !known {
			ids = append(ids, r.ID)
		}
	}
	owners, err := reviewOwners(ctx, q, ids)
	if err != nil {
		return nil, fmt.Errorf("find the movies of new reviews: %w", err)
	}
	return owners, nil
}

// rowsQuerier is the pool or a transaction.
type rowsQuerier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// reviewOwners maps each stored review id of ids to its movie id.
func reviewOwners(ctx context.Context, q rowsQuerier, ids []string) (map[string]string, error) {
	owners := map[string]string{}
	if len(ids) == 0 {
		return owners, nil
	}
	rows, err := q.Query(ctx, `SELECT id, movie_id FROM reviews WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	var id, movieID string
	_, err = pgx.ForEachRow(rows, []any{&id, &movieID}, func() error {
		owners[id] = movieID
		return nil
	})
	return owners, err
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

func updateMetadata(ctx context.Context, tx pgx.Tx, result store.SyncResult) error {
	if result.Metadata == nil {
		return nil
	}

	_, err := tx.Exec(ctx, `UPDATE movies SET `+metadataSet+` WHERE id = $1`,
		metadataArgs(result.MovieID, *result.Metadata)...)
	return err
}

// storedReviews reads the state of every review of the movie that
// store.PlanSync decides on.
func storedReviews(ctx context.Context, tx pgx.Tx, movieID string) (map[string]store.StoredReview, error) {
	rows, err := tx.Query(ctx, `SELECT id, helpful_up, helpful_down, deleted_at IS NOT NULL, missing_runs,
			submitted_at
		FROM reviews WHERE movie_id = $1`, movieID)
	if err != nil {
		return nil, err
	}

	stored := map[string]store.StoredReview{}
	var (
		id string
		r  store.StoredReview
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &r.HelpfulUp, &r.HelpfulDown, &r.Deleted, &r.MissingRuns, &r.SubmittedAt}, func() error {
		r.SubmittedAt = utc(r.SubmittedAt)
		stored[id] = r
		return nil
	})
	return stored, err
}

// applyPlan sends the plan's writes in one batch: upserts, seen votes,
// vote history and missing marks, in that order.
func applyPlan(ctx context.Context, tx pgx.Tx, plan store.SyncPlan, at time.Time) error {
	batch := &pgx.Batch{}
	queueWrites(batch, plan, at)
	if batch.Len() == 0 {
		return nil
	}

	results := tx.SendBatch(ctx, batch)
	defer results.Close()

	for _, r := range plan.Writes {
		// The plan leaves out the reviews stored under another movie. One
		// that another writer stored since makes the upsert change no row.
		tag, err := results.Exec()
		if err != nil {
			return fmt.Errorf("store review %s: %w", r.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store review %s of movie %s: %w: another movie stored it during the pass; the next pass leaves it out",
				r.ID, r.MovieID, store.ErrReviewConflict)
		}
	}
	for _, v := range plan.Seen {
		if _, err := results.Exec(); err != nil {
			return fmt.Errorf("update votes of review %s: %w", v.ReviewID, err)
		}
	}
	for _, v := range plan.Votes {
		if _, err := results.Exec(); err != nil {
			return fmt.Errorf("add vote history of review %s: %w", v.ReviewID, err)
		}
	}
	for _, m := range plan.Missing {
		if _, err := results.Exec(); err != nil {
			return fmt.Errorf("mark review %s missing: %w", m.ID, err)
		}
	}
	return results.Close()
}

func queueWrites(batch *pgx.Batch, plan store.SyncPlan, at time.Time) {
	for _, r := range plan.Writes {
		batch.Queue(upsertReview, r.ID, r.MovieID, r.AuthorName, r.AuthorID,
			r.Title, r.Text, r.Rating, r.Spoiler, date(r.SubmittedAt),
			r.HelpfulUp, r.HelpfulDown, r.ContentHash, at, r.TextHTML, r.VotesInexact)
	}
	for _, v := range plan.Seen {
		batch.Queue(`UPDATE reviews SET helpful_up = $1, helpful_down = $2, votes_inexact = $3,
				last_seen_at = $4, missing_runs = 0, deleted_at = NULL
			WHERE id = $5 AND movie_id = $6`,
			v.HelpfulUp, v.HelpfulDown, v.VotesInexact, at, v.ReviewID, plan.Run.MovieID)
	}
	for _, v := range plan.Votes {
		batch.Queue(`INSERT INTO review_votes (review_id, observed_at, helpful_up, helpful_down)
			VALUES ($1, $2, $3, $4)`, v.ReviewID, at, v.HelpfulUp, v.HelpfulDown)
	}
	for _, m := range plan.Missing {
		var deletedAt *time.Time
		if m.Delete {
			deletedAt = &at
		}
		batch.Queue(`UPDATE reviews SET missing_runs = $1, deleted_at = coalesce($2::timestamptz, deleted_at)
			WHERE id = $3`, m.MissingRuns, deletedAt, m.ID)
	}
}

// insertRunWithTotals stores the run with the vote totals of the movie's
// reviews that are not deleted, as they stand after the pass.
func insertRunWithTotals(ctx context.Context, tx pgx.Tx, run store.SyncRun) (int64, error) {
	err := tx.QueryRow(ctx, `SELECT coalesce(sum(helpful_up), 0), coalesce(sum(helpful_down), 0)
		FROM reviews WHERE movie_id = $1 AND deleted_at IS NULL`, run.MovieID).
		Scan(&run.HelpfulUpTotal, &run.HelpfulDownTotal)
	if err != nil {
		return 0, fmt.Errorf("sum votes: %w", err)
	}
	return insertRun(ctx, tx, run)
}
