package reviewsql

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/store"
)

func TestHasWordTrigram(t *testing.T) {
	tests := []struct {
		text string
		want bool
	}{
		{"abc", true},
		{"ab", false},
		{"a b c", false},
		{"ab-cd", false},
		{"x(123)", true},
		{"%%%", false},
		{"éça", true},
		{"ab_cd", false},
		{"ke eper", true},
	}
	for _, tt := range tests {
		if got := HasWordTrigram(tt.text); got != tt.want {
			t.Errorf("HasWordTrigram(%q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestTrigramPhrase(t *testing.T) {
	tests := []struct{ text, want string }{
		{"LightHouse", `"lighthouse"`},
		{`say "Wow" OR *`, `"say ""wow"" or *"`},
		{"ÉCOLE", `"École"`},
		{"\xff\xfeAB", "\"\xff\xfeab\""},
	}
	for _, tt := range tests {
		if got := TrigramPhrase(tt.text); got != tt.want {
			t.Errorf("TrigramPhrase(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestBuildText checks which condition each dialect gets for a text, and
// that the text is only bound, never written into the SQL.
func TestBuildText(t *testing.T) {
	placeholder := func(n int) string { return "$" + strconv.Itoa(n) }
	date := func(t time.Time) any { return t }
	postgres := Dialect{Placeholder: placeholder, Date: date, Like: "ILIKE", Indexed: HasWordTrigram}
	sqlite := Dialect{Placeholder: placeholder, Date: date, Like: "LIKE", Indexed: HasTrigram,
		TextIndex: `r.rowid IN (SELECT rowid FROM reviews_fts WHERE reviews_fts MATCH %s)`}
	tests := []struct {
		name    string
		dialect Dialect
		text    string
		want    string
		arg     any
	}{
		{"postgres word", postgres, "Lighthouse", `(r.title ILIKE $2 ESCAPE '\' OR r.text ILIKE $2 ESCAPE '\')`, `%Lighthouse%`},
		{"postgres short", postgres, "ke", `((r.title || '') ILIKE $2 ESCAPE '\' OR (r.text || '') ILIKE $2 ESCAPE '\')`, `%ke%`},
		{"postgres no word", postgres, "5_%", `((r.title || '') ILIKE $2 ESCAPE '\' OR (r.text || '') ILIKE $2 ESCAPE '\')`, `%5\_\%%`},
		{"sqlite indexed", sqlite, `5_%"`, `reviews_fts MATCH $2)`, `"5_%"""`},
		{"sqlite short", sqlite, "Ké", `((r.title || '') LIKE $2 ESCAPE '\' OR (r.text || '') LIKE $2 ESCAPE '\')`, `%Ké%`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			filter := store.ReviewFilter{MovieID: "tt0000001", Text: tt.text, Sort: store.SortNewest, Limit: 20}
			page, count := Build(tt.dialect, "r.id", filter)
			for _, q := range []Query{page, count} {
				if !strings.Contains(q.SQL, tt.want) {
					t.Errorf("SQL %s\nlacks %s", q.SQL, tt.want)
				}
				if strings.Contains(q.SQL, tt.text) {
					t.Errorf("SQL %s\ncontains the text %q", q.SQL, tt.text)
				}
				if len(q.Args) < 2 || q.Args[1] != tt.arg {
					t.Errorf("arguments %q, want %q second", q.Args, tt.arg)
				}
			}
		})
	}
}
