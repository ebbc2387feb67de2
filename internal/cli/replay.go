package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/reelpulse/reelpulse/internal/replay"
)

func runReplay(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "replay", "", "Serve IMDb pages in their real layouts for tests and demos: title pages, reviews pages\nand GraphQL review pages chained by cursor. Point REELPULSE_IMDB_BASE_URL at the printed\nURL and REELPULSE_IMDB_GRAPHQL_URL at URL/graphql.")
	dir := fs.String("dir", "", "folder of saved pages laid out as DIR/<tt id>/title.html, reviews.html, graphql/*.json\n(default: the embedded example movie)")
	addr := fs.String("addr", "127.0.0.1:8081", "listen address host:port")
	latency := fs.Duration("latency", 0, "delay added to every response (Go duration, e.g. 50ms)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}

	site := replay.Example()
	if *dir != "" {
		loaded, err := replay.LoadDir(*dir)
		if err != nil {
			return err
		}
		site = loaded
	}

	logger := slog.New(slog.NewTextHandler(env.stderr, nil))
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s (choose another --addr): %w", *addr, err)
	}
	server := &http.Server{
		Handler:           replay.NewServer(site, replay.Options{Latency: *latency, Logger: logger}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Fprintf(env.stdout, "replay server on http://%s (GraphQL at http://%s/graphql)\n", listener.Addr(), listener.Addr())

	errc := make(chan error, 1)
	go func() { errc <- server.Serve(listener) }()
	select {
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return server.Shutdown(shutdownCtx)
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}
