package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/reelpulse/reelpulse/internal/api"
	"github.com/reelpulse/reelpulse/internal/auth"
	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/config"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/metrics"
	"github.com/reelpulse/reelpulse/internal/poster"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/store"
	"github.com/reelpulse/reelpulse/internal/web"
)

// Roles of a serving process.
const (
	roleAll    = "all"    // dashboard, API, job workers and periodic jobs
	roleWeb    = "web"    // dashboard and API; jobs are only queued
	roleWorker = "worker" // job workers and periodic jobs, with health endpoints
)

// errSQLiteRole rejects a split role on SQLite, whose single writer
// connection is shared by the store and the job queue of one process.
var errSQLiteRole = errors.New("SQLite runs everything in one process; use --role all, or PostgreSQL for separate web and worker processes")

func parseRole(role string) (string, error) {
	switch role {
	case roleAll, roleWeb, roleWorker:
		return role, nil
	}
	return "", fmt.Errorf("unknown role %q; use all, web or worker", role)
}

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "", "Run the dashboard and JSON API on REELPULSE_ADDR and work the scheduled jobs\n"+
		"(hourly checks, review passes, analyses) until interrupted.\n\n"+
		"Roles (PostgreSQL only for web and worker):\n"+
		"  all     everything in one process (the default, and the only role on SQLite)\n"+
		"  web     dashboard and API; tracking a movie queues its check for the workers\n"+
		"  worker  job workers and the periodic schedule, with /healthz, /readyz and\n"+
		"          /metrics on REELPULSE_ADDR; run any number of them")
	addr := fs.String("addr", "", "listen address host:port (default: REELPULSE_ADDR)")
	role := fs.String("role", roleAll, "what this process runs: all, web or worker")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	r, err := parseRole(*role)
	if err != nil {
		fmt.Fprintf(env.stderr, "reelpulse serve: %v\n", err)
		return errUsage
	}
	return serveRole(ctx, env, r, *addr)
}

func runWorker(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "worker", "", "Work the scheduled jobs (hourly checks, review passes, analyses) until interrupted,\n"+
		"serving only /healthz, /readyz and /metrics on REELPULSE_ADDR. The short form of\n"+
		"`reelpulse serve --role worker`; needs PostgreSQL. Any number of workers may share\n"+
		"one database: each job runs once, and the periodic schedule runs on one of them.")
	addr := fs.String("addr", "", "health and metrics listen address host:port (default: REELPULSE_ADDR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return serveRole(ctx, env, roleWorker, *addr)
}

func serveRole(ctx context.Context, env *environment, role, addr string) error {
	cfg, logger, err := loadSettings(env, func(c *config.Config) {
		if addr != "" {
			c.Addr = addr
		}
	})
	if err != nil {
		return err
	}
	// Refuse before opening the database, so that no SQLite file is created.
	if role != roleAll && !cfg.IsPostgres() {
		return errSQLiteRole
	}
	a, err := openApp(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer a.close()
	return a.serve(ctx, role, nil)
}

func runDemo(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "demo", "", "Start an embedded replay server with example reviews of Nosferatu (1922), track it,\nand run serve against it: the whole pipeline offline. Uses reelpulse-demo.db unless\nDATABASE_URL is set.")
	addr := fs.String("addr", "", "dashboard listen address host:port (default: REELPULSE_ADDR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	replayListener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the demo replay server: %w", err)
	}
	replayURL := "http://" + replayListener.Addr().String()
	replayServer := &http.Server{
		Handler:           replay.NewServer(replay.Example(), replay.Options{}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = replayServer.Serve(replayListener) }()
	defer replayServer.Close()

	databaseSet := false
	if lookup, err := envLookup(); err == nil {
		_, databaseSet = lookup("DATABASE_URL")
	}
	a, err := loadApp(ctx, env, func(c *config.Config) {
		c.IMDbBaseURL = replayURL
		c.IMDbGraphQLURL = replayURL + "/graphql"
		c.IMDbSuggestURL = replayURL + "/suggestion"
		c.RequestsPerSecond = 20
		if !databaseSet {
			c.DatabaseURL = "reelpulse-demo.db"
		}
		if *addr != "" {
			c.Addr = *addr
		}
	})
	if err != nil {
		return err
	}
	defer a.close()
	a.logger.Info("Demo replay server started", "url", replayURL)
	return a.serve(ctx, roleAll, []string{replay.ExampleTitleID})
}

