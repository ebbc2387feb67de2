package api

import (
	"context"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// listedMovies returns the tracked movies of GET /api/v1/movies: the
// user's own list, or every tracked movie for an admin who requests
// all=true.
func (s *server) listedMovies(ctx context.Context, all bool) ([]store.Movie, error) {
	movies, err := s.store.ListMovies(ctx, true)
	if err != nil {
		return nil, fmt.Errorf("list tracked movies: %w", err)
	}
	return s.auth.FilterMovies(ctx, authn.FromContext(ctx), all, movies)
}
