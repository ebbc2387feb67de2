package reviewquery_test

import (
	"errors"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

var aspects = []string{"acting", "sound", store.Overall}

func TestParseFilterValid(t *testing.T) {
	query, err := url.ParseQuery("aspect=sound&polarity=not_mentioned&min_rating=3&max_rating=3" +
		"&from=2024-02-01&to=2024-02-29&spoiler=exclude&q=%3Cb%3E&sort=helpful")
	if err != nil {
		t.Fatal(err)
	}
	got, err := reviewquery.ParseFilter(query, "tt0013442", "lexicon", aspects)
	if err != nil {
		t.Fatalf("ParseFilter: %v", err)
	}
	want := store.ReviewFilter{MovieID: "tt0013442", Analyzer: "lexicon", Aspect: "sound", Polarity: store.PolarityNotMentioned,
		MinRating: 3, MaxRating: 3, From: time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		Spoiler: store.SpoilerExclude, Text: "<b>", Sort: store.SortHelpful}
	if got != want {
		t.Errorf("filter = %+v, want %+v", got, want)
	}

	earliest, err := reviewquery.ParseFilter(url.Values{"from": {"1900-01-01"}, "to": {"1900-01-01"}, "q": {"café 映画"}}, "tt0013442", "lexicon", aspects)
	if day := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC); err != nil || !earliest.From.Equal(day) || !earliest.To.Equal(day) || earliest.Text != "café 映画" {
		t.Errorf("from=to=1900-01-01 with a UTF-8 q gives %+v, %v; want both bounds on 1900-01-01 and the text kept", earliest, err)
	}

	empty, err := reviewquery.ParseFilter(url.Values{"aspect": {""}, "q": {""}}, "tt0013442", "lexicon", aspects)
	if err != nil || empty != (store.ReviewFilter{MovieID: "tt0013442", Analyzer: "lexicon", Sort: store.SortNewest}) {
		t.Errorf("empty parameters give %+v, %v; want an open filter sorted by newest", empty, err)
	}
}

func TestParameterErrors(t *testing.T) {
	cursor := store.ReviewCursor{Sort: store.SortOldest, ID: "rw1", Submitted: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}.String()
	tests := []struct {
		query   string
		name    string
		message string
	}{
		{"aspect=plot", "aspect", `invalid "aspect" "plot": use one of acting, sound, overall`},
		{"polarity=up", "polarity", `invalid "polarity" "up": use one of negative, neutral, positive, mentioned, not_mentioned`},
		{"min_rating=0", "min_rating", `invalid "min_rating" "0": use a whole number from 1 to 10`},
		{"max_rating=9&min_rating=10", "min_rating", `"min_rating" 10 is above "max_rating" 9: give min_rating <= max_rating`},
		{"to=31-01-2024", "to", `invalid "to" "31-01-2024": use a date as YYYY-MM-DD, e.g. 2025-01-31`},
		{"from=2024-02-02&to=2024-02-01", "from", `"from" 2024-02-02 is after "to" 2024-02-01: give from <= to`},
		// Go's zero time means "no bound" in a filter, so early dates are rejected rather than ignored.
		{"to=0001-01-01", "to", `invalid "to" "0001-01-01": use a date from 1900-01-01 on, or leave it out for no bound`},
		{"to=0001-01-02", "to", `invalid "to" "0001-01-02": use a date from 1900-01-01 on, or leave it out for no bound`},
		{"from=1899-12-31", "from", `invalid "from" "1899-12-31": use a date from 1900-01-01 on, or leave it out for no bound`},
		{"q=a%00b", "q", `invalid "q" "a\x00b": remove the NUL character (%00)`},
		{"q=%00", "q", `invalid "q" "\x00": remove the NUL character (%00)`},
		{"q=%ff", "q", `invalid "q" "\xff": the text is not valid UTF-8; percent-encode the search text as UTF-8`},
		{"q=caf%E9", "q", `invalid "q" "caf\xe9": the text is not valid UTF-8; percent-encode the search text as UTF-8`},
		{"aspect=%00", "aspect", `invalid "aspect" "\x00": use one of acting, sound, overall`},
		{"sort=%ff", "sort", `invalid "sort" "\xff": use one of newest, oldest, helpful, least_helpful`},
		{"cursor=%00", "cursor", `invalid "cursor" "\x00": use the "next_cursor" of the previous page`},
		{"cursor=%ff", "cursor", `invalid "cursor" "\xff": use the "next_cursor" of the previous page`},
		{"limit=501", "limit", `invalid "limit" "501": use a whole number from 1 to 500`},
		{"offset=-1", "offset", `invalid "offset" "-1": use a whole number, 0 or more`},
		{"offset=5&cursor=" + cursor, "cursor", `"cursor" and "offset" given together: page with "cursor" only`},
		{"cursor=%21", "cursor", `invalid "cursor" "!": use the "next_cursor" of the previous page`},
		{"cursor=" + cursor, "cursor", `invalid "cursor" "` + cursor + `": this cursor pages sort=oldest; keep the sort of the first page`},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			query, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			f, err := reviewquery.ParseFilter(query, "tt0013442", "lexicon", aspects)
			if err == nil {
				err = reviewquery.ParsePage(query, &f, 50, 500)
			}
			var parameter *reviewquery.ParameterError
			if !errors.As(err, &parameter) {
				t.Fatalf("error = %v, want a *ParameterError", err)
			}
			if parameter.Name != tt.name {
				t.Errorf("Name = %q, want %q", parameter.Name, tt.name)
			}
			if parameter.Error() != tt.message {
				t.Errorf("message = %q, want %q", parameter.Error(), tt.message)
			}
		})
	}
}

