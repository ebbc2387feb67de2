package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web"
)

// movieJSON is a movie in GET /api/v1/movies. Unknown values are null.
type movieJSON struct {
	ID                 string   `json:"id"`
	Title              *string  `json:"title"`
	Year               *int     `json:"year"`
	ReviewCount        *int     `json:"review_count"` // declared by IMDb
	ScrapedReviewCount int      `json:"scraped_review_count"`
	AverageRating      *float64 `json:"average_rating"` // mean of stored review ratings
	IMDbRating         *float64 `json:"imdb_rating"`
	LastScrapedAt      *string  `json:"last_scraped_at"`
	LastError          *string  `json:"last_error"`
	PosterURL          *string  `json:"poster_url"`
	Tracked            bool     `json:"tracked"` // false once untracked; the data is kept
	// Pinned is true when the movie is tracked for the whole deployment
	// (reelpulse track add), so it stays tracked when it leaves every list.
	Pinned bool `json:"pinned"`
	// ParkedAt is set when the movie's review passes kept failing; it is
	// no longer checked until POST /api/v1/movies/{id}/unpark.
	ParkedAt     *string `json:"parked_at"`
	ParkedReason *string `json:"parked_reason"`
}

// movieDetailJSON is a movie in GET /api/v1/movies/{id}.
type movieDetailJSON struct {
	movieJSON
	ReleaseDate   *string               `json:"release_date"` // "2006-01-02"
	FullScrapeAt  *string               `json:"full_scrape_at"`
	ScrapeWarning *string               `json:"scrape_warning"`
	Aspects       map[string]aspectJSON `json:"aspects"`
	// LastSync is the latest review pass; null before the first.
	LastSync *runJSON `json:"last_sync"`
}

// aspectJSON summarises one aspect. Histogram counts the scores -2..+2.
type aspectJSON struct {
	Average   *float64 `json:"average"`
	Mentioned int      `json:"mentioned"`
	Analyzed  int      `json:"analyzed"`
	Histogram [5]int   `json:"histogram"`
}

type trackRequest struct {
	ID string `json:"id"`
}

func newMovieJSON(m store.Movie, stats store.MovieStats) movieJSON {
	return movieJSON{
		ID:                 m.ID,
		Title:              optionalString(m.Title),
		Year:               optionalInt(m.Year),
		ReviewCount:        m.DeclaredReviewCount,
		ScrapedReviewCount: stats.ScrapedReviewCount,
		AverageRating:      stats.AverageRating,
		IMDbRating:         m.AggregateRating,
		LastScrapedAt:      optionalTime(m.ScrapedAt),
		LastError:          optionalString(m.LastError),
		PosterURL:          optionalString(m.PosterURL),
		Tracked:            m.Tracked,
		Pinned:             m.Pinned,
		ParkedAt:           optionalTime(m.ParkedAt),
		ParkedReason:       optionalString(m.ParkedReason),
	}
}

func newMovieDetailJSON(m store.Movie, stats store.MovieStats, aspects []string) movieDetailJSON {
	detail := movieDetailJSON{
		movieJSON:     newMovieJSON(m, stats),
		FullScrapeAt:  optionalTime(m.FullScrapeAt),
		ScrapeWarning: optionalString(m.ScrapeWarning),
		Aspects:       map[string]aspectJSON{},
	}
	if m.ReleaseDate != nil {
		date := m.ReleaseDate.UTC().Format(time.DateOnly)
		detail.ReleaseDate = &date
	}

	for _, name := range aspects {
		detail.Aspects[name] = aspectJSON{}
	}
	for _, a := range stats.Aspects {
		detail.Aspects[a.Aspect] = aspectJSON{Average: a.Average, Mentioned: a.Mentioned, Analyzed: a.Analyzed, Histogram: a.Histogram}
	}
	return detail
}

func optionalString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func optionalInt(n int) *int {
	if n == 0 {
		return nil
	}
	return &n
}

func optionalTime(t *time.Time) *string {
	if t == nil {
		return nil
	}
	text := t.UTC().Format(time.RFC3339)
	return &text
}

// listMovies serves the user's list, or for an admin with all=true every
// tracked movie.
func (s *server) listMovies(w http.ResponseWriter, r *http.Request) {
	all := false
	if text := r.URL.Query().Get("all"); text != "" {
		value, err := strconv.ParseBool(text)
		if err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid \"all\" %q: use true for every tracked movie (admins only) or false for your list", text))
			return
		}
		all = value
	}
	movies, err := s.listedMovies(r.Context(), all)
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	list := make([]movieJSON, 0, len(movies))
	for _, m := range movies {
		stats, err := s.store.Stats(r.Context(), m.ID, s.analyzer)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("load statistics of movie %s: %w", m.ID, err))
			return
		}
		list = append(list, newMovieJSON(m, stats))
	}
	s.write(w, r, http.StatusOK, list)
}

