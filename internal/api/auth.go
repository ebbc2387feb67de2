package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"

	"github.com/reelpulse/reelpulse/internal/authn"
)

// publicPaths are served without authentication: the OpenAPI document
// describes the API and holds no data.
var publicPaths = map[string]bool{"/api/v1/openapi.json": true}

// authenticate puts the request's user in its context. A request proves
// who it is with an API token in an Authorization: Bearer header or, from
// the dashboard's pages, with the session cookie; a cookie request that
// changes data must also send the session's CSRF token in the
// X-CSRF-Token header. Anything else gets 401 with WWW-Authenticate:
// Bearer.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		identity, err := s.auth.Bearer(r)
		var bearerErr *authn.BearerError
		if errors.As(err, &bearerErr) {
			s.logger.Info("API request with an unusable token rejected", "path", r.URL.Path, "reason", bearerErr.Reason)
			w.Header().Set("WWW-Authenticate", `Bearer realm="reelpulse", error="invalid_token"`)
			writeError(w, http.StatusUnauthorized, bearerErr.Reason)
			return
		}
		if err == nil && identity == nil {
			identity, err = s.auth.Session(r)
			if err == nil && identity != nil && !safeMethod(r.Method) && !validCSRFHeader(identity, r) {
				writeError(w, http.StatusForbidden, "a request signed in by the session cookie that changes data must send the session's CSRF token "+
					"in the X-CSRF-Token header; scripts should use an API token instead")
				return
			}
		}
		if err != nil {
			s.logger.Error("API authentication failed", "path", r.URL.Path, "error", err)
			writeError(w, http.StatusInternalServerError, "the request could not be authenticated because of a server error; try again in a moment")
			return
		}
		if identity == nil && !publicPaths[r.URL.Path] {
			w.Header().Set("WWW-Authenticate", `Bearer realm="reelpulse"`)
			writeError(w, http.StatusUnauthorized, "authentication required: send an API token as \"Authorization: Bearer rp_…\"; "+
				"create one on the dashboard's Account page or with `reelpulse tokens create`")
			return
		}
		if identity != nil {
			r = r.WithContext(authn.WithIdentity(r.Context(), identity))
			if id, ok := authn.MovieIDInPath(r.URL.EscapedPath(), "/api/v1/movies/"); ok {
				if !authn.PlausibleMovieID(id) {
					// No stored id has such bytes, and PostgreSQL rejects
					// them in a query.
					writeError(w, http.StatusBadRequest, fmt.Sprintf("invalid movie id %q: an IMDb id looks like tt0013442", id))
					return
				}
				visible, err := s.auth.CanSeeMovie(r.Context(), identity, id)
				if err != nil {
					s.logger.Error("Checking a user's list failed", "user", identity.User.Name, "movie_id", id, "error", err)
					writeError(w, http.StatusInternalServerError, "the request could not be authorized because of a server error; try again in a moment")
					return
				}
				if !visible {
					s.logger.Info("API request for a movie off the user's list returned not found", "user", identity.User.Name, "movie_id", id)
					writeError(w, http.StatusNotFound, "no movie "+id+" on your list: add it with POST /api/v1/movies")
					return
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// adminOnly serves h to admins and a JSON 403 to other users.
func adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !authn.FromContext(r.Context()).IsAdmin() {
			writeError(w, http.StatusForbidden, "this endpoint is for admins; your account has the analyst role")
			return
		}
		h(w, r)
	}
}

func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

func validCSRFHeader(identity *authn.Identity, r *http.Request) bool {
	want := identity.CSRFToken()
	got := r.Header.Get(authn.CSRFHeader)
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}
