package reviewquery_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// FuzzParseFilter parses arbitrary query strings. A filter it accepts
// holds only values that the store can take; an error is one
// *ParameterError that names each parameter at fault once.
func FuzzParseFilter(f *testing.F) {
	for _, seed := range []string{
		"aspect=sound&polarity=negative&min_rating=3&max_rating=9&from=2024-02-01&to=2024-02-29&spoiler=exclude&q=eerie&sort=helpful",
		"min_rating=11&from=2026-13-01&max_rating=0&aspect=plot",
		"q=%00&sort=%ff",
		"from=1899-12-31&to=0001-01-01",
		"max_rating=9&min_rating=10",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		query, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		filter, err := reviewquery.ParseFilter(query, "tt0013442", "lexicon", aspects)
		if err != nil {
			var parameter *reviewquery.ParameterError
			if !errors.As(err, &parameter) || len(parameter.Names) == 0 || parameter.Name != parameter.Names[0] {
				t.Fatalf("ParseFilter(%q) error %v is not a ParameterError that names its parameters", raw, err)
			}
			for i, name := range parameter.Names {
				if slices.Contains(parameter.Names[i+1:], name) {
					t.Fatalf("ParseFilter(%q) names %q twice in %q", raw, name, parameter.Names)
				}
			}
			return
		}

		switch {
		case filter.MinRating < 0 || filter.MinRating > 10 || filter.MaxRating < 0 || filter.MaxRating > 10:
			t.Fatalf("ParseFilter(%q) ratings %d..%d outside 0..10", raw, filter.MinRating, filter.MaxRating)
		case filter.MinRating > 0 && filter.MaxRating > 0 && filter.MinRating > filter.MaxRating:
			t.Fatalf("ParseFilter(%q) min rating %d above max %d", raw, filter.MinRating, filter.MaxRating)
		case !filter.From.IsZero() && filter.From.Before(reviewquery.MinDate), !filter.To.IsZero() && filter.To.Before(reviewquery.MinDate):
			t.Fatalf("ParseFilter(%q) dates %v..%v before %v", raw, filter.From, filter.To, reviewquery.MinDate)
		case !utf8.ValidString(filter.Text) || utf8.RuneCountInString(filter.Text) > reviewquery.MaxSearchRunes:
			t.Fatalf("ParseFilter(%q) text %q is not valid UTF-8 of at most %d characters", raw, filter.Text, reviewquery.MaxSearchRunes)
		case filter.Aspect != "" && !slices.Contains(aspects, filter.Aspect):
			t.Fatalf("ParseFilter(%q) aspect %q is not one of %q", raw, filter.Aspect, aspects)
		case !slices.Contains(store.ReviewSorts, filter.Sort):
			t.Fatalf("ParseFilter(%q) sort %q is not a known order", raw, filter.Sort)
		}
	})
}
