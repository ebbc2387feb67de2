package importer

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// record is one row of a table file: its values keyed by lower-case column
// name, with null and empty both read as "". Pos is the line of the row's
// start in a CSV file and the 1-based row number in a Parquet file.
type record struct {
	pos    int
	values map[string]string
}

// table reads the rows of a CSV or Parquet file, keeping the columns that
// an importer reads.
type table interface {
	// columns returns the lower-case column names of the file.
	columns() []string
	// next returns the next row, or io.EOF after the last one. A row that
	// cannot be read but does not stop the file, such as a CSV line with
	// a wrong number of fields, is returned with a *rowError.
	next() (record, error)
	close() error
}

// openTable opens path as a CSV or Parquet table.
func openTable(path string, f Format) (table, error) {
	switch f {
	case FormatCSV:
		return openCSV(path)
	case FormatParquet:
		return openParquet(path)
	}
	return nil, fmt.Errorf("%s: format %q does not hold a table; use csv or parquet", path, f)
}

type csvTable struct {
	file   *os.File
	reader *csv.Reader
	header []string
}

func openCSV(path string) (*csvTable, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	reader := csv.NewReader(file)
	header, err := reader.Read()
	if err != nil {
		file.Close()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the file is empty; expected a header row with the column names", path)
		}
		return nil, fmt.Errorf("%s: read the header row: %w", path, err)
	}
	for i, name := range header {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // a byte order mark written by spreadsheet programs
		}
		header[i] = strings.ToLower(strings.TrimSpace(name))
	}
	return &csvTable{file: file, reader: reader, header: header}, nil
}

func (c *csvTable) columns() []string { return c.header }

func (c *csvTable) next() (record, error) {
	fields, err := c.reader.Read()
	if errors.Is(err, csv.ErrFieldCount) {
		line, _ := c.reader.FieldPos(0)
		return record{pos: line}, &rowError{reason: reasonMalformed,
			message: fmt.Sprintf("the row has %d fields but the header has %d", len(fields), len(c.header))}
	}
	if err != nil {
		return record{}, err
	}
	line, _ := c.reader.FieldPos(0)
	values := make(map[string]string, len(fields))
	for i, value := range fields {
		if c.header[i] != "" {
			values[c.header[i]] = value
		}
	}
	return record{pos: line, values: values}, nil
}

func (c *csvTable) close() error { return c.file.Close() }

// parquetTable reads a Parquet file generically by column name, as pandas'
// to_parquet writes them: strings, integers, floating-point numbers (an
// integer column with missing values becomes one), booleans, dates and
// timestamps, optional or not.
type parquetTable struct {
	file    io.Closer
	names   []string // lower-case name of each leaf column, by column index
	kinds   []valueKind
	groups  []parquet.RowGroup
	rows    parquet.Rows
	buffer  []parquet.Row
	pending []parquet.Row
	pos     int
}

// valueKind is the way a Parquet column's values are turned into text.
type valueKind int

const (
	kindPlain valueKind = iota
	kindDate
	kindTimestampMillis
	kindTimestampMicros
	kindTimestampNanos
)

