package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/store/reviewsql"
)

var dialect = reviewsql.Dialect{
	Placeholder: func(n int) string { return "?" + strconv.Itoa(n) },
	Date:        func(t time.Time) any { return t.UTC().Format(time.DateOnly) },
	Like:        "LIKE",
	Indexed:     reviewsql.HasTrigram,
	// The trigram index of migration 0008 contains the titles and texts
	// with their ASCII letters lowercased, so that it matches what LIKE
	// matches.
	TextIndex: `r.rowid IN (SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH %s)`,
}

// QueryReviews returns the page of the movie's reviews that filter selects, with
// the count of all matching reviews, from one snapshot of the database.
// SQLite's LIKE ignores the case of ASCII letters only.
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
	err = s.read(ctx, func(tx *sql.Tx) error {
		if filter.CountTotal {
			result.Total = new(0)
			if err := tx.QueryRowContext(ctx, count.SQL, count.Args...).Scan(result.Total); err != nil {
				return err
			}
			if count.Limit > 0 && *result.Total > count.Limit {
				*result.Total, result.TotalCapped = count.Limit, true
			}
		}
		rows, err := tx.QueryContext(ctx, page.SQL, page.Args...)
		if err != nil {
			return err
		}
		result.Reviews, err = scanReviews(rows)
		return err
	})
	if err != nil {
		return store.ReviewPage{}, fmt.Errorf("query reviews of movie %s: %w", filter.MovieID, err)
	}

	if filter.Limit > 0 && len(result.Reviews) > filter.Limit {
		result.Reviews = result.Reviews[:filter.Limit]
		result.Next = store.CursorAfter(filter.Sort, result.Reviews[len(result.Reviews)-1])
	}
	return result, nil
}
