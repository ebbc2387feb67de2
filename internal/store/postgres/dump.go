package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reelpulse/reelpulse/internal/store"
)

var _ store.Dumper = (*Store)(nil)

// SchemaVersion returns the version of the last applied migration, 0 on a
// database that was never migrated.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var version *int
	if err := s.pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if version == nil {
		return 0, nil
	}
	return *version, nil
}

// TableColumns returns the columns of every table of the current schema.
func (s *Store) TableColumns(ctx context.Context) (map[string][]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT table_name::text, column_name::text
		FROM information_schema.columns
		WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`)
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

// selectAll returns the query that reads every row of t in dump order,
// with JSON columns as text for store.CanonicalJSON. The names come
// from store.DumpTables, never from input.
func selectAll(t store.Table) string {
	columns := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		columns[i] = c.Name
		if c.Type == store.TypeJSON {
			columns[i] += "::text"
		}
	}
	return `SELECT ` + strings.Join(columns, ", ") + ` FROM ` + t.Name + ` ORDER BY ` + strings.Join(t.OrderBy, ", ")
}

// Dump reads every table of store.DumpTables in one repeatable-read
// transaction.
func (s *Store) Dump(ctx context.Context, fn func(t store.Table, rows func(yield func(row []any) error) error) error) error {
	return s.read(ctx, func(tx pgx.Tx) error {
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

func dumpTable(ctx context.Context, tx pgx.Tx, t store.Table, yield func(row []any) error) error {
	rows, err := tx.Query(ctx, selectAll(t))
	if err != nil {
		return err
	}
	defer rows.Close()

	for rows.Next() {
		values, err := rows.Values()
		if err != nil {
			return err
		}
		row := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			if row[i], err = fromPostgres(c.Type, values[i]); err != nil {
				return fmt.Errorf("column %s: %w", c.Name, err)
			}
		}
		if err := yield(row); err != nil {
			return err
		}
	}
	return rows.Err()
}

// fromPostgres converts a value as pgx decodes it into the portable Go
// value of the column type.
func fromPostgres(t store.ColumnType, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch t {
	case store.TypeInt:
		switch n := v.(type) {
		case int16:
			return int64(n), nil
		case int32:
			return int64(n), nil
		case int64:
			return n, nil
		}
	case store.TypeFloat:
		if n, ok := v.(float64); ok {
			return n, nil
		}
	case store.TypeBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case store.TypeText:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case store.TypeTime, store.TypeDate:
		if tm, ok := v.(time.Time); ok {
			return tm.UTC(), nil
		}
	case store.TypeBytes:
		if b, ok := v.([]byte); ok {
			return b, nil
		}
	case store.TypeJSON:
		if s, ok := v.(string); ok {
			return store.CanonicalJSON([]byte(s))
		}
	}
	return nil, fmt.Errorf("stored value %v of Go type %T does not convert to %s", v, v, t)
}

// toPostgres converts a portable value into one that pgx encodes into the
// column.
func toPostgres(t store.ColumnType, v any) (any, error) {
	if err := store.CheckValue(t, v); err != nil {
		return nil, err
	}
	if raw, ok := v.(json.RawMessage); ok {
		// As text, so that pgx sends the JSON as it is instead of
		// encoding the byte slice.
		return string(raw), nil
	}
	return v, nil
}

// Load replaces the content of every table of store.DumpTables in one
// transaction, copying the rows with COPY, which keeps the dumped values of
// identity columns. Each identity generator then moves past the largest id.
func (s *Store) Load(ctx context.Context, open func(t store.Table) (store.RowSource, error)) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, name := range store.RebuiltTables {
			if _, err := tx.Exec(ctx, `DELETE FROM `+name); err != nil {
				return fmt.Errorf("empty table %s: %w", name, err)
			}
		}
		for i := len(store.DumpTables) - 1; i >= 0; i-- {
			t := store.DumpTables[i]
			if _, err := tx.Exec(ctx, `DELETE FROM `+t.Name); err != nil {
				return fmt.Errorf("empty table %s: %w", t.Name, err)
			}
		}
		missing := map[string][]string{}
		open := store.RecordMissing(open, missing)
		for _, t := range store.DumpTables {
			if err := loadTable(ctx, tx, t, open); err != nil {
				return fmt.Errorf("load table %s: %w", t.Name, err)
			}
			if !t.Identity {
				continue
			}
			// setval's third argument false makes the next id the value
			// itself, so an empty table starts again at 1.
			_, err := tx.Exec(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), coalesce(max(id), 0) + 1, false) FROM `+t.Name, t.Name)
			if err != nil {
				return fmt.Errorf("move the id generator of table %s: %w", t.Name, err)
			}
		}
		for _, statement := range store.Backfills(missing) {
			if _, err := tx.Exec(ctx, statement); err != nil {
				return fmt.Errorf("fill a column that the dump lacks: %w", err)
			}
		}
		return rebuildRollups(ctx, tx)
	})
}

// rebuildRollups fills the rollups of every day that has a review.
func rebuildRollups(ctx context.Context, tx pgx.Tx) error {
	rows, err := tx.Query(ctx, `SELECT movie_id, array_agg(DISTINCT submitted_at ORDER BY submitted_at)
		FROM reviews GROUP BY movie_id ORDER BY movie_id`)
	if err != nil {
		return fmt.Errorf("list review days: %w", err)
	}
	type movieDays struct {
		movie string
		days  []time.Time
	}
	all, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (movieDays, error) {
		var m movieDays
		err := row.Scan(&m.movie, &m.days)
		return m, err
	})
	if err != nil {
		return fmt.Errorf("list review days: %w", err)
	}
	for _, m := range all {
		if err := refreshDays(ctx, tx, m.movie, m.days); err != nil {
			return fmt.Errorf("rebuild the rollups of movie %s: %w", m.movie, err)
		}
	}
	return nil
}

func loadTable(ctx context.Context, tx pgx.Tx, t store.Table, open func(t store.Table) (store.RowSource, error)) error {
	source, err := open(t)
	if err != nil {
		return err
	}
	rows := &copySource{table: t, source: source}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{t.Name}, t.ColumnNames(), rows)
	if rows.err != nil {
		// The source's own error, which pgx reports only as a message.
		return rows.err
	}
	return err
}

// copySource adapts a store.RowSource to pgx.CopyFromSource.
type copySource struct {
	table  store.Table
	source store.RowSource
	n      int
	row    []any
	err    error
}

func (c *copySource) Next() bool {
	row, err := c.source.Next()
	if errors.Is(err, io.EOF) {
		return false
	}
	c.n++
	if err == nil && len(row) != len(c.table.Columns) {
		err = fmt.Errorf("has %d values, want %d", len(row), len(c.table.Columns))
	}
	// The converted values go to a row of their own: the source may keep
	// its rows.
	values := make([]any, len(row))
	for i := 0; err == nil && i < len(row); i++ {
		if values[i], err = toPostgres(c.table.Columns[i].Type, row[i]); err != nil {
			err = fmt.Errorf("column %s: %w", c.table.Columns[i].Name, err)
		}
	}
	if err != nil {
		c.err = fmt.Errorf("row %d: %w", c.n, err)
		return false
	}
	c.row = values
	return true
}

func (c *copySource) Values() ([]any, error) { return c.row, nil }

func (c *copySource) Err() error { return c.err }
