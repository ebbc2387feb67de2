package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/reelpulse/reelpulse/internal/store"
)

// posterPolicy is the Content-Security-Policy of served posters. An SVG
// opened on its own could otherwise run scripts on the dashboard's origin.
const posterPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox"

// placeholderPoster is served until a movie's poster is downloaded.
const placeholderPoster = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="444" viewBox="0 0 300 444">` +
	`<rect width="300" height="444" fill="#d9dde3"/>` +
	`<text x="150" y="230" font-family="sans-serif" font-size="20" fill="#5b6470" text-anchor="middle">No poster yet</text></svg>`

// poster serves a movie's downloaded poster, or a placeholder while none is
// stored.
func (s *server) poster(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", posterPolicy)
	h.Set("X-Content-Type-Options", "nosniff")

	p, err := s.store.GetPoster(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		h.Set("Content-Type", "image/svg+xml")
		h.Set("Cache-Control", "no-cache")
		_, _ = w.Write([]byte(placeholderPoster))
		return
	}
	if err != nil {
		s.logger.Error("Reading a poster failed", "movie_id", r.PathValue("id"), "error", err)
		http.Error(w, "poster unavailable", http.StatusInternalServerError)
		return
	}

	etag := `"` + strconv.FormatInt(p.FetchedAt.UnixNano(), 36) + `"`
	h.Set("ETag", etag)
	// Private: whether a user may see the poster depends on their list,
	// so a shared cache must not hand it to another user.
	h.Set("Cache-Control", "private, max-age=3600")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", p.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(p.Data)))
	_, _ = w.Write(p.Data)
}
