package api

import (
	"context"
	"errors"
	"fmt"

	"github.com/reelpulse/reelpulse/internal/authn"
	"github.com/reelpulse/reelpulse/internal/store"
)

// trackForUser adds a movie that the Tracker has just tracked to the
// request's user's list.
func (s *server) trackForUser(ctx context.Context, movieID string) error {
	identity := authn.FromContext(ctx)
	if _, err := s.accounts.TrackMovieForUser(ctx, identity.User.ID, movieID, s.now()); err != nil {
		return fmt.Errorf("add movie %s to the list of %q: %w", movieID, identity.User.Name, err)
	}
	return nil
}

// untrackForUser removes the movie from the request's user's list; the
// movie stops being checked when no list holds it, and its data is kept.
// An admin removing a movie that is on no list of theirs stops it for
// everyone, as `reelpulse track remove` does.
func (s *server) untrackForUser(ctx context.Context, movieID string) error {
	identity := authn.FromContext(ctx)
	err := s.accounts.UntrackMovieForUser(ctx, identity.User.ID, movieID)
	if errors.Is(err, store.ErrNotFound) && identity.IsAdmin() {
		return s.tracker.Untrack(ctx, movieID)
	}
	if err != nil {
		return fmt.Errorf("remove movie %s from the list of %q: %w", movieID, identity.User.Name, err)
	}
	return nil
}

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
