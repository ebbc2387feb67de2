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
		if filter.CountTotal {
			result.Total = new(0)
			if err := tx.QueryRow(ctx, count.SQL, count.Args...).Scan(result.Total); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, page.SQL, page.Args...)
		if err != nil {
			return err
		}
		result.Reviews, err = pgx.CollectRows(rows, scanReview)
		return err
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
