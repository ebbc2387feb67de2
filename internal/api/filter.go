package api

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// checkParameters rejects parameters that the endpoint does not know and
// parameters given more than once, so that a typo does not silently
// widen the selection.
func checkParameters(query url.Values, known []string) error {
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