// serve runs the HTTP server and, unless the role is web, the job workers
// until ctx is cancelled, tracking the given movies for the deployment
// first.
func (a *app) serve(ctx context.Context, role string, track []string) error {
	if role != roleAll && a.sqlite != nil {
		return errSQLiteRole
	}
	if a.sqlite != nil {
		release, err := lockSQLite(a.cfg.SQLitePath())
		if err != nil {
			return err
		}
		defer release()
	}
	listener, err := net.Listen("tcp", a.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (set REELPULSE_ADDR or --addr to a free address): %w", a.cfg.Addr, err)
	}
	defer listener.Close()

	mode := jobs.Work
	if role == roleWeb {
		mode = jobs.InsertOnly
	}
	queue, err := a.queue(ctx, mode)
	if err != nil {
		return err
	}
	tracker := jobs.NewTracker(a.store, queue, a.logger, time.Now)
	for _, id := range track {
		if _, err := tracker.TrackForDeployment(ctx, id); err != nil {
			return err
		}
	}

	a.metrics.CountQueues(queue.CountByQueueAndState)
	if mode == jobs.Work {
		events, unsubscribe, err := queue.Subscribe(metrics.JobEventKinds...)
		if err != nil {
			return err
		}
		defer unsubscribe()
		go a.metrics.WatchJobs(context.WithoutCancel(ctx), events)
	}

	var handler http.Handler
	setupToken := ""
	if role == roleWorker {
		handler = a.workerHandler(queue)
	} else {
		setupToken, err = a.setupToken(ctx)
		if err != nil {
			return err
		}
		handler, err = a.handler(tracker, queue, setupToken)
		if err != nil {
			return err
		}
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	if mode == jobs.Work {
		// River treats the cancellation of Start's context as a hard stop
		// that cancels running jobs; the shutdown below stops it gently
		// instead. River keeps retrying while the database is away, so a
		// worker outlives a database restart.
		if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start job workers: %w", err)
		}
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	url := "http://" + listener.Addr().String()
	if role == roleWorker {
		a.logger.Info("Worker started", "health_url", url+"/healthz", "database", databaseKind(a))
	} else {
		a.logger.Info("Dashboard listening", "url", url, "role", role, "database", databaseKind(a))
	}
	if setupToken != "" {
		a.logSetup(url, setupToken)
	}
	if role != roleWorker {
		go a.pruneAccounts(ctx)
	}

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		a.logger.Error("HTTP server stopped", "error", err)
	}
	if mode != jobs.Work {
		queue = nil
	}
	return a.shutdown(server, queue)
}