func (s *server) getMovie(w http.ResponseWriter, r *http.Request) {
	detail, err := s.movieDetail(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, r.PathValue("id"))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.write(w, r, http.StatusOK, detail)
}

func (s *server) movieDetail(ctx context.Context, id string) (movieDetailJSON, error) {
	movie, err := s.store.GetMovie(ctx, id)
	if err != nil {
		return movieDetailJSON{}, fmt.Errorf("load movie %s: %w", id, err)
	}
	stats, err := s.store.Stats(ctx, id, s.analyzer)
	if err != nil {
		return movieDetailJSON{}, fmt.Errorf("load statistics of movie %s: %w", id, err)
	}
	detail := newMovieDetailJSON(movie, stats, analyze.Names(s.aspects))
	if detail.LastSync, err = s.lastRun(ctx, id); err != nil {
		return movieDetailJSON{}, err
	}
	return detail, nil
}

func (s *server) trackMovie(w http.ResponseWriter, r *http.Request) {
	var request trackRequest
	if err := decodeBody(w, r, &request); err != nil {
		status := http.StatusBadRequest
		if bad := (*bodyError)(nil); errors.As(err, &bad) {
			status = bad.status
		}
		writeError(w, status, err.Error())
		return
	}
	input := strings.TrimSpace(request.ID)
	if input == "" {
		writeError(w, http.StatusBadRequest, `missing "id": send {"id": "tt0013442"} or an IMDb title URL as "id"`)
		return
	}

	result, err := web.TrackInput(r.Context(), s.store, s.tracker, s.logger, input)
	var inputErr *web.InputError
	if errors.As(err, &inputErr) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf(`invalid "id": %v`, inputErr))
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}

	if err := s.auth.AddToList(r.Context(), result.MovieID, s.now()); err != nil {
		s.serverError(w, r, err)
		return
	}
	detail, err := s.movieDetail(r.Context(), result.MovieID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	status := http.StatusOK
	if result.Created {
		status = http.StatusCreated
	}
	s.logger.Info("Movie tracked through the API", "movie_id", result.MovieID, "new", result.Created)
	w.Header().Set("Location", "/api/v1/movies/"+url.PathEscape(result.MovieID))
	s.write(w, r, status, detail)
}

func (s *server) untrackMovie(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return
	} else if err != nil {
		s.serverError(w, r, fmt.Errorf("load movie %s: %w", id, err))
		return
	}

	if err := s.auth.RemoveFromList(r.Context(), id, s.tracker.Untrack); err != nil {
		s.serverError(w, r, fmt.Errorf("untrack movie %s: %w", id, err))
		return
	}
	s.logger.Info("Movie untracked through the API", "movie_id", id, "user", authn.FromContext(r.Context()).User.Name)
	w.WriteHeader(http.StatusNoContent)
}

// unparkMovie puts a parked movie back on the schedule, queues its check and
// responds with the movie.
func (s *server) unparkMovie(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if _, err := s.store.GetMovie(r.Context(), id); errors.Is(err, store.ErrNotFound) {
		movieNotFound(w, id)
		return
	} else if err != nil {
		s.serverError(w, r, fmt.Errorf("load movie %s: %w", id, err))
		return
	}

	if err := s.tracker.Unpark(r.Context(), id); err != nil {
		s.serverError(w, r, fmt.Errorf("unpark movie %s: %w", id, err))
		return
	}
	s.logger.Info("Movie unparked through the API", "movie_id", id)
	detail, err := s.movieDetail(r.Context(), id)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.write(w, r, http.StatusOK, detail)
}

// movieNotFound responds to a request for a movie the store does not have: 400
// when the id is no IMDb title id at all, 404 otherwise.
func movieNotFound(w http.ResponseWriter, id string) {
	if canonical, err := imdb.ParseID(id); err != nil || canonical != id {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid movie id %q in the path: expected an IMDb title id such as tt0013442", id))
		return
	}
	writeError(w, http.StatusNotFound, fmt.Sprintf("movie %q not found: track it first with POST /api/v1/movies {\"id\": %q}", id, id))
}

// serverError logs err and returns a 500 without internal details.
func (s *server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.logger.Error("API request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	writeError(w, http.StatusInternalServerError, "internal server error: try again later; the server log has the details")
}

func (s *server) write(w http.ResponseWriter, r *http.Request, status int, v any) {
	if err := writeJSON(w, status, v); err != nil {
		s.logger.Warn("Writing an API response failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
}
