package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

var _ store.Dumper = (*Store)(nil)

// SchemaVersion returns the version of the last applied migration, 0 on a
// database that was never migrated.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var version sql.NullInt64
	err := s.reader.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(version.Int64), nil
}

// TableColumns returns the columns of every table of the database.
func (s *Store) TableColumns(ctx context.Context) (map[string][]string, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT m.name, p.name
		FROM sqlite_schema m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		ORDER BY m.name, p.cid`)
	if err != nil {
		return nil, fmt.Errorf("list table columns: %w", err)
	}
	defer rows.Close()

	tables := map[string][]string{}
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			return nil, fmt.Errorf("list table columns: %w", err)
		}
		tables[table] = append(tables[table], column)
	}
	return tables, rows.Err()
}

// selectAll returns the query that reads every row of t in dump order. The
// names come from store.DumpTables, never from input.
func selectAll(t store.Table) string {
	return `SELECT ` + strings.Join(t.ColumnNames(), ", ") + ` FROM ` + t.Name + ` ORDER BY ` + strings.Join(t.OrderBy, ", ")
}

// Dump reads every table of store.DumpTables in one read transaction.
func (s *Store) Dump(ctx context.Context, fn func(t store.Table, rows func(yield func(row []any) error) error) error) error {
	return s.read(ctx, func(tx *sql.Tx) error {
		for _, t := range store.DumpTables {
			rows := func(yield func(row []any) error) error {
				return dumpTable(ctx, tx, t, yield)
			}
			if err := fn(t, rows); err != nil {
				return fmt.Errorf("dump table %s: %w", t.Name, err)
			}
		}
		return nil
	})
}

func dumpTable(ctx context.Context, tx *sql.Tx, t store.Table, yield func(row []any) error) error {
	rows, err := tx.QueryContext(ctx, selectAll(t))
	if err != nil {
		return err
	}
	defer rows.Close()

	raw := make([]any, len(t.Columns))
	pointers := make([]any, len(t.Columns))
	for i := range raw {
		pointers[i] = &raw[i]
	}
	for rows.Next() {
		if err := rows.Scan(pointers...); err != nil {
			return err
		}
		row := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			if row[i], err = fromSQLite(c.Type, raw[i]); err != nil {
				return fmt.Errorf("column %s: %w", c.Name, err)
			}
		}
		if err := yield(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fromSQLite converts a value as the driver scans it into the portable Go
// value of the column type.
func fromSQLite(t store.ColumnType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case store.TypeInt:
		if n, ok := v.(int64); ok {
			return n, nil
		}
	case store.TypeFloat:
		switch n := v.(type) {
		case float64:
			return n, nil
		case int64:
			return float64(n), nil
		}
	case store.TypeBool:
		if n, ok := v.(int64); ok {
			return n != 0, nil
		}
	case store.TypeText, store.TypeTime, store.TypeDate, store.TypeJSON:
		s, ok := v.(string)
		if !ok {
			break
		}
		var p parser
		switch t {
		case store.TypeTime:
			return p.time(s), p.err
		case store.TypeDate:
			return p.date(s), p.err
		case store.TypeJSON:
			return store.CanonicalJSON([]byte(s))
		}
		return s, nil
	case store.TypeBytes:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	}
	return nil, fmt.Errorf("stored value %v of Go type %T does not convert to %s", v, v, t)
}

// toSQLite converts a portable value into the value that the column
// stores.
func toSQLite(t store.ColumnType, v any) (any, error) {
	if err := store.CheckValue(t, v); err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	switch t {
	case store.TypeBool:
		if v.(bool) {
			return int64(1), nil
		}
		return int64(0), nil
	case store.TypeTime:
		return formatTime(v.(time.Time)), nil
	case store.TypeDate:
		return formatDate(v.(time.Time)), nil
	case store.TypeJSON:
		return string(v.(json.RawMessage)), nil
	}
	return v, nil
}

// Load replaces the content of every table of store.DumpTables in one
// write transaction.
func (s *Store) Load(ctx context.Context, open func(t store.Table) (store.RowSource, error)) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, name := range store.RebuiltTables {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+name); err != nil {
				return fmt.Errorf("empty table %s: %w", name, err)
			}
		}
		for i := len(store.DumpTables) - 1; i >= 0; i-- {
			t := store.DumpTables[i]
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.Name); err != nil {
				return fmt.Errorf("empty table %s: %w", t.Name, err)
			}
		}
		missing := map[string][]string{}
		open := store.RecordMissing(open, missing)
		for _, t := range store.DumpTables {
			if err := loadTable(ctx, tx, t, open); err != nil {
				return fmt.Errorf("load table %s: %w", t.Name, err)
			}
		}
		for _, statement := range store.Backfills(missing) {
			if _, err := tx.ExecContext(ctx, statement); err != nil {
				return fmt.Errorf("fill a column that the dump lacks: %w", err)
			}
		}
		return rebuildRollups(ctx, tx)
	})
}

// rebuildRollups fills the rollups of every day that has a review.
func rebuildRollups(ctx context.Context, tx *sql.Tx) error {
	movies, days, err := reviewDays(ctx, tx)
	if err != nil {
		return fmt.Errorf("list review days: %w", err)
	}
	for _, movie := range movies {
		if err := refreshDays(ctx, tx, movie, days[movie]); err != nil {
			return fmt.Errorf("rebuild the rollups of movie %s: %w", movie, err)
		}
	}
	return nil
}

// reviewDays returns the movies that have reviews, in id order, and the
// days of each movie's reviews.
func reviewDays(ctx context.Context, tx *sql.Tx) ([]string, map[string][]time.Time, error) {
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT movie_id, submitted_at FROM reviews ORDER BY movie_id, submitted_at`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()

	days := map[string][]time.Time{}
	var movies []string
	for rows.Next() {
		var movie, day string
		if err := rows.Scan(&movie, &day); err != nil {
			return nil, nil, err
		}
		if _, ok := days[movie]; !ok {
			movies = append(movies, movie)
		}
		var p parser
		days[movie] = append(days[movie], p.date(day))
		if p.err != nil {
			return nil, nil, p.err
		}
	}
	return movies, days, rows.Err()
}

func loadTable(ctx context.Context, tx *sql.Tx, t store.Table, open func(t store.Table) (store.RowSource, error)) error {
	source, err := open(t)
	if err != nil {
		return err
	}
	placeholders := strings.TrimSuffix(strings.Repeat("?, ", len(t.Columns)), ", ")
	insert, err := tx.PrepareContext(ctx, `INSERT INTO `+t.Name+` (`+strings.Join(t.ColumnNames(), ", ")+`) VALUES (`+placeholders+`)`)
	if err != nil {
		return err
	}
	defer insert.Close()

	args := make([]any, len(t.Columns))
	for n := 1; ; n++ {
		row, err := source.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if len(row) != len(t.Columns) {
			return fmt.Errorf("row %d has %d values, want %d", n, len(row), len(t.Columns))
		}
		for i, c := range t.Columns {
			if args[i], err = toSQLite(c.Type, row[i]); err != nil {
				return fmt.Errorf("row %d, column %s: %w", n, c.Name, err)
			}
		}
		if _, err := insert.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("row %d: %w", n, err)
		}
	}
}