// TestParameterErrorsJoined gives several invalid parameters at once and
// expects one error that names each of them, in the order of the form.
func TestParameterErrorsJoined(t *testing.T) {
	query, err := url.ParseQuery("min_rating=11&from=2026-13-01&max_rating=0&aspect=plot")
	if err != nil {
		t.Fatal(err)
	}
	_, err = reviewquery.ParseFilter(query, "tt0013442", "lexicon", aspects)
	var parameter *reviewquery.ParameterError
	if !errors.As(err, &parameter) {
		t.Fatalf("error = %v, want a *ParameterError", err)
	}

	wantNames := []string{"aspect", "min_rating", "max_rating", "from"}
	if !slices.Equal(parameter.Names, wantNames) {
		t.Errorf("Names = %q, want %q", parameter.Names, wantNames)
	}
	if parameter.Name != "aspect" {
		t.Errorf("Name = %q, want the first, aspect", parameter.Name)
	}
	wantMessage := `invalid "aspect" "plot": use one of acting, sound, overall; ` +
		`invalid "min_rating" "11": use a whole number from 1 to 10; ` +
		`invalid "max_rating" "0": use a whole number from 1 to 10; ` +
		`invalid "from" "2026-13-01": use a date as YYYY-MM-DD, e.g. 2025-01-31`
	if parameter.Error() != wantMessage {
		t.Errorf("message = %q, want %q", parameter.Error(), wantMessage)
	}
}

func TestCheckParameters(t *testing.T) {
	known := slices.Concat(reviewquery.FilterParameters, []string{"format"})
	tests := []struct {
		query string
		name  string // "" when the query passes
	}{
		{"aspect=acting&format=csv", ""},
		// Names are checked in sorted order, so the first unknown one is reported.
		{"zzz=1&limit=5&format=csv", "limit"},
		{"sort=newest&sort=oldest", "sort"},
	}
	for _, tt := range tests {
		query, err := url.ParseQuery(tt.query)
		if err != nil {
			t.Fatal(err)
		}
		err = reviewquery.CheckParameters(query, known)
		var parameter *reviewquery.ParameterError
		switch {
		case tt.name == "" && err != nil:
			t.Errorf("%s: error %v, want none", tt.query, err)
		case tt.name != "" && !errors.As(err, &parameter):
			t.Errorf("%s: error %v, want a *ParameterError", tt.query, err)
		case tt.name != "" && parameter.Name != tt.name:
			t.Errorf("%s: error names %q, want %q", tt.query, parameter.Name, tt.name)
		}
	}
}
