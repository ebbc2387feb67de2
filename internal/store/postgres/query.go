package postgres

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/reviewsql"
)

var dialect = reviewsql.Dialect{
	Placeholder: func(n int) string { return "$" + strconv.Itoa(n) },
	Date:        func(t time.Time) any { return date(t) },
	Like:        "ILIKE",
	// The trigram indexes of migration 0008 serve the ILIKE condition.
	Indexed: reviewsql.HasWordTrigram,
}

// QueryReviews returns the page of the movie's reviews that filter selects, with
// the count of all matching reviews, from one snapshot of the database.
func (s *Store) QueryReviews(ctx context.Context, filter store.ReviewFilter) (store.ReviewPage, error) {
	filter, err := filter.Normalized()
	if err != nil {
		return store.ReviewPage{}, err
	}

	// One review more than the page shows whether another page follows.
	probe := filter
	if filter.Limit > 0 {
		probe.Limit = filter.Limit + 1
	}
	page, count := reviewsql.Build(dialect, reviewColumns, probe)
	result := store.ReviewPage{}
	err = s.read(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, page.SQL, page.Args...)
		if err != nil {
			return err
		}
		if result.Reviews, err = pgx.CollectRows(rows, scanReview); err != nil {
			return err
		}
		if !filter.CountTotal {
			return nil
		}

		if count.Limit > 0 && reviewsql.HasWordTrigram(filter.Text) {
			// With a LIMIT, the planner may walk the movie's reviews until
			// enough match, which reads them all for a rare word. Leaving
			// only bitmap scans makes it read the trigram indexes first.
			// SET LOCAL ends with this read transaction.
			for _, setting := range []string{`SET LOCAL enable_seqscan = off`, `SET LOCAL enable_indexscan = off`} {
				if _, err := tx.Exec(ctx, setting); err != nil {
					return err
				}
			}
		}
		result.Total = new(0)
		if err := tx.QueryRow(ctx, count.SQL, count.Args...).Scan(result.Total); err != nil {
			return err
		}
		if count.Limit > 0 && *result.Total > count.Limit {
			*result.Total, result.TotalCapped = count.Limit, true
		}
		return nil
	})
	if err != nil {
		return store.ReviewPage{}, fmt.Errorf("query reviews of movie %s: %w", filter.MovieID, err)
	}

	result.Reviews = emptyIfNil(result.Reviews)
	if filter.Limit > 0 && len(result.Reviews) > filter.Limit {
		result.Reviews = result.Reviews[:filter.Limit]
		result.Next = store.CursorAfter(filter.Sort, result.Reviews[len(result.Reviews)-1])
	}
	return result, nil
}
