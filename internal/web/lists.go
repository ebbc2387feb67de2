package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// wantsAllMovies reports whether an admin asked the movie list or the
// compare picker for every tracked movie (all=1) rather than their own
// list. Analysts always see their own list.
func wantsAllMovies(r *http.Request) bool {
	return r.URL.Query().Get("all") == "1" && authn.FromContext(r.Context()).IsAdmin()
}

// listedMovies returns the tracked movies that the request's user sees on
// the list pages: their own list, or every tracked movie for an admin with
// all=1.
func (s *server) listedMovies(ctx context.Context, all bool) ([]store.Movie, error) {
	movies, err := s.store.ListMovies(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("list tracked movies: %w", err)
	}
	return s.auth.FilterMovies(ctx, authn.FromContext(ctx), all, movies)
}

// unlistedCount returns how many tracked movies an admin's own list leaves
// out, for the link to all movies; 0 for analysts and for the "all" view.
func (s *server) unlistedCount(ctx context.Context, all bool, listed int) int {
	if all || !authn.FromContext(ctx).IsAdmin() {
		return 0
	}
	movies, err := s.store.ListMovies(ctx, true)
	if err != nil {
		s.logger.Warn("Counting tracked movies failed", "error", err)
		return 0
	}
	return max(0, len(movies)-listed)
}
