package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/reelpulse/reelpulse/internal/store"
)

// ApplySync stores the pass in one transaction: the movie's scrape times,
// warning and metadata, the reviews and votes that store.PlanSync selects,
// the vote history, the missing and deleted marks, and the run record. It
// never removes a review row.
func (s *Store) ApplySync(ctx context.Context, result store.SyncResult) (store.SyncOutcome, error) {
	var outcome store.SyncOutcome
	err := s.write(ctx, func(tx *sql.Tx) error {
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
func applySync(ctx context.Context, tx *sql.Tx, result store.SyncResult) (store.SyncOutcome, error) {
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

	if err := applyPlan(ctx, tx, plan, result); err != nil {
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
// one, such as a duplicate title that IMDb merged into this one. It
// returns the days that the moved reviews leave, whose rollups need
// recomputing.
func adoptReviews(ctx context.Context, tx *sql.Tx, result store.SyncResult, stored map[string]store.StoredReview) (*store.LeftDays, error) {
	left := &store.LeftDays{}
	var ids []string
	for _, r := range result.Upserts {
		if _, known := stored[r.ID]; !known {
			ids = append(ids, r.ID)
		}
	}
	for batch := range slices.Chunk(ids, ownerBatch) {
		moved, err := movableReviews(ctx, tx, result.MovieID, batch, left)
		if err != nil {
			return nil, fmt.Errorf("find the reviews to move to movie %s: %w", result.MovieID, err)
		}
		for _, id := range moved {
			if _, err := tx.ExecContext(ctx, `UPDATE reviews SET movie_id = ?1, deleted_at = NULL, missing_runs = 0 WHERE id = ?2`,
				result.MovieID, id); err != nil {
				return nil, fmt.Errorf("move review %s to movie %s: %w", id, result.MovieID, err)
			}
		}
	}
	return left, nil
}

// movableReviews returns the reviews of ids that an untracked or parked
// movie other than movieID holds, and records their days in left.
func movableReviews(ctx context.Context, tx *sql.Tx, movieID string, ids []string, left *store.LeftDays) ([]string, error) {
	args := []any{movieID}
	for _, id := range ids {
		args = append(args, id)
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.movie_id, r.submitted_at FROM reviews r JOIN movies m ON m.id = r.movie_id
		WHERE r.movie_id <> ?1 AND (m.tracked = 0 OR m.parked_at IS NOT NULL) AND r.id IN (`+placeholders+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	var moved []string
	for rows.Next() {
		var (
			id, owner, submitted string
			p                    parser
		)
		if err := rows.Scan(&id, &owner, &submitted); err != nil {
			return nil, err
		}
		day := p.date(submitted)
		if p.err != nil {
			return nil, p.err
		}
		left.Add(owner, day)
		moved = append(moved, id)
	}
	return moved, rows.Err()
}

// foreignOwners maps the id of each upsert that is stored under another
// movie than result's to that movie's id.
func foreignOwners(ctx context.Context, tx *sql.Tx, result store.SyncResult, stored map[string]store.StoredReview) (map[string]string, error) {
	var ids []string
	for _, r := range result.Upserts {
		if _, known := stored[r.ID]; !known {
			ids = append(ids, r.ID)
		}
	}
	owners, err := reviewOwners(ctx, tx, ids)
	if err != nil {
		return nil, fmt.Errorf("find the movies of new reviews: %w", err)
	}
	return owners, nil
}

// ownerBatch is the most review ids that one owner query binds, well below
// SQLite's limit of 32,766 parameters.
const ownerBatch = 500

// reviewOwners maps each stored review id of ids to its movie id.
func reviewOwners(ctx context.Context, tx *sql.Tx, ids []string) (map[string]string, error) {
	owners := map[string]string{}
	for batch := range slices.Chunk(ids, ownerBatch) {
		if err := addOwners(ctx, tx, batch, owners); err != nil {
			return nil, err
		}
	}
	return owners, nil
}

// addOwners adds the movie id of each stored review id of ids to owners.
func addOwners(ctx context.Context, tx *sql.Tx, ids []string, owners map[string]string) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")
	rows, err := tx.QueryContext(ctx, `SELECT id, movie_id FROM reviews WHERE id IN (`+placeholders+`)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()

	for rows.Next() {
		var id, movieID string
		if err := rows.Scan(&id, &movieID); err != nil {
			return err
		}
		owners[id] = movieID
	}
	return rows.Err()
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

func updateMetadata(ctx context.Context, tx *sql.Tx, result store.SyncResult) error {
	if result.Metadata == nil {
		return nil
	}

	_, err := tx.ExecContext(ctx, `UPDATE movies SET `+metadataSet+` WHERE id = ?1`,
		metadataArgs(result.MovieID, *result.Metadata)...)
	return err
}

// storedReviews reads the state of every review of the movie that
// store.PlanSync decides on.
func storedReviews(ctx context.Context, tx *sql.Tx, movieID string) (map[string]store.StoredReview, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, helpful_up, helpful_down, deleted_at IS NOT NULL, missing_runs,
			submitted_at
		FROM reviews WHERE movie_id = ?`, movieID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()

	stored := map[string]store.StoredReview{}
	for rows.Next() {
		var (
			id, submitted string
			r             store.StoredReview
			p             parser
		)
		if err := rows.Scan(&id, &r.HelpfulUp, &r.HelpfulDown, &r.Deleted, &r.MissingRuns, &submitted); err != nil {
			return nil, err
		}
		if r.SubmittedAt = p.date(submitted); p.err != nil {
			return nil, p.err
		}
		stored[id] = r
	}
	return stored, rows.Err()
}

func applyPlan(ctx context.Context, tx *sql.Tx, plan store.SyncPlan, result store.SyncResult) error {
	at := formatTime(result.At)
	if err := writeReviews(ctx, tx, plan.Writes, at); err != nil {
		return err
	}
	if err := updateSeen(ctx, tx, plan.Seen, result.MovieID, at); err != nil {
		return err
	}
	if err := addVoteHistory(ctx, tx, plan.Votes, at); err != nil {
		return err
	}
	return markMissing(ctx, tx, plan.Missing, at)
}

// writeReviews upserts the reviews. The plan leaves out the reviews stored
// under another movie. A review that another writer stored since then makes
// the upsert change no row, which is an error wrapping store.ErrReviewConflict.
func writeReviews(ctx context.Context, tx *sql.Tx, reviews []store.Review, at string) error {
	if len(reviews) == 0 {
		return nil
	}

	statement, err := tx.PrepareContext(ctx, upsertReview)
	if err != nil {
		return err
	}
	defer statement.Close()

	for _, r := range reviews {
		result, err := statement.ExecContext(ctx, r.ID, r.MovieID, r.AuthorName, r.AuthorID,
			r.Title, r.Text, r.Rating, r.Spoiler, formatDate(r.SubmittedAt),
			r.HelpfulUp, r.HelpfulDown, r.ContentHash, at, r.TextHTML, r.VotesInexact)
		if err := updated(result, err); errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("store review %s of movie %s: %w: another movie stored it during the pass; the next pass leaves it out",
				r.ID, r.MovieID, store.ErrReviewConflict)
		} else if err != nil {
			return fmt.Errorf("store review %s: %w", r.ID, err)
		}
	}
	return nil
}

// updateSeen refreshes the votes and last-seen time of the seen reviews,
// clears their missing count and restores the deleted ones.
func updateSeen(ctx context.Context, tx *sql.Tx, seen []store.ReviewVotes, movieID, at string) error {
	if len(seen) == 0 {
		return nil
	}

	statement, err := tx.PrepareContext(ctx, `UPDATE reviews
		SET helpful_up = ?, helpful_down = ?, votes_inexact = ?, last_seen_at = ?,
			missing_runs = 0, deleted_at = NULL
		WHERE id = ? AND movie_id = ?`)
	if err != nil {
		return err
	}
	defer statement.Close()

	for _, v := range seen {
		_, err := statement.ExecContext(ctx, v.HelpfulUp, v.HelpfulDown, v.VotesInexact, at, v.ReviewID, movieID)
		if err != nil {
			return fmt.Errorf("update votes of review %s: %w", v.ReviewID, err)
		}
	}
	return nil
}

func addVoteHistory(ctx context.Context, tx *sql.Tx, votes []store.ReviewVotes, at string) error {
	if len(votes) == 0 {
		return nil
	}

	statement, err := tx.PrepareContext(ctx, `INSERT INTO review_votes
		(review_id, observed_at, helpful_up, helpful_down) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer statement.Close()

	for _, v := range votes {
		if _, err := statement.ExecContext(ctx, v.ReviewID, at, v.HelpfulUp, v.HelpfulDown); err != nil {
			return fmt.Errorf("add vote history of review %s: %w", v.ReviewID, err)
		}
	}
	return nil
}

func markMissing(ctx context.Context, tx *sql.Tx, missing []store.MissingReview, at string) error {
	if len(missing) == 0 {
		return nil
	}

	statement, err := tx.PrepareContext(ctx, `UPDATE reviews
		SET missing_runs = ?, deleted_at = coalesce(?, deleted_at)
		WHERE id = ?`)
	if err != nil {
		return err
	}
	defer statement.Close()

	for _, m := range missing {
		var deletedAt any
		if m.Delete {
			deletedAt = at
		}
		if _, err := statement.ExecContext(ctx, m.MissingRuns, deletedAt, m.ID); err != nil {
			return fmt.Errorf("mark review %s missing: %w", m.ID, err)
		}
	}
	return nil
}

// insertRunWithTotals stores the run with the vote totals of the movie's
// reviews that are not deleted, as they stand after the pass.
func insertRunWithTotals(ctx context.Context, tx *sql.Tx, run store.SyncRun) (int64, error) {
	err := tx.QueryRowContext(ctx, `SELECT coalesce(sum(helpful_up), 0), coalesce(sum(helpful_down), 0)
		FROM reviews WHERE movie_id = ? AND deleted_at IS NULL`, run.MovieID).
		Scan(&run.HelpfulUpTotal, &run.HelpfulDownTotal)
	if err != nil {
		return 0, fmt.Errorf("sum votes: %w", err)
	}
	return insertRun(ctx, tx, run)
}
