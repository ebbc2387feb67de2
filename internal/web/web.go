// Package web serves the reelpulse dashboard: server-rendered HTML pages with
// inline SVG charts, an embedded style sheet and a small script that only
// improves time display, so every page works without JavaScript.
package web

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/analyze"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/store"
)

// Tracker adds and removes movies; the job layer implements it (it validates
// input, writes the store and queues the first check and sync).
type Tracker interface {
	// Track accepts an IMDb id ("tt0013442") or an IMDb title URL and returns the movie id.
	// Invalid input returns an error whose message is fit to show to the user.
	Track(ctx context.Context, input string) (movieID string, err error)
	Untrack(ctx context.Context, movieID string) error
	// Unpark puts a parked movie back on the schedule and queues its check.
	Unpark(ctx context.Context, movieID string) error
}

// Jobs lists, retries and cancels background jobs; *jobs.Queue implements
// it, insert-only clients included.
type Jobs interface {
	List(ctx context.Context, f jobs.JobFilter) ([]jobs.JobInfo, error)
	Retry(ctx context.Context, id int64) (jobs.JobInfo, error)
	Cancel(ctx context.Context, id int64) (jobs.JobInfo, error)
}

// Config holds the dependencies of the dashboard handler.
type Config struct {
	Store   store.Store
	Tracker Tracker
	// Analyzer names the analyzer whose results the pages show, e.g. "lexicon".
	Analyzer string
	// Logger defaults to slog.Default() when nil.
	Logger *slog.Logger
	// Now is the clock of "time since" texts and defaults to time.Now when nil.
	Now func() time.Time
	// Searcher serves the add form's title suggestions; nil disables them.
	Searcher Searcher
	// SuggestionImages downloads the posters of suggested titles, which the
	// dashboard serves from its own origin; nil shows suggestions without
	// posters.
	SuggestionImages ImageFetcher
	// ImageHosts are the hosts that suggestion posters may be downloaded
	// from, as "m.media-amazon.com" or "host:port"; images elsewhere are
	// not shown.
	ImageHosts []string
	// Aspects are the aspects the pages show, overall aside; nil means the
	// built-in ones.
	Aspects []analyze.Aspect
	// Jobs serves the /jobs page; nil leaves the page out.
	Jobs Jobs
	// DailyBudgetUSD is the language model budget per UTC day. When
	// today's spend reaches it, every page shows that analysis is paused.
	// 0 means no budget.
	DailyBudgetUSD float64
	// Accounts stores users, sessions, tokens and the audit log; it may be
	// another store than Store, as in tests.
	Accounts store.Accounts
	// Auth authenticates requests and signs users in and out; every page
	// but the sign-in, the first-admin setup, /healthz and /static/ needs
	// a signed-in user.
	Auth *authn.Authenticator
	// OIDC signs users in through an OpenID Connect provider beside their
	// passwords; nil leaves single sign-on out.
	OIDC *authn.OIDC
}

// ContentSecurityPolicy is sent with every dashboard response. Pages use no
// inline script or style, so nothing needs a nonce or a hash.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; script-src 'self'; " +
	"style-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

type server struct {
	store     store.Store
	tracker   Tracker
	analyzer  string
	logger    *slog.Logger
	now       func() time.Time
	templates map[string]*template.Template
	searcher  Searcher
	suggested *suggestionCache
	aspects   []analyze.Aspect
	jobs      Jobs
	accounts  store.Accounts
	auth      *authn.Authenticator
	oidc      *authn.OIDC
	// loopbackSetup is whether a browser on the server's machine may
	// create the first admin without the setup token, which
	// REELPULSE_BASE_URL turns off.
	loopbackSetup bool
	// csrfMark is the random text that templates write where a form's
	// CSRF token goes; render replaces it with the session's token.
	csrfMark string

	dailyBudget float64
}

