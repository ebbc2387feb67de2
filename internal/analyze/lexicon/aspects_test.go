package lexicon

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/store"
)

var humor = analyze.Aspect{
	Name:        "humor",
	Description: "jokes, comic timing",
	Terms:       []string{"funny", "jokes", "humor", "hilarious", "laugh"},
}

func TestNewWithAspectsScores(t *testing.T) {
	tests := []struct {
		name   string
		extra  []analyze.Aspect
		text   string
		rating *int
		aspect string
		want   direction
	}{
		{"custom aspect praised", []analyze.Aspect{humor}, "The jokes are hilarious and the songs are lovely.", stars(8), "humor", positive},
		{"custom aspect criticised", []analyze.Aspect{humor}, "The jokes were painfully bad.", stars(3), "humor", negative},
		{"custom aspect negated", []analyze.Aspect{humor}, "The jokes were not good at all.", nil, "humor", negative},
		{"custom aspect not named", []analyze.Aspect{humor}, "The songs are lovely.", stars(8), "humor", absent},
		{"built-ins still scored", []analyze.Aspect{humor}, "The jokes are hilarious and the songs are lovely.", stars(8), "sound", positive},
		{"contrast splits custom and built-in", []analyze.Aspect{humor}, "The songs are lovely, but the jokes fall flat.", stars(6), "humor", negative},
		{
			"multi-word term",
			[]analyze.Aspect{{Name: "romance", Terms: []string{"love story", "Romance"}}},
			"The love story is wonderful.", nil, "romance", positive,
		},
		{
			"term shared with a built-in counts for both",
			[]analyze.Aspect{{Name: "music", Terms: []string{"songs"}}},
			"The songs are dreadful.", nil, "sound", negative,
		},
		{
			"term shared with a built-in, custom side",
			[]analyze.Aspect{{Name: "music", Terms: []string{"songs"}}},
			"The songs are dreadful.", nil, "music", negative,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewWithAspects(tt.extra)
			if err != nil {
				t.Fatalf("NewWithAspects: %v", err)
			}
			results, err := analyzeAll(a, []analyze.Input{{ReviewID: "rw1", Text: tt.text, Rating: tt.rating}})
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			var got store.AspectScore
			for _, s := range results[0].Aspects {
				if s.Aspect == tt.aspect {
					got = s
				}
			}
			if d := directionOf(got.Score); d != tt.want {
				t.Errorf("%s score %s (evidence %q), want direction %d", tt.aspect, show(got.Score), got.Evidence, tt.want)
			}
			if got.Score != nil && got.Evidence == "" {
				t.Errorf("%s score %s has no evidence", tt.aspect, show(got.Score))
			}
		})
	}
}

func TestNewWithAspectsOrder(t *testing.T) {
	extra := []analyze.Aspect{
		humor,
		{Name: "pacing feel", Description: "scored by a model only"},
		{Name: "romance", Terms: []string{"love story"}},
	}
	a, err := NewWithAspects(extra)
	if err != nil {
		t.Fatalf("NewWithAspects: %v", err)
	}
	results, err := analyzeAll(a, []analyze.Input{{ReviewID: "rw1", Text: "Funny and sweet."}})
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}

	var got []string
	for _, s := range results[0].Aspects {
		got = append(got, s.Aspect)
	}
	want := append(slices.Clone(analyze.AspectNames()[:len(analyze.Aspects)]), "humor", "romance", store.Overall)
	if !slices.Equal(got, want) {
		t.Errorf("result aspects %q, want %q", got, want)
	}
	if names := analyze.Names(a.Aspects()); !slices.Equal(names, want) {
		t.Errorf("Aspects names %q, want %q", names, want)
	}
}

