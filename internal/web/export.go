package web

import (
	"errors"
	"net/http"
	"slices"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
	"github.com/reelpulse/reelpulse/internal/store"
)

// exportReviews serves the review explorer's download links: every review
// that the filter parameters select, with the analyzer's scores, as CSV,
// JSONL or Parquet. It writes the same files as the API's export.
func (s *server) exportReviews(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	query := r.URL.Query()
	err := reviewquery.CheckParameters(query, append(slices.Clone(reviewquery.FilterParameters), "format"))
	var filter store.ReviewFilter
	if err == nil {
		filter, err = reviewquery.ParseFilter(query, id, s.analyzer, analyze.Names(s.aspects))
	}
	var format reviewquery.Format
	if err == nil {
		format, err = reviewquery.ParseFormat(query)
	}
	var parameter *reviewquery.ParameterError
	if errors.As(err, &parameter) {
		s.logger.Debug("Review export requested with an invalid parameter", "movie_id", id, "parameter", parameter.Name, "error", err)
		s.message(w, r, http.StatusBadRequest, "Invalid export",
			"The export could not start: "+parameter.Error()+". Use the download links of the movie page's review list.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		s.movieNotFound(w, r, id)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}

	format.SetHeaders(w.Header(), id)
	w.Header().Set("Cache-Control", "no-store")
	if err := reviewquery.Export(r.Context(), s.store, s.analyzer, filter, analyze.Names(s.aspects), format, w); err != nil {
		// The status is sent: abort the response so that the browser
		// reports a failed download rather than saving a truncated file.
		s.logger.Error("Review export failed", "movie_id", id, "format", format.Name, "error", err)
		panic(http.ErrAbortHandler)
	}
}
