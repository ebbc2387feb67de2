package api

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/store"
)

// maxSearchRunes caps the text search parameter q of the review endpoints.
const maxSearchRunes = 200

// filterParameters are the query parameters that select reviews, shared by
// the review list and the export.
var filterParameters = []string{"aspect", "polarity", "min_rating", "max_rating", "from", "to", "spoiler", "q", "sort"}

// pageParameters are the query parameters that only the review list accepts.
var pageParameters = []string{"limit", "cursor", "offset"}

// parameterError is an invalid query parameter. Its message names the
// parameter and the values it accepts.
type parameterError struct {
	message string
}

func (e *parameterError) Error() string { return e.message }

func invalid(name, value, accepted string) error {
	return &parameterError{fmt.Sprintf("invalid %q %q: %s", name, value, accepted)}
}

// checkParameters rejects parameters that the endpoint does not know and
// parameters given more than once, so that a typo does not silently
// widen the selection.
func checkParameters(query url.Values, known []string) error {
	for name, values := range query {
		if !slices.Contains(known, name) {
			return &parameterError{fmt.Sprintf("unknown parameter %q: use %s", name, strings.Join(known, ", "))}
		}
		if len(values) > 1 {
			return &parameterError{fmt.Sprintf("parameter %q given %d times: give it once", name, len(values))}
		}
	}
	return nil
}

// parseFilter reads the review filter of the movie from the query. aspects
// are the names that the aspect parameter accepts.
func (s *server) parseFilter(query url.Values, movieID string, aspects []string) (store.ReviewFilter, error) {
	f := store.ReviewFilter{MovieID: movieID, Analyzer: s.analyzer}
	var err error

	if f.Aspect, err = oneOf(query, "aspect", aspects); err != nil {
		return f, err
	}
	polarity, err := oneOf(query, "polarity", names(store.Polarities))
	if err != nil {
		return f, err
	}
	f.Polarity = store.Polarity(polarity)
	spoiler, err := oneOf(query, "spoiler", []string{string(store.SpoilerOnly), string(store.SpoilerExclude)})
	if err != nil {
		return f, err
	}
	f.Spoiler = store.SpoilerFilter(spoiler)
	sort, err := oneOf(query, "sort", names(store.ReviewSorts))
	if err != nil {
		return f, err
	}
	f.Sort = store.ReviewSort(cmp.Or(sort, string(store.SortNewest)))

	if err := parseRatings(query, &f); err != nil {
		return f, err
	}
	if err := parseDates(query, &f); err != nil {
		return f, err
	}
	f.Text = query.Get("q")
	if utf8.RuneCountInString(f.Text) > maxSearchRunes {
		return f, &parameterError{fmt.Sprintf("invalid \"q\": at most %d characters", maxSearchRunes)}
	}
	return f, nil
}

// parsePage reads limit, cursor and offset into the filter.
func parsePage(query url.Values, f *store.ReviewFilter) error {
	var err error
	if f.Limit, err = intValue(query, "limit", defaultReviewLimit, 1, maxReviewLimit); err != nil {
		return err
	}
	if f.Offset, err = intValue(query, "offset", 0, 0, -1); err != nil {
		return err
	}

	token := query.Get("cursor")
	if token == "" {
		return nil
	}
	if f.Offset > 0 {
		return &parameterError{`"cursor" and "offset" given together: page with "cursor" only`}
	}
	cursor, err := store.ParseReviewCursor(token)
	if err != nil {
		return invalid("cursor", token, `use the "next_cursor" of the previous page`)
	}
	if cursor.Sort != f.Sort {
		return invalid("cursor", token, fmt.Sprintf(`this cursor pages sort=%s; keep the sort of the first page`, cursor.Sort))
	}
	f.After = &cursor
	return nil
}

func parseRatings(query url.Values, f *store.ReviewFilter) error {
	var err error
	if f.MinRating, err = intValue(query, "min_rating", 0, 1, 10); err != nil {
		return err
	}
	if f.MaxRating, err = intValue(query, "max_rating", 0, 1, 10); err != nil {
		return err
	}
	if f.MinRating > 0 && f.MaxRating > 0 && f.MinRating > f.MaxRating {
		return &parameterError{fmt.Sprintf(`"min_rating" %d is above "max_rating" %d: give min_rating <= max_rating`, f.MinRating, f.MaxRating)}
	}
	return nil
}

func parseDates(query url.Values, f *store.ReviewFilter) error {
	var err error
	if f.From, err = dateValue(query, "from"); err != nil {
		return err
	}
	if f.To, err = dateValue(query, "to"); err != nil {
		return err
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		return &parameterError{fmt.Sprintf(`"from" %s is after "to" %s: give from <= to`, query.Get("from"), query.Get("to"))}
	}
	return nil
}

func dateValue(query url.Values, name string) (time.Time, error) {
	text := query.Get(name)
	if text == "" {
		return time.Time{}, nil
	}
	day, err := time.Parse(time.DateOnly, text)
	if err != nil {
		return time.Time{}, invalid(name, text, "use a date as YYYY-MM-DD, e.g. 2025-01-31")
	}
	return day, nil
}

// oneOf reads an optional parameter that must be one of accepted.
func oneOf(query url.Values, name string, accepted []string) (string, error) {
	text := query.Get(name)
	if text == "" || slices.Contains(accepted, text) {
		return text, nil
	}
	return "", invalid(name, text, "use one of "+strings.Join(accepted, ", "))
}

// intValue reads an optional integer parameter within [minimum, maximum].
// A negative maximum means no upper bound.
func intValue(query url.Values, name string, fallback, minimum, maximum int) (int, error) {
	text := query.Get(name)
	if text == "" {
		return fallback, nil
	}
	value, err := strconv.Atoi(text)
	if err == nil && value >= minimum && (maximum < 0 || value <= maximum) {
		return value, nil
	}
	if maximum < 0 {
		return 0, invalid(name, text, fmt.Sprintf("use a whole number, %d or more", minimum))
	}
	return 0, invalid(name, text, fmt.Sprintf("use a whole number from %d to %d", minimum, maximum))
}

func names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}

// writeParameterError responds 400 for a parameterError and reports whether
// err was one.
func writeParameterError(w http.ResponseWriter, err error) bool {
	var parameter *parameterError
	if !errors.As(err, &parameter) {
		return false
	}
	writeError(w, http.StatusBadRequest, parameter.message)
	return true
}
