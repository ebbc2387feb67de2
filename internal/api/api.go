// Package api serves reelpulse's JSON API under /api/v1: tracked movies with
// their aspect statistics, their reviews with aspect scores, and their
// snapshots. Errors are JSON objects {"error": "..."} whose message names the
// invalid parameter and what to do.
package api

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web"
)

// Config holds the dependencies of the API handler.
type Config struct {
	Store store.Store
	// Tracker is the same job-layer tracker that the dashboard uses.
	Tracker web.Tracker
	// Analyzer names the analyzer whose results the API returns, e.g. "lexicon".
	Analyzer string
	// Logger defaults to slog.Default() when nil.
	Logger *slog.Logger
	// Now defaults to time.Now when nil.
	Now func() time.Time
	// Searcher serves GET /api/v1/search. When it is nil, the endpoint responds 501.
	Searcher web.Searcher
	// Aspects are the aspects every result lists, overall aside; nil means
	// the built-in ones.
	Aspects []analyze.Aspect
	// Accounts stores users, tokens and their lists; it may be another
	// store than Store, as in tests.
	Accounts store.Accounts
	// Auth authenticates requests by API token or session cookie. Every
	// endpoint but the OpenAPI document needs one.
	Auth *authn.Authenticator
}

// maxBodyBytes caps request bodies, because a POST body only carries an id
// or URL.
const maxBodyBytes = 16 << 10

// Review page sizes of GET /api/v1/movies/{id}/reviews.
const (
	defaultReviewLimit = 50
	maxReviewLimit     = 500
)

type server struct {
	store    store.Store
	tracker  web.Tracker
	analyzer string
	logger   *slog.Logger
	now      func() time.Time
	searcher web.Searcher
	aspects  []analyze.Aspect
	accounts store.Accounts
	auth     *authn.Authenticator
}

// New returns the API handler. It expects the full request path, so mount it
// at "/api/" without http.StripPrefix. Cross-origin browser requests that
// change data are rejected, but requests from non-browser clients pass.
//
// New panics when cfg has no Store, Tracker, Accounts or Auth, because that
// is a wiring mistake in the program.
func New(cfg Config) http.Handler {
	if cfg.Store == nil || cfg.Tracker == nil || cfg.Accounts == nil || cfg.Auth == nil {
		panic("api: Config.Store, Config.Tracker, Config.Accounts and Config.Auth are required")
	}
	s := &server{
		store:    cfg.Store,
		tracker:  cfg.Tracker,
		analyzer: cfg.Analyzer,
		logger:   cfg.Logger,
		now:      cfg.Now,
		searcher: cfg.Searcher,
		aspects:  cfg.Aspects,
		accounts: cfg.Accounts,
		auth:     cfg.Auth,
	}
	if s.aspects == nil {
		s.aspects = analyze.Aspects
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}

	mux := s.routes()
	protection := http.NewCrossOriginProtection()
	protection.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request rejected: call the API from the dashboard's origin or from a non-browser client")
	}))
	return headers(protection.Handler(s.authenticate(mux)))
}

// headers sets the headers that every API response carries.
func headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
