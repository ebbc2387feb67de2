package api

import (
	"net/http"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/reviewquery"
)

func (s *server) exportReviews(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	query := r.URL.Query()
	filter, err := s.reviewFilter(query, id, exportParameters)
	var format reviewquery.Format
	if err == nil {
		format, err = reviewquery.ParseFormat(query)
	}
	if writeParameterError(w, err) {
		return
	}
	if !s.movieExists(w, r, id) {
		return
	}

	format.SetHeaders(w.Header(), id)
	if err := reviewquery.Export(r.Context(), s.store, s.analyzer, filter, analyze.Names(s.aspects), format, w); err != nil {
		// The status is sent: abort the response so that the client sees
		// a broken transfer rather than a complete-looking file.
		s.logger.Error("Review export failed", "movie_id", id, "format", format.Name, "error", err)
		panic(http.ErrAbortHandler)
	}
}
