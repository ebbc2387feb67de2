package analyze

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadAspects(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aspects.json")
	data := `{"aspects": [
		{"name": "humor", "description": " jokes, comedy, wit ", "terms": ["Funny", "dark  humour"]},
		{"name": "runtime", "description": "length, pacing of the whole film"}
	]}`
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}

	got, err := LoadAspects(path)
	if err != nil {
		t.Fatalf("LoadAspects: %v", err)
	}
	want := append(append([]Aspect{}, Aspects...),
		Aspect{Name: "humor", Description: "jokes, comedy, wit", Terms: []string{"funny", "dark humour"}},
		Aspect{Name: "runtime", Description: "length, pacing of the whole film"},
	)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("LoadAspects = %+v, want %+v", got, want)
	}
	if custom := Custom(got); len(custom) != 2 || custom[0].Name != "humor" {
		t.Errorf("Custom = %+v, want humor and runtime", custom)
	}
	if names := Names(got); names[len(names)-1] != "overall" || len(names) != len(Aspects)+3 {
		t.Errorf("Names = %v", names)
	}

	builtIn, err := LoadAspects("")
	if err != nil || !reflect.DeepEqual(builtIn, Aspects) {
		t.Errorf("LoadAspects(\"\") = %v, %v, want the built-in aspects", builtIn, err)
	}
	builtIn[0].Name = "changed"
	if Aspects[0].Name == "changed" {
		t.Error("LoadAspects returned the package table itself")
	}
}

func TestParseAspectsRejects(t *testing.T) {
	tests := []struct {
		data, want string
	}{
		{`{"aspects": [{"name": "acting", "description": "again"}]}`, `"acting" is already defined`},
		{`{"aspects": [{"name": "overall", "description": "again"}]}`, `"overall": the name is reserved`},
		{`{"aspects": [{"name": "id", "description": "the review id"}]}`, `"id": the name is reserved`},
		{`{"aspects": [{"name": "humor", "description": "a"}, {"name": "humor", "description": "b"}]}`, `"humor" is already defined`},
		{`{"aspects": [{"name": "Humor", "description": "jokes"}]}`, "lower-case"},
		{`{"aspects": [{"name": "", "description": "jokes"}]}`, "lower-case"},
		{`{"aspects": [{"name": "humor", "description": "  "}]}`, "missing description"},
		{`{"aspects": [{"name": "humor", "description": "jokes", "terms": ["!!"]}]}`, `invalid term "!!"`},
		{`{"aspects": [{"name": "humor", "summary": "jokes"}]}`, "unknown field"},
		{`[{"name": "humor"}]`, `expected {"aspects"`},
		{`{"aspects": []} {}`, "unexpected data"},
		{`{"aspects": [` + strings.Repeat(`{"name": "a", "description": "b"},`, MaxCustomAspects) + `{"name": "z", "description": "b"}]}`, "too many aspects: 13 given, at most 12"},
	}
	for _, tt := range tests {
		_, err := ParseAspects([]byte(tt.data))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseAspects(%s) = %v, want an error containing %q", tt.data, err, tt.want)
		}
	}
}

func TestCheckAspectName(t *testing.T) {
	tests := []struct {
		name, want string // want is a part of the error, "" for a valid name
	}{
		{"humor", ""},
		{"special_effects_2", ""},
		{strings.Repeat("a", 32), ""},
		{strings.Repeat("a", 33), "1-32 lower-case letters"},
		{"Humor", "1-32 lower-case letters"},
		{"2d", "starting with a letter"},
		{"", "invalid aspect name"},
		{"overall", "reserved"},
		{"id", "reserved"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAspectName(tt.name)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("CheckAspectName(%q) = %v, want nil", tt.name, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("CheckAspectName(%q) = %v, want an error containing %q", tt.name, err, tt.want)
			}
		})
	}
}
