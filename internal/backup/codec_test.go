package backup

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

var allTypes = []store.Column{
	{Name: "t", Type: store.TypeText}, {Name: "i", Type: store.TypeInt}, {Name: "f", Type: store.TypeFloat},
	{Name: "b", Type: store.TypeBool}, {Name: "ts", Type: store.TypeTime}, {Name: "d", Type: store.TypeDate},
	{Name: "y", Type: store.TypeBytes}, {Name: "j", Type: store.TypeJSON},
}

func TestCodecRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		row  []any
		line string
	}{
		{
			"values",
			[]any{"Ellen’s “sacrifice” \n<script>", int64(-9007199254740993), 0.1, true,
				time.Date(2026, 12, 5, 1, 2, 3, 456789000, time.UTC), time.Date(1922, 3, 4, 0, 0, 0, 0, time.UTC),
				[]byte{0, 0xff, 'a'}, json.RawMessage(`{"acting": 2, "overall": -1.5}`)},
			`["Ellen’s “sacrifice” \n\u003cscript\u003e",-9007199254740993,0.1,true,"2026-12-05T01:02:03.456789Z","1922-03-04","AP9h",{"acting":2,"overall":-1.5}]`,
		},
		{"nulls", []any{nil, nil, nil, nil, nil, nil, nil, nil}, `[null,null,null,null,null,null,null,null]`},
		{
			"edges",
			[]any{"", int64(math.MaxInt64), math.Inf(-1), false, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
				time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), []byte{}, json.RawMessage(`null`)},
			`["",9223372036854775807,"-Inf",false,"0001-01-01T00:00:00.000000Z","9999-12-31","",null]`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line, err := encodeRow(nil, allTypes, tc.row)
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSuffix(string(line), "\n"); got != tc.line {
				t.Errorf("encoded\n %s\nwant\n %s", got, tc.line)
			}
			row, err := decodeRow(line[:len(line)-1], allTypes)
			if err != nil {
				t.Fatal(err)
			}
			want := tc.row
			if tc.name == "values" {
				// JSON values are stored compact.
				want = append(append([]any{}, tc.row[:7]...), json.RawMessage(`{"acting":2,"overall":-1.5}`))
			}
			if tc.name == "edges" {
				// JSON null in a JSON column reads back as SQL NULL.
				want = append(append([]any{}, tc.row[:7]...), nil)
			}
			if !reflect.DeepEqual(row, want) {
				t.Errorf("decoded %#v\nwant %#v", row, want)
			}
		})
	}
}

func TestCodecNaN(t *testing.T) {
	column := []store.Column{{Name: "f", Type: store.TypeFloat}}
	line, err := encodeRow(nil, column, []any{math.NaN()})
	if err != nil {
		t.Fatal(err)
	}
	row, err := decodeRow(line, column)
	if err != nil || !math.IsNaN(row[0].(float64)) {
		t.Errorf("NaN came back as %v, %v", row, err)
	}
}

func TestEncodeRejectsWrongType(t *testing.T) {
	_, err := encodeRow(nil, allTypes[:2], []any{"x", 3})
	if err == nil || !strings.Contains(err.Error(), "column i") {
		t.Errorf("encoding an int as an int64 column returned %v, want an error naming column i", err)
	}
}

func TestDecodeRejectsBadRows(t *testing.T) {
	for _, line := range []string{
		`not json`,
		`["a",1,0.5,true,"2026-12-05T01:02:03.000000Z","2026-12-05","",null,"extra"]`,
		`[1,1,0.5,true,"2026-12-05T01:02:03.000000Z","2026-12-05","",null]`,
		`["a",1.5,0.5,true,"2026-12-05T01:02:03.000000Z","2026-12-05","",null]`,
		`["a",1,"fast",true,"2026-12-05T01:02:03.000000Z","2026-12-05","",null]`,
		`["a",1,0.5,"yes","2026-12-05T01:02:03.000000Z","2026-12-05","",null]`,
		`["a",1,0.5,true,"yesterday","2026-12-05","",null]`,
		`["a",1,0.5,true,"2026-12-05T01:02:03.000000Z","5 Dec 2026","",null]`,
		`["a",1,0.5,true,"2026-12-05T01:02:03.000000Z","2026-12-05","!!",null]`,
	} {
		if _, err := decodeRow([]byte(line), allTypes); err == nil {
			t.Errorf("decodeRow(%s) succeeded", line)
		}
	}
}