// shutdown stops the HTTP server and the job workers (queue may be nil) at
// the same time. Both get REELPULSE_SHUTDOWN_TIMEOUT: the workers stop
// taking jobs at once, running jobs that have not finished by then are
// cancelled and go back to the queue (a cancelled review pass stores
// nothing), and HTTP connections still open are closed. A failed stop, for
// example while the database is away, is logged and the process still
// ends normally. River rescues jobs left running after
// REELPULSE_RESCUE_STUCK_AFTER.
func (a *app) shutdown(server *http.Server, queue *jobs.Queue) error {
	timeout := a.cfg.ShutdownTimeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	a.logger.Info("Shutting down", "timeout", timeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()

	httpDone := make(chan error, 1)
	go func() { httpDone <- server.Shutdown(ctx) }()
	if queue != nil {
		if err := queue.Stop(ctx); err != nil {
			a.logger.Error("Job workers did not stop cleanly; jobs left running are retried after REELPULSE_RESCUE_STUCK_AFTER", "error", err)
		}
	}
	if err := <-httpDone; err != nil {
		a.logger.Warn("HTTP requests still open at the shutdown deadline, closing them", "error", err)
		_ = server.Close()
	}
	a.logger.Info("Stopped")
	return nil
}

// budget is the daily language model budget, or 0 when the configured
// analyzer calls no paid model.
func (a *app) budget() float64 {
	if a.cfg.Analyzer == "offline" {
		return 0
	}
	return a.cfg.LLM.DailyBudgetUSD
}

// handler mounts the API under /api/ and the dashboard everywhere else.
// setupToken, when not empty, lets a request create the first admin from
// any address.
func (a *app) handler(tracker *jobs.Tracker, queue *jobs.Queue, setupToken string) (http.Handler, error) {
	accounts, err := a.accounts()
	if err != nil {
		return nil, err
	}
	authenticator, err := authn.New(authn.Config{
		Accounts:   accounts,
		Logger:     a.logger,
		Now:        time.Now,
		Idle:       a.cfg.SessionIdle,
		MaxAge:     a.cfg.SessionMaxAge,
		BaseURL:    a.cfg.BaseURL,
		SetupToken: setupToken,
	})
	if err != nil {
		return nil, err
	}
	var sso *authn.OIDC
	if a.cfg.OIDC.IssuerURL != "" {
		// Discovery has its own timeout and, when it fails, is retried at
		// the next sign-in, so it does not hold up the start.
		sso, err = authenticator.NewOIDC(context.Background(), authn.OIDCConfig{
			IssuerURL:      a.cfg.OIDC.IssuerURL,
			ClientID:       a.cfg.OIDC.ClientID,
			ClientSecret:   a.cfg.OIDC.ClientSecret,
			BaseURL:        a.cfg.BaseURL,
			DisplayName:    a.cfg.OIDC.DisplayName,
			CreateUsers:    a.cfg.OIDC.CreateUsers,
			AllowedDomains: a.cfg.OIDC.AllowedDomains,
			AdminClaim:     a.cfg.OIDC.AdminClaim,
			AdminValues:    a.cfg.OIDC.AdminValues,
		})
		if err != nil {
			return nil, err
		}
	}
	dashboard, err := web.New(web.Config{
		Accounts: accounts,
		Auth:     authenticator,
		OIDC:     sso,
		Store:    a.store,
		Tracker:  tracker,
		Analyzer: a.analyzer.Name(),
		Logger:   a.logger,
		Now:      time.Now,
		Searcher: titleSearcher{a.imdb},
		Aspects:  a.aspects,
		Jobs:     queue,

		SuggestionImages: a.downloadImage,
		ImageHosts:       a.imageHosts(),

		DailyBudgetUSD: a.budget(),
	})
	if err != nil {
		return nil, err
	}
	jsonAPI := api.New(api.Config{
		Accounts: accounts,
		Auth:     authenticator,
		Store:    a.store,
		Tracker:  tracker,
		Analyzer: a.analyzer.Name(),
		Logger:   a.logger,
		Now:      time.Now,
		Searcher: titleSearcher{a.imdb},
		Aspects:  a.aspects,
	})

	mux := http.NewServeMux()
	mux.Handle("/api/", jsonAPI)
	if queue != nil {
		a.mountOps(mux, queue, authenticator.RequireAdmin)
	}
	mux.Handle("/", dashboard)
	return authn.ForwardedClients(a.cfg.TrustedProxies, mux), nil
}

// workerHandler serves a worker's health endpoints and nothing else.
func (a *app) workerHandler(queue *jobs.Queue) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := a.store.Ping(ctx); err != nil {
			a.logger.Error("Health check failed", "error", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprint(w, "database unavailable")
			return
		}
		fmt.Fprint(w, "ok")
	})
	a.mountOps(mux, queue, nil)
	mux.Handle("/", http.NotFoundHandler())
	return mux
}

// mountOps adds /readyz, which checks the store and the job client, and
// /metrics. Every role serves both. guard, when not nil, wraps /metrics:
// where the dashboard is served, only admins may read it; a worker serves
// it to anyone who reaches its address.
func (a *app) mountOps(mux *http.ServeMux, queue *jobs.Queue, guard func(http.Handler) http.Handler) {
	mux.Handle("/readyz", metrics.ReadyHandler(
		metrics.Check{Name: "store", Check: a.store.Ping},
		metrics.Check{Name: "jobs", Check: queue.Ready},
	))
	handler := a.metrics.Handler()
	if guard != nil {
		handler = guard(handler)
	}
	mux.Handle("GET /metrics", handler)
}

// setupToken returns a new one-time token for creating the first admin
// from the dashboard when no user exists, and "" otherwise.
func (a *app) setupToken(ctx context.Context) (string, error) {
	accounts, err := a.accounts()
	if err != nil {
		return "", err
	}
	n, err := accounts.CountUsers(ctx)
	if err != nil {
		return "", fmt.Errorf("count users: %w", err)
	}
	if n > 0 {
		return "", nil
	}
	return auth.NewSessionID(), nil
}

