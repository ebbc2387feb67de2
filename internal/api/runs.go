package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/reelpulse/reelpulse/internal/store"
)

// maxRuns is the number of runs GET /api/v1/movies/{id}/runs returns.
const maxRuns = 100

// maxSearchBytes is the longest query, in bytes, that the suggestion
// client sends to IMDb, so that 100 characters outside ASCII get a 400
// rather than a failed search.
const maxSearchBytes = 200

// runJSON is one review pass. State is complete, incomplete, blocked,
// challenged or failed.
type runJSON struct {
	State      string  `json:"state"`
	Error      *string `json:"error"`
	StartedAt  string  `json:"started_at"`
	FinishedAt string  `json:"finished_at"`
	Pages      int     `json:"pages"`
	Fetched    int     `json:"fetched"`
	Declared   *int    `json:"declared"`
	Shortfall  int     `json:"shortfall"`
	New        int     `json:"new"`
	Edited     int     `json:"edited"`
	Deleted    int     `json:"deleted"`
	Skipped    int     `json:"skipped"`
}

func newRunJSON(r store.SyncRun) runJSON {
	return runJSON{
		State:      r.State,
		Error:      optionalString(r.Error),
		StartedAt:  r.StartedAt.UTC().Format(time.RFC3339),
		FinishedAt: r.FinishedAt.UTC().Format(time.RFC3339),
		Pages:      r.Pages,
		Fetched:    r.Fetched,
		Declared:   optionalInt(r.Declared),
		Shortfall:  r.Shortfall,
		New:        r.New,
		Edited:     r.Edited,
		Deleted:    r.Deleted,
		Skipped:    r.Skipped,
	}
}

// lastRun returns the movie's latest run as JSON, or nil before the first.
func (s *server) lastRun(ctx context.Context, movieID string) (*runJSON, error) {
	run, err := store.LatestRun(ctx, s.store, movieID)
	if err != nil || run == nil {
		return nil, err
	}
	j := newRunJSON(*run)
	return &j, nil
}

func (s *server) listRuns(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return
	} else if err != nil {
		s.serverError(w, r, fmt.Errorf("load movie %s: %w", id, err))
		return
	}

	runs, err := s.store.ListRuns(r.Context(), id, maxRuns)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list runs of movie %s: %w", id, err))
		return
	}
	list := make([]runJSON, 0, len(runs))
	for _, run := range runs {
		list = append(list, newRunJSON(run))
	}
	s.write(w, r, http.StatusOK, list)
}

func (s *server) search(w http.ResponseWriter, r *http.Request) {
	query := strings.TrimSpace(r.URL.Query().Get("q"))
	if query == "" {
		writeError(w, http.StatusBadRequest, `missing "q": search with ?q=<part of a title>, e.g. ?q=nosferatu`)
		return
	}
	if utf8.RuneCountInString(query) > 100 {
		writeError(w, http.StatusBadRequest, `invalid "q": at most 100 characters`)
		return
	}
	if len(query) > maxSearchBytes {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`invalid "q": %d bytes long in UTF-8, and a title search takes at most %d; shorten it`, len(query), maxSearchBytes))
		return
	}
	if !utf8.ValidString(query) || strings.ContainsRune(query, 0) {
		writeError(w, http.StatusBadRequest, `invalid "q": use UTF-8 text without NUL characters`)
		return
	}
	if s.searcher == nil {
		writeError(w, http.StatusNotImplemented, "title search is not configured on this server")
		return
	}

	suggestions, err := s.searcher.Search(r.Context(), query)
	if err != nil {
		s.logger.Error("Title search failed", "query", query, "error", err)
		writeError(w, http.StatusBadGateway, "title search failed: IMDb did not respond; try again later or add the movie by its IMDb id")
		return
	}
	s.write(w, r, http.StatusOK, suggestions)
}