func FuzzDecodeRow(f *testing.F) {
	f.Add([]byte(`["a",1,0.5,true,"2026-12-05T01:02:03.000000Z","2026-12-05","AP8=",{"x":1}]`))
	f.Add([]byte(`[null,null,null,null,null,null,null,null]`))
	f.Fuzz(func(t *testing.T, line []byte) {
		row, err := decodeRow(line, allTypes)
		if err != nil {
			return
		}
		// A row that decodes encodes again, and that encoding decodes to
		// the same values.
		again, err := encodeRow(nil, allTypes, row)
		if err != nil {
			t.Fatalf("decoded row %#v does not encode: %v", row, err)
		}
		back, err := decodeRow(again[:len(again)-1], allTypes)
		if err != nil {
			t.Fatalf("re-encoded row %s does not decode: %v", again, err)
		}
		for i := range row {
			if f, ok := row[i].(float64); ok && math.IsNaN(f) {
				continue
			}
			if j, ok := row[i].(json.RawMessage); ok {
				if !json.Valid(back[i].(json.RawMessage)) || len(back[i].(json.RawMessage)) > len(j) {
					t.Errorf("column %d: JSON %s came back as %s", i, j, back[i])
				}
				continue
			}
			if !reflect.DeepEqual(back[i], row[i]) {
				t.Errorf("column %d: %#v came back as %#v", i, row[i], back[i])
			}
		}
	})
}

func TestParseManifest(t *testing.T) {
	valid := func() Manifest {
		return Manifest{Format: Format, FormatVersion: 1, ID: "20261205T010000Z", SchemaVersion: 7,
			Tables: []TableRecord{{Name: "movies", File: "tables/movies.jsonl.gz", Rows: 2, Bytes: 10,
				SHA256: strings.Repeat("ab", 32)}}}
	}
	encode := func(m Manifest) []byte {
		data, _ := json.Marshal(m)
		return data
	}
	if _, err := parseManifest(encode(valid())); err != nil {
		t.Fatalf("valid manifest: %v", err)
	}
	for _, tc := range []struct {
		name    string
		change  func(m *Manifest)
		message string
	}{
		{"other format", func(m *Manifest) { m.Format = "pg_dump" }, "format"},
		{"newer format", func(m *Manifest) { m.FormatVersion = 2 }, "newer reelpulse"},
		{"bad id", func(m *Manifest) { m.ID = "../x" }, "id"},
		{"path escape", func(m *Manifest) { m.Tables[0].File = "../../etc/passwd" }, "file"},
		{"other table's file", func(m *Manifest) { m.Tables[0].File = "tables/reviews.jsonl.gz" }, "file"},
		{"bad checksum", func(m *Manifest) { m.Tables[0].SHA256 = "xyz" }, "checksum"},
		{"twice", func(m *Manifest) { m.Tables = append(m.Tables, m.Tables[0]) }, "twice"},
		{"negative rows", func(m *Manifest) { m.Tables[0].Rows = -1 }, "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := valid()
			tc.change(&m)
			_, err := parseManifest(encode(m))
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("parseManifest returned %v, want an error about %q", err, tc.message)
			}
		})
	}
}

func TestKept(t *testing.T) {
	ids := []string{ // newest first
		"20261205T013000Z", "20261205T010500Z", "20261205T001000Z",
		"20261204T230000Z", "20261204T120000Z", "20261203T120000Z", "20261201T120000Z",
	}
	for _, tc := range []struct {
		name string
		r    Retention
		want []string
	}{
		{"two hours", Retention{Hourly: 2}, []string{"20261205T013000Z", "20261205T001000Z"}},
		{"two days", Retention{Daily: 2}, []string{"20261205T013000Z", "20261204T230000Z"}},
		{"both", Retention{Hourly: 3, Daily: 3}, []string{"20261205T013000Z", "20261205T001000Z", "20261204T230000Z", "20261203T120000Z"}},
		{"newest always", Retention{Daily: 0, Hourly: 0}, []string{"20261205T013000Z"}},
		{"more than there are", Retention{Hourly: 100}, []string{
			"20261205T013000Z", "20261205T001000Z", "20261204T230000Z", "20261204T120000Z", "20261203T120000Z", "20261201T120000Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keep := kept(ids, tc.r)
			var got []string
			for _, id := range ids {
				if keep[id] {
					got = append(got, id)
				}
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("kept %v, want %v", got, tc.want)
			}
		})
	}
}
