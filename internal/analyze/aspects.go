package analyze

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/reelpulse/reelpulse/internal/store"
)

// MaxCustomAspects bounds the aspects a file may add, which keeps prompts
// and pages readable.
const MaxCustomAspects = 12

var aspectNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// CheckAspectName returns an error when name cannot name an aspect. A name
// is 1-32 lower-case letters, digits or underscores starting with a letter,
// so that it serves as a JSON schema property and a URL parameter value.
// "overall" and "id" are reserved: language model replies use them for the
// overall score and the review id.
func CheckAspectName(name string) error {
	switch {
	case !aspectNamePattern.MatchString(name):
		return fmt.Errorf("invalid aspect name %q: use 1-32 lower-case letters, digits or underscores, starting with a letter", name)
	case name == store.Overall || name == "id":
		return fmt.Errorf("invalid aspect name %q: the name is reserved; pick another", name)
	}
	return nil
}

// aspectsFile is the layout of REELPULSE_ASPECTS_FILE.
type aspectsFile struct {
	Aspects []Aspect `json:"aspects"`
}

// LoadAspects reads user-defined aspects from a JSON file such as
//
//	{"aspects": [{"name": "humor", "description": "jokes, comedy, wit",
//	              "terms": ["funny", "jokes", "hilarious"]}]}
//
// and returns the built-in aspects followed by them. An empty path returns
// the built-in aspects alone.
func LoadAspects(path string) ([]Aspect, error) {
	if path == "" {
		return slices.Clone(Aspects), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read aspects file (REELPULSE_ASPECTS_FILE): %w", err)
	}
	custom, err := ParseAspects(data)
	if err != nil {
		return nil, fmt.Errorf("aspects file %s: %w", path, err)
	}
	return append(slices.Clone(Aspects), custom...), nil
}

// ParseAspects decodes and checks the aspects of an aspects file.
func ParseAspects(data []byte) ([]Aspect, error) {
	decoder := json.NewDecoder(bytes.NewReader(data))
	decoder.DisallowUnknownFields()
	var file aspectsFile
	if err := decoder.Decode(&file); err != nil {
		return nil, fmt.Errorf(`expected {"aspects": [{"name": ..., "description": ..., "terms": [...]}]}: %w`, err)
	}
	if decoder.More() {
		return nil, errors.New("unexpected data after the aspects object")
	}
	if len(file.Aspects) > MaxCustomAspects {
		return nil, fmt.Errorf("too many aspects: %d given, at most %d may be added", len(file.Aspects), MaxCustomAspects)
	}

	defined := Names(Aspects)
	for i := range file.Aspects {
		a := &file.Aspects[i]
		a.Description = strings.TrimSpace(a.Description)
		if err := CheckAspectName(a.Name); err != nil {
			return nil, err
		}
		switch {
		case slices.Contains(defined, a.Name):
			return nil, fmt.Errorf("aspect %q is already defined; pick another name", a.Name)
		case a.Description == "":
			return nil, fmt.Errorf("aspect %q: missing description; language models need one to score it", a.Name)
		}
		for j, term := range a.Terms {
			a.Terms[j] = strings.ToLower(strings.Join(strings.Fields(term), " "))
			if !strings.ContainsFunc(a.Terms[j], unicode.IsLetter) {
				return nil, fmt.Errorf("aspect %q: invalid term %q: a term needs at least one letter", a.Name, term)
			}
		}
		defined = append(defined, a.Name)
	}
	return file.Aspects, nil
}

// Custom returns the aspects of list that are not built in.
func Custom(list []Aspect) []Aspect {
	var custom []Aspect
	for _, a := range list {
		if !slices.ContainsFunc(Aspects, func(b Aspect) bool { return b.Name == a.Name }) && a.Name != store.Overall {
			custom = append(custom, a)
		}
	}
	return custom
}
