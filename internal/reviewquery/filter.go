// Package reviewquery reads the review explorer's query parameters into a
// store.ReviewFilter and writes the reviews that a filter selects as CSV,
// JSONL or Parquet. The JSON API and the dashboard both use it, so the same
// parameters select the same reviews in a dashboard permalink, an API call
// and an export.
package reviewquery

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/store"
)

// CountLimit is the number of matches after which the API and the
// dashboard stop counting the reviews of a filter that the store counts
// review by review, such as a text search. With 100,000 reviews, an exact
// count of a common word takes longer than the page (docs/benchmarks.md).
const CountLimit = 1000

// MaxSearchRunes caps the text search parameter q.
const MaxSearchRunes = 200

// FilterParameters are the query parameters that select reviews, shared by
// the review list and the export.
var FilterParameters = []string{"aspect", "polarity", "min_rating", "max_rating", "from", "to", "spoiler", "q", "sort"}

// PageParameters are the query parameters that page through a review list.
var PageParameters = []string{"limit", "cursor", "offset"}

// ParameterError is an invalid query parameter. Its message names the
// parameter and the values it accepts, so it is fit to show to the user.
type ParameterError struct {
	// Name is the parameter at fault, e.g. "min_rating", or the first of
	// them when several are.
	Name string
	// Names lists every parameter at fault, Name first.
	Names   []string
	message string
}

func (e *ParameterError) Error() string { return e.message }

// Invalid returns the ParameterError of a value that the parameter name
// does not accept. accepted describes the values to give instead.
func Invalid(name, value, accepted string) error {
	return parameterError(name, fmt.Sprintf("invalid %q %q: %s", name, value, accepted))
}

func parameterError(name, message string) *ParameterError {
	return &ParameterError{Name: name, Names: []string{name}, message: message}
}

// joinParameterErrors returns nil for no errors, the error itself for one,
// and for several a *ParameterError that names every parameter and joins
// the messages, so that a form can mark all invalid fields at once.
func joinParameterErrors(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}

	joined := &ParameterError{}
	var messages []string
	for _, err := range errs {
		var parameter *ParameterError
		if !errors.As(err, &parameter) {
			return err
		}
		joined.Names = append(joined.Names, parameter.Names...)
		messages = append(messages, parameter.message)
	}
	joined.Name = joined.Names[0]
	joined.message = strings.Join(messages, "; ")
	return joined
}

// CheckParameters rejects parameters that are not in known and parameters
// given more than once, so that a typo does not silently widen the
// selection.
func CheckParameters(query url.Values, known []string) error {
	for _, name := range slices.Sorted(maps.Keys(query)) {
		if !slices.Contains(known, name) {
			return parameterError(name, fmt.Sprintf("unknown parameter %q: use %s", name, strings.Join(known, ", ")))
		}
		if values := query[name]; len(values) > 1 {
			return parameterError(name, fmt.Sprintf("parameter %q given %d times: give it once", name, len(values)))
		}
	}
	return nil
}

// ParseFilter reads the filter parameters of the query into a filter of the
// movie's reviews as scored by the analyzer. aspects are the names that the
// aspect parameter accepts. Empty parameters are left open, and one
// *ParameterError reports every invalid one.
func ParseFilter(query url.Values, movieID, analyzer string, aspects []string) (store.ReviewFilter, error) {
	f := store.ReviewFilter{MovieID: movieID, Analyzer: analyzer}
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}

	var err error
	f.Aspect, err = oneOf(query, "aspect", aspects)
	keep(err)
	polarity, err := oneOf(query, "polarity", names(store.Polarities))
	keep(err)
	f.Polarity = store.Polarity(polarity)
	spoiler, err := oneOf(query, "spoiler", []string{string(store.SpoilerOnly), string(store.SpoilerExclude)})
	keep(err)
	f.Spoiler = store.SpoilerFilter(spoiler)
	sort, err := oneOf(query, "sort", names(store.ReviewSorts))
	keep(err)
	f.Sort = store.ReviewSort(cmp.Or(sort, string(store.SortNewest)))

	keep(parseRatings(query, &f))
	keep(parseDates(query, &f))
	f.Text = query.Get("q")
	if err := checkText("q", f.Text); err != nil {
		keep(err)
	} else if utf8.RuneCountInString(f.Text) > MaxSearchRunes {
		keep(parameterError("q", fmt.Sprintf("invalid \"q\": at most %d characters", MaxSearchRunes)))
	}
	return f, joinParameterErrors(errs)
}

