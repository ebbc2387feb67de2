package api

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// checkParameters rejects parameters that the endpoint does not know and
// parameters given more than once, so that a typo does not silently
// widen the selection.
func checkParameters(query url.Values, known []string) error {
	if len(known) == 0 {
		for _, name := range slices.Sorted(maps.Keys(query)) {
			return fmt.Errorf("unknown parameter %q: remove it, because this endpoint takes no parameters", name)
		}
		return nil
	}
	return reviewquery.CheckParameters(query, known)
}

// reviewFilter checks the query's parameter names against known and reads
// the review filter, which the dashboard's review explorer reads the same
// way.
func (s *server) reviewFilter(query url.Values, movieID string, known []string) (store.ReviewFilter, error) {
	if err := checkParameters(query, known); err != nil {
		return store.ReviewFilter{}, err
	}
	return reviewquery.ParseFilter(query, movieID, s.analyzer, analyze.Names(s.aspects))
}

// writeParameterError responds 400 for a *reviewquery.ParameterError and
// reports whether err was one.
func writeParameterError(w http.ResponseWriter, err error) bool {
	var parameter *reviewquery.ParameterError
	if !errors.As(err, &parameter) {
		return false
	}
	writeError(w, http.StatusBadRequest, parameter.Error())
	return true
}