// pruneAccounts runs pruneAccountsOnce at start and then every hour until
// ctx ends.
func (a *app) pruneAccounts(ctx context.Context) {
	accounts, err := a.accounts()
	if err != nil {
		a.logger.Error("Session and audit log cleanup not started", "error", err)
		return
	}
	ticker := time.NewTicker(time.Hour)
	defer ticker.Stop()
	for {
		a.pruneAccountsOnce(ctx, accounts, time.Now())
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// pruneAccountsOnce deletes idle and expired sessions, and audit events
// older than REELPULSE_AUDIT_RETENTION. Expired sessions are rejected
// anyway; this only keeps the tables small.
func (a *app) pruneAccountsOnce(ctx context.Context, accounts store.Accounts, now time.Time) {
	idle := a.cfg.SessionIdle
	if idle <= 0 {
		idle = authn.DefaultIdle
	}
	n, err := accounts.DeleteExpiredSessions(ctx, now.Add(-idle), now)
	switch {
	case err != nil && ctx.Err() == nil:
		a.logger.Warn("Deleting expired sessions failed; retrying in an hour", "error", err)
	case n > 0:
		a.logger.Debug("Expired sessions deleted", "sessions", n)
	}
	retention := a.cfg.AuditRetention
	if retention <= 0 {
		return
	}
	n, err = accounts.DeleteAuditBefore(ctx, now.Add(-retention))
	switch {
	case err != nil && ctx.Err() == nil:
		a.logger.Warn("Deleting old audit events failed; retrying in an hour", "error", err)
	case n > 0:
		a.logger.Info("Old audit events deleted", "events", n, "retention", retention.String())
	}
}

// logSetup logs how to create the first admin while no user exists. The
// setup token is printed on purpose: it only works until the first admin
// exists.
func (a *app) logSetup(listenURL, token string) {
	base := listenURL
	if a.cfg.BaseURL != "" {
		base = a.cfg.BaseURL
	} else if u, err := url.Parse(listenURL); err == nil {
		// Browsers cannot open an unspecified address such as 0.0.0.0,
		// and a port published by Docker is reached through loopback.
		if ip := net.ParseIP(u.Hostname()); ip != nil && ip.IsUnspecified() {
			u.Host = net.JoinHostPort("127.0.0.1", u.Port())
			base = u.String()
		}
	}
	a.logger.Warn("No account exists yet: open the setup address to create the first admin, "+
		"or run `reelpulse users add NAME --role admin --password-stdin`",
		"setup_url", base+"/setup?token="+token)
}

func databaseKind(a *app) string {
	if a.postgres != nil {
		return "postgres"
	}
	return "sqlite:" + a.cfg.SQLitePath()
}

// titleSearcher adapts the IMDb client's title search to the dashboard's
// and API's Searcher.
type titleSearcher struct{ client *imdb.Client }

func (t titleSearcher) Search(ctx context.Context, query string) ([]web.Suggestion, error) {
	found, err := t.client.Search(ctx, query)
	if err != nil {
		return nil, err
	}
	suggestions := make([]web.Suggestion, 0, len(found))
	for _, f := range found {
		suggestions = append(suggestions, web.Suggestion{ID: f.ID, Title: f.Title, Year: f.Year, Kind: f.Kind, Stars: f.Stars,
			PosterURL: f.PosterURL})
	}
	return suggestions, nil
}

// downloadImage downloads a suggested title's poster for the dashboard,
// over plain HTTP with the politeness of every IMDb request.
func (a *app) downloadImage(ctx context.Context, imageURL string) (string, []byte, error) {
	return poster.Download(ctx, a.images, imageURL)
}

// imageHosts returns the hosts that the dashboard downloads suggestion posters
// from: IMDb's image host and, when IMDb's URLs are pointed elsewhere, such
// as at a replay server, the hosts they name.
func (a *app) imageHosts() []string {
	hosts := []string{"m.media-amazon.com"}
	for _, raw := range a.cfg.CustomIMDbURLs() {
		if u, err := url.Parse(raw); err == nil && u.Host != "" {
			hosts = append(hosts, u.Host)
		}
	}
	return hosts
}
