package importer

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

var update = flag.Bool("update", false, "rewrite the Parquet fixtures and the golden files in testdata/")

// fixtureDir holds the example tables written for this project in the
// layout of the Python tracker.
const fixtureDir = "testdata/python-tracker"

// columnType is how a fixture column is stored in Parquet, as pandas'
// to_parquet stores the tracker's columns.
type columnType int

const (
	textColumn      columnType = iota // BYTE_ARRAY STRING
	optionalText                      // the same, null when empty
	wholeColumn                       // INT64, a column without missing values
	optionalWhole                     // INT64, pandas' nullable Int64
	floatColumn                       // DOUBLE, an integer column with missing values
	dateColumn                        // INT32 DATE, null when empty
	timestampNanos                    // INT64 TIMESTAMP(NANOS), datetime64[ns]
	timestampMicros                   // INT64 TIMESTAMP(MICROS)
)

// fixtureSchemas gives the Parquet type of each fixture column.
var fixtureSchemas = map[string]map[string]columnType{
	"movies": {
		"title": textColumn, "movie_id": textColumn, "nb_reviews": floatColumn, "release_date": dateColumn,
		"scrapping_timestamp": timestampNanos, "poster_path": optionalText,
	},
	"reviews_raw": {
		"": wholeColumn, "review_id": textColumn, "movie_id": textColumn, "author": textColumn, "title": textColumn,
		"text": textColumn, "rating": floatColumn, "date": textColumn, "upvotes": wholeColumn, "downvotes": wholeColumn,
		"last_update": timestampMicros, "to_process": wholeColumn,
	},
	"reviews_sentiments": {
		"review_id": textColumn, "overall": wholeColumn, "story": floatColumn, "acting": optionalWhole,
		"visuals": floatColumn, "sounds": floatColumn, "values": floatColumn,
	},
}

// TestParquetFixtures checks that each Parquet fixture holds its CSV
// fixture, and rewrites it with -update.
func TestParquetFixtures(t *testing.T) {
	for name, types := range fixtureSchemas {
		t.Run(name, func(t *testing.T) {
			data := parquetFromCSV(t, filepath.Join(fixtureDir, name+".csv"), types)
			path := filepath.Join(fixtureDir, name+".parquet")
			if *update {
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			stored, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v; run go test ./internal/importer -run TestParquetFixtures -update", err)
			}
			if !bytes.Equal(stored, data) {
				t.Errorf("%s differs from %s.csv; run go test ./internal/importer -run TestParquetFixtures -update", path, name)
			}
		})
	}
}

// parquetFromCSV converts a CSV fixture to Parquet with the column types.
// The pandas index column, which has an empty name in the CSV header, is
// named as pandas names it in Parquet.
func parquetFromCSV(t *testing.T, path string, types map[string]columnType) []byte {
	t.Helper()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	records, err := csv.NewReader(file).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	header := records[0]
	name := func(column string) string {
		if column == "" {
			return "__index_level_0__"
		}
		return column
	}

	group := parquet.Group{}
	for _, column := range header {
		typ, ok := types[column]
		if !ok {
			t.Fatalf("%s: column %q has no Parquet type in fixtureSchemas", path, column)
		}
		group[name(column)] = parquetNode(typ)
	}
	var buf bytes.Buffer
	writer := parquet.NewGenericWriter[map[string]any](&buf, parquet.NewSchema("schema", group))
	for line, record := range records[1:] {
		row := map[string]any{}
		for i, column := range header {
			value, err := parquetValue(types[column], record[i])
			if err != nil {
				t.Fatalf("%s: row %d, column %s: %v", path, line+1, column, err)
			}
			row[name(column)] = value
		}
		if _, err := writer.Write([]map[string]any{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func parquetNode(typ columnType) parquet.Node {
	switch typ {
	case optionalText:
		return parquet.Optional(parquet.String())
	case wholeColumn:
		return parquet.Int(64)
	case optionalWhole:
		return parquet.Optional(parquet.Int(64))
	case floatColumn:
		return parquet.Optional(parquet.Leaf(parquet.DoubleType))
	case dateColumn:
		return parquet.Optional(parquet.Date())
	case timestampNanos:
		return parquet.Optional(parquet.Timestamp(parquet.Nanosecond))
	case timestampMicros:
		return parquet.Optional(parquet.Timestamp(parquet.Microsecond))
	}
	return parquet.String()
}

// parquetValue converts a CSV value; optional columns take pointers, since
// the writer stores a zero value of an optional column as null.
func parquetValue(typ columnType, s string) (any, error) {
	if s == "" && typ != textColumn && typ != wholeColumn {
		return nil, nil
	}
	switch typ {
	case wholeColumn, optionalWhole:
		n, err := strconv.ParseInt(strings.TrimSuffix(s, ".0"), 10, 64)
		if typ == optionalWhole {
			return &n, err
		}
		return n, err
	case floatColumn:
		f, err := strconv.ParseFloat(s, 64)
		return &f, err
	case dateColumn:
		day, err := parseDay(s)
		return new(int32(day.Unix() / 86400)), err
	case timestampNanos:
		at, err := parseTimestamp(s)
		return new(at.UnixNano()), err
	case timestampMicros:
		at, err := parseTimestamp(s)
		return new(at.UnixMicro()), err
	case optionalText:
		return &s, nil
	}
	return s, nil
}