func TestNewWithAspectsErrors(t *testing.T) {
	tests := []struct {
		name  string
		extra []analyze.Aspect
		want  []string // parts of the error message
	}{
		{"empty name", []analyze.Aspect{{Name: " ", Description: "jokes", Terms: []string{"jokes"}}}, []string{"missing name", `"jokes"`}},
		{"built-in name", []analyze.Aspect{{Name: "acting", Terms: []string{"cast"}}}, []string{`"acting"`, "new name"}},
		{"built-in name in capitals", []analyze.Aspect{{Name: "Sound", Terms: []string{"songs"}}}, []string{`"Sound"`, "new name"}},
		{"built-in name with spaces", []analyze.Aspect{{Name: " acting ", Terms: []string{"cast"}}}, []string{`" acting "`, "new name"}},
		{"overall", []analyze.Aspect{{Name: store.Overall, Terms: []string{"film"}}}, []string{`"overall"`, "new name"}},
		{"repeated extra", []analyze.Aspect{humor, humor}, []string{`"humor"`, "new name"}},
		{"term without letters", []analyze.Aspect{{Name: "numbers", Terms: []string{"42"}}}, []string{`"numbers"`, `"42"`, "no letters"}},
		{"empty term", []analyze.Aspect{{Name: "blank", Terms: []string{""}}}, []string{`"blank"`, "no letters"}},
		{"term with a comma", []analyze.Aspect{{Name: "romance", Terms: []string{"love, romance"}}}, []string{`"romance"`, "comma", "own term"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := NewWithAspects(tt.extra)
			if err == nil {
				t.Fatalf("NewWithAspects = %v, want an error", a)
			}
			for _, part := range tt.want {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
		})
	}
}

func TestNewWithAspectsVersion(t *testing.T) {
	versionOf := func(extra []analyze.Aspect) string {
		t.Helper()
		a, err := NewWithAspects(extra)
		if err != nil {
			t.Fatalf("NewWithAspects(%v): %v", extra, err)
		}
		return a.Version()
	}

	if got := New().Version(); got != Version {
		t.Errorf("New().Version() = %q, want %q", got, Version)
	}
	for _, extra := range [][]analyze.Aspect{nil, {}, {{Name: "mood", Description: "scored by a model only"}}} {
		if got := versionOf(extra); got != Version {
			t.Errorf("Version with extra aspects %v = %q, want %q", extra, got, Version)
		}
	}

	base := versionOf([]analyze.Aspect{humor})
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(Version) + `\+[0-9a-f]{8}$`).MatchString(base) {
		t.Errorf("Version with a custom aspect = %q, want %q, a plus sign and 8 hex digits", base, Version)
	}
	if again := versionOf([]analyze.Aspect{humor}); again != base {
		t.Errorf("Version changed between equal aspect lists: %q and %q", base, again)
	}
	same := map[string][]analyze.Aspect{
		"description changed": {{Name: "humor", Description: "other", Terms: humor.Terms}},
		"terms reordered":     {{Name: "humor", Terms: []string{"laugh", "hilarious", "humor", "jokes", "funny"}}},
		"terms in capitals":   {{Name: "humor", Terms: []string{"Funny", "JOKES", "humor", "hilarious", "laugh"}}},
	}
	for name, extra := range same {
		if got := versionOf(extra); got != base {
			t.Errorf("%s: Version %q, want %q because results do not change", name, got, base)
		}
	}
	changed := map[string][]analyze.Aspect{
		"term added":     {{Name: "humor", Terms: append(slices.Clone(humor.Terms), "comedy")}},
		"term removed":   {{Name: "humor", Terms: humor.Terms[1:]}},
		"renamed":        {{Name: "comedy", Terms: humor.Terms}},
		"aspect added":   {humor, {Name: "romance", Terms: []string{"love story"}}},
		"order changed":  {{Name: "romance", Terms: []string{"love story"}}, humor},
		"term split":     {{Name: "humor", Terms: []string{"funny jokes", "humor", "hilarious", "laugh"}}},
		"name with term": {{Name: "humo", Terms: []string{"r funny", "jokes", "humor", "hilarious", "laugh"}}},
	}
	seen := map[string]string{base: "base"}
	for name, extra := range changed {
		got := versionOf(extra)
		if other, ok := seen[got]; ok {
			t.Errorf("%s: Version %q is the same as for %s", name, got, other)
		}
		seen[got] = name
	}
}

func TestNewKeepsBuiltIns(t *testing.T) {
	if got, want := analyze.Names(New().Aspects()), analyze.AspectNames(); !slices.Equal(got, want) {
		t.Errorf("New().Aspects names %q, want %q", got, want)
	}
	// An analyzer with extra aspects leaves the shared word lists alone.
	if _, err := NewWithAspects([]analyze.Aspect{{Name: "music", Terms: []string{"songs", "dwarf humor"}}}); err != nil {
		t.Fatalf("NewWithAspects: %v", err)
	}
	scores := analyzeOne(t, "", "The dwarf humor is lovely.", nil)
	if got := len(scores); got != len(analyze.AspectNames()) {
		t.Errorf("New() returns %d scores after NewWithAspects, want %d", got, len(analyze.AspectNames()))
	}
}

func TestAnalyzeSaveError(t *testing.T) {
	failure := errors.New("disk full")
	err := New().Analyze(t.Context(), []analyze.Input{{ReviewID: "a", Text: "Fine."}}, func([]analyze.Result) error { return failure })
	if !errors.Is(err, failure) {
		t.Errorf("Analyze error %v, want the save error", err)
	}
}
