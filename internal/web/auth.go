package web

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/imdb"
)

// publicPaths are served without a signed-in user.
var publicPaths = map[string]bool{"/signin": true, "/login": true, "/setup": true, "/healthz": true,
	authn.OIDCStartPath: true, authn.OIDCCallbackPath: true}

func isPublic(path string) bool {
	return publicPaths[path] || strings.HasPrefix(path, "/static/")
}

// authenticate loads the user of the session cookie into the request's
// context. Requests outside publicPaths need a user, so anonymous ones are
// sent to the sign-in, or to the first-admin setup while no user exists.
// A request that changes data must also carry the session's CSRF token in
// the csrf_token form field or the X-CSRF-Token header. The token rejects
// same-site requests that no page of this session sent, which
// CrossOriginProtection lets through.
func (s *server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		identity, err := s.auth.Session(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if identity != nil {
			r = r.WithContext(authn.WithIdentity(r.Context(), identity))
		}
		if isPublic(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		if identity == nil {
			s.signInRedirect(w, r)
			return
		}
		if !safeMethod(r.Method) {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			_ = r.ParseForm() // an unreadable form has no token and is rejected below
			if !identity.ValidCSRF(r) {
				s.logger.Warn("Request without the session's CSRF token rejected", "method", r.Method, "path", r.URL.Path, "user", identity.User.Name)
				s.message(w, r, http.StatusForbidden, "Form expired",
					"This form does not carry the token of your session, so it was rejected to protect your account. Reload the page and submit the form again.")
				return
			}
		}
		if !s.movieAllowed(w, r, identity) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// movieAllowed writes the "movie not found" page and returns false when r
// names a movie, in its path or in the compare page's id or with
// parameters, that the user may not see.
// An analyst gets the same page for another user's movie as for a movie
// that is not stored, so ids cannot be probed.
func (s *server) movieAllowed(w http.ResponseWriter, r *http.Request, identity *authn.Identity) bool {
	var ids []string
	if id, ok := authn.MovieIDInPath(r.URL.EscapedPath(), "/movies/", "/posters/"); ok {
		ids = append(ids, id)
	}
	if r.URL.Path == "/compare" {
		query := r.URL.Query()
		for _, value := range append(query["id"], query["with"]...) {
			// Values that name no title get the compare page's own 400.
			if id, err := imdb.ParseID(value); err == nil {
				ids = append(ids, id)
			}
		}
	}
	for _, id := range ids {
		if !authn.PlausibleMovieID(id) {
			// No stored id has such bytes, and PostgreSQL rejects them in
			// a query.
			s.movieNotFound(w, r, strconv.Quote(id))
			return false
		}
		visible, err := s.auth.CanSeeMovie(r.Context(), identity, id)
		if err != nil {
			s.serverError(w, r, err)
			return false
		}
		if !visible {
			s.logger.Info("Request for a movie off the user's list returned not found", "user", identity.User.Name, "movie_id", id, "path", r.URL.Path)
			s.movieNotFound(w, r, id)
			return false
		}
	}
	return true
}

func safeMethod(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// signInRedirect sends an anonymous browser to the sign-in page, which
// brings it back to the page it asked for, or to the setup page while no
// user exists.
func (s *server) signInRedirect(w http.ResponseWriter, r *http.Request) {
	if n, err := s.accounts.CountUsers(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	} else if n == 0 {
		http.Redirect(w, r, "/setup", http.StatusSeeOther)
		return
	}
	target := "/signin"
	if next := r.URL.RequestURI(); safeMethod(r.Method) && next != "/" {
		target += "?" + url.Values{"next": {next}}.Encode()
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// adminOnly serves h to admins and a 403 page to other users.
func (s *server) adminOnly(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !authn.FromContext(r.Context()).IsAdmin() {
			s.message(w, r, http.StatusForbidden, "Admins only",
				"This page is for admins. Ask an admin if you need what it shows.")
			return
		}
		h(w, r)
	}
}

// crossOriginRejected responds to a browser request that changes data and comes
// from another site.
func (s *server) crossOriginRejected(w http.ResponseWriter, r *http.Request) {
	s.logger.Warn("Cross-origin request rejected", "method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"))
	s.message(w, r, http.StatusForbidden, "Cross-origin request rejected",
		"This request came from another site, so it was rejected to protect your account. Use the dashboard's own pages to make changes.")
}

// newCSRFMark returns the random text that stands for the CSRF token in
// rendered templates. It is random so that no review text can contain it.
func newCSRFMark() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return "csrf-" + hex.EncodeToString(b)
}
