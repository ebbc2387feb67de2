package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/reelpulse/reelpulse/internal/api"
	"github.com/reelpulse/reelpulse/internal/config"
	"github.com/reelpulse/reelpulse/internal/imdb"
	"github.com/reelpulse/reelpulse/internal/jobs"
	"github.com/reelpulse/reelpulse/internal/replay"
	"github.com/reelpulse/reelpulse/internal/web"
)

// shutdownTimeout bounds how long a stopping server waits for requests and
// running jobs before cancelling them.
const shutdownTimeout = 30 * time.Second

func runServe(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "serve", "", "Run the dashboard and JSON API on REELPULSE_ADDR and work the scheduled jobs\n(hourly checks, review passes, analyses) until interrupted.")
	addr := fs.String("addr", "", "listen address host:port (default: REELPULSE_ADDR)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	a, err := loadApp(ctx, env, func(c *config.Config) {
		if *addr != "" {
			c.Addr = *addr
		}
	})
	if err != nil {
		return err
	}
	defer a.close()
	return a.serve(ctx, nil)
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
	return a.serve(ctx, []string{replay.ExampleTitleID})
}

// serve runs the HTTP server and the job workers until ctx is cancelled,
// tracking the given movies first.
func (a *app) serve(ctx context.Context, track []string) error {
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

	queue, err := a.queue(ctx, jobs.Work)
	if err != nil {
		return err
	}
	tracker := jobs.NewTracker(a.store, queue, a.logger, time.Now)
	for _, id := range track {
		if _, err := tracker.Track(ctx, id); err != nil {
			return err
		}
	}

	handler, err := a.handler(tracker)
	if err != nil {
		return err
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}

	// River treats the cancellation of Start's context as a hard stop that
	// cancels running jobs; the shutdown below stops it gently instead.
	if err := queue.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("start job workers: %w", err)
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- server.Serve(listener) }()
	a.logger.Info("Dashboard listening", "url", "http://"+listener.Addr().String(), "database", databaseKind(a))

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		a.logger.Error("HTTP server stopped", "error", err)
	}
	return a.shutdown(server, queue)
}

func (a *app) shutdown(server *http.Server, queue *jobs.Queue) error {
	a.logger.Info("Shutting down", "timeout", shutdownTimeout)
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()

	httpErr := server.Shutdown(ctx)
	jobsErr := queue.Stop(ctx)
	if err := errors.Join(httpErr, jobsErr); err != nil {
		return fmt.Errorf("shut down: %w", err)
	}
	a.logger.Info("Stopped")
	return nil
}

// handler mounts the API under /api/ and the dashboard everywhere else.
func (a *app) handler(tracker *jobs.Tracker) (http.Handler, error) {
	dashboard, err := web.New(web.Config{
		Store:    a.store,
		Tracker:  tracker,
		Analyzer: a.analyzer.Name(),
		Logger:   a.logger,
		Now:      time.Now,
		Searcher: titleSearcher{a.imdb},
	})
	if err != nil {
		return nil, err
	}
	jsonAPI := api.New(api.Config{
		Store:    a.store,
		Tracker:  tracker,
		Analyzer: a.analyzer.Name(),
		Logger:   a.logger,
		Now:      time.Now,
		Searcher: titleSearcher{a.imdb},
	})

	mux := http.NewServeMux()
	mux.Handle("/api/", jsonAPI)
	mux.Handle("/", dashboard)
	return mux, nil
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
		suggestions = append(suggestions, web.Suggestion{ID: f.ID, Title: f.Title, Year: f.Year, Kind: f.Kind, Stars: f.Stars})
	}
	return suggestions, nil
}
