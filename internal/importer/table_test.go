package importer

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

// TestParquetValueTypes reads each value type that pandas and older
// writers put in Parquet files as the text of the same value in a CSV dump.
func TestParquetValueTypes(t *testing.T) {
	at := time.Date(2024, 1, 10, 8, 15, 0, 500_000_000, time.UTC)
	columns := []struct {
		name  string
		node  parquet.Node
		value any
		want  string
	}{
		{"int32", parquet.Int(32), int32(-7), "-7"},
		{"int64", parquet.Int(64), int64(1) << 40, "1099511627776"},
		{"double", parquet.Leaf(parquet.DoubleType), 8.0, "8"},
		{"nan", parquet.Leaf(parquet.DoubleType), math.NaN(), ""},
		{"float", parquet.Leaf(parquet.FloatType), float32(7.5), "7.5"},
		{"boolean", parquet.Leaf(parquet.BooleanType), true, "true"},
		{"text", parquet.String(), "Jan 5, 2024", "Jan 5, 2024"},
		{"null", parquet.Optional(parquet.String()), nil, ""},
		{"date", parquet.Date(), int32(at.Unix() / 86400), "2024-01-10"},
		{"millis", parquet.Timestamp(parquet.Millisecond), at.UnixMilli(), "2024-01-10T08:15:00.5Z"},
		{"micros", parquet.Timestamp(parquet.Microsecond), at.UnixMicro(), "2024-01-10T08:15:00.5Z"},
		{"nanos", parquet.Timestamp(parquet.Nanosecond), at.UnixNano(), "2024-01-10T08:15:00.5Z"},
	}
	group := parquet.Group{}
	row := map[string]any{}
	for _, c := range columns {
		group[c.name] = c.node
		row[c.name] = c.value
	}
	path := filepath.Join(t.TempDir(), "types.parquet")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	writer := parquet.NewGenericWriter[map[string]any](file, parquet.NewSchema("types", group))
	if _, err := writer.Write([]map[string]any{row, row}); err != nil {
		t.Fatal(err)
	}
	if err := writer.Close(); err != nil {
		t.Fatal(err)
	}
	if err := file.Close(); err != nil {
		t.Fatal(err)
	}

	table, err := openParquet(path)
	if err != nil {
		t.Fatal(err)
	}
	defer table.close()
	for want := 1; want <= 2; want++ {
		rec, err := table.next()
		if err != nil {
			t.Fatal(err)
		}
		if rec.pos != want {
			t.Errorf("row number %d, want %d", rec.pos, want)
		}
		for _, c := range columns {
			if got := rec.values[c.name]; got != c.want {
				t.Errorf("row %d, %s = %q, want %q", want, c.name, got, c.want)
			}
		}
	}
	if _, err := table.next(); !errors.Is(err, io.EOF) {
		t.Errorf("after the last row: %v, want io.EOF", err)
	}
}

func TestCSVRowErrors(t *testing.T) {
	path := filepath.Join(t.TempDir(), "movies.csv")
	content := "\ufeffMovie_ID , Title\ntt9100001,\"Two\nlines\"\ntt9100002\ntt9100003,Three\n"
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	table, err := openCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	defer table.close()
	if got := table.columns(); len(got) != 2 || got[0] != "movie_id" || got[1] != "title" {
		t.Errorf("columns = %q, want movie_id and title without the byte order mark, spaces or capitals", got)
	}

	rec, err := table.next()
	if err != nil || rec.pos != 2 || rec.values["title"] != "Two\nlines" {
		t.Errorf("first row = %+v, %v", rec, err)
	}
	rec, err = table.next()
	var bad *rowError
	if !errors.As(err, &bad) || bad.reason != reasonMalformed || rec.pos != 4 {
		t.Errorf("short row: %+v, %v, want a malformed row on line 4", rec, err)
	}
	rec, err = table.next()
	if err != nil || rec.pos != 5 || rec.values["movie_id"] != "tt9100003" {
		t.Errorf("row after the short one = %+v, %v", rec, err)
	}
}

