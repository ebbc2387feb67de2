package web

import (
	"fmt"
	"reflect"
	"regexp"
	"testing"
)

func TestMarkEvidence(t *testing.T) {
	score := func(label string, value int, evidence string) scoreView {
		return scoreView{Label: label, Score: &value, Evidence: evidence}
	}
	tests := []struct {
		name   string
		text   string
		scores []scoreView
		want   string // segments, marks as [text|aspects]
		notes  string
	}{
		{"no evidence", "Plain text.", []scoreView{{Label: "Acting"}}, "Plain text.", "[]"},
		{"empty text", "", nil, "", "[]"},
		{"whole text", "Great.", []scoreView{score("Overall", 2, "Great.")}, "[Great.|Evidence for Overall +2]", "[]"},
		{"start and end", "Bad acting. Fine middle. Lovely sound.",
			[]scoreView{score("Acting", -1, "Bad acting."), score("Sound", 2, "Lovely sound.")},
			"[Bad acting.|Evidence for Acting −1] Fine middle. [Lovely sound.|Evidence for Sound +2]", "[]"},
		{"same sentence twice", "A. Superb film. B.",
			[]scoreView{score("Storytelling", 1, "Superb film."), score("Overall", 2, "Superb film.")},
			"A. [Superb film.|Evidence for Storytelling +1, Overall +2] B.", "[]"},
		{"nested", "One two three four.",
			[]scoreView{score("Acting", 1, "two three"), score("Overall", 1, "One two three four.")},
			"[One two three four.|Evidence for Overall +1, Acting +1]", "[]"},
		{"case and white space", "The MUSIC\n  soars. Nothing else.",
			[]scoreView{score("Sound", 2, "the music soars.")},
			"[The MUSIC\n  soars.|Evidence for Sound +2] Nothing else.", "[]"},
		{"regular expression characters", "Is it (really) 100% [good]? Yes.",
			[]scoreView{score("Overall", 1, "is it (REALLY) 100% [good]?")},
			"[Is it (really) 100% [good]?|Evidence for Overall +1] Yes.", "[]"},
		{"not in the text", "Short text.",
			[]scoreView{score("Acting", 0, "Elsewhere."), score("Themes", 1, "Elsewhere."), score("Sound", 1, "Other.")},
			"Short text.", "[{Acting 0, Themes +1 Elsewhere.} {Sound +1 Other.}]"},
		{"accented letters", "Ça commence bien. Très beau.",
			[]scoreView{score("Visuals", 2, "Très beau.")},
			"Ça commence bien. [Très beau.|Evidence for Visuals +2]", "[]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segments, notes := markEvidence(tt.text, tt.scores)
			got := ""
			for _, s := range segments {
				if s.Mark != "" {
					got += "[" + s.Text + "|" + s.Mark + "]"
				} else {
					got += s.Text
				}
			}
			if got != tt.want {
				t.Errorf("segments = %q, want %q", got, tt.want)
			}
			if fmt.Sprint(notes) != tt.notes {
				t.Errorf("notes = %v, want %v", notes, tt.notes)
			}
			joined := ""
			for _, s := range segments {
				joined += s.Text
			}
			if joined != tt.text {
				t.Errorf("segments join to %q, want the text %q", joined, tt.text)
			}
		})
	}
}

func TestMarkHits(t *testing.T) {
	hits := regexp.MustCompile("(?i)" + regexp.QuoteMeta("dread"))
	segments := []textSegment{
		{Text: "Dread builds; the dread"},
		{Text: " is slow", Mark: "Evidence for Storytelling −1"},
		{Text: "dread"},
	}
	want := []textSegment{
		{Text: "Dread builds; the dread", Parts: []textPart{{Text: "Dread", Hit: true}, {Text: " builds; the "}, {Text: "dread", Hit: true}}},
		{Text: " is slow", Mark: "Evidence for Storytelling −1"},
		{Text: "dread", Parts: []textPart{{Text: "dread", Hit: true}}},
	}
	if got := markHits(segments, hits); !reflect.DeepEqual(got, want) {
		t.Errorf("markHits = %+v, want %+v", got, want)
	}

	plain := []textSegment{{Text: "no search"}}
	if got := markHits(plain, nil); !reflect.DeepEqual(got, plain) {
		t.Errorf("markHits without a search = %+v, want the segments unchanged", got)
	}
}
