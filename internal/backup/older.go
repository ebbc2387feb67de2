package backup

import (
	"github.com/reelpulse/reelpulse/internal/store"
)

// olderSource serves the rows of a backup taken before migrations added
// some of the table's columns, with the Default of each missing column, and
// reports to the load which columns to backfill (store.OlderRowSource).
type olderSource struct {
	source  store.RowSource
	columns []store.Column
	present []bool // per column of the table: whether the backup has it
	missing []string
}

// withDefaults returns source, which decodes the columns that t had at
// schemaVersion, as a source of every column of t.
func withDefaults(t store.Table, schemaVersion int, source store.RowSource) store.RowSource {
	o := &olderSource{source: source, columns: t.Columns, present: make([]bool, len(t.Columns))}
	for i, c := range t.Columns {
		o.present[i] = c.Since <= schemaVersion
		if !o.present[i] {
			o.missing = append(o.missing, c.Name)
		}
	}
	if len(o.missing) == 0 {
		return source
	}
	return o
}

func (o *olderSource) Next() ([]any, error) {
	stored, err := o.source.Next()
	if err != nil {
		return nil, err
	}
	row := make([]any, len(o.columns))
	next := 0
	for i, c := range o.columns {
		if !o.present[i] {
			row[i] = c.Default
			continue
		}
		row[i] = stored[next]
		next++
	}
	return row, nil
}

// MissingColumns returns the names of the columns that the backup lacks.
func (o *olderSource) MissingColumns() []string { return o.missing }