// TestParquetInt96 reads an INT96 timestamp, as Spark and old pandas
// versions wrote them: nanoseconds of the day, then the Julian day.
func TestParquetInt96(t *testing.T) {
	type row struct {
		LastUpdate deprecated.Int96 `parquet:"last_update"`
	}
	nanos := uint64(8*time.Hour + 15*time.Minute + 500*time.Millisecond)
	day := time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC).Unix() / 86400
	value := deprecated.Int96{uint32(nanos), uint32(nanos >> 32), uint32(2440588 + day)}

	var buf bytes.Buffer
	if err := parquet.Write(&buf, []row{{value}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "int96.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	table, err := openParquet(path)
	if err != nil {
		t.Fatal(err)
	}
	defer table.close()
	rec, err := table.next()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rec.values["last_update"], "2024-01-10T08:15:00.5Z"; got != want {
		t.Errorf("last_update = %q, want %q", got, want)
	}
}

// readParquetData reads data as a Parquet table, every row of it. It fails
// the test when parquet-go panics through the table, and returns the first
// error.
func readParquetData(t *testing.T, data []byte) (rows int, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("reading %d bytes panicked: %v", len(data), r)
		}
	}()
	table, err := readParquet(bytes.NewReader(data), int64(len(data)), io.NopCloser(nil))
	if err != nil {
		return 0, err
	}
	defer table.close()
	for {
		_, err := table.next()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		rows++
	}
}

// TestDamagedParquet sets bytes of each Parquet fixture to 0x00 and 0xff in
// turn and cuts the file short. The table must return an error instead of
// panicking. Every byte of the footer (metadata and page indexes) is
// damaged, and every seventh byte before it. Byte 5278 of
// reviews_raw.parquet is in a page index that made parquet-go panic.
func TestDamagedParquet(t *testing.T) {
	const readable = "not a readable Parquet file"
	const footerBytes = 1200
	for _, name := range []string{"movies", "reviews_raw", "reviews_sentiments"} {
		t.Run(name, func(t *testing.T) {
			original, err := os.ReadFile(filepath.Join(fixtureDir, name+".parquet"))
			if err != nil {
				t.Fatal(err)
			}
			failed := 0
			for i := range original {
				if i%7 != 0 && i < len(original)-footerBytes {
					continue
				}
				for _, b := range []byte{0x00, 0xff} {
					if original[i] == b {
						continue
					}
					damaged := bytes.Clone(original)
					damaged[i] = b
					if _, err := readParquetData(t, damaged); err != nil {
						failed++
						if !strings.Contains(err.Error(), readable) {
							t.Fatalf("byte %d set to %#x: error %q does not say %q", i, b, err, readable)
						}
					}
				}
			}
			for _, size := range []int{0, 4, 8, len(original) / 2, len(original) - 9, len(original) - 1} {
				if _, err := readParquetData(t, original[:size]); err == nil || !strings.Contains(err.Error(), readable) {
					t.Errorf("file cut to %d bytes: error %v, want %q", size, err, readable)
				}
			}
			if failed == 0 {
				t.Errorf("no damaged byte made %s unreadable", name)
			}
			t.Logf("%s: %d bytes, %d of the damaged copies are unreadable", name, len(original), failed)
		})
	}

	t.Run("page index", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(fixtureDir, "reviews_raw.parquet"))
		if err != nil {
			t.Fatal(err)
		}
		data[5278] = 0
		path := filepath.Join(t.TempDir(), "reviews_raw.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = openParquet(path)
		if err == nil || !strings.HasPrefix(err.Error(), path+": "+readable+": ") {
			t.Errorf("error = %v, want %q naming the file", err, readable)
		}
	})
}

// FuzzParquetTable reads arbitrary bytes as a Parquet table, starting from
// the fixtures: the table returns rows or an error, and never panics.
func FuzzParquetTable(f *testing.F) {
	for _, name := range []string{"movies", "reviews_raw", "reviews_sentiments"} {
		data, err := os.ReadFile(filepath.Join(fixtureDir, name+".parquet"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, err := readParquetData(t, data)
		if err != nil && !strings.Contains(err.Error(), "not a readable Parquet file") {
			t.Errorf("error %q does not say that the file is not readable", err)
		}
	})
}