// New returns the dashboard handler. It serves GET /healthz, the pages and
// /static/. POST routes reject cross-origin browser requests.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: missing Config.Store: pass the store the dashboard reads")
	}
	if cfg.Tracker == nil {
		return nil, errors.New("web: missing Config.Tracker: pass the job layer's tracker")
	}
	if cfg.Analyzer == "" {
		return nil, errors.New("web: missing Config.Analyzer: pass the analyzer name whose results to show, e.g. \"lexicon\"")
	}
	if cfg.Accounts == nil || cfg.Auth == nil {
		return nil, errors.New("web: missing Config.Accounts or Config.Auth: pass the account store and the authenticator (authn.New)")
	}

	s := &server{
		store:         cfg.Store,
		tracker:       cfg.Tracker,
		analyzer:      cfg.Analyzer,
		logger:        cfg.Logger,
		now:           cfg.Now,
		searcher:      cfg.Searcher,
		aspects:       cfg.Aspects,
		jobs:          cfg.Jobs,
		accounts:      cfg.Accounts,
		auth:          cfg.Auth,
		oidc:          cfg.OIDC,
		csrfMark:      newCSRFMark(),
		loopbackSetup: cfg.Auth.LoopbackSetup(),

		dailyBudget: cfg.DailyBudgetUSD,
	}
	if s.aspects == nil {
		s.aspects = analyze.Aspects
	}
	s.suggested = newSuggestionCache(cfg.SuggestionImages, cfg.ImageHosts, time.Now)
	if s.searcher != nil {
		s.searcher = cachingSearcher{next: s.searcher, cache: s.suggested}
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}

	templates, err := parseTemplates(s.now, s.csrfMark)
	if err != nil {
		return nil, err
	}
	s.templates = templates
	return s.routes()
}

func (s *server) routes() (http.Handler, error) {
	static, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, fmt.Errorf("web: open embedded static files: %w", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /static/", http.StripPrefix("/static/", serveStatic(static)))
	mux.HandleFunc("GET /{$}", s.listPage)
	mux.HandleFunc("POST /movies", s.addMovie)
	mux.HandleFunc("GET /movies/{id}", s.moviePage)
	mux.HandleFunc("GET /movies/{id}/reviews/export", s.exportReviews)
	mux.HandleFunc("GET /movies/{id}/progress", s.progress)
	mux.HandleFunc("GET /suggestions", s.suggestions)
	mux.HandleFunc("GET /suggestions/{id}/poster", s.suggestionPoster)
	mux.HandleFunc("GET /compare", s.comparePage)
	mux.HandleFunc("GET /posters/{id}", s.poster)
	mux.HandleFunc("GET /movies/{id}/remove", s.confirmRemovePage)
	mux.HandleFunc("POST /movies/{id}/remove", s.removeMovie)
	mux.HandleFunc("POST /movies/{id}/unpark", s.unparkMovie)
	if s.jobs != nil {
		mux.HandleFunc("GET /jobs", s.adminOnly(s.jobsPage))
		mux.HandleFunc("POST /jobs/{id}/retry", s.adminOnly(s.retryJob))
		mux.HandleFunc("POST /jobs/{id}/cancel", s.adminOnly(s.cancelJob))
	}
	s.accountRoutes(mux)
	mux.HandleFunc("/", s.notFoundPage)

	protection := http.NewCrossOriginProtection()
	protection.SetDenyHandler(http.HandlerFunc(s.crossOriginRejected))
	return securityHeaders(protection.Handler(s.authenticate(mux))), nil
}

// securityHeaders sets the headers that every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// serveStatic serves the embedded files, and 404 for a directory rather
// than a listing, because the files are served without a sign-in. Browsers
// may reuse a file for an hour, because the files only change with a new
// build.
func serveStatic(files fs.FS) http.Handler {
	server := http.FileServerFS(files)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
		if info, err := fs.Stat(files, cmp.Or(name, ".")); err != nil || info.IsDir() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		server.ServeHTTP(w, r)
	})
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()

	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.store.Ping(ctx); err != nil {
		s.logger.Error("Health check failed", "error", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "database unavailable")
		return
	}
	fmt.Fprint(w, "ok")
}