// checkText rejects a text parameter that is not valid UTF-8 or contains a
// NUL character. Neither can match a stored review, and SQLite's full-text
// search fails on a NUL ("unterminated string") as PostgreSQL does on
// invalid UTF-8.
func checkText(name, text string) error {
	switch {
	case !utf8.ValidString(text):
		return Invalid(name, text, "the text is not valid UTF-8; percent-encode the search text as UTF-8")
	case strings.ContainsRune(text, 0):
		return Invalid(name, text, "remove the NUL character (%00)")
	}
	return nil
}

// ParsePage reads limit, cursor and offset into the filter. The limit
// defaults to defaultLimit and may not exceed maxLimit.
func ParsePage(query url.Values, f *store.ReviewFilter, defaultLimit, maxLimit int) error {
	var err error
	if f.Limit, err = intValue(query, "limit", defaultLimit, 1, maxLimit); err != nil {
		return err
	}
	if f.Offset, err = intValue(query, "offset", 0, 0, -1); err != nil {
		return err
	}
	if query.Get("cursor") != "" && f.Offset > 0 {
		return parameterError("cursor", `"cursor" and "offset" given together: page with "cursor" only`)
	}
	return ParseCursor(query, f)
}

// ParseCursor reads the cursor parameter, the token of a page's next
// cursor, into f.After. The cursor must have been made for f's sort.
func ParseCursor(query url.Values, f *store.ReviewFilter) error {
	token := query.Get("cursor")
	if token == "" {
		return nil
	}
	cursor, err := store.ParseReviewCursor(token)
	if err != nil {
		return Invalid("cursor", token, `use the "next_cursor" of the previous page`)
	}
	if cursor.Sort != f.Sort {
		return Invalid("cursor", token, fmt.Sprintf(`this cursor pages sort=%s; keep the sort of the first page`, cursor.Sort))
	}
	f.After = &cursor
	return nil
}

func parseRatings(query url.Values, f *store.ReviewFilter) error {
	var minErr, maxErr error
	f.MinRating, minErr = intValue(query, "min_rating", 0, 1, 10)
	f.MaxRating, maxErr = intValue(query, "max_rating", 0, 1, 10)
	if minErr != nil || maxErr != nil {
		return joinParameterErrors(slices.DeleteFunc([]error{minErr, maxErr}, isNil))
	}
	if f.MinRating > 0 && f.MaxRating > 0 && f.MinRating > f.MaxRating {
		return parameterError("min_rating", fmt.Sprintf(
			`"min_rating" %d is above "max_rating" %d: give min_rating <= max_rating`, f.MinRating, f.MaxRating))
	}
	return nil
}

func parseDates(query url.Values, f *store.ReviewFilter) error {
	var fromErr, toErr error
	f.From, fromErr = dateValue(query, "from")
	f.To, toErr = dateValue(query, "to")
	if fromErr != nil || toErr != nil {
		return joinParameterErrors(slices.DeleteFunc([]error{fromErr, toErr}, isNil))
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.From.After(f.To) {
		return parameterError("from", fmt.Sprintf(
			`"from" %s is after "to" %s: give from <= to`, query.Get("from"), query.Get("to")))
	}
	return nil
}

func isNil(err error) bool { return err == nil }

// MinDate is the earliest date that the from and to parameters accept.
// store.ReviewFilter reads a zero time.Time as no bound, so Go's zero date
// would silently select every review.
var MinDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)

func dateValue(query url.Values, name string) (time.Time, error) {
	text := query.Get(name)
	if text == "" {
		return time.Time{}, nil
	}
	day, err := time.Parse(time.DateOnly, text)
	if err != nil {
		return time.Time{}, Invalid(name, text, "use a date as YYYY-MM-DD, e.g. 2025-01-31")
	}
	if day.Before(MinDate) {
		return time.Time{}, Invalid(name, text, "use a date from 1900-01-01 on, or leave it out for no bound")
	}
	return day, nil
}

// oneOf reads an optional parameter that must be one of accepted.
func oneOf(query url.Values, name string, accepted []string) (string, error) {
	text := query.Get(name)
	if text == "" || slices.Contains(accepted, text) {
		return text, nil
	}
	return "", Invalid(name, text, "use one of "+strings.Join(accepted, ", "))
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
		return 0, Invalid(name, text, fmt.Sprintf("use a whole number, %d or more", minimum))
	}
	return 0, Invalid(name, text, fmt.Sprintf("use a whole number from %d to %d", minimum, maximum))
}

func names[T ~string](values []T) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = string(v)
	}
	return out
}
