package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/reelpulse/reelpulse/internal/replay"
)

func runReplay(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "replay", "", "Serve IMDb pages in their real layouts for tests and demos: title pages, reviews pages\nand GraphQL review pages chained by cursor. Point REELPULSE_IMDB_BASE_URL at the printed\nURL, REELPULSE_IMDB_GRAPHQL_URL at URL/graphql and REELPULSE_IMDB_SUGGEST_URL at URL/suggestion.")
	dir := fs.String("dir", "", "folder of saved pages laid out as DIR/<tt id>/title.html, reviews.html, graphql/*.json\n(default: the embedded example movie)")
	addr := fs.String("addr", "127.0.0.1:8081", "listen address host:port")
	latency := fs.Duration("latency", 0, "delay added to every response (Go duration, e.g. 50ms)")
	synthetic := fs.Int("synthetic", 0, "also serve a generated movie, tt9000001, with this many reviews (for load tests)")
	challenge := fs.Bool("challenge", false, "answer every request with a bot challenge: HTTP 202, empty body")
	jsChallenge := fs.Bool("js-challenge", false, "serve a JavaScript challenge that only a browser passes before any page")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArguments(fs); err != nil {
		return err
	}
	if *synthetic < 0 || *synthetic > 1_000_000 {
		return usageErrorf("invalid --synthetic %d: give a number of reviews from 0 to 1000000", *synthetic)
	}

	site := replay.Example()
	if *dir != "" {
		loaded, err := replay.LoadDir(*dir)
		if err != nil {
			return err
		}
		site = loaded
	}
	if *synthetic > 0 {
		site.AddMovie(replay.Synthetic(syntheticMovieID, *synthetic, 1))
	}

	logger := slog.New(slog.NewTextHandler(env.stderr, nil))
	listener, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s (choose another --addr): %w", *addr, err)
	}
	handler := replay.NewServer(site, replay.Options{Latency: *latency, Challenge: *challenge, Logger: logger})
	if *jsChallenge {
		handler = replay.JSChallenge(handler)
	}
	server := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(env.stdout, "replay server on http://%s (GraphQL at http://%s/graphql, title search at http://%s/suggestion), serving %s\n",
		listener.Addr(), listener.Addr(), listener.Addr(), strings.Join(site.Titles(), ", "))

	errc := make(chan error, 1)
	go func() { errc <- server.Serve(listener) }()
	select {
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		fmt.Fprintf(env.stdout, "served %s\n", plural64(site.Requests(), "request", "requests"))
		return server.Shutdown(shutdownCtx)
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// syntheticMovieID is the id of the generated movie of --synthetic.
const syntheticMovieID = "tt9000001"