func openParquet(path string) (*parquetTable, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	info, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	p, err := readParquet(file, info.Size(), file)
	if err != nil {
		file.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return p, nil
}

// readParquet reads the schema of the Parquet data in r. closer is closed
// with the table.
func readParquet(r io.ReaderAt, size int64, closer io.Closer) (*parquetTable, error) {
	var p *parquetTable
	err := unpanic(func() error {
		pf, err := parquet.OpenFile(r, size)
		if err != nil {
			return err
		}
		schema := pf.Schema()
		paths := schema.Columns()
		p = &parquetTable{file: closer, names: make([]string, len(paths)), kinds: make([]valueKind, len(paths)),
			groups: pf.RowGroups(), buffer: make([]parquet.Row, 64)}
		for _, columnPath := range paths {
			if len(columnPath) != 1 {
				continue // nested columns are not part of the tracker's tables
			}
			leaf, ok := schema.Lookup(columnPath...)
			if !ok {
				continue
			}
			p.names[leaf.ColumnIndex] = strings.ToLower(strings.TrimSpace(columnPath[0]))
			p.kinds[leaf.ColumnIndex] = valueKindOf(leaf.Node.Type())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("not a readable Parquet file: %w", err)
	}
	return p, nil
}

// unpanic calls f and returns a panic in it as an error. parquet-go panics
// on some damaged files instead of returning an error, for example with a
// slice out of range in (*File).ReadPageIndex.
func unpanic(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("the file is damaged (%v)", r)
		}
	}()
	return f()
}

// valueKindOf reads a column's logical type, or its converted type in files
// written by older libraries.
func valueKindOf(t parquet.Type) valueKind {
	if logical := t.LogicalType(); logical != nil {
		switch v := logical.Value.(type) {
		case *format.DateType:
			return kindDate
		case *format.TimestampType:
			switch v.Unit.Value.(type) {
			case *format.MilliSeconds:
				return kindTimestampMillis
			case *format.MicroSeconds:
				return kindTimestampMicros
			case *format.NanoSeconds:
				return kindTimestampNanos
			}
		}
	}
	if converted := t.ConvertedType(); converted != nil {
		switch *converted {
		case deprecated.Date:
			return kindDate
		case deprecated.TimestampMillis:
			return kindTimestampMillis
		case deprecated.TimestampMicros:
			return kindTimestampMicros
		}
	}
	return kindPlain
}

func (p *parquetTable) columns() []string { return p.names }

func (p *parquetTable) next() (record, error) {
	for len(p.pending) == 0 {
		err := unpanic(p.fill)
		if errors.Is(err, io.EOF) {
			return record{}, err
		}
		if err != nil {
			return record{}, fmt.Errorf("not a readable Parquet file: %w", err)
		}
	}
	row := p.pending[0]
	p.pending = p.pending[1:]
	p.pos++

	values := make(map[string]string, len(p.names))
	for _, v := range row {
		column := v.Column()
		if column < 0 || column >= len(p.names) || p.names[column] == "" {
			continue
		}
		values[p.names[column]] = p.text(v, p.kinds[column])
	}
	return record{pos: p.pos, values: values}, nil
}

// fill reads the next rows into pending, moving on to the next row group
// when the current one is exhausted.
func (p *parquetTable) fill() error {
	for {
		if p.rows == nil {
			if len(p.groups) == 0 {
				return io.EOF
			}
			p.rows = p.groups[0].Rows()
			p.groups = p.groups[1:]
		}
		n, err := p.rows.ReadRows(p.buffer)
		if n > 0 {
			p.pending = make([]parquet.Row, n)
			for i := range n {
				p.pending[i] = p.buffer[i].Clone()
			}
		}
		if errors.Is(err, io.EOF) {
			closeErr := p.rows.Close()
			p.rows = nil
			if closeErr != nil {
				return closeErr
			}
		} else if err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

// text returns a value as the text that a CSV dump of the same column
// holds, so that both formats share one row parser.
func (p *parquetTable) text(v parquet.Value, kind valueKind) string {
	if v.IsNull() {
		return ""
	}
	switch v.Kind() {
	case parquet.Boolean:
		return strconv.FormatBool(v.Boolean())
	case parquet.Int32:
		if kind == kindDate {
			return time.Unix(int64(v.Int32())*86400, 0).UTC().Format(time.DateOnly)
		}
		return strconv.FormatInt(int64(v.Int32()), 10)
	case parquet.Int64:
		switch kind {
		case kindTimestampMillis:
			return formatTimestamp(time.UnixMilli(v.Int64()))
		case kindTimestampMicros:
			return formatTimestamp(time.UnixMicro(v.Int64()))
		case kindTimestampNanos:
			return formatTimestamp(time.Unix(0, v.Int64()))
		}
		return strconv.FormatInt(v.Int64(), 10)
	case parquet.Int96:
		return formatTimestamp(int96Time(v.Int96()))
	case parquet.Float:
		return formatFloat(float64(v.Float()))
	case parquet.Double:
		return formatFloat(v.Double())
	}
	return string(v.ByteArray())
}

// int96Time reads the timestamps that Spark and old pandas versions wrote:
// nanoseconds of the day, then the Julian day.
func int96Time(v deprecated.Int96) time.Time {
	nanos := int64(v[1])<<32 | int64(v[0])
	const unixEpochJulianDay = 2440588
	days := int64(v[2]) - unixEpochJulianDay
	return time.Unix(days*86400, nanos)
}

func formatTimestamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// formatFloat writes a float as pandas' CSV does for whole numbers ("8.0"
// reads back as 8) and NaN, pandas' missing value, as empty.
func formatFloat(f float64) string {
	if math.IsNaN(f) {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func (p *parquetTable) close() error {
	if p.rows != nil {
		_ = unpanic(p.rows.Close)
	}
	return p.file.Close()
}
