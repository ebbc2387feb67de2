package backup

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

// Each table file is gzip-compressed JSON Lines: one JSON array per row,
// with one element per column of the manifest's column list. An element is
// null or a value of the column's type. Text is a string, int an integer,
// and float a number or one of the strings "NaN", "+Inf" and "-Inf". Bool
// is true or false. Time is an RFC 3339 string in UTC with microseconds,
// and date a "2006-01-02" string. Bytes are standard base64, and JSON is
// the value itself.

const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// encodeRow appends the JSON line of row to buf.
func encodeRow(buf []byte, columns []store.Column, row []any) ([]byte, error) {
	if len(row) != len(columns) {
		return nil, fmt.Errorf("row has %d values, want %d", len(row), len(columns))
	}
	buf = append(buf, '[')
	for i, c := range columns {
		if i > 0 {
			buf = append(buf, ',')
		}
		var err error
		if buf, err = encodeValue(buf, c.Type, row[i]); err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
	}
	return append(buf, ']', '\n'), nil
}

func encodeValue(buf []byte, t store.ColumnType, v any) ([]byte, error) {
	if err := store.CheckValue(t, v); err != nil {
		return nil, err
	}
	if v == nil {
		return append(buf, "null"...), nil
	}
	switch t {
	case store.TypeText:
		return appendJSONString(buf, v.(string))
	case store.TypeInt:
		return strconv.AppendInt(buf, v.(int64), 10), nil
	case store.TypeFloat:
		f := v.(float64)
		switch {
		case math.IsNaN(f):
			return append(buf, `"NaN"`...), nil
		case math.IsInf(f, 1):
			return append(buf, `"+Inf"`...), nil
		case math.IsInf(f, -1):
			return append(buf, `"-Inf"`...), nil
		}
		return strconv.AppendFloat(buf, f, 'g', -1, 64), nil
	case store.TypeBool:
		return strconv.AppendBool(buf, v.(bool)), nil
	case store.TypeTime:
		return appendJSONString(buf, v.(time.Time).UTC().Format(timeLayout))
	case store.TypeDate:
		return appendJSONString(buf, v.(time.Time).UTC().Format(time.DateOnly))
	case store.TypeBytes:
		return appendJSONString(buf, base64.StdEncoding.EncodeToString(v.([]byte)))
	case store.TypeJSON:
		var compact bytes.Buffer
		if err := json.Compact(&compact, v.(json.RawMessage)); err != nil {
			return nil, fmt.Errorf("invalid JSON value: %w", err)
		}
		return append(buf, compact.Bytes()...), nil
	}
	return nil, fmt.Errorf("unknown column type %s", t)
}

func appendJSONString(buf []byte, s string) ([]byte, error) {
	encoded, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return append(buf, encoded...), nil
}

// rowDecoder reads the rows of one table file.
type rowDecoder struct {
	columns []store.Column
	scanner *bufio.Scanner
	line    int
}

// maxLine bounds one encoded row. A poster of a few megabytes in base64 is
// the largest value a table holds.
const maxLine = 64 << 20

func newRowDecoder(r io.Reader, columns []store.Column) *rowDecoder {
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 0, 64<<10), maxLine)
	return &rowDecoder{columns: columns, scanner: scanner}
}

// Next returns the next row, or io.EOF after the last one.
func (d *rowDecoder) Next() ([]any, error) {
	if !d.scanner.Scan() {
		if err := d.scanner.Err(); err != nil {
			return nil, fmt.Errorf("line %d: %w", d.line+1, err)
		}
		return nil, io.EOF
	}
	d.line++
	row, err := decodeRow(d.scanner.Bytes(), d.columns)
	if err != nil {
		return nil, fmt.Errorf("line %d: %w", d.line, err)
	}
	return row, nil
}

func decodeRow(line []byte, columns []store.Column) ([]any, error) {
	var elements []json.RawMessage
	if err := json.Unmarshal(line, &elements); err != nil {
		return nil, fmt.Errorf("invalid row: %w", err)
	}
	if len(elements) != len(columns) {
		return nil, fmt.Errorf("row has %d values, want %d", len(elements), len(columns))
	}
	row := make([]any, len(columns))
	for i, c := range columns {
		v, err := decodeValue(c.Type, elements[i])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		row[i] = v
	}
	return row, nil
}

var errNotString = errors.New("expected a JSON string")

func decodeValue(t store.ColumnType, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	str := func() (string, error) {
		var s string
		if len(raw) == 0 || raw[0] != '"' {
			return "", errNotString
		}
		err := json.Unmarshal(raw, &s)
		return s, err
	}
	switch t {
	case store.TypeText:
		return str()
	case store.TypeInt:
		return strconv.ParseInt(string(raw), 10, 64)
	case store.TypeFloat:
		if s, err := str(); err == nil {
			switch s {
			case "NaN":
				return math.NaN(), nil
			case "+Inf":
				return math.Inf(1), nil
			case "-Inf":
				return math.Inf(-1), nil
			}
			return nil, fmt.Errorf("invalid number %q", s)
		}
		return strconv.ParseFloat(string(raw), 64)
	case store.TypeBool:
		switch string(raw) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, fmt.Errorf("invalid bool %s", raw)
	case store.TypeTime, store.TypeDate:
		s, err := str()
		if err != nil {
			return nil, err
		}
		layout := timeLayout
		if t == store.TypeDate {
			layout = time.DateOnly
		}
		parsed, err := time.Parse(layout, s)
		if err != nil {
			return nil, err
		}
		return parsed.UTC(), nil
	case store.TypeBytes:
		s, err := str()
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.DecodeString(s)
	case store.TypeJSON:
		if !json.Valid(raw) {
			return nil, errors.New("invalid JSON value")
		}
		return json.RawMessage(bytes.Clone(raw)), nil
	}
	return nil, fmt.Errorf("unknown column type %s", t)
}
